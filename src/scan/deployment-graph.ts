/**
 * The deployment graph: which files a deployment entry point pulls in, so that a file with no environment of its own
 * (a kustomize `base/`, a component, a chart, a values file a helmfile or an Argo CD Application lists) inherits the
 * environments of whatever deploys it.
 *
 * Computed after parsing, from the parsed models only: the parse-time FileContext environment (which feeds the parse
 * cache) is never changed. Nodes are files (POSIX paths relative to ROOT) plus a few virtual nodes (a helmfile
 * environment, one generated Application of an ApplicationSet) that carry an explicit environment. Edges:
 * - kustomization.yaml: `resources`, `bases`, `components`, patches, generator files/envs, `helmCharts` values files
 *   and local charts, `replacements`, `crds`, `configurations`, `transformers`, `generators`;
 * - helmfile: `environments.<env>.values|secrets`, release `values|secrets` (`{{ .Environment.Name }}` expanded per
 *   environment), local release charts, nested `helmfiles` and `bases`;
 * - Argo CD Application / ApplicationSet: `spec.source(s)[].path` and `helm.valueFiles` (`$ref/...` from ROOT); an
 *   ApplicationSet's list/matrix elements and git directory generators fill the template's `{{ }}` placeholders,
 *   and an element's `env`/`environment`/`stage` names that Application's environment; an Application whose
 *   destination cluster, server host, project or name names an environment deploys its sources and its own inline
 *   `helm.values` there;
 * - Flux Kustomization `spec.path`, Flux HelmRelease local `spec.chart.spec.chart` and `valuesFiles`;
 * - a Chart.yaml's `file://` dependencies.
 * A folder target is its kustomization file when it has one, else the whole chart (Chart.yaml) or its YAML files.
 *
 * A file with an environment of its own keeps it and passes it on (it is a source); a file without one gets the
 * union of the environments of every source that reaches it. Each source is walked with its own visited set, so a
 * cycle ends; targets outside ROOT or not in the tree are dropped. Everything is sorted: the result is deterministic.
 */
import picomatch from 'picomatch';
import type { YamlFileModel } from '../analyzers/yaml.js';
import { environmentClass, namedEnvironment, type EnvironmentInfo } from './environment.js';
import type { Project } from './project.js';
import { basename, dirname, joinWithinRoot } from '../util/path.js';
import { get, getStr, isMap, isScalar, isSeq, seqItems, type PNode } from '../yaml/model.js';
import { isKustomizationPath } from '../k8s/values-blocks.js';
import { isDocumentationExamplePath } from './documentation.js';
import { terraformValuesFiles } from './terraform-values.js';

export interface InheritedEnvironment {
  /** Every environment that deploys the file, most managed first (production, staging, other managed, shared, ...). */
  environments: EnvironmentInfo[];
  /** The most managed of them: the one that decides severity escalation and the finding's environment. */
  primary: EnvironmentInfo;
  /** Per environment (same order), the entry points that pull the file in (files relative to ROOT, sorted). */
  via: { environment: string; from: string[] }[];
}

export interface HelmReleaseInfo {
  /** The deployer object (`file#Application@line`, `file#ApplicationSet@line.i`, `file#HelmRelease@line`, `file#releases.i@env`). */
  id: string;
  file: string;
  /** Line of the deployer object (the release entry for helmfile). */
  line: number;
  kind: 'Application' | 'ApplicationSet' | 'HelmRelease' | 'helmfile';
  namespace?: string;
  environments: string[];
  values: string[];
  targets: ReadonlySet<string>;
  /** The chart it installs: the folder of the Chart.yaml nearest the root among what it deploys. */
  chart: string;
}

export interface DeploymentGraph {
  /** The environments a file inherits; undefined when it has its own (or nothing deploys it). */
  inherited(path: string): InheritedEnvironment | undefined;
  /** Edges of a node (for tests and debugging): sorted target ids. */
  edges(id: string): readonly string[];
  /**
   * The namespace kustomize renders the objects of a file in: the `namespace:` of the outermost kustomization that sets
   * one on the path from an overlay (a kustomization nothing includes) down to the file (`resources`, `bases`,
   * `components`, patches, local `helmCharts`; a Flux Kustomization's `spec.targetNamespace` counts as the outermost);
   * for a kustomization itself, the namespace its generators' objects get.
   * When overlays render the file in different namespaces, the one of the most managed overlay (production first; by
   * the overlay's own or inherited environment), then the first by name. Undefined when no kustomization sets one.
   */
  namespace(path: string): string | undefined;
  /** Every namespace kustomize renders a file in, in the order `namespace` picks from. */
  namespaces(path: string): readonly string[];
  /**
   * The namespace a GitOps deployer puts the namespaced objects of a file in when they name none themselves: an Argo CD
   * Application's (or a generated ApplicationSet Application's) `spec.destination.namespace`, a Flux HelmRelease's
   * `spec.targetNamespace` (else its own namespace) for the local chart it installs. Reached through what the deployer
   * deploys (kustomizations, charts, folders), up to the next deployer (app of apps: the inner Application decides for
   * its own sources). Several deployers: the most managed one's, then the first by name. Explicit `metadata.namespace`
   * wins (Argo CD and Helm only fill in a missing namespace, unlike kustomize's transformer).
   */
  defaultNamespace(path: string): string | undefined;
  /**
   * The Helm release namespace a chart template is rendered with (`{{ .Release.Namespace }}`): kustomize
   * `helmCharts[].namespace`, else the deployer's default namespace above.
   */
  releaseNamespace(path: string): string | undefined;
  /**
   * Every Helm release the tree declares for a chart of its own (Argo CD Application and generated ApplicationSet
   * Application, Flux HelmRelease, helmfile release per environment), with the namespace it installs into (undefined:
   * not known), the environments it deploys to (the deployer's own, else its file's, else those its file inherits;
   * empty: none known), the values files it layers over the chart's values.yaml (in order) and the files it deploys.
   */
  readonly releases: readonly HelmReleaseInfo[];
  /**
   * Files a deployment tool reads as Helm values (helmfile environment/release values, Argo CD `helm.valueFiles`, Flux
   * `valuesFiles`, kustomize `helmCharts[].valuesFile`), whatever their name: `config/x.yaml` is a values file by use.
   */
  readonly valuesFiles: ReadonlySet<string>;
  /**
   * Left out of its own kustomization: a kustomization in its directory or above does not reach the file, and no live
   * entry point reaches it either. A Flux Kustomization or Argo CD Application whose line the kustomization above it
   * comments out (`# - ./app/ks.yaml` next to `- ./other/ks.yaml`) is no live entry point: it applies nothing.
   */
  leftOut(path: string): boolean;
  /** Both files are applied by one live entry point (a kustomization, Flux or Argo CD object nothing else includes). */
  deployedTogether(a: string, b: string): boolean;
  /**
   * Something outside the documentation examples deploys the file: a deployer reads it as Helm values, or a
   * kustomization, helmfile, Argo CD or Flux object (not itself a documentation example) reaches it. A chart's own
   * folders other than templates/, crds/ and charts/ are never rendered: a release of the chart does not deploy them.
   */
  deployedOutsideDocs(path: string): boolean;
}

interface Node {
  /** The file a virtual node belongs to (the node id itself for files). */
  file: string;
  env?: EnvironmentInfo;
  edges: Set<string>;
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const HELMFILE = /^helmfile([._-].*)?\.ya?ml(\.gotmpl)?$/i;
const ENV_KEYS = /^(env|envs|environment|environmentname|envname|stage)$/i;
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\/|^gitlab\.com\/|^bitbucket\.org\/|\?ref=|^oci:\/\//i;

/** Rank of an environment for "most managed": production, staging, other managed, shared, neutral, dev, local. */
function rank(env: EnvironmentInfo): number {
  const cls = environmentClass(env.name);
  if (env.managed) return cls === 'production' ? 0 : cls === 'staging' ? 1 : cls === 'shared' ? 3 : 2;
  if (!env.local) return 4;
  return cls === 'local' ? 6 : 5;
}

/** The folder of the Chart.yaml nearest the root among FILES ('.' for the root's). */
function topChart(files: readonly string[]): string {
  let best: string | undefined;
  for (const t of files) {
    if (t !== 'Chart.yaml' && !t.endsWith('/Chart.yaml')) continue;
    const dir = t === 'Chart.yaml' ? '.' : t.slice(0, -'/Chart.yaml'.length);
    if (best === undefined || dir.split('/').length < best.split('/').length) best = dir;
  }
  return best ?? '.';
}

export function compareEnvironments(a: EnvironmentInfo, b: EnvironmentInfo): number {
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

const join = joinWithinRoot;

function strings(node: PNode | null | undefined): { value: string }[] {
  const items = isSeq(node) ? node.items : node ? [node] : [];
  return items.flatMap((item) => (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '' ? [{ value: item.value.trim() }] : []));
}

/** Every path-like string under `field`: plain strings or maps with `path` (patches, replacements). */
function pathItems(node: PNode | null | undefined): string[] {
  const items = isSeq(node) ? node.items : node ? [node] : [];
  const out: string[] = [];
  for (const item of items) {
    if (isScalar(item) && typeof item.value === 'string') out.push(item.value.trim());
    else if (isMap(item)) {
      const p = getStr(item, 'path');
      if (p) out.push(p.trim());
    }
  }
  return out.filter((p) => p !== '' && !p.includes('\n'));
}

const HELMFILE_ENV = /\{\{-?\s*\.Environment\.Name\s*(\|\s*(lower|upper|quote|trim)\s*)*-?\}\}/g;

/** `values/{{ .Environment.Name }}/x.yaml` for one environment; undefined while any other template remains. */
function expandHelmfile(path: string, env: string | undefined): string | undefined {
  const out = env === undefined ? path : path.replace(HELMFILE_ENV, env);
  return out.includes('{{') ? undefined : out;
}

/** Fill `{{ key }}`, `{{ .key }}`, `{{ .a.b }}` placeholders of an ApplicationSet template from one parameter set. */
function expandAppSet(text: string, params: Record<string, string>): string | undefined {
  const out = text.replace(/\{\{-?\s*\.?([A-Za-z0-9_.\-]+)\s*-?\}\}/g, (all, key: string) => params[key] ?? all);
  return out.includes('{{') ? undefined : out;
}

function scalarParams(node: PNode | null | undefined, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (!isMap(node)) return out;
  for (const e of node.entries) {
    const key = prefix ? `${prefix}.${e.key}` : e.key;
    if (isScalar(e.value) && e.value.value !== null) out[key] = String(e.value.value);
    else if (isMap(e.value)) scalarParams(e.value, key, out);
  }
  return out;
}

/** Parameter sets of an ApplicationSet generator: list elements, git directories (as globs), matrix products. */
function generatorParams(generator: PNode | null | undefined, depth = 0): Record<string, string>[] {
  if (!isMap(generator) || depth > 4) return [];
  const out: Record<string, string>[] = [];
  const list = get(generator, 'list');
  if (isMap(list)) for (const element of seqItems(get(list, 'elements'))) out.push(scalarParams(element));
  const git = get(generator, 'git');
  if (isMap(git)) {
    for (const dir of seqItems(get(git, 'directories'))) {
      const p = getStr(dir, 'path');
      if (!p || String(str(get(dir, 'exclude'))) === 'true') continue;
      const base = p.split('/').pop() ?? p;
      out.push({ path: p, 'path.path': p, 'path.basename': base, 'path.basenameNormalized': base });
    }
  }
  for (const key of ['matrix', 'merge']) {
    const combined = get(generator, key);
    if (!isMap(combined)) continue;
    // A child the graph cannot expand (clusters, git files, scmProvider ...) still yields its Applications: one
    // parameter set of unknowns, so it does not empty the matrix product and drop the other children's params.
    const children = seqItems(get(combined, 'generators')).map((g) => {
      const sets = generatorParams(g, depth + 1);
      return sets.length > 0 || key === 'merge' ? sets : [{}];
    });
    if (children.length === 0) continue;
    if (key === 'merge') out.push(...children.flat());
    else out.push(...children.reduce<Record<string, string>[]>((acc, sets) => acc.flatMap((a) => sets.map((s) => ({ ...a, ...s }))), [{}]));
  }
  return out;
}

function str(node: PNode | null | undefined): string | undefined {
  return isScalar(node) && node.value !== null ? String(node.value) : undefined;
}

/** Shared by every node without edges; never added to (see `edge`). */
const NO_EDGES: Set<string> = new Set();
/** A folder named helmfile.d somewhere in the path (the exact test splits it). */
const HELMFILE_D = /helmfile\.d\//i;

class GraphBuilder {
  readonly nodes = new Map<string, Node>();
  readonly valuesFiles = new Set<string>();
  /** Every file path, sorted (binary search for a folder's files). */
  private readonly paths: string[];
  private readonly fileSet: Set<string>;
  private readonly dirs = new Set<string>();
  /** Every file's own environment (undefined: none), by path: the project's files and the OTHERS given. */
  private readonly environments = new Map<string, EnvironmentInfo | undefined>();
  /** Kustomization file -> its own `namespace:`; and its edges to what it renders (objects, bases, components). */
  readonly kustomizeNamespace = new Map<string, string>();
  readonly kustomizeEdges = new Map<string, Set<string>>();
  /** GitOps deployers with a namespace: node id (a virtual node per object), its file, namespace, targets; `release` only for .Release.Namespace. */
  readonly deployers: { id: string; file: string; namespace: string; targets: string[]; releaseOnly: boolean }[] = [];
  /** Files holding a deployer object (Application, ApplicationSet, Flux Kustomization/HelmRelease): a namespace walk stops there. */
  readonly deployerFiles = new Set<string>();

  /** Helm releases of local charts (see DeploymentGraph.releases), environments not yet worked out. */
  readonly releases: { id: string; file: string; line: number; kind: HelmReleaseInfo['kind']; namespace?: string; env?: EnvironmentInfo; values: string[]; targets: string[] }[] = [];

  private release(id: string, file: string, line: number, kind: HelmReleaseInfo['kind'], namespace: string | undefined, targets: string[], values: string[], env?: EnvironmentInfo): void {
    // Only releases that install a chart of the tree (a Chart.yaml among what they deploy).
    if (!targets.some((t) => t === 'Chart.yaml' || t.endsWith('/Chart.yaml'))) return;
    const ns = namespace?.trim();
    this.releases.push({ id, file, line, kind, namespace: ns && !ns.includes('{{') && !ns.includes('${') ? ns : undefined, env, values: [...new Set(values)], targets });
  }

  private deployer(id: string, file: string, namespace: string | undefined, targets: string[], releaseOnly = false): void {
    const ns = namespace?.trim();
    if (!ns || ns.includes('{{') || ns.includes('${') || targets.length === 0) return;
    this.deployers.push({ id, file, namespace: ns, targets: [...new Set(targets)].sort(), releaseOnly });
  }

  /**
   * Per file, the namespaces deployers put it in, each with the deployer ids: walked from each deployer's targets along
   * the graph's edges, not past another deployer's file (nor past the deployer's own file, whose objects keep theirs).
   */
  deployerNamespaces(releaseOnly: boolean): Map<string, Map<string, Set<string>>> {
    const out = new Map<string, Map<string, Set<string>>>();
    for (const d of this.deployers) {
      if (d.releaseOnly !== releaseOnly) continue;
      const visited = new Set<string>([d.file]);
      const stack = [...d.targets].reverse();
      while (stack.length > 0) {
        const current = stack.pop()!;
        if (visited.has(current)) continue;
        visited.add(current);
        const node = this.nodes.get(current);
        if (!node || node.file !== current) continue;
        const slots = out.get(current) ?? new Map<string, Set<string>>();
        const from = slots.get(d.namespace) ?? new Set<string>();
        from.add(d.id);
        slots.set(d.namespace, from);
        out.set(current, slots);
        if (this.deployerFiles.has(current)) continue;
        for (const next of [...node.edges].sort().reverse()) if (!visited.has(next)) stack.push(next);
      }
    }
    return out;
  }

  constructor(
    private readonly project: Project,
    others?: OtherFiles,
  ) {
    for (const parsed of project.files) if (!this.environments.has(parsed.file.path)) this.environments.set(parsed.file.path, parsed.file.environment);
    others?.paths.forEach((path, i) => {
      if (path !== undefined && !this.environments.has(path)) this.environments.set(path, others.environmentAt(i));
    });
    this.paths = [...this.environments.keys()].sort();
    this.fileSet = new Set(this.paths);
    for (const p of this.paths) {
      let d = dirname(p);
      while (d !== '.' && d !== '' && !this.dirs.has(d)) {
        this.dirs.add(d);
        d = dirname(d);
      }
    }
    // Most files never get an edge: they share one empty set until `edge` gives them their own.
    for (const p of this.paths) this.nodes.set(p, { file: p, env: this.environments.get(p), edges: NO_EDGES });
  }

  private node(id: string, file: string, env?: EnvironmentInfo): Node {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = { file, env, edges: new Set() }));
    return n;
  }

  edge(from: string, targets: Iterable<string>): void {
    const n = this.nodes.get(from);
    if (!n) return;
    for (const t of targets) {
      if (t === from) continue;
      if (n.edges === NO_EDGES) n.edges = new Set();
      n.edges.add(t);
    }
  }

  /** Files under `dir` (recursively, or only its direct children). */
  private filesUnder(dir: string, recursive: boolean): string[] {
    if (dir === '' || dir === '.') return recursive ? this.paths : this.paths.filter((p) => !p.includes('/'));
    const prefix = `${dir}/`;
    let lo = 0;
    let hi = this.paths.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.paths[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < this.paths.length && this.paths[i]!.startsWith(prefix); i++) {
      const p = this.paths[i]!;
      if (recursive || !p.slice(prefix.length).includes('/')) out.push(p);
    }
    return out;
  }

  private kustomizationIn(dir: string): string | undefined {
    return KUSTOMIZATION_NAMES.map((n) => (dir === '' || dir === '.' ? n : `${dir}/${n}`)).find((p) => this.fileSet.has(p));
  }

  private isChart(dir: string): boolean {
    return this.fileSet.has(dir === '' || dir === '.' ? 'Chart.yaml' : `${dir}/Chart.yaml`);
  }

  /**
   * A path as a deployment tool reads it: a file; a folder (its kustomization, else the whole chart, else its YAML
   * files, recursively unless `recursive` is false); a glob over folders (ApplicationSet git generators).
   */
  resolve(path: string | undefined, recursive = true): string[] {
    if (path === undefined) return [];
    const p = path.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
    if (this.fileSet.has(p)) return [p];
    if (p === '.' || this.dirs.has(p)) {
      const k = this.kustomizationIn(p);
      if (k) return [k];
      const chart = this.isChart(p);
      return this.filesUnder(p, chart || recursive).filter((f) => chart || /\.ya?ml$/i.test(f));
    }
    if (/[*?[{]/.test(p)) {
      // The folders a glob matches, once per glob (ApplicationSet parameter sets repeat theirs).
      let dirs = this.globDirs.get(p);
      if (!dirs) {
        const match = picomatch(p, { dot: true });
        this.globDirs.set(p, (dirs = [...this.dirs].filter((d) => match(d)).sort()));
      }
      return dirs.flatMap((d) => this.resolve(d, recursive));
    }
    return [];
  }

  private readonly globDirs = new Map<string, string[]>();

  private relative(dir: string, value: string, recursive = true): string[] {
    if (REMOTE.test(value)) return [];
    return this.resolve(join(dir, value), recursive);
  }

  /** Targets read as Helm values: only files (a folder is no values file). */
  private values(targets: string[]): string[] {
    for (const t of targets) if (/\.ya?ml(\.gotmpl)?$/i.test(t)) this.valuesFiles.add(t);
    return targets;
  }

  build(): void {
    // Read as values by a Terraform helm_release: deployed, whatever the folder.
    for (const path of terraformValuesFiles(this.project).keys()) this.valuesFiles.add(path);
    for (const parsed of this.project.yamlFiles) {
      const path = parsed.file.path;
      const name = basename(path);
      if (isKustomizationPath(path)) this.kustomization(path, parsed.model);
      else if (HELMFILE.test(name) || (HELMFILE_D.test(path) && path.split('/').slice(0, -1).some((d) => d.toLowerCase() === 'helmfile.d'))) this.helmfile(path, parsed.model);
      else if (/^chart\.ya?ml$/i.test(name)) this.chart(path, parsed.model);
    }
    for (const resource of this.project.resources) {
      if (resource.source === 'template') continue;
      const api = resource.apiVersion ?? '';
      if (
        (api.startsWith('argoproj.io/') && (resource.kind === 'Application' || resource.kind === 'ApplicationSet')) ||
        (api.startsWith('kustomize.toolkit.fluxcd.io/') && resource.kind === 'Kustomization') ||
        (api.startsWith('helm.toolkit.fluxcd.io/') && resource.kind === 'HelmRelease')
      )
        this.deployerFiles.add(resource.file);
    }
    for (const resource of this.project.resources) {
      if (resource.source === 'template') continue;
      const api = resource.apiVersion ?? '';
      if (api.startsWith('argoproj.io/') && resource.kind === 'Application') this.argoApplication(resource.file, resource.node, resource.line);
      else if (api.startsWith('argoproj.io/') && resource.kind === 'ApplicationSet') this.applicationSet(resource.file, resource.node, resource.line);
      else if (api.startsWith('kustomize.toolkit.fluxcd.io/') && resource.kind === 'Kustomization') this.fluxKustomization(resource.file, resource.node, resource.line);
      else if (api.startsWith('helm.toolkit.fluxcd.io/') && resource.kind === 'HelmRelease') this.fluxHelmRelease(resource.file, resource.node, resource.line);
    }
  }

  private kustomization(path: string, model: YamlFileModel): void {
    const dir = dirname(path);
    for (const doc of model.docs) {
      const root = doc.root;
      if (!isMap(root)) continue;
      const targets: string[] = [];
      const rendered: string[] = [];
      for (const field of ['resources', 'bases', 'components', 'patchesStrategicMerge', 'patches', 'patchesJson6902', 'replacements', 'crds', 'configurations', 'transformers', 'generators', 'validators']) {
        for (const p of pathItems(get(root, field))) {
          const resolved = this.relative(dir, p);
          targets.push(...resolved);
          if (['resources', 'bases', 'components', 'patchesStrategicMerge', 'patches'].includes(field)) rendered.push(...resolved);
        }
      }
      const namespace = getStr(root, 'namespace')?.trim();
      if (namespace && !namespace.includes('{{') && !namespace.includes('${')) this.kustomizeNamespace.set(path, namespace);
      const openapi = getStr(root, 'openapi.path');
      if (openapi) targets.push(...this.relative(dir, openapi));
      for (const field of ['secretGenerator', 'configMapGenerator']) {
        for (const generator of seqItems(get(root, field))) {
          for (const f of strings(get(generator, 'files'))) targets.push(...this.relative(dir, f.value.includes('=') ? f.value.slice(f.value.indexOf('=') + 1) : f.value));
          for (const f of [...strings(get(generator, 'envs')), ...strings(get(generator, 'env'))]) targets.push(...this.relative(dir, f.value));
        }
      }
      const chartHome = getStr(root, 'helmGlobals.chartHome') ?? 'charts';
      for (const chart of seqItems(get(root, 'helmCharts'))) {
        for (const f of [...strings(get(chart, 'valuesFile')), ...strings(get(chart, 'additionalValuesFiles'))]) targets.push(...this.values(this.relative(dir, f.value)));
        const chartName = getStr(chart, 'name');
        if (chartName && !getStr(chart, 'repo')) {
          const home = join(dir, chartHome);
          if (home !== undefined) {
            const chartFiles = this.resolve(join(home, chartName));
            targets.push(...chartFiles);
            rendered.push(...chartFiles);
            // `helm template --namespace`: only `.Release.Namespace` (kustomize adds no namespace to the chart's objects).
            this.deployer(`${path}#helmCharts.${chartName}`, path, getStr(chart, 'namespace'), chartFiles, true);
          }
        }
      }
      this.edge(path, targets);
      const set = this.kustomizeEdges.get(path) ?? new Set<string>();
      for (const t of rendered) if (t !== path) set.add(t);
      this.kustomizeEdges.set(path, set);
    }
  }

  /**
   * Per file, the namespaces kustomize renders it in, each with the overlays (kustomizations nothing includes) that do:
   * walked from every overlay, the first `namespace:` met on the way down wins (an overlay's namespace overrides its
   * bases'). A kustomization inside a cycle that no overlay reaches sets nothing.
   */
  kustomizeNamespaces(): Map<string, Map<string, Set<string>>> {
    const included = new Set<string>();
    for (const targets of this.kustomizeEdges.values()) for (const t of targets) included.add(t);
    const overlays = [...this.kustomizeEdges.keys()].filter((k) => !included.has(k)).sort();
    const out = new Map<string, Map<string, Set<string>>>();
    for (const overlay of overlays) {
      const visited = new Set<string>();
      const stack: [string, string | undefined][] = [[overlay, undefined]];
      while (stack.length > 0) {
        const [current, inherited] = stack.pop()!;
        const namespace = inherited ?? this.kustomizeNamespace.get(current);
        const key = `${current}\u0000${namespace ?? ''}`;
        if (visited.has(key)) continue;
        visited.add(key);
        if (namespace !== undefined) {
          const slots = out.get(current) ?? new Map<string, Set<string>>();
          const from = slots.get(namespace) ?? new Set<string>();
          from.add(overlay);
          slots.set(namespace, from);
          out.set(current, slots);
        }
        for (const next of [...(this.kustomizeEdges.get(current) ?? [])].sort().reverse()) stack.push([next, namespace]);
      }
    }
    return out;
  }

  ownEnvironment(path: string): EnvironmentInfo | undefined {
    return this.environments.get(path);
  }

  /** A file's (or a virtual node's file's) own environment, else the most managed one it inherits. */
  environmentOf(id: string, found: Map<string, Map<string, { env: EnvironmentInfo }>>): EnvironmentInfo | undefined {
    const path = this.nodes.get(id)?.file ?? id.replace(/#.*$/, '');
    const own = this.environments.get(path);
    if (own) return own;
    const envs = [...(found.get(path)?.values() ?? [])].map((s) => s.env).sort(compareEnvironments);
    return envs[0];
  }

  private yamlModels: Map<string, YamlFileModel> | undefined;

  /** The `environments:` of a helmfile and of the `bases:` it merges (any file name, bases of bases too). */
  private helmfileEnvironments(path: string, model: YamlFileModel, seen = new Set<string>()): { env: string; values: string[] }[] {
    seen.add(path);
    const out: { env: string; values: string[] }[] = [];
    for (const doc of model.docs) {
      const root = doc.root;
      if (!isMap(root)) continue;
      for (const base of pathItems(get(root, 'bases'))) {
        this.yamlModels ??= new Map(this.project.yamlFiles.map((f) => [f.file.path, f.model]));
        for (const target of this.relative(dirname(path), base)) {
          const baseModel = this.yamlModels.get(target);
          if (baseModel && !seen.has(target)) out.push(...this.helmfileEnvironments(target, baseModel, seen));
        }
      }
      const environments = get(root, 'environments');
      if (isMap(environments)) {
        for (const e of environments.entries) {
          out.push({ env: e.key, values: [...pathItems(get(e.value, 'values')), ...pathItems(get(e.value, 'secrets'))] });
        }
      }
    }
    return out;
  }

  private helmfile(path: string, model: YamlFileModel): void {
    const dir = dirname(path);
    const releaseTargets: string[] = [];
    const releaseValues: string[] = [];
    const nested: string[] = [];
    // A base is merged into the helmfile that lists it: its environments (and their values files, whose paths helmfile
    // reads from the including file) are this helmfile's.
    const all = this.helmfileEnvironments(path, model);
    // `default` names no environment (it is what runs without --environment), but its values files are values all the same.
    const perEnv = all.filter((e) => e.env !== 'default');
    const defaultValues = all.filter((e) => e.env === 'default').flatMap((e) => e.values);
    const envNames = perEnv.map((e) => e.env);
    const releases: { index: number; line: number; chart: string; namespace?: string; values: string[] }[] = [];
    for (const doc of model.docs) {
      const root = doc.root;
      if (!isMap(root)) continue;
      for (const release of seqItems(get(root, 'releases'))) {
        const values = pathItems(get(release, 'values'));
        releaseValues.push(...values, ...pathItems(get(release, 'secrets')));
        const chart = getStr(release, 'chart');
        if (chart && /^\.\.?\//.test(chart)) {
          releaseTargets.push(chart);
          releases.push({ index: releases.length, line: release?.line ?? 1, chart, namespace: getStr(release, 'namespace'), values });
        }
      }
      for (const field of ['helmfiles', 'bases']) nested.push(...pathItems(get(root, field)));
    }
    const expandAll = (items: string[], env: string | undefined) =>
      items.flatMap((p) => {
        const expanded = expandHelmfile(p, env);
        return expanded === undefined ? [] : this.relative(dir, expanded);
      });
    // The helmfile itself passes on its own (or inherited) environment to what every environment uses.
    // Read as values, but no edge: what the helmfile inherits (an including helmfile's environments) is not theirs.
    this.values(expandAll(defaultValues, 'default'));
    this.edge(path, [...this.values(expandAll(releaseValues, undefined)), ...expandAll([...releaseTargets, ...nested], undefined)]);
    const names = [...new Set(envNames)].sort();
    for (const env of names) {
      const id = `${path}#environments.${env}`;
      this.node(id, path, namedEnvironment(env, this.project.config));
      const values = perEnv.filter((e) => e.env === env).flatMap((e) => e.values);
      this.edge(id, [...this.values(expandAll([...values, ...releaseValues], env)), ...expandAll([...releaseTargets, ...nested], env)]);
    }
    // Each release of a local chart, per environment (`{{ .Environment.Name }}` expanded); its `values:` files are chart
    // values (an environment's own `values:` are helmfile state values, not the chart's).
    for (const r of releases) {
      for (const env of names.length ? names : [undefined]) {
        const namespace = r.namespace === undefined ? undefined : expandHelmfile(r.namespace, env);
        const values = expandAll(r.values, env);
        this.release(`${path}#releases.${r.index}${env ? `@${env}` : ''}`, path, r.line, 'helmfile', namespace, [...expandAll([r.chart], env), ...values], values, env ? namedEnvironment(env, this.project.config) : undefined);
      }
    }
  }

  private chart(path: string, model: YamlFileModel): void {
    const dir = dirname(path);
    const targets: string[] = [];
    for (const dep of seqItems(get(model.docs[0]?.root, 'dependencies'))) {
      const repo = getStr(dep, 'repository');
      if (repo?.startsWith('file://')) targets.push(...this.relative(dir, repo.slice('file://'.length)));
    }
    this.edge(path, targets);
  }

  /** One Application spec (or an ApplicationSet template filled with one parameter set). */
  private applicationTargets(spec: PNode | null | undefined, fill: (s: string) => string | undefined, valuesOut: string[] = []): string[] {
    const sources = [get(spec, 'source'), ...seqItems(get(spec, 'sources'))].filter(isMap);
    const refs = new Set(sources.map((s) => getStr(s, 'ref')).filter((r): r is string => !!r));
    const targets: string[] = [];
    for (const source of sources) {
      const raw = getStr(source, 'path');
      const path = raw === undefined ? undefined : fill(raw);
      const recurse = str(get(source, 'directory.recurse')) === 'true';
      if (path !== undefined) targets.push(...this.resolve(join('', path) ?? undefined, recurse));
      for (const v of pathItems(get(source, 'helm.valueFiles'))) {
        const value = fill(v);
        if (value === undefined || REMOTE.test(value)) continue;
        const ref = /^\$([A-Za-z0-9_-]+)\/(.*)$/.exec(value);
        if (ref) {
          if (refs.has(ref[1]!)) valuesOut.push(...this.values(this.resolve(join('', ref[2]!))));
        } else if (path !== undefined) {
          valuesOut.push(...this.values(this.resolve(join(path, value))));
        }
      }
    }
    return [...targets, ...valuesOut];
  }

  private argoApplication(file: string, node: PNode, line: number): void {
    const values: string[] = [];
    const targets = this.applicationTargets(get(node, 'spec'), (s) => (s.includes('{{') ? undefined : s), values);
    this.edge(file, targets);
    this.deployer(`${file}#Application@${line}`, file, getStr(node, 'spec.destination.namespace'), targets);
    // An Application that names its environment (destination cluster `prod-aks`, server `https://staging.k8s…`,
    // project `production`, name `shop-production`) deploys its sources, and its own inline `helm.values`, there.
    const env = applicationEnvironment(node);
    this.release(`${file}#Application@${line}`, file, line, 'Application', getStr(node, 'spec.destination.namespace'), targets, values, env ? namedEnvironment(env, this.project.config) : undefined);
    if (!env) return;
    const id = `${file}#Application@${line}`;
    this.node(id, file, namedEnvironment(env, this.project.config));
    this.edge(id, [...targets, file]);
  }

  private applicationSet(file: string, node: PNode, line: number): void {
    const spec = get(node, 'spec.template.spec');
    const sets = seqItems(get(node, 'spec.generators')).flatMap((g) => generatorParams(g));
    if (sets.length === 0) {
      this.edge(file, this.applicationTargets(spec, (s) => (s.includes('{{') ? undefined : s)));
      return;
    }
    sets.forEach((params, i) => {
      const envKey = Object.keys(params).sort().find((k) => ENV_KEYS.test(k.split('.').pop() ?? ''));
      const env = envKey ? namedEnvironment(params[envKey]!, this.project.config) : undefined;
      const id = `${file}#ApplicationSet@${line}.${i}`;
      this.node(id, file, env);
      // Without an environment of its own, a generated Application inherits the ApplicationSet's.
      if (!env) this.edge(file, [id]);
      const values: string[] = [];
      const targets = this.applicationTargets(spec, (s) => expandAppSet(s, params), values);
      this.edge(id, targets);
      const namespace = getStr(spec, 'destination.namespace');
      this.deployer(id, file, namespace === undefined ? undefined : expandAppSet(namespace, params), targets);
      this.release(id, file, line, 'ApplicationSet', namespace === undefined ? undefined : expandAppSet(namespace, params), targets, values, env);
    });
  }

  /**
   * Flux sources the tree defines that fetch another repository: every GitRepository but the one Flux bootstraps this
   * repository with (`flux-system`, or one with its URL), and every OCIRepository and Bucket.
   */
  private remoteSources(): Set<string> {
    if (this.remoteSourceNames) return this.remoteSourceNames;
    const sources = this.project.resources.filter((r) => r.source !== 'template' && (r.apiVersion ?? '').startsWith('source.toolkit.fluxcd.io/'));
    const selfUrl = getStr(sources.find((r) => r.kind === 'GitRepository' && r.name === 'flux-system')?.node, 'spec.url');
    this.remoteSourceNames = new Set(
      sources.filter((r) => r.kind !== 'GitRepository' || (r.name !== 'flux-system' && (selfUrl === undefined || getStr(r.node, 'spec.url') !== selfUrl))).map((r) => `${r.kind}/${r.name}`),
    );
    return this.remoteSourceNames;
  }

  private remoteSourceNames?: Set<string>;

  /** A Flux Kustomization deploys `spec.path` of its source; its `spec.targetNamespace` overrides every namespace there, as kustomize's does. */
  private fluxKustomization(file: string, node: PNode, line: number): void {
    // A path in another repository (a tenant's GitRepository, an OCI artifact) is nothing of this tree.
    const sourceKind = getStr(node, 'spec.sourceRef.kind') ?? 'GitRepository';
    if (sourceKind !== 'GitRepository' || this.remoteSources().has(`${sourceKind}/${getStr(node, 'spec.sourceRef.name') ?? ''}`)) return;
    const targets = this.resolve(getStr(node, 'spec.path') ?? '.');
    this.edge(file, targets);
    const id = `${file}#Kustomization@${line}`;
    const namespace = getStr(node, 'spec.targetNamespace')?.trim();
    if (namespace && !namespace.includes('{{') && !namespace.includes('${')) this.kustomizeNamespace.set(id, namespace);
    this.kustomizeEdges.set(id, new Set(targets));
  }

  private fluxHelmRelease(file: string, node: PNode, line: number): void {
    const chartSpec = get(node, 'spec.chart.spec');
    const chart = getStr(chartSpec, 'chart');
    const sourceKind = getStr(chartSpec, 'sourceRef.kind');
    const targets: string[] = [];
    const values: string[] = [];
    if (chart && sourceKind !== 'HelmRepository' && (chart.includes('/') || chart.startsWith('.'))) targets.push(...this.resolve(join('', chart)));
    if (sourceKind !== 'HelmRepository') {
      for (const v of [...pathItems(get(chartSpec, 'valuesFiles')), ...pathItems(get(chartSpec, 'valuesFile'))]) values.push(...this.values(this.resolve(join('', v))));
    }
    targets.push(...values);
    this.edge(file, targets);
    // Helm installs the release in spec.targetNamespace, else the HelmRelease's own namespace (spec.releaseName does not matter).
    const namespace = getStr(node, 'spec.targetNamespace') ?? getStr(node, 'metadata.namespace');
    this.deployer(`${file}#HelmRelease@${line}`, file, namespace, targets);
    this.release(`${file}#HelmRelease@${line}`, file, line, 'HelmRelease', namespace, targets, values);
  }

  /** Walk from every node with an environment; record, per file without one, the environments and their sources. */
  propagate(): Map<string, Map<string, { env: EnvironmentInfo; from: Set<string> }>> {
    const found = new Map<string, Map<string, { env: EnvironmentInfo; from: Set<string> }>>();
    const sources = [...this.nodes.entries()].filter(([, n]) => n.env && n.edges.size > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [id, source] of sources) {
      const env = source.env!;
      const visited = new Set<string>([id]);
      const stack = [...source.edges].sort().reverse();
      while (stack.length > 0) {
        const current = stack.pop()!;
        if (visited.has(current)) continue;
        visited.add(current);
        const node = this.nodes.get(current);
        if (!node || node.env) continue; // a file with its own environment keeps it and is a source itself
        if (node.file === current) {
          const envs = found.get(current) ?? new Map<string, { env: EnvironmentInfo; from: Set<string> }>();
          const slot = envs.get(env.name) ?? { env, from: new Set<string>() };
          slot.from.add(source.file);
          envs.set(env.name, slot);
          found.set(current, envs);
        }
        for (const next of [...node.edges].sort().reverse()) if (!visited.has(next)) stack.push(next);
      }
    }
    return found;
  }
}

const graphs = new WeakMap<Project, DeploymentGraph>();

/**
 * Files a project does not hold that its graph should know as nodes, by path with their own environment: a chunked
 * scan's deferred files. Edges come only from context files (kustomizations, helmfiles, charts, deployer objects),
 * which a chunked scan's first project holds: with every other path added, its graph is the one a whole scan builds,
 * and serves every chunk (see shareDeploymentGraph).
 */
export interface OtherFiles {
  /** Undefined entries are skipped. */
  paths: readonly (string | undefined)[];
  environmentAt(index: number): EnvironmentInfo | undefined;
}

/** PROJECT takes GRAPH as its deployment graph (a chunk's project, the graph of the scan's first project). */
export function shareDeploymentGraph(project: Project, graph: DeploymentGraph): void {
  graphs.set(project, graph);
}

/** The project's deployment graph, built once on first use (with OTHERS: see OtherFiles). */
export function deploymentGraph(project: Project, others?: OtherFiles): DeploymentGraph {
  let graph = graphs.get(project);
  if (graph) return graph;
  const builder = new GraphBuilder(project, others);
  builder.build();
  const found = builder.propagate();
  // Namespaces per file, ordered: the most managed overlay's first (an overlay without environment after neutral ones), then by name.
  const namespaceSlots = builder.kustomizeNamespaces();
  const namespaceOrder = new Map<string, string[]>();
  const overlayRank = (overlay: string) => {
    const env = builder.environmentOf(overlay, found);
    return env ? rank(env) : 4.5;
  };
  for (const [path, slots] of namespaceSlots) {
    const ranked = [...slots].map(([namespace, from]) => ({ namespace, rank: Math.min(...[...from].map(overlayRank)) }));
    ranked.sort((a, b) => a.rank - b.rank || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
    namespaceOrder.set(path, ranked.map((r) => r.namespace));
  }
  const deployerRank = (id: string) => {
    const env = builder.nodes.get(id)?.env ?? builder.environmentOf(id.replace(/#.*$/, ''), found);
    return env ? rank(env) : 4.5;
  };
  const rankNamespaces = (slots: Map<string, Map<string, Set<string>>>, byRank: (id: string) => number) => {
    const order = new Map<string, string[]>();
    for (const [path, perNamespace] of slots) {
      const ranked = [...perNamespace].map(([namespace, from]) => ({ namespace, rank: Math.min(...[...from].map(byRank)) }));
      ranked.sort((a, b) => a.rank - b.rank || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
      order.set(path, ranked.map((r) => r.namespace));
    }
    return order;
  };
  const defaultOrder = rankNamespaces(builder.deployerNamespaces(false), deployerRank);
  const helmChartsOrder = rankNamespaces(builder.deployerNamespaces(true), deployerRank);
  // Built apart from this scope, whose closures hold the builder: a graph shared with chunks keeps no project alive.
  const kustomizeConfigs = new Set(
    project.yamlFiles
      .filter((f) => isKustomizationPath(f.file.path) && !(getStr(f.model.docs[0]?.root, 'apiVersion') ?? '').startsWith('kustomize.toolkit.fluxcd.io/'))
      .map((f) => f.file.path),
  );
  const releases: HelmReleaseInfo[] = builder.releases.map((r) => {
    const own = r.env ?? builder.nodes.get(r.id)?.env;
    const environments = own ? [own.name] : (() => {
      const fileEnv = builder.ownEnvironment(r.file);
      if (fileEnv) return [fileEnv.name];
      return [...(found.get(r.file)?.values() ?? [])].map((slot) => slot.env).sort(compareEnvironments).map((e) => e.name);
    })();
    return { id: r.id, file: r.file, line: r.line, kind: r.kind, namespace: r.namespace, environments, values: r.values, targets: new Set(r.targets), chart: topChart(r.targets) };
  });
  graph = graphView(builder.nodes, builder.valuesFiles, found, namespaceOrder, defaultOrder, helmChartsOrder, kustomizeConfigs, releases);
  graphs.set(project, graph);
  return graph;
}

function graphView(
  nodes: ReadonlyMap<string, Node>,
  valuesFiles: ReadonlySet<string>,
  found: Map<string, Map<string, { env: EnvironmentInfo; from: Set<string> }>>,
  namespaceOrder: ReadonlyMap<string, string[]>,
  defaultOrder: ReadonlyMap<string, string[]>,
  helmChartsOrder: ReadonlyMap<string, string[]>,
  kustomizeConfigs: ReadonlySet<string>,
  releases: readonly HelmReleaseInfo[],
): DeploymentGraph {
  const results = new Map<string, InheritedEnvironment>();
  const closures = new Map<string, Set<string>>();
  /** Files reached from node START, START's own file included. */
  const reachedFiles = (start: string): Set<string> => {
    let out = closures.get(start);
    if (out) return out;
    out = new Set<string>();
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      const node = nodes.get(id);
      if (!node) continue;
      out.add(node.file);
      for (const t of node.edges) if (!seen.has(t)) (seen.add(t), stack.push(t));
    }
    closures.set(start, out);
    return out;
  };
  /** Kustomizations in the directory of PATH and above, nearest first. */
  const kustomizationsAbove = (path: string): string[] => {
    const out: string[] = [];
    let dir = dirname(path);
    for (;;) {
      for (const name of KUSTOMIZATION_NAMES) {
        const k = dir === '' || dir === '.' ? name : `${dir}/${name}`;
        if (k !== path && kustomizeConfigs.has(k)) out.push(k);
      }
      if (dir === '' || dir === '.') return out;
      dir = dirname(dir);
    }
  };
  const relativeShape = (kustomization: string, path: string) => {
    const dir = dirname(kustomization);
    const rest = dir === '' || dir === '.' ? path : path.slice(dir.length + 1);
    return `${rest.split('/').length}:${basename(path)}`;
  };
  const omittedBy = (path: string): string | undefined => kustomizationsAbove(path).find((k) => !reachedFiles(k).has(path));
  let liveRoots: string[] | undefined;
  const entryPoints = (): string[] => {
    if (liveRoots) return liveRoots;
    const targets = new Set<string>();
    for (const node of nodes.values()) for (const t of node.edges) targets.add(t);
    liveRoots = [];
    for (const [id, node] of nodes) {
      if (targets.has(id) || node.edges.size === 0) continue;
      // A kustomization above lists a sibling of the same shape but not this one: its line is switched off.
      const switchedOff = kustomizationsAbove(node.file).some((k) => {
        const listed = reachedFiles(k);
        if (listed.has(node.file)) return false;
        const shape = relativeShape(k, node.file);
        return [...listed].some((f) => f !== node.file && relativeShape(k, f) === shape);
      });
      if (!switchedOff) liveRoots.push(id);
    }
    return liveRoots;
  };
  let fromNonDocs: Set<string> | undefined;
  const chartDirs = new Set([...nodes.keys()].filter((p) => /(^|\/)Chart\.yaml$/.test(p)).map((p) => dirname(p)));
  /** Inside a chart's folder but not where Helm renders from (templates/, crds/, charts/, the chart's own values.yaml). */
  const unrenderedChartFile = (path: string): boolean => {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if (chartDirs.has(dir)) {
        const rest = dir === '.' || dir === '' ? path : path.slice(dir.length + 1);
        return !/^(templates|crds|charts)\//.test(rest) && rest !== 'values.yaml' && rest !== 'Chart.yaml';
      }
      if (dir === '.' || dir === '') return false;
    }
  };
  let live: Set<string> | undefined;
  const liveFiles = (): Set<string> => {
    if (!live) {
      live = new Set<string>();
      for (const id of entryPoints()) for (const f of reachedFiles(id)) live.add(f);
    }
    return live;
  };
  return {
    deployedOutsideDocs(path) {
      if (valuesFiles.has(path)) return true;
      if (!fromNonDocs) {
        fromNonDocs = new Set<string>();
        const stack: string[] = [];
        for (const node of nodes.values()) if (node.edges.size > 0 && !isDocumentationExamplePath(node.file)) stack.push(...node.edges);
        while (stack.length > 0) {
          const current = stack.pop()!;
          if (fromNonDocs.has(current)) continue;
          fromNonDocs.add(current);
          for (const next of nodes.get(current)?.edges ?? []) if (!fromNonDocs.has(next)) stack.push(next);
        }
      }
      return fromNonDocs.has(path) && !unrenderedChartFile(path);
    },
    leftOut(path) {
      return omittedBy(path) !== undefined && !liveFiles().has(path);
    },
    deployedTogether(a, b) {
      return entryPoints().some((id) => {
        const files = reachedFiles(id);
        return files.has(a) && files.has(b);
      });
    },
    defaultNamespace(path) {
      return defaultOrder.get(path)?.[0];
    },
    releaseNamespace(path) {
      return helmChartsOrder.get(path)?.[0] ?? defaultOrder.get(path)?.[0];
    },
    inherited(path) {
      const cached = results.get(path);
      if (cached) return cached;
      const envs = found.get(path);
      if (!envs || envs.size === 0) return undefined;
      const slots = [...envs.values()].sort((a, b) => compareEnvironments(a.env, b.env));
      const result: InheritedEnvironment = {
        environments: slots.map((s) => s.env),
        primary: slots[0]!.env,
        via: slots.map((s) => ({ environment: s.env.name, from: [...s.from].sort() })),
      };
      results.set(path, result);
      return result;
    },
    edges(id) {
      return [...(nodes.get(id)?.edges ?? [])].sort();
    },
    namespace(path) {
      return namespaceOrder.get(path)?.[0];
    },
    namespaces(path) {
      return namespaceOrder.get(path) ?? [];
    },
    valuesFiles,
    releases,
  };
}


/**
 * `no environment of its own; included by production (deploy/overlays/prod/kustomization.yaml); dev (...)`; environments
 * pulled in by the same entry points are named together: `included by production, staging, dev (apps/appset.yaml)`.
 */
export function inheritedNote(inherited: InheritedEnvironment): string {
  const groups = new Map<string, string[]>();
  for (const v of inherited.via) {
    const from = `${v.from.slice(0, 2).join(', ')}${v.from.length > 2 ? `, +${v.from.length - 2} more` : ''}`;
    groups.set(from, [...(groups.get(from) ?? []), v.environment]);
  }
  return `no environment of its own; included by ${[...groups].map(([from, envs]) => `${envs.join(', ')} (${from})`).join('; ')}`;
}

/** Words that name an environment beyond doubt inside an Argo CD Application's cluster, project or name. */
const APP_ENV_WORDS = new Set(['prod', 'production', 'prd', 'staging', 'stg', 'preprod', 'uat', 'dev', 'development']);

/** The environment an Application names: destination cluster name, first label of its server host, project, name. */
function applicationEnvironment(node: PNode): string | undefined {
  const server = getStr(node, 'spec.destination.server');
  const host = server ? /^[a-z]+:\/\/([^/:]+)/i.exec(server)?.[1]?.split('.')[0] : undefined;
  for (const text of [getStr(node, 'spec.destination.name'), host, getStr(node, 'spec.project'), getStr(node, 'metadata.name')]) {
    if (!text || text.includes('{{')) continue;
    const word = text.toLowerCase().split(/[^a-z0-9]+/).find((t) => APP_ENV_WORDS.has(t));
    if (word) return word;
  }
  return undefined;
}
