import type { ScanResult } from '../types.js';
import type { RenderOptions } from './index.js';
import { buildView, type FindingView, type OwnerGroup, type ReportView, type RuleGroup, type TrendSeries, type TrendView } from './view-model.js';

/** GitHub's comment size limit. */
export const DEFAULT_MD_MAX_CHARS = 65_000;

/** Suppressed findings listed in the Markdown report; the rest are counted. */
const MAX_SUPPRESSED = 50;

/** Owners listed inline before the rest goes into a <details> block. */
const OPEN_OWNERS = 8;

export interface MarkdownOptions extends RenderOptions {
  /** Level of the report's top heading: 1 for a standalone file, 2 inside a backlog item. Default 1. */
  headingLevel?: number;
}

/**
 * Text for Markdown prose and table cells: HTML-significant characters become entities (GitHub renders entities
 * both in Markdown and inside HTML blocks such as <summary>), Markdown punctuation is backslash-escaped, and line
 * breaks become spaces so a value can never start a new block.
 */
export function mdText(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    .replace(/\r?\n|\r/g, ' ');
}

/** A code span for paths and names outside tables; falls back to escaped text when a code span cannot hold it. */
export function mdCode(value: string): string {
  if (/[`|\r\n]/.test(value) || value.trim() !== value || value === '') return mdText(value);
  return `\`${value}\``;
}

/** A fenced code block whose fence is longer than any backtick run inside, so content can never close it. */
export function fenced(language: string, content: string): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const lang = /^[A-Za-z0-9_+-]{1,30}$/.test(language) ? language : '';
  return `${fence}${lang}\n${content.replace(/\n$/, '')}\n${fence}`;
}

function h(level: number, text: string): string {
  return `${'#'.repeat(Math.min(6, level))} ${text}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summarySection(view: ReportView, level: number): string {
  const lines = [h(level + 1, 'Summary'), ''];
  lines.push('| Severity | Open findings |', '| --- | ---: |');
  for (const card of view.severityCards) lines.push(`| ${card.label} | ${card.count} |`);
  lines.push(`| **Total** | **${view.totals.open}** |`, '');
  const extras = [
    `${plural(view.totals.inventory, 'inventoried secret resource')}`,
    `${plural(view.totals.filesScanned, 'file')} scanned (${view.totals.filesSkipped} skipped, ${view.totals.filesFailed} failed)`,
    `${plural(view.totals.suppressed, 'suppressed finding')}${view.totals.suppressionProblems ? ` (${plural(view.totals.suppressionProblems, 'suppression problem')})` : ''}`,
    `${view.totals.baseline} in the baseline`,
    `${plural(view.totals.diagnostics, 'diagnostic')}`,
  ];
  lines.push(extras.join(' · '));
  if (view.environmentCards.length > 0) {
    lines.push('', '| Environment | Open findings |', '| --- | ---: |');
    for (const card of view.environmentCards) lines.push(`| ${mdText(card.label)} | ${card.count} |`);
  }
  return lines.join('\n');
}

function complianceSection(view: ReportView, level: number): string {
  const lines = [h(level + 1, 'Compliance by origin class'), ''];
  lines.push('Each secret is owned by the authority its origin class names; a resource is compliant when no rule flags it.', '');
  lines.push(
    '| Origin class | Authority | Inventoried | Compliant | Not compliant | % compliant | Open findings | Status |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const row of view.compliance) {
    const status = row.status === 'empty' ? '–' : row.status === 'compliant' ? '✅ compliant' : '⚠️ needs work';
    const percent = row.percent === null ? '–' : `${row.percent}%`;
    lines.push(`| ${mdText(row.label)} | ${mdText(row.authority)} | ${row.entries} | ${row.compliant} | ${row.nonCompliant} | ${percent} | ${row.openFindings} | ${status} |`);
  }
  return lines.join('\n');
}

/** Runs shown as columns in the compact per-series tables: all up to six, else the first and the last five. */
function seriesColumns(count: number): number[] {
  if (count <= 6) return [...Array(count).keys()];
  return [0, ...Array.from({ length: 5 }, (_, i) => count - 5 + i)];
}

function seriesTable(title: string, series: TrendSeries[], trend: TrendView, code = false): string[] {
  const columns = seriesColumns(trend.points.length);
  const head = columns.map((i, n) => `${n === 1 && columns[1]! - columns[0]! > 1 ? '… ' : ''}${mdText(trend.runLabels[i]!)}${trend.points[i]!.current ? ' (this run)' : ''}`);
  const lines = [`| ${title} | ${head.join(' | ')} | Change |`, `| --- | ${columns.map(() => '---:').join(' | ')} | ---: |`];
  for (const s of series) {
    lines.push(`| ${code ? mdCode(s.label) : mdText(s.label)} | ${columns.map((i) => (s.values[i] === null ? '–' : String(s.values[i]))).join(' | ')} | ${s.changeLabel} |`);
  }
  return lines;
}

export const TREND_STARTS = 'No earlier run is recorded in the history: this run is its first point. The trend, the burn-down and the changes since the previous run appear from the next run on.';

function trendSection(view: ReportView, level: number): string {
  const trend = view.trend;
  if (!trend) return view.trendStarts ? [h(level + 1, 'Trend'), '', TREND_STARTS].join('\n') : '';
  const b = trend.burnDown;
  const lines = [h(level + 1, 'Trend'), ''];
  lines.push(`${plural(trend.points.length, 'recorded run')}, from ${b.firstLabel} to this run (${b.spanLabel}). Counts are open findings (suppressed ones excluded).`, '');
  lines.push(h(level + 2, 'Burn-down toward zero'), '');
  lines.push('| Open now | Since the first run | Average per run | Average per week | Projected zero |', '| ---: | ---: | ---: | ---: | --- |');
  lines.push(`| ${b.current} | ${b.changeLabel} (from ${b.first}) | ${b.perRunLabel} | ${b.perWeekLabel} | ${mdText(b.projectionLabel)} |`, '');
  lines.push(mdText(b.note), '');

  lines.push(h(level + 2, 'Since the previous run'), '');
  const c = trend.changes;
  if (c && trend.delta) {
    lines.push(
      `Previous run ${mdText(c.previousLabel)}: ${plural(trend.delta.newSinceLast, 'new finding')}, ${plural(trend.delta.fixedSinceLast, 'fixed finding')} (open ${trend.delta.previousTotal} → ${b.current}).`,
    );
    const shown = c.newFindings.slice(0, 20);
    if (shown.length > 0) {
      lines.push('', '- New:');
      for (const f of shown) lines.push(`  - \`${f.severity}\` \`${f.ruleId}\` ${mdCode(f.fileLine)}${f.reintroduced ? ` (back; first seen ${f.firstSeen})` : ''}`);
      if (c.newFindings.length > shown.length) lines.push(`  - …and ${c.newFindings.length - shown.length} more`);
    }
    if (c.fixedCount > 0) {
      lines.push('', c.fixedByRule ? `- Fixed: ${c.fixedByRule.map((r) => `\`${r.ruleId}\` ${r.count}`).join(', ')}` : `- Fixed: ${c.fixedCount}`);
      const prints = c.fixedFingerprints.slice(0, 20).map((f) => `\`${f}\``).join(' ');
      lines.push(`  - fingerprints ${prints}${c.fixedFingerprints.length > 20 ? ' …' : ''} (details: \`footprint compare\` with the previous result)`);
    }
  } else {
    lines.push('No previous run recorded.');
  }
  lines.push('');

  lines.push(h(level + 2, 'Oldest open footprint'), '');
  const o = trend.oldest;
  lines.push(o ? `**${mdText(o.ageLabel)}**: \`${o.ruleId}\` in ${mdCode(o.fileLine)}, first seen ${mdText(o.sinceLabel)} (fingerprint \`${o.fingerprintShort}\`).` : 'No open footprint.', '');

  if (trend.origins.length > 0) {
    lines.push(h(level + 2, 'Open findings per origin class'), '', ...seriesTable('Origin class', trend.origins, trend), '');
  }
  const rules = [...trend.rules, ...trend.steadyRules];
  if (rules.length > 0) {
    lines.push(h(level + 2, 'Open findings per rule'), '');
    if (trend.rules.length > 0) lines.push(...seriesTable('Rule', trend.rules, trend, true), '');
    else lines.push('No rule changed its count across the recorded runs.', '');
    if (trend.steadyRules.length > 0) {
      lines.push(`<details><summary>${plural(trend.steadyRules.length, 'rule')} with the same count in every run</summary>`, '');
      lines.push(...seriesTable('Rule', trend.steadyRules, trend, true), '', '</details>', '');
    }
  }
  lines.push(`<details><summary>Runs (${trend.points.length})</summary>`, '');
  lines.push('| Run | Open | Critical | High | Medium | Low | Info | New | Fixed |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of trend.points) {
    const s = p.bySeverity;
    lines.push(
      `| ${mdText(p.label)}${p.current ? ' (this run)' : ''} | ${p.total} | ${s.critical} | ${s.high} | ${s.medium} | ${s.low} | ${s.info} | ${p.newCount ?? '–'} | ${p.fixedCount ?? '–'} |`,
    );
  }
  lines.push('', '</details>');
  return lines.join('\n');
}

/**
 * One finding, compact: the owner line above already names the file, so a finding of a file owner shows its line
 * only; a chart owner's findings keep their path (the chart has several files).
 */
function findingLine(f: FindingView, owner: OwnerGroup): string {
  const where = owner.kind === 'file' && f.file === owner.owner ? `line ${f.line}` : mdCode(f.fileLine);
  const parts = [`\`${f.severity}\``, where];
  if (f.resource) parts.push(mdText(f.resource));
  if (f.environment !== '(none)') parts.push(`env ${mdText(f.environment)}`);
  parts.push(mdText(f.originLabel));
  let line = `${parts.join(' · ')}: ${mdText(f.message)}`;
  if (f.redacted) line += ` (evidence ${mdText(f.keys)} = ${mdText(f.redacted)})`;
  if (f.baseline) line += ' _(baseline)_';
  if (f.ownRemediation) line += ` Fix: ${mdText(f.ownRemediation)}`;
  return line;
}

function ownerItem(owner: OwnerGroup): string {
  const label = owner.kind === 'chart' ? `chart ${mdCode(owner.owner)}` : mdCode(owner.owner);
  const head = `- [ ] **${label}** (${plural(owner.findings.length, 'finding')})`;
  return [head, ...owner.findings.map((f) => `  - ${findingLine(f, owner)}`)].join('\n');
}

/**
 * The structure of a replacement snippet without its names and values: YAML keys with their indentation; on every
 * other line strings, names and numbers become placeholders and only the punctuation stays. Snippets of one rule with
 * the same shape are the same change for other names.
 */
export function snippetShape(language: string, snippet: string): string {
  const lines = snippet.split('\n').map((l) => {
    const key = /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*):(?:\s|$)/.exec(l);
    if (key) return `${key[1]}${key[2]}:`;
    return l
      .replace(/"(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`/g, 'S')
      .replace(/[A-Za-z_$][\w$.-]*/g, 'w')
      .replace(/\d+/g, '0')
      .replace(/\s+/g, ' ')
      .trimEnd();
  });
  return `${language}\n${lines.join('\n')}`;
}

/** File:line references, the first `max` spelled out. */
function refList(findings: readonly FindingView[], max = 6): string {
  const shown = findings.slice(0, max).map((f) => mdCode(f.fileLine));
  return findings.length > max ? `${shown.join(', ')} and ${findings.length - max} more` : shown.join(', ');
}

/**
 * Replacement snippets, one per distinct change: identical snippets are shown once with every finding they fix;
 * snippets of the same shape that differ only in the findings' names are shown once, with the findings that get the
 * same change under their own names listed (each finding's own snippet is in the HTML report and the JSON result).
 */
/** How many replacement snippets a rule section shows: every distinct change, the first one only, or none. */
type SnippetLevel = 'all' | 'first' | 'none';

function snippets(group: RuleGroup, detail: SnippetLevel = 'all'): string[] {
  if (detail === 'none') return [];
  const shapes = snippetShapes(group);
  const out: string[] = [];
  for (const variants of detail === 'first' ? shapes.slice(0, 1) : shapes) {
    const [first, ...others] = variants;
    const r = first![0]!.replacement!;
    let text = `${mdText(r.title)} (for ${refList(first!)}):\n\n${fenced(r.language, r.snippet)}`;
    if (others.length > 0) {
      text += `\n\nThe same change with their own names for ${refList(others.flat())} (each in full in the HTML report).`;
    }
    out.push(text);
  }
  if (shapes.length > out.length) {
    const rest = shapes.slice(out.length).flat(2);
    out.push(`${plural(shapes.length - out.length, 'other kind')} of change, left out for length, for ${refList(rest)}: see the HTML report or the JSON \`remediation.replacement\`.`);
  }
  return out;
}

/** A group's findings with a snippet, by shape, then by snippet; worked out once per group (sections are rendered several times to fit). */
const shapesOf = new WeakMap<RuleGroup, FindingView[][][]>();

function snippetShapes(group: RuleGroup): FindingView[][][] {
  const known = shapesOf.get(group);
  if (known) return known;
  const bySnippet = new Map<string, FindingView[]>();
  for (const f of group.findings) {
    if (!f.replacement) continue;
    const key = `${f.replacement.language}\u0000${f.replacement.snippet}`;
    const list = bySnippet.get(key);
    if (list) list.push(f);
    else bySnippet.set(key, [f]);
  }
  const byShape = new Map<string, FindingView[][]>();
  for (const list of bySnippet.values()) {
    const r = list[0]!.replacement!;
    const shape = snippetShape(r.language, r.snippet);
    const same = byShape.get(shape);
    if (same) same.push(list);
    else byShape.set(shape, [list]);
  }
  const shapes = [...byShape.values()];
  shapesOf.set(group, shapes);
  return shapes;
}

function ruleSection(group: RuleGroup, level: number, maxOwners = Infinity, detail: SnippetLevel = 'all'): { text: string; owners: number } {
  const lines = [h(level + 2, `\`${group.ruleId}\`: ${plural(group.count, 'finding')} (${group.severityCounts})`), ''];
  if (group.description) lines.push(`_${mdText(group.description)}._`, '');
  lines.push(`${group.remediation ? `${mdText(group.remediation)} ` : ''}[Rule documentation](${encodeURI(group.docsUrl)})`, '');
  const owners = group.owners.slice(0, maxOwners);
  const shown = owners.slice(0, OPEN_OWNERS);
  const rest = owners.slice(OPEN_OWNERS);
  lines.push(...shown.map(ownerItem));
  if (rest.length > 0) {
    lines.push('', `<details><summary>${plural(rest.length, 'more owner')} (${plural(rest.reduce((n, o) => n + o.findings.length, 0), 'finding')})</summary>`, '');
    lines.push(...rest.map(ownerItem));
    lines.push('', '</details>');
  }
  if (maxOwners < group.owners.length) {
    lines.push('', `_…and ${plural(group.owners.length - maxOwners, 'more owner')} of this rule, cut for length._`);
  }
  const fixes = snippets(group, detail);
  if (fixes.length > 0 && maxOwners >= group.owners.length) {
    lines.push('', `<details><summary>Suggested replacement${fixes.length > 1 ? `s (${fixes.length})` : ''}</summary>`, '', fixes.join('\n\n'), '', '</details>');
  }
  return { text: lines.join('\n'), owners: owners.length };
}

/**
 * Accepted exceptions and the ones that need attention: expired and stale suppressions and unusable comments are
 * listed open (someone has to act on them), the suppressed findings themselves collapsed.
 */
function suppressionsSection(view: ReportView, level: number): string {
  if (view.suppressed.length === 0 && view.suppressionProblems.length === 0) return '';
  const lines = [h(level + 1, 'Suppressions'), ''];
  lines.push(
    `${plural(view.suppressed.length, 'suppressed finding')} (kept in the result, not counted as open) · ${plural(view.suppressionProblems.length, 'suppression problem')}`,
  );
  if (view.suppressionProblems.length > 0) {
    lines.push('');
    for (const d of view.suppressionProblems) lines.push(`- **${mdText(d.label)}** ${mdCode(d.fileLine)}: ${mdText(d.message)}`);
  }
  if (view.suppressed.length > 0) {
    lines.push('', `<details><summary>${plural(view.suppressed.length, 'suppressed finding')}</summary>`, '');
    for (const f of view.suppressed.slice(0, MAX_SUPPRESSED)) lines.push(`- \`${f.severity}\` \`${f.ruleId}\` ${mdCode(f.fileLine)}: ${mdText(f.suppression)}`);
    if (view.suppressed.length > MAX_SUPPRESSED) lines.push(`- …and ${view.suppressed.length - MAX_SUPPRESSED} more (every one is in the JSON result and the HTML report)`);
    lines.push('', '</details>');
  }
  return lines.join('\n');
}

function diagnosticsSection(view: ReportView, level: number): string {
  if (view.diagnostics.length === 0) return '';
  const lines = [h(level + 1, 'Diagnostics'), '', `<details><summary>${plural(view.diagnostics.length, 'diagnostic')}: files footprint could not fully analyse (coverage gaps, not findings)</summary>`, ''];
  for (const d of view.diagnostics) lines.push(`- \`${d.code}\` ${mdCode(d.fileLine)}: ${mdText(d.message)}`);
  lines.push('', '</details>');
  return lines.join('\n');
}

function truncationNote(shownFindings: number, total: number, maxChars: number, fullReportPath: string | undefined): string {
  const pointer = fullReportPath ? `See the full report: \`${fullReportPath.replace(/`/g, "'")}\`.` : 'Render the full report with `footprint render RESULT.json --format html`.';
  return `> [!WARNING]\n> **Truncated:** this report exceeded ${maxChars} characters, so it shows ${shownFindings} of ${plural(total, 'open finding')}. ${pointer}`;
}

/**
 * GitHub-flavoured Markdown for backlog items and PR comments. Sections are added whole while they fit in
 * `mdMaxChars`; the rule that does not fit is cut at an owner boundary, so no fence or <details> is left open.
 */
export function renderMarkdown(result: ScanResult, options: MarkdownOptions = {}): string {
  const view = buildView(result, options.history);
  const level = options.headingLevel ?? 1;
  const maxChars = options.mdMaxChars ?? DEFAULT_MD_MAX_CHARS;
  const head = [
    h(level, 'Secret footprint report'),
    '',
    `${mdText(view.tool.name)} ${mdText(view.tool.version)} · generated ${mdText(view.generatedAt)} · config ${mdText(view.configHash)}. Names and key names only; secret values never appear.`,
  ].join('\n');
  // Suppressions come before the findings so that a truncated report still lists expired and stale ones.
  const blocks = [head, summarySection(view, level), complianceSection(view, level), trendSection(view, level), suppressionsSection(view, level)].filter(Boolean);
  const tail = [diagnosticsSection(view, level)].filter(Boolean);
  const findingsHead = view.rules.length > 0 ? h(level + 1, `Findings by rule (${view.totals.open})`) : `${h(level + 1, 'Findings')}\n\nNo open findings.`;
  blocks.push(findingsHead);

  const join = (parts: string[]) => `${parts.join('\n\n')}\n`;
  // Every finding matters more than every snippet variant: when the whole report does not fit, rules show their
  // first replacement only, then none, before findings are cut.
  for (const detail of ['all', 'first', 'none'] as const) {
    const whole = join([...blocks, ...view.rules.map((g) => ruleSection(g, level, Infinity, detail).text), ...tail]);
    if (whole.length <= maxChars) return whole;
  }

  const out = [...blocks];
  let shown = 0;
  // Reserve room for the note with the largest numbers it can hold.
  const reserve = truncationNote(view.totals.open, view.totals.open, maxChars, options.fullReportPath).length + 4;
  const fits = (extra: string) => join([...out, extra]).length + reserve <= maxChars;
  for (const group of view.rules) {
    const whole = ruleSection(group, level, Infinity, 'first');
    if (fits(whole.text)) {
      out.push(whole.text);
      shown += group.count;
      continue;
    }
    // The longest prefix of owners that fits (the section grows with every owner): a binary search, not a scan.
    let lo = 0;
    let hi = group.owners.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(ruleSection(group, level, mid, 'first').text)) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 1) {
      out.push(ruleSection(group, level, lo, 'first').text);
      shown += group.owners.slice(0, lo).reduce((n, o) => n + o.findings.length, 0);
    }
    break;
  }
  out.push(truncationNote(shown, view.totals.open, maxChars, options.fullReportPath));
  const text = join(out);
  // The header blocks alone can exceed a very small limit; keep the promise by cutting at a line boundary.
  if (text.length <= maxChars) return text;
  const note = truncationNote(0, view.totals.open, maxChars, options.fullReportPath);
  const room = maxChars - note.length - 3;
  const cut = text.slice(0, Math.max(0, room));
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}\n\n${note}\n`;
}
