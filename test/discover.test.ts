import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fg from 'fast-glob';
import { scan } from '../src/index.js';
import { resolveConfig } from '../src/config/load.js';
import { discover, prunedFolderNames, walkTree } from '../src/scan/discover.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function goLayoutRepo(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'footprint-discover-'));
  dirs.push(root);
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  // The Go project layout packages its image under build/; Gradle's build/ output is untracked and ignored.
  write('build/package/Dockerfile', 'FROM golang:1.23 AS build\nARG GITHUB_TOKEN\nRUN go build ./...\n');
  write('app/build/generated/Dockerfile', 'FROM alpine\nARG NPM_TOKEN\n');
  write('.gitignore', 'app/build/\n');
  return root;
}

describe('discovery of build/ folders', () => {
  it('keeps the files git tracks under build/ and leaves ignored output out', async () => {
    const root = goLayoutRepo();
    execFileSync('git', ['init', '-q'], { cwd: root });
    execFileSync('git', ['add', '.'], { cwd: root });
    const phases: (string | undefined)[] = [];
    const result = await scan({ root, useGit: true, onProgress: (_done, _total, phase) => phases.push(phase) });
    expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(['dockerfile-token-arg-env build/package/Dockerfile:2']);
    // git listed the files: no folder walk to announce.
    expect(phases).not.toContain('walk');
    expect(phases.length).toBeGreaterThan(0);
  });

  it('leaves build/ out of a folder walk, where output and source cannot be told apart', async () => {
    const root = goLayoutRepo();
    const phases: (string | undefined)[] = [];
    const result = await scan({ root, useGit: false, onProgress: (_done, _total, phase) => phases.push(phase) });
    expect(result.findings).toEqual([]);
    expect(result.summary.files.scanned).toBe(1);
    expect(phases[0]).toBe('walk');
  });
});

describe('discovery of files named like output folders', () => {
  function scriptsRepo(): string {
    const root = mkdtempSync(path.join(tmpdir(), 'footprint-discover-'));
    dirs.push(root);
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    // The scripts-to-rule-them-all layout: script/build is a script, dist/ and target/ are output folders.
    write('script/build', '#!/usr/bin/env bash\nset -euo pipefail\ndocker build --build-arg NPM_TOKEN="$NPM_TOKEN" -t app .\n');
    write('Dockerfile', 'FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n');
    write('web/dist/deploy.sh', '#!/usr/bin/env bash\ndocker build --build-arg GH_TOKEN="$GH_TOKEN" .\n');
    write('target/classes/run.sh', '#!/usr/bin/env bash\ndocker build --build-arg GH_TOKEN="$GH_TOKEN" .\n');
    return root;
  }

  it.each([false, true])('reads script/build but nothing inside dist/ or target/ (git listing: %s)', async (useGit) => {
    const root = scriptsRepo();
    if (useGit) {
      execFileSync('git', ['init', '-q'], { cwd: root });
      execFileSync('git', ['add', '.'], { cwd: root });
    }
    const result = await scan({ root, useGit });
    expect(result.summary.files.scanned).toBe(2);
    expect(result.findings.filter((f) => f.ruleId === 'build-arg-token-passthrough').map((f) => `${f.file}:${f.line}`)).toEqual(['script/build:3']);
  });
});

describe('the folder walk', () => {
  function edgeTree(): string {
    const root = mkdtempSync(path.join(tmpdir(), 'footprint-walk-'));
    dirs.push(root);
    const write = (file: string, text = 'x: 1\n') => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    write('a/node_modules/pkg/values.yaml');
    write('a/values.yaml');
    write('b/node_modules'); // a file named like an excluded folder
    write('.git/config');
    write('.github/workflows/ci.yml');
    write('svc/.venv/lib/x.yaml');
    write('svc/generated/out.yaml');
    write('svc/generated.yaml');
    write('docs/guide.md', '# guide\n');
    write('c/[weird] name.yaml');
    write('snap/x.snap', 'data\n');
    symlinkSync('../a', path.join(root, 'c', 'link'));
    symlinkSync('/nonexistent-footprint-target', path.join(root, 'c', 'dangling'));
    return root;
  }
  const key = (e: { path: string; name: string; dirent: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean } }) =>
    `${e.path} ${e.name} ${e.dirent.isFile()} ${e.dirent.isDirectory()} ${e.dirent.isSymbolicLink()}`;

  it('lists what fast-glob lists for the default excludes, links not followed', () => {
    const root = edgeTree();
    const excludes = ['**/.git/**', '**/node_modules/**', '**/.venv/**', '**/generated/**'];
    const walked = walkTree(root, prunedFolderNames(['**/*'], excludes)!).map(key).sort();
    const globbed = fg
      .sync(['**/*'], { cwd: root, dot: true, onlyFiles: false, followSymbolicLinks: false, objectMode: true, ignore: excludes, suppressErrors: true })
      .map(key)
      .sort();
    expect(walked).toEqual(globbed);
    expect(walked.filter((e) => e.includes('node_modules') || e.includes('.venv') || e.startsWith('.git ') || e.includes('generated '))).toEqual([]);
    expect(walked).toContain('c/link link false false true');
    expect(walked).toContain('svc/generated.yaml generated.yaml true false false');
  });

  it('walks itself only for folder-name excludes over everything; other globs go to fast-glob', () => {
    expect([...prunedFolderNames(['**/*'], ['**/.git/**', '**/node_modules/**', '**/__pycache__/**'])!]).toEqual(['.git', 'node_modules', '__pycache__']);
    expect(prunedFolderNames(['**/*'], ['**/node_modules/**', 'docs/**'])).toBeUndefined();
    expect(prunedFolderNames(['**/*'], ['**/*.snap'])).toBeUndefined();
    expect(prunedFolderNames(['**/*'], ['**/gen*/**'])).toBeUndefined();
    expect(prunedFolderNames(['charts/**/*'], ['**/node_modules/**'])).toBeUndefined();
  });

  it('finds the same files either way: default excludes (walked) and a file glob added (fast-glob)', async () => {
    const root = edgeTree();
    const files = async (exclude?: string[]) => {
      const config = resolveConfig(exclude ? { exclude } : {});
      return (await discover(root, config, { useGit: false })).files.map((f) => `${f.path}${f.symlink ? ' ->' : ''}`);
    };
    const byWalk = await files();
    expect(byWalk).toEqual(['.github/workflows/ci.yml', 'a/values.yaml', 'c/[weird] name.yaml', 'c/dangling ->', 'c/link ->', 'docs/guide.md', 'snap/x.snap', 'svc/generated.yaml', 'svc/generated/out.yaml']);
    const byGlob = await files(['**/*.snap']);
    expect(byGlob).toEqual(byWalk.filter((f) => f !== 'snap/x.snap'));
  });
});
