import type { Project } from '../scan/project.js';
import { memoFor } from '../scan/project-index.js';
import { isMap, walkFrames, type PNode } from '../yaml/model.js';
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
  { group: /^acid\.zalan\.do\//, engine: 'postgres' },
  { group: /^stackgres\.io\//, engine: 'postgres' },
  { group: /^mongodbcommunity\.mongodb\.com\/|^mongodb\.com\/|^psmdb\.percona\.com\//, engine: 'mongodb' },
  { group: /^(k8s\.mariadb\.com|mariadb\.mmontes\.io|mysql\.oracle\.com|pxc\.percona\.com|ps\.percona\.com|moco\.cybozu\.com|mysql\.presslabs\.org)\//, engine: 'mysql' },
  { group: /^kubedb\.com\//, engine: (kind) => (/mongo/i.test(kind) ? 'mongodb' : /mysql|maria|percona/i.test(kind) ? 'mysql' : /redis/i.test(kind) ? 'redis' : 'postgres') },
  { group: /^(redis\.redis\.opstreelabs\.in|databases\.spotahome\.com)\//, engine: 'redis' },
];

/** Is the resource one a database operator reconciles (a CNPG Cluster, a MongoDBCommunity, a MariaDB ...)? */
export function isDatabaseOperatorResource(resource: K8sResource): boolean {
  return engineOf(resource) !== undefined;
}

function engineOf(resource: K8sResource): string | undefined {
  const apiVersion = resource.apiVersion ?? '';
  const match = OPERATOR_GROUPS.find((o) => o.group.test(apiVersion));
  if (!match) return undefined;
  return typeof match.engine === 'string' ? match.engine : match.engine(resource.kind);
}

/** Keys under which an operator's spec names a Secret: passwordSecretRef, rootPasswordSecretKeyRef, authSecret, secretName, secretsName. */
const SECRET_REFERENCE = /secret/i;
const NAME_KEYS = /^(secretName|secretsName|[a-z]+SecretName)$/;

function referencedSecrets(spec: PNode | null | undefined): string[] {
  const names: string[] = [];
  walkFrames(spec, (frame) => {
    const key = frame.key;
    if (key === undefined) return undefined;
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
