import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { SEVERITIES } from '../src/types.js';
import { REPO_ROOT, RULE_FIXTURES } from './helpers/run-fixture.js';

describe('rule registry', () => {
  it('has unique kebab-case ids', () => {
    const ids = RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('declares complete metadata for every rule', () => {
    for (const { meta } of RULES) {
      expect(SEVERITIES, meta.id).toContain(meta.defaultSeverity);
      for (const field of ['description', 'why', 'allowed', 'remediation', 'family'] as const) {
        expect(meta[field].length, `${meta.id}.${field}`).toBeGreaterThan(field === 'family' ? 1 : 20);
      }
      expect(meta.docsUrl).toMatch(new RegExp(`#${meta.id}$`));
    }
  });

  it('has at least one ok and one ng fixture per rule, and no fixture folder for an unknown rule', () => {
    const folders = existsSync(RULE_FIXTURES) ? readdirSync(RULE_FIXTURES) : [];
    for (const { meta } of RULES) {
      const cases = folders.includes(meta.id) ? readdirSync(path.join(RULE_FIXTURES, meta.id)) : [];
      expect(cases.filter((c) => c.startsWith('ng.')).length, `${meta.id} ng cases`).toBeGreaterThan(0);
      expect(cases.filter((c) => c.startsWith('ok.')).length, `${meta.id} ok cases`).toBeGreaterThan(0);
    }
    const ids = new Set(RULES.map((r) => r.meta.id));
    expect(folders.filter((f) => !ids.has(f))).toEqual([]);
  });

  it('documents every rule in the README under a heading named by its id', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const { meta } of RULES) expect(readme, meta.id).toContain(`### ${meta.id}\n`);
  });
});

describe('README rule reference', () => {
  it('is the one generated from the registry (run "npm run docs" after changing a rule)', async () => {
    const { withRules } = await import('../src/docs/readme-rules.js');
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(withRules(readme)).toBe(readme);
  });
});
