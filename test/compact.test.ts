import { describe, expect, it } from 'vitest';
import { compactPlain, intern } from '../src/analyzers/compact.js';
import type { AnalyzerContext } from '../src/analyzers/types.js';
import { yamlAnalyzer, type YamlFileModel } from '../src/analyzers/yaml.js';
import { resolveConfig } from '../src/config/load.js';

const context: AnalyzerContext = { config: resolveConfig({}), diagnostic: () => {} };

function parseYamlFile(path: string, text: string): YamlFileModel {
  return yamlAnalyzer.parse(text, { path, vendored: false, isTest: false }, context) as YamlFileModel;
}

const TEMPLATE = [
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  '  name: {{ include "app.fullname" . }}-credentials',
  '  labels: &labels',
  '    app: demo',
  'stringData:',
  '  password: {{ .Values.auth.password | default (randAlphaNum 16) | quote }}',
  '  items:',
  '    - one',
  '    -',
  '    - {{ .Values.x }}',
  '---',
  'base: &base {a: 1, b: [true, null, 2.5]}',
  'merged:',
  '  <<: *base',
  '  c: |',
  '    block text that is long enough to be a slice of the file',
  '',
].join('\n');

describe('model compaction', () => {
  it('keeps a YAML model value for value, field order included (templates and values)', () => {
    for (const path of ['chart/templates/secret.yaml', 'env/prod/values.yaml']) {
      const fresh = parseYamlFile(path, TEMPLATE);
      const before = JSON.stringify(fresh);
      const compacted = yamlAnalyzer.compact!(fresh);
      expect(JSON.stringify(compacted)).toBe(before);
      expect(compacted.docs.length).toBeGreaterThan(1);
    }
  });

  it('compactPlain keeps values, key order and holes, and leaves non-plain objects alone', () => {
    const when = new Date(0);
    const map = new Map([['k', 'v']]);
    class Box {
      constructor(readonly value: string) {}
    }
    const box = new Box('inside');
    const frozen = Object.freeze({ text: 'frozen text that is long' });
    const sparse: (string | undefined)[] = ['a'];
    sparse[2] = 'c';
    const model = { z: 'last key first', a: ['x', { nested: 'deep value here', n: 1, u: undefined }], when, map, box, frozen, sparse, nothing: null };
    const before = JSON.stringify(model);
    const out = compactPlain(model);
    expect(JSON.stringify(out)).toBe(before);
    expect(Object.keys(out)).toEqual(['z', 'a', 'when', 'map', 'box', 'frozen', 'sparse', 'nothing']);
    expect(out.when).toBe(when);
    expect(out.map).toBe(map);
    expect(out.box).toBe(box);
    expect(out.frozen).toBe(frozen);
    expect(1 in out.sparse).toBe(false);
    expect(out.sparse).toHaveLength(3);
    expect('u' in (out.a[1] as object)).toBe(true);
  });

  it('compactPlain can make every empty array one frozen array, values and order kept', () => {
    const model = { a: [] as string[], b: [[], ['x', []]], c: { d: [] as number[] }, e: 'text' };
    const before = JSON.stringify(model);
    const out = compactPlain(model, { shareEmptyArrays: true });
    expect(JSON.stringify(out)).toBe(before);
    expect(out.a).toBe(out.c.d);
    expect(out.b[0]).toBe(out.a);
    expect(Object.isFrozen(out.a)).toBe(true);
    expect(Object.isFrozen(out.b)).toBe(false);
    expect(compactPlain({ a: [] as string[] }).a).not.toBe(compactPlain({ a: [] as string[] }).a);
  });

  it('intern returns equal text for short and long strings', () => {
    const long = 'x'.repeat(500) + 'tail';
    expect(intern(long.slice(100))).toBe(long.slice(100));
    expect(intern('metadata')).toBe('metadata');
  });
});
