import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, renderSarif, SARIF_LEVEL } from '../src/report/sarif.js';
import type { ScanResult } from '../src/types.js';
import { cannedResult } from './helpers/report-fixtures.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * The official SARIF 2.1.0 schema is draft-04. Ajv 8 speaks draft-07, which reads every keyword this schema uses
 * the same way; the only draft-04 spelling in it is the top-level `id`, which becomes `$id`. One language-tag
 * pattern in it is not a valid Unicode-mode regex, so patterns are compiled without the `u` flag.
 */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, '..', 'shared', 'schemas', 'sarif-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
  const { $schema: _draft, id, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ ...rest, $id: id });
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; helpUri: string; help: { text: string; markdown: string }; defaultConfiguration: { level: string }; shortDescription: { text: string } }[] } };
    originalUriBaseIds: Record<string, unknown>;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number; endLine: number } } }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; justification: string }[];
      baselineState?: string;
    }[];
    invocations: { toolExecutionNotifications: { message: { text: string } }[] }[];
  }[];
}

describe('renderSarif', () => {
  const validate = sarifValidator();

  it.each(['mixed', 'empty', 'example-platform'] as const)('is valid SARIF 2.1.0 for the %s result', (name) => {
    const log = JSON.parse(renderSarif(cannedResult(name)));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(log.version).toBe('2.1.0');
  });

  it('rejects a broken log, so the validation above can fail', () => {
    const log = JSON.parse(renderSarif(cannedResult('mixed'))) as SarifLog;
    (log.runs[0]!.results[0] as unknown as Record<string, unknown>).level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  const result: ScanResult = cannedResult('mixed');
  const log = JSON.parse(renderSarif(result)) as SarifLog;
  const run = log.runs[0]!;

  it('declares one rule per rule id, with help text and a help URI', () => {
    const ids = [...new Set(result.findings.map((f) => f.ruleId))].sort();
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(ids);
    for (const rule of run.tool.driver.rules) {
      expect(rule.helpUri).toMatch(new RegExp(`^https://.*#${rule.id}$`));
      expect(rule.help.text.length).toBeGreaterThan(20);
      expect(rule.help.markdown).toContain(`[Rule documentation](${rule.helpUri})`);
    }
    const registered = run.tool.driver.rules.find((r) => r.id === 'inline-secret-manifest')!;
    expect(registered.help.text).toMatch(/^Why: A credential in git/);
    expect(registered.defaultConfiguration.level).toBe('error');
  });

  it('points every result at its rule, with the fingerprint, level and a %SRCROOT%-relative location', () => {
    expect(run.results).toHaveLength(result.findings.length);
    expect(Object.keys(run.originalUriBaseIds)).toEqual(['%SRCROOT%']);
    result.findings.forEach((f, i) => {
      const r = run.results[i]!;
      expect(r.ruleId).toBe(f.ruleId);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(f.ruleId);
      expect(r.partialFingerprints[FINGERPRINT_KEY]).toBe(f.fingerprint);
      expect(r.level).toBe(SARIF_LEVEL[f.severity]);
      const loc = r.locations[0]!.physicalLocation;
      expect(loc.artifactLocation).toEqual({ uri: f.file, uriBaseId: '%SRCROOT%' });
      expect(loc.region.startLine).toBe(f.line);
    });
  });

  it('maps severities to levels', () => {
    expect(SARIF_LEVEL).toEqual({ critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' });
  });

  it('marks suppressed findings and baseline findings the SARIF way', () => {
    const suppressed = run.results.find((r) => r.suppressions)!;
    expect(suppressed.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'e2e personas are generated per run' }]);
    expect(run.results.filter((r) => r.baselineState === 'unchanged')).toHaveLength(1);
    // Compared with a baseline, every other result is new.
    expect(run.results.filter((r) => r.baselineState === 'new')).toHaveLength(run.results.length - 1);
  });

  it('states no baselineState when the scan used no baseline', () => {
    const plain = JSON.parse(renderSarif({ ...cannedResult('mixed'), findings: cannedResult('mixed').findings.map(({ baseline: _b, ...f }) => f) })) as SarifLog;
    expect(plain.runs[0]!.results.filter((r) => r.baselineState !== undefined)).toEqual([]);
  });

  it('reports diagnostics as tool execution notifications', () => {
    expect(run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text)).toEqual([
      'parse-error: unterminated flow mapping',
      'rule-crash: rule threw: cannot read property of undefined',
    ]);
  });

  it('percent-encodes each path segment and stays relative', () => {
    const planted = cannedResult('mixed');
    planted.findings[0]!.file = 'charts/a b/<script>/{{7*7}}.yaml';
    const out = JSON.parse(renderSarif(planted)) as SarifLog;
    expect(validate(out)).toBe(true);
    expect(out.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('charts/a%20b/%3Cscript%3E/%7B%7B7*7%7D%7D.yaml');
  });
});
