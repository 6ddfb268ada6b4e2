import { NamedTemplates } from '../k8s/named-templates.js';
import type { ParsedFile } from '../analyzers/types.js';
import type { YamlFileModel } from '../analyzers/yaml.js';
import type { ResolvedConfig } from '../config/types.js';
import { applyKustomizeNamespaces, extractResources, type K8sResource } from '../k8s/resources.js';
import { buildStoreIndex, type StoreIndex } from '../k8s/stores.js';
import { documentValuesBlocks, resourceValuesBlocks, type ValuesBlock } from '../k8s/values-blocks.js';
import { get, isMap, str, type PNode } from '../yaml/model.js';
import { deploymentGraph } from './deployment-graph.js';
import { terraformValuesFiles } from './terraform-values.js';

/**
 * Everything the analyzers parsed, with repo-wide indexes built once and lazily. Rules read the project; cross-file
 * rules (an ExternalSecret in one file feeding a CNPG role in another) need nothing else.
 */
export class Project {
  private byAnalyzer = new Map<string, ParsedFile[]>();
  private resourceCache?: K8sResource[];
  private storeCache?: StoreIndex;
  private blockCache?: FileValuesBlock[];
  private valuesCache?: ParsedFile<YamlFileModel>[];

  constructor(
    readonly files: readonly ParsedFile[],
    readonly config: ResolvedConfig,
  ) {
    for (const parsed of files) {
      const list = this.byAnalyzer.get(parsed.analyzer) ?? [];
      list.push(parsed);
      this.byAnalyzer.set(parsed.analyzer, list);
    }
  }

  models<Model>(analyzer: string): ParsedFile<Model>[] {
    return (this.byAnalyzer.get(analyzer) ?? []) as ParsedFile<Model>[];
  }

  get yamlFiles(): ParsedFile<YamlFileModel>[] {
    return this.models<YamlFileModel>('yaml');
  }

  private yamlIndex?: Map<string, number>;

  /**
   * The place in yamlFiles of the first YAML file at PATH, or -1: what `yamlFiles.findIndex` answers, from a map made
   * once (charts' default values were looked up with a pass over every YAML file each: quadratic in the charts).
   */
  yamlFileIndex(path: string): number {
    if (!this.yamlIndex) {
      this.yamlIndex = new Map();
      this.yamlFiles.forEach((f, index) => {
        if (!this.yamlIndex!.has(f.file.path)) this.yamlIndex!.set(f.file.path, index);
      });
    }
    return this.yamlIndex.get(path) ?? -1;
  }

  /**
   * Values files: by name or folder (values*.yaml, values/, an environment's settings), and data files a deployment
   * tool reads as values wherever they live (helmfile `environments.prod.values: [config/x.yaml]`, Argo CD
   * `helm.valueFiles`, Flux `valuesFiles`): see the deployment graph; and what a Terraform helm_release loads with
   * file() or templatefile(), even from a Terraform module's templates/ folder. A file holding Kubernetes objects stays
   * a manifest.
   */
  get valuesFiles(): ParsedFile<YamlFileModel>[] {
    if (!this.valuesCache) {
      const referenced = deploymentGraph(this).valuesFiles;
      const terraform = terraformValuesFiles(this);
      const isObject = (root: PNode | null | undefined) => isMap(root) && root.entries.some((e) => e.key === 'kind' || e.key === 'apiVersion');
      const isData = (f: ParsedFile<YamlFileModel>) => f.model.docs.some((d) => isMap(d.root)) && !f.model.docs.some((d) => isObject(d.root));
      this.valuesCache = this.yamlFiles.filter(
        (f) =>
          f.model.role === 'values' ||
          (f.model.role === 'manifest' && referenced.has(f.file.path) && isData(f)) ||
          (terraform.has(f.file.path) && isData(f)),
      );
    }
    return this.valuesCache;
  }

  /** Every Kubernetes object in the tree (manifests, templates, values-embedded), vendored ones included. */
  get resources(): K8sResource[] {
    if (!this.resourceCache) {
      this.resourceCache = this.yamlFiles.flatMap(extractResources);
      const namedTemplates = new NamedTemplates(this.yamlFiles);
      for (const resource of this.resourceCache) if (resource.helm) resource.namedTemplates = namedTemplates;
      // The deployment graph reads the resources (Argo CD Applications, Flux objects): it is built once they are cached.
      const graph = deploymentGraph(this);
      applyKustomizeNamespaces(this.resourceCache, (file) => graph.namespace(file), graph);
    }
    return this.resourceCache;
  }

  /**
   * Helm values carried inline by GitOps wrappers (Flux HelmRelease `spec.values`, Argo CD `helm.values`/`valuesObject`/
   * `parameters`, helmfile releases, Kustomize `helmCharts[].valuesInline`, Flux `postBuild.substitute`), wherever the
   * wrapper sits: a manifest, a Helm template, or embedded in values. Values files themselves are `valuesFiles`.
   */
  get valuesBlocks(): FileValuesBlock[] {
    this.blockCache ??= [
      ...this.resources.flatMap((resource) => {
        const detached = resource.valuesPath?.includes('|') ?? false;
        return resourceValuesBlocks(resource.node, detached ? '' : (resource.valuesPath ?? ''), resource.nameHint).map((block) => ({
          parsed: resource.parsed,
          docIndex: resource.docIndex,
          block: detached ? { ...block, at: `${resource.valuesPath}|${block.at}`, detached: true } : block,
        }));
      }),
      ...this.yamlFiles
        .filter((f) => f.model.role !== 'values')
        .flatMap((f) => f.model.docs.flatMap((d) => documentValuesBlocks(f.file.path, d.root).map((block) => ({ parsed: f, docIndex: d.index, block })))),
    ];
    return this.blockCache;
  }

  resourcesOfKind(...kinds: string[]): K8sResource[] {
    const wanted = new Set(kinds);
    return this.resources.filter((r) => wanted.has(r.kind));
  }

  /** A chart's default values.yaml (chartRoot/values.yaml), when the tree has one. */
  chartDefaults(chartRoot: string): YamlFileModel | undefined {
    const path = chartRoot === '.' ? 'values.yaml' : `${chartRoot}/values.yaml`;
    return this.yamlFiles[this.yamlFileIndex(path)]?.model;
  }

  /**
   * Resolve a templated string that is a single `.Values` lookup (`{{ .Values.a.b }}`, optionally piped through
   * quote/default) against the chart's default values: store names, target names, existingSecret names.
   */
  resolveChartValue(chartRoot: string | undefined, value: string | undefined): string | undefined {
    if (value === undefined || !value.includes('{{')) return value;
    const match = /^\{\{-?\s*\$?\.Values\.([A-Za-z0-9_.]+)\s*(?:\|\s*(?:quote|squote|toString|trim))?\s*(?:\|\s*default\s+"([^"]*)")?\s*-?\}\}$/.exec(value.trim());
    if (!match || chartRoot === undefined) return value;
    const defaults = this.chartDefaults(chartRoot);
    const resolved = defaults ? str(get(defaults.docs[0]?.root, match[1]!)) : undefined;
    return resolved || match[2] || value;
  }

  get stores(): StoreIndex {
    this.storeCache ??= buildStoreIndex(this.resources, this.config.stores);
    return this.storeCache;
  }
}

export interface FileValuesBlock {
  parsed: ParsedFile<YamlFileModel>;
  docIndex: number;
  block: ValuesBlock;
}
