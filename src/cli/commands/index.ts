import type { Command } from './types.js';

export type { Command } from './types.js';

/**
 * Each command's module, loaded when it runs (every one only for the help text): a re-scan loads what scan needs,
 * not the history, comparison or init code the other commands bring along.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('./scan.js')).scanCommand,
  inventory: async () => (await import('./inventory.js')).inventoryCommand,
  rules: async () => (await import('./rules.js')).rulesCommand,
  explain: async () => (await import('./rules.js')).explainCommand,
  compare: async () => (await import('./compare.js')).compareCommand,
  baseline: async () => (await import('./baseline.js')).baselineCommand,
  render: async () => (await import('./render.js')).renderCommand,
  attach: async () => (await import('./attach.js')).attachCommand,
  init: async () => (await import('./init.js')).initCommand,
};
