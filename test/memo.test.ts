import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../src/util/memo.js';

describe('BoundedMemo', () => {
  it('computes an answer once per key and replays it', () => {
    const calls: string[] = [];
    const memo = new BoundedMemo<string, number>(10);
    const length = (key: string) => {
      calls.push(key);
      return key.length;
    };
    expect([memo.get('abc', length), memo.get('abc', length), memo.get('de', length)]).toEqual([3, 3, 2]);
    expect(calls).toEqual(['abc', 'de']);
  });

  it('starts over once it holds its limit, and remembers false answers', () => {
    const calls: string[] = [];
    const memo = new BoundedMemo<string, boolean>(2);
    const isA = (key: string) => {
      calls.push(key);
      return key === 'a';
    };
    memo.get('a', isA);
    memo.get('b', isA);
    memo.get('b', isA);
    memo.get('c', isA); // full: dropped a and b, keeps c
    memo.get('c', isA);
    memo.get('a', isA);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
