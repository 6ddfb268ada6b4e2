/**
 * The expensive half of a scan: parse every candidate file, run the rules over the project, build the inventory.
 * Loaded only when the result cache cannot answer (see run.ts), so a re-scan of an unchanged tree never loads an
 * analyzer, a parser or a rule.
 */
import { globsMatcher } from '../util/glob.js';
import { ANALYZERS } from '../analyzers/index.js';
import type { Analyzer, FileContext, ParsedFile } from '../analyzers/types.js';
import { ParseCache } from '../cache/parse-cache.js';
import { ParsePool, threadsFor } from '../cache/parallel.js';
import { parseFiles, type ParseCandidate } from '../cache/pipeline.js';
import type { ResolvedConfig } from '../config/types.js';
import { ChartEnvironments, buildInventory, compareInventory } from '../inventory/build.js';
import { RULES } from '../rules/index.js';
import type { Rule, RuleContext } from '../rules/types.js';
import type { Diagnostic, Finding, InventoryEntry, Summary } from '../types.js';
import { TOOL_VERSION } from '../util/package.js';
import { safeMessage } from '../util/errors.js';
import { collectGarbage, heapIsOurs } from '../util/gc.js';
import { releaseTypeScript } from '../analyzers/tests/typescript.js';
import { releaseTreeSitter } from '../analyzers/tests/treesitter.js';
import { cmp, compareFindings, ruleSetting, type FindingCollector } from './collector.js';
import type { DiscoveredFile } from './discover.js';
import { deploymentGraph, inheritedNote, shareDeploymentGraph } from './deployment-graph.js';
import { lineEnvironments, notRenderedNote } from './rendered-environments.js';
import { isDocumentationExamplePath } from './documentation.js';
import { EnvironmentResolver } from './environment.js';
import { Project } from './project.js';
import type { YamlFileModel } from '../analyzers/yaml.js';
import { getStr } from '../yaml/model.js';
import { setInternPooling } from '../analyzers/compact.js';
import { CHUNK_AUTO_PAST, CONTEXT_DEFERRAL, DeferredFiles, JUDGED_WITH_YAML, cacheHoldsModels, chunkSizeFor, chunksPay, chartDefaultsFor, firstPassTag, chartRootsOf, chunkUnit, isChunkable, planChunks } from './chunks.js';
import type { StatLookup } from '../cache/result-cache.js';
import { ChunkReplay, ChunkResults, digest } from './chunk-results.js';
import { statSourceSync } from './read.js';
import { localSubchartDirs } from './local-subcharts.js';
import { NESTED_CHARTS_GLOB } from '../config/defaults.js';

/** Past this many files (a tree big enough to be chunked) models share their repeated texts: see setInternPooling. */
const INTERN_POOL_PAST_FILES = CHUNK_AUTO_PAST;

export const ANALYZER_IDS: readonly string[] = ANALYZERS.map((a) => a.id);

const NO_INHERITED_ENVIRONMENTS = (): undefined => undefined;

export function fileContextFactory(config: ResolvedConfig, localSubcharts: ReadonlySet<string> = new Set()): (filePath: string) => FileContext {
  const environments = new EnvironmentResolver(config);
  const vendored = globsMatcher(config.vendored);
  // An umbrella chart's file:// subcharts are first-party: only the globs other than the packaged-subcharts one apply.
  const vendoredBesidesSubcharts = globsMatcher(config.vendored.filter((glob) => glob !== NESTED_CHARTS_GLOB));
  const inLocalSubchart = (filePath: string) => {
    for (let at = filePath.lastIndexOf('/'); at > 0; at = filePath.lastIndexOf('/', at - 1)) if (localSubcharts.has(filePath.slice(0, at))) return true;
    return false;
  };
  const isTest = globsMatcher(config.testPaths);
  return (filePath) => {
    const test = isTest(filePath);
    return {
      path: filePath,
      environment: environments.resolve(filePath, test),
      vendored: localSubcharts.size > 0 && inLocalSubchart(filePath) ? vendoredBesidesSubcharts(filePath) : vendored(filePath),
      isTest: test,
    };
  };
}

export interface AnalyzeInput {
  root: string;
  config: ResolvedConfig;
  /**
   * Every discovered file. Read once, into the candidates, then emptied: at 100k files the list (and the paths of the
   * files no analyzer claims or whose models were judged) is ~8 MB that nothing reads while the rules run.
   */
  files: readonly DiscoveredFile[];
  rules?: readonly Rule[];
  collector: FindingCollector;
  cache?: boolean;
  onProgress?: (done: number, total: number, phase?: 'chunks') => void;
  /** Stats already taken for the result cache, reused by the reader. */
  stats?: StatLookup;
  threads?: number;
  /**
   * With more YAML files than this, they are judged this many at a time (see chunks.ts), so that their models need
   * not all be in memory at once; 0 never chunks; default: see chunkSizeFor. The result never depends on it.
   */
  chunkSize?: number;
}

export interface AnalyzeOutput {
  /** Sorted, before suppressions and baseline marks. */
  findings: Finding[];
  inventory: InventoryEntry[];
  counts: Summary['files'];
  timings: { read: number; parse: Record<string, number>; rules: Record<string, number>; inventory: number; cache?: { hits: number; misses: number; sameContent: number; byGitId: number; load: number; save: number }; chunks?: { count: number; files: number; reused?: number } };
  /** Past the size where YAML files may be judged in chunks (whether or not they were): its models were many. */
  large: boolean;
}

export async function analyze(input: AnalyzeInput): Promise<AnalyzeOutput> {
  const { root, config, collector } = input;
  const rules = input.rules ?? RULES;
  const contextOf = fileContextFactory(config, localSubchartDirs(root, input.files.map((f) => f.path)));
  // Paths the config's `environments:` names are deployed there: never documentation examples (see the collector).
  const configuredEnvironments = new EnvironmentResolver(config);
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
  input.files = [];

  let mark = performance.now();
  const cache = input.cache ? ParseCache.open(root, { toolVersion: TOOL_VERSION, configHash: config.hash, analyzerIds: ANALYZER_IDS }, { tag: firstPassTag }) : undefined;
  cache?.adoptPaths(candidates.map((c) => c.file.path));
  const cacheLoad = performance.now() - mark;
  const chunkable = candidates.filter(isChunkable);
  setInternPooling(candidates.length > INTERN_POOL_PAST_FILES);
  const chunkSize = chunkSizeFor(chunkable.length, input.chunkSize, cache !== undefined && cacheHoldsModels(cache.stored, candidates.length));
  let chunked = chunkSize > 0;
  // Chunks parse in several calls: one set of workers (if any) serves them all.
  const pool = chunked ? ParsePool.start(config, threadsFor(input.threads, candidates.length)) : undefined;
  try {
    const parseOptions = { cache, diagnostic: (d: Diagnostic) => collector.diagnostic(d), safeMessage, stats: input.stats, threads: input.threads, pool };
    const chartRoots = chunked ? chartRootsOf(candidates.map((c) => c.file.path)) : undefined;
    // Chunk results of the last run (see chunk-results.ts): with the parse cache's content keys, for the registry's rules.
    const chunkResults = chunked && cache && !input.rules ? ChunkResults.open(root, cache.key) : undefined;
    const listing = digest();
    const contextKeys = digest();
    if (chunkResults) for (const c of candidates) listing.add(`${c.file.path}\n`);
    const onContextKey = chunkResults
      ? (candidate: ParseCandidate, key: string) => {
          if (candidate.analyzers.some((a) => a.id === 'yaml' || JUDGED_WITH_YAML.has(a.id))) contextKeys.add(`${candidate.file.path}\0${key}\n`);
        }
      : undefined;
    // A candidate the first pass is done with goes (a file it deferred or parsed stays with its list or model): files
    // with nothing to keep (docs, data, scripts without findings; a third of a large tree) held their candidate,
    // context and path to its end.
    const released = candidates as (ParseCandidate | undefined)[];
    const deferred = new DeferredFiles();
    const first = await parseFiles(root, candidates, config, {
      ...parseOptions,
      onProgress: input.onProgress,
      defer: chunked ? { ...CONTEXT_DEFERRAL, keep: (candidate) => deferred.add(candidate) } : undefined,
      done: (index) => (released[index] = undefined),
      onKey: onContextKey,
    });
    let chunkablePaths = chunked ? new Set(chunkable.map((c) => c.file.path)) : undefined;
    chunkable.length = 0;
    // A context per discovered file (the credential scan claims every text file): at 100k files ~35 MB that the rules
    // never read. The parsed files keep their own.
    candidates.length = 0;
    const timings: AnalyzeOutput['timings'] = { read: first.readMs, parse: first.parseMs, rules: {}, inventory: 0 };
    const counts = { ...first.counts };
    const addPart = (part: Awaited<ReturnType<typeof parseFiles>>) => {
      counts.scanned += part.counts.scanned;
      counts.skipped += part.counts.skipped;
      counts.failed += part.counts.failed;
      timings.read += part.readMs;
      for (const [id, ms] of Object.entries(part.parseMs)) timings.parse[id] = (timings.parse[id] ?? 0) + ms;
    };
    // Candidates come in path order (discovery sorts): a stable sort by path merges parts back into that order.
    const byCandidateOrder = (a: ParsedFile, b: ParsedFile) => cmp(a.file.path, b.file.path);
    if (chunked) {
      // Chart defaults the context reads join it now (only their charts' templates tell which ones).
      const defaults = deferred.takeAll(chartDefaultsFor(first.parsed));
      if (defaults.length > 0) {
        const part = await parseFiles(root, defaults, config, { ...parseOptions, onKey: onContextKey });
        addPart(part);
        first.parsed = [...first.parsed, ...part.parsed].sort(byCandidateOrder);
      }
      // The values files of the Helm releases of local charts: templates are judged as each release renders them (its
      // values switches, names and namespaces; the environments that render a finding's line), so they join the context too.
      const releaseValues = releaseValuesOfContext(first.parsed, config, deferred);
      if (releaseValues.size > 0) {
        const taken = deferred.takeAll(releaseValues);
        if (taken.length > 0) {
          const part = await parseFiles(root, taken, config, { ...parseOptions, onKey: onContextKey });
          addPart(part);
          first.parsed = mergeSorted(first.parsed, part.parsed.sort(byCandidateOrder), byCandidateOrder);
        }
      }
      const contextFiles = first.parsed.filter((p) => p.analyzer === 'yaml').length;
      if (input.chunkSize === undefined && !chunksPay(deferred.length, contextFiles, chunkSize)) {
        // Judged at once, as a scan without chunks: the deferred files are parsed now and join the rest.
        timings.chunks = { count: 0, files: deferred.length };
        const part = await parseFiles(root, deferred.takeRest(), config, parseOptions);
        addPart(part);
        first.parsed = mergeSorted(first.parsed, part.parsed.sort(byCandidateOrder), byCandidateOrder);
        chunked = false;
        chunkablePaths = undefined;
      }
    }

    // Every file TypeScript or tree-sitter parses is parsed by now (they are never chunked).
    await releaseParsers();
    // The first pass's parse garbage, before its rules add their own (gen100k: 296 -> 283 MB peak).
    if (chunkSize > 0) collectGarbage();
    const enabled = rules.filter((rule) => ruleSetting(config, rule.meta.id).enabled);
    const inventory: InventoryEntry[] = [];
    const chartEnvs = chunked ? new ChartEnvironments() : undefined;
    /** Run every rule over PROJECT and build its inventory, keeping only what lands in the files OWNED says. */
    /** Returns, with OWNED, the chart names and environments of its values files the inventory took (for a chunk's record). */
    const judge = (project: Project, owned?: (path: string) => boolean): [string, string][] | undefined => {
      // Environments inherited through kustomize/helmfile/Argo CD/Flux references: computed after parsing, never part
      // of the parse-time FileContext (which keys the parse cache).
      collector.inheritEnvironments((path, line) => {
        const found = lineEnvironments(project, path, line);
        if (!found) return undefined;
        const { rendered, notRendered } = found;
        const skipped = notRendered.length > 0 ? notRenderedNote(notRendered) : undefined;
        if (!rendered) return { note: `no environment of its own; ${skipped}` };
        return { environment: rendered.primary, note: skipped ? `${inheritedNote(rendered)}; ${skipped}` : inheritedNote(rendered) };
      }, (path) => deploymentGraph(project).deployedOutsideDocs(path) || configuredEnvironments.isConfigured(path));
      for (const rule of enabled) {
        const setting = ruleSetting(config, rule.meta.id);
        const t = performance.now();
        // Inside the check of an item this project owns, everything counts, whichever file it lands in (a
        // kustomization's generator reports on its .env source). Items of other projects' files are theirs to check.
        let checking = 0;
        const isOurs = (file: string) => !owned || checking > 0 || owned(file);
        const diagnostic = (d: Diagnostic) => {
          if (isOurs(d.file) || (d.file === '.' && !collector.diagnostics.some((e) => e.file === '.' && e.ruleId === d.ruleId && e.message === d.message))) collector.diagnostic(d);
        };
        const context: RuleContext = {
          project,
          config,
          options: setting.options,
          report: (report) => {
            if (isOurs(report.file.path)) collector.add(rule, report);
          },
          each(items, fileOf, check) {
            for (const item of items) {
              if (!isOurs(fileOf(item))) continue;
              checking++;
              try {
                check(item);
              } catch (error) {
                diagnostic({ file: fileOf(item), code: 'rule-crash', ruleId: rule.meta.id, message: `Rule ${rule.meta.id} failed: ${safeMessage(error)}` });
              } finally {
                checking--;
              }
            }
          },
        };
        try {
          rule.check(context);
        } catch (error) {
          diagnostic({ file: '.', code: 'rule-crash', ruleId: rule.meta.id, message: `Rule ${rule.meta.id} failed: ${safeMessage(error)}` });
        }
        timings.rules[rule.meta.id] = (timings.rules[rule.meta.id] ?? 0) + performance.now() - t;
      }
      const t = performance.now();
      // The inventory reads findings' files, resources, rules and origins, never their suppression or baseline marks.
      // A chunk's entries may read the first pass's findings (a kustomization's generated Secret, its .env source).
      const chartValues = owned ? ChartEnvironments.namesOf(project, owned) : undefined;
      // The collector's test for findings: an example nothing deploys (and the config does not name).
      const documentationExample = (path: string) => isDocumentationExamplePath(path) && !deploymentGraph(project).deployedOutsideDocs(path) && !configuredEnvironments.isConfigured(path);
      const entries = owned
        ? buildInventory(project, collector.findings.slice().sort(compareFindings), chartEnvs!.addNamed(chartValues!), owned, documentationExample)
        : buildInventory(project, collector.findings.sort(compareFindings), undefined, undefined, documentationExample);
      for (const entry of entries) if (!owned || owned(entry.file)) inventory.push(entry);
      timings.inventory += performance.now() - t;
      // Let the project go: a closure made in here would hold it (closures share their function's context).
      collector.inheritEnvironments(NO_INHERITED_ENVIRONMENTS);
      return chartValues;
    };

    if (cache && !chunked) saveCache(cache, cacheLoad, timings); // before the rules run: nothing a rule does to a model can reach the cache
    if (!chunked) {
      judge(new Project(first.parsed, config));
    } else {
      // The YAML files of the first pass (with every model of theirs) are every chunk's context (see chunks.ts). A
      // chunk judges whole units: its deferred files and the chunkable context files of the same units; the first
      // pass judges the rest, every other file included.
      const yamlPaths = new Set(first.parsed.filter((p) => p.analyzer === 'yaml').map((p) => p.file.path));
      const context = first.parsed.filter((p) => yamlPaths.has(p.file.path) || JUDGED_WITH_YAML.has(p.analyzer));
      const deferredPaths = deferred.pathList as readonly string[]; // none taken yet
      const chunks = planChunks(deferredPaths, chunkSize, chartRoots!);
      timings.chunks = { count: chunks.length, files: deferred.length };
      const owner = new Map<string, number>();
      const unitChunk = new Map<string, number>();
      chunks.forEach((chunk, index) => {
        for (const i of chunk) {
          owner.set(deferredPaths[i]!, index);
          unitChunk.set(chunkUnit(deferredPaths[i]!, chartRoots!), index);
        }
      });
      for (const path of yamlPaths) {
        const index = chunkablePaths!.has(path) ? unitChunk.get(chunkUnit(path, chartRoots!)) : undefined;
        if (index !== undefined) owner.set(path, index);
      }
      // Per-file sets the chunks never read again (at 100k files ~2 MB for as long as they run).
      chunkablePaths = undefined;
      unitChunk.clear();
      // One deployment graph for the first project and every chunk: over the deferred files' paths too, it is the one
      // a whole scan builds. The first project itself is let go once judged (the graph keeps none of it).
      const graph = ((project: Project) => {
        const built = deploymentGraph(project, { paths: deferredPaths, environmentAt: (i) => deferred.environmentAt(i) });
        judge(project, (path) => !owner.has(path));
        return built;
      })(new Project(first.parsed, config));
      // Judged: the models of its other files (Dockerfiles, test code, scripts) are no chunk's business.
      first.parsed = [];
      const deferredCount = deferred.length;
      const replay = chunkResults && new ChunkReplay(chunkResults, JSON.stringify([cache!.key, listing.done(), contextKeys.done()]), new Set(context.map((p) => p.file.path)));
      let judged = 0;
      /**
       * Parse, judge and record one chunk. A function of its own: once it returns, nothing of its frame (the chunk's
       * models, files and project) is left for the next chunk's collection to find (an async function's registers
       * held the previous chunk's models through the next chunk's parse).
       */
      const judgeChunk = async (index: number, candidatesOfChunk: ParseCandidate[], before: string | undefined): Promise<void> => {
        const marks = { findings: collector.findings.length, diagnostics: collector.diagnostics.length, inventory: inventory.length, handedOut: chartEnvs!.handedOut };
        const keys = new Map<string, string>();
        const part = await parseFiles(root, candidatesOfChunk, config, replay ? { ...parseOptions, onKey: (c, key) => keys.set(c.file.path, key) } : parseOptions);
        addPart(part);
        const files = mergeSorted(context, part.parsed.sort(byCandidateOrder), byCandidateOrder);
        const project = new Project(files, config);
        shareDeploymentGraph(project, graph);
        const owned = (path: string) => owner.get(path) === index;
        const chartValues = judge(project, owned)!;
        if (replay) {
          const lists = chartEnvs!.handedOutSince(marks.handedOut);
          const entries = inventory.slice(marks.inventory);
          replay.keep(before!, candidatesOfChunk.map((c) => [c.file.path, keys.get(c.file.path)]), {
            findings: collector.findings.slice(marks.findings),
            diagnostics: collector.diagnostics.slice(marks.diagnostics),
            inventory: entries,
            waiting: entries.map((entry) => lists.get(entry.environments) ?? null),
            chartValues,
            counts: part.counts,
          });
        }
      };
      for (const [index, chunk] of chunks.entries()) {
        input.onProgress?.(judged, deferredCount, 'chunks');
        chunks[index] = [];
        const candidatesOfChunk = chunk.map((i) => deferred.take(i));
        const before = replay?.before(collector);
        const record = replay?.stored(before!, candidatesOfChunk, (file) => input.stats?.get(file) ?? statSourceSync(root, file, config.maxFileSize), cache!);
        if (record) {
          collector.replay(record.findings, record.diagnostics);
          record.inventory.forEach((entry, i) => {
            const chart = record.waiting[i];
            inventory.push(typeof chart === 'string' ? { ...entry, environments: chartEnvs!.of(chart) } : entry);
          });
          chartEnvs!.addNamed(record.chartValues);
          counts.scanned += record.counts.scanned;
          counts.skipped += record.counts.skipped;
          counts.failed += record.counts.failed;
          judged += candidatesOfChunk.length;
          continue;
        }
        // What the last project built (the first pass's views, the last chunk's models) is garbage now.
        collectGarbage();
        await judgeChunk(index, candidatesOfChunk, before);
        judged += candidatesOfChunk.length;
      }
      input.onProgress?.(judged, deferredCount, 'chunks');
      chartEnvs!.finish();
      if (replay) timings.chunks.reused = chunkResults!.reused;
      if (cache) saveCache(cache, cacheLoad, timings);
      chunkResults?.save();
    }

    mark = performance.now();
    const findings = collector.findings.sort(compareFindings);
    // Stable: entries of one file come from one project, in that project's order.
    if (chunked) inventory.sort(compareInventory);
    timings.inventory += performance.now() - mark;
    return { findings, inventory, counts, timings, large: chunkSize > 0 };
  } finally {
    cache?.close(); // after save, nothing left to close; after an error, the open pack and an unfinished one
    await pool?.close();
  }
}

/**
 * Let go of the TypeScript compiler (~15 MB of heap) and tree-sitter's WebAssembly memory (~35 MB reserved) for the
 * rules and the chunks, where a CLI scan's heap is its own: a library host may scan again, and would load them again.
 * gen100k: 245 -> 233 MB peak.
 */
async function releaseParsers(): Promise<void> {
  if (!heapIsOurs()) return;
  releaseTypeScript();
  // V8 holds a WebAssembly instance through its instantiation until a task of the event loop lets go of it (a heap
  // snapshot shows it held by global handles all through the chunks, which never yield): one turn of the loop.
  if (await releaseTreeSitter()) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A and B, each sorted by ORDER, merged into one sorted list (ties: A's first). */
function mergeSorted<T>(a: readonly T[], b: readonly T[], order: (x: T, y: T) => number): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(order(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function saveCache(cache: ParseCache, load: number, timings: AnalyzeOutput['timings']): void {
  const mark = performance.now();
  cache.save();
  timings.cache = { hits: cache.hits, misses: cache.misses, sameContent: cache.sameContent, byGitId: cache.byGitId, load, save: performance.now() - mark };
}

/**
 * The values files of the Helm releases of the tree (Argo CD, Flux, helmfile): the rules judge a chart's ExternalSecret,
 * PushSecret or store template as each release renders it (duplicate-externalsecret-owner and
 * legacy-secret-store-reference render their names per release), and a finding in any template of a chart gets the
 * environments whose releases render its line (rendered-environments.ts), wherever the chunks put the template. Asked
 * of a deployment graph over the context and the deferred files' paths, made for this only where the context has a
 * deployer (most trees have none: no graph is built for them). Other values files stay deferred: one of them changed
 * leaves the context, and the chunk results of the last run, as they were.
 */
function releaseValuesOfContext(context: readonly ParsedFile[], config: ResolvedConfig, deferred: DeferredFiles): Set<string> {
  const out = new Set<string>();
  let deployers = false;
  for (const parsed of context) {
    if (parsed.analyzer !== 'yaml') continue;
    const model = parsed.model as YamlFileModel | undefined;
    deployers ||= DEPLOYER_FILE.test(parsed.file.path) || (model?.docs.some((d) => DEPLOYER_KIND.test(getStr(d.root, 'kind') ?? '')) ?? false);
    if (deployers) break;
  }
  if (!deployers) return out;
  const probe = new Project(context as ParsedFile[], config);
  const graph = deploymentGraph(probe, { paths: deferred.pathList, environmentAt: (i) => deferred.environmentAt(i) });
  for (const release of graph.releases) for (const v of release.values) out.add(v);
  return out;
}

const DEPLOYER_KIND = /^(Application|ApplicationSet|HelmRelease)$/;
const DEPLOYER_FILE = /(^|\/)helmfile[^/]*$|(^|\/)helmfile\.d\//i;
