import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Comparison } from '../src/history/compare.js';
import { readHistory } from '../src/history/history.js';
import type { ScanResult } from '../src/types.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

let work: string;
let repo: string;
let savedSummary: string | undefined;

beforeAll(() => {
  savedSummary = process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_STEP_SUMMARY;
  work = mkdtempSync(path.join(tmpdir(), 'footprint-e2e-'));
  repo = path.join(work, 'platform');
  cpSync(path.join(REPO_ROOT, 'fixtures', 'example-platform'), repo, { recursive: true });
});
afterAll(() => {
  if (savedSummary !== undefined) process.env.GITHUB_STEP_SUMMARY = savedSummary;
  rmSync(work, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(args), stdout };
  } finally {
    vi.restoreAllMocks();
  }
}

const HISTORY = () => path.join(work, 'reports', 'history.jsonl');
async function audit(name: string): Promise<ScanResult> {
  const file = path.join(work, `${name}.json`);
  expect((await cli(['scan', repo, '--no-git', '--fail-on', 'none', '--history', HISTORY(), '--output', file])).code).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')) as ScanResult;
}

const PLANTED = 'environments/staging/notifications/smtp-relay-credentials.yaml';

describe('[I] example platform audited three times', () => {
  it('compare reports exactly the removed footprint as fixed, then a new literal as new (exit 1)', async () => {
    const first = await audit('run1');
    const planted = first.findings.filter((f) => f.file === PLANTED);
    expect(planted.length).toBeGreaterThan(0);

    rmSync(path.join(repo, PLANTED));
    const second = await audit('run2');
    const cmp1 = await cli(['compare', path.join(work, 'run1.json'), path.join(work, 'run2.json'), '--format', 'json']);
    expect(cmp1.code).toBe(0);
    const c1 = JSON.parse(cmp1.stdout) as Comparison;
    expect(c1.new).toEqual([]);
    expect(c1.fixed.map((f) => f.fingerprint).sort()).toEqual(planted.map((f) => f.fingerprint).sort());
    expect(c1.summary).toEqual({ new: 0, fixed: planted.length, unchanged: first.findings.length - planted.length });
    expect(second.findings).toHaveLength(first.findings.length - planted.length);

    writeFileSync(
      path.join(repo, 'environments/production/argocd/repos/mirror-gitops.yaml'),
      `apiVersion: v1
kind: Secret
metadata:
  name: repo-mirror-gitops
  namespace: argocd
  labels:
    argocd.argoproj.io/secret-type: repository
stringData:
  url: https://git.example.com/platform/mirror.git
  password: ghp_MIRRORmirrorMIRRORmirror0000000000000
`,
    );
    await audit('run3');
    const cmp2 = await cli(['compare', path.join(work, 'run2.json'), path.join(work, 'run3.json'), '--format', 'json']);
    expect(cmp2.code).toBe(1);
    const c2 = JSON.parse(cmp2.stdout) as Comparison;
    expect(c2.fixed).toEqual([]);
    expect(c2.new.map((f) => `${f.ruleId} ${f.file}`)).toContain('inline-secret-manifest environments/production/argocd/repos/mirror-gitops.yaml');
    expect(c2.new.every((f) => f.file === 'environments/production/argocd/repos/mirror-gitops.yaml')).toBe(true);
    expect(c2.summary.unchanged).toBe(second.findings.length);

    const history = readHistory(HISTORY());
    expect(history.problems).toEqual([]);
    expect(history.records.map((r) => r.counts.total)).toEqual([first.summary.findings, second.summary.findings, second.summary.findings + c2.new.length]);
  });
});
