import { describe, expect, it } from 'vitest';
import { parseShell, recordCallChecks } from '../src/shell/index.js';
import { parseSimpleShell } from '../src/shell/simple.js';

const simple = (text: string, lineOffset = 0) => parseSimpleShell(text, lineOffset, recordCallChecks);

describe('parseSimpleShell', () => {
  it('reads plain commands, quotes, parameters, continuations and operators', () => {
    const script = simple('apt-get update \\\n  && apt-get install -y "$PKG" \'a b\' | tee log; [ -z "${T}" ] || set -eu # done\n', 4)!;
    expect(script.commands.map((c) => [c.name, c.words.map((w) => w.value), c.line, c.endLine, c.column, c.text, c.conditional, c.pipelineIndex])).toEqual([
      // The walker reads `\<newline> &&` as no && at all: the update is not conditional.
      ['apt-get', ['apt-get', 'update'], 5, 5, 1, 'apt-get update', false, 0],
      ['apt-get', ['apt-get', 'install', '-y', '$PKG', 'a b'], 6, 6, 6, 'apt-get install -y "$PKG" \'a b\'', false, 0],
      ['tee', ['tee', 'log'], 6, 6, 40, 'tee log', false, 1],
      ['[', ['[', '-z', '${T}', ']'], 6, 6, 49, '[ -z "${T}" ]', true, 0],
      ['set', ['set', '-eu'], 6, 6, 66, 'set -eu', false, 0],
    ]);
    expect(script.commands[1]!.words[3]).toEqual({ value: '$PKG', static: false, raw: '"$PKG"', line: 6, column: 25, params: ['PKG'], commandSubstitution: false });
    expect(script.checks).toEqual([{ variable: 'T', kind: 'test-empty', line: 6 }]);
    expect(script.nounset).toBe(true);
    expect(script).toEqual(parseShell('apt-get update \\\n  && apt-get install -y "$PKG" \'a b\' | tee log; [ -z "${T}" ] || set -eu # done\n', { lineOffset: 4, mvdan: true }));
    expect(script.functions).toEqual([]);
  });

  it('keeps the semicolon in the text of a lone statement, as mvdan-sh ends it', () => {
    expect(simple('a ; b && c;')!.commands.map((c) => c.text)).toEqual(['a ;', 'b', 'c']);
  });

  it('reads redirections as the walker does (operator, descriptor, target, statement text)', () => {
    const text = 'make 2>&1 >>"$LOG" && >out echo a \\\n  <in';
    const script = simple(text)!;
    expect(script.commands.map((c) => [c.text, c.line, c.column, c.endLine, c.redirects.map((r) => [r.op, r.fd, r.target.raw, r.line])])).toEqual([
      ['make 2>&1 >>"$LOG"', 1, 1, 1, [['>&', '2', '1', 1], ['>>', undefined, '"$LOG"', 1]]],
      ['>out echo a \\\n  <in', 1, 23, 2, [['>', undefined, 'out', 1], ['<', undefined, 'in', 2]]],
    ]);
    expect(script).toEqual(parseShell(text, { mvdan: true }));
  });

  it('reads assignments in front of a command, and bare ones', () => {
    const text = 'DEBIAN_FRONTEND=noninteractive EMPTY= apt-get install -y x=1; A="$B c"';
    const script = simple(text, 2)!;
    expect(script.commands.map((c) => [c.name, c.words.map((w) => w.raw), c.assignments.map((a) => [a.name, a.append, a.line, a.column, a.value?.raw, a.value?.column])])).toEqual([
      ['apt-get', ['apt-get', 'install', '-y', 'x=1'], [['DEBIAN_FRONTEND', false, 3, 1, 'noninteractive', 17], ['EMPTY', false, 3, 32, '', 38]]],
      [undefined, [], [['A', false, 3, 63, '"$B c"', 65]]],
    ]);
    for (const dialect of ['bash', 'posix'] as const) expect(script).toEqual(parseShell(text, { lineOffset: 2, dialect, mvdan: true }));
  });

  it('leaves everything beyond plain commands to mvdan-sh', () => {
    for (const text of ['A+=1 cmd', 'a[0]=1', 'A=(1 2)', 'export X=1', 'if a; then b; fi', 'echo $(date)', 'echo `date`', 'cat <<EOF\nx\nEOF', 'a <<< x', 'a >| f', 'a <> f', 'a"x"2>f', 'a &', 'echo ${A:-x}', 'echo $1', "echo $'x'", 'echo {a,b}', 'f() { a; }', 'echo é', 'a#b=c x', 'x[1]=2', 'echo[', 'a #x \\\nb', 'echo a\\\nb', 'a ;; b', 'a &&', '; a', "echo 'a'#b", '[[ -n $X ]]', 'echo "\\$x"', 'a\r\nb']) {
      expect(simple(text), text).toBeUndefined();
    }
    expect(simple('')).toEqual({ commands: [], checks: [], nounset: false, functions: [] });
  });

  it('gives what the mvdan-sh walker gives on every script it accepts', () => {
    const tokens = ['a', 'npm', 'ci', 'set', '-eu', '-o', 'nounset', '[', ']', 'test', '-z', '-n', '"$X"', '$Y', '${Z}', '"a b"', "'c d'", "'e\nf'", '"g\nh"', '""', "''", '*.txt', 'a=b', '~/x', '#c', 'x#y', ' ', ' ', '\t', '\n', ';', ' ; ', '&&', ' && ', ' || ', ' | ', '|', ' \\\n ', '\\\n', 'if', 'done', 'export', '{', '(', '>', '$1', '$(a)', '\\', '!', '&', ';;', 'a[0]=1', '$A[0]', '${A:-x}', '"${B}c"', '$', 'in', 'echo', '/var/lib/apt/lists/*', "'x'#", '$X#y', 'a#', '&& #c\n', '"a\n#b"', 'A+=1', '>', '>>', '<', '2>', '2>&1', '>&2', '>&-', ' > f', '>f', '<<', '>|', '12>', 'B=', 'C="x"', 'D=$E', 'A+='];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    for (let k = 0; k < 6000; k++) {
      let text = '';
      for (let j = 0, len = 1 + next(10); j < len; j++) text += tokens[next(tokens.length)];
      const lineOffset = next(4);
      const fast = simple(text, lineOffset);
      if (!fast) continue;
      accepted++;
      for (const dialect of ['bash', 'posix'] as const) expect(fast, JSON.stringify(text)).toEqual(parseShell(text, { lineOffset, dialect, mvdan: true }));
    }
    expect(accepted).toBeGreaterThan(300);
  });
});
