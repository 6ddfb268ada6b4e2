/**
 * web-tree-sitter with the grammars shipped (as WASM) by tree-sitter-wasms. The runtime initialises once, lazily,
 * on the first Python/Go file that passes its prefilter; scans without such files never load it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Language, Node, Parser } from 'web-tree-sitter';

export type { Node };

type TreeSitter = typeof import('web-tree-sitter');
let runtime: Promise<TreeSitter> | undefined;
const parsers = new Map<string, Promise<Parser>>();
/** The last grammar load: web-tree-sitter links a grammar's scanner symbols globally, so loads must not overlap. */
let loading: Promise<unknown> = Promise.resolve();

function grammarPath(name: string): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out', `tree-sitter-${name}.wasm`);
}

/** One parser per grammar, created on first use. */
export function treeSitterParser(grammar: 'python' | 'go' | 'bash'): Promise<Parser> {
  let p = parsers.get(grammar);
  if (!p) {
    p = (async () => {
      // Its CommonJS build, which releaseTreeSitter can let go of (an ES module stays loaded for good).
      runtime ??= (async () => {
        const m = createRequire(import.meta.url)('web-tree-sitter') as TreeSitter;
        await m.Parser.init();
        return m;
      })();
      const m = await runtime;
      const load = loading.then(() => m.Language.load(grammarPath(grammar)));
      loading = load.catch(() => undefined);
      const language: Language = await load;
      const parser = new m.Parser();
      parser.setLanguage(language);
      return parser;
    })();
    parsers.set(grammar, p);
  }
  return p;
}

/**
 * Let go of the runtime, its grammars and their WebAssembly memory (~35 MB): the next Python, Go or Tiltfile parse
 * loads them again. For a scan that parsed its last such file (see releaseParsers). Whether there was one to let go of.
 */
export async function releaseTreeSitter(): Promise<boolean> {
  if (!runtime) return false;
  const loaded = [...parsers.values()];
  parsers.clear();
  runtime = undefined;
  loading = Promise.resolve();
  for (const parser of loaded) {
    try {
      (await parser).delete();
    } catch {
      // a grammar that never loaded
    }
  }
  const require = createRequire(import.meta.url);
  for (const id of Object.keys(require.cache)) if (/[\\/]web-tree-sitter[\\/]/.test(id)) delete require.cache[id];
  return true;
}

export function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

export function pos(node: Node): { line: number; column: number } {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/**
 * Trees of more nodes than this are walked through a cursor: it makes a Node object of only the nodes VISIT gets. A 3 MB
 * Python test file has 660,000 named nodes; made into objects one by one, they took 580 ms and grew the heap by 230 MB
 * of garbage (the tree itself is 130 MB of WebAssembly memory); through the cursor, 400 ms and ~2 MB. Below, the cursor's
 * calls per node (anonymous nodes included) cost more than the objects: 3,000 small Go tests took 13% longer.
 */
export const CURSOR_WALK_FROM = 20_000;

/**
 * Depth-first walk over the named nodes under ROOT (ROOT first), in source order, calling VISIT with those of TYPES.
 * Like `namedChildren`, it never goes below an anonymous node.
 */
export function walk(root: Node, types: ReadonlySet<string>, visit: (node: Node) => void, cursorFrom = CURSOR_WALK_FROM): void {
  if (root.descendantCount < cursorFrom) {
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (types.has(n.type)) visit(n);
      const kids = named(n);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
    return;
  }
  const cursor = root.walk();
  try {
    for (;;) {
      const isNamed = cursor.nodeIsNamed;
      if (isNamed && types.has(cursor.nodeType)) visit(cursor.currentNode);
      if (isNamed && cursor.gotoFirstChild()) continue;
      // A cursor has neither a parent nor siblings beyond the node it was made on.
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
    }
  } finally {
    cursor.delete();
  }
}

/** First syntax error (ERROR or MISSING node), for a parse-error diagnostic. */
export function firstError(root: Node): { line: number; message: string } | undefined {
  if (!root.hasError) return undefined;
  let found: { line: number; message: string } | undefined;
  const stack: Node[] = [root];
  while (stack.length > 0 && !found) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || n.isMissing) {
      found = { line: n.startPosition.row + 1, message: n.isMissing ? `missing ${n.type}` : 'syntax error' };
      break;
    }
    if (n.hasError) {
      const kids = n.children.filter((c): c is Node => c !== null);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  return found;
}
