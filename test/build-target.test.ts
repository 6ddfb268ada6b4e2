import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';
import type { ScanResult } from '../src/types.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function scanFiles(files: Record<string, string>): Promise<ScanResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-target-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return scanFixture(root);
}

const of = (r: ScanResult, rule: string) => r.findings.filter((f) => f.ruleId === rule).map((f) => ({ line: f.line, severity: f.severity, message: f.message }));

/** deps (token ENV) -> dev -> prod (clean, copies node_modules only). */
const DOCKERFILE = [
  'FROM node:20 AS deps', // 1
  'ARG NPM_TOKEN', // 2
  'ENV NODE_AUTH_TOKEN=${NPM_TOKEN}', // 3
  'RUN npm ci', // 4
  'FROM deps AS dev', // 5
  'CMD ["npm", "run", "dev"]', // 6
  'FROM node:20-slim AS prod', // 7
  'ARG GH_TOKEN', // 8
  'ENV GITHUB_TOKEN=${GH_TOKEN}', // 9
  'RUN npm prune --omit=dev', // 10
  '',
].join('\n');

describe('the image a build produces follows its --target', () => {
  it('fixtures: every invocation builds an earlier stage (compose build.target + build-push-action target:) -> that stage is the image', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'dockerfile-token-arg-env', 'ng.target-earlier-stage-built'));
    const found = of(r, 'dockerfile-token-arg-env');
    expect(found.map((f) => [f.line, f.severity])).toEqual([[3, 'high'], [4, 'critical']]);
    expect(found[1]!.message).toContain('baked into the config of the image built with --target dev (.github/workflows/preview.yml:10, compose.yaml:3)');
    expect(found.every((f) => !f.message.includes('final image'))).toBe(true);
  });

  it('fixtures: no invocation builds the last stage (Makefile --target, Tilt target=, skaffold, bake) -> its tokens are in no built image', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'dockerfile-token-arg-env', 'ng.target-last-stage-unbuilt'));
    const found = of(r, 'dockerfile-token-arg-env');
    expect(found.map((f) => [f.line, f.severity])).toEqual([[15, 'medium'], [16, 'medium']]);
    for (const f of found) expect(f.message).toContain('which no build found produces: all 4 build invocations found stop at --target runtime (Makefile:4, Tiltfile:1, skaffold.yaml:5 and 1 more)');
  });

  it('without any invocation the last stage is the image', async () => {
    const r = await scanFiles({ 'app/Dockerfile': DOCKERFILE });
    const found = of(r, 'dockerfile-token-arg-env');
    expect(found.map((f) => [f.line, f.severity])).toEqual([[2, 'medium'], [3, 'medium'], [8, 'high'], [9, 'critical']]);
    expect(found[1]!.message).toContain('not in the final image');
    expect(found[3]!.message).toContain('baked into the config of the final image:');
  });

  it('a docker CLI --target and an untargeted build both ship: the union of their stages, each named', async () => {
    const r = await scanFiles({
      'app/Dockerfile': DOCKERFILE,
      'scripts/dev-image.sh': '#!/bin/sh\nset -eu\ndocker buildx build --target dev -t app:dev app\n',
      'scripts/release.sh': '#!/bin/sh\nset -eu\ndocker build -t app app\n',
    });
    const found = of(r, 'dockerfile-token-arg-env');
    expect(found.map((f) => [f.line, f.severity])).toEqual([[2, 'high'], [3, 'critical'], [8, 'high'], [9, 'critical']]);
    expect(found[1]!.message).toContain('the image built with --target dev (scripts/dev-image.sh:3)');
    expect(found[3]!.message).toContain('baked into the config of the final image:');
  });

  it('reads a target variable with a default as that stage, one without a default as the default (last) stage', async () => {
    const withDefault = await scanFiles({ 'app/Dockerfile': DOCKERFILE, 'build.sh': '#!/bin/bash\nset -eu\ndocker build --target "${TARGET:-dev}" app\n' });
    expect(of(withDefault, 'dockerfile-token-arg-env').map((f) => [f.line, f.severity])).toEqual([[2, 'high'], [3, 'critical'], [8, 'medium'], [9, 'medium']]);
    const unknown = await scanFiles({ 'app/Dockerfile': DOCKERFILE, 'build.sh': '#!/bin/bash\nset -eu\ndocker build --target "$TARGET" app\n' });
    expect(of(unknown, 'dockerfile-token-arg-env').map((f) => [f.line, f.severity])).toEqual([[2, 'medium'], [3, 'medium'], [8, 'high'], [9, 'critical']]);
  });

  it('a credential file written in a stage follows the same images (dockerfile-npmrc-token-baked)', async () => {
    const dockerfile = ['FROM node:20 AS deps', 'ARG NPM_TOKEN', 'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci', 'FROM deps AS test', 'RUN npm test', 'FROM node:20-slim AS prod', 'COPY --from=deps /node_modules /node_modules', ''].join('\n');
    const targeted = await scanFiles({ 'Dockerfile': dockerfile, 'ci.sh': '#!/bin/sh\nset -eu\ndocker build --target test .\n' });
    const [baked] = of(targeted, 'dockerfile-npmrc-token-baked');
    expect(baked).toMatchObject({ line: 3, severity: 'high' });
    expect(baked!.message).toContain('it stays in a layer of the image built with --target test (ci.sh:3)');
    const plain = await scanFiles({ 'Dockerfile': dockerfile, 'ci.sh': '#!/bin/sh\nset -eu\ndocker build .\n' });
    expect(of(plain, 'dockerfile-npmrc-token-baked')).toEqual([expect.objectContaining({ line: 3, severity: 'medium', message: expect.stringContaining('not in the final image') })]);
  });
});
