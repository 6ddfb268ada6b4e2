/**
 * Helm values that live outside values files: GitOps wrappers carry them inline.
 *
 *  - Flux `HelmRelease` `spec.values` (map); Flux `Kustomization` `spec.postBuild.substitute` (variables fed into manifests)
 *  - Argo CD `Application` / `ApplicationSet` `spec.source(s).helm`: `values` (a YAML *string*), `valuesObject` (map),
 *    `parameters` ([{name: a.b.c, value}])
 *  - Helmfile `releases[].values[]` inline maps, `releases[].set[]`/`setString[]` ([{name, value}]), environment values
 *  - Kustomize `helmCharts[].valuesInline`
 *
 * Each block is a values tree positioned in its file: map blocks are the file's own nodes; string blocks are parsed and
 * their positions shifted onto the lines of the block scalar; `name: a.b.c / value` lists become nested maps whose leaves
 * sit on the `value:` entries. Rules treat a block exactly like a values file document.
 */
import { parseYaml } from '../yaml/parse.js';
import { get, getStr, isMap, isScalar, isSeq, seqItems, type PEntry, type PMap, type PNode } from '../yaml/model.js';
import { basename, segments } from '../util/path.js';

export type ValuesBlockKind = 'values' | 'parameters' | 'substitute';

export interface ValuesBlock {
  /** Values tree, positions in file coordinates. */
  root: PNode;
  /**
   * Dotted path of the block inside its document (`spec.values`). For a string block, the path of the string scalar;
   * for a parameters block, the path of the list.
   */
  at: string;
  /** Parsed from a YAML string or synthesized from a name/value list: a walk over the document does not see its keys. */
  detached: boolean;
  kind: ValuesBlockKind;
  /** Who carries the values, for messages: "HelmRelease grafana", "Application db", "helmfile release api". */
  owner: string;
  /** Release (or app) name, for Secret names in remediation snippets. */
  release: string;
  /** The environment the block is written for, when the file names it (helmfile `environments.<name>.values`). */
  environment?: string;
}

/** Pipeline objects whose parameters are given in the file: Tekton runs, tasks, pipelines, trigger templates; Argo Workflows. */
const PIPELINE_KINDS = ['PipelineRun', 'TaskRun', 'Task', 'Pipeline', 'TriggerTemplate', 'Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow'];
const TEKTON = /^(triggers\.)?tekton\.dev\//;
const CROSSPLANE_HELM = /^helm(\.m)?\.crossplane\.io\//;
const FLUX_HELM = /^helm(\.toolkit)?\.fluxcd\.io\//;
const FLUX_KUSTOMIZE = /^kustomize\.toolkit\.fluxcd\.io\//;
const ARGO = /^argoproj\.io\//;
const KUSTOMIZE = /^kustomize\.config\.k8s\.io\//;

const stringBlockCache = new WeakMap<PNode, PNode | null>();

export function shiftedNode(node: PNode, dLine: number, dColumn: number, sameLine?: number): PNode {
  const line = (l: number) => sameLine ?? l + dLine;
  const column = (c: number) => (sameLine !== undefined ? c : c + dColumn);
  const base = { line: line(node.line), column: column(node.column), endLine: line(node.endLine) };
  if (node.t === 'scalar') return { ...node, ...base };
  if (node.t === 'seq') return { ...node, ...base, items: node.items.map((i) => (i ? shiftedNode(i, dLine, dColumn, sameLine) : null)) };
  return {
    ...node,
    ...base,
    entries: node.entries.map((e) => ({ key: e.key, line: line(e.line), column: column(e.column), value: e.value ? shiftedNode(e.value, dLine, dColumn, sameLine) : null })),
  };
}

/**
 * A YAML string value (`values: |`) parsed as a values tree, positioned in the file: a block scalar's content starts on
 * the line after its header, indented past its key (column approximate); a one-line string maps every node to its line.
 */
export function parseValuesString(entry: PEntry): PNode | undefined {
  const node = entry.value;
  if (!isScalar(node) || typeof node.value !== 'string') return undefined;
  if (stringBlockCache.has(node)) return stringBlockCache.get(node) ?? undefined;
  let result: PNode | null = null;
  const text = node.value;
  if (/[:\-]/.test(text)) {
    const parsed = parseYaml(text);
    const doc = parsed.docs.find((d) => d.root && !d.error) ?? undefined;
    if (doc?.root && (isMap(doc.root) || isSeq(doc.root))) {
      result = node.style === 'block' ? shiftedNode(doc.root, node.line, entry.column + 1) : shiftedNode(doc.root, 0, 0, node.line);
    }
  }
  stringBlockCache.set(node, result);
  return result ?? undefined;
}

/** Split a Helm `--set` style name into path segments: `a.b\.c[0].d` -> [a, "b.c", "0", d]. */
export function setNameSegments(name: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '\\' && i + 1 < name.length) {
      current += name[++i];
    } else if (ch === '.') {
      if (current) out.push(current);
      current = '';
    } else if (ch === '[') {
      if (current) out.push(current);
      current = '';
      const close = name.indexOf(']', i);
      if (close < 0) break;
      out.push(name.slice(i + 1, close));
      i = close;
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
  return out;
}

/** `[{name: auth.password, value: x}]` as a nested map whose leaves are the `value:` entries. */
export function nameValueTree(list: PNode | null | undefined): PMap | undefined {
  if (!isSeq(list)) return undefined;
  const root: PMap = { t: 'map', entries: [], line: list.line, column: list.column, endLine: list.endLine };
  // The map made for each name prefix, by its parent: a search of the parent's entries per segment was quadratic in
  // the parameters under one prefix.
  const made = new Map<PMap, Map<string, PMap>>();
  for (const item of seqItems(list)) {
    if (!isMap(item)) continue;
    const name = getStr(item, 'name');
    const valueEntry = item.entries.find((e) => e.key === 'value');
    if (!name || !valueEntry?.value) continue;
    const path = setNameSegments(name);
    if (path.length === 0) continue;
    let map = root;
    for (const segment of path.slice(0, -1)) {
      let children = made.get(map);
      if (!children) made.set(map, (children = new Map()));
      let next = children.get(segment);
      if (!next) {
        next = { t: 'map', entries: [], line: valueEntry.line, column: valueEntry.column, endLine: valueEntry.line };
        map.entries.push({ key: segment, line: item.line, column: item.column, value: next });
        children.set(segment, next);
      }
      map = next;
    }
    map.entries.push({ key: path[path.length - 1]!, line: valueEntry.line, column: valueEntry.column, value: valueEntry.value });
  }
  return root.entries.length ? root : undefined;
}

function helmSourceBlocks(source: PNode | null | undefined, at: string, owner: string, release: string, out: ValuesBlock[]): void {
  const helm = get(source, 'helm');
  if (!isMap(helm)) return;
  const values = helm.entries.find((e) => e.key === 'values');
  if (values?.value) {
    if (isMap(values.value)) out.push({ root: values.value, at: `${at}.helm.values`, detached: false, kind: 'values', owner, release });
    else {
      const parsed = parseValuesString(values);
      if (parsed) out.push({ root: parsed, at: `${at}.helm.values`, detached: true, kind: 'values', owner, release });
    }
  }
  const valuesObject = get(helm, 'valuesObject');
  if (isMap(valuesObject)) out.push({ root: valuesObject, at: `${at}.helm.valuesObject`, detached: false, kind: 'values', owner, release });
  const parameters = nameValueTree(get(helm, 'parameters'));
  if (parameters) out.push({ root: parameters, at: `${at}.helm.parameters`, detached: true, kind: 'parameters', owner, release });
}

function argoSpecBlocks(spec: PNode | null | undefined, prefix: string, owner: string, release: string, out: ValuesBlock[]): void {
  if (!isMap(spec)) return;
  helmSourceBlocks(get(spec, 'source'), `${prefix}.source`, owner, release, out);
  seqItems(get(spec, 'sources')).forEach((s, i) => helmSourceBlocks(s, `${prefix}.sources.${i}`, owner, release, out));
}

function kustomizeHelmCharts(root: PMap, prefix: string, out: ValuesBlock[]): void {
  seqItems(get(root, 'helmCharts')).forEach((chart, i) => {
    const inline = get(chart, 'valuesInline');
    const release = getStr(chart, 'releaseName') ?? getStr(chart, 'name') ?? 'chart';
    if (isMap(inline)) out.push({ root: inline, at: `${prefix}helmCharts.${i}.valuesInline`, detached: false, kind: 'values', owner: `kustomize helmChart ${release}`, release });
  });
}

const BLOCK_KINDS = new Set(['HelmRelease', 'Kustomization', 'Application', 'ApplicationSet', 'Release', ...PIPELINE_KINDS]);

const ELEMENT_LABELS = ['name', 'env', 'environment', 'cluster', 'app', 'stage'];

/**
 * The elements of an ApplicationSet's list generators (nested in matrix and merge generators too): parameters the
 * template substitutes (`value: '{{redisPassword}}'`), committed like Flux postBuild variables.
 */
function listGeneratorElements(generators: PNode | null | undefined, at: string, name: string, out: ValuesBlock[], depth: number): void {
  if (depth > 3) return;
  seqItems(generators).forEach((generator, i) => {
    seqItems(get(generator, 'list.elements')).forEach((element, j) => {
      if (!isMap(element)) return;
      // Named after what tells the elements apart (`env: prod`, `cluster: eu-1`), else its position.
      const label = ELEMENT_LABELS.map((k) => getStr(element, k)).find((v) => v !== undefined && !v.includes('{{')) ?? `#${j + 1}`;
      out.push({ root: element, at: `${at}.${i}.list.elements.${j}`, detached: false, kind: 'substitute', owner: `ApplicationSet ${name} element ${label}`, release: name });
    });
    for (const combine of ['matrix', 'merge']) listGeneratorElements(get(generator, `${combine}.generators`), `${at}.${i}.${combine}.generators`, name, out, depth + 1);
  });
}

/** Values blocks carried by one Kubernetes-shaped object (the object's own node; `prefix` is its dotted path in the document). */
export function resourceValuesBlocks(node: PMap, prefix = '', nameHint?: string): ValuesBlock[] {
  const kind = getStr(node, 'kind') ?? '';
  // Every object of the tree is asked: most are of no kind below.
  if (!BLOCK_KINDS.has(kind)) return [];
  const apiVersion = getStr(node, 'apiVersion') ?? '';
  const name = getStr(node, 'metadata.name') ?? getStr(node, 'metadata.generateName')?.replace(/-$/, '') ?? nameHint ?? kind;
  const p = prefix ? `${prefix}.` : '';
  const out: ValuesBlock[] = [];
  if (kind === 'HelmRelease' && FLUX_HELM.test(apiVersion)) {
    const values = get(node, 'spec.values');
    const release = getStr(node, 'spec.releaseName') ?? name;
    if (isMap(values)) out.push({ root: values, at: `${p}spec.values`, detached: false, kind: 'values', owner: `HelmRelease ${name}`, release });
  } else if (kind === 'Kustomization' && FLUX_KUSTOMIZE.test(apiVersion)) {
    const substitute = get(node, 'spec.postBuild.substitute');
    if (isMap(substitute)) out.push({ root: substitute, at: `${p}spec.postBuild.substitute`, detached: false, kind: 'substitute', owner: `Kustomization ${name}`, release: name });
  } else if (ARGO.test(apiVersion) && kind === 'Application') {
    argoSpecBlocks(get(node, 'spec'), `${p}spec`, `Application ${name}`, name, out);
  } else if (ARGO.test(apiVersion) && kind === 'ApplicationSet') {
    argoSpecBlocks(get(node, 'spec.template.spec'), `${p}spec.template.spec`, `ApplicationSet ${name}`, name, out);
    listGeneratorElements(get(node, 'spec.generators'), `${p}spec.generators`, name, out, 0);
  } else if (kind === 'Kustomization' && KUSTOMIZE.test(apiVersion)) {
    kustomizeHelmCharts(node, p, out);
  } else if (kind === 'Release' && CROSSPLANE_HELM.test(apiVersion)) {
    // provider-helm: `spec.forProvider.values` and `set: [{name, value}]`, as a Helm release's.
    const values = get(node, 'spec.forProvider.values');
    const release = name;
    if (isMap(values)) out.push({ root: values, at: `${p}spec.forProvider.values`, detached: false, kind: 'values', owner: `Release ${name}`, release });
    const set = nameValueTree(get(node, 'spec.forProvider.set'));
    if (set) out.push({ root: set, at: `${p}spec.forProvider.set`, detached: true, kind: 'parameters', owner: `Release ${name}`, release });
  } else if (TEKTON.test(apiVersion)) {
    // A run's `params` give values; a Task's, Pipeline's or TriggerTemplate's give defaults; a Pipeline's tasks pass values.
    const field = kind === 'PipelineRun' || kind === 'TaskRun' ? 'value' : 'default';
    parameterBlock(get(node, 'spec.params'), field, `${p}spec.params`, `${kind} ${name} params`, name, out);
    for (const list of ['tasks', 'finally']) {
      seqItems(get(node, `spec.${list}`)).forEach((task, i) => parameterBlock(get(task, 'params'), 'value', `${p}spec.${list}.${i}.params`, `${kind} ${name} task ${getStr(task, 'name') ?? i + 1} params`, name, out));
    }
  } else if (ARGO.test(apiVersion) && PIPELINE_KINDS.includes(kind)) {
    const spec = kind === 'CronWorkflow' ? 'spec.workflowSpec' : 'spec';
    parameterBlock(get(node, `${spec}.arguments.parameters`), 'value', `${p}${spec}.arguments.parameters`, `${kind} ${name} arguments`, name, out);
  }
  return out;
}

/**
 * `params: [{name: docker-password, value: …}]` (or `default:`) as a values tree keyed by parameter name: what a
 * pipeline run is given in the file. Names are taken whole (`docker-password`, `registry.token`).
 */
function parameterBlock(list: PNode | null | undefined, field: 'value' | 'default', at: string, owner: string, release: string, out: ValuesBlock[]): void {
  if (!isSeq(list)) return;
  const root: PMap = { t: 'map', entries: [], line: list.line, column: list.column, endLine: list.endLine };
  for (const item of seqItems(list)) {
    const name = getStr(item, 'name');
    const entry = isMap(item) ? item.entries.find((e) => e.key === field) : undefined;
    if (name && entry?.value && isScalar(entry.value)) root.entries.push({ key: name, line: entry.line, column: entry.column, value: entry.value });
  }
  if (root.entries.length) out.push({ root, at, detached: true, kind: 'parameters', owner, release });
}

export function isHelmfilePath(path: string): boolean {
  // Both shapes below contain "helmfile": most paths are answered without splitting them.
  if (!/helmfile/i.test(path)) return false;
  const file = basename(path).toLowerCase();
  return /^helmfile([._-].*)?\.ya?ml(\.gotmpl)?$/.test(file) || segments(path).slice(0, -1).some((d) => d.toLowerCase() === 'helmfile.d');
}

/** The three names kustomize reads a kustomization from: `kustomization.yaml`, `kustomization.yml`, `Kustomization`. */
export function isKustomizationPath(path: string): boolean {
  const file = basename(path);
  return /^kustomization\.ya?ml$/i.test(file) || file === 'Kustomization';
}

/**
 * Values blocks of a whole document that is not a Kubernetes object: a helmfile (releases, environments) or a bare
 * kustomization.yaml without apiVersion/kind.
 */
export function documentValuesBlocks(path: string, root: PNode | null | undefined): ValuesBlock[] {
  if (!isMap(root)) return [];
  const out: ValuesBlock[] = [];
  if (isHelmfilePath(path)) {
    seqItems(get(root, 'releases')).forEach((rel, i) => {
      const release = getStr(rel, 'name') ?? `release-${i}`;
      const owner = `helmfile release ${release}`;
      seqItems(get(rel, 'values')).forEach((v, j) => {
        if (isMap(v)) out.push({ root: v, at: `releases.${i}.values.${j}`, detached: false, kind: 'values', owner, release });
      });
      for (const key of ['set', 'setString']) {
        const tree = nameValueTree(get(rel, key));
        if (tree) out.push({ root: tree, at: `releases.${i}.${key}`, detached: true, kind: 'parameters', owner, release });
      }
    });
    const environments = get(root, 'environments');
    if (isMap(environments)) {
      for (const env of environments.entries) {
        seqItems(get(env.value, 'values')).forEach((v, j) => {
          if (isMap(v)) out.push({ root: v, at: `environments.${env.key}.values.${j}`, detached: false, kind: 'values', owner: `helmfile environment ${env.key}`, release: env.key, environment: env.key });
        });
      }
    }
  } else if (isKustomizationPath(path) && !getStr(root, 'kind')) {
    kustomizeHelmCharts(root, '', out);
  }
  return out;
}
