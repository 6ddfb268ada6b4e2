import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { createRule } from '../src/rules/create-rule.js';
import { RULES } from '../src/rules/index.js';
import { scan } from '../src/scan/run.js';
import { resultProblems } from '../src/result/validate.js';
import type { ScanResult } from '../src/types.js';

const SECRET = 'Zq9-bad-input-secret-value-71';
let root: string;
let result: ScanResult;

function write(rel: string, content: string | Buffer): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'footprint-bad-'));
  write('manifests/binary.yaml', Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02, 0xff]));
  write('manifests/huge.yaml', `a: "${'x'.repeat(60_000)}"\n`);
  write('manifests/latin1.yaml', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  write('manifests/alias-bomb.yaml', `${bomb.join('\n')}\n`);
  write('manifests/deep.yaml', `${'['.repeat(900)}${']'.repeat(900)}\n`);
  // Anchors belong to their document: an alias to another document's anchor, or to none, is an error to YAML readers.
  write('manifests/cross-document-alias.yaml', `x-common: &pw ${SECRET}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: aliased\nstringData:\n  password: *pw\n  token: *nowhere\n`);
  write('test/deep.test.ts', `const x = process.env.DB_PASSWORD ?? ${'('.repeat(20000)}'x'${')'.repeat(20000)};\n`);
  write('Tiltfile', `docker_build('app', '.', build_args=${'['.repeat(20000)}${']'.repeat(20000)})\n`);
  write('manifests/broken.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: broken\nstringData:\n  password: ${SECRET}\n  - not: valid\n`);
  write('charts/app/templates/secret.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include "app.fullname" . \nstringData:\n  password: ${SECRET}\n`);
  write('manifests/duplicate-keys.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: dup\nstringData:\n  password: ${SECRET}\n  password: ${SECRET}-2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup-cm}\ndata:\n  a: 1\n  a: 2\n`);
  write('manifests/good.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: good\nstringData:\n  password: ${SECRET}\n`);
  write('manifests/crlf-bom.yaml', `\uFEFFapiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: crlf\r\nstringData:\r\n  token: ${SECRET}\r\n`);
  symlinkSync('loop-b.yaml', path.join(root, 'manifests', 'loop-a.yaml'));
  symlinkSync('loop-a.yaml', path.join(root, 'manifests', 'loop-b.yaml'));
  symlinkSync('missing-target.yaml', path.join(root, 'manifests', 'dangling.yaml'));
  execFileSync('mkfifo', [path.join(root, 'manifests', 'fifo.yaml')]);
  const crashing = createRule(
    { id: 'always-crashes', family: 'test', defaultSeverity: 'low', description: 'crashes', why: 'test', allowed: 'test', remediation: 'test' },
    (context) => context.each(context.project.resources, (r) => r.file, () => {
      throw new Error(`boom at /var/lib/someone/private/path with ${SECRET.slice(0, 3)}`);
    }),
  );
  result = await scan({ root, useGit: false, config: resolveConfig({ maxFileSize: 50_000 }), rules: [...RULES, crashing], now: new Date('2026-01-01T00:00:00Z') });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function codesFor(file: string): string[] {
  return result.diagnostics.filter((d) => d.file === file).map((d) => d.code);
}

describe('bad input', () => {
  it('produces a schema-valid result', () => {
    expect(resultProblems(result)).toEqual([]);
  });

  it('gives every bad file a diagnostic and goes on', () => {
    expect(codesFor('manifests/binary.yaml')).toEqual(['binary']);
    expect(codesFor('manifests/huge.yaml')).toEqual(['too-large']);
    expect(codesFor('manifests/latin1.yaml')).toEqual(['encoding']);
    expect(codesFor('manifests/alias-bomb.yaml')).toContain('alias-limit');
    expect(codesFor('manifests/deep.yaml')).toEqual(['too-deep']);
    expect(codesFor('test/deep.test.ts')).toEqual(['too-deep']);
    expect(codesFor('Tiltfile')).toEqual(['too-deep']);
    expect(codesFor('manifests/broken.yaml')).toContain('parse-error');
    expect(result.diagnostics.filter((d) => d.file === 'manifests/cross-document-alias.yaml' && d.code !== 'rule-crash').map((d) => [d.code, d.line, d.message])).toEqual([
      ['parse-error', 8, 'YAML does not parse (alias *pw names no anchor before it in its document); best-effort kind/name/keys kept'],
    ]);
    expect(codesFor('charts/app/templates/secret.yaml')).toContain('parse-error');
    expect(codesFor('manifests/loop-a.yaml')).toEqual(['symlink-loop']);
    expect(codesFor('manifests/dangling.yaml')).toEqual(['dangling-symlink']);
    expect(codesFor('manifests/fifo.yaml')).toEqual(['unreadable']);
    // Never opened (a named pipe blocks its reader until someone writes), and said what it is.
    expect(result.diagnostics.find((d) => d.file === 'manifests/fifo.yaml')?.message).toBe('Not a regular file but a named pipe; not read');
  });

  it('still finds what good files hold, including CRLF + BOM files', () => {
    const found = result.findings.filter((f) => f.ruleId === 'inline-secret-manifest').map((f) => `${f.file}:${f.line}`);
    expect(found).toEqual(expect.arrayContaining(['manifests/crlf-bom.yaml:6', 'manifests/good.yaml:6']));
  });

  it('reads files with duplicate keys: every occurrence of a duplicated credential key is checked', () => {
    const dup = result.findings.filter((f) => f.file === 'manifests/duplicate-keys.yaml');
    expect(dup.map((f) => [f.ruleId, f.line, f.endLine])).toEqual([['inline-secret-manifest', 6, 7]]);
    expect(result.inventory.filter((e) => e.file === 'manifests/duplicate-keys.yaml').map((e) => e.name)).toEqual(['dup']);
  });

  it('keeps best-effort inventory for files that do not parse', () => {
    expect(result.inventory.map((e) => `${e.file} ${e.kind} ${e.name}`)).toEqual(expect.arrayContaining(['manifests/broken.yaml Secret broken']));
  });

  it('turns a throwing rule into rule-crash diagnostics without paths or values', () => {
    const crashes = result.diagnostics.filter((d) => d.code === 'rule-crash');
    expect(crashes.length).toBeGreaterThan(0);
    expect(crashes.every((d) => d.ruleId === 'always-crashes')).toBe(true);
    expect(JSON.stringify(crashes)).not.toContain('/var/lib/someone');
  });

  it('counts scanned, skipped and failed files', () => {
    expect(result.summary.files.skipped).toBe(6);
    expect(result.summary.files.failed).toBeGreaterThanOrEqual(3);
    expect(result.summary.files.scanned).toBeGreaterThanOrEqual(6);
  });

  it('never puts a secret value or an absolute path in the output', () => {
    const text = JSON.stringify(result);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(root);
  });
});

describe('custom resource definitions', () => {
  it('never inventories a CRD as the kind it defines', async () => {
    const dir = path.join(__dirname, 'fixtures', 'rules', 'sealed-secret-manifest', 'ok.crd-defines-the-kind');
    const crdResult = await scan({ root: dir, useGit: false });
    expect(crdResult.inventory).toEqual([]);
    expect(crdResult.findings).toEqual([]);
  });
});
