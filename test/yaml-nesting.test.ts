import { describe, expect, it } from 'vitest';
import { parseYaml, YAML_PARSE_DEPTH_LIMIT, yamlNesting } from '../src/yaml/parse.js';
import { scanYaml } from '../src/yaml/nesting.js';

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

describe('scanYaml uncommented text', () => {
  const uncommented = (text: string) => scanYaml(text).uncommented;

  it('empties whole-line comments between nodes and keeps every line', () => {
    expect(uncommented('## @param a the a\n## more\na: 1\n  # indented\nb:\n  # first child doc\n  c: 2\n# trailing\n')).toBe('\n\na: 1\n  \nb:\n  \n  c: 2\n\n');
    expect(uncommented('list:\n  # item doc\n  - x\n  # between\n  - y\n')).toBe('list:\n  \n  - x\n  \n  - y\n');
  });

  it('keeps lines that are content: block scalars, quoted scalars, flow collections', () => {
    const literal = 'script: |\n  # a shell comment, part of the value\n  echo hi\nnext: 1\n';
    expect(uncommented(literal)).toBe(literal);
    const folded = 'k: >\n  text\n  # still text\nnext: 1\n';
    expect(uncommented(folded)).toBe(folded);
    const quoted = 'k: "multi\n  # in the quote\n  end"\n';
    expect(uncommented(quoted)).toBe(quoted);
    const flow = 'k: [1,\n  # c\n  2]\n';
    expect(uncommented(flow)).toBe(flow);
  });

  it('keeps a comment that ends a multi-line plain scalar (removing it would join the lines)', () => {
    const plain = 'key: this is\n  # ends the scalar\n  continued\n';
    expect(uncommented(plain)).toBe(plain);
    const continued = 'a: x\n  y\n# c\n  z: 1\n';
    expect(uncommented(continued)).toBe(continued);
  });

  it('parses to the same tree, positions included', () => {
    const text = '# header\napiVersion: v1\nkind: Secret\nmetadata:\n  # the name\n  name: db\nstringData:\n  ## @param password\n  password: x\n  script: |\n    # kept\n    run\n';
    expect(scanYaml(text).uncommented).not.toBe(text);
    const fromUncommented = parseYaml(text);
    expect(fromUncommented.docs[0]!.error).toBeUndefined();
    expect(JSON.stringify(fromUncommented.docs)).toContain('"key":"password","line":9,"column":3');
    expect(JSON.stringify(fromUncommented.docs)).toContain('# kept');
  });
});
