import type { ScanResult, Severity } from '../types.js';

/** One issue of GitLab's Code Quality report (a subset of the Code Climate format). */
export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  categories: string[];
  location: { path: string; lines: { begin: number; end: number } };
}

const SEVERITY: Record<Severity, CodeQualityIssue['severity']> = { critical: 'blocker', high: 'critical', medium: 'major', low: 'minor', info: 'info' };

/**
 * `--format gitlab`: GitLab Code Quality JSON (`artifacts: reports: codequality:`). GitLab diffs it between the
 * merge request and its target itself, keyed by `fingerprint`, so the fingerprint is footprint's own (line
 * independent). Suppressed findings are left out.
 */
export function renderGitlab(result: ScanResult): string {
  const issues: CodeQualityIssue[] = result.findings
    .filter((f) => !f.suppressed)
    .map((f) => ({
      description: `${f.message}${f.baseline ? ' (baseline)' : ''}`,
      check_name: f.ruleId,
      fingerprint: f.fingerprint,
      severity: SEVERITY[f.severity],
      categories: ['Security'],
      location: { path: f.file, lines: { begin: f.line, end: Math.max(f.line, f.endLine) } },
    }));
  return `${JSON.stringify(issues, null, 2)}\n`;
}
