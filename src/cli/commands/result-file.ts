import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseResult } from '../../result/validate.js';
import type { ScanResult } from '../../types.js';
import { UsageError } from '../../util/errors.js';

/** A saved result, validated (a module of its own: scan never reads one, so it never loads the validator). */
export function readResultFile(file: string): ScanResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path.basename(file)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseResult(text, path.basename(file));
}
