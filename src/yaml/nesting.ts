/** A bound of YAML nesting read without the yaml library, so that callers can afford it before any parse. */

/**
 * How deep a text may nest before the yaml library sees it. Its composer recurses once per nested collection and
 * catches its own stack overflow in the deepest frame; whatever runs there may make V8 compile a regular
 * expression with no stack left, which aborts the whole process ("RegExpCompiler Allocation failed") where no
 * `catch` can help. Far above any real file, far below the ~800 levels a default Node stack holds.
 */
export const YAML_PARSE_DEPTH_LIMIT = 256;

const BLOCK_SCALAR_HEADER = /(?:^|[\s:-])[|>][-+0-9]*\s*$/;

/**
 * An upper bound of how deeply a YAML text nests, and the line where it first passes `limit`, read without
 * parsing: open indentation levels, compact `- ` runs and flow brackets (outside quotes, comments and block
 * scalars). Continuation lines can add one level each; nothing real comes near the limit.
 */
export function yamlNesting(text: string, limit = YAML_PARSE_DEPTH_LIMIT): { depth: number; line: number } {
  const indents: number[] = [];
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
      start = end + 1;
      continue;
    }
    if (flow === 0 && !quote) {
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
    if (flow === 0 && !quote && BLOCK_SCALAR_HEADER.test(text.slice(start, contentEnd))) blockScalarIndent = indent;
    start = end + 1;
  }
  return { depth: max, line: maxLine };
}
