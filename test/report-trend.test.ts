import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../src/history/types.js';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { axisLabels } from '../src/report/trend.js';
import { buildView } from '../src/report/view-model.js';
import type { ScanResult, Severity } from '../src/types.js';
import { cannedHistory, cannedResult } from './helpers/report-fixtures.js';

/** The trend part of the HTML and Markdown reports, from canned history arrays: every number asserted exactly. */

const mixed = cannedResult('mixed');
const openPrints = mixed.findings.filter((f) => !f.suppressed).map((f) => f.fingerprint);

function record(time: string, fingerprints: string[], byRule: Record<string, number> = {}, byOrigin: Record<string, number> = {}, bySeverity: Partial<Record<Severity, number>> = {}): HistoryRecord {
  return {
    schemaVersion: 1,
    time,
    counts: {
      total: fingerprints.length,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0, ...bySeverity },
      byRule,
      byOrigin,
      byEnvironment: {},
    },
    fingerprints,
  };
}

/** The mixed result with only the open findings whose fingerprint passes `keep`, summary recomputed. */
function resultWith(keep: (fingerprint: string) => boolean, generatedAt = mixed.generatedAt): ScanResult {
  const base = cannedResult('mixed');
  const findings = base.findings.filter((f) => f.suppressed || keep(f.fingerprint));
  const open = findings.filter((f) => !f.suppressed);
  const count = (key: (f: (typeof open)[number]) => string) => {
    const out: Record<string, number> = {};
    for (const f of open) out[key(f)] = (out[key(f)] ?? 0) + 1;
    return out;
  };
  return {
    ...base,
    generatedAt,
    findings,
    summary: {
      ...base.summary,
      findings: open.length,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0, ...count((f) => f.severity) },
      byRule: count((f) => f.ruleId),
      byOrigin: count((f) => f.origin),
      byEnvironment: count((f) => f.environment ?? '(none)'),
    },
  };
}

describe('trend view from the canned history (4 runs) plus the mixed result', () => {
  const trend = buildView(mixed, cannedHistory()).trend!;

  it('burns down from 14 to 10 over 56 days, projecting zero on 2026-07-20', () => {
    expect(trend.burnDown).toEqual({
      current: 10,
      first: 14,
      firstLabel: '2026-01-05',
      change: -4,
      changeLabel: '−4',
      runs: 5,
      perRun: -1,
      perRunLabel: '−1',
      perWeek: -0.5,
      perWeekLabel: '−0.5',
      spanDays: 56,
      spanLabel: '56 days',
      status: 'shrinking',
      projectedZero: '2026-07-20',
      runsToZero: 10,
      projectionLabel: '2026-07-20',
      note: 'At the average pace since 2026-01-05 (0.5 fewer per week, 1 fewer per run), zero around 2026-07-20.',
    });
  });

  it('names the new findings since the previous run, one of them back after being fixed', () => {
    expect(trend.changes).toMatchObject({ previousLabel: '2026-02-16 09:00Z', fixedCount: 0, fixedByRule: [], fixedFingerprints: [] });
    expect(trend.changes!.newFindings.map((f) => [f.ruleId, f.severity, f.fileLine, f.reintroduced, f.firstSeen])).toEqual([
      ['inline-credential-in-values', 'critical', 'values/env/production/apps/billing.yaml:6', true, '2026-01-05'],
      ['chart-owned-inline-secret-template', 'critical', 'values/env/staging/apps/orders.yaml:5', false, ''],
    ]);
  });

  it('finds the oldest open footprint (ties go to the most severe, then the file)', () => {
    expect(trend.oldest).toEqual({
      index: 0,
      ruleId: 'secret-in-configmap',
      fileLine: 'environments/staging/configmaps/orders-legacy-config.yaml:10',
      fingerprintShort: 'aaf3d07c3346',
      since: '2026-01-05T09:00:00.000Z',
      sinceLabel: '2026-01-05 09:00Z',
      ageDays: 56,
      ageLabel: '56 days (8 weeks)',
    });
  });

  it('has one series per origin class (in class order) and per rule (most open first)', () => {
    expect(trend.origins.map((s) => [s.key, s.values, s.changeLabel, s.direction])).toEqual([
      ['external', [1, 1, 0, 0, 1], '±0', 'flat'],
      ['cluster-operator', [5, 4, 4, 3, 4], '−1', 'down'],
      ['cluster-helm', [2, 2, 2, 2, 2], '±0', 'flat'],
      ['cluster-service', [1, 1, 1, 1, 1], '±0', 'flat'],
      ['build-time', [2, 1, 0, 0, 0], '−2', 'down'],
      ['unknown', [3, 3, 2, 2, 2], '−1', 'down'],
    ]);
    expect(trend.origins[1]!.label).toBe('CNPG-owned (operator)');
    expect(trend.rules.map((s) => [s.key, s.values.join(' '), s.changeLabel])).toEqual([
      ['inline-credential-in-values', '4 3 2 2 3', '−1'],
      ['inline-secret-manifest', '3 3 2 2 2', '−1'],
      ['chart-owned-inline-secret-template', '1 1 1 1 2', '+1'],
      ['secret-in-configmap', '2 2 2 1 1', '−1'],
      ['dockerfile-token-arg-env', '2 1 0 0 0', '−2'],
    ]);
    // Rules with the same count in every run are folded away from the trend view.
    expect(trend.steadyRules.map((s) => [s.key, s.values.join(' ')])).toEqual([
      ['fixture-value-in-managed-env', '1 1 1 1 1'],
      ['pushsecret-non-replace-policy', '1 1 1 1 1'],
    ]);
    // Own scale per small chart: the peak at the top (y 8), zero on the baseline (y 56).
    expect(trend.origins.find((s) => s.key === 'build-time')!.chart.line).toBe('6,8 63,32 120,56 177,56 234,56');
    expect(trend.runLabels).toEqual(['2026-01-05', '2026-01-19', '2026-02-02', '2026-02-16', '2026-03-02']);
  });
});

describe('trend view edge cases', () => {
  it('says "not shrinking" and projects nothing when the count grew', () => {
    const history = [record('2026-02-01T00:00:00.000Z', openPrints.slice(0, 7), {}, {}, { critical: 7 })];
    const b = buildView(mixed, history).trend!.burnDown;
    expect(b).toMatchObject({ current: 10, first: 7, change: 3, changeLabel: '+3', perRun: 3, perRunLabel: '+3', status: 'not-shrinking', projectedZero: null, runsToZero: null, projectionLabel: 'not shrinking' });
    expect(b.perWeek).toBe(0.7);
    expect(b.note).toBe('Not shrinking: 10 open now, 7 at the first recorded run (2026-02-01).');
  });

  it('counts runs, not weeks, when the runs span less than a day', () => {
    const extra = ['v1:' + 'a'.repeat(64), 'v1:' + 'b'.repeat(64), 'v1:' + 'c'.repeat(64), 'v1:' + 'd'.repeat(64)];
    const history = [record('2026-03-02T09:00:00.000Z', [...openPrints, ...extra]), record('2026-03-02T09:10:00.000Z', [...openPrints, ...extra.slice(2)])];
    const trend = buildView(mixed, history).trend!;
    expect(trend.burnDown).toMatchObject({ current: 10, first: 14, change: -4, perRun: -2, perWeek: null, perWeekLabel: '–', spanDays: 0, spanLabel: 'under a day', status: 'shrinking', projectedZero: null, runsToZero: 5, projectionLabel: '~5 runs' });
    expect(trend.burnDown.note).toBe('The runs span less than a day, so there is no weekly pace or date; at 2 fewer per run, zero in about 5 more runs.');
    // Several runs a day: minutes tell them apart on the axis and in the tables.
    expect(trend.runLabels).toEqual(['2026-03-02 09:00Z', '2026-03-02 09:10Z', '2026-03-02 09:30Z']);
    expect(trend.chart.xLabels.map((l) => l.label)).toEqual(['2026-03-02 09:00Z', '2026-03-02 09:10Z', '2026-03-02 09:30Z']);
    // Legacy records without breakdowns: the series have no values for them, and fixed-by-rule is unknown.
    expect(trend.origins.find((s) => s.key === 'cluster-operator')!.values).toEqual([null, null, 4]);
    expect(trend.origins.find((s) => s.key === 'cluster-operator')!.changeLabel).toBe('±0');
    expect(trend.changes).toMatchObject({ fixedCount: 2, fixedByRule: null, fixedFingerprints: ['cccccccccccc', 'dddddddddddd'] });
  });

  it('reports zero reached, and no oldest footprint, when nothing is open', () => {
    const none = resultWith(() => false);
    const history = [record('2026-01-01T00:00:00.000Z', openPrints.slice(0, 3), { 'inline-secret-manifest': 3 }, { unknown: 3 })];
    const trend = buildView(none, history).trend!;
    expect(trend.burnDown).toMatchObject({ current: 0, first: 3, change: -3, status: 'zero', projectedZero: null, projectionLabel: 'reached' });
    expect(trend.burnDown.note).toBe('Zero reached: no open footprint left, down from 3 on 2026-01-01.');
    expect(trend.oldest).toBeNull();
    expect(trend.changes).toMatchObject({ fixedCount: 3, fixedByRule: [{ ruleId: 'inline-secret-manifest', count: 3 }], newFindings: [] });
    expect(trend.rules.map((s) => [s.key, s.values])).toEqual([['inline-secret-manifest', [3, 0]]]);
  });

  it('splits fixed findings per rule exactly, from the previous record and the new findings', () => {
    // Previous run: the 10 open findings minus the two under environments/staging, plus two dockerfile findings now gone.
    const gone = ['v1:' + '1'.repeat(64), 'v1:' + '2'.repeat(64)];
    const staging = mixed.findings.filter((f) => !f.suppressed && f.file.startsWith('environments/staging/')).map((f) => f.fingerprint);
    expect(staging).toHaveLength(2);
    const previousPrints = [...openPrints.filter((p) => !staging.includes(p)), ...gone];
    const byRule: Record<string, number> = { 'dockerfile-token-arg-env': 2 };
    for (const f of mixed.findings) if (!f.suppressed && !staging.includes(f.fingerprint)) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    const trend = buildView(mixed, [record('2026-02-23T09:30:00.000Z', previousPrints, byRule, { 'build-time': 2 })]).trend!;
    expect(trend.delta).toEqual({ newSinceLast: 2, fixedSinceLast: 2, previousTotal: 10 });
    expect(trend.changes!.fixedByRule).toEqual([{ ruleId: 'dockerfile-token-arg-env', count: 2 }]);
    expect(trend.changes!.newFindings.map((f) => [f.ruleId, f.reintroduced])).toEqual([
      ['secret-in-configmap', false],
      ['inline-secret-manifest', false],
    ]);
    expect(trend.burnDown).toMatchObject({ perRun: 0, perWeek: 0, perWeekLabel: '±0', status: 'not-shrinking', spanDays: 7 });
    // The oldest footprint was first seen in that previous run: 7 days.
    expect(trend.oldest).toMatchObject({ since: '2026-02-23T09:30:00.000Z', ageDays: 7, ageLabel: '7 days' });
  });

  it('keeps one point when the history already ends with this run, and ages footprints seen only now as new', () => {
    const only = record(mixed.generatedAt, openPrints);
    const trend = buildView(mixed, [only]).trend!;
    expect(trend.points).toHaveLength(1);
    expect(trend.changes).toBeNull();
    expect(trend.burnDown).toMatchObject({ runs: 1, perRun: null, perWeek: null, status: 'not-shrinking', projectionLabel: 'not shrinking' });
    expect(trend.burnDown.note).toBe('Only one run is recorded so far: the pace shows from the next run on.');
    expect(trend.oldest).toMatchObject({ ageDays: 0, ageLabel: 'first seen in this run' });
  });

  it('shows the first run and the last five as columns when there are more than six runs', () => {
    const history = Array.from({ length: 8 }, (_, i) => record(`2026-01-${String(i + 1).padStart(2, '0')}T09:00:00.000Z`, openPrints.slice(0, 10), { 'inline-secret-manifest': 10 }, { unknown: 10 }));
    const md = renderMarkdown(mixed, { history });
    expect(md).toContain('| Origin class | 2026-01-01 | … 2026-01-05 | 2026-01-06 | 2026-01-07 | 2026-01-08 | 2026-03-02 (this run) | Change |');
    expect(md).toContain('| Unclassified | 10 | 10 | 10 | 10 | 10 | 2 | −8 |');
  });
});

describe('trend in the Markdown report', () => {
  const md = renderMarkdown(mixed, { history: cannedHistory() });
  const section = md.slice(md.indexOf('## Trend'), md.indexOf('## Findings'));

  it('has the burn-down row, the change since the previous run and the oldest footprint', () => {
    expect(section).toContain('| 10 | −4 (from 14) | −1 | −0.5 | 2026-07-20 |');
    expect(section).toContain('At the average pace since 2026-01-05 (0.5 fewer per week, 1 fewer per run), zero around 2026-07-20.');
    expect(section).toContain('Previous run 2026-02-16 09:00Z: 2 new findings, 0 fixed findings (open 8 → 10).');
    expect(section).toContain('  - `critical` `inline-credential-in-values` `values/env/production/apps/billing.yaml:6` (back; first seen 2026-01-05)');
    expect(section).toContain('  - `critical` `chart-owned-inline-secret-template` `values/env/staging/apps/orders.yaml:5`\n');
    expect(section).toContain('**56 days (8 weeks)**: `secret-in-configmap` in `environments/staging/configmaps/orders-legacy-config.yaml:10`, first seen 2026-01-05 09:00Z (fingerprint `aaf3d07c3346`).');
  });

  it('has compact tables per origin class and per rule', () => {
    expect(section).toContain('| Origin class | 2026-01-05 | 2026-01-19 | 2026-02-02 | 2026-02-16 | 2026-03-02 (this run) | Change |');
    expect(section).toContain('| CNPG-owned (operator) | 5 | 4 | 4 | 3 | 4 | −1 |');
    expect(section).toContain('| Build-time | 2 | 1 | 0 | 0 | 0 | −2 |');
    expect(section).toContain('| `chart-owned-inline-secret-template` | 1 | 1 | 1 | 1 | 2 | +1 |');
    expect(section).toContain('| `dockerfile-token-arg-env` | 2 | 1 | 0 | 0 | 0 | −2 |');
    expect(section).toContain('<details><summary>2 rules with the same count in every run</summary>');
    expect(section).toContain('| `pushsecret-non-replace-policy` | 1 | 1 | 1 | 1 | 1 | ±0 |');
  });

  it('labels runs of the same minute by the second', () => {
    const history = [record('2026-03-02T09:30:00.000Z', openPrints), record('2026-03-02T09:30:20.000Z', openPrints)];
    const text = renderMarkdown(resultWith(() => true, '2026-03-02T09:30:41.000Z'), { history });
    expect(text).toContain('| 2026-03-02 09:30:41Z (this run) | 10 |');
    expect(text).toContain('3 recorded runs, from 2026-03-02 to this run (under a day).');
    const sameSecond = buildView(resultWith(() => true, '2026-03-02T09:30:20.950Z'), history).trend!;
    expect(sameSecond.runLabels).toEqual(['2026-03-02 09:30:00.000Z', '2026-03-02 09:30:20.000Z', '2026-03-02 09:30:20.950Z']);
    expect(sameSecond.changes!.previousLabel).toBe('2026-03-02 09:30:20.000Z');
  });

  it('lists fixed findings per rule with their fingerprints', () => {
    const none = resultWith(() => false);
    const text = renderMarkdown(none, { history: [record('2026-01-01T00:00:00.000Z', openPrints.slice(0, 3), { 'inline-secret-manifest': 3 }, { unknown: 3 })] });
    expect(text).toContain('- Fixed: `inline-secret-manifest` 3\n  - fingerprints `565538764d17` `671300de0594` `aaf3d07c3346` (details: `footprint compare` with the previous result)');
    expect(text).toContain('| 0 | −3 (from 3) | −3 | −0.3 | reached |');
    expect(text).toContain('No open footprint.');
  });

  it('escapes names that came from history', () => {
    const history = [record('2026-02-01T00:00:00.000Z', openPrints, { '<img src=x onerror=alert(1)>|x': 10 }, { '<b>odd</b>': 10 })];
    const text = renderMarkdown(mixed, { history });
    expect(text).not.toContain('<img');
    expect(text).not.toContain('<b>odd');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;\\|x');
  });
});

describe('trend in the HTML report', () => {
  const html = renderHtml(mixed, { history: cannedHistory() });
  const section = html.slice(html.indexOf('<section id="trend"'), html.indexOf('</section>', html.indexOf('<section id="trend"')));

  it('shows the burn-down cards and note', () => {
    expect(section).toContain('<div class="card-value" data-testid="burndown-current">10</div>');
    expect(section).toContain('<div class="card-value" data-testid="burndown-change">−4</div><div class="card-note">from 14 on 2026-01-05</div>');
    expect(section).toContain('data-testid="burndown-per-run">−1<');
    expect(section).toContain('data-testid="burndown-per-week">−0.5<');
    expect(section).toContain('data-testid="burndown-projection">2026-07-20<');
    expect(section).toContain('<p data-testid="burndown-note">At the average pace since 2026-01-05 (0.5 fewer per week, 1 fewer per run), zero around 2026-07-20.</p>');
  });

  it('links new findings and the oldest footprint to their findings', () => {
    expect(section).toContain('<code>inline-credential-in-values</code> <a href="#finding-3"><code>values/env/production/apps/billing.yaml:6</code></a> <span class="chip" title="seen before, gone, and back">back (first seen 2026-01-05)</span>');
    expect(section).toContain('<a href="#finding-4"><code>values/env/staging/apps/orders.yaml:5</code></a></li>');
    expect(html).toContain('<article class="finding sev-critical" id="finding-3"');
    expect(section).toContain('<span class="card-value">56 days (8 weeks)</span>');
    expect(section).toContain('<code>secret-in-configmap</code> in <a href="#finding-0"><code>environments/staging/configmaps/orders-legacy-config.yaml:10</code></a>, first seen <time datetime="2026-01-05T09:00:00.000Z">2026-01-05 09:00Z</time>');
  });

  it('draws one small multiple per origin class and per rule', () => {
    expect(section.match(/<figure class="multiple /g)).toHaveLength(6 + 7);
    expect(section).toContain('<figure class="multiple dir-down" data-series="build-time">');
    expect(section).toContain('aria-label="Build-time: 2, 1, 0, 0, 0 open per run"');
    expect(section).toContain('<polyline class="spark" points="6,8 63,32 120,56 177,56 234,56"></polyline>');
    expect(section).toContain('<span class="change dir-up" title="change since the first recorded run">+1</span>');
  });

  it('is deterministic and escapes names that came from history', () => {
    expect(renderHtml(mixed, { history: cannedHistory() })).toBe(html);
    const history = [record('2026-02-01T00:00:00.000Z', openPrints, { '"><img src=x onerror=alert(1)>': 10 }, { '<script>alert(2)</script>': 10 })];
    const planted = renderHtml(mixed, { history });
    expect(planted).not.toContain('<img src=x');
    expect(planted).not.toContain('<script>alert(2)');
    expect(planted).toContain('data-series="&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"');
    expect(planted).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });
});

describe('trend chart labels with many runs', () => {
  const history = Array.from({ length: 40 }, (_, i) =>
    record(new Date(Date.parse('2026-06-01T06:00:00Z') + i * 3.5 * 86_400_000).toISOString(), openPrints.slice(0, 10), { 'inline-secret-manifest': 10 + (i % 3) }, { unknown: 10 }),
  );
  const trend = buildView(mixed, history).trend!;

  it('labels the first and the last run, and no two axis labels overlap', () => {
    const labels = trend.chart.xLabels;
    expect(labels[0]!.label).toBe('2026-06-01');
    expect(labels[labels.length - 1]!.label).toBe('2026-03-02');
    const span = (l: (typeof labels)[number]) => {
      const w = l.label.length * 6.6;
      return l.anchor === 'start' ? [l.x, l.x + w] : l.anchor === 'end' ? [l.x - w, l.x] : [l.x - w / 2, l.x + w / 2];
    };
    for (let i = 1; i < labels.length; i++) expect(span(labels[i]!)[0]).toBeGreaterThan(span(labels[i - 1]!)[1]);
    expect(labels.length).toBeGreaterThan(2);
  });

  it('drops a middle label that would run into the last one', () => {
    const kept = axisLabels([
      { x: 0, label: '2026-06-01', anchor: 'start' },
      { x: 300, label: '2026-08-01', anchor: 'middle' },
      { x: 520, label: '2026-10-02', anchor: 'middle' },
      { x: 560, label: '2026-11-29', anchor: 'end' },
    ]);
    expect(kept.map((l) => l.label)).toEqual(['2026-06-01', '2026-08-01', '2026-11-29']);
  });

  it('captions small charts with the last six runs only', () => {
    const rule = [...trend.rules, ...trend.steadyRules].find((s) => s.key === 'inline-secret-manifest')!;
    expect(rule.values).toHaveLength(41);
    expect(rule.recentText).toBe(`…, ${rule.values.slice(-6).join(', ')}`);
    expect(renderHtml(mixed, { history })).toContain(`runs: ${rule.recentText}`);
  });
});

describe('trend with an empty history (the first recorded run)', () => {
  it('says the trend starts with this run, in HTML and Markdown, and says nothing without a history', () => {
    const md = renderMarkdown(mixed, { history: [] });
    expect(md).toContain('## Trend\n\nNo earlier run is recorded in the history: this run is its first point.');
    const html = renderHtml(mixed, { history: [] });
    expect(html).toContain('data-testid="trend-starts"');
    expect(html).toContain('<a href="#trend">Trend</a>');
    expect(renderMarkdown(mixed)).not.toContain('## Trend');
    expect(renderHtml(mixed)).not.toContain('id="trend"');
  });
});
