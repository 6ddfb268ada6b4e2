/**
 * Shared helpers for the cross-file (correlation) rules: ExternalSecret/PushSecret views over the whole project,
 * store resolution per entry (per-entry sourceRef.storeRef overrides the resource's secretStoreRef), Helm value
 * resolution against a chart's values.yaml, and remote-key matching.
 */
import { EXTERNAL_SECRET_KINDS, PUSH_SECRET_KINDS, bulkPushRemoteKeys, esoNamespace, isCnpgCluster, type BulkPush, externalSecretView, normaliseRemoteKey, pushSecretView, type ExternalSecretView, type PushSecretView, type RemoteRead } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import type { StoreInfo } from '../../k8s/stores.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import { get, isMap, isScalar, type PNode } from '../../yaml/model.js';

const VALUES_REF = /^\{\{-?\s*\.Values\.([A-Za-z0-9_.]+)\s*(?:\|\s*quote\s*)?-?\}\}$/;
const DEFAULT_REF = /^\{\{-?\s*\.Values\.([A-Za-z0-9_.]+)\s*\|\s*default\s+"([^"]*)"\s*(?:\|\s*quote\s*)?-?\}\}$/;

export function isTemplated(value: string | undefined): boolean {
  return !!value && value.includes('{{');
}

const chartValuesCache = new WeakMap<Project, Map<string, PNode | null>>();

function chartValuesRoot(project: Project, chartRoot: string): PNode | null {
  let cache = chartValuesCache.get(project);
  if (!cache) {
    cache = new Map();
    chartValuesCache.set(project, cache);
  }
  if (cache.has(chartRoot)) return cache.get(chartRoot)!;
  const wanted = chartRoot === '.' ? 'values.yaml' : `${chartRoot}/values.yaml`;
  // The first of values.yaml and values.yml in the project's order (what a find over the YAML files gives).
  const places = [project.yamlFileIndex(wanted), project.yamlFileIndex(wanted.replace(/\.yaml$/, '.yml'))].filter((i) => i >= 0);
  const file = places.length > 0 ? project.yamlFiles[Math.min(...places)] : undefined;
  const root = file?.model.docs[0]?.root ?? null;
  cache.set(chartRoot, root);
  return root;
}

/**
 * A scalar as the chart would render it: literal text as is, `{{ .Values.a.b }}` (optionally `| default "x"` or
 * `| quote`) resolved against the chart's own values.yaml. Undefined when it cannot be known statically.
 */
export function resolveScalar(project: Project, resource: K8sResource, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isTemplated(value)) return value;
  const trimmed = value.trim();
  const match = VALUES_REF.exec(trimmed) ?? DEFAULT_REF.exec(trimmed);
  if (!match || !resource.helm) return undefined;
  const root = chartValuesRoot(project, resource.helm.chartRoot);
  const node = get(root, match[1]!);
  if (isScalar(node) && node.value !== null && String(node.value) !== '' && !isTemplated(String(node.value))) return String(node.value);
  return match[2] || undefined;
}

export interface EsEntry {
  read: RemoteRead;
  /** Store name as written (per-entry override first), resolved through chart values when templated. */
  storeName?: string;
  store?: StoreInfo;
  /** Remote key resolved through chart values when templated; undefined when unknowable. */
  remoteKey?: string;
  normalisedKey?: string;
  /** true for dataFrom (extract/find) entries. */
  bulk: boolean;
}

export interface EsInfo {
  view: ExternalSecretView;
  resource: K8sResource;
  /** Target Secret name, resolved; undefined when templated and unknowable. */
  targetName?: string;
  namespace?: string;
  entries: EsEntry[];
}

function storeFor(project: Project, resource: K8sResource, name: string | undefined, kind?: string): { storeName?: string; store?: StoreInfo } {
  const storeName = resolveScalar(project, resource, name);
  return { storeName, store: storeName ? project.stores.resolve(storeName, kind) : undefined };
}

const esCache = new WeakMap<Project, EsInfo[]>();

/** Every ExternalSecret/ClusterExternalSecret in the tree (manifests, templates, values-embedded), with stores resolved. */
export function externalSecrets(project: Project): EsInfo[] {
  const cached = esCache.get(project);
  if (cached) return cached;
  const out: EsInfo[] = [];
  for (const resource of project.resourcesOfKind(...EXTERNAL_SECRET_KINDS)) {
    const view = externalSecretView(resource);
    const entries: EsEntry[] = [];
    for (const [list, bulk] of [
      [view.reads, false],
      [view.extracts, true],
    ] as const) {
      for (const read of list) {
        const { storeName, store } = storeFor(project, resource, read.storeName ?? view.storeName, view.storeKind);
        const remoteKey = resolveScalar(project, resource, read.remoteKey);
        entries.push({ read, storeName, store, remoteKey, normalisedKey: remoteKey ? normaliseRemoteKey(remoteKey) : undefined, bulk });
      }
    }
    out.push({ view, resource, targetName: resolveScalar(project, resource, view.targetName), namespace: esoNamespace(resource), entries });
  }
  esCache.set(project, out);
  return out;
}

export interface PsInfo {
  view: PushSecretView;
  resource: K8sResource;
  sourceSecret?: string;
  namespace?: string;
  stores: { name: string; store?: StoreInfo }[];
  pushes: { remoteKey: string; normalisedKey: string; secretKey?: string; property?: string; line: number }[];
  /** spec.dataTo entries with their resolved store; their remote keys are among `pushes` when the source Secret's keys are known. */
  bulk: { push: BulkPush; storeName?: string; store?: StoreInfo }[];
  updatePolicy?: string;
}

/** Keys of the Secret CNPG generates for a Cluster's application owner (`<cluster>-app`) and superuser (`<cluster>-superuser`). */
const CNPG_SECRET_KEYS = ['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass'];

/** Keys of a Secret named SECRETNAME as the tree shows them: a Secret manifest's data/stringData, or a CNPG-generated Secret. */
function sourceSecretKeys(project: Project, secretName: string): string[] | undefined {
  const index = memoFor(project, 'pushsecret:source-keys', '', () => {
    const keys = new Map<string, string[]>();
    for (const secret of project.resourcesOfKind('Secret')) {
      const names = ['data', 'stringData'].flatMap((section) => {
        const node = get(secret.node, section);
        return isMap(node) ? node.entries.map((e) => e.key).filter((k) => !isTemplated(k)) : [];
      });
      if (names.length > 0 && !isTemplated(secret.name)) keys.set(secret.name, [...new Set([...(keys.get(secret.name) ?? []), ...names])]);
    }
    for (const cluster of project.resources.filter(isCnpgCluster)) {
      for (const suffix of ['app', 'superuser']) if (!keys.has(`${cluster.name}-${suffix}`)) keys.set(`${cluster.name}-${suffix}`, CNPG_SECRET_KEYS);
    }
    return keys;
  });
  return index.get(secretName);
}

const psCache = new WeakMap<Project, PsInfo[]>();

export function pushSecrets(project: Project): PsInfo[] {
  const cached = psCache.get(project);
  if (cached) return cached;
  const out: PsInfo[] = [];
  for (const resource of project.resourcesOfKind(...PUSH_SECRET_KINDS)) {
    const view = pushSecretView(resource);
    const stores = view.storeNames
      .map((n) => resolveScalar(project, resource, n))
      .filter((n): n is string => !!n)
      .map((name) => ({ name, store: project.stores.resolve(name) }));
    const pushes: PsInfo['pushes'] = [];
    for (const push of view.pushes) {
      const remoteKey = resolveScalar(project, resource, push.remoteKey);
      if (remoteKey) pushes.push({ remoteKey, normalisedKey: normaliseRemoteKey(remoteKey), secretKey: push.secretKey, ...(push.property ? { property: push.property } : {}), line: push.line });
    }
    const sourceSecret = resolveScalar(project, resource, view.sourceSecret);
    const sourceKeys = sourceSecret ? sourceSecretKeys(project, sourceSecret) : undefined;
    const bulk: PsInfo['bulk'] = [];
    for (const push of view.bulkPushes) {
      const storeName = resolveScalar(project, resource, push.storeName);
      bulk.push({ push, ...(storeName ? { storeName, store: project.stores.resolve(storeName) } : {}) });
      for (const p of (sourceKeys && bulkPushRemoteKeys(push, sourceKeys)) ?? []) {
        if (!pushes.some((q) => q.remoteKey === p.remoteKey)) pushes.push({ remoteKey: p.remoteKey, normalisedKey: normaliseRemoteKey(p.remoteKey), secretKey: p.secretKey, line: push.line });
      }
    }
    out.push({
      view,
      resource,
      sourceSecret,
      namespace: esoNamespace(resource),
      stores,
      pushes,
      bulk,
      updatePolicy: resolveScalar(project, resource, view.updatePolicy),
    });
  }
  psCache.set(project, out);
  return out;
}

/** Namespaces are compatible when either side does not say (templates, cluster-scoped fan-out) or both agree. */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || isTemplated(a) || isTemplated(b) || a === b;
}

/** Could an ExternalSecret entry's store and a PushSecret's stores address the same backend? Only differing known providers say no. */
export function storesCompatible(entry: EsEntry, ps: PsInfo): boolean {
  if (!entry.storeName || ps.stores.length === 0) return true;
  return ps.stores.some((s) => {
    if (s.name === entry.storeName) return true;
    const a = entry.store?.provider;
    const b = s.store?.provider;
    return !a || !b || a === b;
  });
}

/** Is the provider of this entry's store Vault? Unresolved stores count as Vault only when every known store is Vault. */
export function isVaultEntry(project: Project, entry: EsEntry): { vault: boolean; assumed: boolean } {
  const provider = entry.store?.provider;
  if (provider === 'vault') return { vault: true, assumed: false };
  if (provider) return { vault: false, assumed: false };
  const allVault = memoFor(project, 'stores:all-vault', '', () => project.stores.all.filter((s) => s.provider !== 'generator' && s.provider !== 'fake').every((s) => s.provider === 'vault'));
  return { vault: allVault, assumed: true };
}

/** The role a CNPG Secret name suggests: orders-db-credentials -> orders. */
export { roleFromSecretName } from '../snippets.js';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Map entries whose key looks like a Kubernetes object: skipped by values walks (the resource index covers them). */
export function looksLikeEmbeddedResource(node: PNode | null | undefined): boolean {
  return isMap(node) && node.entries.some((e) => e.key === 'kind') && node.entries.some((e) => e.key === 'apiVersion' || e.key === 'metadata');
}
