import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { preprocessHelmTemplate, restorePlaceholders } from '../src/analyzers/helm/gotemplate.js';
import { yamlRole } from '../src/analyzers/yaml.js';
import { blankCrdBodies } from '../src/yaml/crd.js';
import { readYamlFast, resolvePlain } from '../src/yaml/fast.js';
import { scanYaml } from '../src/yaml/nesting.js';
import { parseYaml } from '../src/yaml/parse.js';
import { mulberry32, randomYaml } from './helpers/yaml-fuzz.js';

const OPTIONS = { text: (s: string) => s, maxDepth: 200 };

/** The yaml library's reading, or undefined when it reports an error (the fast reader must then give up). */
function library(text: string, restore?: (s: string) => string) {
  const parsed = parseYaml(text, { fast: false, restore });
  if (parsed.docs.some((d) => d.error) || parsed.aliasLimitHit || parsed.tooDeep) return undefined;
  return parsed.docs;
}

/** Compares the two readers on TEXT: 'fast' when the fast reader answered (identically), 'gave-up' otherwise. */
function compare(text: string, restore?: (s: string) => string): 'fast' | 'gave-up' {
  const expected = library(text, restore);
  const fast = readYamlFast(text, restore ? { ...OPTIONS, text: restore } : OPTIONS);
  if (expected === undefined) {
    expect(fast, `fast reader accepted text the library rejects:\n${text}`).toBeUndefined();
    return 'gave-up';
  }
  if (fast === undefined) return 'gave-up';
  if (!isDeepStrictEqual(fast, expected)) {
    throw new Error(`fast reader differs from the library on ${JSON.stringify(text)}: ${JSON.stringify(firstDifference(fast, expected))}`);
  }
  return 'fast';
}

function firstDifference(fast: unknown, expected: unknown, path = ''): { path: string; fast?: unknown; library?: unknown } | undefined {
  if (isDeepStrictEqual(fast, expected)) return undefined;
  if (typeof fast !== 'object' || typeof expected !== 'object' || fast === null || expected === null) return { path, fast, library: expected };
  const a = fast as Record<string, unknown>;
  const b = expected as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const found = firstDifference(a[key], b[key], `${path}.${key}`);
    if (found) return found;
  }
  return { path };
}

describe('fast YAML reader', () => {
  const accepted = [
    'a: 1\n',
    '---\na: 1\n',
    'a: 1\n---\n',
    '---\n---\n',
    '--- # doc\na: 1\n...\n---\nb: 2\n',
    'a:\nb: 2\n',
    'a:   # c\nb:\n',
    'a:\n  - x\n  - y\nb: |\n  foo\n\n  bar\n\n\nc: z',
    'k:\n- 1\n- 2\n',
    '-\n- a\n-   # c\n',
    'x:\n  - # c\ny: 1\n',
    'x:\n  a: # c\ny: 1\n',
    '--- # doc\n',
    '---   \n',
    'a: |\n  foo',
    'a:\n  b:\n    c: d\n\n# x\ne: f\n',
    '- a\n- b: c\n  d: e\n- - x\n  - y\n',
    'a: [1, "x", {b: c}]\nd: {}\ne: []\n',
    `"a b": 'x y'\n'c': "q\\tz\\u00e9"\n`,
    'a: 1 # c\nb: x #y\nc: x#y\n',
    'a: >\n  foo\n  bar\n\n  baz\n    more\n  end\n',
    'a: |-\n  x\n\n',
    'a: |+\n  x\n\n\nb: 1',
    'a: |\nb: 1\n',
    'a: |\n\n\nb: 1\n',
    'x:\n  a: |-\n\n   \n\n  b: 1\n',
    'x:\n  a: |+\n\n\n  b: 1\n',
    'data:\n  a.conf: |\n\n\n',
    'a: foo\n  bar\n\n  baz\nb: 1\n',
    'a: foo\n  bar # c\nb: 1',
    '- foo\n  bar\n- x\n',
    'a:\n  foo\n  bar\n',
    'a: 0x1F\nb: 007\nc: 1.50\nd: .inf\ne: ~\nf: Yes\ng: -0\n1: x\nnull: y\n1.0: z\n',
    'url: http://host:8080/path?x=y\nmsg: a, b [c] {d}\n',
    'scalar at the root\n',
    // A root mapping's range ends with its last empty value despite the comment line (a root sequence's does not).
    'a: |\n  x\n# c\nb:\n',
    // Continuation lines of a plain scalar that start with an indicator: content, as in the library's lexer.
    'cmd: install_packages x\n  && openssl req\n    -subj "/CN=$(hostname)"\n  | tee -a log\n  > /dev/null\n',
    'a: x\n  &y\nb: x\n  *y\nc: x\n  !y\nd: x\n  - y\ne: x\n  ? y\nf: x\n  :y\n',
    'a: x\n  "y"\nb: x\n  \'y\nc: x\n  [y\nd: x\n  {y\ne: x\n  ]y\nf: x\n  }y\ng: x\n  ,y\n',
    'a: x\n  %y\nb: x\n  @y\nc: x\n  `y\nd: x\n  -\ne: x\n  |\nf: x\n  ---\ng: x\n  ...\n',
    'x\n&y\n%z\n- w\n',
    '- x\n  - y\n- - x\n    - y\n- x\n  &a y\n',
    'a: x\n\n  && y # c\nb:\n  x\n  && y\n',
    'a: x\n  "y\n  z"\nb: x\n  [a, b]\n',
    // Flow collections across lines: continuation lines past the enclosing block's indent, the outermost closing
    // bracket at it.
    'a: [1,\n  2]\n',
    'args: [\n  "a",\n  "b"\n]\n',
    'a:\n  args: [\n    x,\n    y\n  ]\n  b: 1\n',
    '- [\n a,\n b]\n- [x,\n  {k: v,\n   l: [w]}]\n',
    '[\na,\nb\n]\n',
    'k: [a\n  , b]\n',
    'a: [x,\n  y] # c\nb: 1\n',
    'k: [a,\n\n  b]\n',
    'k: [a, # c\n  b]\n',
    'command: [\n  "/bin/sh", "-ec",\n  # a sleep first\n  "sleep 5",\n  ]\nx: 1\n',
  ];
  it.each(accepted)('reads %j exactly as the yaml library does', (text) => {
    expect(compare(text)).toBe('fast');
  });

  const left = [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: "x\n  y"\n',
    // Flow collections across lines with a comment line at the enclosing block's indent, a break between a key and
    // its value, or a line not indented enough (an error).
    'k: [a,\n# c\n  b]\n',
    'k: {a:\n  1}\n',
    'a:\n  - [x,\n  y]\n',
    'a: [[x,\n], z]\n',
    '? complex\n: key\n',
    'a: x\n  : y\n',
    'a: x\n  y: z\n',
    'a: x\n  - y: z\n',
    'a: x\n  {a: b}\n',
    'a:\n\tb: 1\n',
    'a: 1\r\nb: 2\r\n',
    'a: b: c\n',
    'a: 1\n  b: 2\n',
    'a: |2\n   x\n',
    '<<: {a: 1}\n',
    '\uFEFFa: 1\n',
    // A root sequence whose last item is empty, after a comment line that follows a block, multi-line or own-line
    // scalar: the library's range of the sequence takes in the line break.
    '- |\n  x\n# c\n-\n',
    '- x\n  y\n# c\n-\n',
    '-\n  x\n# c\n-\n',
    '- a: |\n    x\n# c\n-\n',
    '1e3\n--- # doc\n- -5\n  a, b\n# comment\n-\n',
  ];
  it.each(left)('leaves %j to the yaml library', (text) => {
    expect(readYamlFast(text, OPTIONS)).toBeUndefined();
    expect(parseYaml(text).docs).toEqual(parseYaml(text, { fast: false }).docs);
  });

  // Comment lines that the fast reader's guards leave to the library, but that the library never reads (parseYaml
  // empties them first): parseYaml reads the emptied text fast, with the library's tree for it.
  const uncommented = [
    'spec:\n  policyTypes:\n    - Ingress\n  egress:\n    # Allow dns\n    - ports:\n        - port: 53\n  ingress:\n',
    'spec:\n  policyTypes:\n    - Ingress\n  egress:\n    # Allow dns\n    - ports:\n        - port: 53\n  ingress:\nnext: 1\n',
    'a:\n  b:\n    - x\n        # deeper\n  d: 1\n',
    'a:\n  b:\n    - x\n      # deeper\n    - y\n  d:\n',
    'a:\n  - x\n  # c\n  -\n',
    'a:\n  b: |\n    x\n    # c\n  e:\n  # trailing\n',
  ];
  it.each(uncommented)('reads %j fast once its unread comment lines are emptied, as the yaml library does', (text) => {
    expect(readYamlFast(text, OPTIONS)).toBeUndefined();
    const emptied = scanYaml(text).uncommented;
    expect(emptied).not.toBe(text);
    expect(compare(emptied)).toBe('fast');
    expect(parseYaml(text)).toEqual(parseYaml(text, { fast: false }));
  });

  // Comment lines the library does read (they stay in the emptied text): still the library's.
  const kept = ['a:\n  b: foo\n    bar\n    # c\n  d:\n', 'a:\n  b: |\n    x\n  # c\n  e:\n'];
  it.each(kept)('leaves %j to the yaml library, comments and all', (text) => {
    expect(readYamlFast(scanYaml(text).uncommented, OPTIONS)).toBeUndefined();
    expect(parseYaml(text)).toEqual(parseYaml(text, { fast: false }));
  });

  it('parseYaml (fast reader, then the fast reader on the emptied text, then the library) equals the library alone on 10,000 random documents', () => {
    let random = mulberry32(0);
    let second = 0;
    for (let i = 0; i < 10_000; i++) {
      if (i % 2500 === 0) random = mulberry32(20261130 + i);
      const text = randomYaml(random);
      const expected = parseYaml(text, { fast: false });
      const actual = parseYaml(text);
      if (!isDeepStrictEqual(actual, expected)) throw new Error(`parseYaml differs from the library on ${JSON.stringify(text)}: ${JSON.stringify(firstDifference(actual, expected))}`);
      if (readYamlFast(text, OPTIONS) === undefined && !expected.docs.some((d) => d.error)) {
        const emptied = scanYaml(text).uncommented;
        if (emptied !== text && readYamlFast(emptied, OPTIONS) !== undefined) second++;
      }
    }
    expect(second).toBeGreaterThan(0);
  });

  it('resolves plain scalars by the YAML 1.2 core schema', () => {
    expect(['~', 'null', 'NULL', 'true', 'False', 'Yes', '0o17', '+12', '0x1F', '1e3', '-.Inf', '1.50', '1.2.3', '-0'].map(resolvePlain)).toEqual([
      null,
      null,
      null,
      true,
      false,
      'Yes',
      15,
      12,
      31,
      1000,
      Number.NEGATIVE_INFINITY,
      1.5,
      '1.2.3',
      -0,
    ]);
    expect(Number.isNaN(resolvePlain('.nan'))).toBe(true);
  });

  it('answers with the nesting limit of parseYaml, giving up past it', () => {
    expect(readYamlFast('a:\n  b:\n    c: 1\n', { ...OPTIONS, maxDepth: 1 })).toBeUndefined();
    expect(readYamlFast('a:\n  b:\n    c: 1\n', { ...OPTIONS, maxDepth: 3 })).toBeDefined();
  });

  it('agrees with the yaml library on 10,000 random documents, and reads most of them itself', () => {
    let fast = 0;
    let valid = 0;
    let random = mulberry32(0);
    for (let i = 0; i < 10_000; i++) {
      // Four seeds, so a change that only breaks rare shapes still meets some.
      if (i % 2500 === 0) random = mulberry32(20261129 + i);
      const text = randomYaml(random);
      const outcome = compare(text);
      if (library(text) !== undefined) valid++;
      if (outcome === 'fast') fast++;
    }
    // The generator writes invalid YAML on purpose; of the valid documents the fast reader takes most.
    expect(valid).toBeGreaterThan(4000);
    expect(fast / valid).toBeGreaterThan(0.5);
  });

  it("agrees with the yaml library on every YAML file of the repository's fixtures, templates through the Helm front end", () => {
    const root = join(import.meta.dirname, '..');
    const files = fg.sync(['fixtures/**/*.{yaml,yml}', 'test/fixtures/**/*.{yaml,yml}'], { cwd: root, dot: true });
    expect(files.length).toBeGreaterThan(200);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      if (yamlRole(file) === 'template') {
        const frontEnd = preprocessHelmTemplate(text);
        if (compare(blankCrdBodies(frontEnd.yaml), (s) => restorePlaceholders(s, frontEnd)) === 'fast') fast++;
      } else if (compare(blankCrdBodies(text)) === 'fast') fast++;
    }
    expect(fast / files.length).toBeGreaterThan(0.9);
  });
});
