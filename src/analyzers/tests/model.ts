/**
 * The plain model every test/script analyzer (TS/JS, Python, Go, shell) produces: facts, not judgements. Rules
 * decide which facts are footprints. Values are kept only so the collector can hash and redact them.
 */
import { parseAllDocuments } from 'yaml';
import { YAML_PARSE_DEPTH_LIMIT, yamlNesting } from '../../yaml/nesting.js';
import type { FileContext } from '../types.js';
import { basename, segments } from '../../util/path.js';
import { partitionPoint } from '../../util/bisect.js';

/** test: a test, a test configuration or a test harness script; script: any other script (ops, bootstrap, CI). */
export type HarnessRole = 'test' | 'script';

export interface Pos {
  line: number;
  column: number;
}

/** A secret-like environment variable read with a literal fallback (judged by the rule). */
export interface FallbackFact extends Pos {
  variable: string;
  fallback: string;
  /** '??', '||', 'ternary', 'destructuring-default', 'parameter-default', 'getenv-default', 'if-empty-assign', 'shell-default', ... */
  form: string;
  /** The local name the value is bound to, when there is one (for the replacement snippet). */
  binding?: string;
  /** Go: name of the enclosing *testing.T / *testing.B parameter, for t.Fatalf. */
  testingParam?: string;
  /** Go env-config struct tag default: the field declaration with the default dropped and the library's required marker. */
  structField?: string;
}

/** Secrets declared by infrastructure-as-code programs (Pulumi, cdk8s): committed objects, judged like manifests. */
export const IAC_SECRET_FORMS: ReadonlySet<string> = new Set(['pulumi-secret', 'cdk8s-secret']);

/** A Kubernetes Secret created from code or a script with literal values. */
export interface InlineSecretFact extends Pos {
  endLine: number;
  name?: string;
  /** The name as written when it is not a literal (`"${APP}-db"`): for messages, never matched against names. */
  nameAsWritten?: string;
  namespace?: string;
  /** Every key of data/stringData (or --from-literal). */
  keys: string[];
  /** Keys whose value is a literal. */
  literalKeys: string[];
  /** Literal values, same order as literalKeys. */
  values: string[];
  /** 'object-literal', 'V1Secret', 'createNamespacedSecret', 'yaml-string', 'corev1.Secret', 'kubectl-create', 'kubectl-apply-heredoc', ... */
  form: string;
  /** kubectl create secret generic|docker-registry|tls */
  secretType?: string;
}

/** A Kubernetes Secret a script creates from values it does not spell out (`--from-literal=k="$V"`, `--from-file=…`). */
export interface CreatedSecretFact extends Pos {
  endLine: number;
  name?: string;
  nameAsWritten?: string;
  keys: string[];
}

/** A secret fetched from a store whose failure the script swallows (see fetch-fallbacks.ts). */
export interface SwallowedFetchFact extends Pos {
  /** Azure Key Vault, Vault, AWS Secrets Manager, … */
  tool: string;
  /** The variable the fetched value is assigned to, when it is. */
  variable?: string;
  /** ignored: `|| true` / `|| :` (an empty value goes on); substitute: a fallback value or fixture takes its place. */
  fallback: 'ignored' | 'substitute';
}

/** A direct Azure Key Vault read: an SDK client built with a real credential (at its import), or `az keyvault secret show`. */
export interface KeyVaultFact extends Pos {
  form: string;
  /** Secret names read, when literal. */
  secrets: string[];
  vault?: string;
  /** CI workflows: the job the read runs in, and whether that job runs an integration/e2e suite. */
  job?: string;
  testJob?: boolean;
}

/** A write into HashiCorp Vault: `vault kv put`, `vault write`, hvac or node-vault calls. */
export interface VaultWriteFact extends Pos {
  /** Vault path as written (non-literal parts kept as `${…}` / `$VAR`). */
  path: string;
  keys: string[];
  /** Literal values written (hashed only). */
  values: string[];
  op: 'kv-write' | 'write' | 'database-engine';
  form: string;
}

/** A write into Azure Key Vault: `az keyvault secret set`, PowerShell `Set-AzKeyVaultSecret`. */
export interface KeyVaultWriteFact extends Pos {
  /** Secret name as written (`${APP}-db-password` keeps its expansion). */
  name: string;
  vault?: string;
  /** Literal value written (hashed only); a `--file` or an expansion gives none. */
  values: string[];
  /** The host a written connection string names, even one with expansions (`…@orders.postgres.database.azure.com`). */
  host?: string;
  form: string;
}

/** An Azure-managed database the script provisions (`az postgres flexible-server create`, `New-AzSqlServer`). */
export interface AzureDatabaseFact extends Pos {
  /** `az postgres flexible-server create`, `New-AzCosmosDBAccount` ... */
  form: string;
}

/** A command of a test runner script (classified by the bootstrap rule, whose accepted steps are configurable). */
export interface StepFact extends Pos {
  /** Words of the command; expansions kept as written. */
  argv: string[];
  /** The command as written (first line, capped), for messages. */
  text: string;
}

/** A test runner: a test script, a CI job, a Tiltfile local_resource. */
export interface RunnerFacts extends Pos {
  /** File name, `job <id>` or `local_resource <name>`. */
  name: string;
  steps: StepFact[];
  /** Declared dependencies (Tilt resource_deps, CI needs), matched against the accepted bootstrap steps too. */
  deps: string[];
}

export interface StoreLiteralFact extends Pos {
  /** The property the literal fills: `password`, `secretStringValue`, `GITHUB_TOKEN`. */
  key: string;
  value: string;
  /** How it is written, for messages: `SecretValue.unsafePlainText`. */
  form: string;
}

export interface HarnessModel {
  language: 'typescript' | 'python' | 'go' | 'shell';
  role: HarnessRole;
  fallbacks: FallbackFact[];
  inlineSecrets: InlineSecretFact[];
  keyVault: KeyVaultFact[];
  vaultWrites: VaultWriteFact[];
  keyVaultWrites?: KeyVaultWriteFact[];
  azureDatabases?: AzureDatabaseFact[];
  /** `kubectl create secret` without literal values (those with literals are inlineSecrets). */
  createdSecrets?: CreatedSecretFact[];
  /**
   * Kubernetes Secrets the code builds, whatever fills them (`corev1.Secret{…}`, a V1Secret, a Secret dict or
   * object literal): a harness that creates its own Secrets. Those with literal values are inlineSecrets too.
   */
  secretObjects?: Pos[];
  /** Secret fetches whose failure is swallowed. */
  swallowedFetches?: SwallowedFetchFact[];
  /**
   * Literals an infrastructure program writes into a secret store itself (AWS CDK `SecretValue.unsafePlainText('…')`):
   * the property they fill (`password`, `secretStringValue`, a key of `secretObjectValue`) and the store.
   */
  storeLiterals?: StoreLiteralFact[];
  runners: RunnerFacts[];
  /**
   * Files a test runner configuration names as setup code (Jest/Vitest `globalSetup`, `setupFiles`, Playwright
   * `globalSetup`, Cypress `supportFile`): POSIX paths relative to the scan root, extension dropped. Files named here
   * are test harness code whatever their own name or folder.
   */
  setupRefs?: string[];
}

export function emptyModel(language: HarnessModel['language'], role: HarnessRole): HarnessModel {
  return { language, role, fallbacks: [], inlineSecrets: [], keyVault: [], vaultWrites: [], runners: [] };
}

export function hasFacts(model: HarnessModel): boolean {
  return (
    model.fallbacks.length + model.inlineSecrets.length + (model.secretObjects?.length ?? 0) + (model.storeLiterals?.length ?? 0) + model.keyVault.length + model.vaultWrites.length + (model.keyVaultWrites?.length ?? 0) + (model.createdSecrets?.length ?? 0) + (model.swallowedFetches?.length ?? 0) > 0 ||
    model.runners.some((r) => r.steps.length > 0) ||
    (model.setupRefs?.length ?? 0) > 0
  );
}

/** The analyzer ids of this family, for rules that read every harness model. */
export const HARNESS_ANALYZERS = ['tests-typescript', 'tests-python', 'tests-go', 'tests-shell', 'tests-package-json'] as const;

export const TEST_CONFIG_NAME = /^(playwright|vitest|jest|cypress|karma|mocha|ava|wdio)\.config\.[cm]?[jt]s$|^(global[-_.]?(setup|teardown)|setup[-_.]?tests?|test[-_.]?setup|jest\.setup|vitest\.setup)\.[cm]?[jt]sx?$|^pytest\.ini$|^conftest\.py$/i;
const TEST_SCRIPT_NAME = /(^|[-_.])(test|tests|e2e|integration|int[-_]tests?|smoke|playwright|pytest|harness)([-_.]|$)/i;

/** Is the file a test, a test configuration or a test harness (as opposed to an ordinary script)? */
export function harnessRole(file: FileContext): HarnessRole {
  if (file.isTest) return 'test';
  const name = basename(file.path);
  if (TEST_CONFIG_NAME.test(name)) return 'test';
  const dirs = segments(file.path).slice(0, -1).map((d) => d.toLowerCase());
  if (dirs.some((d) => ['test', 'tests', '__tests__', 'e2e', 'integration-tests', 'integration_tests', 'playwright', 'cypress', 'spec', 'specs', 'testing'].includes(d))) return 'test';
  if (/\.(sh|bash|py|[cm]?[jt]s)$/i.test(name) && TEST_SCRIPT_NAME.test(name.replace(/\.[^.]+$/, ''))) return 'test';
  return 'script';
}

/** Service name from `services/<svc>/…`, `apps/<svc>/…`, `packages/<svc>/…`; undefined elsewhere. */
export function serviceOf(path: string): string | undefined {
  const parts = segments(path);
  for (let i = 0; i < parts.length - 1; i++) {
    if (['services', 'apps', 'packages', 'cmd', 'svc'].includes(parts[i]!.toLowerCase()) && i + 1 < parts.length - 1) return parts[i + 1]!.replace(/_/g, '-');
  }
  return undefined;
}

/**
 * Kubernetes Secrets held in a YAML string (a test's template literal, a Python triple-quoted string, a heredoc).
 * `startLine` is the 1-based line of the first character of `text`.
 */
export function secretsInYamlText(text: string, startLine: number, column: number, form: string): InlineSecretFact[] {
  if (!/kind:\s*["']?Secret\b/.test(text) || !/\b(stringData|data):/.test(text)) return [];
  const out: InlineSecretFact[] = [];
  if (yamlNesting(text).depth > YAML_PARSE_DEPTH_LIMIT) return [];
  let docs;
  try {
    // logLevel: a Helm expression (`namespace: {{ .Release.Namespace }}`, a flow map keyed by a flow map to YAML) must
    // not become a process warning on the user's stderr when the document is converted.
    docs = parseAllDocuments(text, { uniqueKeys: false, logLevel: 'error' });
  } catch {
    return [];
  }
  // Where the text's line breaks are, found once: counting them from the start for every Secret was D x n.
  let breaks: number[] | undefined;
  const lineOf = (offset: number) => {
    if (!breaks) {
      breaks = [];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i);
    }
    return startLine + partitionPoint(breaks, (at) => at < offset);
  };
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) continue;
    const js = doc.toJS({ maxAliasCount: 50 }) as unknown;
    if (!js || typeof js !== 'object' || Array.isArray(js)) continue;
    const obj = js as Record<string, unknown>;
    if (obj.kind !== 'Secret') continue;
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    const keys: string[] = [];
    const literalKeys: string[] = [];
    const values: string[] = [];
    let firstOffset: number | undefined;
    let lastOffset = 0;
    for (const section of ['stringData', 'data'] as const) {
      const node = doc.get(section, true) as unknown;
      const map = obj[section];
      if (!map || typeof map !== 'object' || Array.isArray(map)) continue;
      for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
        keys.push(key);
        if (typeof value !== 'string' || value.trim() === '' || /\$\{|\$\(|\{\{|^\$[A-Za-z_]/.test(value)) continue;
        literalKeys.push(key);
        values.push(value);
        const pair = findPair(node, key);
        const offset = pair ?? 0;
        if (firstOffset === undefined || offset < firstOffset) firstOffset = offset;
        lastOffset = Math.max(lastOffset, offset);
      }
    }
    if (literalKeys.length === 0) continue;
    out.push({
      line: lineOf(firstOffset ?? 0),
      column: firstOffset === undefined ? column : 1,
      endLine: lineOf(lastOffset),
      name: typeof meta.name === 'string' ? meta.name : undefined,
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
      keys,
      literalKeys,
      values,
      form,
    });
  }
  return out;
}

function findPair(node: unknown, key: string): number | undefined {
  const items = (node as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined)?.items;
  if (!Array.isArray(items)) return undefined;
  for (const item of items) {
    if (item.key && String(item.key.value) === key && item.key.range) return item.key.range[0];
  }
  return undefined;
}
