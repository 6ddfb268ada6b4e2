import type { Project } from '../scan/project.js';
import { memoFor } from '../scan/project-index.js';
import { get, getStr, isMap, isScalar, seqItems, str, type PNode } from '../yaml/model.js';
import { cnpgSecretUses } from './eso.js';
import type { K8sResource } from './resources.js';

/**
 * Secrets an operator writes itself for a resource of the tree: CNPG's `<cluster>-app`, Crunchy PGO's
 * `<cluster>-pguser-<user>`, a KafkaUser's credentials. Nothing in git defines them, so the inventory lists them
 * here, and a Secret of the same name that an ExternalSecret writes fights the operator for it.
 */
export interface OperatorSecret {
  name: string;
  namespace?: string;
  keys: string[];
  type: string;
  /** The operator, as the inventory's authority names it: "CNPG operator", "Crunchy PGO", "provider rds.aws.upbound.io". */
  authority: string;
  /** The database engine whose users it holds (postgres, mysql, mongodb); undefined for brokers, TLS and cloud outputs. */
  engine?: string;
  /** "CNPG Cluster orders-pg (generated application owner credentials)" */
  producer: string;
  /**
   * The database's superuser, root or system users (CNPG `<cluster>-superuser`, Zalando's `postgres` role, a MariaDB root
   * password, Percona's system users, KubeDB's auth Secret): for operations, never for an application's connection.
   */
  admin?: boolean;
  resource: K8sResource;
  line: number;
}

interface Generated {
  name: string;
  keys: string[];
  what: string;
  namespace?: string;
  type?: string;
  line?: number;
  admin?: boolean;
}

interface OperatorKind {
  /** How the producer names the operator: "CNPG" -> "CNPG Cluster orders-pg (...)". */
  label: string;
  authority: string;
  group: RegExp;
  kinds: readonly string[];
  engine?: string;
  secrets: (resource: K8sResource, project: Project) => Generated[];
}

const spec = (resource: K8sResource): PNode | null | undefined => get(resource.node, 'spec');
const text = (node: PNode | null | undefined, path: string): string | undefined => {
  const value = getStr(node, path);
  return value === undefined || value === '' ? undefined : value;
};
const isTrue = (node: PNode | null | undefined): boolean => isScalar(node) && String(node.value) === 'true';

const CNPG_APP_KEYS = ['dbname', 'host', 'jdbc-uri', 'password', 'pgpass', 'port', 'uri', 'user', 'username'];

function cnpgSecrets(cluster: K8sResource): Generated[] {
  const uses = cnpgSecretUses(cluster);
  const out: Generated[] = [];
  if (!uses.some((u) => u.role === 'bootstrap')) out.push({ name: `${cluster.name}-app`, keys: CNPG_APP_KEYS, what: 'generated application owner credentials' });
  if (isTrue(get(cluster.node, 'spec.enableSuperuserAccess')) && !uses.some((u) => u.role === 'superuser')) {
    out.push({ name: `${cluster.name}-superuser`, keys: ['password', 'username'], what: 'generated superuser credentials', admin: true });
  }
  return out;
}

/**
 * Crunchy PGO (and Percona's v2 fork of it): one `<cluster>-pguser-<user>` Secret per `spec.users[]`; without users,
 * a user and a database named after the cluster.
 * https://access.crunchydata.com/documentation/postgres-operator/latest/architecture/user-management/
 */
function pgoSecrets(cluster: K8sResource): Generated[] {
  const listed = seqItems(get(cluster.node, 'spec.users')).flatMap((user) => {
    const name = text(user, 'name');
    return name ? [{ name, databases: seqItems(get(user, 'databases')).length > 0, line: user.line }] : [];
  });
  const users = listed.length > 0 ? listed : [{ name: cluster.name, databases: true, line: undefined }];
  return users.map((user) => ({
    name: `${cluster.name}-pguser-${user.name}`,
    keys: [...(user.databases ? ['dbname', 'jdbc-uri', 'uri'] : []), 'host', 'password', 'port', 'user', 'verifier'].sort(),
    what: `generated credentials of user ${user.name}`,
    ...(user.line !== undefined ? { line: user.line } : {}),
    ...(user.name === 'postgres' ? { admin: true } : {}),
  }));
}

/** Zalando's default `secret_name_template`; `{tprkind}.{tprgroup}` is `postgresql.acid.zalan.do`. */
const ZALANDO_DEFAULT_TEMPLATE = '{username}.{cluster}.credentials.{tprkind}.{tprgroup}';

/**
 * Zalando postgres-operator: a Secret per role of `spec.users` plus the `postgres` superuser and the `standby`
 * replication user, named by the operator's `secret_name_template` (underscores of a role name become dashes).
 * https://opensource.zalando.com/postgres-operator/docs/reference/operator_parameters.html
 */
function zalandoSecrets(cluster: K8sResource, project: Project): Generated[] {
  const template = zalandoTemplate(project);
  const users = get(cluster.node, 'spec.users');
  const roles: { name: string; line?: number; what: string }[] = [
    { name: 'postgres', what: 'superuser' },
    { name: 'standby', what: 'replication user' },
  ];
  if (isMap(users)) for (const e of users.entries) if (!roles.some((r) => r.name === e.key)) roles.push({ name: e.key, line: e.line, what: `role ${e.key}` });
  return roles.map((role) => ({
    name: template
      .replaceAll('{username}', role.name.replaceAll('_', '-'))
      .replaceAll('{cluster}', cluster.name)
      .replaceAll('{tprkind}', 'postgresql')
      .replaceAll('{tprgroup}', 'acid.zalan.do'),
    keys: ['password', 'username'],
    what: `generated ${role.what} credentials`,
    ...(role.line !== undefined ? { line: role.line } : {}),
    ...(role.name === 'postgres' ? { admin: true } : {}),
  }));
}

/** A mariadb-operator `GeneratedSecretKeyRef`: the Secret it names is the operator's to create when `generate: true`. */
function generatedRef(node: PNode | null | undefined, what: string, admin = false): Generated[] {
  const name = text(node, 'name');
  if (!name || !isTrue(get(node, 'generate'))) return [];
  return [{ name, keys: [text(node, 'key') ?? 'password'], what, line: node!.line, ...(admin ? { admin } : {}) }];
}

/**
 * mariadb-operator: a MariaDB's root password (`<name>-root` when `rootPasswordSecretKeyRef` is left out) and its
 * initial user's (`<name>-password`), a User's password with `generate: true`, a Connection's `secretName`.
 * https://github.com/mariadb-operator/mariadb-operator (api/v1alpha1 MariaDB RootPasswordSecretKeyRef, PasswordSecretKeyRef)
 */
function mariadbSecrets(resource: K8sResource): Generated[] {
  const s = spec(resource);
  if (resource.kind === 'MariaDB') {
    const root = get(s, 'rootPasswordSecretKeyRef');
    const out = root ? generatedRef(root, 'generated root password', true) : [{ name: `${resource.name}-root`, keys: ['password'], what: 'generated root password', admin: true }];
    if (text(s, 'username')) {
      const user = get(s, 'passwordSecretKeyRef');
      out.push(...(user ? generatedRef(user, `generated password of user ${text(s, 'username')}`) : [{ name: `${resource.name}-password`, keys: ['password'], what: `generated password of user ${text(s, 'username')}` }]));
    }
    const connection = text(s, 'connection.secretName');
    if (connection) out.push({ name: connection, keys: ['dsn', 'host', 'password', 'port', 'username'], what: 'connection Secret', line: get(s, 'connection.secretName')!.line });
    return out;
  }
  if (resource.kind === 'User') return generatedRef(get(s, 'passwordSecretKeyRef'), `generated password of user ${text(s, 'name') ?? resource.name}`);
  if (resource.kind === 'Connection') {
    const name = text(s, 'secretName');
    if (!name) return [];
    return [{ name, keys: [...(text(s, 'database') ? ['database'] : []), 'dsn', 'host', 'password', 'port', 'username'].sort(), what: 'connection Secret', line: get(s, 'secretName')!.line }];
  }
  return [];
}

/** The Community operator's `normalizeName`: lower case, runs of other characters to one dash, no dash at either end. */
function mongoName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 253);
}

/**
 * MongoDB Community operator: per user, the SCRAM credentials Secret `<scramCredentialsSecretName>-scram-credentials`
 * and the connection string Secret (`connectionStringSecretName`, default `<name>-<db>-<user>` normalised).
 * https://github.com/mongodb/mongodb-kubernetes-operator (api/v1 MongoDBUser GetScramCredentialsSecretName, GetConnectionStringSecretName)
 */
function mongoCommunitySecrets(resource: K8sResource): Generated[] {
  return seqItems(get(resource.node, 'spec.users')).flatMap((user) => {
    const name = text(user, 'name');
    if (!name) return [];
    const db = text(user, 'db') ?? 'admin';
    const out: Generated[] = [];
    const scram = text(user, 'scramCredentialsSecretName');
    if (scram) out.push({ name: `${scram}-scram-credentials`, keys: ['sha1-salt', 'sha1-server-key', 'sha1-stored-key', 'sha256-salt', 'sha256-server-key', 'sha256-stored-key'], what: `SCRAM credentials of user ${name}`, line: user.line });
    const namespace = text(user, 'connectionStringSecretNamespace');
    out.push({
      name: text(user, 'connectionStringSecretName') ?? mongoName(`${resource.name}-${db}-${name}`),
      keys: ['connectionString.standard', 'connectionString.standardSrv', 'password', 'username'],
      what: `connection string of user ${name}`,
      line: user.line,
      ...(namespace ? { namespace } : {}),
    });
    return out;
  });
}

const PXC_KEYS = ['monitor', 'operator', 'proxyadmin', 'replication', 'root', 'xtrabackup'];
const PS_KEYS = ['heartbeat', 'monitor', 'operator', 'orchestrator', 'replication', 'root', 'xtrabackup'];
const PSMDB_KEYS = ['BACKUP', 'CLUSTER_ADMIN', 'CLUSTER_MONITOR', 'DATABASE_ADMIN', 'USER_ADMIN'].flatMap((u) => [`MONGODB_${u}_PASSWORD`, `MONGODB_${u}_USER`]).sort();

/**
 * Percona operators generate the system users' passwords into one Secret the operator creates when it is missing:
 * XtraDB Cluster and Server for MySQL `spec.secretsName` (default `<cluster>-secrets`), Server for MongoDB
 * `spec.secrets.users` (default `percona-server-mongodb-users`).
 * https://docs.percona.com/percona-operator-for-mysql/pxc/users.html
 */
function perconaSecrets(resource: K8sResource): Generated[] {
  const s = spec(resource);
  if (resource.kind === 'PerconaServerMongoDB') {
    return [{ name: text(s, 'secrets.users') ?? 'percona-server-mongodb-users', keys: PSMDB_KEYS, what: 'generated system user credentials', admin: true }];
  }
  return [{ name: text(s, 'secretsName') ?? `${resource.name}-secrets`, keys: resource.kind === 'PerconaXtraDBCluster' ? PXC_KEYS : PS_KEYS, what: 'generated system user credentials', admin: true }];
}

/**
 * RabbitMQ Cluster Operator: `<cluster>-default-user` (unless the default user comes from Vault through
 * `spec.secretBackend.vault`, or from a Secret the tree provides, `spec.secretBackend.externalSecret.name`, which the
 * operator reads instead: filling that one from a store is the documented path); the messaging topology operator's
 * User: `<user>-user-credentials` unless it imports them.
 * https://www.rabbitmq.com/kubernetes/operator/using-operator
 */
function rabbitmqSecrets(resource: K8sResource): Generated[] {
  if (resource.kind === 'RabbitmqCluster') {
    if (get(resource.node, 'spec.secretBackend.vault') || text(get(resource.node, 'spec'), 'secretBackend.externalSecret.name')) return [];
    return [{ name: `${resource.name}-default-user`, keys: ['default_user.conf', 'host', 'password', 'port', 'provider', 'type', 'username'], what: 'generated default user credentials' }];
  }
  if (text(get(resource.node, 'spec'), 'importCredentialsSecret.name')) return [];
  return [{ name: `${resource.name}-user-credentials`, keys: ['password', 'username'], what: 'generated user credentials' }];
}

/**
 * Strimzi User Operator: a Secret named after the KafkaUser, with the SCRAM password or the client certificate.
 * https://strimzi.io/docs/operators/latest/deploying#con-securing-client-authentication-str
 */
function strimziSecrets(resource: K8sResource): Generated[] {
  const type = text(get(resource.node, 'spec'), 'authentication.type');
  if (type === 'tls') return [{ name: resource.name, keys: ['ca.crt', 'user.crt', 'user.key', 'user.p12', 'user.password'], what: 'generated client certificate' }];
  if (type === 'scram-sha-512') return [{ name: resource.name, keys: ['password', 'sasl.jaas.config'], what: 'generated SCRAM-SHA-512 password' }];
  return [];
}

/**
 * KubeDB: a database's admin user (`postgres`, `root`) in `spec.authSecret.name`, default `<name>-auth`, which the
 * operator generates unless the Secret is marked `externallyManaged`.
 * https://kubedb.com/docs/latest/guides/postgres/concepts/postgres/#specauthsecret
 */
function kubedbSecrets(resource: K8sResource): Generated[] {
  const auth = get(spec(resource), 'authSecret');
  if (isTrue(get(auth, 'externallyManaged'))) return [];
  return [{ name: text(auth, 'name') ?? `${resource.name}-auth`, keys: ['password', 'username'], what: 'generated admin credentials', admin: true, ...(auth ? { line: auth.line } : {}) }];
}

function certificateSecrets(resource: K8sResource): Generated[] {
  const name = text(spec(resource), 'secretName');
  return name ? [{ name, keys: ['ca.crt', 'tls.crt', 'tls.key'], type: 'kubernetes.io/tls', what: 'issued certificate', line: get(resource.node, 'spec.secretName')!.line }] : [];
}

/** Operators by API group and kind, with the Secrets each kind makes them write. */
const OPERATOR_KINDS: readonly OperatorKind[] = [
  { label: 'CNPG', authority: 'CNPG operator', group: /^postgresql\.cnpg\.io\//, kinds: ['Cluster'], engine: 'postgres', secrets: cnpgSecrets },
  { label: 'Crunchy PGO', authority: 'Crunchy PGO', group: /^postgres-operator\.crunchydata\.com\//, kinds: ['PostgresCluster'], engine: 'postgres', secrets: pgoSecrets },
  { label: 'Percona PostgreSQL operator', authority: 'Percona operator', group: /^pgv2\.percona\.com\//, kinds: ['PerconaPGCluster'], engine: 'postgres', secrets: pgoSecrets },
  { label: 'Zalando postgres-operator', authority: 'Zalando postgres-operator', group: /^acid\.zalan\.do\//, kinds: ['postgresql'], engine: 'postgres', secrets: zalandoSecrets },
  { label: 'mariadb-operator', authority: 'mariadb-operator', group: /^(k8s\.mariadb\.com|mariadb\.mmontes\.io|enterprise\.mariadb\.com)\//, kinds: ['MariaDB', 'User', 'Connection'], engine: 'mysql', secrets: mariadbSecrets },
  { label: 'MongoDB Community operator', authority: 'MongoDB Community operator', group: /^mongodbcommunity\.mongodb\.com\//, kinds: ['MongoDBCommunity'], engine: 'mongodb', secrets: mongoCommunitySecrets },
  { label: 'Percona operator', authority: 'Percona operator', group: /^(pxc|ps)\.percona\.com\//, kinds: ['PerconaXtraDBCluster', 'PerconaServerMySQL'], engine: 'mysql', secrets: perconaSecrets },
  { label: 'Percona operator', authority: 'Percona operator', group: /^psmdb\.percona\.com\//, kinds: ['PerconaServerMongoDB'], engine: 'mongodb', secrets: perconaSecrets },
  { label: 'KubeDB', authority: 'KubeDB operator', group: /^kubedb\.com\//, kinds: ['Postgres'], engine: 'postgres', secrets: kubedbSecrets },
  { label: 'KubeDB', authority: 'KubeDB operator', group: /^kubedb\.com\//, kinds: ['MySQL', 'MariaDB', 'PerconaXtraDB'], engine: 'mysql', secrets: kubedbSecrets },
  { label: 'KubeDB', authority: 'KubeDB operator', group: /^kubedb\.com\//, kinds: ['MongoDB'], engine: 'mongodb', secrets: kubedbSecrets },
  { label: 'RabbitMQ operator', authority: 'RabbitMQ operator', group: /^rabbitmq\.com\//, kinds: ['RabbitmqCluster', 'User'], secrets: rabbitmqSecrets },
  { label: 'Strimzi', authority: 'Strimzi user operator', group: /^kafka\.strimzi\.io\//, kinds: ['KafkaUser'], secrets: strimziSecrets },
  { label: 'cert-manager', authority: 'cert-manager', group: /^cert-manager\.io\//, kinds: ['Certificate'], secrets: certificateSecrets },
];

/**
 * Any controller's output Secret by the conventions of cloud-resource providers: Crossplane (and its compositions)
 * `writeConnectionSecretToRef`, `connectionSecretName`, the Flux Terraform controller's `writeOutputsToSecret`,
 * Azure Service Operator's `operatorSpec.secrets.<field>`. The provider writes them from the resource it manages.
 */
function connectionSecrets(resource: K8sResource): Generated[] {
  const s = spec(resource);
  if (!isMap(s)) return [];
  const out: Generated[] = [];
  const ref = get(s, 'writeConnectionSecretToRef');
  const refName = text(ref, 'name');
  if (refName) {
    const namespace = text(ref, 'namespace');
    out.push({ name: refName, keys: [], what: 'connection details', type: 'connection.crossplane.io/v1alpha1', line: ref!.line, ...(namespace ? { namespace } : {}) });
  }
  const connectionSecretName = text(s, 'connectionSecretName');
  if (connectionSecretName) out.push({ name: connectionSecretName, keys: [], what: 'connection details', line: get(s, 'connectionSecretName')!.line });
  const outputs = get(s, 'writeOutputsToSecret');
  const outputsName = text(outputs, 'name');
  if (outputsName) out.push({ name: outputsName, keys: seqItems(get(outputs, 'outputs')).map(str).filter((k): k is string => !!k).sort(), what: 'outputs', line: outputs!.line });
  const aso = get(s, 'operatorSpec.secrets');
  if (isMap(aso)) {
    const byName = new Map<string, { keys: string[]; line: number }>();
    for (const e of aso.entries) {
      const name = text(e.value, 'name');
      if (!name) continue;
      const found = byName.get(name) ?? { keys: [], line: e.line };
      found.keys.push(text(e.value, 'key') ?? e.key);
      byName.set(name, found);
    }
    for (const [name, { keys, line }] of byName) out.push({ name, keys: keys.sort(), what: 'exported secrets', line });
  }
  return out;
}

/** The `secret_name_template` the tree configures for the Zalando operator: one template is the operator's; none or several leave its default. */
function zalandoTemplate(project: Project): string {
  return memoFor(project, 'operator-secrets:zalando-template', '', () => {
    const templates = new Set<string>();
    for (const r of project.resourcesOfKind('ConfigMap', 'OperatorConfiguration')) {
      const template = r.kind === 'ConfigMap' ? text(r.node, 'data.secret_name_template') : (r.apiVersion ?? '').startsWith('acid.zalan.do/') ? text(r.node, 'configuration.kubernetes.secret_name_template') : undefined;
      if (template && !template.includes('{{')) templates.add(template);
    }
    // The operator's chart values (configKubernetes.secret_name_template).
    for (const values of project.valuesFiles) {
      for (const doc of values.model.docs) {
        const template = text(doc.root, 'configKubernetes.secret_name_template');
        if (template && !template.includes('{{')) templates.add(template);
      }
    }
    return templates.size === 1 ? [...templates][0]! : ZALANDO_DEFAULT_TEMPLATE;
  });
}

function producerOf(kind: OperatorKind | undefined, resource: K8sResource, what: string): string {
  const label = kind ? kind.label : `provider ${(resource.apiVersion ?? '?').split('/')[0]}`;
  return `${label} ${resource.kind} ${resource.name} (${what})`;
}

/** CNPG's own Secrets keep the CNPG-specific judgement (managed roles) the rules give them. */
export function isCnpgWritten(secret: OperatorSecret): boolean {
  return secret.authority === 'CNPG operator';
}

/** Every Secret an operator writes for a resource of the tree, in resource order. */
export function operatorSecrets(project: Project): OperatorSecret[] {
  return memoFor(project, 'operator-secrets', '', () => {
    const out: OperatorSecret[] = [];
    for (const resource of project.resources) {
      const apiVersion = resource.apiVersion ?? '';
      if (!apiVersion.includes('/') || resource.kind === 'CustomResourceDefinition') continue;
      const kind = OPERATOR_KINDS.find((k) => k.kinds.includes(resource.kind) && k.group.test(apiVersion));
      const generated = kind ? kind.secrets(resource, project) : connectionSecrets(resource);
      for (const g of generated) {
        const namespace = g.namespace ?? resource.namespace;
        out.push({
          name: g.name,
          ...(namespace ? { namespace } : {}),
          keys: g.keys,
          type: g.type ?? (kind?.label === 'CNPG' ? 'kubernetes.io/basic-auth' : 'Opaque'),
          authority: kind ? kind.authority : `provider ${apiVersion.split('/')[0]}`,
          ...(kind?.engine ? { engine: kind.engine } : {}),
          producer: producerOf(kind, resource, g.what),
          ...(g.admin ? { admin: true } : {}),
          resource,
          line: g.line ?? resource.line,
        });
      }
    }
    return out;
  });
}

/** Operator-written Secrets by name. */
export function operatorSecretsByName(project: Project): Map<string, OperatorSecret[]> {
  return memoFor(project, 'operator-secrets:by-name', '', () => {
    const map = new Map<string, OperatorSecret[]>();
    for (const s of operatorSecrets(project)) {
      const list = map.get(s.name) ?? [];
      list.push(s);
      map.set(s.name, list);
    }
    return map;
  });
}

/** Namespaces agree when either side does not say (a template, a cluster-scoped fan-out) or both are the same. */
function namespacesAgree(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.includes('{{') || b.includes('{{') || a === b;
}

/** The operator that writes Secret NAME in NAMESPACE, if a resource of the tree makes one do so. */
export function operatorWriterOf(project: Project, name: string, namespace: string | undefined): OperatorSecret | undefined {
  return (operatorSecretsByName(project).get(name) ?? []).find((s) => namespacesAgree(s.namespace, namespace));
}
