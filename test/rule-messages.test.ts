import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanFixture } from './helpers/run-fixture.js';

const fixture = (rule: string, name: string) => path.join(import.meta.dirname, 'fixtures/rules', rule, name);

describe('rule messages name what the tree uses', () => {
  it('says OpenBao for the OpenBao agent injector', async () => {
    const result = await scanFixture(fixture('vault-authored-db-credential', 'ng.openbao-agent-injector'));
    const messages = result.findings.filter((f) => f.ruleId === 'vault-authored-db-credential').map((f) => f.message);
    expect(messages.length).toBe(1);
    expect(messages[0]).toContain('uses the OpenBao agent injector');
    expect(messages[0]).not.toContain('Vault');
  });
});
