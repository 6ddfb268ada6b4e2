import { inventoryDocument, renderInventoryMarkdown } from '../../report/inventory-md.js';
import { scan } from '../../scan/run.js';
import { UsageError } from '../../util/errors.js';
import { assertDirectory, str, writeOutput } from './io.js';
import type { Command } from './types.js';

export const inventoryCommand: Command = {
  usage: 'inventory [ROOT]',
  summary: 'Print the secret inventory (Markdown with embedded JSON)',
  options: { output: { type: 'string', short: 'o' }, config: { type: 'string', short: 'c' }, 'no-git': { type: 'boolean' } },
  optionHelp: {
    output: 'write to FILE instead of stdout; a .json FILE gets the raw JSON',
    config: 'config file (default ROOT/footprint.config.yaml when present)',
    'no-git': 'discover files with globbing and .gitignore instead of git ls-files',
  },
  async run(values, positionals) {
    if (positionals.length > 1) throw new UsageError(`inventory takes one ROOT, got ${positionals.length}`);
    const root = positionals[0] ?? '.';
    assertDirectory(root);
    const result = await scan({ root, configFile: str(values.config), useGit: !values['no-git'] });
    const output = str(values.output);
    if (output && output.toLowerCase().endsWith('.json')) {
      writeOutput(output, `${JSON.stringify(inventoryDocument(result), null, 2)}\n`);
    } else {
      writeOutput(output ?? '-', renderInventoryMarkdown(result));
    }
    return 0;
  },
};
