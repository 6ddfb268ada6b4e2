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

  it('reads a subchart\'s values from the parent release\'s block under the subchart\'s name', async () => {
    write('umbrella', 'platform/Chart.yaml', 'apiVersion: v2\nname: platform\nversion: 1.0.0\n');
    write('umbrella', 'platform/values.yaml', 'app:\n  auth:\n    existingSecret: app-auth\n');
    write('umbrella', 'platform/charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    write('umbrella', 'platform/charts/app/values.yaml', 'auth:\n  existingSecret: ""\n  password: ""\n');
    write('umbrella', 'platform/charts/app/templates/secret.yaml', SECRET);
    write('umbrella', 'apps/production/platform.yaml', application('production', 'platform', ['values.yaml']));
    const r = await scanned('umbrella');
    expect([r.severity, r.environment, r.inventory]).toEqual(['high', undefined, []]);
    expect(r.message).toContain('not rendered in production (apps/production/platform.yaml:1): `if not .Values.auth.existingSecret` is false with its values');
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

/** A chart `app` whose Secret template is guarded by GUARD, released in production and dev with their own values files. */
interface GuardCase {
  name: string;
  guard: string;
  defaults: string;
  production: string;
  dev: string;
  /** Extra chart files (a _helpers.tpl). */
  files?: Record<string, string>;
  /** The environments the Secret is inventoried in. */
  expected: string[];
}

const GUARDED = (guard: string) => SECRET.replace('{{- if not .Values.auth.existingSecret }}', `{{- if ${guard} }}`);

const guardCases: GuardCase[] = [
  { name: 'hasKey, set in production only', guard: 'not (hasKey .Values.auth "existingSecret")', defaults: 'auth:\n  password: ""\n', production: 'auth:\n  existingSecret: app-auth\n', dev: 'replicas: 1\n', expected: ['dev'] },
  { name: 'hasKey on .Values itself', guard: 'not (hasKey .Values "externalDatabase")', defaults: 'auth:\n  password: ""\n', production: 'externalDatabase:\n  host: db\n', dev: 'replicas: 1\n', expected: ['dev'] },
  { name: 'hasKey, a key set to null: not decided', guard: 'not (hasKey .Values.auth "existingSecret")', defaults: 'auth:\n  password: ""\n', production: 'auth:\n  existingSecret: null\n', dev: 'auth:\n  existingSecret: app-auth\n', expected: ['production'] },
  { name: 'a default pipe', guard: 'not (.Values.auth.external | default false)', defaults: 'auth:\n  password: ""\n', production: 'auth:\n  external: true\n', dev: 'replicas: 1\n', expected: ['dev'] },
  // sprig's default takes the default for a false value too: `create: false` does not switch this one off.
  { name: 'a default pipe over false: the default true wins', guard: 'and (.Values.auth.create | default true) (not .Values.auth.external)', defaults: 'auth:\n  password: ""\n', production: 'auth:\n  create: false\n', dev: 'auth:\n  external: true\n', expected: ['production'] },
  { name: 'a default call with a false default', guard: 'default false .Values.auth.create', defaults: 'auth:\n  password: ""\n', production: 'auth:\n  create: true\n', dev: 'auth:\n  create: false\n', expected: ['production'] },
  { name: 'eq on a values string', guard: 'eq .Values.mode "standalone"', defaults: 'mode: standalone\n', production: 'mode: replication\n', dev: 'replicas: 1\n', expected: ['dev'] },
  { name: 'ne on a values string', guard: 'ne .Values.mode "external"', defaults: 'mode: standalone\n', production: 'mode: external\n', dev: 'replicas: 1\n', expected: ['dev'] },
  { name: 'eq of a string and a bool fails to render: not decided', guard: 'eq .Values.create "true"', defaults: 'create: true\n', production: 'create: false\n', dev: 'create: true\n', expected: ['production', 'dev'] },
  {
    name: 'eq of an include with the text of its define',
    guard: 'eq (include "app.createSecret" .) "true"',
    defaults: 'auth:\n  existingSecret: ""\n',
    production: 'auth:\n  existingSecret: app-auth\n',
    dev: 'replicas: 1\n',
    files: { 'templates/_helpers.tpl': '{{- define "app.createSecret" -}}\n{{- if not .Values.auth.existingSecret -}}\n  {{- true -}}\n{{- else -}}\n  {{- false -}}\n{{- end -}}\n{{- end -}}\n' },
    expected: ['dev'],
  },
  {
    name: 'eq of an include whose text keeps a newline: not "true" either way',
    guard: 'eq (include "app.createSecret" .) "true"',
    defaults: 'auth:\n  existingSecret: ""\n',
    production: 'auth:\n  existingSecret: app-auth\n',
    dev: 'replicas: 1\n',
    files: { 'templates/_helpers.tpl': '{{- define "app.createSecret" }}\n{{ if not .Values.auth.existingSecret }}true{{ end }}\n{{- end -}}\n' },
    expected: [],
  },
];

describe('environments of templates behind hasKey, default, eq and ne guards', () => {
  for (const c of guardCases) {
    it(c.name, async () => {
      const dir = `guard-${guardCases.indexOf(c)}`;
      write(dir, 'chart/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
      write(dir, 'chart/values.yaml', c.defaults);
      write(dir, 'chart/templates/secret.yaml', GUARDED(c.guard));
      for (const [file, text] of Object.entries(c.files ?? {})) write(dir, `chart/${file}`, text);
      write(dir, 'chart/values-production.yaml', c.production);
      write(dir, 'chart/values-dev.yaml', c.dev);
      write(dir, 'apps/production/app.yaml', application('production', 'chart', ['values-production.yaml']));
      write(dir, 'apps/dev/app.yaml', application('dev', 'chart', ['values-dev.yaml']));
      const r = await scanned(dir);
      expect(r.inventory).toEqual(c.expected);
      expect(r.environment).toBe(c.expected[0]);
    });
  }
});

describe('environments of subchart templates', () => {
  function umbrella(dir: string, parentChart: string, parentValues: string, production: string, dev: string): void {
    write(dir, 'platform/Chart.yaml', parentChart);
    write(dir, 'platform/values.yaml', parentValues);
    write(dir, 'platform/charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    write(dir, 'platform/charts/app/values.yaml', 'auth:\n  existingSecret: ""\n  password: ""\nglobal:\n  externalSecrets: false\n');
    write(dir, 'platform/charts/app/templates/secret.yaml', SECRET.replace('{{- if not .Values.auth.existingSecret }}', '{{- if and (not .Values.auth.existingSecret) (not .Values.global.externalSecrets) }}'));
    write(dir, 'platform/values-production.yaml', production);
    write(dir, 'platform/values-dev.yaml', dev);
    write(dir, 'apps/production/platform.yaml', application('production', 'platform', ['values-production.yaml']));
    write(dir, 'apps/dev/platform.yaml', application('dev', 'platform', ['values-dev.yaml']));
  }
  const CHART = 'apiVersion: v2\nname: platform\nversion: 1.0.0\n';

  it('reads the release values under the subchart\'s name over the subchart\'s defaults', async () => {
    umbrella('sub-name', CHART, 'replicas: 1\n', 'app:\n  auth:\n    existingSecret: app-auth\n', 'auth:\n  existingSecret: not-the-subchart\n');
    const r = await scanned('sub-name');
    expect([r.environment, r.inventory]).toEqual(['dev', ['dev']]);
  });

  it('reads them under the dependency\'s alias', async () => {
    const aliased = `${CHART}dependencies:\n  - name: app\n    version: 1.0.0\n    alias: api\n`;
    umbrella('sub-alias', aliased, 'replicas: 1\n', 'app:\n  auth:\n    existingSecret: app-auth\n', 'api:\n  auth:\n    existingSecret: app-auth\n');
    const r = await scanned('sub-alias');
    expect([r.environment, r.inventory]).toEqual(['production', ['production']]);
  });

  it('reads the parent\'s globals over the subchart\'s', async () => {
    umbrella('sub-global', CHART, 'global:\n  externalSecrets: false\n', 'global:\n  externalSecrets: true\n', 'app:\n  global:\n    externalSecrets: true\n');
    const r = await scanned('sub-global');
    // A subchart's own global block is overridden by the parent's: dev keeps externalSecrets false.
    expect([r.environment, r.inventory]).toEqual(['dev', ['dev']]);
  });

  it('leaves a subchart out where its dependency condition is false in the parent\'s values', async () => {
    const conditional = `${CHART}dependencies:\n  - name: app\n    version: 1.0.0\n    condition: app.enabled,appEnabled\n`;
    umbrella('sub-condition', conditional, 'app:\n  enabled: true\n', 'app:\n  enabled: false\n', 'app:\n  enabled: "no"\nappEnabled: false\n');
    const r = await scanned('sub-condition');
    // Dev's first path is no boolean: the second decides. Both environments leave the subchart out.
    expect([r.severity, r.environment, r.inventory]).toEqual(['high', undefined, []]);
    expect(r.message).toContain('not rendered in production (apps/production/platform.yaml:1): `condition: app.enabled` is false with its values; dev (apps/dev/platform.yaml:1): `condition: appEnabled` is false with its values');
  });

  it('keeps a subchart whose dependency condition is true, or names no boolean', async () => {
    const conditional = `${CHART}dependencies:\n  - name: app\n    version: 1.0.0\n    condition: app.enabled\n`;
    umbrella('sub-condition-on', conditional, 'replicas: 1\n', 'app:\n  enabled: true\n', 'app:\n  enabled: "{{ .Values.x }}"\n');
    const r = await scanned('sub-condition-on');
    expect([r.environment, r.inventory]).toEqual(['production', ['production', 'dev']]);
  });

  it('leaves a subchart of an apiVersion v1 parent undecided (its requirements.yaml is not read)', async () => {
    umbrella('sub-v1', 'apiVersion: v1\nname: platform\nversion: 1.0.0\n', 'replicas: 1\n', 'app:\n  auth:\n    existingSecret: app-auth\n', 'replicas: 2\n');
    const r = await scanned('sub-v1');
    expect([r.environment, r.inventory]).toEqual(['production', ['production', 'dev']]);
  });

  it('leaves a subchart its parent lists under two aliases undecided', async () => {
    const twice = `${CHART}dependencies:\n  - name: app\n    alias: api\n  - name: app\n    alias: worker\n`;
    umbrella('sub-twice', twice, 'replicas: 1\n', 'api:\n  auth:\n    existingSecret: a\nworker:\n  auth:\n    existingSecret: b\n', 'replicas: 2\n');
    const r = await scanned('sub-twice');
    expect([r.environment, r.inventory]).toEqual(['production', ['production', 'dev']]);
  });
});
