import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import type { UserConfig } from '../src/config/types.js';
import { resultProblems } from '../src/result/validate.js';
import { scan } from '../src/scan/run.js';
import { parseInlineDirectives } from '../src/suppress/inline.js';
import type { ScanResult } from '../src/types.js';

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
