import { createRequire } from 'node:module';
import type picomatchType from 'picomatch';
import type { SuppressionEntry } from '../config/types.js';
import type { Diagnostic, Finding } from '../types.js';
import { groupBy } from '../util/group.js';

/** Today as YYYY-MM-DD in UTC: an entry with `expires: D` suppresses through day D and stops the day after. */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function isExpired(entry: SuppressionEntry, today: string): boolean {
  return entry.expires !== undefined && entry.expires < today;
}

function describe(entry: SuppressionEntry, index: number): string {
  const where = [entry.path ? `path ${entry.path}` : '', entry.fingerprint ? `fingerprint ${entry.fingerprint.slice(0, 15)}…` : ''].filter(Boolean).join(', ');
  return `suppressions[${index}] (rule ${entry.rule}${where ? `, ${where}` : ''}${entry.owner ? `, owner ${entry.owner}` : ''})`;
}

const require = createRequire(import.meta.url);

/**
 * A suppression's `path`: a glob over scan-relative POSIX paths. A folder (`legacy/`, or a plain `legacy` that
 * names no file) covers everything below it, the way .gitignore reads it; a leading `./` is ignored.
 */
export function pathMatcher(pattern: string): (file: string) => boolean {
  const picomatch = require('picomatch') as typeof picomatchType;
  const clean = pattern.replace(/^(\.\/)+/, '');
  const glob = clean.endsWith('/') ? `${clean}**` : clean;
  const matches = picomatch(glob, { dot: true });
  if (picomatch.scan(glob).isGlob) return matches;
  const folder = `${glob}/`;
  return (file) => matches(file) || file.startsWith(folder);
}

export function entryMatcher(entry: SuppressionEntry): (f: Finding) => boolean {
  // Required on first use: a scan whose config has no path-scoped suppression never loads picomatch.
  const pathMatches = entry.path ? pathMatcher(entry.path) : () => true;
  return (f) => f.ruleId === entry.rule && (!entry.fingerprint || entry.fingerprint === f.fingerprint) && pathMatches(f.file);
}

/**
 * Apply config suppressions to findings that no inline comment suppressed. An expired entry stops suppressing and
 * is reported (with how many findings it would cover); a live entry that covers no finding is reported as stale.
 */
export function applyConfigSuppressions(entries: readonly SuppressionEntry[], findings: readonly Finding[], now: Date, configFile: string): Diagnostic[] {
  const today = isoDay(now);
  const diagnostics: Diagnostic[] = [];
  // The findings of each rule, and of each rule and fingerprint, in order: a config that snoozes thousands of findings
  // by fingerprint filtered every finding for each entry.
  const byRule = groupBy(findings, (f) => f.ruleId);
  const byFingerprint = groupBy(findings, (f) => `${f.ruleId}\0${f.fingerprint}`);
  entries.forEach((entry, index) => {
    const candidates = (entry.fingerprint ? byFingerprint.get(`${entry.rule}\0${entry.fingerprint}`) : byRule.get(entry.rule)) ?? [];
    const matches = candidates.filter(entryMatcher(entry));
    if (isExpired(entry, today)) {
      diagnostics.push({
        file: configFile,
        code: 'suppression-expired',
        ruleId: entry.rule,
        message: `${describe(entry, index)} expired on ${entry.expires}; ${matches.length} finding${matches.length === 1 ? ' is' : 's are'} reported again. Fix them or renew the entry with a new date and reason`,
      });
      return;
    }
    if (matches.length === 0) {
      diagnostics.push({
        file: configFile,
        code: 'suppression-stale',
        ruleId: entry.rule,
        message: `${describe(entry, index)} matches no finding; remove it`,
      });
      return;
    }
    for (const f of matches) {
      if (f.suppressed) continue;
      f.suppressed = {
        by: 'config',
        reason: entry.reason,
        ...(entry.owner ? { owner: entry.owner } : {}),
        ...(entry.expires ? { expires: entry.expires } : {}),
      };
    }
  });
  return diagnostics;
}
