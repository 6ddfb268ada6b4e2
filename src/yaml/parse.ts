import { LineCounter, parseAllDocuments, isAlias, isMap, isScalar, isSeq, isPair, Scalar, type Document, type Node } from 'yaml';
import type { PEntry, PNode } from './model.js';
import { readYamlFast } from './fast.js';
import { keepShapes } from '../util/gc.js';
import { YAML_PARSE_DEPTH_LIMIT, scanYaml } from './nesting.js';

export { YAML_PARSE_DEPTH_LIMIT, yamlNesting } from './nesting.js';

export interface YamlDoc {
  index: number;
  root: PNode | null;
  line: number;
  /** First error of this document, if it did not parse cleanly (the tree is then best effort). */
  error?: { line: number; message: string };
}

export interface ParsedYaml {
  docs: YamlDoc[];
  /** Nested past YAML_PARSE_DEPTH_LIMIT: never handed to the parser, so `docs` is empty. */
  refused?: { depth: number; line: number };
  /** Aliases expanded past the node budget (alias bomb), or nested past 20 aliases deep: expansion cut. */
  aliasLimitHit: boolean;
  /** Nesting deeper than maxDepth was cut. */
  tooDeep: boolean;
}

export interface ParseYamlOptions {
  /** Applied to every string scalar and key, e.g. to turn Helm placeholders back into `{{ expr }}`. */
  restore?: (text: string) => string;
  /** Applied last to every key and string value, e.g. to intern them (models live until the rules ran). */
  text?: (text: string) => string;
  /**
   * Nodes that expanding aliases may add, per file (an alias bomb: a few lines that expand to billions of nodes). The
   * nodes written out are bounded by the file size limit: a 4 MB manifest bundle has 250,000 of them, and a budget that
   * counted those cut its later documents off.
   */
  maxNodes?: number;
  maxDepth?: number;
  /** false: always the yaml library, never the fast reader (tests compare the two). */
  fast?: boolean;
}

class Budget {
  nodes = 0;
  aliasLimitHit = false;
  tooDeep = false;
  constructor(
    readonly maxNodes: number,
    readonly maxDepth: number,
  ) {}
}

keepShapes(new Budget(1, 1));

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/\s+at line \d+, column \d+:?$/, '');
}

export function parseYaml(text: string, options: ParseYamlOptions = {}): ParsedYaml {
  const budget = new Budget(options.maxNodes ?? 200_000, options.maxDepth ?? 200);
  const restoreOnly = options.restore ?? ((s: string) => s);
  const finishText = options.text;
  const restore = finishText ? (s: string) => finishText(restoreOnly(s)) : restoreOnly;
  if (options.fast !== false) {
    // The fast reader gives up past its depth limit (never above YAML_PARSE_DEPTH_LIMIT, a few hundred frames of
    // its own): it needs no nesting pass first, only the library does.
    const docs = readYamlFast(text, { text: restore, maxDepth: Math.min(budget.maxDepth, YAML_PARSE_DEPTH_LIMIT) });
    if (docs) return { docs, aliasLimitHit: false, tooDeep: false };
  }
  // The nesting is bounded before the yaml library sees the text (see nesting.ts).
  const scanned = scanYaml(text);
  if (scanned.depth > YAML_PARSE_DEPTH_LIMIT) return { docs: [], aliasLimitHit: false, tooDeep: false, refused: { depth: scanned.depth, line: scanned.line } };
  if (options.fast !== false && scanned.uncommented !== text) {
    // The library reads the text without the comment lines that cannot change its tree, and most of the fast
    // reader's guards are about comment lines (where the library's ranges put them): on that text it often answers,
    // and its answer is the library's on that same text, which is what the library path below returns.
    const docs = readYamlFast(scanned.uncommented, { text: restore, maxDepth: Math.min(budget.maxDepth, YAML_PARSE_DEPTH_LIMIT) });
    if (docs) return { docs, aliasLimitHit: false, tooDeep: false };
  }
  const lineCounter = new LineCounter();
  // Without its whole-line comments (same lines, same tree): on documented values files most of the text.
  const documents = parseAllDocuments(scanned.uncommented, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: false });
  const list: Document[] = Array.isArray(documents) ? documents : [];
  const pos = (offset: number | undefined) => lineCounter.linePos(Math.max(0, offset ?? 0));

  /** The first alias of the document being converted that names no anchor. */
  let unresolved: { line: number; message: string } | undefined;
  const convert = (node: unknown, doc: Document, depth: number, aliasDepth: number): PNode | null => {
    if (node == null) return null;
    if (aliasDepth > 0 && ++budget.nodes > budget.maxNodes) {
      budget.aliasLimitHit = true;
      return null;
    }
    if (depth > budget.maxDepth) {
      budget.tooDeep = true;
      return null;
    }
    if (isAlias(node)) {
      if (aliasDepth > 20) {
        budget.aliasLimitHit = true;
        return null;
      }
      const target = node.resolve(doc);
      if (target) return convert(target, doc, depth, aliasDepth + 1);
      // Anchors belong to their document and come before their aliases: YAML readers (Helm's, kubectl's) refuse this.
      unresolved ??= { line: pos(node.range?.[0]).line, message: `alias *${node.source} names no anchor before it in its document` };
      return null;
    }
    const n = node as Node;
    const start = pos(n.range?.[0]);
    const line = start.line;
    const column = start.col;
    const endLine = pos(n.range?.[1]).line;
    // Nodes are built with every field at once, in one order, and arrays at their exact size: they are most of
    // what a scan keeps in memory until the rules ran.
    if (isScalar(n)) {
      const value = n.value;
      const style =
        n.type === Scalar.BLOCK_FOLDED || n.type === Scalar.BLOCK_LITERAL
          ? 'block'
          : n.type === Scalar.QUOTE_DOUBLE || n.type === Scalar.QUOTE_SINGLE
            ? 'quoted'
            : 'plain';
      let plain: string | number | boolean | null;
      if (typeof value === 'string') plain = restore(value);
      else if (typeof value === 'number' || typeof value === 'boolean' || value === null) plain = value;
      else if (typeof value === 'bigint') plain = value.toString();
      else plain = value instanceof Date ? restore(String(n.source ?? value.toISOString())) : String(value);
      return { t: 'scalar', value: plain, style, line, column, endLine };
    }
    if (isSeq(n)) {
      const items = new Array<PNode | null>(n.items.length);
      for (let i = 0; i < items.length; i++) items[i] = convert(n.items[i], doc, depth + 1, aliasDepth);
      return { t: 'seq', items, line, column, endLine };
    }
    if (isMap(n)) {
      const entries: PEntry[] = [];
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = keyText(keyNode, restore);
        const keyPos = pos((keyNode as Node | null)?.range?.[0] ?? n.range?.[0]);
        if (key === '<<') {
          const merged = convert(pair.value, doc, depth + 1, aliasDepth);
          const sources = merged?.t === 'map' ? [merged] : merged?.t === 'seq' ? merged.items : [];
          for (const source of sources) if (source?.t === 'map') entries.push(...source.entries);
          continue;
        }
        entries.push({ key, line: keyPos.line, column: keyPos.col, value: convert(pair.value, doc, depth + 1, aliasDepth) });
      }
      return { t: 'map', entries: entries.slice(), line, column, endLine };
    }
    return null;
  };

  const docs: YamlDoc[] = list.map((doc, index) => {
    const startLine = pos(doc.contents?.range?.[0] ?? doc.range?.[0]).line;
    const error = doc.errors[0];
    const errorLine = error ? pos(error.pos?.[0]).line : startLine;
    unresolved = undefined;
    const root = convert(doc.contents, doc, 0, 0);
    return {
      index,
      root,
      line: startLine,
      ...(error ? { error: { line: errorLine, message: firstLine(error.message) } } : unresolved ? { error: unresolved } : {}),
    };
  });
  return { docs, aliasLimitHit: budget.aliasLimitHit, tooDeep: budget.tooDeep };
}

function keyText(keyNode: Node | null, restore: (s: string) => string): string {
  if (keyNode == null) return '';
  if (isScalar(keyNode)) return restore(String(keyNode.value ?? ''));
  return restore(String(keyNode));
}
