import { expect } from 'vitest';
import { resultProblems } from '../../src/result/validate.js';
import { scan } from '../../src/scan/run.js';
import type { ScanResult } from '../../src/types.js';
import { tempDirs, writeTree } from './temp.js';

/**
 * For a test file: a scanner of small trees given as path -> lines, each written to a temp folder named PREFIX…
 * (removed after the test) and scanned at a fixed date; the result must validate against the schema.
 */
export function lineTreeScanner(prefix: string): (files: Record<string, string[]>) => Promise<ScanResult> {
  const tempDir = tempDirs(prefix);
  return async (files) => {
    const root = writeTree(tempDir(), Object.fromEntries(Object.entries(files).map(([file, lines]) => [file, lines.join('\n') + '\n'])));
    const result = await scan({ root, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
    expect(resultProblems(result)).toEqual([]);
    return result;
  };
}
