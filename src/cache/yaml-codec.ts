/**
 * YAML trees in the parse cache as nested arrays instead of objects. A positioned tree as JSON objects is about four
 * times its YAML text (every scalar spells out `"t":"scalar","value":…,"style":"plain","line":…,"column":…,
 * "endLine":…`), and a cached run parses every one of them back. As arrays (measured on the 36,853 YAML entries of
 * the 100k-file bench tree): 84.6 -> 35.2 MB, JSON.parse plus rebuilding the objects 325 -> 165 ms, building the
 * arrays plus JSON.stringify 304 -> 194 ms.
 *
 *   scalar  [0, value, style (0 plain, 1 quoted, 2 block), line, column, endLine]
 *   map     [1, line, column, endLine, key, keyLine, keyColumn, value, key, ...]
 *   seq     [2, line, column, endLine, item, item, ...]
 *
 * Decoding gives back the objects the readers build, same keys in the same order. A tree with anything else in it
 * (a key the model does not have, a style it does not know) is stored as it is: a document whose root is an array
 * is encoded, one whose root is an object is not.
 */
import type { PEntry, PNode } from '../yaml/model.js';
import type { CacheEntry } from './parse-cache.js';

const STYLES = ['plain', 'quoted', 'block'] as const;

const SCALAR = 0;
const MAP = 1;
const SEQ = 2;

type Encoded = unknown[] | null;

/** Thrown inside encodeNode: this tree is kept as objects. */
const NOT_ENCODABLE = new Error('not encodable');

function keyCount(value: object): number {
  let count = 0;
  for (const _ in value) count++;
  return count;
}

function isPosition(node: { line?: unknown; column?: unknown; endLine?: unknown }): boolean {
  return typeof node.line === 'number' && typeof node.column === 'number' && typeof node.endLine === 'number';
}

function encodeNode(node: PNode | null): Encoded {
  if (node === null) return null;
  if (typeof node !== 'object' || Array.isArray(node) || !isPosition(node)) throw NOT_ENCODABLE;
  switch (node.t) {
    case 'scalar': {
      const style = STYLES.indexOf(node.style);
      const value = node.value;
      if (style < 0 || keyCount(node) !== 6 || (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) throw NOT_ENCODABLE;
      return [SCALAR, value, style, node.line, node.column, node.endLine];
    }
    case 'map': {
      if (keyCount(node) !== 5 || !Array.isArray(node.entries)) throw NOT_ENCODABLE;
      const out: unknown[] = [MAP, node.line, node.column, node.endLine];
      for (const entry of node.entries) {
        if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string' || typeof entry.line !== 'number' || typeof entry.column !== 'number' || keyCount(entry) !== 4 || entry.value === undefined) throw NOT_ENCODABLE;
        out.push(entry.key, entry.line, entry.column, encodeNode(entry.value));
      }
      return out;
    }
    case 'seq': {
      if (keyCount(node) !== 5 || !Array.isArray(node.items)) throw NOT_ENCODABLE;
      const out: unknown[] = [SEQ, node.line, node.column, node.endLine];
      for (const item of node.items) {
        if (item === undefined) throw NOT_ENCODABLE;
        out.push(encodeNode(item));
      }
      return out;
    }
    default:
      throw NOT_ENCODABLE;
  }
}

function decodeNode(a: Encoded): PNode | null {
  if (a === null) return null;
  switch (a[0]) {
    case SCALAR:
      return { t: 'scalar', value: a[1] as string | number | boolean | null, style: STYLES[a[2] as number]!, line: a[3] as number, column: a[4] as number, endLine: a[5] as number };
    case MAP: {
      const entries: PEntry[] = new Array((a.length - 4) / 4);
      for (let i = 4, j = 0; i < a.length; i += 4, j++) entries[j] = { key: a[i] as string, line: a[i + 1] as number, column: a[i + 2] as number, value: decodeNode(a[i + 3] as Encoded) };
      return { t: 'map', entries, line: a[1] as number, column: a[2] as number, endLine: a[3] as number };
    }
    default: {
      const items: (PNode | null)[] = new Array(a.length - 4);
      for (let i = 4; i < a.length; i++) items[i - 4] = decodeNode(a[i] as Encoded);
      return { t: 'seq', items, line: a[1] as number, column: a[2] as number, endLine: a[3] as number };
    }
  }
}

interface Doc {
  root: unknown;
}

function yamlDocs(entry: CacheEntry): Doc[] | undefined {
  const model = entry.results['yaml']?.model as { docs?: unknown } | undefined;
  return model && typeof model === 'object' && Array.isArray(model.docs) ? (model.docs as Doc[]) : undefined;
}

/**
 * ENTRY with its YAML documents' trees as arrays, for JSON: a new entry (ENTRY itself is left as it is) sharing
 * everything else. An entry whose trees are encoded already, or that has none, comes back as it is.
 */
export function encodeEntry(entry: CacheEntry): CacheEntry {
  const docs = yamlDocs(entry);
  if (!docs || !docs.some((doc) => doc && typeof doc === 'object' && doc.root !== null && typeof doc.root === 'object' && !Array.isArray(doc.root))) return entry;
  const encoded: Doc[] = [];
  for (const doc of docs) {
    if (!doc || typeof doc !== 'object' || Array.isArray(doc.root) || doc.root === null) {
      encoded.push(doc);
      continue;
    }
    try {
      encoded.push({ ...doc, root: encodeNode(doc.root as PNode) });
    } catch (error) {
      if (error !== NOT_ENCODABLE) throw error;
      encoded.push(doc);
    }
  }
  const yaml = entry.results['yaml']!;
  return { ...entry, results: { ...entry.results, yaml: { ...yaml, model: { ...(yaml.model as object), docs: encoded } } } };
}

/** ENTRY (parsed from JSON) with its encoded YAML trees made objects again, in place. */
export function decodeEntry(entry: CacheEntry): CacheEntry {
  const docs = yamlDocs(entry);
  if (docs) for (const doc of docs) if (doc && Array.isArray(doc.root)) doc.root = decodeNode(doc.root);
  return entry;
}
