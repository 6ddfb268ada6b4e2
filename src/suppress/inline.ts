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

/** A comment that starts with footprint-ignore: when DIRECTIVE cannot read it, it is reported, never ignored. */
const MENTION = /(^|\s)(?:#+|\/\/+)\s*footprint-ignore\b/;

export function parseInlineDirectives(text: string): Map<number, InlineDirective> {
  const directives = new Map<number, InlineDirective>();
  text.split('\n').forEach((raw, index) => {
    if (!raw.includes('footprint-ignore')) return;
    // A CRLF file leaves a carriage return at the end of each line, which `.` and `$` below would not pass.
    const content = raw.replace(/\r$/, '');
    const match = DIRECTIVE.exec(content);
    if (!match) {
      // `footprint-ignore: RULE -- why`, `footprint-ignore RULE - why`, `footprint-ignore A B -- why`: a team meant
      // to suppress something; an unreadable directive is reported as unusable (no rule, no reason).
      const mention = MENTION.exec(content);
      if (mention) directives.set(index + 1, { line: index + 1, rules: [], ownLine: content.slice(0, mention.index + mention[1]!.length).trim() === '' });
      return;
    }
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

/** A line continued on the next one: shell, Dockerfile and Python statements split with a trailing backslash. */
const CONTINUED = /\\\s*$/;

/**
 * The lines a directive covers. A trailing directive covers its own line. A directive alone on its line covers the
 * statement below it: the next line, after any directives stacked directly below it (one per rule or reason), plus
 * the lines that statement continues onto with a trailing backslash. So a comment above
 * `docker build \` covers a `--build-arg` two lines further down, where no comment can go.
 */
export function coveredLines(directive: InlineDirective, lines: readonly string[], directives: ReadonlyMap<number, InlineDirective>): number[] {
  if (!directive.ownLine) return [directive.line];
  let index = directive.line; // 0-based index of the line below the directive
  while (index < lines.length && directives.get(index + 1)?.ownLine) index++;
  if (index >= lines.length) return [];
  const covered = [index + 1];
  while (CONTINUED.test(lines[index]!.replace(/\r$/, '')) && index + 1 < lines.length) {
    index++;
    covered.push(index + 1);
  }
  return covered;
}

/**
 * Apply the inline directives of one file to its findings: a directive suppresses a finding of a named rule on
 * its own line, or in the statement below when the comment is alone on its line (see coveredLines). Returns
 * diagnostics for directives that are unusable (no rule, no reason) or that suppress nothing (stale).
 */
export function applyInline(file: string, text: string, findings: readonly Finding[]): Diagnostic[] {
  const directives = parseInlineDirectives(text);
  if (directives.size === 0) return [];
  const lines = text.split('\n');
  const used = new Set<number>();
  const diagnostics: Diagnostic[] = [];
  /** Usable directives by the line they cover. */
  const byLine = new Map<number, InlineDirective[]>();
  for (const d of directives.values()) {
    if (d.rules.length === 0 || !d.reason) {
      diagnostics.push({
        file,
        line: d.line,
        code: 'config',
        message: `footprint-ignore needs a rule id and a reason ("footprint-ignore RULE -- reason"); not applied`,
      });
      used.add(d.line);
      continue;
    }
    for (const line of coveredLines(d, lines, directives)) byLine.set(line, [...(byLine.get(line) ?? []), d]);
  }
  for (const f of findings) {
    if (f.suppressed) continue;
    const d = byLine.get(f.line)?.find((candidate) => candidate.rules.includes(f.ruleId));
    if (!d) continue;
    const suppression: Suppression = { by: 'inline', reason: d.reason! };
    f.suppressed = suppression;
    used.add(d.line);
  }
  for (const d of directives.values()) {
    if (used.has(d.line)) continue;
    diagnostics.push({
      file,
      line: d.line,
      code: 'suppression-stale',
      message: `footprint-ignore ${d.rules.join(',')} suppresses no finding on this line or the statement below; remove it`,
    });
  }
  return diagnostics;
}
