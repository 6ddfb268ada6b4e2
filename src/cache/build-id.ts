import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { CODE_ROOT } from '../util/package.js';

/**
 * The cache folder and the identity of the installed code, in a module of their own: a re-scan answered by the
 * result cache needs them but not the parse cache around them.
 */
export const CACHE_DIR = '.footprint-cache';

let buildIdMemo: string | undefined;

/**
 * A cheap identity of the running code: size and mtime of every .js/.ts file of this package (dist/ when
 * installed, src/ under the test runner; declaration files change no behaviour and are left out). A rebuilt
 * analyzer changes it, so stale models are never reused. Paths are built by concatenation and hashed in one
 * update: every run with a cache pays for this before it can answer (~280 files in dist/).
 */
export function buildId(): string {
  if (buildIdMemo) return buildIdMemo;
  const base = CODE_ROOT;
  const files: string[] = [];
  const stack = [''];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir ? `${base}/${dir}` : base, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const relative = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) stack.push(relative);
      else if (/\.[cm]?[jt]s$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) files.push(relative);
    }
  }
  let text = '';
  for (const file of files.sort()) {
    try {
      const s = statSync(`${base}/${file}`);
      text += `${file}\0${s.size}\0${s.mtimeMs}\n`;
    } catch {
      text += `${file}\0missing\n`;
    }
  }
  buildIdMemo = createHash('sha1').update(text).digest('hex');
  return buildIdMemo;
}

