/**
 * A fast reader for the YAML that charts, values files and manifests are actually written in: block mappings and
 * sequences, plain scalars, single-line quoted scalars, flow collections (across lines too), literal and folded
 * block scalars, comments and document markers. It builds footprint's positioned tree directly, without the yaml
 * library's three layers of tokens, CST and document nodes in between (most of a cold scan's time, issue 7).
 *
 * It gives up, and the caller hands the text to the yaml library, on anything else: anchors, aliases, tags,
 * directives, multi-line quoted scalars, a flow key and its value on different lines, complex keys, tabs where
 * indentation is read, carriage returns, and every error. So it never has to reproduce an error message or a
 * recovery; where it answers, the answer is the library's, position for position (test/yaml-fast.test.ts compares
 * the two).
 */
import type { PEntry, PMap, PNode, PScalar, PSeq } from './model.js';
import { keepShapes } from '../util/gc.js';

export interface FastDoc {
  index: number;
  root: PNode | null;
  line: number;
}

export interface FastOptions {
  /** Applied to every string scalar and every key. */
  text: (text: string) => string;
  maxDepth: number;
}

/** skipFlowSpaces: no line break allowed here. */
const NO_BREAK = -2;

/** Thrown (one shared instance, never seen outside this module) where the text leaves the supported subset. */
const GIVE_UP = new Error('outside the fast YAML subset');

const LF = 10;
const TAB = 9;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DOT = 46;
const DQUOTE = 34;
const SQUOTE = 39;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const COMMA = 44;
const PIPE = 124;
const GT = 62;

const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value under the YAML 1.2 core schema, tag by tag in the yaml library's order. */
export function resolvePlain(source: string): string | number | boolean | null {
  switch (source) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const first = source.charCodeAt(0);
  // Every number starts with a digit, a sign or a dot.
  if (!((first >= 48 && first <= 57) || first === 43 || first === DASH || first === DOT)) return source;
  if (INT_OCT.test(source)) return parseInt(source.substring(2), 8);
  if (INT.test(source)) return parseInt(source, 10);
  if (INT_HEX.test(source)) return parseInt(source.substring(2), 16);
  if (FLOAT_NAN.test(source)) {
    return source.slice(-3).toLowerCase() === 'nan' ? NaN : source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT_EXP.test(source) || FLOAT.test(source)) return parseFloat(source);
  return source;
}

function isBlank(code: number): boolean {
  return code === SPACE || code === LF || Number.isNaN(code);
}


class FastYamlReader {
  private pos = 0;
  /** Current line number (1-based) and the offset its line starts at. */
  private line = 1;
  private lineStart = 0;
  /** Line where the last finished value ends, as the yaml library counts a collection's end. */
  private valueEndLine = 1;
  /** Whole-line comments passed so far. */
  private commentLines = 0;
  /**
   * Block scalars, multi-line plain scalars and scalars on a line of their own read so far: inside a collection
   * the library's parser is still building, one of them changes which range some comment lines fall into.
   */
  private shifts = 0;
  /** `shifts` when each open block collection started, the document's root first. */
  private openShiftMarks: number[] = [];
  /** Whether the current document's root is a block sequence. */
  private rootSeq = false;
  /** Flow collections open at the current position. */
  private flowLevel = 0;
  private readonly len: number;

  constructor(
    private readonly src: string,
    private readonly options: FastOptions,
  ) {
    this.len = src.length;
  }

  read(): FastDoc[] {
    const docs: FastDoc[] = [];
    const { src } = this;
    for (;;) {
      let next = this.nextContent();
      if (this.pos >= this.len) break;
      let marker: { line: number; column: number } | undefined;
      if (this.lineStart === this.pos && src.charCodeAt(this.pos) === 37 /* % */) throw GIVE_UP;
      if (this.atMarker('---')) {
        this.pos += 3;
        this.restOfLineEmpty();
        // An empty document's null sits after the marker and its spaces.
        marker = { line: this.line, column: this.column() + 1 };
        next = this.nextContent();
      } else if (this.atMarker('...')) {
        throw GIVE_UP;
      }
      if (next < 0) {
        // `---` followed by nothing (the end, or the next marker): an empty document.
        if (!marker) throw GIVE_UP;
        const root: PScalar = { t: 'scalar', value: null, style: 'plain', line: marker.line, column: marker.column, endLine: marker.line };
        docs.push({ index: docs.length, root, line: marker.line });
        if (this.atMarker('...')) this.endMarker();
        continue;
      }
      const root = this.blockNode(next, -1, 0);
      docs.push({ index: docs.length, root, line: root.line });
      // The root must be followed by the end, `---` or `...`: anything else is an error for the library to tell.
      if (this.contentIndent() >= 0) throw GIVE_UP;
      if (this.atMarker('...')) this.endMarker();
    }
    return docs;
  }


  private atMarker(marker: '---' | '...'): boolean {
    const { src, pos } = this;
    return pos === this.lineStart && src.startsWith(marker, pos) && isBlank(src.charCodeAt(pos + 3));
  }

  /** A document marker (`---` or `...` and a blank) at P, the start of a line. */
  private markerAt(p: number): boolean {
    const { src } = this;
    return (src.startsWith('---', p) || src.startsWith('...', p)) && isBlank(src.charCodeAt(p + 3));
  }

  private endMarker(): void {
    this.pos += 3;
    this.restOfLineEmpty();
  }

  /** After a marker or a complete value: only spaces and a comment may follow on this line. */
  private restOfLineEmpty(): void {
    const { src } = this;
    let p = this.pos;
    while (p < this.len && src.charCodeAt(p) === SPACE) p++;
    const c = src.charCodeAt(p);
    // A comment needs a space before it: `"a"#b` is an error.
    if (p < this.len && c !== LF && (c !== HASH || p === this.pos)) throw GIVE_UP;
    this.pos = p;
  }

  /**
   * Moves to the first content character of the next line that has content (skipping the rest of the current
   * line, which must be empty or a comment, then blank and comment lines) and returns its indent: -1 at the end of
   * the text or at a document marker in column 0.
   */
  private nextContent(): number {
    const { src, len } = this;
    let p = this.pos;
    // Mid-line (after a value, a key or a marker): the rest of this line is done with.
    if (p !== this.lineStart) {
      const eol = src.indexOf('\n', p);
      if (eol < 0) return this.atEnd(-1);
      p = eol + 1;
      this.line++;
      this.lineStart = p;
    }
    /** Indentation of the most indented comment line passed on the way. */
    let deepestComment = -1;
    for (;;) {
      if (p >= len) return this.atEnd(deepestComment);
      let q = p;
      while (src.charCodeAt(q) === SPACE) q++;
      const c = src.charCodeAt(q);
      if (q >= len) return this.atEnd(deepestComment);
      if (c === LF) {
        p = q + 1;
        this.line++;
        this.lineStart = p;
        continue;
      }
      if (c === HASH) {
        this.commentLines++;
        if (q - p > deepestComment) deepestComment = q - p;
        const eol = src.indexOf('\n', q);
        if (eol < 0) return this.atEnd(deepestComment);
        p = eol + 1;
        this.line++;
        this.lineStart = p;
        continue;
      }
      if (c === TAB || c === 13) {
        // A tab in indentation (or a line of whitespace with tabs), or a carriage return: the library's to judge.
        throw GIVE_UP;
      }
      this.pos = q;
      const marker = q === p && this.markerAt(q);
      this.checkComments(deepestComment, marker ? 0 : q - p);
      return marker ? -1 : q - p;
    }
  }

  private atEnd(deepestComment: number): number {
    this.checkComments(deepestComment, 0);
    this.pos = this.len;
    return -1;
  }

  /** Whether a shifting scalar (see `shifts`) was read inside a block collection still open below the root. */
  private shiftedInOpenCollection(): boolean {
    const marks = this.openShiftMarks;
    // A root sequence is itself such a collection (its items are not closed sections as a root mapping's are).
    if (this.rootSeq) return marks.length >= 1 && this.shifts > marks[0]!;
    return marks.length >= 2 && this.shifts > marks[1]!;
  }

  /**
   * Comment lines more indented than the content after them: the library leaves them out of the collections they
   * close, except after a shifting scalar in a collection still open. Those texts are left to it.
   */
  private checkComments(deepestComment: number, nextIndent: number): void {
    if (deepestComment > nextIndent && this.shiftedInOpenCollection()) throw GIVE_UP;
  }

  private column(): number {
    return this.pos - this.lineStart;
  }

  /** The line the current line's end is on, as the library counts a value's end: past the line break if any. */
  private endOfLine(): number {
    const eol = this.src.indexOf('\n', this.pos);
    return eol < 0 ? this.line : this.line + 1;
  }

  /** A node that starts at the current position, in column `indent`, inside a parent whose indent is `parent`. */
  private blockNode(indent: number, parent: number, depth: number): PNode {
    if (depth > this.options.maxDepth) throw GIVE_UP;
    const { src } = this;
    const c = src.charCodeAt(this.pos);
    if (c === DASH && isBlank(src.charCodeAt(this.pos + 1))) return this.blockSeq(indent, depth);
    if (this.isMapEntry()) return this.blockMap(indent, depth);
    // A block scalar header on a line of its own (or at the root): rare enough to leave to the library.
    if (c === PIPE || c === GT) throw GIVE_UP;
    this.shifts++;
    const node = this.inlineValue(depth, parent);
    // A scalar on a line of its own: the next content must not continue it.
    const next = this.nextContent();
    if (next > parent) throw GIVE_UP;
    return node;
  }

  /**
   * A scalar or flow collection that starts at the current position and ends on this line, followed only by
   * spaces and a comment. Leaves the position after it and records where the value ends.
   */
  private inlineValue(depth: number, parent: number): PNode {
    const { src } = this;
    const c = src.charCodeAt(this.pos);
    let node: PNode;
    if (c === DQUOTE || c === SQUOTE) node = this.quoted();
    else if (c === LBRACKET || c === LBRACE) node = this.flowCollection(depth, parent);
    else node = this.plainValue(parent);
    this.restOfLineEmpty();
    this.valueEndLine = this.endOfLine();
    return node;
  }

  /** Does the current line, from the current position, hold `key:` (a plain or single-line quoted key)? */
  private isMapEntry(): boolean {
    const { src } = this;
    const c = src.charCodeAt(this.pos);
    if (c === DQUOTE || c === SQUOTE) {
      const end = this.quotedEnd(this.pos);
      if (end < 0) return false;
      let p = end;
      while (src.charCodeAt(p) === SPACE) p++;
      return src.charCodeAt(p) === COLON && isBlank(src.charCodeAt(p + 1));
    }
    return this.plainKeyColon(this.pos) >= 0;
  }

  /** Offset of the `:` that ends a plain key starting at START on this line, or -1 when the line holds no key. */
  private plainKeyColon(start: number): number {
    const { src } = this;
    const first = src.charCodeAt(start);
    if (isIndicator(first, src.charCodeAt(start + 1))) return -1;
    for (let p = start; p < this.len; p++) {
      const c = src.charCodeAt(p);
      if (c === LF) return -1;
      if (c === COLON) {
        const n = src.charCodeAt(p + 1);
        if (n === SPACE || n === LF || p + 1 >= this.len) return p;
        if (n === TAB || n === 13) throw GIVE_UP;
      } else if (c === SPACE && src.charCodeAt(p + 1) === HASH) {
        return -1;
      } else if (c === TAB || c === 13) {
        throw GIVE_UP;
      }
    }
    return -1;
  }

  private blockMap(indent: number, depth: number): PMap {
    const { src } = this;
    const line = this.line;
    const column = this.column() + 1;
    const entries: PEntry[] = [];
    const commentsBefore = this.commentLines;
    if (this.openShiftMarks.length === 0) this.rootSeq = false;
    this.openShiftMarks.push(this.shifts);
    for (;;) {
      const keyLine = this.line;
      const keyColumn = this.column() + 1;
      let key: string;
      const c = src.charCodeAt(this.pos);
      if (c === DQUOTE || c === SQUOTE) {
        const quoted = this.quoted();
        key = quoted.value as string;
        while (src.charCodeAt(this.pos) === SPACE) this.pos++;
        if (src.charCodeAt(this.pos) !== COLON) throw GIVE_UP;
        this.pos++;
      } else {
        const colon = this.plainKeyColon(this.pos);
        if (colon < 0) throw GIVE_UP;
        const source = src.slice(this.pos, colon).trimEnd();
        if (source === '<<') throw GIVE_UP;
        const resolved = resolvePlain(source);
        key = this.options.text(typeof resolved === 'string' ? resolved : String(resolved ?? ''));
        this.pos = colon + 1;
      }
      const value = this.mapValue(indent, depth + 1);
      entries.push({ key, line: keyLine, column: keyColumn, value });
      const here = this.contentIndent();
      if (here < indent) break;
      if (here > indent) throw GIVE_UP;
      // Same column: the next key, or (a sequence item here) an error the library reports.
      if (!this.isMapEntry()) throw GIVE_UP;
    }
    this.checkBareNullEnd(entries[entries.length - 1]!.value, commentsBefore);
    this.openShiftMarks.pop();
    // Exact-size arrays (push leaves growth slack): models live until every rule ran.
    return { t: 'map', entries: entries.slice(), line, column, endLine: this.valueEndLine };
  }

  /**
   * A collection that ends with an empty value (`key:` or `-` and nothing else) ends on that line in the library,
   * unless comment lines came before in it after a shifting scalar in a collection still open: then it may count
   * the line break in. Left to it.
   */
  private checkBareNullEnd(last: PNode | null, commentsBefore: number): void {
    if (this.shiftedInOpenCollection() && this.commentLines !== commentsBefore && last?.t === 'scalar' && last.value === null && last.style === 'plain' && this.valueEndLine === last.line) {
      throw GIVE_UP;
    }
  }

  /** The indent of the content line the position is on, or -1 at the end / a document marker. */
  private contentIndent(): number {
    if (this.pos >= this.len) return -1;
    if (this.pos === this.lineStart && this.markerAt(this.pos)) return -1;
    return this.column();
  }

  /** The value after `key:` (position just past the colon). Leaves the position on the next content line. */
  private mapValue(indent: number, depth: number): PNode {
    if (depth > this.options.maxDepth) throw GIVE_UP;
    const { src } = this;
    while (src.charCodeAt(this.pos) === SPACE) this.pos++;
    const c = src.charCodeAt(this.pos);
    if (this.pos >= this.len || c === LF || c === HASH) {
      return this.valueOnNextLines(indent, depth, true);
    }
    if (c === TAB || c === 13) throw GIVE_UP;
    if (c === PIPE || c === GT) {
      const node = this.blockScalar(indent);
      return node;
    }
    if (c === DASH && isBlank(src.charCodeAt(this.pos + 1))) throw GIVE_UP;
    const node = this.inlineValue(depth, indent);
    const next = this.nextContent();
    if (next > indent) throw GIVE_UP;
    return node;
  }

  /**
   * Nothing after `key:` or `-` on this line: the value is the more indented node below (or, under a key, a
   * sequence in the key's own column), else an empty (null) scalar where the value would have been.
   */
  private valueOnNextLines(indent: number, depth: number, underKey: boolean): PNode {
    const nullLine = this.line;
    const nullColumn = this.column() + 1;
    const hasComment = this.src.charCodeAt(this.pos) === HASH && this.src.indexOf('\n', this.pos) >= 0;
    const next = this.nextContent();
    if (next > indent) return this.blockNode(next, indent, depth);
    if (underKey && next === indent && this.src.charCodeAt(this.pos) === DASH && isBlank(this.src.charCodeAt(this.pos + 1))) {
      return this.blockSeq(indent, depth);
    }
    // The library ends a collection whose last value is empty on that value's line, or past the comment after it
    // and any blank or comment lines that follow (those are left to it).
    if (hasComment && this.pos < this.len && this.line !== nullLine + 1) throw GIVE_UP;
    this.valueEndLine = hasComment ? nullLine + 1 : nullLine;
    return { t: 'scalar', value: null, style: 'plain', line: nullLine, column: nullColumn, endLine: nullLine };
  }

  private blockSeq(indent: number, depth: number): PSeq {
    const { src } = this;
    const line = this.line;
    const column = this.column() + 1;
    const items: (PNode | null)[] = [];
    const commentsBefore = this.commentLines;
    if (this.openShiftMarks.length === 0) this.rootSeq = true;
    this.openShiftMarks.push(this.shifts);
    if (depth + 1 > this.options.maxDepth) throw GIVE_UP;
    for (;;) {
      // At `-`.
      this.pos++;
      while (src.charCodeAt(this.pos) === SPACE) this.pos++;
      const c = src.charCodeAt(this.pos);
      let item: PNode;
      if (this.pos >= this.len || c === LF || c === HASH) {
        item = this.valueOnNextLines(indent, depth + 1, false);
      } else if (c === TAB || c === 13) {
        throw GIVE_UP;
      } else if (c === PIPE || c === GT) {
        item = this.blockScalar(indent);
      } else {
        // A compact node: its own column is where it starts on the `-` line.
        item = this.blockNode(this.column(), indent, depth + 1);
      }
      items.push(item);
      const here = this.contentIndent();
      if (here < indent) break;
      if (here > indent) throw GIVE_UP;
      if (!(src.charCodeAt(this.pos) === DASH && isBlank(src.charCodeAt(this.pos + 1)))) break;
    }
    this.checkBareNullEnd(items[items.length - 1]!, commentsBefore);
    this.openShiftMarks.pop();
    return { t: 'seq', items: items.slice(), line, column, endLine: this.valueEndLine };
  }

  /** `|` or `>` block scalar whose parent node is indented by PARENT. Leaves the position on the next content line. */
  private blockScalar(parent: number): PScalar {
    const { src, len } = this;
    const line = this.line;
    const column = this.column() + 1;
    const folded = src.charCodeAt(this.pos) === GT;
    this.shifts++;
    let p = this.pos + 1;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    const h = src.charCodeAt(p);
    if (h === DASH) chomp = 'strip';
    else if (h === 43) chomp = 'keep';
    if (chomp !== 'clip') p++;
    const after = src.charCodeAt(p);
    if (after >= 48 && after <= 57) throw GIVE_UP; // explicit indentation indicator
    if (p < len && after !== SPACE && after !== LF) throw GIVE_UP;
    this.pos = p;
    this.restOfLineEmpty();
    const eol = src.indexOf('\n', this.pos);
    if (eol < 0) {
      // Header at the very end: an empty scalar.
      throw GIVE_UP;
    }
    // Lines of the scalar: [start, end) offsets of each line after the header.
    let lineNo = this.line;
    let start = eol + 1;
    let blockIndent = -1;
    let leadingEmptyMax = 0;
    /** Spaces on each empty line before the first content line, and on the line that ends the scalar. */
    const leadingSpaces: number[] = [];
    let stopIndent = 0;
    let partialLastLine = false;
    const texts: string[] = [];
    /** Index in `texts` of the last line with content, and the line number after it. */
    let lastContent = -1;
    let endLineContent = lineNo + 1;
    let endLineAll = lineNo + 1;
    let stopStart = len;
    let stopLine = lineNo + 1;
    for (;;) {
      if (start >= len) {
        stopStart = len;
        stopLine = lineNo + 1;
        break;
      }
      lineNo++;
      let q = start;
      while (src.charCodeAt(q) === SPACE) q++;
      let end = src.indexOf('\n', q);
      const hasBreak = end >= 0;
      if (!hasBreak) end = len;
      const spaces = q - start;
      const empty = q === end;
      if (blockIndent < 0) {
        if (empty) {
          leadingEmptyMax = Math.max(leadingEmptyMax, spaces);
          leadingSpaces.push(spaces);
          if (!hasBreak) partialLastLine = true;
          texts.push('');
          endLineAll = hasBreak ? lineNo + 1 : lineNo;
          start = end + 1;
          continue;
        }
        if (spaces <= parent) {
          // A comment right after an empty scalar: whether the library's ranges take it in depends on its state.
          if (src.charCodeAt(q) === HASH && spaces === parent) throw GIVE_UP;
          stopStart = start;
          stopLine = lineNo;
          stopIndent = spaces;
          break;
        }
        if (src.charCodeAt(q) === TAB || src.charCodeAt(q) === 13) throw GIVE_UP;
        blockIndent = spaces;
        if (leadingEmptyMax > blockIndent) throw GIVE_UP;
      } else if (spaces < blockIndent) {
        if (!empty) {
          const c = src.charCodeAt(q);
          // A comment indented into the parent after the scalar: the library's range takes it in, or not.
          if (c === TAB || c === 13 || (c === HASH && (spaces > parent || (spaces === parent && chomp === 'keep')))) throw GIVE_UP;
          stopStart = start;
          stopLine = lineNo;
          break;
        }
        texts.push('');
        if (!hasBreak) partialLastLine = true;
        endLineAll = hasBreak ? lineNo + 1 : lineNo;
        start = end + 1;
        continue;
      }
      if (src.charCodeAt(end - 1) === 13) throw GIVE_UP;
      if (!hasBreak) partialLastLine = true;
      const text = src.slice(start + blockIndent, end);
      texts.push(text);
      if (text.length > 0) {
        lastContent = texts.length - 1;
        endLineContent = hasBreak ? lineNo + 1 : lineNo;
      }
      endLineAll = hasBreak ? lineNo + 1 : lineNo;
      start = hasBreak ? end + 1 : len;
      if (!hasBreak) {
        stopStart = len;
        stopLine = lineNo;
        break;
      }
    }
    let value: string;
    let endLine: number;
    if (lastContent < 0) {
      // No content at all (`key: |` and blank lines, typically where a Helm include was). As the library's lexer
      // does, the scalar keeps its empty lines, except that without keep chomping the last ones go back to the
      // lines after it as long as they are no more indented than the line that follows (never the first one).
      if (partialLastLine) throw GIVE_UP;
      let kept = texts.length;
      if (chomp !== 'keep') while (kept > 1 && leadingSpaces[kept - 1]! <= stopIndent) kept--;
      value = chomp === 'keep' && kept > 0 ? '\n'.repeat(kept) : '';
      endLine = line + 1 + kept;
    } else {
      // A last line without a line break: the library's keep chomping reads it differently.
      if (partialLastLine && chomp === 'keep') throw GIVE_UP;
      const body = texts.slice(0, lastContent + 1);
      value = folded ? fold(body) : body.join('\n');
      const trailing = texts.length - 1 - lastContent;
      if (chomp === 'clip') value += '\n';
      else if (chomp === 'keep') value += '\n' + '\n'.repeat(trailing);
      endLine = chomp === 'keep' ? endLineAll : endLineContent;
    }
    // Continue from the first line after the scalar.
    this.pos = stopStart;
    this.line = stopLine;
    this.lineStart = stopStart;
    this.valueEndLine = endLine;
    const next = this.nextContent();
    if (next > parent) throw GIVE_UP;
    return { t: 'scalar', value: this.options.text(value), style: 'block', line, column, endLine };
  }

  /**
   * A plain scalar from the current position; lines below indented past PARENT continue it (folded: one space per
   * line break, a newline per empty line), until a comment, a less indented line or the end.
   */
  private plainValue(parent: number): PScalar {
    const { src } = this;
    const line = this.line;
    const column = this.column() + 1;
    const start = this.pos;
    if (isIndicator(src.charCodeAt(start), src.charCodeAt(start + 1))) throw GIVE_UP;
    let end = this.plainLineEnd(start);
    let source = src.slice(start, end);
    // Continuation lines, unless a comment ended this one.
    while (end >= this.len || src.charCodeAt(end) === LF || (src.charCodeAt(end) === SPACE && src.charCodeAt(this.skipSpaces(end)) !== HASH)) {
      const eol = src.indexOf('\n', end);
      if (eol < 0) break;
      let next = eol + 1;
      let nextLine = this.line + 1;
      let empties = 0;
      let q = next;
      for (;;) {
        q = this.skipSpaces(next);
        if (q >= this.len || src.charCodeAt(q) !== LF) break;
        empties++;
        next = q + 1;
        nextLine++;
      }
      if (q >= this.len) break;
      const c = src.charCodeAt(q);
      if (q - next <= parent || c === HASH) break;
      // Past its first line a plain scalar's line may start with any indicator (`&& cmd`, `| tee`, `"$X"`, `- x`):
      // the library's lexer reads on up to a `: ` or a ` #`, as plainLineEnd does.
      if (c === TAB || c === 13 || (c === COLON && isIndicator(c, src.charCodeAt(q + 1)))) throw GIVE_UP;
      if (q === next && this.markerAt(q)) break;
      end = this.plainLineEnd(q);
      source += (empties === 0 ? ' ' : '\n'.repeat(empties)) + src.slice(q, end);
      this.shifts++;
      this.line = nextLine;
      this.lineStart = next;
    }
    this.pos = end;
    const resolved = line === this.line ? resolvePlain(source) : source;
    return { t: 'scalar', value: typeof resolved === 'string' ? this.options.text(resolved) : resolved, style: 'plain', line, column, endLine: this.line };
  }

  private skipSpaces(p: number): number {
    while (this.src.charCodeAt(p) === SPACE) p++;
    return p;
  }

  /** End of the plain scalar text that starts at START on its line: before a comment, trailing spaces or the break. */
  private plainLineEnd(start: number): number {
    const { src } = this;
    let end = start;
    for (let p = start; p < this.len; p++) {
      const c = src.charCodeAt(p);
      if (c === LF) break;
      if (c === SPACE) {
        if (src.charCodeAt(p + 1) === HASH) break;
        continue;
      }
      if (c === TAB || c === 13) throw GIVE_UP;
      // `key: a: b` is an error (no mapping on one line in block context).
      if (c === COLON && isBlank(src.charCodeAt(p + 1))) throw GIVE_UP;
      end = p + 1;
    }
    return end;
  }

  /** Offset just past the closing quote of a single-line quoted scalar starting at START, or -1. */
  private quotedEnd(start: number): number {
    const { src } = this;
    const q = src.charCodeAt(start);
    for (let p = start + 1; p < this.len; p++) {
      const c = src.charCodeAt(p);
      if (c === LF) return -1;
      if (q === DQUOTE && c === 92 /* \ */) {
        p++;
        if (src.charCodeAt(p) === LF) return -1;
        continue;
      }
      if (c === q) {
        if (q === SQUOTE && src.charCodeAt(p + 1) === SQUOTE) {
          p++;
          continue;
        }
        return p + 1;
      }
    }
    return -1;
  }

  private quoted(): PScalar {
    const { src } = this;
    const line = this.line;
    const column = this.column() + 1;
    const start = this.pos;
    const end = this.quotedEnd(start);
    if (end < 0) throw GIVE_UP;
    const inner = src.slice(start + 1, end - 1);
    let value: string;
    if (src.charCodeAt(start) === SQUOTE) value = inner.includes("''") ? inner.replaceAll("''", "'") : inner;
    else value = inner.includes('\\') ? unescapeDouble(inner) : inner;
    this.pos = end;
    return { t: 'scalar', value: this.options.text(value), style: 'quoted', line, column, endLine: line };
  }

  /**
   * A flow collection. Its lines past the first, if it spans several, are indented past PARENT (the enclosing block
   * collection's indent), except for a closing bracket of the outermost collection, which may stand at PARENT.
   */
  private flowCollection(depth: number, parent: number): PNode {
    if (depth > this.options.maxDepth) throw GIVE_UP;
    const { src } = this;
    const line = this.line;
    const column = this.column() + 1;
    const isSeq = src.charCodeAt(this.pos) === LBRACKET;
    const close = isSeq ? RBRACKET : RBRACE;
    this.pos++;
    this.flowLevel++;
    const items: (PNode | null)[] = [];
    const entries: PEntry[] = [];
    for (;;) {
      this.skipFlowSpaces(parent);
      let c = src.charCodeAt(this.pos);
      if (c === close) {
        this.pos++;
        break;
      }
      if (isSeq) {
        items.push(this.flowNode(depth + 1, parent));
      } else {
        const keyLine = this.line;
        const keyColumn = this.column() + 1;
        const keyNode = this.flowScalar(true);
        // An implicit key and its value start on one line (the library reads on past a break; left to it).
        this.skipFlowSpaces(NO_BREAK);
        if (src.charCodeAt(this.pos) !== COLON || !isBlank(src.charCodeAt(this.pos + 1))) throw GIVE_UP;
        this.pos++;
        this.skipFlowSpaces(NO_BREAK);
        c = src.charCodeAt(this.pos);
        if (c === COMMA || c === close) throw GIVE_UP; // `{a: }`: empty value
        const value = this.flowNode(depth + 1, parent);
        const k = keyNode.value;
        entries.push({ key: typeof k === 'string' ? k : this.options.text(String(k ?? '')), line: keyLine, column: keyColumn, value });
      }
      this.skipFlowSpaces(parent);
      c = src.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c === close) {
        this.pos++;
        break;
      }
      throw GIVE_UP;
    }
    this.flowLevel--;
    // Spanning lines, it shifts comment ranges as a multi-line scalar does (see `shifts`).
    if (this.line !== line) this.shifts++;
    const endLine = this.line;
    return isSeq ? { t: 'seq', items: items.slice(), line, column, endLine } : { t: 'map', entries: entries.slice(), line, column, endLine };
  }

  /**
   * Spaces, and (unless PARENT is NO_BREAK) a comment and line breaks to the next line with content, indented past
   * PARENT; blank lines and comment lines (past PARENT too) in between. Tabs, document markers and a line at PARENT
   * or less (but the outermost closing bracket at PARENT) are left to the library.
   */
  private skipFlowSpaces(parent: number): void {
    const { src } = this;
    for (;;) {
      while (src.charCodeAt(this.pos) === SPACE) this.pos++;
      let c = src.charCodeAt(this.pos);
      if (parent === NO_BREAK || this.pos >= this.len) {
        if (c === LF || c === HASH || c === TAB || c === 13 || this.pos >= this.len) throw GIVE_UP;
        return;
      }
      if (c === HASH) {
        // A comment needs a space before it; it runs to the end of the line.
        if (src.charCodeAt(this.pos - 1) !== SPACE) throw GIVE_UP;
        const eol = src.indexOf('\n', this.pos);
        if (eol < 0) throw GIVE_UP;
        this.pos = eol;
        c = LF;
      }
      if (c !== LF) {
        if (c === TAB || c === 13) throw GIVE_UP;
        return;
      }
      const next = this.pos + 1;
      const q = this.skipSpaces(next);
      const d = src.charCodeAt(q);
      if (q >= this.len || d === TAB || d === 13) throw GIVE_UP;
      if (q === next && this.markerAt(q)) throw GIVE_UP;
      this.line++;
      this.lineStart = next;
      this.pos = q;
      if (d === LF) continue; // a blank line
      const indent = q - next;
      if (d === HASH) {
        if (indent <= parent) throw GIVE_UP;
        this.commentLines++;
        continue;
      }
      if (indent < parent || (indent === parent && !(this.flowLevel === 1 && (d === RBRACKET || d === RBRACE)))) throw GIVE_UP;
    }
  }

  private flowNode(depth: number, parent: number): PNode {
    if (depth > this.options.maxDepth) throw GIVE_UP;
    const c = this.src.charCodeAt(this.pos);
    if (c === LBRACKET || c === LBRACE) return this.flowCollection(depth, parent);
    return this.flowScalar(false);
  }

  /** A scalar inside a flow collection (a key when IS_KEY: it may be followed by `:`). */
  private flowScalar(isKey: boolean): PScalar {
    const { src } = this;
    const c = src.charCodeAt(this.pos);
    if (c === DQUOTE || c === SQUOTE) {
      const node = this.quoted();
      return node;
    }
    const line = this.line;
    const column = this.column() + 1;
    const start = this.pos;
    if (isIndicator(c, src.charCodeAt(start + 1)) || c === COMMA || c === RBRACKET || c === RBRACE) throw GIVE_UP;
    let end = start;
    let p = start;
    for (; p < this.len; p++) {
      const d = src.charCodeAt(p);
      if (d === LF || d === COMMA || d === LBRACKET || d === RBRACKET || d === LBRACE || d === RBRACE) break;
      if (d === SPACE) {
        if (src.charCodeAt(p + 1) === HASH) throw GIVE_UP;
        continue;
      }
      if (d === TAB || d === 13) throw GIVE_UP;
      if (d === COLON) {
        const n = src.charCodeAt(p + 1);
        if (n === SPACE || n === COMMA || n === LBRACKET || n === RBRACKET || n === LBRACE || n === RBRACE || n === LF) {
          if (!isKey) throw GIVE_UP; // `[a: b]`: a single-pair mapping
          break;
        }
      }
      end = p + 1;
    }
    this.pos = end;
    const source = src.slice(start, end);
    const resolved = resolvePlain(source);
    return { t: 'scalar', value: typeof resolved === 'string' ? this.options.text(resolved) : resolved, style: 'plain', line, column, endLine: line };
  }
}

/** Characters that cannot start a plain scalar here (or start one the fast reader leaves to the library). */
function isIndicator(c: number, next: number): boolean {
  switch (c) {
    case 38: // & anchor
    case 42: // * alias
    case 33: // ! tag
    case 124: // |
    case 62: // >
    case 37: // %
    case 64: // @
    case 96: // `
    case DQUOTE:
    case SQUOTE:
    case LBRACKET:
    case LBRACE:
    case RBRACKET:
    case RBRACE:
    case HASH:
    case COMMA:
      return true;
    case 63: // ? complex key / : / -
    case COLON:
    case DASH:
      return isBlank(next) || next === TAB;
    default:
      return Number.isNaN(c);
  }
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

function unescapeDouble(inner: string): string {
  let out = '';
  let from = 0;
  for (let i = inner.indexOf('\\'); i >= 0; i = inner.indexOf('\\', from)) {
    out += inner.slice(from, i);
    const e = inner[i + 1]!;
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      from = i + 2;
      continue;
    }
    const digits = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = inner.slice(i + 2, i + 2 + digits);
    if (digits === 0 || hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) throw GIVE_UP;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw GIVE_UP;
    out += String.fromCodePoint(code);
    from = i + 2 + digits;
  }
  return out + inner.slice(from);
}

/** Folded block scalar lines (indentation removed, up to the last line with content) joined as YAML folds them. */
function fold(lines: string[]): string {
  let out = '';
  let previous: 'none' | 'normal' | 'more' = 'none';
  let empties = 0;
  for (const line of lines) {
    if (line.length === 0) {
      empties++;
      continue;
    }
    const more = line.charCodeAt(0) === SPACE || line.charCodeAt(0) === TAB;
    if (previous === 'none') out += '\n'.repeat(empties) + line;
    else if (previous === 'normal' && !more) out += (empties === 0 ? ' ' : '\n'.repeat(empties)) + line;
    else out += '\n' + '\n'.repeat(empties) + line;
    empties = 0;
    previous = more ? 'more' : 'normal';
  }
  return out;
}

keepShapes(new FastYamlReader('a: 1\n', { text: (s) => s, maxDepth: 10 }));

/** The documents of TEXT, or undefined when it leaves the subset this reader handles. */
export function readYamlFast(text: string, options: FastOptions): FastDoc[] | undefined {
  // A byte order mark (scanned files lose theirs when decoded; other callers' texts may keep one).
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new FastYamlReader(text, options).read();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    // A stack overflow, or a bug: the library's reading is the reference either way.
    return undefined;
  }
}
