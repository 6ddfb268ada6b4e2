import { describe, expect, it } from 'vitest';
import { parseTerraform, terraformAnalyzer } from '../src/analyzers/terraform.js';
import { commandsOfText, commandFacts } from '../src/analyzers/tests/commands.js';
import { fromPowerShell } from '../src/analyzers/tests/powershell.js';
import { emptyModel } from '../src/analyzers/tests/model.js';
import { bulkPushRemoteKeys } from '../src/k8s/eso.js';
import { connectionHost } from '../src/k8s/vocabulary.js';

const file = (path: string) => ({ path, vendored: false, isTest: false });

describe('terraform reader', () => {
  it('claims .tf files and parses only those that name a Key Vault secret or an Azure database', () => {
    expect(terraformAnalyzer.claims(file('infra/main.tf'))).toBe(true);
    expect(terraformAnalyzer.claims(file('infra/main.tf.json'))).toBe(false);
    expect(terraformAnalyzer.claims(file('infra/terraform.tfvars'))).toBe(true);
    expect(terraformAnalyzer.sniff!('resource "azurerm_key_vault" "kv" {}', file('a.tf'), {} as never)).toBe(false);
    expect(terraformAnalyzer.sniff!('resource "azurerm_key_vault_secret" "s" {}', file('a.tf'), {} as never)).toBe(true);
    expect(terraformAnalyzer.sniff!('variable "name" {\n  default = "x"\n}', file('variables.tf'), {} as never)).toBe(true);
  });

  it('keeps the literal values a secret name may come from: variable defaults, locals and .tfvars assignments', () => {
    const module = parseTerraform(
      [
        'variable "single" {',
        '  default = "orders-db-password"',
        '}',
        'variable "listed" { default = ["a-db-password", "b-token"] }',
        'variable "mapped" {',
        '  default = {',
        '    "orders-database-url" = { value = "x" }',
        '    plain: "with, comma"',
        '  }',
        '}',
        'variable "computed" { default = "${var.env}-x" }',
        'variable "required" { type = string }',
        'variable "db_password" { default = "S3cret-value" }',
        'variable "db_password_secret_name" { default = "orders-db-password" }',
        'variable "spaced" { default = "not a name" }',
        'locals {',
        '  app = "orders"',
        '  names = toset(["c-password"])',
        '}',
      ].join('\n'),
    );
    expect(module.values).toEqual({
      'var.single': { strings: ['orders-db-password'], keys: [] },
      'var.listed': { strings: ['a-db-password', 'b-token'], keys: [] },
      'var.db_password_secret_name': { strings: ['orders-db-password'], keys: [] },
      'var.mapped': { strings: [], keys: ['orders-database-url', 'plain'] },
      'local.app': { strings: ['orders'], keys: [] },
      'local.names': { strings: ['c-password'], keys: [] },
    });
    const tfvars = parseTerraform('secret_name = "x-db-password"\nsynced = {\n  "y-database-url" = {}\n}\ncount = 3\n', true);
    expect(tfvars.values).toEqual({ 'var.secret_name': { strings: ['x-db-password'], keys: [] }, 'var.synced': { strings: [], keys: ['y-database-url'] } });
    expect(tfvars.keyVaultSecrets).toEqual([]);
    const secret = parseTerraform('resource "azurerm_key_vault_secret" "s" {\n  for_each = var.synced\n  name = each.key\n}\n').keyVaultSecrets[0]!;
    expect(secret.forEach).toEqual({ ref: 'var.synced', each: 'key' });
  });

  it('reads names, value references and literal values past strings, heredocs and comments holding braces', () => {
    const model = parseTerraform(
      [
        '# a comment with { an open brace',
        'resource "azurerm_key_vault_secret" "one" {',
        '  name  = "${var.env}-orders-db-password" // trailing }',
        '  value = <<EOT',
        '{ not a block',
        'EOT',
        '  tags = { note = "}" }',
        '}',
        'resource "azurerm_key_vault_secret" "two" {',
        '  name     = each.value',
        '  for_each = { a = "a-db-password", b = "ghcr-token" }',
        '  value    = "literal-value"',
        '}',
        'resource "azurerm_key_vault_secret" "three" {',
        '  name  = local.secret_name',
        '  value = azurerm_postgresql_flexible_server.pg.administrator_password',
        '}',
        'resource "azurerm_mssql_server" "sql" {',
        '  administrator_login_password = random_password.sql.result',
        '}',
      ].join('\n'),
    );
    expect(model.keyVaultSecrets.map((s) => [s.label, s.names, s.valueRefs, s.values, s.line])).toEqual([
      ['one', ['${var.env}-orders-db-password'], [], [], 2],
      ['two', ['a-db-password', 'ghcr-token'], [], ['literal-value'], 9],
      ['three', ['local.secret_name'], ['azurerm_postgresql_flexible_server.pg.administrator_password'], [], 14],
    ]);
    expect(model.azureDatabases).toEqual([{ type: 'azurerm_mssql_server', label: 'sql', line: 18, passwordRefs: ['random_password.sql.result'] }]);
  });

  it('reads the External Secrets stores a file creates, by kind and literal name, not the store refs of other objects', () => {
    const text = [
      'resource "kubernetes_manifest" "a" {',
      '  manifest = {',
      '    kind = "ClusterSecretStore"',
      '    metadata = { name = "vault-backend" }',
      '    spec = { provider = { vault = { server = "http://vault:8200" } } }',
      '  }',
      '}',
      'resource "kubernetes_manifest" "b" {',
      '  manifest = {',
      '    metadata = { name = "${var.team}-vault" }',
      '    kind = "SecretStore"',
      '    spec = { provider = { vault = {} } }',
      '  }',
      '}',
      'resource "kubernetes_manifest" "es" {',
      '  manifest = {',
      '    kind = "ExternalSecret"',
      '    spec = { secretStoreRef = { kind = "ClusterSecretStore", name = "legacy-kv" } }',
      '  }',
      '}',
    ].join('\n');
    expect(parseTerraform(text).secretStores).toEqual([
      { kind: 'ClusterSecretStore', name: 'vault-backend', line: 3 },
      { kind: 'SecretStore', line: 11 },
    ]);
    expect(terraformAnalyzer.sniff!('kind = "ClusterSecretStore"', file('eso.tf'), {} as never)).toBe(true);
  });

  it('keeps the literal values secret manager resources are written with, whole or by field, and whether they are ignored after the seed', () => {
    const model = parseTerraform(
      [
        'resource "aws_secretsmanager_secret_version" "app" {', // 1
        '  secret_id     = aws_secretsmanager_secret.app_login.id',
        '  secret_string = jsonencode({',
        '    user     = "app"',
        '    password = "Kq7-wE3rT9yU"', // 5
        '    host     = aws_db_instance.main.address',
        '    dsn      = "postgres://app:${var.pw}@db/app"',
        '  })',
        '}',
        'resource "google_secret_manager_secret_version" "v" {', // 10
        '  secret      = google_secret_manager_secret.token.id',
        '  secret_data = "a \\"quoted\\" value"',
        '  lifecycle {',
        '    ignore_changes = [secret_data]',
        '  }', // 15
        '}',
        'resource "vault_kv_secret_v2" "k" {',
        '  name      = "apps/web"',
        '  data_json = <<-EOT',
        '    {"api_token": "t-1", "url": "${var.u}"}', // 20
        '  EOT',
        '}',
        'resource "azurerm_key_vault_secret" "computed" {',
        '  name  = "x"',
        '  value = jsonencode(var.x)', // 25
        '}',
        'resource "aws_ssm_parameter" "p" {',
        '  name  = "/a/b"',
        '  type  = "SecureString"',
        '  value = file("p.txt")', // 30
        '}',
      ].join('\n'),
    );
    expect(model.secretValues).toEqual([
      {
        type: 'aws_secretsmanager_secret_version',
        label: 'app',
        attribute: 'secret_string',
        name: 'app_login',
        fields: [
          { key: 'user', value: 'app', line: 4 },
          { key: 'password', value: 'Kq7-wE3rT9yU', line: 5 },
        ],
        ignoreChanges: false,
        line: 3,
        column: 3,
      },
      { type: 'google_secret_manager_secret_version', label: 'v', attribute: 'secret_data', name: 'token', value: 'a "quoted" value', ignoreChanges: true, line: 12, column: 3 },
      { type: 'vault_kv_secret_v2', label: 'k', attribute: 'data_json', name: 'apps/web', fields: [{ key: 'api_token', value: 't-1', line: 20 }], ignoreChanges: false, line: 19, column: 3 },
    ]);
    expect(terraformAnalyzer.sniff!('resource "aws_secretsmanager_secret_version" "v" {}', file('a.tf'), {} as never)).toBe(true);
  });

  it('keeps credential-named variables given a literal string: a default, a .tfvars assignment', () => {
    const module = parseTerraform('variable "db_password" {\n  sensitive = true\n  default   = "Hx8-db-Pw"\n}\nvariable "api_token" { type = string }\nvariable "token_name" { default = "x" }\nvariable "admin_password" { default = "${var.a}" }\n');
    expect(module.credentialVariables).toEqual([{ name: 'db_password', value: 'Hx8-db-Pw', line: 3, column: 3 }]);
    const tfvars = parseTerraform('region = "eu"\n  admin_password = "Qm7#tfvars"\napi_key = file("k")\n', true);
    expect(tfvars.credentialVariables).toEqual([{ name: 'admin_password', value: 'Qm7#tfvars', line: 2, column: 3 }]);
  });

  it('never throws on unbalanced or truncated input', () => {
    for (const text of ['resource "aws_secretsmanager_secret_version" "x" {\n secret_string = jsonencode({ password = "a', 'resource "vault_kv_secret_v2" "x" {\n data_json = <<EOT\n{"a": "b"', 'resource "azurerm_key_vault_secret" "x" {', 'resource "azurerm_key_vault_secret" "x" {\n  name = "unterminated\n', 'resource "azurerm_key_vault_secret" "x" {\n value = <<EOF\nno end', '}}}{{{']) {
      expect(() => parseTerraform(text)).not.toThrow();
    }
  });
});

describe('PowerShell Key Vault writes', () => {
  it('reads Set-AzKeyVaultSecret across backtick continuations, az calls and New-Az database cmdlets', () => {
    const model = emptyModel('shell', 'script');
    fromPowerShell(
      model,
      [
        "Set-AzKeyVaultSecret -VaultName 'kv' `",
        "  -Name 'orders-db-password' -SecretValue (ConvertTo-SecureString 'lit3ral!' -AsPlainText -Force)",
        '# Set-AzKeyVaultSecret -VaultName kv -Name commented-out',
        'az keyvault secret set --vault-name kv --name x-database-url --value $url',
        'New-AzPostgreSqlFlexibleServer -Name pg -ResourceGroupName rg',
      ].join('\n'),
    );
    expect(model.keyVaultWrites?.map((w) => [w.name, w.vault, w.values, w.form, w.line])).toEqual([
      ['orders-db-password', 'kv', ['lit3ral!'], 'Set-AzKeyVaultSecret', 1],
      ['x-database-url', 'kv', [], 'az keyvault secret set', 4],
    ]);
    expect(model.azureDatabases?.map((d) => [d.form, d.line])).toEqual([['New-AzPostgreSqlFlexibleServer', 5]]);
  });
});

describe('az CLI Key Vault writes', () => {
  it('reads secret set with --value, --file and -n, and Azure database provisioning commands', () => {
    const model = emptyModel('shell', 'script');
    const script = [
      'az keyvault secret set --vault-name kv --name a-db-password --value s3cr3t-value',
      'az keyvault secret set --vault-name kv -n "${APP}-database-url" --file ./url.txt',
      'az keyvault secret show --vault-name kv --name a-db-password',
      'az postgres flexible-server db create --resource-group rg --server-name pg --database-name orders',
      'az cosmosdb create -g rg -n docs',
      'az postgres flexible-server list',
    ].join('\n');
    commandFacts(model, commandsOfText(script, 1, 1));
    expect(model.keyVaultWrites?.map((w) => [w.name, w.vault, w.values, w.line])).toEqual([
      ['a-db-password', 'kv', ['s3cr3t-value'], 1],
      ['${APP}-database-url', 'kv', [], 2],
    ]);
    expect(model.azureDatabases?.map((d) => [d.form, d.line])).toEqual([
      ['az postgres flexible-server db create', 4],
      ['az cosmosdb create', 5],
    ]);
  });
});

describe('PushSecret dataTo remote keys', () => {
  it('filters by match.regexp and applies regexp rewrites in order, Go ${1} groups included', () => {
    const push = { keyPattern: '^db-', rewrites: [{ source: '^db-(.*)$', target: 'app/${1}' }, { source: '-', target: '/' }], transformed: false, line: 1 };
    expect(bulkPushRemoteKeys(push, ['db-user', 'db-admin-password', 'api-key'])).toEqual([
      { secretKey: 'db-user', remoteKey: 'app/user' },
      { secretKey: 'db-admin-password', remoteKey: 'app/admin/password' },
    ]);
  });
  it('gives up on template transforms and patterns JavaScript cannot read', () => {
    expect(bulkPushRemoteKeys({ rewrites: [], transformed: true, line: 1 }, ['a'])).toBeUndefined();
    expect(bulkPushRemoteKeys({ keyPattern: '(?P<x>a)', rewrites: [], transformed: false, line: 1 }, ['a'])).toBeUndefined();
  });
});

describe('connectionHost', () => {
  it('names the host of URLs and connection strings, never the credential', () => {
    expect(connectionHost('postgresql://u:p@pg-rw.db.svc:5432/app')).toBe('pg-rw.db.svc');
    expect(connectionHost('postgresql://u:${PW}@x.postgres.database.azure.com/app')).toBe('x.postgres.database.azure.com');
    expect(connectionHost('Server=tcp:r.database.windows.net,1433;Password=secret')).toBe('r.database.windows.net');
    expect(connectionHost('just-a-password')).toBeUndefined();
  });
});
