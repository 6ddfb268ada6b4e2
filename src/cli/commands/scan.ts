import path from 'node:path';
import type { HistoryRecord } from '../../history/types.js';
import { isFormat, render, EXTENSIONS, FORMATS, type Format, type RenderOptions } from '../../report/index.js';
import { scanDetailed, type ScanTimings } from '../../scan/run.js';
import type { ScanResult } from '../../types.js';
import { UsageError } from '../../util/errors.js';
import { CACHE_OPTIONS, CACHE_OPTION_HELP, SOURCE_OPTIONS, SOURCE_OPTION_HELP, exitCodeFor, parseFailOn, rootArgument, stageOutput, str, writeOutput, type StagedOutput } from './io.js';
import type { Command } from './types.js';
import { limitHeapGrowth } from '../heap.js';
import { colorEnabled, Progress, summaryTable } from '../terminal.js';

export function parseFormats(value: string | undefined): Format[] {
  const formats = (value ?? 'json').split(',').map((f) => f.trim()).filter(Boolean);
  if (formats.length === 0) throw new UsageError(`--format needs at least one of ${FORMATS.join(', ')}`);
  for (const format of formats) {
    if (!isFormat(format)) throw new UsageError(`unknown format "${format}" (expected a comma list of ${FORMATS.join(', ')})`);
  }
  return [...new Set(formats)] as Format[];
}

export function summaryLine(result: ScanResult): string {
  const s = result.summary;
  const sev = Object.entries(s.bySeverity)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `footprint: ${s.findings} finding${s.findings === 1 ? '' : 's'}${sev ? ` (${sev})` : ''}, ${s.inventory} inventoried secret resources, ${s.files.scanned} files scanned, ${s.files.skipped} skipped, ${s.files.failed} failed, ${result.diagnostics.length} diagnostics\n`;
}

function printTimings(t: ScanTimings): void {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const lines = [`discover ${ms(t.discover)}${t.listing ? ` (${t.listing}${t.gitIds ? ', object ids' : ''})` : ''}`, `read ${ms(t.read)}`];
  for (const [id, n] of Object.entries(t.parse)) lines.push(`parse:${id} ${ms(n)}`);
  for (const [id, n] of Object.entries(t.rules).sort((a, b) => b[1] - a[1])) lines.push(`rule:${id} ${ms(n)}`);
  if (t.chunks?.count === 0) lines.push(`chunks 0 (${t.chunks.files} YAML files judged with the rest: too few next to the context for chunks to pay)`);
  else if (t.chunks) lines.push(`chunks ${t.chunks.count} (${t.chunks.files} YAML files judged a chunk at a time${t.chunks.reused ? `; ${t.chunks.reused} replayed from the last run` : ''})`);
  if (t.cache) lines.push(`cache ${t.cache.hits} hits, ${t.cache.misses} misses${t.cache.sameContent ? ` (${t.cache.sameContent} of same content, ${t.cache.byGitId} of them by git object id)` : ''}, load ${ms(t.cache.load)}, save ${ms(t.cache.save)}`);
  if (t.result) lines.push(`result ${t.result}`);
  lines.push(`inventory ${ms(t.inventory)}`, `total ${ms(t.total)}`);
  process.stderr.write(`timing:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/**
 * Render and write the reports. JSON: the JSON report of result when the scan has it already (a reused result
 * stored rendered); it was rendered without options, so only runs without a history use it.
 */
export async function writeReports(result: ScanResult, values: Record<string, string | boolean | undefined>, formats: Format[], history?: HistoryRecord[], json?: string): Promise<string[]> {
  const renderFormat = (format: Format, options: RenderOptions) => (format === 'json' && json !== undefined && !history ? json : render(result, format, options));
  const output = str(values.output);
  const mdMaxChars = str(values['md-max-chars']) ? Number(values['md-max-chars']) : undefined;
  if (mdMaxChars !== undefined && (!Number.isInteger(mdMaxChars) || mdMaxChars < 1000)) throw new UsageError('--md-max-chars takes a whole number of at least 1000');
  if (output) {
    if (formats.length > 1) throw new UsageError('--output writes a single format; use --out-dir for several');
    writeOutput(output, await renderFormat(formats[0]!, { mdMaxChars, history }));
    return [output];
  }
  const outDir = str(values['out-dir']) ?? 'reports';
  // Every format is rendered before any report is put in place, so an unavailable format fails the run without
  // partial output. Each is written aside as soon as it is rendered: a large result's reports are not all held at once.
  const staged: StagedOutput[] = [];
  const written: string[] = [];
  try {
    for (const format of formats) {
      const target = path.join(outDir, `footprint.${EXTENSIONS[format]}`);
      staged.push(stageOutput(target, await renderFormat(format, { mdMaxChars, fullReportPath: 'footprint.html', history })));
      written.push(target);
    }
  } catch (error) {
    for (const output of staged) output.discard();
    throw error;
  }
  for (const output of staged) output.commit();
  return written;
}

export const scanCommand: Command = {
  usage: 'scan [ROOT]',
  summary: 'Scan ROOT (default .) and write reports',
  options: {
    ...SOURCE_OPTIONS,
    format: { type: 'string' },
    'out-dir': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    'md-max-chars': { type: 'string' },
    timing: { type: 'boolean' },
    threads: { type: 'string' },
    'chunk-files': { type: 'string' },
    ...CACHE_OPTIONS,
    baseline: { type: 'string' },
    history: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  optionHelp: {
    ...SOURCE_OPTION_HELP,
    format: 'comma list of json,md,html,sarif,github,gitlab (default json)',
    'out-dir': 'write DIR/footprint.<ext> per format (default reports/)',
    output: 'write a single format to FILE (- is stdout)',
    'fail-on': 'critical|high|medium|low|info|none (default high)',
    'md-max-chars': 'truncate Markdown past N characters (default 65000, at least 1000)',
    timing: 'print time per phase, analyzer and rule to stderr',
    threads: 'threads that parse files (default: 1 on 2 cores, else one per core up to 4, from 300 files on)',
    'chunk-files': 'past N YAML files, judge them N at a time to bound memory (0: never; default: 4000 past 8000; with a cache holding most models, 4000 or a tenth of them past 20000; not where the files left for chunks are few next to the context)',
    ...CACHE_OPTION_HELP,
    baseline: 'mark findings in this baseline (or saved result) baseline: true; they do not fail the run',
    history: 'append this run to a JSON Lines history file; reports show the trend',
    quiet: 'no progress bar and no summary on stderr',
  },
  async run(values, positionals) {
    const formats = parseFormats(str(values.format));
    const failOn = parseFailOn(values['fail-on']);
    const root = rootArgument('scan', positionals);
    const threads = str(values.threads) === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64)) throw new UsageError('--threads takes a whole number from 1 to 64');
    const chunkFiles = str(values['chunk-files']) === undefined ? undefined : Number(values['chunk-files']);
    if (chunkFiles !== undefined && (!Number.isInteger(chunkFiles) || chunkFiles < 0)) throw new UsageError('--chunk-files takes a whole number, 0 or more');
    // The history hooks (and the baseline, history and CI code they load) only for a run that has work for them.
    const hooks = values.baseline || values.history || process.env.GITHUB_STEP_SUMMARY ? await import('../../history/scan-hooks.js') : undefined;
    const tracked = hooks?.loadScanHistory({ baseline: str(values.baseline), history: str(values.history) }) ?? {};
    const progress = new Progress(!values.quiet && !!process.stderr.isTTY);
    const { result, timings, json } = await scanDetailed({
      root,
      configFile: str(values.config),
      useGit: !values['no-git'],
      baseline: tracked.baseline,
      cache: !values['no-cache'],
      threads,
      chunkFiles,
      onProgress: (done, total, phase) => {
        limitHeapGrowth();
        if (phase !== 'walk') progress.update(phase === 'chunks' ? 'judging YAML in chunks' : 'scanning', done, total);
      },
    });
    progress.clear();
    const written = await writeReports(result, values, formats, tracked.history, json);
    if (hooks) await hooks.finishScan(result, root, tracked);
    if (tracked.baseline && tracked.baseline.size > 0 && result.summary.baseline === 0 && result.findings.some((f) => !f.suppressed)) {
      process.stderr.write(
        'footprint scan: no finding matches the baseline; if it was made with another fingerprint key (fingerprintKey / FOOTPRINT_FINGERPRINT_KEY) or before files moved, every finding counts as new\n',
      );
    }
    if (!values.quiet) process.stderr.write(summaryLine(result) + summaryTable(result, colorEnabled(), written));
    if (values.timing) printTimings(timings);
    return exitCodeFor(result, failOn);
  },
};
