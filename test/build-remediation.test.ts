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

  it('never puts a literal value into messages or snippets', async () => {
    const result = await scanFixture(path.join(RULE_FIXTURES, 'dockerfile-token-arg-env', 'ng.containerfile-literal-builder'));
    const finding = result.findings.find((f) => f.ruleId === 'dockerfile-token-arg-env')!;
    expect(JSON.stringify(finding)).not.toContain('buf_live_7f3c9a1e55d04b2c');
    expect(finding.evidence.redacted).toBeDefined();
  });
});
