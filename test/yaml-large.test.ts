import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYaml } from '../src/yaml/parse.js';
import { scan } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';

/** A rendered manifest bundle: DOCS Deployments (~40 nodes each), then an inline Secret. */
function bundle(docs: number, firstDocument = ''): { text: string; secretLine: number } {
  const parts = [firstDocument];
  for (let i = 0; i < docs; i++) {
    parts.push(
      `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  labels: {app: app-${i}, tier: web}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-${i}\n  template:\n    metadata:\n      labels:\n        app: app-${i}\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/app-${i}:1.0.${i}\n          ports: [{containerPort: 8080}]\n          env:\n            - name: LOG_LEVEL\n              value: info\n          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n`,
    );
  }
  const before = parts.join('');
  const secretLine = before.split('\n').length + 6; // its password line
  return { text: `${before}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: last\nstringData:\n  password: Zq9-large-bundle-value-4471\n`, secretLine };
}

describe('large YAML files', () => {
  // 7,000 documents: ~270,000 nodes, past the alias budget of 200,000 that once counted every node of a file.
  const plain = bundle(7_000);
  const anchored = bundle(7_000, 'defaults: &defaults\n  replicas: 2\nuse:\n  <<: *defaults\n');

  it('are read whole, by the fast reader and by the library (a file with an anchor), with no alias diagnostic', () => {
    for (const { text } of [plain, anchored]) {
      const parsed = parseYaml(text);
      expect(parsed.aliasLimitHit).toBe(false);
      expect(parsed.docs.length).toBe(text === plain.text ? 7_001 : 7_002);
      const last = parsed.docs[parsed.docs.length - 1]!.root;
      expect(last?.t).toBe('map');
      expect(last?.t === 'map' && last.entries.map((e) => e.key)).toEqual(['apiVersion', 'kind', 'metadata', 'stringData']);
    }
  });

  it('are read past a run of 200,000 comment lines', () => {
    for (const text of [`a: 1\n${'# note\n'.repeat(200_000)}b: [2, 3]\n`, `a: &x 1\n${'#\n'.repeat(200_000)}b: *x\n`]) {
      const root = parseYaml(text).docs[0]?.root;
      expect(root?.t === 'map' && root.entries.map((e) => e.key)).toEqual(['a', 'b']);
    }
  });

  it('still cut an alias bomb off at the node budget', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    expect(parseYaml(`${bomb.join('\n')}\n`).aliasLimitHit).toBe(true);
    // Aliases within the budget expand.
    const small = parseYaml('a: &a [1, 2]\nb: [*a, *a]\n');
    expect(small.aliasLimitHit).toBe(false);
    const b = small.docs[0]!.root;
    expect(b?.t === 'map' && b.entries[1]!.value?.t === 'seq' && b.entries[1]!.value.items.length).toBe(2);
  });

  describe('in a scan', () => {
    let root: string;
    let result: ScanResult;
    beforeAll(async () => {
      root = mkdtempSync(path.join(os.tmpdir(), 'footprint-large-yaml-'));
      mkdirSync(path.join(root, 'manifests'), { recursive: true });
      writeFileSync(path.join(root, 'manifests', 'bundle.yaml'), plain.text);
      writeFileSync(path.join(root, 'manifests', 'anchored.yaml'), anchored.text);
      result = await scan({ root, useGit: false });
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('finds the Secret at the end of each bundle', () => {
      expect(result.diagnostics).toEqual([]);
      const secrets = result.findings.filter((f) => f.ruleId === 'inline-secret-manifest').map((f) => `${f.file}:${f.line}`);
      expect(secrets).toEqual([`manifests/anchored.yaml:${anchored.secretLine}`, `manifests/bundle.yaml:${plain.secretLine}`]);
      expect(result.inventory.filter((e) => e.kind === 'Secret').map((e) => `${e.file}:${e.name}`)).toEqual(['manifests/anchored.yaml:last', 'manifests/bundle.yaml:last']);
    });
  });
});
