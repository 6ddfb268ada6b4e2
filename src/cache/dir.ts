import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { writeTextSync } from '../util/write-text.js';
import path from 'node:path';

/**
 * Create the cache folder private to its owner, with a .gitignore that ignores everything in it: the parse cache
 * holds file contents (values included) as models, so it must never be committed or shared by accident.
 */
export function ensureCacheDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ignoreFile = path.join(dir, '.gitignore');
  if (!existsSync(ignoreFile)) writeFileSync(ignoreFile, '# written by footprint: this cache is never committed\n*\n', { mode: 0o600 });
}

export const PRIVATE_FILE_MODE = 0o600;

/** Write CHUNKS to a unique temp file and rename it over FILE: readers see the old or the new file, never a torn one. */
export function writeAtomically(file: string, chunks: Iterable<string>): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'w', PRIVATE_FILE_MODE);
    try {
      for (const chunk of chunks) writeTextSync(fd, chunk);
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

/** A temp file (FILE.PID.RANDOM.tmp) whose writer is no longer running. */
export function abandoned(name: string): boolean {
  const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
