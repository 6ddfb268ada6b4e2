import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { isDatabaseVaultWrite } from '../src/analyzers/tests/judge.js';
import { intTestsSecretName, intTestsSecretNameOf } from '../src/rules/tests/common.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

const root = mkdtempSync(path.join(tmpdir(), 'footprint-tests-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

describe('vault-write-db-credential', () => {
  it('needs a database signal: a user and password pair alone is any service login', () => {
    expect(isDatabaseVaultWrite('secret/my-app/config', ['username', 'password'], [])).toBe(false);
    expect(isDatabaseVaultWrite('secret/orders-db', ['username', 'password'], [])).toBe(true);
    expect(isDatabaseVaultWrite('secret/reports/mssql', ['user', 'pass'], [])).toBe(true);
    expect(isDatabaseVaultWrite('secret/catalog/config', ['CATALOG_DATABASE_URL'], [])).toBe(true);
    expect(isDatabaseVaultWrite('secret/search/settings', ['connection_string'], ['mongodb://search:pw@search-mongo:27017/search'])).toBe(true);
  });

  it('names the whole engine connection in the message', async () => {
    const result = await scanFixture(path.join(RULE_FIXTURES, 'vault-write-db-credential', 'ng.db-signals-without-user-password-pair'));
    const engine = result.findings.find((f) => f.ruleId === 'vault-write-db-credential' && f.line === 5);
    expect(engine?.message).toContain("configures Vault's database secrets engine for catalog-postgres (database/config/catalog-postgres)");
  });
});

describe('the per-component int-tests Secret name', () => {
  it('names the service, else the nearest folder that names a component, else the file, else app', () => {
    expect(intTestsSecretName('services/orders_api/tests/conftest.py')).toBe('orders-api-int-tests-secrets');
    expect(intTestsSecretName('deploy/charts/billing/values-e2e.yaml')).toBe('billing-int-tests-secrets');
    expect(intTestsSecretName('.github/e2e/values.yaml')).toBe('app-int-tests-secrets');
    expect(intTestsSecretName('hack/ci/e2e/cluster-user-supplied.yaml.template')).toBe('cluster-user-supplied-int-tests-secrets');
    expect(intTestsSecretName('playwright.config.ts')).toBe('playwright-int-tests-secrets');
    expect(intTestsSecretName('tests/conftest.py')).toBe('app-int-tests-secrets');
  });

  it('is always a DNS-1123 label', () => {
    for (const component of ['-github', 'Ledger.Service_API', '___', `payments-${'reconciliation-'.repeat(6)}`]) expect(intTestsSecretNameOf(component)).toMatch(DNS_1123_LABEL);
    expect(intTestsSecretNameOf('-github')).toBe('github-int-tests-secrets');
    expect(intTestsSecretNameOf('___')).toBe('app-int-tests-secrets');
  });

  it('gives integration-test values valid envFrom Secret names', async () => {
    const write = (file: string, lines: string[]) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), lines.join('\n'));
    };
    write('.github/e2e/values.yaml', ['# Only used by the E2E tests.', 'fullnameOverride: ledger', 'postgresql:', '  auth:', '    password: Invented-e2e-4471', '']);
    write('hack/e2e/cluster-user-supplied.yaml.template', ['kind: Cluster', 'auth:', '  password: Invented-e2e-8812', '']);
    const result = await scan({ root, useGit: false });
    const names = result.findings
      .filter((f) => f.ruleId === 'integration-test-inline-credentials')
      .map((f) => [f.file, /name: (\S+)/.exec(f.remediation.replacement?.snippet ?? '')?.[1]]);
    expect(names).toEqual([
      ['.github/e2e/values.yaml', 'app-int-tests-secrets'],
      ['hack/e2e/cluster-user-supplied.yaml.template', 'cluster-user-supplied-int-tests-secrets'],
    ]);
  });
});
