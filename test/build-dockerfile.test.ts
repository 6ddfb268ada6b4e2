import { describe, expect, it } from 'vitest';
import { isDockerfilePath, memoizeRawArguments, parseDockerfile, secretMountId, secretMountTarget } from '../src/analyzers/build/dockerfile.js';

const MULTI = [
  '# syntax=docker/dockerfile:1.7', // 1
  'ARG NODE_VERSION=20', // 2
  'ARG PKG_GITHUB_COM_TOKEN', // 3
  'FROM node:${NODE_VERSION} AS deps', // 4
  'ARG PKG_GITHUB_COM_TOKEN', // 5
  'ENV NPM_TOKEN=${PKG_GITHUB_COM_TOKEN} OTHER="a b"', // 6
  'WORKDIR /app', // 7
  'RUN --mount=type=secret,id=npm,required=true,env=NPM_TOKEN \\', // 8
  '    --mount=type=cache,target=/var/cache/npm \\', // 9
  '    # a comment inside the continuation', // 10
  '    npm ci && \\', // 11
  '    echo "//npm.pkg.github.com/:_authToken=$NPM_TOKEN" > .npmrc', // 12
  'RUN <<EOT bash', // 13
  'set -e', // 14
  'cat /run/secrets/npm > /usr/src/app/.npmrc', // 15
  'EOT', // 16
  'COPY --from=deps --chown=1:1 /app/.npmrc ./', // 17
  'COPY <<EOF /etc/pip.conf', // 18
  '[global]', // 19
  'EOF', // 20
  'RUN ["sh", "-c", "npm run build"]', // 21
  'FROM deps AS final', // 22
  'ADD https://example.com/x.tgz /opt/', // 23
  '',
].join('\n');

describe('dockerfile analyzer', () => {
  it('claims Dockerfile naming conventions', () => {
    for (const p of ['Dockerfile', 'services/a/Dockerfile.dev', 'docker/app.Dockerfile', 'Containerfile', 'x/Containerfile.release', 'build/web.dockerfile']) {
      expect(isDockerfilePath(p), p).toBe(true);
    }
    for (const p of ['Dockerfile.md', 'docs/dockerfile-guide.md', 'Dockerfiles/README', 'src/dockerfile.ts']) {
      expect(isDockerfilePath(p), p).toBe(false);
    }
  });

  it('reads stages, global and stage ARGs, ENV with references', () => {
    const model = parseDockerfile(MULTI);
    expect(model.globalArgs.map((a) => [a.name, a.value, a.line])).toEqual([
      ['NODE_VERSION', '20', 2],
      ['PKG_GITHUB_COM_TOKEN', undefined, 3],
    ]);
    expect(model.stages.map((s) => [s.index, s.name, s.image, s.parent, s.line])).toEqual([
      [0, 'deps', 'node:${NODE_VERSION}', undefined, 4],
      [1, 'final', 'deps', 0, 22],
    ]);
    const deps = model.stages[0]!;
    expect(deps.args.map((a) => a.name)).toEqual(['PKG_GITHUB_COM_TOKEN']);
    expect(deps.envs.map((e) => [e.name, e.value, e.refs, e.line])).toEqual([
      ['NPM_TOKEN', '${PKG_GITHUB_COM_TOKEN}', ['PKG_GITHUB_COM_TOKEN'], 6],
      ['OTHER', 'a b', [], 6],
    ]);
    expect(deps.workdirs).toEqual([{ path: '/app', line: 7 }]);
  });

  it('reads RUN mounts and the shell script with exact lines across flags and comments', () => {
    const run = parseDockerfile(MULTI).stages[0]!.runs[0]!;
    expect(run.line).toBe(8);
    expect(run.endLine).toBe(12);
    expect(run.mounts).toHaveLength(2);
    const secret = run.mounts[0]!;
    expect(secret).toMatchObject({ type: 'secret', id: 'npm', required: true, env: 'NPM_TOKEN' });
    expect(secretMountTarget(secret)).toBeUndefined();
    expect(run.mounts[1]).toMatchObject({ type: 'cache', target: '/var/cache/npm' });
    const cmds = run.script!.commands;
    expect(cmds.map((c) => [c.name, c.line])).toEqual([
      ['npm', 11],
      ['echo', 12],
    ]);
    expect(cmds[1]!.redirects[0]!.target.value).toBe('.npmrc');
    expect(cmds[1]!.words[1]!.params).toEqual(['NPM_TOKEN']);
  });

  it('reads heredoc RUN scripts, exec form, COPY --from and COPY heredocs', () => {
    const model = parseDockerfile(MULTI);
    const [, heredoc, exec] = model.stages[0]!.runs;
    expect(heredoc!.interpreter).toBe('bash');
    expect(heredoc!.script!.commands.map((c) => [c.name, c.line])).toEqual([
      ['set', 14],
      ['cat', 15],
    ]);
    expect(exec!.form).toBe('exec');
    expect(exec!.exec).toEqual(['sh', '-c', 'npm run build']);
    expect(exec!.script!.commands[0]!.name).toBe('npm');
    const [fromDeps, pip] = model.stages[0]!.copies;
    expect(fromDeps).toMatchObject({ instruction: 'COPY', from: 'deps', sources: ['/app/.npmrc'], dest: './', line: 17 });
    expect(pip).toMatchObject({ dest: '/etc/pip.conf', heredocs: [{ name: 'EOF', body: '[global]\n', line: 19 }] });
    expect(model.stages[1]!.copies[0]).toMatchObject({ instruction: 'ADD', sources: ['https://example.com/x.tgz'], dest: '/opt/' });
  });

  it('derives secret ids and targets like BuildKit', () => {
    const m = parseDockerfile('FROM alpine\nRUN --mount=type=secret,target=/usr/src/app/.npmrc npm ci\nRUN --mount=type=secret,id=gh cat /run/secrets/gh\n');
    const [a, b] = m.stages[0]!.runs;
    expect(secretMountId(a!.mounts[0]!)).toBe('.npmrc');
    expect(secretMountTarget(b!.mounts[0]!)).toBe('/run/secrets/gh');
    expect(b!.mounts[0]!.required).toBeUndefined();
  });

  it('keeps ONBUILD triggers apart from the stage they are declared in', () => {
    const model = parseDockerfile(['FROM node:20', 'ARG VERSION', 'ONBUILD ARG NPM_TOKEN', 'ONBUILD ENV A=b', 'ONBUILD RUN echo "x" > .npmrc && \\', '  npm ci', 'ONBUILD COPY . /app', ''].join('\n'));
    const stage = model.stages[0]!;
    expect(stage.args.map((a) => a.name)).toEqual(['VERSION']);
    expect(stage.runs).toEqual([]);
    expect(stage.onbuild?.args.map((a) => [a.name, a.line])).toEqual([['NPM_TOKEN', 3]]);
    expect(stage.onbuild?.envs.map((a) => [a.name, a.value])).toEqual([['A', 'b']]);
    expect(stage.onbuild?.runs.map((r) => [r.line, r.endLine, r.script?.commands.map((c) => c.name)])).toEqual([[5, 6, ['echo', 'npm']]]);
    expect(stage.onbuild?.copies.map((c) => c.dest)).toEqual(['/app']);
  });

  it('reports RUN scripts the shell parser cannot read, but does not read RUN lines after a non-POSIX SHELL as shell', () => {
    const errors: number[] = [];
    const broken = parseDockerfile(['FROM alpine', 'RUN echo "unterminated', 'RUN echo ok', ''].join('\n'), (line) => errors.push(line));
    expect(errors).toEqual([2]);
    expect(broken.stages[0]!.runs[1]!.script?.commands.map((c) => c.name)).toEqual(['echo']);
    const windows: number[] = [];
    const model = parseDockerfile(['FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]', 'RUN $env:NPM_TOKEN | Out-File -FilePath C:\\app\\.npmrc; if ($LASTEXITCODE) { exit 1 }', ''].join('\n'), (line) => windows.push(line));
    expect(windows).toEqual([]);
    expect(model.stages[0]!.shell).toBe('powershell');
    expect(model.stages[0]!.runs[0]!.script).toBeUndefined();
  });

  it('never throws on broken input', () => {
    const m = parseDockerfile('RUN echo before from\nFROM\nRUN if then "\nENV\nARG =x\n');
    expect(m.kind).toBe('dockerfile');
    expect(m.shellErrors.length).toBeGreaterThan(0);
  });
});

describe('build credential names', () => {
  it('follows the configured list and word heuristics, with package-tool variables and without paths, askpass helpers or public names', async () => {
    const { BUILD_TOKEN_NAMES, isBuildCredential, isUrlValuedName } = await import('../src/rules/build/common.js');
    const options = { extra: BUILD_TOKEN_NAMES, ignore: [] };
    const yes = ['PKG_GITHUB_COM_TOKEN', 'GH_PAT', 'DB_PASSWORD', 'API_KEY', 'CLIENT_SECRET', 'NPM_CONFIG__AUTH', 'npm_config__authToken', 'POETRY_PYPI_TOKEN_INTERNAL', 'BUNDLE_RUBYGEMS__PKG__GITHUB__COM', 'COMPOSER_AUTH', 'ROOTPASS', 'auth', 'NPM_AUTH', 'REGISTRY_BASIC_AUTH', 'DB_PWORD', 'SECRET_PASSPHRASE', 'apikey', 'NEXUS_PSW', 'DEPLOY_KEY', 'GIT_SSH_KEY', 'git_key', 'VITE_AWS_SECRET_ACCESS_KEY', 'REACT_APP_CLIENT_SECRET'];
    const no = ['NPM_TOKEN_FILE', 'GH_TOKEN_PATH', 'AUTH_URL', 'KEY_ID', 'NODE_VERSION', 'PUBLIC_API_TOKEN', 'NEXT_PUBLIC_TOKEN', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GPG_KEY', 'BUNDLE_PATH', 'BUNDLE_GEMFILE', 'TOKEN_EXPIRY', 'ENABLE_AUTH', 'SKIP_AUTH', 'AUTH_TYPE', 'AUTHOR', 'PSW', 'GOOGLE_APPLICATION_CREDENTIALS', 'SSH_PUBLIC_KEY', 'SSH_KEY_ID', 'CACHE_KEY', 'VITE_FIREBASE_API_KEY', 'REACT_APP_MAPBOX_TOKEN', 'VITE_SECRET_NAME'];
    expect(yes.filter((n) => !isBuildCredential(n, options))).toEqual([]);
    expect(no.filter((n) => isBuildCredential(n, options))).toEqual([]);
    expect(isBuildCredential('NODE_VERSION', { extra: ['NODE_VERSION'], ignore: [] })).toBe(true);
    expect(isBuildCredential('NPM_TOKEN', { extra: BUILD_TOKEN_NAMES, ignore: ['npm_token'] })).toBe(false);
    expect(['PIP_INDEX_URL', 'NPM_CONFIG_REGISTRY', 'NPM_TOKEN'].map(isUrlValuedName)).toEqual([true, true, false]);
  });
});

describe('.dockerignore', () => {
  it('matches from the context root, crosses folders only with **, and re-includes with !', async () => {
    const { dockerignored, parseDockerignore, isDockerignorePath } = await import('../src/analyzers/build/dockerignore.js');
    expect(['.dockerignore', 'svc/.dockerignore', 'svc/Dockerfile.dockerignore', 'dockerignore.md'].map(isDockerignorePath)).toEqual([true, true, true, false]);
    const model = parseDockerignore(['# comment', '.npmrc', 'apps/*/pip.conf', '**/.netrc', '**', '!src', ''].join('\n'));
    expect(model.patterns).toEqual(['.npmrc', 'apps/*/pip.conf', '**/.netrc', '**', '!src']);
    const top = parseDockerignore('.npmrc\napps/*/pip.conf\n**/.netrc\n');
    expect(['.npmrc', 'sub/.npmrc', 'apps/a/pip.conf', 'pip.conf', 'deep/er/.netrc'].map((p) => dockerignored(top, p))).toEqual([true, false, true, false, true]);
    expect(['src/index.ts', 'package.json'].map((p) => dockerignored(model, p))).toEqual([false, true]);
  });
});

describe('memoizeRawArguments', () => {
  it('tokenizes an instruction once and hands out copies', () => {
    let calls = 0;
    class Fake {
      getRawArguments(): number[] {
        calls++;
        return [1, 2];
      }
    }
    memoizeRawArguments(Fake.prototype);
    memoizeRawArguments(Fake.prototype);
    memoizeRawArguments(undefined);
    const a = new Fake();
    a.getRawArguments().shift();
    expect(a.getRawArguments()).toEqual([1, 2]);
    expect(calls).toBe(1);
    expect(new Fake().getRawArguments()).toEqual([1, 2]);
    expect(calls).toBe(2);
  });
});
