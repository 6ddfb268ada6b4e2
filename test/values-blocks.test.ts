import { describe, expect, it } from 'vitest';
import { documentValuesBlocks, resourceValuesBlocks, setNameSegments } from '../src/k8s/values-blocks.js';
import { parseYaml } from '../src/yaml/parse.js';
import { get, isMap, type PMap } from '../src/yaml/model.js';

function root(text: string): PMap {
  const node = parseYaml(text).docs[0]!.root;
  if (!isMap(node)) throw new Error('not a map');
  return node;
}

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
