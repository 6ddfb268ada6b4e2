import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { scanFixture } from './helpers/run-fixture.js';
import { tempDirs, writeTree } from './helpers/temp.js';

const fixture = (rule: string, name: string) => path.join(import.meta.dirname, 'fixtures/rules', rule, name);
const tempDir = tempDirs('footprint-messages-');

/** Scan a tree written from FILES (relative path -> text) in a fresh temp folder. */
function scanTree(files: Record<string, string>) {
  return scan({ root: writeTree(tempDir(), files), useGit: false });
}

describe('rule messages name what the tree uses', () => {
  it('says OpenBao for the OpenBao agent injector', async () => {
    const result = await scanFixture(fixture('vault-authored-db-credential', 'ng.openbao-agent-injector'));
    const messages = result.findings.filter((f) => f.ruleId === 'vault-authored-db-credential').map((f) => f.message);
    expect(messages.length).toBe(1);
    expect(messages[0]).toContain('uses the OpenBao agent injector');
    expect(messages[0]).not.toContain('Vault');
  });

  it('names the operator, not CNPG, when Vault fills a Secret a non-database operator writes', async () => {
    const result = await scanFixture(fixture('vault-authored-db-credential', 'ng.non-db-operator-writes-the-target'));
    const found = result.findings.filter((f) => f.ruleId === 'vault-authored-db-credential');
    const rabbit = found.find((f) => f.line === 2)!;
    expect(rabbit.message).toBe(
      'ExternalSecret events-default-user fills Secret events-default-user from Vault store vault-backend, which RabbitMQ operator RabbitmqCluster events (generated default user credentials) writes itself: Vault drives a Secret that RabbitMQ operator owns, where it may only mirror it',
    );
    expect(rabbit.remediation.text).toContain('RabbitMQ operator RabbitmqCluster events writes events-default-user itself');
    expect(rabbit.remediation.replacement?.title).toBe('Read events-default-user as the operator writes it');
    expect(found.map((f) => f.message).join('\n')).not.toContain('CNPG');
  });
});

describe('snippets name what the tree defines', () => {
  it('waits for the ExternalSecret that writes the int-tests Secret, by its own name', async () => {
    const result = await scanTree({
      'services/shop/tests/run-e2e.sh': '#!/bin/sh\nkubectl apply -k services/shop/deploy -n shop\nnpx playwright test\n',
      'services/shop/deploy/int-tests.yaml': ['apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata:', '  name: shop-int-tests', 'spec:', '  secretStoreRef: {kind: ClusterSecretStore, name: vault}', '  target:', '    name: shop-int-tests-secrets', ''].join('\n'),
    });
    const snippets = result.findings.filter((f) => f.ruleId === 'test-harness-secret-bootstrap-missing').map((f) => f.remediation.replacement?.snippet ?? '');
    expect(snippets.length).toBe(1);
    expect(snippets[0]).toContain('wait --for=condition=Ready externalsecret/shop-int-tests --timeout=300s');
  });
});

describe('mirror rules name the store the replica lives in', () => {
  it('says Azure Key Vault when the PushSecret writes to an Azure Key Vault store', async () => {
    const result = await scanTree({
      'deploy/mirror.yaml':
        [
          ['apiVersion: external-secrets.io/v1', 'kind: ClusterSecretStore', 'metadata:', '  name: akv', 'spec:', '  provider:', '    azurekv:', '      vaultUrl: https://kv-platform.vault.azure.net'].join('\n'),
          ['apiVersion: external-secrets.io/v1alpha1', 'kind: PushSecret', 'metadata:', '  name: ledger-app-mirror', '  namespace: ledger', 'spec:', '  updatePolicy: Replace', '  secretStoreRefs:', '    - name: akv', '      kind: ClusterSecretStore', '  selector:', '    secret:', '      name: ledger-app', '  data:', '    - match:', '        secretKey: password', '        remoteRef:', '          remoteKey: ledger-app-password'].join('\n'),
          ['apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata:', '  name: reports-ledger', '  namespace: reports', 'spec:', '  secretStoreRef:', '    name: akv', '    kind: ClusterSecretStore', '  target:', '    name: reports-ledger', '  data:', '    - secretKey: password', '      remoteRef:', '        key: ledger-app-password'].join('\n'),
        ].join('\n---\n') + '\n',
    });
    const consumed = result.findings.find((f) => f.ruleId === 'vault-mirror-consumed');
    expect(consumed?.message).toContain('consuming the Azure Key Vault replica written by PushSecret ledger-app-mirror');
  });
});

describe('externalsecret-kv-shape-mismatch says what reaches the Secret', () => {
  it('names the dropped keys, the reader of one of them, and suggests mergePolicy: Merge', async () => {
    const result = await scanFixture(fixture('externalsecret-kv-shape-mismatch', 'ng.template-drops-keys'));
    const found = result.findings.filter((f) => f.ruleId === 'externalsecret-kv-shape-mismatch');
    const dropped = found.find((f) => f.file === 'apps/orders/externalsecret.yaml');
    expect(dropped?.message).toContain('fetches 1 key (STRIPE_API_KEY) that its target.template never uses');
    expect(dropped?.remediation.replacement?.snippet).toContain('mergePolicy: Merge');
    const reader = found.find((f) => f.file === 'apps/orders/deployment.yaml');
    expect(reader?.severity).toBe('medium');
    expect(reader?.message).toContain('reads key STRIPE_API_KEY (as STRIPE_API_KEY) of Secret orders-config, which ExternalSecret orders-config (apps/orders/externalsecret.yaml:26)');
  });

  it('names the single field a seed script writes, never its value', async () => {
    const result = await scanTree({
      'scripts/seed.sh': '#!/bin/sh\nvault kv put secret/apps/api/token value=tok-4b9d2f1e8c7a\n',
      'deploy/es.yaml': ['apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata:', '  name: api', 'spec:', '  refreshInterval: 15m', '  secretStoreRef: {kind: ClusterSecretStore, name: vault}', '  target:', '    name: api', '  data:', '    - secretKey: token', '      remoteRef:', '        key: apps/api/token', ''].join('\n'),
    });
    const found = result.findings.filter((f) => f.ruleId === 'externalsecret-kv-shape-mismatch');
    expect(found.length).toBe(1);
    expect(found[0]!.message).toContain('stores it as the single field value: consumers get a JSON map');
    expect(found[0]!.remediation.replacement?.snippet).toContain('property: value');
    expect(JSON.stringify(result)).not.toContain('tok-4b9d2f1e8c7a');
  });
});
