import type { ParsedFile } from '../analyzers/types.js';
import type { YamlFileModel } from '../analyzers/yaml.js';
import type { ResolvedConfig } from '../config/types.js';
import { extractResources, type K8sResource } from '../k8s/resources.js';
import { buildStoreIndex, type StoreIndex } from '../k8s/stores.js';

/**
 * Everything the analyzers parsed, with repo-wide indexes built once and lazily. Rules read the project; cross-file
 * rules (an ExternalSecret in one file feeding a CNPG role in another) need nothing else.
 */
export class Project {
  private byAnalyzer = new Map<string, ParsedFile[]>();
  private resourceCache?: K8sResource[];
  private storeCache?: StoreIndex;

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

  get valuesFiles(): ParsedFile<YamlFileModel>[] {
    return this.yamlFiles.filter((f) => f.model.role === 'values');
  }

  /** Every Kubernetes object in the tree (manifests, templates, values-embedded), vendored ones included. */
  get resources(): K8sResource[] {
    this.resourceCache ??= this.yamlFiles.flatMap(extractResources);
    return this.resourceCache;
  }

  resourcesOfKind(...kinds: string[]): K8sResource[] {
    const wanted = new Set(kinds);
    return this.resources.filter((r) => wanted.has(r.kind));
  }

  get stores(): StoreIndex {
    this.storeCache ??= buildStoreIndex(this.resources, this.config.stores);
    return this.storeCache;
  }
}
