import { SEVERITIES, type Finding, type ScanResult, type Severity } from '../types.js';

/** GitHub workflow command escaping: data escapes %, CR, LF; properties also `:` and `,`. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

function annotation(f: Finding): string {
  const level = f.baseline ? 'notice' : LEVEL[f.severity];
  const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `endLine=${Math.max(f.line, f.endLine)}`, `col=${f.column}`, `title=${escapeProperty(`footprint ${f.ruleId} (${f.severity}${f.baseline ? ', baseline' : ''})`)}`];
  return `::${level} ${props.join(',')}::${escapeData(`${f.message}. ${f.remediation.text} (${f.docsUrl})`)}`;
}

/**
 * `--format github`: one workflow annotation per open finding, most severe first (GitHub shows only the first
 * few per step). critical/high are errors, medium warnings, low/info and baseline findings notices; suppressed
 * findings are left out (the summary notice at the top counts them). Paths are relative to the scanned ROOT: scan from the repository root.
 */
export function renderGithub(result: ScanResult): string {
  const open = result.findings
    .filter((f) => !f.suppressed)
    .sort((a, b) => Number(a.baseline ?? false) - Number(b.baseline ?? false) || SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const s = result.summary;
  const bySeverity = SEVERITIES.filter((sev) => s.bySeverity[sev] > 0).map((sev) => `${s.bySeverity[sev]} ${sev}`);
  const problems = result.diagnostics.filter((d) => d.code === 'suppression-expired' || d.code === 'suppression-stale').length;
  // First, so it is shown even when GitHub cuts the annotations of a step short.
  const lines = [
    `::notice title=${escapeProperty('footprint summary')}::${escapeData(
      `${s.findings} open finding${s.findings === 1 ? '' : 's'}${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''}, ${s.baseline} in the baseline, ${s.suppressed} suppressed` +
        `${problems ? `, ${problems} expired or stale suppression${problems === 1 ? '' : 's'}` : ''}`,
    )}`,
    ...open.map(annotation),
  ];
  for (const d of result.diagnostics) {
    if (d.code === 'suppression-expired' || d.code === 'suppression-stale') {
      lines.push(`::warning ${[`file=${escapeProperty(d.file)}`, ...(d.line ? [`line=${d.line}`] : []), `title=${escapeProperty(`footprint ${d.code}`)}`].join(',')}::${escapeData(d.message)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
