/**
 * One cheap pass over a YAML text before the yaml library sees it: a bound of its nesting (hostile input is never
 * parsed) and the text without its whole-line comments (parsing them is most of the work on documented values
 * files), both without parsing.
 */

/**
 * How deep a text may nest before the yaml library sees it. Its composer recurses once per nested collection and
 * catches its own stack overflow in the deepest frame; whatever runs there may make V8 compile a regular
 * expression with no stack left, which aborts the whole process ("RegExpCompiler Allocation failed") where no
 * `catch` can help. Far above any real file, far below the ~800 levels a default Node stack holds.
 */
export const YAML_PARSE_DEPTH_LIMIT = 256;

const BLOCK_SCALAR_HEADER = /(?:^|[\s:-])[|>][-+0-9]*\s*$/;
/** A line that starts a node of its own: a key, a sequence item or a document marker. */
const NODE_START = /^(?:-(?:[ \t]|$)|---|\.\.\.|[^\s#][^\n]*?:(?:[ \t]|$))/;

export interface YamlScan {
  /** Upper bound of the nesting. */
  depth: number;
  /** Line where the nesting first passes the limit (0: it does not). */
  line: number;
  /**
   * The text with whole-line comments emptied, when that cannot change what it parses to: outside block and
   * quoted scalars and flow collections, between two lines that each start a node (a key, an item), the second
   * no more indented than the first unless the first opens it (`key:`). A comment after a continuation line is
   * kept: it may end a multi-line plain scalar. Line count, and every other line, unchanged.
   */
  uncommented: string;
}

export function yamlNesting(text: string, limit = YAML_PARSE_DEPTH_LIMIT): { depth: number; line: number } {
  const { depth, line } = scanYaml(text, limit, false);
  return { depth, line };
}

/**
 * An upper bound of how deeply a YAML text nests, and the line where it first passes `limit`, read without
 * parsing: open indentation levels, compact `- ` runs and flow brackets (outside quotes, comments and block
 * scalars). Continuation lines can add one level each; nothing real comes near the limit.
 */
/** WITHOUT_COMMENTS false: only the nesting is wanted, `uncommented` is TEXT itself (no copy is made). */
export function scanYaml(text: string, limit = YAML_PARSE_DEPTH_LIMIT, withoutComments = true): YamlScan {
  const indents: number[] = [];
  const emptied: [number, number][] = [];
  let pending: [number, number][] = [];
  /** The last content line: its indentation, whether it starts a node and whether it opens one (`key:`). */
  let previous: { indent: number; startsNode: boolean; opens: boolean } | undefined;
  let max = 0;
  let maxLine = 0;
  let flow = 0;
  let quote = '';
  let blockScalarIndent = -1;
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    let i = start;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    const indent = i - start;
    const blank = i >= end || text[i] === '\r' || (text[i] === '#' && !quote);
    if (blockScalarIndent >= 0) {
      if (blank || indent > blockScalarIndent) {
        start = end + 1;
        continue;
      }
      blockScalarIndent = -1;
    }
    if (blank && !quote && flow === 0) {
      if (text[i] === '#') pending.push([i, text[end - 1] === '\r' ? end - 1 : end]);
      start = end + 1;
      continue;
    }
    const blockLine = flow === 0 && !quote;
    if (pending.length > 0) {
      const next = text.slice(i, end);
      // One at a time: a spread of a long run of comment lines (120,000) goes past the arguments a call can take.
      if (blockLine && (!previous || previous.opens || (previous.startsNode && indent <= previous.indent)) && NODE_START.test(next)) {
        for (const span of pending) emptied.push(span);
      }
      pending = [];
    }
    if (blockLine) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    let compact = 0;
    let nodeStart = flow === 0 && !quote;
    let contentEnd = end;
    for (; i < end; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) {
          if (quote === "'" && text[i + 1] === "'") i++;
          else quote = '';
        }
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') continue;
      if (c === '#' && (i === start || text[i - 1] === ' ' || text[i - 1] === '\t')) {
        contentEnd = i;
        break;
      }
      if (flow > 0) {
        if (c === '[' || c === '{') flow++;
        else if (c === ']' || c === '}') flow--;
        else if (c === '"' || c === "'") quote = c;
      } else if (nodeStart && (c === '[' || c === '{')) {
        flow = 1;
      } else if (nodeStart && (c === '"' || c === "'")) {
        quote = c;
      } else if (nodeStart && (c === '-' || c === '?') && (i + 1 >= end || text[i + 1] === ' ' || text[i + 1] === '\r')) {
        compact++;
        continue;
      }
      const depth = indents.length + compact + flow;
      if (depth > max) {
        max = depth;
        if (max > limit && maxLine === 0) maxLine = lineNo;
      }
      // A node starts after `: ` (a mapping value), and only there on the rest of a block line.
      nodeStart = flow === 0 && c === ':' && (i + 1 >= end || text[i + 1] === ' ' || text[i + 1] === '\r');
    }
    const depth = indents.length + compact + flow;
    if (depth > max) {
      max = depth;
      if (max > limit && maxLine === 0) maxLine = lineNo;
    }
    const content = text.slice(start, contentEnd);
    if (flow === 0 && !quote && BLOCK_SCALAR_HEADER.test(content)) blockScalarIndent = indent;
    // A line that leaves a flow collection or a quoted scalar open: the comments after it stay.
    previous =
      blockLine && flow === 0 && !quote
        ? { indent, startsNode: NODE_START.test(content.slice(indent)), opens: /:\s*$/.test(content) }
        : { indent: -1, startsNode: false, opens: false };
    start = end + 1;
  }
  if (!quote && flow === 0) for (const span of pending) emptied.push(span);
  return { depth: max, line: maxLine, uncommented: !withoutComments || emptied.length === 0 ? text : without(text, emptied) };
}

/** TEXT with each [from, to) range removed (ranges in order, never across a line break). */
function without(text: string, ranges: readonly [number, number][]): string {
  let out = '';
  let at = 0;
  for (const [from, to] of ranges) {
    out += text.slice(at, from);
    at = to;
  }
  return out + text.slice(at);
}
