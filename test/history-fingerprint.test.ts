import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { fingerprint } from '../src/scan/collector.js';
import { scan } from '../src/scan/run.js';
import type { Finding } from '../src/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'footprint-fp-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

function secret(password: string, { header = '', name = 'repo-platform-gitops' } = {}): string {
  return `${header}apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: argocd
stringData:
  username: platform-bot
  password: ${password}
`;
}

async function findingsOf(files: Record<string, string>, key?: string): Promise<Finding[]> {
  const root = tree(files);
  const config = resolveConfig(key ? { fingerprintKey: key } : {});
  const result = await scan({ root, config, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
  return result.findings.filter((f) => f.ruleId === 'inline-secret-manifest');
}

const FILE = 'environments/dev/argocd/repo.yaml';
const VALUE = 'ghp_EXAMPLEexampleEXAMPLEexample00000000';

describe('[I] fingerprints v1', () => {
  it('keep their value when lines are inserted above the finding', async () => {
    const [before] = await findingsOf({ [FILE]: secret(VALUE) });
    const [after] = await findingsOf({ [FILE]: secret(VALUE, { header: '# moved down\n# by a comment block\n\n---\n' }) });
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after!.line).toBe(before!.line + 4);
    expect(after!.fingerprint).toBe(before!.fingerprint);
    expect(before!.fingerprint).toMatch(/^v1:[0-9a-f]{64}$/);
  });

  it('change when the secret value changes at the same place', async () => {
    const [before] = await findingsOf({ [FILE]: secret(VALUE) });
    const [after] = await findingsOf({ [FILE]: secret('ghp_ROTATEDrotatedROTATEDrotated11111111') });
    expect(after!.line).toBe(before!.line);
    expect(after!.fingerprint).not.toBe(before!.fingerprint);
  });

  it('change with the file, the rule and the logical location, and with the key', async () => {
    const [base] = await findingsOf({ [FILE]: secret(VALUE) });
    const [moved] = await findingsOf({ ['environments/dev/argocd/other.yaml']: secret(VALUE) });
    const [renamed] = await findingsOf({ [FILE]: secret(VALUE, { name: 'repo-other' }) });
    const [keyed] = await findingsOf({ [FILE]: secret(VALUE) }, 'team-secret-key');
    const prints = [base, moved, renamed, keyed].map((f) => f!.fingerprint);
    expect(new Set(prints).size).toBe(4);
  });

  it('never contain the value, and are a pure function of their inputs', () => {
    const a = fingerprint('r', 'f.yaml', 'Secret/ns/n#stringData.password', 'hunter2', 'k');
    expect(a).toBe(fingerprint('r', 'f.yaml', 'Secret/ns/n#stringData.password', 'hunter2', 'k'));
    expect(a).not.toContain('hunter2');
    expect(a).not.toBe(fingerprint('r', 'f.yaml', 'Secret/ns/n#stringData.password', 'hunter3', 'k'));
    expect(a).not.toBe(fingerprint('r', 'f.yaml', 'Secret/ns/n#stringData.password', 'hunter2', 'other-key'));
    expect(fingerprint('r', 'f.yaml', 'loc', undefined, 'k')).not.toBe(fingerprint('r', 'f.yaml', 'loc', '', 'k'));
  });
});
