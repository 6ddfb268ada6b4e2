import { existsSync } from 'node:fs';
import path from 'node:path';
import { readBaselineFile, serializeBaseline, updateBaseline } from '../../history/baseline.js';
import { scan } from '../../scan/run.js';
import { UsageError } from '../../util/errors.js';
import { CACHE_OPTIONS, CACHE_OPTION_HELP, SOURCE_OPTIONS, SOURCE_OPTION_HELP, rootArgument, str, writeOutput } from './io.js';
import type { Command } from './types.js';
import { limitHeapGrowth } from '../heap.js';

export const DEFAULT_BASELINE_FILE = '.footprint-baseline.json';

export const baselineCommand: Command = {
  usage: 'baseline [ROOT]',
  summary: 'Write or update the baseline of accepted findings',
  options: {
    ...SOURCE_OPTIONS,
    ...CACHE_OPTIONS,
    output: { type: 'string', short: 'o' },
    'add-new': { type: 'boolean' },
  },
  optionHelp: {
    ...SOURCE_OPTION_HELP,
    ...CACHE_OPTION_HELP,
    output: `baseline file (default ROOT/${DEFAULT_BASELINE_FILE}); an existing one is updated`,
    'add-new': 'also accept findings that are not in the baseline yet (default: updating only removes fixed entries)',
  },
  async run(values, positionals) {
    const root = rootArgument('baseline', positionals);
    const output = str(values.output) ?? path.join(root, DEFAULT_BASELINE_FILE);
    if (output === '-') throw new UsageError('--output must be a file: the baseline is read back to be updated');
    const previous = existsSync(output) ? readBaselineFile(output) : undefined;
    const result = await scan({ root, configFile: str(values.config), useGit: !values['no-git'], cache: !values['no-cache'], onProgress: limitHeapGrowth });
    const update = updateBaseline(result, previous, { addNew: Boolean(values['add-new']) });
    writeOutput(output, serializeBaseline(update.baseline));
    const parts = previous
      ? [`removed ${update.removed.length} fixed`, `added ${update.added.length} new`]
      : [`${update.added.length} accepted finding${update.added.length === 1 ? '' : 's'}`];
    process.stderr.write(`footprint baseline: wrote ${output} with ${update.baseline.entries.length} entries (${parts.join(', ')})\n`);
    if (update.notAdded > 0) {
      process.stderr.write(`footprint baseline: ${update.notAdded} finding${update.notAdded === 1 ? ' is' : 's are'} not in the baseline and stay open; pass --add-new to accept them\n`);
    }
    return 0;
  },
};
