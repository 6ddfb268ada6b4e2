import type { HistoryRecord } from '../history/types.js';
import type { ScanResult } from '../types.js';
import { UsageError } from '../util/errors.js';

export const FORMATS = ['json', 'md', 'html', 'sarif', 'github', 'gitlab'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  /** Markdown: truncate past this many characters with a pointer to the full report. Default 65,000. */
  mdMaxChars?: number;
  /** Markdown/HTML: where the full report lives, for the truncation note. */
  fullReportPath?: string;
  /** Earlier runs, oldest first, for trend charts and "new/fixed since last run". */
  history?: HistoryRecord[];
}

export type Reporter = (result: ScanResult, options: RenderOptions) => string;

/** Reporters are pure functions over one result, loaded lazily so a JSON-only run never loads Handlebars. */
const REPORTERS: Record<Format, () => Promise<Reporter>> = {
  json: async () => (await import('./json.js')).renderJson,
  md: async () => (await import('./markdown.js')).renderMarkdown,
  html: async () => (await import('./html.js')).renderHtml,
  sarif: async () => (await import('./sarif.js')).renderSarif,
  github: async () => (await import('./github.js')).renderGithub,
  gitlab: async () => (await import('./gitlab.js')).renderGitlab,
};

function notYet(format: string): Reporter {
  throw new UsageError(`--format ${format} is not available in this version yet; use --format json`);
}

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

export const EXTENSIONS: Record<Format, string> = { json: 'json', md: 'md', html: 'html', sarif: 'sarif', github: 'github.txt', gitlab: 'gitlab.json' };

/** Render a result in one format. */
export async function render(result: ScanResult, format: Format, options: RenderOptions = {}): Promise<string> {
  const reporter = await REPORTERS[format]();
  return reporter(result, options);
}
