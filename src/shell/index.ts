/**
 * Shell scripts as plain data: every simple command with its words (after quote removal where static), the
 * assignments in front of it, its redirections and here-documents, and where it sits (condition, function,
 * command substitution). Built on mvdan-sh, a real POSIX/Bash parser; plain scripts are read by simple.ts, which
 * gives the same result without it. No line regexes.
 *
 * Used by the build analyzers (scripts, Makefile recipes, workflow `run:` steps, Dockerfile RUN) and by test
 * analyzers. The model is serialisable (no parser objects leak out).
 */
import { parseSimpleShell } from './simple.js';
import { child, children, nodeType, parseErrorOf, shSyntax, str, unwrap, type ShNode, type ShParser } from './mvdan.js';

export interface ShellWord {
  /** The word after quote removal; expansions are kept as written (`$VAR`, `${VAR:-x}`, `$(cmd)`). */
  value: string;
  /** True when the word has no expansion at all: `value` is exactly what the command receives. */
  static: boolean;
  /** Source text as written, quotes included. */
  raw: string;
  line: number;
  column: number;
  /** Parameters expanded by the word, in order, without duplicates (`$A`, `${B:-x}` -> A, B); not inside `$(…)`. */
  params: string[];
  /** Contains a command substitution `$(…)` or backquotes. */
  commandSubstitution: boolean;
}

export interface ShellAssignment {
  name: string;
  /** Undefined for `export NAME` / `local NAME` without a value. */
  value?: ShellWord;
  /** `NAME+=value`. */
  append: boolean;
  line: number;
  column: number;
}

export interface ShellHeredoc {
  delimiter: string;
  /** False when the delimiter is quoted (`<<'EOF'`): the body is taken literally. */
  expands: boolean;
  /** Body text (tabs stripped for `<<-`), expansions kept as written. */
  body: string;
  /** Line of the first body line. */
  line: number;
  params: string[];
}

export interface ShellRedirect {
  /** `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `&>`, ... */
  op: string;
  /** Explicit file descriptor (`2>` -> "2"). */
  fd?: string;
  /** Target file, descriptor or here-doc delimiter word. */
  target: ShellWord;
  heredoc?: ShellHeredoc;
  line: number;
}

export interface ShellCommand {
  /** Static command name (`docker`), undefined when it is an expansion or absent (bare assignment). */
  name?: string;
  /** Every word of the command, the name included. */
  words: ShellWord[];
  /** `A=1 B=2 cmd` prefix assignments, or the assignments of `export`/`local`/`declare`/`readonly` (kind decl). */
  assignments: ShellAssignment[];
  redirects: ShellRedirect[];
  /** `call`: a simple command or bare assignment; `decl`: export/local/declare/readonly/typeset. */
  kind: 'call' | 'decl';
  line: number;
  endLine: number;
  column: number;
  /** Source text of the command. */
  text: string;
  /** Inside an `if`/`while`/`until` condition or on the left of `&&`/`||`. */
  conditional: boolean;
  /** Runs in a command substitution `$(…)` or process substitution. */
  substitution: boolean;
  /** Name of the enclosing shell function. */
  function?: string;
  /** Index of the pipeline member (0 for the first or a lone command). */
  pipelineIndex: number;
}

export interface ShellVariableCheck {
  variable: string;
  /** `:?` / `?` parameter expansion, `-z` / `-n` test, or a comparison in a test. */
  kind: 'param-error' | 'test-empty' | 'test-set' | 'test-compare';
  line: number;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** Places that fail or branch on a variable being unset/empty. */
  checks: ShellVariableCheck[];
  /** `set -u` / `set -o nounset` seen (unset variables abort the script). */
  nounset: boolean;
  functions: string[];
  error?: { message: string; line?: number };
  /** Not parsed at all: the text is over MAX_SHELL_SOURCE. */
  tooLarge?: boolean;
}

/**
 * The shell parser (mvdan-sh, compiled from Go) is linear, but not cheap: about 0.5-1.6 ms and 0.3 MB per KB of
 * script, whatever the script is made of (long lines, here-documents, substitutions, case arms; measured up to 4 MB).
 * Past this size a script that the reader of plain scripts cannot read is reported, not parsed: a 1 MB script costs
 * about 1 s and 150-300 MB. A plain one is read whole at any size (2.9 MB of kubectl commands: 0.5 s).
 */
export const MAX_SHELL_SOURCE = 1024 * 1024;

export interface ParseShellOptions {
  /** Added to every line number (a script embedded at line N of another file: offset N-1). */
  lineOffset?: number;
  /** Default bash. */
  dialect?: 'bash' | 'posix';
  /** Always parse with mvdan-sh, never with the reader of plain scripts (tests compare the two). */
  mvdan?: boolean;
}

const parsers = new Map<string, ShParser>();

function parser(dialect: 'bash' | 'posix'): ShParser {
  let p = parsers.get(dialect);
  if (!p) {
    const syntax = shSyntax();
    p = syntax.NewParser(syntax.KeepComments(false), syntax.Variant(dialect === 'bash' ? syntax.LangBash : syntax.LangPOSIX));
    parsers.set(dialect, p);
  }
  return p;
}

/** Offsets from mvdan-sh are byte offsets; slice the UTF-8 bytes. */
class Source {
  private readonly bytes: Buffer | undefined;
  constructor(readonly text: string) {
    // eslint-disable-next-line no-control-regex
    this.bytes = /^[\x00-\x7f]*$/.test(text) ? undefined : Buffer.from(text, 'utf8');
  }
  slice(from: number, to: number): string {
    return this.bytes ? this.bytes.subarray(from, to).toString('utf8') : this.text.slice(from, to);
  }
  of(node: ShNode): string {
    return this.slice(node.Pos().Offset(), node.End().Offset());
  }
}

function unescapeUnquoted(lit: string): string {
  return lit.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

function unescapeDouble(lit: string): string {
  return lit.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

function unescapeAnsiC(lit: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  return lit.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/gs, (_m, c: string) => {
    if (c.length > 1 && c[0] === 'x') return String.fromCharCode(parseInt(c.slice(1), 16));
    if (/^[0-7]+$/.test(c)) return String.fromCharCode(parseInt(c, 8));
    return map[c] ?? `\\${c}`;
  });
}

interface WordAcc {
  value: string;
  static: boolean;
  params: string[];
  commandSubstitution: boolean;
  nested: ShNode[][];
}

class Walker {
  readonly commands: ShellCommand[] = [];
  readonly checks: ShellVariableCheck[] = [];
  readonly functions: string[] = [];
  nounset = false;

  constructor(
    private readonly src: Source,
    private readonly lineOffset: number,
  ) {}

  line(node: ShNode): number {
    return node.Pos().Line() + this.lineOffset;
  }

  // ---- words ---------------------------------------------------------------------------------------------

  private wordParts(parts: ShNode[], acc: WordAcc, quoted: boolean): void {
    for (const part of parts) {
      const type = nodeType(part);
      switch (type) {
        case 'Lit':
          acc.value += quoted ? unescapeDouble(str(part, 'Value')) : unescapeUnquoted(str(part, 'Value'));
          break;
        case 'SglQuoted':
          acc.value += part['Dollar'] ? unescapeAnsiC(str(part, 'Value')) : str(part, 'Value');
          break;
        case 'DblQuoted':
          this.wordParts(children(part, 'Parts'), acc, true);
          break;
        case 'ParamExp': {
          acc.static = false;
          acc.value += this.src.of(part);
          const param = child(part, 'Param');
          const name = param ? str(param, 'Value') : '';
          if (name && !acc.params.includes(name)) acc.params.push(name);
          const exp = child(part, 'Exp');
          if (exp) {
            const expWord = child(exp, 'Word');
            if (expWord) {
              const inner = this.wordOf(expWord);
              for (const p of inner.params) if (!acc.params.includes(p)) acc.params.push(p);
              acc.nested.push(...inner.nested);
              if (inner.commandSubstitution) acc.commandSubstitution = true;
              const op = param ? this.src.slice(param.End().Offset(), expWord.Pos().Offset()).trim() : '';
              if (name && /^:?\?$/.test(op)) this.checks.push({ variable: name, kind: 'param-error', line: this.line(part) });
            } else if (param) {
              const op = this.src.slice(param.End().Offset(), part.End().Offset()).replace(/}$/, '').trim();
              if (name && /^:?\?$/.test(op)) this.checks.push({ variable: name, kind: 'param-error', line: this.line(part) });
            }
          }
          break;
        }
        case 'CmdSubst':
        case 'ProcSubst':
          acc.static = false;
          acc.commandSubstitution = true;
          acc.value += this.src.of(part);
          acc.nested.push(children(part, 'Stmts'));
          break;
        default:
          // ArithmExp, BraceExp, ExtGlob: expansions, kept as written.
          acc.static = false;
          acc.value += this.src.of(part);
      }
    }
  }

  private wordOf(word: ShNode): WordAcc {
    const acc: WordAcc = { value: '', static: true, params: [], commandSubstitution: false, nested: [] };
    this.wordParts(children(word, 'Parts'), acc, false);
    return acc;
  }

  word(word: ShNode, context: Ctx): ShellWord {
    const acc = this.wordOf(word);
    for (const stmts of acc.nested) this.stmts(stmts, { ...context, substitution: true });
    const pos = word.Pos();
    return {
      value: acc.value,
      static: acc.static,
      raw: this.src.slice(pos.Offset(), word.End().Offset()),
      line: pos.Line() + this.lineOffset,
      column: pos.Col(),
      params: acc.params,
      commandSubstitution: acc.commandSubstitution,
    };
  }

  // ---- statements ----------------------------------------------------------------------------------------

  stmts(stmts: ShNode[], context: Ctx): void {
    for (const stmt of stmts) this.stmt(stmt, context);
  }

  private redirects(stmt: ShNode, context: Ctx): ShellRedirect[] {
    return children(stmt, 'Redirs').map((r) => {
      const target = child(r, 'Word');
      const opPos = (r['OpPos'] as { Offset(): number } | undefined)?.Offset() ?? r.Pos().Offset();
      const op = target ? this.src.slice(opPos, target.Pos().Offset()).trim() : '';
      const n = child(r, 'N');
      const targetWord = target ? this.word(target, context) : { value: '', static: true, raw: '', line: this.line(r), column: 0, params: [], commandSubstitution: false };
      const redirect: ShellRedirect = { op, target: targetWord, line: this.line(r) };
      if (n) redirect.fd = str(n, 'Value');
      const hdoc = child(r, 'Hdoc');
      if (hdoc && target) {
        const expands = targetWord.raw === targetWord.value;
        let body = expands ? this.heredocBody(hdoc) : children(hdoc, 'Parts').map((part) => (nodeType(part) === 'Lit' ? str(part, 'Value') : this.src.of(part))).join('');
        if (op === '<<-') body = body.replace(/^\t+/gm, '');
        const acc = expands ? this.wordOf(hdoc) : undefined;
        if (acc) for (const stmts of acc.nested) this.stmts(stmts, { ...context, substitution: true });
        redirect.heredoc = { delimiter: targetWord.value, expands, body, line: this.line(hdoc), params: acc?.params ?? [] };
      } else if (hdoc === undefined && /^<</.test(op) && op !== '<<<' && target) {
        // Empty here-document body.
        redirect.heredoc = { delimiter: targetWord.value, expands: targetWord.raw === targetWord.value, body: '', line: this.line(r) + 1, params: [] };
      }
      return redirect;
    });
  }

  /** An expanding here-doc body: literal text unescaped as in double quotes, expansions as written. */
  private heredocBody(hdoc: ShNode): string {
    let out = '';
    for (const part of children(hdoc, 'Parts')) {
      out += nodeType(part) === 'Lit' ? str(part, 'Value').replace(/\\\n/g, '').replace(/\\([$`\\])/g, '$1') : this.src.of(part);
    }
    return out;
  }

  stmt(stmt: ShNode, context: Ctx, pipelineIndex = 0): void {
    // `a && b && c` nests to the left: ((a && b) && c). A CI step of thousands of `&&` would take a stack frame per
    // command, so the left side is followed in a loop and the right sides are walked after it, innermost first (the
    // order the recursion had).
    const rights: { y: ShNode; context: Ctx; pipelineIndex: number }[] = [];
    for (;;) {
      const cmd = child(stmt, 'Cmd');
      const redirects = this.redirects(stmt, context);
      if (!cmd || nodeType(cmd) !== 'BinaryCmd') {
        this.command(stmt, cmd, redirects, context, pipelineIndex);
        break;
      }
      const x = child(cmd, 'X');
      const y = child(cmd, 'Y');
      const op = x && y ? this.src.slice(x.End().Offset(), y.Pos().Offset()).trim() : '';
      const pipe = op === '|' || op === '|&';
      if (y) rights.push({ y, context, pipelineIndex: pipe ? pipelineIndex + 1 : 0 });
      if (!x) break;
      stmt = x;
      if (op === '&&' || op === '||') context = { ...context, conditional: true };
      if (!pipe) pipelineIndex = 0;
    }
    for (let i = rights.length - 1; i >= 0; i--) this.stmt(rights[i]!.y, rights[i]!.context, rights[i]!.pipelineIndex);
  }

  private command(stmt: ShNode, cmd: ShNode | undefined, redirects: ShellRedirect[], context: Ctx, pipelineIndex: number): void {
    if (!cmd) {
      if (redirects.length) this.push({ words: [], assignments: [], redirects, kind: 'call', node: stmt, context, pipelineIndex });
      return;
    }
    const type = nodeType(cmd);
    switch (type) {
      case 'CallExpr': {
        const assignments = children(cmd, 'Assigns').map((a) => this.assign(a, context));
        const words = children(cmd, 'Args').map((w) => this.word(w, context));
        this.push({ words, assignments, redirects, kind: 'call', node: stmt, context, pipelineIndex });
        recordCallChecks(words, this);
        break;
      }
      case 'DeclClause': {
        const variant = child(cmd, 'Variant');
        const name = variant ? str(variant, 'Value') : 'declare';
        const assignments: ShellAssignment[] = [];
        const words: ShellWord[] = [{ value: name, static: true, raw: name, line: this.line(cmd), column: cmd.Pos().Col(), params: [], commandSubstitution: false }];
        for (const a of children(cmd, 'Args')) {
          const named = child(a, 'Name');
          if (named) assignments.push(this.assign(a, context));
          else {
            const value = child(a, 'Value');
            if (value) words.push(this.word(value, context));
          }
        }
        this.push({ words, assignments, redirects, kind: 'decl', node: stmt, context, pipelineIndex });
        break;
      }
      case 'IfClause':
        this.ifClause(cmd, context);
        break;
      case 'WhileClause':
        this.stmts(children(cmd, 'Cond'), { ...context, conditional: true });
        this.stmts(children(cmd, 'Do'), context);
        break;
      case 'ForClause':
        this.stmts(children(cmd, 'Do'), context);
        break;
      case 'Block':
      case 'Subshell':
        this.stmts(children(cmd, 'Stmts'), context);
        break;
      case 'FuncDecl': {
        const name = child(cmd, 'Name');
        const fname = name ? str(name, 'Value') : '';
        if (fname) this.functions.push(fname);
        const body = child(cmd, 'Body');
        if (body) this.stmt(body, { ...context, function: fname || context.function });
        break;
      }
      case 'CaseClause':
        for (const item of children(cmd, 'Items')) this.stmts(children(item, 'Stmts'), context);
        break;
      case 'TestClause':
        this.testExpr(child(cmd, 'X'));
        break;
      case 'TimeClause':
      case 'CoprocClause': {
        const inner = child(cmd, 'Stmt');
        if (inner) this.stmt(inner, context);
        break;
      }
      default:
        // ArithmCmd, LetClause: no commands inside that matter here.
        break;
    }
  }

  private ifClause(node: ShNode, context: Ctx): void {
    this.stmts(children(node, 'Cond'), { ...context, conditional: true });
    this.stmts(children(node, 'Then'), context);
    const otherwise = child(node, 'Else');
    if (otherwise) this.ifClause(otherwise, context);
  }

  private assign(a: ShNode, context: Ctx): ShellAssignment {
    const name = child(a, 'Name');
    const value = child(a, 'Value');
    const assignment: ShellAssignment = { name: name ? str(name, 'Value') : '', append: Boolean(a['Append']), line: this.line(a), column: a.Pos().Col() };
    if (value) assignment.value = this.word(value, context);
    else if (child(a, 'Array')) {
      const arr = child(a, 'Array')!;
      assignment.value = { value: this.src.of(arr), static: false, raw: this.src.of(arr), line: this.line(arr), column: arr.Pos().Col(), params: [], commandSubstitution: false };
    } else if (!a['Naked']) {
      assignment.value = { value: '', static: true, raw: '', line: this.line(a), column: a.End().Col(), params: [], commandSubstitution: false };
    }
    return assignment;
  }

  private testExpr(node: ShNode | undefined): void {
    if (!node) return;
    const type = nodeType(node);
    if (type === 'UnaryTest') {
      const x = child(node, 'X');
      if (!x) return;
      const opPos = (node['OpPos'] as { Offset(): number } | undefined)?.Offset() ?? node.Pos().Offset();
      const op = this.src.slice(opPos, x.Pos().Offset()).trim();
      if (op === '!') return this.testExpr(x);
      if (nodeType(x) === 'Word') {
        for (const variable of this.wordOf(x).params) this.checks.push({ variable, kind: op === '-z' ? 'test-empty' : op === '-n' ? 'test-set' : 'test-compare', line: this.line(x) });
      }
    } else if (type === 'BinaryTest') {
      for (const side of ['X', 'Y']) {
        const s = child(node, side);
        if (!s) continue;
        if (nodeType(s) === 'Word') for (const variable of this.wordOf(s).params) this.checks.push({ variable, kind: 'test-compare', line: this.line(s) });
        else this.testExpr(s);
      }
    } else if (type === 'ParenTest') {
      this.testExpr(child(node, 'X'));
    } else if (type === 'Word') {
      for (const variable of this.wordOf(node).params) this.checks.push({ variable, kind: 'test-set', line: this.line(node) });
    }
  }

  private push(input: { words: ShellWord[]; assignments: ShellAssignment[]; redirects: ShellRedirect[]; kind: 'call' | 'decl'; node: ShNode; context: Ctx; pipelineIndex: number }): void {
    const { words, node, context } = input;
    const first = words[0];
    // Each call into the transpiled parser's objects is costly: every position is read once.
    const pos = node.Pos();
    const end = node.End();
    const line = pos.Line() + this.lineOffset;
    const endLine = end.Line() + this.lineOffset;
    const column = pos.Col();
    const text = this.src.slice(pos.Offset(), end.Offset());
    const { assignments, redirects, kind, pipelineIndex } = input;
    const { conditional, substitution } = context;
    // A named command is one literal: a property added afterwards takes a separate property array per command.
    const command: ShellCommand = first?.static
      ? { words, assignments, redirects, kind, line, endLine, column, text, conditional, substitution, pipelineIndex, name: first.value }
      : { words, assignments, redirects, kind, line, endLine, column, text, conditional, substitution, pipelineIndex };
    if (context.function) command.function = context.function;
    this.commands.push(command);
  }
}

/** What a command's words check: `set -u` / `set -o nounset`, `[ -z "$X" ]`, `test -n "$X"`, `[ "$X" = "" ]`. */
export function recordCallChecks(words: ShellWord[], out: { checks: ShellVariableCheck[]; nounset: boolean }): void {
  const name = words[0]?.value;
  if (name === 'set') {
    for (let i = 1; i < words.length; i++) {
      const w = words[i]!.value;
      if (/^-[a-zA-Z]*u/.test(w) || (w === 'nounset' && words[i - 1]?.value === '-o')) out.nounset = true;
    }
    return;
  }
  if (name !== '[' && name !== 'test') return;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const prev = words[i - 1]!.value;
    for (const variable of w.params) {
      const kind = prev === '-z' ? 'test-empty' : prev === '-n' ? 'test-set' : 'test-compare';
      out.checks.push({ variable, kind, line: w.line });
    }
  }
}

interface Ctx {
  conditional: boolean;
  substitution: boolean;
  function?: string;
}

/** Parse a shell script. Never throws: a syntax error comes back in `error` with whatever could not be read left out. */
export function parseShell(text: string, options: ParseShellOptions = {}): ShellScript {
  // The reader of plain scripts first, at any size: it is linear, and where it answers its answer is mvdan-sh's.
  const simple = options.mvdan ? undefined : parseSimpleShell(text, options.lineOffset ?? 0, recordCallChecks);
  if (simple) return simple;
  if (text.length > MAX_SHELL_SOURCE) {
    const message = `shell script too large to parse (${Math.ceil(text.length / 1024)} KB; the limit is ${MAX_SHELL_SOURCE / 1024} KB): not analyzed`;
    return { commands: [], checks: [], nounset: false, functions: [], error: { message, line: (options.lineOffset ?? 0) + 1 }, tooLarge: true };
  }
  const src = new Source(text);
  const walker = new Walker(src, options.lineOffset ?? 0);
  let file: ShNode;
  try {
    file = unwrap(parser(options.dialect ?? 'bash').Parse(text, 'script'));
  } catch (error) {
    const e = parseErrorOf(error);
    return { commands: [], checks: [], nounset: false, functions: [], error: { message: e.message, line: e.line === undefined ? undefined : e.line + (options.lineOffset ?? 0) } };
  }
  walker.stmts(children(file, 'Stmts'), { conditional: false, substitution: false });
  walker.commands.sort((a, b) => a.line - b.line || a.column - b.column);
  return { commands: walker.commands, checks: walker.checks, nounset: walker.nounset, functions: walker.functions };
}

/** Static text of a command's words from index `from`; undefined where a word is not static. */
export function staticArgs(command: ShellCommand, from = 1): (string | undefined)[] {
  return command.words.slice(from).map((w) => (w.static ? w.value : undefined));
}

/** Variables a script makes sure are set (or fails on): `${X:?}`, `[ -z "$X" ]`, `[[ -n $X ]]`, comparisons. */
export function checkedVariables(script: ShellScript): Set<string> {
  return new Set(script.checks.map((c) => c.variable));
}
