import { firstSeen, oldestOpenFinding } from '../history/trend.js';
import type { HistoryRecord } from '../history/types.js';
import { ORIGINS, SEVERITIES, type Finding, type Origin, type ScanResult, type Severity } from '../types.js';
import type { FindingView } from './view-model.js';

/**
 * The trend part of the report view: history records (oldest first) plus the current run, as points, a burn-down,
 * small-multiple series per origin class and per rule, what changed since the previous run and the oldest open
 * footprint. Pure and deterministic: every number derives from the records and the result's generatedAt.
 */

export interface TrendPoint {
  time: string;
  label: string;
  total: number;
  bySeverity: Record<Severity, number>;
  /** Fingerprints new/fixed relative to the previous point; null for the first point. */
  newCount: number | null;
  fixedCount: number | null;
  current: boolean;
}

/** One small multiple: counts of one origin class or rule per run (null where a record has no breakdown). */
export interface TrendSeries {
  key: string;
  label: string;
  values: (number | null)[];
  /** First known value, the current one, and the change between them ('–' when unknown). */
  first: number | null;
  current: number | null;
  change: number | null;
  changeLabel: string;
  direction: 'down' | 'up' | 'flat' | 'unknown';
  /** Highest value in the series: the top of this chart's own scale. */
  peak: number;
  /** "4, 4, 3, 2" for screen readers and tooltips. */
  valuesText: string;
  /** valuesText for a caption: every run up to eight, else the last six after an ellipsis. */
  recentText: string;
  chart: { line: string; dots: { x: number; y: number; value: number; label: string }[]; baseline: number; width: number; height: number };
}

export interface BurnDown {
  current: number;
  first: number;
  firstLabel: string;
  /** current - first. */
  change: number;
  changeLabel: string;
  /** Runs counted, this one included. */
  runs: number;
  /** Average change per run and per week (negative when shrinking); null when not computable. */
  perRun: number | null;
  perRunLabel: string;
  perWeek: number | null;
  perWeekLabel: string;
  /** Days between the first run and this one (one decimal), and as words ("56 days", "under a day"). */
  spanDays: number;
  spanLabel: string;
  status: 'zero' | 'shrinking' | 'not-shrinking';
  /** YYYY-MM-DD at the average weekly pace, when shrinking and the runs span at least a day. */
  projectedZero: string | null;
  /** Runs to zero at the average pace per run, when shrinking. */
  runsToZero: number | null;
  /** Short value for the projection card: a date, "~N runs", "reached" or "not shrinking". */
  projectionLabel: string;
  /** One plain sentence explaining the projection. */
  note: string;
}

export interface ChangedFinding {
  index: number;
  ruleId: string;
  severity: Severity;
  fileLine: string;
  /** Seen in an earlier run than the previous one: it came back. */
  reintroduced: boolean;
  firstSeen: string;
}

export interface TrendChanges {
  previousLabel: string;
  newFindings: ChangedFinding[];
  fixedCount: number;
  /** Fixed per rule, exact (fingerprints carry their rule) when the previous record has per-rule counts; else null. */
  fixedByRule: { ruleId: string; count: number }[] | null;
  /** Short fingerprints of the fixed findings, for `footprint compare` or a search in the previous JSON. */
  fixedFingerprints: string[];
}

export interface OldestOpenView {
  index: number;
  ruleId: string;
  fileLine: string;
  fingerprintShort: string;
  since: string;
  sinceLabel: string;
  ageDays: number;
  ageLabel: string;
}

export interface TrendView {
  points: TrendPoint[];
  chart: {
    width: number;
    height: number;
    /** Plot area edges, for axis and grid lines. */
    left: number;
    right: number;
    bottom: number;
    /** SVG polyline "x,y x,y" strings: numbers only. */
    totalLine: string;
    severeLine: string;
    dots: { x: number; y: number; total: number; label: string }[];
    yTicks: { y: number; label: string }[];
    xLabels: { x: number; label: string; anchor: 'start' | 'middle' | 'end' }[];
  };
  delta: { newSinceLast: number; fixedSinceLast: number; previousTotal: number } | null;
  burnDown: BurnDown;
  changes: TrendChanges | null;
  oldest: OldestOpenView | null;
  origins: TrendSeries[];
  /** Rules whose count changed at some run (most open first), and rules with the same count in every run. */
  rules: TrendSeries[];
  steadyRules: TrendSeries[];
  /** Run labels (dates) for the per-series tables. */
  runLabels: string[];
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

function round(n: number): number {
  // `|| 0` turns -0 into 0, so "no change" never prints or serialises as a negative zero.
  return Math.round(n * 10) / 10 || 0;
}

/** One decimal at most, no trailing ".0", a real minus sign. */
export function formatNumber(n: number): string {
  const r = round(n);
  const text = String(Math.abs(r));
  return r < 0 ? `−${text}` : text;
}

/** "−3", "+2", "±0". */
export function signed(n: number): string {
  const r = round(n);
  if (r === 0) return '±0';
  return r < 0 ? `−${Math.abs(r)}` : `+${r}`;
}

function niceCeiling(n: number): number {
  for (const candidate of [4, 8, 10, 20, 40, 50, 100, 200, 400, 500, 1000]) if (n <= candidate) return candidate;
  return Math.ceil(n / 1000) * 1000;
}

/** Edge labels hang inwards so they are not clipped by the chart's box. */
function anchorFor(i: number, count: number): 'start' | 'middle' | 'end' {
  if (count === 1) return 'middle';
  return i === 0 ? 'start' : i === count - 1 ? 'end' : 'middle';
}

type AxisLabel = { x: number; label: string; anchor: 'start' | 'middle' | 'end' };

/** Horizontal extent of an axis label at the chart's 11px tick font (about 6.6px a character, a little generous). */
function extent(l: AxisLabel): [number, number] {
  const w = l.label.length * 6.6;
  return l.anchor === 'start' ? [l.x, l.x + w] : l.anchor === 'end' ? [l.x - w, l.x] : [l.x - w / 2, l.x + w / 2];
}

/**
 * The first and the last run are always labelled; a label in between is dropped when it would touch its left
 * neighbour or the last label (runs are spaced evenly, but the last label hangs left of its point).
 */
export function axisLabels(candidates: readonly AxisLabel[]): AxisLabel[] {
  if (candidates.length <= 2) return [...candidates];
  const gap = 8;
  const last = candidates[candidates.length - 1]!;
  const kept = [candidates[0]!];
  for (const label of candidates.slice(1, -1)) {
    const [from, to] = extent(label);
    if (from >= extent(kept[kept.length - 1]!)[1] + gap && to + gap <= extent(last)[0]) kept.push(label);
  }
  kept.push(last);
  return kept;
}

function byTime(a: HistoryRecord, b: HistoryRecord): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : 0;
}

type BreakdownKey = 'byOrigin' | 'byRule';

/** A record written before breakdowns existed (empty maps while findings were open) has no per-series data. */
function hasBreakdown(record: HistoryRecord, key: BreakdownKey): boolean {
  const map = record.counts[key] ?? {};
  return record.counts.total === 0 || Object.values(map).some((n) => n > 0);
}

const SMALL = { width: 240, height: 64, left: 6, right: 6, top: 8, bottom: 8 };

function series(records: readonly HistoryRecord[], key: BreakdownKey, id: string, label: string, labels: readonly string[]): TrendSeries {
  const values = records.map((r) => (hasBreakdown(r, key) ? (r.counts[key]?.[id] ?? 0) : null));
  const known = values.filter((v): v is number => v !== null);
  const first = known.length > 0 ? known[0]! : null;
  const current = values[values.length - 1] ?? null;
  const change = first !== null && current !== null ? current - first : null;
  const peak = Math.max(1, ...known);
  const n = values.length;
  const x = (i: number) => round(n === 1 ? SMALL.width / 2 : SMALL.left + (i * (SMALL.width - SMALL.left - SMALL.right)) / (n - 1));
  const y = (v: number) => round(SMALL.height - SMALL.bottom - (v / peak) * (SMALL.height - SMALL.top - SMALL.bottom));
  const dots = values.flatMap((v, i) => (v === null ? [] : [{ x: x(i), y: y(v), value: v, label: labels[i]! }]));
  return {
    key: id,
    label,
    values,
    first,
    current,
    change,
    changeLabel: change === null ? '–' : signed(change),
    direction: change === null ? 'unknown' : change < 0 ? 'down' : change > 0 ? 'up' : 'flat',
    peak,
    valuesText: values.map((v) => (v === null ? '–' : String(v))).join(', '),
    recentText: recentValues(values),
    chart: { line: dots.map((d) => `${d.x},${d.y}`).join(' '), dots, baseline: y(0), width: SMALL.width, height: SMALL.height },
  };
}

/** The values of the last runs for the caption under a small chart: all up to eight, else "… " and the last six. */
function recentValues(values: readonly (number | null)[]): string {
  const text = (v: number | null) => (v === null ? '–' : String(v));
  return values.length <= 8 ? values.map(text).join(', ') : `…, ${values.slice(-6).map(text).join(', ')}`;
}

function seriesKeys(records: readonly HistoryRecord[], key: BreakdownKey): Set<string> {
  const keys = new Set<string>();
  for (const r of records) for (const [k, n] of Object.entries(r.counts[key] ?? {})) if (n > 0) keys.add(k);
  return keys;
}

function originSeries(records: readonly HistoryRecord[], labels: Record<string, string>, runs: readonly string[]): TrendSeries[] {
  const keys = seriesKeys(records, 'byOrigin');
  const known = ORIGINS.filter((o) => keys.has(o)) as string[];
  const extra = [...keys].filter((k) => !(ORIGINS as readonly string[]).includes(k)).sort();
  return [...known, ...extra].map((k) => series(records, 'byOrigin', k, labels[k] ?? k, runs));
}

function ruleSeries(records: readonly HistoryRecord[], runs: readonly string[]): TrendSeries[] {
  return [...seriesKeys(records, 'byRule')]
    .map((k) => series(records, 'byRule', k, k, runs))
    .sort((a, b) => (b.current ?? 0) - (a.current ?? 0) || b.peak - a.peak || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A series is steady when every run has the same known count: it tells nothing about the trend, so it is folded away. */
function splitRules(all: TrendSeries[]): { rules: TrendSeries[]; steadyRules: TrendSeries[] } {
  const steady = (s: TrendSeries) => s.values.every((v) => v === s.values[0]) && s.values[0] !== null;
  return { rules: all.filter((s) => !steady(s)), steadyRules: all.filter(steady) };
}

function burnDown(points: readonly TrendPoint[]): BurnDown {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const intervals = points.length - 1;
  const span = Date.parse(last.time) - Date.parse(first.time);
  const reduction = first.total - last.total;
  const perRun = intervals > 0 ? -reduction / intervals : null;
  const perWeek = intervals > 0 && span >= DAY ? (-reduction * WEEK) / span : null;
  const status: BurnDown['status'] = last.total === 0 ? 'zero' : reduction > 0 ? 'shrinking' : 'not-shrinking';
  const projectedZero = status === 'shrinking' && perWeek !== null ? new Date(Date.parse(last.time) + (last.total * span) / reduction).toISOString().slice(0, 10) : null;
  const runsToZero = status === 'shrinking' && perRun !== null ? Math.ceil(last.total / -perRun) : null;
  const firstDate = first.time.slice(0, 10);
  let note: string;
  let projectionLabel: string;
  if (intervals === 0) {
    note = 'Only one run is recorded so far: the pace shows from the next run on.';
    projectionLabel = last.total === 0 ? 'reached' : 'not shrinking';
  } else if (status === 'zero') {
    note = first.total > 0 ? `Zero reached: no open footprint left, down from ${first.total} on ${firstDate}.` : 'Zero: no open footprint in any recorded run.';
    projectionLabel = 'reached';
  } else if (status === 'not-shrinking') {
    note = `Not shrinking: ${last.total} open now, ${first.total} at the first recorded run (${firstDate}).`;
    projectionLabel = 'not shrinking';
  } else if (projectedZero !== null) {
    note = `At the average pace since ${firstDate} (${formatNumber(-perWeek!)} fewer per week, ${formatNumber(-perRun!)} fewer per run), zero around ${projectedZero}.`;
    projectionLabel = projectedZero;
  } else {
    note = `The runs span less than a day, so there is no weekly pace or date; at ${formatNumber(-perRun!)} fewer per run, zero in about ${runsToZero} more run${runsToZero === 1 ? '' : 's'}.`;
    projectionLabel = `~${runsToZero} run${runsToZero === 1 ? '' : 's'}`;
  }
  return {
    current: last.total,
    first: first.total,
    firstLabel: firstDate,
    change: last.total - first.total,
    changeLabel: signed(last.total - first.total),
    runs: points.length,
    perRun: perRun === null ? null : round(perRun),
    perRunLabel: perRun === null ? '–' : signed(perRun),
    perWeek: perWeek === null ? null : round(perWeek),
    perWeekLabel: perWeek === null ? '–' : signed(perWeek),
    spanDays: round(span / DAY),
    spanLabel: span < DAY ? 'under a day' : `${round(span / DAY)} day${round(span / DAY) === 1 ? '' : 's'}`,
    status,
    projectedZero,
    runsToZero,
    projectionLabel,
    note,
  };
}

function changes(records: readonly HistoryRecord[], previous: HistoryRecord, previousLabel: string, views: readonly FindingView[], summaryByRule: Record<string, number>): TrendChanges {
  const before = new Set(previous.fingerprints);
  const earlier = records.filter((r) => r.time < previous.time);
  const seen = firstSeen(earlier);
  const newFindings: ChangedFinding[] = [];
  const current = new Set<string>();
  for (const v of views) {
    if (current.has(v.fingerprint)) continue;
    current.add(v.fingerprint);
    if (before.has(v.fingerprint)) continue;
    const back = seen.get(v.fingerprint);
    newFindings.push({ index: v.index, ruleId: v.ruleId, severity: v.severity, fileLine: v.fileLine, reintroduced: back !== undefined, firstSeen: (back ?? '').slice(0, 10) });
  }
  const fixed = [...before].filter((f) => !current.has(f)).sort();
  let fixedByRule: TrendChanges['fixedByRule'] = null;
  if (hasBreakdown(previous, 'byRule')) {
    // A fingerprint carries its rule, so per rule: previous = unchanged + fixed and current = unchanged + new.
    const newPerRule = new Map<string, number>();
    for (const f of newFindings) newPerRule.set(f.ruleId, (newPerRule.get(f.ruleId) ?? 0) + 1);
    const rules = new Set([...Object.keys(previous.counts.byRule), ...Object.keys(summaryByRule)]);
    const perRule = [...rules].map((ruleId) => ({ ruleId, count: (previous.counts.byRule[ruleId] ?? 0) - (summaryByRule[ruleId] ?? 0) + (newPerRule.get(ruleId) ?? 0) }));
    const consistent = perRule.every((r) => r.count >= 0) && perRule.reduce((n, r) => n + r.count, 0) === fixed.length;
    if (consistent) fixedByRule = perRule.filter((r) => r.count > 0).sort((a, b) => b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1));
  }
  return {
    previousLabel,
    newFindings,
    fixedCount: fixed.length,
    fixedByRule,
    fixedFingerprints: fixed.map((f) => f.replace(/^v1:/, '').slice(0, 12)),
  };
}

/** The shortest of date, minute, second and millisecond labels that tells the runs apart (several runs a day are common in CI). */
function runLabels(times: readonly string[], from: 'date' | 'minute' = 'date'): string[] {
  const distinct = (labels: string[]) => new Set(labels).size === labels.length;
  const dates = times.map((t) => t.slice(0, 10));
  if (from === 'date' && distinct(dates)) return dates;
  const minutes = times.map(shortTime);
  if (distinct(minutes)) return minutes;
  const seconds = times.map((t) => `${t.slice(0, 19).replace('T', ' ')}Z`);
  if (distinct(seconds)) return seconds;
  return times.map((t) => `${t.slice(0, 23).replace('T', ' ')}Z`);
}

function ageLabel(days: number, firstRunOnly: boolean): string {
  if (firstRunOnly) return 'first seen in this run';
  if (days === 0) return 'less than a day';
  const weeks = days >= 14 ? ` (${Math.floor(days / 7)} weeks)` : '';
  return `${days} day${days === 1 ? '' : 's'}${weeks}`;
}

/**
 * History oldest first plus the current run (unless history already ends with it). `open` and `views` are the
 * report's open findings in display order (most severe first), which also breaks ties for the oldest footprint.
 */
export function trendView(
  result: ScanResult,
  history: readonly HistoryRecord[] | undefined,
  open: readonly Finding[],
  views: readonly FindingView[],
  originLabels: Record<Origin, string>,
): TrendView | null {
  if (!history || history.length === 0) return null;
  const records = [...history].sort(byTime);
  const currentRecord: HistoryRecord = {
    schemaVersion: 1,
    time: result.generatedAt,
    counts: {
      total: result.summary.findings,
      bySeverity: { ...result.summary.bySeverity },
      byRule: { ...result.summary.byRule },
      byOrigin: { ...result.summary.byOrigin },
      byEnvironment: { ...result.summary.byEnvironment },
    },
    fingerprints: open.map((f) => f.fingerprint),
  };
  const includesCurrent = records[records.length - 1]!.time === result.generatedAt;
  if (!includesCurrent) records.push(currentRecord);
  const pointLabels = runLabels(records.map((r) => r.time), 'minute');
  const points: TrendPoint[] = records.map((r, i) => {
    const previous = i > 0 ? new Set(records[i - 1]!.fingerprints) : null;
    const now = new Set(r.fingerprints);
    return {
      time: r.time,
      label: pointLabels[i]!,
      total: r.counts.total,
      bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, r.counts.bySeverity[s] ?? 0])) as Record<Severity, number>,
      newCount: previous ? [...now].filter((f) => !previous.has(f)).length : null,
      fixedCount: previous ? [...previous].filter((f) => !now.has(f)).length : null,
      current: i === records.length - 1,
    };
  });
  const width = 640;
  const height = 220;
  const pad = { left: 44, right: 16, top: 16, bottom: 36 };
  const niceMax = niceCeiling(Math.max(1, ...points.map((p) => p.total)));
  const x = (i: number) => round(points.length === 1 ? pad.left + (width - pad.left - pad.right) / 2 : pad.left + (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => round(height - pad.bottom - (v / niceMax) * (height - pad.top - pad.bottom));
  const columnLabels = runLabels(points.map((p) => p.time));
  // Fewer axis labels when they are long (minutes or seconds): they must not overlap.
  const step = Math.max(1, Math.ceil(points.length / (columnLabels[0]!.length > 20 ? 3 : columnLabels[0]!.length > 10 ? 4 : 6)));
  const lastPoint = points[points.length - 1]!;
  const previousPoint = points.length > 1 ? points[points.length - 2]! : null;
  const previousRecord = records.length > 1 ? records[records.length - 2]! : null;

  const oldest = oldestOpenFinding({ ...result, findings: [...open] }, records);
  const oldestView = oldest ? views.find((v) => v.fingerprint === oldest.fingerprint) : undefined;

  return {
    points,
    chart: {
      width,
      height,
      left: pad.left,
      right: width - pad.right,
      bottom: height - pad.bottom,
      totalLine: points.map((p, i) => `${x(i)},${y(p.total)}`).join(' '),
      severeLine: points.map((p, i) => `${x(i)},${y(p.bySeverity.critical + p.bySeverity.high)}`).join(' '),
      dots: points.map((p, i) => ({ x: x(i), y: y(p.total), total: p.total, label: p.label })),
      yTicks: [0, 0.25, 0.5, 0.75, 1].map((t) => ({ y: y(niceMax * t), label: String(Math.round(niceMax * t)) })),
      xLabels: axisLabels(points.map((p, i) => ({ x: x(i), label: columnLabels[i]!, anchor: anchorFor(i, points.length) })).filter((_, i) => i % step === 0 || i === points.length - 1)),
    },
    delta: previousPoint ? { newSinceLast: lastPoint.newCount ?? 0, fixedSinceLast: lastPoint.fixedCount ?? 0, previousTotal: previousPoint.total } : null,
    burnDown: burnDown(points),
    changes: previousRecord && previousPoint ? changes(records, previousRecord, previousPoint.label, views, result.summary.byRule) : null,
    oldest:
      oldest && oldestView
        ? {
            index: oldestView.index,
            ruleId: oldest.ruleId,
            fileLine: oldestView.fileLine,
            fingerprintShort: oldestView.fingerprintShort,
            since: oldest.since,
            sinceLabel: shortTime(oldest.since),
            ageDays: oldest.ageDays,
            ageLabel: ageLabel(oldest.ageDays, oldest.since === result.generatedAt),
          }
        : null,
    origins: originSeries(records, originLabels, pointLabels),
    ...splitRules(ruleSeries(records, pointLabels)),
    runLabels: columnLabels,
  };
}
