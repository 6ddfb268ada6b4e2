import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan/run.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-toggle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

const secret = (name: string, guard: string) =>
  `{{- if .Values.${guard} }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: {{ .Values.auth.password }}\n{{- end }}\n`;

describe('values toggles and the templates they switch on', () => {
  it("prefers the chart's own guarded templates, else any chart's, never a longer values path", async () => {
    for (const chart of ['a', 'b', 'c']) {
      write(`charts/${chart}/Chart.yaml`, `apiVersion: v2\nname: ${chart}\nversion: 1.0.0\n`);
      write(`charts/${chart}/values.yaml`, 'auth:\n  createSecret: true\n');
    }
    write('charts/a/templates/secret.yaml', secret('a-auth', 'auth.createSecret'));
    write('charts/b/templates/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: y\n');
    write('charts/c/templates/secret.yaml', secret('c-auth', 'auth.createSecretName'));
    write('charts/c/templates/other.yaml', secret('c-other', 'auth.createSecret'));
    const result = await scan({ root, useGit: false });
    const toggles = result.findings
      .filter((f) => f.ruleId === 'chart-owned-inline-secret-template' && f.message.startsWith('Values toggle'))
      .map((f) => [f.file, f.message.replace(/^.*\((.*)\)$/, '$1')]);
    expect(toggles).toEqual([
      ['charts/a/values.yaml', 'charts/a/templates/secret.yaml'],
      ['charts/b/values.yaml', 'charts/a/templates/secret.yaml'],
      ['charts/c/values.yaml', 'charts/c/templates/other.yaml'],
    ]);
  });
});
