import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { OriginClassifier } from '../src/inventory/origin.js';

const root = mkdtempSync(path.join(tmpdir(), 'footprint-origin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('origin of Postgres-specific credential names', () => {
  it('classes initdb and libpq credentials as cluster-operator (CNPG) like the other database passwords', () => {
    const classifier = new OriginClassifier();
    for (const name of ['initdbPassword', 'initdb-password', 'PGPASSWORD', 'pgpass', 'PGUSER']) expect(classifier.classify({ name }), name).toBe('cluster-operator');
    expect(classifier.authority('cluster-operator', 'initdbPassword')).toBe('cnpg');
  });

  it('replaces a Bitnami-style initdbPassword by a CNPG-owned role, not an ExternalSecret from Vault', async () => {
    mkdirSync(path.join(root, 'deployments/docker-desktop'), { recursive: true });
    writeFileSync(
      path.join(root, 'deployments/docker-desktop/ledger-postgresql-values.yaml'),
      ['global:', '  postgresql:', '    postgresqlUsername: postgres', '    postgresqlPassword: Invented-Pg-4412', '', 'initdbUser: postgres', 'initdbPassword: Invented-Pg-4412', ''].join('\n'),
    );
    const result = await scan({ root, useGit: false });
    const initdb = result.findings.find((f) => f.ruleId === 'inline-credential-in-values' && f.line === 7);
    expect(initdb?.origin).toBe('cluster-operator');
    expect(initdb?.remediation.replacement?.snippet).toContain('managed:');
    expect(initdb?.remediation.replacement?.snippet).not.toContain('kind: ExternalSecret');
  });
});
