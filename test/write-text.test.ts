import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTextSync } from '../src/util/write-text.js';
import { tempDirs } from './helpers/temp.js';

const tempDir = tempDirs('fp-write-text-');
const SLICE = 1 << 20;

function written(text: string): Buffer {
  const file = path.join(tempDir(), 'out.txt');
  const fd = openSync(file, 'w');
  writeTextSync(fd, text);
  closeSync(fd);
  return readFileSync(file);
}

describe('writeTextSync', () => {
  it('writes the UTF-8 of a text of several slices, a surrogate pair across each slice boundary', () => {
    // '😀' is two UTF-16 units: placed so that a cut at every SLICE units falls between its halves.
    const pair = '😀';
    const text = `${'a'.repeat(SLICE - 1)}${pair}${'é'.repeat(SLICE - 2)}${pair}ünïcode ${pair}`;
    expect(text.charCodeAt(SLICE - 1)).toBe(pair.charCodeAt(0));
    const bytes = written(text);
    expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(bytes.includes(Buffer.from('\uFFFD', 'utf8'))).toBe(false);
  });

  it('writes a short text and an empty one as they are', () => {
    expect(written('{"a":1}\n').toString('utf8')).toBe('{"a":1}\n');
    expect(written('').length).toBe(0);
  });
});
