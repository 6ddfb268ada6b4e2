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
    const result = await scan({ root, useGit: true });
    expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(['dockerfile-token-arg-env build/package/Dockerfile:2']);
  });

  it('leaves build/ out of a folder walk, where output and source cannot be told apart', async () => {
    const root = goLayoutRepo();
    const result = await scan({ root, useGit: false });
    expect(result.findings).toEqual([]);
    expect(result.summary.files.scanned).toBe(1);
  });
});
