import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

describe('GitOps deployer namespace (Argo CD destination, Flux HelmRelease, kustomize helmCharts)', () => {
  const app = (name: string, path: string, namespace: string, extra = '') =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://git.example.invalid/platform.git\n    path: ${path}\n${extra}  destination:\n    server: https://kubernetes.default.svc\n    namespace: ${namespace}\n`;

  it('fills in the destination namespace for objects without one; explicit metadata.namespace and kustomize namespace win', async () => {
    const project = await projectOf({
      'argocd/apps/orders.yaml': app('orders', 'services/orders/deploy', 'orders-prod'),
      'argocd/apps/catalog.yaml': app('catalog', 'services/catalog/k8s', 'catalog-live'),
      'services/orders/deploy/secret.yaml': secret('orders-db'),
      'services/orders/deploy/legacy.yaml': secret('orders-legacy', 'legacy'),
      'services/orders/deploy/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders-prod\n',
      'services/catalog/k8s/kustomization.yaml': 'namespace: catalog\nresources: [secret.yaml]\n',
      'services/catalog/k8s/secret.yaml': secret('catalog-db'),
      'services/unused/secret.yaml': secret('unused-db'),
    });
    const graph = deploymentGraph(project);
    expect(graph.defaultNamespace('services/orders/deploy/secret.yaml')).toBe('orders-prod');
    expect(graph.defaultNamespace('argocd/apps/orders.yaml')).toBeUndefined();
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, [r.namespace, r.id]]));
    expect(byName['Secret/orders-db']).toEqual(['orders-prod', 'Secret/orders-db']);
    expect(byName['Secret/orders-legacy']).toEqual(['legacy', 'Secret/legacy/orders-legacy']);
    expect(byName['Namespace/orders-prod']).toEqual([undefined, 'Namespace/orders-prod']);
    expect(byName['Secret/catalog-db']).toEqual(['catalog', 'Secret/catalog-db']);
    expect(byName['Secret/unused-db']).toEqual([undefined, 'Secret/unused-db']);
    // The Applications themselves keep their own namespace.
    expect(byName['Application/orders']).toEqual(['argocd', 'Application/argocd/orders']);
  });

  it('app of apps: the inner Application decides for its own sources; several apps: the most managed first', async () => {
    const project = await projectOf({
      'gitops/root.yaml': app('root', 'gitops/children', 'platform'),
      'gitops/children/payments.yaml': app('payments', 'charts/payments', 'payments').replace('  namespace: argocd\n', ''),
      'gitops/prod/payments-prod.yaml': app('payments-prod', 'charts/payments', 'payments-prod').replace('server: https://kubernetes.default.svc', 'name: prod-aks'),
      'charts/payments/Chart.yaml': 'apiVersion: v2\nname: payments\nversion: 1.0.0\n',
      'charts/payments/templates/secret.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: payments-db\n  namespace: {{ .Release.Namespace }}\nstringData:\n  password: {{ .Values.password }}\n',
      'charts/payments/templates/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments-config\ndata:\n  mode: live\n',
      'charts/payments/templates/fixed.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments-fixed\n  namespace: shared\ndata:\n  mode: live\n',
    });
    const graph = deploymentGraph(project);
    // The child Application without metadata.namespace is put in the root's destination; its chart is not.
    expect(graph.defaultNamespace('gitops/children/payments.yaml')).toBe('platform');
    expect(graph.defaultNamespace('charts/payments/templates/secret.yaml')).toBe('payments-prod');
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, r.namespace]));
    expect(byName['Application/payments']).toBe('platform');
    expect(byName['Secret/payments-db']).toBe('payments-prod');
    expect(byName['ConfigMap/payments-config']).toBe('payments-prod');
    expect(byName['ConfigMap/payments-fixed']).toBe('shared');
  });

  it('an ApplicationSet puts each generated Application in its templated destination namespace', async () => {
    const appSet = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata:',
      '  name: orders',
      '  namespace: argocd',
      'spec:',
      '  generators:',
      '    - list:',
      '        elements:',
      '          - env: production',
      '            ns: orders-prod',
      '          - env: dev',
      '            ns: orders-dev',
      '  template:',
      '    metadata:',
      "      name: 'orders-{{env}}'",
      '    spec:',
      '      project: default',
      '      source:',
      '        repoURL: https://git.example.invalid/platform.git',
      "        path: 'deploy/orders/{{env}}'",
      '      destination:',
      '        server: https://kubernetes.default.svc',
      "        namespace: '{{ns}}'",
      '',
    ].join('\n');
    const project = await projectOf({
      'argocd/appsets/orders.yaml': appSet,
      'deploy/orders/production/secret.yaml': secret('orders-db'),
      'deploy/orders/dev/secret.yaml': secret('orders-db-dev'),
      'deploy/orders/staging/secret.yaml': secret('orders-db-staging'),
    });
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, [r.namespace, r.id]]));
    expect(byName['Secret/orders-db']).toEqual(['orders-prod', 'Secret/orders-db']);
    expect(byName['Secret/orders-db-dev']).toEqual(['orders-dev', 'Secret/orders-db-dev']);
    // No element generates an Application for staging: nothing deploys it.
    expect(byName['Secret/orders-db-staging']).toEqual([undefined, 'Secret/orders-db-staging']);
  });

  it('a Flux HelmRelease installs its local chart in spec.targetNamespace, else its own namespace; templated ones are ignored', async () => {
    const release = (name: string, chart: string, ns: string, target?: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  releaseName: ${name}-rel\n${target ? `  targetNamespace: ${target}\n` : ''}  chart:\n    spec:\n      chart: ${chart}\n      sourceRef:\n        kind: GitRepository\n        name: platform\n`;
    const project = await projectOf({
      'clusters/prod/ledger.yaml': release('ledger', './charts/ledger', 'flux-system', 'ledger'),
      'clusters/prod/search.yaml': release('search', './charts/search', 'search'),
      'clusters/prod/mail.yaml': release('mail', './charts/mail', 'flux-system', '${MAIL_NS}'),
      'charts/ledger/Chart.yaml': 'apiVersion: v2\nname: ledger\nversion: 1.0.0\n',
      'charts/ledger/templates/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ledger-db\n  namespace: {{ include "common.names.namespace" . | quote }}\n',
      'charts/search/Chart.yaml': 'apiVersion: v2\nname: search\nversion: 1.0.0\n',
      'charts/search/templates/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: search-key\n',
      'charts/mail/Chart.yaml': 'apiVersion: v2\nname: mail\nversion: 1.0.0\n',
      'charts/mail/templates/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: mail-smtp\n',
    });
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, [r.namespace, r.id]]));
    expect(byName['Secret/ledger-db']?.[0]).toBe('ledger');
    expect(byName['Secret/search-key']).toEqual(['search', 'Secret/search-key']);
    expect(byName['Secret/mail-smtp']).toEqual([undefined, 'Secret/mail-smtp']);
  });

  it('kustomize helmCharts[].namespace is the release namespace of a local chart: only .Release.Namespace takes it', async () => {
    const project = await projectOf({
      'deploy/kustomization.yaml': 'helmCharts:\n  - name: keycloak\n    releaseName: kc\n    namespace: identity\n',
      'deploy/charts/keycloak/Chart.yaml': 'apiVersion: v2\nname: keycloak\nversion: 1.0.0\n',
      'deploy/charts/keycloak/templates/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: kc-admin\n  namespace: {{ .Release.Namespace | quote }}\n',
      'deploy/charts/keycloak/templates/plain.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: kc-plain\n',
    });
    const byName = Object.fromEntries(project.resources.map((r) => [`${r.kind}/${r.name}`, r.namespace]));
    expect(byName['Secret/kc-admin']).toBe('identity');
    expect(byName['Secret/kc-plain']).toBeUndefined();
  });
});

describe('Argo CD destination namespace in a scan', () => {
  it('reports and inventories a Secret in its Application destination namespace, with the fingerprint of the bare tree', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'footprint-argons-'));
    const write = (p: string, text: string) => {
      mkdirSync(path.dirname(path.join(tmp, p)), { recursive: true });
      writeFileSync(path.join(tmp, p), text);
    };
    try {
      write('apps/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: crm-db\nstringData:\n  password: n0t-a-real-pw-1234\n');
      const bare = (await scanFixture(tmp)).findings.filter((f) => f.ruleId === 'inline-secret-manifest');
      expect(bare.map((f) => f.resource?.namespace)).toEqual([undefined]);
      write(
        'argocd/crm.yaml',
        'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: crm\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://git.example.invalid/p.git\n    path: apps\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: crm\n',
      );
      const result = await scanFixture(tmp);
      const findings = result.findings.filter((f) => f.ruleId === 'inline-secret-manifest');
      expect(findings.map((f) => [f.file, f.resource?.name, f.resource?.namespace])).toEqual([['apps/secret.yaml', 'crm-db', 'crm']]);
      expect(findings.map((f) => f.fingerprint)).toEqual(bare.map((f) => f.fingerprint));
      expect(result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.name, e.namespace])).toEqual([['crm-db', 'crm']]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
