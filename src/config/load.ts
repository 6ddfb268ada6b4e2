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
function expiryProblems(config: UserConfig): string[] {
  const problems: string[] = [];
  (config.suppressions ?? []).forEach((entry, index) => {
    if (entry.expires === undefined) return;
    const day = new Date(`${entry.expires}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== entry.expires) {
      problems.push(`suppressions.${index}.expires: "${entry.expires}" is not a calendar day (YYYY-MM-DD)`);
    }
  });
  return problems;
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
  const problems = isEmpty ? [] : validateSchema(user).map(describe);
  const config = (user ?? {}) as UserConfig;
  if (problems.length === 0) problems.push(...expiryProblems(config));
  if (knownRuleIds && problems.length === 0) problems.push(...ruleIdProblems(config, knownRuleIds));
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
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError(
      `Config file ${shown} is not valid YAML`,
      document.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  return resolveConfig(document.toJS({ maxAliasCount: 50 }) ?? {}, options.knownRuleIds, shown);
}
