import { describe, expect, it } from 'vitest';
import { comparable, readExpected, ruleFixtureCases, scanFixture, sortExpected } from './helpers/run-fixture.js';

const cases = ruleFixtureCases();

describe('rule fixtures', () => {
  it('has fixture cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.ruleId} / ${c.name}`, async () => {
      const result = await scanFixture(c.dir);
      const ofRule = result.findings.filter((f) => f.ruleId === c.ruleId);
      if (c.kind === 'ok') {
        expect(ofRule.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([]);
        return;
      }
      const expected = readExpected(c.dir);
      expect(expected.every((e) => e.ruleId === c.ruleId), 'expected.json of an ng case lists only its own rule').toBe(true);
      expect(sortExpected(comparable(ofRule, expected))).toEqual(sortExpected(expected));
    });
  }
});
