/**
 * A chart template as one Helm release renders it: the release's values layered over the chart's values.yaml (its
 * values files in order, then values it carries inline), the `if`/`with` blocks around an object evaluated against
 * them, and single `.Values` lookups resolved. Only what is known for sure counts: any expression this does not read
 * is taken as rendered and any value it cannot resolve as unknown.
 */
import type { DefineOutput, HelmInfo } from '../../analyzers/yaml.js';
import { NamedTemplates } from '../../k8s/named-templates.js';
import { resourceValuesBlocks } from '../../k8s/values-blocks.js';
import type { HelmReleaseInfo } from '../../scan/deployment-graph.js';
import type { Project } from '../../scan/project.js';
import { get, getStr, isMap, isScalar, isSeq, seqItems, type PMap, type PNode } from '../../yaml/model.js';

export interface ReleaseValues {
  /** The value at a dotted `.Values` path: the node of the highest layer that has it; null when no layer does. */
  lookup(path: string): PNode | null | undefined;
  /** The condition under which the named template NAME renders text (NamedTemplate.condition), when known. */
  define?(name: string): string | undefined;
  /** What the named template NAME renders when its condition holds and when not (NamedTemplate.output), when known. */
  output?(name: string): DefineOutput | undefined;
  /** The keys of the map at a dotted path as Helm merges the layers: true when set, false when set to null (not known). */
  keys?(path: string): ReadonlyMap<string, boolean>;
  /** A subchart the release does not render at all: its dependency's condition is false in the parent's values. */
  disabled?: { action: string; value: boolean };
}

/** Values trees of a release, highest precedence first, and the render conditions of the defines its chart includes. */
export function releaseValues(project: Project, release: HelmReleaseInfo, chartRoot: string): ReleaseValues {
  const layers: PNode[] = [...userLayers(project, release)];
  const defaults = project.chartDefaults(chartRoot)?.docs[0]?.root;
  if (defaults) layers.push(defaults);
  return layered(project, chartRoot, [layers.map((root) => ({ root, prefix: '' }))]);
}

/**
 * The values a release renders a template of CHART_ROOT with, CHART_ROOT being its chart or a subchart in its charts/
 * folders (`platform/charts/app`): the parent's values under the subchart's key (`app:`, or the dependency's alias)
 * over the subchart's values.yaml, and `global:` from the top down; `disabled` when a dependency's `condition:` is false.
 * Undefined when a subchart's key is not known (a chart its parent lists under two aliases renders twice).
 */
export function scopedReleaseValues(project: Project, release: HelmReleaseInfo, chartRoot: string): ReleaseValues | undefined {
  if (chartRoot === release.chart) return releaseValues(project, release, chartRoot);
  const prefix = release.chart === '.' ? '' : `${release.chart}/`;
  if (!chartRoot.startsWith(prefix)) return undefined;
  // The charts from the release's down to CHART_ROOT, and the key each is read under in its parent's values.
  const charts = [release.chart];
  const keys: string[] = [];
  const conditions: (string | undefined)[] = [undefined];
  const parts = chartRoot.slice(prefix.length).split('/');
  for (let i = 0; i < parts.length; i += 2) {
    if (parts[i] !== 'charts' || !parts[i + 1]) return undefined;
    const dir = `${prefix}${parts.slice(0, i + 2).join('/')}`;
    const dependency = subchartDependency(project, charts[charts.length - 1]!, dir);
    if (dependency === undefined) return undefined;
    charts.push(dir);
    keys.push(dependency.key);
    conditions.push(dependency.condition);
  }
  const user = userLayers(project, release);
  // Level L is what chart L reads as .Values: the user's values and every chart's defaults above it, under their keys.
  const levels = charts.map((_, level) => {
    const sources: { root: PNode; prefix: string }[] = user.map((root) => ({ root, prefix: keys.slice(0, level).map((k) => `${k}.`).join('') }));
    for (let j = 0; j <= level; j++) {
      const root = project.chartDefaults(charts[j]!)?.docs[0]?.root;
      if (root) sources.push({ root, prefix: keys.slice(j, level).map((k) => `${k}.`).join('') });
    }
    return sources;
  });
  const values = layered(project, chartRoot, levels);
  // A dependency's `condition:` (paths in its parent's values, the first set to a boolean decides) switches it off.
  for (let level = 1; level < charts.length && !values.disabled; level++) {
    const parent = layered(project, charts[level - 1]!, levels.slice(0, level));
    for (const path of (conditions[level] ?? '').split(',').map((p) => p.trim())) {
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path)) continue;
      const val = nodeVal(parent.lookup(path), path);
      if (val?.t !== 'bool') continue;
      if (!val.v) values.disabled = { action: `condition: ${path}`, value: false };
      break;
    }
  }
  return values;
}

/**
 * How the parent chart PARENT lists the subchart in DIR: the key its values configure it under (the dependency's
 * alias, else the subchart's name) and the dependency's `condition:`. Undefined when listed under two aliases, or
 * when the parent is no apiVersion v2 chart of the tree.
 */
function subchartDependency(project: Project, parent: string, dir: string): { key: string; condition?: string } | undefined {
  const name = getStr(project.yamlFiles[project.yamlFileIndex(`${dir}/Chart.yaml`)]?.model.docs[0]?.root, 'name') ?? dir.slice(dir.lastIndexOf('/') + 1);
  const chart = project.yamlFiles[project.yamlFileIndex(`${parent === '.' ? '' : `${parent}/`}Chart.yaml`)]?.model.docs[0]?.root;
  // A v1 chart lists its dependencies in requirements.yaml, which a chunked scan may not hold: not read, not decided.
  if (!chart || getStr(chart, 'apiVersion') !== 'v2') return undefined;
  const found: { key: string; condition?: string }[] = [];
  for (const dep of seqItems(get(chart, 'dependencies'))) {
    if (getStr(dep, 'name') !== name) continue;
    const condition = getStr(dep, 'condition');
    found.push({ key: getStr(dep, 'alias') ?? name, ...(condition ? { condition } : {}) });
  }
  if (new Set(found.map((f) => f.key)).size > 1) return undefined;
  const dependency = found[0] ?? { key: name };
  return /^[A-Za-z0-9_-]+$/.test(dependency.key) ? dependency : undefined;
}

/**
 * Lookups over LEVELS (the sources of each chart from the release's down to the one rendered, each highest precedence
 * first): a path in the last level; `global.x` in every level from the top down (a parent's globals win).
 */
function layered(project: Project, chartRoot: string, levels: { root: PNode; prefix: string }[][]): ReleaseValues & { disabled?: { action: string; value: boolean } } {
  const sourcesOf = (path: string) => (path === 'global' || path.startsWith('global.') ? levels.flat() : levels[levels.length - 1]!);
  return {
    define: (name) => namedTemplates(project).find(name, chartRoot)?.template.condition,
    output: (name) => namedTemplates(project).find(name, chartRoot)?.template.output,
    lookup(path) {
      for (const { root, prefix } of sourcesOf(path)) {
        const node = at(root, prefix, path);
        if (node !== undefined) return node;
      }
      return null;
    },
    keys(path) {
      // Highest first; a layer that sets the path to anything but a map ends the merge. A key set to null is dropped
      // where a user's layer sets it and kept where a chart's does: false, not known.
      const out = new Map<string, boolean>();
      for (const { root, prefix } of sourcesOf(path)) {
        const node = at(root, prefix, path);
        if (node === undefined) continue;
        if (!isMap(node)) break;
        for (const e of node.entries) if (!out.has(e.key)) out.set(e.key, !isNull(e.value));
      }
      return out;
    },
  };
}

/** The node at PREFIX + PATH of ROOT; PATH '' is the map PREFIX names (ROOT itself without one). */
function at(root: PNode, prefix: string, path: string): PNode | null | undefined {
  if (path) return get(root, `${prefix}${path}`);
  return prefix ? get(root, prefix.slice(0, -1)) : root;
}

/** A release's own values trees, highest precedence first: inline values, then its values files from the last. */
function userLayers(project: Project, release: HelmReleaseInfo): PNode[] {
  const layers: PNode[] = [...inlineValues(project, release)];
  for (const file of [...release.values].reverse()) {
    const root = project.yamlFiles[project.yamlFileIndex(file)]?.model.docs[0]?.root;
    if (root) layers.push(root);
  }
  return layers;
}

const inlineCache = new WeakMap<HelmReleaseInfo, PNode[]>();
const namedCache = new WeakMap<Project, NamedTemplates>();

function namedTemplates(project: Project): NamedTemplates {
  let named = namedCache.get(project);
  if (!named) namedCache.set(project, (named = new NamedTemplates(project.yamlFiles)));
  return named;
}

function inlineValues(project: Project, release: HelmReleaseInfo): PNode[] {
  let found = inlineCache.get(release);
  if (!found) inlineCache.set(release, (found = readInlineValues(project, release)));
  return found;
}

function readInlineValues(project: Project, release: HelmReleaseInfo): PNode[] {
  if (release.kind === 'helmfile') {
    const parsed = project.yamlFiles[project.yamlFileIndex(release.file)];
    for (const doc of parsed?.model.docs ?? []) {
      const entry = seqItems(get(doc.root, 'releases')).find((r) => r.line === release.line);
      if (entry) return seqItems(get(entry, 'values')).filter(isMap).reverse();
    }
    return [];
  }
  const object = project.resources.find((r) => r.file === release.file && r.line === release.line && (r.kind === 'Application' || r.kind === 'ApplicationSet' || r.kind === 'HelmRelease'));
  if (!object) return [];
  // Argo CD: parameters over valuesObject over values; Flux: spec.values.
  // A list generator's elements are the template's parameters, not the chart's values.
  const blocks = resourceValuesBlocks(object.node).filter((b) => b.kind !== 'substitute');
  const rank = (at: string, kind: string) => (kind === 'parameters' ? 0 : /valuesObject$/.test(at) ? 1 : 2);
  return blocks.sort((a, b) => rank(a.at, a.kind) - rank(b.at, b.kind)).map((b) => b.root);
}

/**
 * A value as a template action sees it. Values numbers are float64 in Helm (its values go through JSON), a template's
 * `1` an int: `eq .Values.replicas 1` fails to render, so the two are kept apart. `truth` is a text whose truth is
 * known but not its words (an include of a define known only by its condition). A map keeps its `.Values` path:
 * Helm merges maps across the layers, so its keys are the union of the layers'.
 */
type Val =
  | { t: 'nil' }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'map'; node: PMap; path?: string }
  | { t: 'seq'; n: number }
  | { t: 'truth'; v: boolean };

const NIL: Val = { t: 'nil' };
/** Plain scalars YAML 1.1 reads as booleans (Helm parses values with go-yaml v2): `enabled: no` is false. */
const YAML11_TRUE = /^(?:y|Y|yes|Yes|YES|on|On|ON)$/;
const YAML11_FALSE = /^(?:n|N|no|No|NO|off|Off|OFF)$/;

/** A values node as a value; undefined when a templated scalar (rendered by `tpl`, maybe) decides. */
function nodeVal(node: PNode | null | undefined, path: string | undefined): Val | undefined {
  if (node === undefined || node === null) return NIL;
  if (isMap(node)) return { t: 'map', node, ...(path !== undefined ? { path } : {}) };
  if (isSeq(node)) return { t: 'seq', n: node.items.length };
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null) return NIL;
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return { t: 'float', v };
  if (v.includes('{{')) return undefined;
  if (node.style === 'plain' && YAML11_TRUE.test(v)) return { t: 'bool', v: true };
  if (node.style === 'plain' && YAML11_FALSE.test(v)) return { t: 'bool', v: false };
  return { t: 'str', v };
}

/** The keys of a map as Helm merges the layers: true when set, false when set to null (not known). */
function mapKeys(values: ReleaseValues, val: Val & { t: 'map' }): ReadonlyMap<string, boolean> {
  if (val.path !== undefined && values.keys) return values.keys(val.path);
  return new Map(val.node.entries.map((e) => [e.key, !isNull(e.value)]));
}

function isNull(node: PNode | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** Go template truth (and sprig's `empty`, its negation); undefined when not known. */
function truthOf(val: Val | undefined, values: ReleaseValues): boolean | undefined {
  if (!val) return undefined;
  switch (val.t) {
    case 'nil':
      return false;
    case 'bool':
    case 'truth':
      return val.v;
    case 'str':
      return val.v !== '';
    case 'int':
    case 'float':
      return val.v !== 0;
    case 'seq':
      return val.n > 0;
    case 'map': {
      const keys = [...mapKeys(values, val).values()];
      return keys.includes(true) ? true : keys.length === 0 ? false : undefined;
    }
  }
}

/** Go's `eq` of two values: undefined when it cannot be told, or the template fails (different kinds, both set). */
function equal(a: Val | undefined, b: Val | undefined): boolean | undefined {
  if (!a || !b || a.t === 'truth' || b.t === 'truth') return undefined;
  // A missing value equals nothing (Go compares an invalid value as unequal, without an error).
  if (a.t === 'nil' || b.t === 'nil') return a.t === 'nil' && b.t === 'nil' ? undefined : false;
  if (a.t !== b.t || a.t === 'map' || a.t === 'seq') return undefined;
  return (a as { v: unknown }).v === (b as { v: unknown }).v;
}

/** Split a template expression into operands: words, quoted strings and parenthesized groups. */
function operands(expr: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      const j = closing(expr, i);
      if (j < 0) return undefined;
      out.push(expr.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '"' || c === '`') {
      const j = stringEnd(expr, i);
      if (j < 0) return undefined;
      out.push(expr.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < expr.length && !/[\s()"`]/.test(expr[j]!)) j++;
    out.push(expr.slice(i, j));
    i = j;
  }
  return out;
}

/** Index of the quote that closes the string opened at I; -1 when none does. */
function stringEnd(expr: string, i: number): number {
  const quote = expr[i]!;
  for (let j = i + 1; j < expr.length; j++) {
    if (quote === '"' && expr[j] === '\\') j++;
    else if (expr[j] === quote) return j;
  }
  return -1;
}

/** Index of the parenthesis that closes the one at I (strings skipped); -1 when none does. */
function closing(expr: string, i: number): number {
  let depth = 0;
  for (let j = i; j < expr.length; j++) {
    const c = expr[j];
    if (c === '"' || c === '`') {
      j = stringEnd(expr, j);
      if (j < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

/** The commands of a pipeline (`a | b | c`), split at the pipes outside strings and parentheses. */
function pipeline(expr: string): string[] | undefined {
  const out: string[] = [];
  let start = 0;
  for (let j = 0; j < expr.length; j++) {
    const c = expr[j];
    if (c === '"' || c === '`') j = stringEnd(expr, j);
    else if (c === '(') j = closing(expr, j);
    if (j < 0) return undefined;
    if (c === '|') {
      out.push(expr.slice(start, j));
      start = j + 1;
    }
  }
  out.push(expr.slice(start));
  return out.map((c) => c.trim());
}

/** How deep `include`s of defines with a render condition are followed. */
const INCLUDE_DEPTH = 4;
const VALUES_ROOT = /^\$?\.Values$/;
const VALUES_PATH = /^\$?\.Values\.([A-Za-z0-9_.]+)$/;

/** The value of one operand: a literal, a `.Values` path, a parenthesized pipeline. */
function operandVal(op: string, values: ReleaseValues, depth: number): Val | undefined {
  if (op.startsWith('(')) return pipelineVal(op.slice(1, -1), values, depth);
  if (op.startsWith('"')) {
    try {
      return { t: 'str', v: JSON.parse(op) as string };
    } catch {
      return undefined;
    }
  }
  if (op.startsWith('`')) return { t: 'str', v: op.slice(1, -1) };
  if (op === 'true' || op === 'false') return { t: 'bool', v: op === 'true' };
  if (op === 'nil') return NIL;
  if (/^-?\d+$/.test(op)) return { t: 'int', v: Number(op) };
  if (/^-?\d+\.\d+$/.test(op)) return { t: 'float', v: Number(op) };
  const m = VALUES_PATH.exec(op);
  if (m) return nodeVal(values.lookup(m[1]!), m[1]!);
  // `.Values` itself: a map as the layers merge it (for `hasKey .Values "x"`), when the values say what it holds.
  if (VALUES_ROOT.test(op) && values.keys) return nodeVal(values.lookup(''), '');
  return undefined;
}

/** A pipeline's value: each command after the first gets the value before it as its last argument. */
function pipelineVal(expr: string, values: ReleaseValues, depth: number): Val | undefined {
  const commands = pipeline(expr.trim());
  if (!commands || commands.some((c) => c === '')) return undefined;
  let piped: Val | undefined | null = null;
  for (const command of commands) {
    const ops = operands(command);
    if (!ops || ops.length === 0) return undefined;
    piped = commandVal(ops, piped, values, depth);
    if (piped === undefined) return undefined;
  }
  return piped ?? undefined;
}

/** One command (`default true .Values.x`, `.Values.x`); PIPED: the value piped in (null when none). */
function commandVal(ops: string[], piped: Val | null, values: ReleaseValues, depth: number): Val | undefined {
  const [head, ...rest] = ops as [string, ...string[]];
  const args = (): (Val | undefined)[] => [...rest.map((r) => operandVal(r, values, depth)), ...(piped ? [piped] : [])];
  const n = rest.length + (piped ? 1 : 0);
  switch (head) {
    case 'not':
    case 'empty': {
      if (n !== 1) return undefined;
      const truth = truthOf(args()[0], values);
      return truth === undefined ? undefined : { t: 'bool', v: !truth };
    }
    case 'and':
    case 'or': {
      if (n < 2) return undefined;
      // Truth is enough here: `and` is false when any argument is, `or` true when any is, whatever comes before.
      const truths = args().map((a) => truthOf(a, values));
      const decisive = head === 'or';
      if (truths.includes(decisive)) return { t: 'bool', v: decisive };
      return truths.includes(undefined) ? undefined : { t: 'bool', v: !decisive };
    }
    case 'eq':
    case 'ne': {
      if (n < 2 || (head === 'ne' && n !== 2)) return undefined;
      const [first, ...others] = args();
      // `eq a b c` is a == b || a == c.
      const results = others.map((o) => equal(first, o));
      const any = results.includes(true) ? true : results.includes(undefined) ? undefined : false;
      return any === undefined ? undefined : { t: 'bool', v: head === 'eq' ? any : !any };
    }
    case 'default': {
      // sprig: `default D GIVEN` is GIVEN unless it is empty (nil, false, 0, "", an empty map or list), else D.
      if (n !== 2) return n === 1 ? args()[0] : undefined;
      const [fallback, given] = args();
      const truth = truthOf(given, values);
      return truth === undefined ? undefined : truth ? given : fallback;
    }
    case 'coalesce': {
      for (const a of args()) {
        const truth = truthOf(a, values);
        if (truth === undefined) return undefined;
        if (truth) return a;
      }
      return NIL;
    }
    case 'required': {
      // The value, or the render fails: a failed render is not a decision.
      if (n !== 2) return undefined;
      const given = args()[1];
      return truthOf(given, values) === true ? given : undefined;
    }
    case 'hasKey': {
      if (n !== 2) return undefined;
      const [map, key] = args();
      if (map?.t !== 'map' || key?.t !== 'str') return undefined;
      const set = mapKeys(values, map).get(key.v);
      return set === false ? undefined : { t: 'bool', v: set === true };
    }
    case 'index': {
      // `index .Values "auth" "existingSecret"`: a `.Values` path spelled as keys.
      if (piped || rest.length < 2) return undefined;
      const root = rest[0]!;
      const base = VALUES_ROOT.test(root) ? '' : VALUES_PATH.exec(root)?.[1];
      const keys = rest.slice(1).map((r) => (/^"[A-Za-z0-9_-]+"$/.test(r) ? r.slice(1, -1) : undefined));
      if (base === undefined || keys.includes(undefined)) return undefined;
      const path = [base, ...keys].filter(Boolean).join('.');
      return nodeVal(values.lookup(path), path);
    }
    case 'include': {
      // `include "x.createSecret" .`: the text its define renders, with the same root.
      if (piped || rest.length !== 2 || !/^"[^"]+"$/.test(rest[0]!) || (rest[1] !== '.' && rest[1] !== '$') || depth >= INCLUDE_DEPTH) return undefined;
      const name = rest[0]!.slice(1, -1);
      const output = values.output?.(name);
      if (output) {
        const truth = evaluate(output.condition, values, depth + 1);
        return truth === undefined ? undefined : { t: 'str', v: truth ? output.then : output.else };
      }
      const condition = values.define?.(name);
      if (condition === undefined) return undefined;
      const truth = evaluate(condition, values, depth + 1);
      return truth === undefined ? undefined : { t: 'truth', v: truth };
    }
  }
  if (rest.length === 0 && !piped) return operandVal(head, values, depth);
  return undefined;
}

/** The truth of an `if`/`with` expression under VALUES; undefined when not known. */
export function evaluate(expr: string, values: ReleaseValues, depth = 0): boolean | undefined {
  return truthOf(pipelineVal(expr, values, depth), values);
}

/**
 * Whether the release renders the object at LINE: false only when an enclosing `if`/`with` is known false under its
 * values (or the `if` is known true around an `else` branch).
 */
export function renderedBy(helm: HelmInfo | undefined, line: number, values: ReleaseValues): boolean {
  return blockingGuard(helm, line, values) === undefined;
}

/** `.a.b` fields of the dot (not `$.x`, `.Values.x`, `.Release.x` ...) in an expression: they read the `with` block's value. */
const DOT_FIELD = /(^|[\s(])\.(?!(?:Values|Release|Chart|Capabilities|Files|Template)\b)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g;

/**
 * The enclosing `if`/`with` action that keeps the release from rendering LINE, with the value it has: `if not
 * .Values.auth.existingSecret` false, or an `if` true around the `else` branch LINE is in. Undefined when every one
 * renders it or cannot be decided. Inside `with .Values.auth` the
 * dot's fields are that path's (`if not .existingSecret`); inside a `range`, or a `with` over anything else, an
 * expression that reads the dot is not decided.
 */
export function blockingGuard(helm: HelmInfo | undefined, line: number, values: ReleaseValues): { action: string; value: boolean } | undefined {
  return guardAmong(enclosingBlocks(helm, line), values);
}

/** An `if`/`with`/`range` block around a line, as blockingGuard reads it (its expression with the dot resolved). */
export interface EnclosingBlock {
  keyword: string;
  /** The expression with the dot's fields spelled as `.Values` paths; '' when the dot is not known. */
  expr: string;
  inElse: boolean;
  elseIf: boolean;
  action: string;
  /** Line of the action that opened the block, and of the `else` LINE sits after, if any. */
  key: string;
}

/** The blocks around LINE, outermost first: what does not depend on a release's values (see blockingGuard). */
export function enclosingBlocks(helm: HelmInfo | undefined, line: number): EnclosingBlock[] {
  // dot: the `.Values` path the dot stands for in the block ('' for the chart's top scope); undefined when not known.
  const stack: (EnclosingBlock & { dot: string | undefined })[] = [];
  for (const c of helm?.controls ?? []) {
    if (c.line >= line) break;
    // The action's text: `if .Values.a`, `with .Values.b`, `else`, `else if .Values.c`.
    const body = c.expr.trim().replace(/^(?:else\s+)?(?:if|with|range)\b/, '').replace(/^else\b/, '').trim();
    const outer = stack.length ? stack[stack.length - 1]!.dot : '';
    if (c.keyword === 'if' || c.keyword === 'with' || c.keyword === 'range') {
      const expr = withDot(body, outer);
      const path = c.keyword === 'with' && expr !== undefined ? VALUES_PATH.exec(expr.trim())?.[1] : undefined;
      const dot = c.keyword === 'if' ? outer : path !== undefined ? path : undefined;
      stack.push({ keyword: c.keyword, expr: expr ?? '', inElse: false, elseIf: false, dot, action: c.expr.trim(), key: String(c.line) });
    } else if (c.keyword === 'end') stack.pop();
    else if (c.keyword === 'else' && stack.length) {
      const top = stack[stack.length - 1]!;
      top.inElse = true;
      top.key = `${top.key.split('/')[0]}/${c.line}`;
      if (body || /^else\s+(if|with)\b/.test(c.expr.trim())) top.elseIf = true;
      // An else branch of a `with` runs with the outer dot.
      if (top.keyword === 'with') top.dot = stack.length > 1 ? stack[stack.length - 2]!.dot : '';
    }
  }
  return stack;
}

/** The first of BLOCKS that keeps a release with VALUES from rendering what they enclose (see blockingGuard). */
export function guardAmong(blocks: readonly EnclosingBlock[], values: ReleaseValues): { action: string; value: boolean } | undefined {
  for (const block of blocks) {
    if (block.keyword === 'range' || !block.expr) continue;
    const truth = evaluate(block.expr, values);
    if (truth === undefined) continue;
    // An `else if` branch: known not rendered when the first `if` is true (what it says itself is not read).
    if (block.elseIf || block.inElse ? truth : !truth) return { action: block.action, value: truth };
  }
  return undefined;
}

/** EXPR with the dot's fields spelled as `.Values` paths (DOT: the path the dot stands for); undefined when the dot is not known. */
function withDot(expr: string, dot: string | undefined): string | undefined {
  if (dot === '') return expr;
  // `include "x" .` under a with renders the define with the with's value as its root: not what its condition reads.
  if (/\binclude\b/.test(expr)) return undefined;
  let unknown = false;
  const out = expr.replace(DOT_FIELD, (_all, lead: string, field: string) => {
    if (dot === undefined) unknown = true;
    return `${lead}.Values.${dot}.${field}`;
  });
  return unknown ? undefined : out;
}

/** The `.Values` path of the innermost plain `{{ if .Values.x }}` around LINE (no else branch): the chart's switch for it. */
export function toggleOf(helm: HelmInfo | undefined, line: number): string | undefined {
  const stack: { path?: string }[] = [];
  for (const c of helm?.controls ?? []) {
    if (c.line >= line) break;
    if (c.keyword === 'if' || c.keyword === 'with' || c.keyword === 'range') {
      const m = c.keyword === 'if' ? VALUES_PATH.exec(c.expr.trim().replace(/^if\s+/, '')) : null;
      stack.push({ path: m?.[1] });
    } else if (c.keyword === 'end') stack.pop();
    else if (c.keyword === 'else' && stack.length) stack[stack.length - 1] = {};
  }
  return [...stack].reverse().find((b) => b.path)?.path;
}

const VALUES_REF = /^\{\{-?\s*\$?\.Values\.([A-Za-z0-9_.]+)\s*(?:\|\s*(?:quote|squote|toString|trim)\s*)?(?:\|\s*default\s+"([^"]*)"\s*)?(?:\|\s*(?:quote|squote)\s*)?-?\}\}$/;

/** A scalar as the release renders it: literal text, or a single `.Values` lookup (with `default`); else undefined. */
export function resolveInRelease(value: string | undefined, values: ReleaseValues): string | undefined {
  if (value === undefined) return undefined;
  if (!value.includes('{{')) return value;
  const m = VALUES_REF.exec(value.trim());
  if (!m) return undefined;
  const node = values.lookup(m[1]!);
  if (isScalar(node) && node.value !== null && String(node.value) !== '' && !String(node.value).includes('{{')) return String(node.value);
  return m[2] || undefined;
}
