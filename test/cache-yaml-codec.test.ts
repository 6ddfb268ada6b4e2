import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { yamlAnalyzer } from '../src/analyzers/yaml.js';
import { resolveConfig } from '../src/config/load.js';
import { decodeEntry, encodeEntry } from '../src/cache/yaml-codec.js';
import type { CacheEntry } from '../src/cache/parse-cache.js';
import { parseYaml } from '../src/yaml/parse.js';
import { mulberry32, randomYaml } from './helpers/yaml-fuzz.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const config = resolveConfig({});

function entryOf(model: unknown): CacheEntry {
  return { size: 1, mtimeMs: 2, ctimeMs: 3, hash: 'h', results: { yaml: { model, diagnostics: [] }, 'credential-text': { diagnostics: [] } } };
}

/** ENTRY through the cache's way there and back: encoded, as JSON, parsed, decoded. */
function roundTrip(entry: CacheEntry): { text: string; back: CacheEntry } {
  const text = JSON.stringify(encodeEntry(entry));
  return { text, back: decodeEntry(JSON.parse(text) as CacheEntry) };
}

describe('YAML trees in the parse cache', () => {
  it('gives back every model of the repository\'s YAML files exactly, same keys in the same order, in less than half the JSON', async () => {
    const files = await fg(['fixtures/**/*.{yaml,yml}', 'test/fixtures/**/*.{yaml,yml}'], { cwd: REPO_ROOT, dot: true });
    expect(files.length).toBeGreaterThan(200);
    let verbose = 0;
    let compact = 0;
    let trees = 0;
    for (const file of files) {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      const model = await yamlAnalyzer.parse(text, { path: file, vendored: false, isTest: false }, { config, diagnostic: () => {} });
      if (model === undefined) continue;
      const entry = entryOf(model);
      const { text: json, back } = roundTrip(entry);
      expect(JSON.stringify(back), file).toBe(JSON.stringify(entry));
      expect(back).toEqual(entry);
      verbose += JSON.stringify(entry).length;
      compact += json.length;
      const stored = JSON.parse(json) as { results: { yaml: { model: { docs: { root: unknown }[] } } } };
      trees += stored.results.yaml.model.docs.filter((d) => Array.isArray(d.root)).length;
    }
    expect(trees).toBeGreaterThan(200);
    expect(compact).toBeLessThan(verbose / 2);
  });

  it('gives back random documents exactly (the YAML reader fuzzer\'s)', () => {
    const random = mulberry32(91);
    for (let i = 0; i < 2000; i++) {
      const parsed = parseYaml(randomYaml(random));
      const entry = entryOf({ role: 'manifest', docs: parsed.docs });
      const { back } = roundTrip(entry);
      expect(JSON.stringify(back)).toBe(JSON.stringify(entry));
    }
  });

  it('keeps as objects a tree with anything the model does not have, and leaves the entry it encodes alone', () => {
    const scalar = (value: unknown, extra: Record<string, unknown> = {}) => ({ t: 'scalar', value, style: 'plain', line: 1, column: 3, endLine: 1, ...extra });
    const map = (value: unknown) => ({ t: 'map', entries: [{ key: 'a', line: 1, column: 1, value }], line: 1, column: 1, endLine: 1 });
    const odd = [
      map(scalar('x', { anchor: 'a' })),
      map({ ...scalar('x'), style: 'folded' }),
      map(scalar({ nested: true })),
      { ...map(scalar('x')), t: 'set' },
      { t: 'seq', items: [scalar(1), undefined], line: 1, column: 1, endLine: 2 },
    ];
    for (const root of odd) {
      const entry = entryOf({ role: 'manifest', docs: [{ index: 0, root, line: 1 }, { index: 1, root: map(scalar('fine')), line: 2 }] });
      const before = JSON.stringify(entry);
      const encoded = encodeEntry(entry) as unknown as { results: { yaml: { model: { docs: { root: unknown }[] } } } };
      expect(JSON.stringify(entry)).toBe(before);
      // The odd document stays an object, its sibling is encoded.
      expect(Array.isArray(encoded.results.yaml.model.docs[0]!.root)).toBe(false);
      expect(Array.isArray(encoded.results.yaml.model.docs[1]!.root)).toBe(true);
      const back = decodeEntry(JSON.parse(JSON.stringify(encoded)) as CacheEntry);
      expect(back.results['yaml']!.model).toEqual(JSON.parse(JSON.stringify(entry.results['yaml']!.model)));
    }
  });

  it('passes entries without YAML trees, and entries encoded already, through unchanged', () => {
    const plain: CacheEntry = { size: 1, mtimeMs: 2, hash: 'h', results: { dockerfile: { model: { stages: [] }, diagnostics: [] } } };
    expect(encodeEntry(plain)).toBe(plain);
    const encoded = encodeEntry(entryOf({ role: 'values', docs: [{ index: 0, root: { t: 'scalar', value: 1, style: 'plain', line: 1, column: 1, endLine: 1 }, line: 1 }] }));
    expect(encodeEntry(encoded)).toBe(encoded);
    expect(decodeEntry(JSON.parse(JSON.stringify(encoded)) as CacheEntry).results['yaml']!.model).toEqual({
      role: 'values',
      docs: [{ index: 0, root: { t: 'scalar', value: 1, style: 'plain', line: 1, column: 1, endLine: 1 }, line: 1 }],
    });
  });
});
