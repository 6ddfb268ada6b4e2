import path from 'node:path';
import { appendStepSummary } from '../../history/ci.js';
import { COMPARE_FORMATS, compareExitCode, compareResults, headline, renderCompareMarkdown, renderComparison, type CompareFormat } from '../../history/compare.js';
import { readHistory } from '../../history/history.js';
import { UsageError } from '../../util/errors.js';
import { parseFailOn, str, writeOutput } from './io.js';
import { readResultFile } from './result-file.js';
import type { Command } from './types.js';

export const compareCommand: Command = {
  usage: 'compare BASE.json HEAD.json',
  summary: 'Classify findings of two saved results as new, fixed or unchanged',
  options: {
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    history: { type: 'string' },
  },
  optionHelp: {
    format: 'text|json|md (default text)',
    output: 'write to FILE instead of stdout',
    'fail-on': 'exit 1 when a NEW finding is at or above critical|high|medium|low|info; none never fails (default high)',
    history: 'history file (JSON Lines from scan --history): also report new findings seen in earlier runs as reintroduced',
  },
  async run(values, positionals) {
    if (positionals.length !== 2) throw new UsageError(`compare takes BASE.json and HEAD.json, got ${positionals.length} file${positionals.length === 1 ? '' : 's'}`);
    const format = (str(values.format) ?? 'text') as CompareFormat;
    if (!(COMPARE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${COMPARE_FORMATS.join(', ')} (got "${format}")`);
    const failOn = parseFailOn(values['fail-on']);
    const base = readResultFile(positionals[0]!);
    const head = readResultFile(positionals[1]!);
    const historyFile = str(values.history);
    let history;
    if (historyFile) {
      const loaded = readHistory(historyFile);
      for (const p of loaded.problems) process.stderr.write(`footprint compare: ${path.basename(historyFile)} line ${p.line}: ${p.message}\n`);
      history = loaded.records;
    }
    const comparison = compareResults(base, head, { history });
    if (comparison.summary.unchanged === 0 && base.findings.length > 0 && head.findings.length > 0) {
      process.stderr.write(
        'footprint compare: no finding of BASE matches HEAD; if both scans did not use the same fingerprint key (fingerprintKey / FOOTPRINT_FINGERPRINT_KEY), every finding looks new\n',
      );
    }
    const output = str(values.output) ?? '-';
    writeOutput(output, renderComparison(comparison, format));
    if (output !== '-' || format !== 'text') process.stderr.write(`footprint compare: ${headline(comparison)}\n`);
    appendStepSummary(renderCompareMarkdown(comparison));
    return compareExitCode(comparison, failOn);
  },
};
