import { statSync } from 'node:fs';
import path from 'node:path';
import { collectGarbage } from '../util/gc.js';
import { checkRuleIds, loadConfig } from '../config/load.js';
import { ConfigError } from '../util/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Rule } from '../rules/types.js';
import { SCHEMA_VERSION, SEVERITIES, type Diagnostic, type Finding, type InventoryEntry, type ScanResult, type Summary } from '../types.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/package.js';
import type { FindingCollector } from './collector.js';
import { discover, gitObjectIds, mayBeInGitWorkTree, type Discovery } from './discover.js';
import { ensureCacheDir } from '../cache/dir.js';
import { CACHE_DIR } from '../cache/build-id.js';
import { openBody, rawBody, rawOfRendered, readStoredResult, renderedBody, resultKey, sameListing, saveResult, snapshotTree, statListing, statsStorable, storable, treeUnchanged, withGeneratedAt, type Listing, type StoredResult, type Tree } from '../cache/result-cache.js';

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
  /**
   * Threads that parse (the scan's own plus workers). Default: 1 on a machine with 2 cores or fewer, else one per
   * core up to 4, for trees of 300 candidate files or more. The result never depends on it.
   */
  threads?: number;
  /**
   * Past this many YAML files, parse and judge them this many at a time, so their models are not all in memory at once
   * (0: never; default: 4,000 at a time past 8,000 YAML files; with a `cache` that holds most models, past 20,000,
   * 4,000 or a tenth of them at a time). The result never depends on it.
   */
  chunkFiles?: number;
  /**
   * Progress of reading and parsing, for a progress bar; on a chunked scan then of the YAML files judged in chunks.
   * Once, as (0, 0, 'walk'), before a folder walk lists the files (not when git or the stored walk of the cache does).
   */
  onProgress?: (done: number, total: number, phase?: 'walk' | 'chunks') => void;
}

export interface ScanTimings {
  discover: number;
  /** How the files were listed: git, a glob walk, or the stored tree of an unchanged walk (result cache). */
  listing?: 'git' | 'glob' | 'tree';
  /** git was asked for its object ids (see idsWanted): the files it vouches for are known by id, not read. */
  gitIds?: true;
  read: number;
  parse: Record<string, number>;
  rules: Record<string, number>;
  inventory: number;
  total: number;
  /** With the parse cache: files reused / (re)parsed, and the time to load and save the pack. */
  cache?: { hits: number; misses: number; sameContent: number; byGitId: number; load: number; save: number };
  /**
   * On a tree past `chunkFiles` YAML files: the chunks and the files in them. Count 0: the files left for chunks were
   * too few next to the context, and were judged with the rest (see chunksPay).
   */
  chunks?: { count: number; files: number; reused?: number };
  /** With the cache: the previous result was reused (nothing parsed, no rule run), or this one was stored. */
  result?: 'reused' | 'stored' | 'not-stored';
}

export interface ScanOutput {
  result: ScanResult;
  timings: ScanTimings;
  /**
   * The JSON report of result (the JSON reporter's output, rendered without options), when the scan has it: a reused
   * result stored rendered, or a result just rendered to be stored. The CLI writes it instead of rendering again.
   * Only as long as result is not modified.
   */
  json?: string;
}

function ensureCacheDirQuietly(root: string): void {
  try {
    ensureCacheDir(path.join(root, CACHE_DIR));
  } catch {
    // A read-only tree: the result is simply not stored.
  }
}

/** The config of a scan: rule ids it names are checked against the rules that will run (loaded only then). */
async function configFor(options: ScanOptions, root: string): Promise<ResolvedConfig> {
  if (options.config) return options.config;
  let config: ResolvedConfig;
  try {
    config = loadConfig({ root, configFile: options.configFile });
  } catch (error) {
    // An invalid config lists every problem at once: its unknown rule ids too (the rules load only on this path).
    if (!(error instanceof ConfigError) || error.details.length === 0) throw error;
    const ids = options.rules ? options.rules.map((r) => r.meta.id) : (await import('../rules/index.js')).RULE_IDS;
    loadConfig({ root, configFile: options.configFile, knownRuleIds: ids });
    throw error;
  }
  if (Object.keys(config.rules).length > 0 || config.suppressions.length > 0) {
    const ids = options.rules ? options.rules.map((r) => r.meta.id) : (await import('../rules/index.js')).RULE_IDS;
    checkRuleIds(config, ids);
  }
  return config;
}

export async function scanDetailed(options: ScanOptions): Promise<ScanOutput> {
  const started = performance.now();
  const root = path.resolve(options.root);
  const config = await configFor(options, root);
  // The collector and the suppressions load on first use: a reuse of a rendered result needs neither.
  let collecting: Promise<FindingCollector> | undefined;
  const collector = (): Promise<FindingCollector> => (collecting ??= import('./collector.js').then((m) => new m.FindingCollector(config)));
  const timings: ScanTimings = { discover: 0, read: 0, parse: {}, rules: {}, inventory: 0, total: 0 };
  const startedAtMs = Date.now();

  /** Suppressions, baseline, summary: the same for a fresh and a reused result. */
  const finishResult = async (
    findings: Finding[],
    inventory: InventoryEntry[],
    counts: Summary['files'],
    files: { unmarked?: ReadonlySet<string>; onUnmarked?: (file: string) => void } = {},
  ): Promise<ScanResult> => {
    const t = performance.now();
    const { applySuppressions } = await import('../suppress/index.js');
    const { compareDiagnostics } = await import('./collector.js');
    const c = await collector();
    for (const d of await applySuppressions(findings, { root, config, now: options.now, ...files })) c.diagnostic(d);
    // Loaded only with a baseline: the module brings the result validator along.
    if (options.baseline) (await import('../history/baseline.js')).markBaseline(findings, options.baseline);
    timings.inventory += performance.now() - t;
    const diagnostics = c.diagnostics.sort(compareDiagnostics);
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
  const reuse = async (opened: NonNullable<ReturnType<typeof openBody>>): Promise<ScanOutput> => {
    timings.result = 'reused';
    if ('rendered' in opened && !options.baseline) {
      // Nothing can change it after the rules (see the store below): the stored report with today's date.
      const { result, json } = withGeneratedAt(opened.rendered, (options.now ?? new Date()).toISOString());
      timings.total = performance.now() - started;
      return { result, timings, json };
    }
    const raw = 'raw' in opened ? opened.raw : rawOfRendered(opened.rendered);
    const c = await collector();
    for (const d of raw.diagnostics) c.diagnostic(d);
    // The listing is the stored one: the files the stored scan found without footprint-ignore still have none.
    const result = await finishResult(raw.findings, raw.inventory, raw.counts, { unmarked: new Set(raw.unmarked) });
    timings.total = performance.now() - started;
    return { result, timings };
  };

  const useResultCache = options.cache === true && options.reuseResult !== false;
  const key = useResultCache
    ? resultKey({ toolVersion: TOOL_VERSION, configHash: config.hash, ruleIds: options.rules ? options.rules.map((r) => r.meta.id) : 'registry', analyzerIds: 'registry' })
    : undefined;
  let stored: StoredResult | undefined;
  let discovery: Discovery | undefined;
  let listing: Listing | undefined;
  let tree: Tree | undefined;
  let mark = performance.now();
  if (key) {
    stored = readStoredResult(root, key);
    // The tree of a glob walk: while no folder changed, a walk would list the same files, so only they get a stat.
    if (stored?.tree && (options.useGit === false || !mayBeInGitWorkTree(root)) && treeUnchanged(root, stored.tree)) {
      tree = stored.tree;
      listing = statListing(root, tree.files, config.maxFileSize);
      timings.discover = performance.now() - mark;
      timings.listing = 'tree';
      const opened = sameListing(stored, listing) ? openBody(stored.body) : undefined;
      if (opened) return reuse(opened);
      // Like a git listing, it does not say which files are links: the reader stats each file and reports them.
      discovery = { files: tree.files.map((p) => ({ path: p, symlink: false })), via: 'glob' };
    }
  }

  if (!discovery) {
    mark = performance.now();
    // Created before the walk: creating it afterwards would change ROOT's mtime and void the stored walk.
    if (key) ensureCacheDirQuietly(root);
    discovery = await discover(root, config, { useGit: options.useGit, onWalk: () => options.onProgress?.(0, 0, 'walk') });
    timings.discover = performance.now() - mark;
    timings.listing = discovery.via;
    const git = options.cache === true && discovery.via === 'git';
    if (key || git) {
      mark = performance.now();
      // Every discovered file, not only the ones an analyzer claims: deciding claims costs more than the stats
      // (0.5 s at 100k files) and an unclaimed file that changed only costs a needless recomputation.
      const files = discovery.files.map((f) => f.path);
      // git works out the ids in its own processes while this one stats (its costly part, the stat of every tracked
      // file, does not wait for this thread to read its output), when a sample says they will be wanted.
      const stop = new AbortController();
      const asked = git && idsWanted(stored, sampleChanged(root, files, stored?.storedAt)) ? gitObjectIds(root, files, stop.signal) : undefined;
      listing = statListing(root, files, config.maxFileSize);
      if (key && discovery.walked) tree = snapshotTree(root, discovery.walked, files, startedAtMs);
      if (git && !(stored && sameListing(stored, listing)) && (asked || idsWanted(stored, listing.changedSince(stored?.storedAt ?? 0) / files.length))) {
        const oids = await (asked ?? gitObjectIds(root, files));
        if (oids) {
          listing = listing.withOids(oids);
          timings.gitIds = true;
        }
      } else if (asked) {
        stop.abort();
        await asked;
      }
      timings.read = performance.now() - mark;
      const opened = key && stored && sameListing(stored, listing) ? openBody(stored.body) : undefined;
      if (key && stored && opened) {
        // Same files: store the walk when it changed, or the stats when only the ids matched, so that the next run
        // matches without walking or asking git (the result itself is unchanged).
        const walkChanged = tree !== undefined && JSON.stringify(tree) !== JSON.stringify(stored.tree);
        const statsNew = stored.listing !== listing.hash && statsStorable(listing, startedAtMs);
        if (walkChanged || statsNew) saveResult(root, key, listing, startedAtMs, stored.body, tree);
        return reuse(opened);
      }
    }
  }

  // A miss: the stored body (as large as the JSON report: 65 MB for 16,000 findings) is not held while the scan runs.
  stored = undefined;
  const { analyze } = await import('./analyze.js');
  const input = { root, config, files: discovery.files, rules: options.rules, collector: await collector(), cache: options.cache, onProgress: options.onProgress, stats: listing?.stats, threads: options.threads, chunkSize: options.chunkFiles };
  discovery = undefined; // the analysis lets the file list go once it has its candidates (see AnalyzeInput.files)
  const analysis = await analyze(input);
  // The models of a large tree are garbage now (the analysis' frame, which could still hold some, is gone): collected
  // before the result is stored and rendered on top of them.
  if (analysis.large) collectGarbage();
  timings.read += analysis.timings.read;
  timings.parse = analysis.timings.parse;
  timings.rules = analysis.timings.rules;
  timings.inventory = analysis.timings.inventory;
  if (analysis.timings.cache) timings.cache = analysis.timings.cache;
  if (analysis.timings.chunks) timings.chunks = analysis.timings.chunks;
  const { findings, inventory, counts } = analysis;
  // Stored as the rules left them: before suppressions and baseline marks (finishResult adds those), with the files
  // that finishResult reads and finds without footprint-ignore.
  const raw = key && listing ? { findingsJson: JSON.stringify(findings), diagnostics: (await collector()).diagnostics.slice(), inventory, counts, unmarked: [] as string[] } : undefined;
  const result = await finishResult(findings, inventory, counts, { onUnmarked: (file) => raw?.unmarked.push(file) });
  let json: string | undefined;
  if (key && listing && raw) {
    // With no baseline, no config suppression and no footprint-ignore in any file with findings, the result is the
    // rules' output as it stands (a reuse applies nothing either: config and listing are the key): store it rendered.
    const unmarked = new Set(raw.unmarked);
    const settled = !options.baseline && config.suppressions.length === 0 && findings.every((f) => f.file === '.' || f.file === '' || unmarked.has(f.file));
    const rendered = settled && storable(listing, startedAtMs) ? await renderedBody(result, renderJsonReport) : undefined;
    const body: StoredResult['body'] = rendered ? { kind: 'rendered', ...rendered } : rawBody(raw);
    timings.result = saveResult(root, key, listing, startedAtMs, body, tree) ? 'stored' : 'not-stored';
    // Rendered already: a large result's report is not rendered (and held) a second time.
    if (rendered) json = rendered.text;
  }
  timings.total = performance.now() - started;
  return json === undefined ? { result, timings } : { result, timings, json };
}

/** The JSON report as the CLI renders it (the reporters load only to store a rendered result). */
async function renderJsonReport(result: ScanResult): Promise<string> {
  const { render } = await import('../report/index.js');
  return render(result, 'json');
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

export type { Diagnostic };

/**
 * Whether to ask git for its object ids (a second git listing and git's stat of every tracked file, ~0.2 s at 100k
 * files) when the stats may not match the stored result: when there is none, or when more than half of the files
 * changed (their ctime) after it was stored, as in a fresh clone (a CI runner with a restored cache) where every
 * file is new to the file system but not to git. A pull request's few changed files are read and hashed instead.
 */
function idsWanted(stored: StoredResult | undefined, changedShare: number): boolean {
  return stored?.storedAt === undefined || changedShare > 0.5;
}

/** The share of (up to 32, evenly spaced) FILES whose ctime is after MS: 1 without MS. */
function sampleChanged(root: string, files: readonly string[], ms: number | undefined): number {
  if (ms === undefined || files.length === 0) return 1;
  const step = Math.max(1, Math.floor(files.length / 32));
  let sampled = 0;
  let changed = 0;
  for (let i = 0; i < files.length; i += step) {
    sampled++;
    const stat = statSync(`${root}/${files[i]}`, { throwIfNoEntry: false });
    if (stat === undefined || stat.ctimeMs > ms) changed++;
  }
  return changed / sampled;
}
