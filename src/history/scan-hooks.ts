import path from 'node:path';
import { render } from '../report/index.js';
import { safeMessage } from '../util/errors.js';
import type { ScanResult } from '../types.js';
import { UsageError } from '../util/errors.js';
import { readBaselineFile } from './baseline.js';
import { appendStepSummary, shortMarkdownSummary } from './ci.js';
import { gitInfo } from './git.js';
import { appendHistory, historyRecord, readHistory } from './history.js';
import type { HistoryRecord } from './types.js';

/** What `scan --baseline/--history` needs before the scan runs. */
export interface ScanHistoryInput {
  /** Fingerprints from --baseline. */
  baseline?: Set<string>;
  /** Earlier runs from --history, oldest first (for RenderOptions.history). */
  history?: HistoryRecord[];
  historyFile?: string;
}

/** Load --baseline and --history before scanning; a corrupt history line is reported on stderr and skipped. */
export function loadScanHistory(options: { baseline?: string; history?: string; command?: string }): ScanHistoryInput {
  const input: ScanHistoryInput = {};
  if (options.baseline) input.baseline = new Set(readBaselineFile(options.baseline).entries.map((e) => e.fingerprint));
  if (options.history) {
    if (options.history === '-') throw new UsageError('--history must be a file');
    let loaded;
    try {
      loaded = readHistory(options.history);
    } catch (error) {
      throw new UsageError(`cannot read history ${path.basename(options.history)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    for (const p of loaded.problems) process.stderr.write(`footprint ${options.command ?? 'scan'}: ${path.basename(options.history)} line ${p.line}: ${p.message}\n`);
    input.history = loaded.records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    input.historyFile = options.history;
  }
  return input;
}

/**
 * After the reports are written: append this run to the history file (atomically) and, in GitHub Actions, the
 * Markdown summary to the job summary. The Markdown reporter is used when it is available; otherwise a short
 * summary generated here.
 */
export async function finishScan(result: ScanResult, root: string, input: ScanHistoryInput, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (input.historyFile) appendHistory(input.historyFile, historyRecord(result, gitInfo(root, env)));
  if (env.GITHUB_STEP_SUMMARY) {
    let markdown: string;
    try {
      markdown = await render(result, 'md', { history: input.history });
    } catch (error) {
      // The job summary must never cost the audit: an unavailable or failing Markdown reporter gets the short one.
      if (!(error instanceof UsageError)) process.stderr.write(`footprint: Markdown summary failed (${safeMessage(error)}); writing a short one\n`);
      markdown = shortMarkdownSummary(result);
    }
    appendStepSummary(markdown, env);
  }
}
