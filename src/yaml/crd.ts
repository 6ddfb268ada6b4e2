/**
 * CustomResourceDefinition bodies are the bulk of the YAML bytes in chart trees (bitnami: 53 CRD files, half of all
 * YAML bytes; a third of the parse time) and no rule reads them: a CRD document only needs its kind and name.
 *
 * `blankCrdBodies` empties, in the YAML text, every top-level entry of a CRD document other than apiVersion, kind
 * and metadata (spec, status), line by line: the line count is unchanged, so every position of everything else
 * stays exactly where it was. Applied to the text handed to the YAML parser (after the Helm front end for
 * templates: its actions are already recorded), never to what other analyzers read.
 *
 * It only touches a document it understands: a block mapping at column 0 with a literal
 * `kind: CustomResourceDefinition` line, where no kept line holds an alias (`*`) that could point into a blanked
 * entry. Anything else is left alone and parsed in full.
 */

const KIND_LINE = /^kind:[ \t]*(["']?)CustomResourceDefinition\1[ \t]*(#.*)?$/;
const DOC_MARKER = /^(---|\.\.\.)([ \t]|$)/;
const TOP_KEY = /^([A-Za-z_][A-Za-z0-9_.-]*|"[^"]*"|'[^']*'):([ \t]|$)/;
const KEEP = new Set(['apiVersion', 'kind', 'metadata']);

/** A line starting at column 0 with something other than a space or tab: index, offset, end (its `\n` or the text's end). */
interface TopLine {
  line: number;
  start: number;
  end: number;
}

/** Text [start, end) is replaced by `newlines` newlines: its lines are emptied. */
interface Blank {
  start: number;
  end: number;
  newlines: number;
}

export function blankCrdBodies(text: string): string {
  // Cheap exit for the 99% case.
  if (!text.includes('CustomResourceDefinition')) return text;
  // Only column-0 lines can be document markers or top-level keys: indented lines (nearly all of a CRD) are stepped
  // over, never copied.
  const tops: TopLine[] = [];
  let lineCount = 1;
  for (let pos = 0; ; lineCount++) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    if (end > pos && text.charCodeAt(pos) !== 32 && text.charCodeAt(pos) !== 9) tops.push({ line: lineCount - 1, start: pos, end });
    if (nl < 0) break;
    pos = nl + 1;
  }
  const isMarker = (top: TopLine) => DOC_MARKER.test(text.slice(top.start, top.end));
  const blanks: Blank[] = [];
  // A document runs from its marker line (or the text's start) to the next marker line after it.
  let header: TopLine | undefined = tops[0]?.line === 0 && isMarker(tops[0]) ? tops[0] : undefined;
  let first = header ? 1 : 0;
  for (;;) {
    let next = first;
    while (next < tops.length && !isMarker(tops[next]!)) next++;
    const contentStart = header ? Math.min(text.length, header.end + 1) : 0;
    blankDocument(text, tops, first, next, contentStart, lineCount, blanks);
    if (next >= tops.length) break;
    header = tops[next];
    first = next + 1;
  }
  if (blanks.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const b of blanks) {
    parts.push(text.slice(at, b.start), '\n'.repeat(b.newlines));
    at = b.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * A document: its column-0 lines are tops[from, to), its text starts at contentStart and ends at tops[to] (the next
 * marker) or the text's end. When it is a CRD, its entries other than KEEP go to BLANKS.
 */
function blankDocument(text: string, tops: TopLine[], from: number, to: number, contentStart: number, lineCount: number, blanks: Blank[]): void {
  let isCrd = false;
  // Top-level entries: every non-comment column-0 line must be a block mapping key.
  const keys: { top: TopLine; key: string }[] = [];
  for (let i = from; i < to; i++) {
    const top = tops[i]!;
    const c = text.charCodeAt(top.start);
    if (c === 35 /* # */) continue;
    if (c === 37 /* % */) return; // directives: leave to the parser
    const line = text.slice(top.start, top.end);
    const match = TOP_KEY.exec(line);
    if (!match) return; // flow root, sequence root, scalar root, explicit key...
    let key = match[1]!;
    if (key.startsWith('"') || key.startsWith("'")) key = key.slice(1, -1);
    keys.push({ top, key });
    if (KIND_LINE.test(line)) isCrd = true;
  }
  if (!isCrd) return;
  const endTop = tops[to];
  const docEnd = endTop ? endTop.start : text.length;
  // The text's last line has no newline of its own.
  const docEndLine = endTop ? endTop.line : lineCount - 1;
  const ranges: Blank[] = [];
  let kept = contentStart;
  for (let index = 0; index < keys.length; index++) {
    const { top, key } = keys[index]!;
    if (KEEP.has(key)) continue;
    const nextKey = keys[index + 1]?.top;
    const end = nextKey ? nextKey.start : docEnd;
    // Anchors are per document: an alias in a kept line (metadata) could point into a blanked entry.
    if (hasStar(text, kept, top.start)) return;
    ranges.push({ start: top.start, end, newlines: (nextKey ? nextKey.line : docEndLine) - top.line });
    kept = end;
  }
  if (ranges.length === 0 || hasStar(text, kept, docEnd)) return;
  for (const r of ranges) blanks.push(r);
}

function hasStar(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 42) return true;
  return false;
}
