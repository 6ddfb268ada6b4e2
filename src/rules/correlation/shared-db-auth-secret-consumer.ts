import path from 'node:path';
import type { Project } from '../../scan/project.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { perAppDatabaseRoleReplacement } from '../snippets.js';
import { dbConsumers, dbSecretOf, namespacesAgree, type DbConsumer, type DbSecret } from './db-consumers.js';
import { commonEnvironment, environmentsAt, notApplied } from './duplicate-externalsecret-owner.js';

/** Names too generic to tell two apps apart or together (`app: api` in two charts). */
const GENERIC = new Set(['app', 'api', 'web', 'www', 'ui', 'worker', 'workers', 'server', 'backend', 'frontend', 'service', 'platform', 'main', 'default', 'db', 'database', 'postgres', 'postgresql', 'mysql', 'job', 'jobs', 'cron', 'cronjob', 'migrate', 'migration', 'migrations', 'release', 'chart', 'apps', 'values']);

function norm(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, '-');
}

/** One app name is the other, or the other with a suffix: `orders` and `orders-migrate`, `notifications` and `notifications-digest`. */
function related(a: string, b: string): boolean {
  const x = norm(a);
  const y = norm(b);
  if (x.length < 3 || y.length < 3 || GENERIC.has(x) || GENERIC.has(y)) return false;
  return x === y || x.startsWith(`${y}-`) || y.startsWith(`${x}-`);
}

interface Site extends DbConsumer {
  environments: string[];
}

/** The environments that render the site's own line (a chart's `if` may wrap one env entry); null when none does. */
function environmentsOfSite(project: Project, c: DbConsumer): string[] | null {
  return environmentsAt(project, c.file, c.line);
}

function canMeet(a: Site, b: Site): boolean {
  if (!namespacesAgree(a.namespace, b.namespace)) return false;
  return commonEnvironment(a.environments, b.environments) !== undefined;
}

/** What an app is called in a message: its chart, its values' app, its workload. */
function appLabel(group: Site[]): string {
  const c = group[0]!;
  if (c.owner.startsWith('chart ')) return `chart ${path.posix.basename(c.owner.slice(6))}`;
  if (c.owner.startsWith('values ')) return `values of ${c.owner.slice(7)} (${c.file.path})`;
  const r = c.resource;
  return r ? `${r.kind} ${r.name} (${r.file})` : c.file.path;
}

function appName(group: Site[]): string {
  const c = group[0]!;
  if (c.owner.startsWith('chart ')) return path.posix.basename(c.owner.slice(6));
  if (c.owner.startsWith('values ')) return c.owner.slice(7);
  return c.names[0] ?? 'app';
}

/** Union-find over the sites of one Secret: one deploying unit, related names or the same workload make one app. */
function apps(sites: Site[]): Site[][] {
  const parent = sites.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (i: number, j: number) => {
    const a = find(i);
    const b = find(j);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      const a = sites[i]!;
      const b = sites[j]!;
      const sameWorkload = a.resource && b.resource && a.resource.kind === b.resource.kind && a.resource.name === b.resource.name;
      if (a.owner === b.owner || sameWorkload || a.names.some((x) => b.names.some((y) => related(x, y)))) union(i, j);
    }
  }
  const groups = new Map<number, Site[]>();
  sites.forEach((s, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), s]));
  return [...groups.values()];
}

/** The app that owns the Secret: the one deployed with the operator resource, or named like the Secret's role. */
function owningApp(groups: Site[][], secret: DbSecret): Site[] | undefined {
  const resource = secret.resource;
  if (resource) {
    const unit = resource.source === 'template' && resource.helm ? `chart ${resource.helm.chartRoot}` : `dir ${path.posix.dirname(resource.file)}`;
    const same = groups.find((g) => g.some((s) => s.owner === unit));
    if (same) return same;
  }
  const stem = secret.name.replace(/([-_.](db|database|postgres|postgresql|pg|mysql|mariadb))?([-_.](credentials|creds|secret|secrets|auth|env|password|user|app|pguser.*))?$/i, '');
  return groups.find((g) => g.some((s) => s.names.some((n) => related(n, stem) || related(n, secret.name))));
}

export const sharedDbAuthSecretConsumer = createRule(
  {
    id: 'shared-db-auth-secret-consumer',
    family: 'db',
    defaultSeverity: 'medium',
    description: "Workloads of two or more different apps read the same database operator's user Secret: no role per app",
    why:
      'One database user Secret read by several apps means one role for all of them: no app can be rotated, audited or revoked ' +
      "alone, a leak of one app's env exposes the others' data, and the role's grants grow to the union of what every app needs. " +
      "The Secret is one a database operator writes or reconciles for a resource of the tree (CNPG `<cluster>-app` and managed-role " +
      "Secrets, Crunchy `<cluster>-pguser-<user>`, Zalando `<user>.<cluster>.credentials…`, mariadb-operator, MongoDB, Percona, KubeDB " +
      'user Secrets). Apps are told apart by what deploys them (a chart, the values of one app, a manifest folder) and by their names ' +
      "(workload, `app.kubernetes.io/name`/`instance`/`part-of` labels): `orders` and `orders-migrate` are one app.",
    allowed:
      "A role and Secret per app (`<app>-db-credentials` from CNPG managed.roles); the owning app's own workloads (its Deployment, " +
      'its migration Job, its CronJobs); operations tooling (backup, restore, pgAdmin, poolers, exporters, role bootstrap jobs); ' +
      'consumers in different namespaces or environments, which never read the same Secret. The superuser Secret is superuser-secret-in-app\'s.',
    remediation: 'Create a dedicated role and Secret for each app that reads the shared Secret (CNPG managed.roles with `<app>-db-credentials`) and point it there; the owning app keeps the original.',
  },
  (context) => {
    const { project } = context;
    const { consumers } = dbConsumers(project);
    const bySecret = new Map<string, { secret: DbSecret; sites: Site[] }>();
    for (const c of consumers) {
      // Only consumers in context files: a chunked scan holds all of them in every chunk, so the apps compared are the same.
      if (c.ops || c.templated || !c.context || (c.resource && notApplied(project, c.resource))) continue;
      const secret = dbSecretOf(project, c);
      if (!secret || secret.admin) continue;
      const entry = bySecret.get(c.secretName) ?? { secret, sites: [] };
      const environments = environmentsOfSite(project, c);
      // A consumer line no release renders reads nothing.
      if (!environments) continue;
      entry.sites.push({ ...c, environments });
      bySecret.set(c.secretName, entry);
    }
    const order = (a: Site, b: Site) => a.file.path.localeCompare(b.file.path) || a.line - b.line;
    context.each(
      [...bySecret.values()].filter((e) => e.sites.length > 1),
      (e) => e.sites[0]!.file.path,
      ({ secret, sites }) => {
        sites.sort(order);
        const groups = apps(sites);
        if (groups.length < 2) return;
        const owner = owningApp(groups, secret) ?? groups[0]!;
        // A workload's main containers before its init containers: the app, not its migration step, is named.
        const main = (s: Site) => (s.location.startsWith('initContainers') ? 1 : 0);
        for (const group of groups) {
          if (group === owner) continue;
          const seen = new Set<string>();
          for (const site of [...group].sort((a, b) => main(a) - main(b) || order(a, b))) {
            const others = groups.filter((g) => g !== group && g.some((o) => canMeet(site, o)));
            if (others.length === 0) continue;
            const unit = site.resource ? `${site.file.path}\0${site.resource.line}` : `${site.file.path}\0${site.valuesPath}`;
            if (seen.has(unit)) continue;
            seen.add(unit);
            const who = site.resource ? `${site.resource.kind} ${site.resource.name}${site.container ? ` container ${site.container}` : ''}` : `Values of ${appName(group)} (${site.valuesPath})`;
            const named = others.map(appLabel).join(', ');
            context.report({
              file: site.file,
              line: site.line,
              column: site.column,
              message:
                `${who} reads database user Secret ${secret.name} of ${secret.producer}, which ${others.length === 1 ? 'another app also reads' : `${others.length} other apps also read`}: ${named}; ` +
                'each app needs a role and Secret of its own',
              location: site.resource ? resourceLocation(site.resource, `shared-db-secret:${site.location}`) : `${site.location}#shared-db-secret:${secret.name}`,
              keys: site.key ? [site.key] : [],
              origin: 'cluster-operator',
              ...(site.resource ? { resource: resourceRef(site.resource) } : {}),
              replacement: perAppDatabaseRoleReplacement({ app: appName(group), engine: secret.engine, ...(site.envName ? { envName: site.envName } : {}) }),
              remediation: `Give ${appName(group)} a role and Secret of its own (for example ${appName(group)}-db-credentials from CNPG managed.roles) instead of ${secret.name}, which ${others.map(appName).join(', ')} ${others.length === 1 ? 'keeps' : 'keep'}.`,
            });
          }
        }
      },
    );
  },
);
