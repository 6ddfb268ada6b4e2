import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan/run.js';
import { resultProblems } from '../src/result/validate.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'footprint-gitops-inv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, lines: string[]): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), lines.join('\n') + '\n');
}

describe('Flux/SOPS-style repository: inventory producers, Redis origin, PushSecret store naming', () => {
  it('tells SOPS-encrypted and envsubst manifests apart from literal ones and names the PushSecret provider', async () => {
    write('clusters/production/secrets/smtp.enc.yaml', [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: orders-smtp, namespace: orders}',
      'type: Opaque',
      'stringData:',
      '  password: ENC[AES256_GCM,data:Q2hhbmdl,iv:MTIz,tag:ZmVk,type:str]',
      'sops:',
      '  age:',
      '    - recipient: age1examplerecipient',
      '  lastmodified: "2024-03-01T10:00:00Z"',
      '  mac: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]',
      '  version: 3.8.1',
    ]);
    write('clusters/production/secrets/billing-db.yaml', [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: billing-db, namespace: billing}',
      'stringData:',
      '  username: ${BILLING_DB_USER}',
      '  password: ${BILLING_DB_PASSWORD}',
    ]);
    write('clusters/staging/redis.yaml', [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: cache, namespace: shop}',
      'stringData:',
      '  redis-password: St4ging-Cache-77',
    ]);
    write('infrastructure/stores.yaml', [
      'apiVersion: external-secrets.io/v1beta1',
      'kind: ClusterSecretStore',
      'metadata: {name: corp-kv}',
      'spec:',
      '  provider:',
      '    azurekv: {vaultUrl: "https://corp.vault.azure.net"}',
      '---',
      'apiVersion: external-secrets.io/v1alpha1',
      'kind: PushSecret',
      'metadata: {name: db-push, namespace: orders}',
      'spec:',
      '  updatePolicy: IfNotExists',
      '  secretStoreRefs: [{name: corp-kv, kind: ClusterSecretStore}]',
      '  selector: {secret: {name: orders-db-app}}',
      '  data:',
      '    - match: {secretKey: password, remoteRef: {remoteKey: orders-db-password}}',
    ]);
    const result = await scan({ root, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
    expect(resultProblems(result)).toEqual([]);
    const secrets = result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.name, e.origin, e.environments.join(','), e.producer]);
    expect(secrets).toEqual([
      ['billing-db', 'cluster-operator', 'production', 'manifest in git (values substituted at deploy from ${VAR} placeholders)'],
      ['orders-smtp', 'unknown', 'production', 'SOPS-encrypted manifest in git (decrypted at deploy)'],
      ['cache', 'cluster-operator', 'staging', 'manifest in git'],
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'inline-secret-manifest').map((f) => [f.file, f.origin])).toEqual([['clusters/staging/redis.yaml', 'cluster-operator']]);
    const push = result.findings.filter((f) => f.ruleId === 'pushsecret-non-replace-policy');
    expect(push).toHaveLength(1);
    expect(push[0]!.message).toContain('the replica in store corp-kv (azurekv) wins');
    expect(push[0]!.message).not.toContain('Vault replica');
  });
});

describe('Vault secrets operator and Secrets Store CSI entries', () => {
  it('name the Secret each one produces, its keys and its source, and classify it by that Secret', async () => {
    const dir = path.join(root, 'vso-csi');
    const put = (rel: string, lines: string[]) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), lines.join('\n') + '\n');
    };
    put('apps/orders/vault.yaml', [
      'apiVersion: secrets.hashicorp.com/v1beta1',
      'kind: VaultDynamicSecret',
      'metadata: {name: orders-dyn, namespace: orders}',
      'spec:',
      '  mount: database',
      '  path: static-creds/orders',
      '  destination: {name: orders-pg, create: true}',
      '---',
      'apiVersion: secrets.hashicorp.com/v1beta1',
      'kind: VaultStaticSecret',
      'metadata: {name: orders-static, namespace: orders}',
      'spec:',
      '  mount: kvv2',
      '  type: kv-v2',
      '  path: orders/stripe',
      '  destination:',
      '    name: orders-stripe',
      '    create: true',
      '    transformation:',
      '      templates:',
      '        STRIPE_API_KEY: {text: "{{ get .Secrets \\"api_key\\" }}"}',
    ]);
    put('apps/orders/spc.yaml', [
      'apiVersion: secrets-store.csi.x-k8s.io/v1',
      'kind: SecretProviderClass',
      'metadata: {name: orders-kv, namespace: orders}',
      'spec:',
      '  provider: azure',
      '  secretObjects:',
      '    - secretName: orders-registry',
      '      type: Opaque',
      '      data:',
      '        - {objectName: ghcr-token, key: token}',
      '  parameters:',
      '    keyvaultName: corp-kv',
      '    objects: |',
      '      array:',
      '        - |',
      '          objectName: ghcr-token',
      '          objectType: secret',
    ]);
    const result = await scan({ root: dir, useGit: false, now: new Date('2026-01-01T00:00:00Z') });
    expect(resultProblems(result)).toEqual([]);
    const entries = result.inventory.map((e) => [e.kind, e.name, e.keys.join(','), e.origin, e.producer]);
    expect(entries).toEqual([
      ['SecretProviderClass', 'orders-kv', 'token', 'external', 'provider azure (corp-kv): objects ghcr-token -> Secret orders-registry'],
      ['VaultDynamicSecret', 'orders-dyn', '', 'cluster-operator', 'Vault database/static-creds/orders (dynamic) -> Secret orders-pg'],
      ['VaultStaticSecret', 'orders-static', 'STRIPE_API_KEY', 'external', 'Vault kvv2/orders/stripe (kv-v2) -> Secret orders-stripe'],
    ]);
  });
});
