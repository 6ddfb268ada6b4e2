/**
 * What each chunk of a chunked scan (see chunks.ts) added to the result, kept for the next run: a pull request that
 * changes a few files leaves most chunks as they were, and a chunk whose inputs are all the same gives the same
 * findings, diagnostics and inventory entries. Those are replayed instead of decoding the chunk's models and running
 * every rule over them again (issue 7: at 100k files, nine chunks of ten).
 *
 * A chunk's part of the result depends on nothing but its project (the context plus its own files), the deployment
 * graph (every path, and the context), what the collector held before it on the project's files (a finding already
 * made is not made twice; the inventory reads findings), and the installed code and config. So its key is a hash of:
 * - the parse cache's key (tool version, build, config hash, analyzers);
 * - every candidate's path (the graph resolves references against them; a file added anywhere misses every chunk);
 * - the content key of every file of the first pass that the YAML or .env readers claim (the context);
 * - the findings on context files and the tree-level diagnostics made before the chunk (none is on its own files yet);
 * - each of the chunk's own files with its content key (which context files it owns follows from the paths and the
 *   context).
 * Content keys are the parse cache's (git's blob id and size), so a fresh clone with the cache restored matches too.
 *
 * Records are JSON texts taken when the chunk ends: later stages mark findings (suppressions, baselines) and fill the
 * chart environments of inventory entries (ChartEnvironments.finish); a record names the chart of each list to fill
 * instead. Only the records of the last run are kept. A record that does not read back is a miss, never an error.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../cache/build-id.js';
import { abandoned, ensureCacheDir, writeAtomically } from '../cache/dir.js';
import type { ParseCandidate } from '../cache/pipeline.js';
import { gitContentKey, type ParseCache } from '../cache/parse-cache.js';
import type { Diagnostic, Finding, InventoryEntry } from '../types.js';
import type { FindingCollector } from './collector.js';
import type { StatOutcome } from './read.js';

const FORMAT = 1;
const PREFIX = `chunks-v${FORMAT}-`;

export interface ChunkRecord {
  findings: Finding[];
  diagnostics: Diagnostic[];
  inventory: InventoryEntry[];
  /** Per inventory entry: the chart whose environments fill its list once every chunk ran, or null. */
  waiting: (string | null)[];
  /** The chart names and environments of the chunk's values files (ChartEnvironments.namesOf). */
  chartValues: [string, string][];
  counts: { scanned: number; skipped: number; failed: number };
}

function isRecord(value: unknown): value is ChunkRecord {
  if (!value || typeof value !== 'object') return false;
  const r = value as Partial<ChunkRecord>;
  return (
    Array.isArray(r.findings) &&
    Array.isArray(r.diagnostics) &&
    Array.isArray(r.inventory) &&
    Array.isArray(r.waiting) &&
    r.waiting.length === r.inventory.length &&
    Array.isArray(r.chartValues) &&
    !!r.counts &&
    typeof r.counts.scanned === 'number' &&
    typeof r.counts.skipped === 'number' &&
    typeof r.counts.failed === 'number'
  );
}

export class ChunkResults {
  /** Chunks replayed from the stored records in this run. */
  reused = 0;
  private readonly kept = new Map<string, string>();
  /** A chunk ran and was kept: the stored records are not this run's. */
  private added = false;

  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly key: string,
    private readonly stored: Map<string, string>,
  ) {}

  /** The records stored under the parse cache key KEY in ROOT's cache folder (none when there are none). */
  static open(root: string, key: string): ChunkResults {
    const dir = path.join(root, CACHE_DIR);
    const file = path.join(dir, `${PREFIX}${key.slice(0, 24)}.json`);
    const stored = new Map<string, string>();
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; key?: unknown; records?: unknown };
      if (data && data.format === FORMAT && data.key === key && data.records && typeof data.records === 'object') {
        for (const [chunkKey, text] of Object.entries(data.records as Record<string, unknown>)) if (typeof text === 'string') stored.set(chunkKey, text);
      }
    } catch {
      // none yet, or unreadable: every chunk runs
    }
    return new ChunkResults(dir, file, key, stored);
  }

  /** No record is stored (a first run, or the first after a new build or config). */
  get empty(): boolean {
    return this.stored.size === 0;
  }

  /** The record stored for CHUNK_KEY, kept for the next run too; undefined when there is none or it does not read back. */
  take(chunkKey: string): ChunkRecord | undefined {
    const text = this.stored.get(chunkKey);
    if (text === undefined) return undefined;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isRecord(record)) return undefined;
    this.kept.set(chunkKey, text);
    this.reused++;
    return record;
  }

  /** Keep RECORD of a chunk that ran, as it is now. */
  keep(chunkKey: string, record: ChunkRecord): void {
    this.kept.set(chunkKey, JSON.stringify(record));
    this.added = true;
  }

  /** Write this run's records (atomically), and drop those of other keys. Errors are swallowed: it is a cache. */
  save(): void {
    // Every chunk replayed: the stored file is this run's already.
    if (!this.added && this.kept.size === this.stored.size) return;
    try {
      ensureCacheDir(this.dir);
      const records = [...this.kept].map(([chunkKey, text]) => `${JSON.stringify(chunkKey)}:${JSON.stringify(text)}`).join(',');
      writeAtomically(this.file, [`{"format":${FORMAT},"key":${JSON.stringify(this.key)},"records":{${records}}}`]);
      // Records of other keys, and the temp files of runs killed while writing theirs.
      for (const name of readdirSync(this.dir)) {
        if (!name.startsWith('chunks-v')) continue;
        const file = path.join(this.dir, name);
        if (name.endsWith('.tmp') ? abandoned(name) : file !== this.file) unlinkSync(file);
      }
    } catch {
      // the next run runs every chunk
    }
  }
}

/** An incremental hash, for the parts of a chunk key made along the way (the listing, the context). */
export function digest(): { add(text: string): void; done(): string } {
  const hash = createHash('sha256');
  return {
    add: (text) => void hash.update(text),
    done: () => hash.digest('hex'),
  };
}

/** The key of a chunk (see the module comment). FILES: each of its files' path and content key, in chunk order. */
export function chunkKey(base: string, before: string, files: readonly (readonly [string, string])[]): string {
  return createHash('sha256').update(JSON.stringify([FORMAT, base, before, files])).digest('hex');
}

/** The chunk keys of one chunked scan, and the replay of stored records (see the module comment). */
export class ChunkReplay {
  /**
   * What a chunk may read of the collector, hashed as it grows: the findings on context files and the tree-level
   * diagnostics, in the order they were made. A chunk's project is the context and its own files, and no finding lands
   * on its own files before it runs (no earlier project holds them), so these are all it can read; each is hashed once.
   */
  private readonly findingsSeen = createHash('sha256');
  private readonly diagnosticsSeen = createHash('sha256');
  private findingsFed = 0;
  private diagnosticsFed = 0;

  /** BASE: the parse cache key and the digests of the listing and the context. */
  constructor(
    private readonly results: ChunkResults,
    private readonly base: string,
    private readonly contextPaths: ReadonlySet<string>,
  ) {}

  /** The digest of what of COLLECTOR the next chunk may read. */
  before(collector: FindingCollector): string {
    for (const findings = collector.findings; this.findingsFed < findings.length; this.findingsFed++) {
      const finding = findings[this.findingsFed]!;
      if (this.contextPaths.has(finding.file)) this.findingsSeen.update(JSON.stringify(finding));
    }
    for (const diagnostics = collector.diagnostics; this.diagnosticsFed < diagnostics.length; this.diagnosticsFed++) {
      const d = diagnostics[this.diagnosticsFed]!;
      if (d.file === '.') this.diagnosticsSeen.update(JSON.stringify(d));
    }
    return `${this.findingsSeen.copy().digest('hex')}:${this.diagnosticsSeen.copy().digest('hex')}`;
  }

  /**
   * The stored record of the chunk of CANDIDATES, when every one of its files has the content it had and the cache
   * still holds its entry (which is then kept for the next pack, unread); else undefined, and nothing is kept.
   */
  stored(before: string, candidates: readonly ParseCandidate[], statOf: (file: string) => StatOutcome, cache: ParseCache): ChunkRecord | undefined {
    if (this.results.empty) return undefined;
    const files: [string, string][] = [];
    const stats: Extract<StatOutcome, { ok: true }>[] = [];
    for (const { file } of candidates) {
      const stat = statOf(file.path);
      if (!stat.ok) return undefined;
      const key = cache.carriableKey(file.path, stat.size, stat.mtimeMs, stat.ctimeMs, stat.oid === undefined ? undefined : gitContentKey(stat.oid, stat.size));
      if (key === undefined) return undefined;
      files.push([file.path, key]);
      stats.push(stat);
    }
    const record = this.results.take(chunkKey(this.base, before, files));
    if (record) stats.forEach((stat, i) => cache.carry(files[i]![0], stat.size, stat.mtimeMs, stat.ctimeMs));
    return record;
  }

  /** Keep RECORD of a chunk that ran, when each of its FILES has a content key (a file that cannot be read has none). */
  keep(before: string, files: readonly (readonly [string, string | undefined])[], record: ChunkRecord): void {
    if (files.some(([, key]) => key === undefined)) return;
    this.results.keep(chunkKey(this.base, before, files as readonly (readonly [string, string])[]), record);
  }
}
