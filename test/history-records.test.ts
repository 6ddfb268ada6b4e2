import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateBaseline, parseBaseline, markBaseline, serializeBaseline } from '../src/history/baseline.js';
import { compareExitCode, compareResults, renderComparison } from '../src/history/compare.js';
import { appendHistory, historyRecord, parseHistory, readHistory } from '../src/history/history.js';
import { summarize } from '../src/scan/run.js';
import type { Finding, ScanResult, Severity } from '../src/types.js';
import { sha256 } from '../src/util/hash.js';
import { TEST_ROOT } from './helpers/run-fixture.js';
import { tempDirs } from './helpers/temp.js';

const fp = (id: string) => `v1:${sha256(id)}`;

const tempDir = tempDirs('footprint-hist-');

function finding(id: string, severity: Severity = 'high', extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'inline-secret-manifest',
    severity,
    file: `manifests/${id}.yaml`,
    line: 8,
    column: 3,
    endLine: 8,
    message: `Secret ${id} carries 1 literal credential value (password) in git`,
    remediation: { text: 'Delete the literal Secret.' },
    origin: 'unknown',
    evidence: { keys: ['password'] },
    fingerprint: fp(id),
    docsUrl: 'https://example.invalid/rules/inline-secret-manifest',
    location: `Secret/ns/${id}#stringData.password`,
    ...extra,
  };
}

function result(findings: Finding[], generatedAt = '2026-02-01T00:00:00.000Z'): ScanResult {
  return {
    schemaVersion: 1,
    tool: { name: 'footprint', version: '0.1.0' },
    root: '.',
    generatedAt,
    config: { hash: '0'.repeat(64) },
    summary: summarize(findings, [], { scanned: 1, skipped: 0, failed: 0 }),
    findings,
    inventory: [],
    diagnostics: [],
  };
}

describe('[U] history records', () => {
  it('hold counts and the fingerprints of open findings only, never finding text', () => {
    const r = result([finding('a'), finding('b', 'medium', { suppressed: { by: 'inline', reason: 'accepted for now' } }), finding('c', 'critical', { baseline: true })]);
    const record = historyRecord(r, { commit: 'abc', branch: 'main' });
    expect(record).toEqual({
      schemaVersion: 1,
      time: '2026-02-01T00:00:00.000Z',
      commit: 'abc',
      branch: 'main',
      counts: {
        total: 2,
        bySeverity: { critical: 1, high: 1, medium: 0, low: 0, info: 0 },
        byRule: { 'inline-secret-manifest': 2 },
        byOrigin: { unknown: 2 },
        byEnvironment: { '(none)': 2 },
      },
      fingerprints: [fp('a'), fp('c')].sort(),
    });
    expect(JSON.stringify(record)).not.toContain('literal credential');
  });

  it('skip and report corrupt lines without failing', () => {
    const loaded = readHistory(path.join(TEST_ROOT, 'fixtures', 'history', 'history.jsonl'));
    expect(loaded.records.map((r) => r.time)).toEqual(['2026-01-05T06:00:00.000Z', '2026-01-26T06:00:00.000Z']);
    expect(loaded.problems).toEqual([
      { line: 2, message: 'not valid JSON; skipped' },
      { line: 3, message: 'not valid JSON; skipped' },
      { line: 4, message: 'unsupported schemaVersion 2; skipped' },
    ]);
    expect(parseHistory('{"schemaVersion":1,"time":"x","counts":{},"fingerprints":[]}').problems[0]!.message).toMatch(/time/);
  });

  it('append one line atomically, keeping existing lines byte for byte and leaving no temp file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'reports', 'history.jsonl');
    appendHistory(file, historyRecord(result([finding('a')], '2026-02-01T00:00:00.000Z')));
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"half a line`);
    appendHistory(file, historyRecord(result([], '2026-02-02T00:00:00.000Z')));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('{"half a line');
    expect(lines[3]).toBe('');
    const loaded = readHistory(file);
    expect(loaded.records.map((r) => r.counts.total)).toEqual([1, 0]);
    expect(loaded.problems).toEqual([{ line: 2, message: 'not valid JSON; skipped' }]);
    expect(readdirSync(path.dirname(file))).toEqual(['history.jsonl']);
  });
});

describe('[U] compare', () => {
  const base = result([finding('a'), finding('b'), finding('c')]);
  const head = result([finding('b', 'high', { line: 40 }), finding('c'), finding('d', 'medium'), finding('e', 'critical')], '2026-02-08T00:00:00.000Z');

  it('classifies by fingerprint, not line, in the contract shape', () => {
    const c = compareResults(base, head);
    expect(Object.keys(c)).toEqual(['summary', 'new', 'fixed', 'unchanged']);
    expect(c.summary).toEqual({ new: 2, fixed: 1, unchanged: 2 });
    expect(c.new.map((f) => f.fingerprint)).toEqual([fp('d'), fp('e')]);
    expect(c.fixed.map((f) => f.fingerprint)).toEqual([fp('a')]);
    expect(c.unchanged.map((f) => [f.fingerprint, f.line])).toEqual([[fp('b'), 40], [fp('c'), 8]]);
  });

  it('fails on a new finding at or above the threshold only, ignoring suppressed and baseline ones', () => {
    const c = compareResults(base, head);
    expect(compareExitCode(c, 'high')).toBe(1);
    expect(compareExitCode(c, 'critical')).toBe(1);
    expect(compareExitCode(c, 'none')).toBe(0);
    const quiet = compareResults(base, result([finding('b'), finding('x', 'critical', { suppressed: { by: 'config', reason: 'accepted until the move' } }), finding('y', 'critical', { baseline: true }), finding('z', 'medium')]));
    expect(compareExitCode(quiet, 'high')).toBe(0);
    expect(compareExitCode(quiet, 'medium')).toBe(1);
  });

  it('reports new findings seen in an earlier run of the history as reintroduced', () => {
    const history = [
      historyRecord(result([finding('e')], '2026-01-01T00:00:00.000Z')),
      historyRecord(result([finding('d')], '2026-02-08T00:00:00.000Z')), // HEAD's own run: not "earlier"
    ];
    const c = compareResults(base, head, { history });
    expect(c.summary).toEqual({ new: 2, fixed: 1, unchanged: 2, reintroduced: 1 });
    expect(c.reintroduced!.map((f) => f.fingerprint)).toEqual([fp('e')]);
    expect(renderComparison(c, 'text')).toContain('[reintroduced]');
  });

  it('renders text and Markdown with the most severe new finding first', () => {
    const c = compareResults(base, head);
    const text = renderComparison(c, 'text');
    expect(text.split('\n')[0]).toBe('footprint compare: 2 new, 1 fixed, 2 unchanged');
    expect(text.indexOf('manifests/e.yaml')).toBeLessThan(text.indexOf('manifests/d.yaml'));
    const md = renderComparison(c, 'md');
    expect(md).toContain('### New (2)');
    expect(md).toContain('| critical | `inline-secret-manifest` | `manifests/e.yaml:8` |');
    expect(md).toContain('### Fixed (1)');
  });
});

describe('[U] baselines', () => {
  it('accept every open finding at first, then only shrink unless new ones are added explicitly', () => {
    const first = updateBaseline(result([finding('a'), finding('b'), finding('s', 'high', { suppressed: { by: 'inline', reason: 'accepted inline' } })]), undefined);
    expect(first.baseline.entries.map((e) => e.fingerprint)).toEqual([fp('a'), fp('b')]);
    expect(first.baseline.entries[0]).toEqual({ fingerprint: fp('a'), ruleId: 'inline-secret-manifest', file: 'manifests/a.yaml', location: 'Secret/ns/a#stringData.password', severity: 'high' });
    const later = result([finding('b'), finding('c')]);
    const shrink = updateBaseline(later, first.baseline);
    expect(shrink.baseline.entries.map((e) => e.fingerprint)).toEqual([fp('b')]);
    expect(shrink.removed.map((e) => e.fingerprint)).toEqual([fp('a')]);
    expect(shrink.notAdded).toBe(1);
    const grow = updateBaseline(later, first.baseline, { addNew: true });
    expect(grow.baseline.entries.map((e) => e.fingerprint)).toEqual([fp('b'), fp('c')]);
  });

  it('round-trip, accept a saved result, and reject other JSON', () => {
    const { baseline } = updateBaseline(result([finding('a')]), undefined);
    expect(parseBaseline(serializeBaseline(baseline), 'b.json')).toEqual(baseline);
    expect(parseBaseline(JSON.stringify(result([finding('a'), finding('b')])), 'main.json').entries).toHaveLength(2);
    expect(() => parseBaseline('{"findings": []}', 'x.json')).toThrow(/x.json is neither a footprint baseline/);
    expect(() => parseBaseline('nope', 'x.json')).toThrow(/not JSON/);
  });

  it('mark baseline findings', () => {
    const findings = [finding('a'), finding('b')];
    expect(markBaseline(findings, [fp('b')])).toBe(1);
    expect(findings.map((f) => f.baseline)).toEqual([undefined, true]);
  });
});

describe('[U] trend helpers', () => {
  it('date the oldest open footprint from its first sighting in the history', async () => {
    const { firstSeen, oldestOpenFinding } = await import('../src/history/trend.js');
    const records = [
      historyRecord(result([finding('b')], '2026-01-10T00:00:00.000Z')),
      historyRecord(result([finding('a'), finding('b')], '2026-01-01T00:00:00.000Z')),
      historyRecord(result([], '2026-01-20T00:00:00.000Z')),
    ];
    expect(firstSeen(records).get(fp('b'))).toBe('2026-01-01T00:00:00.000Z');
    const current = result([finding('a', 'high', { suppressed: { by: 'inline', reason: 'accepted inline' } }), finding('b'), finding('c')], '2026-01-31T00:00:00.000Z');
    expect(oldestOpenFinding(current, records)).toEqual({ fingerprint: fp('b'), ruleId: 'inline-secret-manifest', file: 'manifests/b.yaml', since: '2026-01-01T00:00:00.000Z', ageDays: 30 });
    expect(oldestOpenFinding(result([finding('c')], '2026-01-31T00:00:00.000Z'), records)?.ageDays).toBe(0);
    expect(oldestOpenFinding(result([]), records)).toBeUndefined();
  });
});
