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

export function blankCrdBodies(text: string): string {
  // Cheap exit for the 99% case.
  if (!text.includes('CustomResourceDefinition')) return text;
  const lines = text.split('\n');
  let changed = false;
  let start = 0;
  while (start < lines.length) {
    let end = start + 1;
    while (end < lines.length && !DOC_MARKER.test(lines[end]!)) end++;
    // [start, end): one document (start may be its `---` line)
    if (blankDocument(lines, DOC_MARKER.test(lines[start]!) ? start + 1 : start, end)) changed = true;
    start = end;
  }
  return changed ? lines.join('\n') : text;
}

function blankDocument(lines: string[], from: number, to: number): boolean {
  let isCrd = false;
  // Top-level entries: [line, key]; every non-blank, non-comment column-0 line must be a block mapping key.
  const keys: { line: number; key: string }[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (line === '' || /^[ \t]/.test(line) || line.startsWith('#')) continue;
    if (line.startsWith('%')) return false; // directives: leave to the parser
    const match = TOP_KEY.exec(line);
    if (!match) return false; // flow root, sequence root, scalar root, explicit key...
    let key = match[1]!;
    if (key.startsWith('"') || key.startsWith("'")) key = key.slice(1, -1);
    keys.push({ line: i, key });
    if (KIND_LINE.test(line)) isCrd = true;
  }
  if (!isCrd) return false;
  const ranges: [number, number][] = [];
  for (const [index, entry] of keys.entries()) {
    if (KEEP.has(entry.key)) continue;
    ranges.push([entry.line, keys[index + 1]?.line ?? to]);
  }
  if (ranges.length === 0) return false;
  const blanked = new Set<number>();
  for (const [a, b] of ranges) {
    for (let i = a; i < b; i++) blanked.add(i);
  }
  // Anchors are per document: an alias in a kept line (metadata) could point into a blanked entry.
  for (let i = from; i < to; i++) if (!blanked.has(i) && lines[i]!.includes('*')) return false;
  for (const [a, b] of ranges) {
    // Comment lines between entries belong to nobody; blanking them is harmless.
    for (let i = a; i < b; i++) lines[i] = '';
  }
  return true;
}
