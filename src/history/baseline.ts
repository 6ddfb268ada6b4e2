import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseResult } from '../result/validate.js';
import type { Finding, ScanResult, Severity } from '../types.js';
import { UsageError } from '../util/errors.js';

export const BASELINE_KIND = 'footprint-baseline';

/** One accepted finding. Only the fingerprint matters for matching; the rest makes the file reviewable. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  file: string;
  location: string;
  severity: Severity;
}

/** `.footprint-baseline.json`: the findings a team has accepted for now. No line numbers, so moves cause no churn. */
export interface BaselineFile {
  kind: typeof BASELINE_KIND;
  schemaVersion: 1;
  generatedAt: string;
  entries: BaselineEntry[];
}

export function baselineEntry(f: Finding): BaselineEntry {
  return { fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.file, location: f.location, severity: f.severity };
}

function sorted(entries: BaselineEntry[]): BaselineEntry[] {
  return entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
}

export interface BaselineUpdate {
  baseline: BaselineFile;
  /** Entries dropped because their finding is gone. */
  removed: BaselineEntry[];
  /** Entries added (only with addNew, or when there was no baseline yet). */
  added: BaselineEntry[];
  /** Open findings that are not in the baseline and were not added. */
  notAdded: number;
}

/**
 * Build or update a baseline from a scan. Without a previous baseline every open finding goes in. With one, the
 * baseline only shrinks: fixed entries are removed, new findings are added only when addNew is set, so updating
 * the file can never quietly accept a new footprint.
 */
export function updateBaseline(result: ScanResult, previous: BaselineFile | undefined, options: { addNew?: boolean } = {}): BaselineUpdate {
  const open = result.findings.filter((f) => !f.suppressed);
  const current = new Map(open.map((f) => [f.fingerprint, f]));
  if (!previous) {
    const entries = sorted(open.map(baselineEntry));
    return { baseline: { kind: BASELINE_KIND, schemaVersion: 1, generatedAt: result.generatedAt, entries }, removed: [], added: entries, notAdded: 0 };
  }
  const kept: BaselineEntry[] = [];
  const removed: BaselineEntry[] = [];
  for (const entry of previous.entries) {
    const finding = current.get(entry.fingerprint);
    // Refresh the descriptive fields (a moved file keeps no entry: its fingerprint changed).
    if (finding) kept.push(baselineEntry(finding));
    else removed.push(entry);
  }
  const known = new Set(previous.entries.map((e) => e.fingerprint));
  const fresh = open.filter((f) => !known.has(f.fingerprint)).map(baselineEntry);
  const added = options.addNew ? fresh : [];
  return {
    baseline: { kind: BASELINE_KIND, schemaVersion: 1, generatedAt: result.generatedAt, entries: sorted([...kept, ...added]) },
    removed,
    added,
    notAdded: options.addNew ? 0 : fresh.length,
  };
}

export function serializeBaseline(baseline: BaselineFile): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

function parseBaselineValue(value: unknown, label: string): BaselineFile {
  const v = value as Partial<BaselineFile>;
  if (v.schemaVersion !== 1) throw new UsageError(`${label} is a footprint baseline with unsupported schemaVersion ${JSON.stringify(v.schemaVersion)}`);
  if (!Array.isArray(v.entries)) throw new UsageError(`${label} is not a valid footprint baseline (entries is not a list)`);
  const problems: string[] = [];
  v.entries.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof (e as BaselineEntry).fingerprint !== 'string') problems.push(`entries.${i}: no fingerprint`);
  });
  if (problems.length > 0) throw new UsageError(`${label} is not a valid footprint baseline`, problems.slice(0, 20));
  return { kind: BASELINE_KIND, schemaVersion: 1, generatedAt: typeof v.generatedAt === 'string' ? v.generatedAt : '', entries: v.entries };
}

/**
 * Parse a baseline. A saved footprint result (`scan --format json`) is accepted too: its open findings are the
 * baseline, so a team can point `--baseline` at the main branch's result without a separate file.
 */
export function parseBaseline(text: string, label: string): BaselineFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${label} is not JSON, so it is neither a footprint baseline nor a footprint result`);
  }
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === BASELINE_KIND) return parseBaselineValue(value, label);
  if (typeof value === 'object' && value !== null && (value as { tool?: { name?: unknown } }).tool?.name === 'footprint') {
    const result = parseResult(text, label);
    return updateBaseline(result, undefined).baseline;
  }
  throw new UsageError(`${label} is neither a footprint baseline (kind "${BASELINE_KIND}") nor a footprint result`);
}

export function readBaselineFile(file: string): BaselineFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read baseline ${path.basename(file)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseBaseline(text, path.basename(file));
}

/** Mark findings whose fingerprint is in the baseline. Returns how many were marked. */
export function markBaseline(findings: Finding[], fingerprints: Iterable<string> | undefined): number {
  if (!fingerprints) return 0;
  const known = new Set(fingerprints);
  let marked = 0;
  for (const f of findings) {
    if (known.has(f.fingerprint)) {
      f.baseline = true;
      marked++;
    }
  }
  return marked;
}
