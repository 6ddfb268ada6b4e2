import { buildRules } from './build/index.js';
import { correlationRules } from './correlation/index.js';
import { k8sRules } from './k8s/index.js';
import { testsRules } from './tests/index.js';
import type { Rule } from './types.js';

function assertUnique(rules: readonly Rule[]): readonly Rule[] {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.meta.id)) throw new Error(`Duplicate rule id ${rule.meta.id}`);
    seen.add(rule.meta.id);
  }
  return rules;
}

/** Every rule, sorted by id. Families register in their own index file. */
export const RULES: readonly Rule[] = assertUnique(
  [...k8sRules, ...correlationRules, ...buildRules, ...testsRules].sort((a, b) => a.meta.id.localeCompare(b.meta.id)),
);

export function findRule(id: string): Rule | undefined {
  return RULES.find((rule) => rule.meta.id === id);
}

export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.meta.id);
