import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorEnabled, Progress, summaryTable } from '../src/cli/terminal.js';
import { cannedResult } from './helpers/report-fixtures.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const BIN = path.join(REPO_ROOT, 'dist', 'cli', 'bin.js');
const SCRIPT = '/usr/bin/script';

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = { isTTY, text: '', write(chunk: string) { stream.text += chunk; return true; } };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('[U] terminal colour', () => {
  it('is on for a terminal only, and off with NO_COLOR (any non-empty value) or TERM=dumb', () => {
    expect(colorEnabled(fakeStream(true), {})).toBe(true);
    expect(colorEnabled(fakeStream(false), {})).toBe(false);
    expect(colorEnabled(fakeStream(true), { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(fakeStream(true), { NO_COLOR: 'true' })).toBe(false);
    expect(colorEnabled(fakeStream(true), { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(fakeStream(true), { TERM: 'dumb' })).toBe(false);
  });

  it('paints only the severities that have findings, and nothing without colour', () => {
    const result = cannedResult('mixed');
    const painted = summaryTable(result, true);
    expect(painted).toContain('\x1b[1;31mcritical');
    expect(painted).not.toContain('\x1b[2minfo');
    const plain = summaryTable(result, false);
    expect(plain).not.toContain('\x1b[');
    expect(plain.replace(/\s+/g, ' ')).toContain(`critical ${result.summary.bySeverity.critical} high ${result.summary.bySeverity.high}`);
  });
});

describe('[U] progress bar', () => {
  it('draws and clears one line for a scan of many files', () => {
    const stream = fakeStream(true);
    const progress = new Progress(true, stream);
    progress.update('scanning', 0, 400);
    progress.update('scanning', 400, 400);
    progress.clear();
    const frames = stream.text.split('\r\x1b[2K').filter(Boolean);
    expect(frames).toEqual([`scanning [${'.'.repeat(24)}] 0/400`, `scanning [${'#'.repeat(24)}] 400/400`]);
    expect(stream.text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('stays silent when disabled (not a TTY, --quiet) and for a few files', () => {
    const off = fakeStream(true);
    const disabled = new Progress(false, off);
    disabled.update('scanning', 10, 400);
    disabled.clear();
    expect(off.text).toBe('');
    const few = fakeStream(true);
    const small = new Progress(true, few);
    small.update('scanning', 10, 50);
    small.clear();
    expect(few.text).toBe('');
  });
});

describe('[I] footprint scan on a terminal', () => {
  let work: string;

  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error('dist/cli/bin.js is missing: run "npm run build" (npm test does it first)');
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} (util-linux) is missing: it gives the CLI a pseudo-terminal for this test`);
    work = mkdtempSync(path.join(os.tmpdir(), 'footprint-tty-'));
    mkdirSync(path.join(work, 'repo', 'manifests'), { recursive: true });
    for (let i = 0; i < 240; i++) {
      writeFileSync(path.join(work, 'repo', 'manifests', `cm-${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  LOG_LEVEL: info\n`);
    }
    writeFileSync(
      path.join(work, 'repo', 'manifests', 'secret.yaml'),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: repo\n  namespace: argocd\nstringData:\n  password: ${['ghp', 'EXAMPLEexampleEXAMPLEexample00000000'].join('_')}\n`,
    );
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Run the CLI with its stdio on a pseudo-terminal; returns what the terminal showed. */
  function onTerminal(args: string[], env: Record<string, string | undefined>): string {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const out = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], { cwd: work, encoding: 'utf8', env: { ...process.env, TERM: 'xterm', ...env } });
    return out.stdout;
  }

  const args = ['scan', 'repo', '--no-git', '--no-cache', '--fail-on', 'none', '--output', 'r.json'];

  it('shows a progress bar and a coloured summary, and no colour with NO_COLOR', () => {
    const coloured = onTerminal(args, { NO_COLOR: undefined });
    expect(coloured).toMatch(/scanning \[#{24}\] 241\/241/);
    expect(coloured).toContain('\x1b[31mhigh');
    expect(coloured).toMatch(/inline-secret-manifest\s+1/);
    const plain = onTerminal(args, { NO_COLOR: '1' });
    expect(plain).toMatch(/scanning \[#{24}\] 241\/241/);
    expect(plain).not.toMatch(/\x1b\[[0-9;]*m/);
    expect(plain).toMatch(/high\s+1/);
  });

  it('prints nothing with --quiet', () => {
    expect(onTerminal([...args, '--quiet'], {})).toBe('');
  });
});
