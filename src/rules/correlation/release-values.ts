/**
 * A chart template as one Helm release renders it: the release's values layered over the chart's values.yaml (its
 * values files in order, then values it carries inline), the `if`/`with` blocks around an object evaluated against
 * them, and single `.Values` lookups resolved. Only what is known for sure counts: any expression this does not read
 * is taken as rendered and any value it cannot resolve as unknown.
 */
import type { HelmInfo } from '../../analyzers/yaml.js';
import { NamedTemplates } from '../../k8s/named-templates.js';
import { resourceValuesBlocks } from '../../k8s/values-blocks.js';
import type { HelmReleaseInfo } from '../../scan/deployment-graph.js';
import type { Project } from '../../scan/project.js';
import { get, isMap, isScalar, isSeq, seqItems, type PNode } from '../../yaml/model.js';

export interface ReleaseValues {
  /** The value at a dotted `.Values` path: the node of the highest layer that has it; null when no layer does. */
  lookup(path: string): PNode | null | undefined;
  /** The condition under which the named template NAME renders text (NamedTemplate.condition), when known. */
  define?(name: string): string | undefined;
}

/** Values trees of a release, highest precedence first, and the render conditions of the defines its chart includes. */
export function releaseValues(project: Project, release: HelmReleaseInfo, chartRoot: string): ReleaseValues {
  const layers: PNode[] = [];
  layers.push(...inlineValues(project, release));
  for (const file of [...release.values].reverse()) {
    const root = project.yamlFiles[project.yamlFileIndex(file)]?.model.docs[0]?.root;
    if (root) layers.push(root);
  }
  const defaults = project.chartDefaults(chartRoot)?.docs[0]?.root;
  if (defaults) layers.push(defaults);
  return {
    define: (name) => namedTemplates(project).find(name, chartRoot)?.template.condition,
    lookup(path) {
      for (const layer of layers) {
        const node = get(layer, path);
        if (node !== undefined) return node;
      }
      return null;
    },
  };
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
  const blocks = resourceValuesBlocks(object.node);
  const rank = (at: string, kind: string) => (kind === 'parameters' ? 0 : /valuesObject$/.test(at) ? 1 : 2);
  return blocks.sort((a, b) => rank(a.at, a.kind) - rank(b.at, b.kind)).map((b) => b.root);
}

/** Go template truthiness of a values node (missing is nil: false). Undefined when a templated scalar decides. */
function truthy(node: PNode | null | undefined): boolean | undefined {
  if (node === undefined || node === null) return false;
  if (isMap(node)) return node.entries.length > 0;
  if (isSeq(node)) return node.items.length > 0;
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || v === false || v === 0 || v === '') return false;
  if (typeof v === 'string' && v.includes('{{')) return undefined;
  return true;
}

const VALUES_PATH = /^\$?\.Values\.([A-Za-z0-9_.]+)$/;

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
      let depth = 0;
      let j = i;
      for (; j < expr.length; j++) {
        if (expr[j] === '(') depth++;
        else if (expr[j] === ')' && --depth === 0) break;
      }
      if (j >= expr.length) return undefined;
      out.push(expr.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '"') {
      const j = expr.indexOf('"', i + 1);
      if (j < 0) return undefined;
      out.push(expr.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < expr.length && !/[\s()"]/.test(expr[j]!)) j++;
    out.push(expr.slice(i, j));
    i = j;
  }
  return out;
}

function scalarOf(values: ReleaseValues, operand: string): string | undefined {
  if (/^".*"$/.test(operand)) return operand.slice(1, -1);
  if (/^(true|false|\d+)$/.test(operand)) return operand;
  const m = VALUES_PATH.exec(operand);
  if (!m) return undefined;
  const node = values.lookup(m[1]!);
  if (node === null || node === undefined) return '';
  if (!isScalar(node)) return undefined;
  if (node.value === null) return '';
  const text = String(node.value);
  return text.includes('{{') ? undefined : text;
}

/** How deep `include`s of defines with a render condition are followed. */
const INCLUDE_DEPTH = 4;

/** The truth of an `if`/`with` expression under VALUES; undefined when not known. */
export function evaluate(expr: string, values: ReleaseValues, depth = 0): boolean | undefined {
  const text = expr.trim().replace(/^\((.*)\)$/s, '$1').trim();
  if (text.includes('|')) return undefined;
  const ops = operands(text);
  if (!ops || ops.length === 0) return undefined;
  const [head, ...rest] = ops;
  // `include "x.createSecret" .`: renders text (truthy) exactly when its define's condition holds, with the same root.
  if (head === 'include' && rest.length === 2 && /^"[^"]+"$/.test(rest[0]!) && (rest[1] === '.' || rest[1] === '$')) {
    const condition = depth < INCLUDE_DEPTH ? values.define?.(rest[0]!.slice(1, -1)) : undefined;
    return condition === undefined ? undefined : evaluate(condition, values, depth + 1);
  }
  if (ops.length === 1) {
    if (head!.startsWith('(')) return evaluate(head!, values, depth);
    const m = VALUES_PATH.exec(head!);
    return m ? truthy(values.lookup(m[1]!)) : undefined;
  }
  if ((head === 'not' || head === 'empty') && rest.length === 1) {
    const inner = evaluate(rest[0]!, values, depth);
    return inner === undefined ? undefined : !inner;
  }
  if ((head === 'and' || head === 'or') && rest.length >= 2) {
    const parts = rest.map((r) => evaluate(r, values, depth));
    if (head === 'and') return parts.includes(false) ? false : parts.includes(undefined) ? undefined : true;
    return parts.includes(true) ? true : parts.includes(undefined) ? undefined : false;
  }
  if ((head === 'eq' || head === 'ne') && rest.length === 2) {
    const [a, b] = rest.map((r) => scalarOf(values, r));
    if (a === undefined || b === undefined) return undefined;
    return head === 'eq' ? a === b : a !== b;
  }
  return undefined;
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
