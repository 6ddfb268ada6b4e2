import type { ResolvedConfig } from '../config/types.js';
import { readSourceSync } from '../scan/read.js';
import type { Diagnostic, Finding } from '../types.js';
import { applyConfigSuppressions } from './config.js';
import { applyInline } from './inline.js';

export { parseInlineDirectives, applyInline, type InlineDirective } from './inline.js';
export { applyConfigSuppressions, isExpired, isoDay } from './config.js';

export interface SuppressOptions {
  root: string;
  config: ResolvedConfig;
  /** "Today" for expiry. Default: now. */
  now?: Date;
  /**
   * Files known to hold no `footprint-ignore`: not read. For the result cache, whose listing vouches that they are
   * the files an earlier scan read.
   */
  unmarked?: ReadonlySet<string>;
  /** Told of each file read that holds no `footprint-ignore` (what the result cache stores as `unmarked`). */
  onUnmarked?: (file: string) => void;
}


/**
 * Mark suppressed findings (`finding.suppressed`) from inline `footprint-ignore` comments, then from config
 * entries. Only files that have findings are read again, so a clean repository costs nothing. Returns
 * diagnostics: expired and stale suppressions, unusable inline comments.
 */
export async function applySuppressions(findings: Finding[], options: SuppressOptions): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, list] of byFile) {
    if (file === '.' || file === '' || options.unmarked?.has(file)) continue;
    const read = readSourceSync(options.root, file, options.config.maxFileSize);
    if (!read.ok) continue;
    if (!read.text.includes('footprint-ignore')) {
      options.onUnmarked?.(file);
      continue;
    }
    diagnostics.push(...applyInline(file, read.text, list));
  }
  diagnostics.push(...applyConfigSuppressions(options.config.suppressions, findings, options.now ?? new Date(), options.config.source ?? 'footprint.config.yaml'));
  return diagnostics;
}
