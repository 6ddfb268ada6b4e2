import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { ResolvedConfig } from '../config/types.js';
import { dirname } from '../util/path.js';

export interface DiscoveredFile {
  /** POSIX, relative to root. */
  path: string;
  symlink: boolean;
}

export interface Discovery {
  files: DiscoveredFile[];
  via: 'git' | 'glob';
}

/** Tracked plus untracked-but-not-ignored files, when ROOT is inside a git work tree. */
function gitListing(root: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name', '.'], {
      encoding: 'buffer',
      maxBuffer: 1024 * 1024 * 512,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const prefix = execFileSync('git', ['-C', root, 'rev-parse', '--show-prefix'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out
      .toString('utf8')
      .split('\0')
      .filter(Boolean)
      .map((p) => (prefix && p.startsWith(prefix) ? p.slice(prefix.length) : p));
  } catch {
    return undefined;
  }
}

/** .gitignore files anywhere in the tree, each applying to its own folder, as git does. */
function gitignoreFilter(root: string, ignoreFiles: string[]): (file: string) => boolean {
  const rules: { dir: string; matcher: Ignore }[] = [];
  for (const file of ignoreFiles) {
    try {
      rules.push({ dir: dirname(file) === '.' ? '' : dirname(file), matcher: ignore().add(readFileSync(path.join(root, file), 'utf8')) });
    } catch {
      // An unreadable .gitignore ignores nothing; the file itself is reported by the reader if it matters.
    }
  }
  return (file) =>
    rules.some(({ dir, matcher }) => {
      if (dir && !file.startsWith(`${dir}/`)) return false;
      return matcher.ignores(dir ? file.slice(dir.length + 1) : file);
    });
}

export async function discover(root: string, config: ResolvedConfig, options: { useGit?: boolean } = {}): Promise<Discovery> {
  const include = picomatch(config.include, { dot: true });
  const exclude = picomatch(config.exclude, { dot: true });
  const keep = (p: string) => include(p) && !exclude(p);
  const fromGit = options.useGit === false ? undefined : gitListing(root);
  if (fromGit) {
    // git does not say which entries are links; the reader stats each file and reports loops and dangling links.
    return { files: fromGit.filter(keep).sort().map((p) => ({ path: p, symlink: false })), via: 'git' };
  }
  const entries = await fg(config.include, {
    cwd: root,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    objectMode: true,
    ignore: config.exclude,
    suppressErrors: true,
  });
  const ignoreFiles = entries.filter((e) => e.name === '.gitignore' && e.dirent.isFile()).map((e) => e.path);
  const ignored = gitignoreFilter(root, ignoreFiles);
  const files = entries
    .filter((e) => !e.dirent.isDirectory())
    .filter((e) => keep(e.path) && !ignored(e.path))
    .map((e) => ({ path: e.path, symlink: e.dirent.isSymbolicLink() }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, via: 'glob' };
}
