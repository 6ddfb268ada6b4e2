import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEVERITIES, type ScanResult } from '../types.js';
import type { GitInfo } from './git.js';
import type { HistoryRecord } from './types.js';

export interface HistoryProblem {
  line: number;
  message: string;
}

export interface LoadedHistory {
  /** Valid records in file order (oldest first when the file was only ever appended to). */
  records: HistoryRecord[];
  /** Lines that are not a history record: reported, skipped, never fatal. */
  problems: HistoryProblem[];
}

/** One history line for a run: counts and fingerprints of the open (unsuppressed) findings, no finding text. */
export function historyRecord(result: ScanResult, git: GitInfo = {}): HistoryRecord {
  const s = result.summary;
  return {
    schemaVersion: 1,
    time: result.generatedAt,
    ...(git.commit ? { commit: git.commit } : {}),
    ...(git.branch ? { branch: git.branch } : {}),
    counts: {
      total: s.findings,
      bySeverity: Object.fromEntries(SEVERITIES.map((sev) => [sev, s.bySeverity[sev] ?? 0])) as HistoryRecord['counts']['bySeverity'],
      byRule: { ...s.byRule },
      byOrigin: { ...s.byOrigin },
      byEnvironment: { ...s.byEnvironment },
    },
    fingerprints: result.findings
      .filter((f) => !f.suppressed)
      .map((f) => f.fingerprint)
      .sort(),
  };
}

function isCountRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((n) => Number.isInteger(n) && (n as number) >= 0);
}

/** Why a parsed line is not a HistoryRecord (undefined when it is one). */
export function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = value as Partial<HistoryRecord>;
  if (r.schemaVersion !== 1) return `unsupported schemaVersion ${JSON.stringify(r.schemaVersion)}`;
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return 'time is not an ISO date';
  if (r.commit !== undefined && typeof r.commit !== 'string') return 'commit is not a string';
  if (r.branch !== undefined && typeof r.branch !== 'string') return 'branch is not a string';
  const c = r.counts;
  if (typeof c !== 'object' || c === null) return 'counts missing';
  if (!Number.isInteger(c.total) || c.total < 0) return 'counts.total is not a count';
  for (const key of ['bySeverity', 'byRule', 'byOrigin', 'byEnvironment'] as const) {
    if (!isCountRecord(c[key])) return `counts.${key} is not a map of counts`;
  }
  if (!Array.isArray(r.fingerprints) || !r.fingerprints.every((f) => typeof f === 'string')) return 'fingerprints is not a list of strings';
  return undefined;
}

/** Parse JSON Lines history text. Blank lines are ignored; a corrupt line is reported and skipped. */
export function parseHistory(text: string): LoadedHistory {
  const records: HistoryRecord[] = [];
  const problems: HistoryProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ line: index + 1, message: 'not valid JSON; skipped' });
      return;
    }
    const problem = recordProblem(value);
    if (problem) problems.push({ line: index + 1, message: `${problem}; skipped` });
    else {
      const record = value as HistoryRecord;
      if (record.counts.bySeverity) {
        for (const sev of SEVERITIES) record.counts.bySeverity[sev] ??= 0;
      }
      records.push(record);
    }
  });
  return { records, problems };
}

/** Read a history file; a missing file is an empty history. */
export function readHistory(file: string): LoadedHistory {
  if (!existsSync(file)) return { records: [], problems: [] };
  return parseHistory(readFileSync(file, 'utf8'));
}

/**
 * Append one record atomically: the whole file is rewritten to a temp file next to it and renamed over the old
 * one, so a killed run leaves either the old file or the new one, never half a line. Existing lines (even
 * corrupt ones) are kept byte for byte; they are the team's record, not ours to clean.
 */
export function appendHistory(file: string, record: HistoryRecord): void {
  const absolute = path.resolve(file);
  mkdirSync(path.dirname(absolute), { recursive: true });
  let existing = existsSync(absolute) ? readFileSync(absolute, 'utf8') : '';
  if (existing !== '' && !existing.endsWith('\n')) existing += '\n';
  const temp = `${absolute}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, `${existing}${JSON.stringify(record)}\n`);
  renameSync(temp, absolute);
}
