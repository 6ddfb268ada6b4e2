import { describe, expect, it } from 'vitest';
import { scanFixture } from './helpers/run-fixture.js';

describe('inline-credential-in-values remediation for env entries', () => {
  it('points an env entry at valueFrom.secretKeyRef, not at an existingSecret it does not have', async () => {
    const result = await scanFixture('test/fixtures/rules/inline-credential-in-values/ng.env-list-in-a-values-string');
    const [finding] = result.findings.filter((f) => f.ruleId === 'inline-credential-in-values');
    expect(finding?.remediation?.text).toContain('valueFrom.secretKeyRef: {name: extraenv-credentials, key: ADMIN_PASSWORD}');
    expect(finding?.remediation?.text).not.toContain('existingSecret');
  });
});
