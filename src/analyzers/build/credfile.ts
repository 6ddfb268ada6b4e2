/**
 * Package-manager and registry credential files: `.npmrc`, `.yarnrc`, `.yarnrc.yml`, `.netrc`, `pip.conf`/`pip.ini`,
 * `.pypirc`, `.docker/config.json`, `.git-credentials`, `.gitconfig`, and committed in a project: Composer's `auth.json`,
 * Gradle's `gradle.properties`. Each auth entry is recorded with whether its
 * value is a literal (committed credential) or an interpolation (`${NPM_TOKEN}`, read at install time).
 */
import { isSelfDescribingValue } from '../tests/credentials.js';
import { isPipelineToken } from '../../k8s/vocabulary.js';
import { basename, segments } from '../../util/path.js';
import type { Analyzer } from '../types.js';

export type CredFileKind = 'npmrc' | 'yarnrc' | 'yarnrc-yml' | 'netrc' | 'pip' | 'pypirc' | 'docker-config' | 'git-credentials' | 'gitconfig' | 'composer-auth' | 'gradle-properties';

export interface CredEntry {
  /** `_authToken`, `_auth`, `_password`, `username`, `email`, `npmAuthToken`, `password`, `auth`, `url-credentials`, `token-prefix`. */
  key: string;
  /** Registry/host scope when the format has one (`//npm.pkg.github.com/`). */
  scope?: string;
  value: string;
  line: number;
  column: number;
  /** A literal credential (not `${VAR}`, not empty, not a placeholder). */
  literal: boolean;
}

export interface CredFileModel {
  kind: 'credfile';
  format: CredFileKind;
  entries: CredEntry[];
}

export function credFileKind(path: string): CredFileKind | undefined {
  const name = basename(path);
  // `.npmrc`, and the per-purpose copies repositories keep next to it: `.npmrc-ci`, `.npmrc.docker`, `docker.npmrc`.
  if (name === '.npmrc' || name === 'npmrc' || /^\.?npmrc[.-][A-Za-z0-9_-]+$/.test(name) || /^[A-Za-z0-9_-]+\.npmrc$/.test(name)) return 'npmrc';
  if (name === '.yarnrc') return 'yarnrc';
  if (name === '.yarnrc.yml' || name === '.yarnrc.yaml') return 'yarnrc-yml';
  if (name === '.netrc' || name === '_netrc' || name === '.netrc_buf') return 'netrc';
  if (name === 'pip.conf' || name === 'pip.ini') return 'pip';
  if (name === '.pypirc') return 'pypirc';
  if (name === 'config.json' && segments(path).slice(0, -1).pop() === '.docker') return 'docker-config';
  if (name === '.git-credentials') return 'git-credentials';
  if (name === '.gitconfig') return 'gitconfig';
  return undefined;
}

const INTERPOLATION = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$|^\$[A-Za-z_][A-Za-z0-9_]*$|^%\(?[A-Za-z_]+\)?s?%?$|^\{\{.*\}\}$/;
const PLACEHOLDER = /^(<[^<>]+>|\*+|x{3,}|\.\.\.|your[-_]?(token|password)|changeme|replace[-_]?me|todo|tbd|none|nothing|empty|unset|not[-_]?set|n\/a|null|undefined|placeholder|token|password)$/i;
const TOKEN_PREFIX = /\b(ghp_[A-Za-z0-9]{20,}|gho_[A-Za-z0-9]{20,}|ghs_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|npm_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{16,})/;

/** Replaced before use by a sed step (`_NPM_TOKEN_`, `@NPM_TOKEN@`); pipeline tokens (`__X__`, `#{X}#`) are isPipelineToken's. */
/** `scheme://user:password@host`; the userinfo ends at the authority's last `@` (a password may hold a bare `@`). */
const URL_CREDENTIALS = /:\/\/([^\s:@/]+):([^\s/]+)@(?=[^\s@/]*(?:[/\s]|$))/;
const SED_TOKEN = /^(_[A-Z][A-Z0-9_]*[A-Z0-9]_|@[A-Z][A-Z0-9_]*@)$/;

export function isLiteralCredential(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v === '') return false;
  if (INTERPOLATION.test(v) || SED_TOKEN.test(v) || isPipelineToken(v)) return false;
  if (PLACEHOLDER.test(v)) return false;
  // A phrase naming what belongs there (`Private-Repo-Access-Token`, `your_npm_auth_token`): words only, the last the kind of credential.
  if (/^[A-Za-z]+(?:[-_ ][A-Za-z]+)+$/.test(v) && /[-_ ](token|password|passwd|secret|key|pat|apikey|credentials?)$/i.test(v)) return false;
  return true;
}

/**
 * In a credential file, a value that only names what belongs there (`MYTOKEN2`, `foobar`, base64 of `test:test`) or a
 * vendor prefix filled with one character (`npm_xxxxxxxxxxx`): the file is a template, no registry issued that.
 */
function isStandIn(v: string): boolean {
  return isSelfDescribingValue(v) || /^(?:[A-Za-z]{2,10}[_-])?(.)\1{5,}$/.test(v);
}

function push(entries: CredEntry[], key: string, value: string, line: number, column: number, scope?: string): void {
  const v = value.trim().replace(/^["']|["']$/g, '');
  const entry: CredEntry = { key, value: v, line, column, literal: isLiteralCredential(v) && !isStandIn(v) };
  if (scope) entry.scope = scope;
  entries.push(entry);
}

const NPM_AUTH_KEYS = new Set(['_authtoken', '_auth', '_password', 'username', 'email', 'password', 'npmauthtoken', 'npmauthident', 'npmpassword', 'always-auth-token']);

/** `.npmrc` / `.yarnrc` (ini-ish): `//registry/:_authToken=x`, `_auth=x`, `email=x`, `npmAuthToken "x"`. */
function iniAuth(text: string, yarnClassic: boolean): CredEntry[] {
  const entries: CredEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*[#;]/.test(line) || !line.trim()) return;
    const m = yarnClassic ? /^\s*("?)([^"\s=]+)\1\s+(.*)$/.exec(line) : /^\s*([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!m) return;
    const fullKey = (yarnClassic ? m[2] : m[1])!;
    const value = (yarnClassic ? m[3] : m[2])!;
    const scoped = /^(\/\/[^:]*\/?):(.+)$/.exec(fullKey);
    const key = scoped ? scoped[2]! : fullKey;
    if (NPM_AUTH_KEYS.has(key.toLowerCase())) push(entries, key, value, i + 1, line.indexOf(key) + 1, scoped?.[1]);
    else if (TOKEN_PREFIX.test(value)) push(entries, 'token-prefix', TOKEN_PREFIX.exec(value)![1]!, i + 1, line.indexOf(value) + 1);
    else if (/registry\s*$/i.test(key) || /url$/i.test(key)) {
      const creds = URL_CREDENTIALS.exec(value);
      if (creds) push(entries, 'url-credentials', creds[2]!, i + 1, line.indexOf(creds[0]) + 1);
    }
  });
  return entries;
}

function yarnYmlAuth(text: string): CredEntry[] {
  const entries: CredEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^(\s*)(npmAuthToken|npmAuthIdent|npmPassword)\s*:\s*(.*?)\s*$/.exec(raw.replace(/\r$/, ''));
    if (m) push(entries, m[2]!, m[3]!, i + 1, m[1]!.length + 1);
    else if (TOKEN_PREFIX.test(raw)) push(entries, 'token-prefix', TOKEN_PREFIX.exec(raw)![1]!, i + 1, raw.indexOf(TOKEN_PREFIX.exec(raw)![1]!) + 1);
  });
  return entries;
}

function netrcAuth(text: string): CredEntry[] {
  const entries: CredEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const tokens = raw.trim().split(/\s+/);
    for (let t = 0; t < tokens.length - 1; t++) {
      if (tokens[t] === 'password' || tokens[t] === 'passwd') push(entries, 'password', tokens[t + 1]!, i + 1, raw.indexOf(tokens[t]!) + 1);
    }
  });
  return entries;
}

function pipAuth(text: string, pypirc: boolean): CredEntry[] {
  const entries: CredEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*[#;]/.test(line)) return;
    const creds = URL_CREDENTIALS.exec(line);
    if (creds) push(entries, 'url-credentials', creds[2]!, i + 1, line.indexOf(creds[0]) + 1);
    const kv = /^\s*(password|token)\s*[=:]\s*(.+)$/i.exec(line);
    if (kv && pypirc) push(entries, kv[1]!.toLowerCase(), kv[2]!, i + 1, line.indexOf(kv[1]!) + 1);
  });
  return entries;
}

function dockerConfigAuth(text: string): CredEntry[] {
  const entries: CredEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    for (const m of raw.matchAll(/"(auth|identitytoken|registrytoken|password)"\s*:\s*"([^"]*)"/gi)) push(entries, m[1]!, m[2]!, i + 1, (m.index ?? 0) + 1);
  });
  return entries;
}

function urlCredentials(text: string): CredEntry[] {
  const entries: CredEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    for (const m of raw.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\s:@/]+)(?::([^\s@/]+))?@/gi)) {
      const secret = m[2] ?? (/^(ghp_|github_pat_|gho_|ghs_|glpat-|x-access-token)/.test(m[1]!) || m[1]!.length >= 30 ? m[1]! : undefined);
      if (secret) push(entries, 'url-credentials', secret, i + 1, (m.index ?? 0) + 1);
    }
  });
  return entries;
}

export function parseCredFile(text: string, format: CredFileKind): CredFileModel {
  let entries: CredEntry[];
  switch (format) {
    case 'npmrc':
      entries = iniAuth(text, false);
      break;
    case 'yarnrc':
      entries = iniAuth(text, true);
      break;
    case 'yarnrc-yml':
      entries = yarnYmlAuth(text);
      break;
    case 'netrc':
      entries = netrcAuth(text);
      break;
    case 'pip':
      entries = pipAuth(text, false);
      break;
    case 'pypirc':
      entries = pipAuth(text, true);
      break;
    case 'docker-config':
      entries = dockerConfigAuth(text);
      break;
    case 'git-credentials':
    case 'gitconfig':
      entries = urlCredentials(text);
      break;
    case 'composer-auth':
      entries = composerAuth(text);
      break;
    case 'gradle-properties':
      entries = gradleProperties(text);
      break;
  }
  return { kind: 'credfile', format, entries };
}

/**
 * Credential files read where they are committed: the tool files above, plus a project's Composer `auth.json` and
 * `gradle.properties`. Those two names are too common to count as credential files wherever a build copies them.
 */
export function committedCredFileKind(path: string): CredFileKind | undefined {
  const kind = credFileKind(path);
  if (kind) return kind;
  const name = basename(path);
  if (name === 'auth.json') return 'composer-auth';
  if (name === 'gradle.properties') return 'gradle-properties';
  return undefined;
}

const COMPOSER_SECTIONS = /^(github-oauth|gitlab-oauth|gitlab-token|bearer|http-basic|bitbucket-oauth|forgejo-token)$/;

/** Composer `auth.json`: `"github-oauth": {"github.com": "<token>"}`, `"http-basic": {"host": {"username", "password"}}`. */
function composerAuth(text: string): CredEntry[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return [];
  }
  if (!root || typeof root !== 'object' || !Object.keys(root).some((k) => COMPOSER_SECTIONS.test(k))) return [];
  const entries: CredEntry[] = [];
  let section: string | undefined;
  let depth = 0;
  text.split('\n').forEach((raw, i) => {
    const open = /^\s*"([^"]+)"\s*:\s*\{/.exec(raw);
    if (depth === 1 && open) section = COMPOSER_SECTIONS.test(open[1]!) ? open[1] : undefined;
    // The depth of this line's pairs: inside the object it opens, if it opens one.
    const inner = open ? depth + 1 : depth;
    const pair = /"([^"]+)"\s*:\s*"([^"]*)"/.exec(raw);
    if (section && pair) {
      const key = pair[1]!;
      const column = raw.indexOf(pair[0]) + 1;
      // A host's token (github-oauth, gitlab-token, bearer) or the secret half of a login.
      if (inner === 2 && section !== 'http-basic' && section !== 'bitbucket-oauth') push(entries, section, pair[2]!, i + 1, column);
      else if (/^(password|token|consumer-secret)$/.test(key)) push(entries, key, pair[2]!, i + 1, column);
      else if (key === 'username' || key === 'consumer-key') push(entries, 'username', pair[2]!, i + 1, column);
    }
    for (const c of raw.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
      if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    if (depth <= 1) section = undefined;
  });
  return entries;
}

/** `gradle.properties`: `gpr.key=…`, `artifactoryPassword=…`, `systemProp.https.proxyPassword=…`. */
function gradleProperties(text: string): CredEntry[] {
  const entries: CredEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*[#!]/.test(line)) return;
    const m = /^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!m || !/(password|passwd|token|secret|api[-_]?key|\.key)$/i.test(m[1]!)) return;
    push(entries, m[1]!, m[2]!, i + 1, line.indexOf(m[1]!) + 1);
  });
  return entries;
}

export const credFileAnalyzer: Analyzer<CredFileModel> = {
  id: 'credfile',
  claims: (file) => committedCredFileKind(file.path) !== undefined,
  parse: (text, file) => parseCredFile(text, committedCredFileKind(file.path)!),
};
