/**
 * D4: the legacy secret-store footprint. Three forms:
 *
 * - dangling alias: an ExternalSecret/ClusterExternalSecret/PushSecret ref names a SecretStore/ClusterSecretStore the
 *   tree never defines while it does define stores of that kind (the tree is where stores live), or names one that
 *   exists only as the other kind (ESO looks a ClusterSecretStore ref up among ClusterSecretStores only). ESO cannot
 *   sync it. Definitions: manifests, chart templates, objects embedded in values, stores values describe for a chart
 *   (`secretStores: [{name, provider}]`), stores Terraform creates.
 * - Vault bypass (lower confidence, low): the tree defines a Vault store, yet an application ExternalSecret reads a
 *   cloud store (Azure Key Vault, AWS, Google) straight, a second path next to the one through Vault. The plumbing
 *   that fills Vault is left alone, and so is what cluster-managed-secret-from-azure-kv reports.
 * - Azure-era sync: a script, Makefile, CI job or Tiltfile that reads Azure Key Vault and creates the Secrets itself,
 *   in a tree with a Vault store.
 *
 * Templated names are rendered as each release of the chart renders them (chart defaults when nothing installs it);
 * a store definition whose name cannot be rendered may carry any name, so refs of its kind are not judged. A base
 * object whose store ref a kustomize overlay patches is judged through the patch.
 */
import { EXTERNAL_SECRET_KINDS, PUSH_SECRET_KINDS, esSpec, isEsoApiVersion } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import { STORE_KINDS, type StoreInfo } from '../../k8s/stores.js';
import { deploymentGraph } from '../../scan/deployment-graph.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import { get, getStr, seqItems, walk, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import type { RuleContext } from '../types.js';
import { clusterManagedJudge } from './cluster-managed-secret-from-azure-kv.js';
import { externalSecrets, isTemplated, pushSecrets, resolveScalar, sameNamespace, type EsInfo } from './common.js';
import { releaseValues, resolveInRelease } from './release-values.js';
import { kustomizePatchFiles } from './duplicate-externalsecret-owner.js';
import { isKustomizationPath } from '../../k8s/values-blocks.js';
import type { ParsedFile } from '../../analyzers/types.js';
import type { HarnessModel } from '../../analyzers/tests/model.js';
import type { TerraformModel } from '../../analyzers/terraform.js';
import { harnessModels } from '../tests/common.js';

const CLOUD_PROVIDERS: Record<string, string> = { azurekv: 'Azure Key Vault', aws: 'AWS', gcpsm: 'Google Secret Manager' };

/** A word of a namespace, chart or folder that says Vault itself lives there (its bootstrap, its unseal, its seeding). */
const VAULT_WORD = /(^|[-_.])(vault|openbao)([-_.]|$)/i;
const VAULT_HOME_DIR = /^(hashicorp-)?(vault|openbao)([-_](bootstrap|init|unseal|seed|seeder|core|server|operator|config))?$|^(bootstrap|init|seed)[-_](vault|openbao)$/i;

interface Rendered {
  names: string[];
  /** Some rendering of it cannot be known statically. */
  unknown: boolean;
}

/**
 * VALUE as the tree renders it: literal text as is; in a chart template, resolved with every release that installs
 * the chart (its values over the chart's), or with the chart's defaults when nothing in the tree installs it.
 */
function rendered(project: Project, resource: K8sResource, value: string | undefined): Rendered {
  if (value === undefined) return { names: [], unknown: true };
  if (!isTemplated(value)) return { names: [value], unknown: false };
  if (resource.source !== 'template' || !resource.helm) return { names: [], unknown: true };
  const chartRoot = resource.helm.chartRoot;
  const releases = deploymentGraph(project).releases.filter((rel) => rel.chart === chartRoot && rel.targets.has(resource.file));
  if (releases.length === 0) {
    const name = resolveScalar(project, resource, value);
    return name && !isTemplated(name) ? { names: [name], unknown: false } : { names: [], unknown: true };
  }
  const names = new Set<string>();
  let unknown = false;
  for (const release of releases) {
    const name = resolveInRelease(value, releaseValues(project, release, chartRoot));
    if (name && !isTemplated(name)) names.add(name);
    else unknown = true;
  }
  return { names: [...names].sort(), unknown };
}

interface Definition {
  name: string;
  kind: string;
  provider?: string;
  file: string;
  isTest: boolean;
  /** The store object, for one the YAML defines (Terraform's are known by name and kind only). */
  resource?: K8sResource;
}

interface StoreDefinitions {
  byKind: Map<string, Map<string, Definition>>;
  /** Kinds some first-party, non-test definition has: the tree is where stores of that kind live. */
  homes: Set<string>;
  /** Kinds with a definition whose name cannot be rendered: any ref of that kind may be to it. */
  wildcard: Set<string>;
  /** Vault stores the tree defines outside tests. */
  vault: Definition[];
  /** Names of stores values describe for a chart to render (a remote chart's `clusterSecretStores: [{name, provider}]`). */
  described(): Set<string>;
}

/** Keys under which a store's provider block sits, in values that describe a store. */
const STORE_KEY = /secret_?stores?$/i;
const PROVIDER_KEYS = new Set(['provider', 'vault', 'azurekv', 'aws', 'gcpsm', 'kubernetes', 'gitlab', 'onepassword', 'doppler', 'akeyless', 'ibm', 'oracle', 'alibaba', 'yandexlockbox', 'infisical', 'bitwardensecretsmanager', 'conjur', 'webhook', 'fake']);

/**
 * Maps in values under a `secretStores`/`clusterSecretStore`-like key with a literal `name` and a provider block: a
 * store some chart renders from them. (Those keys are context words, so every chunk of a large tree sees them.)
 */
function describedStores(project: Project): Set<string> {
  const names = new Set<string>();
  const visit = (root: PNode | null | undefined) =>
    walk(root, ({ node, path }) => {
      if (node.t !== 'map' || !path.some((k) => STORE_KEY.test(k))) return;
      const name = getStr(node, 'name');
      if (name && !isTemplated(name) && node.entries.some((e) => PROVIDER_KEYS.has(e.key) && e.value !== null && (e.key === 'provider' || e.value.t === 'map'))) names.add(name);
    });
  for (const f of project.valuesFiles) for (const d of f.model.docs) visit(d.root);
  for (const b of project.valuesBlocks) visit(b.block.root);
  return names;
}

function storeDefinitions(project: Project): StoreDefinitions {
  return memoFor(project, 'legacy-store:definitions', '', () => {
    let described: Set<string> | undefined;
    const defs: StoreDefinitions = { byKind: new Map(STORE_KINDS.map((k) => [k, new Map()])), homes: new Set(), wildcard: new Set(), vault: [], described: () => (described ??= describedStores(project)) };
    const add = (def: Definition, vendored: boolean) => {
      const ofKind = defs.byKind.get(def.kind)!;
      if (!ofKind.has(def.name) || (ofKind.get(def.name)!.isTest && !def.isTest)) ofKind.set(def.name, def);
      if (def.provider === 'vault' && !def.isTest) defs.vault.push(def);
      if (!def.isTest && !vendored) defs.homes.add(def.kind);
    };
    for (const resource of project.resourcesOfKind(...STORE_KINDS)) {
      const provider = get(resource.node, 'spec.provider');
      const providerName = provider?.t === 'map' ? provider.entries[0]?.key : undefined;
      const names = rendered(project, resource, resource.name === '(unnamed)' ? undefined : resource.name);
      if (names.unknown) defs.wildcard.add(resource.kind);
      const { isTest, vendored } = resource.parsed.file;
      for (const name of names.names) add({ name, kind: resource.kind, file: resource.file, isTest, resource, ...(providerName ? { provider: providerName } : {}) }, vendored);
      if (!isTest && !vendored) defs.homes.add(resource.kind);
    }
    // Stores Terraform creates (kubernetes_manifest, kubectl_manifest): names only, so never counted as Vault's.
    for (const tf of project.models<TerraformModel>('terraform')) {
      for (const store of tf.model.secretStores ?? []) {
        if (store.name === undefined) defs.wildcard.add(store.kind);
        else add({ name: store.name, kind: store.kind, file: tf.file.path, isTest: tf.file.isTest }, tf.file.vendored);
      }
    }
    defs.vault.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind.localeCompare(b.kind)));
    return defs;
  });
}

interface StoreRef {
  name: string;
  /** As written; SecretStore when absent (ESO's default). Undefined when templated and unknowable. */
  kind?: string;
  line: number;
  /** Where in the object: secretStoreRef, data[i].sourceRef.storeRef, secretStoreRefs[i], dataTo[i].storeRef. */
  path: string;
  /** The name is a template expression rendered from values. */
  templated: boolean;
}

function refAt(node: PNode | null | undefined, path: string, fallbackLine: number): { name?: string; kind?: string; line: number; path: string } {
  const nameNode = get(node, 'name');
  return { name: getStr(node, 'name'), kind: getStr(node, 'kind'), line: nameNode?.line ?? node?.line ?? fallbackLine, path };
}

/** The store refs of an ExternalSecret/ClusterExternalSecret/PushSecret/ClusterPushSecret, in document order. */
function storeRefsOf(resource: K8sResource): { name?: string; kind?: string; line: number; path: string }[] {
  const out: { name?: string; kind?: string; line: number; path: string }[] = [];
  if (EXTERNAL_SECRET_KINDS.includes(resource.kind)) {
    const spec = esSpec(resource);
    const main = get(spec, 'secretStoreRef');
    if (main) out.push(refAt(main, 'secretStoreRef', resource.line));
    for (const section of ['data', 'dataFrom']) {
      seqItems(get(spec, section)).forEach((item, i) => {
        const ref = get(item, 'sourceRef.storeRef');
        if (ref) out.push(refAt(ref, `${section}[${i}].sourceRef.storeRef`, item.line));
      });
    }
  } else {
    const spec = resource.kind === 'ClusterPushSecret' ? get(resource.node, 'spec.pushSecretSpec') : get(resource.node, 'spec');
    seqItems(get(spec, 'secretStoreRefs')).forEach((item, i) => out.push(refAt(item, `secretStoreRefs[${i}]`, item.line)));
    seqItems(get(spec, 'dataTo')).forEach((item, i) => {
      const ref = get(item, 'storeRef');
      if (ref) out.push(refAt(ref, `dataTo[${i}].storeRef`, item.line));
    });
  }
  return out;
}

function renderedRefs(project: Project, resource: K8sResource): StoreRef[] {
  const out: StoreRef[] = [];
  const seen = new Set<string>();
  for (const ref of storeRefsOf(resource)) {
    const names = rendered(project, resource, ref.name);
    const kinds = ref.kind === undefined ? { names: ['SecretStore'], unknown: false } : rendered(project, resource, ref.kind);
    const kindList: (string | undefined)[] = kinds.unknown ? [...kinds.names, undefined] : kinds.names;
    for (const name of names.names) {
      for (const kind of kindList) {
        const key = `${kind ?? '?'}/${name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ name, ...(kind ? { kind } : {}), line: ref.line, path: ref.path, templated: isTemplated(ref.name) });
      }
    }
  }
  return out;
}

/**
 * Names of the ExternalSecrets/PushSecrets whose store ref a kustomize patch may rewrite: a strategic-merge patch file
 * that sets one, or a `patches`/`patchesJson6902` entry aimed at one by name (inline text that mentions a store ref,
 * or a patch file, whatever it holds). The base's ref is then not what gets applied; the patch's own ref is judged.
 */
function patchedStoreRefs(project: Project): { files: Set<string>; names: Set<string> } {
  return memoFor(project, 'legacy-store:patched', '', () => {
    const files = kustomizePatchFiles(project);
    const names = new Set<string>();
    for (const r of project.resourcesOfKind(...EXTERNAL_SECRET_KINDS, ...PUSH_SECRET_KINDS)) if (files.has(r.file) && storeRefsOf(r).length > 0) names.add(r.name);
    for (const parsed of project.yamlFiles) {
      if (!isKustomizationPath(parsed.file.path)) continue;
      for (const doc of parsed.model.docs) {
        for (const field of ['patches', 'patchesJson6902']) {
          for (const item of seqItems(get(doc.root, field))) {
            const name = getStr(item, 'target.name');
            const kind = getStr(item, 'target.kind');
            if (!name || (kind !== undefined && ![...EXTERNAL_SECRET_KINDS, ...PUSH_SECRET_KINDS].includes(kind))) continue;
            const inline = getStr(item, 'patch');
            if (inline === undefined ? getStr(item, 'path') !== undefined : /storeRef/i.test(inline)) names.add(name);
          }
        }
      }
    }
    return { files, names };
  });
}

function otherKind(kind: string): string {
  return kind === 'ClusterSecretStore' ? 'SecretStore' : 'ClusterSecretStore';
}

function listed(names: string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function checkDangling(context: RuleContext, defs: StoreDefinitions, resource: K8sResource): void {
  const configured = context.config.stores;
  const patched = patchedStoreRefs(context.project);
  if (!patched.files.has(resource.file) && patched.names.has(resource.name)) return;
  for (const ref of renderedRefs(context.project, resource)) {
    if (Object.prototype.hasOwnProperty.call(configured, ref.name)) continue;
    const kinds = ref.kind && STORE_KINDS.includes(ref.kind) ? [ref.kind] : ref.kind ? [] : STORE_KINDS;
    if (kinds.length === 0) continue;
    if (kinds.some((k) => defs.byKind.get(k)!.has(ref.name) || defs.wildcard.has(k)) || defs.described().has(ref.name)) continue;
    const kind = ref.kind;
    if (!kind) continue;
    const vaultStore = defs.vault.find((d) => d.kind === kind) ?? defs.vault[0];
    const other = defs.byKind.get(otherKind(kind))!.get(ref.name);
    const where = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
    const templatedNote = ref.templated ? ' (as the chart\'s values render it)' : '';
    if (other) {
      context.report({
        file: resource.parsed.file,
        line: ref.line,
        message: `${where} references ${kind} ${ref.name} at ${ref.path}${templatedNote}, but ${ref.name} is a ${other.kind} (${other.file}); ESO looks it up among ${kind}s and cannot sync`,
        location: resourceLocation(resource, `${ref.path}:${kind}/${ref.name}`),
        origin: 'external',
        resource: resourceRef(resource),
        remediation: `Set ${ref.path}.kind to ${other.kind} (or define the store as a ${kind}).`,
      });
      continue;
    }
    if (!defs.homes.has(kind)) continue;
    const defined = [...defs.byKind.get(kind)!.values()].filter((d) => !d.isTest).map((d) => d.name).sort();
    context.report({
      file: resource.parsed.file,
      line: ref.line,
      message: `${where} ${PUSH_SECRET_KINDS.includes(resource.kind) ? 'pushes to' : 'reads through'} ${kind} ${ref.name} at ${ref.path}${templatedNote}, which no store in the tree defines (it defines ${kind} ${listed(defined)}): a legacy or renamed store alias ESO cannot sync with`,
      location: resourceLocation(resource, `${ref.path}:${kind}/${ref.name}`),
      origin: 'external',
      resource: resourceRef(resource),
      remediation: vaultStore
        ? `Re-point ${ref.path} to the Vault store (${vaultStore.kind} ${vaultStore.name}) and delete what is left of the ${ref.name} alias (its scripts, values and release).`
        : `Re-point ${ref.path} to a store the tree defines (${kind} ${listed(defined)}) and delete what is left of the ${ref.name} alias.`,
    });
  }
}

/** Namespaces Vault runs in, read from the Vault stores' server URLs (http://vault.vault.svc:8200 -> vault). */
function vaultNamespaces(defs: StoreDefinitions): Set<string> {
  const out = new Set<string>();
  for (const def of defs.vault) {
    const server = getStr(def.resource?.node, 'spec.provider.vault.server') ?? '';
    const m = /^[a-z]+:\/\/[a-z0-9-]+\.([a-z0-9-]+)(?:\.svc\b|[:/]|$)/i.exec(server.trim());
    if (m && !/^(com|net|org|io|local)$/i.test(m[1]!)) out.add(m[1]!);
  }
  return out;
}

/**
 * Is the ExternalSecret part of the plumbing that fills Vault from the cloud store: in Vault's namespace, chart or
 * folder, filling a Secret named for Vault, or filling a Secret a PushSecret writes into a Vault store?
 */
function fillsVault(project: Project, es: EsInfo, namespaces: Set<string>): boolean {
  const r = es.resource;
  if (es.namespace !== undefined && !isTemplated(es.namespace) && (namespaces.has(es.namespace) || VAULT_WORD.test(es.namespace))) return true;
  if (r.helm && VAULT_HOME_DIR.test(r.helm.chartRoot.split('/').pop() ?? '')) return true;
  if (r.file.split('/').slice(0, -1).some((dir) => VAULT_HOME_DIR.test(dir))) return true;
  if (es.targetName !== undefined && VAULT_WORD.test(es.targetName)) return true;
  if (es.targetName === undefined) return false;
  return pushSecrets(project).some(
    (ps) => ps.sourceSecret === es.targetName && sameNamespace(ps.namespace, es.namespace) && ps.stores.some((s) => s.store?.provider === 'vault' || s.store === undefined),
  );
}

function checkBypass(context: RuleContext, defs: StoreDefinitions, namespaces: Set<string>, es: EsInfo): void {
  const cloud = es.entries.filter((e) => e.store && (e.store.via === 'definition' || e.store.via === 'config') && CLOUD_PROVIDERS[e.store.provider] !== undefined);
  if (cloud.length === 0) return;
  if (fillsVault(context.project, es, namespaces)) return;
  if (clusterManagedJudge(context.project, context.config).offendingReads(es).offending.length > 0) return;
  const store = cloud[0]!.store as StoreInfo;
  const stores = [...new Set(cloud.map((e) => e.storeName!))].sort();
  const keys = [...new Set(cloud.map((e) => e.remoteKey ?? e.read.remoteKey))];
  const vault = defs.vault.find((d) => d.kind === store.kind) ?? defs.vault[0]!;
  const r = es.resource;
  const where = `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
  const line = storeRefsOf(r).find((ref) => resolveScalar(context.project, r, ref.name) === cloud[0]!.storeName)?.line ?? cloud[0]!.read.line;
  context.report({
    file: r.parsed.file,
    line,
    severity: 'low',
    message: `${where} reads ${listed(keys)} straight from ${CLOUD_PROVIDERS[store.provider]} through ${store.kind} ${listed(stores)}, next to the Vault store ${vault.kind} ${vault.name} the tree defines: a second path that bypasses Vault (leave it only if this store is meant for direct reads)`,
    location: resourceLocation(r, `direct:${stores.join(',')}`),
    keys: cloud.map((e) => e.read.secretKey ?? e.read.remoteKey),
    origin: 'external',
    resource: resourceRef(r),
    remediation: `Read ${listed(keys)} through ${vault.kind} ${vault.name} (have the Vault bootstrap copy it from ${CLOUD_PROVIDERS[store.provider]}), then drop the direct ${store.kind} ${listed(stores)} reference.`,
  });
}

/**
 * A script, Makefile, CI job or Tiltfile that reads Azure Key Vault (`az keyvault secret show/list/download`, an SDK
 * client) and creates Kubernetes Secrets itself (`kubectl create secret`), in a tree whose secrets come through a Vault
 * store: the Azure-era sync. One that writes into Vault is the Vault bootstrap (the sanctioned path), and Secrets
 * named for Vault are its own credentials.
 */
function checkAzureSync(context: RuleContext, defs: StoreDefinitions, m: ParsedFile<HarnessModel>): void {
  const model = m.model;
  if (model.vaultWrites.length > 0) return;
  const written = [...(model.createdSecrets ?? []), ...model.inlineSecrets]
    .map((s) => ({ name: s.name ?? s.nameAsWritten, line: s.line }))
    .filter((s) => s.name === undefined || !VAULT_WORD.test(s.name));
  if (written.length === 0) return;
  const read = model.keyVault[0]!;
  const secrets = [...new Set(model.keyVault.flatMap((k) => k.secrets))];
  const targets = [...new Set(written.map((w) => w.name).filter((n): n is string => !!n))];
  const vault = defs.vault[0]!;
  const lines = [...model.keyVault.map((k) => k.line), ...written.map((w) => w.line)];
  context.report({
    file: m.file,
    line: read.line,
    column: read.column,
    endLine: Math.max(...lines),
    message: `Reads Azure Key Vault directly (${read.form}${secrets.length ? ` ${listed(secrets)}` : ''}) and creates Kubernetes Secret${targets.length === 1 ? '' : 's'} ${targets.length ? listed(targets) : '(name not literal)'} itself, while the tree's secrets come through the Vault store ${vault.kind} ${vault.name}: an Azure-era secret sync that bypasses Vault and External Secrets`,
    location: `azure-secret-sync:${targets.length ? [...targets].sort().join(',') : 'secret'}`,
    keys: secrets,
    origin: 'external',
    remediation: `Delete the sync (and what calls it: Tiltfile, Makefile, CI); let ExternalSecrets read through ${vault.kind} ${vault.name} materialise the Secrets, with the Vault bootstrap copying the keys from Azure Key Vault.`,
  });
}

export const legacySecretStoreReference = createRule(
  {
    id: 'legacy-secret-store-reference',
    family: 'external',
    defaultSeverity: 'medium',
    description: 'An ExternalSecret or PushSecret that names a store the tree does not define (a legacy alias, or the wrong store kind), reads a cloud store straight past the Vault store, or a script that syncs Azure Key Vault into Secrets itself',
    why: 'External secrets flow cloud store -> Vault -> External Secrets -> Kubernetes Secret. A ref to a store alias that no longer exists (the Azure-era store, a renamed Vault store), or to a SecretStore as a ClusterSecretStore, never syncs: the Secret is missing or stale and the failure shows only as an ESO status. An application that reads Azure Key Vault (or AWS, Google) directly next to a Vault store keeps a second path alive that the Vault policies and audit do not see (reported low: some trees mean a store for direct reads). A script, Tiltfile or CI job that reads Azure Key Vault and creates the Secrets itself is the Azure-era sync the Vault path replaced.',
    allowed: "secretStoreRef naming a store the tree defines (a manifest, a chart template, values that describe it), with its kind (e.g. `kind: ClusterSecretStore, name: platform-vault`); trees that define no stores of that kind (they live elsewhere); the Vault bootstrap reading the cloud store (in Vault's namespace or chart, feeding a PushSecret into Vault, or a script writing into Vault).",
    remediation: 'Re-point the ref to the Vault store the tree defines (with the right kind); delete the Azure-era store alias and the scripts and values that sync Azure Key Vault into Secrets directly.',
  },
  (context) => {
    const project = context.project;
    if (project.resourcesOfKind(...STORE_KINDS).length === 0 && !project.models<TerraformModel>('terraform').some((m) => m.model.secretStores)) return;
    const candidates = project.resourcesOfKind(...EXTERNAL_SECRET_KINDS, ...PUSH_SECRET_KINDS);
    const defs = storeDefinitions(project);
    if (defs.homes.size === 0) return;
    context.each(
      candidates.filter((r) => !r.parsed.file.isTest && !r.parsed.file.vendored && isEsoApiVersion(r)),
      (r) => r.file,
      (r) => checkDangling(context, defs, r),
    );
    if (defs.vault.length === 0) return;
    const namespaces = vaultNamespaces(defs);
    context.each(
      externalSecrets(project).filter((es) => !es.resource.parsed.file.isTest && !es.resource.parsed.file.vendored && isEsoApiVersion(es.resource)),
      (es) => es.resource.file,
      (es) => checkBypass(context, defs, namespaces, es),
    );
    context.each(
      harnessModels(project).filter((m) => m.model.role !== 'test' && !m.file.isTest && !m.file.vendored && m.model.keyVault.length > 0),
      (m) => m.file.path,
      (m) => checkAzureSync(context, defs, m),
    );
  },
);
