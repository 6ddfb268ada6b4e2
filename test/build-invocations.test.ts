import { describe, expect, it } from 'vitest';
import { analyzeCompose, analyzeDevcontainer, stripJsonc } from '../src/analyzers/build/compose.js';
import { parseCredFile } from '../src/analyzers/build/credfile.js';
import { analyzeMakefile, analyzeShellScript, makeToShell } from '../src/analyzers/build/script.js';
import { analyzeTiltfile } from '../src/analyzers/build/tiltfile.js';
import { analyzeWorkflow } from '../src/analyzers/build/workflow.js';

describe('build invocations from shell scripts', () => {
  it('reads docker build / buildx / buildctl flags, expands arg lists and follows cd', () => {
    const script = [
      '#!/usr/bin/env bash', // 1
      'set -euo pipefail', // 2
      'cd "$(dirname "$0")/.."', // 3
      'ARGS=(--build-arg "NPM_TOKEN=${NPM_TOKEN}")', // 4
      'docker buildx build "${ARGS[@]}" \\', // 5
      '  --secret id=pkg_github_token,env=PKG_GITHUB_COM_TOKEN \\', // 6
      '  -f services/web/Dockerfile.dev -t web:dev --target runtime services/web', // 7
      'sudo docker --context remote build --build-arg=GH_TOKEN --secret=id=x,src=/run/x .', // 8
      'buildctl --addr tcp://b:1234 build --frontend dockerfile.v0 --local context=. --local dockerfile=docker --opt filename=app.Dockerfile --opt build-arg:BUF_TOKEN=$BUF_TOKEN --secret id=buf,env=BUF_TOKEN', // 9
      '',
    ].join('\n');
    const { model, error } = analyzeShellScript(script, 'scripts/build-all.sh');
    expect(error).toBeUndefined();
    expect(model.nounset).toBe(true);
    const [a, b, c] = model.invocations;
    expect(a).toMatchObject({ tool: 'buildx', line: 5, endLine: 7, dockerfile: 'services/web/Dockerfile.dev', context: 'services/web', target: 'runtime', baseDirs: ['.', 'scripts'] });
    expect(a!.buildArgs).toEqual([{ name: 'NPM_TOKEN', value: '${NPM_TOKEN}', fromEnv: true, literal: false, refs: ['NPM_TOKEN'], line: 5 }]);
    expect(a!.secrets).toEqual([{ id: 'pkg_github_token', env: 'PKG_GITHUB_COM_TOKEN', line: 6, refs: ['PKG_GITHUB_COM_TOKEN'] }]);
    expect(b).toMatchObject({ tool: 'docker', line: 8, context: '.' });
    expect(b!.buildArgs[0]).toMatchObject({ name: 'GH_TOKEN', fromEnv: true });
    expect(b!.secrets[0]).toMatchObject({ id: 'x', src: '/run/x' });
    expect(c).toMatchObject({ tool: 'buildctl', context: '.', dockerfile: 'docker/app.Dockerfile' });
    expect(c!.buildArgs[0]).toMatchObject({ name: 'BUF_TOKEN', refs: ['BUF_TOKEN'] });
    expect(c!.secrets[0]).toMatchObject({ id: 'buf', env: 'BUF_TOKEN' });
  });

  it('appends to shell option lists (+=) after an assignment, and takes many appends', () => {
    const script = [
      'ARGS=(--build-arg A=$A)',
      'ARGS+=(--build-arg B=$B)',
      'docker build "${ARGS[@]}" one',
      'MORE+=(--build-arg E=$E)',
      ...Array.from({ length: 2_000 }, (_, i) => `MORE+=(--build-arg X${i}=$X${i})`),
      'docker build "${MORE[@]}" two',
    ].join('\n');
    const { model, error } = analyzeShellScript(script, 'build.sh');
    expect(error).toBeUndefined();
    expect(model.invocations.map((i) => i.buildArgs.map((a) => a.name))).toEqual([
      ['A', 'B'],
      ['E', ...Array.from({ length: 2_000 }, (_, i) => `X${i}`)],
    ]);
  });

  it('appends to Makefile variables (+=) as make does, however many times', async () => {
    const { makefileRecipes } = await import('../src/analyzers/build/script.js');
    // The value as `${previous} ${value}`.trim() built it, one assignment at a time.
    let seed = 3;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pieces = ['', ' ', '  x', 'y ', ' a b ', '--build-arg NPM_TOKEN=$(NPM_TOKEN)', '\t'];
    for (let n = 0; n < 300; n++) {
      const lines: string[] = [];
      let expected: string | undefined;
      for (let k = 0; k < 6; k++) {
        const op = random() < 0.7 ? '+=' : random() < 0.5 ? '=' : ':=';
        const value = pieces[Math.floor(random() * pieces.length)]!;
        lines.push(`FLAGS ${op} ${value}`);
        const captured = value.trimStart(); // the line's own reader skips the blanks after the operator
        expected = op === '+=' ? `${expected ?? ''} ${captured}`.trim() : captured.trim();
      }
      expect(makefileRecipes(lines.join('\n')).variables.get('FLAGS'), lines.join(' | ')).toBe(expected);
    }
    const many = Array.from({ length: 20_000 }, (_, i) => `ARGS += --build-arg A${i}=$(A${i})`).join('\n');
    expect(makefileRecipes(many).variables.get('ARGS')?.split(' ').length).toBe(40_000);
  });

  it('reads Makefile recipes with make variables and guards', () => {
    const mk = ['IMAGE ?= ghcr.io/acme/api', 'DOCKERFILE := docker/api.Dockerfile', '', 'ifndef NPM_TOKEN', '$(error NPM_TOKEN is not set)', 'endif', '', 'build:', '\t@docker build -f $(DOCKERFILE) \\', '\t  --build-arg NPM_TOKEN=$(NPM_TOKEN) -t $(IMAGE) .', ''].join('\n');
    const model = analyzeMakefile(mk, 'Makefile');
    expect(model.invocations).toHaveLength(1);
    expect(model.invocations[0]).toMatchObject({ tool: 'docker', host: 'makefile', line: 9, dockerfile: 'docker/api.Dockerfile', context: '.' });
    expect(model.invocations[0]!.buildArgs[0]).toMatchObject({ name: 'NPM_TOKEN', refs: ['NPM_TOKEN'], line: 10 });
    expect(model.checked).toContain('NPM_TOKEN');
    expect(makeToShell('echo $$HOME $(X) $@', new Map([['X', 'y']]))).toBe('echo $HOME y MAKE_AUTO');
  });
});

describe('build invocations from CI, Tilt, compose and devcontainers', () => {
  it('reads build-push-action inputs and run: steps with their lines', () => {
    const wf = [
      'on: push', // 1
      'jobs:', // 2
      '  image:', // 3
      '    runs-on: ubuntu-latest', // 4
      '    env:', // 5
      '      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}', // 6
      '    steps:', // 7
      '      - uses: docker/build-push-action@v6', // 8
      '        with:', // 9
      '          context: services/api', // 10
      '          file: services/api/Dockerfile', // 11
      '          build-args: |', // 12
      '            NPM_TOKEN=${{ secrets.NPM_TOKEN }}', // 13
      '            VERSION=1.2.3', // 14
      '          secrets: |', // 15
      '            ghcr_token=${{ secrets.GHCR_TOKEN }}', // 16
      '      - run: |', // 17
      '          test -n "$NPM_TOKEN"', // 18
      '          docker buildx build --secret id=npm,env=NPM_TOKEN -f docker/web.Dockerfile .', // 19
      '',
    ].join('\n');
    const model = analyzeWorkflow(wf, '.github/workflows/ci.yml');
    const [action, run] = model.invocations;
    expect(action).toMatchObject({ tool: 'build-push-action', line: 8, context: 'services/api', dockerfile: 'services/api/Dockerfile', job: 'image', step: 0 });
    expect(action!.buildArgs.map((a) => [a.name, a.refs, a.literal, a.line])).toEqual([
      ['NPM_TOKEN', ['secrets.NPM_TOKEN'], false, 13],
      ['VERSION', [], true, 14],
    ]);
    expect(action!.secrets).toEqual([{ id: 'ghcr_token', line: 16, refs: ['secrets.GHCR_TOKEN'] }]);
    expect(run).toMatchObject({ tool: 'buildx', host: 'workflow-run', line: 19, dockerfile: 'docker/web.Dockerfile' });
    expect(run!.envReads).toEqual([{ name: 'NPM_TOKEN', line: 19, via: 'ci-secret' }]);
    expect(model.steps[1]!.checked).toEqual(['NPM_TOKEN']);
  });

  it('reads the checks of every step of a workflow that builds, also those of steps that do not build', () => {
    const wf = [
      'on: push', // 1
      'jobs:', // 2
      '  image:', // 3
      '    steps:', // 4
      '      - run: \'[ -n "$NPM_TOKEN" ] || exit 1\'', // 5
      '      - run: |', // 6
      '          cd services/web', // 7
      '          sudo /usr/bin/podman build --build-arg NPM_TOKEN -t web .', // 8
      '',
    ].join('\n');
    const model = analyzeWorkflow(wf, '.github/workflows/ci.yml');
    expect(model.invocations.map((i) => [i.tool, i.line, i.step])).toEqual([['podman', 8, 1]]);
    expect(model.steps.map((s) => s.checked)).toEqual([['NPM_TOKEN'], []]);
  });

  it('does not parse the run: scripts of a workflow that names no build program (nothing in them can build)', () => {
    const wf = ['on: push', 'jobs:', '  lint:', '    steps:', '      - run: |', '          [ -n "$NPM_TOKEN" ] || exit 1', '          npm ci && npm run lint', ''].join('\n');
    const model = analyzeWorkflow(wf, '.github/workflows/lint.yml');
    expect(model.invocations).toEqual([]);
    expect(model.steps).toEqual([{ job: 'lint', line: 5, env: {}, checked: [] }]);
  });

  it('reads Tiltfile docker_build build_args, secrets and custom_build commands', () => {
    const tilt = [
      "load('ext://dotenv', 'dotenv')", // 1
      "TOKENS = ['PKG_GITHUB_COM_TOKEN', 'GHCR_TOKEN']", // 2
      'for v in TOKENS:', // 3
      '    if not os.getenv(v):', // 4
      "        fail('%s is not set' % v)", // 5
      'ARGS = {', // 6
      "    'PKG_GITHUB_COM_TOKEN': os.getenv('PKG_GITHUB_COM_TOKEN'),", // 7
      "    'NODE_ENV': 'development',", // 8
      '}', // 9
      "docker_build('acme/web', 'services/web', dockerfile='services/web/Dockerfile.dev',", // 10
      '             build_args=ARGS, secret=["id=npm,env=NPM_TOKEN"])', // 11
      'custom_build(', // 12
      "    'acme/api',", // 13
      "    'docker buildx build --secret id=ghcr_token,env=GHCR_TOKEN -t $EXPECTED_REF -f services/api/Dockerfile services/api',", // 14
      "    deps=['services/api'],", // 15
      ')', // 16
      '',
    ].join('\n');
    const model = analyzeTiltfile(tilt, 'Tiltfile');
    const [docker, custom] = model.invocations;
    expect(docker).toMatchObject({ tool: 'tilt-docker-build', line: 10, endLine: 11, context: 'services/web', dockerfile: 'services/web/Dockerfile.dev' });
    expect(docker!.buildArgs.map((a) => [a.name, a.fromEnv, a.literal, a.refs, a.line])).toEqual([
      ['PKG_GITHUB_COM_TOKEN', true, false, ['PKG_GITHUB_COM_TOKEN'], 7],
      ['NODE_ENV', false, true, [], 8],
    ]);
    expect(docker!.secrets[0]).toMatchObject({ id: 'npm', env: 'NPM_TOKEN', line: 11 });
    expect(custom).toMatchObject({ tool: 'buildx', host: 'tilt-custom-build', line: 14, dockerfile: 'services/api/Dockerfile', context: 'services/api' });
    expect(model.usesFail).toBe(true);
    expect(model.checked.sort()).toEqual(['GHCR_TOKEN', 'PKG_GITHUB_COM_TOKEN']);
  });

  it('reads Tiltfile variables that are assigned from themselves, in a cycle, or doubled many times', () => {
    const tilt = [
      "IMAGE = 'registry.example.com/api'", // 1
      "IMAGE = IMAGE + ':dev'", // 2
      "CMD = 'docker build -t $EXPECTED_REF'", // 3
      "CMD = CMD + ' --build-arg GH_TOKEN=$GH_TOKEN'", // 4
      "CMD = CMD + ' services/web'", // 5
      "A = B + 'x'", // 6
      'B = A', // 7
      "S = 'ab'", // 8
      ...Array.from({ length: 40 }, () => 'S = S + S'), // 9-48
      "docker_build(IMAGE, 'services/api', build_args={'NPM_TOKEN': os.getenv('NPM_TOKEN')})", // 49
      "custom_build('web', CMD, ['services/web'])", // 50
      "docker_build(A, 'services/cycle')", // 51
      "docker_build('doubled', S)", // 52
      '',
    ].join('\n');
    const model = analyzeTiltfile(tilt, 'Tiltfile');
    expect(model.invocations.map((i) => [i.line, i.tool, i.context, i.buildArgs.map((a) => a.name)])).toEqual([
      [49, 'tilt-docker-build', 'services/api', ['NPM_TOKEN']],
      [5, 'docker', 'services/web', ['GH_TOKEN']], // a custom_build is placed at its command's text
      [51, 'tilt-docker-build', 'services/cycle', []],
      // 2^41 characters: no text (a context that long is no folder), and no walk of 2^40 parts either.
      [52, 'tilt-docker-build', undefined, []],
    ]);
  });

  it('reads compose build sections and devcontainer build args', () => {
    const compose = ['services:', '  web:', '    build:', '      context: ./web', '      dockerfile: Containerfile', '      args:', '        NPM_TOKEN: ${NPM_TOKEN}', '        - ignored', '      secrets: [npm]', 'secrets:', '  npm:', '    environment: NPM_TOKEN', ''].join('\n');
    const model = analyzeCompose(compose, 'deploy/docker-compose.yml');
    expect(model.invocations[0]).toMatchObject({ tool: 'compose', service: 'web', context: 'deploy/web', dockerfile: 'Containerfile', dockerfileRelativeTo: 'context' });
    expect(model.invocations[0]!.secrets[0]).toMatchObject({ id: 'npm', env: 'NPM_TOKEN' });
    const dc = '{\n  // dev container\n  "build": {\n    "dockerfile": "Dockerfile",\n    "context": "..",\n    "args": { "GHCR_TOKEN": "${localEnv:GHCR_TOKEN}", },\n  },\n  "containerEnv": { "NODE_AUTH_TOKEN": "${localEnv:NODE_AUTH_TOKEN}" }\n}\n';
    expect(stripJsonc(dc).length).toBe(dc.length);
    const devc = analyzeDevcontainer(dc, '.devcontainer/devcontainer.json');
    expect(devc.invocations[0]).toMatchObject({ tool: 'devcontainer', context: '.', dockerfile: '.devcontainer/Dockerfile', line: 3 });
    expect(devc.invocations[0]!.buildArgs[0]).toMatchObject({ name: 'GHCR_TOKEN', refs: ['GHCR_TOKEN'], fromEnv: true, line: 6 });
    expect(devc.containerEnv[0]).toMatchObject({ name: 'NODE_AUTH_TOKEN', line: 8 });
  });
});

describe('docker compose command lines and build secrets', () => {
  it('reads `up|run|create --build` as builds (run: one service), not a plain `up`', () => {
    const script = [
      'docker compose up -d', // 1
      'docker compose -f ci/compose.yaml up --build --wait -e FOO=1 api worker', // 2
      'docker-compose run --rm --build -e CI=1 tests npm test', // 3
      'docker compose create --build', // 4
      '',
    ].join('\n');
    const { model } = analyzeShellScript(script, 'scripts/e2e.sh');
    expect(model.invocations.map((i) => [i.line, i.compose])).toEqual([
      [2, { files: ['ci/compose.yaml'], services: ['api', 'worker'] }],
      [3, { files: [], services: ['tests'] }],
      [4, { files: [], services: [] }],
    ]);
  });

  it('looks a long-syntax build secret up by its source, mounts it by its target, and records ${NAME:?} requirements', () => {
    const compose = [
      'x-require: ${GH_PAT:?GH_PAT is not set}', // 1
      'services:', // 2
      '  api:', // 3
      '    build:', // 4
      '      context: .', // 5
      '      args:', // 6
      '        BUF_TOKEN: ${BUF_TOKEN?set it}', // 7
      '        NPM_TOKEN: ${NPM_TOKEN:-}', // 8
      '      secrets:', // 9
      '        - source: gh_pat', // 10
      '          target: github', // 11
      'secrets:',
      '  gh_pat:',
      '    environment: GH_PAT',
      '',
    ].join('\n');
    const [api] = analyzeCompose(compose, 'compose.yaml').invocations;
    expect(api!.secrets).toEqual([{ id: 'github', env: 'GH_PAT', line: 10, refs: ['GH_PAT'] }]);
    expect(api!.envReads.map((r) => [r.name, r.via, r.line])).toEqual([
      ['BUF_TOKEN', 'build-arg', 7],
      ['NPM_TOKEN', 'build-arg', 8],
      ['GH_PAT', 'secret-env', 10],
    ]);
    expect(api!.checked).toEqual(['BUF_TOKEN', 'GH_PAT']);
  });
});

describe('shell variables a build sees', () => {
  it('counts export, declare -x and set -a as exported, a plain or readonly assignment as not', () => {
    const script = ['A=$(gh auth token)', 'B=1; export B', 'export C=2', 'declare -x D=3', 'readonly E=4', 'local_fn() { local F=5; }', 'docker build .', ''].join('\n');
    const { model } = analyzeShellScript(script, 'scripts/b.sh');
    expect([...model.assigned].sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect([...model.exported!].sort()).toEqual(['B', 'C', 'D']);
    expect(analyzeShellScript(`set -o allexport\n${script}`, 'scripts/b.sh').model.exported!.sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    const prefixed = analyzeShellScript(
      'NPM_TOKEN=$(gh auth token) docker build --secret id=npm,env=NPM_TOKEN .\nenv GH_PAT=x sudo docker build .\nsudo -E docker build --build-arg AFTER=2 .\nenv A=1 B=2 docker build --build-arg C=3 .\n',
      'scripts/c.sh',
    ).model;
    // Only NAME=value words after `env` and before the build program; never a build argument's.
    expect(prefixed.invocations.map((i) => i.commandEnv)).toEqual([['NPM_TOKEN'], ['GH_PAT'], undefined, ['A', 'B']]);
    expect(prefixed.assigned).toEqual([]);
  });
});

describe('credential files', () => {
  it('separates literal credentials from interpolations', () => {
    const npmrc = parseCredFile('@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken=${PKG_GITHUB_COM_TOKEN}\n//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\nemail=dev@acme.io\n', 'npmrc');
    expect(npmrc.entries.map((e) => [e.key, e.scope, e.literal, e.line])).toEqual([
      ['_authToken', '//npm.pkg.github.com/', false, 2],
      ['_authToken', '//registry.npmjs.org/', true, 3],
      ['email', undefined, true, 4],
    ]);
    expect(parseCredFile('npmAuthToken: "${NPM_TOKEN}"\nnpmRegistries:\n  "//npm.acme.io":\n    npmAuthToken: abc123secret\n', 'yarnrc-yml').entries.map((e) => [e.literal, e.line])).toEqual([
      [false, 1],
      [true, 4],
    ]);
    expect(parseCredFile('machine api.buf.build\n  login ci\n  password hunter2hunter2\n', 'netrc').entries[0]).toMatchObject({ key: 'password', literal: true, line: 3 });
    expect(parseCredFile('[global]\nindex-url = https://ci:s3cr3tT0ken@pypi.acme.io/simple\n', 'pip').entries[0]).toMatchObject({ key: 'url-credentials', literal: true, line: 2 });
  });
});

describe('Makefile rules with conditionals', () => {
  it('keeps reading the recipe of a rule after an ifndef/endif guard inside it, and records the guard', () => {
    const text = ['image:', 'ifndef NPM_TOKEN', '\t$(error NPM_TOKEN is not set)', 'endif', '\tdocker buildx build --secret id=npm,env=NPM_TOKEN app', 'legacy:', '\tdocker build --build-arg NPM_TOKEN=$(NPM_TOKEN) app', ''].join('\n');
    const model = analyzeMakefile(text, 'Makefile');
    expect(model.invocations.map((i) => [i.line, i.secrets.map((s) => s.id), i.buildArgs.map((a) => a.name)])).toEqual([
      [5, ['npm'], []],
      [7, [], ['NPM_TOKEN']],
    ]);
    expect(model.checked).toContain('NPM_TOKEN');
  });
});

describe('build invocations from other CI systems, skaffold and bake', () => {
  it('reads GitLab jobs (lists, folded scalars, kaniko with workspace paths) with the lines of each argument', async () => {
    const { analyzeCiYaml, ciSystemOf } = await import('../src/analyzers/build/ci.js');
    expect(['.gitlab-ci.yml', 'ci/.gitlab/build.yml', 'bitbucket-pipelines.yml', 'azure-pipelines.release.yml', '.circleci/config.yml', 'cloudbuild.yaml', 'Jenkinsfile', 'ci/jenkins/release.groovy', 'jenkinsfile.gvy', 'deploy/release.Jenkinsfile', 'values.yaml', 'apps/web/package.json', 'Taskfile.yml'].map(ciSystemOf)).toEqual(['gitlab', 'gitlab', 'bitbucket', 'azure', 'circleci', 'cloudbuild', 'jenkins', 'jenkins', 'jenkins', 'jenkins', undefined, 'package-json', 'taskfile']);
    const text = [
      'variables: {A: b}',
      'build:',
      '  script:',
      '    - docker build --build-arg NPM_TOKEN=$NPM_TOKEN -f app/Dockerfile.ci app',
      'kaniko:',
      '  script:',
      '    - >-',
      '      /kaniko/executor',
      '      --context "${CI_PROJECT_DIR}/app"',
      '      --build-arg "GH_TOKEN=${GH_TOKEN}"',
      '      --dockerfile Dockerfile',
    ].join('\n');
    const model = analyzeCiYaml(text, '.gitlab-ci.yml', 'gitlab');
    expect(model.invocations.map((i) => [i.job, i.tool, i.line, i.context, i.dockerfile, i.dockerfileRelativeTo, i.buildArgs.map((a) => `${a.name}@${a.line}:${a.refs.join()}`)])).toEqual([
      ['build', 'docker', 4, 'app', 'app/Dockerfile.ci', 'cwd', ['NPM_TOKEN@4:NPM_TOKEN']],
      ['kaniko', 'kaniko', 8, 'app', 'Dockerfile', 'either', ['GH_TOKEN@10:GH_TOKEN']],
    ]);
  });

  it('expands option lists a job sets over those of the pipeline, and those a script assigns over both', async () => {
    const { analyzeCiYaml } = await import('../src/analyzers/build/ci.js');
    const text = [
      'variables:',
      '  ARGS: --build-arg PIPELINE_TOKEN=$PIPELINE_TOKEN',
      '  OTHER: --build-arg OTHER_TOKEN=$OTHER_TOKEN',
      'pipeline-only:',
      '  script:',
      '    - docker build $ARGS $OTHER app',
      'job-wins:',
      '  variables:',
      '    ARGS: --build-arg JOB_TOKEN=$JOB_TOKEN',
      '  script:',
      '    - docker build $ARGS $OTHER app',
      'script-wins:',
      '  variables:',
      '    ARGS: --build-arg JOB_TOKEN=$JOB_TOKEN',
      '  script:',
      '    - ARGS="--build-arg SCRIPT_TOKEN=$SCRIPT_TOKEN"; docker build $ARGS $OTHER app',
    ].join('\n');
    const model = analyzeCiYaml(text, '.gitlab-ci.yml', 'gitlab');
    expect(model.invocations.map((i) => [i.job, i.buildArgs.map((a) => a.name)])).toEqual([
      ['pipeline-only', ['PIPELINE_TOKEN', 'OTHER_TOKEN']],
      ['job-wins', ['JOB_TOKEN', 'OTHER_TOKEN']],
      ['script-wins', ['SCRIPT_TOKEN', 'OTHER_TOKEN']],
    ]);
  });

  it('reads Azure Docker@2 arguments and $(macros), Cloud Build args and secretEnv', async () => {
    const { analyzeCiYaml } = await import('../src/analyzers/build/ci.js');
    const azure = analyzeCiYaml(['steps:', '  - task: Docker@2', '    inputs:', '      command: buildAndPush', '      Dockerfile: web/Dockerfile', '      arguments: --build-arg NPM_TOKEN=$(npmToken) --secret id=x,env=X'].join('\n'), 'azure-pipelines.yml', 'azure');
    expect(azure.invocations.map((i) => [i.line, i.dockerfile, i.context, i.buildArgs.map((a) => a.refs.join()), i.secrets.map((s) => s.id)])).toEqual([[6, 'web/Dockerfile', 'web', ['npmToken'], ['x']]]);
    const cloud = analyzeCiYaml(["steps:", "  - name: gcr.io/cloud-builders/docker", "    args: ['build', '--build-arg', 'TOKEN=$$NPM_TOKEN', '.']", "    secretEnv: [NPM_TOKEN]"].join('\n'), 'cloudbuild.yaml', 'cloudbuild');
    expect(cloud.invocations.map((i) => [i.line, i.buildArgs.map((a) => `${a.name}:${a.refs.join()}`)])).toEqual([[3, ['TOKEN:NPM_TOKEN']]]);
    expect(cloud.jobs.flatMap((j) => j.checked)).toEqual(['NPM_TOKEN']);
  });

  it('reads Jenkinsfile sh steps (single, double, triple quotes, Groovy interpolation) and docker.build, with bound credentials', async () => {
    const { analyzeJenkinsfile } = await import('../src/analyzers/build/ci.js');
    const text = [
      'pipeline {',
      "  environment { NPM_TOKEN = credentials('npm') }",
      '  stages {',
      "    stage('Build') {",
      '      steps {',
      "        sh 'docker build --build-arg NPM_TOKEN=$NPM_TOKEN app'",
      '        sh """',
      '          docker build \\',
      '            --build-arg GH_TOKEN=${env.GH_TOKEN} app',
      '        """',
      '        // sh "docker build --build-arg IGNORED=$X app"',
      '        script { docker.build("img:${env.BUILD_ID}", "--build-arg PAT=${params.PAT} app") }',
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const model = analyzeJenkinsfile(text, 'Jenkinsfile');
    expect(model.invocations.map((i) => [i.job, i.line, i.buildArgs.map((a) => `${a.name}@${a.line}:${a.refs.join()}`)])).toEqual([
      ['Build', 6, ['NPM_TOKEN@6:NPM_TOKEN']],
      ['Build', 8, ['GH_TOKEN@9:GH_TOKEN']],
      ['Build', 12, ['PAT@12:PAT']],
    ]);
    expect(model.jobs.find((j) => j.name === 'Build')?.checked).toContain('NPM_TOKEN');
  });

  it("puts each Jenkinsfile sh step in the stage that holds it, nested stages included, with the stage's line", async () => {
    const { analyzeJenkinsfile } = await import('../src/analyzers/build/ci.js');
    const text = [
      'pipeline {', // 1
      '  agent any', // 2
      "  environment { X = sh(script: 'docker build -t pre .', returnStdout: true) }", // 3
      '  stages {', // 4
      "    stage('Build') {", // 5
      '      steps {', // 6
      '        sh "docker build --build-arg NPM_TOKEN=${env.NPM_TOKEN} -t api services/api"', // 7
      '      }', // 8
      '    }', // 9
      '    stage("Images") {', // 10
      '      parallel {', // 11
      "        stage('web') {", // 12
      "          steps { sh 'docker build --build-arg GH_TOKEN=$GH_TOKEN -t web services/web' }", // 13
      '        }', // 14
      "        stage('worker') { steps {", // 15
      '          sh(script: "docker build -t worker --build-arg NPM_TOKEN=${NPM_TOKEN} .")', // 16
      '        } }', // 17
      '      }', // 18
      '    }', // 19
      '  }', // 20
      '}', // 21
    ].join('\n');
    const model = analyzeJenkinsfile(text, 'Jenkinsfile');
    expect(model.invocations.map((i) => [i.line, i.job])).toEqual([
      [3, '(pipeline)'],
      [7, 'Build'],
      [13, 'web'],
      [16, 'worker'],
    ]);
    expect(model.jobs.map((j) => [j.name, j.line])).toEqual([
      ['(pipeline)', 1],
      ['Build', 5],
      ['web', 12],
      ['worker', 15],
    ]);
  });

  it('reads skaffold artifacts and bake targets (inherits, args, secrets, json)', async () => {
    const { analyzeSkaffold, analyzeBake } = await import('../src/analyzers/build/buildconfig.js');
    const sk = analyzeSkaffold(['build:', '  artifacts:', '    - image: api', '      context: svc/api', '      docker:', '        dockerfile: Dockerfile.prod', '        buildArgs:', '          NPM_TOKEN: "{{.NPM_TOKEN}}"', '        secrets:', '          - id: gh', '            env: GH_TOKEN'].join('\n'), 'deploy/skaffold.yaml');
    expect(sk.invocations.map((i) => [i.context, i.dockerfile, i.buildArgs.map((a) => `${a.name}@${a.line}:${a.refs.join()}`), i.secrets.map((s) => `${s.id}:${s.env}`)])).toEqual([['deploy/svc/api', 'Dockerfile.prod', ['NPM_TOKEN@8:NPM_TOKEN'], ['gh:GH_TOKEN']]]);
    const hcl = ['# bake', 'target "_common" {', '  args = { GH_TOKEN = "${GH_TOKEN}" }', '}', 'target "api" {', '  inherits = ["_common"]', '  context = "svc/api"', '  secret = ["id=npm,env=NPM_TOKEN", "type=env,id=BUF_TOKEN"]', '}'].join('\n');
    const bake = analyzeBake(hcl, 'docker-bake.hcl');
    expect(bake.invocations.map((i) => [i.name, i.context, i.buildArgs.map((a) => `${a.name}@${a.line}`), i.secrets.map((s) => `${s.id}:${s.refs.join()}@${s.line}`)])).toEqual([
      ['_common', '.', ['GH_TOKEN@3'], []],
      ['api', 'svc/api', ['GH_TOKEN@3'], ['npm:NPM_TOKEN@8', 'BUF_TOKEN:BUF_TOKEN@8']],
    ]);
    const json = analyzeBake('{"target": {"web": {"context": "web", "args": {"NPM_TOKEN": "${NPM_TOKEN}"}}}}', 'docker-bake.json');
    expect(json.invocations.map((i) => [i.context, i.buildArgs.map((a) => a.refs.join())])).toEqual([['web', ['NPM_TOKEN']]]);
  });
});

describe('CI scripts too large for the shell parser', () => {
  it('become a too-large diagnostic naming the job, and the rest of the pipeline is still read', async () => {
    const { ciPipelineAnalyzer } = await import('../src/analyzers/build/ci.js');
    const { resolveConfig } = await import('../src/config/load.js');
    const huge = 'if [ -n "$A" ]; then docker build --build-arg A=$A . ; fi ; '.repeat(20_000);
    const text = ['huge:', '  script:', `    - ${huge}`, 'images:', '  script:', '    - docker build --build-arg NPM_TOKEN=$NPM_TOKEN -f Dockerfile .', ''].join('\n');
    const diagnostics: { code: string; message: string; line?: number }[] = [];
    const model = await ciPipelineAnalyzer.parse(text, { path: '.gitlab-ci.yml', vendored: false, isTest: false }, { config: resolveConfig({}), diagnostic: (d) => diagnostics.push(d) });
    expect(diagnostics).toEqual([{ code: 'too-large', message: expect.stringMatching(/^job huge: shell script too large to parse/), line: 3 }]);
    expect(model!.invocations.map((i) => [i.job, i.buildArgs.map((a) => a.name)])).toEqual([['images', ['NPM_TOKEN']]]);
  });
});
