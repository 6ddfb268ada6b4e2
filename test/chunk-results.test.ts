import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { CACHE_DIR } from '../src/cache/parse-cache.js';
import { scanDetailed } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { REPO_ROOT, ruleFixtureCases } from './helpers/run-fixture.js';
import { tempDirs } from './helpers/temp.js';

const EXAMPLE = path.join(REPO_ROOT, 'fixtures', 'example-platform');
const NOW = new Date('2026-01-01T00:00:00Z');
const tempDir = tempDirs('fp-chunk-results-');

function copyOf(tree: string): string {
  const dir = tempDir();
  cpSync(tree, dir, { recursive: true, filter: (src) => !src.includes(CACHE_DIR) });
  return dir;
}

/** A scan of ROOT a unit at a time, with the parse cache (and so the chunk results) or without any cache. */
function scan(root: string, cache: boolean, useGit = false) {
  return scanDetailed({ root, useGit, now: NOW, chunkFiles: 1, cache, reuseResult: false });
}

/** What a scan of ROOT without any cache and without chunks gives. */
async function plain(root: string, useGit = false): Promise<unknown> {
  return comparable((await scanDetailed({ root, useGit, now: NOW, chunkFiles: 0 })).result);
}

/** The result as its JSON gives it back (a replayed chunk comes from JSON). */
function comparable(result: ScanResult): unknown {
  return JSON.parse(JSON.stringify({ ...result, generatedAt: undefined }));
}

function chunkFiles(root: string): string[] {
  const dir = path.join(root, CACHE_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('chunks-')) : [];
}

describe('chunk results of the last run', () => {
  it('replay every chunk whose files and context are unchanged, with the result of a scan without any cache', async () => {
    const root = copyOf(EXAMPLE);
    const cold = await scan(root, true);
    const chunks = cold.timings.chunks!.count;
    expect(chunks).toBeGreaterThan(5);
    expect(cold.timings.chunks!.reused).toBe(0);
    expect(chunkFiles(root)).toHaveLength(1);

    // Code only: the context and every chunk are as they were.
    appendFileSync(path.join(root, 'README.md'), '\nedited\n');
    const code = await scan(root, true);
    expect(code.timings.chunks).toMatchObject({ count: chunks, reused: chunks });
    expect(comparable(code.result)).toEqual(await plain(root));

    // One deferred YAML file (no context word in it): its chunk runs, the others are replayed.
    appendFileSync(path.join(root, 'environments/staging/configmaps/storefront-settings.yaml'), '\n# edited\n');
    const one = await scan(root, true);
    expect(one.timings.chunks).toMatchObject({ count: chunks, reused: chunks - 1 });
    expect(comparable(one.result)).toEqual(await plain(root));

    // A Helm release's values file is context: which environments render a line of its chart's templates depends on it.
    appendFileSync(path.join(root, 'values/env/dev/apps/orders.yaml'), '\n# edited\n');
    const values = await scan(root, true);
    expect(values.timings.chunks).toMatchObject({ count: chunks, reused: 0 });
    expect(comparable(values.result)).toEqual(await plain(root));

    // A context file: every chunk reads the context, so none is replayed.
    appendFileSync(path.join(root, 'charts/orders/Chart.yaml'), '\n# edited\n');
    const context = await scan(root, true);
    expect(context.timings.chunks).toMatchObject({ count: chunks, reused: 0 });
    expect(comparable(context.result)).toEqual(await plain(root));

    // A file added anywhere: the deployment graph resolves references against every path.
    writeFileSync(path.join(root, 'docs-notes.yaml'), 'note: added\n');
    const added = await scan(root, true);
    expect(added.timings.chunks!.reused).toBe(0);
    expect(comparable(added.result)).toEqual(await plain(root));
  });

  it('keep the entries of replayed chunks in the parse cache: the next run finds them by stat', async () => {
    const root = copyOf(EXAMPLE);
    const cold = await scan(root, true);
    const files = cold.timings.cache!.misses;
    appendFileSync(path.join(root, 'README.md'), '\nedited\n');
    const code = await scan(root, true);
    expect(code.timings.chunks!.reused).toBe(code.timings.chunks!.count);
    expect(code.timings.cache).toMatchObject({ hits: files - 1, misses: 1 });
    appendFileSync(path.join(root, 'README.md'), '\nagain\n');
    const next = await scan(root, true);
    expect(next.timings.chunks!.reused).toBe(next.timings.chunks!.count);
    expect(next.timings.cache).toMatchObject({ hits: files - 1, misses: 1 });
    expect(comparable(next.result)).toEqual(await plain(root));
  });

  it('are ignored when they do not read back, and written again', async () => {
    const root = copyOf(EXAMPLE);
    await scan(root, true);
    const [name] = chunkFiles(root);
    const file = path.join(root, CACHE_DIR, name!);
    for (const damage of ['{"format":1,', JSON.stringify({ format: 1, key: 'other', records: {} }), readFileSync(file, 'utf8').replace(/\\"findings\\":\[/g, '\\"findings\\":7,\\"x\\":[')]) {
      writeFileSync(file, damage);
      appendFileSync(path.join(root, 'README.md'), '\nedited\n');
      const damaged = await scan(root, true);
      expect(damaged.timings.chunks!.reused).toBe(0);
      expect(comparable(damaged.result)).toEqual(await plain(root));
    }
    appendFileSync(path.join(root, 'README.md'), '\nedited\n');
    const again = await scan(root, true);
    expect(again.timings.chunks!.reused).toBe(again.timings.chunks!.count);
  });

  it('are safe under concurrent runs: each reads whole records, and the next run replays what the last writer kept', async () => {
    const root = copyOf(EXAMPLE);
    await scan(root, true);
    appendFileSync(path.join(root, 'README.md'), '\nedited\n');
    appendFileSync(path.join(root, 'values/env/dev/apps/orders.yaml'), '\n# edited\n');
    const runs = await Promise.all([scan(root, true), scan(root, true), scan(root, true)]);
    const expected = await plain(root);
    for (const run of runs) expect(comparable(run.result)).toEqual(expected);
    expect(chunkFiles(root)).toHaveLength(1);
    appendFileSync(path.join(root, 'README.md'), '\nagain\n');
    const next = await scan(root, true);
    expect(next.timings.chunks!.reused).toBe(next.timings.chunks!.count);
    expect(comparable(next.result)).toEqual(await plain(root));
  });

  it("drop the temp files of runs killed while writing theirs, and the records of other keys", async () => {
    const root = copyOf(EXAMPLE);
    await scan(root, true);
    const [name] = chunkFiles(root);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const running = process.pid;
    const cache = path.join(root, CACHE_DIR);
    for (const left of [`${name}.${dead}.0a1b2c.tmp`, `${name}.${running}.0a1b2c.tmp`, 'chunks-v1-000000000000000000000000.json']) writeFileSync(path.join(cache, left), '{}');
    appendFileSync(path.join(root, 'values/env/dev/apps/orders.yaml'), '\n# edited\n');
    await scan(root, true);
    expect(chunkFiles(root).sort()).toEqual([name, `${name}.${running}.0a1b2c.tmp`]);
  });

  it('are not kept without the parse cache', async () => {
    const root = copyOf(EXAMPLE);
    const uncached = await scan(root, false);
    expect(uncached.timings.chunks!.count).toBeGreaterThan(1);
    expect(chunkFiles(root)).toEqual([]);
  });

  it('are found by git object ids in a fresh clone with the cache restored', async () => {
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const repo = copyOf(EXAMPLE);
    git(repo, 'init', '-q');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'example');
    const origin = await scan(repo, true, true);
    const clone = path.join(tempDir(), 'clone');
    git(path.dirname(clone), 'clone', '-q', repo, clone);
    cpSync(path.join(repo, CACHE_DIR), path.join(clone, CACHE_DIR), { recursive: true });
    appendFileSync(path.join(clone, 'environments/staging/configmaps/storefront-settings.yaml'), '\n# a pull request\n');
    const pr = await scan(clone, true, true);
    expect(pr.timings.chunks).toMatchObject({ count: origin.timings.chunks!.count, reused: origin.timings.chunks!.count - 1 });
    expect(comparable(pr.result)).toEqual(await plain(clone, true));
  });
});

/**
 * Every fixture tree, changed one YAML file at a time in four ways (a comment appended, another file's content, a
 * copy added, the file removed), and one other file: each cached chunked scan must give what a scan without any cache
 * gives.
 */
describe('chunk results on every fixture tree', () => {
  const trees = [EXAMPLE, ...ruleFixtureCases().map((c) => c.dir)];
  let replayed = 0;
  let compared = 0;

  for (const tree of trees) {
    it(path.relative(REPO_ROOT, tree), async () => {
      const root = copyOf(tree);
      const yamlFiles = fg.sync('**/*.{yaml,yml}', { cwd: root, dot: true, ignore: [`${CACHE_DIR}/**`] }).sort();
      await scan(root, true);
      const check = async () => {
        const cached = await scan(root, true);
        replayed += cached.timings.chunks?.reused ?? 0;
        compared++;
        expect(comparable(cached.result)).toEqual(await plain(root));
      };
      for (const [i, name] of yamlFiles.entries()) {
        const file = path.join(root, name);
        if (i % 4 === 0) appendFileSync(file, '\n# edited\n');
        else if (i % 4 === 1) writeFileSync(file, readFileSync(path.join(root, yamlFiles[(i + 1) % yamlFiles.length]!)));
        else if (i % 4 === 2) writeFileSync(path.join(path.dirname(file), `added-${path.basename(file)}`), readFileSync(file));
        else unlinkSync(file);
        await check();
      }
      const other = fg.sync('**/*', { cwd: root, dot: true, ignore: [`${CACHE_DIR}/**`, '**/*.{yaml,yml}'] }).sort()[0];
      if (other) {
        appendFileSync(path.join(root, other), '\n');
        await check();
      }
    });
  }

  it('replayed chunks in those runs', () => {
    expect(compared).toBeGreaterThan(500);
    expect(replayed).toBeGreaterThan(250);
  });
});
