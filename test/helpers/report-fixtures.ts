import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryRecord } from '../../src/history/types.js';
import type { ScanResult } from '../../src/types.js';
import { TEST_ROOT } from './run-fixture.js';

export const RESULTS_DIR = path.join(TEST_ROOT, 'fixtures', 'results');

/** A canned ScanResult from test/fixtures/results (a fresh copy each call). */
export function cannedResult(name: 'mixed' | 'empty' | 'example-platform'): ScanResult {
  return JSON.parse(readFileSync(path.join(RESULTS_DIR, `${name}.json`), 'utf8')) as ScanResult;
}

export function cannedHistory(): HistoryRecord[] {
  return JSON.parse(readFileSync(path.join(RESULTS_DIR, 'history.json'), 'utf8')) as HistoryRecord[];
}

/** The mixed result with its findings repeated `times` over (distinct files and fingerprints), for size limits. */
export function manyFindings(times: number): ScanResult {
  const base = cannedResult('mixed');
  const findings = [];
  for (let i = 0; i < times; i++) {
    for (const f of base.findings) {
      findings.push({ ...f, file: f.file.replace(/(\.ya?ml)$/, `-${i}$1`), fingerprint: `v1:${(i.toString(16).padStart(8, '0') + f.fingerprint.slice(11)).slice(0, 64)}` });
    }
  }
  const open = findings.filter((f) => !f.suppressed);
  return { ...base, findings, summary: { ...base.summary, findings: open.length, suppressed: findings.length - open.length } };
}
