import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeShellScript } from '../src/analyzers/build/script.js';
import { scan } from '../src/scan/run.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

describe('docker compose build command lines', () => {
  it('record the compose files (-f, --project-directory) and the services they name', () => {
    const script = [
      '#!/bin/sh',
      'docker compose -f deploy/compose.yaml -f deploy/compose.ci.yaml build --pull --build-arg NPM_TOKEN="$NPM_TOKEN" --progress plain api worker',
      'docker-compose --project-directory=stack build --build-arg GH_TOKEN',
      'docker compose --env-file .env.ci build',
      '',
    ].join('\n');
    const [a, b, c] = analyzeShellScript(script, 'ci/build.sh').model.invocations;
    expect(a).toMatchObject({ tool: 'compose', dockerfileUnknown: true, compose: { files: ['deploy/compose.yaml', 'deploy/compose.ci.yaml'], services: ['api', 'worker'] } });
    expect(a!.buildArgs.map((x) => x.name)).toEqual(['NPM_TOKEN']);
    expect(b).toMatchObject({ compose: { files: [], services: [], projectDir: 'stack' } });
    expect(c).toMatchObject({ compose: { files: [], services: [] } });
  });

  it('link the build args of the command line to the Dockerfile of the service that declares them', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'build-arg-token-passthrough', 'ng.compose-cli-services'));
    const pass = r.findings.filter((f) => f.ruleId === 'build-arg-token-passthrough');
    expect(pass.map((f) => [f.file, f.line])).toEqual([['ops/build-images.sh', 9], ['ops/build-images.sh', 12]]);
    expect(pass[0]!.message).toContain('as a build argument to services/api/Dockerfile (service api of deploy/compose.yaml)');
    expect(pass[1]!.message).toContain('as a build argument to web/Dockerfile (service web of docker-compose.yml)');
    const snippet = pass[0]!.remediation.replacement!.snippet;
    expect(snippet).toContain('# removed: ARG NPM_TOKEN');
    expect(snippet).toContain("#   # deploy/compose.yaml: `docker compose build` has no --secret flag; declare the secret on service api");
    expect(snippet).toContain('#         context: ../services/api\n#         secrets:\n#           - npm_token');
    // The Dockerfile's own finding lists the command line among its builds, and the compose section's change only once.
    const argEnv = r.findings.find((f) => f.ruleId === 'dockerfile-token-arg-env' && f.file === 'services/api/Dockerfile')!;
    expect(argEnv.remediation.replacement!.snippet).toContain('# ops/build-images.sh:9 (yaml):');
    expect(argEnv.remediation.replacement!.snippet).not.toContain('# deploy/compose.yaml:4 (yaml):');
  });

  it('build every service of every compose file a command line names, each with its own Dockerfile', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-compose-cli-'));
    try {
      const write = (rel: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), text);
      };
      for (const service of ['api', 'worker', 'jobs']) write(`services/${service}/Dockerfile`, 'FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n');
      write('deploy/compose.yaml', 'services:\n  api:\n    build: ../services/api\n  jobs:\n    build: ../services/jobs\n');
      write('deploy/compose.ci.yaml', 'services:\n  worker:\n    build: ../services/worker\n');
      write('ops/build.sh', '#!/bin/sh\ndocker compose -f deploy/compose.yaml -f deploy/compose.ci.yaml -f deploy/compose.yaml build --build-arg NPM_TOKEN="$NPM_TOKEN"\n');
      const result = await scan({ root, useGit: false });
      // Each Dockerfile's finding lists the command line among the builds that pass the token (once, though the
      // command line names compose.yaml twice).
      const builtBy = result.findings
        .filter((f) => f.ruleId === 'dockerfile-token-arg-env')
        .map((f) => [f.file, (f.remediation.replacement?.snippet.match(/# ops\/build\.sh:2 /g) ?? []).length]);
      expect(builtBy).toEqual([
        ['services/api/Dockerfile', 1],
        ['services/jobs/Dockerfile', 1],
        ['services/worker/Dockerfile', 1],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('leave the secrets to the compose file: a command line passing only public args is silent, also for build-secret-not-wired', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'build-arg-token-passthrough', 'ok.compose-cli-public-args'));
    // Only the precheck: the Makefile runs compose, which forwards NPM_TOKEN (`environment: NPM_TOKEN`) unchecked.
    expect(r.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([['missing-build-secret-precheck', 'Makefile', 4]]);
  });
  it('report a token the command line forwards into an arg the compose file lists once, at the compose file, naming the command line', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'build-arg-token-passthrough', 'ng.buildkite-compose-args-listed-in-compose'));
    const pass = r.findings.filter((f) => f.ruleId === 'build-arg-token-passthrough');
    const once = pass.find((f) => f.file === 'docker-compose.ci.yml' && f.line === 6)!;
    expect(once.message).toContain("also forwarded from the environment by the Buildkite docker-compose plugin's args: at .buildkite/pipeline.yml:8; reported once, here");
    expect(once.remediation.replacement!.snippet).toContain("drop NPM_READ_TOKEN from the docker-compose plugin's args:");
    // GITHUB_TOKEN also reaches api, whose compose section lists no arg: the plugin's entry keeps its finding, for api.
    expect(pass.find((f) => f.file === '.buildkite/pipeline.yml')!.message).toContain('to api/Dockerfile (service api of docker-compose.ci.yml)');

    const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-compose-cli-'));
    try {
      const write = (rel: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), text);
      };
      write('app/Dockerfile', 'FROM node:20\nARG NPM_TOKEN\nARG SENTRY_AUTH_TOKEN\nRUN npm ci\n');
      write('docker-compose.yml', 'services:\n  app:\n    build:\n      context: app\n      args:\n        NPM_TOKEN: ${NPM_TOKEN}\n        SENTRY_AUTH_TOKEN: ${SENTRY_AUTH_TOKEN}\n');
      // Same name from the environment: one passthrough. A value of its own (another variable): the command line's too.
      write('build.sh', '#!/bin/sh\ndocker compose build --build-arg NPM_TOKEN="$NPM_TOKEN" --build-arg SENTRY_AUTH_TOKEN="$CI_SENTRY_TOKEN" app\n');
      const result = await scan({ root, useGit: false });
      const found = result.findings.filter((f) => f.ruleId === 'build-arg-token-passthrough');
      expect(found.map((f) => [f.file, f.line, f.evidence.keys])).toEqual([
        ['build.sh', 2, ['SENTRY_AUTH_TOKEN']],
        ['docker-compose.yml', 6, ['NPM_TOKEN']],
        ['docker-compose.yml', 7, ['SENTRY_AUTH_TOKEN']],
      ]);
      expect(found[1]!.message).toContain('also forwarded from the environment by the compose command line at build.sh:2');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
