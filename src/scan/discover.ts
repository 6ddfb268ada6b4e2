import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

interface WalkEntry {
  path: string;
  name: string;
  file: boolean;
  symlink: boolean;
}

/**
 * Every non-directory entry under ROOT (files, links, which are never followed), synchronously. Folders that an
 * exclude pattern of the form `<dir pattern>/**` removes entirely are not entered; the caller still applies the
 * include/exclude patterns to every path. Unreadable folders are skipped. (Replaces fast-glob: on bitnami/charts
 * 10 ms instead of 45 ms, and about 60 fewer modules to load.)
 */
function walkTree(root: string, exclude: readonly string[]): WalkEntry[] {
  const prunePatterns = exclude.filter((p) => p.endsWith('/**')).map((p) => p.slice(0, -3));
  const prune = prunePatterns.length ? picomatch(prunePatterns, { dot: true }) : () => false;
  const out: WalkEntry[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir ? path.join(root, dir) : root, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!prune(rel)) stack.push(rel);
      } else {
        out.push({ path: rel, name: e.name, file: e.isFile(), symlink: e.isSymbolicLink() });
      }
    }
  }
  return out;
}

export async function discover(root: string, config: ResolvedConfig, options: { useGit?: boolean } = {}): Promise<Discovery> {
  const include = picomatch(config.include, { dot: true });
  const exclude = picomatch(config.exclude, { dot: true });
  const keep = (p: string) => include(p) && !exclude(p);
  const fromGit = options.useGit === false ? undefined : gitListing(root);
  if (fromGit) {
    const symlinks = new Set<string>();
    const files = fromGit.filter(keep).sort();
    return { files: files.map((p) => ({ path: p, symlink: symlinks.has(p) })), via: 'git' };
  }
  const entries = walkTree(root, config.exclude);
  const ignoreFiles = entries.filter((e) => e.name === '.gitignore' && e.file).map((e) => e.path);
  const ignored = gitignoreFilter(root, ignoreFiles);
  const files = entries
    .filter((e) => keep(e.path) && !ignored(e.path))
    .map((e) => ({ path: e.path, symlink: e.symlink }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, via: 'glob' };
}
