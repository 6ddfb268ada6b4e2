import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  isBlankFrom,
  preprocessHelmTemplate,
  restorePlaceholders,
  type HelmAction,
  type HelmFrontEnd,
} from '../src/analyzers/helm/gotemplate.js';
import { objectDefinesText, writtenKeys } from '../src/analyzers/yaml.js';

const lines = (s: string): string[] => s.split('\n');

function parse(fe: HelmFrontEnd) {
  const docs = parseAllDocuments(fe.yaml, { uniqueKeys: false, maxAliasCount: 100, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return {
    errors: list.flatMap((d) => d.errors.map((e) => e.message)),
    values: list.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown),
  };
}

function actionAt(fe: HelmFrontEnd, line: number, index = 0): HelmAction {
  const found = fe.actions.filter((a) => a.line === line);
  const a = found[index];
  if (!a) throw new Error(`no action #${index} on line ${line}`);
  return a;
}

describe('preprocessHelmTemplate: structure', () => {
  it('keeps the line count and removes control actions on their own lines', () => {
    const src = [
      '{{- if .Values.enabled }}',
      'apiVersion: v1',
      'kind: ConfigMap',
      '{{- end }}',
      '',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['', 'apiVersion: v1', 'kind: ConfigMap', '', ''].join('\n'));
    expect(lines(fe.yaml)).toHaveLength(lines(src).length);
    expect(fe.actions.map((a) => [a.kind, a.keyword])).toEqual([
      ['control', 'if'],
      ['control', 'end'],
    ]);
    expect(fe.problems).toEqual([]);
  });

  it('keeps the YAML of every if/else-if/else branch', () => {
    const src = [
      'spec:',
      '  {{- if .Values.a }}',
      '  mode: a',
      '  {{- else if .Values.b }}',
      '  mode: b',
      '  {{- else }}',
      '  mode: c',
      '  {{- end }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['spec:', '', '  mode: a', '', '  mode: b', '', '  mode: c', ''].join('\n'));
    const { errors } = parse(fe);
    expect(errors).toEqual([]);
    const doc = parseAllDocuments(fe.yaml, { uniqueKeys: false });
    const spec = (Array.isArray(doc) ? doc[0] : doc)!.get('spec') as { items: { value: { value: string } }[] };
    expect(spec.items.map((p) => p.value.value)).toEqual(['a', 'b', 'c']);
    expect(actionAt(fe, 4).keyword).toBe('else');
    expect(actionAt(fe, 4).valuesRefs).toEqual(['.b']);
  });

  it('blanks lines that only inject blocks and keeps `key:` when children follow', () => {
    const src = [
      'metadata:',
      '  labels: {{- include "common.labels.standard" (dict "customLabels" .Values.commonLabels "context" $) | nindent 4 }}',
      '    app.kubernetes.io/component: web',
      '  annotations:',
      '    {{- include "common.tplvalues.render" (dict "value" .Values.annotations "context" $) | nindent 4 }}',
      '    {{ toYaml .Values.extraAnnotations | indent 4 }}',
      '    {{ .Values.raw }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(
      ['metadata:', '  labels:', '    app.kubernetes.io/component: web', '  annotations:', '', '', ''].join('\n'),
    );
    expect(fe.actions.map((a) => a.kind)).toEqual(['block', 'block', 'block', 'block']);
    expect(fe.actions.every((a) => a.placeholder === undefined)).toBe(true);
    expect(fe.placeholders.size).toBe(0);
    expect(parse(fe).values[0]).toEqual({
      metadata: { labels: { 'app.kubernetes.io/component': 'web' }, annotations: null },
    });
  });

  it('keeps `key: <placeholder>` for an injected block when no children follow', () => {
    const src = ['spec:', '  resources: {{- toYaml .Values.resources | nindent 4 }}', '  replicas: 1'].join('\n');
    const fe = preprocessHelmTemplate(src);
    const a = actionAt(fe, 2);
    expect(a.kind).toBe('block');
    expect(a.placeholder).toBe('__FPT0__');
    expect(fe.yaml).toBe(['spec:', '  resources: __FPT0__', '  replicas: 1'].join('\n'));
    expect(fe.placeholders.get('__FPT0__')).toBe(a);
    expect(parse(fe).values[0]).toEqual({ spec: { resources: '__FPT0__', replicas: 1 } });
  });

  it('drops the token of a list item whose content is injected and continued below', () => {
    const src = ['items:', '  - {{- include "x" . | nindent 4 }}', '    name: a'].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['items:', '  -', '    name: a'].join('\n'));
    expect(parse(fe).values[0]).toEqual({ items: [{ name: 'a' }] });
  });

  it('replaces inline value actions by placeholders, inside quotes when the action is quoted', () => {
    const src = [
      'name: {{ include "common.names.fullname" . }}-metrics',
      'image: "{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      "tag: '{{ .Values.image.tag | default .Chart.AppVersion }}'",
      'port: {{ .Values.port }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(
      [
        'name: __FPT0__-metrics',
        'image: "__FPT1__/__FPT2__:__FPT3__"',
        "tag: '__FPT4__'",
        'port: __FPT5__',
      ].join('\n'),
    );
    const doc = parse(fe).values[0] as Record<string, string>;
    expect(doc.image).toBe('__FPT1__/__FPT2__:__FPT3__');
    expect(restorePlaceholders(doc.image!, fe)).toBe(
      '{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag }}',
    );
    expect(restorePlaceholders(doc.name!, fe)).toBe('{{ include "common.names.fullname" . }}-metrics');
    expect(fe.actions.map((a) => a.kind)).toEqual(['value', 'value', 'value', 'value', 'value', 'value']);
    expect(fe.placeholders.size).toBe(6);
  });

  it('handles multi-line actions and comments without shifting lines', () => {
    const src = [
      '{{- /*',
      'Copyright: {{ not an action }}',
      '*/}}',
      'data:',
      '  key: {{ include "x" (dict',
      '         "a" .Values.a',
      '         "b" .Values.b) }} # trailing',
      '  other: 1',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['', '', '', 'data:', '  key: __FPT0__ # trailing', '', '', '  other: 1'].join('\n'));
    expect(fe.actions[0]).toMatchObject({ kind: 'comment', line: 1, endLine: 3, column: 1, trimLeft: true });
    expect(fe.actions[1]).toMatchObject({
      kind: 'value',
      line: 5,
      endLine: 7,
      column: 8,
      valuesRefs: ['.a', '.b'],
      functions: ['include', 'dict'],
      templates: ['x'],
    });
    expect(parse(fe).values[0]).toEqual({ data: { key: '__FPT0__', other: 1 } });
  });

  it('does not end an action at `}}` inside quoted or backtick strings', () => {
    const src = [
      'a: {{ `literal }} with braces {{` }}',
      'b: {{ printf "%s}}" .Values.x | quote }}',
      'c: {{ "{{" }}',
      'd: {{ `multi',
      'line }}` }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.actions.map((a) => a.expr)).toEqual([
      '`literal }} with braces {{`',
      'printf "%s}}" .Values.x | quote',
      '"{{"',
      '`multi\nline }}`',
    ]);
    expect(fe.yaml).toBe(['a: __FPT0__', 'b: __FPT1__', 'c: __FPT2__', 'd: __FPT3__', ''].join('\n'));
    expect(fe.actions[1]!.valuesRefs).toEqual(['.x']);
    expect(fe.problems).toEqual([]);
  });

  it('records trim markers but does not glue YAML tokens together', () => {
    const fe = preprocessHelmTemplate('key: {{- .Values.x -}}\nnext: 1');
    expect(fe.actions[0]).toMatchObject({ trimLeft: true, trimRight: true, expr: '.Values.x' });
    expect(fe.yaml).toBe('key: __FPT0__\nnext: 1');
    // `{{-3}}` is the number -3, not a trim marker
    const neg = preprocessHelmTemplate('n: {{-3}}');
    expect(neg.actions[0]).toMatchObject({ trimLeft: false, expr: '-3' });
  });

  it('removes assignments and records them in `variables`', () => {
    const src = [
      '{{- $fullname := include "common.names.fullname" . }}',
      '{{- $password := "" }}',
      '{{- if not .Values.auth.existingSecret }}',
      '{{- $password = .Values.auth.password | default (randAlphaNum 16) }}',
      '{{- end }}',
      '{{- range $key, $value := .Values.extraSecrets }}',
      '{{ $key }}: {{ $value | b64enc | quote }}',
      '{{- end }}',
      '{{- with $tls := .Values.tls }}{{ end }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['', '', '', '', '', '', '__FPT0__: __FPT1__', '', ''].join('\n'));
    expect(Object.fromEntries(fe.variables)).toEqual({
      $fullname: ['include "common.names.fullname" .'],
      $password: ['""', '.Values.auth.password | default (randAlphaNum 16)'],
      // The key of a range is a name the values spell, not one of their values: not recorded.
      $value: ['range .Values.extraSecrets'],
      $tls: ['.Values.tls'],
    });
    expect(actionAt(fe, 1).kind).toBe('assign');
    expect(actionAt(fe, 4)).toMatchObject({
      kind: 'assign',
      valuesRefs: ['.auth.password'],
      functions: ['default', 'randAlphaNum'],
    });
    expect(actionAt(fe, 6)).toMatchObject({ kind: 'control', keyword: 'range', valuesRefs: ['.extraSecrets'] });
    expect(fe.problems).toEqual([]);
  });

  it('collects valuesRefs (.Values, $.Values, index, default pipelines, with scopes) and functions', () => {
    const src = [
      'a: {{ .Values.auth.rootPassword | default "x" | b64enc | quote }}',
      'b: {{ $.Values.global.imageRegistry }}',
      'c: {{ index .Values "my-chart" "password" }}',
      'd: {{ index .Values.secrets "api-key" | b64enc }}',
      'e: {{ required "a password is required" .Values.auth.password }}',
      'f: {{ (lookup "v1" "Secret" .Release.Namespace "s").data.password }}',
      'g: {{ tpl .Values.extraConfig $ }}',
      'h: {{ dig "db" "user" "admin" .Values.external }}',
      '{{- with .Values.database }}',
      'i: {{ .host }}:{{ .port | toString }}',
      '{{- end }}',
      'j: {{ toYaml .Values | sha256sum }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    const refs = (line: number) => actionAt(fe, line).valuesRefs;
    const fns = (line: number) => actionAt(fe, line).functions;
    expect(refs(1)).toEqual(['.auth.rootPassword']);
    expect(fns(1)).toEqual(['default', 'b64enc', 'quote']);
    expect(refs(2)).toEqual(['.global.imageRegistry']);
    expect(refs(3)).toEqual(['.my-chart.password']);
    expect(fns(3)).toEqual(['index']);
    expect(refs(4)).toEqual(['.secrets.api-key']);
    expect(refs(5)).toEqual(['.auth.password']);
    expect(fns(5)).toEqual(['required']);
    expect(refs(6)).toEqual([]);
    expect(fns(6)).toEqual(['lookup']);
    expect(refs(7)).toEqual(['.extraConfig']);
    expect(fns(7)).toEqual(['tpl']);
    expect(refs(8)).toEqual(['.external.db.user']);
    expect(fns(8)).toEqual(['dig']);
    expect(actionAt(fe, 9).valuesRefs).toEqual(['.database']);
    expect(actionAt(fe, 10, 0).valuesRefs).toEqual(['.database.host']);
    expect(actionAt(fe, 10, 1).valuesRefs).toEqual(['.database.port']);
    expect(actionAt(fe, 10, 1).functions).toEqual(['toString']);
    expect(refs(12)).toEqual(['.']);
    expect(fns(12)).toEqual(['toYaml', 'sha256sum']);
    expect(parse(fe).errors).toEqual([]);
  });

  it('lists named templates of include/template and blanks define bodies', () => {
    const src = [
      '{{- define "my.helper" -}}',
      'this: {is: not, yaml',
      '{{- .Values.inner }}',
      '{{- end -}}',
      'name: {{ template "common.names.fullname" . }}',
      '{{ template "my.helper" . }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['', '', '', '', 'name: __FPT0__', ''].join('\n'));
    expect(actionAt(fe, 1)).toMatchObject({ kind: 'define', keyword: 'define', templates: ['my.helper'], inDefine: 'my.helper' });
    expect(actionAt(fe, 3)).toMatchObject({ valuesRefs: ['.inner'], inDefine: 'my.helper' });
    expect(actionAt(fe, 3).placeholder).toBeUndefined();
    expect(actionAt(fe, 5)).toMatchObject({ kind: 'value', templates: ['common.names.fullname'], functions: ['template'] });
    expect(actionAt(fe, 5).inDefine).toBeUndefined();
    expect(actionAt(fe, 6).kind).toBe('block');
    expect(parse(fe).errors).toEqual([]);
  });

  it('drops an empty flow collection that is the else-alternative of a block branch', () => {
    const src = [
      'matchLabels:',
      '  {{- if .Values.labels }}',
      '  {{- range $k, $v := .Values.labels }}',
      '  {{ $k }}: {{ $v | quote }}',
      '  {{- end }}',
      '  {{- else }}',
      '  {}',
      '  {{- end }}',
    ].join('\n');
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe(['matchLabels:', '', '', '  __FPT0__: __FPT1__', '', '', '', ''].join('\n'));
    expect(parse(fe).errors).toEqual([]);
  });
});

describe('restorePlaceholders', () => {
  it('round-trips every placeholder to `{{ expr }}` and leaves unknown tokens alone', () => {
    const fe = preprocessHelmTemplate('url: "https://{{ .Values.host }}:{{ .Values.port }}/{{ include "p" . }}"');
    expect(fe.yaml).toBe('url: "https://__FPT0__:__FPT1__/__FPT2__"');
    const url = (parse(fe).values[0] as { url: string }).url;
    expect(restorePlaceholders(url, fe)).toBe('https://{{ .Values.host }}:{{ .Values.port }}/{{ include "p" . }}');
    expect(restorePlaceholders('__FPT99__ and plain', fe)).toBe('__FPT99__ and plain');
    expect(restorePlaceholders('no tokens', fe)).toBe('no tokens');
  });
  it('restores a value that is exactly one token, and leaves an unknown lone token alone', () => {
    const fe = preprocessHelmTemplate('a: {{ .Values.a | quote }}\nb: {{ .Values.b }}');
    expect(restorePlaceholders('__FPT1__', fe)).toBe('{{ .Values.b }}');
    expect(restorePlaceholders('__FPT0____FPT1__', fe)).toBe('{{ .Values.a | quote }}{{ .Values.b }}');
    expect(restorePlaceholders('__FPT7__', fe)).toBe('__FPT7__');
    expect(restorePlaceholders('__FPT0__ ', fe)).toBe('{{ .Values.a | quote }} ');
  });
});

describe('hostile input', () => {
  it('reports an unclosed `{{` without throwing and keeps the other lines', () => {
    const src = 'a: 1\nb: {{ .Values.x\nc: 3';
    const fe = preprocessHelmTemplate(src);
    expect(fe.yaml).toBe('a: 1\nb:\nc: 3');
    expect(fe.problems).toEqual([{ line: 2, message: "unclosed action: '{{' without matching '}}'" }]);
  });

  it('reports a stray `}}` but not the closing braces of YAML flow mappings', () => {
    const fe = preprocessHelmTemplate('a: b }}\nc: {d: {e: f}}');
    expect(fe.yaml).toBe('a: b }}\nc: {d: {e: f}}');
    expect(fe.problems).toEqual([{ line: 1, message: "stray '}}' outside an action" }]);
  });

  it('reports `end` without opener, unclosed blocks, `else` without opener and unclosed comments', () => {
    expect(preprocessHelmTemplate('{{ end }}\na: 1').problems).toEqual([
      { line: 1, message: "'end' without matching if/range/with/define/block" },
    ]);
    expect(preprocessHelmTemplate('a: 1\n{{ if .x }}\nb: 2').problems).toEqual([
      { line: 2, message: "unclosed 'if' (missing {{ end }})" },
    ]);
    expect(preprocessHelmTemplate('{{ else }}').problems).toEqual([
      { line: 1, message: "'else' without matching if/range/with" },
    ]);
    const c = preprocessHelmTemplate('a: 1\n{{/* open\ncomment\nb: 2');
    expect(c.problems).toEqual([{ line: 2, message: 'unclosed comment' }]);
    expect(c.yaml).toBe('a: 1\n\n\n');
  });

  it('handles a 1 MB single line with an unclosed action', () => {
    const src = 'key: ' + '{{ .Values.a }} '.repeat(50_000) + 'x'.repeat(200_000) + ' {{ "unterminated';
    expect(src.length).toBeGreaterThan(1_000_000);
    const fe = preprocessHelmTemplate(src);
    expect(lines(fe.yaml)).toHaveLength(1);
    expect(fe.placeholders.size).toBe(50_000);
    expect(fe.problems.map((p) => p.message)).toContain("unclosed action: '{{' without matching '}}'");
  });

  // Speed is the bench's business (no timed assertions here); a quadratic front end would hit the test timeout.
  it('reads pathological delimiters and binary garbage line for line, never throwing', () => {
    const inputs = [
      '{{ '.repeat(300_000),
      '{{ `'.repeat(200_000),
      '{{/* '.repeat(200_000),
      '{{ if .a }}'.repeat(100_000),
      Array.from({ length: 200_000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join(''),
      '\u0000\u0001{{\u0000}}\n}}}}{{{{\n',
      'a: ' + ' \t'.repeat(300_000) + '{{ .Values.x }}' + ' '.repeat(300_000) + 'b {{ if }}' + ' '.repeat(300_000),
    ];
    for (const src of inputs) {
      const fe = preprocessHelmTemplate(src);
      expect(lines(fe.yaml)).toHaveLength(lines(src).length);
    }
    const nested = preprocessHelmTemplate('{{ if .a }}'.repeat(100_000));
    expect(nested.problems).toHaveLength(101);
    expect(nested.problems[100]!.message).toMatch(/too many template problems/);
  });
});

describe('realistic bitnami-style templates', () => {
  it('Secret guarded by existingSecret keeps kind, name placeholder and data keys', () => {
    const src = `{{- /*
Copyright Broadcom, Inc. All Rights Reserved.
SPDX-License-Identifier: APACHE-2.0
*/}}

{{- if not .Values.auth.existingSecret }}
{{- $rootPassword := include "common.secrets.passwords.manage" (dict "secret" (include "common.names.fullname" .) "key" "root-password" "providedValues" (list "auth.rootPassword") "context" $) }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "common.names.fullname" . }}
  namespace: {{ include "common.names.namespace" . | quote }}
  labels: {{- include "common.labels.standard" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 4 }}
  {{- if .Values.commonAnnotations }}
  annotations: {{- include "common.tplvalues.render" ( dict "value" .Values.commonAnnotations "context" $ ) | nindent 4 }}
  {{- end }}
type: Opaque
data:
  root-password: {{ $rootPassword }}
  {{- if .Values.auth.username }}
  password: {{ include "common.secrets.passwords.manage" (dict "secret" (include "common.names.fullname" .) "key" "password" "providedValues" (list "auth.password") "context" $) }}
  {{- end }}
  {{- if .Values.metrics.enabled }}
  metrics-token: {{ .Values.metrics.token | default (randAlphaNum 32) | b64enc | quote }}
  {{- end }}
{{- end }}
`;
    const fe = preprocessHelmTemplate(src);
    expect(lines(fe.yaml)).toHaveLength(lines(src).length);
    const { errors, values } = parse(fe);
    expect(errors).toEqual([]);
    const doc = values[0] as {
      kind: string;
      metadata: { name: string; labels: unknown; annotations: unknown };
      type: string;
      data: Record<string, string>;
    };
    expect(doc.kind).toBe('Secret');
    expect(doc.type).toBe('Opaque');
    expect(fe.placeholders.get(doc.metadata.name)?.expr).toBe('include "common.names.fullname" .');
    expect(Object.keys(doc.data)).toEqual(['root-password', 'password', 'metrics-token']);
    expect(restorePlaceholders(doc.data['root-password']!, fe)).toBe('{{ $rootPassword }}');
    const token = fe.placeholders.get(doc.data['metrics-token']!)!;
    expect(token.valuesRefs).toEqual(['.metrics.token']);
    expect(token.functions).toEqual(['default', 'randAlphaNum', 'b64enc', 'quote']);
    expect(actionAt(fe, 6).valuesRefs).toEqual(['.auth.existingSecret']);
    expect(fe.variables.get('$rootPassword')).toHaveLength(1);
    expect(fe.problems).toEqual([]);
  });

  it('Deployment with nindent includes and a range over extraEnvVars', () => {
    const src = `apiVersion: {{ include "common.capabilities.deployment.apiVersion" . }}
kind: Deployment
metadata:
  name: {{ include "common.names.fullname" . }}
  labels: {{- include "common.labels.standard" ( dict "customLabels" .Values.commonLabels "context" $ ) | nindent 4 }}
    app.kubernetes.io/component: server
spec:
  replicas: {{ .Values.replicaCount }}
  {{- if .Values.updateStrategy }}
  strategy: {{- toYaml .Values.updateStrategy | nindent 4 }}
  {{- end }}
  selector:
    matchLabels: {{- include "common.labels.matchLabels" ( dict "customLabels" .Values.podLabels "context" $ ) | nindent 6 }}
  template:
    metadata:
      {{- if .Values.podAnnotations }}
      annotations: {{- include "common.tplvalues.render" (dict "value" .Values.podAnnotations "context" $) | nindent 8 }}
      {{- end }}
      labels: {{- include "common.labels.standard" ( dict "customLabels" .Values.podLabels "context" $ ) | nindent 8 }}
    spec:
      {{- include "app.imagePullSecrets" . | nindent 6 }}
      containers:
        - name: server
          image: {{ include "app.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy | quote }}
          {{- if .Values.diagnosticMode.enabled }}
          command: {{- include "common.tplvalues.render" (dict "value" .Values.diagnosticMode.command "context" $) | nindent 12 }}
          {{- else if .Values.command }}
          command: {{- include "common.tplvalues.render" (dict "value" .Values.command "context" $) | nindent 12 }}
          {{- end }}
          env:
            - name: APP_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ include "app.secretName" . }}
                  key: {{ .Values.auth.secretKey | default "password" }}
            {{- range .Values.extraEnvVars }}
            - name: {{ .name | quote }}
              value: {{ .value | quote }}
            {{- end }}
            {{- if .Values.extraEnvVarsSecret }}
            {{- include "common.tplvalues.render" (dict "value" .Values.extraEnvVars "context" $) | nindent 12 }}
            {{- end }}
          {{- if .Values.resources }}
          resources: {{- toYaml .Values.resources | nindent 12 }}
          {{- else if ne .Values.resourcesPreset "none" }}
          resources: {{- include "common.resources.preset" (dict "type" .Values.resourcesPreset) | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ .Values.containerPorts.http }}
`;
    const fe = preprocessHelmTemplate(src);
    expect(lines(fe.yaml)).toHaveLength(lines(src).length);
    const { errors, values } = parse(fe);
    expect(errors).toEqual([]);
    const doc = values[0] as any;
    expect(doc.kind).toBe('Deployment');
    expect(doc.metadata.labels).toEqual({ 'app.kubernetes.io/component': 'server' });
    expect(Object.keys(doc.spec)).toEqual(['replicas', 'strategy', 'selector', 'template']);
    const container = doc.spec.template.spec.containers[0];
    expect(container.name).toBe('server');
    expect(container.env.map((e: { name: string }) => e.name)).toEqual(['APP_PASSWORD', expect.stringMatching(/^__FPT\d+__$/)]);
    expect(restorePlaceholders(container.env[1].name, fe)).toBe('{{ .name | quote }}');
    expect(restorePlaceholders(container.env[0].valueFrom.secretKeyRef.key, fe)).toBe(
      '{{ .Values.auth.secretKey | default "password" }}',
    );
    expect(container.ports).toEqual([{ name: 'http', containerPort: expect.stringMatching(/^__FPT\d+__$/) }]);
    // the blanked pull-secrets line is a block action
    expect(actionAt(fe, 21)).toMatchObject({ kind: 'block', templates: ['app.imagePullSecrets'] });
    expect(fe.yaml.split('\n')[20]).toBe('');
    expect(actionAt(fe, 37)).toMatchObject({ kind: 'control', keyword: 'range', valuesRefs: ['.extraEnvVars'] });
    expect(fe.problems).toEqual([]);
  });

  it('ConfigMap with a block scalar and range over a map', () => {
    const src = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ printf "%s-config" (include "common.names.fullname" .) | trunc 63 | trimSuffix "-" }}
data:
  app.conf: |-
    listen {{ .Values.containerPorts.http }};
    {{- if .Values.tls.enabled }}
    ssl_certificate /certs/{{ .Values.tls.certFilename }};
    {{- end }}
    {{ .Values.extraConfig }}
  {{- range $name, $content := .Values.extraFiles }}
  {{ $name }}: |-
    {{- $content | nindent 4 }}
  {{- end }}
`;
    const fe = preprocessHelmTemplate(src);
    const { errors, values } = parse(fe);
    expect(errors).toEqual([]);
    const doc = values[0] as any;
    expect(Object.keys(doc.data)).toHaveLength(2);
    expect(restorePlaceholders(doc.data['app.conf'], fe)).toBe(
      'listen {{ .Values.containerPorts.http }};\n\nssl_certificate /certs/{{ .Values.tls.certFilename }};',
    );
    expect(restorePlaceholders(doc.metadata.name, fe)).toBe(
      '{{ printf "%s-config" (include "common.names.fullname" .) | trunc 63 | trimSuffix "-" }}',
    );
    expect(actionAt(fe, 11)).toMatchObject({ kind: 'block', valuesRefs: ['.extraConfig'] });
  });
});

describe('isBlankFrom', () => {
  it('is true when the rest of the text is whitespace as trim() sees it', () => {
    expect(isBlankFrom('', 0)).toBe(true);
    expect(isBlankFrom('  \t ', 0)).toBe(true);
    expect(isBlankFrom('x  ', 1)).toBe(true);
    expect(isBlankFrom(' \r\n\u00a0\u2003\ufeff', 0)).toBe(true);
    expect(isBlankFrom('abc', 3)).toBe(true);
  });
  it('is false when a non-whitespace character follows', () => {
    expect(isBlankFrom('  a', 0)).toBe(false);
    expect(isBlankFrom('a  ', 0)).toBe(false);
    expect(isBlankFrom(' \u00a0é', 0)).toBe(false);
    expect(isBlankFrom('\u200b', 0)).toBe(false);
    expect(isBlankFrom(' \u0000', 0)).toBe(false);
    expect(isBlankFrom('x y', 1)).toBe(false);
  });
});

describe('expression analysis (values paths, functions, templates)', () => {
  const first = (t: string) => {
    const a = preprocessHelmTemplate(t).actions[0]!;
    return [a.valuesRefs, a.functions, a.templates];
  };
  it('reads .Values paths from fields and variables', () => {
    expect(first('{{ .Values }}')).toEqual([['.'], [], []]);
    expect(first('{{ $.Values.a.b }}')).toEqual([['.a.b'], [], []]);
    expect(first('{{ .a.Values.b }}')).toEqual([['.b'], [], []]);
    expect(first('{{ .a.b.Values.c }}')).toEqual([[], [], []]);
    expect(first('{{ $x.Values.y }}')).toEqual([['.y'], [], []]);
    expect(first('{{ $x.a.Values }}')).toEqual([[], [], []]);
    expect(first('{{ .ValuesX.a }}')).toEqual([[], [], []]);
    expect(first('{{ .Values.Values.q }}')).toEqual([['.Values.q'], [], []]);
    expect(first('{{ .Values.a. }}')).toEqual([['.a'], [], []]);
    expect(first('{{ (.a).Values.b }}')).toEqual([[], [], []]);
  });
  it('reads index/get/dig keys and template names', () => {
    expect(first('{{ index .Values "a" "b" }}')).toEqual([['.a.b'], ['index'], []]);
    expect(first('{{ get .Values.m "k" "j" }}')).toEqual([['.m.k'], ['get'], []]);
    expect(first('{{ dig "a" "b" .Values.m }}')).toEqual([['.m.a'], ['dig'], []]);
    expect(first('{{ include "a\\"b" . }}')).toEqual([[], ['include'], ['a"b']]);
    expect(first('{{ template `t` . }}')).toEqual([[], ['template'], ['t']]);
  });
  it('resolves dot-relative fields inside with, else with and range variables', () => {
    const fe = preprocessHelmTemplate(
      '{{ with .Values.a }}\n{{ .b.c }}{{ index . "k" }}{{ dig "x" "y" .z }}\n{{ else with .Values.q }}{{ .e }}{{ end }}\n' +
        '{{ range $k, $v := .Values.l }}{{ else range $i := .Values.y }}{{ end }}',
    );
    expect(fe.actions.map((a) => [a.kind, a.keyword ?? null, a.valuesRefs])).toEqual([
      ['control', 'with', ['.a']], ['block', null, ['.a.b.c']], ['block', null, []], ['block', null, ['.a.z.x']],
      ['control', 'else', ['.q']], ['block', null, ['.q.e']], ['control', 'end', []],
      ['control', 'range', ['.l']], ['control', 'else', ['.y']], ['control', 'end', []],
    ]);
    expect([...fe.variables]).toEqual([['$v', ['range .Values.l']], ['$i', ['range .Values.y']]]);
  });
});

describe('named templates that render a whole object', () => {
  const src = [
    '{{- define "app.fullname" -}}', // 1
    '{{ .Release.Name }}-app', // 2
    '{{- end }}', // 3
    '{{- define "app.secret" -}}', // 4
    'apiVersion: v1', // 5
    'kind: Secret', // 6
    'stringData:', // 7
    '  {{- if .Values.password }}', // 8
    '  password: {{ .Values.password }}', // 9
    '  {{- end }}', // 10
    '{{- end }}', // 11
    '{{ define "app.subjects" }}', // 12
    '  - kind: ServiceAccount', // 13
    '{{ end }}', // 14
    '{{- define "app.config" }}', // 15
    'kind: ConfigMap', // 16
    '{{- end -}}', // 17
  ].join('\n');

  it('records each define body by offsets and lines, without the nested if/end', () => {
    const fe = preprocessHelmTemplate(src);
    expect(fe.defines.map((d) => [d.name, d.line, d.endLine])).toEqual([
      ['app.fullname', 1, 3],
      ['app.secret', 4, 11],
      ['app.subjects', 12, 14],
      ['app.config', 15, 17],
    ]);
    const secret = fe.defines[1]!;
    expect(src.slice(secret.start, secret.end)).toBe(lines(src).slice(4, 10).map((l) => `\n${l}`).join('') + '\n');
  });

  it('gives the bodies that hold an object as one template, each opening a document on its define line', () => {
    const fe = preprocessHelmTemplate(src);
    const text = objectDefinesText(src, fe.defines)!;
    expect(lines(text)).toHaveLength(lines(src).length);
    expect(lines(text)).toEqual(['', '', '', '---', ...lines(src).slice(4, 10), '', '', '', '', '---', 'kind: ConfigMap', '']);
    const bodies = parse(preprocessHelmTemplate(text));
    expect(bodies.errors).toEqual([]);
    expect(bodies.values).toEqual([
      { apiVersion: 'v1', kind: 'Secret', stringData: { password: expect.stringMatching(/^__FPT\d+__$/) } },
      { kind: 'ConfigMap' },
    ]);
  });

  it('gives nothing when no define holds an object (helpers, indented kinds, top-level objects)', () => {
    const plain = ['apiVersion: v1', 'kind: Secret', '{{- define "x.subjects" }}', 'subjects:', '  - kind: User', '{{- end }}'].join('\n');
    expect(objectDefinesText(plain, preprocessHelmTemplate(plain).defines)).toBeUndefined();
  });
});

describe('writtenKeys: the entries a define body writes', () => {
  it('keeps top-level keys with the actions of their values, through if blocks and ranges', () => {
    const body = ['', 'username: {{ .Values.auth.username | b64enc }}', '{{- if .Values.auth.apiToken }}', 'API_TOKEN: {{ .Values.auth.apiToken | b64enc }}', '{{- end }}', '{{- range $k, $v := .Values.extra }}', '{{ $k }}: {{ $v | b64enc }}', '{{- end }}', 'mode: fixed', ''].join('\n');
    expect(writtenKeys(body)).toEqual([
      { key: 'username', value: '{{ .Values.auth.username | b64enc }}' },
      { key: 'API_TOKEN', value: '{{ .Values.auth.apiToken | b64enc }}' },
      { key: '{{ $k }}', value: '{{ $v | b64enc }}' },
      { key: 'mode' },
    ]);
  });

  it('reads a block value from the lines below its key, and a whole-line include as entries it does not name', () => {
    const body = ['', '{{ include "app.more" . }}', 'config.yml: |-', '  {{- toYaml .Values.config | b64enc | nindent 2 }}', '  literal: line', 'nested:', '  inner: {{ .Values.inner }}', ''].join('\n');
    expect(writtenKeys(body)).toEqual([
      { key: '', value: '{{ include "app.more" . }}' },
      { key: 'config.yml', block: true, value: '{{- toYaml .Values.config | b64enc | nindent 2 }}' },
      { key: 'nested' },
    ]);
  });

  it('gives nothing for output that is no map: names, lists, scalars', () => {
    expect(writtenKeys('{{- printf "%s-%s" .Release.Name "app" | trunc 63 -}}')).toBeUndefined();
    expect(writtenKeys('\n- name: FOO\n  value: {{ .Values.foo }}\n')).toBeUndefined();
    expect(writtenKeys('\n{{ .Values.url }}:8080\n')).toBeUndefined();
  });

  it('keeps at most 32 entries and values up to their last whole action within 400 characters', () => {
    const many = Array.from({ length: 40 }, (_, i) => `k${i}: {{ .Values.k${i} }}`).join('\n');
    expect(writtenKeys(many)).toHaveLength(32);
    const long = `big: {{ .Values.a }} ${'x'.repeat(390)} {{ .Values.b }}`;
    expect(writtenKeys(long)).toEqual([{ key: 'big', value: '{{ .Values.a }}' }]);
  });
});
