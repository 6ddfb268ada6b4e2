import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of the installed package (holds schemas/ and templates/), from dist/util or src/util. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function packageFile(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export const TOOL_VERSION: string = readJson<{ version: string }>(packageFile('package.json')).version;
export const TOOL_NAME = 'footprint';
