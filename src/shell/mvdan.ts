import { createRequire } from 'node:module';

/**
 * The untyped surface of mvdan-sh (mvdan.cc/sh transpiled to JS by GopherJS) that src/shell uses. Node fields are
 * getters over Go structs: property names follow the Go API (Stmts, Cmd, Args, Parts, Redirs, Hdoc, ...).
 */
export interface ShPos {
  Line(): number;
  Col(): number;
  Offset(): number;
}

export interface ShNode {
  Pos(): ShPos;
  End(): ShPos;
  // Every other field is dynamic and read through `field()`.
  [key: string]: unknown;
}

export interface ShParser {
  Parse(src: string, name: string): ShNode;
}

interface ShSyntax {
  NewParser(...options: unknown[]): ShParser;
  NodeType(node: ShNode): string;
  KeepComments(keep: boolean): unknown;
  Variant(lang: unknown): unknown;
  LangBash: unknown;
  LangPOSIX: unknown;
}

const require = createRequire(import.meta.url);
let syntaxCache: ShSyntax | undefined;

export function shSyntax(): ShSyntax {
  syntaxCache ??= (require('mvdan-sh') as { syntax: ShSyntax }).syntax;
  return syntaxCache;
}

/*
 * Nodes are read from the Go values inside the wrappers, not through the wrappers: mvdan-sh returns every node as a
 * js.MakeFullWrapper, which defines a getter per field and method and wraps again on each read (about 250 µs for
 * `npm run build`, 8x the parse itself, and most of the scan's garbage). GopherJS keeps the Go value on
 * `__internal_object__`: a struct pointer is a plain object with the Go field names, a slice is
 * {$array, $offset, $length}, a string holds one UTF-8 byte per char, a nil pointer is its type's `nil` object.
 * Methods (Pos, End, Line, Col, Offset) are callable on the Go values directly. Wrapped nodes still work (a build of
 * mvdan-sh without `__internal_object__`).
 */

/** The Go value of a wrapped node, when the wrapper exposes it. */
export function unwrap(node: ShNode): ShNode {
  const inner = (node as { __internal_object__?: unknown }).__internal_object__;
  return inner && typeof inner === 'object' ? (inner as ShNode) : node;
}

interface GoValue {
  $val?: unknown;
  constructor: { nil?: unknown; string?: string };
}

function isGo(value: object): boolean {
  return (value as GoValue).$val !== undefined;
}

/** A Go value that is a real node: not a nil pointer, not a nil interface (a plain `{}`). */
function isGoNode(value: object): boolean {
  const ctor = (value as GoValue).constructor;
  return (value as GoValue).$val !== undefined && ctor.nil !== value && typeof ctor.string === 'string';
}

const goTypeNames = new Map<unknown, string>();

export function nodeType(node: ShNode): string {
  if (!isGo(node)) return shSyntax().NodeType(node);
  const ctor = (node as unknown as GoValue).constructor;
  let name = goTypeNames.get(ctor);
  if (name === undefined) {
    // "*syntax.CallExpr" -> "CallExpr", as syntax.NodeType names it.
    name = (ctor.string ?? '').replace(/^\*?[^.]*\./, '');
    goTypeNames.set(ctor, name);
  }
  return name;
}

/** A child node or undefined (Go nil pointers surface as null). */
export function child(node: ShNode, name: string): ShNode | undefined {
  const value = node[name];
  if (!value || typeof value !== 'object') return undefined;
  if (isGo(node)) return isGoNode(value) ? (value as ShNode) : undefined;
  return value as ShNode;
}

export function children(node: ShNode, name: string): ShNode[] {
  const value = node[name];
  if (Array.isArray(value)) return value.filter((v) => v && typeof v === 'object') as ShNode[];
  const slice = value as { $array?: unknown[]; $offset: number; $length: number } | null | undefined;
  if (!slice || typeof slice !== 'object' || !slice.$array) return [];
  const out: ShNode[] = [];
  for (let i = slice.$offset, end = slice.$offset + slice.$length; i < end; i++) {
    const item = slice.$array[i];
    if (item && typeof item === 'object' && isGoNode(item)) out.push(item as ShNode);
  }
  return out;
}

export function str(node: ShNode, name: string): string {
  const value = node[name];
  if (typeof value !== 'string') return '';
  // A Go string holds UTF-8 bytes, one per char.
  // eslint-disable-next-line no-control-regex
  if (isGo(node) && !/^[\x00-\x7f]*$/.test(value)) return Buffer.from(value, 'latin1').toString('utf8');
  return value;
}

/** A parse error thrown by mvdan-sh: a Go error object with Error() "file:line:col: message". */
export function parseErrorOf(error: unknown): { message: string; line?: number } {
  const e = error as { Error?: () => string; Text?: string; message?: string } | undefined;
  const full = typeof e?.Error === 'function' ? String(e.Error()) : String(e?.message ?? e);
  const match = /^[^:]*:(\d+):(\d+): (.*)$/s.exec(full);
  if (match) return { message: match[3]!.split('\n')[0]!.slice(0, 300), line: Number(match[1]) };
  return { message: full.split('\n')[0]!.slice(0, 300) };
}
