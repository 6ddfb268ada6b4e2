import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedFile } from '../src/analyzers/types.js';
import { yamlAnalyzer } from '../src/analyzers/yaml.js';
import { resolveConfig } from '../src/config/load.js';
import { fileContextFactory } from '../src/scan/analyze.js';
import { deploymentGraph } from '../src/scan/deployment-graph.js';
import { Project } from '../src/scan/project.js';
import { kustomizeGenerators } from '../src/rules/k8s/kustomize.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

/** A project of YAML files parsed from memory (path -> text), as the scan would claim them. */
async function projectOf(files: Record<string, string>): Promise<Project> {
  const config = resolveConfig({});
  const contextOf = fileContextFactory(config);
  const parsed: ParsedFile[] = [];
  for (const [p, text] of Object.entries(files)) {
    const file = contextOf(p);
    if (!yamlAnalyzer.claims(file)) continue;
    const model = await yamlAnalyzer.parse(text, file, { config, diagnostic: () => undefined });
    if (model) parsed.push({ file, analyzer: 'yaml', model });
  }
  return new Project(parsed, config);
}

const secret = (name: string, namespace?: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}stringData:\n  password: not-real-pw-${name}\n`;

describe('kustomization file names', () => {
  it('claims a file named Kustomization (YAML without extension) as YAML, a manifest even inside an environment folder', async () => {
    const config = resolveConfig({});
    const contextOf = fileContextFactory(config);
    expect(yamlAnalyzer.claims(contextOf('deploy/overlays/prod/Kustomization'))).toBe(true);
    expect(yamlAnalyzer.claims(contextOf('deploy/overlays/prod/kustomization.yml'))).toBe(true);
    // Only kustomize's exact extensionless name: other extensionless files stay unclaimed.
    expect(yamlAnalyzer.claims(contextOf('deploy/overlays/prod/kustomization'))).toBe(false);
    expect(yamlAnalyzer.claims(contextOf('deploy/Makefile'))).toBe(false);
    const file = contextOf('deploy/overlays/production/Kustomization');
    const model = await yamlAnalyzer.parse('namespace: shop\nresources:\n  - ../../base\n', file, { config, diagnostic: () => undefined });
    expect(model.role).toBe('manifest');
  });

  it('follows resources/components of kustomization.yaml, kustomization.yml and Kustomization alike', async () => {
    const project = await projectOf({
      'k/overlays/prod/Kustomization': 'resources:\n  - ../../base\n',
      'k/overlays/stage/kustomization.yml': 'resources:\n  - ../../base\n',
      'k/base/kustomization.yaml': 'resources: [s.yaml]\ncomponents: [../comp]\n',
      'k/base/s.yaml': secret('a'),
      'k/comp/Kustomization': 'kind: Component\nresources: [c.yaml]\n',
      'k/comp/c.yaml': secret('c'),
    });
    const graph = deploymentGraph(project);
    expect(graph.edges('k/overlays/prod/Kustomization')).toEqual(['k/base/kustomization.yaml']);
    expect(graph.edges('k/overlays/stage/kustomization.yml')).toEqual(['k/base/kustomization.yaml']);
    expect(graph.edges('k/base/kustomization.yaml')).toEqual(['k/base/s.yaml', 'k/comp/Kustomization']);
    expect(graph.edges('k/comp/Kustomization')).toEqual(['k/comp/c.yaml']);
    expect(graph.inherited('k/comp/c.yaml')?.environments.map((e) => e.name)).toEqual(['production', 'staging']);
  });
});

describe('kustomize namespace', () => {
  it('applies the outermost namespace on the path from each overlay; several overlays: the most managed one first', async () => {
    const project = await projectOf({
      'deploy/overlays/dev/kustomization.yaml': 'namespace: shop-dev\nresources: [../../base]\n',
      'deploy/overlays/production/Kustomization': 'namespace: shop\nresources: [../../base]\n',
      'deploy/overlays/staging/kustomization.yml': 'resources: [../../base]\n',
      'deploy/base/kustomization.yaml': 'namespace: shop-base\nresources: [secret.yaml]\ncomponents: [../components/cache]\n',
      'deploy/base/secret.yaml': secret('orders-db'),
      'deploy/components/cache/kustomization.yaml': 'kind: Component\nresources: [redis.yaml]\n',
      'deploy/components/cache/redis.yaml': secret('redis-auth', 'cache'),
      'deploy/lonely/secret.yaml': secret('lonely'),
    });
    const graph = deploymentGraph(project);
    // production (shop) first, then dev (shop-dev), then staging, which sets none, renders in the base's shop-base.
    expect(graph.namespaces('deploy/base/secret.yaml')).toEqual(['shop', 'shop-base', 'shop-dev']);
    expect(graph.namespace('deploy/base/secret.yaml')).toBe('shop');
    expect(graph.namespaces('deploy/components/cache/redis.yaml')).toEqual(['shop', 'shop-base', 'shop-dev']);
    expect(graph.namespace('deploy/overlays/dev/kustomization.yaml')).toBe('shop-dev');
    expect(graph.namespace('deploy/overlays/staging/kustomization.yml')).toBeUndefined();
    expect(graph.namespace('deploy/lonely/secret.yaml')).toBeUndefined();
    const byName = Object.fromEntries(project.resources.map((r) => [r.name, [r.namespace, r.declaredNamespace, r.id]]));
    expect(byName).toEqual({
      'orders-db': ['shop', undefined, 'Secret/orders-db'],
      // kustomize's namespace overrides metadata.namespace; the logical id keeps what the file says.
      'redis-auth': ['shop', 'cache', 'Secret/cache/redis-auth'],
      lonely: [undefined, undefined, 'Secret/lonely'],
    });
  });

  it('picks by name among overlays of the same rank, and leaves cluster-scoped and values-embedded objects alone', async () => {
    const project = await projectOf({
      'clusters/eu-west/kustomization.yaml': 'namespace: payments-eu\nresources: [../../apps/payments]\n',
      'clusters/ap-south/kustomization.yaml': 'namespace: payments-ap\nresources: [../../apps/payments]\n',
      'apps/payments/kustomization.yaml': 'resources: [secret.yaml, ns.yaml, store.yaml]\n',
      'apps/payments/secret.yaml': secret('payments-db'),
      'apps/payments/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n',
      'apps/payments/store.yaml':
        'apiVersion: external-secrets.io/v1beta1\nkind: ClusterSecretStore\nmetadata:\n  name: vault\nspec:\n  provider:\n    vault:\n      server: https://vault.example.com\n',
    });
    const graph = deploymentGraph(project);
    expect(graph.namespaces('apps/payments/secret.yaml')).toEqual(['payments-ap', 'payments-eu']);
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, r.namespace]));
    expect(byName).toEqual({ 'Secret/payments-db': 'payments-ap', 'Namespace/payments': undefined, 'ClusterSecretStore/vault': undefined });
  });

  it('applies a Flux Kustomization targetNamespace over the kustomizations it deploys, and none without one', async () => {
    const project = await projectOf({
      'clusters/production/apps.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps/crm\n  targetNamespace: crm-prod\n' +
        '---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tools\n  namespace: flux-system\nspec:\n  path: ./apps/tools\n',
      'apps/crm/kustomization.yaml': 'namespace: crm\nresources: [secret.yaml]\n',
      'apps/crm/secret.yaml': secret('crm-db'),
      'apps/tools/kustomization.yaml': 'namespace: tools\nresources: [secret.yaml]\n',
      'apps/tools/secret.yaml': secret('tools-db'),
    });
    const graph = deploymentGraph(project);
    expect(graph.namespaces('apps/crm/secret.yaml')).toEqual(['crm-prod']);
    expect(graph.namespaces('apps/tools/secret.yaml')).toEqual(['tools']);
    expect(graph.namespace('clusters/production/apps.yaml')).toBeUndefined();
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, r.namespace]));
    expect(byName).toMatchObject({ 'Secret/crm-db': 'crm-prod', 'Secret/tools-db': 'tools', 'Kustomization/apps': 'flux-system' });
  });

  it('ignores templated namespaces, ends on cycles, and gives generators the namespace of their kustomization', async () => {
    const project = await projectOf({
      'a/kustomization.yaml': 'namespace: ${TARGET_NS}\nresources: [../b]\nsecretGenerator:\n  - name: gen-a\n    literals: [password=not-real-a1]\n',
      'b/kustomization.yaml': 'resources: [../a, s.yaml]\n',
      'b/s.yaml': secret('b'),
      'c/Kustomization':
        'namespace: team-c\nsecretGenerator:\n  - name: gen-c\n    namespace: own-ns\n    literals: [password=not-real-c1]\n  - name: gen-d\n    literals: [password=not-real-d1]\n',
    });
    const graph = deploymentGraph(project);
    expect(graph.namespace('b/s.yaml')).toBeUndefined();
    const generators = kustomizeGenerators(project, 'secretGenerator').map((g) => [g.name, g.namespace, g.renderedNamespace]);
    expect(generators).toEqual([
      ['gen-a', undefined, undefined],
      ['gen-c', 'own-ns', 'team-c'],
      ['gen-d', undefined, 'team-c'],
    ]);
  });
});

describe('kustomize namespace in a scan', () => {
  it('reports and inventories Secrets in the namespace their overlay gives them (production overlay first)', async () => {
    const result = await scanFixture(path.join(RULE_FIXTURES, 'inline-secret-manifest', 'ng.kustomize-base-included-by-overlays'));
    const findings = result.findings.filter((f) => f.ruleId === 'inline-secret-manifest').map((f) => [f.file, f.resource?.name, f.resource?.namespace]);
    expect(findings).toEqual([
      ['k8s/base/kustomization.yaml', 'ledger-api', 'ledger'],
      ['k8s/base/secret.yaml', 'ledger-db', 'ledger'],
      ['k8s/components/broker/broker-secret.yaml', 'ledger-broker', 'ledger'],
      ['k8s/dev-tools/mailhog-secret.yaml', 'mailhog-auth', 'ledger-dev'],
    ]);
    const inventory = result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.file, e.name, e.namespace]);
    expect(inventory).toEqual([
      ['k8s/base/kustomization.yaml', 'ledger-api', 'ledger'],
      ['k8s/base/secret.yaml', 'ledger-db', 'ledger'],
      ['k8s/components/broker/broker-secret.yaml', 'ledger-broker', 'ledger'],
      ['k8s/dev-tools/mailhog-secret.yaml', 'mailhog-auth', 'ledger-dev'],
    ]);
  });

  it('treats Kustomization and kustomization.yml like kustomization.yaml, and keeps fingerprints when namespaces change', async () => {
    const dir = path.join(RULE_FIXTURES, 'inline-secret-manifest', 'ng.kustomize-extensionless-names-and-overlay-namespaces');
    const result = await scanFixture(dir);
    const findings = result.findings.filter((f) => f.ruleId === 'inline-secret-manifest');
    expect(findings.map((f) => [f.file, f.resource?.name, f.resource?.namespace, f.environment])).toEqual([
      ['apps/billing/base/Kustomization', 'billing-smtp', 'billing', 'production'],
      ['apps/billing/base/api-secret.yaml', 'billing-api', 'billing', 'production'],
      ['apps/billing/components/queue/rabbitmq-secret.yaml', 'billing-rabbitmq', 'billing', 'production'],
      ['apps/billing/overlays/production/Kustomization', 'billing-prod-extra', 'billing', 'production'],
    ]);
    const inventory = result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.file, e.name, e.namespace, e.environments.join(',')]);
    expect(inventory).toEqual([
      ['apps/billing/base/Kustomization', 'billing-smtp', 'billing', 'production,staging'],
      ['apps/billing/base/api-secret.yaml', 'billing-api', 'billing', 'production,staging'],
      ['apps/billing/components/queue/rabbitmq-secret.yaml', 'billing-rabbitmq', 'billing', 'production,staging'],
      ['apps/billing/overlays/production/Kustomization', 'billing-prod-extra', 'billing', 'production'],
    ]);
    // The same tree with every kustomization `namespace:` removed: other namespaces, the same fingerprints.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'footprint-kns-'));
    try {
      cpSync(dir, tmp, { recursive: true });
      const strip = (d: string): void => {
        for (const name of readdirSync(d)) {
          const p = path.join(d, name);
          if (statSync(p).isDirectory()) strip(p);
          else if (/^(kustomization\.ya?ml|Kustomization)$/.test(name)) writeFileSync(p, readFileSync(p, 'utf8').replace(/^namespace: .*\n/m, ''));
        }
      };
      strip(tmp);
      const bare = (await scanFixture(tmp)).findings.filter((f) => f.ruleId === 'inline-secret-manifest');
      expect(bare.map((f) => f.resource?.namespace)).toEqual([undefined, 'legacy-billing', undefined, undefined]);
      expect(bare.map((f) => f.fingerprint)).toEqual(findings.map((f) => f.fingerprint));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
