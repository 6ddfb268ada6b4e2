import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_DIR, ParseCache, type CacheEntry } from '../src/cache/parse-cache.js';
import { scanDetailed } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { TEST_ROOT } from './helpers/run-fixture.js';

const EXAMPLE = path.join(TEST_ROOT, '..', 'fixtures', 'example-platform');
const NOW = new Date('2025-01-01T00:00:00Z');
const temps: string[] = [];

function copyExample(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fp-cache-test-'));
  temps.push(dir);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes(CACHE_DIR) });
  return dir;
}

/** The parse cache alone (the whole-result cache is tested in cache-result.test.ts). */
async function run(root: string, cache = true) {
  return scanDetailed({ root, cache, reuseResult: false, useGit: false, now: NOW });
}

/** The result without what legitimately differs between runs. */
function comparable(result: ScanResult): unknown {
  return { ...result, generatedAt: undefined };
}

function packs(root: string): string[] {
  const dir = path.join(root, CACHE_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('parse-')) : [];
}

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('parse cache', () => {
  it('reuses every model on an unchanged tree and gives the same result as a scan without cache', async () => {
    const root = copyExample();
    const cold = await run(root);
    expect(cold.timings.cache?.hits).toBe(0);
    expect(cold.timings.cache?.misses).toBeGreaterThan(10);
    expect(packs(root)).toHaveLength(1);

    const warm = await run(root);
    expect(warm.timings.cache?.misses).toBe(0);
    expect(warm.timings.cache?.hits).toBe(cold.timings.cache?.misses);
    expect(Object.keys(warm.timings.parse)).toEqual([]);

    const uncached = await run(root, false);
    expect(uncached.timings.cache).toBeUndefined();
    expect(comparable(warm.result)).toEqual(comparable(uncached.result));
    expect(comparable(cold.result)).toEqual(comparable(uncached.result));
  });

  it('re-parses a changed file, and only that file', async () => {
    const root = copyExample();
    await run(root);
    const file = path.join(root, 'environments/dev/argocd/repos/platform-gitops.yaml');
    const before = (await run(root)).result.findings.filter((f) => f.file === 'environments/dev/argocd/repos/platform-gitops.yaml');
    expect(before.length).toBeGreaterThan(0);
    // Replace the literal password by a reference: the inline-secret finding must go away.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/password: .*/, 'password: ""'));
    const changed = await run(root);
    expect(changed.timings.cache?.misses).toBe(1);
    const uncached = await run(root, false);
    expect(comparable(changed.result)).toEqual(comparable(uncached.result));
    expect(changed.result.findings.filter((f) => f.file === 'environments/dev/argocd/repos/platform-gitops.yaml' && f.ruleId === 'inline-secret-manifest')).toEqual([]);
  });

  it('re-parses a file whose content changed at the same size', async () => {
    const root = copyExample();
    const rel = 'values/env/production/apps/billing.yaml';
    const file = path.join(root, rel);
    await run(root);
    const original = readFileSync(file, 'utf8');
    // Same length, different content: the size alone cannot tell, the mtime (and then the hash) does.
    const edited = original.replace('example-live-payments-key-0000', 'example-live-payments-key-9999');
    expect(edited.length).toBe(original.length);
    writeFileSync(file, edited);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const changed = await run(root);
    expect(changed.timings.cache?.misses).toBe(1);
    const uncached = await run(root, false);
    expect(comparable(changed.result)).toEqual(comparable(uncached.result));
  });

  it('reuses a model when only the stat changed (same content, e.g. after a checkout)', async () => {
    const root = copyExample();
    await run(root);
    const file = path.join(root, 'values/env/production/apps/billing.yaml');
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    const again = await run(root);
    // The entry is reused (no parse), but counted as fresh because its stat must be stored anew.
    expect(again.timings.parse).toEqual({});
    const third = await run(root);
    expect(third.timings.cache?.misses).toBe(0);
  });

  it('ignores a corrupt pack and replaces it', async () => {
    const root = copyExample();
    const reference = await run(root, false);
    await run(root);
    const [pack] = packs(root);
    const packFile = path.join(root, CACHE_DIR, pack!);
    const bytes = readFileSync(packFile);
    writeFileSync(packFile, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const afterCorruption = await run(root);
    expect(afterCorruption.timings.cache?.hits).toBe(0);
    expect(comparable(afterCorruption.result)).toEqual(comparable(reference.result));
    const healed = await run(root);
    expect(healed.timings.cache?.misses).toBe(0);

    writeFileSync(packFile, 'not a pack at all');
    const garbage = await run(root);
    expect(garbage.timings.cache?.hits).toBe(0);
    expect(comparable(garbage.result)).toEqual(comparable(reference.result));
  });

  it('ignores a corrupt entry inside a readable pack', async () => {
    const root = copyExample();
    const reference = await run(root, false);
    const first = await run(root);
    const total = first.timings.cache!.misses;
    // Break one entry of the real pack in place: an entry without a numeric size and results is not an entry. The
    // pack's last 16 digits say where its index starts; the index says where each entry is.
    const [pack] = packs(root);
    const packFile = path.join(root, CACHE_DIR, pack!);
    const bytes = readFileSync(packFile);
    const indexAt = Number(bytes.subarray(bytes.length - 16).toString());
    const index = JSON.parse(bytes.subarray(indexAt, bytes.length - 17).toString()) as { paths: string[]; at: number[]; length: number[] };
    const row = index.paths.indexOf('values/env/production/apps/billing.yaml');
    expect(row).toBeGreaterThanOrEqual(0);
    bytes.write('{"size":"broken"}'.padEnd(index.length[row]!, ' '), index.at[row]!);
    writeFileSync(packFile, bytes);
    const again = await run(root);
    expect(again.timings.cache?.misses).toBe(1);
    expect(again.timings.cache?.hits).toBe(total - 1);
    expect(comparable(again.result)).toEqual(comparable(reference.result));
  });

  it('survives concurrent runs on the same tree (atomic pack writes)', async () => {
    const root = copyExample();
    const reference = await run(root, false);
    const results = await Promise.all([run(root), run(root), run(root)]);
    for (const r of results) expect(comparable(r.result)).toEqual(comparable(reference.result));
    expect(packs(root)).toHaveLength(1);
    expect(readdirSync(path.join(root, CACHE_DIR)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const after = await run(root);
    expect(after.timings.cache?.misses).toBe(0);
  });

  it('never caches a model JSON cannot give back exactly (YAML .inf / .nan), and re-parses it each run', async () => {
    const root = copyExample();
    writeFileSync(path.join(root, 'manifests/limits.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: limits\ndata:\n  ceiling: .inf\n  ratio: .nan\n');
    await run(root);
    const again = await run(root);
    expect(again.timings.cache?.misses).toBe(1);
    expect(Object.keys(again.timings.parse)).toEqual(['yaml']);
    // Known to be uncacheable and unchanged: the pack is not rewritten for it.
    const [pack] = packs(root);
    const written = statSync(path.join(root, CACHE_DIR, pack!)).mtimeMs;
    await run(root);
    expect(statSync(path.join(root, CACHE_DIR, pack!)).mtimeMs).toBe(written);
    const uncached = await run(root, false);
    expect(comparable(again.result)).toEqual(comparable(uncached.result));
  });

  it('writes nothing with the cache off, and a config change starts a new pack', async () => {
    const root = copyExample();
    await run(root, false);
    expect(packs(root)).toEqual([]);
    await run(root);
    const [first] = packs(root);
    writeFileSync(path.join(root, 'footprint.config.yaml'), 'fixtureValues: [hunter2]\n');
    const reconfigured = await run(root);
    expect(reconfigured.timings.cache?.hits).toBe(0);
    expect(packs(root)).toHaveLength(1);
    expect(packs(root)[0]).not.toBe(first);
  });
});

describe('parse cache delta', () => {
  const INLINE = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: late\nstringData:\n  password: Zq9-delta-value-44\n';
  const packFile = (root: string) => path.join(root, CACHE_DIR, packs(root).find((n) => !n.endsWith('.delta.json'))!);
  const deltaFile = (root: string) => packs(root).find((n) => n.endsWith('.delta.json'));

  it('writes only the changed and removed entries next to an untouched pack, and reads them back', async () => {
    const root = copyExample();
    await run(root);
    const pack = packFile(root);
    const packBefore = readFileSync(pack, 'utf8');

    writeFileSync(path.join(root, 'manifests', 'late-secret.yaml'), INLINE);
    const removed = readdirSync(path.join(root, 'manifests')).find((n) => n.endsWith('.yaml') && n !== 'late-secret.yaml')!;
    rmSync(path.join(root, 'manifests', removed));
    const changed = await run(root);
    expect(changed.timings.cache?.misses).toBe(1);
    expect(readFileSync(pack, 'utf8')).toBe(packBefore);
    const delta = JSON.parse(readFileSync(path.join(root, CACHE_DIR, deltaFile(root)!), 'utf8'));
    expect(Object.keys(delta.entries)).toEqual(['manifests/late-secret.yaml']);
    expect(delta.removed).toEqual([`manifests/${removed}`]);

    const again = await run(root);
    expect(again.timings.cache?.misses).toBe(0);
    expect(again.result.findings.some((f) => f.file === 'manifests/late-secret.yaml')).toBe(true);
    expect(comparable(again.result)).toEqual(comparable((await run(root, false)).result));
  });

  it('rewrites the whole pack, and drops the delta, once too much changed', async () => {
    const root = copyExample();
    const cold = await run(root);
    writeFileSync(path.join(root, 'manifests', 'late-secret.yaml'), INLINE);
    await run(root);
    expect(deltaFile(root)).toBeDefined();

    // Every file's stat changes (same content): more than the delta may hold.
    const later = Date.now() / 1000 + 5;
    const stack = [root];
    while (stack.length) {
      const dir = stack.pop()!;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name === CACHE_DIR) continue;
        if (e.isDirectory()) stack.push(path.join(dir, e.name));
        else utimesSync(path.join(dir, e.name), later, later);
      }
    }
    const touched = await run(root);
    expect(touched.timings.cache?.misses).toBe((cold.timings.cache?.misses ?? 0) + 1);
    expect(deltaFile(root)).toBeUndefined();
    expect(packs(root)).toHaveLength(1);
    expect((await run(root)).timings.cache?.misses).toBe(0);
  });

  it('ignores a delta made for another pack', async () => {
    const root = copyExample();
    await run(root);
    writeFileSync(path.join(root, 'manifests', 'late-secret.yaml'), INLINE);
    await run(root);
    const file = path.join(root, CACHE_DIR, deltaFile(root)!);
    const delta = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...delta, base: 'another-pack' }));
    const next = await run(root);
    expect(next.timings.cache?.misses).toBe(1); // the new file is parsed again: its entry was only in the delta
    expect(comparable(next.result)).toEqual(comparable((await run(root, false)).result));
  });
});

describe('lazy pack', () => {
  const parts = { toolVersion: 't', configHash: 'c', analyzerIds: ['yaml'], buildId: 'b' };
  const entry = (n: number, extra = ''): CacheEntry => ({ size: n, mtimeMs: n * 1000, ctimeMs: n * 1000 + 1, hash: `h${n}${extra}`, results: { yaml: { model: { n, extra }, diagnostics: [] } } });
  const dirWithCache = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-pack-'));
    temps.push(dir);
    return dir;
  };
  const fill = (root: string, files: number, change: (n: number) => string | undefined, options = {}) => {
    const cache = ParseCache.open(root, parts, options);
    for (let n = 1; n <= files; n++) {
      const file = `f/${n}.yaml`;
      const extra = change(n);
      const hit = extra === undefined ? cache.byStat(file, n, n * 1000, n * 1000 + 1) : undefined;
      cache.keep(file, hit ?? entry(n, extra ?? ''), hit === undefined);
    }
    cache.save();
    return cache;
  };

  it('keeps the last entry of a path kept twice in a run, in the pack and in a delta', () => {
    const root = dirWithCache();
    const twice = (extra: string) => {
      const cache = ParseCache.open(root, parts);
      for (let n = 1; n <= 100; n++) {
        const hit = cache.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1);
        cache.keep(`f/${n}.yaml`, hit ?? entry(n), hit === undefined);
      }
      cache.keep('f/7.yaml', entry(7, `${extra}-first`), true);
      cache.keep('f/7.yaml', entry(7, extra), true);
      cache.save();
      return cache;
    };
    expect(twice('a').wrote).toBe('pack');
    const packed = ParseCache.open(root, parts);
    expect(packed.byStat('f/7.yaml', 7, 7000, 7001)).toEqual(entry(7, 'a'));
    expect(packed.byStat('f/8.yaml', 8, 8000, 8001)).toEqual(entry(8));
    packed.close();
    expect(twice('b').wrote).toBe('delta');
    const delta = ParseCache.open(root, parts);
    expect(delta.byStat('f/7.yaml', 7, 7000, 7001)).toEqual(entry(7, 'b'));
    // One entry per path: an unchanged run over the same 100 files writes nothing.
    for (let n = 1; n <= 100; n++) delta.keep(`f/${n}.yaml`, delta.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)!, false);
    delta.save();
    expect(delta.wrote).toBeUndefined();
  });

  it('reads back every entry, whether written this run, copied from the pack or from its delta', () => {
    const root = dirWithCache();
    expect(fill(root, 200, () => '').wrote).toBe('pack');
    // A few changes: a delta next to the pack.
    expect(fill(root, 200, (n) => (n % 50 === 0 ? 'v2' : undefined)).wrote).toBe('delta');
    // Many changes: a new pack, made of new entries, entries of the old pack and entries of its delta.
    const rewritten = fill(root, 200, (n) => (n % 3 === 0 ? 'v3' : undefined));
    expect(rewritten.wrote).toBe('pack');
    expect(rewritten.misses).toBe(66);
    const reopened = ParseCache.open(root, parts);
    for (let n = 1; n <= 200; n++) {
      const expected = n % 3 === 0 ? 'v3' : n % 50 === 0 ? 'v2' : '';
      expect(reopened.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)).toEqual(entry(n, expected));
    }
    expect(reopened.byStat('f/1.yaml', 1, 999, 1001)).toBeUndefined();
    expect(reopened.byHash('f/1.yaml', 'h1')).toEqual(entry(1));
    expect(reopened.byHash('f/1.yaml', 'other')).toBeUndefined();
    reopened.close();
    expect(readdirSync(path.join(root, CACHE_DIR)).filter((n) => n.startsWith('parse-'))).toHaveLength(1);
  });

  it('reads back entries across many read-ahead blocks: small, larger than a block, in any order', () => {
    const root = dirWithCache();
    // ~1.3 MB of entries: 1,200 small ones, and every 100th ~300 KB (more than the 256 KB a read brings in).
    const big = (n: number) => (n % 100 === 0 ? `${n}`.padEnd(300_000, 'x') : `${n}`.padEnd(800, 'y'));
    fill(root, 1200, big);
    const cache = ParseCache.open(root, parts);
    const orders = [
      Array.from({ length: 1200 }, (_, i) => i + 1),
      Array.from({ length: 1200 }, (_, i) => 1200 - i),
      Array.from({ length: 1200 }, (_, i) => ((i * 7919) % 1200) + 1),
    ];
    for (const order of orders) {
      for (const n of order) expect(cache.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)).toEqual(entry(n, big(n)));
    }
    cache.close();
  });

  it('writes and reads back text in any script, around and past the writer\'s 1 MB block', () => {
    const root = dirWithCache();
    // Multi-byte characters (2, 3 and 4 bytes in UTF-8) in entries of every size up to past a block, so that some
    // land exactly at a block's end and some do not fit in what is left of one.
    const text = (n: number) => `é€😀${n}`.repeat(n % 7 === 0 ? 60_000 + n : 10 + n * 37);
    fill(root, 160, text);
    const cache = ParseCache.open(root, parts);
    for (let n = 1; n <= 160; n++) expect(cache.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)).toEqual(entry(n, text(n)));
    cache.close();
  });

  it('writes an index of many rows in slices that read back as one', () => {
    const root = dirWithCache();
    fill(root, 9000, () => '');
    const cache = ParseCache.open(root, parts);
    expect(cache.ignored).toBeUndefined();
    for (const n of [1, 4096, 4097, 8192, 8193, 9000]) expect(cache.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)).toEqual(entry(n));
    cache.close();
  });

  it('holds no entry in memory: an entry is read when looked up, and written when kept', () => {
    const root = dirWithCache();
    fill(root, 20, () => '');
    const cache = ParseCache.open(root, parts);
    const pack = readdirSync(path.join(root, CACHE_DIR)).find((n) => n.endsWith('.pack'))!;
    // Entries are read from the pack on each lookup: a change on disk after opening shows (the index does not).
    const file = path.join(root, CACHE_DIR, pack);
    const bytes = readFileSync(file);
    const indexAt = Number(bytes.subarray(bytes.length - 16).toString());
    const index = JSON.parse(bytes.subarray(indexAt, bytes.length - 17).toString()) as { paths: string[]; at: number[]; length: number[] };
    const row = index.paths.indexOf('f/7.yaml');
    const fd = openSync(file, 'r+');
    writeSync(fd, '{"size":"broken"}'.padEnd(index.length[row]!, ' '), index.at[row]!);
    closeSync(fd);
    expect(cache.byStat('f/7.yaml', 7, 7000, 7001)).toBeUndefined();
    expect(cache.byStat('f/8.yaml', 8, 8000, 8001)).toEqual(entry(8));
    cache.close();
  });

  it('keeps a tag per entry in the index, through deltas and rewrites, answered without reading the entry', () => {
    const root = dirWithCache();
    const tag = (e: CacheEntry) => ((e.results['yaml']?.model as { extra: string }).extra === 'v2' ? 1 : 0) + (e.size % 2) * 2;
    fill(root, 200, () => '', { tag });
    fill(root, 200, (n) => (n % 50 === 0 ? 'v2' : undefined), { tag });
    fill(root, 200, (n) => (n % 3 === 1 ? 'v3' : undefined), { tag });
    const cache = ParseCache.open(root, parts, { tag });
    for (let n = 1; n <= 200; n++) {
      const v2 = n % 50 === 0 && n % 3 !== 1;
      expect(cache.tagByStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)).toBe((v2 ? 1 : 0) + (n % 2) * 2);
    }
    expect(cache.tagByStat('f/1.yaml', 1, 1, 1001)).toBeUndefined();
    expect(cache.tagByStat('f/none.yaml', 1, 1000, 1001)).toBeUndefined();
    cache.close();
    // A run without that tag function has a pack of its own: it never reads tags another function wrote.
    const untagged = ParseCache.open(root, parts);
    expect(untagged.tagByStat('f/1.yaml', 1, 1000, 1001)).toBeUndefined();
    expect(untagged.byStat('f/1.yaml', 1, 1000, 1001)).toBeUndefined();
    untagged.close();
  });

  it('answers the tag of an entry by its content key, whatever the stat, only for that key', () => {
    const root = dirWithCache();
    const tag = (e: CacheEntry) => (e.size % 2) + 1;
    fill(root, 60, () => '', { tag });
    // Rewritten in a delta: the delta has the say, and the index alone cannot answer.
    fill(root, 60, (n) => (n === 7 ? 'v2' : undefined), { tag });
    const cache = ParseCache.open(root, parts, { tag });
    for (const n of [1, 2, 59]) {
      expect(cache.tagByHash(`f/${n}.yaml`, `h${n}`)).toBe((n % 2) + 1);
      expect(cache.tagByHash(`f/${n}.yaml`, `h${n}x`)).toBeUndefined();
      expect(cache.tagByHash(`f/${n}.yaml`, `h${n + 1}`)).toBeUndefined();
    }
    expect(cache.tagByHash('f/7.yaml', 'h7v2')).toBeUndefined();
    expect(cache.tagByHash('f/none.yaml', 'h1')).toBeUndefined();
    cache.close();
  });

  it('keeps a restamped entry under its new stat, in a rewritten pack and in a delta', () => {
    const root = dirWithCache();
    fill(root, 100, () => '');
    const shift = new Map<number, number>();
    const restamp = (which: (n: number) => boolean) => {
      const cache = ParseCache.open(root, parts);
      for (let n = 1; n <= 100; n++) {
        const file = `f/${n}.yaml`;
        const mtime = n * 1000 + (shift.get(n) ?? 0);
        if (!which(n)) {
          cache.keep(file, cache.byStat(file, n, mtime, mtime + 1)!, false);
          continue;
        }
        shift.set(n, 7);
        cache.restamp(file, { ...cache.byHash(file, `h${n}`)!, mtimeMs: n * 1000 + 7, ctimeMs: n * 1000 + 8 });
      }
      cache.save();
      return cache.wrote;
    };
    // One entry: a delta; then every other entry: the whole pack, its entries copied as they were.
    expect(restamp((n) => n === 5)).toBe('delta');
    expect(restamp((n) => n !== 5)).toBe('pack');
    const cache = ParseCache.open(root, parts);
    for (let n = 1; n <= 100; n++) {
      expect(cache.byStat(`f/${n}.yaml`, n, n * 1000, n * 1000 + 1)).toBeUndefined();
      expect(cache.byStat(`f/${n}.yaml`, n, n * 1000 + 7, n * 1000 + 8)).toEqual({ ...entry(n), mtimeMs: n * 1000 + 7, ctimeMs: n * 1000 + 8 });
    }
    cache.close();
  });

  it('removes the temp files of runs that ended without saving, never those of a running one', () => {
    const root = dirWithCache();
    fill(root, 5, () => '');
    const dir = path.join(root, CACHE_DIR);
    const pack = readdirSync(dir).find((n) => n.endsWith('.pack'))!;
    // A process that has exited: its pid is free.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(path.join(dir, `${pack}.${gone}.0123abcd.tmp`), 'x'.repeat(1000));
    writeFileSync(path.join(dir, `${pack}.${process.pid}.4567ef01.tmp`), 'a run still writing');
    // A run that only reads (nothing changed) still clears the dead run's leftovers.
    expect(fill(root, 5, () => undefined).wrote).toBeUndefined();
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([`${pack}.${process.pid}.4567ef01.tmp`]);
  });

  it('writes the index sorted by path, and still reads a pack whose index is not (an older writer)', () => {
    const root = dirWithCache();
    // Kept as f/1, f/2, ..., f/10, ...: not in path order (f/10 sorts before f/2).
    fill(root, 30, () => '');
    const file = path.join(root, CACHE_DIR, readdirSync(path.join(root, CACHE_DIR)).find((n) => n.endsWith('.pack'))!);
    const bytes = readFileSync(file);
    const indexAt = Number(bytes.subarray(bytes.length - 16).toString());
    const index = JSON.parse(bytes.subarray(indexAt, bytes.length - 17).toString()) as Record<string, unknown[]> & { paths: string[] };
    expect(index.paths).toEqual([...index.paths].sort());
    expect(index.paths).toHaveLength(30);
    const all = (cache: ParseCache) => Array.from({ length: 30 }, (_, i) => cache.byStat(`f/${30 - i}.yaml`, 30 - i, (30 - i) * 1000, (30 - i) * 1000 + 1));
    const expected = Array.from({ length: 30 }, (_, i) => entry(30 - i));
    const sorted = ParseCache.open(root, parts);
    expect(all(sorted)).toEqual(expected);
    expect(sorted.byStat('f/0.yaml', 0, 0, 1)).toBeUndefined();
    sorted.close();
    for (const name of ['paths', 'size', 'mtime', 'ctime', 'flags', 'at', 'length']) index[name] = index[name]!.reverse();
    const reversed = Buffer.from(JSON.stringify(index));
    writeFileSync(file, Buffer.concat([bytes.subarray(0, indexAt), reversed, Buffer.from(`\n${String(indexAt).padStart(16, '0')}`)]));
    const unsorted = ParseCache.open(root, parts);
    expect(unsorted.ignored).toBeUndefined();
    expect(all(unsorted)).toEqual(expected);
    unsorted.close();
  });

  it('ignores a pack whose index or trailer is damaged', () => {
    const root = dirWithCache();
    fill(root, 5, () => '');
    const file = path.join(root, CACHE_DIR, readdirSync(path.join(root, CACHE_DIR)).find((n) => n.endsWith('.pack'))!);
    const bytes = readFileSync(file);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, bytes.length - 17), Buffer.from('\n9999999999999999')]));
    const pastTheEnd = ParseCache.open(root, parts);
    expect(pastTheEnd.ignored).toBe('pack does not deserialise');
    expect(pastTheEnd.byStat('f/1.yaml', 1, 1000, 1001)).toBeUndefined();
    writeFileSync(file, bytes.toString().replace(/"format":\d+/, (m) => `"format":${Number(m.slice(9)) - 1}`));
    expect(ParseCache.open(root, parts).ignored).toBe('unexpected pack header');
    // An index row pointing past the entries (here: into the index itself) is never followed.
    writeFileSync(file, bytes.toString().replace(/"length":\[\d+/, '"length":[99999999'));
    expect(ParseCache.open(root, parts).ignored).toBe('unexpected pack header');
    writeFileSync(file, bytes.toString().replace(/"at":\[\d+/, '"at":[-1'));
    expect(ParseCache.open(root, parts).ignored).toBe('unexpected pack header');
    writeFileSync(file, bytes);
    const intact = ParseCache.open(root, parts);
    expect(intact.ignored).toBeUndefined();
    expect(intact.byStat('f/1.yaml', 1, 1000, 1001)).toEqual(entry(1));
    intact.close();
  });
});
