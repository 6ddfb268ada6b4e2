import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runMain, tempDirs } from './helpers/cli.js';
import { render } from '../src/report/index.js';
import { resultProblems } from '../src/result/validate.js';
import type { ScanResult } from '../src/types.js';
import { cannedResult, RESULTS_DIR } from './helpers/report-fixtures.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const temp = tempDirs('footprint-render-');
afterEach(() => {
  vi.restoreAllMocks();
  temp.cleanup();
});
const tempDir = temp.make;

const cli = runMain;

const MIXED = path.join(RESULTS_DIR, 'mixed.json');

describe('footprint render', () => {
  it('re-renders a saved result in several formats into --out-dir', async () => {
    const dir = tempDir();
    const out = await cli(['render', MIXED, '--format', 'md,html,sarif,json', '--out-dir', dir]);
    expect(out.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['footprint.html', 'footprint.json', 'footprint.md', 'footprint.sarif']);
    const mixed = cannedResult('mixed');
    expect(JSON.parse(readFileSync(path.join(dir, 'footprint.json'), 'utf8'))).toEqual(mixed);
    expect(readFileSync(path.join(dir, 'footprint.md'), 'utf8')).toBe(await render(mixed, 'md', { fullReportPath: 'footprint.html' }));
    expect(readFileSync(path.join(dir, 'footprint.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(JSON.parse(readFileSync(path.join(dir, 'footprint.sarif'), 'utf8')).version).toBe('2.1.0');
  });

  it('writes one format to stdout with --output -', async () => {
    const out = await cli(['render', MIXED, '--format', 'md', '--output', '-']);
    expect(out.code).toBe(0);
    expect(out.stdout.startsWith('# Secret footprint report\n')).toBe(true);
  });

  it('rejects a file that is not a footprint result with exit 2 and a clear message', async () => {
    const dir = tempDir();
    const other = path.join(dir, 'eslint-report.json');
    writeFileSync(other, JSON.stringify([{ filePath: 'a.js', messages: [] }]));
    const out = await cli(['render', other, '--format', 'html', '--out-dir', dir]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('footprint render: eslint-report.json is not a footprint result');
    expect(readdirSync(dir)).toEqual(['eslint-report.json']);
  });

  it('rejects a footprint result that does not validate, naming the problem', async () => {
    const dir = tempDir();
    const broken = cannedResult('mixed') as unknown as { findings: Record<string, unknown>[] };
    broken.findings[0]!.severity = 'urgent';
    const file = path.join(dir, 'old.json');
    writeFileSync(file, JSON.stringify(broken));
    const out = await cli(['render', file, '--out-dir', dir]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('old.json is not a valid footprint result (schemaVersion 1)');
    expect(out.stderr).toContain('/findings/0/severity');
  });

  it('rejects an unknown format and a missing argument', async () => {
    expect((await cli(['render', MIXED, '--format', 'pdf'])).stderr).toContain('unknown format "pdf"');
    expect((await cli(['render'])).code).toBe(2);
  });
});

describe('footprint scan --format json,md,html,sarif', () => {
  it('writes all four reports for the example platform', async () => {
    const dir = tempDir();
    const out = await cli(['scan', path.join(REPO_ROOT, 'fixtures', 'example-platform'), '--no-git', '--format', 'json,md,html,sarif', '--out-dir', dir, '--fail-on', 'none']);
    expect(out.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['footprint.html', 'footprint.json', 'footprint.md', 'footprint.sarif']);
    const result = JSON.parse(readFileSync(path.join(dir, 'footprint.json'), 'utf8')) as ScanResult;
    expect(resultProblems(result)).toEqual([]);
    const md = readFileSync(path.join(dir, 'footprint.md'), 'utf8');
    expect(md).toContain(`| **Total** | **${result.summary.findings}** |`);
    const html = readFileSync(path.join(dir, 'footprint.html'), 'utf8');
    expect(html).toContain(`data-testid="total-open">${result.summary.findings}<`);
    const sarif = JSON.parse(readFileSync(path.join(dir, 'footprint.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(result.findings.length);
  });
});
