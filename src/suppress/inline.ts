import type { Diagnostic, Finding, Suppression } from '../types.js';

/** One `footprint-ignore RULE[,RULE] -- reason` comment. */
export interface InlineDirective {
  line: number;
  rules: string[];
  reason?: string;
  /** The comment is the whole line (so it may target the line below). */
  ownLine: boolean;
}

/**
 * A `#` or `//` comment (preceded by the line start or whitespace, so `http://` and `a#b` are not comments)
 * holding `footprint-ignore`, one or more comma-separated rule ids and, after `--`, the reason.
 */
const DIRECTIVE = /(^|\s)(?:#+|\/\/+)\s*footprint-ignore\b[ \t]*([A-Za-z0-9_.-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_.-]+)*)?(?:[ \t]+--[ \t]*(.*?))?[ \t]*$/;

export function parseInlineDirectives(text: string): Map<number, InlineDirective> {
  const directives = new Map<number, InlineDirective>();
  text.split('\n').forEach((content, index) => {
    if (!content.includes('footprint-ignore')) return;
    const match = DIRECTIVE.exec(content);
    if (!match) return;
    const before = content.slice(0, match.index + match[1]!.length);
    const reason = match[3]?.replace(/\s*(?:\*\/|-->)\s*$/, '').trim();
    directives.set(index + 1, {
      line: index + 1,
      rules: (match[2] ?? '').split(',').map((r) => r.trim()).filter(Boolean),
      ...(reason ? { reason } : {}),
      ownLine: before.trim() === '',
    });
  });
  return directives;
}

/**
 * Apply the inline directives of one file to its findings: a directive suppresses a finding of a named rule on
 * its own line, or on the line below when the comment is alone on its line. Returns diagnostics for directives
 * that are unusable (no rule, no reason) or that suppress nothing (stale).
 */
export function applyInline(file: string, text: string, findings: readonly Finding[]): Diagnostic[] {
  const directives = parseInlineDirectives(text);
  if (directives.size === 0) return [];
  const used = new Set<number>();
  const diagnostics: Diagnostic[] = [];
  const unusable = new Set<number>();
  for (const d of directives.values()) {
    if (d.rules.length === 0 || !d.reason) {
      unusable.add(d.line);
      diagnostics.push({
        file,
        line: d.line,
        code: 'config',
        message: `footprint-ignore needs a rule id and a reason ("footprint-ignore RULE -- reason"); not applied`,
      });
    }
  }
  for (const f of findings) {
    if (f.suppressed) continue;
    const candidates = [directives.get(f.line), directives.get(f.line - 1)];
    for (const [i, d] of candidates.entries()) {
      if (!d || unusable.has(d.line) || !d.rules.includes(f.ruleId)) continue;
      if (i === 1 && !d.ownLine) continue;
      const suppression: Suppression = { by: 'inline', reason: d.reason! };
      f.suppressed = suppression;
      used.add(d.line);
      break;
    }
  }
  for (const d of directives.values()) {
    if (unusable.has(d.line) || used.has(d.line)) continue;
    diagnostics.push({
      file,
      line: d.line,
      code: 'suppression-stale',
      message: `footprint-ignore ${d.rules.join(',')} suppresses no finding on this line or the next; remove it`,
    });
  }
  return diagnostics;
}
