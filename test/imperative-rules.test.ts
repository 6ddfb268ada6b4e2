import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imperativeAnalyzer, type ImperativeModel } from '../src/analyzers/tests/imperative.js';
import { passwordStatements } from '../src/analyzers/tests/sql-password.js';
import type { AnalyzerContext, FileContext } from '../src/analyzers/types.js';
import { targetNamesCluster } from '../src/rules/tests/imperative-common.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

const context = { diagnostic: () => {} } as unknown as AnalyzerContext;

async function parse(file: string, text: string): Promise<ImperativeModel | undefined> {
  const ctx: FileContext = { path: file, vendored: false, isTest: false };
  if (!imperativeAnalyzer.sniff!(text, ctx, {} as never)) return undefined;
  return (await imperativeAnalyzer.parse(text, ctx, context)) as ImperativeModel | undefined;
}

describe('password statements', () => {
  it('finds the statements that set a password, with the user as written', () => {
    const found = (sql: string) => passwordStatements(sql).map((s) => [s.engine, s.statement, s.user ?? s.written ?? null]);
    expect(found(`ALTER ROLE app WITH LOGIN PASSWORD 'x'`)).toEqual([['postgres', 'ALTER ROLE … PASSWORD', 'app']]);
    expect(found(`alter user "Billing" encrypted password 'x';`)).toEqual([['postgres', 'ALTER USER … PASSWORD', 'Billing']]);
    expect(found(`ALTER ROLE {} WITH PASSWORD {}`)).toEqual([['postgres', 'ALTER ROLE … PASSWORD', '{}']]);
    expect(found(`ALTER USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY 'x'`)).toEqual([['mysql', 'ALTER USER … IDENTIFIED BY', 'app']]);
    expect(found(`SET PASSWORD FOR 'app'@'localhost' = PASSWORD('x')`)).toEqual([['mysql', 'SET PASSWORD FOR', 'app']]);
    expect(found(`postgres=# \\password orders`)).toEqual([['postgres', '\\password', 'orders']]);
    expect(found(`db.getSiblingDB("admin").changeUserPassword("events", pw)`)).toEqual([['mongodb', 'db.changeUserPassword', 'events']]);
    expect(found(`db.updateUser("events", { pwd: passwordPrompt(), roles: [] })`)).toEqual([['mongodb', 'db.updateUser … pwd', 'events']]);
    expect(found(`db.runCommand({ updateUser: "events", pwd: "x" })`)).toEqual([['mongodb', 'updateUser … pwd', 'events']]);
  });

  it('leaves out what sets no password', () => {
    for (const sql of [
      `ALTER ROLE app PASSWORD NULL`,
      `ALTER ROLE app WITH NOLOGIN`,
      `ALTER USER 'app'@'%' PASSWORD EXPIRE INTERVAL 90 DAY`,
      `ALTER USER app ACCOUNT LOCK`,
      `CREATE ROLE app WITH LOGIN PASSWORD 'x'`,
      `CREATE USER 'app'@'%' IDENTIFIED BY 'x'`,
      `ALTER USER 'app'@'%' IDENTIFIED WITH auth_socket`,
      `echo "set password for the user in the UI"`,
      `userService.updateUser(id, { name })`,
    ]) {
      expect(passwordStatements(sql), sql).toEqual([]);
    }
  });
});

describe('the imperative commands analyzer', () => {
  it('reads shell and SQL blocks of a runbook: console prompts, sections of the two top heading levels', async () => {
    const model = await parse(
      'docs/runbooks/db.md',
      [
        '# DB',
        '## Reset',
        '```console',
        '$ kubectl exec -it -n shop pg-main-1 -- psql -U postgres',
        'psql (16.2)',
        'postgres=# \\password orders',
        '```',
        '### Then',
        '```bash',
        'kubectl -n shop delete secret orders-db-credentials',
        '```',
        '## Other',
        '```',
        'kubectl annotate es orders force-sync=1 --overwrite',
        '```',
      ].join('\n'),
    );
    expect(model?.passwordChanges.map((p) => [p.line, p.user, p.section])).toEqual([[6, 'orders', 2]]);
    expect(model?.actions.map((a) => [a.action, a.line, a.names, a.section])).toEqual([
      ['delete-secret', 10, ['orders-db-credentials'], 2],
      ['force-sync', 14, ['orders'], 3],
    ]);
  });

  it('reads the statement where a database client runs it, never an echo message', async () => {
    const model = await parse(
      'scripts/rotate.sh',
      [
        '#!/bin/sh',
        'echo "never ALTER ROLE app WITH PASSWORD by hand"',
        'echo "ALTER ROLE app WITH PASSWORD \'$P\'" | kubectl exec -i -n db pg-1 -- psql',
        'kubectl --context kind-dev exec vault-0 -- sh -c "vault operator unseal $KEY"',
        'docker compose exec -T db psql -c "ALTER ROLE app PASSWORD \'x\'"',
      ].join('\n'),
    );
    expect(model?.passwordChanges.map((p) => [p.line, p.via, p.target ?? null, p.container ?? false])).toEqual([
      [3, 'kubectl exec', 'pg-1', false],
      [5, 'docker compose exec', null, true],
    ]);
    expect(model?.actions.map((a) => [a.action, a.line, a.via, a.context])).toEqual([['vault-unseal', 4, 'kubectl exec', 'kind-dev']]);
    expect(model?.localCluster?.evidence).toBe('--context kind-dev');
  });

  it('survives input that is not what its name says', async () => {
    for (const [file, text] of [
      ['docs/x.md', '```bash\nkubectl delete secret <name> \u0000 ${{\n```\n```sql\nALTER ROLE'],
      ['scripts/x.sh', 'kubectl annotate es "unterminated force-sync=1'],
      ['.github/workflows/x.yaml', 'jobs: [run: kubectl rollout restart deploy/x'],
      ['db/x.sql', 'ALTER USER '.repeat(2000)],
      ['Tiltfile', "local('kubectl delete secret x' +"],
    ] as const) {
      const model = await parse(file, text);
      expect(model === undefined || Array.isArray(model.actions)).toBe(true);
    }
  });
});

describe('targets that name a database cluster', () => {
  it('matches instance pods, services and the cluster itself, not another name that shares a prefix', () => {
    expect(targetNamesCluster('pg-main-1', 'pg-main')).toBe(true);
    expect(targetNamesCluster('pod/pg-main-2', 'pg-main')).toBe(true);
    expect(targetNamesCluster('pg-main-rw.shop.svc', 'pg-main')).toBe(true);
    expect(targetNamesCluster('pg-main', 'pg-main')).toBe(true);
    expect(targetNamesCluster('pg-main-backup-job', 'pg-main')).toBe(false);
    expect(targetNamesCluster('pg', 'pg-main')).toBe(false);
  });
});

describe('imperative rule messages', () => {
  it('never carry the password or the values the commands write', async () => {
    for (const [rule, fixture, secrets] of [
      ['imperative-db-password-change', 'ng.cnpg-owned-roles', ['changeme-please', 'new-password']],
      ['imperative-secret-remediation', 'ng.shared-cluster-fixes', ['NEW_KEY']],
    ] as const) {
      const result = await scanFixture(path.join(RULE_FIXTURES, rule, fixture));
      const text = JSON.stringify(result.findings.filter((f) => f.ruleId === rule));
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(readFileSync(path.join(RULE_FIXTURES, rule, fixture, 'expected.json'), 'utf8')).toContain(rule);
    }
  });

  it('says which operator owns the user, and lowers the severity when only the database reached is linked', async () => {
    const result = await scanFixture(path.join(RULE_FIXTURES, 'imperative-db-password-change', 'ng.cnpg-owned-roles'));
    const owned = result.findings.find((f) => f.ruleId === 'imperative-db-password-change' && f.file === 'scripts/rotate-orders-password.sh');
    expect(owned?.severity).toBe('medium');
    expect(owned?.message).toContain('Cluster pg-main (manifests/db/cluster.yaml) owns user orders');
    const reached = result.findings.find((f) => f.ruleId === 'imperative-db-password-change' && f.file === 'scripts/reset-owner.sh' && f.line === 5);
    expect(reached?.severity).toBe('low');
    expect(reached?.message).toContain('user reporting is none of the users it manages');
  });
});

describe('runbook sniff', () => {
  it('tests only the fenced code of a Markdown file, unclosed fences included', async () => {
    const { fencedCode, imperativeAnalyzer } = await import('../src/analyzers/tests/imperative.js');
    const doc = ['# Rotate', 'Run `kubectl delete secret` only when told to.', '```sh', 'kubectl rollout restart deploy/web', '```', 'prose', '~~~', 'vault operator unseal', '~~~~', '````bash', 'echo open'].join('\n');
    expect(fencedCode(doc).split('\n').filter(Boolean)).toEqual(['sh', 'kubectl rollout restart deploy/web', 'vault operator unseal', 'bash', 'echo open']);
    const file = { path: 'docs/runbooks/rotate.md', vendored: false, isTest: false };
    expect(imperativeAnalyzer.sniff!('Delete the secret with `kubectl delete secret app` if needed.\n', file, {} as never)).toBe(false);
    expect(imperativeAnalyzer.sniff!('```\nkubectl delete secret app\n```\n', file, {} as never)).toBe(true);
  });
});
