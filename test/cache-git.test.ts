import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_DIR } from '../src/cache/parse-cache.js';
import { RESULT_FILE } from '../src/cache/result-cache.js';
import { resolveConfig } from '../src/config/load.js';
import { discover, gitObjectIds, oidAt } from '../src/scan/discover.js';
import { scanDetailed } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { TEST_ROOT } from './helpers/run-fixture.js';
import { tempDirs } from './helpers/temp.js';

const EXAMPLE = path.join(TEST_ROOT, '..', 'fixtures', 'example-platform');
const NOW = new Date('2025-01-01T00:00:00Z');
const tempDir = tempDirs('fp-git-cache-');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The example platform as a committed repository. */
function exampleRepo(): string {
  const root = tempDir();
  cpSync(EXAMPLE, root, { recursive: true, filter: (src) => !src.includes(CACHE_DIR) });
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'example');
  return root;
}

/** A new clone of REPO (every file written now, as on a CI runner), with REPO's cache folder copied in (a restored CI cache). */
function cloneWithCache(repo: string, ...config: string[]): string {
  const clone = path.join(tempDir(), 'clone');
  git(path.dirname(clone), 'clone', '-q', ...config.flatMap((c) => ['--config', c]), repo, clone);
  cpSync(path.join(repo, CACHE_DIR), path.join(clone, CACHE_DIR), { recursive: true });
  return clone;
}

function run(root: string, options: { cache?: boolean; reuseResult?: boolean } = {}) {
  return scanDetailed({ root, cache: options.cache ?? true, reuseResult: options.reuseResult, useGit: true, now: NOW });
}

function comparable(result: ScanResult): unknown {
  return { ...result, generatedAt: undefined };
}

describe('git object ids of a listing', () => {
  it('gives the index id of each tracked regular file git finds unmodified, and none to the others (those git does not look at included)', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'clean.yaml'), 'a: 1\n');
    writeFileSync(path.join(root, 'edited.yaml'), 'b: 1\n');
    writeFileSync(path.join(root, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    symlinkSync('clean.yaml', path.join(root, 'link.yaml'));
    writeFileSync(path.join(root, 'assumed.yaml'), 'd: 1\n');
    writeFileSync(path.join(root, 'skipped.yaml'), 'e: 1\n');
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'one');
    writeFileSync(path.join(root, 'edited.yaml'), 'b: 2\n');
    writeFileSync(path.join(root, 'untracked.yaml'), 'c: 1\n');
    // git does not look at these: `-m` does not list them, edited or not.
    git(root, 'update-index', '--assume-unchanged', 'assumed.yaml');
    git(root, 'update-index', '--skip-worktree', 'skipped.yaml');
    writeFileSync(path.join(root, 'assumed.yaml'), 'd: 2\n');
    writeFileSync(path.join(root, 'skipped.yaml'), 'e: 2\n');
    expect(git(root, 'ls-files', '-m')).toBe('edited.yaml\n');

    const discovery = await discover(root, resolveConfig({}), { useGit: true });
    expect(discovery.via).toBe('git');
    const files = discovery.files.map((f) => f.path);
    const oids = await gitObjectIds(root, files);
    expect(Object.fromEntries(files.map((f, i) => [f, oidAt(oids!, i)]))).toEqual({
      'assumed.yaml': undefined,
      'clean.yaml': git(root, 'hash-object', 'clean.yaml').trim(),
      'edited.yaml': undefined,
      'link.yaml': undefined,
      'run.sh': git(root, 'hash-object', 'run.sh').trim(),
      'skipped.yaml': undefined,
      'untracked.yaml': undefined,
    });
  });

  it('gives ids under a subfolder of the repository, to paths with spaces and other scripts, and of SHA-256 repositories', async () => {
    for (const format of ['sha1', 'sha256']) {
      const repo = tempDir();
      const root = path.join(repo, 'platform');
      mkdirSync(path.join(root, 'deploy'), { recursive: true });
      writeFileSync(path.join(repo, 'outside.yaml'), 'a: 1\n');
      writeFileSync(path.join(root, 'deploy', 'values prod.yaml'), 'b: 1\n');
      writeFileSync(path.join(root, 'deploy', 'wertë-ß.yaml'), 'c: 1\n');
      git(repo, 'init', '-q', `--object-format=${format}`);
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'one');

      const discovery = await discover(root, resolveConfig({}), { useGit: true });
      const files = discovery.files.map((f) => f.path);
      expect(files).toEqual(['deploy/values prod.yaml', 'deploy/wertë-ß.yaml']);
      const oids = (await gitObjectIds(root, files))!;
      expect(files.map((f, i) => oidAt(oids, i))).toEqual(files.map((f) => git(root, 'hash-object', '--', f).trim()));
      expect(oidAt(oids, 0)).toHaveLength(format === 'sha1' ? 40 : 64);
    }
  });

  it('lists a path in conflict once, without an id (the index holds it at three stages)', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'values.yaml'), 'password: base\n');
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'base');
    git(root, 'checkout', '-qb', 'other');
    writeFileSync(path.join(root, 'values.yaml'), 'password: other\n');
    git(root, 'commit', '-qam', 'other');
    git(root, 'checkout', '-q', 'main');
    writeFileSync(path.join(root, 'values.yaml'), 'password: main\n');
    git(root, 'commit', '-qam', 'main');
    expect(() => git(root, 'merge', '-q', 'other')).toThrow();
    expect(git(root, 'ls-files', '-s').trim().split('\n')).toHaveLength(3);

    const discovery = await discover(root, resolveConfig({}), { useGit: true });
    expect(discovery.files).toEqual([{ path: 'values.yaml', symlink: false }]);
    expect(oidAt((await gitObjectIds(root, ['values.yaml']))!, 0)).toBeUndefined();
  });
});

describe('caches keyed by git object ids', () => {
  it('answers a fresh clone of the same commit from the stored result, though every file is new to the file system', async () => {
    const repo = exampleRepo();
    const first = await run(repo);
    // Just written, yet stored: git vouches for the content, the stat's racy window does not apply.
    expect(first.timings.result).toBe('stored');

    const clone = cloneWithCache(repo);
    const again = await run(clone);
    expect(again.timings).toMatchObject({ result: 'reused', gitIds: true });
    expect(comparable(again.result)).toEqual(comparable((await run(clone, { cache: false })).result));
  });

  it('asks git for ids only when most files changed since the stored result, and stores the stats of a match by ids', async () => {
    const repo = exampleRepo();
    const past = new Date(Date.now() - 60_000);
    const age = (root: string) => {
      for (const file of git(root, 'ls-files').trim().split('\n')) utimesSync(path.join(root, file), past, past);
    };
    age(repo);
    await run(repo);
    // A pull request's edit: the stats do not match, and the one changed file is read rather than git asked.
    const edited = path.join(repo, 'README.md');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}\nMore.\n`);
    utimesSync(edited, past, past);
    const afterEdit = await run(repo);
    expect(afterEdit.timings.result).toBe('stored');
    expect(afterEdit.timings.gitIds).toBeUndefined();
    expect((await run(repo)).timings).toMatchObject({ result: 'reused' });

    // Stored without ids: a clone asks git, but only its models can be found by id.
    git(repo, 'commit', '-qam', 'more');
    const firstClone = cloneWithCache(repo);
    const cloned = (await run(firstClone)).timings;
    expect(cloned).toMatchObject({ result: 'stored', gitIds: true, cache: { hits: 0 } });
    expect(cloned.cache!.byGitId).toBe(cloned.cache!.misses);
    expect(cloned.parse).toEqual({});

    // With no stored result, a run asks git (it scans anyway), and stores the ids. A fresh clone whose files are old
    // enough for their stats to be kept: matched by ids once, by stats after.
    rmSync(path.join(repo, CACHE_DIR, RESULT_FILE));
    expect((await run(repo)).timings).toMatchObject({ result: 'stored', gitIds: true });
    const clone = cloneWithCache(repo);
    age(clone);
    expect((await run(clone)).timings).toMatchObject({ result: 'reused', gitIds: true });
    const next = await run(clone);
    expect(next.timings.result).toBe('reused');
    expect(next.timings.gitIds).toBeUndefined();
  });

  it('reuses every model of a fresh clone without reading the files, and reads those that changed', async () => {
    const repo = exampleRepo();
    const first = await run(repo);
    const parsed = first.timings.cache!.misses;
    expect(parsed).toBeGreaterThan(10);

    const clone = cloneWithCache(repo);
    const added = 'apps/extra/secret.yaml';
    const secret = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: hunter2hunter2\n`;
    mkdirSync(path.join(clone, path.dirname(added)), { recursive: true });
    writeFileSync(path.join(clone, added), secret('extra'));
    // A tracked file edited in the work tree: git lists it as modified, so its index id does not name its content.
    const edited = 'environments/production/workloads/orders-reconciler.yaml';
    writeFileSync(path.join(clone, edited), `${readFileSync(path.join(clone, edited), 'utf8')}---\n${secret('edited')}`);
    const again = await run(clone, { reuseResult: false });
    expect(again.timings.cache).toMatchObject({ hits: 0, sameContent: parsed - 1, byGitId: parsed - 1, misses: parsed + 1 });
    expect(Object.keys(again.timings.parse)).toEqual(['yaml']);
    for (const file of [added, edited]) expect(again.result.findings.some((f) => f.file === file && f.ruleId === 'inline-secret-manifest')).toBe(true);
    expect(comparable(again.result)).toEqual(comparable((await run(clone, { cache: false })).result));

    // The next run on this clone: every model by its stat, as on any unchanged tree.
    const third = await run(clone, { reuseResult: false });
    expect(third.timings.cache).toMatchObject({ hits: parsed + 1, misses: 0, sameContent: 0 });
  });

  it.each([
    ['a fresh clone: by git id', true],
    ['touched files: by hash', false],
  ])('defers the files a chunk judges without decoding their models first, when the content matched (%s)', async (_what, clone) => {
    const repo = exampleRepo();
    const scanChunked = (root: string, cache = true) => scanDetailed({ root, cache, reuseResult: false, useGit: clone, now: NOW, chunkFiles: 1 });
    const first = await scanChunked(repo);
    expect(first.timings.chunks?.count).toBeGreaterThan(1);
    const parsed = first.timings.cache!.misses;
    let root = repo;
    if (clone) root = cloneWithCache(repo);
    else for (const file of git(repo, 'ls-files').trim().split('\n')) utimesSync(path.join(repo, file), NOW, NOW);
    // Without the chunk results (a clone would replay every chunk from them, see chunk-results.test.ts): chunks run.
    for (const name of readdirSync(path.join(root, CACHE_DIR))) if (name.startsWith('chunks-')) rmSync(path.join(root, CACHE_DIR, name));
    const again = await scanChunked(root);
    // Each model decoded once: in its chunk, not also in the first pass that defers its file.
    expect(again.timings.cache).toMatchObject({ hits: 0, misses: parsed, sameContent: parsed, byGitId: clone ? parsed : 0 });
    expect(again.timings.chunks).toEqual(first.timings.chunks);
    expect(comparable(again.result)).toEqual(comparable((await scanChunked(root, false)).result));
  });

  it('does not take a model made from other bytes of the same object: a checkout with CRLF line endings is read again', async () => {
    const repo = exampleRepo();
    await run(repo);
    const clone = cloneWithCache(repo, 'core.autocrlf=true');
    const values = readFileSync(path.join(clone, 'README.md'), 'utf8');
    expect(values).toContain('\r\n');
    // git finds the clone unmodified (same objects), but the files hold other bytes.
    expect(git(clone, 'status', '--porcelain')).toBe('');

    const again = await run(clone, { reuseResult: false });
    expect(again.timings.cache?.byGitId).toBe(0);
    expect(again.timings.cache?.sameContent).toBe(0);
    expect(comparable(again.result)).toEqual(comparable((await run(clone, { cache: false })).result));
  });
});

describe('restamped entries', () => {
  /** Every file of ROOT but the cache, its mtime set to WHEN (a touch that changes no content). */
  function touchAll(root: string, when: Date, only?: string): void {
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.name === CACHE_DIR || entry.name === '.git') continue;
        if (entry.isDirectory()) walk(file);
        else if (!only || path.relative(root, file) === only) utimesSync(file, when, when);
      }
    };
    walk(root);
  }

  it.each([
    ['every file (the whole pack is written again)', undefined],
    ['one file (a delta)', 'README.md'],
  ])('keeps the stored models under the new stats of %s, so the next run finds them by stat', async (_what, only) => {
    const root = tempDir();
    cpSync(EXAMPLE, root, { recursive: true, filter: (src) => !src.includes(CACHE_DIR) });
    const walkRun = () => scanDetailed({ root, cache: true, reuseResult: false, useGit: false, now: NOW });
    const first = await walkRun();
    const parsed = first.timings.cache!.misses;
    touchAll(root, new Date('2024-06-01T00:00:00Z'), only);

    const touched = await walkRun();
    const restamped = only ? 1 : parsed;
    expect(touched.timings.cache).toMatchObject({ hits: parsed - restamped, misses: restamped, sameContent: restamped, byGitId: 0 });
    expect(touched.timings.parse).toEqual({});
    expect(existsSync(path.join(root, CACHE_DIR))).toBe(true);

    const next = await walkRun();
    expect(next.timings.cache).toMatchObject({ hits: parsed, misses: 0 });
    expect(comparable(next.result)).toEqual(comparable(first.result));
  });
});
