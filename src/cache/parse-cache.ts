/**
 * Content-hash cache of parsed models in ROOT/.footprint-cache/. It caches what analyzers return (plain
 * serialisable models plus the diagnostics they reported), never findings: rules are cross-file and always run.
 *
 * One pack file per key (key = tool version + build id (the installed code) + config hash + analyzer ids). An entry
 * per file path holds {size, mtimeMs, ctimeMs, hash} and the per-analyzer results. An unchanged stat reuses the entry
 * without reading the file; a changed stat with the same content hash reuses it too.
 *
 * The pack is read lazily, so that a scan never holds every model at once (chunked scans drop theirs, see
 * scan/chunks.ts): each entry is a JSON text of its own; after them comes an index (JSON: every path with its stat,
 * where its entry starts and how long it is), and the last bytes give where the index starts. Opening reads only the
 * index; an entry is read (one positioned read) and parsed when its file is looked up. Entries computed in this run
 * are written out as they come, to the file that becomes the next pack, rather than kept.
 *
 * A re-scan where a few files changed (a pull request) does not rewrite the pack: the entries that differ from it,
 * and the paths gone from it, go to a small JSON delta file next to it, tied to the pack by the pack's id. Past
 * DELTA_SHARE of the files (or when there is no pack yet) the whole pack is rewritten (unchanged entries copied as
 * they are) and the delta dropped.
 *
 * Safe under concurrent runs: a pack is written to a unique temp file and renamed into place (atomic on POSIX), so
 * readers see an old or a new pack, never a torn one (and a run reads the pack it opened to the end); the last
 * writer wins. A pack, index or entry that does not deserialise or has the wrong shape is ignored (and replaced on
 * the next save). Cache I/O never fails a scan.
 */
import { abandoned, ensureCacheDir, PRIVATE_FILE_MODE, writeAtomically } from './dir.js';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { exactJson } from '../util/json.js';
import { decodeEntry, encodeEntry } from './yaml-codec.js';
import type { AnalyzerDiagnostic } from '../analyzers/types.js';
import { buildId, CACHE_DIR } from './build-id.js';
import { isStrictlySorted, rowFinder } from '../util/row-finder.js';
import { writeAll, writeTextSync } from '../util/write-text.js';

export { buildId, CACHE_DIR };

const FORMAT = 8; // 3: YAML models no longer carry helm.actions; 4: packs have an id, deltas refer to it; 5: ctimes; 6: lazy packs; 7: YAML trees as arrays (yaml-codec.ts); 8: named templates keep the keys they write
const PREFIX = `parse-v${FORMAT}-`;
/** The pack's last bytes: a newline and the index's offset in 16 decimal digits. */
const TRAILER = 17;
/** Writes are gathered into blocks of this size. */
const BLOCK = 1 << 20;
/** Changed or removed entries a delta may hold, as a share of all entries (and at least DELTA_MIN). */
const DELTA_SHARE = 0.05;
const DELTA_MIN = 50;
const UNCACHEABLE = 1;
/** An entry's JSON begins with its stat and content key (see keep): enough of it to read the key. */
const ENTRY_HEAD = 256;
const ENTRY_HASH = /^\{"size":[-\d.e+]+,"mtimeMs":[-\d.e+]+,(?:"ctimeMs":[-\d.e+]+,)?"hash":"([^"\\]*)"/;

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
  /** Its models do not survive JSON (see entryJson): a marker so an unchanged file does not force a rewrite. */
  uncacheable?: true;
  /** A file that was read but not scanned (binary, not UTF-8): the diagnostic, replayed on a hit. */
  unreadable?: { skipped: boolean; diagnostic: AnalyzerDiagnostic };
  results: Record<string, CachedAnalyzerResult>;
}

/** The pack's index: one column per field, a row per entry. */
interface PackIndex {
  format: number;
  key: string;
  /** Random: a delta applies to the pack whose id it names, never to a pack written since. */
  id: string;
  paths: string[];
  size: number[];
  mtime: number[];
  ctime: (number | null)[];
  /** Bit 0: uncacheable; the bits above: the caller's tag of the entry (see CacheOptions.tag). */
  flags: number[];
  at: number[];
  length: number[];
}

interface Delta {
  format: number;
  key: string;
  base: string;
  entries: Record<string, CacheEntry>;
  removed: string[];
}

const FROM_PACK = 0;
const FROM_DELTA = 1;
const WRITTEN = 2;
/** The open pack's entry under a new stat: its bytes are copied, the index row has the new stat. */
const RESTAMPED = 3;

/**
 * What the next pack holds, a row per path in the order kept: where its entry comes from (the open pack's row
 * `source`, copied as it is; the delta; or written to the next pack at `at`), and the stat its index row records.
 * Columns of numbers rather than an object per file: 300k files kept 30 MB of objects.
 */
class KeptRows {
  readonly paths: string[] = [];
  readonly from: number[] = [];
  readonly source: number[] = [];
  readonly at: number[] = [];
  readonly length: number[] = [];
  readonly size: number[] = [];
  readonly mtime: number[] = [];
  /** NaN for none (a double column stays unboxed). */
  readonly ctime: number[] = [];
  readonly flags: number[] = [];

  get count(): number {
    return this.paths.length;
  }

  /**
   * A row for PATH. A path kept again gets a second row, and the last one counts (see settle): no map from path to
   * row while the scan runs (3.7 MB at 100k files, for as long as the chunks hold their models).
   */
  set(path: string, from: number, source: number, at: number, length: number, entry: Pick<CacheEntry, 'size' | 'mtimeMs' | 'ctimeMs'>, flags: number): void {
    this.paths.push(path);
    this.from.push(from);
    this.source.push(source);
    this.at.push(at);
    this.length.push(length);
    this.size.push(entry.size);
    this.mtime.push(entry.mtimeMs);
    this.ctime.push(entry.ctimeMs ?? Number.NaN);
    this.flags.push(flags);
  }

  /** Drop the rows a later row of the same path superseded (in place, order kept); the kept paths. */
  settle(): Set<string> {
    const kept = new Set<string>();
    let duplicates = false;
    for (let row = this.count - 1; row >= 0; row--) {
      const path = this.paths[row]!;
      if (kept.has(path)) duplicates = true;
      else kept.add(path);
    }
    if (!duplicates) return kept;
    const last = new Map<string, number>();
    this.paths.forEach((path, row) => last.set(path, row));
    const columns = [this.paths, this.from, this.source, this.at, this.length, this.size, this.mtime, this.ctime, this.flags] as unknown[][];
    let to = 0;
    for (let row = 0; row < this.count; row++) {
      if (last.get(this.paths[row]!) !== row) continue;
      for (const column of columns) column[to] = column[row];
      to++;
    }
    for (const column of columns) column.length = to;
    return kept;
  }
}

export interface CacheOptions {
  /**
   * A small number the index keeps for each entry, for tagByStat: what a caller needs to know of an entry before
   * (or instead of) reading it. It must depend on nothing but the entry and the installed code (the cache key).
   */
  tag?: (entry: CacheEntry) => number;
}

export interface CacheKeyParts {
  toolVersion: string;
  configHash: string;
  analyzerIds: readonly string[];
  /** Identifies the installed code; default: a hash of the stats of this package's compiled files. */
  buildId?: string;
}

/**
 * A file's content key: the id git gives the bytes as a blob (so a file git vouches for has it without a read, see
 * gitContentKey) and their size.
 */
export function contentHash(buffer: Uint8Array): string {
  return gitContentKey(createHash('sha1').update(`blob ${buffer.length}\0`).update(buffer).digest('hex'), buffer.length);
}

/**
 * The content key of a file git vouches for (see discover's gitObjectIds): the object id git's index holds and the
 * size of the file. A checkout may write other bytes than the object's (line endings, LFS, filters); with the size
 * in the key, a model made from other bytes of the same object (another checkout's settings) is not taken for these.
 */
export function gitContentKey(oid: string, size: number): string {
  return `git:${oid}:${size}`;
}

function isEntry(value: unknown): value is CacheEntry {
  if (!value || typeof value !== 'object') return false;
  const e = value as Partial<CacheEntry>;
  return typeof e.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.hash === 'string' && !!e.results && typeof e.results === 'object';
}

function isIndex(value: unknown, key: string): value is PackIndex {
  if (!value || typeof value !== 'object') return false;
  const x = value as Partial<PackIndex>;
  if (x.format !== FORMAT || x.key !== key || typeof x.id !== 'string' || !Array.isArray(x.paths)) return false;
  const rows = x.paths.length;
  return [x.size, x.mtime, x.ctime, x.flags, x.at, x.length].every((column) => Array.isArray(column) && column.length === rows);
}

/** Every row names a path, an entry inside the pack's first END bytes, and numbers (a damaged index is never followed). */
function entriesWithin(index: PackIndex, end: number): boolean {
  for (let i = 0; i < index.paths.length; i++) {
    const at = index.at[i]!;
    const length = index.length[i]!;
    if (typeof index.paths[i] !== 'string' || !Number.isSafeInteger(at) || !Number.isSafeInteger(length) || at < 0 || length < 0 || at + length > end) return false;
    if (!Number.isSafeInteger(index.flags[i]) || typeof index.size[i] !== 'number' || typeof index.mtime[i] !== 'number') return false;
  }
  return true;
}

/**
 * INDEX as JSON, a slice of each column at a time: as one string (and its bytes) it was 60 MB of a 300k-file scan's
 * peak.
 */
function writeIndex(writer: BlockWriter, index: PackIndex): void {
  const { paths, size, mtime, ctime, flags, at, length, ...head } = index;
  writer.write(JSON.stringify(head).slice(0, -1));
  for (const [name, column] of Object.entries({ paths, size, mtime, ctime, flags, at, length })) {
    writer.write(`,${JSON.stringify(name)}:[`);
    for (let i = 0; i < column.length; i += 4096) writer.write(`${i > 0 ? ',' : ''}${JSON.stringify(column.slice(i, i + 4096)).slice(1, -1)}`);
    writer.write(']');
  }
  writer.write('}');
}

/** Reads from an open file through one reused buffer. */
class BlockReader {
  private buffer: Buffer;
  /** The file's bytes [start, end) are in buffer[0, end - start). */
  private start = 0;
  private end = 0;

  /**
   * READ_AHEAD > 0: each read fills up to that many bytes from where it starts, and later reads inside them are
   * answered from memory. Only for a file nobody writes to while it is read (a finished pack, never one still being
   * written).
   */
  constructor(
    private readonly fd: number,
    private readonly readAhead = 0,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(64 * 1024, readAhead));
  }

  /** LENGTH bytes at AT; valid until the next read. */
  read(at: number, length: number): Buffer {
    if (this.readAhead > 0 && at >= this.start && at + length <= this.end) return this.buffer.subarray(at - this.start, at - this.start + length);
    const want = Math.max(length, this.readAhead);
    if (this.buffer.length < want) this.buffer = Buffer.allocUnsafe(Math.max(want, this.buffer.length * 2));
    // Nothing is cached while the buffer is overwritten: a read that fails (or throws) leaves no stale window.
    this.end = this.start;
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, this.buffer, done, want - done, at + done);
      if (n === 0) throw new Error('pack ends early');
      done += n;
    }
    this.start = at;
    this.end = at + done;
    return this.buffer.subarray(0, length);
  }
}

/**
 * A pack's entries are read in about the order they were written (path order), ~1.3 KB each: one read of this many
 * bytes answers a few hundred of them (100k files: ~87,000 reads of the pack -> ~500).
 */
const PACK_READ_AHEAD = 256 * 1024;

/** Appends to a file through a block buffer; `size` is where the next write lands. */
class BlockWriter {
  size = 0;
  private block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  constructor(readonly fd: number) {}

  write(data: string | Uint8Array): void {
    // A text that fits even at 3 bytes per UTF-16 unit goes straight in: one pass over it, not a count and a copy.
    if (typeof data === 'string' && this.used + data.length * 3 <= this.block.length) {
      const written = this.block.write(data, this.used, 'utf8');
      this.used += written;
      this.size += written;
      return;
    }
    const length = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
    if (this.used + length > this.block.length) this.flush();
    if (length >= this.block.length) {
      if (typeof data === 'string') writeTextSync(this.fd, data);
      else writeAll(this.fd, data);
    } else if (typeof data === 'string') this.block.write(data, this.used, 'utf8');
    else this.block.set(data, this.used);
    if (length < this.block.length) this.used += length;
    this.size += length;
  }

  flush(): void {
    if (this.used > 0) writeAll(this.fd, this.block.subarray(0, this.used));
    this.used = 0;
  }
}

export class ParseCache {
  readonly file: string;
  readonly deltaFile: string;
  readonly key: string;
  /** The open pack (what a delta is relative to), read until the run saves. */
  private pack?: { fd: number; reader: BlockReader; id: string; index: PackIndex; rowOf: (path: string) => number };
  private delta?: { entries: Map<string, CacheEntry>; removed: Set<string> };
  /** Entries the pack and its delta give this run. */
  private readonly oldCount: number;
  private readonly next = new KeptRows();
  /** The next pack while it is written: this run's new entries, as they come. */
  private out?: { writer: BlockWriter; temp: string };
  /** An I/O error while writing: nothing is saved. */
  private broken = false;
  private changed = false;
  hits = 0;
  misses = 0;
  /** Misses whose stat changed but whose content did not (same hash, or same git id): models reused, not parsed. */
  sameContent = 0;
  /** Of those, the ones git's id answered without reading the file. */
  byGitId = 0;
  /** Why the stored pack was not used, when it existed but was unusable. */
  ignored?: string;

  /** How many entries the stored pack and its delta hold (0 on a first run, or after a tool or config change). */
  get stored(): number {
    return this.oldCount;
  }
  /** How the last save wrote: the whole pack, a delta, or nothing. */
  wrote?: 'pack' | 'delta';

  readonly dir: string;

  private readonly tagOf?: (entry: CacheEntry) => number;

  private constructor(dir: string, key: string, options: CacheOptions, pack?: ParseCache['pack'], delta?: Delta) {
    this.tagOf = options.tag;
    this.dir = dir;
    this.key = key;
    this.file = path.join(dir, `${PREFIX}${key.slice(0, 24)}.pack`);
    this.deltaFile = path.join(dir, `${PREFIX}${key.slice(0, 24)}.delta.json`);
    this.pack = pack;
    let count = pack?.index.paths.length ?? 0;
    if (delta) {
      this.delta = { entries: new Map(Object.entries(delta.entries)), removed: new Set(delta.removed) };
      for (const file of this.delta.removed) if (pack && pack.rowOf(file) >= 0) count--;
      for (const file of this.delta.entries.keys()) if (!pack || pack.rowOf(file) < 0 || this.delta.removed.has(file)) count++;
    }
    this.oldCount = count;
  }

  static open(root: string, parts: CacheKeyParts, options: CacheOptions = {}): ParseCache {
    const key = createHash('sha256')
      // Tags are the tag function's: a pack written without it (or with another) is another pack.
      .update(JSON.stringify([FORMAT, parts.toolVersion, parts.buildId ?? buildId(), parts.configHash, [...parts.analyzerIds], options.tag?.name ?? '']))
      .digest('hex');
    const dir = path.join(root, CACHE_DIR);
    const empty = new ParseCache(dir, key, options);
    let fd: number;
    try {
      fd = openSync(empty.file, 'r');
    } catch {
      return empty;
    }
    try {
      const reader = new BlockReader(fd, PACK_READ_AHEAD);
      const size = fstatSync(fd).size;
      if (size < TRAILER) throw new Error('too short');
      const trailer = reader.read(size - TRAILER, TRAILER).toString('latin1');
      if (!/^\n\d{16}$/.test(trailer)) throw new Error('no trailer');
      const at = Number(trailer.slice(1));
      if (at > size - TRAILER) throw new Error('index outside the pack');
      const index = JSON.parse(reader.read(at, size - TRAILER - at).toString('utf8')) as unknown;
      if (!isIndex(index, key) || !entriesWithin(index, at)) {
        closeSync(fd);
        empty.ignored = 'unexpected pack header';
        return empty;
      }
      // Packs are written with their rows sorted by path: a lookup needs no map (see rowFinder).
      const pack = { fd, reader, id: index.id, index, rowOf: rowFinder(index.paths) };
      return new ParseCache(dir, key, options, pack, readDelta(empty.deltaFile, key, index.id));
    } catch {
      closeSync(fd);
      empty.ignored = 'pack does not deserialise';
      return empty;
    }
  }

  /** The pack's row of FILE, if it has one. */
  private packRow(file: string): number | undefined {
    const i = this.pack ? this.pack.rowOf(file) : -1;
    return i < 0 ? undefined : i;
  }

  /**
   * Take PATHS' strings for the pack's index, in place of the copies its JSON gave: the scan holds the same paths for
   * its files anyway (at 100k files the copies were 6 MB).
   */
  adoptPaths(paths: Iterable<string>): void {
    if (!this.pack) return;
    const { rowOf, index } = this.pack;
    for (const path of paths) {
      const i = rowOf(path);
      if (i >= 0) index.paths[i] = path;
    }
  }

  /** The bytes of the pack's entry in row I (valid until the pack's next read). */
  private packBytes(i: number): Buffer {
    const { reader, index } = this.pack!;
    return reader.read(index.at[i]!, index.length[i]!);
  }

  /**
   * The pack's entry in row I, or undefined when it does not read back as one. Its stat is the index row's: a
   * restamped entry (see restamp) was copied with the stat it had when written.
   */
  private packEntry(i: number): CacheEntry | undefined {
    try {
      const entry = JSON.parse(this.packBytes(i).toString('utf8')) as unknown;
      if (!isEntry(entry)) return undefined;
      const { index } = this.pack!;
      const decoded = decodeEntry(entry);
      decoded.size = index.size[i]!;
      decoded.mtimeMs = index.mtime[i]!;
      const ctime = index.ctime[i];
      if (ctime === null || ctime === undefined) delete decoded.ctimeMs;
      else decoded.ctimeMs = ctime;
      return decoded;
    } catch {
      return undefined;
    }
  }

  /** The entry this run may reuse for FILE: the delta's, else the pack's (unless the delta removed it). */
  private old(file: string): CacheEntry | undefined {
    const fromDelta = this.delta?.entries.get(file);
    if (fromDelta !== undefined) return isEntry(fromDelta) ? decodeEntry(fromDelta) : undefined;
    if (this.delta?.removed.has(file)) return undefined;
    const i = this.packRow(file);
    return i === undefined ? undefined : this.packEntry(i);
  }

  /** The entry for PATH when its size and mtime are unchanged (no read needed). */
  byStat(file: string, size: number, mtimeMs: number, ctimeMs: number): CacheEntry | undefined {
    // The index answers a changed stat without reading the entry.
    if (!this.inDelta(file) && this.statRow(file, size, mtimeMs, ctimeMs) === undefined) return undefined;
    const entry = this.old(file);
    if (!entry || entry.uncacheable || entry.size !== size || entry.mtimeMs !== mtimeMs || entry.ctimeMs !== ctimeMs) return undefined;
    return entry;
  }

  /**
   * The tag of PATH's entry (see CacheOptions.tag) when its size and mtime are unchanged, without reading the entry
   * (unless the delta has it); undefined when there is no such entry or no tag function.
   */
  tagByStat(file: string, size: number, mtimeMs: number, ctimeMs: number): number | undefined {
    if (!this.tagOf) return undefined;
    if (this.inDelta(file)) {
      const entry = this.byStat(file, size, mtimeMs, ctimeMs);
      return entry && this.tagOf(entry);
    }
    const i = this.statRow(file, size, mtimeMs, ctimeMs);
    return i === undefined ? undefined : this.pack!.index.flags[i]! >> 1;
  }

  /**
   * The tag of PATH's entry when its content key is HASH (the stat changed, the content did not), from the index and
   * the head of the entry, without decoding its models; undefined when the pack has no such entry (or the delta has
   * the say on it).
   */
  tagByHash(file: string, hash: string): number | undefined {
    if (!this.tagOf || this.inDelta(file)) return undefined;
    const i = this.packRow(file);
    if (i === undefined || this.pack!.index.flags[i]! & UNCACHEABLE) return undefined;
    return this.packHash(i) === hash ? this.pack!.index.flags[i]! >> 1 : undefined;
  }

  /** The content key in the head of the pack's entry in row I (entries are written stat first, then the key). */
  private packHash(i: number): string | undefined {
    const { reader, index } = this.pack!;
    const head = reader.read(index.at[i]!, Math.min(index.length[i]!, ENTRY_HEAD)).toString('latin1');
    return ENTRY_HASH.exec(head)?.[1];
  }

  /**
   * The content key of FILE's stored entry when `carry` can keep that entry for this stat without decoding it: the
   * stat is the one stored (pack or delta), or the pack's entry has GIT_KEY (git vouches the content is the same).
   */
  carriableKey(file: string, size: number, mtimeMs: number, ctimeMs: number, gitKey?: string): string | undefined {
    if (this.inDelta(file)) {
      const entry = this.delta!.entries.get(file);
      if (!entry || !isEntry(entry) || entry.uncacheable || entry.size !== size || entry.mtimeMs !== mtimeMs || entry.ctimeMs !== ctimeMs) return undefined;
      return entry.hash;
    }
    const i = this.statRow(file, size, mtimeMs, ctimeMs);
    if (i !== undefined) return this.packHash(i);
    if (gitKey === undefined) return undefined;
    const row = this.packRow(file);
    return row !== undefined && !(this.pack!.index.flags[row]! & UNCACHEABLE) && this.packHash(row) === gitKey ? gitKey : undefined;
  }

  /**
   * Keep FILE's stored entry for the next pack, unread, under this stat (a chunk whose stored result was replayed,
   * see scan/chunk-results.ts): as it is, or restamped. Only for a file `carriableKey` answered with this stat.
   */
  carry(file: string, size: number, mtimeMs: number, ctimeMs: number): void {
    const stamp = { size, mtimeMs, ctimeMs };
    if (this.inDelta(file)) {
      this.hits++;
      this.next.set(file, FROM_DELTA, -1, -1, 0, stamp, this.flagsOf(this.old(file)!, false));
      return;
    }
    const i = this.packRow(file)!;
    if (this.statRow(file, size, mtimeMs, ctimeMs) === i) {
      this.hits++;
      this.next.set(file, FROM_PACK, i, -1, 0, stamp, this.pack!.index.flags[i]!);
      return;
    }
    this.misses++;
    this.sameContent++;
    this.byGitId++;
    this.changed = true;
    this.next.set(file, RESTAMPED, i, -1, 0, stamp, this.pack!.index.flags[i]!);
  }

  /** The delta has the say on FILE (an entry, or its removal): the pack's index does not. */
  private inDelta(file: string): boolean {
    return !!this.delta && (this.delta.entries.has(file) || this.delta.removed.has(file));
  }

  /** The pack's row for FILE when the index records this stat and a cacheable entry. */
  private statRow(file: string, size: number, mtimeMs: number, ctimeMs: number): number | undefined {
    const i = this.packRow(file);
    if (i === undefined) return undefined;
    const { index } = this.pack!;
    return index.size[i] !== size || index.mtime[i] !== mtimeMs || (index.ctime[i] ?? undefined) !== ctimeMs || index.flags[i]! & UNCACHEABLE ? undefined : i;
  }

  private flagsOf(entry: CacheEntry, uncacheable: boolean): number {
    return (uncacheable ? UNCACHEABLE : 0) | ((this.tagOf?.(entry) ?? 0) << 1);
  }

  /** The entry for PATH when its content is unchanged (stat differs, e.g. after a checkout). */
  byHash(file: string, hash: string): CacheEntry | undefined {
    const entry = this.old(file);
    if (!entry || entry.uncacheable || entry.hash !== hash) return undefined;
    return entry;
  }

  /**
   * Keep ENTRY for the next pack. `fresh`: it was computed (or its stat changed), so the pack must be rewritten; it is
   * written out now, so nothing a rule later does to its models can reach the cache. Otherwise it is ENTRY as the
   * pack or delta has it (byStat's answer).
   */
  keep(file: string, entry: CacheEntry, fresh: boolean): void {
    if (!fresh) {
      this.hits++;
      const fromDelta = this.delta?.entries.has(file) ?? false;
      const i = fromDelta ? undefined : this.packRow(file);
      const flags = i === undefined ? this.flagsOf(entry, !!entry.uncacheable) : this.pack!.index.flags[i]!;
      this.next.set(file, fromDelta ? FROM_DELTA : FROM_PACK, i ?? -1, -1, 0, entry, flags);
      return;
    }
    this.misses++;
    if (!this.knownUncacheable(file, entry)) this.changed = true;
    const json = entryJson(entry);
    const flags = this.flagsOf(entry, json.uncacheable);
    if (this.broken) return;
    try {
      const out = this.openOut();
      const at = out.writer.size;
      out.writer.write(json.text);
      this.next.set(file, WRITTEN, -1, at, out.writer.size - at, entry, flags);
    } catch {
      this.broken = true;
    }
  }

  /**
   * Keep the stored entry of FILE (ENTRY: it, with the new stat) under its new stat: its content hash matched, so
   * its bytes are copied as they are and only the index row changes (a fresh clone restamps every file: no entry is
   * serialised again). An entry the delta holds, or an uncacheable one, is kept as a new one.
   */
  restamp(file: string, entry: CacheEntry): void {
    const i = this.inDelta(file) ? undefined : this.packRow(file);
    if (i === undefined || this.pack!.index.flags[i]! & UNCACHEABLE || this.broken) {
      this.keep(file, entry, true);
      return;
    }
    this.misses++;
    this.changed = true;
    this.next.set(file, RESTAMPED, i, -1, 0, entry, this.pack!.index.flags[i]!);
  }

  /**
   * FILE's entry was already stored as uncacheable, for the same content and stat: re-parsing it changes nothing
   * stored. The index tells most entries apart without reading them (a changed stat makes every file fresh).
   */
  private knownUncacheable(file: string, entry: CacheEntry): boolean {
    const i = this.inDelta(file) ? undefined : this.packRow(file);
    if (i !== undefined && !(this.pack!.index.flags[i]! & UNCACHEABLE)) return false;
    const old = this.old(file);
    return !!old && !!old.uncacheable && old.hash === entry.hash && old.size === entry.size && old.mtimeMs === entry.mtimeMs && old.ctimeMs === entry.ctimeMs;
  }

  private openOut(): NonNullable<ParseCache['out']> {
    if (!this.out) {
      ensureCacheDir(this.dir);
      const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      this.out = { writer: new BlockWriter(openSync(temp, 'w+', PRIVATE_FILE_MODE)), temp };
    }
    return this.out;
  }

  /** Write what changed (a delta, or the whole pack) when anything changed or files disappeared. Atomic; errors are swallowed. */
  save(): void {
    try {
      this.write();
    } catch {
      // the cache is only ever an optimisation
    } finally {
      this.close();
    }
    this.dropStale();
  }

  private write(): void {
    const { next } = this;
    if (this.broken) return;
    const kept = next.settle();
    if (!this.changed && this.oldCount === next.count) return;
    const differing: number[] = [];
    for (let row = 0; row < next.count; row++) if (next.from[row] !== FROM_PACK) differing.push(row);
    const removed = this.pack ? this.pack.index.paths.filter((file) => !kept.has(file)) : [];
    const budget = Math.max(DELTA_MIN, next.count * DELTA_SHARE);
    if (this.pack && differing.length + removed.length <= budget) {
      this.out?.writer.flush();
      const reader = this.out ? new BlockReader(this.out.writer.fd) : undefined;
      const entries = differing.map((row) => `${JSON.stringify(next.paths[row])}:${this.keptJson(row, reader)}`).join(',');
      const head = `{"format":${FORMAT},"key":${JSON.stringify(this.key)},"base":${JSON.stringify(this.pack.id)}`;
      writeAtomically(this.deltaFile, [`${head},"removed":${JSON.stringify(removed)},"entries":{${entries}}}`]);
      this.wrote = 'delta';
      return;
    }
    this.writePack();
    this.wrote = 'pack';
  }

  /**
   * Once the whole pack is written: packs of other keys (older builds, configs or formats) and this pack's old delta,
   * which can never be hit again. Always: the temp files of runs that ended without saving (killed), each as large
   * as a pack, which nobody would ever rename.
   */
  private dropStale(): void {
    try {
      for (const name of readdirSync(this.dir)) {
        if (!name.startsWith('parse-v')) continue;
        const file = path.join(this.dir, name);
        if (name.endsWith('.tmp') ? abandoned(name) : this.wrote === 'pack' && file !== this.file) unlinkSync(file);
      }
    } catch {
      // no folder, or a concurrent run removed it already
    }
  }

  /** The JSON of the entry kept in ROW (READER: over the next pack written so far). */
  private keptJson(row: number, reader: BlockReader | undefined): string {
    const { next } = this;
    if (next.from[row] === WRITTEN) return reader!.read(next.at[row]!, next.length[row]!).toString('utf8');
    if (next.from[row] === FROM_DELTA) return this.deltaJson(row);
    if (next.from[row] === RESTAMPED) {
      // A delta entry carries its own stat.
      const entry: CacheEntry = { ...this.packEntry(next.source[row]!)!, size: next.size[row]!, mtimeMs: next.mtime[row]! };
      const ctime = next.ctime[row]!;
      if (Number.isNaN(ctime)) delete entry.ctimeMs;
      else entry.ctimeMs = ctime;
      return entryJson(entry).text;
    }
    return this.packBytes(next.source[row]!).toString('utf8');
  }

  /** The JSON of the delta's entry kept in ROW. */
  private deltaJson(row: number): string {
    return entryJson(this.delta!.entries.get(this.next.paths[row]!)!).text;
  }

  /** The next pack: this run's new entries (written already), the kept ones copied after them, the index, the trailer. */
  private writePack(): void {
    const { writer, temp } = this.openOut();
    const { next } = this;
    for (let row = 0; row < next.count; row++) {
      if (next.from[row] === WRITTEN) continue;
      const at = writer.size;
      if (next.from[row] === FROM_PACK || next.from[row] === RESTAMPED) writer.write(this.packBytes(next.source[row]!));
      else writer.write(this.deltaJson(row));
      next.at[row] = at;
      next.length[row] = writer.size - at;
    }
    // Rows sorted by path, so that a reader finds them without a map (see rowFinder); the entries stay where they are.
    const order = Array.from({ length: next.count }, (_, row) => row);
    if (!isStrictlySorted(next.paths)) order.sort((a, b) => (next.paths[a]! < next.paths[b]! ? -1 : 1));
    const column = <T>(values: readonly T[]) => order.map((row) => values[row]!);
    const index: PackIndex = {
      format: FORMAT,
      key: this.key,
      id: randomBytes(12).toString('hex'),
      paths: column(next.paths),
      size: column(next.size),
      mtime: column(next.mtime),
      ctime: column(next.ctime).map((c) => (Number.isNaN(c) ? null : c)),
      flags: column(next.flags),
      at: column(next.at),
      length: column(next.length),
    };
    const indexAt = writer.size;
    writeIndex(writer, index);
    writer.write(`\n${String(indexAt).padStart(16, '0')}`);
    writer.flush();
    closeSync(writer.fd);
    this.out = undefined;
    // Not renamed over while open (Windows refuses that).
    this.closePack();
    renameSync(temp, this.file);
  }

  private closePack(): void {
    if (!this.pack) return;
    try {
      closeSync(this.pack.fd);
    } catch {
      // already closed
    }
    this.pack = undefined;
  }

  /** Let go of the open pack and of a next pack not written (its temp file is removed). */
  close(): void {
    this.closePack();
    if (this.out) {
      try {
        closeSync(this.out.writer.fd);
      } catch {
        // already closed
      }
      try {
        unlinkSync(this.out.temp);
      } catch {
        // nothing to clean up
      }
      this.out = undefined;
    }
  }
}

/** An entry as JSON; one JSON cannot give back exactly is stored as a marker and re-parsed on every run. */
function entryJson(entry: CacheEntry): { text: string; uncacheable: boolean } {
  // The encoded entry holds every value the entry does: JSON gives it back exactly when it gives the entry back.
  const exact = exactJson(encodeEntry(entry));
  if (exact !== undefined) return { text: exact, uncacheable: !!entry.uncacheable };
  return { text: JSON.stringify({ size: entry.size, mtimeMs: entry.mtimeMs, ctimeMs: entry.ctimeMs, hash: entry.hash, uncacheable: true, results: {} }), uncacheable: true };
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
