import { appendFileSync } from 'node:fs';
import type { ScanResult } from '../types.js';

/**
 * Append Markdown to the GitHub Actions job summary when GITHUB_STEP_SUMMARY is set. Returns whether it wrote.
 * A summary that cannot be written never fails the audit: it is reported on stderr.
 */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const target = env.GITHUB_STEP_SUMMARY;
  if (!target) return false;
  try {
    appendFileSync(target, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
    return true;
  } catch (error) {
    process.stderr.write(`footprint: cannot append to GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`);
    return false;
  }
}

/** A short Markdown summary of a scan, used when the full Markdown reporter is not available. */
export function shortMarkdownSummary(result: ScanResult): string {
  const s = result.summary;
  const sev = Object.entries(s.bySeverity).filter(([, n]) => n > 0);
  const rules = Object.entries(s.byRule).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const lines = [
    '## footprint: legacy secret footprints',
    '',
    `**${s.findings} open finding${s.findings === 1 ? '' : 's'}**${sev.length ? ` (${sev.map(([k, n]) => `${n} ${k}`).join(', ')})` : ''}` +
      `, ${s.baseline} in the baseline, ${s.suppressed} suppressed, ${s.inventory} inventoried secret resources.`,
    '',
  ];
  if (rules.length > 0) {
    lines.push('| Rule | Findings |', '|---|---:|', ...rules.map(([id, n]) => `| \`${id}\` | ${n} |`), '');
  }
  return lines.join('\n');
}
