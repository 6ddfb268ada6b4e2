import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'footprint-snippets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('replacement snippets follow the authority of the origin class', () => {
  it('writes the CNPG role, the Helm generator, the client-patcher flow or an ExternalSecret', async () => {
    mkdirSync(path.join(root, 'values/env/staging'), { recursive: true });
    writeFileSync(
      path.join(root, 'values/env/staging/portal.yaml'),
      ['database:', '  password: pg-Literal-4711', 'admin:', '  password: Adm1n-Literal-88', 'oidc:', '  clientSecret: kc-Literal-client-0042', 'stripe:', '  apiKey: live-Literal-key-9931', ''].join('\n'),
    );
    const result = await scan({ root, useGit: false });
    expect(result.findings.filter((f) => f.ruleId === 'inline-credential-in-values').map((f) => f.line)).toEqual([2, 4, 6, 8]);
    const snippetOf = (line: number) => result.findings.find((f) => f.ruleId === 'inline-credential-in-values' && f.line === line)!.remediation.replacement!;

    expect(result.findings.find((f) => f.line === 2)!.origin).toBe('cluster-operator');
    expect(snippetOf(2).snippet).toContain('managed:');
    expect(result.findings.find((f) => f.line === 4)!.origin).toBe('cluster-helm');
    expect(snippetOf(4).snippet).toContain('randAlphaNum 32');

    const oidc = result.findings.find((f) => f.line === 6)!;
    expect(oidc.origin).toBe('cluster-service');
    expect(snippetOf(6).snippet).toContain('clientPatcher.secretExtraction');
    expect(snippetOf(6).snippet).toContain('kind: ExternalSecret');

    expect(result.findings.find((f) => f.line === 8)!.origin).toBe('external');
    expect(snippetOf(8).snippet).not.toContain('clientPatcher');
    expect(snippetOf(8).snippet).toContain('kind: ExternalSecret');
    // Snippets come from the generator, never from the literal lines.
    expect(JSON.stringify(result)).not.toMatch(/Literal/);
  });
});

describe('ExternalSecret replacement', () => {
  it('extracts a whole remote entry for keys the template names itself, and maps named keys one by one', async () => {
    const chart = path.join(root, 'whole-map/charts/orders');
    mkdirSync(path.join(chart, 'templates'), { recursive: true });
    writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: orders\nversion: 1.0.0\n');
    writeFileSync(path.join(chart, 'values.yaml'), 'env: {}\ndb:\n  password: ""\n');
    writeFileSync(
      path.join(chart, 'templates/secrets.yaml'),
      ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: orders-env', 'stringData:', '  {{- toYaml .Values.env | nindent 2 }}', '---', 'apiVersion: v1', 'kind: Secret', 'metadata:', '  name: orders-db', 'stringData:', '  password: {{ .Values.db.password | quote }}', ''].join('\n'),
    );
    const result = await scan({ root: path.join(root, 'whole-map'), useGit: false });
    const snippetOf = (line: number) => result.findings.find((f) => f.ruleId === 'chart-owned-inline-secret-template' && f.line === line)!.remediation.replacement!.snippet;
    expect(snippetOf(6)).toContain('  dataFrom:\n    - extract:\n        key: orders-env\n');
    expect(snippetOf(6)).not.toContain('secretKey');
    expect(snippetOf(13)).toContain('    - secretKey: password\n');
    expect(snippetOf(13)).not.toContain('dataFrom');
  });
});

describe('the Vault store of a replacement', () => {
  it('is the store the ExternalSecrets of the tree point at when no store is defined in it', async () => {
    const tree = path.join(root, 'referenced-store');
    mkdirSync(path.join(tree, 'apps/orders'), { recursive: true });
    writeFileSync(
      path.join(tree, 'apps/orders/external-secret.yaml'),
      ['apiVersion: external-secrets.io/v1', 'kind: ExternalSecret', 'metadata:', '  name: orders-stripe', 'spec:', '  secretStoreRef:', '    kind: SecretStore', '    name: vault-backend', '  target:', '    name: orders-stripe', ''].join('\n'),
    );
    writeFileSync(path.join(tree, 'apps/orders/values-prod.yaml'), ['stripe:', '  apiKey: sk-Literal-stripe-2211', ''].join('\n'));
    const result = await scan({ root: tree, useGit: false });
    const snippet = result.findings.find((f) => f.ruleId === 'inline-credential-in-values')!.remediation.replacement!.snippet;
    expect(snippet).toContain('  secretStoreRef:\n    kind: SecretStore\n    name: vault-backend\n');
  });
});

describe('PushSecret Replace replacement', () => {
  it('keeps the remote property each push writes', async () => {
    const tree = path.join(root, 'push-property');
    mkdirSync(tree, { recursive: true });
    writeFileSync(
      path.join(tree, 'mirror.yaml'),
      [
        'apiVersion: external-secrets.io/v1alpha1',
        'kind: PushSecret',
        'metadata: {name: app-db-mirror, namespace: app}',
        'spec:',
        '  updatePolicy: IfNotExists',
        '  secretStoreRefs: [{name: vault, kind: ClusterSecretStore}]',
        '  selector: {secret: {name: app-db-credentials}}',
        '  data:',
        '    - match: {secretKey: password, remoteRef: {remoteKey: app/database, property: password}}',
        '    - match: {secretKey: username, remoteRef: {remoteKey: app/database-user}}',
        '',
      ].join('\n'),
    );
    const result = await scan({ root: tree, useGit: false });
    const snippet = result.findings.find((f) => f.ruleId === 'pushsecret-non-replace-policy')!.remediation.replacement!.snippet;
    expect(snippet).toContain('          remoteKey: "app/database"\n          property: password\n');
    expect(snippet).toContain('          remoteKey: "app/database-user"\n');
    expect(snippet).not.toContain('property: username');
    // The kind the PushSecret names, not a guess from the store's name.
    expect(snippet).toContain('    - name: vault\n      kind: ClusterSecretStore\n');
  });
});

describe('PushSecret fed by a generator', () => {
  it('generates the value once into a Secret and mirrors that Secret, instead of naming a "(generator)" Secret', async () => {
    const tree = path.join(root, 'push-generator');
    mkdirSync(tree, { recursive: true });
    writeFileSync(
      path.join(tree, 'push.yaml'),
      [
        'apiVersion: external-secrets.io/v1alpha1',
        'kind: PushSecret',
        'metadata: {name: orders-db-password-push, namespace: orders}',
        'spec:',
        '  updatePolicy: IfNotExists',
        '  secretStoreRefs: [{name: vault, kind: ClusterSecretStore}]',
        '  selector:',
        '    generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: orders-db-password}',
        '  data:',
        '    - match: {secretKey: password, remoteRef: {remoteKey: orders/database, property: password}}',
        '',
      ].join('\n'),
    );
    const result = await scan({ root: tree, useGit: false });
    const finding = result.findings.find((f) => f.ruleId === 'pushsecret-non-replace-policy')!;
    expect(finding.message).toContain('Password generator orders-db-password');
    expect(finding.origin).toBe('cluster-operator');
    const snippet = finding.remediation.replacement!.snippet;
    expect(snippet).not.toContain('(generator)');
    expect(snippet).toContain('kind: ExternalSecret');
    expect(snippet).toContain('        generatorRef:\n          apiVersion: generators.external-secrets.io/v1alpha1\n          kind: Password\n          name: orders-db-password\n');
    expect(snippet).toContain('  selector:\n    secret:\n      name: orders-db-password\n');
    expect(snippet).toContain('  updatePolicy: Replace');
  });
});
