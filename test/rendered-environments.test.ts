import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan/run.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-rendered-env-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, dir, file)), { recursive: true });
  writeFileSync(path.join(root, dir, file), text);
}

const SECRET = '{{- if not .Values.auth.existingSecret }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app-auth\nstringData:\n  password: {{ .Values.auth.password | quote }}\n{{- end }}\n';

function application(env: string, chartPath: string, valueFiles: string[]): string {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: app-${env}`,
    'spec:',
    '  project: default',
    '  destination:',
    '    server: https://kubernetes.default.svc',
    '    namespace: app',
    '  source:',
    '    repoURL: https://git.example.com/platform.git',
    `    path: ${chartPath}`,
    '    helm:',
    '      valueFiles:',
    ...valueFiles.map((f) => `        - ${f}`),
    '',
  ].join('\n');
}

async function scanned(dir: string) {
  const result = await scan({ root: path.join(root, dir), useGit: false });
  const finding = result.findings.find((f) => f.ruleId === 'chart-owned-inline-secret-template')!;
  const entry = result.inventory.find((e) => e.kind === 'Secret' && e.name === 'app-auth')!;
  return { severity: finding.severity, environment: finding.environment, message: finding.message, inventory: entry.environments };
}

describe('environments of a guarded chart template', () => {
  it('layers values files in the order the release lists them', async () => {
    write('order', 'chart/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    write('order', 'chart/values.yaml', 'auth:\n  existingSecret: ""\n  password: ""\n');
    write('order', 'chart/templates/secret.yaml', SECRET);
    write('order', 'chart/values-common.yaml', 'auth:\n  existingSecret: app-auth\n');
    // Production resets it after the common file: the chart renders its own Secret there.
    write('order', 'chart/values-production.yaml', 'auth:\n  existingSecret: ""\n');
    write('order', 'chart/values-dev.yaml', 'replicas: 1\n');
    write('order', 'apps/production/app.yaml', application('production', 'chart', ['values-common.yaml', 'values-production.yaml']));
    write('order', 'apps/dev/app.yaml', application('dev', 'chart', ['values-production.yaml', 'values-common.yaml']));
    const r = await scanned('order');
    expect([r.severity, r.environment, r.inventory]).toEqual(['critical', 'production', ['production']]);
    expect(r.message).toContain('not rendered in dev (apps/dev/app.yaml:1): `if not .Values.auth.existingSecret` is false with its values');
  });

  it('keeps an environment whose release installs a parent chart: subchart values are not read', async () => {
    write('umbrella', 'platform/Chart.yaml', 'apiVersion: v2\nname: platform\nversion: 1.0.0\n');
    write('umbrella', 'platform/values.yaml', 'app:\n  auth:\n    existingSecret: app-auth\n');
    write('umbrella', 'platform/charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    write('umbrella', 'platform/charts/app/values.yaml', 'auth:\n  existingSecret: ""\n  password: ""\n');
    write('umbrella', 'platform/charts/app/templates/secret.yaml', SECRET);
    write('umbrella', 'apps/production/platform.yaml', application('production', 'platform', ['values.yaml']));
    const r = await scanned('umbrella');
    expect([r.severity, r.environment, r.inventory]).toEqual(['critical', 'production', ['production']]);
  });

  it('reports a template no release renders at its own severity, with no environment, in findings and inventory', async () => {
    write('none', 'chart/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    write('none', 'chart/values.yaml', 'auth:\n  existingSecret: ""\n  password: ""\n');
    write('none', 'chart/templates/secret.yaml', SECRET);
    // Named like the chart: the inventory's guess from values file names must not bring production back.
    write('none', 'values/production/app.yaml', 'auth:\n  existingSecret: app-auth\n');
    write('none', 'apps/production/app.yaml', application('production', 'chart', ['../values/production/app.yaml']));
    const r = await scanned('none');
    expect([r.severity, r.environment, r.inventory]).toEqual(['high', undefined, []]);
    expect(r.message).toContain('(no environment of its own; not rendered in production (apps/production/app.yaml:1): `if not .Values.auth.existingSecret` is false with its values)');
  });
});

describe('environments of guarded templates that share line numbers', () => {
  it('judge each template by its own guard (two templates, blocks on the same lines, different conditions)', async () => {
    write('shared-lines', 'chart/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    write('shared-lines', 'chart/values.yaml', 'auth:\n  existingSecret: ""\n  password: ""\nmetrics:\n  enabled: true\n');
    write('shared-lines', 'chart/templates/secret.yaml', SECRET);
    // Same lines, another guard: production switches metrics off but leaves existingSecret empty.
    write('shared-lines', 'chart/templates/metrics-secret.yaml', SECRET.replace('not .Values.auth.existingSecret', '.Values.metrics.enabled').replace('name: app-auth', 'name: app-metrics'));
    write('shared-lines', 'chart/values-production.yaml', 'metrics:\n  enabled: false\n');
    write('shared-lines', 'chart/values-dev.yaml', 'auth:\n  existingSecret: app-auth\n');
    write('shared-lines', 'apps/production/app.yaml', application('production', 'chart', ['values-production.yaml']));
    write('shared-lines', 'apps/dev/app.yaml', application('dev', 'chart', ['values-dev.yaml']));
    const result = await scan({ root: path.join(root, 'shared-lines'), useGit: false });
    const envs = Object.fromEntries(result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.name, e.environments]));
    expect(envs).toEqual({ 'app-auth': ['production'], 'app-metrics': ['dev'] });
  });
});
