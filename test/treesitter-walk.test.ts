import { describe, expect, it } from 'vitest';
import { CURSOR_WALK_FROM, named, treeSitterParser, walk, type Node } from '../src/analyzers/tests/treesitter.js';

/** The walk as it was: every named node made into an object, children through `namedChildren`. */
function objectWalk(root: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    const kids = named(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

const describeNode = (n: Node) => `${n.type}@${n.startIndex}-${n.endIndex}`;

const SOURCES = {
  python: `import os\nfrom hvac import Client\n\ndef test_db(x=[1, {"a": f"{x}"}]):\n    password = os.environ.get("DB_PASSWORD", "secret") or "x"\n    assert login(password)\n    def inner(): return [c for c in "abc" if c]\n\nclass T:\n    async def m(self): await call(**{"k": 1}, key=lambda y: y)\n`,
  go: `package main\n\nimport (\n\t"os"\n\t"testing"\n)\n\ntype Config struct {\n\tPassword string \`default:"x"\`\n}\n\nfunc TestDB(t *testing.T) {\n\tif v := os.Getenv("DB_PASSWORD"); v == "" {\n\t\tt.Setenv("DB_PASSWORD", "secret")\n\t}\n\tfn := func() []string { return []string{"a", \`b\`} }\n\t_ = fn\n}\n`,
  bash: `#!/bin/bash\nset -e\nfor f in *.yaml; do\n  kubectl apply -f "$f" --namespace "\${NS:-default}"\ndone\ncat <<EOF > x\n$(date) \`id\`\nEOF\n[[ -n "$A" ]] && echo "$((1 + 2))"\n`,
  broken: `def f(:\n    x = "unterminated\n  return [1, 2\n`,
} as const;

describe('tree-sitter walk', () => {
  for (const [name, source] of Object.entries(SOURCES)) {
    it(`visits the named nodes of the types asked, in the order of a walk over node objects (${name})`, async () => {
      const tree = (await treeSitterParser(name === 'broken' ? 'python' : (name as 'python' | 'go' | 'bash'))).parse(source)!;
      try {
        const everyNode = objectWalk(tree.rootNode);
        const types = new Set(everyNode.map((n) => n.type));
        expect(everyNode.length).toBeGreaterThan(name === 'broken' ? 5 : 20);
        if (name === 'broken') expect(everyNode.some((n) => n.type === 'ERROR')).toBe(true);
        // Through the cursor (from 0 nodes on) and through node objects (never the cursor): the same nodes.
        for (const cursorFrom of [0, Number.POSITIVE_INFINITY]) {
          const all: string[] = [];
          walk(tree.rootNode, types, (n) => all.push(describeNode(n)), cursorFrom);
          expect(all).toEqual(everyNode.map(describeNode));
          // Only the types asked for, still in order.
          const some = new Set([...types].filter((_, i) => i % 3 === 0));
          const visited: string[] = [];
          walk(tree.rootNode, some, (n) => visited.push(describeNode(n)), cursorFrom);
          expect(visited).toEqual(everyNode.filter((n) => some.has(n.type)).map(describeNode));
          expect(visited.length).toBeGreaterThan(0);
        }
      } finally {
        tree.delete();
      }
    });
  }

  it('stays inside the node it starts from', async () => {
    const tree = (await treeSitterParser('python')).parse(SOURCES.python)!;
    try {
      const functions = tree.rootNode.namedChildren.filter((n): n is Node => n?.type === 'function_definition');
      expect(functions.length).toBe(1);
      const types = new Set(['string', 'call', 'class_definition', 'import_statement']);
      const inside: string[] = [];
      walk(functions[0]!, types, (n) => inside.push(describeNode(n)), 0);
      expect(inside).toEqual(objectWalk(functions[0]!).filter((n) => types.has(n.type)).map(describeNode));
      // The class and the import around the function are not reached, and neither is the call inside the class.
      expect(inside.some((d) => d.startsWith('class_definition') || d.startsWith('import_statement'))).toBe(false);
      const whole: string[] = [];
      walk(tree.rootNode, types, (n) => whole.push(describeNode(n)), 0);
      expect(whole.filter((d) => d.startsWith('call')).length).toBe(inside.filter((d) => d.startsWith('call')).length + 1);
    } finally {
      tree.delete();
    }
  });

  it('finds every call in trees on either side of the cursor threshold', async () => {
    const parser = await treeSitterParser('python');
    const small = parser.parse('def test_a():\n    assert f(1)\n')!;
    const large = parser.parse('def test_a():\n    assert f(1)\n'.repeat(Math.ceil(CURSOR_WALK_FROM / 10)))!;
    try {
      expect(small.rootNode.descendantCount).toBeLessThan(CURSOR_WALK_FROM);
      expect(large.rootNode.descendantCount).toBeGreaterThanOrEqual(CURSOR_WALK_FROM);
      const calls = (tree: typeof small) => {
        let n = 0;
        walk(tree.rootNode, new Set(['call']), () => n++);
        return n;
      };
      expect(calls(small)).toBe(1);
      expect(calls(large)).toBe(Math.ceil(CURSOR_WALK_FROM / 10));
    } finally {
      small.delete();
      large.delete();
    }
  });
});
