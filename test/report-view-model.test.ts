import { describe, expect, it } from 'vitest';
import { buildView, ownerOf } from '../src/report/view-model.js';
import { cannedHistory, cannedResult } from './helpers/report-fixtures.js';

describe('ownerOf', () => {
  it('gives chart files to their chart and everything else to the file itself', () => {
    expect(ownerOf('charts/orders/templates/secret.yaml')).toEqual({ owner: 'charts/orders', kind: 'chart' });
    expect(ownerOf('sources/charts/apps/web/templates/x/deploy.yaml')).toEqual({ owner: 'sources/charts/apps/web', kind: 'chart' });
    expect(ownerOf('third_party/charts/mailrelay/2.4.1/templates/secret.yaml')).toEqual({ owner: 'third_party/charts/mailrelay/2.4.1', kind: 'chart' });
    expect(ownerOf('charts/README.md')).toEqual({ owner: 'charts/README.md', kind: 'file' });
    expect(ownerOf('charts/orders/values.yaml')).toEqual({ owner: 'charts/orders', kind: 'chart' });
    expect(ownerOf('charts/orders/values-production.yaml')).toEqual({ owner: 'charts/orders', kind: 'chart' });
    expect(ownerOf('values/env/staging/apps/orders.yaml')).toEqual({ owner: 'values/env/staging/apps/orders.yaml', kind: 'file' });
    expect(ownerOf('manifests/push-secrets.yaml')).toEqual({ owner: 'manifests/push-secrets.yaml', kind: 'file' });
  });
});

describe('buildView', () => {
  const mixed = cannedResult('mixed');
  const view = buildView(mixed);

  it('sorts rules by worst severity, then size, and findings by severity then location', () => {
    expect(view.rules.map((r) => [r.ruleId, r.maxSeverity, r.count])).toEqual([
      ['inline-credential-in-values', 'critical', 3],
      ['chart-owned-inline-secret-template', 'critical', 2],
      ['inline-secret-manifest', 'critical', 2],
      ['secret-in-configmap', 'critical', 1],
      ['pushsecret-non-replace-policy', 'medium', 1],
      ['fixture-value-in-managed-env', 'low', 1],
    ]);
    expect(view.rules[0]!.findings.map((f) => f.severity)).toEqual(['critical', 'critical', 'medium']);
  });

  it('keeps a finding-specific remediation only when it differs from its rule', () => {
    const values = view.rules[0]!;
    expect(values.remediation).toBe('Fix inline-credential-in-values by moving the credential to its authority.');
    expect(values.findings.map((f) => f.ownRemediation)).toEqual([
      'Set oidc.existingSecret to the Secret the Keycloak client-patcher writes, and leave clientSecret empty.',
      '',
      '',
    ]);
  });

  it('has no rule-level fix when every finding of the rule carries its own', () => {
    const result = cannedResult('mixed');
    result.findings.forEach((f, i) => (f.remediation = { text: `Instance fix ${i}` }));
    const group = buildView(result).rules.find((r) => r.count > 1)!;
    expect(group.remediation).toBe('');
    expect(group.findings.every((f) => f.ownRemediation.startsWith('Instance fix'))).toBe(true);
    const single = buildView(result).rules.find((r) => r.count === 1)!;
    expect(single.remediation).toMatch(/^Instance fix/);
    expect(single.findings[0]!.ownRemediation).toBe('');
  });

  it('counts open findings apart from suppressed ones, and the baseline among the open', () => {
    expect(view.totals).toMatchObject({ open: 10, suppressed: 1, baseline: 1, inventory: mixed.inventory.length, rules: 6 });
    expect(view.filters.severities.map((s) => [s.value, s.count])).toEqual([
      ['critical', 5],
      ['high', 1],
      ['medium', 3],
      ['low', 1],
    ]);
  });

  it('computes compliance per origin class from the inventory and open findings', () => {
    const byOrigin = Object.fromEntries(view.compliance.map((c) => [c.origin, c]));
    expect(byOrigin['build-time']).toMatchObject({ entries: 1, compliant: 1, nonCompliant: 0, openFindings: 0, percent: 100, status: 'compliant' });
    expect(byOrigin['cluster-operator']).toMatchObject({ entries: 10, compliant: 8, nonCompliant: 2, openFindings: 4, percent: 80, status: 'attention' });
    expect(byOrigin.test).toMatchObject({ entries: 0, openFindings: 0, percent: null, status: 'empty' });
  });

  it('builds the trend from history plus this run, with new and fixed per run', () => {
    expect(view.trend).toBeNull();
    const trend = buildView(mixed, cannedHistory()).trend!;
    expect(trend.points.map((p) => [p.total, p.newCount, p.fixedCount, p.current])).toEqual([
      [14, null, null, false],
      [12, 0, 2, false],
      [9, 0, 3, false],
      [8, 0, 1, false],
      [10, 2, 0, true],
    ]);
    expect(trend.delta).toEqual({ newSinceLast: 2, fixedSinceLast: 0, previousTotal: 8 });
    expect(trend.chart.totalLine.split(' ')).toHaveLength(5);
    expect(trend.chart.xLabels.map((l) => l.anchor)).toEqual(['start', 'middle', 'middle', 'middle', 'end']);
  });
});
