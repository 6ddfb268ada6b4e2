import type { Rule, RuleContext, RuleMeta } from './types.js';

export const DOCS_BASE = 'https://github.com/footprint-audit/footprint/blob/main/README.md';

export function docsUrlFor(id: string): string {
  return `${DOCS_BASE}#${id}`;
}

/** The one way to declare a rule: the factory injects the docs URL and freezes the metadata. */
export function createRule(meta: RuleMeta, check: (context: RuleContext) => void): Rule {
  return Object.freeze({ meta: Object.freeze({ ...meta, docsUrl: docsUrlFor(meta.id) }), check });
}
