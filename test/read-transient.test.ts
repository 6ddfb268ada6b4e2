import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBytesTransient } from '../src/scan/read.js';

const root = mkdtempSync(path.join(tmpdir(), 'fp-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function text(outcome: ReturnType<typeof readBytesTransient>): string {
  if (!outcome.ok) throw new Error(outcome.diagnostic.message);
  return outcome.buffer.toString('utf8');
}

describe('readBytesTransient', () => {
  it('reads a file of the stated size', () => {
    writeFileSync(path.join(root, 'a.yaml'), 'kind: Secret\n');
    expect(text(readBytesTransient(root, 'a.yaml', 13))).toBe('kind: Secret\n');
  });

  it('reads an empty file', () => {
    writeFileSync(path.join(root, 'empty'), '');
    expect(text(readBytesTransient(root, 'empty', 0))).toBe('');
  });

  it('reads files larger than its starting buffer, then small ones again, each whole and alone', () => {
    const big = 'x'.repeat(200_000) + 'END';
    writeFileSync(path.join(root, 'big.txt'), big);
    writeFileSync(path.join(root, 'small.txt'), 'tiny');
    expect(text(readBytesTransient(root, 'big.txt', big.length))).toBe(big);
    expect(text(readBytesTransient(root, 'small.txt', 4))).toBe('tiny');
  });

  it('reads no more than the stated size of a file that grew since its stat, and what is left of one that shrank', () => {
    writeFileSync(path.join(root, 'grew.txt'), 'password: a\npassword: b\n');
    expect(text(readBytesTransient(root, 'grew.txt', 12))).toBe('password: a\n');
    writeFileSync(path.join(root, 'shrank.txt'), 'abc');
    expect(text(readBytesTransient(root, 'shrank.txt', 10))).toBe('abc');
  });

  it('reports a file that is gone as unreadable instead of throwing', () => {
    const outcome = readBytesTransient(root, 'missing.yaml', 5);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.diagnostic.code).toBe('unreadable');
  });
});
