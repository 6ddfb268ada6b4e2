/**
 * Who reads a database operator's Secrets: workloads (container `env` secretKeyRefs, `envFrom` secretRefs, Secret
 * volumes) and Helm values (`existingSecret`-style keys, env lists in values), with the app each belongs to and
 * whether it is operations tooling (backup, restore, maintenance, admin UIs, poolers, exporters, the operator, jobs
 * that create roles). Shared by superuser-secret-in-app (A6) and shared-db-auth-secret-consumer (A5).
 */
import path from 'node:path';
import type { FileContext } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { cnpgSecretUses, externalSecretView, isCnpgCluster } from '../../k8s/eso.js';
import { isDatabaseOperatorResource } from '../../k8s/db-operators.js';
import { operatorSecrets } from '../../k8s/operator-secrets.js';
import type { K8sResource } from '../../k8s/resources.js';
import { isDatabaseName, words } from '../../k8s/vocabulary.js';
import type { Project } from '../../scan/project.js';
import { isContextModel } from '../../scan/chunks.js';
import { memoFor, resourcesInFile } from '../../scan/project-index.js';
import { get, getStr, isMap, isScalar, keyPath, seqItems, walkFrames, type PNode } from '../../yaml/model.js';
import { hasContainers, containerLists } from '../k8s/workload-env-literal-credential.js';
import { commandText, valuesEmbeddedPaths } from '../k8s/common.js';
import { isTemplated, resolveScalar } from './common.js';

export type ConsumeHow = 'env' | 'envFrom' | 'volume' | 'values';

/** One place that makes a workload read a Secret. */
export interface DbConsumer {
  secretName: string;
  /** The key read (secretKeyRef.key), when one is named. */
  key?: string;
  how: ConsumeHow;
  /** The env variable it fills (env), or the values key path (values: `.externalDatabase.existingSecret`). */
  envName?: string;
  valuesPath?: string;
  file: FileContext;
  /** The file's model is context (see chunks.ts): every chunk of a chunked scan holds it. */
  context: boolean;
  line: number;
  column: number;
  resource?: K8sResource;
  container?: string;
  /** The Secret's name came from a chart's values through a template expression (the values file is the site). */
  viaValues: boolean;
  /** The name is template text no values resolve (`{{ include "x.fullname" . }}-superuser`), normalised. */
  templated?: boolean;
  namespace?: string;
  /** The unit that deploys it: `chart <root>`, `values <app>`, `dir <folder>`. */
  owner: string;
  /** Names the app goes by: workload name, name labels, chart or values app name. */
  names: string[];
  ops: boolean;
  /** The env variable or values path names a database (DB_PASSWORD, externalDatabase.existingSecret). */
  dbContext: boolean;
  /** Line-independent location inside the resource or values file. */
  location: string;
  /** `optional: true` on the reference: the pod starts without the Secret. */
  optional?: boolean;
}

/** Words of operations tooling: backup/restore, maintenance, admin UIs, poolers, exporters, operators, role bootstrap. */
const OPS_WORDS = new Set([
  'backup', 'backups', 'restore', 'restores', 'dump', 'dumps', 'dumpall', 'pgdump', 'pgdumpall', 'mysqldump', 'mongodump', 'basebackup', 'snapshot', 'snapshots', 'maintenance',
  'vacuum', 'vacuumdb', 'reindex', 'repack', 'pgadmin', 'pgadmin4', 'adminer', 'phpmyadmin', 'cloudbeaver', 'pgweb', 'sqlpad', 'pghero',
  'operator', 'exporter', 'exporters', 'pgbouncer', 'pooler', 'pgpool', 'pgpool2', 'proxysql', 'odyssey', 'barman', 'pgbackrest', 'walg',
  'velero', 'k8up', 'kanister', 'bootstrap', 'init', 'initdb', 'setup', 'provision', 'provisioner', 'provisioning', 'createdb', 'createuser',
  'dba', 'upgrade', 'pgupgrade', 'dbinit', 'toolbox', 'debug',
]);
const CREATED = new Set(['role', 'roles', 'user', 'users', 'database', 'databases', 'db', 'dbs', 'schema', 'schemas', 'grants']);
const OPS_PAIRS = ['mongo express', 'wal g', 'db init', 'create db', 'create database', 'create databases', 'create user', 'create users', 'create roles', 'pg upgrade'];

/** Images of a database server or its client tools: the pod is the database or a DBA's job, not an app. */
const DB_IMAGE_WORDS = new Set(['postgres', 'postgresql', 'mysql', 'mariadb', 'mongo', 'mongodb', 'spilo', 'percona', 'pgbouncer', 'psql', 'pgcli', 'timescaledb', 'postgis', 'cockroach', 'cockroachdb', 'pgvector', 'crunchy', 'cloudnative']);

/** Commands of DBA work: dumps, restores, maintenance, and SQL that creates roles and databases. */
const OPS_COMMAND =
  /\b(pg_dump|pg_dumpall|pg_restore|pg_basebackup|pg_upgrade|pg_ctl|vacuumdb|reindexdb|clusterdb|createdb|createuser|dropdb|dropuser|mysqldump|mysqladmin|mongodump|mongorestore|pgbackrest|barman|wal-g|psql|mysql|mongosh)\b|\bCREATE\s+(ROLE|USER|DATABASE)\b|\bALTER\s+(ROLE|USER)\b|\bGRANT\s/i;

const NAME_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/part-of', 'app.kubernetes.io/component', 'app', 'k8s-app', 'component'];

/** Does a name (workload, container, chart, label, values key) name operations tooling? */
export function namesOps(text: string | undefined): boolean {
  if (!text) return false;
  // `{{ include "x.fullname" . }}-pgdumpall`: the literal part names it.
  const w = words(text.replace(/\{\{.*?\}\}/g, ' '));
  if (w.some((x) => OPS_WORDS.has(x))) return true;
  // `create-app-roles`, `createdb-orders`, `db-create-readonly-user`: a job that creates roles or databases.
  if (w.includes('create') && w.some((x) => CREATED.has(x))) return true;
  const joined = w.join(' ');
  return OPS_PAIRS.some((pair) => joined === pair || joined.startsWith(`${pair} `) || joined.endsWith(` ${pair}`) || joined.includes(` ${pair} `));
}

function imageRepository(image: string): string {
  const parts = image.replace(/@.*$/, '').split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  return parts.join('/').replace(/:[^/]*$/, '');
}

/** An image of a database server or client (postgres:16, bitnami/postgresql, ghcr.io/cloudnative-pg/postgresql). */
export function isDatabaseImage(image: string | undefined): boolean {
  if (!image || isTemplated(image)) return false;
  const last = imageRepository(image).split('/').pop() ?? '';
  return words(last).some((x) => DB_IMAGE_WORDS.has(x));
}

function labelsOf(node: PNode | null | undefined, templated = false): string[] {
  const out: string[] = [];
  for (const label of NAME_LABELS) {
    const value = getStr(node, ['metadata', 'labels', label]);
    if (value && (templated || !isTemplated(value))) out.push(value);
  }
  return out;
}

/** The workload itself is operations tooling: its kind (a database operator's own resource), name, name labels or chart. */
function isOpsResource(resource: K8sResource): boolean {
  if (isDatabaseOperatorResource(resource)) return true;
  const names = [resource.name, ...labelsOf(resource.node, true), ...labelsOf(get(resource.node, 'spec.template'), true), ...labelsOf(get(resource.node, 'spec.jobTemplate.spec.template'), true)];
  if (resource.helm) {
    // A database chart's workloads are the database and its own jobs; a template's file says what it renders (templates/backup/cronjob.yaml).
    const chart = path.posix.basename(resource.helm.chartRoot);
    if (words(chart).some((x) => DB_IMAGE_WORDS.has(x))) return true;
    names.push(chart, ...resource.file.slice(resource.helm.chartRoot.length).split('/').filter((p) => p && p !== 'templates').map((p) => p.replace(/\.(ya?ml|tpl|json)$/i, '')));
  }
  return names.some(namesOps);
}

/** A container that is a database server, a DBA client or an ops tool: by name, image or command. */
function isOpsContainer(container: PNode): boolean {
  return namesOps(getStr(container, 'name')) || isDatabaseImage(getStr(container, 'image')) || OPS_COMMAND.test(commandText(container));
}

/** The app names of a resource: its name (unless templated), name labels, chart name. */
function resourceNames(resource: K8sResource): string[] {
  const names = new Set<string>();
  if (!isTemplated(resource.name) && resource.name !== '(unnamed)') names.add(resource.name);
  for (const label of [...labelsOf(resource.node), ...labelsOf(get(resource.node, 'spec.template')), ...labelsOf(get(resource.node, 'spec.jobTemplate.spec.template'))]) names.add(label);
  if (resource.helm) names.add(path.posix.basename(resource.helm.chartRoot));
  return [...names];
}

/** The outermost chart of a subchart (`charts/shop/charts/worker` -> `charts/shop`): an umbrella chart is one app. */
export function umbrellaChart(project: Project, chartRoot: string): string {
  let root = chartRoot;
  for (let at = root.lastIndexOf('/charts/'); at > 0; at = root.lastIndexOf('/charts/')) {
    const parent = root.slice(0, at);
    if (project.yamlFileIndex(`${parent}/Chart.yaml`) < 0 && project.yamlFileIndex(`${parent}/values.yaml`) < 0) break;
    root = parent;
  }
  return root;
}

function ownerOfResource(project: Project, resource: K8sResource): string {
  if (resource.source === 'template' && resource.helm) return `chart ${umbrellaChart(project, resource.helm.chartRoot)}`;
  if (resource.source === 'values') return `values ${valuesApp(resource.file)}`;
  return `dir ${path.posix.dirname(resource.file)}`;
}

const VALUES_FILE = /^values([._-].*)?\.ya?ml$/i;
const ENV_WORDS = new Set(['values', 'value', 'prod', 'production', 'staging', 'stage', 'stg', 'dev', 'development', 'local', 'test', 'qa', 'uat', 'preprod', 'shared', 'common', 'default', 'defaults', 'override', 'overrides', 'base', 'global', 'env', 'envs', 'environments']);

/**
 * The app a values file configures: the chart folder of `orders/values-prod.yaml`, the stem of
 * `values/_shared/apps/orders.yaml` (environment words dropped), else its folder.
 */
export function valuesApp(file: string): string {
  const base = path.posix.basename(file);
  const dir = path.posix.dirname(file);
  const stemWords = words(base.replace(/\.(ya?ml|json)$/i, '')).filter((w) => !ENV_WORDS.has(w));
  if (!VALUES_FILE.test(base) && stemWords.length > 0) return stemWords.join('-');
  for (const part of dir.split('/').reverse()) {
    const w = words(part).filter((x) => !ENV_WORDS.has(x));
    if (w.length > 0 && !/^_/.test(part)) return w.join('-');
  }
  return dir;
}

const DB_USER_ENV = /(^|_)(PG|DB|DATABASE|POSTGRES|POSTGRESQL|MYSQL|MARIADB|SQL)_?(USER|USERNAME|LOGIN)$/i;

function envMentionsMysql(container: PNode): boolean {
  return seqItems(get(container, 'env')).some((item) => /mysql|maria/i.test(`${getStr(item, 'name') ?? ''} ${getStr(item, 'value') ?? ''}`) || /:3306\b/.test(getStr(item, 'value') ?? ''));
}

/** A `DB_USER: postgres` (or `root` for MySQL/MariaDB) env entry of a container that reads its password from a Secret. */
export interface SuperuserLogin {
  resource?: K8sResource;
  file: FileContext;
  line: number;
  column: number;
  user: string;
  where: string;
  /** Where the password comes from: `Secret orders-db (key password)`, `existingSecret orders-db`. */
  password: string;
  owner: string;
  names: string[];
  location: string;
}

interface Consumers {
  consumers: DbConsumer[];
  logins: SuperuserLogin[];
}

/** Every Secret consumption and superuser login of the tree (test files left out), computed once per project. */
export function dbConsumers(project: Project): Consumers {
  return memoFor(project, 'db-consumers', '', () => {
    const consumers: DbConsumer[] = [];
    const logins: SuperuserLogin[] = [];
    // A scan judged in chunks builds a project per chunk over the same parsed models, and the context files (most of
    // what this walks) are in every chunk: what a document yields is kept with its tree and read again, not recomputed.
    const collect = (tree: object, compute: (out: Consumers) => void) => {
      let found = perTree.get(tree);
      if (!found) {
        const out: Consumers = { consumers: [], logins: [] };
        compute(out);
        // Most trees yield nothing: they share one frozen answer.
        found = out.consumers.length + out.logins.length > 0 ? out : NOTHING;
        perTree.set(tree, found);
      }
      for (const c of found.consumers) consumers.push(c);
      for (const l of found.logins) logins.push(l);
    };
    for (const resource of project.resources) {
      if (resource.parsed.file.isTest) continue;
      collect(resource.node, (out) => {
        if (resource.kind !== 'CustomResourceDefinition' && hasContainers(resource)) workloadConsumers(project, resource, out.consumers, out.logins);
      });
    }
    for (const parsed of project.valuesFiles) {
      if (parsed.file.isTest) continue;
      const context = () => contextFile(parsed);
      for (const doc of parsed.model.docs) {
        if (!doc.root) continue;
        collect(doc.root, (out) => {
          const app = valuesApp(parsed.file.path);
          valuesConsumers(parsed.file, context, doc.root, valuesEmbeddedPaths(project, parsed.file.path), app, `values ${app}`, out.consumers, out.logins);
        });
      }
    }
    for (const { parsed, docIndex, block } of project.valuesBlocks) {
      if (parsed.file.isTest) continue;
      collect(block.root, (out) => {
        const prefix = `${block.at}${block.detached ? '|' : '.'}`;
        const skip = new Set(
          resourcesInFile(project, parsed.file.path)
            .filter((r) => r.source === 'values' && r.docIndex === docIndex && r.valuesPath?.startsWith(prefix))
            .map((r) => r.valuesPath!.slice(prefix.length)),
        );
        const app = block.release ?? block.owner ?? valuesApp(parsed.file.path);
        valuesConsumers(parsed.file, () => contextFile(parsed), block.root, skip, app, `values ${app}`, out.consumers, out.logins);
      });
    }
    return { consumers, logins };
  });
}

/** What each document tree (a workload's node, a values document or block) yields: see dbConsumers. */
const perTree = new WeakMap<object, Consumers>();
const NOTHING: Consumers = Object.freeze({ consumers: Object.freeze([]) as unknown as DbConsumer[], logins: Object.freeze([]) as unknown as SuperuserLogin[] });

const contextMemo = new WeakMap<object, boolean>();

/** isContextModel, once per parsed file (a file holds many workloads), and only for files that hold a consumer. */
function contextFile(parsed: { file: FileContext; model: YamlFileModel }): boolean {
  let known = contextMemo.get(parsed.model);
  if (known === undefined) contextMemo.set(parsed.model, (known = isContextModel(parsed.file.path, parsed.model)));
  return known;
}

function workloadConsumers(project: Project, resource: K8sResource, out: DbConsumer[], logins: SuperuserLogin[]): void {
  const opsResource = isOpsResource(resource);
  const owner = ownerOfResource(project, resource);
  const names = resourceNames(resource);
  const resolve = (value: string | undefined): { name?: string; viaValues: boolean; templated?: boolean } => {
    if (value === undefined || value.trim() === '') return { viaValues: false };
    if (!isTemplated(value)) return { name: value.trim(), viaValues: false };
    const resolved = resolveScalar(project, resource, value);
    if (resolved && !isTemplated(resolved)) return { name: resolved, viaValues: true };
    // Kept as text: its literal parts can still name an operator's superuser Secret of the same chart.
    return { name: normaliseTemplate(value), viaValues: /\.Values\./.test(value), templated: true };
  };
  const base = (container: PNode | undefined) => ({
    file: resource.parsed.file,
    context: contextFile(resource.parsed),
    resource,
    namespace: resource.namespace,
    owner,
    names,
    ops: opsResource || (container !== undefined && isOpsContainer(container)),
  });
  const volumes = new Map<string, { secret: string; line: number; column: number; viaValues: boolean; optional: boolean }>();
  for (const spec of podSpecs(resource)) {
    for (const volume of seqItems(get(spec, 'volumes'))) {
      const vname = getStr(volume, 'name');
      const secretNode = get(volume, 'secret.secretName');
      const { name, viaValues } = resolve(getStr(volume, 'secret.secretName'));
      if (vname && name && secretNode) volumes.set(vname, { secret: name, line: secretNode.line, column: secretNode.column, viaValues, optional: isTrue(get(volume, 'secret.optional')) });
      for (const source of seqItems(get(volume, 'projected.sources'))) {
        const node = get(source, 'secret.name');
        const projected = resolve(getStr(source, 'secret.name'));
        if (vname && projected.name && node) volumes.set(`${vname}\0${projected.name}`, { secret: projected.name, line: node.line, column: node.column, viaValues: projected.viaValues, optional: isTrue(get(source, 'secret.optional')) });
      }
    }
  }
  const mountedBy = new Map<string, PNode[]>();
  for (const { field, containers } of containerLists(resource)) {
    for (const container of containers) {
      if (!isMap(container)) continue;
      const cname = getStr(container, 'name') ?? '(unnamed)';
      let built: ReturnType<typeof base> | undefined;
      const common = () => (built ??= base(container));
      const envUsers: { env: string; value: string; line: number; column: number }[] = [];
      const passwordRefs: string[] = [];
      for (const item of seqItems(get(container, 'env'))) {
        const env = getStr(item, 'name');
        if (!env) continue;
        const ref = get(item, 'valueFrom.secretKeyRef.name');
        const value = get(item, 'value');
        if (isScalar(value) && typeof value.value === 'string' && DB_USER_ENV.test(env)) envUsers.push({ env, value: value.value.trim(), line: value.line, column: value.column });
        if (!ref) continue;
        const { name, viaValues, templated } = resolve(getStr(item, 'valueFrom.secretKeyRef.name'));
        const key = getStr(item, 'valueFrom.secretKeyRef.key');
        if (/pass|pwd/i.test(env) || /pass|pwd/i.test(key ?? '')) passwordRefs.push(`Secret ${name ?? getStr(item, 'valueFrom.secretKeyRef.name')}${key ? ` (key ${key})` : ''}`);
        if (!name) continue;
        out.push({
          ...common(),
          secretName: name,
          ...(key ? { key } : {}),
          how: 'env',
          envName: env,
          line: ref.line,
          column: ref.column,
          container: cname,
          viaValues,
          ...(templated ? { templated } : {}),
          dbContext: /superuser$/i.test(name) && isDatabaseName(env),
          location: `${field}[${cname}].env[${env}]`,
          ...(isTrue(get(item, 'valueFrom.secretKeyRef.optional')) ? { optional: true } : {}),
        });
      }
      for (const item of seqItems(get(container, 'envFrom'))) {
        const ref = get(item, 'secretRef.name');
        const { name, viaValues, templated } = resolve(getStr(item, 'secretRef.name'));
        if (!ref || !name) continue;
        passwordRefs.push(`Secret ${name} (envFrom)`);
        out.push({ ...common(), secretName: name, how: 'envFrom', line: ref.line, column: ref.column, container: cname, viaValues, ...(templated ? { templated } : {}), dbContext: false, location: `${field}[${cname}].envFrom[${name}]`, ...(isTrue(get(item, 'secretRef.optional')) ? { optional: true } : {}) });
      }
      for (const mount of seqItems(get(container, 'volumeMounts'))) {
        const vname = getStr(mount, 'name');
        if (!vname) continue;
        for (const [id, v] of volumes) {
          if (id !== vname && !id.startsWith(`${vname}\0`)) continue;
          const seen = mountedBy.get(id) ?? [];
          if (seen.length > 0) continue;
          seen.push(container);
          mountedBy.set(id, seen);
          out.push({ ...common(), secretName: v.secret, how: 'volume', line: v.line, column: v.column, container: cname, viaValues: v.viaValues, dbContext: false, location: `volumes[${vname}]`, ...(v.optional ? { optional: true } : {}) });
        }
      }
      // `DB_USER: postgres` (or root for MySQL/MariaDB) beside a password read from a Secret.
      if (passwordRefs.length === 0 || common().ops) continue;
      for (const u of envUsers) {
        const mysql = /mysql|maria/i.test(u.env) || envMentionsMysql(container);
        if (u.value !== 'postgres' && !(u.value === 'root' && mysql)) continue;
        logins.push({
          resource,
          file: resource.parsed.file,
          line: u.line,
          column: u.column,
          user: u.value,
          where: `${resource.kind} ${resource.name} container ${cname} sets ${u.env}=${u.value}`,
          password: passwordRefs[0]!,
          owner,
          names,
          location: `${field}[${cname}].env[${u.env}]`,
        });
      }
    }
  }
}

function isTrue(node: PNode | null | undefined): boolean {
  return isScalar(node) && (node.value === true || node.value === 'true');
}

/** Template text in one spelling: `{{- include "x.fullname" . -}}` and `{{ include "x.fullname" . }}` compare equal. */
export function normaliseTemplate(text: string): string {
  return text
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/\{\{-?\s*/g, '{{ ')
    .replace(/\s*-?\}\}/g, ' }}')
    .replace(/\s+/g, ' ');
}

/** Pod specs of a workload (for its volumes), as containerLists finds them. */
function podSpecs(resource: K8sResource): PNode[] {
  const out: PNode[] = [];
  for (const p of ['spec', 'spec.template.spec', 'spec.jobTemplate.spec.template.spec', 'template.spec', 'spec.jobTargetRef.template.spec']) {
    const node = get(resource.node, p);
    if (isMap(node) && get(node, 'volumes')) out.push(node);
  }
  return out;
}

/** A values key that names an existing Secret for the app: existingSecret, existingSecretName, auth.existingSecret … */
const EXISTING_SECRET_KEY = /^existing([A-Z][A-Za-z]*)?Secret(Name)?$|^existing_?secret(_?name)?$/i;
/** Keys that name a DB Secret under a database-named key path: secretName, passwordSecret, credentialsSecret … */
const DB_SECRET_KEY = /^(secretName|[a-z]+SecretName|passwordSecret|credentialsSecret|userSecret|authSecret)$/;
/** Keys a map must hold to name a Secret (or a user, with USER_KEYS) for the values walk to look closer. */
const CANDIDATE_KEY = /^existing|^(secretKeyRef|secretRef|secretName|[a-z]+SecretName|passwordSecret|credentialsSecret|userSecret|authSecret)$/i;
const STRUCTURAL_KEYS = /^(init_?[cC]ontainers?|sidecars?|extraInitContainers)$|^[A-Z][A-Z0-9_]*$/;
const USER_KEYS = new Set(['user', 'username', 'dbUser', 'dbUsername', 'databaseUser', 'databaseUsername', 'login']);
const MYSQL_WORDS = new Set(['mysql', 'mariadb', 'maria']);

function scalarText(node: PNode | null | undefined): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined && typeof node.value !== 'object' ? String(node.value) : undefined;
}

function valuesConsumers(file: FileContext, context: () => boolean, root: PNode | null | undefined, skip: ReadonlySet<string>, app: string, owner: string, out: DbConsumer[], logins: SuperuserLogin[]): void {
  if (!root) return;
  const fileOps = namesOps(app) || namesOps(path.posix.basename(path.posix.dirname(file.path)));
  const names = [app];
  walkFrames(root, (frame) => {
    // The key path is spelled out only for the few maps that name a Secret or a user (a walk visits every map).
    let path: string[] | undefined;
    const keyList = () => (path ??= frame.key === undefined ? [] : keyPath(frame));
    if (skip.size > 0 && frame.key !== undefined && skip.has(keyList().join('.'))) return false;
    const node = frame.node;
    if (!isMap(node)) return undefined;
    // A database chart's own server settings (an enabled postgresql subchart): the database itself, not a client.
    if (frame.key && isDatabaseName(frame.key) && scalarText(get(node, 'enabled')) === 'true' && keyList().length <= 2) return false;
    if (!node.entries.some((e) => CANDIDATE_KEY.test(e.key) || USER_KEYS.has(e.key))) return undefined;
    const keys = keyList();
    // Structural keys (`initContainers`) and env variable names say nothing; the container's own key (`init-db`) does.
    const ops = fileOps || keys.some((k) => !/^\d+$/.test(k) && !STRUCTURAL_KEYS.test(k) && namesOps(k));
    let db: boolean | undefined;
    const isDbPath = () => (db ??= keys.some((k) => !/^\d+$/.test(k) && isDatabaseName(k)));
    const refs: { name: string; line: number; column: number; key: string }[] = [];
    for (const e of node.entries) {
      const value = scalarText(e.value);
      if (EXISTING_SECRET_KEY.test(e.key) || (DB_SECRET_KEY.test(e.key) && isDbPath())) {
        if (value && value.trim() !== '' && !isTemplated(value) && !value.includes('${') && e.value) refs.push({ name: value.trim(), line: e.value.line, column: e.value.column, key: e.key });
        else if (isMap(e.value) && isDbPath()) {
          const inner = get(e.value, 'name');
          const innerText = scalarText(inner);
          if (inner && innerText && !isTemplated(innerText)) refs.push({ name: innerText.trim(), line: inner.line, column: inner.column, key: `${e.key}.name` });
        }
      }
      // env lists / maps in values: `- name: X, valueFrom: {secretKeyRef: {name, key}}`, envFrom `- secretRef: {name}`.
      if (e.key === 'secretKeyRef' || e.key === 'secretRef') {
        const inner = get(e.value, 'name');
        const innerText = scalarText(inner);
        if (inner && innerText && innerText.trim() !== '' && !isTemplated(innerText)) refs.push({ name: innerText.trim(), line: inner.line, column: inner.column, key: `${e.key}.name` });
      }
    }
    for (const ref of refs) {
      const at = `.${[...keys, ref.key].join('.')}`;
      const envName = envNameAbove(frame);
      out.push({
        secretName: ref.name,
        ...(ref.key === 'secretKeyRef.name' && getStr(node, 'secretKeyRef.key') ? { key: getStr(node, 'secretKeyRef.key') } : {}),
        how: 'values',
        ...(envName ? { envName } : {}),
        valuesPath: at,
        file,
        context: context(),
        line: ref.line,
        column: ref.column,
        viaValues: false,
        owner,
        names,
        ops,
        dbContext: /superuser$/i.test(ref.name) && (isDbPath() || (envName !== undefined && isDatabaseName(envName))),
        location: `values:${at}`,
      });
    }
    // `username: postgres` (root for MySQL/MariaDB) in an app's DB config, next to a password reference.
    if (!ops && node.entries.some((e) => USER_KEYS.has(e.key)) && isDbPath()) {
      const passwordRef = node.entries.find((e) => {
        const v = scalarText(e.value);
        if (EXISTING_SECRET_KEY.test(e.key) || DB_SECRET_KEY.test(e.key)) return (v !== undefined && v.trim() !== '') || (isMap(e.value) && !!scalarText(get(e.value, 'name')));
        return /^password$/i.test(e.key) && v !== undefined && (isTemplated(v) || v.includes('${'));
      });
      const userEntry = node.entries.find((e) => USER_KEYS.has(e.key));
      const user = scalarText(userEntry?.value)?.trim();
      const mysql = keys.some((k) => words(k).some((w) => MYSQL_WORDS.has(w))) || node.entries.some((e) => /mysql|maria/i.test(scalarText(e.value) ?? '') || (e.key === 'port' && scalarText(e.value) === '3306'));
      if (passwordRef && userEntry?.value && (user === 'postgres' || (user === 'root' && mysql))) {
        const at = `.${[...keys, userEntry.key].join('.')}`;
        const pv = scalarText(passwordRef.value) ?? scalarText(get(passwordRef.value, 'name')) ?? '';
        logins.push({
          file,
          line: userEntry.value.line,
          column: userEntry.value.column,
          user,
          where: `Values key ${at} sets the database user to ${user}`,
          password: isTemplated(pv) || pv.includes('${') ? `${passwordRef.key} (templated)` : `${passwordRef.key} ${pv}`,
          owner,
          names,
          location: `values:${at}`,
        });
      }
    }
    return undefined;
  });
}

/** The env variable a values env entry fills: the `name:` beside valueFrom, or the key of an env map. */
function envNameAbove(frame: { node: PNode; key: string | undefined; up: unknown }): string | undefined {
  type F = { node: PNode; key: string | undefined; up: F | undefined };
  let f = frame as F | undefined;
  for (let i = 0; f && i < 3; i++, f = f.up) {
    const name = getStr(f.node, 'name');
    if (name && isMap(f.node) && get(f.node, 'valueFrom')) return name;
    if (f.key && /^[A-Z][A-Z0-9_]+$/.test(f.key)) return f.key;
  }
  return undefined;
}

/** A Secret of a database operator: what writes or reads it, and whether it holds the superuser/root/system users. */
export interface DbSecret {
  name: string;
  namespace?: string;
  admin: boolean;
  /** "CNPG Cluster orders-pg (generated superuser credentials)" or "named like …". */
  producer: string;
  /** The operator resource of the tree it belongs to; undefined for a name convention alone. */
  resource?: K8sResource;
  engine: string;
  /** For a name that is template text: the chart it is rendered in (only that chart's templates spell it the same). */
  chartRoot?: string;
}

const ZALANDO_SECRET = /^([a-z0-9_-]+)\.([a-z0-9-]+)\.credentials\.postgresql\.acid\.zalan\.do$/;
const PGO_SECRET = /^([a-z0-9-]+)-pguser-([a-z0-9_-]+)$/;

/**
 * Database Secrets by name: what the operators of the tree write (operatorSecrets, with CNPG's `<cluster>-superuser`
 * even without `enableSuperuserAccess`), what their resources read (CNPG superuser and managed-role Secrets, a
 * MariaDB's rootPasswordSecretKeyRef, a MySQL InnoDBCluster's secretName, KubeDB's authSecret), and the operators'
 * naming conventions that tell by themselves (Zalando `<user>.<cluster>.credentials.postgresql.acid.zalan.do`, Crunchy
 * `<cluster>-pguser-<user>`).
 */
export function dbSecrets(project: Project): Map<string, DbSecret[]> {
  return memoFor(project, 'db-consumers:secrets', '', () => {
    const out = new Map<string, DbSecret[]>();
    const add = (s: DbSecret) => {
      const list = out.get(s.name) ?? [];
      if (!list.some((x) => x.namespace === s.namespace && x.admin === s.admin)) list.push(s);
      out.set(s.name, list);
    };
    for (const resource of project.resources) {
      if (!isCnpgCluster(resource)) continue;
      const cluster = resolveScalar(project, resource, resource.name);
      // A chart's Cluster named from the release (`{{ .Release.Name }}-pg`): its Secrets are matched as template text in the same chart.
      if (isTemplated(resource.name) && resource.helm && !(cluster && !isTemplated(cluster))) {
        add({ name: `${normaliseTemplate(resource.name)}-superuser`, chartRoot: resource.helm.chartRoot, admin: true, producer: `CNPG Cluster ${normaliseTemplate(resource.name)} of chart ${resource.helm.chartRoot} (superuser Secret)`, resource, engine: 'postgres' });
      }
      if (cluster && !isTemplated(cluster)) add({ name: `${cluster}-superuser`, namespace: resource.namespace, admin: true, producer: `CNPG Cluster ${cluster} (superuser Secret)`, resource, engine: 'postgres' });
      for (const use of cnpgSecretUses(resource)) {
        const name = resolveScalar(project, resource, use.secretName);
        if (!name || isTemplated(name)) continue;
        add({
          name,
          namespace: resource.namespace,
          admin: use.role === 'superuser',
          producer: use.role === 'superuser' ? `CNPG Cluster ${cluster ?? resource.name} (spec.superuserSecret)` : use.role === 'bootstrap' ? `CNPG Cluster ${cluster ?? resource.name} (bootstrap owner)` : `CNPG Cluster ${cluster ?? resource.name} (managed role ${use.roleName ?? '?'})`,
          resource,
          engine: 'postgres',
        });
      }
    }
    for (const s of operatorSecrets(project)) {
      if (!s.engine || isTemplated(s.name)) continue;
      add({ name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}), admin: s.admin === true, producer: s.producer, resource: s.resource, engine: s.engine });
    }
    for (const resource of project.resources) {
      const api = resource.apiVersion ?? '';
      const ref =
        /^(k8s\.mariadb\.com|mariadb\.mmontes\.io|enterprise\.mariadb\.com)\//.test(api) && resource.kind === 'MariaDB'
          ? getStr(resource.node, 'spec.rootPasswordSecretKeyRef.name')
          : /^mysql\.oracle\.com\//.test(api) && resource.kind === 'InnoDBCluster'
            ? getStr(resource.node, 'spec.secretName')
            : /^kubedb\.com\//.test(api)
              ? getStr(resource.node, 'spec.authSecret.name')
              : undefined;
      if (ref && !isTemplated(ref)) add({ name: ref, namespace: resource.namespace, admin: true, producer: `${resource.kind} ${resource.name} (root/admin password)`, resource, engine: /maria|mysql/i.test(resource.kind) ? 'mysql' : 'postgres' });
    }
    return out;
  });
}

/** Namespaces agree when either side does not say (a template, values) or both are the same. */
export function namespacesAgree(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || isTemplated(a) || isTemplated(b) || a === b;
}

/** The database Secret a consumer reads, if it is one: first an operator resource of the tree, then a naming convention. */
export function dbSecretOf(project: Project, consumer: { secretName: string; namespace?: string; dbContext: boolean; templated?: boolean; resource?: K8sResource }): DbSecret | undefined {
  return dbSecretWithin(project, consumer, new Set());
}

function dbSecretWithin(project: Project, consumer: { secretName: string; namespace?: string; dbContext: boolean; templated?: boolean; resource?: K8sResource }, seen: Set<K8sResource>): DbSecret | undefined {
  const chartRoot = consumer.resource?.helm?.chartRoot;
  const known = (dbSecrets(project).get(consumer.secretName) ?? []).filter((s) => namespacesAgree(s.namespace, consumer.namespace) && (s.chartRoot === undefined || s.chartRoot === chartRoot));
  const found = known.find((s) => s.admin) ?? known[0];
  if (found) return found;
  const name = consumer.secretName;
  if (consumer.templated) {
    // Only the literal parts tell: `postgres.{{ … }}.credentials.postgresql.acid.zalan.do`, `{{ … }}-pguser-postgres`.
    if (/^postgres\..+\.credentials\.postgresql\.acid\.zalan\.do$/.test(name)) return { name, admin: true, producer: "a Zalando postgres-operator cluster (its naming postgres.<cluster>.credentials.postgresql.acid.zalan.do)", engine: 'postgres' };
    if (/\}\}-pguser-postgres$/.test(name)) return { name, admin: true, producer: 'a Crunchy PGO cluster (its naming <cluster>-pguser-postgres)', engine: 'postgres' };
    return undefined;
  }
  const zalando = ZALANDO_SECRET.exec(name);
  if (zalando) return { name, admin: zalando[1] === 'postgres', producer: `cluster ${zalando[2]}, role ${zalando[1]} (the Zalando postgres-operator's naming)`, engine: 'postgres' };
  const pgo = PGO_SECRET.exec(name);
  if (pgo) return { name, admin: pgo[2] === 'postgres', producer: `cluster ${pgo[1]}, user ${pgo[2]} (the Crunchy PGO naming <cluster>-pguser-<user>)`, engine: 'postgres' };
  // `<x>-superuser` names CNPG's superuser Secret; alone it is taken where a database is in sight (a Django superuser is not one).
  const superuser = /^(.+)[-_]superuser$/.exec(name);
  if (superuser && (isDatabaseName(superuser[1]!) || consumer.dbContext)) return { name, admin: true, producer: `cluster ${superuser[1]} (CNPG's naming <cluster>-superuser)`, engine: 'postgres' };
  return copiedAdminSecret(project, consumer, seen);
}

/**
 * A Secret an ExternalSecret of the tree writes from an operator's superuser Secret: the Kubernetes provider copying
 * `postgres-pguser-postgres` across namespaces, or a password manager item kept under the CNPG name. The copy holds
 * the superuser's password all the same.
 */
function copiedAdminSecret(project: Project, consumer: { secretName: string; namespace?: string }, seen: Set<K8sResource>): DbSecret | undefined {
  const byTarget = memoFor(project, 'db-consumers:es-by-target', '', () => {
    const map = new Map<string, K8sResource[]>();
    for (const es of project.resourcesOfKind('ExternalSecret')) {
      const target = externalSecretView(es).targetName;
      map.set(target, [...(map.get(target) ?? []), es]);
    }
    return map;
  });
  for (const es of byTarget.get(consumer.secretName) ?? []) {
    const view = externalSecretView(es);
    if (seen.has(es) || !namespacesAgree(es.namespace, consumer.namespace)) continue;
    seen.add(es);
    // A copy only: an ExternalSecret that also reads the app's own items (a bootstrap job's superuser password beside
    // the app's credentials) is a mixed Secret, not the superuser's.
    const reads = [...view.reads, ...view.extracts];
    // A copy of a copy (the same name mirrored namespace to namespace) is followed once per ExternalSecret.
    const sources = reads.map((read) => dbSecretWithin(project, { secretName: read.remoteKey, dbContext: true }, seen));
    const source = sources[0];
    if (reads.length > 0 && view.generators.length === 0 && source?.admin && sources.every((s) => s?.admin && s.name === source.name)) {
      return { ...source, name: consumer.secretName, producer: `${source.producer}, copied by ExternalSecret ${es.name}` };
    }
  }
  return undefined;
}
