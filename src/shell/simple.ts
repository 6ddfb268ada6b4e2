/**
 * A reader for the plainest shell scripts (`npm ci`, `apt-get update && apt-get install -y curl \` ... ): simple
 * commands of plain, quoted and `$NAME`/`${NAME}` words with `>`, `>>`, `<`, `>&` redirections, joined by `;`,
 * newlines, `&&`, `||` and `|`. It gives exactly what parseShell gives through mvdan-sh (whose parse plus walk costs
 * ~80 µs even for `npm ci`) and returns undefined for anything else: here-documents, assignments, keywords,
 * substitutions, braces, backslashes other than line continuations between words, non-ASCII text. A differential
 * test holds it to the mvdan-sh path.
 */
import type { ShellAssignment, ShellCommand, ShellRedirect, ShellScript, ShellVariableCheck, ShellWord } from './index.js';

/** Words that mvdan-sh reads as something other than a plain command name in command position. */
const COMMAND_WORDS = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', 'select', 'function',
  'time', 'coproc', '[[', ']]', 'declare', 'local', 'export', 'readonly', 'typeset', 'nameref', 'let',
]);
/** mvdan-sh reads a first word whose unquoted start has `=` (even `a#b=c`) or `[` as an assignment (or fails on it). */
function assignmentLike(raw: string): boolean {
  return raw !== '[' && /^[^"'$]*[=[]/.test(raw);
}

// Character classes (ASCII codes).
const WORD = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:,=@%+-~*?[]^#') WORD[c.charCodeAt(0)] = 1;
const NAME_START = /[A-Za-z_]/;
const NAME = /[A-Za-z0-9_]/;

const ASSIGNMENT_START = /([A-Za-z_][A-Za-z0-9_]*)(\+?)=/y;

interface Leaf {
  words: ShellWord[];
  assignments: ShellAssignment[];
  redirects: ShellRedirect[];
  /** Statement start (a leading redirection included) and its line and column; end of its last word or redirection. */
  start: number;
  line: number;
  column: number;
  end: number;
  /** The line of the character before `end` (without the line offset). */
  endLine: number;
}

class Bail extends Error {}

export interface SimpleChecks {
  checks: ShellVariableCheck[];
  nounset: boolean;
}

/**
 * The script read as plain simple commands, or undefined when it is anything more. `callChecks` records what a
 * command's words check (`set -u`, `[ -z "$X" ]`), shared with the mvdan-sh walker.
 */
export function parseSimpleShell(text: string, lineOffset: number, callChecks: (words: ShellWord[], out: SimpleChecks) => void): ShellScript | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x09\x0a\x20-\x7e]*$/.test(text)) return undefined;
  try {
    return new SimpleReader(text, lineOffset, callChecks).script();
  } catch (error) {
    if (error instanceof Bail) return undefined;
    throw error;
  }
}

class SimpleReader {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly commands: ShellCommand[] = [];
  private readonly out: SimpleChecks = { checks: [], nounset: false };

  constructor(
    private readonly text: string,
    private readonly lineOffset: number,
    private readonly callChecks: (words: ShellWord[], out: SimpleChecks) => void,
  ) {}

  script(): ShellScript {
    for (;;) {
      this.skip(true);
      if (this.i >= this.text.length) break;
      this.statement();
    }
    this.commands.sort((a, b) => a.line - b.line || a.column - b.column);
    return { commands: this.commands, checks: this.out.checks, nounset: this.out.nounset, functions: [] };
  }

  private char(at = this.i): string {
    return this.text[at] ?? '';
  }

  private newline(): void {
    this.i++;
    this.line++;
    this.lineStart = this.i;
  }

  /** Blanks, line continuations and comments; newlines too when NEWLINES (between statements, after an operator). */
  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.char();
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\\' && this.char(this.i + 1) === '\n') {
        this.i++;
        this.newline();
      } else if (c === '\n' && newlines) this.newline();
      else if (c === '#') {
        while (this.i < this.text.length && this.char() !== '\n') this.i++;
        // mvdan-sh continues the line after a comment that ends in a backslash.
        if (this.char(this.i - 1) === '\\') throw new Bail();
      } else return;
    }
  }

  /** One statement: pipelines joined by && / ||, ended by `;`, a newline or the end. */
  private statement(): void {
    const pipelines: Leaf[][] = [];
    const ops: string[] = [];
    for (;;) {
      const pipeline: Leaf[] = [this.command()];
      const pipeOps: string[] = [];
      for (;;) {
        this.skip(false);
        if (this.char() === '|' && this.char(this.i + 1) !== '|') {
          if (this.char(this.i + 1) === '&') throw new Bail();
          this.i++;
          this.skip(true);
          pipeOps.push('|');
          pipeline.push(this.command());
        } else break;
      }
      pipelines.push(pipeline);
      const c = this.char();
      const op = this.text.slice(this.i, this.i + 2);
      if (op === '&&' || op === '||') {
        this.i += 2;
        this.skip(true);
        ops.push(op);
        continue;
      }
      if (c === '&' || c === '|') throw new Bail();
      let end: number | undefined;
      if (c === ';') {
        if (this.char(this.i + 1) === ';' || this.char(this.i + 1) === '&') throw new Bail();
        end = this.i + 1;
        this.i++;
      } else if (c !== '\n' && c !== '' && c !== '#') throw new Bail();
      this.emit(pipelines, end);
      return;
    }
  }

  /** The walker's view: an operator counts only when the text between the two sides is exactly the operator. */
  private gap(left: Leaf, right: Leaf): string {
    return this.text.slice(left.end, right.start).trim();
  }

  private emit(pipelines: Leaf[][], semicolonEnd: number | undefined): void {
    const leaves = pipelines.flat();
    const single = leaves.length === 1;
    // Left-associative: a pipeline is conditional when any && / || after it reads as one.
    const conditional: boolean[] = pipelines.map(() => false);
    let seen = false;
    for (let p = pipelines.length - 2; p >= 0; p--) {
      const op = this.gap(pipelines[p]![pipelines[p]!.length - 1]!, pipelines[p + 1]![0]!);
      if (op === '&&' || op === '||') seen = true;
      conditional[p] = seen;
    }
    pipelines.forEach((pipeline, p) => {
      pipeline.forEach((leaf, k) => {
        const pipelineIndex = k > 0 && this.gap(pipeline[k - 1]!, leaf) === '|' ? 1 : 0;
        this.push(leaf, single ? semicolonEnd : undefined, conditional[p]!, pipelineIndex);
      });
    });
  }

  private push(leaf: Leaf, semicolonEnd: number | undefined, conditional: boolean, pipelineIndex: number): void {
    const first = leaf.words[0];
    const end = semicolonEnd ?? leaf.end;
    const { words, assignments, redirects, line, column } = leaf;
    // Counted back from the cursor only after a `;` (the cursor is there): for each command of a long `&&` chain it was
    // a walk back over the rest of the chain.
    const endLine = (semicolonEnd === undefined ? leaf.endLine : this.lineAt(end)) + this.lineOffset;
    const text = this.text.slice(leaf.start, end);
    // One literal per shape, as the walker builds them (no property array for `name`).
    const command: ShellCommand = first?.static
      ? { words, assignments, redirects, kind: 'call', line, endLine, column, text, conditional, substitution: false, pipelineIndex, name: first.value }
      : { words, assignments, redirects, kind: 'call', line, endLine, column, text, conditional, substitution: false, pipelineIndex };
    this.commands.push(command);
    this.callChecks(leaf.words, this.out);
  }

  /** Line of the character before END (END is exclusive). */
  private lineAt(end: number): number {
    let line = this.line;
    for (let k = this.i - 1; k >= end; k--) if (this.text[k] === '\n') line--;
    return line;
  }

  /** A simple command: words up to an operator, a separator or the end. */
  private command(): Leaf {
    const words: ShellWord[] = [];
    const assignments: ShellAssignment[] = [];
    const redirects: ShellRedirect[] = [];
    let start = -1;
    let line = 0;
    let column = 0;
    let end = 0;
    let endLine = this.line;
    for (;;) {
      this.skip(false);
      const c = this.char();
      if (c === '' || c === '\n' || c === ';' || c === '|' || c === '&' || c === '#') break;
      if (start < 0) {
        start = this.i;
        line = this.line + this.lineOffset;
        column = this.i - this.lineStart + 1;
      }
      const fd = c >= '0' && c <= '9' && (this.char(this.i + 1) === '>' || this.char(this.i + 1) === '<');
      if (c === '>' || c === '<' || fd) redirects.push(this.redirect(fd));
      else if (words.length === 0 && this.assignment(assignments)) {
        // `NAME=value` before the command name.
      } else words.push(this.word());
      end = this.i;
      endLine = this.line;
    }
    const first = words[0];
    if (first ? COMMAND_WORDS.has(first.raw) || assignmentLike(first.raw) : assignments.length === 0) throw new Bail();
    return { words, assignments, redirects, start, line, column, end, endLine };
  }

  /** `NAME=value` at the cursor, added to ASSIGNMENTS; false when the cursor is not at one. */
  private assignment(assignments: ShellAssignment[]): boolean {
    ASSIGNMENT_START.lastIndex = this.i;
    const m = ASSIGNMENT_START.exec(this.text);
    if (!m) return false;
    const line = this.line + this.lineOffset;
    const column = this.i - this.lineStart + 1;
    this.i += m[0].length;
    const c = this.char();
    const empty = c === '' || c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '|' || c === '&' || c === '<' || c === '>';
    // `NAME+=` is no assignment in POSIX mode (and mvdan-sh ends an empty one a column early): mvdan-sh's.
    if (m[2] === '+') throw new Bail();
    const value: ShellWord = empty ? { value: '', static: true, raw: '', line, column: this.i - this.lineStart + 1, params: [], commandSubstitution: false } : this.word();
    assignments.push({ name: m[1]!, append: m[2] === '+', line, column, value });
    return true;
  }

  /** `>`, `>>`, `<`, `>&`, `<&` with an optional one-digit descriptor, and a plain target word. */
  private redirect(fd: boolean): ShellRedirect {
    const line = this.line + this.lineOffset;
    const descriptor = fd ? this.char() : undefined;
    if (fd) this.i++;
    const opStart = this.i;
    const c = this.char();
    const next = this.char(this.i + 1);
    if (next === c || next === '&') {
      // `>>`, `>&`, `<&`; `<<` (here-documents) are mvdan-sh's.
      if (c === '<' && next === '<') throw new Bail();
      this.i += 2;
    } else if (next === '|' || (c === '<' && next === '>')) throw new Bail();
    else this.i++;
    this.skip(false);
    const t = this.char();
    if (t === '' || t === '\n' || t === ';' || t === '|' || t === '&' || t === '#' || t === '<' || t === '>') throw new Bail();
    const targetStart = this.i;
    const target = this.word();
    const op = this.text.slice(opStart, targetStart).trim();
    return descriptor === undefined ? { op, target, line } : { op, target, line, fd: descriptor };
  }

  private wordEnd = 0;

  private word(): ShellWord {
    const start = this.i;
    const line = this.line;
    const column = start - this.lineStart + 1;
    let value = '';
    let isStatic = true;
    const params: string[] = [];
    // mvdan-sh reads `#` as a comment right after a quote or an expansion.
    let afterLiteral = false;
    const param = (): void => {
      // `$NAME` or `${NAME}`, kept as written.
      const from = this.i;
      this.i++;
      const braced = this.char() === '{';
      if (braced) this.i++;
      if (!NAME_START.test(this.char())) throw new Bail();
      const nameStart = this.i;
      while (NAME.test(this.char())) this.i++;
      const name = this.text.slice(nameStart, this.i);
      if (braced) {
        if (this.char() !== '}') throw new Bail();
        this.i++;
      }
      value += this.text.slice(from, this.i);
      isStatic = false;
      if (!params.includes(name)) params.push(name);
    };
    for (;;) {
      const c = this.char();
      const code = c.charCodeAt(0);
      if (c === '<' || c === '>') {
        // A digit before a redirection may be read as its descriptor (`a"x"2>f`): mvdan-sh's call.
        if (this.i > start && /[0-9]/.test(this.char(this.i - 1))) throw new Bail();
        break;
      }
      if (c === '' || c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '|' || c === '&') break;
      if (code < 128 && WORD[code] === 1 && (c !== '#' || afterLiteral)) {
        value += c;
        this.i++;
        afterLiteral = true;
        continue;
      }
      afterLiteral = false;
      if (c === '$') param();
      else if (c === "'") {
        const close = this.text.indexOf("'", this.i + 1);
        if (close < 0) throw new Bail();
        const body = this.text.slice(this.i + 1, close);
        for (let k = this.i + 1; k < close; k++) if (this.text[k] === '\n') this.lineBreakAt(k);
        value += body;
        this.i = close + 1;
      } else if (c === '"') {
        this.i++;
        for (;;) {
          const d = this.char();
          if (d === '"') break;
          if (d === '' || d === '\\' || d === '`') throw new Bail();
          if (d === '$') param();
          else {
            if (d === '\n') this.lineBreakAt(this.i);
            value += d;
            this.i++;
          }
        }
        this.i++;
      } else throw new Bail();
    }
    const word: ShellWord = { value, static: isStatic, raw: this.text.slice(start, this.i), line: line + this.lineOffset, column, params, commandSubstitution: false };
    this.wordEnd = this.i;
    return word;
  }

  private lineBreakAt(k: number): void {
    this.line++;
    this.lineStart = k + 1;
  }
}
