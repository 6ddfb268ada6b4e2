import { writeSync } from 'node:fs';

/** Text is encoded and written this many UTF-16 units at a time. */
const SLICE = 1 << 20;

/**
 * Write TEXT to FD as UTF-8 a slice at a time: `writeSync(fd, text)` encodes the whole text into one buffer first (a
 * second copy of a 65 MB report at the end of a run, when memory peaks). A slice never ends between the two halves
 * of a surrogate pair, which would be encoded as two replacement characters.
 */
export function writeTextSync(fd: number, text: string): void {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + SLICE, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    writeAll(fd, Buffer.from(text.slice(start, end), 'utf8'));
    start = end;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Write every byte of BYTES to FD (a write may take fewer than it was given). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}
