/**
 * Catalog A3: a cluster-managed credential written into Azure Key Vault, by a script (`az keyvault secret set`,
 * `Set-AzKeyVaultSecret`), by Terraform (`azurerm_key_vault_secret`) or by a PushSecret whose store is Azure Key Vault.
 * ExternalSecrets, SecretProviderClasses and values lists that read such a secret from Azure Key Vault are
 * cluster-managed-secret-from-azure-kv's: this rule never looks at them.
 */
import type { HarnessModel } from '../../analyzers/tests/model.js';
import { CLOUD_DATABASE_RESOURCE, AZURE_DATABASE_RESOURCE, type TerraformKeyVaultSecret, type TerraformModel, type TerraformStoreWrite, type TerraformValue } from '../../analyzers/terraform.js';
import type { ParsedFile } from '../../analyzers/types.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { databaseEngineOf, databaseOperatorSecrets, isDatabaseOperatorResource } from '../../k8s/db-operators.js';
import { isCnpgCluster } from '../../k8s/eso.js';
import { credentialClass, isCredentialName, isDatabaseName, words } from '../../k8s/vocabulary.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import type { Origin, Replacement } from '../../types.js';
import { basename, dirname } from '../../util/path.js';
import { get, getStr, isMap, seqItems } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { authorityReplacement, preferredVaultStore, pushSecretReplaceReplacement } from '../snippets.js';
import { harnessModels, Occurrences } from '../tests/common.js';
import { appOfVaultPath } from '../tests/vault-write-db-credential.js';
import type { RuleContext } from '../types.js';
import { pushSecrets, type PsInfo } from './common.js';

type ManagedClass = 'database' | 'admin' | 'oidc-client';

const OWNER: Record<ManagedClass, string> = {
  database: 'the database operator (a CNPG managed role Secret)',
  admin: 'Helm (lookup + randAlphaNum in the chart’s Secret)',
  'oidc-client': 'Keycloak (the client-patcher extracts it to Vault)',
};

const KIND_TEXT: Record<ManagedClass, string> = { database: 'database credential', admin: 'Helm-generated admin password', 'oidc-client': 'in-cluster IdP client secret' };

const CLUSTER_MANAGED: ReadonlySet<Origin> = new Set(['cluster-operator', 'cluster-helm', 'cluster-service']);

/** Hosts of Azure-managed databases: a value pointing there is an external database's credential. */
const AZURE_DATABASE_HOST = /\.(postgres|mysql|mariadb)\.database\.azure\.com$|\.database\.windows\.net$|\.documents\.azure\.com$|\.cosmos\.azure\.com$/i;
/** Kubernetes service hosts: `pg-rw.db.svc`, `postgres.platform.svc.cluster.local`. */
const IN_CLUSTER_HOST = /\.svc(\.cluster\.local)?\.?$/i;

/** Words that say what a name is, not whose it is: `grafana-admin-password` -> grafana. */
const CLASS_WORDS = new Set(['admin', 'root', 'superuser', 'bootstrap', 'initial', 'password', 'passwd', 'pass', 'pwd', 'secret', 'secrets', 'credentials', 'credential', 'creds', 'client', 'oidc', 'oauth', 'oauth2', 'clientsecret', 'key', 'user', 'username', 'token', 'sso', 'auth', 'kv', 'akv']);

/** Expansions removed (`${APP}-db-password` -> `-db-password`); what is left is what the name says. */
function literalPart(name: string): string {
  return name.replace(/\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%/g, ' ').trim();
}

function componentOf(name: string): string {
  const w = words(name);
  const end = w.findIndex((x) => CLASS_WORDS.has(x));
  return (end < 0 ? w : w.slice(0, end)).join('-');
}

interface Candidate {
  name: string;
  cls: ManagedClass;
  origin: Origin;
}

/** A name for secret material (password, client secret, connection URL) of a cluster-managed class, or undefined. */
function candidateOf(classifier: OriginClassifier, name: string, file: string, keys: readonly string[] = []): Candidate | undefined {
  const text = literalPart(name);
  if (!/[A-Za-z]{2}/.test(text)) return undefined;
  const all = [text, ...keys];
  const material = all.some((n) => isCredentialName(n) || (isDatabaseName(n) && words(n).some((w) => ['url', 'uri', 'dsn', 'connection', 'jdbc'].includes(w))));
  if (!material) return undefined;
  const cls = credentialClass(text, keys);
  if (cls !== 'database' && cls !== 'admin' && cls !== 'oidc-client') return undefined;
  const origin = classifier.classify({ name: text, keys, kind: 'AzureKeyVaultSecret', file });
  return CLUSTER_MANAGED.has(origin) ? { name, cls, origin } : undefined;
}

/** What the tree shows runs in the cluster, found once per scan. */
export interface ClusterEvidence {
  /** Why the tree's databases are in-cluster (a CNPG Cluster, a chart's postgresql dependency ...); undefined when nothing says so. */
  database?: string;
  /** Applications of the Secrets database operators own (`orders` for orders-db-credentials), with the Secret. */
  operatorApps: Map<string, string>;
  /** Secrets CNPG generates for the tree's Clusters: `<cluster>-app`, `<cluster>-superuser`. */
  cnpgGenerated: Set<string>;
  /** Names of charts, chart dependencies and releases (lowercase). */
  components: Set<string>;
  /** Helm-generated Secrets (lookup / randAlphaNum templates) by name. */
  helmSecrets: Set<string>;
  /** Why an in-cluster Keycloak is there; undefined when nothing says so. */
  keycloak?: string;
  /** clientIds of the in-cluster realms (KeycloakRealmImport, KeycloakClient), lowercase. */
  clients: Set<string>;
}

const DATABASE_CHART = /^(postgresql|postgresql-ha|postgres|mysql|mariadb|mariadb-galera|mongodb|mongodb-sharded|cockroachdb|timescaledb|cloudnative-pg)$/;

export function clusterEvidence(project: Project): ClusterEvidence {
  return memoFor(project, 'a3:cluster-evidence', '', () => {
    const evidence: ClusterEvidence = { operatorApps: new Map(), cnpgGenerated: new Set(), components: new Set(), helmSecrets: new Set(), clients: new Set() };
    const note = (what: string) => (evidence.database ??= what);
    for (const [secret] of databaseOperatorSecrets(project)) evidence.operatorApps.set(appOfVaultPath(secret), secret);
    for (const resource of project.resources) {
      if (resource.parsed.file.isTest) continue;
      if (isDatabaseOperatorResource(resource)) note(`${resource.kind} ${resource.name} (${resource.file})`);
      if (isCnpgCluster(resource)) {
        for (const suffix of ['app', 'superuser']) {
          const secret = `${resource.name}-${suffix}`;
          evidence.cnpgGenerated.add(secret);
          const app = appOfVaultPath(resource.name);
          if (!evidence.operatorApps.has(app)) evidence.operatorApps.set(app, secret);
        }
      }
      const chart = getStr(resource.node, 'spec.chart.spec.chart') ?? getStr(resource.node, 'spec.source.chart') ?? getStr(resource.node, 'spec.chart');
      if (chart && ['HelmRelease', 'Application', 'HelmChart'].includes(resource.kind)) {
        evidence.components.add(chart.toLowerCase());
        evidence.components.add(resource.name.toLowerCase());
        if (DATABASE_CHART.test(chart)) note(`${resource.kind} ${resource.name} (chart ${chart}, ${resource.file})`);
        if (/keycloak/i.test(chart)) evidence.keycloak ??= `${resource.kind} ${resource.name} (${resource.file})`;
      }
      if (resource.kind === 'Secret' && resource.helm && (resource.helm.usesRandom || resource.helm.usesLookup) && !resource.name.includes('{{')) evidence.helmSecrets.add(resource.name);
      if (/^(Keycloak|KeycloakRealmImport|KeycloakRealm|KeycloakClient)$/.test(resource.kind) && /keycloak/i.test(resource.apiVersion ?? '')) {
        evidence.keycloak ??= `${resource.kind} ${resource.name} (${resource.file})`;
        for (const client of [...seqItems(get(resource.node, 'spec.realm.clients')), get(resource.node, 'spec.client'), get(resource.node, 'spec')]) {
          const id = getStr(client, 'clientId');
          if (id && !id.includes('{{')) evidence.clients.add(id.toLowerCase());
        }
      }
    }
    // Terraform installing a chart (helm_release chart = "postgresql", "oci://…/cloudnative-pg", "keycloak"), or applying
    // a database operator's object (a CNPG Cluster through kubernetes_manifest / kubectl_manifest).
    for (const { file, model } of project.models<TerraformModel>('terraform')) {
      if (file.isTest) continue;
      for (const object of model.kubernetesObjects ?? []) {
        if (!databaseEngineOf(object.apiVersion, object.kind)) continue;
        note(`${object.kind} ${object.name ?? object.label} (Terraform ${object.resource}.${object.label}, ${file.path})`);
        if (object.kind === 'Cluster' && object.apiVersion.startsWith('postgresql.cnpg.io') && object.name) {
          for (const suffix of ['app', 'superuser']) evidence.cnpgGenerated.add(`${object.name}-${suffix}`);
          const app = appOfVaultPath(object.name);
          if (!evidence.operatorApps.has(app)) evidence.operatorApps.set(app, `${object.name}-app`);
        }
      }
      for (const release of model.helmReleases ?? []) {
        const chart = release.chart?.includes('${') ? undefined : release.chart?.replace(/\/+$/, '').split('/').pop()?.toLowerCase();
        if (!chart) continue;
        evidence.components.add(chart);
        if (release.name) evidence.components.add(release.name.toLowerCase());
        if (DATABASE_CHART.test(chart)) note(`Terraform helm_release ${release.label} (chart ${chart}, ${file.path})`);
        if (/^keycloak(x)?$/.test(chart)) evidence.keycloak ??= `Terraform helm_release ${release.label} (${file.path})`;
      }
    }
    for (const parsed of project.yamlFiles) {
      if (!/^Chart\.ya?ml$/.test(basename(parsed.file.path)) || parsed.file.isTest) continue;
      const root = parsed.model.docs[0]?.root;
      if (!isMap(root)) continue;
      const name = getStr(root, 'name');
      if (name) evidence.components.add(name.toLowerCase());
      if (name && DATABASE_CHART.test(name)) note(`chart ${name} (${parsed.file.path})`);
      if (name && /^keycloak(x)?$/i.test(name)) evidence.keycloak ??= `chart ${name} (${parsed.file.path})`;
      for (const dep of seqItems(get(root, 'dependencies'))) {
        const dependency = getStr(dep, 'name');
        if (!dependency) continue;
        evidence.components.add(dependency.toLowerCase());
        const alias = getStr(dep, 'alias');
        if (alias) evidence.components.add(alias.toLowerCase());
        if (DATABASE_CHART.test(dependency)) note(`chart dependency ${dependency} of ${name ?? parsed.file.path} (${parsed.file.path})`);
        if (/^keycloak(x)?$/i.test(dependency)) evidence.keycloak ??= `chart dependency ${dependency} (${parsed.file.path})`;
      }
    }
    return evidence;
  });
}

/** Where the written value comes from, as far as the writer shows it. */
interface Site {
  /** The same script / Terraform file provisions an Azure-managed database. */
  azureDatabaseHere?: string;
  /** The host the written connection string names. */
  host?: string;
  /** Terraform: the value is an Azure database's own attribute, or the random_password an Azure database is created with. */
  valueOfAzureDatabase?: boolean;
}

/**
 * Is the candidate cluster-managed here? Returns why (for the message), or undefined to stay silent. A database
 * credential needs the tree to show the database runs in the cluster and nothing to say it is Azure-managed; an admin
 * password needs a chart or release of that name; a client secret needs an in-cluster Keycloak that knows the client.
 */
function judge(evidence: ClusterEvidence, candidate: Candidate, site: Site): string | undefined {
  if (site.valueOfAzureDatabase || (site.host && AZURE_DATABASE_HOST.test(site.host))) return undefined;
  const text = literalPart(candidate.name);
  if (candidate.cls === 'database') {
    const app = appOfVaultPath(text);
    const owned = app !== 'app' ? evidence.operatorApps.get(app) : undefined;
    if (owned) return `the database operator owns Secret ${owned} for ${app}`;
    if (site.azureDatabaseHere) return undefined;
    if (site.host && IN_CLUSTER_HOST.test(site.host)) return `its value points at the in-cluster service ${site.host}`;
    return evidence.database ? `the database runs in the cluster: ${evidence.database}` : undefined;
  }
  if (candidate.cls === 'admin') {
    if (site.azureDatabaseHere) return undefined;
    const component = componentOf(text);
    const helmSecret = [...evidence.helmSecrets].find((s) => componentOf(s) === component && component !== '');
    if (helmSecret) return `Helm generates Secret ${helmSecret} in-cluster`;
    return component && evidence.components.has(component) ? `${component} is deployed from this tree` : undefined;
  }
  if (!evidence.keycloak) return undefined;
  const component = componentOf(text);
  if (words(text).includes('keycloak') || (component && evidence.clients.has(component))) return `the in-cluster Keycloak (${evidence.keycloak}) generates it`;
  return undefined;
}

/** The Secret that replaces the Key Vault entry: `<app>-db-credentials` for a database user, else the name without its class suffix. */
function replacementSecret(candidate: Candidate): string {
  const text = literalPart(candidate.name).replace(/^[-_.]+|[-_.]+$/g, '');
  if (candidate.cls === 'database') return `${appOfVaultPath(text)}-db-credentials`;
  const base = text.replace(/[-_.]?(password|passwd|pass|secret|client[-_.]?secret)$/i, '').replace(/_/g, '-').toLowerCase();
  return base || 'app-credentials';
}

function replacementFor(project: Project, candidate: Candidate, store = 'Azure Key Vault'): Replacement {
  const secretName = replacementSecret(candidate);
  const key = candidate.cls === 'oidc-client' ? 'client-secret' : 'password';
  const authority = authorityReplacement(project, candidate.origin, { name: secretName, keys: [key] });
  // A Keycloak client secret reaches Vault through the client-patcher: no PushSecret of our own.
  if (candidate.cls === 'oidc-client') return authority;
  const mirror = pushSecretReplaceReplacement({
    name: `${secretName}-mirror`,
    sourceSecret: secretName,
    stores: [preferredVaultStore(project)],
    pushes: [{ secretKey: key, remoteKey: `${secretName}-${key}` }],
  });
  return {
    language: authority.language,
    title: `${authority.title}; optionally mirrored to Vault${store === 'Vault' ? '' : ` (never ${store})`} with updatePolicy Replace`,
    snippet: `${authority.snippet.replace(/\n*$/, '\n')}---\n# Optional audit mirror: Vault${store === 'Vault' ? ', by a PushSecret only' : `, never ${store}`}.\n${mirror.snippet}`,
  };
}

function remediationFor(candidate: Candidate, where: string, store = 'Azure Key Vault'): string {
  return `Remove ${where}; ${candidate.name} is cluster-managed, owned by ${OWNER[candidate.cls]}. Point consumers at the in-cluster Secret${candidate.cls === 'oidc-client' ? ' or the client-patcher’s Vault copy' : ' and, if an audit copy is wanted, mirror it to Vault with a PushSecret (updatePolicy: Replace)'}; delete the ${store} secret.`;
}

function checkScripts(context: RuleContext, classifier: OriginClassifier, evidence: () => ClusterEvidence): void {
  context.each(
    harnessModels(context.project).filter((m) => (m.model as HarnessModel).keyVaultWrites?.length),
    (m) => m.file.path,
    ({ file, model }: ParsedFile<HarnessModel>) => {
      const seen = new Occurrences();
      const azureDatabase = model.azureDatabases?.[0]?.form;
      for (const write of model.keyVaultWrites ?? []) {
        const candidate = candidateOf(classifier, write.name, file.path);
        if (!candidate) continue;
        const why = judge(evidence(), candidate, { ...(write.host ? { host: write.host } : {}), ...(azureDatabase ? { azureDatabaseHere: azureDatabase } : {}) });
        if (!why) continue;
        context.report({
          file,
          line: write.line,
          column: write.column,
          message: `${model.role === 'test' ? 'Test script' : 'Script'} writes ${KIND_TEXT[candidate.cls]} ${write.name} into Azure Key Vault${write.vault ? ` ${write.vault}` : ''} via ${write.form}; it is cluster-managed (${why}), its authority is ${OWNER[candidate.cls]}`,
          location: seen.next(`azurekv-write:${write.name}`),
          ...(write.values.length ? { value: write.values.join('\u0000') } : {}),
          keys: [write.name],
          origin: candidate.origin,
          replacement: replacementFor(context.project, candidate),
          remediation: remediationFor(candidate, `the ${write.form} of ${write.name}`),
        });
      }
    },
  );
}

/**
 * The names a Key Vault secret resource writes, with references resolved against the literal values of its module
 * folder (variables.tf defaults, locals, .tfvars files): `name = var.x`, `"${var.app}-db-password"` with one value,
 * `for_each = var.secrets` with `name = each.key`. Unresolved names stay as written.
 */
function secretNames(secret: TerraformKeyVaultSecret, values: ReadonlyMap<string, TerraformValue[]>): string[] {
  if (secret.forEach) {
    const found = values.get(secret.forEach.ref) ?? [];
    return [...new Set(found.flatMap((v) => (secret.forEach!.each === 'key' && v.keys.length > 0 ? v.keys : v.strings)))];
  }
  return [
    ...new Set(
      secret.names.flatMap((name) => {
        if (/^(?:var|local)\.[A-Za-z0-9_-]+$/.test(name)) {
          const found = (values.get(name) ?? []).flatMap((v) => v.strings);
          return found.length > 0 ? found : [name];
        }
        return [
          name.replace(/\$\{((?:var|local)\.[A-Za-z0-9_-]+)\}/g, (whole, ref: string) => {
            const found = [...new Set((values.get(ref) ?? []).flatMap((v) => v.strings))];
            return found.length === 1 ? found[0]! : whole;
          }),
        ];
      }),
    ),
  ];
}

/** Literal values by reference, per module folder. */
function moduleValues(models: readonly { file: { path: string }; model: TerraformModel }[]): Map<string, Map<string, TerraformValue[]>> {
  const byFolder = new Map<string, Map<string, TerraformValue[]>>();
  for (const { file, model } of models) {
    if (!model.values) continue;
    const folder = dirname(file.path);
    let values = byFolder.get(folder);
    if (!values) byFolder.set(folder, (values = new Map()));
    for (const [ref, value] of Object.entries(model.values)) {
      const list = values.get(ref);
      if (list) list.push(value);
      else values.set(ref, [value]);
    }
  }
  return byFolder;
}

function checkTerraform(context: RuleContext, classifier: OriginClassifier, evidence: () => ClusterEvidence): void {
  const models = context.project.models<TerraformModel>('terraform');
  const values = moduleValues(models);
  const none = new Map<string, TerraformValue[]>();
  context.each(
    models.filter((m) => m.model.keyVaultSecrets.length > 0 && !m.file.isTest),
    (m) => m.file.path,
    ({ file, model }) => {
      const azureDatabase = model.azureDatabases[0];
      const azureRefs = new Set(model.azureDatabases.flatMap((d) => [`${d.type}.${d.label}`, ...d.passwordRefs.map((r) => r.replace(/\.(result|bcrypt_hash)$/, ''))]));
      for (const secret of model.keyVaultSecrets) {
        const valueOfAzureDatabase = secret.valueRefs.some((ref) => /^azurerm_(postgresql|mysql|mariadb|mssql|sql|cosmosdb)_/.test(ref) || azureRefs.has(ref.replace(/\.(result|bcrypt_hash)$/, '')));
        for (const name of secretNames(secret, values.get(dirname(file.path)) ?? none)) {
          const candidate = candidateOf(classifier, name, file.path);
          if (!candidate) continue;
          const why = judge(evidence(), candidate, { ...(secret.host ? { host: secret.host } : {}), valueOfAzureDatabase, ...(azureDatabase ? { azureDatabaseHere: azureDatabase.type } : {}) });
          if (!why) continue;
          context.report({
            file,
            line: secret.line,
            column: secret.column,
            message: `Terraform azurerm_key_vault_secret.${secret.label} stores ${KIND_TEXT[candidate.cls]} ${name} in Azure Key Vault; it is cluster-managed (${why}), its authority is ${OWNER[candidate.cls]}`,
            location: `terraform:azurerm_key_vault_secret.${secret.label}#${name}`,
            ...(secret.values.length ? { value: secret.values.join('\u0000') } : {}),
            keys: [name],
            origin: candidate.origin,
            replacement: replacementFor(context.project, candidate),
            remediation: remediationFor(candidate, `azurerm_key_vault_secret.${secret.label}`),
          });
        }
      }
    },
  );
}

/** The stores other than Azure Key Vault Terraform writes into, by resource type. */
function storeOf(type: string): string {
  if (type.startsWith('aws_secretsmanager_')) return 'AWS Secrets Manager';
  if (type === 'aws_ssm_parameter') return 'AWS SSM Parameter Store';
  if (type.startsWith('google_secret_manager_')) return 'Google Secret Manager';
  return 'Vault';
}

/** Hosts of cloud-managed databases other than Azure's. */
const CLOUD_DATABASE_HOST = /\.(rds|docdb|neptune|redshift|cache|memorydb)\.amazonaws\.com$|\.rds\.amazonaws\.com\.cn$|\.mongodb\.net$|\.neon\.tech$|\.supabase\.(co|com)$|\.psdb\.cloud$|\.aivencloud\.com$|\.db\.ondigitalocean\.com$|cloudsql/i;
/** Words of cloud-managed databases in a name, a key or a host (rds, aurora, cloudsql, atlas ...). */
const MANAGED_DATABASE_WORD = /(^|[^a-z])(rds|aurora|cloud-?sql|cloudsql|alloydb|spanner|documentdb|docdb|cosmos(db)?|atlas|neon|supabase|planetscale|elasticache|memorystore)([^a-z]|$)/i;

/** Per module folder: the names of secret resources by reference, and what shows a cloud database's password. */
interface FolderFacts {
  secretNames: Map<string, string[]>;
  /** The first cloud database the folder provisions (type.label). */
  cloudDatabase?: string;
  /** References that hold a cloud database's password or name the database (random_password.rds, aws_db_instance.main). */
  cloudRefs: Set<string>;
}

/** Labels that name no application: `aws_db_instance.this`, `module.db`. */
const GENERIC_LABEL = /^(this|main|default|primary|db|database|databases|instance|cluster|rds|aurora|postgres|postgresql|mysql|sql|master|app)$/i;

/**
 * Applications the tree's cloud databases are for, as word sets (`aws_rds_cluster.payments`, `module "orders_db"`,
 * `identifier = "orders-prod"` -> payments; orders; orders prod).
 */
function cloudDatabaseApps(models: readonly { file: { isTest: boolean }; model: TerraformModel }[]): Set<string>[] {
  const out: Set<string>[] = [];
  for (const { file, model } of models) {
    if (file.isTest) continue;
    for (const database of [...model.azureDatabases, ...(model.cloudDatabases ?? [])]) {
      for (const name of [database.label, ...(database.names ?? [])]) {
        if (GENERIC_LABEL.test(name)) continue;
        const app = appOfVaultPath(name);
        if (app !== 'app') out.push(new Set(app.split('-')));
      }
    }
  }
  return out;
}

function folderFacts(models: readonly { file: { path: string; isTest: boolean }; model: TerraformModel }[]): Map<string, FolderFacts> {
  const out = new Map<string, FolderFacts>();
  for (const { file, model } of models) {
    if (file.isTest) continue;
    const folder = dirname(file.path);
    let facts = out.get(folder);
    if (!facts) out.set(folder, (facts = { secretNames: new Map(), cloudRefs: new Set() }));
    for (const secret of model.storeSecrets ?? []) facts.secretNames.set(secret.ref, [...(facts.secretNames.get(secret.ref) ?? []), secret.name]);
    for (const database of [...model.azureDatabases, ...(model.cloudDatabases ?? [])]) {
      facts.cloudDatabase ??= `${database.type}.${database.label}`;
      facts.cloudRefs.add(`${database.type}.${database.label}`);
      for (const ref of database.passwordRefs) facts.cloudRefs.add(ref.replace(/\.(result|bcrypt_hash)$/, ''));
    }
  }
  return out;
}

/** A value read from a cloud database (its address, its password) or made for one (the random_password it is created with). */
function valueOfCloudDatabase(write: TerraformStoreWrite, facts: FolderFacts | undefined): boolean {
  return write.valueRefs.some((ref) => {
    const type = ref.replace(/^data\./, '').split('.')[0]!;
    return CLOUD_DATABASE_RESOURCE.test(type) || AZURE_DATABASE_RESOURCE.test(type) || (facts?.cloudRefs.has(ref.replace(/\.(result|bcrypt_hash)$/, '')) ?? false) || (facts?.cloudRefs.has(ref.split('.').slice(0, ref.startsWith('data.') ? 3 : 2).join('.')) ?? false);
  });
}

/**
 * Terraform writing an in-cluster database's credential into AWS Secrets Manager or SSM, Google Secret Manager or
 * Vault: the same judgement as a Key Vault write, for database credentials only (those stores are where an AWS or GCP
 * platform keeps its external secrets; an admin password or client secret there is theirs to hold). A cloud database's
 * own password, or a write in a module that provisions one, stays silent.
 */
function checkStoreWrites(context: RuleContext, classifier: OriginClassifier, evidence: () => ClusterEvidence): void {
  const models = context.project.models<TerraformModel>('terraform');
  if (!models.some((m) => m.model.storeWrites?.length)) return;
  const values = moduleValues(models);
  const facts = folderFacts(models);
  const cloudApps = cloudDatabaseApps(models);
  const none = new Map<string, TerraformValue[]>();
  context.each(
    models.filter((m) => (m.model.storeWrites?.length ?? 0) > 0 && !m.file.isTest),
    (m) => m.file.path,
    ({ file, model }) => {
      const folder = dirname(file.path);
      const here = facts.get(folder);
      const folderValues = values.get(folder) ?? none;
      for (const write of model.storeWrites ?? []) {
        const written = write.secretRef ? (here?.secretNames.get(write.secretRef) ?? [write.secretRef.split('.').pop()!]) : write.names.length > 0 ? write.names : [write.label];
        const names = secretNames({ label: write.label, names: written, valueRefs: [], values: [], line: write.line, column: write.column }, folderValues);
        const keys = [...new Set([...write.keys, ...(write.keysRef ? (folderValues.get(write.keysRef) ?? []).flatMap((v) => v.keys) : [])])];
        if ([...names, ...keys, ...write.valueRefs, write.host ?? ''].some((n) => MANAGED_DATABASE_WORD.test(n)) || (write.host && CLOUD_DATABASE_HOST.test(write.host))) continue;
        const fromCloud = valueOfCloudDatabase(write, here);
        const store = storeOf(write.type);
        for (const name of names) {
          const candidate = candidateOf(classifier, name, file.path, keys);
          if (!candidate || candidate.cls !== 'database') continue;
          // Named for the application of a cloud database of the tree (orders-db-password and RDS orders-prod): that one's.
          const app = appOfVaultPath(literalPart(name)).split('-');
          if (app.join('-') !== 'app' && cloudApps.some((words) => app.every((w) => words.has(w)))) continue;
          const why = judge(evidence(), candidate, { ...(write.host ? { host: write.host } : {}), valueOfAzureDatabase: fromCloud, ...(here?.cloudDatabase ? { azureDatabaseHere: here.cloudDatabase } : {}) });
          if (!why) continue;
          const resource = `${write.type}.${write.label}`;
          context.report({
            file,
            line: write.line,
            column: write.column,
            message: `Terraform ${resource} stores ${KIND_TEXT[candidate.cls]} ${name} in ${store}; it is cluster-managed (${why}), its authority is ${OWNER[candidate.cls]}`,
            location: `terraform:${resource}#${name}`,
            ...(write.values.length ? { value: write.values.join('\u0000') } : {}),
            keys: [name, ...keys],
            origin: candidate.origin,
            replacement: replacementFor(context.project, candidate, store),
            remediation: remediationFor(candidate, resource, store),
          });
        }
      }
    },
  );
}

/** Why the Secret a PushSecret mirrors is cluster-managed, with its class; undefined when nothing says so. */
function pushedSecretClass(context: RuleContext, classifier: OriginClassifier, evidence: ClusterEvidence, ps: PsInfo, keys: string[]): { candidate: Candidate; why: string } | undefined {
  const source = ps.sourceSecret;
  if (source) {
    const owner = databaseOperatorSecrets(context.project).get(source);
    if (owner || evidence.cnpgGenerated.has(source)) return { candidate: { name: source, cls: 'database', origin: 'cluster-operator' }, why: `Secret ${source} is owned by the ${owner ?? 'postgres'} database operator` };
    if (evidence.helmSecrets.has(source)) {
      const c = candidateOf(classifier, source, ps.resource.file, keys);
      return { candidate: { name: source, cls: c?.cls ?? 'admin', origin: c?.origin ?? 'cluster-helm' }, why: `Helm generates Secret ${source} in-cluster` };
    }
  }
  const candidate = candidateOf(classifier, source ?? ps.resource.name, ps.resource.file, keys) ?? keys.map((k) => candidateOf(classifier, k, ps.resource.file)).find((c) => c !== undefined);
  if (!candidate) return undefined;
  const why = judge(evidence, candidate, {});
  return why ? { candidate: { ...candidate, name: source ?? candidate.name }, why } : undefined;
}

function checkPushSecrets(context: RuleContext, classifier: OriginClassifier, evidence: () => ClusterEvidence): void {
  const project = context.project;
  context.each(
    pushSecrets(project).filter((ps) => !ps.resource.parsed.file.isTest),
    (ps) => ps.resource.file,
    (ps) => {
      const azureStores = new Set(ps.stores.filter((s) => s.store?.provider === 'azurekv').map((s) => s.name));
      // Explicit data entries go to every store of secretStoreRefs; a dataTo entry only to its own store.
      const bulkToAzure = ps.bulk.filter((b) => (b.storeName ? b.store?.provider === 'azurekv' : azureStores.size > 0));
      const explicitToAzure = azureStores.size > 0 && ps.view.pushes.length > 0;
      if (!explicitToAzure && bulkToAzure.length === 0) return;
      const bulkLines = new Set(bulkToAzure.map((b) => b.push.line));
      const explicitLines = new Set(ps.view.pushes.map((p) => p.line));
      const pushed = ps.pushes.filter((p) => (explicitToAzure && explicitLines.has(p.line)) || bulkLines.has(p.line));
      const keys = [...new Set(pushed.map((p) => p.secretKey ?? p.remoteKey))];
      const found = pushedSecretClass(context, classifier, evidence(), ps, keys);
      if (!found) return;
      const { candidate, why } = found;
      const stores = [...new Set([...(explicitToAzure ? azureStores : []), ...bulkToAzure.map((b) => b.storeName ?? [...azureStores].join(', '))])];
      const remoteKeys = [...new Set(pushed.map((p) => p.remoteKey))];
      const whole = bulkToAzure.length > 0 ? (bulkToAzure.some((b) => !b.push.keyPattern) ? 'every key of' : 'matching keys of') : undefined;
      const vault = preferredVaultStore(project);
      context.report({
        file: ps.resource.parsed.file,
        line: ps.resource.line,
        endLine: Math.max(ps.resource.line, ...bulkToAzure.map((b) => b.push.line), ...(explicitToAzure ? ps.view.pushes.map((p) => p.line) : [])),
        message: `${ps.resource.kind} ${ps.resource.name} pushes ${whole ? `${whole} ` : ''}${KIND_TEXT[candidate.cls]} Secret ${ps.sourceSecret ?? candidate.name}${remoteKeys.length ? ` (${remoteKeys.join(', ')})` : ''} to Azure Key Vault store ${stores.join(', ')}; it is cluster-managed (${why}), so its replica belongs in Vault, never Azure Key Vault`,
        location: resourceLocation(ps.resource, `azurekv-push:${[...stores].sort().join(',')}`),
        keys: keys.length ? keys : [ps.sourceSecret ?? candidate.name],
        origin: candidate.origin,
        resource: resourceRef(ps.resource),
        replacement: pushSecretReplaceReplacement({
          name: ps.resource.name,
          ...(ps.namespace ? { namespace: ps.namespace } : {}),
          sourceSecret: ps.sourceSecret ?? candidate.name,
          stores: [vault],
          pushes: ps.pushes.map((p) => ({ ...(p.secretKey ? { secretKey: p.secretKey } : {}), remoteKey: p.remoteKey, ...(p.property ? { property: p.property } : {}) })),
        }),
        remediation: `Point ${ps.resource.kind} ${ps.resource.name} at a Vault store (${vault.name}) with updatePolicy: Replace instead of ${stores.join(', ')}, and delete the Azure Key Vault copy; ${ps.sourceSecret ?? candidate.name} stays owned by ${OWNER[candidate.cls]}.`,
      });
    },
  );
}

export const dbCredentialInExternalStore = createRule(
  {
    id: 'db-credential-in-external-store',
    family: 'external',
    defaultSeverity: 'high',
    description: 'A cluster-managed credential (in-cluster DB user, Helm-generated admin password, in-cluster IdP client secret) written into Azure Key Vault by a script, Terraform or a PushSecret; or an in-cluster database’s credential Terraform writes into AWS Secrets Manager, AWS SSM Parameter Store, Google Secret Manager or Vault',
    why: 'Azure Key Vault holds external secrets only. A database user’s password (CNPG / the operator), a Helm-generated admin password (lookup + randAlphaNum) and a client secret Keycloak generates are owned in the cluster; a copy written into Azure Key Vault becomes a second authority that drifts on every rotation and invites consumers to read the stale copy. Read sites (ExternalSecrets, SecretProviderClasses, requiredSecrets lists) are cluster-managed-secret-from-azure-kv’s. How it decides: the written name (az keyvault secret set --name, Set-AzKeyVaultSecret -Name, azurerm_key_vault_secret name - literal, or from the module folder’s variable defaults, locals and .tfvars - the pushed Secret and keys) must name secret material of a cluster-managed class, and the tree must show the owner runs in the cluster. A database credential: its application matches a Secret a database operator owns, or the value points at a *.svc host, or the tree holds database operator resources (CNPG, Crunchy, Zalando, MongoDB, MariaDB, Percona ...), or a database chart dependency or release - and the same script/Terraform file provisions no Azure database (az postgres/mysql/sql/cosmosdb … create, New-Az<Database>, azurerm_postgresql_*/mysql_*/mssql_*/cosmosdb_*), nor is the value an Azure database host or attribute. An admin password: a chart, chart dependency or release of the tree carries the name’s component, or Helm generates a Secret of that component. A client secret: an in-cluster Keycloak (Keycloak operator resources, a keycloak chart or release) and the name says keycloak or names a client of its realm imports. A PushSecret: its store’s provider is azurekv and the pushed Secret is owned by a database operator, Helm-generated, or named as above. Terraform writing into another store (aws_secretsmanager_secret_version - named by its aws_secretsmanager_secret -, aws_ssm_parameter, google_secret_manager_secret_version - named by its google_secret_manager_secret -, vault_kv_secret_v2, vault_kv_secret, vault_generic_secret) is judged the same way for database credentials only, the value’s JSON field names counting as keys (jsonencode of an object, of a local or variable default, or JSON text); a Terraform helm_release of a database chart (postgresql, cloudnative-pg …) or a database operator’s object applied by kubernetes_manifest / kubectl_manifest (a CNPG Cluster: its <cluster>-app Secret names the application) shows the database runs in the cluster, for Key Vault writes as well. Silent when the value is read from or made for a cloud database (aws_db_instance, aws_rds_cluster, google_sql_user, a terraform-aws-modules/rds module … or the random_password it is created with), when the module folder provisions one, when a cloud database of the tree is named for the same application (by its label, identifier or name: orders-db-password and RDS identifier orders-prod), or when a name, key, reference or host says rds, aurora, cloudsql, atlas, *.rds.amazonaws.com ….',
    allowed: 'Azure Key Vault for third-party keys: registry tokens, LLM/API keys, DNS credentials, an external IdP’s client secret; the passwords of Azure-managed databases (Azure Database for PostgreSQL/MySQL, Azure SQL, Cosmos DB), and those of RDS, Aurora, Cloud SQL and other cloud databases in AWS Secrets Manager, SSM, Google Secret Manager or Vault; admin passwords and client secrets in those stores; a PushSecret mirroring a cluster-managed Secret to Vault with updatePolicy Replace.',
    remediation: 'Remove the Azure Key Vault entry. The credential is cluster-managed: CNPG / the database operator owns DB users (a managed role Secret), Helm lookup + randAlphaNum owns admin passwords, the Keycloak client-patcher owns client secrets. If an audit copy is wanted, mirror the in-cluster Secret to Vault with a PushSecret (updatePolicy: Replace).',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    const evidence = () => clusterEvidence(context.project);
    checkScripts(context, classifier, evidence);
    checkTerraform(context, classifier, evidence);
    checkStoreWrites(context, classifier, evidence);
    checkPushSecrets(context, classifier, evidence);
  },
);
