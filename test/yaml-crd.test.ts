import { describe, expect, it } from 'vitest';
import { yamlAnalyzer, type YamlFileModel } from '../src/analyzers/yaml.js';
import { blankCrdBodies } from '../src/yaml/crd.js';
import { get, getStr } from '../src/yaml/model.js';

const CRD = [
  '# header comment',
  '---',
  'apiVersion: apiextensions.k8s.io/v1',
  'kind: CustomResourceDefinition',
  'metadata:',
  '  name: widgets.example.com',
  '  labels:',
  '    app: widgets',
  'spec:',
  '  group: example.com',
  '  versions:',
  '  - name: v1',
  '    schema:',
  '      openAPIV3Schema:',
  '        description: "a password: hunter2 & *alias"',
  'status:',
  '  acceptedNames: {}',
  '---',
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  '  name: db',
  'stringData:',
  '  password: hunter2',
  '',
].join('\n');

function parse(text: string, path = 'manifests/crd.yaml'): YamlFileModel {
  const diagnostics: unknown[] = [];
  const model = yamlAnalyzer.parse(text, { path, environment: { name: 'x', managed: false, local: false }, vendored: false, isTest: false }, {
    config: {} as never,
    diagnostic: (d) => diagnostics.push(d),
  }) as YamlFileModel;
  expect(diagnostics).toEqual([]);
  return model;
}

describe('blankCrdBodies', () => {
  it('empties spec and status of a CRD document, keeping the line count and every other line', () => {
    const out = blankCrdBodies(CRD);
    const before = CRD.split('\n');
    const after = out.split('\n');
    expect(after).toHaveLength(before.length);
    for (const [i, line] of after.entries()) {
      const inBody = i >= 8 && i <= 16;
      expect(line).toBe(inBody ? '' : before[i]);
    }
  });

  it('keeps kind, name and metadata of the CRD and the exact positions of the documents after it', () => {
    const model = parse(CRD);
    const full = parse(CRD.replace('CustomResourceDefinition', 'CustomResourceDefinitionX'));
    expect(model.docs).toHaveLength(2);
    expect(getStr(model.docs[0]!.root, 'kind')).toBe('CustomResourceDefinition');
    expect(getStr(model.docs[0]!.root, 'metadata.name')).toBe('widgets.example.com');
    expect(getStr(model.docs[0]!.root, 'metadata.labels.app')).toBe('widgets');
    expect(get(model.docs[0]!.root, 'spec')).toBeUndefined();
    expect(get(full.docs[0]!.root, 'spec.group')).toBeDefined();
    expect(model.docs[1]).toEqual(full.docs[1]);
  });

  it('leaves documents alone that it does not fully understand', () => {
    const unchanged = [
      // not a CRD
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: CustomResourceDefinition\ndata:\n  a: b\n',
      // templated kind
      'kind: {{ .Values.kind }}\nmetadata:\n  name: CustomResourceDefinition\nspec: {}\n',
      // an alias in metadata could read an anchor in the spec
      'kind: CustomResourceDefinition\nmetadata:\n  labels: *common\nspec:\n  x: &common\n    a: b\n',
      // flow root
      '{kind: CustomResourceDefinition, spec: {a: b}}\n',
      // sequence root
      '- kind: CustomResourceDefinition\n  spec:\n    a: b\n',
    ];
    for (const text of unchanged) expect(blankCrdBodies(text)).toBe(text);
  });

  it('blanks each CRD document between markers, up to the end of a text without a final newline', () => {
    const crd = (name: string) => `kind: CustomResourceDefinition\nmetadata:\n  name: ${name}\nspec:\n  a: 1\n# note\nstatus:\n  b: 2`;
    expect(blankCrdBodies(`--- # first\n${crd('a')}\n...\n---\n${crd('b')}`)).toBe(
      `--- # first\nkind: CustomResourceDefinition\nmetadata:\n  name: a\n\n\n\n\n\n...\n---\nkind: CustomResourceDefinition\nmetadata:\n  name: b\n\n\n\n\n`,
    );
    // a marker line is no part of either document: an alias on it does not stop the blanking
    expect(blankCrdBodies(`${crd('a')}\n--- *x\nkind: ConfigMap\n`)).toBe(
      'kind: CustomResourceDefinition\nmetadata:\n  name: a\n\n\n\n\n\n--- *x\nkind: ConfigMap\n',
    );
    // an alias in the kept part of one document leaves that document alone, not the others
    const aliased = crd('*a');
    expect(blankCrdBodies(`${aliased}\n---\n${crd('b')}\n`)).toBe(
      `${aliased}\n---\nkind: CustomResourceDefinition\nmetadata:\n  name: b\n\n\n\n\n\n`,
    );
    // CRLF lines: a top-level key line ending in \r is not understood, so nothing changes
    const crlf = `${crd('a')}\n`.replace(/\n/g, '\r\n');
    expect(blankCrdBodies(crlf)).toBe(crlf);
  });

  it('applies to Helm templates after the Go-template front end (what actions tell stays recorded)', () => {
    const template = [
      '{{- if .Values.crds.enabled }}',
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: {{ include "x.fullname" . }}',
      'spec:',
      '  group: {{ .Values.group | default (randAlphaNum 5) }}',
      '{{- end }}',
      '',
    ].join('\n');
    const model = parse(template, 'chart/templates/crd.yaml');
    expect(getStr(model.docs[0]!.root, 'kind')).toBe('CustomResourceDefinition');
    expect(getStr(model.docs[0]!.root, 'metadata.name')).toContain('include "x.fullname"');
    expect(get(model.docs[0]!.root, 'spec')).toBeUndefined();
    // The blanked body's action still counts (random generator), the guard around the document too.
    expect(model.helm?.usesRandom).toBe(true);
    expect(model.helm?.controls?.map((c) => c.line)).toEqual([1, 8]);
  });
});
