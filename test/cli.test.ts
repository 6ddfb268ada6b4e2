import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultProblems } from '../src/result/validate.js';
import { resolveConfig } from '../src/config/load.js';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, RULE_FIXTURES } from './helpers/run-fixture.js';

const BIN = path.join(REPO_ROOT, 'dist', 'cli', 'bin.js');

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

let work: string;
let tree: string;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/cli/bin.js is missing: run "npm run build" (npm test does it first)');
  work = mkdtempSync(path.join(os.tmpdir(), 'footprint-cli-'));
  tree = path.join(work, 'repo');
  cpSync(path.join(RULE_FIXTURES, 'inline-secret-manifest', 'ng.argocd-repository'), tree, { recursive: true });
  rmSync(path.join(tree, 'expected.json'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('footprint scan', () => {
  it('gives the same result whichever thread count parses the files', () => {
    const example = path.join(REPO_ROOT, 'fixtures', 'example-platform');
    const results = ['1', '2', '3'].map((threads) => {
      const out = path.join(work, `threads-${threads}.json`);
      const { code, stderr } = run(['scan', example, '--threads', threads, '--no-cache', '--no-git', '--output', out, '--fail-on', 'none', '--timing'], work);
      expect(code).toBe(0);
      expect(stderr).toMatch(/parse:yaml/);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      return JSON.stringify({ ...result, generatedAt: undefined });
    });
    expect(JSON.parse(results[0]!).findings.length).toBeGreaterThan(50);
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });

  it('writes a schema-valid JSON result to stdout and exits 1 on a high finding', () => {
    const { code, stdout, stderr } = run(['scan', tree, '--output', '-', '--no-git'], work);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(resultProblems(result)).toEqual([]);
    expect(result.findings.map((f: { ruleId: string; file: string }) => `${f.ruleId} ${f.file}`)).toEqual(['inline-secret-manifest manifests/repo-platform-gitops.yaml']);
    expect(stdout).not.toContain(work);
    expect(stdout).not.toContain('EXAMPLEexample');
    expect(stderr).toMatch(/1 finding \(1 high\)/);
  });

  it('exits 0 with --fail-on none and with a threshold above the findings', () => {
    expect(run(['scan', tree, '--output', path.join(work, 'a.json'), '--fail-on', 'none', '--no-git'], work).code).toBe(0);
    expect(run(['scan', tree, '--output', path.join(work, 'b.json'), '--fail-on', 'critical', '--no-git'], work).code).toBe(0);
  });

  it('writes DIR/footprint.json with --out-dir, and reports/ under the current directory by default', () => {
    expect(run(['scan', tree, '--out-dir', 'out', '--fail-on', 'none', '--no-git'], work).code).toBe(0);
    expect(resultProblems(JSON.parse(readFileSync(path.join(work, 'out', 'footprint.json'), 'utf8')))).toEqual([]);
    expect(run(['scan', tree, '--fail-on', 'none', '--no-git'], work).code).toBe(0);
    expect(existsSync(path.join(work, 'reports', 'footprint.json'))).toBe(true);
  });

  it('exits 2 on usage errors', () => {
    expect(run(['scan', tree, '--format', 'xml'], work).code).toBe(2);
    expect(run(['scan', tree, '--fail-on', 'severe'], work).code).toBe(2);
    expect(run(['scan', tree, '--bogus'], work).code).toBe(2);
    expect(run(['scan', path.join(work, 'missing')], work).code).toBe(2);
    expect(run(['scan', tree, tree], work).code).toBe(2);
    expect(run(['scan', tree, '--threads', '0'], work).code).toBe(2);
    expect(run(['scan', tree, '--threads', 'two'], work).code).toBe(2);
    expect(run(['frobnicate'], work).code).toBe(2);
    expect(run([], work).code).toBe(2);
  });

  it('exits 2 on an invalid config and lists every problem with its path', () => {
    const config = path.join(work, 'bad.yaml');
    writeFileSync(config, 'maxFileSize: lots\nrules:\n  no-such-rule: high\n  inline-secret-manifest: extreme\nenvironments:\n  production: {managed: yes}\nsurprise: 1\n');
    const { code, stderr } = run(['scan', tree, '--config', config, '--output', '-'], work);
    expect(code).toBe(2);
    // Unknown rule ids are listed together with the schema's problems; a value no oneOf branch accepts is one line.
    expect(stderr).toContain('rules.no-such-rule: unknown rule id');
    expect(stderr.split('\n').filter((l) => l.includes('rules.inline-secret-manifest'))).toEqual(['  - rules.inline-secret-manifest: must be one of "off", "critical", "high", "medium", "low", "info", or of type object']);
    expect(stderr).toContain('maxFileSize');
    expect(stderr).toContain('environments.production');
    expect(stderr).toContain('unknown property "surprise"');
    expect(run(['scan', tree, '--config', path.join(work, 'nope.yaml')], work).code).toBe(2);
  });
});

describe('footprint rules / explain', () => {
  it('lists every rule with severity and description', () => {
    const { code, stdout } = run(['rules'], work);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^inline-secret-manifest\s+high\s+A Kubernetes Secret/m);
  });

  it('explains a rule and rejects an unknown one', () => {
    const { code, stdout } = run(['explain', 'inline-secret-manifest'], work);
    expect(code).toBe(0);
    expect(stdout).toContain('Why it matters:');
    expect(stdout).toContain('Allowed instead:');
    expect(stdout).toContain('Remediation:');
    expect(run(['explain', 'no-such-rule'], work).code).toBe(2);
  });
});

describe('footprint inventory', () => {
  it('prints Markdown with exactly one embedded json block', () => {
    const { code, stdout } = run(['inventory', tree, '--no-git'], work);
    expect(code).toBe(0);
    expect(stdout).toContain('# Secret inventory');
    expect(stdout.match(/```json/g)).toHaveLength(1);
    const json = JSON.parse(stdout.split('```json')[1]!.split('```')[0]!);
    expect(json.inventory).toEqual([expect.objectContaining({ kind: 'Secret', name: 'repo-platform-gitops', namespace: 'argocd', keys: ['password', 'url', 'username'] })]);
    // The same inventory from the cache the first run filled, and without it.
    expect(existsSync(path.join(tree, '.footprint-cache'))).toBe(true);
    const inventoryOf = (out: string) => JSON.parse(out.split('```json')[1]!.split('```')[0]!).inventory as unknown;
    expect(inventoryOf(run(['inventory', tree, '--no-git'], work).stdout)).toEqual(json.inventory);
    expect(inventoryOf(run(['inventory', tree, '--no-git', '--no-cache'], work).stdout)).toEqual(json.inventory);
  });

  it('writes raw JSON with --output FILE.json', () => {
    const target = path.join(work, 'inventory.json');
    expect(run(['inventory', tree, '--output', target, '--no-git'], work).code).toBe(0);
    const json = JSON.parse(readFileSync(target, 'utf8'));
    expect(json.summary.entries).toBe(1);
    expect(json.inventory[0].findings).toEqual(['inline-secret-manifest']);
  });
});

describe('footprint init', () => {
  it('writes a commented config that validates, and refuses to overwrite without --force', () => {
    const repo = path.join(work, 'init-repo');
    cpSync(path.join(REPO_ROOT, 'fixtures', 'example-platform'), repo, { recursive: true });
    expect(run(['init', repo], work).code).toBe(0);
    const text = readFileSync(path.join(repo, 'footprint.config.yaml'), 'utf8');
    expect(text).toMatch(/^# footprint configuration/);
    const config = parseYaml(text);
    expect(() => resolveConfig(config)).not.toThrow();
    expect(Object.keys(config.environments)).toEqual(expect.arrayContaining(['dev', 'production', 'shared', 'staging']));
    expect(config.vendored).toContain('third_party/**');
    expect(Object.values(config.stores)).toEqual(expect.arrayContaining(['vault', 'azurekv']));
    expect(run(['init', repo], work).code).toBe(2);
    expect(run(['init', repo, '--force'], work).code).toBe(0);
  });
});

describe('terminal output', () => {
  it('prints a summary table on stderr without colour when not a TTY, and nothing with --quiet', () => {
    const loud = run(['scan', tree, '--output', path.join(work, 'c.json'), '--fail-on', 'none', '--no-git'], work);
    expect(loud.stderr).toMatch(/critical\s+0\s+high\s+1/);
    expect(loud.stderr).toMatch(/inline-secret-manifest\s+1/);
    expect(loud.stderr).not.toContain('\x1b[');
    const quiet = run(['scan', tree, '--output', path.join(work, 'd.json'), '--fail-on', 'none', '--no-git', '--quiet'], work);
    expect(quiet.stderr).toBe('');
  });
});

describe('cache folder', () => {
  it('is private and ignores itself, since parsed models hold file contents', () => {
    const repo = path.join(work, 'cache-repo');
    cpSync(tree, repo, { recursive: true });
    expect(run(['scan', repo, '--output', path.join(work, 'e.json'), '--fail-on', 'none', '--no-git', '--quiet'], work).code).toBe(0);
    const dir = path.join(repo, '.footprint-cache');
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(statSync(dir).mode & 0o077).toBe(0);
    for (const name of readdirSync(dir)) expect(statSync(path.join(dir, name)).mode & 0o077, name).toBe(0);
  });
});

describe('cached re-scan', () => {
  it('writes the same reports, byte for byte, as a scan without cache (the JSON from the stored rendering)', () => {
    const repo = path.join(work, 'cached-repo');
    cpSync(path.join(REPO_ROOT, 'fixtures', 'example-platform'), repo, { recursive: true });
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    const stack = [repo];
    while (stack.length) {
      const dir = stack.pop()!;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) stack.push(path.join(dir, e.name));
        else utimesSync(path.join(dir, e.name), hourAgo, hourAgo);
      }
    }
    const scan = (dir: string, ...extra: string[]) => run(['scan', repo, '--format', 'json,sarif,md', '--out-dir', path.join(work, dir), '--fail-on', 'none', '--no-git', '--timing', ...extra], work);
    expect(scan('first').stderr).toMatch(/result stored/);
    expect(scan('cached').stderr).toMatch(/result reused/);
    expect(scan('uncached', '--no-cache').code).toBe(0);
    const read = (dir: string, name: string) => readFileSync(path.join(work, dir, name), 'utf8').replace(/"generatedAt": "[^"]*"/, '"generatedAt": ""').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME');
    for (const name of ['footprint.json', 'footprint.sarif', 'footprint.md']) expect(read('cached', name), name).toBe(read('uncached', name));
    expect(JSON.parse(readFileSync(path.join(work, 'cached', 'footprint.json'), 'utf8')).findings.length).toBeGreaterThan(10);
  });
});

describe('closed output pipe', () => {
  it('stops quietly when the reader closes stdout early (footprint scan --output - | head)', () => {
    const example = path.join(REPO_ROOT, 'fixtures', 'example-platform');
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    for (const args of [`scan ${q(example)} --output - --fail-on none --no-cache`, 'rules']) {
      const script = `${q(process.execPath)} ${q(BIN)} ${args} 2>${q(path.join(work, 'pipe.err'))} | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
      const out = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(out.stdout.trim(), args).toBe('status=0');
      expect(readFileSync(path.join(work, 'pipe.err'), 'utf8'), args).not.toMatch(/EPIPE|Unhandled|node:events/);
    }
  });
});
