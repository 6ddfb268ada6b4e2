import { describe, expect, it } from 'vitest';
import type { ParsedFile } from '../src/analyzers/types.js';
import { yamlAnalyzer } from '../src/analyzers/yaml.js';
import { resolveConfig } from '../src/config/load.js';
import { fileContextFactory } from '../src/scan/analyze.js';
import { deploymentGraph, inheritedNote } from '../src/scan/deployment-graph.js';
import { Project } from '../src/scan/project.js';

/** A project of YAML files parsed from memory (path -> text), with the default config or the given one. */
async function projectOf(files: Record<string, string>, user: unknown = {}): Promise<Project> {
  const config = resolveConfig(user);
  const contextOf = fileContextFactory(config);
  const parsed: ParsedFile[] = [];
  for (const [path, text] of Object.entries(files)) {
    const file = contextOf(path);
    const model = await yamlAnalyzer.parse(text, file, { config, diagnostic: () => undefined });
    if (model) parsed.push({ file, analyzer: 'yaml', model });
  }
  return new Project(parsed, config);
}

async function inheritedOf(files: Record<string, string>, user?: unknown): Promise<Record<string, string[]>> {
  const graph = deploymentGraph(await projectOf(files, user));
  const out: Record<string, string[]> = {};
  for (const path of Object.keys(files).sort()) {
    const inherited = graph.inherited(path);
    if (inherited) out[path] = inherited.environments.map((e) => e.name);
  }
  return out;
}

const SECRET = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  password: changeme-not-real\n';

describe('deployment graph: kustomize', () => {
  it('gives a base and the component it uses the environments of every overlay that includes it, most managed first', async () => {
    const project = await projectOf({
      'deploy/base/kustomization.yaml': 'resources:\n  - secret.yaml\ncomponents:\n  - ../components/db\n',
      'deploy/base/secret.yaml': SECRET,
      'deploy/components/db/kustomization.yaml': 'kind: Component\nresources: [db.yaml]\n',
      'deploy/components/db/db.yaml': SECRET,
      'deploy/overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
      'deploy/overlays/prod/kustomization.yaml': 'bases:\n  - ../../base\n',
      'deploy/overlays/prod/patch.yaml': SECRET,
    });
    const graph = deploymentGraph(project);
    expect(graph.edges('deploy/overlays/prod/kustomization.yaml')).toEqual(['deploy/base/kustomization.yaml']);
    expect(graph.edges('deploy/base/kustomization.yaml')).toEqual(['deploy/base/secret.yaml', 'deploy/components/db/kustomization.yaml']);
    const base = graph.inherited('deploy/base/secret.yaml')!;
    expect(base.environments.map((e) => e.name)).toEqual(['production', 'dev']);
    expect(base.primary).toMatchObject({ name: 'production', managed: true });
    expect(base.via).toEqual([
      { environment: 'production', from: ['deploy/overlays/prod/kustomization.yaml'] },
      { environment: 'dev', from: ['deploy/overlays/dev/kustomization.yaml'] },
    ]);
    expect(inheritedNote(base)).toBe('no environment of its own; included by production (deploy/overlays/prod/kustomization.yaml); dev (deploy/overlays/dev/kustomization.yaml)');
    expect(graph.inherited('deploy/components/db/db.yaml')?.environments.map((e) => e.name)).toEqual(['production', 'dev']);
    // Files with an environment of their own keep it: nothing inherited.
    expect(graph.inherited('deploy/overlays/prod/patch.yaml')).toBeUndefined();
    expect(graph.inherited('deploy/overlays/prod/kustomization.yaml')).toBeUndefined();
  });

  it('follows patches, generator files and helmCharts values files, and ignores remote bases', async () => {
    expect(
      await inheritedOf({
        'app/base/kustomization.yaml': [
          'resources:',
          '  - github.com/acme/platform//base?ref=v1.2.0',
          '  - https://example.com/manifests/crds.yaml',
          'patches:',
          '  - path: patch-db.yaml',
          'patchesStrategicMerge:',
          '  - patch-env.yaml',
          'helmCharts:',
          '  - name: redis',
          '    repo: https://charts.example.com',
          '    valuesFile: redis-values.yaml',
          '',
        ].join('\n'),
        'app/base/patch-db.yaml': SECRET,
        'app/base/patch-env.yaml': SECRET,
        'app/base/redis-values.yaml': 'auth:\n  password: x\n',
        'app/base/unused.yaml': SECRET,
        'app/staging/kustomization.yaml': 'resources: [../base]\n',
      }),
    ).toEqual({
      'app/base/kustomization.yaml': ['staging'],
      'app/base/patch-db.yaml': ['staging'],
      'app/base/patch-env.yaml': ['staging'],
      'app/base/redis-values.yaml': ['staging'],
    });
  });

  it('ends on cycles and drops paths outside ROOT', async () => {
    const graph = deploymentGraph(
      await projectOf({
        'k/a/kustomization.yaml': 'resources: [../b, ../../../../etc, /abs/path]\n',
        'k/b/kustomization.yaml': 'resources: [../a, secret.yaml]\n',
        'k/b/secret.yaml': SECRET,
        'k/overlays/prod/kustomization.yaml': 'resources: [../../a]\n',
      }),
    );
    expect(graph.edges('k/a/kustomization.yaml')).toEqual(['k/b/kustomization.yaml']);
    expect(graph.inherited('k/b/secret.yaml')?.environments.map((e) => e.name)).toEqual(['production']);
    expect(graph.inherited('k/a/kustomization.yaml')?.environments.map((e) => e.name)).toEqual(['production']);
  });

  it('leaves a base nothing deploys without an environment', async () => {
    expect(await inheritedOf({ 'deploy/base/kustomization.yaml': 'resources: [secret.yaml]\n', 'deploy/base/secret.yaml': SECRET })).toEqual({});
  });
});

describe('deployment graph: helmfile', () => {
  it('gives environment values files their environment and release values every environment', async () => {
    expect(
      await inheritedOf({
        'helmfile.yaml': [
          'environments:',
          '  default:',
          '    values: [config/default.yaml]',
          '  prod:',
          '    values:',
          '      - config/x.yaml',
          '  dev:',
          '    values:',
          '      - config/dev-settings.yaml',
          'releases:',
          '  - name: api',
          '    chart: ./charts/api',
          '    values:',
          '      - releases/api.yaml',
          '      - releases/api-{{ .Environment.Name }}.yaml',
          '      - inline:',
          '          replicas: 2',
          '',
        ].join('\n'),
        'config/x.yaml': 'db:\n  password: x\n',
        'config/dev-settings.yaml': 'db:\n  password: x\n',
        'config/default.yaml': 'db:\n  password: x\n',
        'releases/api.yaml': 'db:\n  password: x\n',
        'releases/api-prod.yaml': 'db:\n  password: x\n',
        'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
        'charts/api/templates/secret.yaml': SECRET,
      }),
    ).toEqual({
      'charts/api/Chart.yaml': ['production', 'dev'],
      'charts/api/templates/secret.yaml': ['production', 'dev'],
      'config/dev-settings.yaml': ['dev'],
      'config/x.yaml': ['production'],
      'releases/api.yaml': ['production', 'dev'],
      // releases/api-prod.yaml has its own environment (the file name says prod).
    });
  });

  it('reads files a helmfile or an Application lists as values as values files, unless they hold Kubernetes objects', async () => {
    const project = await projectOf({
      'helmfile.yaml': 'environments:\n  prod:\n    values: [config/x.yaml, config/objects.yaml]\nreleases:\n  - name: a\n    chart: ./charts/a\n',
      'config/x.yaml': 'db:\n  password: x\n',
      'config/objects.yaml': SECRET,
      'config/unlisted.yaml': 'db:\n  password: x\n',
      'charts/a/Chart.yaml': 'apiVersion: v2\nname: a\nversion: 1.0.0\n',
    });
    expect([...deploymentGraph(project).valuesFiles].sort()).toEqual(['config/objects.yaml', 'config/x.yaml']);
    expect(project.valuesFiles.map((f) => f.file.path)).toEqual(['config/x.yaml']);
  });

  it('passes a helmfile its own path environment on to its releases', async () => {
    expect(
      await inheritedOf({
        'clusters/staging/helmfile.yaml': 'releases:\n  - name: api\n    chart: ../../charts/api\n    values: [../../values/api.yaml]\n',
        'values/api.yaml': 'db:\n  password: x\n',
        'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      }),
    ).toEqual({ 'charts/api/Chart.yaml': ['staging'], 'values/api.yaml': ['staging'] });
  });

  it('gives a helmfile the environments its bases define, and passes them on to its releases and sub-helmfiles', async () => {
    expect(
      await inheritedOf({
        'helmfile.yaml': 'bases: [common.yaml]\nhelmfiles: [helmfile-db.yaml]\n',
        'common.yaml': 'environments:\n  default: {}\n  staging:\n    values: [env/stg-settings.yaml]\n  prod:\n    values: [env/prd-settings.yaml]\n',
        'helmfile-db.yaml': 'bases: [common.yaml]\nreleases:\n  - name: ledger-db\n    chart: bitnami/postgresql\n    values: [values/ledger-db.yaml]\n',
        'helmfile-cache.yaml': 'helmfiles: [helmfile-db.yaml]\n',
        'env/stg-settings.yaml': 'db:\n  password: x\n',
        'env/prd-settings.yaml': 'db:\n  password: x\n',
        'values/ledger-db.yaml': 'auth:\n  password: x\n',
      }),
    ).toEqual({
      // The base is merged into both helmfiles: it is part of what each environment deploys.
      'common.yaml': ['production', 'staging'],
      'env/prd-settings.yaml': ['production'],
      'env/stg-settings.yaml': ['staging'],
      'helmfile-db.yaml': ['production', 'staging'],
      'values/ledger-db.yaml': ['production', 'staging'],
    });
  });
});

describe('deployment graph: Argo CD and Flux', () => {
  it('gives an Application path and its value files the environment of the Application file', async () => {
    expect(
      await inheritedOf({
        'argocd/apps/prod/orders.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata: {name: orders}',
          'spec:',
          '  sources:',
          '    - repoURL: https://git.example.com/platform.git',
          '      path: charts/orders',
          '      helm:',
          '        valueFiles: [values.yaml, $cfg/config/orders/common.yaml]',
          '    - repoURL: https://git.example.com/platform.git',
          '      ref: cfg',
          '',
        ].join('\n'),
        'charts/orders/Chart.yaml': 'apiVersion: v2\nname: orders\nversion: 1.0.0\n',
        'charts/orders/values.yaml': 'db:\n  password: ""\n',
        'charts/orders/templates/secret.yaml': SECRET,
        'config/orders/common.yaml': 'db:\n  host: x\n',
        'config/billing/common.yaml': 'db:\n  host: x\n',
      }),
    ).toEqual({
      'charts/orders/Chart.yaml': ['production'],
      'charts/orders/templates/secret.yaml': ['production'],
      'charts/orders/values.yaml': ['production'],
      'config/orders/common.yaml': ['production'],
    });
  });

  it('follows app-of-apps: Applications inherit the root app environment and pass it on', async () => {
    expect(
      await inheritedOf({
        'clusters/production/root.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: root}\nspec:\n  source:\n    path: apps\n',
        'apps/payments.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: payments}\nspec:\n  source:\n    path: manifests/payments\n',
        'manifests/payments/secret.yaml': SECRET,
        'manifests/payments/nested/other.yaml': SECRET,
      }),
    ).toEqual({
      'apps/payments.yaml': ['production'],
      // Argo CD reads a plain folder without recursing unless directory.recurse is set.
      'manifests/payments/secret.yaml': ['production'],
    });
  });

  it('expands ApplicationSet list/matrix elements and git directory generators; an element env names the environment', async () => {
    expect(
      await inheritedOf({
        'gitops/appset.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: ApplicationSet',
          'metadata: {name: services}',
          'spec:',
          '  generators:',
          '    - matrix:',
          '        generators:',
          '          - list:',
          '              elements:',
          '                - environment: prod',
          '                - environment: qa',
          '          - git:',
          '              repoURL: https://git.example.com/x.git',
          '              directories:',
          '                - path: services/*',
          '  template:',
          '    metadata: {name: "{{path.basename}}-{{environment}}"}',
          '    spec:',
          '      source:',
          '        path: "{{path}}"',
          '',
        ].join('\n'),
        'services/a/kustomization.yaml': 'resources: [secret.yaml]\n',
        'services/a/secret.yaml': SECRET,
        'services/b/deploy.yaml': SECRET,
      }),
    ).toEqual({
      'services/a/kustomization.yaml': ['production', 'qa'],
      'services/a/secret.yaml': ['production', 'qa'],
      'services/b/deploy.yaml': ['production', 'qa'],
    });
  });

  it('keeps the environments of a matrix list whose other generator it cannot expand (clusters)', async () => {
    expect(
      await inheritedOf({
        'gitops/appset.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: ApplicationSet',
          'metadata: {name: api}',
          'spec:',
          '  generators:',
          '    - matrix:',
          '        generators:',
          '          - clusters: {selector: {matchLabels: {tier: workload}}}',
          '          - list:',
          '              elements:',
          '                - environment: staging',
          '                - environment: production',
          '  template:',
          '    metadata: {name: "api-{{environment}}"}',
          '    spec:',
          '      source:',
          '        path: charts/api',
          '      destination: {server: "{{server}}", namespace: api}',
          '',
        ].join('\n'),
        'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
        'charts/api/templates/secret.yaml': SECRET,
      }),
    ).toEqual({
      'charts/api/Chart.yaml': ['production', 'staging'],
      'charts/api/templates/secret.yaml': ['production', 'staging'],
    });
  });

  it('follows a Flux Kustomization path and a Flux HelmRelease chart from a GitRepository', async () => {
    expect(
      await inheritedOf({
        'clusters/prod-eu/apps.yaml': [
          'apiVersion: kustomize.toolkit.fluxcd.io/v1',
          'kind: Kustomization',
          'metadata: {name: apps}',
          'spec:',
          '  path: ./apps/payments',
          '  sourceRef: {kind: GitRepository, name: flux-system}',
          '---',
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata: {name: ledger}',
          'spec:',
          '  chart:',
          '    spec:',
          '      chart: ./charts/ledger',
          '      sourceRef: {kind: GitRepository, name: flux-system}',
          '      valuesFiles: [./charts/ledger/values-eu.yaml]',
          '',
        ].join('\n'),
        'apps/payments/kustomization.yaml': 'resources: [secret.yaml]\n',
        'apps/payments/secret.yaml': SECRET,
        'charts/ledger/Chart.yaml': 'apiVersion: v2\nname: ledger\nversion: 1.0.0\n',
        'charts/ledger/values-eu.yaml': 'a: b\n',
      }),
    ).toEqual({
      'apps/payments/kustomization.yaml': ['prod-eu'],
      'apps/payments/secret.yaml': ['prod-eu'],
      'charts/ledger/Chart.yaml': ['prod-eu'],
      'charts/ledger/values-eu.yaml': ['prod-eu'],
    });
  });

  it('takes the environment of an Application file from config when its path names none', async () => {
    expect(
      await inheritedOf(
        {
          'gitops/live-apps.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source:\n    path: web\n',
          'web/secret.yaml': SECRET,
        },
        { environments: { live: { paths: ['gitops/live-*.yaml'], managed: true } } },
      ),
    ).toEqual({ 'web/secret.yaml': ['live'] });
  });

  it('is deterministic whatever order the files come in', async () => {
    const files: Record<string, string> = {
      'd/base/kustomization.yaml': 'resources: [s.yaml]\n',
      'd/base/s.yaml': SECRET,
      'd/overlays/staging/kustomization.yaml': 'resources: [../../base]\n',
      'd/overlays/prod/kustomization.yaml': 'resources: [../../base]\n',
      'd/overlays/dev/kustomization.yaml': 'resources: [../../base]\n',
    };
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    const a = deploymentGraph(await projectOf(files)).inherited('d/base/s.yaml');
    const b = deploymentGraph(await projectOf(reversed)).inherited('d/base/s.yaml');
    expect(a).toEqual(b);
    expect(a?.environments.map((e) => e.name)).toEqual(['production', 'staging', 'dev']);
  });
});

describe('deployment graph in a scan', () => {
  it('escalates, names the environment and explains it in findings, and lists every environment in the inventory', async () => {
    const { scanFixture, RULE_FIXTURES } = await import('./helpers/run-fixture.js');
    const path = await import('node:path');
    const result = await scanFixture(path.join(RULE_FIXTURES, 'inline-secret-manifest', 'ng.kustomize-base-included-by-overlays'));
    const base = result.findings.find((f) => f.file === 'k8s/base/secret.yaml' && f.ruleId === 'inline-secret-manifest')!;
    expect(base.severity).toBe('critical');
    expect(base.environment).toBe('production');
    expect(base.message).toMatch(/\(no environment of its own; included by production \(k8s\/overlays\/production\/kustomization\.yaml\); dev \(k8s\/overlays\/dev\/kustomization\.yaml\)\)$/);
    const devOnly = result.findings.find((f) => f.file === 'k8s/dev-tools/mailhog-secret.yaml' && f.ruleId === 'inline-secret-manifest')!;
    expect([devOnly.severity, devOnly.environment]).toEqual(['medium', 'dev']);
    const inventory = Object.fromEntries(result.inventory.filter((e) => e.kind === 'Secret').map((e) => [`${e.file} ${e.name}`, e.environments]));
    expect(inventory).toEqual({
      'k8s/base/kustomization.yaml ledger-api': ['production', 'dev'],
      'k8s/base/secret.yaml ledger-db': ['production', 'dev'],
      'k8s/components/broker/broker-secret.yaml ledger-broker': ['production', 'dev'],
      'k8s/dev-tools/mailhog-secret.yaml mailhog-auth': ['dev'],
    });
    expect(result.summary.byEnvironment).toMatchObject({ production: 3, dev: 1 });
    expect(result.summary.byEnvironment['(none)']).toBeUndefined();
  });

  it('keeps a finding in a file with its own environment as it was (no note, its own environment)', async () => {
    const { scanFixture, RULE_FIXTURES } = await import('./helpers/run-fixture.js');
    const path = await import('node:path');
    const result = await scanFixture(path.join(RULE_FIXTURES, 'inline-secret-manifest', 'ng.kustomize-envs-files'));
    const prod = result.findings.find((f) => f.file === 'deploy/overlays/production/prod.env')!;
    expect(prod.environment).toBe('production');
    expect(prod.message).not.toMatch(/included by/);
  });
});

describe('deployment graph: manifests left out of their kustomization', () => {
  const FLUX_KS = (app: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${app}\nspec:\n  path: ./apps/media/${app}/app\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;
  const ARGO_APP = (path: string) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n  source:\n    repoURL: https://example.com/repo.git\n    path: ${path}\n  destination:\n    namespace: x\n`;

  it('takes a Flux app whose line the namespace kustomization comments out as not applied, and its listed sibling as applied', async () => {
    const graph = deploymentGraph(
      await projectOf({
        'apps/media/kustomization.yaml': 'resources:\n  - ./a/ks.yaml\n  # - ./b/ks.yaml\n',
        'apps/media/a/ks.yaml': FLUX_KS('a'),
        'apps/media/a/app/kustomization.yaml': 'resources: [secret.yaml]\n',
        'apps/media/a/app/secret.yaml': SECRET,
        'apps/media/b/ks.yaml': FLUX_KS('b'),
        'apps/media/b/app/kustomization.yaml': 'resources: [secret.yaml]\n',
        'apps/media/b/app/secret.yaml': SECRET,
        'apps/media/a/app/leftover.yaml': SECRET,
      }),
    );
    expect(graph.leftOut('apps/media/a/app/secret.yaml')).toBe(false);
    expect(graph.leftOut('apps/media/b/app/secret.yaml')).toBe(true);
    expect(graph.leftOut('apps/media/a/app/leftover.yaml')).toBe(true);
    expect(graph.deployedTogether('apps/media/a/app/secret.yaml', 'apps/media/b/app/secret.yaml')).toBe(false);
  });

  it('keeps an Argo CD Application a root kustomization does not list as a live entry point', async () => {
    const graph = deploymentGraph(
      await projectOf({
        'kustomization.yaml': 'resources:\n  - crds/crd.yaml\n',
        'crds/crd.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
        'argocd/apps.yaml': `${ARGO_APP('apps/one')}---\n${ARGO_APP('apps/two')}`,
        'apps/one/secret.yaml': SECRET,
        'apps/two/secret.yaml': SECRET,
      }),
    );
    expect(graph.leftOut('apps/one/secret.yaml')).toBe(false);
    expect(graph.deployedTogether('apps/one/secret.yaml', 'apps/two/secret.yaml')).toBe(true);
  });
});
