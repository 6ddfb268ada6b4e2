/**
 * footprint's own YAML tree: plain, serialisable (cacheable, worker-safe) and positioned. Rules read this, never
 * the yaml library's nodes. Scalars keep Helm expressions as `{{ expr }}` text so "is this templated?" is a
 * string test everywhere.
 */

import { BoundedMemo } from '../util/memo.js';

export interface PBase {
  line: number;
  column: number;
  endLine: number;
}

export interface PScalar extends PBase {
  t: 'scalar';
  value: string | number | boolean | null;
  /** Block scalar (| or >), quoted or plain. */
  style: 'plain' | 'quoted' | 'block';
}

export interface PEntry {
  key: string;
  line: number;
  column: number;
  value: PNode | null;
}

export interface PMap extends PBase {
  t: 'map';
  entries: PEntry[];
}

export interface PSeq extends PBase {
  t: 'seq';
  items: (PNode | null)[];
}

export type PNode = PScalar | PMap | PSeq;

export function isMap(node: PNode | null | undefined): node is PMap {
  return node?.t === 'map';
}
export function isSeq(node: PNode | null | undefined): node is PSeq {
  return node?.t === 'seq';
}
export function isScalar(node: PNode | null | undefined): node is PScalar {
  return node?.t === 'scalar';
}

/** Last entry wins, as Helm and Kubernetes do with duplicate keys (branches of an if/else both kept). */
export function entry(node: PNode | null | undefined, key: string): PEntry | undefined {
  if (!isMap(node)) return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) {
    if (node.entries[i]!.key === key) return node.entries[i];
  }
  return undefined;
}

/** All entries with that key (every if/else branch). */
export function entries(node: PNode | null | undefined, key: string): PEntry[] {
  return isMap(node) ? node.entries.filter((e) => e.key === key) : [];
}

/** `path.split('.').filter(Boolean)`, remembered: rules read the same few dotted paths of every object. */
const dottedPaths = new BoundedMemo<string, readonly string[]>(10_000);
const splitDotted = (path: string): readonly string[] => path.split('.').filter(Boolean);

function dottedParts(path: string): readonly string[] {
  return dottedPaths.get(path, splitDotted);
}

export function get(node: PNode | null | undefined, path: string | readonly string[]): PNode | null | undefined {
  const parts = typeof path === 'string' ? dottedParts(path) : path;
  let current: PNode | null | undefined = node;
  for (const part of parts) {
    if (isSeq(current) && /^\d+$/.test(part)) {
      current = current.items[Number(part)];
      continue;
    }
    current = entry(current, part)?.value;
    if (current == null) return current;
  }
  return current;
}

/** Scalar value as a string (numbers and booleans stringified); undefined for maps, sequences and null. */
export function str(node: PNode | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null) return undefined;
  return String(node.value);
}

export function getStr(node: PNode | null | undefined, path: string | readonly string[]): string | undefined {
  return str(get(node, path));
}

export function seqItems(node: PNode | null | undefined): PNode[] {
  return isSeq(node) ? node.items.filter((item): item is PNode => item !== null) : [];
}

export interface WalkVisit {
  node: PNode;
  /** Key path from the walk's root, e.g. ["spec", "data", "0", "remoteRef"]. */
  path: string[];
  /** The map entry holding this node, when it is a map value. */
  entry?: PEntry;
}

/** A node reached by `walkFrames`: the key it sits under (none for the root) and its parent's frame. */
export interface WalkFrame {
  node: PNode;
  entry: PEntry | undefined;
  key: string | undefined;
  up: WalkFrame | undefined;
}

/**
 * `walk` without a path array per node: same nodes, same order, same skipping; `keyPath(frame)` spells out the path
 * a visit needs (most visits of a values walk need none, and the copies were most of a walk's cost).
 */
export function walkFrames(root: PNode | null | undefined, visit: (frame: WalkFrame) => boolean | void): void {
  const stack: WalkFrame[] = root ? [{ node: root, entry: undefined, key: undefined, up: undefined }] : [];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (visit(frame) === false) continue;
    const node = frame.node;
    if (node.t === 'map') {
      for (let i = node.entries.length - 1; i >= 0; i--) {
        const e = node.entries[i]!;
        if (e.value) stack.push({ node: e.value, entry: e, key: e.key, up: frame });
      }
    } else if (node.t === 'seq') {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (item) stack.push({ node: item, entry: undefined, key: String(i), up: frame });
      }
    }
  }
}

/** The key path of a frame from its walk's root, as `walk` gives it. */
export function keyPath(frame: WalkFrame): string[] {
  let depth = 0;
  for (let f: WalkFrame | undefined = frame; f?.up; f = f.up) depth++;
  const keys = new Array<string>(depth);
  for (let f: WalkFrame | undefined = frame; f?.up; f = f.up) keys[--depth] = f.key!;
  return keys;
}

/** Depth-first walk over every node with its key path; return false from the visitor to skip a subtree. */
export function walk(root: PNode | null | undefined, visit: (v: WalkVisit) => boolean | void): void {
  walkFrames(root, (frame) => visit({ node: frame.node, path: keyPath(frame), entry: frame.entry }));
}

/** Plain JS value of a subtree (for hashing and snippets); Helm expressions stay as text. */
export function toPlain(node: PNode | null | undefined): unknown {
  if (!node) return null;
  if (node.t === 'scalar') return node.value;
  if (node.t === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = toPlain(e.value);
  return out;
}

