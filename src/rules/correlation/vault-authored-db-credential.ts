import { databaseOperatorSecrets } from '../../k8s/db-operators.js';
import { esSpec, externalSecretTemplateData, isCnpgCluster } from '../../k8s/eso.js';
import { isExternalStoreProvider, providerLabel } from '../../k8s/stores.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import type { K8sResource } from '../../k8s/resources.js';
import { isCredentialName, isDatabaseCredentialKey, isDatabaseName, words } from '../../k8s/vocabulary.js';
import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { get, getStr, isMap, isScalar, seqItems, str, walk, type PEntry, type PMap, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { cnpgManagedRoleReplacement, operatorWrittenSecretReplacement } from '../snippets.js';
import { isCnpgWritten, operatorWriterOf, type OperatorSecret } from '../../k8s/operator-secrets.js';
import type { RuleContext } from '../types.js';
import { appOfVaultPath } from '../tests/vault-write-db-credential.js';
import { mirrorConsumerEntries } from './mirror.js';
import { clusterEvidence } from './db-credential-in-external-store.js';
import { externalSecrets, isVaultEntry, looksLikeEmbeddedResource, resolveScalar, roleFromSecretName, type EsEntry, type EsInfo } from './common.js';

/** A DSN composed from template variables: postgresql://{{ .user }}:{{ .password }}@ */
const COMPOSED_DSN = /\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|sqlserver|cockroachdb|jdbc:[a-z]+):\/\/[^\s@]*\{\{[^@]*@/i;

/** A remote key or secretKey naming a database credential: orders-db-password, PLATFORM_DATABASE_URL, postgres-app-password. */
function isDbCredentialKey(key: string): boolean {
  if (!isDatabaseName(key)) return false;
  const w = words(key);
  return isCredentialName(key) || w.some((x) => ['url', 'uri', 'user', 'username', 'password', 'pass', 'pwd', 'dsn', 'credentials', 'creds', 'auth', 'secret', 'env', 'login'].includes(x));
}

function dbEvidence(es: EsInfo, vaultEntries: EsEntry[]): string[] {
  const why: string[] = [];
  if (es.targetName && isDatabaseName(es.targetName)) why.push(`target ${es.targetName}`);
  const keys = vaultEntries.filter((e) => (e.remoteKey && isDbCredentialKey(e.remoteKey)) || (e.read.secretKey && isDbCredentialKey(e.read.secretKey)));
  if (keys.length) why.push(`remote ${keys.length === 1 ? 'key' : 'keys'} ${keys.map((e) => e.remoteKey ?? e.read.secretKey).join(', ')}`);
  const composed = externalSecretTemplateData(es.resource).filter((t) => COMPOSED_DSN.test(t.value) || (isDbCredentialKey(t.key) && t.value.includes('{{')));
  if (composed.length) why.push(`template ${composed.map((t) => t.key).join(', ')}`);
  return why;
}

/** Vault secrets engines whose `<mount>/creds/<role>` path is not a database credential. */
const NON_DB_ENGINES = new Set(['aws', 'gcp', 'azure', 'consul', 'nomad', 'ssh', 'terraform', 'kubernetes', 'alicloud', 'ldap', 'ad', 'rabbitmq', 'openldap', 'pki', 'transit', 'totp']);

/** `database/creds/orders`, `postgres/creds/app`, `pg-prod/creds/readonly` (not aws/creds/..., not kv). */
export function dbCredsPath(text: string): string | undefined {
  for (const match of text.matchAll(/(?:^|[\s"'`(=])\/?((?:[A-Za-z0-9_.-]+\/)*?([A-Za-z0-9_.-]+)\/(?:static-)?creds\/[A-Za-z0-9_.{}-]+)/g)) {
    const mount = match[2]!.toLowerCase();
    if (NON_DB_ENGINES.has(mount)) continue;
    return match[1];
  }
  return undefined;
}

/** Annotation prefixes of the Vault agent injector and of OpenBao's fork of it (openbao-k8s). */
const INJECTOR_PREFIXES = ['vault.hashicorp.com/', 'openbao.openbao.org/'];
const INJECT_SECRET = 'agent-inject-secret-';
const INJECT_TEMPLATE = 'agent-inject-template-';

/** `<prefix>agent-inject-secret-<name>` -> [prefix, name]. */
function injectSecretKey(key: string): [string, string] | undefined {
  for (const prefix of INJECTOR_PREFIXES) {
    if (key.startsWith(prefix) && key.startsWith(INJECT_SECRET, prefix.length)) return [prefix, key.slice(prefix.length + INJECT_SECRET.length)];
  }
  return undefined;
}
/** Certificates and CA bundles kept next to a database's credentials are no password. */
const TLS_MATERIAL = /(^|[/_.-])(tls|certs?|ca|ssl)([/_.-]|$)/i;

interface Injection {
  annotation: string;
  path: string;
  /** `database/creds/<role>` (minted per lease) rather than a password stored at a KV path. */
  dynamic: boolean;
  line: number;
  column: number;
}

function injectionsIn(map: PMap): Injection[] {
  const out: Injection[] = [];
  for (const e of map.entries) {
    const secret = injectSecretKey(e.key);
    if (!secret) continue;
    const [prefix, name] = secret;
    const template = str(map.entries.find((t) => t.key === `${prefix}${INJECT_TEMPLATE}${name}`)?.value);
    const path = dbCredsPath(str(e.value) ?? '') ?? (template ? dbCredsPath(template) : undefined);
    if (path) {
      out.push({ annotation: e.key, path, line: e.line, column: e.column, dynamic: true });
      continue;
    }
    // A static KV path that names a database (`kv/data/orders-postgres`, `secret/data/app/db`): a password kept in Vault.
    const kv = (str(e.value) ?? '').trim();
    if (kv && !/\s/.test(kv) && isDatabaseName(kv) && !TLS_MATERIAL.test(`${kv}/${name}`)) out.push({ annotation: e.key, path: kv, line: e.line, column: e.column, dynamic: false });
  }
  return out;
}

/** Annotation maps holding Vault agent injector secrets anywhere under a node (pod templates, podAnnotations values). */
function annotationMaps(root: PNode | null | undefined, skipResources: boolean): { map: PMap; path: string[] }[] {
  const out: { map: PMap; path: string[] }[] = [];
  walk(root, ({ node, path }) => {
    if (skipResources && path.length > 0 && looksLikeEmbeddedResource(node)) return false;
    if (isMap(node) && node.entries.some((e) => injectSecretKey(e.key))) out.push({ map: node, path });
    return undefined;
  });
  return out;
}

const VAULT_OPERATOR_GROUP = 'secrets.hashicorp.com';
const ESO_GENERATOR_GROUP = 'generators.external-secrets.io';

/** ESO's VaultDynamicSecret generator reading Vault's database engine (`database/creds/<role>`): Vault mints the password. */
function checkVaultGenerator(context: RuleContext, resource: K8sResource): void {
  const path = getStr(resource.node, 'spec.path') ?? '';
  const creds = dbCredsPath(path);
  if (!creds) return;
  const role = creds.split('/').pop() ?? 'app';
  const secretName = `${role}-db-credentials`;
  context.report({
    file: resource.parsed.file,
    line: resource.line,
    message: `Generator ${resource.kind} ${resource.name} reads dynamic database credentials from Vault (${creds}) for ExternalSecrets: Vault mints the role password instead of CNPG`,
    location: resourceLocation(resource, `vault:${creds}`),
    keys: [resource.name],
    origin: 'cluster-operator',
    resource: resourceRef(resource),
    replacement: cnpgManagedRoleReplacement({ secretName, role }),
  });
}

/** Secrets Store CSI driver, Vault provider: `secretPath: database/creds/<role>` mounts a password Vault mints. */
function checkVaultCsi(context: RuleContext, resource: K8sResource): void {
  const objects = getStr(resource.node, 'spec.parameters.objects') ?? '';
  const paths = [...new Set([...objects.matchAll(/secretPath:\s*["']?([^"'\s]+)/g)].map((m) => dbCredsPath(` ${m[1]!}`)).filter((p): p is string => !!p))];
  if (paths.length === 0) return;
  const role = paths[0]!.split('/').pop() ?? 'app';
  const synced = seqItems(get(resource.node, 'spec.secretObjects')).map((o) => getStr(o, 'secretName')).find((n): n is string => !!n);
  const secretName = synced ?? `${role}-db-credentials`;
  context.report({
    file: resource.parsed.file,
    line: resource.line,
    message: `SecretProviderClass ${resource.name} mounts dynamic database credentials from Vault (${paths.join(', ')})${synced ? ` and syncs them into Secret ${synced}` : ''}: Vault mints the role password instead of CNPG`,
    location: resourceLocation(resource, `vault-csi:${paths.join(',')}`),
    keys: paths,
    origin: 'cluster-operator',
    resource: resourceRef(resource),
    replacement: cnpgManagedRoleReplacement({ secretName, role }),
  });
}

/** A Bank-Vaults webhook reference to a database credential, resolved when the pod starts. */
export interface VaultReference {
  entry: PEntry;
  /** `database/creds/<role>` for dynamic credentials, else the KV path. */
  path: string;
  /** The `#key` of a KV reference. */
  key?: string;
  dynamic: boolean;
}

/** Bank-Vaults' `vault:<path>#<key>[#<version>]` (`>>vault:` for dynamic secrets kept for the pod's lifetime). */
const VAULT_REFERENCE = /^(?:>>)?vault:([^#\s]+)(?:#([^#\s]*))?(?:#\S*)?$/;
const BANK_VAULTS_ENV_FROM_PATH = 'vault.security.banzaicloud.io/vault-env-from-path';

/**
 * `vault:database/creds/app#password` (Vault mints it), or a KV reference to a database credential: a path or
 * variable naming a database (`vault:apps/data/database/mongodb#uri`, `ORDERS_DB_PASSWORD`) and a key or variable
 * naming a credential.
 */
export function databaseVaultReference(text: string, variable: string | undefined): Omit<VaultReference, 'entry'> | undefined {
  const ref = VAULT_REFERENCE.exec(text.trim());
  if (!ref) return undefined;
  const creds = dbCredsPath(` ${ref[1]!}`);
  if (creds) return { path: creds, dynamic: true };
  const path = ref[1]!;
  const key = ref[2] || undefined;
  const names = [key, variable].filter((n): n is string => !!n);
  const database = isDatabaseName(path) || names.some(isDatabaseName);
  const credential = names.some((n) => isCredentialName(n) || isDatabaseCredentialKey(n));
  if (!database || !credential || TLS_MATERIAL.test(`${path}/${key ?? ''}`)) return undefined;
  return { path, ...(key ? { key } : {}), dynamic: false };
}

/**
 * One pass over an object for what the rule reads in it: Bank-Vaults references to database credentials anywhere
 * (`value: vault:…` env entries, `vault-env-from-path` annotations; in document order), and the annotation maps
 * holding Vault injector secrets outside embedded objects (as `annotationMaps(node, true)` finds them, in the same order).
 */
export function scanVaultUses(root: PNode): { envRefs: VaultReference[]; injectorMaps: PMap[] } {
  const envRefs: VaultReference[] = [];
  const injectorMaps: PMap[] = [];
  const stack: { node: PNode; inside: boolean }[] = [{ node: root, inside: false }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const { node } = current;
    // Below the root, an embedded object and all it holds are the index's (annotationMaps skips them; env refs do not).
    const inside = current.inside || (node !== root && looksLikeEmbeddedResource(node));
    if (node.t === 'map') {
      if (!inside && node.entries.some((e) => injectSecretKey(e.key))) injectorMaps.push(node);
      for (const e of node.entries) {
        if (e.key === 'value' && isScalar(e.value) && typeof e.value.value === 'string') {
          const ref = databaseVaultReference(e.value.value, str(node.entries.find((n) => n.key === 'name')?.value));
          if (ref) envRefs.push({ entry: e, ...ref });
        } else if (e.key === BANK_VAULTS_ENV_FROM_PATH) {
          // Every key under each path becomes an env variable: a path naming a database is its credential.
          for (const path of (str(e.value) ?? '').split(',').map((p) => p.trim())) {
            if (path && isDatabaseName(path) && !TLS_MATERIAL.test(path)) envRefs.push({ entry: e, path, dynamic: false });
          }
        }
      }
      // Scalars are read above: only maps and sequences are visited.
      for (let i = node.entries.length - 1; i >= 0; i--) {
        const e = node.entries[i]!;
        if (e.value && e.value.t !== 'scalar') stack.push({ node: e.value, inside });
      }
    } else if (node.t === 'seq') {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (item && item.t !== 'scalar') stack.push({ node: item, inside });
      }
    }
  }
  return { envRefs, injectorMaps };
}

/** Bank-Vaults webhook references: `value: vault:database/creds/app#password` and friends are injected at pod start. */
function checkEnvReferences(context: RuleContext, resource: K8sResource, envRefs: readonly VaultReference[]): void {
  for (const { entry, path, key, dynamic } of envRefs) {
    const reference = key ? `${path}#${key}` : path;
    const app = dynamic ? (path.split('/').pop() ?? 'app') : appOfVaultPath(path);
    const role = app.replace(/-/g, '_');
    const secretName = `${app}-db-credentials`;
    const through = entry.key === BANK_VAULTS_ENV_FROM_PATH ? `the ${BANK_VAULTS_ENV_FROM_PATH} annotation` : 'a vault: env reference';
    context.report({
      file: resource.parsed.file,
      line: entry.line,
      column: entry.column,
      message: dynamic
        ? `${resource.kind} ${resource.name} injects dynamic database credentials from Vault (${path}) through ${through}: Vault mints the role password instead of CNPG`
        : `${resource.kind} ${resource.name} injects a database credential stored in Vault (${reference}) through ${through}: Vault holds the password instead of CNPG`,
      location: resourceLocation(resource, `vault-env:${reference}`),
      keys: [reference],
      origin: 'cluster-operator',
      resource: resourceRef(resource),
      replacement: cnpgManagedRoleReplacement({ secretName, role }),
      remediation: `Give role ${role} a CNPG managed role with a cluster-generated Secret (${secretName}), read it with secretKeyRef/envFrom instead of ${entry.key === BANK_VAULTS_ENV_FROM_PATH ? `${BANK_VAULTS_ENV_FROM_PATH} ${path}` : `vault:${reference}`}, and delete the Vault ${dynamic ? 'database role' : 'key'}.`,
    });
  }
}

function checkVaultOperator(context: RuleContext, resource: K8sResource): void {
  const mount = getStr(resource.node, 'spec.mount') ?? '';
  const path = getStr(resource.node, 'spec.path') ?? '';
  const destination = getStr(resource.node, 'spec.destination.name') ?? '';
  const mountLower = mount.toLowerCase();
  const dynamicDb = resource.kind === 'VaultDynamicSecret' && !NON_DB_ENGINES.has(mountLower) && (isDatabaseName(mount) || isDatabaseName(path) || /(^|\/)(static-)?creds\//.test(path) && isDatabaseName(destination));
  const staticDb = resource.kind === 'VaultStaticSecret' && (isDatabaseName(path) || isDatabaseName(destination));
  if (!dynamicDb && !staticDb) return;
  const secretName = destination || resource.name;
  context.report({
    file: resource.parsed.file,
    line: resource.line,
    message: `${resource.kind} ${resource.name} materialises database credential Secret ${secretName} from Vault (${mount ? `mount ${mount}, ` : ''}path ${path || '(unset)'}): Vault drives a password CNPG should own`,
    location: resourceLocation(resource, `vault:${mount}/${path}`),
    keys: [secretName],
    origin: 'cluster-operator',
    resource: resourceRef(resource),
    replacement: cnpgManagedRoleReplacement({ secretName, role: roleFromSecretName(secretName) }),
  });
}

function reportInjections(context: RuleContext, parsed: ParsedFile<YamlFileModel>, injections: Injection[], owner: { location: string; label: string; resource?: K8sResource }): void {
  for (const injection of injections) {
    const role = injection.dynamic ? (injection.path.split('/').pop() ?? 'app') : roleFromSecretName(injection.path.split('/').filter((p) => p && !['data', 'config', 'creds', 'credentials'].includes(p)).pop() ?? 'app');
    const secretName = `${role}-db-credentials`;
    const vault = injection.annotation.startsWith('openbao.') ? 'OpenBao' : 'Vault';
    context.report({
      file: parsed.file,
      line: injection.line,
      column: injection.column,
      message: injection.dynamic
        ? `${owner.label} uses the ${vault} agent injector to read dynamic database credentials from ${injection.path} (${injection.annotation}): ${vault} mints the role password instead of CNPG`
        : `${owner.label} uses the ${vault} agent injector to read a database credential stored in ${vault} at ${injection.path} (${injection.annotation}): ${vault} holds the role password instead of CNPG`,
      location: `${owner.location}#${injection.annotation}`,
      keys: [injection.annotation],
      origin: 'cluster-operator',
      resource: owner.resource ? resourceRef(owner.resource) : undefined,
      replacement: cnpgManagedRoleReplacement({ secretName, role }),
      remediation: `Drop the ${injection.annotation.slice(0, injection.annotation.indexOf('/') + 1)}agent-inject-* annotations for ${injection.path}, give role ${role} a CNPG managed role with a cluster-generated Secret (${secretName}), and read it with secretKeyRef/envFrom.`,
    });
  }
}

/** Words of cloud-managed databases: a credential named so is the cloud's, kept where the cloud keeps it. */
const MANAGED_DATABASE = /(^|[^a-z])(rds|aurora|cloud-?sql|cloudsql|alloydb|spanner|cosmos(db)?|atlas|neon|supabase|planetscale|azure)([^a-z]|$)/i;
/** A Kubernetes service host in text: `pg-rw.db.svc`, `postgres16-rw.database.svc.cluster.local`. */
const SERVICE_HOST = /(?:^|[@/\s=:"'])([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.svc(?:\.cluster\.local)?)(?=$|[:/\s"'?])/i;
/** A host in a DSN: `postgres://{{ .user }}:{{ .password }}@orders-db-rw:5432/orders` -> orders-db-rw. */
const DSN_HOST = /[a-z][a-z0-9+.-]*:\/\/(?:[^\s@/{]|\{\{[^}]*\}\})*@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*)/i;

/** The services a CNPG Cluster of the tree answers on: `<cluster>-rw`, `-ro`, `-r`. */
function cnpgServices(project: Project): Set<string> {
  return memoFor(project, 'a1:cnpg-services', '', () => new Set(project.resources.filter((r) => isCnpgCluster(r) && !r.parsed.file.isTest && !r.name.includes('{{')).flatMap((r) => ['rw', 'ro', 'r'].map((s) => `${r.name}-${s}`.toLowerCase()))));
}

/**
 * Why the database an ExternalSecret from a store other than Vault fills a credential for runs in the cluster, or
 * undefined. `operator` says a database operator of the tree reads or writes the very Secret (that alone makes it a
 * database credential); the others tie it by name or host and need the names to say database credential as well.
 */
function inClusterDatabase(project: Project, es: EsInfo, entries: readonly EsEntry[], dbWriter: OperatorSecret | undefined): { why: string; operator: boolean } | undefined {
  if (dbWriter) return { why: `${dbWriter.producer} writes it`, operator: true };
  const target = es.targetName;
  const engine = target ? databaseOperatorSecrets(project).get(target) : undefined;
  if (target && engine) return { why: `the ${engine} operator of the tree reads ${target}`, operator: true };
  const names = [target, ...entries.map((e) => e.remoteKey ?? e.read.remoteKey)].filter((n): n is string => !!n);
  const template = externalSecretTemplateData(es.resource);
  if ([...names, ...template.map((t) => t.value)].some((n) => MANAGED_DATABASE.test(n))) return undefined;
  for (const t of template) {
    const host = SERVICE_HOST.exec(t.value)?.[1] ?? DSN_HOST.exec(t.value)?.[1];
    if (host && (/\.svc(\.cluster\.local)?$/i.test(host) || cnpgServices(project).has(host.split('.')[0]!.toLowerCase()))) return { why: `template ${t.key} points at the in-cluster host ${host}`, operator: false };
  }
  if (!target) return undefined;
  const app = appOfVaultPath(target);
  const owned = app !== 'app' ? clusterEvidence(project).operatorApps.get(app) : undefined;
  return owned ? { why: `the database operator owns Secret ${owned} for ${app}`, operator: false } : undefined;
}

/** Providers of entries in words: `Vault`, `1Password`, `AWS Parameter Store and Doppler`. */
function storeLabel(entries: readonly EsEntry[]): string {
  return [...new Set(entries.map((e) => (e.store ? providerLabel(e.store) : 'Vault')))].join(' and ');
}

function keysWord(n: number): string {
  return n === 1 ? 'key' : 'keys';
}

/**
 * An ExternalSecret from Vault that writes a Secret a non-database operator of the tree writes itself: Vault drives
 * what the operator owns. `creationPolicy: None` writes nothing; `Merge` only adds keys, so only keys the operator
 * writes count. A certificate's Secret name is often generic (`app-tls`): both namespaces must be known and equal.
 */
function reportOperatorOwned(context: RuleContext, es: EsInfo, writer: OperatorSecret, vaultEntries: EsEntry[], assumed: boolean, store: string, locationPrefix: string): void {
  const policy = resolveScalar(context.project, es.resource, getStr(esSpec(es.resource), 'target.creationPolicy')) ?? 'Owner';
  if (policy === 'None') return;
  const written = vaultEntries.map((e) => e.read.secretKey).filter((k): k is string => !!k);
  if (policy === 'Merge' && !written.some((k) => writer.keys.includes(k))) return;
  if (writer.type === 'kubernetes.io/tls' && (!writer.namespace || !es.namespace || writer.namespace !== es.namespace)) return;
  const target = es.targetName ?? es.resource.name;
  const storeNames = [...new Set(vaultEntries.map((e) => e.storeName ?? '(unnamed store)'))];
  const remoteKeys = [...new Set(vaultEntries.map((e) => e.remoteKey ?? e.read.remoteKey))].sort();
  const operator = writer.producer.replace(/ \(.*\)$/, '');
  context.report({
    file: es.resource.parsed.file,
    line: es.resource.line,
    endLine: Math.max(es.resource.line, ...vaultEntries.map((e) => e.read.line)),
    message: `${es.resource.kind} ${es.resource.name} fills Secret ${target} from ${store} store ${storeNames.join(', ')}${assumed ? ' (provider not defined in the tree, assumed Vault)' : ''}, which ${writer.producer} writes itself: ${store} drives a Secret that ${writer.authority} owns${store === 'Vault' ? ', where it may only mirror it' : ''}`,
    location: resourceLocation(es.resource, `${locationPrefix}:${remoteKeys.join(',')}`),
    keys: vaultEntries.map((e) => e.read.secretKey ?? e.read.remoteKey),
    origin: 'cluster-operator',
    resource: resourceRef(es.resource),
    replacement: operatorWrittenSecretReplacement({ secretName: target, producer: writer.producer, keys: writer.keys }),
    remediation: `Delete ${es.resource.kind} ${es.resource.name} and the ${store} ${keysWord(remoteKeys.length)} ${remoteKeys.join(', ')}: ${operator} writes ${target} itself and its consumers read it there; mirror it to Vault with a PushSecret (updatePolicy Replace) if a copy is needed.`,
  });
}

export const vaultAuthoredDbCredential = createRule(
  {
    id: 'vault-authored-db-credential',
    family: 'db',
    defaultSeverity: 'high',
    description: 'A database credential authored in Vault (ExternalSecret from a Vault store, agent injector database/creds, Vault secrets operator) or, for a database the tree runs in the cluster, in another external store (1Password, AWS Secrets Manager / Parameter Store, Google Secret Manager, Doppler, Bitwarden, Infisical ...); or an ExternalSecret from such a store writing a Secret another operator of the tree writes itself (RabbitMQ, Strimzi, cert-manager, cloud-resource providers)',
    why: 'CloudNativePG is the single source of truth for Postgres roles and passwords. When Vault authors the password (an ExternalSecret from a Vault store, dynamic database/creds, a VaultStaticSecret/VaultDynamicSecret), rotation happens outside the operator, the role and the Secret drift, and Vault silently becomes the authority it may only mirror. The same holds for any Secret an operator writes for a resource of the tree (a RabbitMQ default user, a KafkaUser, a Certificate, a provider\'s connection Secret): an ExternalSecret from Vault writing it overwrites what the operator generates, and the two fight on every reconcile. Any other external store (a SecretStore/ClusterSecretStore whose spec.provider is onepassword, aws, gcpsm, doppler, bitwardensecretsmanager, infisical, akeyless, webhook ...) is the same breach when the database runs in the cluster: the message names the provider. As such stores legitimately hold the passwords of cloud-managed and hosted databases, the rule needs the tree to tie the Secret to an in-cluster database: a database operator writes or reads the target Secret, its application matches a Secret a database operator owns (orders-db-credentials and CNPG Cluster orders-db), or a template host is a *.svc service or a CNPG Cluster\'s <cluster>-rw/-ro/-r service; names of cloud-managed databases (rds, aurora, cloudsql, cosmos, atlas, neon, supabase ...) keep it silent.',
    allowed: 'A CNPG managed role whose passwordSecret is generated in-cluster (Helm lookup + randAlphaNum, or an ESO Password generator), optionally mirrored to Vault by a PushSecret with updatePolicy Replace; an operator\'s own Secret read where it writes it (and mirrored the same way); ExternalSecrets for non-database keys that no operator writes, or that only add keys of their own (`creationPolicy: Merge`); Azure Key Vault-backed ExternalSecrets are judged by cluster-managed-secret-from-azure-kv; a store other than Vault holding the password of a database the tree does not run (RDS, Cloud SQL, a hosted provider); ExternalSecrets from the kubernetes provider (a copy of the operator\'s Secret) and reads of a PushSecret\'s replica in any store.',
    remediation: 'Move the role to CNPG managed.roles with a cluster-generated Secret of the same name, point the application at that Secret, then delete the ExternalSecret (or injector annotations / Vault operator resource) and the key in Vault or the other store.',
  },
  (context) => {
    const project = context.project;
    const mirrored = mirrorConsumerEntries(context);
    context.each(
      externalSecrets(project),
      (es) => es.resource.file,
      (es) => {
        if (es.resource.parsed.file.isTest) return;
        const vaultEntries: EsEntry[] = [];
        const otherEntries: EsEntry[] = [];
        let assumed = false;
        for (const entry of es.entries) {
          // A consumer of a PushSecret's replica: the store mirrors that key, it does not author it (vault-mirror-consumed reports it).
          if (mirrored.has(entry)) continue;
          const v = isVaultEntry(project, entry);
          if (v.vault) {
            vaultEntries.push(entry);
            assumed ||= v.assumed;
            continue;
          }
          // Azure Key Vault reads are cluster-managed-secret-from-azure-kv's; kubernetes/fake stores author nothing.
          const provider = entry.store?.provider;
          if (provider && provider !== 'azurekv' && isExternalStoreProvider(provider)) otherEntries.push(entry);
        }
        const fromVault = vaultEntries.length > 0;
        const authored = fromVault ? vaultEntries : otherEntries;
        if (authored.length === 0) return;
        const store = fromVault ? 'Vault' : storeLabel(authored);
        const prefix = fromVault ? 'vault' : [...new Set(authored.map((e) => e.store!.provider))].sort().join('+');
        // A database operator that writes the target itself (PGO's <cluster>-pguser-<user>, a MongoDBCommunity
        // user's connection string) makes it a database credential whatever its name says.
        const writer = es.targetName ? operatorWriterOf(project, es.targetName, es.namespace) : undefined;
        // Another operator's Secret (a RabbitMQ default user, a KafkaUser's, a Certificate's, a provider's connection
        // Secret): the same authority breach for a credential that is no database's.
        if (writer && !writer.engine) {
          reportOperatorOwned(context, es, writer, authored, assumed, store, prefix);
          return;
        }
        const dbWriter = writer?.engine ? writer : undefined;
        const evidence = [...(dbWriter ? [`written by ${dbWriter.producer}`] : []), ...dbEvidence(es, authored)];
        // Vault never authors a database credential; another store may hold an external (cloud-managed, hosted)
        // database's: only a database the tree runs in the cluster makes it the operator's.
        if (!fromVault) {
          const inCluster = inClusterDatabase(project, es, authored, dbWriter);
          if (!inCluster || (evidence.length === 0 && !inCluster.operator)) return;
          if (!dbWriter) evidence.push(inCluster.why);
        }
        if (evidence.length === 0) return;
        const storeNames = [...new Set(authored.map((e) => e.storeName ?? '(unnamed store)'))];
        const target = es.targetName ?? es.resource.name;
        const remoteKeys = [...new Set(authored.map((e) => e.remoteKey ?? e.read.remoteKey))].sort();
        const byOperator = dbWriter && !isCnpgWritten(dbWriter) ? dbWriter : undefined;
        context.report({
          file: es.resource.parsed.file,
          line: es.resource.line,
          endLine: Math.max(es.resource.line, ...authored.map((e) => e.read.line)),
          message: `${es.resource.kind} ${es.resource.name} fills database credential Secret ${target} from ${store} store ${storeNames.join(', ')}${assumed ? ' (provider not defined in the tree, assumed Vault)' : ''} (${evidence.join('; ')}): ${store} authors a password ${byOperator ? byOperator.authority : 'CNPG'} should own`,
          location: resourceLocation(es.resource, `${prefix}:${remoteKeys.join(',')}`),
          keys: authored.map((e) => e.read.secretKey ?? e.read.remoteKey),
          origin: 'cluster-operator',
          resource: resourceRef(es.resource),
          replacement: byOperator ? operatorWrittenSecretReplacement({ secretName: target, producer: byOperator.producer, keys: byOperator.keys }) : cnpgManagedRoleReplacement({ secretName: target, role: roleFromSecretName(target) }),
          remediation: byOperator
            ? `Delete ${es.resource.kind} ${es.resource.name} and the ${store} ${keysWord(remoteKeys.length)} ${remoteKeys.join(', ')}: ${byOperator.producer.replace(/ \(.*\)$/, '')} writes ${target} itself; mirror it to Vault with a PushSecret (updatePolicy Replace) if a copy is needed.`
            : `Give role ${roleFromSecretName(target)} a CNPG managed role whose passwordSecret ${target} is generated in-cluster, then delete ${es.resource.kind} ${es.resource.name} and the ${store} ${keysWord(remoteKeys.length)} ${remoteKeys.join(', ')}${fromVault ? '' : `; mirror the generated Secret to Vault with a PushSecret (updatePolicy Replace) if a copy is needed, never back into ${store}`}.`,
        });
      },
    );

    // Vault agent injector annotations on pod templates (manifests, templates, values-embedded objects) and in values (podAnnotations).
    context.each(
      project.resources,
      (r) => r.file,
      (resource) => {
        if (resource.parsed.file.isTest) return;
        if ((resource.apiVersion ?? '').startsWith(VAULT_OPERATOR_GROUP) && (resource.kind === 'VaultDynamicSecret' || resource.kind === 'VaultStaticSecret')) {
          checkVaultOperator(context, resource);
          return;
        }
        if ((resource.apiVersion ?? '').startsWith(ESO_GENERATOR_GROUP) && resource.kind === 'VaultDynamicSecret') {
          checkVaultGenerator(context, resource);
          return;
        }
        if (resource.kind === 'SecretProviderClass' && getStr(resource.node, 'spec.provider') === 'vault') {
          checkVaultCsi(context, resource);
          return;
        }
        const uses = scanVaultUses(resource.node);
        checkEnvReferences(context, resource, uses.envRefs);
        for (const map of uses.injectorMaps) {
          reportInjections(context, resource.parsed, injectionsIn(map), { location: resourceLocation(resource), label: resource.name.includes('{{') ? `${resource.kind} in ${resource.helm ? `chart ${resource.helm.chartRoot}` : resource.file}` : `${resource.kind} ${resource.name}`, resource });
        }
      },
    );
    context.each(
      project.valuesFiles,
      (f) => f.file.path,
      (parsed) => {
        if (parsed.file.isTest) return;
        for (const doc of parsed.model.docs) {
          for (const { map, path } of annotationMaps(doc.root, true)) {
            reportInjections(context, parsed, injectionsIn(map), { location: `values:${path.join('.')}`, label: `Values ${path.join('.') || '(root)'}` });
          }
        }
      },
    );
  },
);

export { isDbCredentialKey };
