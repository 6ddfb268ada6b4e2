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

describe('the replacement follows the authority of the class', () => {
  it('gives TLS keys a cert-manager Certificate, other engines and Redis a generated Secret, PostgreSQL a CNPG role', async () => {
    const dir = path.join(root, 'authorities/deploy');
    mkdirSync(dir, { recursive: true });
    const key = ['-----BEGIN PRIVATE KEY-----', ...Array.from({ length: 4 }, (_, i) => `MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC${i}x7Kq9fLmR2pT`), '-----END PRIVATE KEY-----'];
    const secret = (name: string, data: string[], type = 'Opaque') => ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${name}`, `type: ${type}`, 'stringData:', ...data].join('\n');
    writeFileSync(
      path.join(dir, 'secrets.yaml'),
      [
        ['apiVersion: cert-manager.io/v1', 'kind: ClusterIssuer', 'metadata:', '  name: letsencrypt-prod', 'spec:', '  acme: {}'].join('\n'),
        secret('shop-tls', ['  tls.key: |', ...key.map((l) => `    ${l}`)], 'kubernetes.io/tls'),
        secret('wordpress-mysql', ['  password: Invented-My-7781']),
        secret('orders-db-credentials', ['  password: Invented-Pg-7781']),
        secret('cache-redis', ['  redis-password: Invented-Rd-7781']),
        secret('ledger-app', ['  username: ledger', '  password: Invented-Lg-7781'], 'kubernetes.io/basic-auth'),
        ['apiVersion: postgresql.cnpg.io/v1', 'kind: Cluster', 'metadata:', '  name: ledger', 'spec:', '  managed:', '    roles:', '      - name: ledger', '        passwordSecret:', '          name: ledger-app'].join('\n'),
      ].join('\n---\n') + '\n',
    );
    const result = await scan({ root: path.dirname(dir), useGit: false });
    const title = (name: string) => result.findings.find((f) => f.ruleId === 'inline-secret-manifest' && f.resource?.name === name)?.remediation.replacement?.title;
    expect(title('shop-tls')).toBe('cert-manager Certificate that issues shop-tls in the cluster');
    expect(result.findings.find((f) => f.resource?.name === 'shop-tls')?.remediation.replacement?.snippet).toContain('name: letsencrypt-prod');
    expect(title('wordpress-mysql')).toBe('Helm-generated wordpress-mysql: random on first install, preserved on upgrade');
    expect(title('cache-redis')).toBe('Helm-generated cache-redis: random on first install, preserved on upgrade');
    expect(title('orders-db-credentials')).toBe('CNPG-owned role orders with a Helm-generated orders-db-credentials');
    expect(title('ledger-app')).toBe('CNPG-owned role ledger_app with a Helm-generated ledger-app');
    const authority = Object.fromEntries(result.inventory.map((e) => [e.name, e.authority]));
    expect(authority).toMatchObject({ 'shop-tls': 'cert-manager', 'wordpress-mysql': 'operator', 'orders-db-credentials': 'cnpg', 'cache-redis': 'redis-operator' });
  });

  it('generates what the cluster can make up and merges keys shared with an outside party in from the store', async () => {
    const chart = path.join(root, 'mixed/charts/deployer');
    mkdirSync(path.join(chart, 'templates'), { recursive: true });
    writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: deployer\nversion: 1.0.0\n');
    writeFileSync(path.join(chart, 'values.yaml'), 'server:\n  adminPassword: ""\n  githubWebhookSecret: ""\n  extra: {}\n');
    writeFileSync(
      path.join(chart, 'templates/secret.yaml'),
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: deployer-secret',
        'data:',
        '  admin.password: {{ .Values.server.adminPassword | b64enc }}',
        '  webhook.github.secret: {{ .Values.server.githubWebhookSecret | b64enc }}',
        '  {{- range $key, $value := .Values.server.extra }}',
        '  {{ $key }}: {{ $value | b64enc }}',
        '  {{- end }}',
        '',
      ].join('\n'),
    );
    const result = await scan({ root: path.join(root, 'mixed'), useGit: false });
    const replacement = result.findings.find((f) => f.ruleId === 'chart-owned-inline-secret-template' && f.file.endsWith('secret.yaml'))?.remediation.replacement;
    expect(replacement?.title).toBe('Helm-generated deployer-secret: random on first install, preserved on upgrade; webhook.github.secret merged in from the store');
    const [generated, merged] = replacement!.snippet.split('\n---\n');
    expect(generated).toContain('admin.password: {{ $existing | dig "data" "admin.password" (randAlphaNum 32 | b64enc) }}');
    expect(generated).not.toContain('webhook');
    expect(generated).not.toContain('"{{ $key }}"');
    expect(merged).toContain('creationPolicy: Merge');
    expect(merged).toContain('- secretKey: webhook.github.secret');
    expect(merged).not.toContain('admin.password');
  });

  it('takes the class and the engine of a Secret from the database operator that reads it', async () => {
    const dir = path.join(root, 'operators/deploy');
    mkdirSync(dir, { recursive: true });
    const secret = (name: string) => ['apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${name}`, 'stringData:', '  password: Invented-Op-5521'].join('\n');
    writeFileSync(
      path.join(dir, 'databases.yaml'),
      [
        ['apiVersion: mongodbcommunity.mongodb.com/v1', 'kind: MongoDBCommunity', 'metadata:', '  name: orders', 'spec:', '  users:', '    - name: orders', '      passwordSecretRef:', '        name: orders-user'].join('\n'),
        ['apiVersion: k8s.mariadb.com/v1alpha1', 'kind: MariaDB', 'metadata:', '  name: shop', 'spec:', '  rootPasswordSecretKeyRef:', '    name: shop-root', '    key: password'].join('\n'),
        ['apiVersion: postgresql.cnpg.io/v1', 'kind: Cluster', 'metadata:', '  name: ledger', 'spec:', '  bootstrap:', '    initdb:', '      secret:', '        name: ledger-owner'].join('\n'),
        secret('orders-user'),
        secret('shop-root'),
        secret('ledger-owner'),
        secret('unrelated-thing'),
      ].join('\n---\n') + '\n',
    );
    const result = await scan({ root: path.dirname(dir), useGit: false });
    const finding = (name: string) => result.findings.find((f) => f.ruleId === 'inline-secret-manifest' && f.resource?.name === name);
    expect(Object.fromEntries(['orders-user', 'shop-root', 'ledger-owner', 'unrelated-thing'].map((n) => [n, finding(n)?.origin]))).toEqual({
      'orders-user': 'cluster-operator',
      'shop-root': 'cluster-operator',
      'ledger-owner': 'cluster-operator',
      'unrelated-thing': 'unknown',
    });
    expect(finding('orders-user')?.remediation.replacement?.snippet).toContain('MongoDB chart or operator');
    expect(finding('shop-root')?.remediation.replacement?.snippet).toContain('MySQL/MariaDB chart or operator');
    expect(finding('ledger-owner')?.remediation.replacement?.title).toBe('CNPG-owned role ledger_owner with a Helm-generated ledger-owner');
    const authority = Object.fromEntries(result.inventory.map((e) => [e.name, e.authority]));
    expect(authority).toMatchObject({ 'orders-user': 'operator', 'shop-root': 'operator', 'ledger-owner': 'cnpg' });
  });

  it('classes a token committed in a Dockerfile as a build credential', async () => {
    const dir = path.join(root, 'image-build/services/reports');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      ['FROM python:3.12-slim', 'RUN pip install --extra-index-url https://deploy:Inv3nted-Index-Tok3n@pypi.acme-corp.io/simple/ reports-lib', 'ENV DATABASE_URL=postgresql://app:Inv3nted-Db-Pass@db:5432/app', ''].join('\n'),
    );
    writeFileSync(path.join(dir, 'publish.sh'), ['#!/bin/sh', 'pip download --index-url https://deploy:Inv3nted-Index-Tok3n@pypi.acme-corp.io/simple/ reports-lib', ''].join('\n'));
    const result = await scan({ root: path.join(root, 'image-build'), useGit: false });
    const origins = result.findings.filter((f) => f.ruleId === 'hardcoded-credential').map((f) => `${f.file}:${f.line} ${f.origin}`);
    expect(origins).toEqual(['services/reports/Dockerfile:2 build-time', 'services/reports/Dockerfile:3 cluster-operator', 'services/reports/publish.sh:2 unknown']);
  });
});
