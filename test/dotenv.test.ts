import { describe, expect, it } from 'vitest';
import { isDotenvPath, parseDotenv } from '../src/analyzers/dotenv.js';
import { joinRelative } from '../src/rules/k8s/kustomize.js';

describe('dotenv analyzer', () => {
  it('claims dotenv names only', () => {
    for (const p of ['.env', 'k8s/overlays/prod/secrets.env', 'app/.env.production', 'x/.env.local']) expect(isDotenvPath(p), p).toBe(true);
    for (const p of ['.envrc', 'env.sh', 'environment.yaml', 'src/env.ts', 'envs/prod/values.yaml']) expect(isDotenvPath(p), p).toBe(false);
  });
  it('parses assignments with quotes, export and comments, keeping lines', () => {
    const model = parseDotenv(['# comment', 'A=1', 'export B="two words" ', "C='x # not a comment'", 'D=plain # trailing', '  E=', 'not an assignment', 'F=a=b', 'G=`back quoted # kept`'].join('\n'));
    expect(model.entries).toEqual([
      { key: 'A', value: '1', line: 2, column: 1 },
      { key: 'B', value: 'two words', line: 3, column: 1 },
      { key: 'C', value: 'x # not a comment', line: 4, column: 1 },
      { key: 'D', value: 'plain', line: 5, column: 1 },
      { key: 'E', value: '', line: 6, column: 3 },
      { key: 'F', value: 'a=b', line: 8, column: 1 },
      { key: 'G', value: 'back quoted # kept', line: 9, column: 1 },
    ]);
  });
  it('handles CRLF line ends', () => {
    expect(parseDotenv('A=1\r\nB=2\r\n').entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['A', '1', 1],
      ['B', '2', 2],
    ]);
  });

  it('cuts a trailing comment as the regular expression it replaces did, on 5,000 random values', () => {
    // The cut as it was written before: linear now, the same answer.
    const cut = (value: string) => value.replace(/\s+#.*$/, '');
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = [' ', ' ', '\t', '#', '#', 'a', 'b', '=', '\u00a0', '\u2003', '-'];
    for (let n = 0; n < 5_000; n++) {
      const raw = Array.from({ length: Math.floor(random() * 14) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const [entry] = parseDotenv(`K=${raw}`).entries;
      const value = raw.trim();
      expect(entry?.value, JSON.stringify(raw)).toBe(value.startsWith("'") || value.startsWith('"') || value.startsWith('`') ? entry?.value : cut(value));
    }
  });

  it('reads a value followed by a very long run of spaces (the old expression tried every start of it)', () => {
    const spaces = ' '.repeat(200_000);
    expect(parseDotenv(`A=x${spaces}y # comment\nB=z${spaces}\n`).entries.map((e) => [e.key, e.value])).toEqual([
      ['A', `x${spaces}y`],
      ['B', 'z'],
    ]);
  });
});

describe('kustomize relative paths', () => {
  it('resolves against the kustomization folder and refuses to leave the root', () => {
    expect(joinRelative('deploy/overlays/prod', '../../shared/x.env')).toBe('deploy/shared/x.env');
    expect(joinRelative('.', './a.env')).toBe('a.env');
    expect(joinRelative('k8s', '../../outside.env')).toBeUndefined();
    expect(joinRelative('k8s', '/etc/passwd')).toBeUndefined();
  });
});

describe('kustomize secretGenerator inventory', () => {
  it('inventories every generated Secret with its keys, environment and findings', async () => {
    const { scanFixture, RULE_FIXTURES } = await import('./helpers/run-fixture.js');
    const path = await import('node:path');
    const result = await scanFixture(path.join(RULE_FIXTURES, 'inline-secret-manifest', 'ng.kustomize-envs-files'));
    const generated = result.inventory.filter((e) => e.producer === 'kustomize secretGenerator').map((e) => [e.file, e.name, e.keys.join(','), e.environments.join(','), e.findings.join(',')]);
    expect(generated).toEqual([
      ['deploy/base/kustomization.yaml', 'billing-api', 'BILLING_DB_HOST,BILLING_DB_PASSWORD,EMPTY_TOKEN,LOG_LEVEL,STRIPE_SECRET_KEY,tls.crt', 'production,dev', 'inline-secret-manifest'],
      ['deploy/overlays/dev/kustomization.yaml', 'billing-api', 'BILLING_DB_PASSWORD', 'dev', 'inline-secret-manifest'],
      ['deploy/overlays/production/kustomization.yaml', 'billing-api', 'BILLING_DB_PASSWORD', 'production', 'inline-secret-manifest'],
      ['deploy/overlays/production/kustomization.yaml', 'billing-webhook', 'WEBHOOK_SIGNING_SECRET', 'production', 'inline-secret-manifest'],
    ]);
  });
});
