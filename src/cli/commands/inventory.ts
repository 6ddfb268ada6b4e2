import { scan } from '../../scan/run.js';
import { CACHE_OPTIONS, CACHE_OPTION_HELP, SOURCE_OPTIONS, SOURCE_OPTION_HELP, rootArgument, str, writeOutput } from './io.js';
import type { Command } from './types.js';
import { limitHeapGrowth } from '../heap.js';

export const inventoryCommand: Command = {
  usage: 'inventory [ROOT]',
  summary: 'Print the secret inventory (Markdown with embedded JSON)',
  options: { output: { type: 'string', short: 'o' }, ...SOURCE_OPTIONS, ...CACHE_OPTIONS },
  optionHelp: {
    ...SOURCE_OPTION_HELP,
    ...CACHE_OPTION_HELP,
    output: 'write to FILE instead of stdout; a .json FILE gets the raw JSON',
  },
  async run(values, positionals) {
    const { inventoryDocument, renderInventoryMarkdown } = await import('../../report/inventory-md.js');
    const root = rootArgument('inventory', positionals);
    const result = await scan({ root, configFile: str(values.config), useGit: !values['no-git'], cache: !values['no-cache'], onProgress: limitHeapGrowth });
    const output = str(values.output);
    if (output && output.toLowerCase().endsWith('.json')) {
      writeOutput(output, `${JSON.stringify(inventoryDocument(result), null, 2)}\n`);
    } else {
      writeOutput(output ?? '-', renderInventoryMarkdown(result));
    }
    return 0;
  },
};
