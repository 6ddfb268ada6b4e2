import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import type { UserConfig } from '../src/config/types.js';
import { resultProblems } from '../src/result/validate.js';
import { scan } from '../src/scan/run.js';
import { parseInlineDirectives } from '../src/suppress/inline.js';
import type { Finding, ScanResult } from '../src/types.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-03-15T12:00:00Z');

async function scanTree(files: Record<string, string>, user: UserConfig = {}): Promise<ScanResult> {
  const root = mkdtempSync(path.join(tmpdir(), 'footprint-sup-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const result = await scan({ root, config: resolveConfig(user, undefined, 'footprint.config.yaml'), useGit: false, now: NOW });
  expect(resultProblems(result)).toEqual([]);
  return result;
}

const secret = (name: string, line11 = '', ownLine = '') => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: argocd
stringData:
${ownLine}  password: ghp_EXAMPLEexampleEXAMPLEexample00000000${line11}
`;

describe('[U] inline directive parsing', () => {
  it('reads # and // comments, several rules and the reason', () => {
    const d = parseInlineDirectives(
      [
        'a: b # footprint-ignore inline-secret-manifest -- rotated quarterly by the platform team',
        '// footprint-ignore rule-a, rule-b -- legacy client, ticket OPS-12',
        'url: http://x/footprint-ignore',
        '# footprint-ignore inline-secret-manifest',
        '{{/* not a comment style we read */}}',
      ].join('\n'),
    );
    expect([...d.keys()]).toEqual([1, 2, 4]);
    expect(d.get(1)).toEqual({ line: 1, rules: ['inline-secret-manifest'], reason: 'rotated quarterly by the platform team', ownLine: false });
    expect(d.get(2)).toEqual({ line: 2, rules: ['rule-a', 'rule-b'], reason: 'legacy client, ticket OPS-12', ownLine: true });
    expect(d.get(4)?.reason).toBeUndefined();
  });
});

describe('[I] inline suppressions', () => {
  it('suppress a finding from a comment on its line or alone on the line above, and keep it in the result', async () => {
    const result = await scanTree({
      'manifests/a.yaml': secret('a', ' # footprint-ignore inline-secret-manifest -- bootstrap token, rotated by OPS-7'),
      'manifests/b.yaml': secret('b', '', '  # footprint-ignore inline-secret-manifest -- kept until the vault move\n'),
      'manifests/c.yaml': secret('c'),
    });
    const byFile = Object.fromEntries(result.findings.map((f) => [f.file, f]));
    expect(byFile['manifests/a.yaml']!.suppressed).toEqual({ by: 'inline', reason: 'bootstrap token, rotated by OPS-7' });
    expect(byFile['manifests/b.yaml']!.suppressed).toEqual({ by: 'inline', reason: 'kept until the vault move' });
    expect(byFile['manifests/c.yaml']!.suppressed).toBeUndefined();
    expect(result.summary.suppressed).toBe(2);
    expect(result.summary.findings).toBe(1);
    expect(result.diagnostics).toEqual([]);
  });

  it('do not suppress another rule, a directive without a reason, or a trailing comment on the line above', async () => {
    const result = await scanTree({
      'manifests/a.yaml': secret('a', ' # footprint-ignore some-other-rule -- not this rule at all'),
      'manifests/b.yaml': secret('b', ' # footprint-ignore inline-secret-manifest'),
      'manifests/c.yaml': secret('c', '', '  x: y # footprint-ignore inline-secret-manifest -- trailing comment belongs to x\n'),
    });
    expect(result.findings.filter((f) => f.suppressed)).toEqual([]);
    const codes = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.code}`).sort();
    expect(codes).toEqual(['manifests/a.yaml:7:suppression-stale', 'manifests/b.yaml:7:config', 'manifests/c.yaml:7:suppression-stale']);
  });
});

describe('[I] config suppressions', () => {
  const files = { 'manifests/a.yaml': secret('a'), 'legacy/b.yaml': secret('b') };

  it('suppress by rule and path glob, with reason, owner and expiry', async () => {
    const result = await scanTree(files, {
      suppressions: [{ rule: 'inline-secret-manifest', path: 'legacy/**', reason: 'legacy stack, decommissioned in Q2', owner: 'team-platform', expires: '2026-03-15' }],
    });
    const b = result.findings.find((f) => f.file === 'legacy/b.yaml')!;
    expect(b.suppressed).toEqual({ by: 'config', reason: 'legacy stack, decommissioned in Q2', owner: 'team-platform', expires: '2026-03-15' });
    expect(result.findings.find((f) => f.file === 'manifests/a.yaml')!.suppressed).toBeUndefined();
    expect(result.diagnostics).toEqual([]);
  });

  it('suppress by fingerprint only that finding', async () => {
    const first = await scanTree(files);
    const target = first.findings.find((f) => f.file === 'manifests/a.yaml')!;
    const result = await scanTree(files, { suppressions: [{ rule: 'inline-secret-manifest', fingerprint: target.fingerprint, reason: 'accepted for the migration window' }] });
    expect(result.findings.filter((f) => f.suppressed).map((f) => f.file)).toEqual(['manifests/a.yaml']);
  });

  it('stop suppressing after the expiry day and report the expired entry', async () => {
    const result = await scanTree(files, {
      suppressions: [{ rule: 'inline-secret-manifest', path: 'legacy/**', reason: 'legacy stack, decommissioned in Q2', expires: '2026-03-14' }],
    });
    expect(result.findings.filter((f) => f.suppressed)).toEqual([]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ file: 'footprint.config.yaml', code: 'suppression-expired', ruleId: 'inline-secret-manifest' });
    expect(result.diagnostics[0]!.message).toContain('expired on 2026-03-14; 1 finding is reported again');
  });

  it('report an entry that matches nothing as stale', async () => {
    const result = await scanTree(files, { suppressions: [{ rule: 'inline-secret-manifest', path: 'gone/**', reason: 'this folder was deleted last year' }] });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['suppression-stale']);
    expect(result.findings.filter((f) => f.suppressed)).toEqual([]);
  });

  it('leave a finding suppressed inline to the inline comment, and do not call the config entry stale', async () => {
    const result = await scanTree(
      { 'legacy/b.yaml': secret('b', ' # footprint-ignore inline-secret-manifest -- documented inline by the owner') },
      { suppressions: [{ rule: 'inline-secret-manifest', path: 'legacy/**', reason: 'legacy stack, decommissioned in Q2' }] },
    );
    expect(result.findings[0]!.suppressed?.by).toBe('inline');
    expect(result.diagnostics).toEqual([]);
  });
});

/**
 * Put `footprint-ignore RULE -- reason` alone on the line above each finding's statement (above the first line of
 * a backslash-continued command), in the file's own comment syntax. Returns the extensions it commented.
 */
function commentAboveEveryFinding(root: string, findings: readonly Finding[]): Set<string> {
  const byFile = new Map<string, Map<number, Set<string>>>();
  for (const f of findings) {
    const lines = readFileSync(path.join(root, f.file), 'utf8').split('\n');
    let start = f.line - 1;
    while (start > 0 && /\\\s*$/.test(lines[start - 1]!)) start--;
    const perLine = byFile.get(f.file) ?? new Map<number, Set<string>>();
    byFile.set(f.file, perLine);
    perLine.set(start + 1, (perLine.get(start + 1) ?? new Set()).add(f.ruleId));
  }
  const kinds = new Set<string>();
  for (const [file, perLine] of byFile) {
    const base = path.basename(file);
    const slashes = /\.(ts|js|go|json)$/.test(base);
    kinds.add(/\.[a-z]+$/.exec(base)?.[0] ?? base);
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    for (const [line, rules] of [...perLine].sort((a, b) => b[0] - a[0])) {
      const indent = /^\s*/.exec(lines[line - 1]!)![0];
      lines.splice(line - 1, 0, `${indent}${slashes ? '//' : '#'} footprint-ignore ${[...rules].join(', ')} -- accepted until the migration (PLAT-1)`);
    }
    writeFileSync(path.join(root, file), lines.join('\n'));
  }
  return kinds;
}

describe('[I] inline suppressions in every comment syntax', () => {
  it('a comment above each finding of the example platform suppresses all of them, and no fingerprint changes', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'footprint-sup-all-'));
    dirs.push(root);
    cpSync(path.join(REPO_ROOT, 'fixtures', 'example-platform'), root, { recursive: true });
    const config = () => resolveConfig({}, undefined, 'footprint.config.yaml');
    const before = await scan({ root, config: config(), useGit: false, now: NOW });
    expect(before.findings.length).toBeGreaterThan(50);
    const kinds = commentAboveEveryFinding(root, before.findings);
    // YAML, shell, Dockerfile, Python (#) and TypeScript, Go, JSONC (//), plus .npmrc and pip.conf.
    for (const kind of ['.yaml', '.yml', '.sh', '.py', '.ts', '.go', '.json', 'Dockerfile', '.npmrc', '.conf']) expect(kinds).toContain(kind);

    const after = await scan({ root, config: config(), useGit: false, now: NOW });
    expect(after.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([]);
    expect(after.summary.suppressed).toBe(before.findings.length);
    expect(after.summary.findings).toBe(0);
    expect(after.diagnostics).toEqual([]);
    // Every finding moved down by at least one line; its fingerprint stayed.
    const moved = new Map(after.findings.map((f) => [f.fingerprint, f.line]));
    for (const f of before.findings) expect(moved.get(f.fingerprint)).toBeGreaterThan(f.line);
  });

  it('cover JavaScript, CRLF files, stacked directives and a command continued with backslashes', async () => {
    const result = await scanTree({
      'services/api/test/setup.test.js': `const core = makeClient();
await core.createNamespacedSecret({
  namespace: 'api-int-tests',
  body: {
    metadata: { name: 'api-db' },
    // footprint-ignore test-inline-secret -- throwaway database of the kind cluster
    stringData: { password: 'api-it-pass-2024' },
  },
});
`,
      'manifests/crlf.yaml': secret('crlf', '', '  # footprint-ignore inline-secret-manifest -- kept until the vault move\n').replace(/\n/g, '\r\n'),
      'manifests/stacked.yaml': secret('stacked', '', '  # footprint-ignore some-other-rule -- not this one\n  # footprint-ignore inline-secret-manifest -- stacked under another directive\n'),
      'scripts/build.sh': `#!/bin/sh
# footprint-ignore build-arg-token-passthrough -- nightly job, moved to BuildKit secrets in PLAT-9
docker build \\
  -t registry.example.com/api:nightly \\
  --build-arg NPM_TOKEN="$NPM_TOKEN" \\
  .
`,
    });
    const open = result.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.file}:${f.line}`);
    const suppressed = result.findings.filter((f) => f.suppressed).map((f) => `${f.ruleId} ${f.file}:${f.line}`);
    expect(suppressed).toEqual(
      expect.arrayContaining([
        'test-inline-secret services/api/test/setup.test.js:7',
        'inline-secret-manifest manifests/crlf.yaml:8',
        'inline-secret-manifest manifests/stacked.yaml:9',
        'build-arg-token-passthrough scripts/build.sh:5',
      ]),
    );
    expect(open.filter((o) => o.startsWith('inline-secret-manifest') || o.startsWith('test-inline-secret') || o.startsWith('build-arg-token-passthrough'))).toEqual([]);
    // The directive for another rule suppresses nothing, so it is stale; nothing else is.
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.code}`)).toEqual(['manifests/stacked.yaml:7:suppression-stale']);
  });

  it('do not reach past a blank line or a statement that ends without a backslash', async () => {
    const result = await scanTree({
      'scripts/build.sh': `#!/bin/sh
# footprint-ignore build-arg-token-passthrough -- only the first command

docker build --build-arg NPM_TOKEN="$NPM_TOKEN" .
`,
      'scripts/two.sh': `#!/bin/sh
# footprint-ignore build-arg-token-passthrough -- only the first command
echo building
docker build --build-arg NPM_TOKEN="$NPM_TOKEN" .
`,
    });
    const passthrough = result.findings.filter((f) => f.ruleId === 'build-arg-token-passthrough');
    expect(passthrough.map((f) => `${f.file}:${f.line}`).sort()).toEqual(['scripts/build.sh:4', 'scripts/two.sh:4']);
    expect(passthrough.filter((f) => f.suppressed)).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.code}`).sort()).toEqual(['scripts/build.sh:2:suppression-stale', 'scripts/two.sh:2:suppression-stale']);
  });
});

describe('[U] config suppression entries', () => {
  const entry = (fields: Record<string, unknown>) => ({ suppressions: [{ rule: 'inline-secret-manifest', reason: 'legacy stack, decommissioned in Q2', ...fields }] });

  it('need a reason of at least 10 characters and a rule', () => {
    expect(() => resolveConfig(entry({ reason: 'too short' }))).toThrow(/Invalid configuration/);
    expect(() => resolveConfig({ suppressions: [{ path: 'x/**', reason: 'legacy stack, decommissioned in Q2' }] })).toThrow(/Invalid configuration/);
  });

  it('need an expiry that is a calendar day', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-5', 'next week']) {
      expect(() => resolveConfig(entry({ expires: bad })), bad).toThrow(/Invalid configuration/);
    }
    expect(resolveConfig(entry({ expires: '2028-02-29' })).suppressions[0]!.expires).toBe('2028-02-29');
  });
});

describe('[I] suppressions written slightly wrong', () => {
  it('report an inline directive that cannot be read instead of ignoring it', async () => {
    const result = await scanTree({
      'manifests/a.yaml': secret('a', ' # footprint-ignore: inline-secret-manifest -- colon after the keyword'),
      'manifests/b.yaml': secret('b', ' # footprint-ignore inline-secret-manifest - single dash before the reason'),
      'manifests/c.yaml': secret('c', '', '  # footprint-ignore inline-secret-manifest hardcoded-credential -- rules without a comma\n'),
    });
    expect(result.findings.filter((f) => f.suppressed)).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.code}`).sort()).toEqual(['manifests/a.yaml:7:config', 'manifests/b.yaml:7:config', 'manifests/c.yaml:7:config']);
    expect(result.diagnostics[0]!.message).toContain('footprint-ignore needs a rule id and a reason');
  });

  it('read a config path that names a folder as everything below it', async () => {
    const files = { 'manifests/a.yaml': secret('a'), 'legacy/b.yaml': secret('b'), 'legacy-two/c.yaml': secret('c') };
    for (const path of ['legacy/', 'legacy', './legacy/**']) {
      const result = await scanTree(files, { suppressions: [{ rule: 'inline-secret-manifest', path, reason: 'legacy stack, decommissioned in Q2' }] });
      expect(result.findings.filter((f) => f.suppressed).map((f) => f.file), path).toEqual(['legacy/b.yaml']);
      expect(result.diagnostics, path).toEqual([]);
    }
    const exact = await scanTree(files, { suppressions: [{ rule: 'inline-secret-manifest', path: 'legacy/b.yaml', reason: 'legacy stack, decommissioned in Q2' }] });
    expect(exact.findings.filter((f) => f.suppressed).map((f) => f.file)).toEqual(['legacy/b.yaml']);
  });
});
