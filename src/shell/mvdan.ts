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

export function nodeType(node: ShNode): string {
  return shSyntax().NodeType(node);
}

/** A child node or undefined (Go nil pointers surface as null). */
export function child(node: ShNode, name: string): ShNode | undefined {
  const value = node[name];
  return value && typeof value === 'object' ? (value as ShNode) : undefined;
}

export function children(node: ShNode, name: string): ShNode[] {
  const value = node[name];
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as ShNode[]) : [];
}

export function str(node: ShNode, name: string): string {
  const value = node[name];
  return typeof value === 'string' ? value : '';
}

/** A parse error thrown by mvdan-sh: a Go error object with Error() "file:line:col: message". */
export function parseErrorOf(error: unknown): { message: string; line?: number } {
  const e = error as { Error?: () => string; Text?: string; message?: string } | undefined;
  const full = typeof e?.Error === 'function' ? String(e.Error()) : String(e?.message ?? e);
  const match = /^[^:]*:(\d+):(\d+): (.*)$/s.exec(full);
  if (match) return { message: match[3]!.split('\n')[0]!.slice(0, 300), line: Number(match[1]) };
  return { message: full.split('\n')[0]!.slice(0, 300) };
}
