import type { Project } from '../scan/project.js';
import { memoFor } from '../scan/project-index.js';
import { get, getStr, isMap, isScalar, seqItems, str, walkFrames, type PNode } from '../yaml/model.js';
import { cnpgSecretUses, isCnpgCluster } from './eso.js';
import { operatorSecrets } from './operator-secrets.js';
import type { K8sResource } from './resources.js';

/**
 * Database operators by API group, with the engine whose users they own. A Secret one of their resources reads
 * (a user's passwordSecretRef, a root password, a secretName) is a database credential the operator reconciles,
 * whatever the Secret is called.
 */
const OPERATOR_GROUPS: { group: RegExp; engine: string | ((kind: string) => string) }[] = [
  { group: /^postgresql\.cnpg\.io\//, engine: 'postgres' },
  { group: /^postgres-operator\.crunchydata\.com\//, engine: 'postgres' },
  { group: /^pgv2\.percona\.com\//, engine: 'postgres' },
  { group: /^acid\.zalan\.do\//, engine: 'postgres' },
  { group: /^stackgres\.io\//, engine: 'postgres' },
  { group: /^mongodbcommunity\.mongodb\.com\/|^mongodb\.com\/|^psmdb\.percona\.com\//, engine: 'mongodb' },
  { group: /^(k8s\.mariadb\.com|mariadb\.mmontes\.io|enterprise\.mariadb\.com|mysql\.oracle\.com|pxc\.percona\.com|ps\.percona\.com|moco\.cybozu\.com|mysql\.presslabs\.org)\//, engine: 'mysql' },
  { group: /^kubedb\.com\//, engine: (kind) => (/mongo/i.test(kind) ? 'mongodb' : /mysql|maria|percona/i.test(kind) ? 'mysql' : /redis/i.test(kind) ? 'redis' : 'postgres') },
  { group: /^(redis\.redis\.opstreelabs\.in|databases\.spotahome\.com)\//, engine: 'redis' },
];

/** Is the resource one a database operator reconciles (a CNPG Cluster, a MongoDBCommunity, a MariaDB ...)? */
export function isDatabaseOperatorResource(resource: K8sResource): boolean {
  return engineOf(resource) !== undefined;
}

function engineOf(resource: K8sResource): string | undefined {
  return databaseEngineOf(resource.apiVersion ?? '', resource.kind);
}

/** The engine whose users the operator of an object's API group owns (`postgresql.cnpg.io/v1` -> postgres), or undefined. */
export function databaseEngineOf(apiVersion: string, kind: string): string | undefined {
  const match = OPERATOR_GROUPS.find((o) => o.group.test(apiVersion));
  if (!match) return undefined;
  return typeof match.engine === 'string' ? match.engine : match.engine(kind);
}

/** Keys under which an operator's spec names a Secret: passwordSecretRef, rootPasswordSecretKeyRef, authSecret, secretName, secretsName. */
const SECRET_REFERENCE = /secret/i;
const NAME_KEYS = /^(secretName|secretsName|[a-z]+SecretName)$/;
/**
 * Parts of an operator's spec whose Secrets are not database users': backup repositories and object stores (pgBackRest
 * S3 keys, cipher passphrases), TLS material, monitoring agents. Those are external or generated credentials of
 * their own, legitimately kept in an external store.
 */
const NOT_USER_SECRETS = /^(backups?|pgbackrest|barmanObjectStore|storages?|s3|gcs|azure|monitoring|pmm|metrics|exporter)$|tls|ssl|cert/i;

function referencedSecrets(spec: PNode | null | undefined): string[] {
  const names: string[] = [];
  walkFrames(spec, (frame) => {
    const key = frame.key;
    if (key === undefined) return undefined;
    if (NOT_USER_SECRETS.test(key)) return false;
    // `passwordSecretRef: {name: x}`, `authSecret: {name: x}`, `rootPasswordSecretKeyRef: {name: x, key: password}`
    if (SECRET_REFERENCE.test(key) && isMap(frame.node)) {
      const name = frame.node.entries.find((e) => e.key === 'name')?.value;
      if (name?.t === 'scalar' && typeof name.value === 'string' && !name.value.includes('{{')) names.push(name.value);
      return undefined;
    }
    if (NAME_KEYS.test(key) && frame.node.t === 'scalar' && typeof frame.node.value === 'string' && !frame.node.value.includes('{{')) names.push(frame.node.value);
    return undefined;
  });
  return names;
}

/**
 * Secrets a database operator of the tree reads or writes, by name, with the operator's engine (postgres, mysql, mongodb,
 * redis). CNPG's precise reading (managed roles, bootstrap, superuser) is kept; other operators' specs are searched
 * for Secret references.
 */
export function databaseOperatorSecrets(project: Project): Map<string, string> {
  return memoFor(project, 'db-operators:secrets', '', () => {
    const out = new Map<string, string>();
    for (const resource of project.resources) {
      if (isCnpgCluster(resource)) {
        for (const use of cnpgSecretUses(resource)) if (!out.has(use.secretName)) out.set(use.secretName, 'postgres');
        continue;
      }
      const engine = engineOf(resource);
      if (!engine) continue;
      for (const name of referencedSecrets(resource.node.entries.find((e) => e.key === 'spec')?.value)) if (!out.has(name)) out.set(name, engine);
    }
    // And the Secrets they write themselves: PGO's <cluster>-pguser-<user>, a MariaDB root password with generate: true.
    for (const written of operatorSecrets(project)) if (written.engine && !out.has(written.name)) out.set(written.name, written.engine);
    return out;
  });
}

/** A database cluster an operator of the tree runs, with the users whose passwords the operator owns. */
export interface DatabaseOperatorCluster {
  engine: string;
  kind: string;
  name: string;
  namespace?: string;
  file: string;
  line: number;
  /** Users the operator keeps in step with a Secret (managed roles, the bootstrap owner, declared users, system users). */
  users: string[];
  /** The Secret a user's password comes from, where the resource names it. */
  userSecrets: Record<string, string>;
}

/** The Secret each user's password comes from, where the resource says (mariadb-operator, MongoDB Community, Crunchy PGO). */
function userSecretsOf(resource: K8sResource): Record<string, string> {
  const out: Record<string, string> = {};
  const group = (resource.apiVersion ?? '').split('/')[0] ?? '';
  if (/mariadb/.test(group)) {
    const root = getStr(resource.node, 'spec.rootPasswordSecretKeyRef.name');
    if (resource.kind === 'MariaDB') {
      out.root = root ?? `${resource.name}-root`;
      const user = getStr(resource.node, 'spec.username');
      if (user) out[user] = getStr(resource.node, 'spec.passwordSecretKeyRef.name') ?? `${resource.name}-password`;
    } else if (resource.kind === 'User') {
      const secret = getStr(resource.node, 'spec.passwordSecretKeyRef.name');
      if (secret) out[getStr(resource.node, 'spec.name') ?? resource.name] = secret;
    }
  } else if (group === 'mongodbcommunity.mongodb.com') {
    for (const u of seqItems(get(resource.node, 'spec.users'))) {
      const name = getStr(u, 'name');
      const secret = getStr(u, 'passwordSecretRef.name');
      if (name && secret) out[name] = secret;
    }
  } else if (group === 'postgres-operator.crunchydata.com' || group === 'pgv2.percona.com') {
    for (const user of ownedUsers(resource, 'postgres')) out[user] = `${resource.name}-pguser-${user}`;
  }
  for (const key of Object.keys(out)) if (out[key]!.includes('{{')) delete out[key];
  return out;
}

const PERCONA_MYSQL_USERS = ['root', 'monitor', 'operator', 'proxyadmin', 'replication', 'xtrabackup', 'heartbeat', 'orchestrator', 'clustercheck'];

function ownedUsers(resource: K8sResource, engine: string): string[] {
  const spec = resource.node.entries.find((e) => e.key === 'spec')?.value;
  const group = (resource.apiVersion ?? '').split('/')[0] ?? '';
  const names = (path: string) => seqItems(get(resource.node, path)).flatMap((u) => (str(u) !== undefined ? [str(u)!] : getStr(u, 'name') ? [getStr(u, 'name')!] : []));
  if (isCnpgCluster(resource)) {
    const users = names('spec.managed.roles');
    const bootstrap = get(resource.node, 'spec.bootstrap');
    if (!bootstrap || get(bootstrap, 'initdb')) users.push(getStr(resource.node, 'spec.bootstrap.initdb.owner') ?? 'app');
    if (isScalar(get(resource.node, 'spec.enableSuperuserAccess')) && String((get(resource.node, 'spec.enableSuperuserAccess') as { value: unknown }).value) === 'true') users.push('postgres');
    if (get(resource.node, 'spec.superuserSecret')) users.push('postgres');
    return users;
  }
  if (group === 'acid.zalan.do') {
    const users = get(resource.node, 'spec.users');
    return ['postgres', 'standby', ...(isMap(users) ? users.entries.map((e) => e.key) : [])];
  }
  if (group === 'postgres-operator.crunchydata.com' || group === 'pgv2.percona.com') {
    const users = names('spec.users');
    return users.length > 0 ? users : [resource.name];
  }
  if (/mariadb/.test(group)) {
    if (resource.kind === 'MariaDB') return ['root', ...(getStr(resource.node, 'spec.username') ? [getStr(resource.node, 'spec.username')!] : [])];
    if (resource.kind === 'User') return [getStr(resource.node, 'spec.name') ?? resource.name];
    return [];
  }
  if (/^(pxc|ps)\.percona\.com$/.test(group)) return PERCONA_MYSQL_USERS;
  if (group === 'mongodbcommunity.mongodb.com') return names('spec.users');
  void spec;
  return engine === 'postgres' ? ['postgres'] : engine === 'mysql' ? ['root'] : [];
}

/** Kinds that run a database (not the users, connections, backups and poolers around one). */
const CLUSTER_KINDS = /^(Cluster|DatabaseRole|PostgresCluster|PerconaPGCluster|postgresql|SGCluster|MariaDB|User|PerconaXtraDBCluster|PerconaServerMySQL|PerconaServerMongoDB|MongoDBCommunity|MongoDB|InnoDBCluster|MySQLCluster|MysqlCluster|Postgres|MySQL|MongoDB|Redis|RedisCluster|RedisFailover)$/;

/** Every database cluster (and mariadb-operator User) a database operator of the tree runs. */
export function databaseOperatorClusters(project: Project): DatabaseOperatorCluster[] {
  return memoFor(project, 'db-operators:clusters', '', () => {
    const out: DatabaseOperatorCluster[] = [];
    for (const resource of project.resources) {
      const engine = engineOf(resource);
      if (!engine || !CLUSTER_KINDS.test(resource.kind)) continue;
      // CNPG's standalone DatabaseRole: a role of the Cluster it names, with its password from passwordSecret.
      if (resource.kind === 'DatabaseRole') continue;
      out.push({
        engine,
        kind: resource.kind,
        name: resource.name,
        ...(resource.namespace ? { namespace: resource.namespace } : {}),
        file: resource.file,
        line: resource.line,
        users: ownedUsers(resource, engine),
        userSecrets: userSecretsOf(resource),
      });
    }
    for (const role of project.resourcesOfKind('DatabaseRole')) {
      if (!(role.apiVersion ?? '').startsWith('postgresql.cnpg.io/')) continue;
      const user = getStr(role.node, 'spec.name') ?? role.name;
      const clusterName = getStr(role.node, 'spec.cluster.name');
      const cluster = out.find((c) => c.engine === 'postgres' && c.name === clusterName && (!c.namespace || !role.namespace || c.namespace === role.namespace));
      if (cluster) cluster.users.push(user);
      const secret = getStr(role.node, 'spec.passwordSecret.name');
      if (cluster && secret) cluster.userSecrets[user] = secret;
      if (!cluster) out.push({ engine: 'postgres', kind: 'Cluster', name: clusterName ?? '(unnamed)', ...(role.namespace ? { namespace: role.namespace } : {}), file: role.file, line: role.line, users: [user], userSecrets: secret ? { [user]: secret } : {} });
    }
    return out;
  });
}
