import path from 'node:path';
import type { CredFileModel } from '../../analyzers/build/credfile.js';
import { credFileKind, isLiteralCredential, parseCredFile } from '../../analyzers/build/credfile.js';
import type { DfRun, DfStage, DockerfileModel } from '../../analyzers/build/dockerfile.js';
import { secretMountTarget } from '../../analyzers/build/dockerfile.js';
import { dockerignored, type DockerignoreModel } from '../../analyzers/build/dockerignore.js';
import type { ParsedFile } from '../../analyzers/types.js';
import { parseShell, type ShellCommand } from '../../shell/index.js';
import type { Severity } from '../../types.js';
import { createRule } from '../create-rule.js';
import { ancestors, BuildGraph, buildNameOptions, contextDirs, copiedIntoFinal, finalChain, imageScope, imagePath, isBuildCredential, isSecretRef, raise, secretReplacement, stageLabel, type SecretUse } from './common.js';
import { partitionPoint } from '../../util/bisect.js';

const CRED_BASENAMES = /(^|\/)(\.npmrc|npmrc|\.yarnrc|\.yarnrc\.yml|\.netrc|_netrc|pip\.conf|pip\.ini|\.pypirc|\.git-credentials|\.gitconfig|config\.json)$/;
/** Credential files of other package tools, recognised by their folder: Poetry, Bundler, Composer, RubyGems, Cargo, Maven, Gradle, gh. */
const TOOL_CRED_PATH = /(^|\/)(pypoetry\/auth\.toml|\.bundle\/config|(\.composer|composer)\/auth\.json|\.gem\/credentials|\.cargo\/credentials(\.toml)?|\.m2\/settings(-security)?\.xml|\.gradle\/gradle\.properties|gh\/hosts\.ya?ml|\.docker\/config\.json)$/;
/**
 * Files that hold a cloud credential and nothing else: the AWS CLI's shared credentials file and gcloud's application
 * default credentials. A file copied there is the credential (no token-free form, unlike a registry-mapping .npmrc).
 */
const CLOUD_CRED_PATH = /(^|\/)(\.aws\/credentials|gcloud\/application_default_credentials\.json)$/;
/** Variables naming the credential file a client reads: where the image's ENV points, or a COPY destination. */
const CRED_FILE_VARS = new Set(['GOOGLE_APPLICATION_CREDENTIALS', 'AWS_SHARED_CREDENTIALS_FILE']);

/**
 * An SSH private key: `id_rsa`, `id_ed25519`, `deploy_key`, `github-deploy-key`, any file in a `.ssh/` folder but the
 * public parts and settings (`*.pub`, known_hosts, authorized_keys, config), or a whole `.ssh` folder.
 */
const SSH_PRIVATE_KEY = /(^|\/)(id_(rsa|dsa|ecdsa|ed25519)(_sk)?|[\w.-]*deploy[-_]?key)$|(^|\/)\.ssh\/(?![^/]*\.pub$|[^/]*known_hosts|authorized_keys|[^/]*config|environment$|rc$)[^/]+$|(^|\/)\.ssh\/?$/i;
/** A step that fetches over SSH: what the key was for. */
const FETCH_COMMAND = /\b(git\s+(clone|fetch|pull|submodule)|go\s+(mod\s+download|get|build|install)|npm\s+(ci|install|i)\b|pnpm\s+(install|i)\b|yarn\b|pip3?\s+install|poetry\s+install|bundle(\s+install)?\b|cargo\s+(build|fetch)|composer\s+install|scp|rsync)/;
const AUTH_TEXT = /(_authToken|_auth\b|_password|npmAuthToken|npmAuthIdent|\bpassword\b|\blogin\b|:\/\/[^\s/:@]+:[^\s/@]+@|x-access-token|oauth2:|"auth"\s*:)/i;

/** `secrets.NPM_TOKEN` -> `NPM_TOKEN`. */
function secretName(ref: string): string {
  return ref.replace(/^secrets\./, '');
}

export function isCredentialFilePath(p: string): boolean {
  return (CRED_BASENAMES.test(p) && (!p.endsWith('config.json') || p.includes('.docker/'))) || credFileKind(p) === 'npmrc' || TOOL_CRED_PATH.test(p) || CLOUD_CRED_PATH.test(p);
}

/**
 * The cloud credential file a COPY destination is: `~/.aws/credentials`, gcloud's ADC file, `$GOOGLE_APPLICATION_CREDENTIALS`
 * / `$AWS_SHARED_CREDENTIALS_FILE`, or the literal path such a variable is set to in the stage chain. Undefined otherwise.
 */
function cloudCredentialDestination(model: DockerfileModel, stage: DfStage, rawDest: string, imgPath: string, line: number): { path: string; via?: string } | undefined {
  const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(rawDest.trim())?.[1];
  const chain = ancestors(model, stage);
  const declared = (name: string) => {
    for (const s of chain) {
      const decl = [...s.envs, ...s.args].filter((v) => v.name === name && (s !== stage || v.line < line) && v.value && v.refs.length === 0).pop();
      if (decl) return imagePath(model, s, decl.value!.replace(/^["']|["']$/g, ''), decl.line);
    }
    return undefined;
  };
  if (variable) return CRED_FILE_VARS.has(variable) ? { path: declared(variable) ?? `$${variable}`, via: variable } : undefined;
  if (CLOUD_CRED_PATH.test(imgPath)) return { path: imgPath };
  for (const name of CRED_FILE_VARS) if (declared(name) === imgPath) return { path: imgPath, via: name };
  return undefined;
}

/** Variables read in the credential part of a written text: `_authToken=${X}`, `password $X`, `"auth": "$X"`, `https://$X@host`. */
function authParams(text: string): string[] {
  const out = new Set<string>();
  const segments: string[] = [];
  for (const m of text.matchAll(/(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent|npmPassword|password|passwd|token|oauth)\b["']?\s*[=:]?\s*\\?["']?([^\s"'\\]+)/gi)) segments.push(m[1]!);
  for (const m of text.matchAll(/"(?:auth|identitytoken|registrytoken|password)"\s*:\s*\\?"([^"\\]*)/gi)) segments.push(m[1]!);
  for (const m of text.matchAll(/:\/\/([^\s/@]+)@/g)) segments.push(m[1]!);
  for (const seg of segments) for (const m of seg.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  for (const benign of ['HOME', 'PWD', 'USER', 'PATH']) out.delete(benign);
  return [...out];
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

/** The RUN's commands, with the scripts of `sh -c '…'` / `bash -c "…"` read as commands too (on the line of their shell). */
function withNestedScripts(commands: ShellCommand[], depth = 0): ShellCommand[] {
  const out: ShellCommand[] = [];
  for (const c of commands) {
    out.push(c);
    if (depth > 2 || !c.name || !SHELLS.has(c.name.split('/').pop()!)) continue;
    const flag = c.words.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.value));
    const body = flag > 0 ? c.words[flag + 1] : undefined;
    if (!body) continue;
    const nested = parseShell(body.value, { lineOffset: c.line - 1 });
    if (nested.error) continue;
    out.push(...withNestedScripts(nested.commands.map((n) => ({ ...n, line: c.line, endLine: c.endLine, column: c.column + n.column })), depth + 1));
  }
  return out;
}

interface Write {
  /** In-image path written. */
  path: string;
  command: ShellCommand;
  how: string;
  /** Token variables or secret files the written content reads. */
  sources: string[];
  literal?: string;
}

/** Token sources a piece of text reads: credential-named or token-carrying variables, secret files, literal auth. */
function tokenSources(text: string, params: string[], tokenVar: (n: string) => boolean, secretFiles: string[]): string[] {
  const out = params.filter(tokenVar);
  for (const f of secretFiles) if (text.includes(f)) out.push(f);
  if (/\/run\/secrets\/[\w.-]+/.test(text)) out.push(/\/run\/secrets\/[\w.-]+/.exec(text)![0]);
  return [...new Set(out)];
}

function literalAuth(text: string): string | undefined {
  const entries = parseCredFile(text.replace(/\\n/g, '\n'), 'npmrc').entries.filter((e) => e.literal && !['username', 'email'].includes(e.key));
  if (entries[0]) return entries[0].value;
  const url = /:\/\/([^\s/:@$]+):([^\s/@$]+)@/.exec(text);
  // `https://__token__:%s@…` is a printf format filled from a variable; `<token>` / `{token}` are placeholders.
  return url && !url[2]!.startsWith('$') && !/^%[-#+ 0-9.]*[sbqdv]$|^<[^>]*>$|^\{[^}]*\}$/.test(url[2]!) ? url[2] : undefined;
}

/** Where `aws codeartifact login --tool X` writes the token it fetches. */
const CODEARTIFACT_TOOL_FILE: Record<string, string> = { npm: '~/.npmrc', pip: '~/.config/pip/pip.conf', twine: '~/.pypirc', dotnet: '~/.nuget/NuGet/NuGet.Config', nuget: '~/.nuget/NuGet/NuGet.Config' };

/**
 * Package-tool commands that store a credential in the user's config, with the words of the credential part (from, up
 * to `to`). `issued`: the command stores a credential that its text does not show (a token it fetches, a key file it
 * imports), so it writes one whatever its words are.
 */
function toolCredentialWrite(c: ShellCommand, prev: ShellCommand | undefined): { file: string; how: string; from: number; to?: number; stdin?: boolean; issued?: string } | undefined {
  const w = c.words.map((x) => x.value);
  const operands = (from: number) => w.slice(from).filter((x) => !x.startsWith('-'));
  if (c.name === 'aws') {
    // Global options before the service: `aws --profile ci configure set …`.
    const sub = w.findIndex((x, i) => i > 0 && !x.startsWith('-') && !/^--(profile|region|endpoint-url|output)$/.test(w[i - 1] ?? ''));
    // aws configure set [profile.]aws_secret_access_key|aws_session_token VALUE: stored in clear text in ~/.aws/credentials.
    if (sub > 0 && w[sub] === 'configure' && w[sub + 1] === 'set') {
      const key = w.findIndex((x, i) => i > sub + 1 && /(^|\.)(aws_secret_access_key|aws_session_token)$/i.test(x));
      if (key > 0 && w[key + 1] !== undefined) return { file: '~/.aws/credentials', how: `aws configure set ${w[key]}`, from: key + 1, to: key + 2 };
    }
    // aws codeartifact login --tool npm|pip|twine: fetches a 12-hour token and writes it into the tool's config.
    if (sub > 0 && w[sub] === 'codeartifact' && w[sub + 1] === 'login' && !w.includes('--dry-run')) {
      const toolAt = w.findIndex((x) => x === '--tool' || x.startsWith('--tool='));
      const tool = toolAt < 0 ? undefined : w[toolAt]!.includes('=') ? w[toolAt]!.slice(7) : w[toolAt + 1];
      const file = tool ? CODEARTIFACT_TOOL_FILE[tool.toLowerCase()] : undefined;
      if (file) return { file, how: `aws codeartifact login --tool ${tool}`, from: w.length, issued: 'a CodeArtifact token' };
    }
  }
  // gcloud auth activate-service-account --key-file=K / gcloud auth login --cred-file=K: gcloud imports the key into its
  // credential store (~/.config/gcloud), so the key stays in the layer even when K is a mounted secret.
  if (c.name === 'gcloud' && w[1] === 'auth' && /^(activate-service-account|login)$/.test(w[2] ?? '')) {
    const fileAt = w.findIndex((x, i) => i > 2 && /^--(key|cred)-file(=|$)/.test(x));
    if (fileAt > 0) {
      const keyFile = w[fileAt]!.includes('=') ? w[fileAt]!.slice(w[fileAt]!.indexOf('=') + 1) : w[fileAt + 1] ?? 'a key file';
      return { file: '~/.config/gcloud/credentials.db', how: `gcloud auth ${w[2]} --${w[fileAt]!.replace(/^--/, '').split('=')[0]}`, from: w.length, issued: keyFile };
    }
  }
  // az login --service-principal -p SECRET: the Azure CLI keeps the secret in ~/.azure/service_principal_entries.json.
  if (c.name === 'az' && w[1] === 'login') {
    const flag = w.findIndex((x, i) => i > 1 && /^(-p|--password|--client-secret)$/.test(x));
    const inline = w.findIndex((x, i) => i > 1 && /^(--password|--client-secret)=/.test(x));
    if (flag > 0 && w[flag + 1] !== undefined) return { file: '~/.azure/service_principal_entries.json', how: 'az login with a service principal secret', from: flag + 1, to: flag + 2 };
    if (inline > 0) return { file: '~/.azure/service_principal_entries.json', how: 'az login with a service principal secret', from: inline, to: inline + 1 };
  }
  // dotnet nuget add|update source … -p|--password X (NuGet.Config in the user's profile, or --configfile); NuGet on
  // Linux cannot encrypt, so the password is stored in clear text. nuget.exe: nuget sources add|update -Password X.
  const nuget = (c.name === 'dotnet' && w[1] === 'nuget' && /^(add|update)$/.test(w[2] ?? '') && w[3] === 'source') || (c.name === 'nuget' && w[1] === 'sources' && /^(add|update)$/i.test(w[2] ?? ''));
  if (nuget) {
    const flag = w.findIndex((x, i) => i > 2 && /^(-p|--password|-password)$/i.test(x));
    const inline = w.findIndex((x, i) => i > 2 && /^(--password|-password)=/i.test(x));
    const configAt = w.findIndex((x) => /^(--configfile|-configfile)$/i.test(x));
    const file = configAt > 0 && w[configAt + 1] ? w[configAt + 1]! : c.name === 'dotnet' ? '~/.nuget/NuGet/NuGet.Config' : '~/.config/NuGet/NuGet.Config';
    const how = c.name === 'dotnet' ? `dotnet nuget ${w[2]} source --password` : `nuget sources ${w[2]} -Password`;
    if (flag > 0 && w[flag + 1] !== undefined) return { file, how, from: flag + 1, to: flag + 2 };
    if (inline > 0) return { file, how, from: inline, to: inline + 1 };
  }
  if (c.name === 'poetry' && w[1] === 'config') {
    const key = operands(2)[0] ?? '';
    if (/^(http-basic|pypi-token)\./.test(key)) return { file: '~/.config/pypoetry/auth.toml', how: `poetry config ${key}`, from: w.indexOf(key) + 1 };
  }
  if (c.name === 'bundle' && w[1] === 'config') {
    const ops = operands(2).filter((x) => x !== 'set');
    if (ops.length >= 2 && /\.|__/.test(ops[0]!) && !/^(path|without|with|deployment|frozen|jobs|retry|bin|gemfile|clean|force_ruby_platform|build\.)/.test(ops[0]!)) return { file: w.includes('--local') ? '.bundle/config' : '~/.bundle/config', how: `bundle config ${ops[0]}`, from: w.indexOf(ops[0]!) + 1 };
  }
  if (c.name === 'composer' && w[1] === 'config') {
    const key = operands(2)[0] ?? '';
    if (/^(github-oauth|gitlab-oauth|gitlab-token|http-basic|bearer|bitbucket-oauth)\./.test(key)) return { file: w.includes('--global') || w.includes('-g') ? '~/.composer/auth.json' : 'auth.json', how: `composer config ${key}`, from: w.indexOf(key) + 1 };
  }
  if (c.name === 'gh' && w[1] === 'auth' && w[2] === 'login' && w.includes('--with-token') && prev && c.pipelineIndex > 0) return { file: '~/.config/gh/hosts.yml', how: 'gh auth login --with-token', from: w.length, stdin: true };
  return undefined;
}

/** Commands after which any variable may hold a value the script text does not show: `. file`, `source`, `eval`, `set -a`. */
const OPAQUE_DEFINITION = /^(\.|source|eval)$/;

/**
 * Can NAME hold a value in this RUN? A RUN sees only the ARGs and ENVs declared in its stage chain (a `--build-arg`
 * without an `ARG` never reaches it), variables its own script sets, and secret mounts with `env=`. A write of an
 * undeclared `${GIT_TOKEN}` bakes an empty string, not a token. The base image's own ENV cannot be read here.
 */
function variableHolder(run: DfRun, model: DockerfileModel, stage: DfStage): (name: string) => boolean {
  const commands = run.script?.commands ?? [];
  if (commands.some((c) => (c.name && OPAQUE_DEFINITION.test(c.name)) || (c.name === 'set' && c.words.some((w) => /^-[a-z]*a|^allexport$/.test(w.value))))) return () => true;
  const defined = new Set<string>([...model.globalArgs.map((v) => v.name), ...run.mounts.flatMap((m) => (m.env ? [m.env] : []))]);
  for (const s of ancestors(model, stage)) for (const v of [...s.args, ...s.envs]) defined.add(v.name);
  for (const c of commands) {
    for (const a of c.assignments) defined.add(a.name);
    if (c.name === 'read' || c.name === 'mapfile' || c.name === 'readarray') for (const w of c.words.slice(1)) if (/^[A-Za-z_]\w*$/.test(w.value)) defined.add(w.value);
  }
  // Loop variables (`for TOKEN in …`) are not commands: read them off the text.
  for (const m of run.text.matchAll(/\bfor\s+([A-Za-z_]\w*)\s+in\b/g)) defined.add(m[1]!);
  return (name) => defined.has(name);
}

function writesOf(run: DfRun, model: DockerfileModel, stage: DfStage, tokenVar: (n: string) => boolean, holdsValue: (n: string) => boolean = () => true): Write[] {
  const script = run.script;
  if (!script) return [];
  const secretFiles = run.mounts.filter((m) => m.type === 'secret').map(secretMountTarget).filter((t): t is string => Boolean(t));
  // Variables assigned from a secret inside this RUN: TOKEN=$(cat /run/secrets/npm)
  // Secret mounts with env=NAME put the token in NAME for this RUN: NAME is a token whatever it is called.
  const fromSecret = new Set<string>(run.mounts.filter((m) => m.type === 'secret' && m.env).map((m) => m.env!));
  for (const c of script.commands) for (const a of c.assignments) if (a.value && (/\/run\/secrets\//.test(a.value.value) || secretFiles.some((f) => a.value!.value.includes(f)) || a.value.params.some(tokenVar))) fromSecret.add(a.name);
  const isToken = (n: string) => (tokenVar(n) || fromSecret.has(n)) && holdsValue(n);
  const out: Write[] = [];
  const at = (p: string) => imagePath(model, stage, p, run.line);
  const commands = withNestedScripts(script.commands);
  for (const [index, c] of commands.entries()) {
    const argText = c.words.slice(1).map((w) => w.value).join(' ');
    // The variables of the credential part count whatever their name (`_authToken=${REGISTRY_KEY}`).
    const params = [...c.words.flatMap((w) => w.params), ...authParams(argText)];
    const authRefs = new Set(authParams(argText));
    const isTokenHere = (n: string) => isToken(n) || (authRefs.has(n) && holdsValue(n));
    // echo/printf/cat <<EOF > file
    for (const r of c.redirects) {
      if (!/^(>|>>|>\||&>|&>>)$/.test(r.op) || (r.fd && r.fd !== '1')) continue;
      if (!isCredentialFilePath(r.target.value)) continue;
      const heredoc = c.redirects.find((h) => h.heredoc)?.heredoc;
      const text = `${argText}\n${heredoc?.body ?? ''}`;
      const heredocAuth = new Set(authParams(heredoc?.body ?? ''));
      const sources = tokenSources(text, [...params, ...(heredoc?.params ?? []), ...heredocAuth], (n) => isTokenHere(n) || (heredocAuth.has(n) && holdsValue(n)), secretFiles);
      const literal = literalAuth(text);
      if (sources.length || literal || (c.name === 'cat' && c.words.slice(1).some((w) => /\/run\/secrets\//.test(w.value)))) {
        out.push({ path: at(r.target.value), command: c, how: `${c.name ?? 'a command'} ${r.op} ${r.target.value}`, sources: sources.length ? sources : ['a secret file'], literal });
      }
    }
    // sed -i "s|_NPM_TOKEN_|${NPM_TOKEN}|" .npmrc: a placeholder in a copied template replaced by the token.
    if (isSedInPlace(c)) {
      const script = c.words.slice(1).find((w) => /^s(.).*\1.*\1[gIip0-9]*$/s.test(w.value));
      if (script) {
        const sources = tokenSources(script.value, [...script.params, ...authParams(script.value)], isTokenHere, secretFiles);
        for (const w of c.words.slice(1)) {
          if (w === script || w.value.startsWith('-') || !isCredentialFilePath(w.value) || sources.length === 0) continue;
          out.push({ path: at(w.value), command: c, how: `sed -i into ${w.value}`, sources });
        }
      }
    }
    // ... | tee [-a] file
    if (c.name === 'tee') {
      const prev = commands[index - 1];
      for (const w of c.words.slice(1)) {
        if (w.value.startsWith('-') || !isCredentialFilePath(w.value) || !prev) continue;
        const text = prev.words.map((x) => x.value).join(' ');
        const prevAuth = new Set(authParams(text));
        const sources = tokenSources(text, [...prev.words.flatMap((x) => x.params), ...prevAuth], (n) => isToken(n) || (prevAuth.has(n) && holdsValue(n)), secretFiles);
        const literal = literalAuth(text);
        if (sources.length || literal) out.push({ path: at(w.value), command: c, how: `tee ${w.value}`, sources, literal });
      }
    }
    // npm/pnpm/yarn config set <auth key> <value>
    if ((c.name === 'npm' || c.name === 'pnpm' || c.name === 'yarn') && (c.words[1]?.value === 'config' || c.words[1]?.value === 'set')) {
      const setIndex = c.words.findIndex((w) => w.value === 'set');
      const key = c.words[setIndex + 1]?.value ?? '';
      const valueWord = c.words[setIndex + 2];
      const keyValue = key.includes('=') ? key.slice(key.indexOf('=') + 1) : valueWord?.value ?? '';
      if (setIndex > 0 && /(_authToken|_auth|_password|npmAuthToken|npmAuthIdent)/i.test(key)) {
        const sources = tokenSources(keyValue, [...(valueWord?.params ?? []), ...c.words[setIndex + 1]!.params], isToken, secretFiles);
        const literal = sources.length ? undefined : keyValue && !keyValue.includes('$') ? keyValue : undefined;
        const project = c.words.some((w) => /^--location=project$|^--location$/.test(w.value));
        const file = c.name === 'yarn' ? (c.words.some((w) => w.value === '-H' || w.value === '--home') ? '~/.yarnrc.yml' : '.yarnrc.yml') : project ? '.npmrc' : '~/.npmrc';
        const unsetValue = Boolean(valueWord?.params.length) && valueWord!.params.every((n) => !holdsValue(n));
        if (sources.length || literal || (valueWord?.static === false && !unsetValue)) out.push({ path: at(file), command: c, how: `${c.name} config set ${key.split('=')[0]}`, sources: sources.length ? sources : ['a token'], literal });
      }
    }
    // git config url."https://${TOKEN}@github.com/".insteadOf https://github.com/
    if (c.name === 'git' && c.words[1]?.value === 'config') {
      const keyWord = c.words.find((w, i) => i > 1 && !w.value.startsWith('-'));
      const all = c.words.slice(2).map((w) => w.value).join(' ');
      if (keyWord && /^url\..*\.insteadof$/i.test(keyWord.value) || /credential|http\..*extraheader/i.test(keyWord?.value ?? '')) {
        const sources = tokenSources(all, [...c.words.flatMap((w) => w.params), ...authParams(all)], isTokenHere, secretFiles);
        const literal = sources.length ? undefined : literalAuth(all);
        const system = c.words.some((w) => w.value === '--system');
        const global = c.words.some((w) => w.value === '--global');
        if (sources.length || literal) out.push({ path: at(system ? '/etc/gitconfig' : global ? '~/.gitconfig' : '.git/config'), command: c, how: `git config ${keyWord!.value.replace(/\/\/[^@]*@/, '//…@')}`, sources, literal });
      }
    }
    // git clone https://${GH_TOKEN}@github.com/org/repo: the URL, token included, is stored as origin in <dir>/.git/config.
    if (c.name === 'git' && c.words.some((w, i) => i >= 1 && w.value === 'clone')) {
      const cloneAt = c.words.findIndex((w) => w.value === 'clone');
      const operands = c.words.slice(cloneAt + 1).filter((w, i, all) => !w.value.startsWith('-') && !/^-(b|c|o|u|j)$|^--(branch|config|origin|depth|reference|filter|jobs|template|upload-pack|separate-git-dir)$/.test(all[i - 1]?.value ?? ''));
      const url = operands[0];
      if (url && /:\/\/[^\s/@]+@/.test(url.value)) {
        const sources = tokenSources(url.value, [...url.params, ...authParams(url.value)], isTokenHere, secretFiles);
        const literal = sources.length ? undefined : literalAuth(url.value) ?? (/:\/\/(ghp_|github_pat_|gho_|ghs_|glpat-)[^@]+@/.exec(url.value) ? url.value.replace(/^.*:\/\/([^@]+)@.*$/, '$1') : undefined);
        const dir = operands[1]?.value ?? (url.value.replace(/\/+$/, '').split('/').pop() ?? 'repo').replace(/\.git$/, '');
        if (sources.length || literal) out.push({ path: at(`${dir}/.git/config`), command: c, how: 'git clone with credentials in the URL', sources, literal });
      }
    }
    // pip config set global.index-url https://user:token@…
    if ((c.name === 'pip' || c.name === 'pip3') && c.words[1]?.value === 'config' && c.words[2]?.value === 'set') {
      const text = argText;
      const sources = tokenSources(text, params, isTokenHere, secretFiles);
      const literal = sources.length ? undefined : literalAuth(text);
      if ((sources.length || literal) && /:\/\/[^\s/]*@/.test(text)) out.push({ path: at(c.words.some((w) => w.value === '--global') ? '/etc/pip.conf' : '~/.config/pip/pip.conf'), command: c, how: 'pip config set', sources, literal });
    }
    // docker login -p $TOKEN / --password-stdin
    if (c.name === 'docker' && c.words[1]?.value === 'login') {
      const sources = tokenSources(argText, params, isToken, secretFiles);
      const stdin = c.words.some((w) => w.value === '--password-stdin');
      const prev = stdin ? commands[index - 1] : undefined;
      if (prev) sources.push(...tokenSources(prev.words.map((w) => w.value).join(' '), prev.words.flatMap((w) => w.params), isToken, secretFiles));
      if (sources.length) out.push({ path: at('~/.docker/config.json'), command: c, how: 'docker login', sources: [...new Set(sources)] });
    }
    // poetry config http-basic.<repo> user pass / pypi-token.<repo> tok; bundle config [set] [--global] host user:tok;
    // composer config [--global] [--auth] github-oauth.github.com tok; gh auth login --with-token (token on stdin).
    const toolWrite = toolCredentialWrite(c, commands[index - 1]);
    if (toolWrite) {
      const credWords = c.words.slice(toolWrite.from, toolWrite.to);
      const text = credWords.map((w) => w.value).join(' ');
      const ps = credWords.flatMap((w) => w.params);
      const prevText = toolWrite.stdin && commands[index - 1] ? commands[index - 1]!.words.map((w) => w.value).join(' ') : '';
      const sources = tokenSources(`${text} ${prevText}`, [...ps, ...(toolWrite.stdin ? commands[index - 1]?.words.flatMap((w) => w.params) ?? [] : [])], (n) => isToken(n) || (ps.includes(n) && holdsValue(n) && !/(^|_)(USER|USERNAME|LOGIN|NAME|EMAIL)$/i.test(n)), secretFiles);
      if (toolWrite.issued) {
        out.push({ path: at(toolWrite.file), command: c, how: toolWrite.how, sources: [...new Set([...sources, toolWrite.issued])] });
        continue;
      }
      const valueWords = credWords.map((w) => ({ ...w, value: w.value.replace(/^-{1,2}(password|client-secret)=/i, '') })).filter((w) => !w.value.startsWith('-'));
      const literal = sources.length || toolWrite.stdin ? undefined : valueWords.length && valueWords.every((w) => w.static) ? valueWords[valueWords.length - 1]!.value : undefined;
      if (sources.length || (literal && isLiteralCredential(literal))) out.push({ path: at(toolWrite.file), command: c, how: toolWrite.how, sources, literal });
    }
    // cp /run/secrets/npmrc ~/.npmrc
    if ((c.name === 'cp' || c.name === 'mv' || c.name === 'install' || c.name === 'ln') && c.words.length >= 3) {
      const operands = c.words.slice(1).filter((w) => !w.value.startsWith('-'));
      const dest = operands[operands.length - 1];
      const srcs = operands.slice(0, -1);
      const secretSrc = srcs.find((w) => /^\/run\/secrets\//.test(w.value) || secretFiles.includes(w.value));
      if (dest && secretSrc && !(c.name === 'ln' && c.words.some((w) => w.value === '-s' || w.value === '-sf'))) {
        const destPath = dest.value.endsWith('/') ? path.posix.join(dest.value, path.posix.basename(secretSrc.value)) : dest.value;
        out.push({ path: at(destPath), command: c, how: `${c.name} ${secretSrc.value} ${dest.value}`, sources: [secretSrc.value] });
        // The copy is a secret file too: whatever later reads it writes the token on.
        secretFiles.push(dest.value, at(destPath));
      }
    }
  }
  return out;
}

/** Removed later in the same RUN (`&& rm -f ~/.npmrc`) or written onto a mount: not in the layer. */
function removedInRun(write: Write, run: DfRun, model: DockerfileModel, stage: DfStage): boolean {
  const mounted = run.mounts.some((m) => (m.type === 'secret' || m.type === 'tmpfs' || m.type === 'cache' || m.type === 'bind') && m.target && write.path.startsWith(imagePath(model, stage, m.target, run.line)));
  if (mounted) return true;
  const later = (c: ShellCommand) => c.line > write.command.line || (c.line === write.command.line && c.column > write.command.column);
  // git clone with a token: a later `git remote set-url origin <url without credentials>` rewrites .git/config.
  if (write.path.endsWith('/.git/config') && withNestedScripts(run.script?.commands ?? []).some((c) => later(c) && c.name === 'git' && c.words.some((w) => w.value === 'set-url') && !c.words.some((w) => /:\/\/[^\s/@]+@/.test(w.value)))) return true;
  const names = (c: ShellCommand) => c.words.slice(1).some((w) => !w.value.startsWith('-') && (imagePath(model, stage, w.value, run.line) === write.path || write.path.startsWith(`${imagePath(model, stage, w.value, run.line)}/`)));
  // The tool's own undo: `npm config delete //host/:_authToken`, `pip config unset global.index-url`.
  const toolUndo = (c: ShellCommand) => {
    const w = c.words.map((x) => x.value);
    if (write.path.endsWith('/.npmrc')) return (c.name === 'npm' || c.name === 'pnpm') && w[1] === 'config' && /^(delete|rm)$/.test(w[2] ?? '') && w.slice(3).some((x) => /_auth/i.test(x));
    if (write.path.endsWith('/pip.conf')) return (c.name === 'pip' || c.name === 'pip3') && w[1] === 'config' && w[2] === 'unset' && w.slice(3).some((x) => /index-url$/.test(x));
    return false;
  };
  if (withNestedScripts(run.script?.commands ?? []).some((c) => later(c) && toolUndo(c))) return true;
  return withNestedScripts(run.script?.commands ?? []).some(
    (c) =>
      later(c) &&
      // rm the file, or delete its auth lines in place (`sed -i '/_authToken/d' .npmrc`) before the layer is written.
      (((c.name === 'rm' || c.name === 'shred' || c.name === 'unlink') && names(c)) || (isSedInPlace(c) && c.words.some((w) => AUTH_LINE_DELETE.test(w.value)) && names(c))),
  );
}

/** `sed -i`, `sed -i.bak`, `sed --in-place`, `sed -Ei`. */
function isSedInPlace(c: ShellCommand): boolean {
  return c.name === 'sed' && c.words.slice(1).some((w) => /^-[A-Za-z]*i/.test(w.value) || w.value.startsWith('--in-place'));
}

/** A sed script that deletes the auth lines: `/_authToken/d`, `/:_auth/d`, `/password/d`. */
const AUTH_LINE_DELETE = /^\/[^/]*(authtoken|_auth|password|token)[^/]*\/d$/i;

function removedLater(write: Write, run: DfRun, model: DockerfileModel, stage: DfStage): number | undefined {
  for (const later of stage.runs) {
    if (later.line <= run.line) continue;
    for (const c of later.script?.commands ?? []) {
      if (c.name === 'rm' && c.words.slice(1).some((w) => !w.value.startsWith('-') && imagePath(model, stage, w.value, later.line) === write.path)) return later.line;
    }
  }
  return undefined;
}

export const dockerfileNpmrcTokenBaked = createRule(
  {
    id: 'dockerfile-npmrc-token-baked',
    family: 'build',
    defaultSeverity: 'high',
    description: 'A token written into .npmrc/.yarnrc/.netrc/pip.conf/.pypirc/git config/docker config or a cloud CLI credential store (aws configure, aws codeartifact login, gcloud auth, az login) inside an image layer, or a credential file or SSH private key copied into the image',
    why: 'A file written by a RUN or brought in by COPY stays in that layer even if a later RUN deletes it: `docker save`/`docker history` and SBOM tools expose it, and COPY --from carries it into the final image.',
    allowed: 'A token-free .npmrc (scope -> registry mapping only, or `${NPM_TOKEN}` interpolation) and a BuildKit secret mounted for the install step: `RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci` (a project .npmrc that exists only during that RUN); for git over SSH, the forwarded agent: `RUN --mount=type=ssh git clone ...` built with `--ssh default`.',
    remediation: 'Mount the credential file (or the token as env) as a BuildKit secret on the install RUN instead of writing it into a layer, delete the write/COPY, and rotate the token if an image with it was pushed. An SSH key: forward the agent to the fetching RUN (`--mount=type=ssh`) and revoke the copied key.',
    environmentEscalation: false,
  },
  (context) => {
    const names = buildNameOptions(context.config, context.options);
    const graph = BuildGraph.of(context.project);
    const credFiles = new Map(context.project.models<CredFileModel>('credfile').map((f) => [f.file.path, f] as const));
    // The credential files a folder copy can leak, with their literal: made once, not for every copy of every
    // Dockerfile (a .npmrc per package and a `COPY . .` per Dockerfile: Dockerfiles x files).
    const leakable = [...credFiles.values()].flatMap((cred, order) => {
      const literal = cred.file.isTest ? undefined : cred.model.entries.find((e) => e.literal && !['username', 'email'].includes(e.key));
      return literal ? [{ cred, literal, order }] : [];
    });
    const byPath = [...leakable].sort((a, b) => (a.cred.file.path < b.cred.file.path ? -1 : a.cred.file.path > b.cred.file.path ? 1 : 0));
    /** The leakable files under folder ROOT (all for `.`), in credFiles order: the paths with its prefix are one run of byPath. */
    const leakableUnder = (root: string): typeof leakable => {
      if (root === '.') return leakable;
      const prefix = `${root}/`;
      const under: typeof leakable = [];
      for (let i = partitionPoint(byPath, (x) => x.cred.file.path < prefix); i < byPath.length && byPath[i]!.cred.file.path.startsWith(prefix); i++) under.push(byPath[i]!);
      return under.sort((a, b) => a.order - b.order);
    };
    const ignores = new Map(context.project.models<DockerignoreModel>('dockerignore').map((f) => [f.file.path, f] as const));
    context.each(
      graph.byPath.values(),
      (df) => df.file.path,
      (df) => {
        const model = df.model;
        const invocations = graph.invocationsOf(df.file.path);
        // Credential files a CI step or script writes a token into before building this Dockerfile.
        const tokenWrites = invocations.flatMap((located) => (located.invocation.credentialWrites ?? []).flatMap((write) => {
          const secrets = write.refs.filter((r) => isSecretRef(r, names));
          return secrets.length ? [{ write, secrets, at: `${located.file.path}:${write.line}` }] : [];
        }));
        const writtenAt = (repoPath: string) => tokenWrites.find((w) => w.write.paths.includes(repoPath));
        const scope = imageScope(model, invocations);
        const chain = scope.chain;
        const lastChain = finalChain(model);
        for (const stage of model.stages) {
          const tokenVars = new Set<string>([...stage.args, ...stage.envs].filter((v) => isBuildCredential(v.name, names) || v.refs.some((r) => isBuildCredential(r, names))).map((v) => v.name));
          const tokenVar = (n: string) => tokenVars.has(n) || isBuildCredential(n, names);
          for (const run of stage.runs) {
            for (const write of writesOf(run, model, stage, tokenVar, variableHolder(run, model, stage))) {
              if (removedInRun(write, run, model, stage)) continue;
              const laterRemoval = removedLater(write, run, model, stage);
              report(df, stage, chain, write.path, write.command.line, `${write.how} writes ${write.sources.length ? write.sources.join(', ') : 'a token'} into ${write.path}`, write.literal, laterRemoval, run, write.sources);
            }
          }
          for (const run of stage.onbuild?.runs ?? []) {
            for (const write of writesOf(run, model, stage, tokenVar)) {
              if (removedInRun(write, run, model, stage)) continue;
              context.report({
                file: df.file,
                line: write.command.line,
                message: `ONBUILD ${write.how} writes ${write.sources.length ? write.sources.join(', ') : 'a token'} into ${write.path}: every image built FROM this one keeps it in a layer`,
                location: `${df.file.path}#${stageLabel(stage)}/ONBUILD ${write.path}`,
                value: write.literal,
                keys: write.sources.length ? write.sources : [path.posix.basename(write.path)],
                severity: write.literal ? 'critical' : 'high',
                origin: 'build-time',
              });
            }
          }
          for (const copy of stage.copies) {
            if (copy.from) continue;
            for (const doc of copy.heredocs) {
              const dest = imagePath(model, stage, copy.dest, copy.line);
              if (!isCredentialFilePath(dest) || !AUTH_TEXT.test(doc.body)) continue;
              const refs = [...doc.body.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!).filter(tokenVar);
              const literal = literalAuth(doc.body);
              if (refs.length || literal) report(df, stage, chain, dest, copy.line, `${copy.instruction} <<${doc.name} writes ${refs.length ? refs.join(', ') : 'a literal token'} into ${dest}`, literal, undefined, undefined, refs);
            }
            for (const src of copy.sources) {
              if (/^[a-z]+:\/\//.test(src)) continue;
              const target = copy.dest.endsWith('/') || copy.dest === '.' || copy.dest === './' ? path.posix.join(copy.dest, path.posix.basename(src)) : copy.dest;
              if (SSH_PRIVATE_KEY.test(src) || SSH_PRIVATE_KEY.test(target)) {
                const dest = imagePath(model, stage, target, copy.line);
                const laterRemoval = stage.runs.find((r) => r.line > copy.line && r.text.includes(path.posix.basename(dest)) && /\brm\b/.test(r.text))?.line;
                report(df, stage, chain, dest, copy.line, `${copy.instruction} ${src} copies ${/(^|\/)\.ssh\/?$/.test(src) ? 'an .ssh folder (private keys with it)' : 'an SSH private key'} into ${dest}`, undefined, laterRemoval, undefined, [path.posix.basename(src)], undefined, sshMountReplacement(stage, copy.line, dest));
                continue;
              }
              const cloudDest = cloudCredentialDestination(model, stage, copy.dest.endsWith('/') ? target : copy.dest, imagePath(model, stage, target, copy.line), copy.line);
              if (cloudDest) {
                const laterRemoval = stage.runs.find((r) => r.line > copy.line && /\brm\b/.test(r.text) && r.text.includes(path.posix.basename(cloudDest.path)))?.line;
                report(df, stage, chain, cloudDest.path, copy.line, `${copy.instruction} ${src} copies a cloud credential into ${cloudDest.via ? `${cloudDest.path} (${cloudDest.via})` : cloudDest.path}`, undefined, laterRemoval, undefined, [cloudDest.via ?? path.posix.basename(cloudDest.path)]);
                continue;
              }
              if (!isCredentialFilePath(src)) {
                folderCopy(copy, src, stage);
                continue;
              }
              const contexts = invocations.flatMap((i) => contextDirs(i.invocation));
              if (contexts.length === 0) contexts.push(path.posix.dirname(df.file.path), '.');
              const inContext = contexts.map((ctx) => path.posix.normalize(path.posix.join(ctx, src)).replace(/^\.\//, ''));
              const found = inContext.map((p) => credFiles.get(p)).find(Boolean);
              const written = inContext.map(writtenAt).find(Boolean);
              const dest = imagePath(model, stage, target, copy.line);
              const literal = found?.model.entries.find((e) => e.literal && !['username', 'email'].includes(e.key));
              if (literal) {
                report(df, stage, chain, dest, copy.line, `${copy.instruction} ${src} copies ${found!.file.path}, which carries a literal ${literal.key}, into ${dest}`, literal.value, undefined, undefined, [literal.key]);
              } else if (written) {
                // Token-free in the repository (or not in it), but written with a token before the build: the build copies the file as written.
                report(df, stage, chain, dest, copy.line, `${copy.instruction} ${src} copies ${found ? `${found.file.path}, which ` : 'a credential file that '}${written.at} ${found ? 'overwrites' : 'writes'} with ${written.secrets.join(', ')} before the build, into ${dest}`, undefined, undefined, undefined, written.secrets.map(secretName), 'medium');
              } else if (!found && (credFileKind(src) || isCredentialFilePath(src)) && !stage.runs.some((r) => r.line > copy.line && r.mounts.some((m) => m.type === 'secret'))) {
                // Not in the repository: generated before the build. When a later RUN of the stage mounts a BuildKit
                // secret, the token comes from there and the copied file is the token-free mapping: not reported.
                report(df, stage, chain, dest, copy.line, `${copy.instruction} ${src} copies a credential file that is not in the repository (written before the build, e.g. by CI) into ${dest}`, undefined, undefined, undefined, [path.posix.basename(src)], 'medium');
              }
            }
          }
        }

        /**
         * `COPY . .` / `COPY src/ /app/`: a committed credential file with a literal inside the copied folder of the
         * build context comes along, unless the context's .dockerignore (or `<Dockerfile>.dockerignore`) excludes it.
         */
        function folderCopy(copy: (typeof model.stages)[number]['copies'][number], src: string, stage: DfStage): void {
          if (/[*?[]/.test(src) || /\.[A-Za-z0-9]{1,5}$/.test(path.posix.basename(src))) return; // a file or glob, not a folder
          const located = invocations.flatMap((i) => contextDirs(i.invocation));
          const contexts = [...new Set(located.length ? located : [path.posix.dirname(df.file.path)])];
          for (const ctx of contexts) {
            const root = path.posix.normalize(path.posix.join(ctx, src)).replace(/\/$/, '');
            const ignoreFile = ignores.get(`${df.file.path}.dockerignore`) ?? ignores.get(path.posix.join(ctx, '.dockerignore').replace(/^\.\//, ''));
            const reported = new Set<string>();
            for (const { cred, literal } of leakableUnder(root)) {
              const inside = root === '.' ? cred.file.path : cred.file.path.slice(root.length + 1);
              const inContext = ctx === '.' ? cred.file.path : cred.file.path.slice(ctx.length + 1);
              if (ignoreFile && dockerignored(ignoreFile.model, inContext)) continue;
              const dest = imagePath(model, stage, path.posix.join(copy.dest, inside), copy.line);
              report(df, stage, chain, dest, copy.line, `${copy.instruction} ${src} copies ${cred.file.path}, which carries a literal ${literal.key} and is not in .dockerignore, into ${dest}`, literal.value, undefined, undefined, [literal.key]);
              reported.add(cred.file.path);
            }
            for (const { write, secrets, at } of tokenWrites) {
              const file = write.paths.find((p) => root === '.' || p.startsWith(`${root}/`));
              if (!file || reported.has(file)) continue;
              const inContext = ctx === '.' ? file : file.slice(ctx.length + 1);
              if (ignoreFile && dockerignored(ignoreFile.model, inContext)) continue;
              reported.add(file);
              const dest = imagePath(model, stage, path.posix.join(copy.dest, root === '.' ? file : file.slice(root.length + 1)), copy.line);
              report(df, stage, chain, dest, copy.line, `${copy.instruction} ${src} copies ${file}, which ${at} writes with ${secrets.join(', ')} before the build and .dockerignore does not exclude, into ${dest}`, undefined, undefined, undefined, secrets.map(secretName), 'medium');
            }
            return;
          }
        }

        /** The fetch that needed the key, with the agent forwarded for that RUN only (`docker build --ssh default`). */
        function sshMountReplacement(stage: DfStage, after: number, keyPath: string): { title: string; snippet: string } {
          const fetch = stage.runs.find((r) => r.line > after && FETCH_COMMAND.test(r.text));
          const key = path.posix.basename(keyPath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const withoutKeyRemoval = fetch?.text.trim().replace(new RegExp(`\\s*(&&|;)\\s*rm\\s+[^&;|]*${key}[^&;|]*`, 'g'), '');
          const command = withoutKeyRemoval ? withoutKeyRemoval.split('\n').join('\n    ') : 'git clone git@github.com:org/private-repo.git';
          return {
            title: 'Forward the SSH agent to the step that fetches, instead of copying the key',
            snippet: [
              '# syntax=docker/dockerfile:1.10',
              'RUN mkdir -p -m 0700 ~/.ssh && ssh-keyscan github.com >> ~/.ssh/known_hosts',
              `RUN --mount=type=ssh,required=true \\\n    ${command}`,
              '# build with: docker build --ssh default .   (compose: build.ssh: [default]; buildx bake: ssh = ["default"])',
            ].join('\n'),
          };
        }

        function report(file: ParsedFile<DockerfileModel>, stage: DfStage, finalStages: Set<number>, imgPath: string, line: number, what: string, literal: string | undefined, laterRemoval: number | undefined, run: DfRun | undefined, sources: string[], base?: Severity, replacement?: { title: string; snippet: string }): void {
          let severity: Severity;
          let where: string;
          if (finalStages.has(stage.index)) {
            severity = base ?? 'high';
            where = `it stays in a layer of ${scope.imageOf(stage)} (readable with docker save/docker history)`;
          } else {
            const copied = copiedIntoFinal(model, stage, imgPath, finalStages);
            if (copied) {
              severity = raise(base ?? 'medium');
              where = `it survives into ${scope.imageOf(copied.stage)} through COPY --from at line ${copied.line}`;
            } else {
              severity = base ?? 'medium';
              where = `it stays in the layers of ${stageLabel(stage)} and the build cache${lastChain.has(stage.index) && scope.lastUnbuilt ? `, which no build found produces: ${scope.lastUnbuilt}` : `, not in ${scope.builtImages}`}`;
            }
          }
          if (literal) severity = raise(severity);
          if (laterRemoval) where += `; the rm at line ${laterRemoval} does not remove it from the earlier layer`;
          const tokenName = sources.find((s) => /^[A-Z_][A-Z0-9_]*$/.test(s)) ?? 'NPM_TOKEN';
          const id = graph.secretIdFor(tokenName);
          const fileName = path.posix.basename(imgPath);
          const uses: SecretUse[] = [{ env: tokenName, id, source: tokenName }];
          const snippet = [
            '# syntax=docker/dockerfile:1.10',
            `# ${fileName} in the build context stays token-free (registry mapping / \${${tokenName}} interpolation only)`,
            `RUN --mount=type=secret,id=${id},env=${tokenName},required=true \\`,
            `    ${run ? run.text.trim().split('\n').join('\n    ').replace(/\s*&&\s*$/, '') : '<install step>'}`,
            `# or mount a prepared ${fileName}: RUN --mount=type=secret,id=${fileName.replace(/^\./, '')},target=${imgPath} <install step>`,
          ].join('\n');
          context.report({
            file: file.file,
            line,
            message: `${what} in ${stageLabel(stage)}: ${where}`,
            location: `${file.file.path}#${stageLabel(stage)}/${imgPath}`,
            value: literal,
            keys: sources.length ? sources : [fileName],
            severity,
            origin: 'build-time',
            replacement: replacement
              ? { language: 'dockerfile', title: replacement.title, snippet: `${replacement.snippet}\n` }
              : secretReplacement(`Mount the token for the install step instead of writing ${fileName}`, snippet, invocations.map((located) => ({ located, uses, dockerfilePath: file.file.path }))),
          });
        }
      },
    );
  },
);
