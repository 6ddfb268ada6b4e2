/**
 * Build invocations: one image build started from a script, a Makefile recipe, a CI step, a Tiltfile, a compose
 * file or a devcontainer, with what it passes (build args, BuildKit secrets) and which Dockerfile it builds.
 */
import { parseShell, type ShellCommand, type ShellScript, type ShellWord } from '../../shell/index.js';
import { dirname, joinPosix } from '../../util/path.js';

export type BuildTool =
  | 'docker'
  | 'buildx'
  | 'podman'
  | 'buildah'
  | 'nerdctl'
  | 'buildctl'
  | 'kaniko'
  | 'depot'
  | 'build-push-action'
  | 'skaffold'
  | 'bake'
  | 'tilt-docker-build'
  | 'compose'
  | 'devcontainer';

export interface BuildArgPass {
  name: string;
  /** Value as written after quote removal; undefined when the name alone forwards the caller's environment. */
  value?: string;
  /** The value is taken from the environment of the build (`--build-arg NAME`, `${NAME}`, `os.getenv('NAME')`). */
  fromEnv: boolean;
  /** No expansion or reference: a literal. */
  literal: boolean;
  /** Variables and CI expressions the value reads: `NPM_TOKEN`, `secrets.NPM_TOKEN`. */
  refs: string[];
  line: number;
  /**
   * One CI expression holds the whole NAME=value list (`build-args: ${{ secrets.BUILD_ARGS }}`): the argument names
   * are not known; `name` is the expression as written.
   */
  list?: boolean;
}

export interface SecretPass {
  id: string;
  env?: string;
  src?: string;
  line: number;
  /** Environment variables the secret is read from. */
  refs: string[];
}

/** Auth written into a package-manager credential file by a script or CI step: `echo "//…:_authToken=$NPM_TOKEN" > .npmrc`. */
export interface CredentialWrite {
  /** Repository paths the file may be at (one per candidate working folder, most likely first). */
  paths: string[];
  line: number;
  /** Variables the written text expands (quoting respected: `'${NPM_TOKEN}'` writes the interpolation, not the token). */
  refs: string[];
  /** The command as written. */
  text: string;
}

export interface EnvRead {
  name: string;
  line: number;
  /** secret-file: a variable inside a secret's src= path (a folder like HOME, rarely a token). */
  via: 'secret-env' | 'secret-file' | 'build-arg' | 'getenv' | 'ci-secret';
  /** Read by the build configuration this command runs, not the command itself: `docker-bake.hcl:7`. */
  from?: string;
}

export interface BuildInvocation {
  tool: BuildTool;
  /** How a CI file wrote the build when it is not a shell line: an Azure `Docker@2` task, a Jenkins `docker.build(…)` or `agent { dockerfile { … } }`, a Cloud Build step's `args`, a Drone/Woodpecker docker plugin step. */
  form?: 'azure-docker-task' | 'jenkins-docker-build' | 'jenkins-agent-dockerfile' | 'cloudbuild-step' | 'drone-docker-plugin' | 'buildkite-plugin';
  /** Set when the invocation is the command string of a Tilt custom_build or a workflow run: step. */
  host?: 'tilt-custom-build' | 'workflow-run' | 'makefile' | 'ci-script';
  line: number;
  endLine: number;
  /** Build context as written (after variable resolution where static). */
  context?: string;
  /** Dockerfile as written, undefined for the default `<context>/Dockerfile`. */
  dockerfile?: string;
  /** Folders (repo-relative) against which context and dockerfile resolve, most likely first. */
  baseDirs: string[];
  /** How `dockerfile` is resolved: against the working folder (docker CLI, CI), the context (compose, skaffold) or either (kaniko). */
  dockerfileRelativeTo: 'cwd' | 'context' | 'either';
  target?: string;
  /** The Dockerfile is chosen elsewhere (a bake-action step overriding targets of a bake file): link none. */
  dockerfileUnknown?: boolean;
  /** A `docker compose build` command line: the compose files it names (`-f`, none: the default names in its folder) and the services (none: all). */
  compose?: { files: string[]; services: string[]; projectDir?: string };
  /**
   * A command line that runs a declarative build configuration (`docker buildx bake`, `skaffold build|run|dev|debug`,
   * the bake-action): the config files it names (-f / files:; none: the tool's default names in its folder).
   */
  runsConfig?: { files: string[]; dir?: string; targets?: string[] };
  /** Set on the per-service view of a `docker compose build` command line: the service's build section it runs. */
  composeService?: { file: string; line: number; service: string };
  /** Image reference when the invocation names one statically (Tilt image ref, `-t`). */
  image?: string;
  buildArgs: BuildArgPass[];
  secrets: SecretPass[];
  envReads: EnvRead[];
  /** Variables the command line itself puts in the build's environment: `NPM_TOKEN=… docker build`, `env NPM_TOKEN=… docker build`. */
  commandEnv?: string[];
  /** Credentials the same script (or an earlier step of the same CI job) wrote into files of the checkout before this build. */
  credentialWrites?: CredentialWrite[];
  /** Names of environment variables the surrounding script/Tiltfile checks before building. */
  text: string;
}

const VALUE_OPTIONS = new Set([
  'add-host', 'allow', 'annotation', 'attest', 'build-arg', 'build-context', 'builder', 'cache-from', 'cache-to', 'call',
  'cgroup-parent', 'cpu-period', 'cpu-quota', 'cpu-shares', 'c', 'cpuset-cpus', 'cpuset-mems', 'f', 'file', 'iidfile',
  'isolation', 'label', 'memory', 'm', 'memory-swap', 'metadata-file', 'network', 'no-cache-filter', 'o', 'output',
  'platform', 'progress', 'secret', 'security-opt', 'shm-size', 'ssh', 't', 'tag', 'target', 'ulimit', 'env', 'format',
  'authfile', 'creds', 'layers', 'runtime', 'volume', 'v', 'userns', 'from', 'jobs', 'manifest', 'os', 'arch', 'variant',
  'timestamp', 'identity-label', 'sign-by', 'http-proxy', 'decryption-key', 'cert-dir', 'build-context', 'namespace',
]);

const DOCKER_GLOBAL_VALUE = new Set(['--context', '-c', '-H', '--host', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']);
const BUILDCTL_GLOBAL_VALUE = new Set(['--addr', '--tlscacert', '--tlscert', '--tlskey', '--tlsservername', '--tlsdir', '--wait', '--timeout', '--log-format']);
const WRAPPERS = new Set(['sudo', 'exec', 'time', 'command', 'nice', 'nohup', 'xargs', 'timeout']);

/** Split `id=a,env=B` into lower-case keys. */
export function keyValues(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (part.trim()) out[part.trim()] = '';
      continue;
    }
    out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function refsOf(text: string): string[] {
  const refs: string[] = [];
  for (const m of text.matchAll(/\$\{\{\s*([A-Za-z_][\w.-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
    const name = (m[1] ?? m[2] ?? m[3] ?? m[4])!;
    if (!refs.includes(name)) refs.push(name);
  }
  return refs;
}

function isLiteral(value: string): boolean {
  // `$1`, `$@`, `${2}`: a function's or script's argument, not a literal.
  return value.length > 0 && refsOf(value).length === 0 && !/\$\(|`|\{\{|\$\{?[0-9@*#?]/.test(value);
}

export function buildArgFrom(spec: string, line: number, params: string[] = []): BuildArgPass {
  const eq = spec.indexOf('=');
  if (eq < 0) return { name: spec, fromEnv: true, literal: false, refs: [spec], line };
  const value = spec.slice(eq + 1);
  const refs = [...new Set([...params.filter((p) => value.includes(p)), ...refsOf(value)])];
  return { name: spec.slice(0, eq), value, fromEnv: refs.length > 0 && !refs.some((r) => r.includes('.')), literal: isLiteral(value), refs, line };
}

export function secretFrom(spec: string, line: number): SecretPass | undefined {
  const kv = keyValues(spec);
  const id = kv.id ?? (Object.keys(kv).length === 1 && kv[Object.keys(kv)[0]!] === '' ? Object.keys(kv)[0] : undefined);
  if (!id) return undefined;
  const secret: SecretPass = { id, line, refs: [] };
  if (kv.env) {
    secret.env = kv.env;
    secret.refs.push(kv.env);
  }
  const src = kv.src ?? kv.source;
  if (src) secret.src = src;
  // `--secret id=NAME` alone: BuildKit reads env NAME when no file of that name exists.
  if (!kv.env && !src && kv.type !== 'file') secret.refs.push(id);
  return secret;
}

/** Where a script runs: the folder it lives in, the repository root and the folders in between. */
export function defaultBaseDirs(filePath: string): string[] {
  const dirs: string[] = [];
  let dir = dirname(filePath);
  dirs.push(dir);
  while (dir !== '.' && dir !== '') {
    dir = dirname(dir);
    dirs.push(dir);
  }
  const root = dirs.pop()!;
  return [root, ...dirs.filter((d) => d !== root)];
}

interface Words {
  words: ShellWord[];
}

/** Expand unquoted `$VAR` / `"${ARR[@]}"` words whose value the script assigned statically (build-arg lists). */
function expandWords(command: ShellCommand, assigned: WordLists): ShellWord[] {
  const out: ShellWord[] = [];
  for (const w of command.words) {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?\}?$/.exec(w.value);
    const replacement = m && w.params.length === 1 ? assigned.get(m[1]!) : undefined;
    if (replacement && (m![2] || w.raw === w.value)) out.push(...replacement.map((r) => ({ ...r, line: w.line })));
    else out.push(w);
  }
  return out;
}

/** Word lists of static-ish assignments (`ARGS="--build-arg A=$A"`, `ARGS=(--secret id=x,env=X)`), for expansion. */
/** Words of a value as the shell splits it (`--build-arg A=$A --secret id=x`), on `line`; undefined when it holds no option. */
export function valueWords(value: string, line: number): ShellWord[] | undefined {
  if (!/--|=/.test(value)) return undefined;
  const parsed = parseShell(`x ${value}`);
  if (parsed.error || !parsed.commands[0]) return undefined;
  return parsed.commands[0].words.slice(1).map((w) => ({ ...w, line }));
}

/** Word lists by variable name (build-arg lists a script or a CI file assigns). */
export interface WordLists {
  get(name: string): ShellWord[] | undefined;
}

export function assignedWordLists(script: ShellScript): Map<string, ShellWord[]> {
  const map = new Map<string, ShellWord[]>();
  for (const command of script.commands) {
    for (const a of command.assignments) {
      if (!a.value) continue;
      const raw = a.value.raw;
      const inner = raw.startsWith('(') && raw.endsWith(')') ? raw.slice(1, -1) : a.value.value;
      if (!/--|=/.test(inner)) continue;
      const parsed = parseShell(`x ${inner}`);
      if (parsed.error || !parsed.commands[0]) continue;
      const words = parsed.commands[0].words.slice(1).map((w) => ({ ...w, line: a.line }));
      // Lists are this map's own: an append extends its list in place (a copy per `+=` was quadratic in the appends).
      const list = a.append ? map.get(a.name) : undefined;
      if (list) for (const w of words) list.push(w);
      else map.set(a.name, words);
    }
  }
  return map;
}

function wordsAfterWrappers(words: ShellWord[]): ShellWord[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!.value;
    if (WRAPPERS.has(w)) {
      i++;
      while (i < words.length && words[i]!.value.startsWith('-')) i++;
      continue;
    }
    if (w === 'env') {
      i++;
      while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.value) || words[i]!.value.startsWith('-'))) i++;
      continue;
    }
    break;
  }
  return words.slice(i);
}

/** A `docker build` / `docker buildx build` / `podman build` / `buildah bud` / `buildctl build` command, or undefined. */
/**
 * The program a command word runs: `docker`, `/usr/bin/podman`, `${CONTAINER_ENGINE:-docker}` (its default), `$ENGINE`
 * assigned in the script, or an unresolved engine variable (`$DOCKER`, `$CONTAINER_CLI`, `$OCI_BIN`) read as docker.
 */
function programName(word: ShellWord, scalars?: Map<string, string>): string | undefined {
  let v = word.value;
  for (let depth = 0; depth < 4; depth++) {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}?$/.exec(v);
    if (!m) break;
    const assigned = scalars?.get(m[1]!);
    if (assigned !== undefined && assigned !== v) v = assigned;
    else if (m[2]) v = m[2];
    else return /docker|podman|engine|container|oci|runtime|builder|_cli$|^cli$/i.test(m[1]!) ? 'docker' : undefined;
  }
  return v.split('/').pop();
}

const COMPOSE_GLOBAL_VALUE = new Set(['-f', '--file', '-p', '--project-name', '--env-file', '--profile', '--project-directory', '--ansi', '--progress', '--parallel']);

/** `docker compose build` options that take a value (the rest are switches or service names). */
const COMPOSE_BUILD_VALUE = new Set(['--build-arg', '--builder', '-m', '--memory', '--ssh', '--progress']);

/** `docker compose up|run|create` options that take a value. */
const COMPOSE_RUN_VALUE = new Set(['-e', '--env', '--env-from-file', '-l', '--label', '-p', '--publish', '-v', '--volume', '-w', '--workdir', '-u', '--user', '--name', '--entrypoint', '--scale', '-t', '--timeout', '--wait-timeout', '--exit-code-from', '--attach', '--no-attach', '--pull', '--cap-add', '--cap-drop']);

/**
 * `docker compose build --build-arg X=… [services]` / `docker-compose -f ci.yml build`: the services' Dockerfiles are
 * in the compose file(s), linked later (`compose`: the -f files and the services named, none meaning every service with
 * a build section).
 */
function composeCliInvocation(command: ShellCommand, args: ShellWord[], filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation | undefined {
  let i = 0;
  const files: string[] = [];
  let projectDir: string | undefined;
  while (i < args.length && args[i]!.value.startsWith('-')) {
    const w = args[i]!.value;
    const eq = w.indexOf('=');
    const flag = eq > 0 ? w.slice(0, eq) : w;
    const value = eq > 0 ? w.slice(eq + 1) : COMPOSE_GLOBAL_VALUE.has(w) ? args[i + 1]?.value : undefined;
    if ((flag === '-f' || flag === '--file') && value !== undefined) files.push(workspaceRelative(value));
    if (flag === '--project-directory' && value !== undefined) projectDir = workspaceRelative(value);
    i += eq < 0 && COMPOSE_GLOBAL_VALUE.has(w) ? 2 : 1;
  }
  // `build`, or `up`/`run`/`create` with `--build` (they build the services' images first).
  const sub = args[i]?.value;
  const rest = args.slice(i + 1);
  if (sub !== 'build' && !((sub === 'up' || sub === 'run' || sub === 'create') && rest.some((w) => w.value === '--build'))) return undefined;
  const takesValue = sub === 'build' ? COMPOSE_BUILD_VALUE : COMPOSE_RUN_VALUE;
  const services: string[] = [];
  for (let k = 0; k < rest.length; k++) {
    const w = rest[k]!.value;
    if (w.startsWith('-')) {
      if (takesValue.has(w)) k++;
      continue;
    }
    if (/^[A-Za-z0-9][\w.-]*$/.test(w)) services.push(w);
    // `run SERVICE COMMAND…`: one service, the rest is its command.
    if (sub === 'run') break;
  }
  const inv = cliInvocation(command, rest, 'compose', filePath, options);
  inv.dockerfileUnknown = true;
  delete inv.context;
  inv.compose = { files, services, ...(projectDir !== undefined ? { projectDir } : {}) };
  return inv;
}

export function invocationFromCommand(command: ShellCommand, filePath: string, options: { assigned?: WordLists; scalars?: Map<string, string>; baseDirs?: string[]; host?: BuildInvocation['host'] } = {}): BuildInvocation | undefined {
  const all = wordsAfterWrappers(options.assigned ? expandWords(command, options.assigned) : command.words);
  const program = all[0] ? programName(all[0], options.scalars) : undefined;
  if (!program) return undefined;
  if (program === 'docker-compose') return composeCliInvocation(command, all.slice(1), filePath, options);
  if (program === 'depot' && all[1]?.value === 'build') return cliInvocation(command, all.slice(2), 'depot', filePath, options);
  let i = 1;
  let tool: BuildTool;
  if (program === 'docker' || program === 'podman' || program === 'nerdctl') {
    while (i < all.length && all[i]!.value.startsWith('-')) i += DOCKER_GLOBAL_VALUE.has(all[i]!.value) ? 2 : 1;
    const sub = all[i]?.value;
    if (sub === 'compose') return composeCliInvocation(command, all.slice(i + 1), filePath, options);
    if (program === 'docker' && (sub === 'bake' || (sub === 'buildx' && all[i + 1]?.value === 'bake'))) return bakeCliInvocation(command, all.slice(sub === 'bake' ? i + 1 : i + 2), filePath, options);
    if (sub === 'build') tool = program === 'docker' ? 'docker' : program;
    else if ((sub === 'buildx' || sub === 'image' || sub === 'builder') && ['build', 'b'].includes(all[i + 1]?.value ?? '')) {
      tool = sub === 'buildx' ? 'buildx' : program === 'docker' ? 'docker' : program;
      i++;
    } else return undefined;
    i++;
    return cliInvocation(command, all.slice(i), tool, filePath, options);
  }
  if (program === 'docker-buildx' && all[1]?.value === 'build') return cliInvocation(command, all.slice(2), 'buildx', filePath, options);
  if (program === 'docker-buildx' && all[1]?.value === 'bake') return bakeCliInvocation(command, all.slice(2), filePath, options);
  if (program === 'skaffold' && ['build', 'run', 'dev', 'debug'].includes(all[1]?.value ?? '')) return skaffoldCliInvocation(command, all.slice(2), filePath, options);
  if (program === 'buildah' && ['bud', 'build', 'build-using-dockerfile'].includes(all[1]?.value ?? '')) return cliInvocation(command, all.slice(2), 'buildah', filePath, options);
  if (program === 'executor' && /kaniko/.test(all[0]!.value) || program === 'kaniko' || program === 'kaniko-executor') return kanikoInvocation(command, all.slice(1), filePath, options);
  if (program === 'buildctl' || program === 'buildctl-daemonless.sh') {
    while (i < all.length && all[i]!.value.startsWith('-')) i += BUILDCTL_GLOBAL_VALUE.has(all[i]!.value.split('=')[0]!) && !all[i]!.value.includes('=') ? 2 : 1;
    if (all[i]?.value !== 'build') return undefined;
    return buildctlInvocation(command, all.slice(i + 1), filePath, options);
  }
  return undefined;
}

/** Options of `docker buildx bake` that take a value. */
const BAKE_VALUE = new Set(['-f', '--file', '--set', '--builder', '--progress', '--metadata-file', '--provenance', '--sbom', '--call', '--allow', '--list']);

/** `docker buildx bake -f ci.hcl --set app.args.NPM_TOKEN=$NPM_TOKEN app`: runs the bake file's targets, with overrides. */
function bakeCliInvocation(command: ShellCommand, args: ShellWord[], filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation {
  const inv = baseInvocation(command, 'bake', filePath, options);
  inv.dockerfileUnknown = true;
  const files: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (!w.value.startsWith('-')) {
      if (/^[\w.-]+$/.test(w.value)) targets.push(w.value);
      continue;
    }
    const eq = w.value.indexOf('=');
    const flag = w.value.startsWith('--') && eq > 0 ? w.value.slice(0, eq) : w.value;
    let value: string | undefined = flag !== w.value ? w.value.slice(eq + 1) : undefined;
    let valueWord: ShellWord | undefined = value !== undefined ? w : undefined;
    if (value === undefined && BAKE_VALUE.has(flag)) {
      valueWord = args[++i];
      value = valueWord?.value;
    }
    if (value === undefined || !valueWord) continue;
    if (flag === '-f' || flag === '--file') files.push(workspaceRelative(value));
    else if (flag === '--set') {
      const m = /^([^.=\s]+)\.(args\.([A-Za-z_]\w*)|secrets?)=(.*)$/s.exec(value);
      if (!m) continue;
      if (m[3]) {
        const arg = buildArgFrom(`${m[3]}=${m[4]}`, valueWord.line, valueWord.params);
        inv.buildArgs.push(arg);
        for (const ref of arg.refs) if (!ref.includes('.')) inv.envReads.push({ name: ref, line: valueWord.line, via: 'build-arg' });
      } else {
        const secret = secretFrom(m[4]!, valueWord.line);
        if (secret) {
          inv.secrets.push(secret);
          for (const ref of secret.refs) inv.envReads.push({ name: ref, line: valueWord.line, via: 'secret-env' });
        }
      }
    }
  }
  inv.runsConfig = { files, ...(targets.length ? { targets } : {}) };
  return inv;
}

/** `skaffold build -f deploy/skaffold.yaml -p ci`: builds the artifacts of the skaffold config. */
function skaffoldCliInvocation(command: ShellCommand, args: ShellWord[], filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation {
  const inv = baseInvocation(command, 'skaffold', filePath, options);
  inv.dockerfileUnknown = true;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    const m = /^(-f|--filename)(?:=(.*))?$/s.exec(w);
    if (!m) continue;
    const value = m[2] ?? args[++i]?.value;
    if (value !== undefined) files.push(workspaceRelative(value));
  }
  inv.runsConfig = { files };
  return inv;
}

function baseInvocation(command: ShellCommand, tool: BuildTool, filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation {
  const inv: BuildInvocation = {
    tool,
    line: command.line,
    endLine: command.endLine,
    baseDirs: options.baseDirs ?? defaultBaseDirs(filePath),
    dockerfileRelativeTo: 'cwd',
    buildArgs: [],
    secrets: [],
    envReads: [],
    text: command.text,
  };
  if (options.host) inv.host = options.host;
  return inv;
}

function cliInvocation(command: ShellCommand, args: ShellWord[], tool: BuildTool, filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation {
  const inv = baseInvocation(command, tool, filePath, options);
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const text = w.value;
    if (text === '--') {
      positional.push(...args.slice(i + 1).map((a) => a.value));
      break;
    }
    if (!text.startsWith('-') || text === '-') {
      positional.push(text);
      continue;
    }
    const eq = text.indexOf('=');
    const long = text.startsWith('--');
    let name = long ? (eq > 0 ? text.slice(2, eq) : text.slice(2)) : text.slice(1, 2);
    let value: string | undefined;
    let valueWord: ShellWord | undefined;
    if (long && eq > 0) {
      value = text.slice(eq + 1);
      valueWord = w;
    } else if (!long && text.length > 2) {
      // -fDockerfile / -tname
      value = text.slice(2).replace(/^=/, '');
      valueWord = w;
    } else if (VALUE_OPTIONS.has(name)) {
      valueWord = args[i + 1];
      value = valueWord?.value;
      i++;
    }
    name = name.toLowerCase();
    if (value === undefined || !valueWord) continue;
    switch (name) {
      case 'f':
      case 'file':
        inv.dockerfile = workspaceRelative(value);
        break;
      case 'target':
        inv.target = value;
        break;
      case 't':
      case 'tag':
        if (valueWord.static && inv.image === undefined) inv.image = value;
        break;
      case 'build-arg': {
        const arg = buildArgFrom(value, valueWord.line, valueWord.params);
        inv.buildArgs.push(arg);
        for (const ref of arg.refs) if (!ref.includes('.')) inv.envReads.push({ name: ref, line: valueWord.line, via: 'build-arg' });
        break;
      }
      case 'secret': {
        const secret = secretFrom(value, valueWord.line);
        if (secret) {
          inv.secrets.push(secret);
          for (const ref of secret.refs) inv.envReads.push({ name: ref, line: valueWord.line, via: 'secret-env' });
          for (const ref of refsOf(secret.src ?? '')) inv.envReads.push({ name: ref, line: valueWord.line, via: 'secret-file' });
        }
        break;
      }
      default:
        break;
    }
  }
  if (positional.length) inv.context = workspaceRelative(positional[positional.length - 1]!);
  return inv;
}

function buildctlInvocation(command: ShellCommand, args: ShellWord[], filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation {
  const inv = baseInvocation(command, 'buildctl', filePath, options);
  let dockerfileDir: string | undefined;
  let filename: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    let [flag, value] = w.value.includes('=') && w.value.startsWith('--') ? [w.value.slice(0, w.value.indexOf('=')), w.value.slice(w.value.indexOf('=') + 1)] : [w.value, undefined];
    let valueWord: ShellWord | undefined = value !== undefined ? w : undefined;
    if (value === undefined && ['--local', '--opt', '--secret', '--frontend', '--output', '-o', '--export-cache', '--import-cache', '--ssh', '--progress', '--metadata-file'].includes(flag!)) {
      valueWord = args[i + 1];
      value = valueWord?.value;
      i++;
    }
    if (value === undefined || !valueWord) continue;
    if (flag === '--local') {
      const [k, v] = [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)];
      if (k === 'context') inv.context = v;
      if (k === 'dockerfile') dockerfileDir = v;
    } else if (flag === '--opt') {
      const k = value.slice(0, value.indexOf('='));
      const v = value.slice(value.indexOf('=') + 1);
      if (k === 'filename') filename = v;
      else if (k === 'target') inv.target = v;
      else if (k.startsWith('build-arg:')) {
        const arg = buildArgFrom(`${k.slice('build-arg:'.length)}=${v}`, valueWord.line, valueWord.params);
        inv.buildArgs.push(arg);
        for (const ref of arg.refs) inv.envReads.push({ name: ref, line: valueWord.line, via: 'build-arg' });
      }
    } else if (flag === '--secret') {
      const secret = secretFrom(value, valueWord.line);
      if (secret) {
        inv.secrets.push(secret);
        for (const ref of secret.refs) inv.envReads.push({ name: ref, line: valueWord.line, via: 'secret-env' });
      }
    }
  }
  if (dockerfileDir !== undefined || filename !== undefined) inv.dockerfile = joinPosix(dockerfileDir ?? inv.context ?? '.', filename ?? 'Dockerfile');
  return inv;
}

/** CI workspace variables that name the repository checkout: `$CI_PROJECT_DIR/app` is `app`. */
const WORKSPACE = /^(?:\$\{?(?:CI_PROJECT_DIR|BITBUCKET_CLONE_DIR|GITHUB_WORKSPACE|WORKSPACE|CIRCLE_WORKING_DIRECTORY|DRONE_WORKSPACE|CI_WORKSPACE|BUILDKITE_BUILD_CHECKOUT_PATH|PWD|BUILD_SOURCESDIRECTORY|Build_SourcesDirectory|SYSTEM_DEFAULTWORKINGDIRECTORY|System_DefaultWorkingDirectory)\}?|\/workspace)(?=\/|$)\/?/;

/** A path as the build sees it, relative to the repository when it starts at the CI workspace (`dir://` kaniko prefix dropped). */
export function workspaceRelative(p: string): string {
  const v = p.replace(/^dir:\/\//, '');
  if (WORKSPACE.test(v)) return v.replace(WORKSPACE, '') || '.';
  return v;
}

/** `/kaniko/executor --context dir://app --dockerfile Dockerfile --build-arg A=$A --destination …` (no BuildKit secrets). */
function kanikoInvocation(command: ShellCommand, args: ShellWord[], filePath: string, options: { baseDirs?: string[]; host?: BuildInvocation['host'] }): BuildInvocation {
  const inv = baseInvocation(command, 'kaniko', filePath, options);
  inv.dockerfileRelativeTo = 'either';
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const m = /^(--?[A-Za-z-]+)(?:=(.*))?$/s.exec(w.value);
    if (!m) continue;
    const flag = m[1]!;
    let value = m[2];
    let valueWord: ShellWord | undefined = value !== undefined ? w : undefined;
    if (value === undefined && ['--context', '-c', '--dockerfile', '-f', '--build-arg', '--target', '--destination', '-d', '--context-sub-path'].includes(flag)) {
      valueWord = args[i + 1];
      value = valueWord?.value;
      i++;
    }
    if (value === undefined || !valueWord) continue;
    if (flag === '--context' || flag === '-c') inv.context = workspaceRelative(value);
    else if (flag === '--dockerfile' || flag === '-f') inv.dockerfile = workspaceRelative(value);
    else if (flag === '--target') inv.target = value;
    else if ((flag === '--destination' || flag === '-d') && inv.image === undefined && valueWord.static) inv.image = value;
    else if (flag === '--build-arg') {
      const arg = buildArgFrom(value, valueWord.line, valueWord.params);
      inv.buildArgs.push(arg);
      for (const ref of arg.refs) if (!ref.includes('.')) inv.envReads.push({ name: ref, line: valueWord.line, via: 'build-arg' });
    }
  }
  return inv;
}

/** Every build invocation in a parsed script, with `cd` into a static folder followed. */
export function scriptInvocations(script: ShellScript, filePath: string, host?: BuildInvocation['host'], baseDirs?: string[], outer?: WordLists): BuildInvocation[] {
  return scanScript(script, filePath, host, baseDirs, outer).invocations;
}

const CREDENTIAL_FILE = /(^|\/)(\.npmrc|\.yarnrc(\.yml)?|[._]netrc|pip\.conf|pip\.ini|\.pypirc)$/;
const AUTH_TEXT = /_authToken|_auth\b|_password|npmAuthToken|npmAuthIdent|\bpassword\b|:\/\/[^\s/@]+@/i;

/** A credential file in the checkout written with auth by a redirect (`echo … > .npmrc`, `cat <<EOF >> .npmrc`) or `… | tee .npmrc`. */
function credentialWrite(command: ShellCommand, previous: ShellCommand | undefined, cwd: string[]): CredentialWrite | undefined {
  const inCheckout = (w: ShellWord) => {
    const p = workspaceRelative(w.value);
    return CREDENTIAL_FILE.test(p) && !/^(\/|~|\$)/.test(p) ? p : undefined;
  };
  let file: string | undefined;
  let words: ShellWord[] = [];
  let text = '';
  for (const r of command.redirects) {
    if (!/^(>|>>|>\||&>|&>>)$/.test(r.op) || (r.fd && r.fd !== '1')) continue;
    file = inCheckout(r.target);
    if (!file) continue;
    const heredoc = command.redirects.find((h) => h.heredoc)?.heredoc;
    words = command.words.slice(1);
    text = `${words.map((w) => w.value).join(' ')}\n${heredoc?.body ?? ''}`;
    if (heredoc?.expands) words = [...words, { value: heredoc.body, static: false, raw: heredoc.body, line: heredoc.line, column: 1, params: heredoc.params, commandSubstitution: false }];
    break;
  }
  if (!file && command.name === 'tee' && previous && command.pipelineIndex > 0) {
    file = command.words.slice(1).filter((w) => !w.value.startsWith('-')).map(inCheckout).find(Boolean);
    words = previous.words;
    text = previous.words.map((w) => w.value).join(' ');
  }
  if (!file || !AUTH_TEXT.test(text)) return undefined;
  const paths = [...new Set(cwd.map((base) => joinPosix(base, file!).replace(/^\.\//, '')))];
  return { paths, line: command.line, refs: [...new Set(words.flatMap((w) => w.params))], text: previous && command.name === 'tee' ? `${previous.text} | ${command.text}` : command.text };
}

/** The build invocations of a parsed script and the credential files it writes a token into, with `cd` into a static folder followed. */
export function scanScript(script: ShellScript, filePath: string, host?: BuildInvocation['host'], baseDirs?: string[], outer?: WordLists): { invocations: BuildInvocation[]; writes: CredentialWrite[] } {
  // `outer`: word lists a CI file defines around the script (GitLab `variables: BUILD_ARGS: --build-arg …`); the
  // script's own assignments win. Looked up in turn, not copied into one map per script.
  const own = assignedWordLists(script);
  const assigned: WordLists = outer ? { get: (name) => own.get(name) ?? outer.get(name) } : own;
  // Scalar assignments, for the program word (`ENGINE="${CONTAINER_ENGINE:-docker}"` … `"$ENGINE" build`).
  const scalars = new Map<string, string>();
  for (const c of script.commands) for (const a of c.assignments) if (a.value && !a.value.commandSubstitution) scalars.set(a.name, a.value.value);
  const out: BuildInvocation[] = [];
  const writes: CredentialWrite[] = [];
  const bases = baseDirs ?? defaultBaseDirs(filePath);
  let cwd: string[] = bases;
  let previous: ShellCommand | undefined;
  for (const command of script.commands) {
    if (command.name === 'cd' && !command.substitution && !command.function) {
      const target = command.words[1];
      const resolved = target ? resolveCd(target, filePath) : undefined;
      if (resolved) cwd = [resolved, ...bases.filter((b) => b !== resolved)];
      continue;
    }
    const write = command.substitution ? undefined : credentialWrite(command, previous, cwd);
    if (write) writes.push(write);
    previous = command;
    const inv = invocationFromCommand(command, filePath, { assigned, scalars, baseDirs: cwd, host });
    if (inv) {
      const env = commandEnvironment(command);
      if (env.length) inv.commandEnv = env;
      if (writes.length) inv.credentialWrites = [...writes];
      out.push(inv);
    }
  }
  return { invocations: out, writes };
}

/** The invocation with the credential writes of earlier scripts (steps of the same job, recipes before it) in front of its own. */
export function afterWrites<T extends BuildInvocation>(inv: T, earlier: readonly CredentialWrite[]): T {
  return earlier.length ? { ...inv, credentialWrites: [...earlier, ...(inv.credentialWrites ?? [])] } : inv;
}

/** `A=1 docker build`, `env A=1 sudo docker build`: the names a command line sets (with a value) for the program it runs. */
function commandEnvironment(command: ShellCommand): string[] {
  const names = new Set<string>();
  if (command.kind === 'call' && command.name !== undefined) for (const a of command.assignments) if (a.value && a.value.value !== '') names.add(a.name);
  // Worked out once per command, not per word (a generated build of a few hundred --build-arg words went over every
  // word for each).
  let envLine = Number.POSITIVE_INFINITY;
  for (const x of command.words) if (x.value === 'env' && x.line < envLine) envLine = x.line;
  const program = command.words.findIndex((x) => /(^|\/)(docker|podman|nerdctl|buildah|buildctl|depot|skaffold|docker-compose)$/.test(x.value));
  command.words.forEach((w, index) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=./.exec(w.value);
    if (m && envLine <= w.line && index < program) names.add(m[1]!);
  });
  return [...names].sort();
}

function resolveCd(word: ShellWord, filePath: string): string | undefined {
  const scriptDir = dirname(filePath);
  const v = word.value;
  if (/git rev-parse --show-toplevel/.test(v)) return '.';
  const m = /^\$\(\s*dirname\s+"?\$(?:0|\{0\}|\{BASH_SOURCE(?:\[0\])?\}|BASH_SOURCE)"?\s*\)(\/.*)?$/.exec(v);
  if (m) return joinPosix(scriptDir, m[1] ?? '.');
  if (word.static && !v.startsWith('/') && !v.startsWith('~') && v !== '-') return joinPosix(scriptDir === '.' ? '.' : '.', v);
  return undefined;
}
