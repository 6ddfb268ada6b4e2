import { loadScanHistory } from '../../history/scan-hooks.js';
import { UsageError } from '../../util/errors.js';
import { str } from './io.js';
import { readResultFile } from './result-file.js';
import { parseFormats, writeReports } from './scan.js';
import type { Command } from './types.js';

export const renderCommand: Command = {
  usage: 'render RESULT.json',
  summary: 'Re-render a saved result (validated first) in other formats',
  options: {
    format: { type: 'string' },
    'out-dir': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'md-max-chars': { type: 'string' },
    history: { type: 'string' },
  },
  optionHelp: {
    format: 'comma list of json,md,html,sarif,github,gitlab (default html)',
    'out-dir': 'write DIR/footprint.<ext> per format (default reports/)',
    output: 'write a single format to FILE (- is stdout)',
    'md-max-chars': 'truncate Markdown past N characters (default 65000, at least 1000)',
    history: 'JSON Lines history of earlier runs: reports show the trend (runs after the result are left out)',
  },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError(`render takes one RESULT.json, got ${positionals.length}`);
    const formats = parseFormats(str(values.format) ?? 'html');
    const result = readResultFile(positionals[0]!);
    const history = loadScanHistory({ history: str(values.history), command: 'render' }).history?.filter((r) => Date.parse(r.time) < Date.parse(result.generatedAt));
    const written = await writeReports(result, values, formats, history);
    if (!written.includes('-')) process.stderr.write(`footprint render: wrote ${written.join(', ')}\n`);
    return 0;
  },
};
