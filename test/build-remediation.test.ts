import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

describe('build remediation snippets', () => {
  it('rewrite the Dockerfile to a secret mount and each invocation to pass the secret, with the real names', async () => {
    const result = await scanFixture(path.join(RULE_FIXTURES, 'build-arg-token-passthrough', 'ng.tilt-and-workflow'));
    const argEnv = result.findings.find((f) => f.ruleId === 'dockerfile-token-arg-env')!;
    const snippet = argEnv.remediation.replacement!.snippet;
    expect(argEnv.remediation.replacement!.language).toBe('dockerfile');
    expect(snippet).toContain('# removed: ARG PKG_GITHUB_COM_TOKEN');
    expect(snippet).toContain('RUN --mount=type=secret,id=pkg_github_com_token,env=PKG_GITHUB_COM_TOKEN,required=true \\\n    pnpm install');
    expect(snippet).toContain('#       secrets: |\n#         pkg_github_com_token=${{ secrets.PKG_GITHUB_COM_TOKEN }}');
    expect(snippet).toContain("#       'acme/www',\n#       'docker buildx build --secret id=pkg_github_com_token,env=PKG_GITHUB_COM_TOKEN -t $EXPECTED_REF -f services/www/Dockerfile.dev .'");
    const tilt = result.findings.find((f) => f.ruleId === 'build-arg-token-passthrough' && f.file === 'Tiltfile')!;
    expect(tilt.message).not.toMatch(/ghp_|secret value/);
    expect(tilt.remediation.replacement!.snippet).toContain('custom_build(');
  });

  it('write the change in the form of each CI system: kaniko -> BuildKit, Jenkins sh/docker.build, Azure Docker@2, Cloud Build, skaffold, bake', async () => {
    const gitlab = await scanFixture(path.join(RULE_FIXTURES, 'build-arg-token-passthrough', 'ng.gitlab-kaniko-jenkins'));
    // The invocation's change follows the Dockerfile rewrite as comment lines (`#   …`): read it uncommented.
    const snippetAt = (r: typeof gitlab, file: string, line: number) => r.findings.find((f) => f.ruleId === 'build-arg-token-passthrough' && f.file === file && f.line === line)!.remediation.replacement!.snippet.replace(/^# {3}/gm, '');
    expect(snippetAt(gitlab, '.gitlab-ci.yml', 21)).toContain('# kaniko cannot mount BuildKit secrets');
    expect(snippetAt(gitlab, '.gitlab-ci.yml', 21)).toContain('--local context=packages/api --local dockerfile=packages/api --opt filename=Dockerfile');
    expect(snippetAt(gitlab, '.gitlab-ci.yml', 21)).toContain('--secret id=node_auth_token,env=GITLAB_NPM_TOKEN');
    expect(snippetAt(gitlab, '.gitlab-ci.yml', 9)).toContain('docker build \\\n  --secret id=node_auth_token,env=NODE_AUTH_TOKEN \\\n  packages/api');
    expect(snippetAt(gitlab, 'ci/Jenkinsfile', 8)).toContain("sh '''\n  docker build");
    expect(snippetAt(gitlab, 'ci/Jenkinsfile', 11)).toContain('docker.build("api:TAG", "--secret id=node_auth_token,env=NODE_AUTH_TOKEN packages/api")');
    const ci = await scanFixture(path.join(RULE_FIXTURES, 'build-arg-token-passthrough', 'ng.azure-bitbucket-cloudbuild-skaffold-bake'));
    expect(snippetAt(ci, 'azure-pipelines.yml', 14)).toContain('- task: Docker@2');
    expect(snippetAt(ci, 'azure-pipelines.yml', 14)).toContain('arguments: --secret id=artifactory_api_key,env=artifactoryApiKey');
    expect(snippetAt(ci, 'cloudbuild.yaml', 3)).toContain("secretEnv: ['ARTIFACTORY_API_KEY']");
    expect(snippetAt(ci, 'deploy/skaffold.yaml', 10)).toContain('  context: ../src/worker\n  docker:\n    dockerfile: Dockerfile\n    secrets:\n      - id: artifactory_api_key\n        env: ARTIFACTORY_API_KEY');
    expect(snippetAt(ci, 'docker-bake.hcl', 9)).toContain('secret = ["id=artifactory_api_key,env=ARTIFACTORY_API_KEY"]');
  });

  it('never puts a literal value into messages or snippets', async () => {
    const result = await scanFixture(path.join(RULE_FIXTURES, 'dockerfile-token-arg-env', 'ng.containerfile-literal-builder'));
    const finding = result.findings.find((f) => f.ruleId === 'dockerfile-token-arg-env')!;
    expect(JSON.stringify(finding)).not.toContain('buf_live_7f3c9a1e55d04b2c');
    expect(finding.evidence.redacted).toBeDefined();
  });
});
