/**
 * Random YAML texts in the shapes charts, values files and manifests are written in (and a few they should not
 * be): block maps and sequences in both sequence styles, plain, quoted, multi-line and block scalars, one-line flow
 * collections, comments and blank lines anywhere, several documents. Deterministic for a seed.
 */
// The bench generator's PRNG (mulberry32), so both draw from one implementation.
export { prng as mulberry32 } from '../../bench/generate.mjs';

const KEYS = ['name', 'password', 'x.y', 'app.kubernetes.io/name', 'key-with-dash', '1', 'true', 'null', '0x1F', 'a b', '__FPT3__', 'on', '-k', 'k:v', "it's"];
const PLAIN = [
  'foo',
  'foo bar',
  '123',
  '-5',
  '007',
  '0o17',
  '0x1F',
  '1.50',
  '1e3',
  '.inf',
  '-.Inf',
  '.NaN',
  'true',
  'False',
  '~',
  'null',
  'Yes',
  'http://host:8080/a?b=c',
  'a#b',
  'a, b',
  '[not flow',
  '-x',
  ':x',
  '__FPT12__-suffix',
  'v1.2.3',
  '2024-01-01',
  'a: b',
  'a:',
  '@x',
  '%x',
  '!tag x',
  '&anchor x',
  '*alias',
  '? x',
  '- x',
];
const QUOTED_INNER = ['', 'x y', "it''s", 'a: b', 'a # b', '\\t\\n\\u00e9\\x41\\\\\\"', 'long text with spaces ', ' lead', '{{ .Values.x }}', '\\q'];
const BLOCK_LINES = ['line one', 'line two', '', '  more indented', '# not a comment', 'key: value', '', 'last'];

export function randomYaml(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const step = chance(0.7) ? 2 : 4;
  const lines: string[] = [];
  const pad = (n: number) => ' '.repeat(Math.max(0, n));
  const noise = (indent: number) => {
    if (chance(0.1)) lines.push('');
    if (chance(0.08)) lines.push(pad(chance(0.5) ? indent : indent + step) + '# comment');
    if (chance(0.03)) lines.push(pad(indent + 1) + '   ');
  };
  const trailing = () => (chance(0.15) ? pick([' # c', '  #c', '#nocomment']) : '');

  const key = (): string => {
    const k = pick(KEYS);
    if (chance(0.15)) return `"${k.replace(/"/g, '\\"')}"`;
    if (chance(0.1)) return `'${k.replace(/'/g, "''")}'`;
    return k;
  };

  /** A value written after `prefix` (`key:` or `-`) on a line at INDENT; PARENT is the owning node's indent. */
  const value = (prefix: string, indent: number, depth: number): void => {
    const r = random();
    if (depth < 4 && r < 0.25) {
      lines.push(pad(indent) + prefix + trailing());
      noise(indent);
      block(indent + step, depth + 1, chance(0.5) ? 'map' : 'seq');
      return;
    }
    if (depth < 4 && r < 0.32 && prefix !== '-') {
      // Sequence in the key's own column.
      lines.push(pad(indent) + prefix);
      block(indent, depth + 1, 'seq');
      return;
    }
    if (r < 0.42) {
      const header = pick(['|', '|-', '|+', '>', '>-', '>+', '|2', '| # c']);
      lines.push(pad(indent) + `${prefix} ${header}`);
      const count = Math.floor(random() * 4);
      const contentIndent = indent + (chance(0.8) ? step : step + 2);
      for (let i = 0; i < count; i++) {
        const text = pick(BLOCK_LINES);
        lines.push(text === '' ? (chance(0.7) ? '' : pad(contentIndent + (chance(0.5) ? 2 : -1))) : pad(contentIndent) + text);
      }
      if (chance(0.2)) lines.push('');
      return;
    }
    if (r < 0.52) {
      const q = chance(0.5) ? '"' : "'";
      let inner = pick(QUOTED_INNER);
      if (q === "'") inner = inner.replace(/\\/g, '');
      if (chance(0.1)) inner += `\n${pad(indent + step)}continued`;
      lines.push(pad(indent) + `${prefix} ${q}${inner}${q}` + trailing());
      return;
    }
    if (r < 0.6) {
      const flow = pick(['[]', '{}', '[a, b]', '[1, "x", {k: v}]', '{a: 1, b: [x, y]}', '[a,]', '{a: }', '[a: b]', '{"k": v}', '[a, b', '[ a , b ]', '{ a: 1 }']);
      if (chance(0.5)) {
        lines.push(pad(indent) + `${prefix} ${flow}` + trailing());
        return;
      }
      // Across lines: breaks after any token, continuation lines at the parent's indent, past it or before it, the
      // closing bracket on a line of its own, now and then a blank or comment line in between.
      const tokens = flow.match(/[[\]{},]|[^[\]{},]+/g) ?? [flow];
      let line = pad(indent) + `${prefix} `;
      for (const token of tokens) {
        if (chance(0.3)) {
          lines.push(line.trimEnd());
          if (chance(0.05)) lines.push(chance(0.5) ? '' : pad(indent + step) + '# c');
          line = pad(Math.max(0, indent + pick([-1, 0, 1, step, step + 1])));
        }
        line += line.trim() === '' ? token.trimStart() : token;
      }
      lines.push(line + trailing());
      return;
    }
    if (r < 0.66) {
      // Multi-line plain.
      lines.push(pad(indent) + `${prefix} ${pick(PLAIN)}`);
      const more = 1 + Math.floor(random() * 2);
      for (let i = 0; i < more; i++) {
        if (chance(0.3)) lines.push('');
        lines.push(pad(indent + (chance(0.9) ? step : 0) + (chance(0.2) ? 1 : 0)) + pick(PLAIN) + (chance(0.1) ? ' # c' : ''));
      }
      return;
    }
    if (r < 0.7) {
      lines.push(pad(indent) + prefix + trailing());
      return;
    }
    lines.push(pad(indent) + `${prefix} ${pick(PLAIN)}` + trailing());
  };

  const block = (indent: number, depth: number, kind: 'map' | 'seq'): void => {
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) {
      noise(indent);
      if (kind === 'map') {
        value(`${key()}:`, indent, depth);
      } else if (depth < 4 && chance(0.3)) {
        // Compact map in a sequence item.
        const itemIndent = indent + 2;
        value(`- ${key()}:`, indent, depth + 1);
        const more = Math.floor(random() * 3);
        for (let j = 0; j < more; j++) value(`${key()}:`, itemIndent, depth + 1);
      } else if (depth < 4 && chance(0.1)) {
        lines.push(pad(indent) + `- - ${pick(PLAIN)}`);
        lines.push(pad(indent + 2) + `- ${pick(PLAIN)}`);
      } else {
        value('-', indent, depth);
      }
    }
  };

  const docs = 1 + (chance(0.3) ? Math.floor(random() * 3) : 0);
  for (let d = 0; d < docs; d++) {
    if (d > 0 || chance(0.3)) lines.push(pick(['---', '---', '--- # doc', '...\n---']));
    if (chance(0.05)) continue;
    if (chance(0.1)) lines.push(pick(PLAIN));
    else block(chance(0.9) ? 0 : 2, 0, chance(0.8) ? 'map' : 'seq');
  }
  if (chance(0.05)) lines.push('...');
  return lines.join('\n') + (chance(0.85) ? '\n' : '');
}
