import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialPrefilter, findCredentials, isPlaceholderPassword, validTokenChecksum } from '../src/analyzers/tests/credentials.js';
import { goAnalyzer, goPrefilter } from '../src/analyzers/tests/go.js';
import { harnessRole, type HarnessModel } from '../src/analyzers/tests/model.js';
import { pythonAnalyzer, pythonPrefilter } from '../src/analyzers/tests/python.js';
import { shellAnalyzer, shellPrefilter } from '../src/analyzers/tests/shell.js';
import { typescriptAnalyzer, typescriptPrefilter, typescriptStats } from '../src/analyzers/tests/typescript.js';
import type { Analyzer, AnalyzerDiagnostic, FileContext } from '../src/analyzers/types.js';
import { resolveConfig } from '../src/config/load.js';
import { RULES } from '../src/rules/index.js';
import { scanDetailed } from '../src/scan/run.js';
import { seededText } from './helpers/seeded-text.js';

const file = (p: string, isTest = /(^|\/)(tests?|__tests__|e2e)\/|\.(test|spec)\.|_test\.go$|(^|\/)test_[^/]*\.py$|conftest\.py$/.test(p)): FileContext => ({ path: p, vendored: false, isTest });

async function parse(analyzer: Analyzer<HarnessModel>, p: string, text: string, config = resolveConfig({})) {
  const diagnostics: AnalyzerDiagnostic[] = [];
  const f = file(p);
  const sniffed = analyzer.sniff ? analyzer.sniff(text, f, config) : true;
  const model = sniffed ? await analyzer.parse(text, f, { config, diagnostic: (d) => diagnostics.push(d) }) : undefined;
  return { model, diagnostics, sniffed };
}

describe('harness roles', () => {
  it('tells tests and harness scripts from ordinary scripts', () => {
    expect(harnessRole(file('services/web/playwright.config.ts', false))).toBe('test');
    expect(harnessRole(file('tests/setup/global-setup.ts', true))).toBe('test');
    expect(harnessRole(file('scripts/run-e2e.sh', false))).toBe('test');
    expect(harnessRole(file('scripts/integration-tests.sh', false))).toBe('test');
    expect(harnessRole(file('scripts/vault/seed.sh', false))).toBe('script');
    expect(harnessRole(file('tools/sync_db.py', false))).toBe('script');
  });
});

describe('TS/JS prefilter', () => {
  it('parses tests with env fallbacks, Secrets, Key Vault or Vault and skips the rest', () => {
    expect(typescriptPrefilter("const p = process.env.E2E_PASSWORD ?? 'x';", 'test')).toBe(true);
    expect(typescriptPrefilter('const { DB_PASSWORD = "x" } = process.env;', 'test')).toBe(true);
    expect(typescriptPrefilter("async function login(page, password = 'x') {}", 'test')).toBe(true);
    expect(typescriptPrefilter("await core.createNamespacedSecret({ namespace, body })", 'test')).toBe(true);
    expect(typescriptPrefilter("import { SecretClient } from '@azure/keyvault-secrets';", 'test')).toBe(true);
    expect(typescriptPrefilter("it('adds', () => expect(add(1, 2)).toBe(3));", 'test')).toBe(false);
    expect(typescriptPrefilter('const url = process.env.BASE_URL;', 'test')).toBe(false);
    // Fallbacks of non-secrets are not worth a parse; a DSN fallback under any name is.
    expect(typescriptPrefilter("const port = Number(process.env.PORT ?? '3000');", 'test')).toBe(false);
    expect(typescriptPrefilter("const db = process.env.DB ?? 'postgres://app:pw@localhost/app';", 'test')).toBe(true);
    expect(typescriptPrefilter("const t = process.env.TOKEN ? process.env.TOKEN : 'x';", 'test')).toBe(true);
    // Aliases of process.env read like it: `const { env } = process`, `const env = process.env`, `import { env } from 'node:process'`.
    expect(typescriptPrefilter("const { env } = process;\nconst p = env.E2E_PASSWORD || 'x';", 'test')).toBe(true);
    expect(typescriptPrefilter("const env = process.env;\nconst p = env['E2E_PASSWORD'] ?? 'x';", 'test')).toBe(true);
    expect(typescriptPrefilter("import { env as e } from 'node:process';\nconst { E2E_PASSWORD = 'x' } = e;", 'test')).toBe(true);
    expect(typescriptPrefilter("const env = process.env.NODE_ENV;\nconst p = env.E2E_PASSWORD || 'x';", 'test')).toBe(false);
    // Ordinary scripts when they drive a Kubernetes or Vault client, or fall back on a credential-named variable (a
    // setup file that a Jest/Playwright config names is judged as a test); other env fallbacks and reads are skipped.
    expect(typescriptPrefilter("const p = process.env.E2E_PASSWORD ?? 'x';", 'script')).toBe(true);
    expect(typescriptPrefilter("const port = process.env.PORT ?? '3000'; const host = process.env.HOST || 'localhost';", 'script')).toBe(false);
    expect(typescriptPrefilter('const p = process.env.DB_PASSWORD;', 'script')).toBe(false);
    expect(typescriptPrefilter("import k8s from '@kubernetes/client-node'; api.createNamespacedSecret({})", 'script')).toBe(true);
    expect(typescriptPrefilter("import vault from 'node-vault';", 'script')).toBe(true);
  });

  it('lets a fallback on a credential name the config adds through to the parser', async () => {
    const text = "export const login = process.env.NW_LOGIN_PHRASE ?? 'hunter22-local';\n";
    const plain = await parse(typescriptAnalyzer, 'e2e/env.ts', text);
    expect(plain.sniffed).toBe(false);
    const configured = await parse(typescriptAnalyzer, 'e2e/env.ts', text, resolveConfig({ credentialNames: ['NW_LOGIN_PHRASE'] }));
    expect(configured.sniffed).toBe(true);
    expect(configured.model?.fallbacks.map((f) => f.variable)).toEqual(['NW_LOGIN_PHRASE']);
  });

  it('python, go and shell prefilters', () => {
    expect(pythonPrefilter('import os\nX = os.getenv("A", "b")', 'test')).toBe(true);
    expect(pythonPrefilter('def test_add():\n    assert 1 + 1 == 2', 'test')).toBe(false);
    expect(pythonPrefilter('import os\nX = os.getenv("A", "b")', 'script')).toBe(false);
    expect(pythonPrefilter('import hvac\n', 'script')).toBe(true);
    expect(goPrefilter('func TestX(t *testing.T) { os.Getenv("A") }', 'test')).toBe(true);
    expect(goPrefilter('func TestX(t *testing.T) { os.Getenv("A") }', 'script')).toBe(false);
    expect(shellPrefilter('vault kv put secret/x a=b', 'script', 'script')).toBe(true);
    expect(shellPrefilter('npx playwright test', 'script', 'script')).toBe(false);
    // A test script matters when it reaches a cluster (the bootstrap rule) or defaults a variable to a literal.
    expect(shellPrefilter('npx playwright test', 'test', 'script')).toBe(false);
    expect(shellPrefilter('kubectl apply -k deploy/e2e\nnpx playwright test', 'test', 'script')).toBe(true);
    expect(shellPrefilter('PW="${DB_PASSWORD:-local-pw}"', 'test', 'script')).toBe(true);
  });
});

describe('TS/JS analyzer', () => {
  it('records fallback forms with bindings and positions', async () => {
    const { model } = await parse(
      typescriptAnalyzer,
      'tests/a.test.ts',
      ["const a = process.env.A_PASSWORD ?? 'p1';", "const b = (process.env['B_TOKEN'] as string) || `p2`;", "const { C_SECRET = 'p3', HOST = 'h' } = process.env;", "const d = process.env.D_KEY ? process.env.D_KEY : 'p4';", "function f(password = 'p5') {}"].join('\n'),
    );
    expect(model?.fallbacks.map((f) => [f.variable, f.form, f.line, f.binding])).toEqual([
      ['A_PASSWORD', '??', 1, 'a'],
      ['B_TOKEN', '||', 2, 'b'],
      ['C_SECRET', 'destructuring-default', 3, 'C_SECRET'],
      ['HOST', 'destructuring-default', 3, 'HOST'],
      ['D_KEY', 'ternary', 4, 'd'],
      ['password', 'parameter-default', 5, 'password'],
    ]);
  });

  it('reports syntax errors as diagnostics and still returns facts', async () => {
    const { model, diagnostics } = await parse(typescriptAnalyzer, 'tests/b.test.ts', "const a = process.env.A_PASSWORD ?? 'p1';\nconst = ;");
    expect(diagnostics.map((d) => d.code)).toEqual(['parse-error']);
    expect(model?.fallbacks).toHaveLength(1);
  });

  it('reads a Secret written in a template literal without a process warning on a Helm expression', async () => {
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(w.message);
    process.on('warning', listen);
    try {
      const text = [
        "it('seeds', () => apply(`",
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: orders-db',
        // A flow map whose key is a flow map to YAML: converting it made the yaml library warn on stderr.
        '  namespace: {{ .Release.Namespace }}',
        'stringData:',
        '  password: hunter2-prod',
        '`));',
      ].join('\n');
      const { model } = await parse(typescriptAnalyzer, 'tests/seed.test.ts', text);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(model?.inlineSecrets.map((s) => s.name)).toEqual(['orders-db']);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', listen);
    }
  });

  it('turns subprocess command strings into facts through the shell parser', async () => {
    const { model } = await parse(typescriptAnalyzer, 'scripts/seed.ts', "import vault from 'node-vault';\nexecSync('vault kv put secret/orders-db password=x && echo done');");
    expect(model?.vaultWrites.map((w) => [w.path, w.keys, w.line])).toEqual([['secret/orders-db', ['password'], 2]]);
  });
});

describe('Python and Go analyzers', () => {
  it('python: getenv defaults, `or` fallbacks, hvac writes', async () => {
    const { model } = await parse(
      pythonAnalyzer,
      'tests/test_x.py',
      ['import os, hvac', 'A = os.getenv("A_PASSWORD", "p1")', 'B = os.environ.get("B_TOKEN") or "p2"', 'client.secrets.kv.v2.create_or_update_secret(path="orders/db", secret={"password": "x"})'].join('\n'),
    );
    expect(model?.fallbacks.map((f) => [f.variable, f.form, f.line, f.binding])).toEqual([
      ['A_PASSWORD', 'getenv-default', 2, 'A'],
      ['B_TOKEN', 'or-default', 3, 'B'],
    ]);
    expect(model?.vaultWrites.map((w) => [w.path, w.keys, w.op])).toEqual([['orders/db', ['password'], 'kv-write']]);
  });

  it('go: Getenv then assign when empty, LookupEnv, helpers; testing param for t.Fatalf', async () => {
    const { model } = await parse(
      goAnalyzer,
      'x/a_test.go',
      [
        'package x',
        'func TestA(tt *testing.T) {',
        '  dsn := os.Getenv("DSN")',
        '  if dsn == "" { dsn = "postgres://u:p@h/db" }',
        '  tok, ok := os.LookupEnv("API_TOKEN")',
        '  if !ok {',
        '    tok = "t0k"',
        '  }',
        '  k := getEnvDefault("SECRET_KEY", "k3y")',
        '}',
      ].join('\n'),
    );
    expect(model?.fallbacks.map((f) => [f.variable, f.form, f.line, f.testingParam])).toEqual([
      ['DSN', 'if-empty-assign', 4, 'tt'],
      ['API_TOKEN', 'if-empty-assign', 7, 'tt'],
      ['SECRET_KEY', 'helper-default', 9, 'tt'],
    ]);
  });

  it('go: env-config struct tag defaults (envconfig, caarlos0/env, cleanenv, go-envconfig) with the required form as replacement', async () => {
    const { model, sniffed } = await parse(
      goAnalyzer,
      'x/cfg_test.go',
      [
        'package x',
        'type C struct {',
        '  Password string `envconfig:"DB_PASSWORD" default:"p1-secret"`',
        '  APIToken string `split_words:"true" default:"t0k-123"`',
        '  Secret string `env:"CLIENT_SECRET" envDefault:"s3c"`',
        '  Redis string `env:"REDIS_PASSWORD" env-default:"r3d"`',
        '  Key string `env:"SIGNING_KEY, default=k3y"`',
        '  Name string `json:"name" default:"x"`',
        '}',
      ].join('\n'),
    );
    expect(sniffed).toBe(true);
    expect(model?.fallbacks.map((f) => [f.variable, f.form, f.line, f.binding, f.structField])).toEqual([
      ['DB_PASSWORD', 'struct-tag-default', 3, 'Password', 'Password string `envconfig:"DB_PASSWORD" required:"true"`'],
      ['API_TOKEN', 'struct-tag-default', 4, 'APIToken', 'APIToken string `split_words:"true" required:"true"`'],
      ['CLIENT_SECRET', 'struct-tag-default', 5, 'Secret', 'Secret string `env:"CLIENT_SECRET,required,notEmpty"`'],
      ['REDIS_PASSWORD', 'struct-tag-default', 6, 'Redis', 'Redis string `env:"REDIS_PASSWORD" env-required:"true"`'],
      ['SIGNING_KEY', 'struct-tag-default', 7, 'Key', 'Key string `env:"SIGNING_KEY, required"`'],
    ]);
  });
});

describe('shell analyzer', () => {
  it('kubectl create secret, heredoc Secrets fed through cat, vault writes, az keyvault', async () => {
    const { model } = await parse(
      shellAnalyzer,
      'scripts/seed.sh',
      [
        '#!/bin/bash',
        'kubectl -n ns create secret generic app --from-literal=password=x --from-literal=token="$TOKEN"',
        "cat <<'EOF' | kubectl apply -f -",
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: s}',
        'stringData:',
        '  password: y',
        'EOF',
        'vault write database/config/orders plugin_name=postgresql-database-plugin password=z',
        'az keyvault secret show --vault-name kv --name orders-key',
        'kubectl create secret generic "${APP}-invalid" --from-literal=password=bad',
      ].join('\n'),
    );
    // A name that is not a literal is kept as written, for messages only.
    expect(model?.inlineSecrets.map((s) => [s.name, s.nameAsWritten, s.literalKeys, s.line, s.form])).toEqual([
      ['app', undefined, ['password'], 2, 'kubectl-create'],
      ['s', undefined, ['password'], 8, 'kubectl-apply-heredoc'],
      [undefined, '${APP}-invalid', ['password'], 12, 'kubectl-create'],
    ]);
    expect(model?.vaultWrites.map((w) => [w.path, w.op])).toEqual([['database/config/orders', 'database-engine']]);
    expect(model?.keyVault.map((k) => [k.secrets, k.vault])).toEqual([[['orders-key'], 'kv']]);
  });
});

describe('credential formats', () => {
  it('validates GitHub/npm token checksums', () => {
    expect(validTokenChecksum('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')).toBe(true);
    expect(validTokenChecksum('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')).toBe(true);
    expect(validTokenChecksum('ghp_uWQICogSUisGaamSi2AuIyI480cc6G3W5TQc')).toBe(false);
    expect(validTokenChecksum('ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(false);
  });

  it('keeps placeholders silent', () => {
    for (const [user, password] of [['user', 'password'], ['u', '${DB_PASSWORD}'], ['u', '$(cat f)'], ['u', '{{ .Values.p }}'], ['u', '<password>'], ['u', 'xxxxxxxx'], ['u', 'changeme'], ['${REDIS_PASSWORD', '-}']]) {
      expect(isPlaceholderPassword(password!, user!), `${user}:${password}`).toBe(true);
    }
    expect(isPlaceholderPassword('R3al-pw', 'orders')).toBe(false);
    expect(findCredentials('url = "postgres://orders:R3al-pw@db:5432/orders"').map((h) => [h.format, h.scheme, h.line])).toEqual([['url-password', 'postgres', 1]]);
    expect(credentialPrefilter('nothing here')).toBe(false);
  });

  it('prefilters every format wherever it sits in the text, and nothing one character short of one', () => {
    const a = (n: number) => 'aB3'.repeat(n).slice(0, n);
    const hits = [
      `gh${'p'}_${a(30)}`, `ghs_${a(30)}`, `github${'_pat_'}`, `npm_${a(30)}`, `hvs.${a(20)}`, `hvb.${'-_'.repeat(10)}`,
      ` s.${a(24)} `, `AK${'IA'}${'ABC123'.repeat(3).slice(0, 16)}`, `ACCA${'Z9'.repeat(8)}`, 'xoxb-', 'xoxe.', 'xapp-1-',
      'hooks.slack.com/services/', 'hooks.slack.com/triggers/', '-----BEGIN PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----', 'https://:p@', 'redis://user:pa:ss@', 'x jdbc:mysql://h/d?user=u&password=',
      'jdbc:sqlserver://h;password=', `SG.${a(22)}.`, `sk${'_live_'}${a(24)}`, `rk${'_live_'}${a(24)}`, `${'0f'.repeat(16)}-us1`,
    ];
    const misses = [
      `gh${'p'}_${a(29)}`, `gha_${a(30)}`, `github${'_pa_'}`, `npm_${a(29)}`, `hvs.${a(19)}`, `hva.${a(20)}`, `xs.${a(24)}`,
      `_s.${a(24)}`, ` s.${a(24)}_`, `AKIA${'ABC123'.repeat(3).slice(0, 15)}`, `AKIA${'abc123'.repeat(3).slice(0, 16)}`, 'xoxz-',
      'xapp-x-', 'hooks.slack.com/other/', 'hooks-slack.com/services/', '----BEGIN PRIVATE KEY-----', '-----BEGIN private KEY-----',
      'https://user@host', 'https://us er:p@', 'https:/u:p@', 'https://u:p/@', 'xjdbc:mysql://h/d?password=', 'jdbc:mysql://h/d password=',
      'JDBC:mysql://h/d?password=', `SG.${a(21)}.`, `SG_${a(22)}.`, `sk${'_live_'}${a(23)}`, `sk${'_test_'}${a(24)}`, `x${'0f'.repeat(16)}-us1`,
      `${'0f'.repeat(16)}-use1`,
    ];
    for (const text of hits) {
      expect(credentialPrefilter(text), text).toBe(true);
      expect(credentialPrefilter(`line one\n  key: ${text} tail`), text).toBe(true);
    }
    for (const text of misses) expect(credentialPrefilter(`key: ${text}`), text).toBe(false);
  });

  // KICS passwords_and_secrets (SendGrid, Stripe, Mailchimp, Slack webhook placeholders), rewritten and assembled at runtime.
  it('reports vendor API keys, and not the pattern-filled examples of their docs', () => {
    const formats = (text: string) => findCredentials(text).map((h) => h.format);
    const join = (...parts: string[]) => parts.join('');
    expect(formats(join('ARG MAIL="SG.', 'FAKEfixture4Zq7Lm2Tx8W', '.', 'FAKEfixture0VnT5gLx9YbR3mC7pE1uK4oW8iS2aXdQ', '"'))).toEqual(['sendgrid-key']);
    expect(formats(join('stripe.api_key = "sk', '_live_', 'FAKEfixture4Zq7Lm2Tx8Wv3Rb"'))).toEqual(['stripe-key']);
    expect(formats(join('-u "x:', '7f3a9c2e8b1d4f6a0c5e9b2d7a4f1c8e', '-us14"'))).toEqual(['mailchimp-key']);
    expect(formats(join('SG.', 'x'.repeat(22), '.', 'x'.repeat(43)))).toEqual([]);
    expect(formats(join('sk', '_live_', 'X'.repeat(24)))).toEqual([]);
    expect(formats(join('sk', '_test_', 'FAKEfixture4Zq7Lm2Tx8Wv3Rb'))).toEqual([]);
    expect(formats(join('etag=', '9b2cf535f27731c974343645a3985328', '-12'))).toEqual([]);
    expect(formats(join('https://hooks.slack.com/', 'services/T00000000/B00000000/', 'X'.repeat(24)))).toEqual([]);
    expect(formats(join('https://hooks.slack.com/', 'services/TXXXXXXXX/BXXXXXXXX/', 'x'.repeat(24)))).toEqual([]);
    expect(formats(join('https://hooks.slack.com/', 'services/T04BQ7XKZ9M/B05RFTQ2JHL/', 'FAKEfixture4Zq7Lm2Tx8Wv3'))).toEqual(['slack-webhook']);
  });

  // gitleaks' prefixed formats for AI providers, package registries, Azure and platform services; every token is
  // assembled at runtime from a deterministic pseudo-random body, so no token-shaped literal sits in the repository.
  it('reports AI, registry, Azure and platform tokens by format, and not their pattern-filled examples', () => {
    const random = seededText(7);
    const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const hex = '0123456789abcdef';
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const b64 = `${alnum}+/`;
    const uuid = () => [8, 4, 4, 4, 12].map((n) => random(hex, n)).join('-');
    const cases: [string, string][] = [
      ['openai-key', `sk-proj-${random(alnum, 74)}${'T3Blbk'}FJ${random(alnum, 74)}`],
      ['openai-key', `sk-${random(alnum, 20)}${'T3Blbk'}FJ${random(alnum, 20)}`],
      ['anthropic-key', `sk-ant-${'api03'}-${random(alnum, 93)}AA`],
      ['huggingface-token', `hf${'_'}${random(letters, 34)}`],
      ['pypi-token', `pypi-${'AgEIcHlwaS5vcmc'}${random(alnum, 50)}`],
      ['nuget-key', `oy2${random(lower, 43)}`],
      ['artifactory-token', `AKCp${random(alnum, 69)}`],
      ['artifactory-token', `cmVmdGtu${random(alnum, 56)}`],
      ['azure-ad-client-secret', `${random(alnum, 3)}8Q~${random(alnum, 31)}`],
      ['azure-storage-key', `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${random(b64, 86)}==`],
      ['teams-webhook', `https://acme.${'webhook'}.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${random(hex, 32)}/${uuid()}`],
      ['digitalocean-token', `dop_v1_${random(hex, 64)}`],
      ['pulumi-token', `pul-${random(hex, 40)}`],
      ['terraform-cloud-token', `${random(lower, 14)}.atlasv1.${random(lower, 60)}`],
      ['grafana-token', `glsa_${random(alnum, 32)}_${random(hex, 8)}`],
      ['doppler-token', `dp.pt.${random(alnum, 43)}`],
      ['linear-key', `lin_api_${random(alnum, 40)}`],
      ['shopify-token', `shpat_${random(hex, 32)}`],
      ['rubygems-token', `rubygems_${random(hex, 48)}`],
      ['sentry-token', `sntryu_${random(hex, 64)}`],
      ['postman-key', `PMAK-${random(hex, 24)}-${random(hex, 34)}`],
      ['atlassian-token', `ATATT3${random(alnum, 186)}`],
    ];
    for (const [format, token] of cases) {
      expect(credentialPrefilter(`  value: "${token}"`), format).toBe(true);
      expect(findCredentials(`export TOKEN="${token}"`).map((h) => [h.format, h.value.length > 0]), format).toEqual([[format, true]]);
      // One character short of the format, or filled with a pattern: nothing.
      expect(findCredentials(`export TOKEN="${token.replace(/^(.*)(.)(.{8})$/, '$1$3')}"`).map((h) => h.format), `${format} short`).not.toContain(format);
    }
    const filled = ['hf_' + 'x'.repeat(34), `sk-ant-${'api03'}-${'x'.repeat(93)}AA`, `pul-${'0'.repeat(40)}`, `oy2${'a'.repeat(43)}`];
    for (const text of filled) expect(findCredentials(`TOKEN=${text}`), text).toEqual([]);
    // Azurite's documented emulator key is public; identifiers that merely contain `Q~` are not client secrets.
    const azurite = ['Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq', '/K1SZFPTOtr/KBHBeksoGMGw=='].join('');
    expect(findCredentials(`UseDevelopmentStorage=false;AccountName=devstoreaccount1;AccountKey=${azurite};`)).toEqual([]);
    expect(findCredentials('path: a/b/c1Q~tilde')).toEqual([]);
  });

  // gitleaks, detect-secrets, secretlint, trufflehog and ggshield allow comments, as their own test cases write them.
  it('leaves lines other secret scanners were told to allow', () => {
    const token = ['glpat', '-', 'Zq7Lm2Tx8Wv3Rb9Kp4Yn'].join('');
    const lines = (text: string) => findCredentials(text).map((h) => h.line);
    expect(lines(`a = "${token}"\nb = "${token}" # gitleaks:allow\nc = "${token}"  # pragma: allowlist secret`)).toEqual([1]);
    expect(lines(`// secretlint-disable-next-line\nconst a = "${token}";\nconst b = "${token}"; // secretlint-disable-line`)).toEqual([]);
    expect(lines(`# pragma: allowlist nextline secret\nA="${token}"\nB="${token}"`)).toEqual([3]);
    expect(lines(`/* secretlint-disable */\nA="${token}"\n/* secretlint-enable */\nB="${token}"`)).toEqual([4]);
    expect(lines(`A="${token}" # trufflehog:ignore\nB="${token}" # ggignore\nC="${token}" # nosec`)).toEqual([3]);
    // Mentioning a scanner is not allowing a line.
    expect(lines(`# run gitleaks in CI\nA="${token}"`)).toEqual([2]);
  });

  // Peer cases (secretlint basicauth / database-connection-string, gitleaks slack / vault / private-key rules),
  // rewritten; tokens are assembled at runtime so no token-shaped literal sits in the repository.
  it('reports the formats peers test for', () => {
    const formats = (text: string) => findCredentials(text).map((h) => h.format);
    const slack = (prefix: string, rest: string) => `${prefix}${rest}`;
    expect(formats(`SLACK_BOT=${slack('xoxb-', '781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD')}`)).toEqual(['slack-token']);
    expect(formats(slack('xoxe.', `xoxp-1-${'Mi0yLTM0MTQwNDE0MDE3Ni0zNjU5NDY0'.repeat(5)}`))).toEqual(['slack-token']);
    expect(formats(slack('xapp-', '1-A052FGTS2DL-5171572773297-610b6a11f4b7eb819e87b767d80e6575a3634791acb9a9ead051da879eb5b55e'))).toEqual(['slack-token']);
    expect(formats(slack('xoxa-', '2-511111111-31111111111-3111111111111-e039d02840a0b9379c'))).toEqual(['slack-token']);
    expect(formats(`https://hooks.slack.com/${'workflows'}/T016M3G1GHZ/A04J3BAF7AA/442660231806210747/F6Vm03reCkhPmwBtaqbN6OW9`)).toEqual(['slack-webhook']);
    expect(formats(`export VAULT_TOKEN=${'s.'}ZC9Ecf4M5g9o34Q6RkzGsj0z`)).toEqual(['vault-token']);
    expect(formats(`VAULT_TOKEN=${'hvs.'}6j4cuewowBGit65rheNoceI7`)).toEqual(['vault-token']);
    expect(formats('jdbc:postgresql://db:5432/app?user=app&password=Ap9-pw')).toEqual(['url-password']);
    // secretlint's package.json case: the token is the user part of a GitHub x-oauth-basic URL.
    const oauth = findCredentials(`"url": "git+https://${'9f86d081884c7d659a2f'}eaa0c55ad015a3bf4f1b:x-oauth-basic@github.com/acme/lib.git"`);
    expect(oauth.map((h) => [h.format, h.value])).toEqual([['url-password', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b']]);
    expect(findCredentials('https://${GH_TOKEN}:x-oauth-basic@github.com/acme/lib.git')).toEqual([]);
    // secretlint's GitLab and gitleaks' Docker Hub cases.
    expect(formats(`HEADERS = {"PRIVATE-TOKEN": "${'glpat-'}CN6Zj4a3dDVhYRnKTbxT"}`)).toEqual(['gitlab-token']);
    expect(formats(`${'glrt-'}aBcDeFgHiJkLmNoPqRsT`)).toEqual(['gitlab-token']);
    expect(formats(`docker login -u bot -p ${'dckr_pat_'}NJFoBinF5aJXVuLkSIc47WQAmL9`)).toEqual(['docker-token']);
    const body = Array.from({ length: 6 }, (_, i) => `MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC${i}x9kqX2mPZ`).join('\n');
    for (const label of ['PGP PRIVATE KEY BLOCK', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY']) {
      expect(formats(`-----BEGIN ${label}-----\nVersion: 1\n\n${body}\n-----END ${label}-----\n`), label).toEqual(['private-key']);
    }
    // A service-account key: the PEM in one JSON string. Its body is the key, not the JSON lines after it.
    const json = `{\n  "private_key": "-----BEGIN ${'PRIVATE KEY'}-----\\n${body.split('\n').join('\\n')}\\n-----END ${'PRIVATE KEY'}-----\\n",\n  "client_email": "deployer@project.iam.gserviceaccount.com"\n}\n`;
    expect(findCredentials(json).map((h) => [h.format, h.line, h.value])).toEqual([['private-key', 2, body.replace(/\n/g, '')]]);
  });

  // gitleaks hashicorp_vault.go / slack.go and trufflehog uri.go cases, rewritten and assembled at runtime.
  it('finds the peers\' true positives and keeps their false positives silent', () => {
    const formats = (text: string) => findCredentials(text).map((h) => h.format);
    const t = (...parts: string[]) => parts.join('');
    expect(formats(t('token: s.', 'ZC9Ecf4M5g9o34Q6RkzGsj0z'))).toEqual(['vault-token']);
    expect(formats(t('image.png?t=xoxe-', '4726837507825-4848681849303-4856614048758-e0b1f3d4cb371f92260edb0d9444d206'))).toEqual(['slack-token']);
    expect(formats(t('"bot_token9": "xoxb-', '50014434-slacktokenx29U9X1bQ"'))).toEqual(['slack-token']);
    expect(formats(t('"access_token1": "xoxs-', '3206092076-3204538285-3743137121-836b042620"'))).toEqual(['slack-token']);
    for (const fp of [
      'INFO 4 --- [main] o.s.b.f.s.DefaultListableBeanFactory : Overriding bean definition',
      'vault s.AcceptanceTimeoutSeconds ',
      'vault token s.makeKubeConfigController = args',
      t('"token4": "xoxp-', '572370529330-573807301142-572331691188-####################"'),
      t('"token3": "xoxp-', '1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d"'),
      'xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere',
      'https://indieweb.org/images/3/35/2018-250-xoxo-indieweb-1.jpg',
      t('file://deploy:', 'Zk82mQp1', '@nas.local/share'),
      'https://user:$PASSWORD@example.com',
    ]) {
      expect(formats(fp), fp).toEqual([]);
    }
  });

  it('reads a URL password written with a bare @ up to the authority\'s last @', () => {
    const found = (text: string) => findCredentials(text).map((h) => [h.format, h.value, h.host]);
    const password = ['Xk9', '@', 'pQ2w7Zr'].join('');
    expect(found(`DATABASE_URL=postgres://app:${password}@db.internal.example:5432/app`)).toEqual([['url-password', password, 'db.internal.example']]);
    expect(found(`redis://:${password}@cache:6379`)).toEqual([['url-password', password, 'cache']]);
    // An @ after the authority (a query parameter) is not the userinfo's.
    expect(found('https://u:Tk4mP9qZ@h1.corp.internal/a?to=b@c.com')).toEqual([['url-password', 'Tk4mP9qZ', 'h1.corp.internal']]);
    expect(found('see https://user@git.corp.internal/org/repo and mailto:ops@corp.internal')).toEqual([]);
  });

  it('keeps the negatives peers test for silent', () => {
    const silent = [
      'const API_URL = "https://${username}:${password}@api.example.com/v1";',
      'const CONFIG_URL = "https://{{user}}:{{pass}}@config.example.com";',
      'const TEMPLATE_URL = "https://{USER}:{PASS}@template.example.com";',
      'const DOC_URL = "https://YOUR_USERNAME:YOUR_PASSWORD@api.service.com";',
      'const GUIDE_URL = "https://username:REPLACE_WITH_PASSWORD@example.org";',
      'const SHORT_URL = "https://user:abc@api.com/v1";',
      'const REPETITIVE_URL = "https://user:1111@service.com/api";',
      'amqp://guest:guest@rabbitmq:5672/',
      'DATABASE_URL=postgres://postgres:postgres@localhost:5432/postgres',
      'http://foo:bar@baz',
      'jdbc:mysql://db:3306/app?user=app&password=${DB_PASSWORD}',
      `VAULT_TOKEN=${'hvs.'}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
      `vault: ${'s.'}AcceptanceTimeoutSeconds`,
      `vault ${'s.'}makeKubeConfigController = args`,
      `client.${'s.'}ZC9Ecf4M5g9o34Q6RkzGsj0z() // no Vault word on the line`,
      "credentials: new AWS.SharedIniFileCredentials({ profile: '<YOUR_PROFILE>' })",
      `GH_PAT=${'github_pat_'}${'x'.repeat(22)}_${'x'.repeat(59)}`,
      `GITLAB_TOKEN=${'glpat-'}${'x'.repeat(20)}`,
      `DOCKERHUB_TOKEN=${'dckr_pat_'}${'X'.repeat(27)}`,
      `SLACK_BOT_TOKEN=${'xoxb-'}${'0'.repeat(12)}-${'0'.repeat(13)}-${'x'.repeat(24)}`,
      '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
      // Seen on real code (a URI parser's tests, a dotenv error message).
      "const c = parse('uri://us\\xA0er:pa\\uD7FFss@example.com:123/one')",
      "throw new Error('Must be in valid uri format like dotenv://:key_1234@dotenvx.com/vault/.env.vault')",
    ];
    for (const line of silent) expect(findCredentials(line), line).toEqual([]);
    expect(findCredentials('mongodb://admin:addison@db').map((h) => h.format)).toEqual(['url-password']);
  });
});

describe('shell sources', () => {
  it('extensionless files anywhere are scripts when they carry a sh/bash shebang', () => {
    const seed = 'vault kv put secret/shop/db username=shop password=shop-pw\n';
    expect(shellAnalyzer.claims(file('deploy/seed', false))).toBe(true);
    expect(shellAnalyzer.sniff!(`#!/usr/bin/env bash\n${seed}`, file('deploy/seed', false), resolveConfig({}))).toBe(true);
    expect(shellAnalyzer.sniff!(seed, file('NOTES', false), resolveConfig({}))).toBe(false);
    expect(shellAnalyzer.claims(file('LICENSE', false))).toBe(false);
  });
});

describe('test runner setup files', () => {
  it('a Jest/Playwright/Cypress config names its setup files; scripts with credential fallbacks are parsed', async () => {
    const config = await parse(
      typescriptAnalyzer,
      'web/jest.config.ts',
      "export default { globalSetup: './jest/db-bootstrap.ts', setupFilesAfterEnv: ['<rootDir>/jest/env.js', 'jest-extended/all'], globalTeardown: require.resolve('./jest/teardown') };\n",
    );
    expect(config.model?.setupRefs).toEqual(['web/jest/db-bootstrap', 'web/jest/env', 'web/jest/teardown']);
    const vite = await parse(typescriptAnalyzer, 'app/vite.config.ts', "export default defineConfig({ plugins: [react()], test: { setupFiles: './src/test/setup.ts' } });\n");
    expect(vite.model?.setupRefs).toEqual(['app/src/test/setup']);
    const setup = await parse(typescriptAnalyzer, 'web/jest/db-bootstrap.ts', "export default async () => { const pw = process.env.PGPASSWORD || 'hunter2-local'; };\n");
    expect(setup.model?.role).toBe('script');
    expect(setup.model?.fallbacks.map((f) => [f.variable, f.form])).toEqual([['PGPASSWORD', '||']]);
  });

  it('go: t.Setenv sets a value for the code under test, it is not a fallback', async () => {
    const { model } = await parse(goAnalyzer, 'pkg/store/store_test.go', 'package store\nimport ("os"; "testing")\nfunc TestX(t *testing.T) {\n\tt.Setenv("STORE_API_KEY", "sk-test-abc")\n\tpw := getEnv("STORE_PASSWORD", "fallback-pass")\n\t_ = pw\n\t_ = os.Getenv("A")\n}\n');
    expect(model?.fallbacks.map((f) => f.variable)).toEqual(['STORE_PASSWORD']);
  });
});

describe('a 2,000-file TS tree with few candidates', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'footprint-ts-tree-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('parses only the files the prefilter lets through', async () => {
    const candidates = 25;
    for (let i = 0; i < 2000; i++) {
      const dir = path.join(root, 'packages', `pkg${i % 40}`, '__tests__');
      mkdirSync(dir, { recursive: true });
      const body =
        i < candidates
          ? `const password = process.env.PKG_${i}_PASSWORD ?? 'pkg-${i}-pass';\nit('logs in', () => expect(password).toBeTruthy());\n`
          : `import { add } from '../src/add';\nconst base = process.env.BASE_URL;\nit('adds ${i}', () => expect(add(${i}, 1)).toBe(${i + 1}));\n`;
      writeFileSync(path.join(dir, `case${i}.test.ts`), body);
    }
    const before = { ...typescriptStats };
    const rules = RULES.filter((r) => r.meta.id === 'test-code-credential-fallback');
    const { result } = await scanDetailed({ root, useGit: false, rules });
    expect(typescriptStats.claimed - before.claimed).toBe(2000);
    expect(typescriptStats.parsed - before.parsed).toBe(candidates);
    expect(result.findings).toHaveLength(candidates);
  });
});
