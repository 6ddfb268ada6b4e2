/**
 * Go-template-aware front end for Helm templates: turns a template into YAML text with the same line count,
 * where every action is either removed (control flow, comments, assignments, block injections) or replaced
 * by a placeholder token that remembers the original expression.
 *
 * Design notes
 * - The scanner is hand-written and linear in the input size: delimiters, trim markers, comments, quoted,
 *   raw (backtick) and char strings inside actions are recognised like Go's text/template lexer does, but
 *   errors never throw: they are reported in `problems` and scanning recovers.
 * - Line numbers map 1:1 between the template and the YAML text. Columns do NOT: actions are removed or
 *   replaced by tokens of a different width. Use `HelmAction.line/column` for template positions.
 * - A multi-line action is replaced on its first line; the text that follows it on its last line is moved
 *   up to that first line (that is where the rendered output would put it), and the lines it spanned
 *   become empty.
 * - Control flow (`if`/`else`/`range`/`with`/`define`/`block`/`end`/...) is removed, so the YAML of every
 *   branch is kept. Parse the result with `uniqueKeys: false`.
 */

export type HelmActionKind = 'control' | 'value' | 'block' | 'comment' | 'assign' | 'define';

export interface HelmAction {
  /** Expression inside the delimiters, trim markers and surrounding spaces removed. */
  expr: string;
  kind: HelmActionKind;
  /** 1-based line of the opening `{{`. */
  line: number;
  /** 1-based column (UTF-16 code units) of the opening `{{` in the template line. */
  column: number;
  /** 1-based line of the closing `}}` (differs from `line` for multi-line actions and comments). */
  endLine: number;
  /** `.Values` paths the action reads, as ".a.b.c" (also `$.Values` and `index .Values "a" "b"`). */
  valuesRefs: string[];
  /** Function and template names called, e.g. ["include", "b64enc", "randAlphaNum", "lookup"]. */
  functions: string[];
  /**
   * The token placed in the YAML text. Set for kind "value", and for kind "block" when the block is the
   * value of a key/list item and a token was kept there (`key: <token>`). Every action with a placeholder
   * is in `HelmFrontEnd.placeholders`.
   */
  placeholder?: string;
  /** Leading keyword for control/define actions: if, else, end, range, with, define, block, break, continue. */
  keyword?: string;
  /** Named templates referenced: `include "x"`, `template "x"`, `define "x"`, `block "x"`. */
  templates: string[];
  /** `{{-` was used. */
  trimLeft: boolean;
  /** `-}}` was used. */
  trimRight: boolean;
  /**
   * Set when the action sits inside a `{{ define "name" }}` body (the name). Define bodies render
   * elsewhere, so their text is blanked in the YAML and their value actions get no placeholder.
   */
  inDefine?: string;
}

export interface HelmFrontEnd {
  /** YAML text, same number of lines as the input. */
  yaml: string;
  actions: HelmAction[];
  /** placeholder token -> action */
  placeholders: Map<string, HelmAction>;
  /**
   * `$name` -> expressions assigned to it anywhere in the file (`:=` and `=`). Variables declared by
   * `range $v := X` and the `$v` of `range $k, $v := X` are recorded as "range X" (the key `$k` not at all); by
   * `with $v := X` / `if $v := X` as "X".
   */
  variables: Map<string, string[]>;
  /** Problems in the template syntax itself (unclosed action, unbalanced end). */
  problems: { line: number; message: string }[];
  /** `{{ define "name" }}` bodies that were closed, in order. */
  defines: HelmDefine[];
}

/** A named template's body: the text between its `define` action and the matching `end`. */
export interface HelmDefine {
  name: string;
  /** 1-based lines of the `define` and of its `end` action. */
  line: number;
  endLine: number;
  /** Offsets in the template: the body is text.slice(start, end) (after the define's `}}`, before the end's `{{`). */
  start: number;
  end: number;
}

export const PLACEHOLDER_PREFIX = '__FPT';
const PLACEHOLDER_RE = /__FPT\d+__/g;
const MAX_PROBLEMS = 100;

/** Control and define keywords, most frequent first; actions carry these shared instances (a model keeps tens of thousands). */
const KEYWORD_LIST = ['end', 'if', 'else', 'with', 'range', 'define', 'block', 'break', 'continue'];
const NON_FUNCTION_IDENTS = new Set([
  'if', 'else', 'end', 'range', 'with', 'define', 'block', 'break', 'continue', 'nil', 'true', 'false',
]);
const BLOCK_FUNCTIONS = new Set(['nindent', 'indent', 'toYaml', 'toYamlPretty', 'toToml']);

// ---------------------------------------------------------------------------------------------------------
// Expression lexer (inside one action)
// ---------------------------------------------------------------------------------------------------------

// Tokens of the expression being analysed live in parallel arrays reused from one action to the next: no object
// per token, and a token's text is sliced only when it is read (most are not).
const T_STR = 0;
const T_NUM = 1;
const T_IDENT = 2;
const T_FIELD = 3;
const T_VAR = 4;
const T_CHAIN = 5;
const T_LP = 6;
const T_RP = 7;
const T_PIPE = 8;
const T_COMMA = 9;
const T_DECL = 10;
const T_ASSIGN = 11;
const T_OTHER = 12;

let tokType = new Uint8Array(64);
let tokStart = new Int32Array(64);
let tokEnd = new Int32Array(64);
/** Var tokens: end of the `$name` head, where the field segments start. */
let tokHead = new Int32Array(64);
let tokCount = 0;

function pushTok(type: number, start: number, end: number, head: number): void {
  if (tokCount === tokType.length) {
    const grow = <A extends Uint8Array | Int32Array>(a: A, b: A): A => (b.set(a), b);
    const size = tokCount * 2;
    tokType = grow(tokType, new Uint8Array(size));
    tokStart = grow(tokStart, new Int32Array(size));
    tokEnd = grow(tokEnd, new Int32Array(size));
    tokHead = grow(tokHead, new Int32Array(size));
  }
  tokType[tokCount] = type;
  tokStart[tokCount] = start;
  tokEnd[tokCount] = end;
  tokHead[tokCount] = head;
  tokCount++;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

export function unquoteGoString(raw: string): string {
  // Good-enough unquoting for keys in index/dig/include: handle the common escapes.
  if (raw.indexOf('\\') < 0) return raw.slice(1, -1);
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const ch = raw[i];
    if (ch === '\\' && i + 1 < raw.length - 1) {
      const n = raw[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else {
      out += ch;
    }
  }
  return out;
}

/** End of the field chain `.a.b.c` that starts at `start` (which points at '.'); `start` when there is none. */
function segsEnd(expr: string, start: number, n: number): number {
  let j = start;
  while (j < n && expr.charCodeAt(j) === 46 /* . */) {
    let k = j + 1;
    while (k < n && isIdentChar(expr.charCodeAt(k))) k++;
    if (k === j + 1) break;
    j = k;
  }
  return j;
}

/** Lexes `expr` into the token arrays (tokCount tokens). */
function lexExpr(expr: string): void {
  tokCount = 0;
  const n = expr.length;
  let i = 0;
  while (i < n) {
    const c = expr.charCodeAt(i);
    if (isSpaceCode(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      let j = i + 1;
      while (j < n && expr.charCodeAt(j) !== c && expr.charCodeAt(j) !== 10) {
        if (expr.charCodeAt(j) === 92) j++;
        j++;
      }
      j = Math.min(j + 1, n);
      pushTok(c === 34 ? T_STR : T_NUM, start, j, 0);
      i = j;
    } else if (c === 96 /* ` */) {
      let j = expr.indexOf('`', i + 1);
      j = j < 0 ? n : j + 1;
      pushTok(T_STR, start, j, 0);
      i = j;
    } else if (c === 46 /* . */) {
      if (i + 1 < n && isDigit(expr.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < n && (isIdentChar(expr.charCodeAt(j)) || expr.charCodeAt(j) === 46)) j++;
        pushTok(T_NUM, start, j, 0);
        i = j;
        continue;
      }
      const last = tokCount - 1;
      const chained = last >= 0 && tokType[last] === T_RP && tokStart[last]! + 1 === i;
      const end = segsEnd(expr, i, n);
      const j = end === i ? i + 1 : end;
      pushTok(chained ? T_CHAIN : T_FIELD, start, j, start);
      i = j;
    } else if (c === 36 /* $ */) {
      let j = i + 1;
      while (j < n && isIdentChar(expr.charCodeAt(j))) j++;
      const end = segsEnd(expr, j, n);
      pushTok(T_VAR, start, end, j);
      i = end;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(expr.charCodeAt(j))) j++;
      // identifiers may be followed by a field chain (e.g. `.Foo` after a method call), keep them separate
      pushTok(T_IDENT, start, j, 0);
      i = j;
    } else if (isDigit(c) || ((c === 45 || c === 43) && i + 1 < n && isDigit(expr.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n && (isIdentChar(expr.charCodeAt(j)) || expr.charCodeAt(j) === 46)) j++;
      pushTok(T_NUM, start, j, 0);
      i = j;
    } else if (c === 58 && expr.charCodeAt(i + 1) === 61) {
      pushTok(T_DECL, start, i + 2, 0);
      i += 2;
    } else {
      pushTok(c === 40 ? T_LP : c === 41 ? T_RP : c === 124 ? T_PIPE : c === 44 ? T_COMMA : c === 61 ? T_ASSIGN : T_OTHER, start, i + 1, 0);
      i++;
    }
  }
}

/** True when token k is an identifier spelled `word`. */
function identIs(expr: string, k: number, word: string): boolean {
  return k < tokCount && tokType[k] === T_IDENT && tokEnd[k]! - tokStart[k]! === word.length && expr.startsWith(word, tokStart[k]);
}

/** The unquoted value of string token k. */
function strValue(expr: string, k: number): string {
  const raw = expr.slice(tokStart[k], tokEnd[k]);
  if (raw.charCodeAt(0) === 96) return raw.slice(1, raw.endsWith('`') && raw.length > 1 ? -1 : undefined);
  return unquoteGoString(raw.endsWith('"') && raw.length > 1 ? raw : raw + '"');
}

/** True when the segment of a field chain after the '.' at `dot` is `Values`; `end` ends the chain. */
function isValuesSeg(expr: string, dot: number, end: number): boolean {
  return dot + 7 <= end && expr.startsWith('Values', dot + 1) && (dot + 7 === end || expr.charCodeAt(dot + 7) === 46);
}

/**
 * `.Values` path of field/var token k, or undefined. `.Values` alone gives ".".
 * `.Values.x`, `$.Values.x`, `$root.Values.x`, `.root.Values.x`, `.context.Values.x`: the segments after `Values`,
 * which are the rest of the token's text.
 */
function valuesPathAt(expr: string, k: number): string | undefined {
  const t = tokType[k];
  if (t !== T_FIELD && t !== T_VAR) return undefined;
  const end = tokEnd[k]!;
  let dot = tokHead[k]!;
  if (dot >= end) return undefined;
  if (!isValuesSeg(expr, dot, end)) {
    if (t === T_VAR) return undefined;
    // a field's second segment
    dot++;
    while (dot < end && expr.charCodeAt(dot) !== 46) dot++;
    if (!isValuesSeg(expr, dot, end)) return undefined;
  }
  return dot + 7 === end ? '.' : expr.slice(dot + 7, end);
}

/** `.foo` (token k) inside `{{ with .Values.x }}` reads `.x.foo`. */
function dotRelativeAt(expr: string, k: number, dotPrefix: string | null): string | undefined {
  if (dotPrefix === null || tokType[k] !== T_FIELD || tokEnd[k]! - tokStart[k]! < 2) return undefined;
  return (dotPrefix === '.' ? '' : dotPrefix) + expr.slice(tokStart[k], tokEnd[k]);
}

function joinPath(base: string, keys: string[]): string {
  if (!keys.length) return base;
  return (base === '.' ? '' : base) + '.' + keys.join('.');
}

/** The shared keyword constant when token k is a keyword identifier. */
function keywordAt(expr: string, k: number): string | undefined {
  if (k >= tokCount || tokType[k] !== T_IDENT) return undefined;
  const len = tokEnd[k]! - tokStart[k]!;
  for (const kw of KEYWORD_LIST) if (kw.length === len && expr.startsWith(kw, tokStart[k])) return kw;
  return undefined;
}

// What analyzeExpr found, read by the caller before the next expression. The lists have unique entries in first-seen
// order (what a Set gives, without one Set per action: there are 150k actions in bitnami/charts and most have one
// entry or none); the caller copies them into exact-size arrays.
let kindOut: HelmActionKind = 'value';
let keywordOut: string | undefined;
/** The `.Values` path a `with` action narrows the dot to. */
let withPathOut: string | undefined;
const refs: string[] = [];
const fns: string[] = [];
const tpls: string[] = [];

/**
 * Analyses an action's expression into kindOut, keywordOut, withPathOut and the refs/fns/tpls lists, and records the
 * variables it assigns in VARIABLES. Returns whether the action is block-like (the last command of the pipeline is
 * nindent/indent/toYaml).
 */
function analyzeExpr(expr: string, dotPrefix: string | null, variables: Map<string, string[]>): boolean {
  lexExpr(expr);
  const nt = tokCount;
  withPathOut = undefined;
  kindOut = 'value';
  // setting length is a runtime call: only when there is something to drop
  if (refs.length !== 0) refs.length = 0;
  if (fns.length !== 0) fns.length = 0;
  if (tpls.length !== 0) tpls.length = 0;
  let bodyStart = 0;
  const keyword = keywordAt(expr, 0);
  /** `else if`, `else with`, `else range`: the second keyword. */
  let elseSub: string | undefined;
  keywordOut = keyword;
  if (keyword !== undefined) {
    kindOut = keyword === 'define' || keyword === 'block' ? 'define' : 'control';
    bodyStart = 1;
    if (keyword === 'else') {
      const second = keywordAt(expr, 1);
      if (second === 'if' || second === 'with' || second === 'range') {
        elseSub = second;
        bodyStart = 2;
      }
    }
  }
  // variable declarations: `$x := ...`, `$x = ...`, `range $k, $v := ...`
  {
    let j = bodyStart;
    let names = 0;
    while (j < nt && tokType[j] === T_VAR && tokHead[j] === tokEnd[j]) {
      names++;
      if (j + 1 < nt && tokType[j + 1] === T_COMMA) j += 2;
      else {
        j += 1;
        break;
      }
    }
    if (names && j < nt && (tokType[j] === T_DECL || tokType[j] === T_ASSIGN)) {
      const rhs = expr.slice(tokEnd[j]).trim();
      const ranged = keyword === 'range' || elseSub === 'range';
      const e = ranged ? `range ${rhs}` : rhs;
      // `range $k, $v := X`: the key or index is a name the values spell, never one of their values.
      for (let m = ranged && names === 2 ? 1 : 0, k = bodyStart + 2 * m; m < names; m++, k += 2) {
        const name = expr.slice(tokStart[k], tokEnd[k]);
        const list = variables.get(name);
        if (list) list.push(e);
        else variables.set(name, [e]);
      }
      if (keyword === undefined) kindOut = 'assign';
      bodyStart = j + 1;
    }
  }
  if ((keyword === 'with' || elseSub === 'with') && nt - bodyStart === 1) {
    withPathOut = valuesPathAt(expr, bodyStart) ?? dotRelativeAt(expr, bodyStart, dotPrefix);
  }
  // functions, templates, values refs
  for (let i = 0; i < nt; i++) {
    const t = tokType[i];
    if (t === T_IDENT) {
      if (i === 0 && keyword !== undefined) {
        if ((keyword === 'define' || keyword === 'block') && 1 < nt && tokType[1] === T_STR) addUnique(tpls, strValue(expr, 1));
        continue;
      }
      if (i === 1 && elseSub !== undefined) continue;
      const v = expr.slice(tokStart[i], tokEnd[i]);
      if (v === 'template' || v === 'include' || v === 'define' || v === 'block') {
        if (i + 1 < nt && tokType[i + 1] === T_STR) addUnique(tpls, strValue(expr, i + 1));
      }
      if (NON_FUNCTION_IDENTS.has(v)) continue;
      addUnique(fns, v);
      if ((v === 'index' || v === 'get') && i + 1 < nt) {
        const base = valuesPathAt(expr, i + 1) ?? dotRelativeAt(expr, i + 1, dotPrefix);
        if (base !== undefined) {
          const keys: string[] = [];
          let k = i + 2;
          while (k < nt && tokType[k] === T_STR && (v === 'index' || keys.length < 1)) keys.push(strValue(expr, k++));
          addUnique(refs, joinPath(base, keys));
          i = k - 1;
        }
      } else if (v === 'dig') {
        const keys: string[] = [];
        let k = i + 1;
        while (k < nt && tokType[k] === T_STR) keys.push(strValue(expr, k++));
        const base = k < nt ? valuesPathAt(expr, k) ?? dotRelativeAt(expr, k, dotPrefix) : undefined;
        if (base !== undefined && keys.length >= 1) {
          addUnique(refs, joinPath(base, keys.slice(0, -1)));
          i = k;
        }
      }
    } else if (t === T_FIELD || t === T_VAR) {
      const p = valuesPathAt(expr, i) ?? dotRelativeAt(expr, i, dotPrefix);
      if (p !== undefined) addUnique(refs, p);
    }
  }
  // block-like: last command of the pipeline is nindent/indent/toYaml
  let lastPipe = -1;
  let depth = 0;
  for (let i = 0; i < nt; i++) {
    const t = tokType[i];
    if (t === T_LP) depth++;
    else if (t === T_RP) depth = Math.max(0, depth - 1);
    else if (t === T_PIPE && depth === 0) lastPipe = i;
  }
  const c = lastPipe + 1;
  if (c < nt && tokType[c] === T_IDENT) {
    for (const f of BLOCK_FUNCTIONS) if (identIs(expr, c, f)) return true;
  }
  return false;
}

function addUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** An exact-size copy (a list grown by push keeps room for 17 entries). */
function exactCopy(list: string[]): string[] {
  return list.length === 0 ? [] : list.length === 1 ? [list[0]!] : list.slice();
}

// ---------------------------------------------------------------------------------------------------------
// Template scanner
// ---------------------------------------------------------------------------------------------------------

/** YAML text of the line, or an action. */
type Piece = string | { action: HelmAction; blockLike: boolean };

/** The trailing token of a rendered line may be dropped when the next content line is indented deeper. */
interface Drop {
  withoutToken: string;
  threshold: number;
  dashOnly: boolean;
  action: HelmAction;
  token: string;
}

/** What rendering a line found besides its text, by line index (few lines have either). */
interface LineNotes {
  drops: Map<number, Drop>;
  /** The line held only control actions: the keyword of the last one. */
  controlOnly: Map<number, string>;
}

interface Opener {
  keyword: string;
  /** `define` name in effect inside this block. */
  innerDefine: string | undefined;
  line: number;
  dot: string | null;
  outerDot: string | null;
  /** For a `define`: offset just past its `}}`, where the body starts. */
  bodyStart: number;
}

export function preprocessHelmTemplate(text: string): HelmFrontEnd {
  const src = typeof text === 'string' ? text : String(text ?? '');
  const actions: HelmAction[] = [];
  const placeholders = new Map<string, HelmAction>();
  const variables = new Map<string, string[]>();
  const problems: { line: number; message: string }[] = [];
  const defines: HelmDefine[] = [];
  let problemOverflow = false;
  const problem = (line: number, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, message });
    else if (!problemOverflow) {
      problemOverflow = true;
      problems.push({ line, message: 'too many template problems; further problems not reported' });
    }
  };

  // rendered YAML lines (without newline), and the number of extra (empty) physical lines that follow each
  // (spanned by multi-line actions)
  const rendered: string[] = [];
  const extras: number[] = [];
  const notes: LineNotes = { drops: new Map(), controlOnly: new Map() };
  const nextToken = (): string => `${PLACEHOLDER_PREFIX}${counter++}__`;
  // pieces of the current line: the first pieceCount entries (a count, not truncation: setting an array's length
  // is a runtime call, and this happens on every line)
  const pieces: Piece[] = [];
  let pieceCount = 0;
  let extra = 0;
  let counter = 0;
  const stack: Opener[] = [];
  let dot: string | null = null;
  /** Name of the innermost enclosing `define`, if any. */
  let defineName: string | undefined;
  let rangeDepth = 0;

  const n = src.length;
  let line = 1;
  let lineStart = 0;
  // brace depth of YAML text on the current physical line (for stray `}}` detection)
  let textBraceDepth = 0;
  let strayReportedLine = 0;
  // set after a string-aware scan ran off the end: from then on, actions end at the next `}}`
  let stringAware = true;
  // position from which no `}}` exists anymore (memo to keep things linear)
  let noCloseFrom = Number.POSITIVE_INFINITY;
  let noCommentEndFrom = Number.POSITIVE_INFINITY;

  const flushLine = (): void => {
    rendered.push(renderLine(pieces, pieceCount, rendered.length, nextToken, placeholders, notes));
    extras.push(extra);
    pieceCount = 0;
    extra = 0;
  };

  // next newline at or after `nextNlFrom` (n when there is none): memo so that a line with many actions is not
  // searched again from each action
  let nextNl = -1;
  let nextNlFrom = 0;
  const newlineFrom = (from: number): number => {
    if (from < nextNlFrom || from > nextNl) {
      const k = src.indexOf('\n', from);
      nextNl = k < 0 ? n : k;
    }
    nextNlFrom = from;
    return nextNl;
  };

  /** Text src[start, end): split on newlines; each newline ends a logical line. */
  const pushText = (start: number, end: number): void => {
    let from = start;
    for (;;) {
      const nl = newlineFrom(from);
      const stop = nl < end ? nl : end;
      if (stop > from && defineName === undefined) {
        const part = src.slice(from, stop);
        pieces[pieceCount++] = part;
        scanStray(part);
      }
      if (stop === end) break;
      flushLine();
      line++;
      textBraceDepth = 0;
      from = nl + 1;
      lineStart = from;
    }
  };

  const scanStray = (part: string): void => {
    if (part.indexOf('}') < 0 && part.indexOf('{') < 0) return;
    for (let k = 0; k < part.length; k++) {
      const c = part.charCodeAt(k);
      if (c === 123) textBraceDepth++;
      else if (c === 125) {
        if (part.charCodeAt(k + 1) === 125 && textBraceDepth < 2 && strayReportedLine !== line) {
          strayReportedLine = line;
          problem(line, "stray '}}' outside an action");
        }
        textBraceDepth = Math.max(0, textBraceDepth - 1);
      }
    }
  };

  let i = 0;
  while (i < n) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      pushText(i, n);
      break;
    }
    if (open > i) pushText(i, open);
    // line/lineStart are current for `open` now (pushText advanced them)
    const column = open - lineStart + 1;
    const startLine = line;

    let p = open + 2;
    const trimLeft = src.charCodeAt(p) === 45 /* - */ && isSpaceCode(src.charCodeAt(p + 1));
    if (trimLeft) p += 2;
    let q = p;
    while (q < n && isSpaceCode(src.charCodeAt(q))) q++;

    let closeAt = -1; // index of `}}`
    let innerEnd = -1;
    let isComment = false;
    let unterminatedString = false;

    if (src.startsWith('/*', q)) {
      isComment = true;
      const endC = q + 2 < noCommentEndFrom ? src.indexOf('*/', q + 2) : -1;
      if (endC < 0) noCommentEndFrom = Math.min(noCommentEndFrom, q + 2);
      if (endC >= 0) {
        let r = endC + 2;
        while (r < n && isSpaceCode(src.charCodeAt(r))) r++;
        if (src.charCodeAt(r) === 45 && src.startsWith('}}', r + 1)) r += 1;
        if (src.startsWith('}}', r)) {
          closeAt = r;
        } else {
          // comment not directly followed by the delimiter: Go rejects it; recover at the next `}}`
          const c2 = r < noCloseFrom ? src.indexOf('}}', r) : -1;
          if (c2 >= 0) {
            problem(startLine, 'comment ends before closing delimiter');
            closeAt = c2;
          } else noCloseFrom = Math.min(noCloseFrom, r);
        }
        innerEnd = endC + 2;
      }
      if (closeAt < 0) problem(startLine, 'unclosed comment');
    } else if (stringAware) {
      let j = q;
      while (j < n) {
        const c = src.charCodeAt(j);
        if (c === 125 && src.charCodeAt(j + 1) === 125) {
          closeAt = j;
          break;
        } else if (c === 34 || c === 39) {
          let k = j + 1;
          while (k < n) {
            const d = src.charCodeAt(k);
            if (d === c) break;
            if (d === 10) {
              unterminatedString = true;
              break;
            }
            if (d === 92) k++;
            k++;
          }
          j = k + 1;
        } else if (c === 96) {
          const k = src.indexOf('`', j + 1);
          if (k < 0) {
            j = n;
            break;
          }
          j = k + 1;
        } else j++;
      }
      if (closeAt < 0) {
        stringAware = false;
        const c2 = q < noCloseFrom ? src.indexOf('}}', q) : -1;
        if (c2 >= 0) {
          if (!unterminatedString) problem(startLine, 'unterminated string in action');
          closeAt = c2;
        } else noCloseFrom = Math.min(noCloseFrom, q);
      }
    } else {
      const c2 = q < noCloseFrom ? src.indexOf('}}', q) : -1;
      if (c2 >= 0) closeAt = c2;
      else noCloseFrom = Math.min(noCloseFrom, q);
    }
    if (unterminatedString) problem(startLine, 'unterminated quoted string in action');

    if (closeAt < 0) {
      if (!isComment) problem(startLine, "unclosed action: '{{' without matching '}}'");
      // drop the rest of this line (it cannot be YAML) and go on with the next line as text
      const nl = src.indexOf('\n', open);
      const stop = nl < 0 ? n : nl;
      i = stop;
      if (isComment) {
        // an unclosed comment swallows everything (like Go) but keep the line count
        let k = src.indexOf('\n', open);
        while (k >= 0) {
          flushLine();
          line++;
          k = src.indexOf('\n', k + 1);
        }
        i = n;
      }
      continue;
    }

    // right trim marker: ` -}}`
    let trimRight = false;
    let exprEnd = isComment ? innerEnd : closeAt;
    if (!isComment && closeAt - 1 >= q && src.charCodeAt(closeAt - 1) === 45 && (closeAt - 2 < q || isSpaceCode(src.charCodeAt(closeAt - 2)))) {
      trimRight = true;
      exprEnd = closeAt - 1;
    } else if (isComment && src.charCodeAt(closeAt - 1) === 45) {
      trimRight = true;
    }
    const expr = src.slice(q, Math.max(q, exprEnd)).trim();
    // count newlines inside the action
    let nls = 0;
    let lastNl = -1;
    for (let k = newlineFrom(open); k < closeAt; k = newlineFrom(k + 1)) {
      nls++;
      lastNl = k;
    }
    if (lastNl >= 0) lineStart = lastNl + 1;

    let blockLike = false;
    let kw: string | undefined;
    let action: HelmAction;
    if (isComment) {
      action = { expr, kind: 'comment', line: startLine, column, endLine: startLine + nls, valuesRefs: [], functions: [], templates: [], trimLeft, trimRight };
    } else {
      blockLike = analyzeExpr(expr, dot, variables);
      kw = keywordOut;
      action = {
        expr,
        kind: kindOut,
        line: startLine,
        column,
        endLine: startLine + nls,
        valuesRefs: exactCopy(refs),
        functions: exactCopy(fns),
        templates: exactCopy(tpls),
        trimLeft,
        trimRight,
      };
      if (kw !== undefined) action.keyword = kw;
      // block structure
      if (kw === 'if' || kw === 'range' || kw === 'with' || kw === 'define' || kw === 'block') {
        const newDot: string | null = kw === 'if' ? dot : kw === 'with' ? withPathOut ?? null : null;
        const innerDefine = kw === 'define' ? action.templates[0] ?? '' : defineName;
        stack.push({ keyword: kw, line: startLine, dot: newDot, outerDot: dot, innerDefine, bodyStart: closeAt + 2 });
        dot = newDot;
        if (kw === 'range') rangeDepth++;
      } else if (kw === 'else') {
        const top = stack[stack.length - 1];
        if (!top || !(top.keyword === 'if' || top.keyword === 'range' || top.keyword === 'with')) {
          problem(startLine, `'else' without matching if/range/with`);
        } else {
          const sub = expr === 'else' ? undefined : expr.split(/\s+/, 2)[1];
          dot = sub === 'with' ? withPathOut ?? null : top.outerDot;
          top.dot = dot;
        }
      } else if (kw === 'end') {
        const top = stack.pop();
        if (!top) problem(startLine, `'end' without matching if/range/with/define/block`);
        else {
          dot = top.outerDot;
          if (top.keyword === 'range') rangeDepth--;
          else if (top.keyword === 'define') defines.push({ name: top.innerDefine ?? '', line: top.line, endLine: startLine, start: top.bodyStart, end: open });
        }
      } else if ((kw === 'break' || kw === 'continue') && rangeDepth === 0) {
        problem(startLine, `'${kw}' outside range`);
      }
    }
    actions.push(action);
    const enclosingDefine = defineName;
    defineName = stack[stack.length - 1]?.innerDefine;
    const defName = enclosingDefine ?? defineName;
    if (defName !== undefined) action.inDefine = defName;
    if (enclosingDefine === undefined && defineName === undefined) pieces[pieceCount++] = { action, blockLike };
    extra += nls;
    line += nls;
    i = closeAt + 2;
  }
  flushLine();
  for (const o of stack) problem(o.line, `unclosed '${o.keyword}' (missing {{ end }})`);

  // resolve `key: <token>` vs `key:` by looking at the next content line
  const indentOf = (s: string): number => {
    let k = 0;
    while (k < s.length && s.charCodeAt(k) === 32) k++;
    return k;
  };
  let nextIndent = -1;
  let nextIsDash = false;
  for (let r = rendered.length - 1; r >= 0; r--) {
    // `{{ else }}\n  {}\n{{ end }}`: an empty flow collection as the alternative of a block branch would
    // clash with the other branch once both are kept; drop it
    // (only a text ending in `}`, `]` or an unusual character can trim to `{}` or `[]`)
    const text = rendered[r]!;
    const lc = text.charCodeAt(text.length - 1);
    const trimmed = lc === 125 || lc === 93 || !(lc > 32 && lc < 127) ? text.trim() : '';
    if ((trimmed === '{}' || trimmed === '[]') && r > 0 && r + 1 < rendered.length) {
      const before = notes.controlOnly.get(r - 1);
      const after = notes.controlOnly.get(r + 1);
      if ((before === 'if' || before === 'else') && (after === 'else' || after === 'end')) rendered[r] = '';
    }
    const d = notes.drops.get(r);
    if (d) {
      const deeper =
        nextIndent > d.threshold || (!d.dashOnly && nextIndent === d.threshold && nextIsDash);
      if (deeper) {
        rendered[r] = d.withoutToken;
        placeholders.delete(d.token);
        delete d.action.placeholder;
        d.action.kind = 'block';
      }
    }
    const t = rendered[r]!;
    const ind = indentOf(t);
    if (ind < t.length && t.charCodeAt(ind) !== 35 /* # */ && !isBlankFrom(t, ind)) {
      nextIndent = ind;
      nextIsDash = t.charCodeAt(ind) === 45 && (ind + 1 === t.length || t.charCodeAt(ind + 1) === 32);
    }
  }

  let out = rendered;
  if (extras.some((e) => e > 0)) {
    out = [];
    for (let r = 0; r < rendered.length; r++) {
      out.push(rendered[r]!);
      for (let k = extras[r]!; k > 0; k--) out.push('');
    }
  }
  return { yaml: out.join('\n'), actions, placeholders, variables, problems, defines };
}

/** The YAML text of line ROW (index) from its pieces; drops and control-only lines go to NOTES. */
function renderLine(
  pieces: Piece[],
  count: number,
  row: number,
  nextToken: () => string,
  placeholders: Map<string, HelmAction>,
  notes: LineNotes,
): string {
  if (count === 1 && typeof pieces[0] === 'string') {
    // a line of text only (most lines)
    const text = pieces[0];
    return isBlankFrom(text, 0) ? '' : text.trimEnd();
  }
  let hasText = false;
  for (let k = 0; k < count; k++) {
    const pc = pieces[k]!;
    if (typeof pc === 'string' && !isBlankFrom(pc, 0)) {
      hasText = true;
      break;
    }
  }
  if (!hasText) {
    // the line only holds actions: control flow is dropped, value actions inject blocks
    let controlOnly: string | undefined;
    let onlyControl = true;
    for (let k = 0; k < count; k++) {
      const pc = pieces[k]!;
      if (typeof pc === 'string') continue;
      if (pc.action.kind === 'value') {
        pc.action.kind = 'block';
        onlyControl = false;
      } else if (pc.action.kind === 'control' && pc.action.keyword) controlOnly = pc.action.keyword;
    }
    if (onlyControl && controlOnly) notes.controlOnly.set(row, controlOnly);
    return '';
  }
  // index of the last piece that is not whitespace text or a removed action
  let last = -1;
  for (let k = count - 1; k >= 0; k--) {
    const pc = pieces[k]!;
    if (typeof pc === 'string') {
      if (!isBlankFrom(pc, 0)) {
        last = k;
        break;
      }
    } else if (pc.action.kind === 'value') {
      last = k;
      break;
    }
  }
  let textOut = '';
  for (let k = 0; k < count; k++) {
    const pc = pieces[k]!;
    if (typeof pc === 'string') {
      textOut += pc;
      continue;
    }
    const a = pc.action;
    if (a.kind !== 'value') continue;
    const token = nextToken();
    a.placeholder = token;
    if (pc.blockLike) a.kind = 'block';
    placeholders.set(token, a);
    if (k === last) {
      const ctx = valueContext(textOut);
      if (ctx) notes.drops.set(row, { withoutToken: textOut.trimEnd(), threshold: ctx.col, dashOnly: ctx.dashOnly, action: a, token });
    }
    textOut += token;
  }
  return textOut.trimEnd();
}

/** True when s from index `from` on is empty or whitespace only (as `trim()` sees whitespace). */
export function isBlankFrom(s: string, from: number): boolean {
  for (let k = from; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 32 || c === 9) continue;
    if (c > 32 && c < 127) return false;
    return s.slice(k).trim().length === 0;
  }
  return true;
}

/**
 * If `prefix` (the YAML text before a trailing value action) ends with a key indicator `key: ` or a list
 * marker `- `, returns the column that children of that key/item must exceed.
 */
function valueContext(prefix: string): { col: number; dashOnly: boolean } | undefined {
  let e = prefix.length;
  while (e > 0 && (prefix.charCodeAt(e - 1) === 32 || prefix.charCodeAt(e - 1) === 9)) e--;
  if (e === prefix.length || e === 0) return undefined; // needs whitespace after the indicator
  const ind = prefix.charCodeAt(e - 1);
  // position of the first content after indentation and list markers
  let k = 0;
  for (;;) {
    while (k < e && prefix.charCodeAt(k) === 32) k++;
    if (k < e && prefix.charCodeAt(k) === 45 && (k + 1 === e || prefix.charCodeAt(k + 1) === 32)) {
      if (k + 1 === e) {
        return ind === 45 ? { col: k, dashOnly: true } : undefined;
      }
      k++;
      continue;
    }
    break;
  }
  if (ind !== 58 /* : */) return undefined;
  if (k >= e) return undefined;
  return { col: k, dashOnly: false };
}

/** Replace placeholder tokens in a string by `{{ expr }}`. */
export function restorePlaceholders(value: string, frontEnd: HelmFrontEnd): string {
  if (typeof value !== 'string' || value.indexOf(PLACEHOLDER_PREFIX) < 0) return value;
  // most placeholder scalars are one token (`key: {{ .Values.x }}`)
  if (value.charCodeAt(0) === 95 /* _ */) {
    const action = frontEnd.placeholders.get(value);
    if (action) return `{{ ${action.expr} }}`;
  }
  return value.replace(PLACEHOLDER_RE, (token) => {
    const action = frontEnd.placeholders.get(token);
    return action ? `{{ ${action.expr} }}` : token;
  });
}

/** True when the string contains at least one placeholder token of this front end. */
export function hasPlaceholder(value: string, frontEnd: HelmFrontEnd): boolean {
  if (typeof value !== 'string' || value.indexOf(PLACEHOLDER_PREFIX) < 0) return false;
  for (const m of value.matchAll(PLACEHOLDER_RE)) if (frontEnd.placeholders.has(m[0])) return true;
  return false;
}
