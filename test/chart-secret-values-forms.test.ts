import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { tempDirs, writeTree } from './helpers/temp.js';

const tempDir = tempDirs('footprint-secret-forms-');
const RULE = 'chart-owned-inline-secret-template';

/** Scan a tree written from FILES (relative path -> text) in a fresh temp folder. */
async function scanTree(files: Record<string, string>) {
  return scan({ root: writeTree(tempDir(), files), useGit: false });
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

/** The forms a values map can take into a Secret, each with the default `{}` or `""` a chart ships. */
const FORMS: Record<string, { body: string; path: string }> = {
  'whole map, toYaml | nindent': { body: '  {{- toYaml .Values.secretEnv | nindent 2 }}', path: 'secretEnv' },
  'whole map, range $k, $v': { body: '  {{- range $k, $v := .Values.secretEnv }}\n  {{ $k }}: {{ $v | b64enc | quote }}\n  {{- end }}', path: 'secretEnv' },
  'config key, toYaml | b64enc': { body: '  config.yaml: {{ toYaml .Values.secretConfig | b64enc }}', path: 'secretConfig' },
  'config key, piped toYaml': { body: '  config.yaml: {{ .Values.secretConfig | toYaml | b64enc }}', path: 'secretConfig' },
  'config key, tpl (toYaml …)': { body: '  config.yaml: {{ tpl (toYaml .Values.secretConfig) . | b64enc }}', path: 'secretConfig' },
  'config key, block scalar': { body: '  config.yaml: |-\n    {{- toYaml .Values.secretConfig | b64enc | nindent 4 }}', path: 'secretConfig' },
};

describe('a values map rendered whole into a Secret', () => {
  it.each(Object.entries(FORMS))('%s: reported on the template whatever the values hold, or silent while they are empty', async (name, form) => {
    const result = await scanTree(chart(form.body, `${form.path}: {}\n`));
    const onTemplate = result.findings.filter((f) => f.ruleId === RULE).map((f) => f.file);
    // The whole-map forms were reported before this change and still are (the chart renders its Secret from values);
    // a config file's key is reported only once values put a credential in it.
    expect(onTemplate).toEqual(name.startsWith('whole map') ? ['charts/app/templates/secret.yaml'] : []);
  });

  it.each(Object.entries(FORMS).filter(([name]) => name.startsWith('whole map')))('%s: the message names the map, not the template text of its keys', async (_name, form) => {
    const result = await scanTree(chart(form.body, `${form.path}: {}\n`));
    const message = result.findings.find((f) => f.ruleId === RULE)!.message;
    expect(message).toContain(`(every key of the map <- .Values.${form.path})`);
    expect(message).not.toContain('{{');
  });

  it.each(Object.entries(FORMS).filter(([name]) => !name.startsWith('whole map')))('%s: reported on the values line that holds the literal', async (_name, form) => {
    const result = await scanTree(
      chart(form.body, `${form.path}: {}\n`, {
        'charts/app/values-production.yaml': `${form.path}:\n  database:\n    host: db.prod\n    password: Tz8mQ2xw9Rk4\n`,
      }),
    );
    const found = result.findings.filter((f) => f.ruleId === RULE);
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual(['charts/app/values-production.yaml:4']);
    expect(found[0]!.message).toContain(`.Values.${form.path}`);
    expect(found[0]!.message).toContain('password');
    expect(JSON.stringify(result)).not.toContain('Tz8mQ2xw9Rk4');
  });

  it('reads a config blob: a DSN with a password is a literal, a commented one and an empty password are not', async () => {
    const body = '  app.conf: {{ tpl .Values.appConf . | b64enc | quote }}';
    const values = 'appConf: |\n  listen = 8080\n';
    const silent = await scanTree(chart(body, values, { 'charts/app/values-dev.yaml': 'appConf: |\n  # dsn = postgres://app:secret-pw@db/app\n  password =\n  dsn = postgres://db:5432/app\n' }));
    expect(silent.findings.filter((f) => f.ruleId === RULE)).toEqual([]);
    const found = await scanTree(chart(body, values, { 'charts/app/values-dev.yaml': 'appConf: |\n  listen = 8080\n  dsn = postgres://app:Pw9xR2kLm4@db/app\n' }));
    expect(found.findings.filter((f) => f.ruleId === RULE).map((f) => `${f.file}:${f.line}:${f.severity}`)).toEqual(['charts/app/values-dev.yaml:3:medium']);
    expect(JSON.stringify(found)).not.toContain('Pw9xR2kLm4');
  });
});

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
