import { describe, expect, it } from 'vitest';
import { exactJson } from '../src/util/json.js';

describe('exactJson', () => {
  it('gives JSON for plain trees, object members that are undefined included (JSON drops them, reading gives undefined back)', () => {
    const tree = { t: 'map', entries: [{ key: 'a', value: { t: 'scalar', value: 1.5, style: 'plain' } }], none: null, gone: undefined, ok: true };
    expect(exactJson(tree)).toBe(JSON.stringify(tree));
    expect(JSON.parse(exactJson(tree)!)).toEqual(tree);
    expect(exactJson(Object.assign(Object.create(null), { a: 1 }))).toBe('{"a":1}');
  });

  it('refuses what JSON would not give back exactly', () => {
    for (const value of [NaN, Infinity, { a: -Infinity }, [1, undefined], new Date(0), new Map(), { a: 10n }, { f: () => 1 }, Symbol('s'), undefined]) {
      expect(exactJson(value)).toBeUndefined();
    }
    class Node {
      x = 1;
    }
    expect(exactJson({ deep: [[{ node: new Node() }]] })).toBeUndefined();
  });

  it('ends on a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(exactJson(a)).toBeUndefined();
  });
});
