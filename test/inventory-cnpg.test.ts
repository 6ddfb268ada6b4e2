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

  it('takes a role Secret of a Cluster without a namespace as defined when any namespace defines it', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'footprint-cnpg-inv-'));
    try {
      mkdirSync(path.join(other, 'db'), { recursive: true });
      writeFileSync(
        path.join(other, 'db', 'pg.yaml'),
        [
          'apiVersion: postgresql.cnpg.io/v1',
          'kind: Cluster',
          'metadata: {name: shop-pg}',
          'spec:',
          '  managed:',
          '    roles:',
          '      - name: reader',
          '        passwordSecret: {name: shop-reader}',
          '      - name: writer',
          '        passwordSecret: {name: shop-writer}',
          '      - name: audit',
          '        passwordSecret: {name: audit}',
          '---',
          'apiVersion: external-secrets.io/v1beta1',
          'kind: ExternalSecret',
          'metadata: {name: reader, namespace: shop}',
          'spec:',
          '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
          '  target: {name: shop-reader}',
          '  data: [{secretKey: password, remoteRef: {key: shop/reader}}]',
          '---',
          'apiVersion: v1',
          'kind: Secret',
          'metadata: {name: shop-audit, namespace: shop}',
          'stringData: {username: audit, password: "{{ randAlphaNum 24 }}"}',
          '',
        ].join('\n'),
      );
      const result = await scan({ root: other, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
      const undefinedRoles = result.inventory.filter((e) => e.producer?.endsWith('not defined in this tree')).map((e) => e.name);
      // shop-reader is the target of an ExternalSecret in namespace shop; shop-audit is not "audit".
      expect(undefinedRoles).toEqual(['shop-writer', 'audit']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
