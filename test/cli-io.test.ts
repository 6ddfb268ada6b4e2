import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeOutput } from '../src/cli/commands/io.js';

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
});
