/**
 * What a Terraform module commits into a cluster through the Kubernetes and Helm providers: the Secrets it declares
 * (`kubernetes_secret`, `kubernetes_secret_v1`, `kubernetes_manifest` of kind Secret, `kubectl_manifest` yaml_body) and
 * the values its `helm_release`s set (`set`/`set_sensitive` blocks or lists, `values = [<<EOT … EOT, yamlencode({…})]`).
 * Each is turned into footprint's own YAML tree (positioned in the .tf file), so the rules judge it as they judge a
 * Secret manifest or a values file. HCL expressions that are not literals (`var.x`, `random_password.y.result`,
 * function calls) become `${…}` placeholders: what they hold is not in the file.
 */
import { parseYaml } from '../yaml/parse.js';
import { get, getStr, isMap, type PEntry, type PMap, type PNode, type PScalar } from '../yaml/model.js';
import { shiftedNode, setNameSegments } from '../k8s/values-blocks.js';
import { blockEnd, expressionEnd, stringEnd } from './terraform.js';

export interface TerraformKubernetesSecret {
  /** `kubernetes_secret`, `kubernetes_secret_v1`, `kubernetes_manifest`, `kubectl_manifest`. */
  resource: string;
  label: string;
  /** The Secret as a manifest would spell it: the provider's plaintext `data` as stringData, `binary_data` as data. */
  node: PMap;
  name?: string;
  namespace?: string;
  line: number;
  column: number;
  /** Line of the resource block's closing brace. */
  endLine: number;
}

/** An object other than a Secret a kubernetes_manifest or kubectl_manifest applies (a CNPG Cluster ...): literal apiVersion and kind. */
export interface TerraformKubernetesObject {
  resource: string;
  label: string;
  apiVersion: string;
  kind: string;
  name?: string;
  line: number;
}

export interface TerraformHelmRelease {
  label: string;
  /** The release name when literal. */
  name?: string;
  namespace?: string;
  /** The chart as written when literal: `postgresql`, `oci://registry-1.docker.io/bitnamicharts/postgresql`, `${path.module}/charts/app`. */
  chart?: string;
  /**
   * Files its `values` list loads (`file("${path.module}/values/x.yaml")`, `templatefile(…)`), relative to the module
   * folder (`path.module`, `path.root` and plain relative paths alike: the folder the .tf file is in).
   */
  valueFiles?: TerraformValuesFile[];
  /** Values trees: the `set`/`set_sensitive` entries as one nested map, then each inline `values` document. */
  roots: PNode[];
  line: number;
  /** Line of the resource block's closing brace. */
  endLine: number;
}

/** A file a release's values list loads: by path, or through `data.template_file.<label>.rendered` (resolved in the module folder). */
export interface TerraformValuesFile {
  /** Relative to the module folder; absent for a template_file data source. */
  path?: string;
  /** The label of `data "template_file" "<label>"` whose rendered text is the item. */
  templateData?: string;
  templated: boolean;
  line: number;
}

export const TERRAFORM_K8S_PREFILTER = /resource\s+"(kubernetes_secret(_v1)?|kubernetes_manifest|kubectl_manifest|helm_release)"/;

/** 1-based line and column of offsets, any order. */
function positions(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

type At = ReturnType<typeof positions>;

interface HclItem {
  /** An attribute (`key = expr`) or a nested block (`type "label" { … }`). */
  kind: 'attribute' | 'block';
  key: string;
  /** Offset of the key. */
  at: number;
  /** Attribute: the expression's span. Block: the span inside its braces. */
  start: number;
  end: number;
}

/** End of an expression starting at START, within END: a newline or a comma outside brackets, strings and heredocs. */
function expressionStop(text: string, start: number, end: number): number {
  return expressionEnd(text, start, end, { comma: true, throughComment: true });
}

const ATTRIBUTE = /^"?([A-Za-z_][A-Za-z0-9_.\-/]*)"?[ \t]*[=:](?!=)[ \t]*/;
const BLOCK = /^([A-Za-z_][A-Za-z0-9_-]*)((?:[ \t]+"[^"\n]*")*)[ \t]*\{/;

/** The attributes and blocks of an HCL body (or object) between START and END. */
function hclItems(text: string, start: number, end: number): HclItem[] {
  const out: HclItem[] = [];
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? end : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? end : close + 2;
      continue;
    }
    const rest = text.slice(i, Math.min(end, i + 300));
    const attribute = ATTRIBUTE.exec(rest);
    if (attribute) {
      const exprStart = i + attribute[0].length;
      const stop = expressionStop(text, exprStart, end);
      out.push({ kind: 'attribute', key: attribute[1]!, at: i, start: exprStart, end: stop });
      i = Math.max(stop, i + 1);
      continue;
    }
    const block = BLOCK.exec(rest);
    if (block) {
      const open = i + block[0].length - 1;
      const close = Math.min(blockEnd(text, open), end);
      // A labelled block (`dynamic "set" { … }`) is keyed with its label: never mistaken for the bare block.
      const label = /"([^"\n]*)"/.exec(block[2] ?? '')?.[1];
      out.push({ kind: 'block', key: label !== undefined ? `${block[1]!} ${label}` : block[1]!, at: i, start: open + 1, end: close - 1 });
      i = close;
      continue;
    }
    const nl = text.indexOf('\n', i);
    i = nl < 0 || nl >= end ? end : nl + 1;
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(["\\nrt])/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch === 't' ? '\t' : ch));
}

/** A heredoc's content (leading indentation stripped for `<<-`), and the offset of its first line. */
function heredocText(text: string, start: number): { content: string; bodyStart: number } | undefined {
  const opener = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(start, start + 80));
  if (!opener) return undefined;
  const bodyStart = start + opener[0].length;
  const close = new RegExp(`^[ \\t]*${opener[2]}[ \\t]*$`, 'm').exec(text.slice(bodyStart));
  const body = close ? text.slice(bodyStart, bodyStart + close.index) : text.slice(bodyStart);
  const lines = body.replace(/\r?\n$/, '').split(/\r?\n/);
  if (opener[1] !== '-') return { content: lines.join('\n'), bodyStart };
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return { content: lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n'), bodyStart };
}

const ENCODERS = /^(?:yamlencode|jsonencode|tomap)\(\s*([\[{][\s\S]*[\]}])\s*\)$/;

/** An HCL expression as a YAML tree node; references and calls become `${…}` placeholders. */
function expressionNode(text: string, start: number, end: number, at: At): PNode {
  const raw = text.slice(start, end);
  const lead = raw.length - raw.trimStart().length;
  const expr = raw.trim();
  const { line, column } = at(start + lead);
  const scalar = (value: PScalar['value'], style: PScalar['style'], endLine = line): PScalar => ({ t: 'scalar', value, style, line, column, endLine });
  if (expr.startsWith('"') && stringEnd(text, start + lead) >= start + lead + expr.length) return scalar(unescape(expr.slice(1, -1)), 'quoted');
  if (expr.startsWith('<<')) {
    const doc = heredocText(text, start + lead);
    if (doc) return scalar(doc.content, 'block', at(start + lead + expr.length).line);
  }
  if (expr.startsWith('{') && expr.endsWith('}')) {
    const open = start + lead;
    return objectNode(text, open + 1, open + expr.length - 1, at, line, column);
  }
  if (expr.startsWith('[') && expr.endsWith(']')) {
    const open = start + lead;
    const items: PNode[] = [];
    for (let i = open + 1; i < open + expr.length - 1; ) {
      while (i < open + expr.length - 1 && /[\s,]/.test(text[i]!)) i++;
      if (i >= open + expr.length - 1) break;
      const stop = expressionStop(text, i, open + expr.length - 1);
      if (stop > i) items.push(expressionNode(text, i, stop, at));
      i = Math.max(stop, i + 1);
    }
    return { t: 'seq', items, line, column, endLine: at(open + expr.length).line };
  }
  const encoded = ENCODERS.exec(expr);
  if (encoded) {
    const inner = start + lead + expr.indexOf(encoded[1]!);
    return expressionNode(text, inner, inner + encoded[1]!.length, at);
  }
  if (/^-?\d+(\.\d+)?$/.test(expr)) return scalar(Number(expr), 'plain');
  if (expr === 'true' || expr === 'false') return scalar(expr === 'true', 'plain');
  if (expr === 'null') return scalar(null, 'plain');
  return scalar(`\${${expr}}`, 'plain');
}

function objectNode(text: string, start: number, end: number, at: At, line: number, column: number): PMap {
  const entries: PEntry[] = [];
  for (const item of hclItems(text, start, end)) {
    const pos = at(item.at);
    const value = item.kind === 'attribute' ? expressionNode(text, item.start, item.end, at) : objectNode(text, item.start, item.end, at, pos.line, pos.column);
    entries.push({ key: item.key, line: pos.line, column: pos.column, value });
  }
  return { t: 'map', entries, line, column, endLine: at(end).line };
}

/** A YAML document written in a heredoc (or a quoted string) of the .tf file, positioned in it. */
function yamlDocsIn(text: string, start: number, end: number, at: At): PNode[] {
  const expr = text.slice(start, end).trim();
  const offset = start + (text.slice(start, end).length - text.slice(start, end).trimStart().length);
  let content: string | undefined;
  let firstLine: number;
  let indent = 0;
  if (expr.startsWith('<<')) {
    const doc = heredocText(text, offset);
    if (!doc) return [];
    content = doc.content;
    firstLine = at(doc.bodyStart).line;
    const original = text.slice(doc.bodyStart, doc.bodyStart + 200).split('\n')[0] ?? '';
    const stripped = content.split('\n')[0] ?? '';
    indent = original.length - stripped.length;
  } else if (expr.startsWith('"') && expr.includes('\\n')) {
    content = unescape(expr.slice(1, -1));
    firstLine = at(offset).line;
  } else return [];
  if (!/[:\-]/.test(content)) return [];
  const parsed = parseYaml(content);
  return parsed.docs.filter((d) => d.root && !d.error && (d.root.t === 'map' || d.root.t === 'seq')).map((d) => shiftedNode(d.root!, firstLine - 1, Math.max(0, indent)));
}

function attributeOf(items: HclItem[], key: string): HclItem | undefined {
  return items.find((i) => i.kind === 'attribute' && i.key === key);
}

function literalString(node: PNode | undefined | null): string | undefined {
  return node?.t === 'scalar' && typeof node.value === 'string' && !node.value.includes('${') ? node.value : undefined;
}

/** `set { name, value }` blocks and `set = [{ name, value }]` lists as one nested values map. */
function setTree(text: string, items: HclItem[], at: At): PMap | undefined {
  const pairs: { name: string; value: PNode; line: number; column: number }[] = [];
  for (const item of items) {
    const kind = item.key;
    if (!['set', 'set_sensitive', 'set_string'].includes(kind)) continue;
    const objects =
      item.kind === 'block'
        ? [objectNode(text, item.start, item.end, at, at(item.at).line, at(item.at).column)]
        : (() => {
            const node = expressionNode(text, item.start, item.end, at);
            return node.t === 'seq' ? node.items.filter((n): n is PMap => isMap(n)) : [];
          })();
    for (const object of objects) {
      const name = literalString(get(object, 'name'));
      const valueEntry = object.entries.find((e) => e.key === 'value');
      if (!name || !valueEntry?.value) continue;
      pairs.push({ name, value: valueEntry.value, line: valueEntry.line, column: valueEntry.column });
    }
  }
  if (pairs.length === 0) return undefined;
  const root: PMap = { t: 'map', entries: [], line: pairs[0]!.line, column: pairs[0]!.column, endLine: pairs[pairs.length - 1]!.line };
  for (const pair of pairs) {
    const path = setNameSegments(pair.name);
    if (path.length === 0) continue;
    let map = root;
    for (const segment of path.slice(0, -1)) {
      let next = map.entries.find((e) => e.key === segment)?.value;
      if (!isMap(next)) {
        next = { t: 'map', entries: [], line: pair.line, column: pair.column, endLine: pair.line };
        map.entries.push({ key: segment, line: pair.line, column: pair.column, value: next });
      }
      map = next;
    }
    map.entries.push({ key: path[path.length - 1]!, line: pair.line, column: pair.column, value: pair.value });
  }
  return root;
}

/** The Secret a `kubernetes_secret(_v1)` declares, as a manifest tree. */
function declaredSecret(text: string, items: HclItem[], at: At, line: number, column: number): PMap {
  const entries: PEntry[] = [
    { key: 'apiVersion', line, column, value: { t: 'scalar', value: 'v1', style: 'plain', line, column, endLine: line } },
    { key: 'kind', line, column, value: { t: 'scalar', value: 'Secret', style: 'plain', line, column, endLine: line } },
  ];
  const field = (key: string): PNode | undefined => {
    const item = items.find((i) => i.key === key);
    if (!item) return undefined;
    const pos = at(item.at);
    return item.kind === 'block' ? objectNode(text, item.start, item.end, at, pos.line, pos.column) : expressionNode(text, item.start, item.end, at);
  };
  const push = (key: string, value: PNode | undefined) => {
    if (value) entries.push({ key, line: value.line, column: value.column, value });
  };
  push('metadata', field('metadata'));
  push('type', field('type'));
  // The provider base64-encodes `data` itself: its values are the plaintext a manifest's stringData holds. `data_wo`
  // is its write-only form (kept out of the state, still literal in git); `string_data` is how people often spell it.
  push('stringData', field('data') ?? field('data_wo') ?? field('string_data'));
  push('data', field('binary_data'));
  return { t: 'map', entries, line, column, endLine: line };
}

/** `file("…")` / `templatefile("…", {…})`, alone or wrapped (`"${file(…)}"`, `yamlencode(yamldecode(file(…)))`). */
const LOADED_FILE = /^(?:"\$\{\s*)?(?:[a-z]+\(\s*)*?\b(file|templatefile)\(\s*"((?:[^"\\$]|\\.|\$\{[^}"]*\})*)"\s*[,)]/;

/**
 * The module-relative path of a values file a `values` item loads; undefined for anything else, and for a path that
 * interpolates more than `path.module`/`path.root`/`path.cwd` (`${var.env}.yaml`: which one is not in the file).
 */
export function loadedFile(expression: string): { path: string; templated: boolean } | undefined {
  const m = LOADED_FILE.exec(expression.trim());
  if (!m) return undefined;
  const path = m[2]!.replace(/^\$\{path\.(module|root|cwd)\}\/?/, '');
  if (path.includes('${') || path === '' || path.startsWith('/')) return undefined;
  return { path: path.replace(/^\.\//, ''), templated: m[1] === 'templatefile' };
}

const RESOURCE_HEAD = /^[ \t]*resource[ \t]+"(kubernetes_secret(?:_v1)?|kubernetes_manifest|kubectl_manifest|helm_release)"[ \t]+"([A-Za-z0-9_-]+)"[ \t]*\{/gm;

export function parseTerraformKubernetes(text: string): { secrets: TerraformKubernetesSecret[]; releases: TerraformHelmRelease[]; objects: TerraformKubernetesObject[] } {
  const secrets: TerraformKubernetesSecret[] = [];
  const objects: TerraformKubernetesObject[] = [];
  const releases: TerraformHelmRelease[] = [];
  const at = positions(text);
  RESOURCE_HEAD.lastIndex = 0;
  for (let m = RESOURCE_HEAD.exec(text); m; m = RESOURCE_HEAD.exec(text)) {
    const type = m[1]!;
    const label = m[2]!;
    const open = m.index + m[0].length - 1;
    const end = blockEnd(text, open);
    const items = hclItems(text, open + 1, end - 1);
    const head = m.index + (m[0].length - m[0].trimStart().length);
    const { line, column } = at(head);
    const addSecret = (node: PMap) => {
      const kind = literalString(get(node, 'kind'));
      const apiVersion = literalString(get(node, 'apiVersion'));
      if (kind && apiVersion && kind !== 'Secret') {
        const name = literalString(get(node, 'metadata.name'));
        objects.push({ resource: type, label, apiVersion, kind, ...(name ? { name } : {}), line });
      }
      if (getStr(node, 'kind') !== 'Secret') return;
      const name = literalString(get(node, 'metadata.name'));
      const namespace = literalString(get(node, 'metadata.namespace'));
      secrets.push({ resource: type, label, node, ...(name ? { name } : {}), ...(namespace ? { namespace } : {}), line, column, endLine: at(end - 1).line });
    };
    if (type === 'kubernetes_secret' || type === 'kubernetes_secret_v1') {
      addSecret(declaredSecret(text, items, at, line, column));
    } else if (type === 'kubernetes_manifest') {
      const manifest = attributeOf(items, 'manifest');
      if (manifest) {
        const expr = text.slice(manifest.start, manifest.end).trim();
        const decoded = /^yamldecode\(\s*(<<-?[A-Za-z_][\s\S]*)\)$/.exec(expr);
        if (decoded) {
          const inner = manifest.start + text.slice(manifest.start, manifest.end).indexOf(decoded[1]!);
          for (const doc of yamlDocsIn(text, inner, inner + decoded[1]!.length, at)) if (isMap(doc)) addSecret(doc);
        } else {
          const node = expressionNode(text, manifest.start, manifest.end, at);
          if (isMap(node)) addSecret(node);
        }
      }
    } else if (type === 'kubectl_manifest') {
      const body = attributeOf(items, 'yaml_body');
      const encoded = body ? expressionNode(text, body.start, body.end, at) : undefined;
      // `yaml_body = yamlencode({ … })`: the object itself; else a heredoc or string of YAML.
      if (encoded && isMap(encoded)) addSecret(encoded);
      else if (body) for (const doc of yamlDocsIn(text, body.start, body.end, at)) if (isMap(doc)) addSecret(doc);
    } else {
      const roots: PNode[] = [];
      const valueFiles: NonNullable<TerraformHelmRelease['valueFiles']> = [];
      const sets = setTree(text, items, at);
      if (sets) roots.push(sets);
      const values = attributeOf(items, 'values');
      if (values) {
        const raw = text.slice(values.start, values.end);
        const open = values.start + (raw.length - raw.trimStart().length);
        const close = values.start + raw.trimEnd().length - 1;
        // Each item of the list: a heredoc or string of YAML, or an encoded HCL object (`yamlencode({ … })`).
        if (text[open] === '[' && text[close] === ']') {
          for (let j = open + 1; j < close; ) {
            while (j < close && /[\s,]/.test(text[j]!)) j++;
            if (j >= close) break;
            const stop = expressionStop(text, j, close);
            const item = text.slice(j, stop).trim();
            const rendered = /^(?:"\$\{\s*)?data\.template_file\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.rendered(?:\s*\}")?$/.exec(item);
            const loaded = rendered ? { templateData: rendered[1]!, templated: true } : loadedFile(item);
            if (loaded) {
              valueFiles.push({ ...loaded, line: at(j).line });
              j = Math.max(stop, j + 1);
              continue;
            }
            const node = expressionNode(text, j, stop, at);
            if (node.t === 'scalar' && typeof node.value === 'string') roots.push(...yamlDocsIn(text, j, stop, at));
            else if (node.t === 'map') roots.push(node);
            j = Math.max(stop, j + 1);
          }
        }
      }
      const literalAttribute = (key: string) => {
        const item = attributeOf(items, key);
        return item ? literalString(expressionNode(text, item.start, item.end, at)) : undefined;
      };
      const name = literalAttribute('name');
      const namespace = literalAttribute('namespace');
      const chartItem = attributeOf(items, 'chart');
      const chart = chartItem ? /^"((?:[^"\\]|\$\{[^}"]*\})*)"$/.exec(text.slice(chartItem.start, chartItem.end).trim())?.[1] : undefined;
      releases.push({
        label,
        ...(name ? { name } : {}),
        ...(namespace ? { namespace } : {}),
        ...(chart ? { chart } : {}),
        ...(valueFiles.length > 0 ? { valueFiles } : {}),
        roots,
        line,
        endLine: at(end - 1).line,
      });
    }
    RESOURCE_HEAD.lastIndex = Math.max(RESOURCE_HEAD.lastIndex, end);
  }
  return { secrets, releases, objects };
}
