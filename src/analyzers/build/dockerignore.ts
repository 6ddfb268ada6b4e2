/**
 * `.dockerignore` files (and the per-Dockerfile `<name>.dockerignore` next to a Dockerfile): the patterns that keep
 * files out of the build context, so a `COPY . .` does not bring them into the image.
 */
import picomatch from 'picomatch';
import { basename } from '../../util/path.js';
import type { Analyzer } from '../types.js';

export interface DockerignoreModel {
  kind: 'dockerignore';
  patterns: string[];
}

export function isDockerignorePath(path: string): boolean {
  const name = basename(path);
  return name === '.dockerignore' || /\.dockerignore$/.test(name);
}

export function parseDockerignore(text: string): DockerignoreModel {
  const patterns = text
    .split('\n')
    .map((l) => l.replace(/\r$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
  return { kind: 'dockerignore', patterns };
}

/**
 * Is `relative` (a path inside the context) excluded? Docker's rules, not gitignore's: patterns start at the context
 * root (`foo` is only the top-level foo), `*` stays in one folder, `**` crosses folders, a pattern also covers
 * everything below a folder it matches, and the last matching pattern wins (`!` re-includes, even below an
 * excluded folder).
 */
export function dockerignored(model: DockerignoreModel, relative: string): boolean {
  const parts = relative.split('/');
  const prefixes = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of model.patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).trim().replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
    if (!pattern) continue;
    let match: (p: string) => boolean;
    try {
      match = picomatch(pattern, { dot: true });
    } catch {
      continue;
    }
    if (prefixes.some((p) => match(p))) ignored = !negate;
  }
  return ignored;
}

export const dockerignoreAnalyzer: Analyzer<DockerignoreModel> = {
  id: 'dockerignore',
  claims: (file) => isDockerignorePath(file.path),
  parse: (text) => parseDockerignore(text),
};
