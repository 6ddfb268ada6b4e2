import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { createAjv } from '../util/ajv.js';
import { createRequire } from 'node:module';
import { YAML_PARSE_DEPTH_LIMIT, yamlNesting } from '../yaml/nesting.js';
import { ConfigError } from '../util/errors.js';
import { sha256, stableStringify } from '../util/hash.js';
import { packageFile, readJson } from '../util/package.js';
import { toPosixRelative } from '../util/path.js';
import {
  DEFAULT_EXCLUDES,
  DEFAULT_FINGERPRINT_KEY,
  DEFAULT_MAX_FILE_SIZE,
  DEFAULT_TEST_PATHS,
  DEFAULT_VENDORED,
} from './defaults.js';
import type { ResolvedConfig, UserConfig } from './types.js';

export const CONFIG_FILE_NAME = 'footprint.config.yaml';

let validator: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;
function validateSchema(value: unknown): ErrorObject[] {
  validator ??= createAjv({ allErrors: true, strict: false }).compile(readJson(packageFile('schemas', 'footprint-config.schema.json')));
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

/**
 * One line per problem: a value that matches none of a oneOf/anyOf's branches is one problem ("must be one of
 * "off", "critical", … or an object"), not one line per failed branch plus the oneOf itself.
 */
function describeAll(errors: readonly ErrorObject[]): string[] {
  const unions = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const branchOf = (e: ErrorObject) => unions.find((u) => u !== e && u.instancePath === e.instancePath && e.schemaPath.startsWith(`${u.schemaPath}/`));
  const out: string[] = [];
  for (const error of errors) {
    if (branchOf(error)) continue;
    if (unions.includes(error)) {
      // A branch that matched the shape and failed deeper (rules.x.severity) is the actionable problem: it is listed.
      if (errors.some((e) => e.instancePath.startsWith(`${error.instancePath}/`) && e.schemaPath.startsWith(`${error.schemaPath}/`))) continue;
      const branches = errors.filter((e) => branchOf(e) === error).map((e) => (e.keyword === 'enum' ? `one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : e.keyword === 'type' ? `of type ${String(e.params.type)}` : (e.message ?? 'valid')));
      const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
      out.push(branches.length ? `${where}: must be ${[...new Set(branches)].join(', or ')}` : describe(error));
      continue;
    }
    out.push(describe(error));
  }
  return [...new Set(out)];
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property "${String(error.params.additionalProperty)}"`;
  }
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}

export function parseSize(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_SIZE;
  if (typeof value === 'number') return value;
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/.exec(value.trim());
  if (!match) return DEFAULT_MAX_FILE_SIZE;
  const units: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  return Math.round(Number(match[1]) * units[match[2] ?? 'B']!);
}

export interface LoadConfigOptions {
  root: string;
  /** Explicit --config path (relative to cwd or absolute). */
  configFile?: string;
  /** Rule ids that exist, to reject typos in `rules:` and `suppressions:`. */
  knownRuleIds?: readonly string[];
}

function ruleIdProblems(config: Pick<UserConfig, 'rules' | 'suppressions'>, knownRuleIds: readonly string[]): string[] {
  const known = new Set(knownRuleIds);
  const problems: string[] = [];
  for (const id of Object.keys(config.rules ?? {})) {
    if (!known.has(id)) problems.push(`rules.${id}: unknown rule id (see "footprint rules")`);
  }
  (config.suppressions ?? []).forEach((entry, index) => {
    if (!known.has(entry.rule)) problems.push(`suppressions.${index}.rule: unknown rule id "${entry.rule}"`);
  });
  return problems;
}

/** `expires` must be a real calendar day: the schema's pattern lets 2026-13-45 or 2026-02-30 through. */
function expiryProblems(config: Pick<UserConfig, 'suppressions'>): string[] {
  const problems: string[] = [];
  (config.suppressions ?? []).forEach((entry, index) => {
    // Other shapes are the schema's problem (pattern YYYY-MM-DD): one message per mistake.
    if (typeof entry.expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(entry.expires)) return;
    const day = new Date(`${entry.expires}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== entry.expires) {
      problems.push(`suppressions.${index}.expires: "${entry.expires}" is not a calendar day (YYYY-MM-DD)`);
    }
  });
  return problems;
}

/** The parts of a not-yet-valid config that ruleIdProblems can read: a rules map, suppressions with string rules. */
function shapedForRuleIds(config: UserConfig): Pick<UserConfig, 'rules' | 'suppressions'> {
  const rules = config.rules !== null && typeof config.rules === 'object' && !Array.isArray(config.rules) ? config.rules : undefined;
  const suppressions = Array.isArray(config.suppressions) ? config.suppressions.filter((e) => e !== null && typeof e === 'object' && typeof e.rule === 'string') : undefined;
  return { ...(rules ? { rules } : {}), ...(suppressions ? { suppressions } : {}) };
}

function invalidConfig(problems: string[], source: string | undefined): ConfigError {
  return new ConfigError(`Invalid configuration${source ? ` in ${source}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'})`, problems);
}

/** Reject rule ids the config names (in `rules:` and `suppressions:`) that are not among KNOWN_RULE_IDS. */
export function checkRuleIds(config: ResolvedConfig, knownRuleIds: readonly string[]): void {
  const problems = ruleIdProblems(config, knownRuleIds);
  if (problems.length > 0) throw invalidConfig(problems, config.source);
}

/** Validate a user config object and apply defaults. Throws ConfigError listing every problem with its path. */
export function resolveConfig(user: unknown, knownRuleIds?: readonly string[], source?: string): ResolvedConfig {
  // No config file (or an empty one) has nothing to validate: the schema compiler is never loaded.
  const isEmpty = user == null || (typeof user === 'object' && !Array.isArray(user) && Object.keys(user).length === 0);
  const problems = isEmpty ? [] : describeAll(validateSchema(user));
  const config = (user ?? {}) as UserConfig;
  const shaped = shapedForRuleIds(config);
  problems.push(...expiryProblems(shaped));
  // Unknown rule ids are listed with the schema's problems (when rules/suppressions have the right shape at all).
  if (knownRuleIds) problems.push(...ruleIdProblems(shaped, knownRuleIds));
  if (problems.length > 0) throw invalidConfig(problems, source);
  const fingerprintKey = config.fingerprintKey ?? process.env.FOOTPRINT_FINGERPRINT_KEY ?? DEFAULT_FINGERPRINT_KEY;
  const { fingerprintKey: _omitKey, ...hashable } = config;
  return {
    include: config.include ?? ['**/*'],
    exclude: [...DEFAULT_EXCLUDES, ...(config.exclude ?? [])],
    vendored: [...DEFAULT_VENDORED, ...(config.vendored ?? [])],
    scanVendored: config.scanVendored ?? false,
    maxFileSize: parseSize(config.maxFileSize),
    environments: config.environments ?? {},
    stores: config.stores ?? {},
    taxonomy: config.taxonomy ?? [],
    rules: config.rules ?? {},
    fixtureValues: config.fixtureValues ?? [],
    credentialNames: config.credentialNames ?? [],
    testPaths: [...DEFAULT_TEST_PATHS, ...(config.testPaths ?? [])],
    fingerprintKey,
    suppressions: config.suppressions ?? [],
    hash: sha256(stableStringify({ ...hashable, fingerprintKey: sha256(fingerprintKey) })),
    source,
  };
}

/** Find, read, parse and validate the config for a scan root. */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
  const root = path.resolve(options.root);
  const file = options.configFile ? path.resolve(options.configFile) : path.join(root, CONFIG_FILE_NAME);
  if (!existsSync(file)) {
    if (options.configFile) throw new ConfigError(`Config file not found: ${options.configFile}`);
    return resolveConfig({}, options.knownRuleIds);
  }
  const shown = file.startsWith(root + path.sep) ? toPosixRelative(root, file) : path.basename(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Config file ${shown} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (yamlNesting(text).depth > YAML_PARSE_DEPTH_LIMIT) throw new ConfigError(`Config file ${shown} nests more than ${YAML_PARSE_DEPTH_LIMIT} levels deep`);
  // The yaml library (its Node entry is CommonJS) is loaded only when there is a config file to read.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const document = parseDocument(text, { logLevel: 'error' });
  if (document.errors.length > 0) {
    throw new ConfigError(
      `Config file ${shown} is not valid YAML`,
      document.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  return resolveConfig(document.toJS({ maxAliasCount: 50 }) ?? {}, options.knownRuleIds, shown);
}
