import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { scan } from '../../src/scan/run.js';
import { resultProblems } from '../../src/result/validate.js';
import type { Finding, ScanResult } from '../../src/types.js';

export const TEST_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(TEST_ROOT, '..');
export const RULE_FIXTURES = path.join(TEST_ROOT, 'fixtures', 'rules');

export interface ExpectedFinding {
  ruleId: string;
  file: string;
  line: number;
  severity?: Finding['severity'];
  origin?: Finding['origin'];
  /** The finding's environment; null: it has none. */
  environment?: string | null;
}

export interface FixtureCase {
  ruleId: string;
  name: string;
  dir: string;
  kind: 'ok' | 'ng';
}

/** test/fixtures/rules/<rule-id>/<ok|ng>.<case>/ folders. */
export function ruleFixtureCases(): FixtureCase[] {
  if (!existsSync(RULE_FIXTURES)) return [];
  const cases: FixtureCase[] = [];
  for (const ruleId of readdirSync(RULE_FIXTURES).sort()) {
    const ruleDir = path.join(RULE_FIXTURES, ruleId);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const name of readdirSync(ruleDir).sort()) {
      const kind = name.startsWith('ok.') ? 'ok' : name.startsWith('ng.') ? 'ng' : undefined;
      if (!kind) throw new Error(`Fixture folder ${ruleId}/${name} must start with ok. or ng.`);
      cases.push({ ruleId, name, dir: path.join(ruleDir, name), kind });
    }
  }
  return cases;
}

/** Scan a fixture folder (globbing, not git), and check the result against the JSON schema. */
export async function scanFixture(dir: string): Promise<ScanResult> {
  const result = await scan({ root: dir, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
  expect(resultProblems(result)).toEqual([]);
  return result;
}

export function readExpected(dir: string): ExpectedFinding[] {
  const file = path.join(dir, 'expected.json');
  if (!existsSync(file)) throw new Error(`${path.relative(TEST_ROOT, dir)} is an ng case without expected.json`);
  const expected = JSON.parse(readFileSync(file, 'utf8')) as ExpectedFinding[];
  if (!Array.isArray(expected) || expected.length === 0) throw new Error(`${path.relative(TEST_ROOT, dir)}/expected.json must list at least one finding`);
  return expected;
}

/** The comparable part of findings: rule, file, line, plus severity/origin/environment when the expected entries name them. */
export function comparable(findings: readonly Finding[], expected: readonly ExpectedFinding[]): ExpectedFinding[] {
  const withSeverity = expected.some((e) => e.severity);
  const withOrigin = expected.some((e) => e.origin);
  const withEnvironment = expected.some((e) => 'environment' in e);
  return findings.map((f) => ({
    ruleId: f.ruleId,
    file: f.file,
    line: f.line,
    ...(withSeverity ? { severity: f.severity } : {}),
    ...(withOrigin ? { origin: f.origin } : {}),
    ...(withEnvironment ? { environment: f.environment ?? null } : {}),
  }));
}

export function sortExpected(list: readonly ExpectedFinding[]): ExpectedFinding[] {
  const key = (e: ExpectedFinding) => `${e.file}\u0000${String(e.line).padStart(7, '0')}\u0000${e.ruleId}`;
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
