import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { scanDetailed } from '../src/scan/run.js';
import { resolveConfig } from '../src/config/load.js';
import { isRegistryTokenName, namesBuilder, registryNameOptions } from '../src/rules/k8s/registry-tokens.js';
import { scanFixture } from './helpers/run-fixture.js';
import { tempDirs, writeTree } from './helpers/temp.js';

const RULE = 'registry-token-in-runtime-config';
const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures/rules', RULE, name);
const tempDir = tempDirs('footprint-registry-token-');

function scanTree(files: Record<string, string>) {
  return scan({ root: writeTree(tempDir(), files), useGit: false });
}

const deployment = (name: string, image: string, env: string) =>
  ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${name}`, 'spec:', '  template:', '    spec:', '      containers:', `        - name: ${name}`, `          image: ${image}`, '          env:', env, ''].join('\n');

describe('registry tokens in runtime config', () => {
  it('reports a literal token in a runtime pod or an app env map once, as this rule, without its value', async () => {
    const result = await scanFixture(fixture('ng.runtime-app-pods'));
    for (const at of ['k8s/web/deployment.yaml:23', 'charts/www/values.yaml:13']) {
      expect(result.findings.filter((f) => `${f.file}:${f.line}` === at).map((f) => f.ruleId)).toEqual([RULE]);
    }
    const text = JSON.stringify(result);
    expect(text).not.toContain('ghp_q7Lk2VbX9mN4pR8sT1wZ6yC3dF5gH0jK2aE7');
    expect(text).not.toContain('npm_Zr4Xc8Vb1Nm6Qw2Ep9Tk5Ly3Hs7Dg0Fa1Jq');
  });

  it('leaves a literal token in a builder pod to workload-env-literal-credential', async () => {
    const result = await scanTree({
      'k8s/buildkitd.yaml': deployment('buildkitd', 'moby/buildkit:v0.16.0', '            - name: NPM_TOKEN\n              value: npm_Zr4Xc8Vb1Nm6Qw2Ep9Tk5Ly3Hs7Dg0Fa1Jq'),
    });
    expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(['workload-env-literal-credential k8s/buildkitd.yaml:13']);
  });

  it('hands literal tokens back to the literal rules when this rule is switched off', async () => {
    const root = writeTree(tempDir(), { 'k8s/web.yaml': deployment('web', 'ghcr.io/acme/web:1.4.0', '            - name: NPM_TOKEN\n              value: npm_Zr4Xc8Vb1Nm6Qw2Ep9Tk5Ly3Hs7Dg0Fa1Jq') });
    const on = await scan({ root, useGit: false, cache: false });
    expect(on.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([`${RULE} k8s/web.yaml:13`]);
    const off = await scan({ root, useGit: false, cache: false, config: resolveConfig({ rules: { [RULE]: 'off' } }) });
    expect(off.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(['workload-env-literal-credential k8s/web.yaml:13']);
  });

  it('names registry and package tokens, not forge API tokens or other registries', () => {
    const options = registryNameOptions(resolveConfig({}));
    for (const name of ['NPM_TOKEN', 'NODE_AUTH_TOKEN', 'PKG_GITHUB_COM_TOKEN', 'GHCR_TOKEN', 'CR_PAT', 'DOCKER_PASSWORD', 'REGISTRY_PASSWORD', 'PYPI_TOKEN', 'ARTIFACTORY_API_KEY', 'NUGET_API_KEY', 'POETRY_PYPI_TOKEN_INTERNAL', 'npm_config__authToken']) {
      expect(isRegistryTokenName(name, options), name).toBe(true);
    }
    for (const name of ['GITHUB_TOKEN', 'GITLAB_TOKEN', 'SCHEMA_REGISTRY_PASSWORD', 'NPM_CONFIG_REGISTRY', 'DOCKER_HOST', 'DB_PASSWORD', 'REGISTRY_URL', 'NEXT_PUBLIC_NPM_TOKEN']) {
      expect(isRegistryTokenName(name, options), name).toBe(false);
    }
  });

  it('does not take the registry host of an app image for a registry', async () => {
    const result = await scanTree({
      'k8s/web.yaml': deployment('web', 'registry.gitlab.com/acme/web:1.0', '            - name: NPM_TOKEN\n              valueFrom:\n                secretKeyRef: {name: npm, key: token}'),
    });
    expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([`${RULE} k8s/web.yaml:12`]);
  });

  it('tells builders, runners, registries and bots by name', () => {
    for (const name of ['moby/buildkit', 'kaniko-project/executor', 'actions/actions-runner', 'renovatebot/renovate', 'goharbor/harbor-core', 'argoprojlabs/argocd-image-updater']) {
      expect(namesBuilder(name), name).toBe(true);
    }
    for (const name of ['acme/web', 'bitnami/postgresql', 'checkout-api']) expect(namesBuilder(name), name).toBe(false);
  });
});

describe('registry tokens fetched by an ExternalSecret', () => {
  it('reports the ExternalSecret when the tree is judged in chunks, the reader in one chunk and the ExternalSecret in the context', async () => {
    const root = tempDir();
    const files: Record<string, string> = {
      'platform/secrets/web-env.yaml': [
        'apiVersion: external-secrets.io/v1',
        'kind: ExternalSecret',
        'metadata: {name: web-env}',
        'spec:',
        '  secretStoreRef: {kind: ClusterSecretStore, name: vault-backend}',
        '  target: {name: web-env}',
        '  data:',
        '    - secretKey: NPM_TOKEN',
        '      remoteRef: {key: npm, property: token}',
        '',
      ].join('\n'),
      'apps/web/deployment.yaml': deployment('web', 'acme/web:1', '            - name: TOKEN\n              valueFrom:\n                secretKeyRef: {name: web-env, key: NPM_TOKEN}'),
    };
    for (let i = 0; i < 6; i++) files[`apps/other-${i}/deployment.yaml`] = deployment(`other-${i}`, 'acme/other:1', '            - name: LOG_LEVEL\n              value: info');
    writeTree(root, files);
    const chunked = await scanDetailed({ root, useGit: false, chunkFiles: 1, cache: false });
    expect(chunked.timings.chunks?.count ?? 0).toBeGreaterThan(1);
    const found = chunked.result.findings.filter((f) => f.ruleId === RULE).map((f) => `${f.file}:${f.line}`);
    expect(found).toEqual(['apps/web/deployment.yaml:12', 'platform/secrets/web-env.yaml:8']);
  });
});
