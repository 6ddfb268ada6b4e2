import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ciSettings, isTestJob } from '../src/rules/tests/ci-env.js';
import { parseYaml } from '../src/yaml/parse.js';
import { scan } from '../src/scan/run.js';
import { RULE_FIXTURES } from './helpers/run-fixture.js';

const root = (text: string) => parseYaml(text).docs[0]!.root;

describe('CI pipeline settings', () => {
  it('reads GitHub Actions env at every level and step inputs, with service containers marked', () => {
    const settings = ciSettings(
      'github',
      root('env:\n  A: "1"\njobs:\n  build:\n    env:\n      B: "2"\n    services:\n      db:\n        env:\n          C: "3"\n    steps:\n      - uses: docker/login-action@v3\n        with:\n          password: "4"\n        env:\n          D: "5"\n'),
    );
    expect(settings.map((s) => [s.key, s.scope ?? '', s.service, s.input ?? false, s.action ?? ''])).toEqual([
      ['A', '', false, false, ''],
      ['B', 'build', false, false, ''],
      ['C', 'build service db', true, false, ''],
      ['D', 'build step 1', false, false, ''],
      ['password', 'build step 1', false, true, 'docker/login-action@v3'],
    ]);
  });

  it('reads GitLab variables (plain and described) and marks database image settings next to services', () => {
    const settings = ciSettings('gitlab', root('variables:\n  POSTGRES_PASSWORD: a\n  TOKEN:\n    value: b\ntest:\n  services: [postgres]\n  variables:\n    MYSQL_ROOT_PASSWORD: c\n    API_KEY: d\n  script: make\n'));
    expect(settings.map((s) => [s.key, s.value, s.service])).toEqual([
      ['POSTGRES_PASSWORD', 'a', true],
      ['TOKEN', 'b', false],
      ['MYSQL_ROOT_PASSWORD', 'c', true],
      ['API_KEY', 'd', false],
    ]);
  });

  it('reads Azure variables as lists and maps, Travis KEY=value lists and Drone services', () => {
    expect(ciSettings('azure', root('variables:\n  - name: A\n    value: x\n  - group: g\njobs:\n  - job: j\n    variables:\n      B: y\n')).map((s) => [s.key, s.scope ?? ''])).toEqual([
      ['A', ''],
      ['B', 'j'],
    ]);
    expect(ciSettings('travis', root('env:\n  global:\n    - A=1 B="two"\n    - secure: abc\n')).map((s) => [s.key, s.value])).toEqual([
      ['A', '1'],
      ['B', 'two'],
    ]);
    expect(ciSettings('drone', root('services:\n  - name: db\n    environment:\n      X: y\n')).map((s) => s.service)).toEqual([true]);
    // CircleCI and Drone also take a list of one-entry maps.
    expect(ciSettings('circleci', root('jobs:\n  j:\n    docker:\n      - image: node\n        environment:\n          - A: x\n          - B: y\n')).map((s) => [s.key, s.value])).toEqual([
      ['A', 'x'],
      ['B', 'y'],
    ]);
  });

  it('tells test jobs by name, stage or commands', () => {
    expect(isTestJob('unit-tests', undefined)).toBe(true);
    expect(isTestJob('build', root('stage: test\nscript: make'))).toBe(true);
    expect(isTestJob('verify', root('steps:\n  - run: npx vitest run\n'))).toBe(true);
    expect(isTestJob('deploy', root('steps:\n  - run: ./deploy.sh latest\n'))).toBe(false);
    expect(isTestJob('contest-results', undefined)).toBe(false);
  });

  it('reports literal settings without their values, with the CI system\'s secret reference as the replacement', async () => {
    const result = await scan({ root: path.join(RULE_FIXTURES, 'hardcoded-credential', 'ng.ci-pipeline-literal-settings'), cache: false });
    const text = JSON.stringify(result);
    for (const secret of ['Rg7kLq2Xw9Vm', 'Db4xKq9Lm2Wz', 'Gh5tWq8Zx2Lk', 'Dt2mVq7Xk4Lz', 'St6pLw3Xz8Kq', 'Az7qLw2Xk9Zm', 'Dr6nXq3Wz8Lk']) expect(text).not.toContain(secret);
    const login = result.findings.find((f) => f.message.includes('docker/login-action'));
    expect(login?.origin).toBe('build-time');
    expect(login?.remediation.replacement?.snippet).toBe('with:\n  password: ${{ secrets.PASSWORD }}');
    const drone = result.findings.find((f) => f.file === '.drone.yml');
    expect(drone?.remediation.replacement?.snippet).toBe('environment:\n  DOCKER_PASSWORD:\n    from_secret: docker_password');
    const testJob = result.findings.find((f) => f.message.includes('SECRET_KEY_BASE'));
    expect([testJob?.severity, testJob?.origin]).toEqual(['low', 'test']);
  });
});
