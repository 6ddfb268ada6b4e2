import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runMain, tempDirs } from './helpers/cli.js';
import { readHistory } from '../src/history/history.js';
import { resultProblems } from '../src/result/validate.js';
import type { ScanResult } from '../src/types.js';

const temp = tempDirs('footprint-hcli-');
const tempDir = temp.make;
let savedSummary: string | undefined;
beforeEach(() => {
  // Never write into a real job summary when the suite itself runs in GitHub Actions.
  savedSummary = process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_STEP_SUMMARY;
});
afterEach(() => {
  if (savedSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = savedSummary;
  vi.restoreAllMocks();
  temp.cleanup();
});

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

const secret = (name: string, value = 'ghp_EXAMPLEexampleEXAMPLEexample00000000') => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: platform
stringData:
  password: ${value}
`;

const cli = runMain;

function readResult(file: string): ScanResult {
  return JSON.parse(readFileSync(file, 'utf8')) as ScanResult;
}

describe('[I] footprint compare', () => {
  it('prints the JSON contract, exits 1 on a new high finding and 0 with --fail-on none', async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'repo');
    write(repo, 'manifests/a.yaml', secret('a'));
    write(repo, 'manifests/b.yaml', secret('b'));
    expect((await cli(['scan', repo, '--no-git', '--fail-on', 'none', '--output', path.join(dir, 'base.json')])).code).toBe(0);
    rmSync(path.join(repo, 'manifests/a.yaml'));
    write(repo, 'manifests/c.yaml', secret('c'));
    expect((await cli(['scan', repo, '--no-git', '--fail-on', 'none', '--output', path.join(dir, 'head.json')])).code).toBe(0);
    const base = path.join(dir, 'base.json');
    const head = path.join(dir, 'head.json');

    const json = await cli(['compare', base, head, '--format', 'json']);
    expect(json.code).toBe(1);
    const c = JSON.parse(json.stdout);
    expect(Object.keys(c)).toEqual(['summary', 'new', 'fixed', 'unchanged']);
    expect(c.summary).toEqual({ new: 1, fixed: 1, unchanged: 1 });
    expect(c.new[0].file).toBe('manifests/c.yaml');
    expect(c.fixed[0].file).toBe('manifests/a.yaml');
    expect(c.unchanged[0].file).toBe('manifests/b.yaml');
    expect(json.stderr).toContain('1 new, 1 fixed, 1 unchanged');

    expect((await cli(['compare', base, head, '--fail-on', 'none'])).code).toBe(0);
    expect((await cli(['compare', base, head, '--fail-on', 'critical'])).code).toBe(0);
    const same = await cli(['compare', head, head]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('0 new, 0 fixed, 2 unchanged');

    const md = await cli(['compare', base, head, '--format', 'md', '--output', path.join(dir, 'cmp.md')]);
    expect(md.code).toBe(1);
    expect(readFileSync(path.join(dir, 'cmp.md'), 'utf8')).toContain('### New (1)');
  });

  it('exits 2 with a clear message for a file that is not a footprint result', async () => {
    const dir = tempDir();
    write(dir, 'other.json', JSON.stringify({ runs: [] }));
    write(dir, 'text.json', 'this is not json');
    write(dir, 'bad.json', JSON.stringify({ tool: { name: 'footprint' }, findings: 3 }));
    const other = await cli(['compare', path.join(dir, 'other.json'), path.join(dir, 'other.json')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('other.json is not a footprint result');
    expect((await cli(['compare', path.join(dir, 'text.json'), path.join(dir, 'text.json')])).stderr).toContain('text.json is not JSON, so it is not a footprint result');
    const bad = await cli(['compare', path.join(dir, 'bad.json'), path.join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json is not a valid footprint result');
    expect((await cli(['compare', path.join(dir, 'missing.json'), path.join(dir, 'missing.json')])).code).toBe(2);
    expect((await cli(['compare', path.join(dir, 'other.json')])).code).toBe(2);
    expect((await cli(['compare', 'a', 'b', '--format', 'sarif'])).code).toBe(2);
  });
});

describe('[I] footprint baseline and scan --baseline', () => {
  it('accepts today\'s findings, fails only on new ones, and shrinks when findings are fixed', async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'repo');
    write(repo, 'manifests/a.yaml', secret('a'));
    write(repo, 'manifests/b.yaml', secret('b'));
    const baselineFile = path.join(repo, '.footprint-baseline.json');
    const made = await cli(['baseline', repo, '--no-git']);
    expect(made.code).toBe(0);
    expect(made.stderr).toContain('2 accepted findings');
    expect(JSON.parse(readFileSync(baselineFile, 'utf8')).entries).toHaveLength(2);

    const accepted = await cli(['scan', repo, '--no-git', '--baseline', baselineFile, '--output', path.join(dir, 'r.json')]);
    expect(accepted.code).toBe(0);
    const r = readResult(path.join(dir, 'r.json'));
    expect(resultProblems(r)).toEqual([]);
    expect(r.findings.every((f) => f.baseline === true)).toBe(true);
    expect(r.summary.baseline).toBe(2);

    rmSync(path.join(repo, 'manifests/a.yaml'));
    write(repo, 'manifests/c.yaml', secret('c'));
    expect((await cli(['scan', repo, '--no-git', '--baseline', baselineFile, '--output', path.join(dir, 'r2.json')])).code).toBe(1);

    const shrink = await cli(['baseline', repo, '--no-git']);
    expect(shrink.stderr).toContain('removed 1 fixed, added 0 new');
    expect(shrink.stderr).toContain('1 finding is not in the baseline');
    expect(JSON.parse(readFileSync(baselineFile, 'utf8')).entries.map((e: { file: string }) => e.file)).toEqual(['manifests/b.yaml']);
    await cli(['baseline', repo, '--no-git', '--add-new']);
    expect(JSON.parse(readFileSync(baselineFile, 'utf8')).entries.map((e: { file: string }) => e.file)).toEqual(['manifests/b.yaml', 'manifests/c.yaml']);
    expect((await cli(['scan', repo, '--no-git', '--baseline', baselineFile, '--output', path.join(dir, 'r3.json')])).code).toBe(0);
  });

  it('warns when no finding matches a baseline made with another fingerprint key', async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'repo');
    write(repo, 'manifests/a.yaml', secret('a'));
    const baselineFile = path.join(dir, 'baseline.json');
    const saved = process.env.FOOTPRINT_FINGERPRINT_KEY;
    process.env.FOOTPRINT_FINGERPRINT_KEY = 'another-teams-key';
    try {
      expect((await cli(['baseline', repo, '--no-git', '--no-cache', '--output', baselineFile])).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.FOOTPRINT_FINGERPRINT_KEY;
      else process.env.FOOTPRINT_FINGERPRINT_KEY = saved;
    }
    const other = await cli(['scan', repo, '--no-git', '--no-cache', '--baseline', baselineFile, '--output', path.join(dir, 'r.json')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('no finding matches the baseline');
    const same = await cli(['baseline', repo, '--no-git', '--no-cache', '--output', path.join(dir, 'same.json')]);
    expect(same.code).toBe(0);
    const matched = await cli(['scan', repo, '--no-git', '--no-cache', '--baseline', path.join(dir, 'same.json'), '--output', path.join(dir, 'r2.json')]);
    expect(matched.code).toBe(0);
    expect(matched.stderr).not.toContain('no finding matches the baseline');
  });

  it('exits 2 for a baseline that is neither a baseline nor a result', async () => {
    const dir = tempDir();
    write(dir, 'repo/x.yaml', 'a: 1\n');
    write(dir, 'junk.json', '[1,2]');
    const out = await cli(['scan', path.join(dir, 'repo'), '--no-git', '--baseline', path.join(dir, 'junk.json'), '--output', '-']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('junk.json is neither a footprint baseline');
  });
});

describe('[I] scan --history', () => {
  it('appends one record per run with git commit and branch, and reports corrupt lines without failing', async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'repo');
    write(repo, 'manifests/a.yaml', secret('a'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'audit-branch');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const commit = git('rev-parse', 'HEAD');
    const history = path.join(dir, 'reports', 'history.jsonl');

    expect((await cli(['scan', repo, '--history', history, '--output', path.join(dir, '1.json'), '--fail-on', 'none'])).code).toBe(0);
    writeFileSync(history, `${readFileSync(history, 'utf8')}{"truncated\n`);
    const second = await cli(['scan', repo, '--history', history, '--output', path.join(dir, '2.json'), '--fail-on', 'none']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('history.jsonl line 2: not valid JSON; skipped');

    const loaded = readHistory(history);
    expect(loaded.records).toHaveLength(2);
    expect(loaded.records[1]).toMatchObject({ schemaVersion: 1, commit, branch: 'audit-branch', counts: { total: 1, byRule: { 'inline-secret-manifest': 1 } } });
    expect(loaded.records[1]!.fingerprints).toEqual(readResult(path.join(dir, '2.json')).findings.map((f) => f.fingerprint));
  });

  it('records no commit or branch outside a git work tree', async () => {
    const dir = tempDir();
    write(dir, 'repo/manifests/a.yaml', secret('a'));
    const history = path.join(dir, 'h.jsonl');
    const env = { GITHUB_SHA: process.env.GITHUB_SHA, GITHUB_REF_NAME: process.env.GITHUB_REF_NAME, GITHUB_HEAD_REF: process.env.GITHUB_HEAD_REF, CI_COMMIT_SHA: process.env.CI_COMMIT_SHA, CI_COMMIT_REF_NAME: process.env.CI_COMMIT_REF_NAME };
    for (const key of Object.keys(env)) delete process.env[key];
    try {
      await cli(['scan', path.join(dir, 'repo'), '--no-git', '--history', history, '--output', path.join(dir, 'r.json'), '--fail-on', 'none']);
    } finally {
      for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
    }
    const [record] = readHistory(history).records;
    expect(record!.commit).toBeUndefined();
    expect(record!.branch).toBeUndefined();
  });
});

describe('[I] CI integration', () => {
  it('appends a Markdown summary to GITHUB_STEP_SUMMARY for scan and compare', async () => {
    const dir = tempDir();
    write(dir, 'repo/manifests/a.yaml', secret('a'));
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = summary;
    await cli(['scan', path.join(dir, 'repo'), '--no-git', '--output', path.join(dir, 'r.json'), '--fail-on', 'none']);
    const afterScan = readFileSync(summary, 'utf8');
    expect(afterScan.startsWith('# earlier step\n')).toBe(true);
    expect(afterScan).toMatch(/footprint/);
    expect(afterScan).toContain('inline-secret-manifest');
    await cli(['compare', path.join(dir, 'r.json'), path.join(dir, 'r.json')]);
    expect(readFileSync(summary, 'utf8').slice(afterScan.length)).toContain('**0 new, 0 fixed, 1 unchanged**');
  });

  it('prints GitHub workflow annotations and GitLab Code Quality JSON', async () => {
    const dir = tempDir();
    write(dir, 'repo/manifests/a.yaml', secret('a'));
    write(dir, 'repo/environments/dev/b.yaml', secret('b'));
    const gh = await cli(['scan', path.join(dir, 'repo'), '--no-git', '--format', 'github', '--output', '-']);
    expect(gh.code).toBe(1);
    const lines = gh.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('::notice title=footprint summary::2 open findings (1 high, 1 medium), 0 in the baseline, 0 suppressed');
    expect(lines[1]).toMatch(/^::error file=manifests\/a\.yaml,line=7,endLine=7,col=\d+,title=footprint inline-secret-manifest \(high\)::Secret a carries/);
    expect(lines[2]).toMatch(/^::warning file=environments\/dev\/b\.yaml,line=7,/);
    expect(gh.stdout).not.toContain('EXAMPLEexample');

    const gl = await cli(['scan', path.join(dir, 'repo'), '--no-git', '--format', 'gitlab', '--output', '-']);
    const issues = JSON.parse(gl.stdout);
    expect(issues).toHaveLength(2);
    expect(issues[1]).toMatchObject({ check_name: 'inline-secret-manifest', severity: 'critical', categories: ['Security'], location: { path: 'manifests/a.yaml', lines: { begin: 7, end: 7 } } });
    expect(issues[1].fingerprint).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(issues[0].severity).toBe('major');

    await cli(['scan', path.join(dir, 'repo'), '--no-git', '--format', 'json,github,gitlab', '--out-dir', path.join(dir, 'out'), '--fail-on', 'none']);
    expect(readFileSync(path.join(dir, 'out', 'footprint.github.txt'), 'utf8')).toContain('::error ');
    expect(JSON.parse(readFileSync(path.join(dir, 'out', 'footprint.gitlab.json'), 'utf8'))).toHaveLength(2);
  });
});
