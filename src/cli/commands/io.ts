import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { atLeast, SEVERITIES, type ScanResult, type Severity } from '../../types.js';
import { UsageError } from '../../util/errors.js';
import { writeTextSync } from '../../util/write-text.js';

/** Write atomically (temp file + rename) so a killed run never leaves half a report; '-' is stdout; a device or FIFO in place. */
export function writeOutput(target: string, content: string): void {
  stageOutput(target, content).commit();
}

/** Written out but not in place yet: `commit` puts it there, `discard` removes what was written. */
export interface StagedOutput {
  commit(): void;
  discard(): void;
}

/**
 * CONTENT written next to TARGET (a temp file), so that several reports are in place all or none of them, without
 * holding every rendered report until the last one is done. Stdout, a device, a FIFO or a socket is written at commit.
 */
export function stageOutput(target: string, content: string): StagedOutput {
  const nothing = () => undefined;
  if (target === '-') return { commit: () => void process.stdout.write(content), discard: nothing };
  const absolute = path.resolve(target);
  // A device (/dev/null, /dev/stdout), a FIFO or a socket is written in place: a temp file renamed over it would
  // replace it with a regular file (as root, /dev/null itself).
  const existing = statSync(absolute, { throwIfNoEntry: false });
  if (existing && !existing.isFile() && !existing.isDirectory()) return { commit: () => writeTextFile(absolute, content), discard: nothing };
  mkdirSync(path.dirname(absolute), { recursive: true });
  const temp = `${absolute}.${process.pid}.tmp`;
  try {
    writeTextFile(temp, content);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return { commit: () => renameSync(temp, absolute), discard: () => rmSync(temp, { force: true }) };
}

function writeTextFile(file: string, content: string): void {
  const fd = openSync(file, 'w');
  try {
    writeTextSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

export function parseFailOn(value: string | boolean | undefined): Severity | 'none' {
  const v = typeof value === 'string' ? value : 'high';
  if (v === 'none' || (SEVERITIES as readonly string[]).includes(v)) return v as Severity | 'none';
  throw new UsageError(`--fail-on must be one of ${[...SEVERITIES, 'none'].join(', ')} (got "${v}")`);
}

/** Exit code 1 when a finding that is neither suppressed nor in the baseline is at or above the threshold. */
export function exitCodeFor(result: ScanResult, failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0;
  return result.findings.some((f) => !f.suppressed && !f.baseline && atLeast(f.severity, failOn)) ? 1 : 0;
}

export function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function assertDirectory(root: string): void {
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`ROOT "${root}" does not exist`);
  }
  if (!isDir) throw new UsageError(`ROOT "${root}" is not a folder`);
}

/** The optional ROOT argument of scan-like commands: at most one, an existing folder, default ".". */
export function rootArgument(command: string, positionals: string[]): string {
  if (positionals.length > 1) throw new UsageError(`${command} takes one ROOT, got ${positionals.length}`);
  const root = positionals[0] ?? '.';
  assertDirectory(root);
  return root;
}

/** Options every command that scans a ROOT accepts. */
export const SOURCE_OPTIONS = { config: { type: 'string', short: 'c' }, 'no-git': { type: 'boolean' } } as const;
export const SOURCE_OPTION_HELP = {
  config: 'config file (default ROOT/footprint.config.yaml when present)',
  'no-git': 'discover files with globbing and .gitignore instead of git ls-files',
};

/** For the commands that scan ROOT and report on it (scan, inventory, baseline). */
export const CACHE_OPTIONS = { 'no-cache': { type: 'boolean' } } as const;
export const CACHE_OPTION_HELP = { 'no-cache': 'do not read or write ROOT/.footprint-cache/ (parsed models, the last result)' };
