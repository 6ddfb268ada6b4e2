/**
 * The expensive half of a scan: parse every candidate file, run the rules over the project, build the inventory.
 * Loaded only when the result cache cannot answer (see run.ts), so a re-scan of an unchanged tree never loads an
 * analyzer, a parser or a rule.
 */
import picomatch from 'picomatch';
import { ANALYZERS } from '../analyzers/index.js';
import type { Analyzer, FileContext } from '../analyzers/types.js';
import { ParseCache } from '../cache/parse-cache.js';
import { parseFiles } from '../cache/pipeline.js';
import type { ResolvedConfig } from '../config/types.js';
import { buildInventory } from '../inventory/build.js';
import { RULES } from '../rules/index.js';
import type { Rule, RuleContext } from '../rules/types.js';
import type { Finding, InventoryEntry, Summary } from '../types.js';
import { TOOL_VERSION } from '../util/package.js';
import { safeMessage } from '../util/errors.js';
import { compareFindings, ruleSetting, type FindingCollector } from './collector.js';
import type { DiscoveredFile } from './discover.js';
import { deploymentGraph, inheritedNote } from './deployment-graph.js';
import { EnvironmentResolver } from './environment.js';
import { Project } from './project.js';
import type { StatOutcome } from './read.js';

export const ANALYZER_IDS: readonly string[] = ANALYZERS.map((a) => a.id);

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

export interface AnalyzeInput {
  root: string;
  config: ResolvedConfig;
  files: readonly DiscoveredFile[];
  rules?: readonly Rule[];
  collector: FindingCollector;
  cache?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Stats already taken for the result cache, reused by the reader. */
  stats?: Map<string, StatOutcome>;
  threads?: number;
}

export interface AnalyzeOutput {
  /** Sorted, before suppressions and baseline marks. */
  findings: Finding[];
  inventory: InventoryEntry[];
  counts: Summary['files'];
  timings: { read: number; parse: Record<string, number>; rules: Record<string, number>; inventory: number; cache?: { hits: number; misses: number; load: number; save: number } };
}

export async function analyze(input: AnalyzeInput): Promise<AnalyzeOutput> {
  const { root, config, collector } = input;
  const rules = input.rules ?? RULES;
  const contextOf = fileContextFactory(config);
  // One shared list per combination of claiming analyzers (a handful), not one array per file (100k of them).
  const claimSets = new Map<string, readonly Analyzer[]>();
  const candidates: { file: FileContext; analyzers: readonly Analyzer[] }[] = [];
  for (const f of input.files) {
    const file = contextOf(f.path);
    const claiming = ANALYZERS.filter((a) => a.claims(file));
    if (claiming.length === 0) continue;
    const key = claiming.map((a) => a.id).join(',');
    let shared = claimSets.get(key);
    if (!shared) claimSets.set(key, (shared = claiming));
    candidates.push({ file, analyzers: shared });
  }

  let mark = performance.now();
  const cache = input.cache ? ParseCache.open(root, { toolVersion: TOOL_VERSION, configHash: config.hash, analyzerIds: ANALYZER_IDS }) : undefined;
  const cacheLoad = performance.now() - mark;
  const { parsed, counts, readMs, parseMs } = await parseFiles(root, candidates, config, { cache, diagnostic: (d) => collector.diagnostic(d), safeMessage, onProgress: input.onProgress, stats: input.stats, threads: input.threads });
  // A context per discovered file (the credential scan claims every text file): at 100k files ~35 MB that the rules
  // never read. The parsed files keep their own.
  candidates.length = 0;
  const timings: AnalyzeOutput['timings'] = { read: readMs, parse: parseMs, rules: {}, inventory: 0 };
  if (cache) {
    mark = performance.now();
    cache.save(); // before the rules run: nothing a rule does to a model can reach the cache
    timings.cache = { hits: cache.hits, misses: cache.misses, load: cacheLoad, save: performance.now() - mark };
  }

  const project = new Project(parsed, config);
  // Environments inherited through kustomize/helmfile/Argo CD/Flux references: computed after parsing, never part of
  // the parse-time FileContext (which keys the parse cache).
  collector.inheritEnvironments((path) => {
    const inherited = deploymentGraph(project).inherited(path);
    return inherited && { environment: inherited.primary, note: inheritedNote(inherited) };
  });
  for (const rule of rules) {
    const setting = ruleSetting(config, rule.meta.id);
    if (!setting.enabled) continue;
    const t = performance.now();
    const context: RuleContext = {
      project,
      config,
      options: setting.options,
      report: (report) => collector.add(rule, report),
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
  // The inventory reads findings' files, resources, rules and origins, never their suppression or baseline marks.
  const inventory = buildInventory(project, findings);
  timings.inventory = performance.now() - mark;
  return { findings, inventory, counts, timings };
}
