/**
 * Declarative build configurations: skaffold.yaml artifacts (docker/kaniko `buildArgs`, docker `secrets`,
 * `custom.buildCommand`) and docker buildx bake files (`docker-bake.hcl` / `.json` targets with `args`, `secret`,
 * `inherits`), each target read as one build invocation of the Dockerfile it names.
 */
import { checkedVariables, parseShell } from '../../shell/index.js';
import { get, getStr, isMap, isScalar, isSeq, seqItems, type PNode } from '../../yaml/model.js';
import { parseYaml } from '../../yaml/parse.js';
import { basename, dirname, joinPosix } from '../../util/path.js';
import type { Analyzer } from '../types.js';
import { buildArgFrom, scriptInvocations, secretFrom, type BuildArgPass, type BuildInvocation } from './invocation.js';

export interface BuildConfigModel {
  kind: 'skaffold' | 'bake';
  /** checked: variables the config itself checks before building (bake `validation` blocks, skaffold `hooks.before` commands). */
  invocations: (BuildInvocation & { name?: string; checked?: string[] })[];
  /** bake `group "name" { targets = [...] }` blocks. */
  groups?: Record<string, string[]>;
}

// ---- skaffold -------------------------------------------------------------------------------------------------

export function isSkaffoldPath(path: string): boolean {
  return /^skaffold([._-][\w.-]*)?\.ya?ml$/i.test(basename(path));
}

/** `{{.NPM_TOKEN}}` / `{{ .Env.NPM_TOKEN }}` templates read the environment of skaffold. */

/** A build a skaffold artifact or a bake target declares: its context, nothing passed yet (the caller fills that in). */
function configInvocation(tool: 'skaffold' | 'bake', at: { line: number; endLine: number }, context: string): BuildInvocation {
  return { tool, line: at.line, endLine: at.endLine, context, baseDirs: ['.'], dockerfileRelativeTo: 'context', buildArgs: [], secrets: [], envReads: [], text: '' };
}

function skaffoldArg(name: string, value: string | undefined, line: number): BuildArgPass {
  if (value === undefined) return buildArgFrom(name, line);
  const refs = [...value.matchAll(/\{\{\s*\.(?:Env\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!);
  if (refs.length) return { name, value, fromEnv: true, literal: false, refs: [...new Set(refs)], line };
  return buildArgFrom(`${name}=${value}`, line);
}

/** Variables the artifact's before-build host hooks check (`command: ["sh", "-c", "test -n \"$NPM_TOKEN\" || exit 1"]`). */
function hookChecks(artifact: PNode): string[] {
  const out = new Set<string>();
  for (const hook of seqItems(get(artifact, ['hooks', 'before']))) {
    const words = seqItems(get(hook, 'command')).filter(isScalar).map((w) => String(w.value ?? ''));
    const shell = words.length >= 3 && /(^|\/)(ba|da|z|k)?sh$/.test(words[0]!) && words[1] === '-c' ? words[2]! : words.join(' ');
    const script = parseShell(shell);
    if (!script.error) for (const v of checkedVariables(script)) out.add(v);
  }
  return [...out];
}

function skaffoldArtifact(artifact: PNode, dir: string): (BuildInvocation & { checked?: string[] })[] {
  const context = joinPosix(dir, getStr(artifact, 'context') ?? '.');
  const image = getStr(artifact, 'image');
  const checked = hookChecks(artifact);
  const out: (BuildInvocation & { checked?: string[] })[] = [];
  for (const builder of ['docker', 'kaniko']) {
    const node = get(artifact, builder);
    if (!isMap(node) && !(builder === 'docker' && !get(artifact, 'kaniko') && !get(artifact, 'custom') && !get(artifact, 'jib') && !get(artifact, 'buildpacks') && !get(artifact, 'ko') && !get(artifact, 'bazel'))) continue;
    const inv = configInvocation('skaffold', artifact, context);
    if (image) inv.image = image;
    const dockerfile = getStr(node, 'dockerfile');
    if (dockerfile) inv.dockerfile = dockerfile;
    const target = getStr(node, 'target');
    if (target) inv.target = target;
    const args = get(node, 'buildArgs');
    if (isMap(args)) {
      for (const e of args.entries) {
        const value = isScalar(e.value) && e.value.value !== null ? String(e.value.value) : undefined;
        inv.buildArgs.push(skaffoldArg(e.key, value, e.line));
      }
    }
    for (const s of seqItems(get(node, 'secrets'))) {
      const id = getStr(s, 'id');
      if (!id) continue;
      const env = getStr(s, 'env');
      const src = getStr(s, 'src');
      inv.secrets.push({ id, line: s.line, refs: env ? [env] : [], ...(env ? { env } : {}), ...(src ? { src } : {}) });
      if (env) inv.envReads.push({ name: env, line: s.line, via: 'secret-env' });
    }
    for (const arg of inv.buildArgs) for (const ref of arg.refs) inv.envReads.push({ name: ref, line: arg.line, via: 'build-arg' });
    out.push(checked.length ? { ...inv, checked } : inv);
  }
  const command = getStr(artifact, ['custom', 'buildCommand']);
  if (command) {
    const script = parseShell(command, { lineOffset: (get(artifact, ['custom', 'buildCommand'])?.line ?? artifact.line) - 1 });
    if (!script.error) out.push(...scriptInvocations(script, joinPosix(context, 'skaffold-build'), 'ci-script', [context, '.']));
  }
  return out;
}

export function analyzeSkaffold(text: string, path: string): BuildConfigModel {
  const model: BuildConfigModel = { kind: 'skaffold', invocations: [] };
  const dir = dirname(path);
  for (const doc of parseYaml(text).docs) {
    const builds = [get(doc.root, 'build'), ...seqItems(get(doc.root, 'profiles')).map((p) => get(p, 'build'))];
    for (const build of builds) for (const artifact of seqItems(get(build, 'artifacts'))) if (isMap(artifact)) model.invocations.push(...skaffoldArtifact(artifact, dir));
  }
  return model;
}

// ---- docker buildx bake -----------------------------------------------------------------------------------------

export function isBakePath(path: string): boolean {
  return /^docker-bake([._-][\w.-]*)?\.(hcl|json)$/i.test(basename(path)) || /\.bake\.hcl$/i.test(path);
}

type HclValue =
  | { kind: 'str'; value: string; line: number }
  | { kind: 'list'; items: HclValue[]; line: number }
  | { kind: 'object'; entries: { key: string; value: HclValue; line: number }[]; line: number }
  | { kind: 'other'; text: string; line: number };

interface HclBlock {
  type: string;
  labels: string[];
  line: number;
  endLine: number;
  attrs: Map<string, HclValue>;
  /** Nested blocks (a variable's `validation { … }`). */
  blocks: HclBlock[];
}

interface HclTok {
  kind: 'ident' | 'str' | 'op' | 'num';
  value: string;
  line: number;
}

function tokenizeHcl(text: string): HclTok[] {
  const out: HclTok[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      let depth = 0;
      while (j < text.length && (text[j] !== '"' || depth > 0) && text[j] !== '\n') {
        if (text[j] === '\\' && j + 1 < text.length) {
          value += text[j + 1] === 'n' ? '\n' : text[j + 1];
          j += 2;
          continue;
        }
        if (text[j] === '$' && text[j + 1] === '{') depth++;
        else if (text[j] === '}' && depth > 0) depth--;
        value += text[j];
        j++;
      }
      out.push({ kind: 'str', value, line });
      i = j + 1;
    } else if (c === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_]+)\n/.exec(text.slice(i, i + 80));
      if (!m) {
        out.push({ kind: 'op', value: '<', line });
        i++;
        continue;
      }
      const start = i + m[0].length;
      const end = text.slice(start).search(new RegExp(`^\\s*${m[1]}\\s*$`, 'm'));
      const body = end < 0 ? text.slice(start) : text.slice(start, start + end);
      out.push({ kind: 'str', value: body, line: line + 1 });
      line += body.split('\n').length;
      i = end < 0 ? text.length : start + end + text.slice(start + end).indexOf(m[1]!) + m[1]!.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w.-]*/.exec(text.slice(i, i + 200))!;
      out.push({ kind: 'ident', value: m[0], line });
      i += m[0].length;
    } else if (/\d/.test(c)) {
      const m = /^\d[\w.]*/.exec(text.slice(i, i + 50))!;
      out.push({ kind: 'num', value: m[0], line });
      i += m[0].length;
    } else {
      out.push({ kind: 'op', value: c, line });
      i++;
    }
  }
  return out;
}

function parseHcl(text: string): HclBlock[] {
  const toks = tokenizeHcl(text);
  let i = 0;
  const isOp = (v: string) => toks[i]?.kind === 'op' && toks[i]!.value === v;
  const value = (): HclValue => {
    const t = toks[i];
    if (!t) return { kind: 'other', text: '', line: 0 };
    if (t.kind === 'str') {
      i++;
      return { kind: 'str', value: t.value, line: t.line };
    }
    if (isOp('[')) {
      i++;
      const items: HclValue[] = [];
      while (toks[i] && !isOp(']')) {
        items.push(value());
        if (isOp(',')) i++;
        else if (!isOp(']')) i++;
      }
      i++;
      return { kind: 'list', items, line: t.line };
    }
    if (isOp('{')) {
      i++;
      const entries: { key: string; value: HclValue; line: number }[] = [];
      while (toks[i] && !isOp('}')) {
        const k = toks[i]!;
        if ((k.kind === 'ident' || k.kind === 'str') && toks[i + 1]?.kind === 'op' && (toks[i + 1]!.value === '=' || toks[i + 1]!.value === ':')) {
          i += 2;
          entries.push({ key: k.value, value: value(), line: k.line });
        } else i++;
        if (isOp(',')) i++;
      }
      i++;
      return { kind: 'object', entries, line: t.line };
    }
    // Identifier, number, function call or expression: skip to the end of the expression (balanced brackets).
    let depth = 0;
    const start = i;
    while (toks[i]) {
      const x = toks[i]!;
      if (x.kind === 'op' && '([{'.includes(x.value)) depth++;
      else if (x.kind === 'op' && ')]}'.includes(x.value)) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && x.kind === 'op' && x.value === ',') break;
      else if (depth === 0 && i > start && x.line !== toks[i - 1]!.line) break;
      i++;
    }
    return { kind: 'other', text: toks.slice(start, i).map((x) => x.value).join(' '), line: t.line };
  };
  const body = (): { attrs: Map<string, HclValue>; blocks: HclBlock[]; endLine: number } => {
    const attrs = new Map<string, HclValue>();
    const blocks: HclBlock[] = [];
    while (toks[i]) {
      if (isOp('}')) {
        const endLine = toks[i]!.line;
        i++;
        return { attrs, blocks, endLine };
      }
      const t = toks[i]!;
      if (t.kind !== 'ident') {
        i++;
        continue;
      }
      if (toks[i + 1]?.kind === 'op' && toks[i + 1]!.value === '=') {
        i += 2;
        attrs.set(t.value, value());
        continue;
      }
      // Block: type labels* {
      const labels: string[] = [];
      let j = i + 1;
      while (toks[j] && (toks[j]!.kind === 'str' || toks[j]!.kind === 'ident')) labels.push(toks[j++]!.value);
      if (toks[j]?.kind === 'op' && toks[j]!.value === '{') {
        i = j + 1;
        const inner = body();
        blocks.push({ type: t.value, labels, line: t.line, endLine: inner.endLine, attrs: inner.attrs, blocks: inner.blocks });
        continue;
      }
      i++;
    }
    return { attrs, blocks, endLine: toks[toks.length - 1]?.line ?? 1 };
  };
  return body().blocks;
}

/** docker-bake.json: the same blocks from JSON (read through the YAML reader for lines). */
function bakeJsonBlocks(text: string): HclBlock[] {
  const root = parseYaml(text).docs[0]?.root;
  const conv = (n: PNode | null | undefined): HclValue => {
    if (isScalar(n)) return { kind: 'str', value: String(n.value ?? ''), line: n.line };
    if (isSeq(n)) return { kind: 'list', items: n.items.map(conv), line: n.line };
    if (isMap(n)) return { kind: 'object', entries: n.entries.map((e) => ({ key: e.key, value: conv(e.value), line: e.line })), line: n.line };
    return { kind: 'other', text: '', line: 0 };
  };
  const blocks: HclBlock[] = [];
  const targets = get(root, 'target');
  if (isMap(targets)) {
    for (const e of targets.entries) {
      if (!isMap(e.value)) continue;
      const attrs = new Map<string, HclValue>();
      for (const a of e.value.entries) attrs.set(a.key, conv(a.value));
      blocks.push({ type: 'target', labels: [e.key], line: e.line, endLine: e.value.endLine, attrs, blocks: [] });
    }
  }
  return blocks;
}

export function analyzeBake(text: string, path: string): BuildConfigModel {
  const model: BuildConfigModel = { kind: 'bake', invocations: [] };
  const dir = dirname(path);
  const blocks = path.endsWith('.json') ? bakeJsonBlocks(text) : parseHcl(text);
  const targets = new Map(blocks.filter((b) => b.type === 'target' && b.labels[0]).map((b) => [b.labels[0]!, b] as const));
  /** Attribute with `inherits` followed (own attributes win). */
  const attr = (block: HclBlock, key: string, seen = new Set<string>()): HclValue | undefined => {
    if (block.attrs.has(key)) return block.attrs.get(key);
    const inherits = block.attrs.get('inherits');
    if (inherits?.kind !== 'list') return undefined;
    for (const parent of inherits.items) {
      if (parent.kind !== 'str' || seen.has(parent.value)) continue;
      seen.add(parent.value);
      const p = targets.get(parent.value);
      const v = p ? attr(p, key, seen) : undefined;
      if (v) return v;
    }
    return undefined;
  };
  const str = (v: HclValue | undefined) => (v?.kind === 'str' && !/\$\{/.test(v.value) ? v.value : undefined);
  // `variable "NPM_TOKEN" { validation { condition = NPM_TOKEN != "" … } }`: bake stops before building when it fails.
  const variables = new Set(blocks.filter((b) => b.type === 'variable' && b.labels[0]).map((b) => b.labels[0]!));
  const conditions = blocks.filter((b) => b.type === 'variable').flatMap((b) => b.blocks.filter((v) => v.type === 'validation').map((v) => hclText(v.attrs.get('condition'))));
  const validated = [...variables].filter((name) => conditions.some((c) => new RegExp(`(^|[^\\w$])${name}([^\\w]|$)`).test(c)));
  for (const g of blocks.filter((b) => b.type === 'group' && b.labels[0])) {
    const list = g.attrs.get('targets');
    (model.groups ??= {})[g.labels[0]!] = list?.kind === 'list' ? list.items.filter((x) => x.kind === 'str').map((x) => (x as { value: string }).value) : [];
  }
  for (const [name, block] of targets) {
    // Abstract targets (only inherited from, no context/dockerfile of their own nor a group) still build when named: keep all.
    const inv: BuildInvocation & { name?: string } = { ...configInvocation('bake', block, joinPosix(dir, str(attr(block, 'context')) ?? '.')), name };
    const dockerfile = str(attr(block, 'dockerfile'));
    if (dockerfile) inv.dockerfile = dockerfile;
    const target = str(attr(block, 'target'));
    if (target) inv.target = target;
    const args = attr(block, 'args');
    if (args?.kind === 'object') {
      for (const e of args.entries) {
        const arg = e.value.kind === 'str' ? buildArgFrom(`${e.key}=${e.value.value}`, e.line) : e.value.kind === 'other' && /^null$/.test(e.value.text) ? buildArgFrom(e.key, e.line) : { name: e.key, fromEnv: false, literal: false, refs: e.value.kind === 'other' && /^[A-Za-z_]\w*$/.test(e.value.text) ? [e.value.text] : [], line: e.line };
        if (e.value.kind === 'other' && arg.refs.length) arg.fromEnv = true;
        inv.buildArgs.push(arg);
        for (const ref of arg.refs) inv.envReads.push({ name: ref, line: e.line, via: 'build-arg' });
      }
    }
    const secrets = attr(block, 'secret');
    for (const s of secrets?.kind === 'list' ? secrets.items : []) {
      // `"id=npmrc,src=.npmrc"` or, since buildx 0.18, the object form `{ type = "file", id = "npmrc", src = ".npmrc" }`.
      const spec = s.kind === 'str' ? s.value : s.kind === 'object' ? s.entries.flatMap((e) => (e.value.kind === 'str' ? [`${e.key}=${e.value.value}`] : [])).join(',') : undefined;
      if (!spec) continue;
      const secret = secretFrom(spec, s.line);
      if (!secret) continue;
      inv.secrets.push(secret);
      for (const ref of secret.refs) inv.envReads.push({ name: ref, line: s.line, via: 'secret-env' });
    }
    model.invocations.push(validated.length ? { ...inv, checked: validated } : inv);
  }
  return model;
}

function hclText(v: HclValue | undefined): string {
  if (!v) return '';
  if (v.kind === 'str') return `"${v.value}"`;
  if (v.kind === 'other') return v.text;
  if (v.kind === 'list') return v.items.map(hclText).join(' ');
  return v.entries.map((e) => `${e.key} ${hclText(e.value)}`).join(' ');
}

export const skaffoldAnalyzer: Analyzer<BuildConfigModel> = {
  id: 'skaffold',
  claims: (file) => isSkaffoldPath(file.path),
  parse: (text, file) => analyzeSkaffold(text, file.path),
};

export const bakeAnalyzer: Analyzer<BuildConfigModel> = {
  id: 'bake',
  // Any .hcl file may be a bake file (`docker buildx bake -f ci/release.hcl`): one that declares a target block.
  claims: (file) => isBakePath(file.path) || /\.hcl$/i.test(file.path),
  sniff: (text, file) => isBakePath(file.path) || /^\s*target\s+"[^"]+"\s*\{/m.test(text),
  parse: (text, file) => analyzeBake(text, file.path),
};
