import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';

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
