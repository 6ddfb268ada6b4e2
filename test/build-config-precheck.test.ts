import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeBake, analyzeSkaffold } from '../src/analyzers/build/buildconfig.js';
import { analyzeShellScript } from '../src/analyzers/build/script.js';
import { analyzeWorkflow } from '../src/analyzers/build/workflow.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const OK = path.join(RULE_FIXTURES, 'missing-build-secret-precheck', 'ok.bake-validation-skaffold-hooks');

/** The ok fixture with one file edited. */
async function scanEdited(file: string, edit: (text: string) => string) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-precheck-'));
  roots.push(root);
  cpSync(OK, root, { recursive: true });
  writeFileSync(path.join(root, file), edit(readFileSync(path.join(root, file), 'utf8')));
  const r = await scanFixture(root);
  return r.findings.filter((f) => f.ruleId === 'missing-build-secret-precheck').map((f) => ({ file: f.file, line: f.line, message: f.message }));
}

async function scanFiles(files: Record<string, string>) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-precheck-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const r = await scanFixture(root);
  return r.findings.filter((f) => f.ruleId === 'missing-build-secret-precheck').map((f) => `${f.file}:${f.line} ${f.evidence.keys.join()}`).sort();
}

describe('skaffold and bake runners', () => {
  it('only the bake targets a run builds count: named targets and groups, else the default group', async () => {
    const bake = ['group "default" {', '  targets = ["api"]', '}', 'group "all" {', '  targets = ["default", "worker"]', '}', 'target "api" {', '  secret = ["id=npm,env=NPM_TOKEN"]', '}', 'target "worker" {', '  secret = ["id=gh,env=GH_TOKEN"]', '}', ''].join('\n');
    const run = (cmd: string) => scanFiles({ 'docker-bake.hcl': bake, 'build.sh': `#!/bin/sh\n${cmd}\n` });
    expect(await run('docker buildx bake --push')).toEqual(['build.sh:2 NPM_TOKEN']);
    expect(await run('docker buildx bake worker')).toEqual(['build.sh:2 GH_TOKEN']);
    expect(await run('docker buildx bake all')).toEqual(['build.sh:2 GH_TOKEN', 'build.sh:2 NPM_TOKEN']);
    const wf = (targets: string) => scanFiles({ 'docker-bake.hcl': bake, '.github/workflows/i.yml': `on: push\njobs:\n  i:\n    runs-on: x\n    steps:\n      - uses: docker/bake-action@v5\n        with:\n          targets: ${targets}\n` });
    expect(await wf('worker')).toEqual(['.github/workflows/i.yml:6 GH_TOKEN']);
  });


  it('read the config files a command line runs (-f, --filename, bake-action files:/workdir:) and bake --set overrides', () => {
    const script = analyzeShellScript('#!/bin/sh\ndocker buildx bake -f ci/a.hcl --file=ci/b.hcl --set "api.args.NPM_TOKEN=${NPM_TOKEN}" --set web.secrets=id=gh,env=GH_TOKEN api\ndocker bake\nskaffold build --filename=deploy/skaffold.yaml -p ci\nskaffold run\nskaffold diagnose\n', 'ci/x.sh').model;
    const [a, b, c, d] = script.invocations;
    expect(script.invocations).toHaveLength(4);
    expect(a).toMatchObject({ tool: 'bake', dockerfileUnknown: true, runsConfig: { files: ['ci/a.hcl', 'ci/b.hcl'] } });
    expect(a!.buildArgs).toMatchObject([{ name: 'NPM_TOKEN', refs: ['NPM_TOKEN'] }]);
    expect(a!.secrets).toMatchObject([{ id: 'gh', env: 'GH_TOKEN' }]);
    expect(b).toMatchObject({ tool: 'bake', runsConfig: { files: [] } });
    expect(c).toMatchObject({ tool: 'skaffold', runsConfig: { files: ['deploy/skaffold.yaml'] } });
    expect(d).toMatchObject({ tool: 'skaffold', runsConfig: { files: [] } });
    const wf = analyzeWorkflow('on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: docker/bake-action@v5\n        with:\n          workdir: ./images\n          files: |\n            ./docker-bake.hcl\n            ./overrides.hcl\n', '.github/workflows/b.yml');
    expect(wf.invocations[0]).toMatchObject({ tool: 'bake', runsConfig: { files: ['./docker-bake.hcl', './overrides.hcl'], dir: 'images' } });
  });

  it('read the checks a config makes itself: bake validation blocks, skaffold before-build hooks', () => {
    const bake = analyzeBake('variable "A_TOKEN" {\n  validation {\n    condition = A_TOKEN != ""\n    error_message = "x"\n  }\n}\nvariable "B_TOKEN" {}\ntarget "t" {\n  args = { A_TOKEN = A_TOKEN, B_TOKEN = B_TOKEN }\n}\n', 'docker-bake.hcl');
    expect(bake.invocations[0]).toMatchObject({ checked: ['A_TOKEN'] });
    const skaffold = analyzeSkaffold('build:\n  artifacts:\n    - image: a\n      hooks:\n        before:\n          - command: ["sh", "-c", ": \\"${NPM_TOKEN:?}\\""]\n      docker:\n        buildArgs:\n          NPM_TOKEN: "{{.NPM_TOKEN}}"\n    - image: b\n', 'skaffold.yaml');
    expect(skaffold.invocations.map((i) => i.checked)).toEqual([['NPM_TOKEN'], undefined]);
  });

  it('fixture: report at the command that runs an unchecked config, or in a config nothing runs', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'missing-build-secret-precheck', 'ng.bake-skaffold-runners'));
    const found = r.findings.filter((f) => f.ruleId === 'missing-build-secret-precheck');
    expect(found.map((f) => `${f.file}:${f.line} ${f.evidence.keys.join()}`).sort()).toEqual(['.github/workflows/deploy.yml:14 NPM_TOKEN', 'Makefile:5 GH_PACKAGES_TOKEN', 'Makefile:5 NPM_TOKEN', 'local/skaffold-local.yaml:11 GITHUB_TOKEN']);
    expect(found.find((f) => f.file === 'Makefile' && f.evidence.keys[0] === 'NPM_TOKEN')!.message).toContain('(as a BuildKit secret by docker-bake.hcl:13, which this command runs)');
    const local = found.find((f) => f.file === 'local/skaffold-local.yaml')!;
    expect(local.message).toContain('no script, Makefile or CI job in the repository runs this file: check it in a before-build hook');
    expect(local.remediation.replacement!.snippet).toContain('hooks:\n  before:\n    - command: ["sh", "-c", "test -n \\"$GITHUB_TOKEN\\"');
  });

  it('the ok fixture is silent because of each check: removing one brings exactly its finding back', async () => {
    expect(await scanEdited('ci/release.sh', (t) => t)).toEqual([]);
    const noValidation = await scanEdited('docker-bake.hcl', (t) => t.replace(/variable "NPM_TOKEN" \{[\s\S]*?\n\}\n/, 'variable "NPM_TOKEN" {}\n'));
    expect(noValidation).toEqual([expect.objectContaining({ file: '.github/workflows/images.yml', line: 9, message: expect.stringContaining('by docker-bake.hcl:') })]);
    const noScriptCheck = await scanEdited('ci/release.sh', (t) => t.replace(/^: .*\n/m, ''));
    expect(noScriptCheck).toEqual([expect.objectContaining({ file: 'ci/release.sh', line: 3, message: expect.stringContaining('by ci/release.hcl:3') })]);
    const noHook = await scanEdited('skaffold.yaml', (t) => t.replace(/      hooks:[\s\S]*?os: \[darwin, linux\]\n/, ''));
    expect(noHook).toEqual([expect.objectContaining({ file: 'skaffold.yaml', line: 9 })]);
  });
});
