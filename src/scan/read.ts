import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnalyzerDiagnostic } from '../analyzers/types.js';

export type ReadOutcome = { ok: true; text: string; bytes: number } | { ok: false; skipped: boolean; diagnostic: AnalyzerDiagnostic };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Read a file as text or say why not: too large, binary, not UTF-8, unreadable, a symlink loop or a dangling
 * link. Never throws. Line endings are normalised to \n and a BOM is dropped, so positions are stable.
 */
export async function readSource(root: string, relative: string, maxBytes: number): Promise<ReadOutcome> {
  const absolute = path.join(root, relative);
  let size: number;
  try {
    const stat = await fs.stat(absolute);
    if (!stat.isFile()) {
      return { ok: false, skipped: true, diagnostic: { code: 'unreadable', message: 'Not a regular file (a link to a folder or a device); not followed' } };
    }
    size = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, skipped: true, diagnostic: { code: 'symlink-loop', message: 'Symbolic link loop; not followed' } };
    if (code === 'ENOENT') return { ok: false, skipped: true, diagnostic: { code: 'dangling-symlink', message: 'Symbolic link to a missing file' } };
    return { ok: false, skipped: false, diagnostic: { code: 'unreadable', message: `Cannot read file (${code ?? 'error'})` } };
  }
  if (size > maxBytes) {
    return { ok: false, skipped: true, diagnostic: { code: 'too-large', message: `File is ${size} bytes, over the ${maxBytes}-byte limit (maxFileSize); not scanned` } };
  }
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(absolute);
  } catch (error) {
    return { ok: false, skipped: false, diagnostic: { code: 'unreadable', message: `Cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
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
