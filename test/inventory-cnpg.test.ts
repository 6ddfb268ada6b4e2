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

  it('takes role Secrets written by the Vault secrets operator, a CSI SecretProviderClass or a secretGenerator as defined', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'footprint-cnpg-inv-'));
    try {
      const put = (rel: string, lines: string[]) => {
        mkdirSync(path.dirname(path.join(other, rel)), { recursive: true });
        writeFileSync(path.join(other, rel), lines.join('\n') + '\n');
      };
      put('db/kustomization.yaml', ['resources: [pg.yaml, vault.yaml]', 'namespace: data', 'secretGenerator:', '  - name: role-c', '    envs: [role-c.env]']);
      put('db/role-c.env', ['username=c', 'password=${ROLE_C_PASSWORD}']);
      put('db/pg.yaml', [
        'apiVersion: postgresql.cnpg.io/v1',
        'kind: Cluster',
        'metadata: {name: main-pg}',
        'spec:',
        '  managed:',
        '    roles:',
        '      - {name: a, passwordSecret: {name: role-a}}',
        '      - {name: b, passwordSecret: {name: role-b}}',
        '      - {name: c, passwordSecret: {name: role-c}}',
        '      - {name: d, passwordSecret: {name: role-d}}',
      ]);
      put('db/vault.yaml', [
        'apiVersion: secrets.hashicorp.com/v1beta1',
        'kind: VaultStaticSecret',
        'metadata: {name: role-a-sync}',
        'spec:',
        '  type: kv-v2',
        '  mount: kv',
        '  path: db/role-a',
        '  destination: {name: role-a, create: true}',
        '---',
        'apiVersion: secrets-store.csi.x-k8s.io/v1',
        'kind: SecretProviderClass',
        'metadata: {name: role-b-csi}',
        'spec:',
        '  provider: vault',
        '  secretObjects:',
        '    - secretName: role-b',
        '      type: Opaque',
        '      data: [{objectName: pw, key: password}]',
      ]);
      const result = await scan({ root: other, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
      const unknown = result.inventory.filter((e) => e.producer?.includes('not defined in this tree')).map((e) => e.name);
      expect(unknown).toEqual(['role-d']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
