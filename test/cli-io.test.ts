import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stageOutput, writeOutput } from '../src/cli/commands/io.js';
import { writeReports } from '../src/cli/commands/scan.js';
import type { ScanResult } from '../src/types.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeOutput', () => {
  it('writes a regular file whole, through a temp file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-io-test-'));
    temps.push(dir);
    const file = path.join(dir, 'sub', 'out.json');
    writeOutput(file, '{"a":1}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(statSync(file).isFile()).toBe(true);
  });

  it('writes into a FIFO (as into /dev/null) in place instead of renaming a file over it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-io-test-'));
    temps.push(dir);
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise((resolve) => reader.on('close', resolve));
    writeOutput(fifo, 'report\n');
    await closed;
    expect(received).toBe('report\n');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('stages a report aside: in place only on commit, gone without a trace on discard', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-io-test-'));
    temps.push(dir);
    const kept = path.join(dir, 'kept.json');
    const dropped = path.join(dir, 'dropped.json');
    writeFileSync(dropped, 'old\n');
    const a = stageOutput(kept, 'new a\n');
    const b = stageOutput(dropped, 'new b\n');
    expect(existsSync(kept)).toBe(false);
    expect(readFileSync(dropped, 'utf8')).toBe('old\n');
    a.commit();
    b.discard();
    expect(readFileSync(kept, 'utf8')).toBe('new a\n');
    expect(readFileSync(dropped, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).sort()).toEqual(['dropped.json', 'kept.json']);
  });
});

describe('writeReports', () => {
  it('puts no report in place, and leaves no temp file, when a later format fails to render', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-io-test-'));
    temps.push(dir);
    // JSON renders anything; the Markdown reporter cannot read findings that are not a list.
    const broken = { schemaVersion: 1, summary: {}, findings: 'not a list', inventory: [], diagnostics: [] } as unknown as ScanResult;
    await expect(writeReports(broken, { 'out-dir': dir }, ['json', 'md'])).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
