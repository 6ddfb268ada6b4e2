import { describe, expect, it } from 'vitest';
import { parseYaml, YAML_PARSE_DEPTH_LIMIT, yamlNesting } from '../src/yaml/parse.js';

const depth = (text: string) => yamlNesting(text).depth;

describe('yamlNesting', () => {
  it('counts block mappings, compact sequences and flow collections', () => {
    expect(depth('a: 1\n')).toBe(1);
    expect(depth('a:\n  b:\n    c: 1\n')).toBe(3);
    expect(depth('- - - x\n')).toBe(4);
    expect(depth('a: [1, [2, {b: [3]}]]\n')).toBe(5);
    expect(depth('a: [1,\n  [2,\n   [3]]]\n')).toBe(4);
    // An upper bound: the root line counts as a level even when it holds a flow collection.
    expect(depth(`${'['.repeat(900)}${']'.repeat(900)}\n`)).toBe(901);
  });

  it('leaves brackets in quotes, plain scalars, comments and block scalars out', () => {
    expect(depth('a: "[[[[[[["\nb: \'{{{{\'\n')).toBe(1);
    expect(depth('regex: ^[a-z]+[[[\n')).toBe(1);
    expect(depth('a: 1 # [[[[[[\n')).toBe(1);
    expect(depth('script: |\n  if [[ -z "$X" ]]; then\n          deeply:\n                indented:\n                      text: [[[[\n  fi\nnext: 1\n')).toBe(1);
    expect(depth('a: "multi\n  line [[[[ quoted"\n')).toBe(1);
  });

  it('is not fooled by a comment that ends like a block scalar header', () => {
    const hidden = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}: # |`).join('\n');
    expect(depth(hidden)).toBe(300);
  });

  it('names the line where the text first nests past the limit', () => {
    const text = `a: 1\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n`;
    expect(yamlNesting(text)).toEqual({ depth: 300, line: 2 + YAML_PARSE_DEPTH_LIMIT });
  });

  it('keeps a text nested past the limit away from the parser', () => {
    const parsed = parseYaml(`${'['.repeat(YAML_PARSE_DEPTH_LIMIT)}${']'.repeat(YAML_PARSE_DEPTH_LIMIT)}\n`);
    expect(parsed.docs).toEqual([]);
    expect(parsed.refused).toEqual({ depth: YAML_PARSE_DEPTH_LIMIT + 1, line: 1 });
    const justBelow = parseYaml(`${'['.repeat(YAML_PARSE_DEPTH_LIMIT - 1)}${']'.repeat(YAML_PARSE_DEPTH_LIMIT - 1)}\n`);
    expect(justBelow.refused).toBeUndefined();
    expect(justBelow.docs).toHaveLength(1);
  });
});
