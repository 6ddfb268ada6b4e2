/**
 * Read and parse every candidate file as a stream, in candidate order: only the texts waiting for a parse worker
 * (a bounded amount) are in memory besides the one being parsed, and parsed models come out in candidate order
 * whichever thread parsed them. Reads are synchronous (see statSourceSync). With a ParseCache, unchanged files
 * are not read (same size and mtime) or not parsed (same content hash): their models and diagnostics are replayed
 * from the cache. Parse times are summed over threads.
 */
import type { Analyzer, FileContext, ParsedFile } from '../analyzers/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Diagnostic } from '../types.js';
import { decodeSource, readBytesTransient, statSourceSync, type ReadFailure, type StatOutcome } from '../scan/read.js';
import { clearInternPool, compactPlain } from '../analyzers/compact.js';
import { contentHash, gitContentKey, type CacheEntry, type CachedAnalyzerResult, type ParseCache } from './parse-cache.js';
import type { StatLookup } from './result-cache.js';
import { parseText, type ParsedText } from './parse-one.js';
import { ParsePool, threadsFor } from './parallel.js';

export interface ParseCandidate {
  file: FileContext;
  analyzers: readonly Analyzer[];
}

export interface ParseFilesOptions {
  cache?: ParseCache;
  /** Every diagnostic of reading and parsing, with its file. */
  diagnostic(d: Diagnostic): void;
  /** Turn an analyzer's exception into safe text (no absolute paths). */
  safeMessage(error: unknown): string;
  /** Called before each file and once at the end (done === total), for progress bars. */
  onProgress?(done: number, total: number): void;
  /** Stats already taken (by the result cache's listing), by path: not taken again. */
  stats?: StatLookup;
  /** Threads that parse (see parallel.ts); default by core count and tree size. */
  threads?: number;
  /** Workers started by the caller for several calls (the chunks of analyze.ts): used, never closed here. */
  pool?: ParsePool;
  /**
   * The content key of each file this call reads or finds in the cache (deferred and failed files aside), as soon as
   * it is known.
   */
  onKey?(candidate: ParseCandidate, key: string): void;
  /** Called once the call needs candidate INDEX no more (its caller may let it go). */
  done?(index: number): void;
  /**
   * Leave a file for a later call (the chunks of analyze.ts): not parsed, counted or reported here. Decided on its
   * text after reading, or on its cached results when the cache answers without a read.
   */
  defer?: {
    text(candidate: ParseCandidate, text: string): boolean;
    cached(candidate: ParseCandidate, entry: CacheEntry): boolean;
    /** On the tag the cache's index keeps for an unchanged file (see CacheOptions.tag): no entry read at all. */
    tagged?(candidate: ParseCandidate, tag: number): boolean;
    /** Takes each deferred candidate instead of the result's `deferred` list (to keep less of it than the candidate). */
    keep?(candidate: ParseCandidate): void;
  };
}

export interface ParseFilesResult {
  parsed: ParsedFile[];
  counts: { scanned: number; skipped: number; failed: number };
  /** Time spent reading (stat, read, hash, decode, cache lookups). */
  readMs: number;
  parseMs: Record<string, number>;
  /** The candidates `defer` left for later, in candidate order (none when `defer.keep` took them). */
  deferred: ParseCandidate[];
}

type Loaded =
  | { kind: 'failed'; failure: ReadFailure }
  | { kind: 'deferred' }
  /** `same`: the stored entry as it is; `restamped`: the stored entry under a new stat; `new`: an entry to write. */
  | { kind: 'hit'; entry: CacheEntry; keep: 'same' | 'restamped' | 'new' }
  | { kind: 'read'; stamp: Stamp; hash?: string; text?: string; failure?: ReadFailure };

/** What a cache entry records of a file's stat. */
type Stamp = Pick<CacheEntry, 'size' | 'mtimeMs' | 'ctimeMs'>;

const FAILING_CODES = new Set(['parse-error', 'encoding', 'unreadable', 'too-deep']);

export async function parseFiles(root: string, candidates: readonly ParseCandidate[], config: ResolvedConfig, options: ParseFilesOptions): Promise<ParseFilesResult> {
  const { cache } = options;
  // Parsed models per candidate, so that models parsed by workers take their place in candidate order. Most
  // candidates have one model: it goes in as is, a list only for a second one (a list per file, grown by push, held
  // ~90 bytes of slack each: 5 MB for the 60k models of gen300k's first pass).
  const slots: (ParsedFile | ParsedFile[] | undefined)[] = [];
  const waiting: Promise<void>[] = [];
  const pool = options.pool ?? ParsePool.start(config, threadsFor(options.threads, candidates.length));
  const counts = { scanned: 0, skipped: 0, failed: 0 };
  const failedFiles = new Set<string>();
  const deferred: ParseCandidate[] = [];
  const keepDeferred = options.defer?.keep ?? ((candidate: ParseCandidate) => void deferred.push(candidate));
  const parseMs: Record<string, number> = {};
  let readMs = 0;

  const load = (candidate: ParseCandidate): Loaded => {
    const rel = candidate.file.path;
    const stat = options.stats?.get(rel) ?? statSourceSync(root, rel, config.maxFileSize);
    if (!stat.ok) return { kind: 'failed', failure: stat };
    const stamp: Stamp = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
    // git's id names the content without a read (a fresh clone: every stat is new, no content is).
    const gitKey = cache && stat.oid !== undefined ? gitContentKey(stat.oid, stat.size) : undefined;
    // A file whose stored entry a chunk will judge, known from the index (and the entry's head) without decoding it.
    const deferredByTag = (tag: number | undefined) => tag !== undefined && !!options.defer?.tagged?.(candidate, tag);
    if (cache && options.defer?.tagged && deferredByTag(cache.tagByStat(rel, stat.size, stat.mtimeMs, stat.ctimeMs) ?? (gitKey ? cache.tagByHash(rel, gitKey) : undefined))) {
      return { kind: 'deferred' };
    }
    const complete = (entry: CacheEntry) => !!entry.unreadable || candidate.analyzers.every((a) => entry.results[a.id] !== undefined);
    const byStat = cache?.byStat(rel, stat.size, stat.mtimeMs, stat.ctimeMs);
    if (byStat && complete(byStat)) return { kind: 'hit', entry: byStat, keep: 'same' };
    if (cache && gitKey) {
      const byId = cache.byHash(rel, gitKey);
      if (byId && complete(byId)) {
        cache.sameContent++;
        cache.byGitId++;
        return { kind: 'hit', entry: { ...byId, ...stamp }, keep: 'restamped' };
      }
    }
    // Hashed and decoded before the next read reuses the buffer.
    const bytes = readBytesTransient(root, rel, stat.size);
    if (!bytes.ok) return { kind: 'failed', failure: bytes };
    let hash: string | undefined;
    if (cache) {
      // The bytes' own key: git's id for them, so that the next fresh clone finds the entry by git's id alone, unless
      // this checkout wrote other bytes than the object's (then gitKey names other bytes, and misses).
      hash = contentHash(bytes.buffer);
      if (options.defer?.tagged && hash !== gitKey && deferredByTag(cache.tagByHash(rel, hash))) return { kind: 'deferred' };
      const byHash = hash === gitKey ? undefined : cache.byHash(rel, hash);
      if (byHash && complete(byHash)) {
        cache.sameContent++;
        return { kind: 'hit', entry: { ...byHash, ...stamp }, keep: 'restamped' };
      }
    }
    const decoded = decodeSource(bytes.buffer);
    return decoded.ok
      ? { kind: 'read', stamp, hash, text: decoded.text }
      : { kind: 'read', stamp, hash, failure: decoded };
  };

  const fail = (file: FileContext, failure: ReadFailure) => {
    options.diagnostic({ file: file.path, ...failure.diagnostic });
    if (failure.skipped) counts.skipped++;
    else counts.failed++;
  };

  const replay = (index: number, file: FileContext, analyzer: Analyzer, result: CachedAnalyzerResult) => {
    for (const d of result.diagnostics) {
      if (FAILING_CODES.has(d.code)) failedFiles.add(file.path);
      options.diagnostic({ file: file.path, ...d });
    }
    if (result.crashed !== undefined) {
      failedFiles.add(file.path);
      options.diagnostic({ file: file.path, code: 'analyzer-crash', message: result.crashed });
    }
    if (result.model === undefined) return;
    const parsed: ParsedFile = { file, analyzer: analyzer.id, model: result.model };
    const slot = slots[index];
    if (slot === undefined) slots[index] = parsed;
    else if (Array.isArray(slot)) slot.push(parsed);
    else slots[index] = [slot, parsed];
  };

  // Workers keep the process alive: they are stopped however parsing ends.
  try {
    for (const [index, candidate] of candidates.entries()) {
      if (index > 0) options.done?.(index - 1);
      options.onProgress?.(index, candidates.length);
      const { file } = candidate;
      const started = performance.now();
      const loaded = load(candidate);
      readMs += performance.now() - started;

      if (loaded.kind === 'deferred') {
        keepDeferred(candidate);
        continue;
      }
      if (loaded.kind === 'failed') {
        fail(file, loaded.failure);
        continue;
      }
      if (loaded.kind === 'hit') {
        const { entry } = loaded;
        if (options.defer && !entry.unreadable && options.defer.cached(candidate, entry)) {
          keepDeferred(candidate);
          continue;
        }
        options.onKey?.(candidate, entry.hash);
        if (loaded.keep === 'restamped') cache?.restamp(file.path, entry);
        else cache?.keep(file.path, entry, loaded.keep === 'new');
        if (entry.unreadable) {
          fail(file, { ok: false, ...entry.unreadable });
          continue;
        }
        counts.scanned++;
        for (const analyzer of candidate.analyzers) replay(index, file, analyzer, entry.results[analyzer.id]!);
        continue;
      }
      if (loaded.failure) {
        fail(file, loaded.failure);
        if (loaded.hash) options.onKey?.(candidate, loaded.hash);
        if (cache && loaded.hash) {
          cache.keep(file.path, { ...loaded.stamp, hash: loaded.hash, unreadable: { skipped: loaded.failure.skipped, diagnostic: loaded.failure.diagnostic }, results: {} }, true);
        }
        continue;
      }
      const text = loaded.text!;
      if (options.defer?.text(candidate, text)) {
        keepDeferred(candidate);
        continue;
      }
      if (loaded.hash) options.onKey?.(candidate, loaded.hash);
      counts.scanned++;
      const analyzerIds = candidate.analyzers.map((a) => a.id);
      const record = (outcome: ParsedText) => {
        for (const [id, ms] of Object.entries(outcome.parseMs)) parseMs[id] = (parseMs[id] ?? 0) + ms;
        for (const analyzer of candidate.analyzers) replay(index, file, analyzer, outcome.results[analyzer.id]!);
        if (cache && loaded.hash) cache.keep(file.path, { ...loaded.stamp, hash: loaded.hash, results: outcome.results }, true);
      };
      const parseHere = async () => {
        const outcome = await parseText(text, file, candidate.analyzers, config, options.safeMessage);
        // Every model is kept until the rules ran: no pinned file text, no duplicate strings, no array slack.
        for (const analyzer of candidate.analyzers) {
          const result = outcome.results[analyzer.id]!;
          if (result.model !== undefined) result.model = analyzer.compact ? analyzer.compact(result.model) : compactPlain(result.model);
        }
        return outcome;
      };
      // Workers answer only when this thread lets events run: give them that chance before parsing here instead.
      if (pool && !pool.hasRoom) await new Promise(setImmediate);
      if (pool?.hasRoom) {
        // A model from a worker arrives through JSON: already compact (interning aside). If the worker could not
        // parse it, this thread does.
        waiting.push(pool.submit(file, text, analyzerIds).then(async (outcome) => record(outcome ?? (await parseHere()))));
      } else {
        record(await parseHere());
      }
    }
    if (candidates.length > 0) options.done?.(candidates.length - 1);
    pool?.flush();
    await Promise.all(waiting);
  } finally {
    if (!options.pool) await pool?.close();
  }
  const parsed = slots.flat() as ParsedFile[];
  options.onProgress?.(candidates.length, candidates.length);
  clearInternPool();
  counts.failed += failedFiles.size;
  return { parsed, counts, readMs, parseMs, deferred };
}
