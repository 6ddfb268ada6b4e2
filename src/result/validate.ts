import { createAjv } from '../util/ajv.js';
import { packageFile, readJson } from '../util/package.js';
import { UsageError } from '../util/errors.js';
import type { ScanResult } from '../types.js';

type ValidateFn = ((value: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
let validateFn: ValidateFn | undefined;

export function resultSchema(): object {
  return readJson(packageFile('schemas', 'footprint-result.schema.json'));
}

/** Problems that make a value not a footprint result (empty when it is one). */
export function resultProblems(value: unknown): string[] {
  if (!validateFn) {
    validateFn = createAjv({ allErrors: true, strict: false }, true).compile(resultSchema()) as ValidateFn;
  }
  if (validateFn(value)) return [];
  return (validateFn.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '(top level)'}: ${e.message ?? 'invalid'}`);
}

/** Parse and validate a saved result; throws UsageError naming what is wrong. */
export function parseResult(text: string, label: string): ScanResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${label} is not JSON, so it is not a footprint result`);
  }
  if (typeof value !== 'object' || value === null || (value as { tool?: { name?: string } }).tool?.name !== 'footprint') {
    throw new UsageError(`${label} is not a footprint result (no tool.name "footprint")`);
  }
  const problems = resultProblems(value);
  if (problems.length > 0) throw new UsageError(`${label} is not a valid footprint result (schemaVersion 1)`, problems);
  return value as ScanResult;
}
