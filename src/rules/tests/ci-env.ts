/**
 * The environment a CI pipeline file sets for its jobs, as literal settings: GitHub Actions `env:` (workflow, job, step)
 * and step `with:` inputs, GitLab `variables:`, CircleCI `environment:`, Azure Pipelines `variables:`, Drone/Woodpecker
 * `environment:`, Buildkite `env:`, Travis `env:`. Service containers' settings (the run's own throwaway database) are
 * marked so the rule can tell them apart.
 */
import { GITLAB_RESERVED, type CiSystem } from '../../analyzers/build/ci.js';
import { get, isMap, isScalar, isSeq, type PNode } from '../../yaml/model.js';

export interface CiSetting {
  key: string;
  value: string;
  line: number;
  column: number;
  /** The job (or step) that sets it; none at the top of the file. */
  scope?: string;
  /** A service container's setting, or one the database images read where the job starts them (GitLab `services:`). */
  service: boolean;
  /** A step input (`with:`), not an environment variable. */
  input?: boolean;
  /** The action a step input goes to (`docker/login-action@v3`). */
  action?: string;
  /** Set in a job that runs tests (by its name, stage or commands), or at the top of a file whose jobs all do. */
  testJob?: boolean;
}

/** Job names and stages of a test run. */
const TEST_JOB_NAME = /(^|[-_ .:/])(tests?|specs?|e2e|integration|unit|it|cypress|playwright|acceptance|smoke)([-_ .:/]|$)/i;
/** Commands that run a test suite. */
const TEST_COMMAND = /\b(?:(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test\b|npx\s+(?:jest|vitest|playwright|cypress|mocha)\b|pytest\b|tox\b|go\s+test\b|mvn\b[^\n]*\b(?:test|verify)\b|gradlew?\b[^\n]*\b(?:test|check|integrationTest)\b|rspec\b|rake\s+(?:test|spec)\b|cargo\s+test\b|dotnet\s+test\b|make\s+(?:test|check|e2e)\b|phpunit\b|jest\b|vitest\b)/;

/** Every string under NODE (a job's scripts and steps), up to a bound. */
function textsOf(node: PNode | null | undefined, out: string[], depth = 0): void {
  if (!node || depth > 12 || out.length > 400) return;
  if (isScalar(node)) {
    if (typeof node.value === 'string') out.push(node.value);
  } else if (isSeq(node)) for (const item of node.items) textsOf(item, out, depth + 1);
  else for (const e of node.entries) if (e.key !== 'env' && e.key !== 'variables' && e.key !== 'environment') textsOf(e.value, out, depth + 1);
}

export function isTestJob(name: string | undefined, job: PNode | null | undefined): boolean {
  if (name !== undefined && TEST_JOB_NAME.test(name)) return true;
  const stage = scalarText(get(job, 'stage'));
  if (stage !== undefined && TEST_JOB_NAME.test(stage)) return true;
  const texts: string[] = [];
  textsOf(job, texts);
  return texts.some((t) => TEST_COMMAND.test(t));
}

/** Settings the database and broker images read at start-up: next to service containers, the run's own server. */
const SERVICE_IMAGE_ENV = /^(POSTGRES(QL)?_(PASSWORD|USER)|MYSQL_(ROOT_)?PASSWORD|MARIADB_(ROOT_)?PASSWORD|MONGO(DB)?_INITDB_ROOT_PASSWORD|RABBITMQ_DEFAULT_PASS|MINIO_ROOT_PASSWORD|REDIS_PASSWORD|ELASTIC_PASSWORD|(MSSQL_)?SA_PASSWORD|KEYCLOAK_ADMIN_PASSWORD|KC_BOOTSTRAP_ADMIN_PASSWORD)$/;

function scalarText(node: PNode | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || typeof node.value === 'boolean') return undefined;
  return String(node.value);
}

/** `KEY: value` entries of a map; with VALUE_KEY, also `KEY: { value: … }` (GitLab's described variables). */
function mapSettings(node: PNode | null | undefined, out: CiSetting[], base: Omit<CiSetting, 'key' | 'value' | 'line' | 'column'>, valueKey?: string): void {
  if (!isMap(node)) return;
  for (const e of node.entries) {
    const valueNode = valueKey && isMap(e.value) ? get(e.value, valueKey) : e.value;
    const value = scalarText(valueNode);
    if (value === undefined || !isScalar(valueNode)) continue;
    out.push({ ...base, key: e.key, value, line: valueNode.line, column: valueNode.column });
  }
}

const LIST_REFERENCE_KEYS = new Set(['group', 'template', 'secure', 'name', 'value']);

/** `- KEY=value` items (Travis, Drone's and Azure's list forms) and `- name: KEY / value: …` items (Azure). */
function listSettings(node: PNode | null | undefined, out: CiSetting[], base: Omit<CiSetting, 'key' | 'value' | 'line' | 'column'>): void {
  if (!isSeq(node)) return;
  for (const item of node.items) {
    const text = scalarText(item);
    if (text !== undefined && isScalar(item)) {
      for (const m of text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g)) out.push({ ...base, key: m[1]!, value: m[2]!.replace(/^["']|["']$/g, ''), line: item.line, column: item.column });
    } else if (isMap(item)) {
      const name = scalarText(get(item, 'name'));
      const valueNode = get(item, 'value');
      const value = scalarText(valueNode);
      if (name !== undefined && value !== undefined && isScalar(valueNode)) out.push({ ...base, key: name, value, line: valueNode.line, column: valueNode.column });
      // `- KEY: value` items (CircleCI's and Drone's list of one-entry maps); Azure's `- group:`/`- template:` and
      // Travis' `- secure:` are references, not settings.
      else if (name === undefined && item.entries.length === 1 && !LIST_REFERENCE_KEYS.has(item.entries[0]!.key)) mapSettings(item, out, base);
    }
  }
}

function settingsOf(node: PNode | null | undefined, out: CiSetting[], base: Omit<CiSetting, 'key' | 'value' | 'line' | 'column'>, valueKey?: string): void {
  if (isSeq(node)) listSettings(node, out, base);
  else mapSettings(node, out, base, valueKey);
}

function entriesOf(node: PNode | null | undefined): { key: string; value: PNode | null }[] {
  return isMap(node) ? node.entries : [];
}

function github(root: PNode, out: CiSetting[]): void {
  const jobs = entriesOf(get(root, 'jobs'));
  const allTests = jobs.length > 0 && jobs.every((job) => isTestJob(job.key, job.value));
  settingsOf(get(root, 'env'), out, { service: false, testJob: allTests });
  for (const job of jobs) {
    const testJob = isTestJob(job.key, job.value);
    settingsOf(get(job.value, 'env'), out, { scope: job.key, service: false, testJob });
    settingsOf(get(get(job.value, 'container'), 'env'), out, { scope: job.key, service: false, testJob });
    for (const service of entriesOf(get(job.value, 'services'))) settingsOf(get(service.value, 'env'), out, { scope: `${job.key} service ${service.key}`, service: true });
    const steps = get(job.value, 'steps');
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      const scope = `${job.key} step ${scalarText(get(step, 'name')) ?? scalarText(get(step, 'id')) ?? index + 1}`;
      settingsOf(get(step, 'env'), out, { scope, service: false, testJob });
      const action = scalarText(get(step, 'uses'));
      settingsOf(get(step, 'with'), out, { scope, service: false, input: true, testJob, ...(action ? { action } : {}) });
    });
  }
}


/**
 * GitLab hands a job's variables (and the top-level ones) to its service containers too: next to `services:`, the
 * settings a database image reads are the run's own server's.
 */
function gitlab(root: PNode, out: CiSetting[]): void {
  const topServices = get(root, 'services') !== undefined || get(get(root, 'default'), 'services') !== undefined;
  const anyServices = topServices || entriesOf(root).some((e) => isMap(e.value) && get(e.value, 'services') !== undefined);
  const serviceSetting = (near: boolean) => (s: CiSetting) => (near && SERVICE_IMAGE_ENV.test(s.key) ? { ...s, service: true } : s);
  const jobs = entriesOf(root).filter((job) => !GITLAB_RESERVED.has(job.key) && !job.key.startsWith('.') && isMap(job.value));
  const allTests = jobs.length > 0 && jobs.every((job) => isTestJob(job.key, job.value));
  const top: CiSetting[] = [];
  settingsOf(get(root, 'variables'), top, { service: false, testJob: allTests }, 'value');
  out.push(...top.map(serviceSetting(anyServices)));
  for (const job of entriesOf(root)) {
    if (GITLAB_RESERVED.has(job.key) || !isMap(job.value)) continue;
    const own: CiSetting[] = [];
    settingsOf(get(job.value, 'variables'), own, { scope: job.key, service: false, testJob: isTestJob(job.key, job.value) }, 'value');
    out.push(...own.map(serviceSetting(topServices || get(job.value, 'services') !== undefined)));
  }
}

function circleci(root: PNode, out: CiSetting[]): void {
  for (const job of entriesOf(get(root, 'jobs'))) {
    const testJob = isTestJob(job.key, job.value);
    settingsOf(get(job.value, 'environment'), out, { scope: job.key, service: false, testJob });
    const docker = get(job.value, 'docker');
    if (isSeq(docker)) docker.items.forEach((image, index) => settingsOf(get(image, 'environment'), out, { scope: job.key, service: index > 0, testJob }));
  }
}

function azure(root: PNode, out: CiSetting[]): void {
  const visit = (node: PNode | null | undefined, scope: string | undefined, depth: number): void => {
    if (!isMap(node) || depth > 8) return;
    settingsOf(get(node, 'variables'), out, { scope, service: false });
    for (const key of ['stages', 'jobs', 'steps']) {
      const list = get(node, key);
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        const name = scalarText(get(item, 'stage')) ?? scalarText(get(item, 'job')) ?? scalarText(get(item, 'deployment')) ?? scalarText(get(item, 'displayName')) ?? scope;
        if (key === 'steps') settingsOf(get(item, 'env'), out, { scope: name, service: false, testJob: isTestJob(name, node) });
        else visit(item, name, depth + 1);
      }
    }
  };
  visit(root, undefined, 0);
}

function drone(root: PNode, out: CiSetting[]): void {
  for (const key of ['steps', 'pipeline', 'services']) {
    const list = get(root, key);
    const items = isSeq(list) ? list.items.map((item) => ({ name: scalarText(get(item, 'name')), node: item })) : entriesOf(list).map((e) => ({ name: e.key, node: e.value }));
    for (const { name, node } of items) settingsOf(get(node, 'environment'), out, { scope: name, service: key === 'services', testJob: isTestJob(name, node) });
  }
  settingsOf(get(root, 'environment'), out, { service: false });
}

function buildkite(root: PNode, out: CiSetting[]): void {
  settingsOf(get(root, 'env'), out, { service: false });
  const steps = get(root, 'steps');
  if (isSeq(steps)) for (const step of steps.items) settingsOf(get(step, 'env'), out, { scope: scalarText(get(step, 'label')) ?? scalarText(get(step, 'key')), service: false, testJob: isTestJob(scalarText(get(step, 'label')), step) });
}

function travis(root: PNode, out: CiSetting[]): void {
  const env = get(root, 'env');
  if (isSeq(env) || isMap(env)) {
    settingsOf(isMap(env) ? undefined : env, out, { service: false });
    for (const key of ['global', 'jobs', 'matrix']) settingsOf(get(env, key), out, { service: false });
  }
}

/** The literal settings of a CI file of SYSTEM (GitHub Actions workflows pass 'github'). */
export function ciSettings(system: CiSystem | 'github', root: PNode | null | undefined): CiSetting[] {
  if (!isMap(root)) return [];
  const out: CiSetting[] = [];
  if (system === 'github') github(root, out);
  else if (system === 'gitlab') gitlab(root, out);
  else if (system === 'circleci') circleci(root, out);
  else if (system === 'azure') azure(root, out);
  else if (system === 'drone') drone(root, out);
  else if (system === 'buildkite') buildkite(root, out);
  else if (system === 'travis') travis(root, out);
  return out;
}
