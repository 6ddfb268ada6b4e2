import { describe, expect, it } from 'vitest';
import { isDatabaseImage, namesOps, normaliseTemplate, valuesApp } from '../src/rules/correlation/db-consumers.js';
import { lineTreeScanner } from './helpers/scan-tree.js';

const scanTree = lineTreeScanner('footprint-db-consumers-');

const OURS = new Set(['superuser-secret-in-app', 'shared-db-auth-secret-consumer']);

describe('database Secret consumers: helpers', () => {
  it('tells operations tooling by name, template literal parts included', () => {
    for (const name of ['pg-backup', 'nightly-pg-dump', 'pgadmin', 'postgres-exporter', '{{ include "x.fullname" . }}-pgdumpall', 'create-app-roles', 'db-init', 'cnpg-operator', 'init-db']) expect(namesOps(name), name).toBe(true);
    for (const name of ['orders', 'orders-migrate', 'billing-api', 'web', '{{ include "x.fullname" . }}', 'admin-api']) expect(namesOps(name), name).toBe(false);
  });

  it('tells database images from app images', () => {
    for (const image of ['postgres:16', 'docker.io/library/postgres:16', 'ghcr.io/cloudnative-pg/postgresql:16', 'bitnami/postgresql:16', 'mariadb:11', 'ghcr.io/zalando/spilo-16:3.2']) expect(isDatabaseImage(image), image).toBe(true);
    for (const image of ['ghcr.io/example/orders:1', 'quay.io/keycloak/keycloak:26', '{{ .Values.image }}']) expect(isDatabaseImage(image), image).toBe(false);
  });

  it('names the app a values file configures', () => {
    expect(valuesApp('values/_shared/apps/orders.yaml')).toBe('orders');
    expect(valuesApp('charts/orders/values-prod.yaml')).toBe('orders');
    expect(valuesApp('apps/billing/values.yaml')).toBe('billing');
    expect(valuesApp('deploy/prod/search-indexer.values.yaml')).toBe('search-indexer');
  });

  it('spells template text one way', () => {
    expect(normaliseTemplate('{{- include "x.fullname" . -}}-superuser')).toBe(normaliseTemplate('{{ include "x.fullname" . }}-superuser'));
  });
});

describe('database Secret consumers: scans', () => {
  it('never crashes on odd workloads and never prints a value', async () => {
    const result = await scanTree({
      'db/cluster.yaml': ['apiVersion: postgresql.cnpg.io/v1', 'kind: Cluster', 'metadata: {name: main-pg}', 'spec: {instances: 1, superuserSecret: {name: main-pg-su}}'],
      'apps/odd.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: odd}',
        'spec:',
        '  template:',
        '    spec:',
        '      volumes: [null, {name: v}, {name: s, secret: {}}, {name: p, projected: {sources: [null, {secret: {}}]}}]',
        '      containers:',
        '        - null',
        '        - name: a',
        '          env: [null, {name: X}, {name: Y, valueFrom: {secretKeyRef: null}}, {name: Z, valueFrom: {secretKeyRef: {name: ""}}}]',
        '          envFrom: [null, {secretRef: null}, {secretRef: {name: 7}}]',
        '          volumeMounts: [null, {name: s}, {name: p}]',
      ],
      'apps/web.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: web',
        '          env:',
        '            - {name: DB_USER, value: postgres}',
        '            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: main-pg-su, key: password}}}',
        '            - {name: API_TOKEN, value: "tok-9f8e7d6c5b4a3921"}',
      ],
      'values/weird.yaml': ['externalDatabase: {existingSecret: [1, 2], user: {}}', 'database: null', 'db: {username: postgres, existingSecret: ""}'],
    });
    const ours = result.findings.filter((f) => OURS.has(f.ruleId));
    expect(ours.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(['superuser-secret-in-app apps/web.yaml:11']);
    const text = JSON.stringify(ours);
    expect(text).not.toContain('tok-9f8e7d6c5b4a3921');
    expect(ours[0]!.message).toContain('main-pg-su');
    expect(ours[0]!.message).toContain('spec.superuserSecret');
  });

  it('reports each extra app once, naming the app that keeps the Secret', async () => {
    const deployment = (name: string) => [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: {name: ${name}, namespace: shop}`,
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: ${name}`,
      '          envFrom: [{secretRef: {name: orders-db-credentials}}]',
      '          env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: orders-db-credentials, key: password}}}]',
    ];
    const result = await scanTree({
      'db/cluster.yaml': [
        'apiVersion: postgresql.cnpg.io/v1',
        'kind: Cluster',
        'metadata: {name: shop-pg, namespace: shop}',
        'spec:',
        '  managed:',
        '    roles: [{name: orders, login: true, passwordSecret: {name: orders-db-credentials}}]',
      ],
      'apps/orders/deployment.yaml': deployment('orders'),
      'apps/reporting/deployment.yaml': deployment('reporting'),
    });
    const ours = result.findings.filter((f) => f.ruleId === 'shared-db-auth-secret-consumer');
    expect(ours.map((f) => `${f.file}:${f.line}`)).toEqual(['apps/reporting/deployment.yaml:9']);
    expect(ours[0]!.message).toContain('Deployment orders (apps/orders/deployment.yaml)');
    expect(ours[0]!.message).toContain('managed role orders');
    expect(ours[0]!.severity).toBe('medium');
  });
});
