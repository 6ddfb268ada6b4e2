/**
 * docker compose `build:` sections (context, dockerfile, args, secrets) and devcontainer.json `build` (dockerfile,
 * context, args) plus `containerEnv`/`remoteEnv` entries.
 */
import { entry, get, getStr, isMap, isScalar, isSeq, seqItems, type PNode } from '../../yaml/model.js';
import { parseYaml } from '../../yaml/parse.js';
import { basename, dirname, joinPosix } from '../../util/path.js';
import type { Analyzer } from '../types.js';
import { buildArgFrom, type BuildArgPass, type BuildInvocation } from './invocation.js';

export interface ComposeModel {
  kind: 'compose' | 'devcontainer';
  /** checked: variables the file itself requires (`${NAME:?message}`: compose stops with the message while NAME is unset). */
  invocations: (BuildInvocation & { service?: string; checked?: string[] })[];
  /** devcontainer containerEnv / remoteEnv entries. */
  containerEnv: BuildArgPass[];
}

export function isComposePath(path: string): boolean {
  return /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/i.test(basename(path));
}

export function isDevcontainerPath(path: string): boolean {
  const name = basename(path);
  return name === '.devcontainer.json' || (name === 'devcontainer.json' && path.includes('.devcontainer'));
}

function argsOf(node: PNode | null | undefined): BuildArgPass[] {
  if (isMap(node)) {
    return node.entries.map((e) => {
      if (e.value === null || (isScalar(e.value) && e.value.value === null)) return buildArgFrom(e.key, e.line);
      const value = isScalar(e.value) ? String(e.value.value ?? '') : '';
      return buildArgFrom(`${e.key}=${value}`, e.line);
    });
  }
  return seqItems(node)
    .filter(isScalar)
    .map((s) => buildArgFrom(String(s.value ?? ''), s.line));
}

function relativeTo(base: string, path: string): string {
  return path.startsWith('/') ? path.replace(/^\/+/, '') : joinPosix(base, path);
}

export function analyzeCompose(text: string, path: string): ComposeModel {
  const model: ComposeModel = { kind: 'compose', invocations: [], containerEnv: [] };
  const dir = dirname(path);
  // `${NAME:?message}` / `${NAME?message}` anywhere in the file: compose refuses to load it while NAME is unset (or empty).
  const required = new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]!));
  for (const doc of parseYaml(text).docs) {
    const services = get(doc.root, 'services');
    if (!isMap(services)) continue;
    for (const service of services.entries) {
      const build = entry(service.value, 'build');
      if (!build || build.value === null) continue;
      const inv: BuildInvocation & { service?: string; checked?: string[] } = {
        tool: 'compose',
        service: service.key,
        line: build.line,
        endLine: build.value.endLine,
        baseDirs: [dir],
        dockerfileRelativeTo: 'context',
        buildArgs: [],
        secrets: [],
        envReads: [],
        text: '',
      };
      // The top-level secret a build secret names is its `source` (the id the Dockerfile mounts is `target`, else the source).
      const sources: { id: string; source: string; line: number }[] = [];
      if (isScalar(build.value)) {
        inv.context = relativeTo(dir, String(build.value.value ?? '.'));
      } else {
        inv.context = relativeTo(dir, getStr(build.value, 'context') ?? '.');
        const dockerfile = getStr(build.value, 'dockerfile');
        if (dockerfile) inv.dockerfile = dockerfile;
        const target = getStr(build.value, 'target');
        if (target) inv.target = target;
        inv.buildArgs = argsOf(get(build.value, 'args'));
        for (const s of seqItems(get(build.value, 'secrets'))) {
          if (isScalar(s)) sources.push({ id: String(s.value ?? ''), source: String(s.value ?? ''), line: s.line });
          else if (isMap(s)) {
            const source = getStr(s, 'source');
            if (source) sources.push({ id: getStr(s, 'target') ?? source, source, line: s.line });
          }
        }
      }
      inv.baseDirs = ['.'];
      for (const arg of inv.buildArgs) for (const ref of arg.refs) inv.envReads.push({ name: ref, line: arg.line, via: 'build-arg' });
      // Top-level secrets: `environment: NAME` reads the caller's env.
      const topSecrets = get(doc.root, 'secrets');
      for (const { id, source, line } of sources) {
        const secret: BuildInvocation['secrets'][number] = { id, line, refs: [] };
        inv.secrets.push(secret);
        const def = get(topSecrets, source);
        const envName = getStr(def, 'environment');
        if (envName) {
          secret.env = envName;
          secret.refs.push(envName);
          inv.envReads.push({ name: envName, line: secret.line, via: 'secret-env' });
        }
        const file = getStr(def, 'file');
        if (file) secret.src = file;
      }
      if (required.size) inv.checked = [...required].sort();
      model.invocations.push(inv);
    }
  }
  return model;
}

/** JSON with comments and trailing commas, as VS Code writes it: blank them out, keeping every position. */
export function stripJsonc(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, ' $1');
}

export function analyzeDevcontainer(text: string, path: string): ComposeModel {
  const model: ComposeModel = { kind: 'devcontainer', invocations: [], containerEnv: [] };
  const dir = dirname(path);
  const root = parseYaml(stripJsonc(text)).docs[0]?.root;
  const build = get(root, 'build');
  const dockerfile = getStr(build, 'dockerfile') ?? getStr(root, 'dockerFile');
  if (dockerfile || isMap(build)) {
    const node = isMap(build) ? build : root!;
    const inv: BuildInvocation = {
      tool: 'devcontainer',
      line: entry(root, 'build')?.line ?? entry(root, 'dockerFile')?.line ?? 1,
      endLine: node.endLine,
      context: relativeTo(dir, getStr(build, 'context') ?? getStr(root, 'context') ?? '.'),
      baseDirs: ['.'],
      dockerfileRelativeTo: 'cwd',
      buildArgs: argsOf(get(build, 'args')),
      secrets: [],
      envReads: [],
      text: '',
    };
    if (dockerfile) inv.dockerfile = relativeTo(dir, dockerfile);
    const target = getStr(build, 'target');
    if (target) inv.target = target;
    for (const arg of inv.buildArgs) {
      // ${localEnv:NAME} reads the host environment.
      const local = /\$\{localEnv:([A-Za-z_][A-Za-z0-9_]*)/.exec(arg.value ?? '');
      if (local) {
        arg.refs = [local[1]!];
        arg.literal = false;
        arg.fromEnv = true;
      }
      for (const ref of arg.refs) inv.envReads.push({ name: ref, line: arg.line, via: 'build-arg' });
    }
    model.invocations.push(inv);
  }
  for (const key of ['containerEnv', 'remoteEnv']) {
    const env = get(root, key);
    if (!isMap(env)) continue;
    for (const e of env.entries) {
      const value = isScalar(e.value) ? String(e.value.value ?? '') : '';
      const arg = buildArgFrom(`${e.key}=${value}`, e.line);
      const local = /\$\{localEnv:([A-Za-z_][A-Za-z0-9_]*)/.exec(value);
      if (local) {
        arg.refs = [local[1]!];
        arg.literal = false;
        arg.fromEnv = true;
      } else if (isSeq(e.value)) arg.literal = false;
      model.containerEnv.push(arg);
    }
  }
  return model;
}

export const composeAnalyzer: Analyzer<ComposeModel> = {
  id: 'compose',
  claims: (file) => isComposePath(file.path),
  sniff: (text) => /^\s*build\s*:/m.test(text),
  parse: (text, file) => analyzeCompose(text, file.path),
};

export const devcontainerAnalyzer: Analyzer<ComposeModel> = {
  id: 'devcontainer',
  claims: (file) => isDevcontainerPath(file.path),
  parse: (text, file) => analyzeDevcontainer(text, file.path),
};
