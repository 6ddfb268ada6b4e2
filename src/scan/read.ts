import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnalyzerDiagnostic } from '../analyzers/types.js';

export type ReadOutcome = { ok: true; text: string; bytes: number } | { ok: false; skipped: boolean; diagnostic: AnalyzerDiagnostic };
export type ReadFailure = Extract<ReadOutcome, { ok: false }>;
export type StatOutcome = { ok: true; size: number; mtimeMs: number } | ReadFailure;
export type BytesOutcome = { ok: true; buffer: Buffer } | ReadFailure;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Stat a file and apply the size limit: links to folders, loops, dangling links and large files are skipped. */
export async function statSource(root: string, relative: string, maxBytes: number): Promise<StatOutcome> {
  const absolute = path.join(root, relative);
  let size: number;
  let mtimeMs: number;
  try {
    const stat = await fs.stat(absolute);
    if (!stat.isFile()) {
      return { ok: false, skipped: true, diagnostic: { code: 'unreadable', message: 'Not a regular file (a link to a folder or a device); not followed' } };
    }
    size = stat.size;
    mtimeMs = stat.mtimeMs;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, skipped: true, diagnostic: { code: 'symlink-loop', message: 'Symbolic link loop; not followed' } };
    if (code === 'ENOENT') return { ok: false, skipped: true, diagnostic: { code: 'dangling-symlink', message: 'Symbolic link to a missing file' } };
    return { ok: false, skipped: false, diagnostic: { code: 'unreadable', message: `Cannot read file (${code ?? 'error'})` } };
  }
  if (size > maxBytes) {
    return { ok: false, skipped: true, diagnostic: { code: 'too-large', message: `File is ${size} bytes, over the ${maxBytes}-byte limit (maxFileSize); not scanned` } };
  }
  return { ok: true, size, mtimeMs };
}

/** The raw bytes of a file that statSource accepted. */
export async function readBytes(root: string, relative: string): Promise<BytesOutcome> {
  try {
    return { ok: true, buffer: await fs.readFile(path.join(root, relative)) };
  } catch (error) {
    return { ok: false, skipped: false, diagnostic: { code: 'unreadable', message: `Cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` } };
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
    text = decoder.decode(buffer);
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
export async function readSource(root: string, relative: string, maxBytes: number): Promise<ReadOutcome> {
  const stat = await statSource(root, relative, maxBytes);
  if (!stat.ok) return stat;
  const bytes = await readBytes(root, relative);
  if (!bytes.ok) return bytes;
  return decodeSource(bytes.buffer);
}
