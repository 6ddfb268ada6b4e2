import { cnpgSecretUses, externalSecretView, isCnpgCluster, pushSecretView, EXTERNAL_SECRET_KINDS, PUSH_SECRET_KINDS } from '../k8s/eso.js';
import { databaseOperatorSecrets } from '../k8s/db-operators.js';
import { operatorSecrets as operatorWrittenSecrets, operatorWriterOf } from '../k8s/operator-secrets.js';
import { includedDefineName } from '../k8s/named-templates.js';
import { secretDataBlocks } from '../k8s/secret-data-blocks.js';
import type { K8sResource } from '../k8s/resources.js';
import { STORE_KINDS } from '../k8s/stores.js';
import type { Project } from '../scan/project.js';
import type { Finding, InventoryEntry } from '../types.js';
import { get, getStr, isMap, isScalar, seqItems, type PNode } from '../yaml/model.js';
import { OriginClassifier } from './origin.js';
import type { DockerfileModel } from '../analyzers/build/dockerfile.js';
import { HARNESS_ANALYZERS, IAC_SECRET_FORMS, type HarnessModel } from '../analyzers/tests/model.js';
import type { TerraformModel } from '../analyzers/terraform.js';
import { isCredentialName } from '../k8s/vocabulary.js';
import { kustomizeGenerators } from '../rules/k8s/kustomize.js';
import { installHookSyncedBy, rendersOnInstallOnly } from '../rules/k8s/helm-generated-secret-without-lookup.js';
import type { FileContext } from '../analyzers/types.js';
import { deploymentGraph } from '../scan/deployment-graph.js';
import { lineEnvironments } from '../scan/rendered-environments.js';
import { cmp } from '../scan/collector.js';
import { groupBy } from '../util/group.js';
import { partitionPoint } from '../util/bisect.js';

/** Kinds that hold, fetch, push or define secrets. */
export const SECRET_LIKE_KINDS = new Set([
  'Secret',
  'SealedSecret',
  ...EXTERNAL_SECRET_KINDS,
  ...PUSH_SECRET_KINDS,
  ...STORE_KINDS,
  'VaultStaticSecret',
  'VaultDynamicSecret',
  'VaultPKISecret',
  'SecretProviderClass',
  'Password',
]);

function mapKeys(node: PNode | null | undefined): string[] {
  return isMap(node) ? node.entries.map((e) => e.key) : [];
}

/** Keys that defines included into a templated Secret's data write (`{{- include "app.secretData" . | nindent 2 }}`). */
function includedKeys(resource: K8sResource): string[] {
  if (resource.source !== 'template' || !resource.namedTemplates) return [];
  const out: string[] = [];
  for (const { block, owner } of secretDataBlocks(resource)) {
    const define = owner ? undefined : includedDefineName(block.expr);
    const written = define === undefined ? undefined : resource.namedTemplates.written(define, resource.helm?.chartRoot ?? '.');
    for (const entry of written ?? []) if (entry.key !== '') out.push(entry.key);
  }
  return out;
}

/** A template Secret Helm generates once: a random value kept by a lookup of the live Secret, or drawn by an install-only hook. */
function isHelmGenerated(resource: K8sResource, project: Project): boolean {
  return resource.source === 'template' && !!resource.helm?.usesRandom && (!!resource.helm?.usesLookup || (rendersOnInstallOnly(resource) && !installHookSyncedBy(project, resource)));
}

/**
 * Environments a file is deployed to: its own path, else every environment whose entry point includes it through the
 * deployment graph (kustomize overlays, helmfile environments, Argo CD Applications, Flux Kustomizations), most
 * managed first.
 */
function fileEnvironments(file: FileContext, project: Project): string[] {
  if (file.environment) return [file.environment.name];
  return deploymentGraph(project).inherited(file.path)?.environments.map((e) => e.name) ?? [];
}

/**
 * Environments a resource is deployed to: its own path or the deployment graph (for a chart template, those whose
 * releases render it: see rendered-environments.ts), else the values files that configure its chart.
 */
function environmentsOf(resource: K8sResource, project: Project, chartEnvs: ChartEnvironments): string[] {
  const file = resource.parsed.file;
  if (!file.environment && resource.source === 'template') {
    const found = lineEnvironments(project, file.path, resource.line);
    // Deployed, but no release renders it: no environment, and no guess from values file names either.
    if (found) return found.rendered?.environments.map((e) => e.name) ?? [];
  }
  const own = fileEnvironments(file, project);
  if (own.length > 0) return own;
  if (resource.helm) return chartEnvs.of(resource.helm.chartRoot.split('/').pop() ?? '');
  return [];
}

/**
 * Chart folder name -> environments of the values files named after it (values/env/prod/orders.yaml,
 * orders/values-prod.yaml), wherever they are. A scan that judges its files a chunk at a time (see scan/chunks.ts)
 * adds each chunk's values files as it goes: the lists it handed out are filled in by `finish`, once all were seen.
 */
export class ChartEnvironments {
  private readonly map = new Map<string, Set<string>>();
  private readonly waiting: { chart: string; environments: string[] }[] = [];
  private complete: boolean;

  /** PROJECT's values files, or none (then `add` each part and `finish`). */
  constructor(project?: Project) {
    this.complete = project !== undefined;
    if (project) this.add(project);
  }

  /** The values files of PROJECT, those in files OWNED says only. */
  add(project: Project, owned?: (path: string) => boolean): this {
    return this.addNamed(ChartEnvironments.namesOf(project, owned));
  }

  /** What `add` takes of PROJECT: [chart name candidate, environment] pairs, in order. */
  static namesOf(project: Project, owned?: (path: string) => boolean): [string, string][] {
    const pairs: [string, string][] = [];
    for (const values of project.valuesFiles) {
      const env = values.file.environment?.name;
      if (!env || (owned && !owned(values.file.path))) continue;
      const parts = values.file.path.split('/');
      // values-prod.yaml, prod/orders.yaml and prod/orders-values.yaml name their chart alike.
      const base = parts[parts.length - 1]!.replace(/\.ya?ml$/i, '').replace(/^values[-._]?/i, '').replace(/[-._]values$/i, '');
      for (const candidate of [base, ...parts.slice(0, -1)]) if (candidate) pairs.push([candidate, env]);
    }
    return pairs;
  }

  /** PAIRS of namesOf (a chunk's, replayed from the chunk results). */
  addNamed(pairs: readonly (readonly [string, string])[]): this {
    for (const [candidate, env] of pairs) {
      const set = this.map.get(candidate) ?? new Set<string>();
      set.add(env);
      this.map.set(candidate, set);
    }
    return this;
  }

  /** How many lists `of` handed out for `finish` to fill. */
  get handedOut(): number {
    return this.waiting.length;
  }

  /** The lists `of` handed out since the count was FROM, with their chart (see scan/chunk-results.ts). */
  handedOutSince(from: number): Map<readonly string[], string> {
    return new Map(this.waiting.slice(from).map((w) => [w.environments, w.chart]));
  }

  of(chart: string): string[] {
    if (this.complete) return this.known(chart);
    const environments: string[] = [];
    this.waiting.push({ chart, environments });
    return environments;
  }

  finish(): void {
    this.complete = true;
    for (const { chart, environments } of this.waiting) environments.push(...this.known(chart));
    this.waiting.length = 0;
  }

  private known(chart: string): string[] {
    const envs = this.map.get(chart);
    return envs && envs.size > 0 ? [...envs].sort() : [];
  }
}

/** By file, line and kind; stable, so entries that tie keep the order they were built in. */
export function compareInventory(a: InventoryEntry, b: InventoryEntry): number {
  return cmp(a.file, b.file) || a.line - b.line || cmp(a.kind, b.kind);
}

/**
 * The inventory of PROJECT. With OWNED (a chunked scan's chunk), the objects of files it does not own are skipped
 * (their entries would be dropped: every chunk holds the whole context, and built its entries again); the other
 * entries are the caller's to filter.
 */
/** DOCUMENTATION_EXAMPLE: whether a file is a documentation example nothing deploys (its entries are marked). */
export function buildInventory(
  project: Project,
  findings: readonly Finding[],
  chartEnvs: ChartEnvironments = new ChartEnvironments(project),
  owned?: (file: string) => boolean,
  documentationExample?: (file: string) => boolean,
): InventoryEntry[] {
  const classifier = new OriginClassifier(project.config);
  // Secrets a database operator reads are operator-owned whatever their name (CNPG roles, a MongoDB user's password).
  const operatorSecrets = databaseOperatorSecrets(project);
  const findingsByResource = new Map<string, Set<string>>();
  for (const f of findings) {
    if (!f.resource) continue;
    const key = `${f.file}#${f.resource.kind}/${f.resource.name}`;
    const set = findingsByResource.get(key) ?? new Set<string>();
    set.add(f.ruleId);
    findingsByResource.set(key, set);
  }
  const entries: InventoryEntry[] = [];
  for (const resource of project.resources) {
    if (!SECRET_LIKE_KINDS.has(resource.kind) || (owned && !owned(resource.file))) continue;
    // An ESO Password generator and a plain "Password" kind from another API group are told apart by group.
    if (resource.kind === 'Password' && !(resource.apiVersion ?? '').startsWith('generators.external-secrets.io')) continue;
    const file = resource.parsed.file;
    let keys: string[] = [];
    let producer: string | undefined;
    let type: string | undefined;
    let originName = resource.name;
    // What the class is judged on beyond the displayed keys: the Vault path or the provider's object names.
    let classKeys: string[] = [];
    switch (resource.kind) {
      case 'Secret': {
        keys = [...mapKeys(get(resource.node, 'data')), ...mapKeys(get(resource.node, 'stringData')), ...includedKeys(resource)];
        type = getStr(resource.node, 'type') ?? 'Opaque';
        if (isHelmGenerated(resource, project)) producer = resource.helm?.usesLookup ? 'helm (lookup + random generator)' : 'helm (install hook + random generator)';
        else if (resource.source === 'template') producer = 'helm template (values)';
        else if (resource.source === 'values') producer = `values data at ${resource.valuesPath ?? '(root)'}`;
        else if (isSopsEncrypted(resource.node)) producer = 'SOPS-encrypted manifest in git (decrypted at deploy)';
        else if (hasOnlyPlaceholders(resource.node)) producer = 'manifest in git (values substituted at deploy from ${VAR} placeholders)';
        else producer = 'manifest in git';
        break;
      }
      case 'SealedSecret':
        keys = mapKeys(get(resource.node, 'spec.encryptedData'));
        type = getStr(resource.node, 'spec.template.type');
        producer = 'sealed-secrets controller';
        break;
      case 'ExternalSecret':
      case 'ClusterExternalSecret': {
        // A copy: its store and target names are resolved against the chart's values here.
        const view = { ...externalSecretView(resource) };
        keys = [...view.reads.map((r) => r.secretKey ?? r.remoteKey), ...view.templateKeys];
        const chart = resource.helm?.chartRoot;
        view.storeName = project.resolveChartValue(chart, view.storeName);
        view.targetName = project.resolveChartValue(chart, view.targetName) ?? view.targetName;
        originName = view.targetName;
        if (view.generators.length > 0 && view.reads.length === 0) {
          producer = `generator ${view.generators.join(', ')}`;
        } else {
          const store = project.stores.resolve(view.storeName);
          const remote = [...view.reads, ...view.extracts].map((r) => r.remoteKey);
          producer = `store ${view.storeName ?? '(none)'} (${store?.provider ?? 'unknown provider'}) -> Secret ${view.targetName}${remote.length ? `; remote keys ${[...new Set(remote)].join(', ')}` : ''}`;
        }
        break;
      }
      case 'PushSecret':
      case 'ClusterPushSecret': {
        const view = pushSecretView(resource);
        keys = view.pushes.map((p) => p.secretKey ?? p.remoteKey);
        originName = view.sourceSecret ?? resource.name;
        producer = `mirror Secret ${view.sourceSecret ?? '?'} -> ${view.storeNames.join(', ') || '?'} (updatePolicy ${view.updatePolicy ?? 'default Replace'})`;
        break;
      }
      case 'SecretStore':
      case 'ClusterSecretStore': {
        const provider = get(resource.node, 'spec.provider');
        producer = `provider ${isMap(provider) ? (provider.entries[0]?.key ?? '?') : '?'}`;
        break;
      }
      case 'VaultStaticSecret':
      case 'VaultDynamicSecret':
      case 'VaultPKISecret': {
        const vault = vaultOperatorSource(resource);
        keys = vault.keys;
        if (vault.destination) originName = vault.destination;
        classKeys = vault.path ? [vault.path] : [];
        producer = `Vault ${vault.path ?? '?'}${vault.detail ? ` (${vault.detail})` : ''} -> Secret ${vault.destination ?? '?'}`;
        break;
      }
      case 'SecretProviderClass': {
        const spc = secretProviderSource(resource);
        keys = spc.keys;
        if (spc.synced.length > 0) originName = spc.synced[0]!;
        classKeys = spc.objects;
        producer = `provider ${spc.provider ?? '?'}${spc.store ? ` (${spc.store})` : ''}: objects ${spc.objects.join(', ') || '?'} -> ${spc.synced.length > 0 ? `Secret ${spc.synced.join(', ')}` : 'mounted files only'}`;
        break;
      }
      default:
        producer = resource.kind;
    }
    keys = [...new Set(keys)].sort();
    // A Secret an operator writes (CNPG's <cluster>-app, PGO's <cluster>-pguser-<user>, a KafkaUser's) is the operator's
    // whatever else defines it in the tree.
    const writer = STORE_KINDS.includes(resource.kind) ? undefined : operatorWriterOf(project, originName, resource.namespace);
    const origin = STORE_KINDS.includes(resource.kind)
      ? 'unknown'
      : classifier.classify({
          name: originName,
          keys: classKeys.length > 0 ? [...keys, ...classKeys] : keys,
          kind: resource.kind,
          file: file.path,
          isTest: file.isTest,
          secretType: type,
          helmGenerated: isHelmGenerated(resource, project),
          cnpgOwned: operatorSecrets.has(originName) || writer !== undefined,
        });
    entries.push({
      file: resource.file,
      line: resource.line,
      kind: resource.kind,
      name: resource.name,
      ...(resource.namespace ? { namespace: resource.namespace } : {}),
      keys,
      ...(type ? { type } : {}),
      origin,
      authority: STORE_KINDS.includes(resource.kind) ? 'n/a' : writer && origin === 'cluster-operator' ? writer.authority : classifier.authority(origin, originName, operatorSecrets.has(originName) ? [...keys, operatorSecrets.get(originName)!] : keys),
      environments: environmentsOf(resource, project, chartEnvs),
      ...(producer ? { producer } : {}),
      template: resource.source === 'template',
      vendored: file.vendored,
      findings: [...(findingsByResource.get(`${resource.file}#${resource.kind}/${resource.name}`) ?? [])].sort(),
    });
  }
  entries.push(...generatedSecretEntries(project, findings, classifier, operatorSecrets));
  entries.push(...operatorSecretEntries(project, chartEnvs, owned));
  entries.push(...cnpgEntries(project, chartEnvs, owned));
  entries.push(...buildSecretEntries(project, findings));
  entries.push(...declaredInCodeEntries(project, findings, classifier, operatorSecrets, owned));
  if (documentationExample) for (const e of entries) if (documentationExample(e.file)) e.example = true;
  return entries.sort(compareInventory);
}

/**
 * Secrets operators write for the resources of the tree (see k8s/operator-secrets.ts): CNPG's `<cluster>-app`, Crunchy
 * PGO's `<cluster>-pguser-<user>`, a KafkaUser's credentials, a cert-manager Certificate's key pair, a Crossplane
 * resource's connection details. No manifest defines them; they exist in the cluster all the same.
 */
function operatorSecretEntries(project: Project, chartEnvs: ChartEnvironments, owned?: (file: string) => boolean): InventoryEntry[] {
  return operatorWrittenSecrets(project)
    .filter((s) => !owned || owned(s.resource.file))
    .map((s) => ({
      file: s.resource.file,
      line: s.line,
      kind: 'Secret',
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      keys: s.keys,
      type: s.type,
      origin: 'cluster-operator' as const,
      authority: s.authority,
      environments: environmentsOf(s.resource, project, chartEnvs),
      producer: s.producer,
      template: s.resource.source === 'template',
      vendored: s.resource.parsed.file.vendored,
      findings: [],
    }));
}

/**
 * The Secrets a CNPG Cluster reads (role, bootstrap and superuser passwords) that nothing in the tree defines: their
 * producer is unknown to the scan, which the inventory says. Secrets defined in the tree have their own entry.
 */
function cnpgEntries(project: Project, chartEnvs: ChartEnvironments, owned?: (file: string) => boolean): InventoryEntry[] {
  const defined = new Set<string>();
  for (const r of project.resources) {
    if (r.kind === 'Secret' || r.kind === 'SealedSecret') defined.add(`${r.namespace ?? ''}/${r.name}`);
    if (EXTERNAL_SECRET_KINDS.includes(r.kind)) defined.add(`${r.namespace ?? ''}/${externalSecretView(r).targetName}`);
    // Secrets the Vault secrets operator and the Secrets Store CSI driver write have their own entry too.
    if (VAULT_OPERATOR_KINDS.has(r.kind)) {
      const destination = vaultOperatorSource(r).destination;
      if (destination) defined.add(`${r.namespace ?? ''}/${destination}`);
    }
    if (r.kind === 'SecretProviderClass') for (const name of secretProviderSource(r).synced) defined.add(`${r.namespace ?? ''}/${name}`);
  }
  for (const g of kustomizeGenerators(project, 'secretGenerator')) defined.add(`${g.renderedNamespace ?? ''}/${g.name}`);
  // Every text after a `/` of a defined name (what `endsWith('/' + name)` matches), made once and only if needed.
  let tails: Set<string> | undefined;
  const definedTails = (): Set<string> => {
    if (!tails) {
      tails = new Set();
      for (const d of defined) for (let at = d.indexOf('/'); at >= 0; at = d.indexOf('/', at + 1)) tails.add(d.slice(at + 1));
    }
    return tails;
  };
  const out: InventoryEntry[] = [];
  for (const cluster of project.resources.filter(isCnpgCluster)) {
    if (owned && !owned(cluster.file)) continue;
    const file = cluster.parsed.file;
    const ns = cluster.namespace;
    const isDefined = (name: string) => defined.has(`${ns ?? ''}/${name}`) || (ns === undefined && definedTails().has(name));
    const base = { file: cluster.file, ...(ns ? { namespace: ns } : {}), type: 'kubernetes.io/basic-auth', origin: 'cluster-operator' as const, authority: 'CNPG operator', environments: environmentsOf(cluster, project, chartEnvs), template: cluster.source === 'template', vendored: file.vendored };
    for (const use of cnpgSecretUses(cluster)) {
      if (isDefined(use.secretName)) continue;
      const what = use.role === 'managed-role' ? `managed role ${use.roleName ?? '?'} passwordSecret` : use.role === 'bootstrap' ? 'bootstrap owner secret' : 'superuser secret';
      out.push({ ...base, line: use.line, kind: 'Secret', name: use.secretName, keys: ['password', 'username'], producer: `read by CNPG Cluster ${cluster.name} as ${what}; not defined in this tree`, findings: [] });
    }
  }
  return out;
}

/** Secrets a Kustomize `secretGenerator` produces: no `kind: Secret` in git, but a Secret in the cluster all the same. */
function generatedSecretEntries(project: Project, findings: readonly Finding[], classifier: OriginClassifier, operatorSecrets: ReadonlyMap<string, string>): InventoryEntry[] {
  // Findings on Secrets by name, in order: a pass over every finding per generator was quadratic (5,400 generators
  // and their findings: 0.6 s).
  const onSecrets = groupBy(
    findings.filter((f) => f.resource?.kind === 'Secret'),
    (f) => f.resource!.name,
  );
  return kustomizeGenerators(project, 'secretGenerator').map((g) => {
    const file = g.kustomization.file;
    const files = new Set([file.path, ...g.sources.map((s) => s.file.path)]);
    const rules = (onSecrets.get(g.name) ?? []).filter((f) => files.has(f.file)).map((f) => f.ruleId);
    const origin = classifier.classify({ name: g.name, keys: g.keys, kind: 'Secret', file: file.path, isTest: file.isTest, secretType: g.type, cnpgOwned: operatorSecrets.has(g.name) });
    return {
      file: file.path,
      line: g.line,
      kind: 'Secret',
      name: g.name,
      ...(g.renderedNamespace ? { namespace: g.renderedNamespace } : {}),
      keys: g.keys,
      type: g.type ?? 'Opaque',
      origin,
      authority: classifier.authority(origin, g.name, g.keys),
      environments: fileEnvironments(file, project),
      producer: 'kustomize secretGenerator',
      template: false,
      vendored: file.vendored,
      findings: [...new Set(rules)].sort(),
    };
  });
}

/**
 * Build-time secrets: every BuildKit secret a Dockerfile mounts (the modern pattern) and every ARG/ENV that holds a
 * credential (the legacy one), so the build-time origin class has an inventory like the runtime classes.
 */
function buildSecretEntries(project: Project, findings: readonly Finding[]): InventoryEntry[] {
  const rulesAt = new Map<string, Set<string>>();
  for (const f of findings) {
    if (f.origin !== 'build-time') continue;
    const key = `${f.file}:${f.line}`;
    const set = rulesAt.get(key) ?? new Set<string>();
    set.add(f.ruleId);
    rulesAt.set(key, set);
  }
  const extra = { extra: project.config.credentialNames };
  const out: InventoryEntry[] = [];
  for (const { file, model } of project.models<DockerfileModel>('dockerfile')) {
    const environments = fileEnvironments(file, project);
    const base = { origin: 'build-time' as const, authority: 'buildkit-secret-mount', environments, template: false, vendored: file.vendored };
    const seen = new Set<string>();
    for (const stage of model.stages) {
      const stageName = stage.name ?? String(stage.index);
      for (const run of stage.runs) {
        for (const mount of run.mounts) {
          if (mount.type !== 'secret') continue;
          const id = mount.id ?? mount.target?.split('/').pop() ?? '(default)';
          if (seen.has(`mount:${id}`)) continue;
          seen.add(`mount:${id}`);
          out.push({
            ...base,
            file: file.path,
            line: run.line,
            kind: 'BuildSecret',
            name: id,
            keys: [mount.env ?? mount.target ?? `/run/secrets/${id}`],
            producer: `RUN --mount=type=secret in stage ${stageName}${mount.required ? ' (required)' : ''}`,
            findings: [...(rulesAt.get(`${file.path}:${run.line}`) ?? [])].sort(),
          });
        }
      }
      for (const [kind, vars] of [['DockerfileArg', [...(stage.index === 0 ? model.globalArgs : []), ...stage.args]], ['DockerfileEnv', stage.envs]] as const) {
        for (const v of vars) {
          if (!isCredentialName(v.name, extra) || seen.has(`${kind}:${v.name}:${v.line}`)) continue;
          seen.add(`${kind}:${v.name}:${v.line}`);
          out.push({
            ...base,
            file: file.path,
            line: v.line,
            kind,
            name: v.name,
            keys: [v.name],
            producer: `${kind === 'DockerfileArg' ? 'ARG' : 'ENV'} in stage ${stageName}${v.value !== undefined && v.refs.length === 0 ? ' with a literal value' : ''}`,
            findings: [...(rulesAt.get(`${file.path}:${v.line}`) ?? [])].sort(),
          });
        }
      }
    }
  }
  return out;
}

/** Secrets Pulumi and cdk8s programs declare (`new k8s.core.v1.Secret(name, args)`): objects in the cluster like a manifest's. */
function declaredInCodeEntries(project: Project, findings: readonly Finding[], classifier: OriginClassifier, operatorSecrets: ReadonlyMap<string, string>, owned?: (file: string) => boolean): InventoryEntry[] {
  const rulesAt = new Map<string, Set<string>>();
  for (const f of findings) {
    const key = `${f.file}:${f.line}`;
    const set = rulesAt.get(key) ?? new Set<string>();
    set.add(f.ruleId);
    rulesAt.set(key, set);
  }
  const out: InventoryEntry[] = [];
  for (const id of HARNESS_ANALYZERS) {
    for (const { file, model } of project.models<HarnessModel>(id)) {
      if (owned && !owned(file.path)) continue;
      for (const fact of model.inlineSecrets) {
        if (!IAC_SECRET_FORMS.has(fact.form)) continue;
        const name = fact.name ?? fact.nameAsWritten ?? 'secret';
        const origin = file.isTest ? 'test' : classifier.classify({ name, keys: fact.keys, kind: 'Secret', file: file.path, cnpgOwned: operatorSecrets.has(name) });
        const program = fact.form === 'pulumi-secret' ? 'Pulumi' : 'cdk8s';
        out.push({
          file: file.path,
          line: fact.line,
          kind: 'Secret',
          name,
          ...(fact.namespace ? { namespace: fact.namespace } : {}),
          keys: [...fact.keys].sort(),
          origin,
          authority: classifier.authority(origin, name, fact.keys),
          environments: fileEnvironments(file, project),
          producer: `${program} program${fact.literalKeys.length > 0 ? ` with ${fact.literalKeys.length} literal value${fact.literalKeys.length === 1 ? '' : 's'}` : ''}`,
          template: false,
          vendored: file.vendored,
          findings: [...(rulesAt.get(`${file.path}:${fact.line}`) ?? [])].sort(),
        });
      }
    }
  }
  // Secrets a Terraform module declares through the Kubernetes providers. A resource's findings are those on its
  // lines: each file's finding lines are sorted once and searched by bisection (a module declaring thousands of
  // Secrets must not scan every finding per Secret).
  let linesOf: Map<string, { line: number; rules: Set<string> }[]> | undefined;
  const findingLines = (path: string) => {
    if (!linesOf) {
      linesOf = new Map();
      for (const [at, rules] of rulesAt) {
        const colon = at.lastIndexOf(':');
        const list = linesOf.get(at.slice(0, colon)) ?? [];
        list.push({ line: Number(at.slice(colon + 1)), rules });
        linesOf.set(at.slice(0, colon), list);
      }
      for (const list of linesOf.values()) list.sort((a, b) => a.line - b.line);
    }
    return linesOf.get(path) ?? [];
  };
  for (const { file, model } of project.models<TerraformModel>('terraform')) {
    if (owned && !owned(file.path)) continue;
    for (const secret of model.kubernetesSecrets ?? []) {
      const name = secret.name ?? `${secret.resource}.${secret.label}`;
      const keys = [...new Set(['stringData', 'data'].flatMap((section) => {
        const map = get(secret.node, section);
        return isMap(map) ? map.entries.map((e) => e.key) : [];
      }))].sort();
      const origin = file.isTest ? 'test' : classifier.classify({ name, keys, kind: 'Secret', file: file.path, cnpgOwned: operatorSecrets.has(name), secretType: getStr(secret.node, 'type') });
      const lines = findingLines(file.path);
      const reported: Set<string>[] = [];
      for (let i = partitionPoint(lines, (l) => l.line < secret.line); i < lines.length && lines[i]!.line <= secret.endLine; i++) reported.push(lines[i]!.rules);
      out.push({
        file: file.path,
        line: secret.line,
        kind: 'Secret',
        name,
        ...(secret.namespace ? { namespace: secret.namespace } : {}),
        keys,
        ...(getStr(secret.node, 'type') ? { type: getStr(secret.node, 'type')! } : {}),
        origin,
        authority: classifier.authority(origin, name, keys),
        environments: fileEnvironments(file, project),
        producer: `Terraform ${secret.resource}`,
        template: false,
        vendored: file.vendored,
        findings: [...new Set(reported.flatMap((rules) => [...rules]))].sort(),
      });
    }
  }
  return out;
}

/** A SOPS-encrypted manifest: top-level `sops:` metadata (mac/version/recipients) next to ENC[...] values. */
function isSopsEncrypted(node: PNode | undefined): boolean {
  const sops = get(node, 'sops');
  return isMap(sops) && sops.entries.some((e) => ['mac', 'version', 'lastmodified', 'age', 'pgp', 'kms', 'azure_kv', 'hc_vault', 'gcp_kms'].includes(e.key));
}

/** Every data/stringData value is an envsubst-style `${VAR}` placeholder. */
function hasOnlyPlaceholders(node: PNode | undefined): boolean {
  const values = ['data', 'stringData'].flatMap((section) => {
    const map = get(node, section);
    return isMap(map) ? map.entries.map((e) => (isScalar(e.value) ? String(e.value.value ?? '') : '')) : [];
  });
  return values.length > 0 && values.every((v) => /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v.trim()));
}

const VAULT_OPERATOR_KINDS = new Set(['VaultStaticSecret', 'VaultDynamicSecret', 'VaultPKISecret']);

/** A Vault secrets operator resource: the Secret it writes, the keys its transformation templates define, its Vault path. */
function vaultOperatorSource(resource: K8sResource): { destination?: string; keys: string[]; path?: string; detail?: string } {
  const mount = getStr(resource.node, 'spec.mount');
  const path = getStr(resource.node, 'spec.path') ?? getStr(resource.node, 'spec.role');
  const templates = get(resource.node, 'spec.destination.transformation.templates');
  const detail = resource.kind === 'VaultDynamicSecret' ? 'dynamic' : resource.kind === 'VaultPKISecret' ? 'pki' : getStr(resource.node, 'spec.type');
  return {
    destination: getStr(resource.node, 'spec.destination.name'),
    keys: mapKeys(templates),
    ...(path ? { path: mount ? `${mount}/${path}` : path } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** A Secrets Store CSI SecretProviderClass: the objects it mounts, the Secrets it syncs them into and their keys. */
function secretProviderSource(resource: K8sResource): { provider?: string; store?: string; objects: string[]; synced: string[]; keys: string[] } {
  const objectsText = getStr(resource.node, 'spec.parameters.objects') ?? '';
  const objects = [...objectsText.matchAll(/objectName:\s*["']?([^"'\s]+)/g)].map((m) => m[1]!);
  const synced: string[] = [];
  const keys: string[] = [];
  for (const so of seqItems(get(resource.node, 'spec.secretObjects'))) {
    const name = getStr(so, 'secretName');
    if (name) synced.push(name);
    for (const d of seqItems(get(so, 'data'))) {
      const key = getStr(d, 'key');
      if (key) keys.push(key);
    }
  }
  const parameters = get(resource.node, 'spec.parameters');
  const store = getStr(parameters, 'keyvaultName') ?? getStr(parameters, 'vaultAddress') ?? getStr(parameters, 'region');
  return { provider: getStr(resource.node, 'spec.provider'), ...(store ? { store } : {}), objects: [...new Set(objects)], synced: [...new Set(synced)], keys };
}
