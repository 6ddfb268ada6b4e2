import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../util/errors.js';
import { str, writeOutput } from './io.js';
import { readResultFile } from './result-file.js';
import type { Command } from './types.js';

function readTarget(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`--to ${path.basename(file)} does not exist; attach only updates an existing backlog item (create it first)`);
    throw new UsageError(`cannot read --to ${path.basename(file)} (${code ?? 'error'})`);
  }
}

export const attachCommand: Command = {
  usage: 'attach RESULT.json --to ITEM.md',
  summary: 'Write the report into a marked section of a backlog item',
  options: {
    to: { type: 'string' },
    snapshot: { type: 'string' },
    'md-max-chars': { type: 'string' },
  },
  optionHelp: {
    to: 'existing Markdown file; the section between <!-- footprint:begin --> and <!-- footprint:end --> is replaced (or appended)',
    snapshot: 'also write a standalone Markdown snapshot with the result JSON embedded to FILE',
    'md-max-chars': 'truncate the attached section past N characters (default 65000, at least 1000)',
  },
  async run(values, positionals) {
    const { attachmentSection, attachToMarkdown, snapshotMarkdown } = await import('../../report/attach.js');
    if (positionals.length !== 1) throw new UsageError(`attach takes one RESULT.json, got ${positionals.length}`);
    const to = str(values.to);
    const snapshot = str(values.snapshot);
    if (!to && !snapshot) throw new UsageError('attach needs --to ITEM.md, --snapshot FILE, or both');
    const mdMaxChars = str(values['md-max-chars']) ? Number(values['md-max-chars']) : undefined;
    if (mdMaxChars !== undefined && (!Number.isInteger(mdMaxChars) || mdMaxChars < 1000)) throw new UsageError('--md-max-chars takes a whole number of at least 1000');
    const resultFile = positionals[0]!;
    const result = readResultFile(resultFile);
    const source = path.basename(resultFile);
    // Everything is computed before anything is written, so an error leaves every file as it was.
    const writes: [string, string][] = [];
    let outcome = '';
    if (to) {
      const before = readTarget(to);
      const attached = attachToMarkdown(before, attachmentSection(result, { source, mdMaxChars }), path.basename(to));
      outcome = attached.outcome;
      if (attached.outcome !== 'unchanged') writes.push([to, attached.text]);
    }
    if (snapshot) writes.push([snapshot, snapshotMarkdown(result, { source })]);
    for (const [file, content] of writes) writeOutput(file, content);
    if (to) process.stderr.write(`footprint attach: ${path.basename(to)}: section ${outcome}\n`);
    if (snapshot) process.stderr.write(`footprint attach: snapshot written to ${snapshot}\n`);
    return 0;
  },
};
