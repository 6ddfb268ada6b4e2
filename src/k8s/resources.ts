import type { ParsedFile } from '../analyzers/types.js';
import type { HelmInfo, YamlFileModel } from '../analyzers/yaml.js';
import { getStr, isMap, seqItems, walk, type PMap } from '../yaml/model.js';

export type ResourceSource = 'manifest' | 'template' | 'values';

/** A Kubernetes object found anywhere: a manifest, a Helm template, or embedded as data in a values file. */
export interface K8sResource {
  parsed: ParsedFile<YamlFileModel>;
  file: string;
  line: number;
  docIndex: number;
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
  node: PMap;
  source: ResourceSource;
  /** For resources embedded in values: the key path holding them, e.g. "manifests.0". */
  valuesPath?: string;
  helm?: HelmInfo;
  /** Logical id used in fingerprints: Kind/namespace/name. */
  id: string;
}

function looksLikeResource(node: PMap): boolean {
  const kind = getStr(node, 'kind');
  if (!kind || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return false;
  return node.entries.some((e) => e.key === 'apiVersion' || e.key === 'metadata');
}

function make(parsed: ParsedFile<YamlFileModel>, node: PMap, docIndex: number, source: ResourceSource, valuesPath?: string): K8sResource {
  const kind = getStr(node, 'kind')!;
  const name = getStr(node, 'metadata.name') ?? getStr(node, 'metadata.generateName') ?? '(unnamed)';
  const namespace = getStr(node, 'metadata.namespace');
  return {
    parsed,
    file: parsed.file.path,
    line: node.line,
    docIndex,
    apiVersion: getStr(node, 'apiVersion'),
    kind,
    name,
    namespace,
    node,
    source,
    valuesPath,
    helm: parsed.model.helm,
    id: `${kind}/${namespace ? `${namespace}/` : ''}${name}`,
  };
}

export function extractResources(parsed: ParsedFile<YamlFileModel>): K8sResource[] {
  const out: K8sResource[] = [];
  const { model } = parsed;
  for (const doc of model.docs) {
    const root = doc.root;
    if (!isMap(root)) continue;
    if (model.role === 'values') {
      walk(root, ({ node, path }) => {
        if (isMap(node) && looksLikeResource(node)) {
          out.push(make(parsed, node, doc.index, 'values', path.join('.') || undefined));
          return false;
        }
        return undefined;
      });
      continue;
    }
    const source: ResourceSource = model.role === 'template' ? 'template' : 'manifest';
    if (looksLikeResource(root)) {
      if (getStr(root, 'kind') === 'List') {
        for (const item of seqItems(root.entries.find((e) => e.key === 'items')?.value)) {
          if (isMap(item) && looksLikeResource(item)) out.push(make(parsed, item, doc.index, source));
        }
      } else {
        out.push(make(parsed, root, doc.index, source));
      }
    }
  }
  return out;
}
