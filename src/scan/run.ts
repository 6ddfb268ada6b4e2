import path from 'node:path';
import picomatch from 'picomatch';
import { ANALYZERS } from '../analyzers/index.js';
import type { FileContext, ParsedFile } from '../analyzers/types.js';
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
import { readSource } from './read.js';

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
}

export interface ScanTimings {
  discover: number;
  read: number;
  parse: Record<string, number>;
  rules: Record<string, number>;
  inventory: number;
  total: number;
}

export interface ScanOutput {
  result: ScanResult;
  timings: ScanTimings;
}

async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
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

  let mark = performance.now();
  const discovery = await discover(root, config, { useGit: options.useGit });
  timings.discover = performance.now() - mark;

  const contextOf = fileContextFactory(config);
  const candidates = discovery.files
    .map((f) => {
      const file = contextOf(f.path);
      return { file, analyzers: ANALYZERS.filter((a) => a.claims(file)) };
    })
    .filter((c) => c.analyzers.length > 0);

  const counts = { scanned: 0, skipped: 0, failed: 0 };
  const parsed: ParsedFile[] = [];
  const failedFiles = new Set<string>();
  mark = performance.now();
  const reads = await mapPool(candidates, 32, (c) => readSource(root, c.file.path, config.maxFileSize));
  timings.read = performance.now() - mark;

  for (const [index, candidate] of candidates.entries()) {
    const outcome = reads[index]!;
    const { file } = candidate;
    if (!outcome.ok) {
      collector.diagnostic({ file: file.path, ...outcome.diagnostic });
      if (outcome.skipped) counts.skipped++;
      else counts.failed++;
      continue;
    }
    counts.scanned++;
    for (const analyzer of candidate.analyzers) {
      if (analyzer.sniff && !analyzer.sniff(outcome.text, file)) continue;
      const t = performance.now();
      try {
        const model = await analyzer.parse(outcome.text, file, {
          config,
          diagnostic: (d) => {
            if (d.code === 'parse-error' || d.code === 'encoding' || d.code === 'unreadable') failedFiles.add(file.path);
            collector.diagnostic({ file: file.path, ...d });
          },
        });
        if (model !== undefined) parsed.push({ file, analyzer: analyzer.id, model });
      } catch (error) {
        failedFiles.add(file.path);
        collector.diagnostic({ file: file.path, code: 'analyzer-crash', message: `Analyzer ${analyzer.id} failed: ${safeMessage(error)}` });
      }
      timings.parse[analyzer.id] = (timings.parse[analyzer.id] ?? 0) + performance.now() - t;
    }
  }
  counts.failed += failedFiles.size;

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
  for (const d of await applySuppressions(findings, { root, config, now: options.now })) collector.diagnostic(d);
  markBaseline(findings, options.baseline);
  const inventory = buildInventory(project, findings);
  timings.inventory = performance.now() - mark;
  const diagnostics = collector.diagnostics.sort(compareDiagnostics);

  const result: ScanResult = {
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
