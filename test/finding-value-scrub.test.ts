import { describe, expect, it } from 'vitest';
import { lineTreeScanner } from './helpers/scan-tree.js';
import { scrub } from '../src/scan/collector.js';

const scanTree = lineTreeScanner('fp-value-scrub-');

describe('a finding never quotes its own value', () => {
  it('keeps a literal token written by a RUN out of the rewrite snippet made from that RUN', async () => {
    const token = ['abcd', '1234', 'efgh', '5678'].join('');
    const result = await scanTree({ Dockerfile: ['FROM node:20', `RUN echo "//registry.npmjs.org/:_authToken=${token}" > ~/.npmrc && npm ci`] });
    const baked = result.findings.filter((f) => f.ruleId === 'dockerfile-npmrc-token-baked');
    expect(baked.map((f) => [f.line, f.severity])).toEqual([[2, 'critical']]);
    expect(baked[0]!.remediation.replacement?.snippet).toContain('<redacted>');
    expect(JSON.stringify(result.findings)).not.toContain(token);
  });

  it('leaves plain-word values alone: they are names in the text as often as values', async () => {
    const result = await scanTree({
      'charts/mail/Chart.yaml': ['apiVersion: v2', 'name: mail', 'version: 1.0.0'],
      'charts/mail/values.yaml': ['smtp:', '  enabled: false', '  user: user', '  password: password', '  host: ""'],
    });
    const messages = result.findings.filter((f) => f.file === 'charts/mail/values.yaml').map((f) => f.message);
    expect(messages).toContain('Values key .smtp.password holds a literal credential');
  });

  it('scrubs each of several literals a rule reports together (joined with NUL)', () => {
    const first = ['Pq7', 'vX2', 'mK9'].join('');
    const second = ['Zr4', 'nL8', 'wT3'].join('');
    const text = `stringData: { username: app, password: ${first}, token: ${second} }`;
    expect(scrub(text, [first, second].join('\u0000'))).toBe('stringData: { username: app, password: <redacted>, token: <redacted> }');
    expect(scrub(text, ['app', first].join('\u0000'))).toBe(`stringData: { username: app, password: <redacted>, token: ${second} }`);
  });
});
