import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { tempDirs } from './helpers/temp.js';

const tempDir = tempDirs('footprint-secret-forms-');
const RULE = 'chart-owned-inline-secret-template';

/** Scan a tree written from FILES (relative path -> text) in a fresh temp folder. */
async function scanTree(files: Record<string, string>) {
  const root = tempDir();
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return scan({ root, useGit: false });
}

const CHART = 'apiVersion: v2\nname: app\nversion: 0.1.0\n';

/** A chart whose one Secret fills its data with BODY (lines under `data:`), and values VALUES. */
function chart(body: string, values: string, extra: Record<string, string> = {}) {
  return {
    'charts/app/Chart.yaml': CHART,
    'charts/app/templates/secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n${body}\n`,
    'charts/app/values.yaml': values,
    ...extra,
  };
}

describe('keys an included define writes into a Secret', () => {
  const helpers = [
    '{{- define "app.secretData" -}}',
    'username: {{ .Values.auth.username | b64enc | quote }}',
    'password: {{ .Values.auth.password | b64enc | quote }}',
    '{{- if .Values.auth.apiToken }}',
    'API_TOKEN: {{ .Values.auth.apiToken | b64enc | quote }}',
    '{{- end }}',
    '{{- end -}}',
    '',
  ].join('\n');

  it('are inventoried and judged like keys written in the template', async () => {
    const result = await scanTree(chart('  {{- include "app.secretData" . | nindent 2 }}', 'auth:\n  username: app\n  password: ""\n  apiToken: ""\n', { 'charts/app/templates/_helpers.tpl': helpers }));
    expect(result.inventory.find((e) => e.name === 'app')?.keys).toEqual(['API_TOKEN', 'password', 'username']);
    const found = result.findings.filter((f) => f.ruleId === RULE);
    expect(found.map((f) => f.line)).toEqual([6]);
    expect(found[0]!.message).toContain('password, API_TOKEN <- .Values.auth.password, .Values.auth.apiToken');
  });

  it('through `template` without an indent function, and through a define that includes another', async () => {
    const nested = `${helpers}{{- define "app.allData" -}}\n{{ include "app.secretData" . }}\nextra.txt: {{ .Values.note | b64enc }}\n{{- end -}}\n`;
    const result = await scanTree(chart('  {{- include "app.allData" . | nindent 2 }}', 'auth:\n  password: ""\nnote: hi\n', { 'charts/app/templates/_helpers.tpl': nested }));
    expect(result.inventory.find((e) => e.name === 'app')?.keys).toEqual(['API_TOKEN', 'extra.txt', 'password', 'username']);
    expect(result.findings.filter((f) => f.ruleId === RULE).map((f) => f.message)).toEqual([expect.stringContaining('(password, API_TOKEN <- ')]);
  });
});
