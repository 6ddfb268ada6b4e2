import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Root of the installed package (holds package.json, schemas/ and templates/): the nearest folder above this module
 * with a package.json. This module runs from src/util (tests), dist/util (the library) or a chunk of the bundled CLI
 * (dist/cli/chunks), so its depth below the root is not fixed.
 */
export const PACKAGE_ROOT = findPackageRoot(HERE);

/** The folder of the running code: dist/ when built, src/ under the test runner. */
export const CODE_ROOT = path.join(PACKAGE_ROOT, path.relative(PACKAGE_ROOT, HERE).split(path.sep)[0] ?? '');

function findPackageRoot(start: string): string {
  for (let dir = start; ; ) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start, '..', '..');
    dir = parent;
  }
}

export function packageFile(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export const TOOL_VERSION: string = readJson<{ version: string }>(packageFile('package.json')).version;
export const TOOL_NAME = 'footprint';
