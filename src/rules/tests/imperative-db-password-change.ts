import type { ParsedFile } from '../../analyzers/types.js';
import type { ImperativeModel, PasswordChangeFact } from '../../analyzers/tests/imperative.js';
import { isLocalTarget, imperativeModels, targetNamesCluster } from './imperative-common.js';
import { shiftSeverity } from '../../scan/collector.js';
import { cnpgSecretUses, isCnpgCluster } from '../../k8s/eso.js';
import { databaseOperatorClusters, type DatabaseOperatorCluster } from '../../k8s/db-operators.js';
import type { Project } from '../../scan/project.js';
import type { Replacement, Severity } from '../../types.js';
import { segments } from '../../util/path.js';
import { createRule } from '../create-rule.js';
import { cnpgManagedRoleReplacement } from '../snippets.js';
import { Occurrences } from './common.js';

const ENGINE_NAME: Record<string, string> = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB', mongodb: 'MongoDB' };

/** A throwaway local database's init scripts: the image runs them once on an empty data directory. */
function isInitdbScript(path: string): boolean {
  return segments(path)
    .slice(0, -1)
    .some((d) => /^(docker-entrypoint-initdb\.d|initdb\.d|initdb|init-?db|db-?init|init|init-?scripts)$/i.test(d));
}

/** Does the file (a runbook: the same section) also update the Secret the operator reads? That is the documented rotation. */
function pairedWithSecretUpdate(model: ImperativeModel, fact: PasswordChangeFact): boolean {
  return model.actions.some(
    (a) => (a.action === 'secret-update' || a.action === 'delete-secret' || a.action === 'force-sync') && (model.source !== 'markdown' || a.section === fact.section),
  );
}

function ownerOf(clusters: readonly DatabaseOperatorCluster[], fact: PasswordChangeFact): { cluster: DatabaseOperatorCluster; by: 'user' | 'target' } | undefined {
  const user = fact.user?.toLowerCase();
  for (const cluster of clusters) if (user && cluster.users.some((u) => u.toLowerCase() === user) && (!fact.target || targetNamesCluster(fact.target, cluster.name) || !clusters.some((c) => targetNamesCluster(fact.target!, c.name)))) return { cluster, by: 'user' };
  for (const cluster of clusters) if (fact.target && targetNamesCluster(fact.target, cluster.name)) return { cluster, by: 'target' };
  return undefined;
}

/** The Secret the operator reconciles USER's password from, when the tree says. */
function secretOf(project: Project, cluster: DatabaseOperatorCluster, user: string | undefined): string | undefined {
  const named = user ? Object.entries(cluster.userSecrets).find(([u]) => u.toLowerCase() === user.toLowerCase())?.[1] : undefined;
  if (named) return named;
  if (cluster.kind !== 'Cluster' || cluster.engine !== 'postgres') return undefined;
  const resource = project.resources.find((r) => isCnpgCluster(r) && r.name === cluster.name && r.file === cluster.file);
  if (!resource) return undefined;
  const uses = cnpgSecretUses(resource);
  const managed = uses.find((u) => u.role === 'managed-role' && u.roleName === user);
  if (managed) return managed.secretName;
  if (user === 'postgres') return uses.find((u) => u.role === 'superuser')?.secretName ?? `${cluster.name}-superuser`;
  return uses.find((u) => u.role === 'bootstrap')?.secretName ?? `${cluster.name}-app`;
}

/**
 * Rotation from Git: an ESO Password generator fills the Secret the operator reads; its refreshInterval is the rotation
 * period and a commit that bumps an annotation rotates now. (No `kubectl delete secret` by hand: that is the imperative
 * fix imperative-secret-remediation reports.)
 */
function rotationReplacement(secret: string, user: string, namespace: string | undefined, cluster: DatabaseOperatorCluster): Replacement {
  const ns = namespace ?? cluster.namespace;
  const generator = `${secret}-password`;
  return {
    language: 'yaml',
    title: `Rotate ${user}'s password through the Secret ${cluster.kind} ${cluster.name} reads, from Git (ESO Password generator)`,
    snippet: [
      'apiVersion: generators.external-secrets.io/v1alpha1',
      'kind: Password',
      'metadata:',
      `  name: ${generator}`,
      ...(ns ? [`  namespace: ${ns}`] : []),
      'spec:',
      '  length: 32',
      '  symbols: 0',
      '---',
      'apiVersion: external-secrets.io/v1',
      'kind: ExternalSecret',
      'metadata:',
      `  name: ${secret}`,
      ...(ns ? [`  namespace: ${ns}`] : []),
      '  annotations:',
      '    rotation: "1"   # bump in a commit to rotate now',
      'spec:',
      '  refreshInterval: 720h   # the rotation period',
      '  target:',
      `    name: ${secret}`,
      '    template:',
      '      type: kubernetes.io/basic-auth',
      '      data:',
      `        username: ${user}`,
      '        password: "{{ .password }}"',
      '  dataFrom:',
      '    - sourceRef:',
      '        generatorRef:',
      '          apiVersion: generators.external-secrets.io/v1alpha1',
      '          kind: Password',
      `          name: ${generator}`,
      '',
    ].join('\n'),
  };
}

export const imperativeDbPasswordChange = createRule(
  {
    id: 'imperative-db-password-change',
    family: 'db',
    defaultSeverity: 'medium',
    description: 'A script, SQL file or runbook changes the password of a database user that an operator of the tree owns, by hand',
    why: 'The database operator (CNPG, Zalando, Crunchy PGO, mariadb-operator, Percona, MongoDB Community) sets its users’ passwords from a Secret. A password changed with ALTER ROLE/ALTER USER/changeUserPassword while that Secret stays as it was drifts: applications reading the Secret fail, and the operator puts the old password back on its next reconcile ("NEVER: direct ALTER ROLE without updating the Secret").',
    allowed: 'Rotating by changing, from Git, the Secret the operator reads (its ESO generator or ExternalSecret, the managed role’s Secret) and letting the operator reconcile; a script that updates that Secret in the same run; PASSWORD NULL; users of throwaway local databases (docker-entrypoint-initdb.d, a script that starts the server itself, docker exec); databases no operator of the tree runs.',
    remediation: 'Remove the password change from the script: rotate by changing, from Git, the Secret the operator reads (an ESO Password generator with a refreshInterval, or the managed role’s Secret) and letting the operator reconcile the user, with consumers restarted by Reloader. After an emergency change by hand, update that Secret in the same step.',
  },
  (context) => {
    const clusters = databaseOperatorClusters(context.project);
    if (clusters.length === 0) return;
    context.each(
      imperativeModels(context.project),
      (m) => m.file.path,
      ({ file, model }: ParsedFile<ImperativeModel>) => {
        // A throwaway database's init: the folder an image runs on first start, or a script that starts the server itself.
        if (model.passwordChanges.length === 0 || isInitdbScript(file.path) || model.startsDatabase) return;
        const seen = new Occurrences();
        for (const fact of model.passwordChanges) {
          // A local container's database (docker exec, docker compose exec) is none an operator runs.
          if (fact.container) continue;
          const sameEngine = clusters.filter((c) => c.engine === fact.engine);
          // Without an operator of this engine the user's password has no other owner: changing it by hand is how it is done.
          if (sameEngine.length === 0) continue;
          // A runbook's generic example (`ALTER ROLE <user> …`) describes; a named user is a procedure.
          if (model.source === 'markdown' && !fact.user) continue;
          if (pairedWithSecretUpdate(model, fact)) continue;
          // The operator owns this user: medium. It runs the database reached but not this user (or the user is an
          // expansion): low. Only the engine matches: silent, the database may be another one (a managed cloud
          // database, a local container, an image's own init).
          const owner = ownerOf(sameEngine, fact);
          if (!owner) continue;
          let severity: Severity = owner.by === 'user' ? 'medium' : 'low';
          const local = isLocalTarget(file, model, fact);
          if (local) severity = 'info';
          else if (model.role === 'test') severity = shiftSeverity(severity, -1);
          const user = fact.user ?? fact.userAsWritten ?? 'a user';
          const where = fact.via ? ` via ${fact.via}${fact.target ? ` ${fact.target}` : ''}${fact.namespace ? ` (namespace ${fact.namespace})` : ''}` : '';
          const cluster = owner.cluster;
          const ownerText =
            owner.by === 'user'
              ? `${cluster.kind} ${cluster.name} (${cluster.file}) owns user ${user} and reconciles its password from a Secret`
              : `${cluster.kind} ${cluster.name} (${cluster.file}), a ${ENGINE_NAME[fact.engine] ?? fact.engine} cluster its operator reconciles, runs the database it reaches${fact.user ? `; user ${user} is none of the users it manages (declare it there so its password has one owner)` : ''}`;
          const secret = secretOf(context.project, cluster, fact.user);
          const kind = model.source === 'markdown' ? 'Runbook' : model.source === 'sql' ? 'SQL file' : model.role === 'test' ? 'Test script' : 'Script';
          const replacement =
            cluster.kind === 'Cluster' && cluster.engine === 'postgres' && owner.by === 'user' && secret && fact.user && fact.user !== 'postgres'
              ? cnpgManagedRoleReplacement({ secretName: secret, role: fact.user, cluster: cluster.name })
              : rotationReplacement(secret ?? `${(fact.user ?? 'app').replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase()}-db-credentials`, fact.user ?? 'app', fact.namespace, cluster);
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            message: `${kind} changes the password of database user ${user} by hand (${fact.statement}${where}) without updating the Secret the operator reads: ${ownerText}${local ? '; the target is a local cluster' : ''}`,
            location: seen.next(`password:${fact.engine}:${fact.user ?? fact.userAsWritten ?? '?'}#${fact.statement}`),
            severity,
            origin: model.role === 'test' ? 'test' : 'cluster-operator',
            ...(secret ? { resource: { kind: 'Secret', name: secret, ...(cluster.namespace ? { namespace: cluster.namespace } : {}) } } : {}),
            replacement,
            remediation: `Drop the ${fact.statement} from ${file.path}: rotate ${user}'s password by changing ${secret ? `Secret ${secret}` : 'the Secret the operator reads'} from Git and letting ${cluster.kind} ${cluster.name} reconcile it; if a change by hand was an emergency, update that Secret in the same step.`,
          });
        }
      },
    );
  },
);
