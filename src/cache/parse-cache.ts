/**
 * Content-hash cache of parsed models in ROOT/.footprint-cache/. It caches what analyzers return (plain
 * serialisable models plus the diagnostics they reported), never findings: rules are cross-file and always run.
 *
 * One JSON pack file per key (JSON.parse is about twice as fast as v8.deserialize on a 75 MB bitnami pack), key = tool version + build id (the installed code) + config hash + analyzer ids. Inside,
 * entries per file path hold {size, mtimeMs, hash} and the per-analyzer results. An unchanged stat reuses the entry
 * without reading the file; a changed stat with the same content hash reuses it too.
 *
 * A re-scan where a few files changed (a pull request) does not rewrite the pack: the entries that differ from it,
 * and the paths gone from it, go to a small delta file next to it, tied to the pack by the pack's id. Past
 * DELTA_SHARE of the files (or when there is no pack yet) the whole pack is rewritten and the delta dropped.
 *
 * Safe under concurrent runs: a pack is written to a unique temp file and renamed into place (atomic on POSIX), so
 * readers see an old or a new pack, never a torn one; the last writer wins. A pack or entry that does not
 * deserialise or has the wrong shape is ignored (and replaced on the next save). Cache I/O never fails a scan.
 */
import { ensureCacheDir, PRIVATE_FILE_MODE } from './dir.js';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { exactJson } from '../util/json.js';
import type { AnalyzerDiagnostic } from '../analyzers/types.js';
import { buildId, CACHE_DIR } from './build-id.js';

export { buildId, CACHE_DIR };

const FORMAT = 5; // 3: YAML models no longer carry helm.actions; 4: packs have an id, deltas refer to it; 5: ctimes
const PREFIX = `parse-v${FORMAT}-`;
const CHUNK = 1 << 20;
/** Changed or removed entries a delta may hold, as a share of all entries (and at least DELTA_MIN). */
const DELTA_SHARE = 0.05;
const DELTA_MIN = 50;

/** What one analyzer produced for one file. `model` absent: the sniff said no, or parse returned undefined. */
export interface CachedAnalyzerResult {
  model?: unknown;
  sniffed?: false;
  crashed?: string;
  diagnostics: AnalyzerDiagnostic[];
}

export interface CacheEntry {
  size: number;
  mtimeMs: number;
  /** With size and mtime, what lets an unchanged file skip its read (see StatOutcome). */
  ctimeMs?: number;
  /** sha1 of the raw bytes. */
  hash: string;
  /** Its models do not survive JSON (see jsonOrUndefined): a marker so an unchanged file does not force a rewrite. */
  uncacheable?: true;
  /** A file that was read but not scanned (binary, not UTF-8): the diagnostic, replayed on a hit. */
  unreadable?: { skipped: boolean; diagnostic: AnalyzerDiagnostic };
  results: Record<string, CachedAnalyzerResult>;
}

interface Pack {
  format: number;
  key: string;
  /** Random: a delta applies to the pack whose id it names, never to a pack written since. */
  id: string;
  entries: Record<string, CacheEntry>;
}

interface Delta {
  format: number;
  key: string;
  base: string;
  entries: Record<string, CacheEntry>;
  removed: string[];
}

export interface CacheKeyParts {
  toolVersion: string;
  configHash: string;
  analyzerIds: readonly string[];
  /** Identifies the installed code; default: a hash of the stats of this package's compiled files. */
  buildId?: string;
}

export function contentHash(buffer: Uint8Array): string {
  return createHash('sha1').update(buffer).digest('hex');
}

/**
 * ENTRY as JSON, or undefined when JSON would not give it back exactly (NaN/Infinity from YAML .nan/.inf,
 * undefined in arrays, Maps, Dates, class instances): such files are simply re-parsed on every run.
 */
function jsonOrUndefined(entry: CacheEntry): string | undefined {
  return exactJson(entry);
}

function isEntry(value: unknown): value is CacheEntry {
  if (!value || typeof value !== 'object') return false;
  const e = value as Partial<CacheEntry>;
  return typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.hash === 'string' && !!e.results && typeof e.results === 'object';
}

export class ParseCache {
  readonly file: string;
  readonly deltaFile: string;
  readonly key: string;
  /** The entries as the pack on disk has them (what a delta is relative to). */
  private readonly base: Record<string, CacheEntry>;
  private readonly baseId: string | undefined;
  /** The pack with its delta applied: what this run can reuse. */
  private readonly old: Record<string, CacheEntry>;
  private readonly next: Record<string, CacheEntry> = Object.create(null) as Record<string, CacheEntry>;
  private changed = false;
  hits = 0;
  misses = 0;
  /** Why the stored pack was not used, when it existed but was unusable. */
  ignored?: string;
  /** How the last save wrote: the whole pack, a delta, or nothing. */
  wrote?: 'pack' | 'delta';

  private constructor(
    readonly dir: string,
    key: string,
    base: { id: string; entries: Record<string, CacheEntry> } | undefined,
    delta: Delta | undefined,
  ) {
    this.key = key;
    this.file = path.join(dir, `${PREFIX}${key.slice(0, 24)}.json`);
    this.deltaFile = path.join(dir, `${PREFIX}${key.slice(0, 24)}.delta.json`);
    this.base = base?.entries ?? (Object.create(null) as Record<string, CacheEntry>);
    this.baseId = base?.id;
    if (!delta) {
      this.old = this.base;
      return;
    }
    this.old = Object.assign(Object.create(null) as Record<string, CacheEntry>, this.base, delta.entries);
    for (const file of delta.removed) delete this.old[file];
  }

  static open(root: string, parts: CacheKeyParts): ParseCache {
    const key = createHash('sha256')
      .update(JSON.stringify([FORMAT, parts.toolVersion, parts.buildId ?? buildId(), parts.configHash, [...parts.analyzerIds]]))
      .digest('hex');
    const dir = path.join(root, CACHE_DIR);
    const empty = new ParseCache(dir, key, undefined, undefined);
    let raw: string;
    try {
      raw = readFileSync(empty.file, 'utf8');
    } catch {
      return empty;
    }
    let pack: Partial<Pack>;
    try {
      pack = JSON.parse(raw) as Partial<Pack>;
    } catch {
      empty.ignored = 'pack does not deserialise';
      return empty;
    }
    if (!pack || pack.format !== FORMAT || pack.key !== key || typeof pack.id !== 'string' || !pack.entries || typeof pack.entries !== 'object') {
      empty.ignored = 'unexpected pack header';
      return empty;
    }
    return new ParseCache(dir, key, { id: pack.id, entries: pack.entries }, readDelta(empty.deltaFile, key, pack.id));
  }
  /** The entry for PATH when its size and mtime are unchanged (no read needed). */
  byStat(file: string, size: number, mtimeMs: number, ctimeMs: number): CacheEntry | undefined {
    const entry = this.old[file];
    if (!isEntry(entry) || entry.uncacheable || entry.size !== size || entry.mtimeMs !== mtimeMs || entry.ctimeMs !== ctimeMs) return undefined;
    return entry;
  }

  /** The entry for PATH when its content is unchanged (stat differs, e.g. after a checkout). */
  byHash(file: string, hash: string): CacheEntry | undefined {
    const entry = this.old[file];
    if (!isEntry(entry) || entry.uncacheable || entry.hash !== hash) return undefined;
    return entry;
  }

  /** Keep ENTRY for the next pack. `fresh`: it was computed (or its stat changed), so the pack must be rewritten. */
  keep(file: string, entry: CacheEntry, fresh: boolean): void {
    this.next[file] = entry;
    const old = this.old[file];
    const knownUncacheable = isEntry(old) && old.uncacheable && old.hash === entry.hash && old.size === entry.size && old.mtimeMs === entry.mtimeMs && old.ctimeMs === entry.ctimeMs;
    if (fresh && !knownUncacheable) this.changed = true;
    if (fresh) this.misses++;
    else this.hits++;
  }

  /** Write what changed (a delta, or the whole pack) when anything changed or files disappeared. Atomic; errors are swallowed. */
  save(): void {
    if (!this.changed && Object.keys(this.old).length === Object.keys(this.next).length) return;
    const differing: string[] = [];
    for (const file in this.next) if (this.next[file] !== this.base[file]) differing.push(file);
    const removed = Object.keys(this.base).filter((file) => !(file in this.next));
    const budget = Math.max(DELTA_MIN, Object.keys(this.next).length * DELTA_SHARE);
    try {
      ensureCacheDir(this.dir);
      if (this.baseId !== undefined && differing.length + removed.length <= budget) {
        const entries = differing.map((file) => `${JSON.stringify(file)}:${entryJson(this.next[file]!)}`).join(',');
        const head = `{"format":${FORMAT},"key":${JSON.stringify(this.key)},"base":${JSON.stringify(this.baseId)}`;
        writeAtomically(this.deltaFile, [`${head},"removed":${JSON.stringify(removed)},"entries":{${entries}}}`]);
        this.wrote = 'delta';
        return;
      }
      writeAtomically(this.file, this.packChunks());
      this.wrote = 'pack';
    } catch {
      return;
    }
    // Drop packs of other keys (older builds or configs) and this pack's old delta: they can never be hit again.
    try {
      for (const name of readdirSync(this.dir)) {
        if (name.startsWith('parse-v') && path.join(this.dir, name) !== this.file && !name.endsWith('.tmp')) unlinkSync(path.join(this.dir, name));
      }
    } catch {
      // a concurrent run may have removed it already
    }
  }

  /**
   * The whole pack in ~1 MB chunks: it is as large as every model together (114 MB at 100k files); building it as
   * one string first doubled the peak RSS of a first cached run (1.13 GB -> see bench/results).
   */
  private *packChunks(): Generator<string> {
    let chunk = `{"format":${FORMAT},"key":${JSON.stringify(this.key)},"id":${JSON.stringify(randomBytes(12).toString('hex'))},"entries":{`;
    let first = true;
    for (const file in this.next) {
      chunk += `${first ? '' : ','}${JSON.stringify(file)}:${entryJson(this.next[file]!)}`;
      first = false;
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}}}`;
  }
}

/** An entry as JSON; one JSON cannot give back exactly is stored as a marker and re-parsed on every run. */
function entryJson(entry: CacheEntry): string {
  return jsonOrUndefined(entry) ?? JSON.stringify({ size: entry.size, mtimeMs: entry.mtimeMs, ctimeMs: entry.ctimeMs, hash: entry.hash, uncacheable: true, results: {} });
}

/** The delta of the pack with id BASE, or undefined (none, unreadable, or made for another pack). */
function readDelta(file: string, key: string, base: string): Delta | undefined {
  try {
    const delta = JSON.parse(readFileSync(file, 'utf8')) as Partial<Delta>;
    if (!delta || delta.format !== FORMAT || delta.key !== key || delta.base !== base) return undefined;
    if (!delta.entries || typeof delta.entries !== 'object' || !Array.isArray(delta.removed)) return undefined;
    return delta as Delta;
  } catch {
    return undefined;
  }
}

/** Write CHUNKS to a unique temp file and rename it over FILE: readers see the old or the new file, never a torn one. */
function writeAtomically(file: string, chunks: Iterable<string>): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'w', PRIVATE_FILE_MODE);
    try {
      for (const chunk of chunks) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // nothing to clean up
    }
    throw error;
  }
}
