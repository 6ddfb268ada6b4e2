/**
 * Tiltfiles (Starlark): a small real tokenizer and expression reader for the calls that build images —
 * `docker_build(ref, context, dockerfile=, build_args={…}, secret=[…], target=)` and `custom_build(ref, command, …)`
 * whose command string is parsed as shell — plus the environment reads (`os.getenv`, `os.environ`) and the
 * `fail(...)` prechecks around them.
 */
import { parseShell } from '../../shell/index.js';
import { basename, dirname } from '../../util/path.js';
import type { Analyzer } from '../types.js';
import { buildArgFrom, scriptInvocations, secretFrom, type BuildArgPass, type BuildInvocation } from './invocation.js';

type TokKind = 'str' | 'name' | 'num' | 'op' | 'newline';

interface Token {
  kind: TokKind;
  value: string;
  line: number;
  /** Indentation of the line the token starts (first token of a logical line). */
  lineStart: boolean;
}

export function tokenizeStarlark(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  let lineStart = true;
  const push = (kind: TokKind, value: string, at: number) => {
    tokens.push({ kind, value, line: at, lineStart });
    lineStart = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      if (depth === 0 && !lineStart) {
        tokens.push({ kind: 'newline', value: '\n', line, lineStart: false });
        lineStart = true;
      }
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const prefix = /^[rRbBuUfF]{0,2}(?=['"])/.exec(text.slice(i, i + 3));
    if (prefix && (text[i + prefix[0].length] === '"' || text[i + prefix[0].length] === "'")) {
      const raw = /r/i.test(prefix[0]);
      let j = i + prefix[0].length;
      const quote = text[j]!;
      const triple = text.slice(j, j + 3) === quote.repeat(3);
      const startLine = line;
      j += triple ? 3 : 1;
      let value = '';
      while (j < text.length) {
        const ch = text[j]!;
        if (triple ? text.slice(j, j + 3) === quote.repeat(3) : ch === quote) {
          j += triple ? 3 : 1;
          break;
        }
        if (!triple && ch === '\n') break;
        if (ch === '\n') line++;
        if (ch === '\\' && !raw && j + 1 < text.length) {
          const n = text[j + 1]!;
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };
          if (n === '\n') line++;
          value += map[n] ?? `\\${n}`;
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      push('str', value, startLine);
      i = j;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 200));
    if (ident) {
      push('name', ident[0], line);
      i += ident[0].length;
      continue;
    }
    const num = /^\d[\w.]*/.exec(text.slice(i, i + 50));
    if (num) {
      push('num', num[0], line);
      i += num[0].length;
      continue;
    }
    const op = /^(\*\*|==|!=|<=|>=|\+=|-=|\/\/|->|[-+*/%()[\]{}:,.=<>|&^~;!])/.exec(text.slice(i, i + 3));
    const value = op ? op[0] : c;
    if ('([{'.includes(value)) depth++;
    if (')]}'.includes(value)) depth = Math.max(0, depth - 1);
    push('op', value, line);
    i += value.length;
  }
  return tokens;
}

export type Expr =
  | { kind: 'str'; value: string; line: number }
  | { kind: 'dict'; entries: { key: Expr; value: Expr; line: number }[]; line: number }
  | { kind: 'list'; items: Expr[]; line: number }
  | { kind: 'call'; callee: string; args: Expr[]; kwargs: Record<string, Expr>; line: number; endLine: number }
  | { kind: 'name'; name: string; line: number }
  | { kind: 'index'; target: Expr; key: Expr; line: number }
  | { kind: 'concat'; parts: Expr[]; line: number }
  | { kind: 'other'; line: number };

class Reader {
  i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'op' && t.value === value;
  }

  /** An expression up to `,` / a closing bracket / newline at depth 0. */
  expr(): Expr {
    const first = this.primary();
    const parts = [first];
    while (this.peek() && !this.isOp(',') && !this.isOp(')') && !this.isOp(']') && !this.isOp('}') && !this.isOp(':') && this.peek()!.kind !== 'newline') {
      if (this.isOp('+') || this.isOp('%')) {
        this.i++;
        parts.push(this.primary());
        continue;
      }
      if (this.peek()!.kind === 'name' && ['if', 'else', 'or', 'and', 'for', 'in', 'not'].includes(this.peek()!.value)) {
        this.i++;
        parts.push(this.primary());
        continue;
      }
      this.i++;
    }
    return parts.length === 1 ? first : { kind: 'concat', parts, line: first.line };
  }

  primary(): Expr {
    const t = this.peek();
    if (!t) return { kind: 'other', line: 0 };
    let node: Expr;
    if (t.kind === 'str') {
      this.i++;
      let value = t.value;
      // Adjacent string literals concatenate.
      while (this.peek()?.kind === 'str') value += this.tokens[this.i++]!.value;
      node = { kind: 'str', value, line: t.line };
    } else if (t.kind === 'name') {
      this.i++;
      let name = t.value;
      while (this.isOp('.') && this.peek(1)?.kind === 'name') {
        name += `.${this.peek(1)!.value}`;
        this.i += 2;
      }
      node = { kind: 'name', name, line: t.line };
    } else if (this.isOp('{')) {
      this.i++;
      const entries: { key: Expr; value: Expr; line: number }[] = [];
      while (this.peek() && !this.isOp('}')) {
        const key = this.expr();
        if (this.isOp(':')) {
          this.i++;
          entries.push({ key, value: this.expr(), line: key.line });
        }
        if (this.isOp(',')) this.i++;
        else if (!this.isOp('}')) this.i++;
      }
      this.i++;
      node = { kind: 'dict', entries, line: t.line };
    } else if (this.isOp('[') || this.isOp('(')) {
      const close = this.isOp('[') ? ']' : ')';
      this.i++;
      const items: Expr[] = [];
      while (this.peek() && !this.isOp(close)) {
        items.push(this.expr());
        if (this.isOp(',')) this.i++;
        else if (!this.isOp(close)) this.i++;
      }
      this.i++;
      node = { kind: 'list', items, line: t.line };
    } else if (t.kind === 'op' && (t.value === '-' || t.value === 'not' || t.value === '!')) {
      this.i++;
      return this.primary();
    } else {
      this.i++;
      return { kind: 'other', line: t.line };
    }
    // Calls and subscripts.
    for (;;) {
      if (this.isOp('(')) {
        const callee: string = node.kind === 'name' ? node.name : '';
        this.i++;
        const args: Expr[] = [];
        const kwargs: Record<string, Expr> = {};
        while (this.peek() && !this.isOp(')')) {
          if (this.peek()?.kind === 'name' && this.isOp('=', 1)) {
            const key = this.peek()!.value;
            this.i += 2;
            kwargs[key] = this.expr();
          } else if (this.isOp('*') || this.isOp('**')) {
            this.i++;
            args.push(this.expr());
          } else args.push(this.expr());
          if (this.isOp(',')) this.i++;
          else if (!this.isOp(')')) this.i++;
        }
        const endLine = this.peek()?.line ?? t.line;
        this.i++;
        node = { kind: 'call', callee, args, kwargs, line: t.line, endLine };
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.expr();
        while (this.peek() && !this.isOp(']')) this.i++;
        this.i++;
        node = { kind: 'index', target: node, key, line: t.line };
      } else if (this.isOp('.') && this.peek(1)?.kind === 'name') {
        const method = this.peek(1)!.value;
        this.i += 2;
        node = { kind: 'name', name: `${exprName(node)}.${method}`, line: t.line };
      } else break;
    }
    return node;
  }
}

function exprName(e: Expr): string {
  if (e.kind === 'name') return e.name;
  if (e.kind === 'call') return `${e.callee}()`;
  return '?';
}

export interface TiltModel {
  kind: 'tiltfile';
  invocations: BuildInvocation[];
  /** Environment variables read anywhere (`os.getenv('X')`, `os.environ['X']`). */
  envReads: { name: string; line: number; loud: boolean }[];
  /** Names checked with a `fail(...)` nearby, tested in an `if`/`while` condition or read with `os.environ[...]`. */
  checked: string[];
  usesFail: boolean;
}

/** Environment variable read by an expression: `os.getenv('X')`, `os.environ['X']`, `os.environ.get('X')`, `str(os.getenv('X'))`. */
function envNameOf(e: Expr | undefined, vars: Map<string, Expr>, seen = 0): { name: string; loud: boolean } | undefined {
  if (!e || seen > 8) return undefined;
  if (e.kind === 'call' && /^os\.(getenv|environ\.get)$/.test(e.callee) && e.args[0]?.kind === 'str') return { name: e.args[0].value, loud: false };
  if (e.kind === 'index' && e.target.kind === 'name' && e.target.name === 'os.environ' && e.key.kind === 'str') return { name: e.key.value, loud: true };
  if (e.kind === 'call' && ['str', 'strip'].includes(e.callee.split('.').pop()!) && e.args[0]) return envNameOf(e.args[0], vars, seen + 1);
  if (e.kind === 'name' && vars.has(e.name)) return envNameOf(vars.get(e.name), vars, seen + 1);
  if (e.kind === 'concat') for (const p of e.parts) { const r = envNameOf(p, vars, seen + 1); if (r) return r; }
  return undefined;
}

function resolve(e: Expr | undefined, vars: Map<string, Expr>, depth = 0): Expr | undefined {
  if (e?.kind === 'name' && vars.has(e.name) && depth < 8) return resolve(vars.get(e.name), vars, depth + 1);
  return e;
}

/** strOf's answers per expression, for one Tiltfile's variables; IN_PROGRESS while one is being worked out. */
const textsOf = new WeakMap<Map<string, Expr>, Map<Expr, string | undefined | typeof IN_PROGRESS>>();
const IN_PROGRESS = Symbol('in progress');

/**
 * The text of E, through variables and `+`; undefined when some part is not a literal. Each expression is worked out
 * once (`s = s + s` ten times over is 1,024 parts, not 2^10 walks), and one that reaches itself through variables
 * (`a = b + 'x'` … `b = a`) has no text.
 */
function strOf(e: Expr | undefined, vars: Map<string, Expr>): string | undefined {
  const r = resolve(e, vars);
  if (r?.kind === 'str') return r.value;
  if (r?.kind !== 'concat') return undefined;
  let memo = textsOf.get(vars);
  if (!memo) textsOf.set(vars, (memo = new Map()));
  const known = memo.get(r);
  if (known === IN_PROGRESS) return undefined;
  if (known !== undefined || memo.has(r)) return known;
  memo.set(r, IN_PROGRESS);
  const parts = r.parts.map((p) => strOf(p, vars));
  const literal = parts.every((p) => p !== undefined) && parts.reduce((length, p) => length + p.length, 0) <= MAX_TEXT;
  const text = literal ? parts.join('') : undefined;
  memo.set(r, text);
  return text;
}

/** Longer is no image name, path or command anyone writes (and a doubled string grows past what a string can hold). */
const MAX_TEXT = 1 << 20;

/**
 * VALUE with its references to NAME bound to PREVIOUS, the name's value before this assignment (`image = image +
 * ':dev'`): Starlark reads the old value there, and a variable defined through itself would have no end.
 */
function bindPrevious(value: Expr, name: string, previous: Expr | undefined): Expr {
  const bind = (e: Expr): Expr => {
    switch (e.kind) {
      case 'name':
        return e.name === name ? (previous ?? { kind: 'other', line: e.line }) : e;
      case 'concat':
        return { ...e, parts: e.parts.map(bind) };
      case 'list':
        return { ...e, items: e.items.map(bind) };
      case 'dict':
        return { ...e, entries: e.entries.map((entry) => ({ ...entry, key: bind(entry.key), value: bind(entry.value) })) };
      case 'call':
        return { ...e, args: e.args.map(bind), kwargs: Object.fromEntries(Object.entries(e.kwargs).map(([k, v]) => [k, bind(v)])) };
      case 'index':
        return { ...e, target: bind(e.target), key: bind(e.key) };
      default:
        return e;
    }
  };
  return references(value, name) ? bind(value) : value;
}

/** Whether E reads the variable NAME. */
function references(e: Expr, name: string): boolean {
  switch (e.kind) {
    case 'name':
      return e.name === name;
    case 'concat':
      return e.parts.some((p) => references(p, name));
    case 'list':
      return e.items.some((i) => references(i, name));
    case 'dict':
      return e.entries.some((entry) => references(entry.key, name) || references(entry.value, name));
    case 'call':
      return e.args.some((a) => references(a, name)) || Object.values(e.kwargs).some((v) => references(v, name));
    case 'index':
      return references(e.target, name) || references(e.key, name);
    default:
      return false;
  }
}

export function analyzeTiltfile(text: string, path: string): TiltModel {
  const tokens = tokenizeStarlark(text);
  const model: TiltModel = { kind: 'tiltfile', invocations: [], envReads: [], checked: [], usesFail: false };
  const dir = dirname(path);
  const vars = new Map<string, Expr>();
  const calls: Expr[] = [];
  const conditionNames = new Set<string>();
  const testedNames = new Set<string>();
  const reader = new Reader(tokens);
  const collect = (e: Expr, into: Expr[]) => {
    into.push(e);
    if (e.kind === 'call') {
      e.args.forEach((a) => collect(a, into));
      Object.values(e.kwargs).forEach((a) => collect(a, into));
    } else if (e.kind === 'dict') e.entries.forEach((x) => (collect(x.key, into), collect(x.value, into)));
    else if (e.kind === 'list') e.items.forEach((x) => collect(x, into));
    else if (e.kind === 'concat') e.parts.forEach((x) => collect(x, into));
    else if (e.kind === 'index') (collect(e.target, into), collect(e.key, into));
  };
  while (reader.peek()) {
    const t = reader.peek()!;
    if (t.kind === 'newline') {
      reader.i++;
      continue;
    }
    if (t.lineStart && t.kind === 'name' && ['if', 'elif', 'for', 'while'].includes(t.value)) {
      reader.i++;
      const header: Expr[] = [];
      while (reader.peek() && reader.peek()!.kind !== 'newline' && !(reader.isOp(':') && reader.peek(1)?.kind === 'newline')) {
        const before = reader.i;
        collect(reader.expr(), header);
        if (reader.i === before) reader.i++;
      }
      for (const e of header) {
        const r = resolve(e, vars);
        if (r?.kind === 'str') conditionNames.add(r.value);
        if (r?.kind === 'list') for (const item of r.items) if (item.kind === 'str') conditionNames.add(item.value);
        const env = envNameOf(e, vars);
        if (env) {
          conditionNames.add(env.name);
          // `if not os.getenv('X'):` / `if TOKEN == None: … else: docker_build(…)`: the variable is tested before use.
          if (t.value !== 'for') testedNames.add(env.name);
        }
        calls.push(e);
      }
      continue;
    }
    if (t.lineStart && t.kind === 'name' && reader.isOp('=', 1)) {
      reader.i += 2;
      const value = reader.expr();
      vars.set(t.value, bindPrevious(value, t.value, vars.get(t.value)));
      collect(value, calls);
      continue;
    }
    const before = reader.i;
    const e = reader.expr();
    collect(e, calls);
    if (reader.i === before) reader.i++;
  }
  const readsSeen = new Set<string>();
  for (const e of calls) {
    if (e.kind === 'call' && e.callee === 'fail') model.usesFail = true;
    const env = e.kind === 'call' || e.kind === 'index' ? envNameOf(e, vars) : undefined;
    if (env && !readsSeen.has(`${env.name}\0${e.line}`)) {
      readsSeen.add(`${env.name}\0${e.line}`);
      model.envReads.push({ name: env.name, line: e.line, loud: env.loud });
    }
  }
  const checked = new Set<string>();
  if (model.usesFail) for (const n of conditionNames) checked.add(n);
  for (const n of testedNames) checked.add(n);
  for (const r of model.envReads) if (r.loud) checked.add(r.name);
  model.checked = [...checked];

  for (const e of calls) {
    if (e.kind !== 'call') continue;
    if (e.callee === 'docker_build') model.invocations.push(dockerBuild(e, dir, vars));
    if (e.callee === 'custom_build') model.invocations.push(...customBuild(e, path, dir, vars));
  }
  return model;
}

function dockerBuild(e: Extract<Expr, { kind: 'call' }>, dir: string, vars: Map<string, Expr>): BuildInvocation {
  const inv: BuildInvocation = {
    tool: 'tilt-docker-build',
    line: e.line,
    endLine: e.endLine,
    baseDirs: [dir],
    dockerfileRelativeTo: 'cwd',
    buildArgs: [],
    secrets: [],
    envReads: [],
    text: '',
  };
  const image = strOf(e.args[0] ?? e.kwargs.ref, vars);
  if (image !== undefined) inv.image = image;
  const context = strOf(e.args[1] ?? e.kwargs.context, vars);
  if (context !== undefined) inv.context = context;
  const dockerfile = strOf(e.kwargs.dockerfile, vars);
  if (dockerfile !== undefined) inv.dockerfile = dockerfile;
  const target = strOf(e.kwargs.target, vars);
  if (target !== undefined) inv.target = target;
  const args = resolve(e.kwargs.build_args, vars);
  if (args?.kind === 'dict') {
    for (const entry of args.entries) {
      const name = strOf(entry.key, vars);
      if (!name) continue;
      const env = envNameOf(entry.value, vars);
      const literal = strOf(entry.value, vars);
      let arg: BuildArgPass;
      if (env) arg = { name, value: `os.getenv('${env.name}')`, fromEnv: true, literal: false, refs: [env.name], line: entry.line };
      else if (literal !== undefined) arg = buildArgFrom(`${name}=${literal}`, entry.line);
      else arg = { name, fromEnv: false, literal: false, refs: [], line: entry.line };
      inv.buildArgs.push(arg);
      for (const ref of arg.refs) inv.envReads.push({ name: ref, line: entry.line, via: 'getenv' });
    }
  }
  const secret = resolve(e.kwargs.secret, vars);
  const specs = secret?.kind === 'list' ? secret.items : secret ? [secret] : [];
  for (const spec of specs) {
    const text = strOf(spec, vars);
    const s = text ? secretFrom(text, spec.line) : undefined;
    if (s) {
      inv.secrets.push(s);
      for (const ref of s.refs) inv.envReads.push({ name: ref, line: spec.line, via: 'secret-env' });
    }
  }
  return inv;
}

function customBuild(e: Extract<Expr, { kind: 'call' }>, path: string, dir: string, vars: Map<string, Expr>): BuildInvocation[] {
  const commandExpr = resolve(e.args[1] ?? e.kwargs.command, vars);
  let command: string | undefined;
  let line = e.line;
  if (commandExpr?.kind === 'list') {
    const parts = commandExpr.items.map((x) => strOf(x, vars) ?? '$UNKNOWN');
    command = parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`)).join(' ');
    line = commandExpr.line;
  } else if (commandExpr) {
    command = strOf(commandExpr, vars);
    line = commandExpr.line;
  }
  if (!command) return [];
  const script = parseShell(command, { lineOffset: line - 1 });
  if (script.error) return [];
  return scriptInvocations(script, path, 'tilt-custom-build', [dir, ...(dir === '.' ? [] : ['.'])]).map((inv) => ({ ...inv, line: Math.max(inv.line, line) }));
}

export function isTiltfilePath(path: string): boolean {
  const name = basename(path);
  return name === 'Tiltfile' || /^Tiltfile\.|\.tiltfile$|\.star$/i.test(name) || (/\.(bzl|star)$/.test(name) && path.includes('tilt'));
}

export const tiltfileAnalyzer: Analyzer<TiltModel> = {
  id: 'tiltfile',
  claims: (file) => isTiltfilePath(file.path),
  parse: (text, file) => analyzeTiltfile(text, file.path),
};

