import { describe, expect, it } from 'vitest';
import { checkedVariables, MAX_SHELL_SOURCE, parseShell, staticArgs } from '../src/shell/index.js';
import { child, children, nodeType, shSyntax, str, unwrap, type ShNode } from '../src/shell/mvdan.js';

describe('parseShell', () => {
  it('reports a script over the size limit instead of parsing it with mvdan-sh', () => {
    const big = 'if [ -n "$NPM_TOKEN" ]; then docker build --build-arg NPM_TOKEN=$NPM_TOKEN . ; fi\n'.repeat(Math.ceil(MAX_SHELL_SOURCE / 60));
    const script = parseShell(big, { lineOffset: 9 });
    expect(script.tooLarge).toBe(true);
    expect(script.commands).toEqual([]);
    expect(script.error).toEqual({ message: expect.stringMatching(/^shell script too large to parse \(\d+ KB; the limit is 1024 KB\): not analyzed$/), line: 10 });
    expect(parseShell('docker build .').tooLarge).toBeUndefined();
  });

  it('parses a script that needs mvdan-sh up to the size limit (functions, conditions, here-documents)', () => {
    const unit = (i: number) => `setup_${i}() {\n  if [ -n "\${DEBUG:-}" ]; then\n    echo "step ${i}: $(date +%s)" >&2\n  fi\n  cat <<EOF > conf/step-${i}.conf\nname=step-${i}\nEOF\n}\n`;
    const units = 2_000;
    const text = `${Array.from({ length: units }, (_, i) => unit(i)).join('')}kubectl create secret generic db --from-literal=password=$DB_PASSWORD\n`;
    expect(text.length).toBeGreaterThan(128 * 1024);
    expect(text.length).toBeLessThan(MAX_SHELL_SOURCE);
    const script = parseShell(text);
    expect(script.tooLarge).toBeUndefined();
    expect(script.error).toBeUndefined();
    expect(script.functions).toHaveLength(units);
    // [ -n ], echo, date (in a substitution) and cat in each function, then kubectl.
    expect(script.commands).toHaveLength(units * 4 + 1);
    expect(script.commands.at(-1)).toMatchObject({ name: 'kubectl', line: units * 8 + 1 });
  });

  it('walks a chain of thousands of && commands without a stack frame per command', () => {
    const n = 5_000;
    const text = `${Array.from({ length: n }, (_, i) => `test -n "\${V${i}:-x}"`).join(' &&\n')} &&\nkubectl apply -f - | tee out.log | wc -l\n`;
    const script = parseShell(text);
    expect(script.error).toBeUndefined();
    expect(script.commands).toHaveLength(n + 3);
    expect(script.commands.slice(0, n).every((c) => c.name === 'test' && c.conditional && c.pipelineIndex === 0)).toBe(true);
    expect(script.commands.slice(n).map((c) => [c.name, c.conditional, c.pipelineIndex])).toEqual([
      ['kubectl', false, 0],
      ['tee', false, 1],
      ['wc', false, 1],
    ]);
  });

  it('reads a plain script over the size limit whole (the reader of plain scripts is linear)', () => {
    const lines = 16_000;
    const big = 'kubectl create secret generic db --from-literal=password=$DB_PASSWORD -n app\n'.repeat(lines);
    expect(big.length).toBeGreaterThan(MAX_SHELL_SOURCE);
    const script = parseShell(big, { lineOffset: 9 });
    expect(script.tooLarge).toBeUndefined();
    expect(script.error).toBeUndefined();
    expect(script.commands).toHaveLength(lines);
    expect(script.commands[lines - 1]).toMatchObject({ name: 'kubectl', line: lines + 9 });
  });

  it('splits simple commands into words after quote removal', () => {
    const script = parseShell(`docker build --build-arg "NPM_TOKEN=$NPM_TOKEN" -f 'docker/app.Dockerfile' a\\ b .\n`);
    expect(script.error).toBeUndefined();
    expect(script.commands).toHaveLength(1);
    const [cmd] = script.commands;
    expect(cmd!.name).toBe('docker');
    expect(cmd!.words.map((w) => w.value)).toEqual(['docker', 'build', '--build-arg', 'NPM_TOKEN=$NPM_TOKEN', '-f', 'docker/app.Dockerfile', 'a b', '.']);
    expect(cmd!.words[3]!.static).toBe(false);
    expect(cmd!.words[3]!.params).toEqual(['NPM_TOKEN']);
    expect(cmd!.words[3]!.raw).toBe('"NPM_TOKEN=$NPM_TOKEN"');
    expect(cmd!.words[5]!.static).toBe(true);
    expect(staticArgs(cmd!, 4)).toEqual(['-f', 'docker/app.Dockerfile', 'a b', '.']);
  });

  it('keeps line numbers across continuations, pipelines and an offset', () => {
    const script = parseShell('set -eu\n\ndocker buildx build \\\n  --secret id=npm,env=NPM_TOKEN \\\n  . | tee log\n', { lineOffset: 10 });
    const build = script.commands.find((c) => c.name === 'docker')!;
    expect(build.line).toBe(13);
    expect(build.endLine).toBe(15);
    expect(build.words[4]!.line).toBe(14);
    const tee = script.commands.find((c) => c.name === 'tee')!;
    expect(tee.pipelineIndex).toBe(1);
    expect(script.nounset).toBe(true);
  });

  it('reads prefix assignments, export and bare assignments', () => {
    const script = parseShell('TOKEN="$(cat /run/secrets/npm)" npm ci\nexport NODE_AUTH_TOKEN=$NPM_TOKEN PLAIN\nX=literal\nreadonly Y+=z\n');
    const npm = script.commands.find((c) => c.name === 'npm')!;
    expect(npm.assignments[0]!.name).toBe('TOKEN');
    expect(npm.assignments[0]!.value!.commandSubstitution).toBe(true);
    const cat = script.commands.find((c) => c.name === 'cat')!;
    expect(cat.substitution).toBe(true);
    expect(cat.words[1]!.value).toBe('/run/secrets/npm');
    const exp = script.commands.find((c) => c.kind === 'decl' && c.name === 'export')!;
    expect(exp.assignments.map((a) => [a.name, a.value?.value])).toEqual([
      ['NODE_AUTH_TOKEN', '$NPM_TOKEN'],
      ['PLAIN', undefined],
    ]);
    const bare = script.commands.find((c) => c.line === 3)!;
    expect(bare.name).toBeUndefined();
    expect(bare.assignments[0]).toMatchObject({ name: 'X', value: { value: 'literal', static: true } });
    const ro = script.commands.find((c) => c.line === 4)!;
    expect(ro.assignments[0]).toMatchObject({ name: 'Y', append: true });
  });

  it('reads redirections and here-documents with their bodies', () => {
    const src = [
      'cat <<EOF > ~/.npmrc',
      '//npm.pkg.github.com/:_authToken=${NPM_TOKEN}',
      'EOF',
      "cat <<'RAW' >>/etc/pip.conf",
      'index-url = https://u:$P@x',
      'RAW',
      'echo "//r/:_authToken=$T" 2>/dev/null >> .npmrc',
      '',
    ].join('\n');
    const script = parseShell(src);
    const [first, second, third] = script.commands;
    expect(first!.redirects.map((r) => r.op)).toEqual(['<<', '>']);
    expect(first!.redirects[0]!.heredoc).toEqual({ delimiter: 'EOF', expands: true, body: '//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\n', line: 2, params: ['NPM_TOKEN'] });
    expect(first!.redirects[1]!.target.value).toBe('~/.npmrc');
    expect(second!.redirects[0]!.heredoc!.expands).toBe(false);
    expect(second!.redirects[0]!.heredoc!.params).toEqual([]);
    expect(second!.redirects[0]!.heredoc!.body).toBe('index-url = https://u:$P@x\n');
    expect(second!.redirects[1]).toMatchObject({ op: '>>', target: { value: '/etc/pip.conf' } });
    expect(third!.redirects.map((r) => [r.fd, r.op, r.target.value])).toEqual([
      ['2', '>', '/dev/null'],
      [undefined, '>>', '.npmrc'],
    ]);
  });

  it('marks conditions, functions and records variable checks', () => {
    const src = [
      ': "${GHCR_TOKEN:?GHCR_TOKEN must be set}"',
      'if [ -z "$NPM_TOKEN" ]; then echo missing >&2; exit 1; fi',
      '[[ -n ${BUF_TOKEN:-} ]] || exit 1',
      'build() { docker build --secret id=x,env=X "$@"; }',
      'test "$MODE" = ci && echo ci',
    ].join('\n');
    const script = parseShell(src);
    expect([...checkedVariables(script)].sort()).toEqual(['BUF_TOKEN', 'GHCR_TOKEN', 'MODE', 'NPM_TOKEN']);
    expect(script.checks.find((c) => c.variable === 'GHCR_TOKEN')!.kind).toBe('param-error');
    expect(script.checks.find((c) => c.variable === 'NPM_TOKEN')!.kind).toBe('test-empty');
    expect(script.checks.find((c) => c.variable === 'BUF_TOKEN')!.kind).toBe('test-set');
    const test = script.commands.find((c) => c.name === '[')!;
    expect(test.conditional).toBe(true);
    const echo = script.commands.find((c) => c.name === 'echo' && c.line === 2)!;
    expect(echo.conditional).toBe(false);
    const docker = script.commands.find((c) => c.name === 'docker')!;
    expect(docker.function).toBe('build');
    expect(script.functions).toEqual(['build']);
  });

  it('handles non-ASCII text and ANSI-C quotes', () => {
    const script = parseShell("echo 'héllo' $'a\\tb' \"ü$X\"\n");
    expect(script.commands[0]!.words.map((w) => w.value)).toEqual(['echo', 'héllo', 'a\tb', 'ü$X']);
    expect(script.commands[0]!.words[3]!.raw).toBe('"ü$X"');
  });

  it('reports a syntax error with its line instead of throwing', () => {
    const script = parseShell('echo ok\nif true; then\n  echo "unterminated\n', { lineOffset: 4 });
    expect(script.error).toBeDefined();
    expect(script.error!.line).toBeGreaterThanOrEqual(5);
    expect(script.error!.message.length).toBeGreaterThan(0);
    expect(script.commands).toEqual([]);
  });
});

describe('mvdan-sh nodes', () => {
  it('reads the Go values behind the wrappers as the wrappers read', () => {
    const syntax = shSyntax();
    const file = syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash)).Parse('A=1 echo "é$X" | cat', 'x');
    const go = unwrap(file);
    expect(go).not.toBe(file);
    for (const root of [file, go]) {
      const bin = child(children(root, 'Stmts')[0]!, 'Cmd')!;
      expect(nodeType(bin)).toBe('BinaryCmd');
      const call = child(child(bin, 'X')!, 'Cmd')!;
      expect(nodeType(call)).toBe('CallExpr');
      const assign = children(call, 'Assigns')[0]!;
      expect(str(child(assign, 'Name')!, 'Value')).toBe('A');
      // A nil pointer (Array) and a nil interface (Index) are absent.
      expect(child(assign, 'Array')).toBeUndefined();
      expect(child(assign, 'Index')).toBeUndefined();
      const args = children(call, 'Args');
      expect(args.map((w) => nodeType(w))).toEqual(['Word', 'Word']);
      const quoted = children(args[1]!, 'Parts')[0]!;
      expect(nodeType(quoted)).toBe('DblQuoted');
      const parts: ShNode[] = children(quoted, 'Parts');
      expect(parts.map((p) => nodeType(p))).toEqual(['Lit', 'ParamExp']);
      expect(str(parts[0]!, 'Value')).toBe('é');
      expect([parts[1]!.Pos().Offset(), parts[1]!.End().Offset(), parts[1]!.Pos().Line(), parts[1]!.Pos().Col()]).toEqual([12, 14, 1, 13]);
      expect(children(call, 'Missing')).toEqual([]);
    }
  });
});
