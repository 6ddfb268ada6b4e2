import { atLeast, SEVERITIES, type Finding, type ScanResult, type Severity } from '../types.js';
import type { HistoryRecord } from './types.js';

export const COMPARE_FORMATS = ['text', 'json', 'md'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

/** `footprint compare` JSON: a contract (issue 6). `reintroduced` is present only when history was given. */
export interface Comparison {
  summary: { new: number; fixed: number; unchanged: number; reintroduced?: number };
  /** In HEAD, not in BASE (HEAD's finding). */
  new: Finding[];
  /** In BASE, not in HEAD (BASE's finding). */
  fixed: Finding[];
  /** In both (HEAD's finding, so lines are current). */
  unchanged: Finding[];
  /** The subset of `new` seen in an earlier run of the history: a footprint that was fixed and came back. */
  reintroduced?: Finding[];
}

export interface CompareOptions {
  /** History records; a new finding whose fingerprint is in a run before HEAD's scan is reintroduced. */
  history?: readonly HistoryRecord[];
}

/**
 * Classify findings by fingerprint, never by line: a finding that moved is unchanged, a changed secret value at
 * the same place is one fixed plus one new. Suppressed findings are classified like any other (they carry
 * `suppressed`); whether they fail a run is the exit code's business.
 */
export function compareResults(base: ScanResult, head: ScanResult, options: CompareOptions = {}): Comparison {
  const baseByPrint = new Map(base.findings.map((f) => [f.fingerprint, f]));
  const headPrints = new Set(head.findings.map((f) => f.fingerprint));
  const added: Finding[] = [];
  const unchanged: Finding[] = [];
  for (const f of head.findings) (baseByPrint.has(f.fingerprint) ? unchanged : added).push(f);
  const fixed = base.findings.filter((f) => !headPrints.has(f.fingerprint));
  const comparison: Comparison = {
    summary: { new: added.length, fixed: fixed.length, unchanged: unchanged.length },
    new: added,
    fixed,
    unchanged,
  };
  if (options.history) {
    const headTime = Date.parse(head.generatedAt);
    const seen = new Set<string>();
    for (const record of options.history) {
      if (Date.parse(record.time) >= headTime) continue;
      for (const print of record.fingerprints) seen.add(print);
    }
    const reintroduced = added.filter((f) => seen.has(f.fingerprint));
    comparison.summary.reintroduced = reintroduced.length;
    comparison.reintroduced = reintroduced;
  }
  return comparison;
}

/** Exit 1 when a new finding that is neither suppressed nor accepted in a baseline is at or above the threshold. */
export function compareExitCode(comparison: Comparison, failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0;
  return comparison.new.some((f) => !f.suppressed && !f.baseline && atLeast(f.severity, failOn)) ? 1 : 0;
}

function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function tag(f: Finding, reintroduced: ReadonlySet<string>): string {
  const tags = [reintroduced.has(f.fingerprint) ? 'reintroduced' : '', f.suppressed ? `suppressed (${f.suppressed.by})` : '', f.baseline ? 'baseline' : ''].filter(Boolean);
  return tags.length ? ` [${tags.join(', ')}]` : '';
}

export function headline(c: Comparison): string {
  const re = c.summary.reintroduced ? ` (${c.summary.reintroduced} reintroduced)` : '';
  return `${c.summary.new} new${re}, ${c.summary.fixed} fixed, ${c.summary.unchanged} unchanged`;
}

export function renderCompareText(c: Comparison): string {
  const re = new Set((c.reintroduced ?? []).map((f) => f.fingerprint));
  const lines = [`footprint compare: ${headline(c)}`];
  const section = (title: string, findings: readonly Finding[]) => {
    if (findings.length === 0) return;
    lines.push('', `${title}:`);
    for (const f of bySeverity(findings)) lines.push(`  ${f.severity.padEnd(8)} ${f.ruleId}  ${f.file}:${f.line}  ${f.message}${tag(f, re)}`);
  };
  section('New', c.new);
  section('Fixed', c.fixed);
  if (c.new.length === 0 && c.fixed.length === 0) lines.push('', 'No footprint added or removed.');
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
}

export function renderCompareMarkdown(c: Comparison): string {
  const re = new Set((c.reintroduced ?? []).map((f) => f.fingerprint));
  const out = ['## footprint: changes against the base', '', `**${headline(c)}**`, ''];
  const table = (title: string, findings: readonly Finding[]) => {
    if (findings.length === 0) return;
    out.push(`### ${title} (${findings.length})`, '', '| Severity | Rule | Location | Finding |', '|---|---|---|---|');
    for (const f of bySeverity(findings)) out.push(`| ${f.severity} | \`${f.ruleId}\` | \`${cell(f.file)}:${f.line}\` | ${cell(f.message)}${cell(tag(f, re))} |`);
    out.push('');
  };
  table('New', c.new);
  table('Fixed', c.fixed);
  if (c.new.length === 0 && c.fixed.length === 0) out.push('No footprint added or removed.', '');
  return `${out.join('\n')}`;
}

export function renderComparison(c: Comparison, format: CompareFormat): string {
  if (format === 'json') return `${JSON.stringify(c, null, 2)}\n`;
  if (format === 'md') return renderCompareMarkdown(c);
  return renderCompareText(c);
}
