import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan/run.js';
import { resultProblems } from '../src/result/validate.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-cnpg-inv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

describe('inventory of CNPG-materialised secrets', () => {
  it('lists the generated app/superuser Secrets and role Secrets nothing in the tree defines', async () => {
    write(
      'clusters/production/db/pg.yaml',
      [
        'apiVersion: postgresql.cnpg.io/v1',
        'kind: Cluster',
        'metadata: {name: orders-pg, namespace: orders}',
        'spec:',
        '  instances: 3',
        '  enableSuperuserAccess: true',
        '  managed:',
        '    roles:',
        '      - name: reporting',
        '        passwordSecret: {name: orders-reporting}',
        '      - name: billing',
        '        passwordSecret: {name: orders-billing}',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: orders-billing, namespace: orders}',
        'stringData: {username: billing, password: "{{ randAlphaNum 24 }}"}',
        '',
      ].join('\n'),
    );
    const result = await scan({ root, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
    expect(resultProblems(result)).toEqual([]);
    const cnpg = result.inventory.filter((e) => e.producer?.includes('CNPG')).map((e) => [e.name, e.line, e.origin, e.environments.join(','), e.producer]);
    expect(cnpg).toEqual([
      ['orders-pg-app', 1, 'cluster-operator', 'production', 'CNPG Cluster orders-pg (generated application owner credentials)'],
      ['orders-pg-superuser', 1, 'cluster-operator', 'production', 'CNPG Cluster orders-pg (generated superuser credentials)'],
      ['orders-reporting', 10, 'cluster-operator', 'production', 'read by CNPG Cluster orders-pg as managed role reporting passwordSecret; not defined in this tree'],
    ]);
  });
});
