import path from 'node:path';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { perAppDatabaseRoleReplacement } from '../snippets.js';
import { dbConsumers, dbSecretOf, valuesApp, type DbConsumer, type DbSecret } from './db-consumers.js';

/** The app's name for the replacement: the chart, the values file's app, the workload. */
function appOf(c: { owner: string; names: string[] }): string {
  if (c.owner.startsWith('chart ')) return path.posix.basename(c.owner.slice(6));
  if (c.owner.startsWith('values ')) return c.owner.slice(7);
  return c.names[0] ?? 'app';
}

function how(c: DbConsumer): string {
  if (c.how === 'env') return `reads Secret ${c.secretName}${c.key ? ` (key ${c.key})` : ''} into ${c.envName}`;
  if (c.how === 'envFrom') return `loads Secret ${c.secretName} with envFrom`;
  if (c.how === 'volume') return `mounts Secret ${c.secretName} as a volume`;
  return `names Secret ${c.secretName} at ${c.valuesPath}`;
}

export const superuserSecretInApp = createRule(
  {
    id: 'superuser-secret-in-app',
    family: 'db',
    defaultSeverity: 'high',
    description: "An application workload or its Helm values use a database operator's superuser (root, admin) Secret or log in as postgres/root",
    why:
      'Superuser credentials are for operations only, never for app connection strings. An app that connects as the superuser ' +
      '(CNPG `<cluster>-superuser`, Zalando `postgres.<cluster>.credentials.postgresql.acid.zalan.do`, Crunchy `<cluster>-pguser-postgres`, ' +
      "a MariaDB root password, Percona's system users, KubeDB's auth Secret) can read and drop every database of the cluster, " +
      'bypasses the per-app role the operator reconciles, and ties the rotation of the most powerful password to app restarts. ' +
      "Checked: container `env` secretKeyRefs, `envFrom`, Secret volumes, and values keys that name the app's Secret " +
      '(`existingSecret`, `externalDatabase.existingSecret`, env lists), where the Secret belongs to a database operator resource ' +
      'of the tree (a CNPG Cluster, a Zalando postgresql, a PostgresCluster, a MariaDB, a Percona or KubeDB database) or carries one ' +
      "of the operators' superuser names, or is an ExternalSecret's copy of such a Secret (the Kubernetes provider mirroring " +
      "`<cluster>-pguser-postgres` into the app's namespace); a bare `<x>-superuser` counts only where a database is named (`pg-superuser`, DB_PASSWORD). " +
      'Also `username: postgres` (or `root` for MySQL/MariaDB) in an app\'s database settings next to a password reference.',
    allowed:
      "Operations workloads: backup, restore, dump and maintenance jobs, admin UIs (pgAdmin, Adminer, phpMyAdmin), poolers and " +
      "exporters, the operator itself and the database's own pods, and bootstrap jobs that create roles and databases; told by " +
      'workload, container, label or chart name, a database image, or a command that dumps, restores or runs CREATE ROLE/DATABASE. ' +
      'The operator\'s own resources (CNPG `spec.superuserSecret`) are no consumers.',
    remediation:
      "Give the app a role and Secret of its own (CNPG `managed.roles` with a `<app>-db-credentials` Secret, the cluster's `<cluster>-app` " +
      'owner Secret for the one app that owns the database, a mariadb-operator User and Grant) and point the workload at it; keep the ' +
      'superuser Secret for operations jobs only.',
  },
  (context) => {
    const { project } = context;
    const { consumers, logins } = dbConsumers(project);
    // A chart template's Secret named by `.Values.x` is reported where the values name it, when they do.
    const valuesSites = new Set(consumers.filter((c) => c.how === 'values').map((c) => `${path.posix.dirname(c.file.path)}\0${c.secretName}`));
    const reported = new Set<string>();
    // One finding per container and Secret: PGHOST, PGUSER and PGPASSWORD read from the same Secret are one use, told
    // at its password; a container that only reads non-credential keys of it (host, port, a backup bucket's keys kept
    // in the same Secret) uses no superuser credential.
    const groups = new Map<string, { c: DbConsumer; secret: DbSecret }[]>();
    for (const c of consumers) {
      if (c.ops) continue;
      if (c.viaValues && c.resource?.helm && valuesSites.has(`${c.resource.helm.chartRoot}\0${c.secretName}`)) continue;
      const secret = dbSecretOf(project, c);
      if (!secret?.admin) continue;
      const key = c.resource ? `${c.file.path}\0${c.resource.line}\0${c.container ?? ''}\0${c.secretName}` : `${c.file.path}\0${c.line}\0${c.secretName}`;
      groups.set(key, [...(groups.get(key) ?? []), { c, secret }]);
    }
    const rank = (c: DbConsumer) => (c.key === undefined ? 1 : /pass|pwd|uri|url|dsn|pgpass/i.test(c.key) ? 0 : /user|login/i.test(c.key) ? 2 : 9);
    context.each(
      [...groups.values()],
      (g) => g[0]!.c.file.path,
      (group) => {
        const { c, secret } = [...group].sort((a, b) => rank(a.c) - rank(b.c) || a.c.line - b.c.line)[0]!;
        if (rank(c) === 9) return;
        const site = c.resource ? `${c.resource.kind} ${c.resource.name}${c.container ? ` container ${c.container}` : ''}` : `Values of ${appOf(c)}`;
        reported.add(`${c.file.path}\0resource\0${c.resource?.line ?? c.valuesPath}`);
        context.report({
          file: c.file,
          line: c.line,
          column: c.column,
          message:
            `${site} ${how(c)}${c.viaValues && !c.templated ? ' (named by the chart values)' : ''}, the database superuser Secret of ${secret.producer}: ` +
            'superuser credentials are for operations only, the app needs a role of its own',
          location: c.resource ? resourceLocation(c.resource, `superuser:${c.location}`) : `${c.location}#superuser:${c.secretName}`,
          keys: c.key ? [c.key] : [],
          origin: 'cluster-operator',
          ...(c.resource ? { resource: resourceRef(c.resource) } : {}),
          replacement: perAppDatabaseRoleReplacement({ app: appOf(c), engine: secret.engine, ...(c.envName ? { envName: c.envName } : {}) }),
          remediation: `Point ${site} at a Secret of its own role (for example ${appOf(c)}-db-credentials from CNPG managed.roles) instead of ${c.secretName}; keep ${c.secretName} for backup and maintenance jobs.`,
        });
      },
    );
    context.each(
      logins,
      (l) => l.file.path,
      (l) => {
        if (reported.has(`${l.file.path}\0resource\0${l.resource?.line ?? ''}`) && l.resource) return;
        const app = l.resource ? appOf({ owner: l.owner, names: l.names }) : valuesApp(l.file.path);
        context.report({
          file: l.file,
          line: l.line,
          column: l.column,
          message: `${l.where}, with the password from ${l.password}: the app logs in as the database superuser; superuser credentials are for operations only, the app needs a role of its own`,
          location: l.resource ? resourceLocation(l.resource, `superuser-login:${l.location}`) : `${l.location}#superuser-login`,
          keys: [],
          origin: 'cluster-operator',
          ...(l.resource ? { resource: resourceRef(l.resource) } : {}),
          replacement: perAppDatabaseRoleReplacement({ app, engine: l.user === 'root' ? 'mysql' : 'postgres' }),
          remediation: `Connect as a role of the app's own (for example ${app}, with its Secret ${app}-db-credentials) instead of ${l.user}; keep the superuser for operations jobs.`,
        });
      },
    );
  },
);
