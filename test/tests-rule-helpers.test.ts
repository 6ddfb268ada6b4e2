import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDatabaseVaultWrite } from '../src/analyzers/tests/judge.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

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
