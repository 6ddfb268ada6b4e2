import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULE_IDS } from '../src/rules/index.js';
import type { ScanResult } from '../src/types.js';
import { REPO_ROOT, scanFixture } from './helpers/run-fixture.js';

const EXAMPLE = path.join(REPO_ROOT, 'fixtures', 'example-platform');

/** Rows of the answer key's tables: | # | `rule-id` | `file` | line … |. */
function expectedRows(): { ruleId: string; file: string; line: number }[] {
  const rows: { ruleId: string; file: string; line: number }[] = [];
  for (const line of readFileSync(path.join(EXAMPLE, 'EXPECTED.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !/^\d+$/.test(cells[1] ?? '')) continue;
    const ruleId = cells[2]!.replace(/`/g, '');
    const file = cells[3]!.replace(/`/g, '');
    const lineNumber = /^(\d+)/.exec(cells[4]!)?.[1];
    if (!lineNumber || !/^[a-z0-9-]+$/.test(ruleId)) continue;
    rows.push({ ruleId, file, line: Number(lineNumber) });
  }
  return rows;
}

let result: ScanResult;

beforeAll(async () => {
  result = await scanFixture(EXAMPLE);
});

describe('the bundled example platform', () => {
  it('has an answer key', () => {
    expect(expectedRows().length).toBeGreaterThan(20);
  });

  it('produces exactly the planted footprints of every registered rule', () => {
    const registered = new Set(RULE_IDS);
    const key = (r: { ruleId: string; file: string; line: number }) => `${r.ruleId} ${r.file}:${r.line}`;
    const expected = [...new Set(expectedRows().filter((r) => registered.has(r.ruleId)).map(key))].sort();
    const actual = [...new Set(result.findings.filter((f) => !f.suppressed).map(key))].sort();
    expect(actual).toEqual(expected);
  });

  it('keeps the vendored chart out of findings but in the inventory', () => {
    expect(result.findings.filter((f) => f.file.startsWith('third_party/'))).toEqual([]);
    expect(result.inventory.some((e) => e.vendored && e.file.startsWith('third_party/'))).toBe(true);
  });

  it('parses every file without diagnostics', () => {
    expect(result.diagnostics).toEqual([]);
  });

  it('inventories secret resources with origin and environment', () => {
    const origins = new Set(result.inventory.map((e) => e.origin));
    for (const origin of ['external', 'cluster-operator', 'cluster-helm', 'cluster-service', 'build-time']) expect(origins).toContain(origin);
    expect(result.inventory.filter((e) => e.kind === 'BuildSecret').map((e) => `${e.file} ${e.name}`)).toContain('services/web/Dockerfile pkg_github_token');
    expect(result.inventory.filter((e) => e.kind === 'DockerfileArg' || e.kind === 'DockerfileEnv').every((e) => e.findings.includes('dockerfile-token-arg-env'))).toBe(true);
    expect(result.inventory.some((e) => e.environments.includes('production'))).toBe(true);
  });
});
