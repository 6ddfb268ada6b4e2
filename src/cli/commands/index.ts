import { baselineCommand } from './baseline.js';
import { compareCommand } from './compare.js';
import { attachCommand } from './attach.js';
import { initCommand } from './init.js';
import { inventoryCommand } from './inventory.js';
import { renderCommand } from './render.js';
import { explainCommand, rulesCommand } from './rules.js';
import { scanCommand } from './scan.js';
import type { Command } from './types.js';

export type { Command } from './types.js';

export const COMMANDS: Record<string, Command> = {
  scan: scanCommand,
  inventory: inventoryCommand,
  rules: rulesCommand,
  explain: explainCommand,
  compare: compareCommand,
  baseline: baselineCommand,
  render: renderCommand,
  attach: attachCommand,
  init: initCommand,
};
