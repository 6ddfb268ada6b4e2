import { describe, expect, it } from 'vitest';
import { isDocumentationExamplePath } from '../src/scan/documentation.js';
import { scan } from '../src/index.js';
import { tempDirs, writeTree } from './helpers/temp.js';

describe('documentation examples', () => {
  it('are files under example, sample and docs folders or named as examples', () => {
    for (const path of [
      'charts/authsrv/examples/postgres/server-values.yaml',
      'example/values.yaml',
      'docs/deploy/secret.yaml',
      'doc/app.yaml',
      'samples/quickstart/kustomization.yaml',
      'config/sample/app.yaml',
      'deploy/values.example.yaml',
      'deploy/secret-example.yaml',
      'deploy/db_example.json',
      'example-values.yaml',
      '.env.example',
      'examples.yaml',
    ]) expect(isDocumentationExamplePath(path), path).toBe(true);
  });

  it('are never prose (a runbook is a procedure) nor names that merely contain the word', () => {
    for (const path of [
      'docs/runbooks/rotate.md',
      'examples/README.md',
      'docs/notes.txt',
      'charts/authsrv/values.yaml',
      'deploy/counterexample.yaml',
      'apps/docsite/deployment.yaml',
      'deploy/sampler/config.yaml',
    ]) expect(isDocumentationExamplePath(path), path).toBe(false);
  });
});

describe('documentation examples a config environment names', () => {
  const tempDir = tempDirs('footprint-doc-example-');
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\nstringData:\n  password: Qz8-orders-Lm71x\n';

  it('stay low without the config, and take the configured environment with it (the user says they are deployed)', async () => {
    const tree = { 'examples/orders/secret.yaml': secret };
    const bare = await scan({ root: writeTree(tempDir(), tree), useGit: false, cache: false });
    expect(bare.findings.map((f) => `${f.ruleId} ${f.severity} ${f.environment ?? '-'}`)).toEqual(['inline-secret-manifest low -']);
    const configured = await scan({
      root: writeTree(tempDir(), { ...tree, 'footprint.config.yaml': 'environments:\n  production:\n    paths: ["examples/orders/**"]\n' }),
      useGit: false,
      cache: false,
    });
    expect(configured.findings.map((f) => `${f.ruleId} ${f.severity} ${f.environment ?? '-'}`)).toEqual(['inline-secret-manifest critical production']);
    // The inventory says so too: an example's entry is marked and deployed nowhere; a configured one is neither.
    expect(bare.inventory.map((e) => [e.name, e.example ?? false, e.environments])).toEqual([['orders-db', true, []]]);
    expect(configured.inventory.map((e) => [e.name, e.example ?? false, e.environments])).toEqual([['orders-db', false, ['production']]]);
  });

  it('are marked in the inventory only where nothing deploys them: a kustomization that takes one in unmarks it', async () => {
    const root = writeTree(tempDir(), {
      'examples/orders/secret.yaml': secret,
      'examples/billing/secret.yaml': secret.replace('orders-db', 'billing-db'),
      'deploy/prod/kustomization.yaml': 'resources:\n  - ../../examples/billing/secret.yaml\n',
    });
    const result = await scan({ root, useGit: false, cache: false });
    expect(result.inventory.map((e) => [e.name, e.example ?? false]).sort()).toEqual([
      ['billing-db', false],
      ['orders-db', true],
    ]);
  });
});
