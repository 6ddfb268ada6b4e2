import { UsageError } from '../../util/errors.js';
import type { Command } from './types.js';

export const rulesCommand: Command = {
  usage: 'rules',
  summary: 'List rule ids, default severities and descriptions',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: 'print the rule metadata as JSON' },
  async run(values) {
    // The registry loads every rule module: only the commands that list or explain rules pay for it.
    const { RULES } = await import('../../rules/index.js');
    if (values.json) {
      process.stdout.write(`${JSON.stringify(RULES.map((r) => r.meta), null, 2)}\n`);
      return 0;
    }
    const width = Math.max(...RULES.map((r) => r.meta.id.length), 4);
    for (const rule of RULES) {
      process.stdout.write(`${rule.meta.id.padEnd(width)}  ${rule.meta.defaultSeverity.padEnd(8)}  ${rule.meta.description}\n`);
    }
    return 0;
  },
};

export const explainCommand: Command = {
  usage: 'explain RULE',
  summary: 'Why a rule matters, what is allowed instead, how to fix it',
  options: {},
  optionHelp: {},
  async run(_values, positionals) {
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new UsageError('explain takes exactly one rule id (see "footprint rules")');
    const { findRule } = await import('../../rules/index.js');
    const rule = findRule(id);
    if (!rule) throw new UsageError(`unknown rule "${id}" (see "footprint rules")`);
    const m = rule.meta;
    process.stdout.write(
      `${m.id} (${m.defaultSeverity}, family ${m.family})\n\n${m.description}\n\nWhy it matters:\n  ${m.why}\n\nAllowed instead:\n  ${m.allowed}\n\nRemediation:\n  ${m.remediation}\n\n` +
        `Severity escalates one level in managed environments (staging, production, shared) and drops one in local/dev` +
        `${m.environmentEscalation === false ? ' (not for this rule)' : ''}.\nDocs: ${m.docsUrl}\n`,
    );
    return 0;
  },
};
