import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/load.js';
import { EnvironmentResolver, namedEnvironment } from '../src/scan/environment.js';

describe('environment from path', () => {
  const resolver = new EnvironmentResolver();
  const cases: [string, string | undefined, boolean?, boolean?][] = [
    ['values/env/production/apps/orders.yaml', 'production', true, false],
    ['sources/values/env/prod/orders.yaml', 'production', true],
    ['environments/staging/workloads/jobs.yaml', 'staging', true],
    ['deploy/overlays/stg/kustomization.yaml', 'staging', true],
    ['values/_shared/apps/web.yaml', 'shared', true],
    ['values/env/dev/apps/orders.yaml', 'dev', false, true],
    ['environments/local/x.yaml', 'local', false, true],
    ['k8s/production/secret.yaml', 'production', true],
    ['charts/orders/values-production.yaml', 'production', true],
    ['charts/orders/prod.values.yaml', 'production', true],
    ['environments/eu-west-1/values.yaml', 'eu-west-1', false, false],
    ['charts/orders/values.yaml', undefined],
    ['charts/orders/templates/secret.yaml', undefined],
    ['manifests/common-labels.yaml', undefined],
    ['src/shared/util.ts', undefined],
    // compound names: a region or cluster suffix keeps the class
    ['environments/prod-eu/values.yaml', 'prod-eu', true, false],
    ['overlays/dev_local/kustomization.yaml', 'dev_local', false, true],
    ['clusters/production-west/apps/x.yaml', 'production-west', true],
    ['gitops/prd-weu/app.yaml', 'prd-weu', true],
    ['tools/dev-tools/seed.sh', undefined],
    ['charts/kind-of-magic/values.yaml', undefined],
    // per-environment files named after the environment
    ['helmfile/values/prod.yaml', 'production', true],
    ['config/staging.yml', 'staging', true],
    ['kustomize/base.yaml', undefined],
    ['clusters/kind.yaml', undefined],
    ['values/common.yaml', undefined],
    // dotenv files per environment (Next.js, Vite, dotenv-flow naming); `.env` itself and a shared `.env.common` name none
    ['services/web/.env.production', 'production', true],
    ['services/web/.env.staging.local', 'staging', true],
    ['services/web/.env.development', 'dev', false, true],
    ['services/web/.env.local', 'local', false, true],
    ['deploy/prod.env', 'production', true],
    ['services/web/.env', undefined],
    ['services/web/.env.common', undefined],
    ['services/web/.env.example', undefined],
    // Terraform variable files per environment; terraform.tfvars and a shared common.tfvars name none
    ['infra/prod.tfvars', 'production', true],
    ['infra/staging.auto.tfvars', 'staging', true],
    ['infra/terraform.prod.tfvars', 'production', true],
    ['infra/env-dev.tfvars', 'dev', false, true],
    ['infra/terraform.tfvars', undefined],
    ['infra/common.tfvars', undefined],
    // GitOps layouts: Flux clusters/<cluster>/, numbered instances, env-<name> folders
    ['clusters/eks-prod-1/apps/billing/helmrelease.yaml', 'eks-prod-1', true],
    ['clusters/aks-staging-weu/infrastructure/ingress.yaml', 'aks-staging-weu', true],
    ['clusters/homelab/flux-system/gotk-sync.yaml', 'homelab', false, false],
    // a chart named cluster: its templates/ folder is no cluster
    ['charts/cluster/templates/backup-secret.yaml', undefined],
    ['deploy/cluster/base/kustomization.yaml', undefined],
    ['charts/cluster/examples/recovery-backup.yaml', undefined],
    ['charts/cluster/monitoring/podmonitor.yaml', undefined],
    ['deploy/cluster/prod/values.yaml', 'production', true],
    ['deploy/cluster/staging-eu/values.yaml', 'staging-eu', true],
    ['apps/staging/podinfo-values.yaml', 'staging', true],
    ['infrastructure/production/configs/cluster-issuers.yaml', 'production', true],
    ['deploy/k8s/prod2/deployment.yaml', 'production', true],
    ['environments/stg-3/values.yaml', 'staging', true],
    ['gitops/env-prod/app.yaml', 'env-prod', true],
    ['.gitops/deploy/env_dev/app.yaml', 'env_dev', false, true],
    ['helm/orders/values-uat.yaml', 'staging', true],
    ['src/k8s/client.ts', undefined],
    ['charts/redis/templates/statefulset.yaml', undefined],
    // what an environment is not: non-prod, not-prod; pre-production is staging
    ['overlays/non-prod/values.yaml', 'non-prod', false, false],
    ['variants/non-prod/non-prod.yml', undefined],
    ['deploy/not-prod.yaml', undefined],
    ['envs/no-prod-eu/values.yaml', 'no-prod-eu', false, false],
    ['environments/pre-production/values.yaml', 'pre-production', true],
    ['config/app.pre-production.yaml', 'staging', true],
    ['helm/orders/values-non-prod.yaml', undefined],
    // layouts seen in other repos: deploy/<env>/, clusters/<env>/, k8s/overlays/<env>/
    ['deploy/prod/values.yaml', 'production', true],
    ['deploy/staging/kustomization.yaml', 'staging', true],
    ['clusters/production/apps/redis/helmrelease.yaml', 'production', true],
    ['k8s/overlays/prod/secrets.env', 'production', true],
    ['k8s/overlays/dev/patch.yaml', 'dev', false, true],
    // environment-suffixed file names
    ['src/main/resources/application-prod.yml', 'production', true],
    ['helm/orders/values-prod-eu.yaml', 'production', true],
    ['config/secrets.staging.yaml', 'staging', true],
    ['charts/api/values.dev.yaml', 'dev', false, true],
    ['ci/pipeline-stage.yaml', undefined],
    ['k8s/readiness-live.yaml', undefined],
    ['manifests/cert-manager-base.yaml', undefined],
  ];
  for (const [path, name, managed, local] of cases) {
    it(`${path} -> ${name ?? '(none)'}`, () => {
      const env = resolver.resolve(path);
      expect(env?.name).toBe(name);
      if (managed !== undefined) expect(env?.managed).toBe(managed);
      if (local !== undefined) expect(env?.local).toBe(local);
    });
  }

  it('takes no environment from a test file\'s dotenv name (testdata/.env.prod is a fixture)', () => {
    expect(resolver.resolve('internal/ingest/testdata/.env.prod', true)).toBeUndefined();
    expect(resolver.resolve('internal/ingest/testdata/.env.prod')?.name).toBe('production');
    expect(resolver.resolve('environments/prod/tests/.env.local', true)?.name).toBe('production');
    expect(resolver.resolve('modules/db/test/prod.tfvars', true)).toBeUndefined();
  });

  it('answers the same for files in any order: folder by folder, interleaved, a file name after a folder', () => {
    // One resolver asked in turn (it remembers the last folder) against a new resolver per file.
    const paths = cases.map(([path]) => path);
    const interleaved = ['charts/orders/values-production.yaml', 'charts/orders/values.yaml', 'env/prod/a.yaml', 'charts/orders/values.dev.yaml', 'env/prod/', 'env/prod', '', '/', 'env//prod/x.yaml'];
    for (const order of [paths, [...paths].reverse(), interleaved, [...interleaved].reverse()]) {
      const shared = new EnvironmentResolver();
      expect(order.map((path) => shared.resolve(path))).toEqual(order.map((path) => new EnvironmentResolver().resolve(path)));
    }
    const shared = new EnvironmentResolver();
    expect(['charts/orders/values-production.yaml', 'charts/orders/values.yaml', 'charts/orders/values.dev.yaml'].map((p) => shared.resolve(p)?.name)).toEqual(['production', undefined, 'dev']);
    expect(['env/prod/', 'env/prod', 'env/prod/x.yaml'].map((p) => shared.resolve(p)?.name)).toEqual([undefined, undefined, 'production']);
  });

  it('lets config name environments and their management', () => {
    const configured = new EnvironmentResolver(resolveConfig({ environments: { 'eu-prod': { paths: ['clusters/eu-prod-1/**'], managed: true } } }));
    expect(configured.resolve('clusters/eu-prod-1/apps/x.yaml')).toEqual({ name: 'eu-prod', managed: true, local: false });
    expect(configured.resolve('values/env/dev/x.yaml')?.name).toBe('dev');
  });
});

describe('environment from a name', () => {
  it('classifies helmfile environment keys like folder names', () => {
    expect(namedEnvironment('prod')).toEqual({ name: 'production', managed: true, local: false });
    expect(namedEnvironment('staging-eu')).toEqual({ name: 'staging-eu', managed: true, local: false });
    expect(namedEnvironment('local')).toEqual({ name: 'local', managed: false, local: true });
    expect(namedEnvironment('qa')).toEqual({ name: 'qa', managed: false, local: false });
    expect(namedEnvironment('default')).toEqual({ name: 'default', managed: false, local: false });
  });
  it('lets config decide a named environment', () => {
    const config = resolveConfig({ environments: { qa: { paths: ['qa/**'], managed: true } } });
    expect(namedEnvironment('qa', config)).toEqual({ name: 'qa', managed: true, local: false });
  });
});
