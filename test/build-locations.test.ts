import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';

let root: string;
let result: ScanResult;

function write(rel: string, content: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'footprint-build-locations-'));
  write('services/api/Dockerfile', 'FROM node:20\nARG NPM_TOKEN\nRUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci\n');
  write('services/web/Dockerfile', 'FROM node:20\nRUN --mount=type=secret,id=npmrc-token,env=NPM_TOKEN npm ci\n');
  const apiBuild = 'docker build --build-arg NPM_TOKEN=$NPM_TOKEN services/api';
  write('scripts/build.sh', `#!/bin/bash\n${apiBuild}\ndocker build --build-arg NPM_TOKEN=$NPM_TOKEN services/web\n${apiBuild}\n${apiBuild}\n`);
  write('scripts/release.sh', `#!/bin/bash\n${apiBuild}\n`);
  result = await scan({ root, useGit: false });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('locations of build findings', () => {
  it('number a build that appears again in the same file, and only in that file', () => {
    const passthrough = result.findings.filter((f) => f.ruleId === 'build-arg-token-passthrough').map((f) => `${f.file}:${f.line} ${f.location}`);
    expect(passthrough).toEqual([
      'scripts/build.sh:2 scripts/build.sh#docker@services/api/build-arg NPM_TOKEN',
      'scripts/build.sh:3 scripts/build.sh#docker@services/web/build-arg NPM_TOKEN',
      'scripts/build.sh:4 scripts/build.sh#docker@services/api~2/build-arg NPM_TOKEN',
      'scripts/build.sh:5 scripts/build.sh#docker@services/api~3/build-arg NPM_TOKEN',
      'scripts/release.sh:2 scripts/release.sh#docker@services/api/build-arg NPM_TOKEN',
    ]);
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(result.findings.length);
  });

  it('name the BuildKit secret after the id a Dockerfile of the repository already mounts the token as', () => {
    const finding = result.findings.find((f) => f.ruleId === 'build-arg-token-passthrough');
    expect(finding?.remediation.replacement?.title).toBe('Pass NPM_TOKEN as BuildKit secret npmrc-token');
    expect(finding?.remediation.replacement?.snippet).toContain('--secret id=npmrc-token,env=NPM_TOKEN');
  });
});
