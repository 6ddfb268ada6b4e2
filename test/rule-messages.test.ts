import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanFixture } from './helpers/run-fixture.js';

const fixture = (rule: string, name: string) => path.join(import.meta.dirname, 'fixtures/rules', rule, name);

describe('rule messages name what the tree uses', () => {
  it('says OpenBao for the OpenBao agent injector', async () => {
    const result = await scanFixture(fixture('vault-authored-db-credential', 'ng.openbao-agent-injector'));
    const messages = result.findings.filter((f) => f.ruleId === 'vault-authored-db-credential').map((f) => f.message);
    expect(messages.length).toBe(1);
    expect(messages[0]).toContain('uses the OpenBao agent injector');
    expect(messages[0]).not.toContain('Vault');
  });
});

describe('snippets name what the tree defines', () => {
  it('waits for the ExternalSecret that writes the int-tests Secret, by its own name', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { scan } = await import('../src/index.js');
    const root = mkdtempSync(path.join(tmpdir(), 'footprint-snippet-'));
    try {
      mkdirSync(path.join(root, 'services/shop/tests'), { recursive: true });
      mkdirSync(path.join(root, 'services/shop/deploy'), { recursive: true });
      writeFileSync(path.join(root, 'services/shop/tests/run-e2e.sh'), '#!/bin/sh\nkubectl apply -k services/shop/deploy -n shop\nnpx playwright test\n');
      writeFileSync(
        path.join(root, 'services/shop/deploy/int-tests.yaml'),
        ['apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata:', '  name: shop-int-tests', 'spec:', '  secretStoreRef: {kind: ClusterSecretStore, name: vault}', '  target:', '    name: shop-int-tests-secrets', ''].join('\n'),
      );
      const result = await scan({ root, useGit: false });
      const snippets = result.findings.filter((f) => f.ruleId === 'test-harness-secret-bootstrap-missing').map((f) => f.remediation.replacement?.snippet ?? '');
      expect(snippets.length).toBe(1);
      expect(snippets[0]).toContain('wait --for=condition=Ready externalsecret/shop-int-tests --timeout=300s');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
