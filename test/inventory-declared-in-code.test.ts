import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultProblems } from '../src/result/validate.js';
import { scan } from '../src/index.js';
import { scanFixture } from './helpers/run-fixture.js';
import { tempDirs, writeTree } from './helpers/temp.js';

const tempDir = tempDirs('footprint-declared-');
const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures/rules/inline-secret-manifest', name);

function declared(result: Awaited<ReturnType<typeof scanFixture>>): string[] {
  return result.inventory.filter((e) => / program/.test(e.producer ?? '')).map((e) => `${e.file}:${e.line} ${e.namespace ?? '-'}/${e.name} [${e.keys.join(',')}] ${e.origin} ${e.authority} ${e.producer} {${e.findings.join(',')}}`);
}

describe('Secrets declared by Pulumi and cdk8s programs in the inventory', () => {
  it('lists each declared Secret with its keys, origin and the findings on it', async () => {
    const result = await scanFixture(fixture('ng.pulumi-cdk8s-programs'));
    expect(resultProblems(result)).toEqual([]);
    expect(declared(result)).toEqual([
      'cdk8s/main.ts:10 -/api-keys [STRIPE_API_KEY] external azure-key-vault cdk8s program with 1 literal value {inline-secret-manifest}',
      'cdk8s/main.ts:12 -/db [password] cluster-operator cnpg cdk8s program with 1 literal value {inline-secret-manifest}',
      'infra/billing/__main__.py:10 billing/billing-db [DB_PASSWORD,DB_USER] cluster-operator cnpg Pulumi program with 2 literal values {inline-secret-manifest}',
      'infra/orders/index.ts:8 -/orders-db [password,username] cluster-operator cnpg Pulumi program with 2 literal values {inline-secret-manifest}',
      'infra/search/main.go:14 search/search-admin [admin-password] cluster-helm helm Pulumi program with 1 literal value {inline-secret-manifest}',
    ]);
  });

  it('lists Secrets filled from the program’s secret config too, without findings', async () => {
    const result = await scanFixture(fixture('ok.pulumi-cdk8s-config-secrets'));
    expect(result.findings).toEqual([]);
    expect(declared(result)).toEqual([
      'cdk8s/main.ts:7 -/api-keys [STRIPE_API_KEY] external azure-key-vault cdk8s program {}',
      'infra/billing/__main__.py:9 -/billing-db [DB_PASSWORD,DB_USER] cluster-operator cnpg Pulumi program with 1 literal value {}',
      'infra/orders/index.ts:9 -/orders-db [password,username] cluster-operator cnpg Pulumi program with 1 literal value {}',
    ]);
  });

  it('names a Secret filled by addStringData / add_string_data after its construct id, not the variable', async () => {
    const ts = ["import * as kplus from 'cdk8s-plus-27';", 'export function mail(chart: any) {', "  const mail = new kplus.Secret(chart, 'mail-credentials');", "  mail.addStringData('SMTP_PASSWORD', 'Mailer-pass-4410');", '}', ''].join('\n');
    const py = ['import cdk8s_plus_27 as kplus', '', 'def mail(chart):', '    mail = kplus.Secret(chart, "mail-credentials-py")', '    mail.add_string_data("SMTP_PASSWORD", "Mailer-pass-4411")', ''].join('\n');
    const result = await scan({ root: writeTree(tempDir(), { 'cdk8s/mail.ts': ts, 'cdk8s/mail.py': py }), useGit: false, cache: false });
    expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.message}`)).toEqual([
      'inline-secret-manifest cdk8s/mail.py:5 cdk8s Secret mail-credentials-py carries 1 literal credential value (SMTP_PASSWORD) in git',
      'inline-secret-manifest cdk8s/mail.ts:4 cdk8s Secret mail-credentials carries 1 literal credential value (SMTP_PASSWORD) in git',
    ]);
    expect(result.inventory.map((e) => `${e.file} ${e.name}`)).toEqual(['cdk8s/mail.py mail-credentials-py', 'cdk8s/mail.ts mail-credentials']);
  });
});

describe('cdk8s Secrets written as ApiObjects or filled after their construct', () => {
  it('lists each Secret once, with the keys addStringData adds to the construct', async () => {
    const result = await scanFixture(fixture('ng.cdk8s-apiobject-secrets'));
    expect(resultProblems(result)).toEqual([]);
    expect(declared(result)).toEqual([
      'src/main.ts:14 backend/backend-db [password,username] cluster-operator cnpg cdk8s program with 2 literal values {inline-secret-manifest}',
      'src/main.ts:25 -/api-credentials [API_TOKEN,API_URL] unknown unknown cdk8s program with 2 literal values {inline-secret-manifest}',
    ]);
  });

  it('keeps Secrets filled from props and the environment, without findings', async () => {
    const result = await scanFixture(fixture('ok.cdk8s-apiobject-secrets-from-props'));
    expect(result.findings).toEqual([]);
    expect(declared(result)).toEqual([
      'src/main.ts:19 backend/backend-db [password,username] cluster-operator cnpg cdk8s program with 1 literal value {}',
      'src/main.ts:34 -/api-credentials [API_TOKEN,API_TOKEN_FROM_ENV] unknown unknown cdk8s program {}',
    ]);
  });
});

describe('Secrets declared by Terraform Kubernetes provider resources in the inventory', () => {
  it('gives each of many Secrets in one module exactly the findings on its own lines', async () => {
    // Every third Secret holds a literal password; the others read a variable. 600 resources in one file.
    const blocks = Array.from({ length: 600 }, (_, i) =>
      [`resource "kubernetes_secret_v1" "s${i}" {`, `  metadata { name = "svc-${i}" }`, `  data = { password = ${i % 3 === 0 ? `"Pw-${i}-Zq8xLm"` : 'var.password'} }`, '}'].join('\n'),
    );
    const result = await scan({ root: writeTree(tempDir(), { 'infra/secrets.tf': `${blocks.join('\n')}\n` }), useGit: false, cache: false });
    const entries = result.inventory.filter((e) => e.producer === 'Terraform kubernetes_secret_v1');
    expect(entries).toHaveLength(600);
    const withFinding = entries.filter((e) => e.findings.length > 0);
    expect(withFinding.map((e) => e.name).sort()).toEqual(Array.from({ length: 200 }, (_, k) => `svc-${k * 3}`).sort());
    expect(new Set(withFinding.flatMap((e) => e.findings))).toEqual(new Set(['inline-secret-manifest']));
    expect(result.findings.filter((f) => f.ruleId === 'inline-secret-manifest')).toHaveLength(200);
  });
});
