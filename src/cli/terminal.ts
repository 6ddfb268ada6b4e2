import type { ScanResult, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function colorEnabled(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '1;31', high: '31', medium: '33', low: '36', info: '2' };

function paint(text: string, code: string, color: boolean): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** The short table printed to stderr after a scan. */
export function summaryTable(result: ScanResult, color: boolean, written: string[] = []): string {
  const s = result.summary;
  const lines: string[] = [];
  const severities = SEVERITIES.map((sev) => `${paint(sev.padEnd(8), SEVERITY_COLOR[sev], color && s.bySeverity[sev] > 0)} ${String(s.bySeverity[sev]).padStart(4)}`);
  lines.push(`  ${severities.join('   ')}`);
  const rules = Object.entries(s.byRule).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (rules.length > 0) {
    const width = Math.max(...rules.slice(0, 8).map(([id]) => id.length));
    lines.push('  by rule:');
    for (const [id, n] of rules.slice(0, 8)) lines.push(`    ${id.padEnd(width)} ${String(n).padStart(4)}`);
    if (rules.length > 8) lines.push(`    … ${rules.length - 8} more rule${rules.length - 8 === 1 ? '' : 's'}`);
  }
  const origins = Object.entries(s.byOrigin).map(([o, n]) => `${o} ${n}`).join(', ');
  if (origins) lines.push(`  by origin: ${origins}`);
  if (s.suppressed || s.baseline) lines.push(`  ${s.suppressed} suppressed, ${s.baseline} in baseline`);
  if (written.length > 0 && !written.includes('-')) lines.push(`  reports: ${written.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** A one-line progress bar on a terminal; silent when stderr is not a TTY or when quiet. */
export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(phase: string, done: number, total: number): void {
    if (!this.enabled || total < 200) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 24;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    this.stream.write(`\r\x1b[2K${phase} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
