import type { Severity } from '../types.js';

/** One line of the history file (JSON Lines): what a run found, without any finding text. */
export interface HistoryRecord {
  schemaVersion: 1;
  /** ISO time of the run. */
  time: string;
  commit?: string;
  branch?: string;
  counts: {
    total: number;
    bySeverity: Record<Severity, number>;
    byRule: Record<string, number>;
    byOrigin: Record<string, number>;
    byEnvironment: Record<string, number>;
  };
  /** Fingerprints of the open (unsuppressed) findings. */
  fingerprints: string[];
}
