import path from 'node:path';
import picomatch from 'picomatch';
import { ANALYZERS } from '../analyzers/index.js';
import type { FileContext } from '../analyzers/types.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { markBaseline } from '../history/baseline.js';
import { buildInventory } from '../inventory/build.js';
import { RULES, RULE_IDS } from '../rules/index.js';
import { applySuppressions } from '../suppress/index.js';
import type { Rule, RuleContext } from '../rules/types.js';
import { SCHEMA_VERSION, SEVERITIES, type Diagnostic, type Finding, type InventoryEntry, type ScanResult, type Summary } from '../types.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/package.js';
import { FindingCollector, compareDiagnostics, compareFindings, ruleSetting } from './collector.js';
import { discover } from './discover.js';
import { EnvironmentResolver } from './environment.js';
import { Project } from './project.js';
import { ParseCache } from '../cache/parse-cache.js';
import { parseFiles } from '../cache/pipeline.js';
import { loadResult, resultKey, saveResult, statListing, type Listing } from '../cache/result-cache.js';

export interface ScanOptions {
  /** Folder to scan. Every path in the result is relative to it. */
  root: string;
  /** A resolved config; otherwise loaded from configFile or ROOT/footprint.config.yaml. */
  config?: ResolvedConfig;
  configFile?: string;
  /** Use `git ls-files` when ROOT is in a git work tree. Default: true. */
  useGit?: boolean;
  /** Timestamp for generatedAt. Default: now. */
  now?: Date;
  /** Rules to run. Default: every registered rule. */
  rules?: readonly Rule[];
  /** Fingerprints of accepted findings (a baseline): marked `baseline: true`, they do not fail the run. */
  baseline?: Iterable<string>;
  /**
   * Reuse and update parsed models in ROOT/.footprint-cache/ (the CLI's default), and the whole previous result
   * when nothing changed (see reuseResult). Default: false.
   */
  cache?: boolean;
  /** With `cache`: reuse the previous run's result for an unchanged tree and configuration. Default: true. */
  reuseResult?: boolean;
  /** Progress of reading and parsing, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface ScanTimings {
  discover: number;
  read: number;
  parse: Record<string, number>;
  rules: Record<string, number>;
  inventory: number;
  total: number;
  /** With the parse cache: files reused / (re)parsed, and the time to load and save the pack. */
  cache?: { hits: number; misses: number; load: number; save: number };
  /** With the cache: the previous result was reused (nothing parsed, no rule run), or this one was stored. */
  result?: 'reused' | 'stored' | 'not-stored';
}

export interface ScanOutput {
  result: ScanResult;
  timings: ScanTimings;
}

export function fileContextFactory(config: ResolvedConfig): (filePath: string) => FileContext {
  const environments = new EnvironmentResolver(config);
  const vendored = picomatch(config.vendored, { dot: true });
  const isTest = picomatch(config.testPaths, { dot: true });
  return (filePath) => ({
    path: filePath,
    environment: environments.resolve(filePath),
    vendored: vendored(filePath),
    isTest: isTest(filePath),
  });
}

export async function scanDetailed(options: ScanOptions): Promise<ScanOutput> {
  const started = performance.now();
  const root = path.resolve(options.root);
  const rules = options.rules ?? RULES;
  const config = options.config ?? loadConfig({ root, configFile: options.configFile, knownRuleIds: RULE_IDS });
  const collector = new FindingCollector(config);
  const timings: ScanTimings = { discover: 0, read: 0, parse: {}, rules: {}, inventory: 0, total: 0 };
  const startedAtMs = Date.now();

  /** Suppressions, baseline, summary: the same for a fresh and a reused result. */
  const finishResult = async (findings: Finding[], inventory: InventoryEntry[], counts: Summary['files']): Promise<ScanResult> => {
    const t = performance.now();
    for (const d of await applySuppressions(findings, { root, config, now: options.now })) collector.diagnostic(d);
    markBaseline(findings, options.baseline);
    timings.inventory += performance.now() - t;
    const diagnostics = collector.diagnostics.sort(compareDiagnostics);
    return {
      schemaVersion: SCHEMA_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      root: '.',
      generatedAt: (options.now ?? new Date()).toISOString(),
      config: { hash: config.hash },
      summary: summarize(findings, inventory, counts),
      findings,
      inventory,
      diagnostics,
    };
  };

  let mark = performance.now();
  const discovery = await discover(root, config, { useGit: options.useGit });
  timings.discover = performance.now() - mark;

  let listing: Listing | undefined;
  let key: string | undefined;
  if (options.cache && options.reuseResult !== false) {
    mark = performance.now();
    key = resultKey({ toolVersion: TOOL_VERSION, configHash: config.hash, ruleIds: rules.map((r) => r.meta.id), analyzerIds: ANALYZERS.map((a) => a.id) });
    // Every discovered file, not only the ones an analyzer claims: deciding claims costs more than the stats
    // (0.5 s at 100k files) and an unclaimed file that changed only costs a needless recomputation.
    listing = statListing(root, discovery.files.map((f) => f.path), config.maxFileSize);
    const raw = loadResult(root, key, listing.hash);
    timings.read = performance.now() - mark;
    if (raw) {
      timings.result = 'reused';
      for (const d of raw.diagnostics) collector.diagnostic(d);
      const result = await finishResult(raw.findings, raw.inventory, raw.counts);
      timings.total = performance.now() - started;
      return { result, timings };
    }
  }

  const contextOf = fileContextFactory(config);
  const candidates = discovery.files
    .map((f) => {
      const file = contextOf(f.path);
      return { file, analyzers: ANALYZERS.filter((a) => a.claims(file)) };
    })
    .filter((c) => c.analyzers.length > 0);

  mark = performance.now();
  const cache = options.cache ? ParseCache.open(root, { toolVersion: TOOL_VERSION, configHash: config.hash, analyzerIds: ANALYZERS.map((a) => a.id) }) : undefined;
  const cacheLoad = performance.now() - mark;
  const { parsed, counts, readMs, parseMs } = await parseFiles(root, candidates, config, { cache, diagnostic: (d) => collector.diagnostic(d), safeMessage, onProgress: options.onProgress, stats: listing?.stats });
  timings.read += readMs;
  timings.parse = parseMs;
  if (cache) {
    mark = performance.now();
    cache.save(); // before the rules run: nothing a rule does to a model can reach the cache
    timings.cache = { hits: cache.hits, misses: cache.misses, load: cacheLoad, save: performance.now() - mark };
  }

  const project = new Project(parsed, config);
  for (const rule of rules) {
    const setting = ruleSetting(config, rule.meta.id);
    if (!setting.enabled) continue;
    const t = performance.now();
    const context: RuleContext = {
      project,
      config,
      options: setting.options,
      report: (input) => collector.add(rule, input),
      each(items, fileOf, check) {
        for (const item of items) {
          try {
            check(item);
          } catch (error) {
            collector.diagnostic({ file: fileOf(item), code: 'rule-crash', ruleId: rule.meta.id, message: `Rule ${rule.meta.id} failed: ${safeMessage(error)}` });
          }
        }
      },
    };
    try {
      rule.check(context);
    } catch (error) {
      collector.diagnostic({ file: '.', code: 'rule-crash', ruleId: rule.meta.id, message: `Rule ${rule.meta.id} failed: ${safeMessage(error)}` });
    }
    timings.rules[rule.meta.id] = performance.now() - t;
  }

  mark = performance.now();
  const findings = collector.findings.sort(compareFindings);
  // The result cache stores findings as the rules left them: before suppressions and baseline marks.
  const findingsJson = key ? JSON.stringify(findings) : undefined;
  const rawDiagnostics = key ? collector.diagnostics.slice() : undefined;
  // The inventory reads findings' files, resources, rules and origins, never their suppression or baseline marks.
  const inventory = buildInventory(project, findings);
  timings.inventory = performance.now() - mark;
  if (key && listing) {
    timings.result = saveResult(root, key, listing, startedAtMs, { findingsJson: findingsJson!, diagnostics: rawDiagnostics!, inventory, counts }) ? 'stored' : 'not-stored';
  }
  const result = await finishResult(findings, inventory, counts);
  timings.total = performance.now() - started;
  return { result, timings };
}

/** Scan a repository: the library's main entry point. */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  return (await scanDetailed(options)).result;
}

export function summarize(findings: readonly Finding[], inventory: readonly InventoryEntry[], files: Summary['files']): Summary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Summary['bySeverity'];
  const byRule: Record<string, number> = {};
  const byOrigin: Record<string, number> = {};
  const byEnvironment: Record<string, number> = {};
  let suppressed = 0;
  let baseline = 0;
  for (const f of findings) {
    if (f.suppressed) {
      suppressed++;
      continue;
    }
    if (f.baseline) baseline++;
    bySeverity[f.severity]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    byOrigin[f.origin] = (byOrigin[f.origin] ?? 0) + 1;
    const env = f.environment ?? '(none)';
    byEnvironment[env] = (byEnvironment[env] ?? 0) + 1;
  }
  return {
    findings: findings.length - suppressed,
    bySeverity,
    byRule: sortKeys(byRule),
    byOrigin: sortKeys(byOrigin),
    byEnvironment: sortKeys(byEnvironment),
    inventory: inventory.length,
    suppressed,
    baseline,
    files: { ...files },
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Error text without absolute paths of this machine. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(?:[A-Za-z]:)?[\\/](?:[^\s'"`:]+[\\/])+[^\s'"`:]*/g, '<path>').slice(0, 300);
}

export type { Diagnostic };
