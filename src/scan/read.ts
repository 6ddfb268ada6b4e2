import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isAscii } from 'node:buffer';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalyzerDiagnostic } from '../analyzers/types.js';
import { keepShapes } from '../util/gc.js';

export type ReadOutcome = { ok: true; text: string; bytes: number } | { ok: false; skipped: boolean; diagnostic: AnalyzerDiagnostic };
export type ReadFailure = Extract<ReadOutcome, { ok: false }>;
/** `ctimeMs` changes with every write and cannot be set back (unlike mtime): an edit that keeps size and mtime shows. */
/** `oid`: git's object id of the content, when git vouches the file is unmodified (see DiscoveredFile.oid). */
export type StatOutcome = { ok: true; size: number; mtimeMs: number; ctimeMs: number; oid?: string } | ReadFailure;
export type BytesOutcome = { ok: true; buffer: Buffer } | ReadFailure;

const decoder = new TextDecoder('utf-8', { fatal: true });

// A Stats object for good (see keepShapes): this module's own file is there to stat, normally.
try {
  keepShapes(statSync(fileURLToPath(import.meta.url)));
} catch {
  // only slower chunks
}

/** Why a stat'ed file is not read, or undefined when it is. */
function refusal(stat: Stats, maxBytes: number): ReadFailure | undefined {
  if (!stat.isFile()) {
    return { ok: false, skipped: true, diagnostic: { code: 'unreadable', message: `Not a regular file but ${irregularKind(stat)}; not read` } };
  }
  if (stat.size > maxBytes) {
    return { ok: false, skipped: true, diagnostic: { code: 'too-large', message: `File is ${stat.size} bytes, over the ${maxBytes}-byte limit (maxFileSize); not scanned` } };
  }
  return undefined;
}

/** What a path that is not a regular file leads to (a walk lists links to folders as files: it does not follow them). */
function irregularKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a link to a folder';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'a device';
}

function judgeStat(stat: Stats, maxBytes: number): StatOutcome {
  return refusal(stat, maxBytes) ?? { ok: true, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
}

function statFailure(error: unknown): ReadFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return { ok: false, skipped: true, diagnostic: { code: 'symlink-loop', message: 'Symbolic link loop; not followed' } };
  if (code === 'ENOENT') return { ok: false, skipped: true, diagnostic: { code: 'dangling-symlink', message: 'Symbolic link to a missing file' } };
  return { ok: false, skipped: false, diagnostic: { code: 'unreadable', message: `Cannot read file (${code ?? 'error'})` } };
}

function readFailure(error: unknown): ReadFailure {
  return { ok: false, skipped: false, diagnostic: { code: 'unreadable', message: `Cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` } };
}

/**
 * Stat a file and apply the size limit: links to folders, loops, dangling links and large files are skipped.
 * Synchronous: for many small files on a warm page cache, one blocking stat+read costs about half the CPU of the
 * promise API's open/fstat/read/close round trips (bench: 26k files, 1.2 s vs 2.1 s CPU on 2 cores), and parsing
 * is sequential anyway.
 */
export function statSourceSync(root: string, relative: string, maxBytes: number): StatOutcome {
  try {
    // Concatenation, not path.join: RELATIVE is already a normalised POSIX path, and join's normalisation costs
    // more than the stat itself on a cached re-scan (100k calls).
    return judgeStat(statSync(`${root}/${relative}`), maxBytes);
  } catch (error) {
    return statFailure(error);
  }
}

/**
 * statSourceSync without an object per accepted file: its size, mtime and ctime go to OUT at 3 * INDEX, and only a
 * refusal is returned. The result cache stats every candidate of a re-scan this way (~15% less than statSourceSync).
 */
export function statSourceInto(root: string, relative: string, maxBytes: number, out: Float64Array, index: number): ReadFailure | undefined {
  let stat: Stats;
  try {
    stat = statSync(`${root}/${relative}`);
  } catch (error) {
    return statFailure(error);
  }
  const refused = refusal(stat, maxBytes);
  if (refused) return refused;
  out[3 * index] = stat.size;
  out[3 * index + 1] = stat.mtimeMs;
  out[3 * index + 2] = stat.ctimeMs;
  return undefined;
}

/** The one buffer every readBytesTransient reads into: a scan reads its files one after another. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The bytes of a file that statSourceSync accepted with SIZE bytes, in a buffer shared by every call: valid only until the
 * next call (hash or decode it, never keep it). Reads at most SIZE bytes, so the content matches the stat the caches
 * record. Spares readFileSync's fstat and a buffer per file (100k files: ~95 of ~580 ms of reading).
 */
export function readBytesTransient(root: string, relative: string, size: number): BytesOutcome {
  let fd: number | undefined;
  try {
    fd = openSync(path.join(root, relative), 'r');
    if (scratch.length < size) scratch = Buffer.allocUnsafe(size);
    let length = 0;
    while (length < size) {
      const read = readSync(fd, scratch, length, size - length, null);
      if (read === 0) break; // shrunk since the stat
      length += read;
    }
    return { ok: true, buffer: scratch.subarray(0, length) };
  } catch (error) {
    return readFailure(error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Bytes to text, or why not: binary (NUL bytes in the first 8 KiB) or not UTF-8. Line endings are normalised to
 * \n and a BOM is dropped, so positions are stable.
 */
export function decodeSource(buffer: Buffer): ReadOutcome {
  if (buffer.subarray(0, 8192).includes(0)) {
    return { ok: false, skipped: true, diagnostic: { code: 'binary', message: 'Binary content (NUL bytes); not scanned' } };
  }
  let text: string;
  try {
    // ASCII is most of a platform repo (3,872 of bitnami/charts' 4,192 files): its bytes are its text, and the
    // vectorised check plus a copy cost less than validating UTF-8 byte by byte.
    text = isAscii(buffer) ? buffer.toString('latin1') : decoder.decode(buffer);
  } catch {
    return { ok: false, skipped: false, diagnostic: { code: 'encoding', message: 'Not valid UTF-8; not scanned' } };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { ok: true, text, bytes: buffer.length };
}

/**
 * Read a file as text or say why not: too large, binary, not UTF-8, unreadable, a symlink loop or a dangling
 * link. Never throws. Line endings are normalised to \n and a BOM is dropped, so positions are stable.
 */
export function readSourceSync(root: string, relative: string, maxBytes: number): ReadOutcome {
  const stat = statSourceSync(root, relative, maxBytes);
  if (!stat.ok) return stat;
  const bytes = readBytesTransient(root, relative, stat.size);
  return bytes.ok ? decodeSource(bytes.buffer) : bytes;
}
