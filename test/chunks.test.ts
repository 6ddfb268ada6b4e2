import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Analyzer, FileContext } from '../src/analyzers/types.js';
import { yamlAnalyzer } from '../src/analyzers/yaml.js';
import { credentialTextAnalyzer } from '../src/analyzers/tests/credentials.js';
import { dockerfileAnalyzer } from '../src/analyzers/build/dockerfile.js';
import type { CacheEntry } from '../src/cache/parse-cache.js';
import { AUTO_CHUNKS_AT_MOST, CHUNK_AUTO_PAST, CHUNK_AUTO_PAST_CACHED, CHUNK_FILES, CONTEXT_DEFERRAL, chartDefaultsFor, cacheHoldsModels, chartRootsOf, chunkSizeFor, chunksPay, chunkUnit, DeferredFiles, isChunkable, planChunks } from '../src/scan/chunks.js';
import { scanDetailed } from '../src/scan/run.js';
import { parseYaml } from '../src/yaml/parse.js';
import { allowCollections, collectGarbage } from '../src/util/gc.js';
import { REPO_ROOT, ruleFixtureCases } from './helpers/run-fixture.js';

const file = (p: string): FileContext => ({ path: p, vendored: false, isTest: false });
const candidate = (p: string, analyzers: readonly Analyzer[] = [yamlAnalyzer, credentialTextAnalyzer]) => ({ file: file(p), analyzers });

describe('chunk units', () => {
  it('finds charts by Chart.yaml and by a templates folder', () => {
    expect([...chartRootsOf(['charts/a/Chart.yaml', 'charts/a/templates/x.yaml', 'ops/b/templates/s.yaml', 'ops/b/templates/sub/t.yaml', 'Chart.yml', 'deploy/app.yaml'])].sort()).toEqual([
      '.',
      'charts/a',
      'ops/b',
    ]);
  });

  it('keeps a chart with its subcharts, and other files by folder', () => {
    const roots = new Set(['charts/a', 'charts/a/charts/db']);
    expect(chunkUnit('charts/a/charts/db/templates/secret.yaml', roots)).toBe('charts/a');
    expect(chunkUnit('charts/a/values-prod.yaml', roots)).toBe('charts/a');
    expect(chunkUnit('values/env/prod/orders.yaml', roots)).toBe('values/env/prod');
    expect(chunkUnit('top.yaml', roots)).toBe('.');
    expect(chunkUnit('anything/at/all.yaml', new Set(['.']))).toBe('.');
  });

  it('chunks only past the size asked for, or by default only very large trees', () => {
    expect(chunkSizeFor(50, 1)).toBe(1);
    expect(chunkSizeFor(50, 50)).toBe(0);
    expect(chunkSizeFor(50, 0)).toBe(0);
    expect(chunkSizeFor(CHUNK_AUTO_PAST, undefined)).toBe(0);
    expect(chunkSizeFor(CHUNK_AUTO_PAST + 1, undefined)).toBe(CHUNK_FILES);
    // Without the cache, the same chunks on any larger tree.
    expect(chunkSizeFor(CHUNK_FILES * AUTO_CHUNKS_AT_MOST * 3, undefined)).toBe(CHUNK_FILES);
    // With the parse cache (lazy: it holds no model either), from a larger tree on; larger trees, larger chunks:
    // never many more than AUTO_CHUNKS_AT_MOST.
    expect(chunkSizeFor(CHUNK_AUTO_PAST + 1, undefined, true)).toBe(0);
    expect(chunkSizeFor(CHUNK_FILES * AUTO_CHUNKS_AT_MOST * 3, undefined, true)).toBe(CHUNK_FILES * 3);
    expect(chunkSizeFor(CHUNK_AUTO_PAST_CACHED + 1, undefined, true)).toBe(Math.max(CHUNK_FILES, Math.ceil((CHUNK_AUTO_PAST_CACHED + 1) / AUTO_CHUNKS_AT_MOST)));
    expect(chunkSizeFor(CHUNK_AUTO_PAST + 1, 5000, true)).toBe(5000);
  });

  it('sizes chunks as without the cache when the cache holds models for fewer than half the files', () => {
    expect(cacheHoldsModels(0, 30_000)).toBe(false);
    expect(cacheHoldsModels(14_999, 30_000)).toBe(false);
    expect(cacheHoldsModels(15_000, 30_000)).toBe(true);
    expect(cacheHoldsModels(30_000, 30_000)).toBe(true);
    // gen30k's first cached run: its 11,500 chunkable files are chunked, as without the cache; its later runs are not.
    expect(chunkSizeFor(11_500, undefined, cacheHoldsModels(0, 26_000))).toBe(CHUNK_FILES);
    expect(chunkSizeFor(11_500, undefined, cacheHoldsModels(26_000, 26_000))).toBe(0);
  });

  it('cuts chunks between units only, in order', () => {
    const deferred = ['a/1.yaml', 'a/2.yaml', 'a/3.yaml', 'b/1.yaml', 'c/1.yaml', 'c/2.yaml', 'c/3.yaml'];
    const chunks = planChunks(deferred, 3, new Set());
    expect(chunks.map((c) => c.map((i) => deferred[i]))).toEqual([['a/1.yaml', 'a/2.yaml', 'a/3.yaml'], ['b/1.yaml'], ['c/1.yaml', 'c/2.yaml', 'c/3.yaml']]);
    // A unit larger than a chunk stays whole.
    expect(planChunks(deferred, 2, new Set()).map((c) => c.length)).toEqual([3, 1, 3]);
    expect(planChunks(deferred, 100, new Set()).map((c) => c.length)).toEqual([7]);
  });
});

describe('deferred files', () => {
  const prod = { name: 'production', managed: true, local: false };
  const dev = { name: 'dev', managed: false, local: true };
  const kept: FileContext[] = [
    { path: 'charts/a/values.yaml', environment: undefined, vendored: false, isTest: false },
    { path: 'env/prod/a.yaml', environment: prod, vendored: true, isTest: false },
    { path: 'env/dev/a.yaml', environment: dev, vendored: false, isTest: true },
    { path: 'env/prod/b.yaml', environment: prod, vendored: true, isTest: true },
  ];
  const claims = [[yamlAnalyzer], [yamlAnalyzer, credentialTextAnalyzer], [yamlAnalyzer], [yamlAnalyzer, credentialTextAnalyzer]];

  it('gives back each candidate as the first pass had it: path, environment, flags, analyzers', () => {
    const deferred = new DeferredFiles();
    kept.forEach((f, i) => deferred.add({ file: f, analyzers: claims[i]! }));
    expect(deferred.length).toBe(4);
    expect(deferred.pathList).toEqual(kept.map((f) => f.path));
    // Without taking: the deployment graph knows every deferred file by path and environment.
    expect(kept.map((_, i) => deferred.environmentAt(i))).toEqual(kept.map((f) => f.environment));
    for (const i of [2, 0, 3, 1]) {
      const back = deferred.take(i);
      expect(back.file).toEqual(kept[i]);
      expect(Object.keys(back.file)).toEqual(['path', 'environment', 'vendored', 'isTest']);
      expect(back.file.environment).toBe(kept[i]!.environment);
      expect(back.analyzers).toBe(claims[i]);
    }
    // Taken files are let go of, and never handed out twice.
    expect(deferred.pathList).toEqual([undefined, undefined, undefined, undefined]);
    expect(() => deferred.take(0)).toThrow(/taken twice/);
  });

  it('takes the named files out, keeping the others in order', () => {
    const deferred = new DeferredFiles();
    kept.forEach((f, i) => deferred.add({ file: f, analyzers: claims[i]! }));
    const taken = deferred.takeAll(new Set(['env/prod/a.yaml', 'env/prod/b.yaml', 'not/deferred.yaml']));
    expect(taken.map((c) => c.file)).toEqual([kept[1], kept[3]]);
    expect(deferred.pathList).toEqual(['charts/a/values.yaml', 'env/dev/a.yaml']);
    expect(deferred.take(1).file).toEqual(kept[2]);
  });
});

describe('context files', () => {
  it('defers plain YAML only: objects other files are judged against stay', () => {
    const deferred = (p: string, text: string) => CONTEXT_DEFERRAL.text(candidate(p), text);
    expect(deferred('values/env/prod/orders.yaml', 'replicaCount: 2\nimage:\n  tag: "1.2"\n')).toBe(true);
    expect(deferred('manifests/app/deployment.yaml', 'kind: Deployment\nmetadata:\n  name: app\n')).toBe(true);
    expect(deferred('manifests/app/es.yaml', 'kind: ExternalSecret\nmetadata:\n  name: app\n')).toBe(false);
    expect(deferred('manifests/app/secret.yaml', 'kind: "Secret"\n')).toBe(false);
    expect(deferred('db/cluster.yaml', 'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\n')).toBe(false);
    expect(deferred('apps/orders.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\n')).toBe(false);
    expect(deferred('charts/a/Chart.yaml', 'name: a\n')).toBe(false);
    expect(deferred('deploy/helmfile.d/10-apps.yaml', 'releases: []\n')).toBe(false);
    expect(deferred('overlays/prod/kustomization.yaml', 'resources: []\n')).toBe(false);
    // A chart's default values join the context only when a context template needs them (chartDefaultsFor).
    expect(deferred('charts/a/values.yaml', 'replicaCount: 1\n')).toBe(true);
  });

  it('ignores context words in comments, and counts a # it cannot place as text', () => {
    const deferred = (text: string) => CONTEXT_DEFERRAL.text(candidate('charts/a/values.yaml'), text);
    expect(deferred('## Name of an existing Secret with the credentials\nexistingSecret: ""\n')).toBe(true);
    expect(deferred('existingSecret: "" # an existing Secret\n')).toBe(true);
    expect(deferred('  # an ExternalSecret renders this\nx: 1\n')).toBe(true);
    expect(deferred('kind: Secret # a comment\n')).toBe(false);
    expect(deferred('# a Secret\nkind: Secret\n')).toBe(false);
    // Inside quotes, or not after a space, a # starts no comment; an odd quote leaves the line uncertain.
    expect(deferred('{"note": "a #b", "kind": "Secret"}\n')).toBe(false);
    expect(deferred('color: a#Secret\n')).toBe(false);
    expect(deferred("note: it's # a Secret\n")).toBe(false);
  });

  it('keeps files that name a Secret a workload reads, not chart defaults that leave it empty', () => {
    const deferred = (text: string) => CONTEXT_DEFERRAL.text(candidate('apps/a/deployment.yaml'), text);
    expect(deferred('env:\n  - name: DB_PASSWORD\n    valueFrom: {secretKeyRef: {name: orders-db, key: password}}\n')).toBe(false);
    expect(deferred('envFrom:\n  - secretRef:\n      name: orders-db\n')).toBe(false);
    expect(deferred('database:\n  existingSecret: orders-db\n')).toBe(false);
    expect(deferred('database:\n  existingSecret:\n    orders-db\n')).toBe(false);
    expect(deferred('{"auth": {"existingSecret": "orders-db"}}\n')).toBe(false);
    expect(deferred('auth:\n  existingSecret: ""\n  existingSecretPasswordKey: password\n')).toBe(true);
    expect(deferred('# envFrom: [{secretRef: {name: x}}]\nreplicas: 2\n')).toBe(true);
    const entry = (text: string): CacheEntry => ({ size: 1, mtimeMs: 1, ctimeMs: 1, hash: 'h', results: { yaml: { diagnostics: [], model: { role: 'values', docs: parseYaml(text).docs } } } });
    expect(CONTEXT_DEFERRAL.cached(candidate('apps/a/values.yaml'), entry('database:\n  existingSecret:\n    orders-db\n'))).toBe(false);
    expect(CONTEXT_DEFERRAL.cached(candidate('apps/a/values.yaml'), entry('auth:\n  existingSecret: ""\n'))).toBe(true);
    expect(CONTEXT_DEFERRAL.cached(candidate('apps/a/values.yaml'), entry('env:\n  - {name: X, valueFrom: {secretKeyRef: {name: orders-db}}}\n'))).toBe(false);
  });

  it('never defers a file another analyzer claims (build and test rules read those across files)', () => {
    expect(isChunkable(candidate('.github/workflows/ci.yaml', [yamlAnalyzer, credentialTextAnalyzer, dockerfileAnalyzer]))).toBe(false);
    expect(CONTEXT_DEFERRAL.text(candidate('Dockerfile', [dockerfileAnalyzer, credentialTextAnalyzer]), 'FROM node\n')).toBe(false);
  });

  it('decides the same on a cached model as on the text', () => {
    const entry = (text: string): CacheEntry => ({ size: 1, mtimeMs: 1, ctimeMs: 1, hash: 'h', results: { yaml: { diagnostics: [], model: { role: 'manifest', docs: parseYaml(text).docs } } } });
    expect(CONTEXT_DEFERRAL.cached(candidate('m/a.yaml'), entry('kind: Deployment\nmetadata:\n  name: app\n'))).toBe(true);
    expect(CONTEXT_DEFERRAL.cached(candidate('m/a.yaml'), entry('kind: SecretStore\nmetadata:\n  name: vault\n'))).toBe(false);
    expect(CONTEXT_DEFERRAL.cached(candidate('m/a.yaml'), entry('items:\n  - value: ClusterExternalSecret\n'))).toBe(false);
    expect(CONTEXT_DEFERRAL.cached(candidate('m/a.yaml'), entry('## an existing Secret\nexistingSecret: ""\n'))).toBe(true);
  });

  it('adds the default values of charts with a context template, and the root values', () => {
    const helm = (chartRoot: string) => ({ file: file(`${chartRoot}/templates/es.yaml`), analyzer: 'yaml', model: { role: 'template', docs: [], helm: { chartRoot } } });
    expect([...chartDefaultsFor([helm('charts/a')])].sort()).toEqual(['charts/a/values.yaml', 'charts/a/values.yml', 'values.yaml', 'values.yml']);
  });
});

/** Every fixture tree, scanned whole and a unit at a time: the results must not differ in anything. */
describe('a scan judged chunk by chunk gives the same result', () => {
  const trees = [path.join(REPO_ROOT, 'fixtures', 'example-platform'), ...ruleFixtureCases().map((c) => c.dir)];
  const now = new Date('2026-01-01T00:00:00Z');
  let chunkedTrees = 0;

  for (const root of trees) {
    it(path.relative(REPO_ROOT, root), async () => {
      const whole = await scanDetailed({ root, useGit: false, now, chunkFiles: 0 });
      const chunked = await scanDetailed({ root, useGit: false, now, chunkFiles: 1 });
      expect(whole.timings.chunks).toBeUndefined();
      if (chunked.timings.chunks) chunkedTrees++;
      expect(chunked.result).toEqual(whole.result);
    });
  }

  it('chunked most of those trees', () => {
    expect(chunkedTrees).toBeGreaterThan(50);
  });
});

describe('chunks that would not pay', () => {
  it('are left for a tree where nearly every YAML file is context, decided after the first pass', () => {
    expect(chunksPay(CHUNK_FILES + 1, 0, CHUNK_FILES)).toBe(true);
    expect(chunksPay(CHUNK_FILES, 0, CHUNK_FILES)).toBe(false); // one chunk: it holds them all anyway
    expect(chunksPay(30_000, 100_000, CHUNK_FILES)).toBe(true);
    expect(chunksPay(25_000, 100_000, CHUNK_FILES)).toBe(false);
  });

  it('a GitOps-like tree past the automatic size is judged at once, with the result of a chunked and a whole scan', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'fp-gitops-'));
    try {
      // 6,600 ExternalSecrets (context: Vault-authored database passwords) and 1,600 Deployments (deferred: a
      // literal password in env): past CHUNK_AUTO_PAST chunkable YAML files, a quarter of them deferred.
      const apps = Math.ceil((CHUNK_AUTO_PAST + 200) / 5);
      for (let a = 0; a < apps; a++) {
        const dir = path.join(root, 'apps', `app-${a}`);
        mkdirSync(dir, { recursive: true });
        for (const env of ['dev', 'staging', 'prod', 'qa']) {
          writeFileSync(path.join(dir, `db-${env}.yaml`), `apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: app-${a}-db\n  namespace: app-${a}-${env}\nspec:\n  secretStoreRef:\n    name: vault\n    kind: ClusterSecretStore\n  target:\n    name: app-${a}-db\n  data:\n    - secretKey: password\n      remoteRef:\n        key: secret/data/app-${a}/${env}/postgres\n        property: password\n`);
        }
        writeFileSync(path.join(dir, 'deployment.yaml'), `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${a}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n          env:\n            - name: DB_PASSWORD\n              value: hunter2-app-${a}-prod\n`);
      }
      const now = new Date('2026-01-01T00:00:00Z');
      const auto = await scanDetailed({ root, useGit: false, now });
      const whole = await scanDetailed({ root, useGit: false, now, chunkFiles: 0 });
      const chunked = await scanDetailed({ root, useGit: false, now, chunkFiles: CHUNK_FILES });
      // Decided after the first pass: every Deployment was left for chunks, and judged with the rest.
      expect(auto.timings.chunks).toEqual({ count: 0, files: apps });
      expect(chunked.timings.chunks!.count).toBeGreaterThan(0);
      expect(auto.result.summary.files.scanned).toBe(apps * 5);
      const byRule = auto.result.summary.byRule;
      expect(byRule['workload-env-literal-credential']).toBe(apps);
      expect(byRule['vault-authored-db-credential']).toBeGreaterThan(0);
      expect(auto.result).toEqual(whole.result);
      expect(chunked.result).toEqual(whole.result);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('collections between chunks', () => {
  it('happen only where the host allowed them: after the first pass is parsed, once per chunk, and after the analysis', async () => {
    collectGarbage(); // nothing allowed: a no-op
    let collections = 0;
    allowCollections(() => collections++);
    try {
      const root = path.join(REPO_ROOT, 'fixtures', 'example-platform');
      const progress: string[] = [];
      const chunked = await scanDetailed({ root, useGit: false, chunkFiles: 1, onProgress: (done, total, phase) => phase === 'chunks' && progress.push(`${done}/${total}`) });
      expect(collections).toBe(chunked.timings.chunks!.count + 2);
      // Progress of the chunks, in YAML files judged: from none to all of them.
      const files = chunked.timings.chunks!.files;
      expect(progress[0]).toBe(`0/${files}`);
      expect(progress.at(-1)).toBe(`${files}/${files}`);
      expect(progress).toHaveLength(chunked.timings.chunks!.count + 1);
      await scanDetailed({ root, useGit: false, chunkFiles: 0 });
      expect(collections).toBe(chunked.timings.chunks!.count + 2);
    } finally {
      allowCollections(undefined);
    }
  });
});

describe('parsers let go of after the last file that needs them', () => {
  it('where the host allows: TypeScript and tree-sitter are unloaded, load again for the next scan, and the result is the same', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const loaded = (pattern: RegExp) => Object.keys(require.cache).some((id) => pattern.test(id));
    const typescript = /[\\/]@ts-morph[\\/]common[\\/]dist[\\/]typescript\.js$/;
    const treeSitter = /[\\/]web-tree-sitter[\\/]/;
    const root = path.join(REPO_ROOT, 'fixtures', 'example-platform');
    const now = new Date('2026-01-01T00:00:00Z');
    // The library's host keeps its heap: both stay loaded.
    const kept = await scanDetailed({ root, useGit: false, now });
    expect(loaded(typescript) && loaded(treeSitter)).toBe(true);
    // Findings of each parser: TypeScript, and tree-sitter's Go, Python and Tiltfile grammars.
    for (const end of ['.ts', '.go', '.py', 'Tiltfile']) expect(kept.result.findings.some((f) => f.file.endsWith(end)), end).toBe(true);
    allowCollections(() => {});
    try {
      for (const chunkFiles of [0, 1]) {
        const released = await scanDetailed({ root, useGit: false, now, chunkFiles });
        expect(loaded(typescript) || loaded(treeSitter)).toBe(false);
        expect(JSON.stringify(released.result)).toBe(JSON.stringify(kept.result));
      }
    } finally {
      allowCollections(undefined);
    }
  });
});

describe('tree-sitter let go of', () => {
  it('gives a new runtime and parser after a release, which parse as before', async () => {
    const { releaseTreeSitter, treeSitterParser } = await import('../src/analyzers/tests/treesitter.js');
    const before = await treeSitterParser('go');
    const tree = before.parse('package x\nfunc TestA(t *testing.T) {}\n')!;
    const text = tree.rootNode.toString();
    tree.delete();
    await releaseTreeSitter();
    const after = await treeSitterParser('go');
    expect(after).not.toBe(before);
    expect(Object.getPrototypeOf(after)).not.toBe(Object.getPrototypeOf(before)); // another load of the runtime
    const again = after.parse('package x\nfunc TestA(t *testing.T) {}\n')!;
    expect(again.rootNode.toString()).toBe(text);
    again.delete();
  });
});

describe('chunks with parse workers', () => {
  it('share one set of workers across the chunks, with the result of a plain scan', async () => {
    const root = path.join(REPO_ROOT, 'fixtures', 'example-platform');
    const now = new Date('2026-01-01T00:00:00Z');
    const plain = await scanDetailed({ root, useGit: false, now, chunkFiles: 0, threads: 1 });
    const chunked = await scanDetailed({ root, useGit: false, now, chunkFiles: 1, threads: 2 });
    expect(chunked.timings.chunks?.count).toBeGreaterThan(1);
    expect(chunked.result).toEqual(plain.result);
  });
});

describe('chunks with the parse cache', () => {
  it('decides context on cached models as well, with the same result as a scan without either', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-chunks-'));
    try {
      cpSync(path.join(REPO_ROOT, 'fixtures', 'example-platform'), dir, { recursive: true, filter: (src) => !src.includes('.footprint-cache') });
      const now = new Date('2026-01-01T00:00:00Z');
      const plain = await scanDetailed({ root: dir, useGit: false, now, chunkFiles: 0 });
      const cold = await scanDetailed({ root: dir, useGit: false, now, chunkFiles: 1, cache: true });
      expect(cold.timings.cache?.hits).toBe(0);
      expect(cold.result).toEqual(plain.result);
      // One changed file: every other model comes from the cache, without a read, and is sorted by its model.
      appendFileSync(path.join(dir, 'README.md'), '\n');
      const warm = await scanDetailed({ root: dir, useGit: false, now, chunkFiles: 1, cache: true });
      expect(warm.timings.chunks?.count).toBeGreaterThan(1);
      expect(warm.timings.cache?.misses).toBe(1);
      const again = await scanDetailed({ root: dir, useGit: false, now, chunkFiles: 0 });
      expect(warm.result).toEqual(again.result);
      // Every stat changed, no content: the index's tags cannot answer, the entries (found by hash) decide.
      const later = Date.now() / 1000 + 5;
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && !entry.parentPath.includes('.footprint-cache')) utimesSync(path.join(entry.parentPath, entry.name), later, later);
      }
      const touched = await scanDetailed({ root: dir, useGit: false, now, chunkFiles: 1, cache: true });
      expect(touched.timings.chunks?.count).toBe(warm.timings.chunks?.count);
      expect(touched.timings.cache?.hits).toBe(0);
      expect(touched.result).toEqual(again.result);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
