import path from 'node:path';

/** POSIX path of `absolute` relative to `root`; the only place that converts OS paths for output. */
export function toPosixRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}

export function joinPosix(...parts: string[]): string {
  return path.posix.join(...parts);
}

export function basename(posixPath: string): string {
  // Every analyzer's claim test asks for the name of the same file, one after the other.
  if (posixPath !== lastBasenameOf) {
    lastBasenameOf = posixPath;
    lastBasename = path.posix.basename(posixPath);
  }
  return lastBasename;
}

let lastBasenameOf = '';
let lastBasename = '';

export function dirname(posixPath: string): string {
  return path.posix.dirname(posixPath);
}

export function segments(posixPath: string): string[] {
  return posixPath.split('/').filter(Boolean);
}

/** `a/b` + `../c/x` -> `a/c/x` inside the scan root; undefined when it leaves the root or is absolute. */
export function joinWithinRoot(dir: string, relative: string): string | undefined {
  if (relative.startsWith('/') || /^[A-Za-z]:[\\/]/.test(relative)) return undefined;
  const out = dir === '.' || dir === '' ? [] : dir.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}
