import { describe, expect, it } from 'vitest';
import { documentValuesBlocks, nameValueTree, resourceValuesBlocks, setNameSegments } from '../src/k8s/values-blocks.js';
import { parseYaml } from '../src/yaml/parse.js';
import { get, getStr, isMap, isSeq, seqItems, type PMap, type PNode } from '../src/yaml/model.js';

function root(text: string): PMap {
  const node = parseYaml(text).docs[0]!.root;
  if (!isMap(node)) throw new Error('not a map');
  return node;
}

/** nameValueTree as it was written first (a search of the parent's entries per segment): the reference. */
function nameValueTreeByScan(list: PNode | null | undefined): PMap | undefined {
  if (!isSeq(list)) return undefined;
  const top: PMap = { t: 'map', entries: [], line: list.line, column: list.column, endLine: list.endLine };
  for (const item of seqItems(list)) {
    if (!isMap(item)) continue;
    const name = getStr(item, 'name');
    const valueEntry = item.entries.find((e) => e.key === 'value');
    if (!name || !valueEntry?.value) continue;
    const path = setNameSegments(name);
    if (path.length === 0) continue;
    let map = top;
    for (const segment of path.slice(0, -1)) {
      let next = map.entries.find((e) => e.key === segment && isMap(e.value))?.value as PMap | undefined;
      if (!next) {
        next = { t: 'map', entries: [], line: valueEntry.line, column: valueEntry.column, endLine: valueEntry.line };
        map.entries.push({ key: segment, line: item.line, column: item.column, value: next });
      }
      map = next;
    }
    map.entries.push({ key: path[path.length - 1]!, line: valueEntry.line, column: valueEntry.column, value: valueEntry.value });
  }
  return top.entries.length ? top : undefined;
}

describe('--set style parameter lists', () => {
  it('nests names as the first search did: shared prefixes, a leaf and a map under one key, escaped dots, indexes', () => {
    let seed = 7;
    const pick = <T>(xs: readonly T[]) => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length]!;
    const segmentsPool = ['db', 'auth', 'password', 'a\\.b', 'x[0]', 'user', 'tls', 'key'];
    const lines = ['parameters:'];
    for (let i = 0; i < 600; i++) {
      const name = Array.from({ length: 1 + (i % 4) }, () => pick(segmentsPool)).join('.');
      lines.push(`  - name: "${name}"`, `    value: v${i}`);
    }
    lines.push('  - value: no-name', '  - name: no-value', '  - plain');
    const list = get(root(lines.join('\n')), 'parameters');
    const tree = nameValueTree(list);
    expect(tree).toBeDefined();
    expect(JSON.stringify(tree)).toBe(JSON.stringify(nameValueTreeByScan(list)));
    expect(tree!.entries.length).toBeGreaterThan(4);
  });
});

describe('GitOps inline values blocks', () => {
  it('splits --set style names (escaped dots, indexes)', () => {
    expect(setNameSegments('a.b\\.c[0].d')).toEqual(['a', 'b.c', '0', 'd']);
    expect(setNameSegments('auth.postgresPassword')).toEqual(['auth', 'postgresPassword']);
  });

  it('parses an Argo CD helm.values string with positions on the file lines', () => {
    const app = root(['apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: a', 'spec:', '  source:', '    helm:', '      values: |', '        db:', '          # note', '          password: x1'].join('\n'));
    const [block] = resourceValuesBlocks(app);
    expect(block).toMatchObject({ at: 'spec.source.helm.values', detached: true, owner: 'Application a' });
    const entry = (get(block!.root, 'db') as PMap).entries.find((e) => e.key === 'password')!;
    expect(entry.line).toBe(11);
    expect(entry.column).toBe(11);
  });

  it('turns parameters and helmfile set lists into nested values on the value: lines', () => {
    const hf = root(['releases:', '  - name: r', '    set:', '      - name: auth.password', '        value: p1', '    values:', '      - common.yaml', '      - a: 1'].join('\n'));
    const blocks = documentValuesBlocks('deploy/helmfile.yaml', hf);
    expect(blocks.map((b) => b.at)).toEqual(['releases.0.values.1', 'releases.0.set']);
    const auth = get(blocks[1]!.root, 'auth') as PMap;
    expect(auth.entries[0]).toMatchObject({ key: 'password', line: 5 });
  });

  it('ignores files that are neither helmfiles nor kustomizations, and Kubernetes kinds without inline values', () => {
    expect(documentValuesBlocks('charts/x/releases.yaml', root('releases:\n  - name: r\n    set:\n      - name: a\n        value: b'))).toEqual([]);
    expect(resourceValuesBlocks(root('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nspec:\n  values:\n    a: b'))).toEqual([]);
  });
});
