import type { ScanResult } from '../types.js';
import type { HistoryRecord } from './types.js';

/**
 * When each fingerprint was first seen in the history (records in any order). A fingerprint that disappears and
 * comes back keeps its first sighting: the footprint is as old as its first appearance.
 */
export function firstSeen(records: readonly HistoryRecord[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const record of [...records].sort((a, b) => Date.parse(a.time) - Date.parse(b.time))) {
    for (const print of record.fingerprints) if (!seen.has(print)) seen.set(print, record.time);
  }
  return seen;
}

export interface OldestOpen {
  fingerprint: string;
  ruleId: string;
  file: string;
  /** ISO time of the first run that saw it (this run's time when the history never did). */
  since: string;
  /** Whole days between `since` and the result's generatedAt. */
  ageDays: number;
}

/** The open (unsuppressed) finding of `result` seen earliest in the history, for "age of the oldest footprint". */
export function oldestOpenFinding(result: ScanResult, records: readonly HistoryRecord[]): OldestOpen | undefined {
  const seen = firstSeen(records);
  let oldest: OldestOpen | undefined;
  const now = Date.parse(result.generatedAt);
  for (const f of result.findings) {
    if (f.suppressed) continue;
    const since = seen.get(f.fingerprint) ?? result.generatedAt;
    if (!oldest || Date.parse(since) < Date.parse(oldest.since)) {
      oldest = { fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.file, since, ageDays: Math.max(0, Math.floor((now - Date.parse(since)) / 86_400_000)) };
    }
  }
  return oldest;
}
