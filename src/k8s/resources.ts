import type { ParsedFile } from '../analyzers/types.js';
import type { HelmInfo, YamlFileModel } from '../analyzers/yaml.js';
import { get, getStr, isMap, seqItems, type PEntry, type PMap, type PNode, type PScalar } from '../yaml/model.js';
import { parseYaml } from '../yaml/parse.js';
import { documentValuesBlocks, isKustomizationPath, resourceValuesBlocks, type ValuesBlock } from './values-blocks.js';
import type { NamedTemplates } from './named-templates.js';

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
  /**
   * The namespace the object lands in: `metadata.namespace`, or the `namespace:` of the kustomization that renders it
   * (see `applyKustomizeNamespaces`). Reported in findings and the inventory; never part of `id`.
   */
  namespace?: string;
  /** `metadata.namespace` as the file spells it (what `id` is built from). */
  declaredNamespace?: string;
  node: PMap;
  source: ResourceSource;
  /** For resources embedded in values: the key path holding them, e.g. "manifests.0". */
  valuesPath?: string;
  helm?: HelmInfo;
  /** The tree's named templates, for what the template's `include`s render (set by the project). */
  namedTemplates?: NamedTemplates;
  /** Logical id used in fingerprints: Kind/namespace/name. */
  id: string;
  /** What names an object that names none itself: a Crossplane composed resource's entry name. */
  nameHint?: string;
}

function looksLikeResource(node: PMap): boolean {
  const kind = getStr(node, 'kind');
  if (!kind) return false;
  if (/^[A-Z][A-Za-z0-9]*$/.test(kind)) return node.entries.some((e) => e.key === 'apiVersion' || e.key === 'metadata');
  // A few custom resources have a lower-case kind (Zalando's `postgresql`): taken with an API group and metadata only.
  return /^[a-z][A-Za-z0-9]*$/.test(kind) && /^[a-z0-9-]+(\.[a-z0-9-]+)+\/v\d/.test(getStr(node, 'apiVersion') ?? '') && node.entries.some((e) => e.key === 'metadata');
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
    declaredNamespace: namespace,
    node,
    source,
    valuesPath,
    helm: parsed.model.helm,
    id: `${kind}/${namespace ? `${namespace}/` : ''}${name}`,
  };
}

/**
 * Objects embedded in values data (a values file, or a GitOps wrapper's inline values): `prefix` is the dotted path of
 * the values tree in its document; a detached tree (parsed from a string) joins its inner paths with `|`.
 */
function extractEmbedded(parsed: ParsedFile<YamlFileModel>, root: PNode, docIndex: number, prefix: string, detached: boolean, out: K8sResource[], depth: number): void {
  // walk()'s order and paths, but a path is only spelled out for the objects found: every values file is walked.
  const stack: PathFrame[] = root ? [{ node: root, key: '', up: undefined }] : [];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const node = frame.node;
    if (node.t === 'map') {
      if (looksLikeResource(node)) {
        const inner = framePath(frame).join('.');
        const valuesPath = !prefix ? inner : inner ? `${prefix}${detached ? '|' : '.'}${inner}` : prefix;
        const resource = make(parsed, node, docIndex, 'values', valuesPath || undefined);
        out.push(resource);
        if (depth < 3) extractFromBlocks(parsed, resourceValuesBlocks(node, detached ? '' : valuesPath), docIndex, out, depth + 1, detached ? valuesPath : undefined);
        continue;
      }
      // Scalars hold no object, but for a manifest written as a block string: only collections are visited.
      for (let i = node.entries.length - 1; i >= 0; i--) {
        const e = node.entries[i]!;
        if (e.value && e.value.t !== 'scalar') stack.push({ node: e.value, key: e.key, up: frame });
        else if (isManifestString(e.value)) stack.push({ node: objectsOfString(e.value), key: e.key, up: frame });
      }
    } else if (node.t === 'seq') {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (item && item.t !== 'scalar') stack.push({ node: item, key: String(i), up: frame });
        else if (isManifestString(item)) stack.push({ node: objectsOfString(item), key: String(i), up: frame });
      }
    }
  }
}

const MANIFEST_IN_STRING = /^[ \t]*(?:-[ \t]+)?kind:[ \t]*[A-Z]/m;

/** A block string that holds manifests: bitnami-style `extraDeploy: [ "|\n apiVersion: v1\n kind: Secret …" ]`, rendered by `tpl`. */
function isManifestString(node: PNode | null | undefined): node is PScalar {
  return node?.t === 'scalar' && node.style === 'block' && typeof node.value === 'string' && MANIFEST_IN_STRING.test(node.value);
}

/**
 * The objects a manifest string holds, as a sequence of the string's documents, positioned on the lines of the file
 * (a block string's text starts on the line after its indicator). Helm expressions stay text, as in any values file.
 */
function objectsOfString(node: PScalar): PNode {
  const items: PNode[] = [];
  for (const doc of parseYaml('\n'.repeat(node.line) + String(node.value)).docs) {
    if (doc.root?.t === 'map') items.push(doc.root);
    else if (doc.root?.t === 'seq') for (const item of doc.root.items) if (item?.t === 'map') items.push(item);
  }
  return { t: 'seq', items, line: node.line, column: node.column, endLine: node.endLine };
}

/** A node of a walk with the key it sits under and the frame of its parent (none for the walk's root). */
interface PathFrame {
  node: PNode;
  key: string;
  up: PathFrame | undefined;
}

/** Key path from the walk's root, as `walk` gives it. */
function framePath(frame: PathFrame): string[] {
  const keys: string[] = [];
  for (let f: PathFrame | undefined = frame; f?.up; f = f.up) keys.push(f.key);
  return keys.reverse();
}

function extractFromBlocks(parsed: ParsedFile<YamlFileModel>, blocks: ValuesBlock[], docIndex: number, out: K8sResource[], depth: number, detachedPrefix?: string): void {
  for (const block of blocks) {
    const at = detachedPrefix ? `${detachedPrefix}|${block.at}` : block.at;
    extractEmbedded(parsed, block.root, docIndex, at, block.detached || !!detachedPrefix, out, depth);
  }
}

/**
 * Kinds an inline kustomize patch is read as: what it writes into a workload's pod spec, a Secret or a ConfigMap is
 * committed as a patch file's would be. Other kinds stay patches (an inline ExternalSecret patch is not a second owner).
 */
const INLINE_PATCH_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Secret', 'ConfigMap']);

/**
 * Objects written inline in a kustomization (or a Flux Kustomization's spec): `patches: [{patch: |- …}]` and
 * `patchesStrategicMerge: [|- …]`; a JSON 6902 patch (`- op: add, path: …/env/-, value: …`) is read as the object its
 * add/replace operations write into the target.
 */
function inlinePatchObjects(parsed: ParsedFile<YamlFileModel>, root: PMap, docIndex: number): K8sResource[] {
  const strings: { node: PNode; target?: PNode }[] = [];
  for (const item of seqItems(root.entries.find((e) => e.key === 'patchesStrategicMerge')?.value)) if (item) strings.push({ node: item });
  for (const item of seqItems(root.entries.find((e) => e.key === 'patches')?.value)) {
    const patch = isMap(item) ? item.entries.find((e) => e.key === 'patch')?.value : undefined;
    if (patch) strings.push({ node: patch, target: isMap(item) ? item.entries.find((e) => e.key === 'target')?.value ?? undefined : undefined });
  }
  const out: K8sResource[] = [];
  for (const { node, target } of strings) {
    if (node.t === 'scalar' && node.style === 'block' && typeof node.value === 'string' && JSON6902_OP.test(node.value)) {
      const object = json6902Object(node, target);
      if (object && INLINE_PATCH_KINDS.has(getStr(object, 'kind')!)) out.push(make(parsed, object, docIndex, 'manifest'));
      continue;
    }
    if (!isManifestString(node)) continue;
    for (const item of seqItems(objectsOfString(node))) {
      if (isMap(item) && looksLikeResource(item) && INLINE_PATCH_KINDS.has(getStr(item, 'kind')!)) out.push(make(parsed, item, docIndex, 'manifest'));
    }
  }
  return out;
}

const JSON6902_OP = /^\s*-\s*(?:op|path):/m;

/**
 * The object a JSON 6902 patch writes: its target's kind and name, and the values of its `add`/`replace` operations
 * placed at their paths (`/spec/template/spec/containers/0/env/-` appends to that list). Undefined without a target kind.
 */
function json6902Object(node: PScalar, target: PNode | undefined): PMap | undefined {
  const kind = getStr(target, 'kind');
  if (!kind) return undefined;
  const at = { line: node.line, column: node.column, endLine: node.endLine };
  const scalar = (value: string) => ({ t: 'scalar' as const, value, style: 'plain' as const, ...at });
  const root: PMap = { t: 'map', entries: [], ...at };
  root.entries.push({ key: 'apiVersion', line: at.line, column: at.column, value: scalar([getStr(target, 'group'), getStr(target, 'version') ?? 'v1'].filter(Boolean).join('/')) });
  root.entries.push({ key: 'kind', line: at.line, column: at.column, value: scalar(kind) });
  const name = getStr(target, 'name');
  if (name) root.entries.push({ key: 'metadata', line: at.line, column: at.column, value: { t: 'map', entries: [{ key: 'name', line: at.line, column: at.column, value: scalar(name) }], ...at } });
  let wrote = false;
  for (const op of seqItems(opsOf(node))) {
    const verb = getStr(op, 'op');
    const path = getStr(op, 'path');
    const valueEntry = isMap(op) ? op.entries.find((e) => e.key === 'value') : undefined;
    if ((verb !== 'add' && verb !== 'replace') || !path?.startsWith('/') || !valueEntry?.value) continue;
    const segments = path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let parent: PNode = root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const last = i === segments.length - 1;
      const nextIsIndex = !last && /^(\d+|-)$/.test(segments[i + 1]!);
      const child = (): PNode => (last ? valueEntry.value! : nextIsIndex ? { t: 'seq', items: [], ...at } : { t: 'map', entries: [], ...at });
      if (parent.t === 'seq') {
        const index: number = segment === '-' ? parent.items.length : Number(segment);
        if (!Number.isInteger(index)) break;
        while (parent.items.length <= index) parent.items.push(null);
        parent.items[index] ??= child();
        if (last) parent.items[index] = valueEntry.value;
        parent = parent.items[index]!;
      } else if (parent.t === 'map') {
        let entry: PEntry | undefined = parent.entries.find((e) => e.key === segment);
        if (!entry) parent.entries.push((entry = { key: segment, line: valueEntry.line, column: valueEntry.column, value: child() }));
        else if (last) entry.value = valueEntry.value;
        parent = entry.value!;
      } else break;
      if (last) wrote = true;
    }
  }
  return wrote ? root : undefined;
}

/** The operations of a JSON 6902 patch string, positioned on the file's lines. */
function opsOf(node: PScalar): PNode | undefined {
  const doc = parseYaml('\n'.repeat(node.line) + String(node.value)).docs[0];
  return doc?.root?.t === 'seq' ? doc.root : undefined;
}

export function extractResources(parsed: ParsedFile<YamlFileModel>): K8sResource[] {
  const out: K8sResource[] = [];
  const { model } = parsed;
  for (const doc of model.docs) {
    const root = doc.root;
    if (root?.t === 'seq' && model.role === 'manifest') {
      ansibleTaskObjects(parsed, root, doc.index, out, 0);
      continue;
    }
    if (!isMap(root)) continue;
    if (model.role === 'values') {
      extractEmbedded(parsed, root, doc.index, '', false, out, 0);
      continue;
    }
    // helmfile releases / bare kustomization.yaml helmCharts: inline values may embed objects (extraObjects, ...)
    extractFromBlocks(parsed, documentValuesBlocks(parsed.file.path, root), doc.index, out, 0);
    const source: ResourceSource = model.role === 'template' ? 'template' : 'manifest';
    if (isKustomizationPath(parsed.file.path)) out.push(...inlinePatchObjects(parsed, root, doc.index));
    // A Flux Kustomization patches what it applies the same way (spec.patches).
    const spec = root.entries.find((e) => e.key === 'spec')?.value;
    if (getStr(root, 'kind') === 'Kustomization' && /^kustomize\.toolkit\.fluxcd\.io\//.test(getStr(root, 'apiVersion') ?? '') && isMap(spec)) out.push(...inlinePatchObjects(parsed, spec, doc.index));
    if (!looksLikeResource(root) && source === 'manifest') pulumiYamlObjects(parsed, root, doc.index, out);
    if (looksLikeResource(root)) {
      if (getStr(root, 'kind') === 'List') {
        for (const item of seqItems(root.entries.find((e) => e.key === 'items')?.value)) {
          if (isMap(item) && looksLikeResource(item)) out.push(make(parsed, item, doc.index, source));
        }
      } else {
        out.push(make(parsed, root, doc.index, source));
        extractFromBlocks(parsed, resourceValuesBlocks(root), doc.index, out, 0);
        crossplaneObjects(parsed, root, doc.index, source, out, 0);
      }
    }
  }
  return out;
}

/** A Pulumi YAML resource type of the Kubernetes provider: `kubernetes:core/v1:Secret`, `kubernetes:apps/v1:Deployment`. */
const PULUMI_K8S_TYPE = /^kubernetes:([a-z0-9.-]+)\/(v[0-9a-z]+):([A-Z][A-Za-z0-9]*)$/;

/**
 * The Kubernetes objects a Pulumi YAML program declares (`resources: {db: {type: kubernetes:core/v1:Secret,
 * properties: {…}}}`), as the manifests they are: the properties with the type's apiVersion and kind. One without
 * `metadata.name` is named after its resource (Pulumi adds a suffix). `${config}` interpolations stay text.
 */
function pulumiYamlObjects(parsed: ParsedFile<YamlFileModel>, root: PMap, docIndex: number, out: K8sResource[]): void {
  const resources = get(root, 'resources');
  if (!isMap(resources)) return;
  for (const entry of resources.entries) {
    const m = PULUMI_K8S_TYPE.exec(getStr(entry.value, 'type') ?? '');
    const properties = get(entry.value, 'properties');
    if (!m || !isMap(properties)) continue;
    const at = { line: properties.line, column: properties.column };
    // `kubernetes:apiextensions.k8s.io/v1:CustomResource` carries its own apiVersion and kind.
    const node: PMap = getStr(properties, 'kind') ? properties : {
      ...properties,
      entries: [
        { key: 'apiVersion', ...at, value: { t: 'scalar', value: m[1] === 'core' ? m[2]! : `${m[1]}/${m[2]}`, style: 'plain', ...at, endLine: at.line } satisfies PScalar },
        { key: 'kind', ...at, value: { t: 'scalar', value: m[3]!, style: 'plain', ...at, endLine: at.line } satisfies PScalar },
        ...properties.entries,
      ],
    };
    const resource = make(parsed, node, docIndex, 'manifest');
    // `namespace: ${ns.metadata.name}` is another resource's output: no namespace the file tells.
    if (resource.namespace?.includes('${')) resource.namespace = resource.declaredNamespace = undefined;
    if (!getStr(properties, 'metadata.name') || resource.namespace === undefined) {
      if (!getStr(properties, 'metadata.name')) resource.name = entry.key;
      resource.id = `${resource.kind}/${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
    }
    out.push(resource);
  }
}

const CROSSPLANE_COMPOSITION = /^apiextensions\.crossplane\.io\//;
const CROSSPLANE_KUBERNETES = /^kubernetes(\.m)?\.crossplane\.io\//;

/**
 * The objects a Crossplane object puts in the cluster, as written: a Composition's composed resources (`spec.resources[]
 * .base`, function-patch-and-transform's `spec.pipeline[].input.resources[].base`) and provider-kubernetes `Object`
 * manifests (`spec.forProvider.manifest`). Patches fill in fields later; what the base commits is committed.
 */
function crossplaneObjects(parsed: ParsedFile<YamlFileModel>, node: PMap, docIndex: number, source: ResourceSource, out: K8sResource[], depth: number): void {
  if (depth > 3) return;
  const apiVersion = getStr(node, 'apiVersion') ?? '';
  // Each with the name its composition entry gives it (`resources[].name`): a base names none of its own.
  const children: { node: PNode | null | undefined; name?: string }[] = [];
  if (CROSSPLANE_COMPOSITION.test(apiVersion) && getStr(node, 'kind') === 'Composition') {
    for (const r of seqItems(get(node, 'spec.resources'))) children.push({ node: get(r, 'base'), name: getStr(r, 'name') });
    for (const step of seqItems(get(node, 'spec.pipeline'))) for (const r of seqItems(get(step, 'input.resources'))) children.push({ node: get(r, 'base'), name: getStr(r, 'name') });
  } else if (CROSSPLANE_KUBERNETES.test(apiVersion) && getStr(node, 'kind') === 'Object') {
    children.push({ node: get(node, 'spec.forProvider.manifest') });
  } else {
    return;
  }
  for (const child of children) {
    if (!isMap(child.node) || !looksLikeResource(child.node)) continue;
    const resource = make(parsed, child.node, docIndex, source);
    if (child.name) {
      resource.nameHint = child.name;
      if (!getStr(child.node, 'metadata.name') && !getStr(child.node, 'metadata.generateName')) {
        resource.name = child.name;
        resource.id = `${resource.kind}/${resource.namespace ? `${resource.namespace}/` : ''}${child.name}`;
      }
    }
    out.push(resource);
    extractFromBlocks(parsed, resourceValuesBlocks(child.node, '', child.name), docIndex, out, 0);
    crossplaneObjects(parsed, child.node, docIndex, source, out, depth + 1);
  }
}

/** Ansible's Kubernetes modules, by short and collection name (`k8s`, `kubernetes.core.k8s`, the OpenShift ones). */
const ANSIBLE_K8S_MODULE = /^(?:(?:kubernetes\.core|community\.kubernetes|community\.okd|redhat\.openshift)\.)?(?:k8s|openshift)(?:_raw)?$/;
/** Keys of a play or task that hold more tasks. */
const ANSIBLE_TASK_LISTS = new Set(['tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always']);

/**
 * The objects an Ansible play or task list applies inline: a `kubernetes.core.k8s` task's `definition:` (or
 * `resource_definition:`) is a manifest the play sends to the cluster as written, one object, a list of them or a
 * block string. Jinja values (`{{ db_password }}`) stay text, as in any Jinja-rendered manifest.
 */
function ansibleTaskObjects(parsed: ParsedFile<YamlFileModel>, list: PNode, docIndex: number, out: K8sResource[], depth: number): void {
  if (depth > 8) return;
  for (const task of seqItems(list)) {
    if (!isMap(task)) continue;
    for (const e of task.entries) {
      if (ANSIBLE_TASK_LISTS.has(e.key)) {
        if (e.value?.t === 'seq') ansibleTaskObjects(parsed, e.value, docIndex, out, depth + 1);
        continue;
      }
      if (!ANSIBLE_K8S_MODULE.test(e.key) || !isMap(e.value)) continue;
      const definition = e.value.entries.find((d) => d.key === 'definition' || d.key === 'resource_definition')?.value;
      const objects = isManifestString(definition) ? seqItems(objectsOfString(definition)) : definition?.t === 'seq' ? seqItems(definition) : [definition];
      for (const o of objects) if (isMap(o) && looksLikeResource(o)) out.push(make(parsed, o, docIndex, 'manifest'));
    }
  }
}

/** Kinds kustomize's namespace transformer leaves alone: cluster-scoped objects. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume', 'PriorityClass', 'RuntimeClass', 'IngressClass',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'APIService', 'Node', 'CSIDriver', 'VolumeSnapshotClass', 'PodSecurityPolicy', 'CertificateSigningRequest',
]);

export function isClusterScoped(kind: string): boolean {
  return /^Cluster[A-Z]/.test(kind) || CLUSTER_SCOPED.has(kind);
}

/**
 * Give every namespaced object of a manifest or chart template that a kustomization renders the namespace kustomize
 * puts it in (its `namespace:` overrides `metadata.namespace`, as kustomize's namespace transformer does). Objects
 * embedded in values data are no kustomize resources and keep theirs. `id` (fingerprints) is left as the file spells it.
 * Without a kustomize namespace, a GitOps deployer's namespace only fills in: a template's `{{ .Release.Namespace }}`
 * (or a `*.namespace` helper such as bitnami's `common.names.namespace`) becomes the release namespace, and an object
 * with no `metadata.namespace` gets the deployer's default (Argo CD destination, Flux HelmRelease target namespace).
 */
export function applyKustomizeNamespaces(
  resources: readonly K8sResource[],
  namespaceOf: (file: string) => string | undefined,
  deployer?: { defaultNamespace(file: string): string | undefined; releaseNamespace(file: string): string | undefined },
): void {
  for (const resource of resources) {
    if (resource.source === 'values' || isClusterScoped(resource.kind)) continue;
    const namespace = namespaceOf(resource.file);
    if (namespace !== undefined) resource.namespace = namespace;
    else if (deployer) {
      const declared = resource.declaredNamespace?.trim();
      const filled = !declared ? deployer.defaultNamespace(resource.file) : RELEASE_NAMESPACE.test(declared) ? deployer.releaseNamespace(resource.file) : undefined;
      if (filled !== undefined) resource.namespace = filled;
    }
  }
}

/** `{{ .Release.Namespace }}`, `{{- .Release.Namespace | quote }}`, `{{ include "common.names.namespace" . | quote }}`. */
const RELEASE_NAMESPACE = /^["']?\{\{-?\s*(?:\.Release\.Namespace|include\s+"[\w.-]*\.namespace"\s+(?:\.|\$))\s*(?:\|\s*quote\s*)?-?\}\}["']?$/;
