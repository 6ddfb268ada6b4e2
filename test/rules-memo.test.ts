import { describe, expect, it } from 'vitest';
import type { ParsedFile } from '../src/analyzers/types.js';
import type { HelmInfo, YamlFileModel } from '../src/analyzers/yaml.js';
import { extractResources } from '../src/k8s/resources.js';
import { documentValuesBlocks, isHelmfilePath } from '../src/k8s/values-blocks.js';
import { connectionStringPassword, credentialClass, embeddedCredentials, embeddedUrlPassword, isCredentialName, isDatabaseName, mayEmbedPassword } from '../src/k8s/vocabulary.js';
import { scanVaultUses } from '../src/rules/correlation/vault-authored-db-credential.js';
import { exprSources } from '../src/rules/k8s/helm-sources.js';
import { get, getStr, keyPath, walk, walkFrames, type PNode } from '../src/yaml/model.js';
import { parseYaml } from '../src/yaml/parse.js';

const helm = (partial: Partial<HelmInfo>): HelmInfo => ({ chartRoot: 'c', variables: {}, controls: [], usesLookup: false, usesRandom: false, ...partial });
const root = (text: string): PNode => parseYaml(text).docs[0]!.root!;

describe('remembered name judgements', () => {
  it('answers a configured name per list, case-insensitively, whatever was asked before', () => {
    expect(isCredentialName('SIGNING_SEED')).toBe(false);
    expect(isCredentialName('SIGNING_SEED', { extra: ['signing_seed'] })).toBe(true);
    expect(isCredentialName('signing_seed', { extra: ['Signing_Seed'] })).toBe(true);
    expect(isCredentialName('SIGNING_SEED', { extra: ['other'] })).toBe(false);
    expect(isCredentialName('SIGNING_SEED', { extra: [] })).toBe(false);
    expect(isCredentialName('SIGNING_SEED')).toBe(false);
    expect(isCredentialName('password', { extra: ['other'] })).toBe(true);
  });

  it('gives the same answer on a repeated question', () => {
    for (let i = 0; i < 2; i++) {
      expect(isDatabaseName('orders-db-credentials')).toBe(true);
      expect(isDatabaseName('sentry-db')).toBe(false);
      expect(isDatabaseName('pg-superuser')).toBe(true);
      expect(credentialClass('orders-db')).toBe('database');
      expect(credentialClass('app', ['tls.crt'])).toBe('tls');
      expect(credentialClass('app')).toBe('generic');
      // A name and the same words split between name and keys are different questions.
      expect(credentialClass('app client', ['secret'])).toBe('oidc-client');
      expect(credentialClass('app client secret')).toBe('oidc-client');
      expect(credentialClass('["app","tls.crt"]')).toBe('tls');
      expect(credentialClass('app', ['admin', 'password'])).toBe('admin');
    }
  });
});

describe('remembered Helm sources', () => {
  it('answers a repeated expression of a template alike, and per template', () => {
    const a = helm({ variables: { $pw: ['.Values.auth.password'] } });
    const b = helm({ variables: { $pw: ['randAlphaNum 10'] } });
    const first = exprSources('$pw | b64enc', a);
    expect(exprSources('$pw | b64enc', a)).toEqual({ valuesRefs: ['.auth.password'], generated: false });
    expect(exprSources('$pw | b64enc', a)).toBe(first);
    expect(exprSources('$pw | b64enc', b)).toEqual({ valuesRefs: [], generated: true });
    expect(exprSources('$pw | b64enc', undefined)).toEqual({ valuesRefs: [], generated: false });
    expect(Object.isFrozen(first.valuesRefs)).toBe(true);
  });
});

describe('model helpers', () => {
  it('reads dotted paths (empty segments ignored) and arrays alike', () => {
    const node = root('metadata:\n  name: x\nitems:\n  - a\n  - b\n');
    expect(getStr(node, 'metadata.name')).toBe('x');
    expect(getStr(node, '.metadata..name')).toBe('x');
    expect(getStr(node, ['metadata', 'name'])).toBe('x');
    expect(getStr(node, 'items.1')).toBe('b');
    expect(get(node, 'metadata.missing')).toBeUndefined();
  });

  it('walks depth-first with a path of its own per node', () => {
    const node = root('a:\n  b: 1\n  c: [x, y]\nd: 2\n');
    const seen: string[][] = [];
    walk(node, ({ path }) => {
      seen.push(path);
    });
    expect(seen.map((p) => p.join('.'))).toEqual(['', 'a', 'a.b', 'a.c', 'a.c.0', 'a.c.1', 'd']);
    seen[1]!.push('changed');
    expect(seen[2]).toEqual(['a', 'b']);
  });

  it('walks frames in the same order, with the same paths, entries and skipping as walk', () => {
    const node = root('a:\n  b: 1\n  c: [x, {d: 2}]\n  skip:\n    e: 3\nf: [[4]]\n');
    const viaWalk: unknown[] = [];
    walk(node, ({ node: n, path, entry }) => {
      viaWalk.push([path.join('.'), n.line, entry?.key]);
      return path[path.length - 1] === 'skip' ? false : undefined;
    });
    const viaFrames: unknown[] = [];
    walkFrames(node, (frame) => {
      viaFrames.push([keyPath(frame).join('.'), frame.node.line, frame.entry?.key]);
      expect(frame.key).toBe(keyPath(frame).pop());
      return frame.key === 'skip' ? false : undefined;
    });
    expect(viaFrames).toEqual(viaWalk);
    expect(viaFrames.map((v) => (v as string[])[0])).toEqual(['', 'a', 'a.b', 'a.c', 'a.c.0', 'a.c.1', 'a.c.1.d', 'a.skip', 'f', 'f.0', 'f.0.0']);
  });

  it('skips a subtree when the visitor says so', () => {
    const node = root('a:\n  b: 1\nc: 2\n');
    const seen: string[] = [];
    walk(node, ({ path }) => {
      seen.push(path.join('.'));
      return path[0] === 'a' ? false : undefined;
    });
    expect(seen).toEqual(['', 'a', 'c']);
  });
});

describe('helmfile paths', () => {
  it('recognises helmfiles by name or helmfile.d folder, in any case', () => {
    for (const p of ['helmfile.yaml', 'deploy/Helmfile.yml', 'helmfile-prod.yaml.gotmpl', 'x/helmfile.d/10-apps.yaml', 'x/HELMFILE.D/a.yaml']) expect(isHelmfilePath(p), p).toBe(true);
    for (const p of ['values.yaml', 'helmfile/values.yaml', 'x/helmfiles.d/a.yaml', 'myhelmfile.yaml']) expect(isHelmfilePath(p), p).toBe(false);
    expect(documentValuesBlocks('charts/values.yaml', root('releases:\n  - name: a\n    values:\n      - x: 1\n'))).toEqual([]);
  });
});

describe('embedded credentials, lines asked only what they can hold', () => {
  it('finds directives without a colon, URLs and keyword DSNs, each on its own line', () => {
    const text = ['# redis', 'requirepass s3cr3t', 'sentinel auth-pass mymaster t0ken', 'url: postgres://app:pw1@db/app', 'dsn = host=db user=app password=pw2', 'plain line', 'api_key: abc123'].join('\n');
    expect(embeddedCredentials(text).map((c) => [c.key, c.value, c.lineOffset])).toEqual([
      ['requirepass', 's3cr3t', 1],
      ['sentinel auth-pass mymaster', 't0ken', 2],
      ['url-password', 'pw1', 3],
      ['dsn', 'host=db', 4],
      ['password', 'pw2', 4],
      ['url-password', 'pw2', 4],
      ['api_key', 'abc123', 6],
    ]);
    expect(embeddedCredentials('jdbc:sqlserver://h;Password=pw3\nx')).toEqual([
      { key: 'Password', value: 'pw3', lineOffset: 0 },
      { key: 'url-password', value: 'pw3', lineOffset: 0 },
    ]);
    expect(embeddedCredentials('no credentials here\nhost: db')).toEqual([]);
    expect(embeddedUrlPassword('redis://:pw@cache:6379')).toBe('pw');
    expect(embeddedUrlPassword('cache:6379')).toBeUndefined();
    expect(connectionStringPassword('Server=h;PWD=pw4;')).toBe('pw4');
    expect(connectionStringPassword('Server=h;User=x;')).toBeUndefined();
  });

  it('tells which texts could embed a URL or DSN password at all', () => {
    for (const v of ['redis://:pw@cache', 'host=db PASSWORD=x', 'Server=h;Pwd=x', 'jdbc:sqlserver://h']) expect(mayEmbedPassword(v), v).toBe(true);
    for (const v of ['hunter2', 'host=db user=app', 'cache:6379', '']) expect(mayEmbedPassword(v), v).toBe(false);
  });
});

describe('Vault uses of an object', () => {
  it('finds vault: env references everywhere and injector annotations outside embedded objects, in document order', () => {
    const node = root(
      [
        'kind: Deployment',
        'apiVersion: apps/v1',
        'metadata:',
        '  annotations:',
        '    vault.hashicorp.com/agent-inject-secret-db: database/creds/app',
        'spec:',
        '  env:',
        '    - name: A',
        '      value: vault:database/creds/one#password',
        '    - name: B',
        '      value: vault:secret/data/x#y',
        '  extra:',
        '    kind: Pod',
        '    metadata:',
        '      annotations:',
        '        vault.hashicorp.com/agent-inject-secret-x: database/creds/two',
        '    env:',
        '      - value: vault:database/creds/three#password',
      ].join('\n'),
    );
    const uses = scanVaultUses(node);
    expect(uses.envRefs.map((r) => [r.path, r.entry.line])).toEqual([
      ['database/creds/one', 9],
      ['database/creds/three', 18],
    ]);
    expect(uses.injectorMaps.map((m) => m.line)).toEqual([5]);
  });
});

describe('objects embedded in values', () => {
  it('are found in walk order with their dotted values paths, nested ones through their values blocks', () => {
    const text = [
      'extraObjects:',
      '  - apiVersion: v1',
      '    kind: Secret',
      '    metadata:',
      '      name: one',
      '  - note: x',
      '    inner:',
      '      apiVersion: v1',
      '      kind: ConfigMap',
      '      metadata:',
      '        name: two',
      'apps:',
      '  a:',
      '    apiVersion: helm.toolkit.fluxcd.io/v2',
      '    kind: HelmRelease',
      '    metadata:',
      '      name: three',
      '    spec:',
      '      values:',
      '        manifests:',
      '          - apiVersion: v1',
      '            kind: Secret',
      '            metadata:',
      '              name: four',
    ].join('\n');
    const parsed = { file: { path: 'values.yaml' }, model: { role: 'values', docs: [{ index: 0, root: root(text) }] } } as unknown as ParsedFile<YamlFileModel>;
    expect(extractResources(parsed).map((r) => [r.kind, r.name, r.valuesPath])).toEqual([
      ['Secret', 'one', 'extraObjects.0'],
      ['ConfigMap', 'two', 'extraObjects.1.inner'],
      ['HelmRelease', 'three', 'apps.a'],
      ['Secret', 'four', 'apps.a.spec.values.manifests.0'],
    ]);
  });
});
