/**
 * BuildKit connections: where a client (`buildctl --addr`, `BUILDKIT_HOST`, `docker buildx create --driver remote`)
 * or a daemon (`buildkitd --addr`, `buildkitd.toml` `[grpc] address`) talks TCP, and whether TLS is configured
 * beside it. Read from command text in any host language (shell, Makefile recipes, CI scripts, Jenkinsfile and
 * Tiltfile strings, Python argument lists) by a quote-aware tokenizer, and from `buildkitd.toml`.
 */
import { basename } from '../../util/path.js';
import type { Analyzer } from '../types.js';

export type BuildkitRole = 'client' | 'daemon' | 'buildx-remote';

export interface BuildkitEndpoint {
  role: BuildkitRole;
  /** How it was written: a command line, an environment variable, a buildx driver, a daemon config file. */
  form: 'buildctl' | 'env' | 'buildx-create' | 'buildkitd' | 'buildkitd-toml' | 'buildx-action';
  /** The address as resolved (`tcp://buildkitd:1234`). */
  addr: string;
  line: number;
  /** TLS options given with it: `tlscacert`, `tlscert`, `tlskey`, `tlsdir` (flags, driver-opts or `[grpc.tls]` keys). */
  tls: string[];
  /** The command or file sets options this reader cannot see (`--config`, `$BUILDCTL_FLAGS`): TLS may be among them. */
  opaque?: boolean;
  /** What is opaque is only a `--config` file. */
  configOnly?: boolean;
}

interface Token {
  value: string;
  line: number;
}

/** Quote-aware split of TEXT into commands (ended by newline, `;`, `&&`, `||`, `|`), backslash-newline joined. */
export function commandsOf(text: string, firstLine = 1): Token[][] {
  const commands: Token[][] = [];
  let current: Token[] = [];
  let word = '';
  let wordLine = firstLine;
  let line = firstLine;
  let quote: string | undefined;
  let has = false;
  let closed = false;
  const endWord = () => {
    if (has) current.push({ value: word, line: wordLine });
    word = '';
    has = false;
  };
  const endCommand = () => {
    endWord();
    if (current.length) commands.push(current);
    current = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (quote) {
      if (c === quote) {
        quote = undefined;
        closed = true;
      }
      else if (c === '\\' && quote === '"' && text[i + 1] === '"') {
        word += '"';
        i++;
      } else word += c;
      continue;
    }
    const afterQuote = closed;
    closed = false;
    if (c === '#' && !has) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 2 : 1;
      line++;
      endWord();
      continue;
    }
    if (c === '"' || c === "'") {
      if (!has) wordLine = line;
      has = true;
      quote = c;
      continue;
    }
    if (c === '\n' || c === ';' || c === '|' || (c === '&' && text[i + 1] === '&')) {
      endCommand();
      if (c === '&' || (c === '|' && text[i + 1] === '|')) i++;
      continue;
    }
    // Python and Groovy lists: `['buildctl', '--addr', …]`; a comma inside a word (`cacert=a,cert=b`) stays.
    if (c === ' ' || c === '\t' || c === '\r' || ((c === ',' || c === ']' || c === ')') && (afterQuote || !has)) || ((c === '[' || c === '(') && (!has || /["'[(]/.test(text[i + 1] ?? '')))) {
      endWord();
      continue;
    }
    if (!has) wordLine = line;
    has = true;
    word += c;
  }
  endCommand();
  // A quoted string holding a whole command (`sh "buildctl --addr …"`, `local('buildctl …')`): its own commands.
  const out: Token[][] = [];
  for (const command of commands) {
    const inner = /^(echo|printf|log|info|warn|error|print|println|puts)$/.test(command[0]!.value) ? [] : command.filter((t) => /\s/.test(t.value) && MENTION.test(t.value));
    if (inner.length === 0) out.push(command);
    else for (const t of inner) out.push(...commandsOf(t.value, t.line));
  }
  return out;
}

const MENTION = /buildctl|buildkitd|buildx|BUILDKIT_HOST|\/buildkit\b/;
/** The image of a BuildKit daemon (`moby/buildkit:v0.x`, `…/buildkit:rootless`): its entrypoint is buildkitd. */
export const BUILDKIT_IMAGE = /(^|\/)buildkit(:[\w.-]*|@sha256:\w+)?$/;
const ENV_ASSIGN = /^(?:export\s+)?BUILDKIT_HOST=(.*)$/;
const TLS_FLAG = /^--(tlscacert|tlscert|tlskey|tlsdir)(?:=|$)/;
/** A word that is one variable expansion: options this reader cannot see. */
const VARIABLE_WORD = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?:\[[@*]\])?\}?$/;
const OPAQUE_VARIABLE = /TLS|CERT|MTLS|SECURE|FLAGS|OPTS|OPTIONS|GLOBAL|ARGS/i;

/** Static assignments of a text (`NAME=value`, `export NAME=value`, `NAME := value`, `NAME: value`), for `$NAME`. */
export function assignmentsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^[ \t]*(?:export[ \t]+|-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:[:?]?=|:[ \t])[ \t]*["']?([^\s"'#]+)/gm)) if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  return out;
}

/** The value of an address word: literal, `$VAR` / `${VAR:-default}` resolved from ASSIGNED, else undefined. */
function resolveAddr(value: string, assigned: Map<string, string>, depth = 0): string | undefined {
  if (value.includes('{{') || /\$\([^A-Za-z_]|\$\([A-Za-z_]\w*\s/.test(value) || depth > 3) return undefined;
  // `$VAR`, `${VAR}`, `${VAR:-default}`, make's `$(VAR)`.
  const m = /^\$(?:\{|\()?([A-Za-z_][A-Za-z0-9_]*)(?::?-([^})]*))?[})]?$/.exec(value);
  if (!m) return value.includes('$') ? undefined : value;
  const assignedValue = assigned.get(m[1]!);
  if (assignedValue !== undefined && assignedValue !== value) return resolveAddr(assignedValue, assigned, depth + 1);
  return m[2] !== undefined ? resolveAddr(m[2], assigned, depth + 1) : undefined;
}

function programOf(token: string): string {
  return basename(token.replace(/^["']|["']$/g, ''));
}

/** The BuildKit endpoints of one tokenized command. */
export function endpointsOfTokens(tokens: Token[], assigned: Map<string, string>): BuildkitEndpoint[] {
  const out: BuildkitEndpoint[] = [];
  for (const t of tokens) {
    const env = ENV_ASSIGN.exec(t.value);
    if (env) {
      const addr = resolveAddr(env[1]!, assigned);
      if (addr) out.push({ role: 'client', form: 'env', addr, line: t.line, tls: [] });
    }
  }
  const start = tokens.findIndex((t) => ['buildctl', 'buildkitd', 'docker', 'podman', 'nerdctl', 'docker-buildx'].includes(programOf(t.value)));
  if (start < 0) return out;
  const program = programOf(tokens[start]!.value);
  let args = tokens.slice(start + 1);
  let role: BuildkitRole;
  if (program === 'buildctl') role = 'client';
  else if (program === 'buildkitd') role = 'daemon';
  else {
    if (program === 'podman' || program === 'nerdctl') {
      if (!args.some((t) => t.value === 'run')) return out;
    }
    // docker [global flags] buildx create …, docker-buildx create …
    const i = args.findIndex((t) => !t.value.startsWith('-'));
    // `docker run … moby/buildkit:v0.13 --addr tcp://0.0.0.0:1234`: the image's entrypoint is buildkitd.
    if ((program === 'docker' || program === 'podman' || program === 'nerdctl') && (args[i]?.value === 'run' || (args[i]?.value === 'container' && args[i + 1]?.value === 'run'))) {
      const image = args.findIndex((t, k) => k > i && BUILDKIT_IMAGE.test(t.value));
      if (image < 0) return out;
      // Reachable from other hosts only through a port published on a non-loopback address or the host network; a
      // container left on a Docker network (or published on 127.0.0.1) is a local daemon.
      const options = args.slice(i + 1, image).map((t) => t.value);
      const published = options.flatMap((o, k) => (o === '-p' || o === '--publish' ? [options[k + 1] ?? ''] : /^(-p|--publish=)(.+)$/.exec(o)?.slice(2, 3) ?? []));
      const exposed = published.some((p) => !/^(127\.[\d.]+|localhost|\[?::1\]?):/.test(p)) || options.some((o, k) => o === '--network=host' || o === '--net=host' || ((o === '--network' || o === '--net') && options[k + 1] === 'host'));
      if (!exposed) return out;
      return [...out, ...endpointsOfTokens([{ value: 'buildkitd', line: args[image]!.line }, ...args.slice(image + 1)], assigned)];
    }
    if (program === 'docker' && (args[i]?.value !== 'buildx' || args[i + 1]?.value !== 'create')) return out;
    if (program === 'docker-buildx' && args[i]?.value !== 'create') return out;
    args = args.slice(program === 'docker' ? i + 2 : i + 1);
    role = 'buildx-remote';
  }
  const tls = new Set<string>();
  const addrs: { value: string; line: number }[] = [];
  let opaque = false;
  let config = false;
  let driver: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    const eq = w.indexOf('=');
    const flag = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : w;
    const inline = flag !== w ? w.slice(eq + 1) : undefined;
    const valueOf = () => (inline !== undefined ? { value: inline, line: args[i]!.line } : args[i + 1] ? { value: args[++i]!.value, line: args[i]!.line } : undefined);
    const v = VARIABLE_WORD.exec(w);
    if (v && OPAQUE_VARIABLE.test(v[1]!)) opaque = true;
    if (role === 'buildx-remote') {
      if (flag === '--driver') driver = valueOf()?.value;
      else if (flag === '--driver-opt') {
        const opt = valueOf()?.value ?? '';
        for (const part of opt.split(',')) {
          const key = part.split('=')[0]!.trim().toLowerCase();
          if (key === 'cacert' || key === 'cert' || key === 'key') tls.add(`driver-opt ${key}`);
        }
      } else if (['--name', '--node', '--platform', '--buildkitd-flags', '--config', '--buildkitd-config', '--builder', '--context'].includes(flag)) valueOf();
      else if (!w.startsWith('-') && /^[a-z][a-z0-9+.-]*:\/\//i.test(w)) addrs.push({ value: w, line: args[i]!.line });
      continue;
    }
    if (TLS_FLAG.test(w)) {
      tls.add(TLS_FLAG.exec(w)![1]!);
      continue;
    }
    if (flag === '--config' && role === 'daemon') {
      config = true;
      valueOf();
      continue;
    }
    if (flag === '--addr') {
      const value = valueOf();
      if (!value) continue;
      const addr = resolveAddr(value.value, assigned);
      // An address this reader cannot resolve is left alone: no finding on what it cannot see.
      if (addr) addrs.push({ value: addr, line: value.line });
    }
  }
  if (role === 'buildx-remote' && driver !== 'remote') return out;
  for (const a of addrs) out.push({ role, form: role === 'client' ? 'buildctl' : role === 'daemon' ? 'buildkitd' : 'buildx-create', addr: a.value, line: a.line, tls: [...tls].sort(), ...(opaque || config ? { opaque: true } : {}), ...(config && !opaque ? { configOnly: true } : {}) });
  return out;
}

/** Every BuildKit endpoint in command TEXT (a script, a recipe, a CI `run:` block), lines counted from FIRST_LINE. */
export function commandEndpoints(text: string, firstLine = 1, assigned: Map<string, string> = assignmentsOf(text)): BuildkitEndpoint[] {
  if (!MENTION.test(text)) return [];
  const out: BuildkitEndpoint[] = [];
  for (const command of commandsOf(text, firstLine)) out.push(...endpointsOfTokens(command, assigned));
  return out;
}

/** `buildkitd.toml`: `[grpc] address = ["tcp://0.0.0.0:1234"]` and the `[grpc.tls]` keys beside it. */
export function tomlEndpoints(text: string, firstLine = 1): BuildkitEndpoint[] {
  if (!/\[\s*grpc/.test(text)) return [];
  let section = '';
  const addrs: { value: string; line: number }[] = [];
  const tls = new Set<string>();
  let grpcTls = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/#.*$/, '').trim();
    const s = /^\[\s*([^\]]+?)\s*\]$/.exec(l);
    if (s) {
      section = s[1]!;
      if (section === 'grpc.tls') grpcTls = true;
      continue;
    }
    const kv = /^"?([A-Za-z_.-]+)"?\s*=\s*(.*)$/.exec(l);
    if (!kv) continue;
    const [key, value] = [kv[1]!, kv[2]!];
    const full = section ? `${section}.${key}` : key;
    if (full === 'grpc.address') {
      // A multi-line array runs on until its closing bracket; each address on its own line.
      let text = value;
      let j = i;
      for (;;) {
        for (const m of text.matchAll(/"([^"]+)"|'([^']+)'/g)) addrs.push({ value: m[1] ?? m[2]!, line: firstLine + j });
        if (text.includes(']') || !value.startsWith('[') || j + 1 >= lines.length) break;
        text = lines[++j]!.replace(/#.*$/, '');
      }
      i = j;
    } else if (/^grpc\.tls\.(cert|key|ca)$/.test(full) && /\S/.test(value.replace(/^["']{2}$/, ''))) tls.add(full === 'grpc.tls.ca' ? 'tlscacert' : full === 'grpc.tls.cert' ? 'tlscert' : 'tlskey');
  }
  void grpcTls;
  return addrs.map((a) => ({ role: 'daemon' as const, form: 'buildkitd-toml' as const, addr: a.value, line: a.line, tls: [...tls].sort() }));
}

export interface BuildkitModel {
  endpoints: BuildkitEndpoint[];
  /** buildkitd configurations the file holds (a buildkitd.toml, or one embedded in a ConfigMap): whether each sets `[grpc.tls]`. */
  daemonConfigs?: { tls: boolean }[];
  /** The file shows TLS material for BuildKit somewhere (flags, `BUILDKIT_TLS*`/`*_TLS_CA` variables, a tls dir). */
  tlsHint: boolean;
}

/** TLS for BuildKit named anywhere in a text: flags, driver-opts, `[grpc.tls]`, `BUILDKIT_TLS_*` / `*_TLS_{CA,CERT,KEY}` names. */
export const TLS_HINT = /--tls(?:cacert|cert|key|dir)\b|\bcacert=|\[\s*grpc\.tls\s*\]|BUILDKIT\w*_TLS|BUILDKIT\w*_(?:CA|CERT|KEY)\b|\bTLS_(?:CA|CERT|KEY)\w*/;

const TEXT_FILE = /\.(sh|bash|ksh|zsh|mk|py|groovy|gradle|toml|ps1|nu|just|star|bzl|jenkinsfile)$|^(Makefile|GNUmakefile|makefile|Jenkinsfile.*|Tiltfile|Justfile|justfile|Dockerfile.*|.*\.Dockerfile|Containerfile|\.env.*|[^.]+)$/;

/** A buildkitd configuration: TOML with BuildKit's sections (`[grpc]`, `[worker.oci]`, `[registry."…"]`). */
export const DAEMON_CONFIG = /^\s*\[\s*(grpc|worker\.(oci|containerd)|registry\.)/m;
export const DAEMON_CONFIG_TLS = /^\s*\[\s*grpc\.tls\s*\]/m;

export function analyzeBuildkitText(text: string, path: string): BuildkitModel {
  const name = basename(path);
  const toml = /\.toml$/i.test(name);
  const endpoints = toml ? tomlEndpoints(text) : commandEndpoints(text);
  const config = toml && DAEMON_CONFIG.test(text) ? { daemonConfigs: [{ tls: DAEMON_CONFIG_TLS.test(text) }] } : {};
  return { endpoints, tlsHint: TLS_HINT.test(text), ...config };
}

export const buildkitAnalyzer: Analyzer<BuildkitModel> = {
  id: 'buildkit',
  // YAML (workflows, manifests, chart templates, values, compose) is read from the YAML models by the rule.
  claims: (file) => !/\.(ya?ml|json|md|txt|lock|sum)$/i.test(file.path) && TEXT_FILE.test(basename(file.path)),
  sniff: (text, file) => (/\.toml$/i.test(file.path) ? DAEMON_CONFIG.test(text) : /buildctl|buildkitd|BUILDKIT_HOST|buildx\s+create|\/buildkit\b/.test(text)),
  parse: (text, file) => {
    const model = analyzeBuildkitText(text, file.path);
    return model.endpoints.length || model.daemonConfigs ? model : undefined;
  },
};
