import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
