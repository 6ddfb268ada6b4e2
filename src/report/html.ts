import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { ScanResult } from '../types.js';
import { packageFile } from '../util/package.js';
import type { RenderOptions } from './index.js';
import { buildView, type ReportView } from './view-model.js';

/** Helpers are registered by name on a private instance; templates may call nothing else (knownHelpersOnly). */
const HELPERS: Record<string, Handlebars.HelperDelegate> = {
  plural: (count: unknown, one: unknown, many: unknown) => {
    const n = Number(count);
    const singular = String(one);
    const pluralForm = typeof many === 'string' ? many : `${singular}s`;
    return `${n} ${n === 1 ? singular : pluralForm}`;
  },
  eq: (a: unknown, b: unknown) => a === b,
  or: (a: unknown, b: unknown) => Boolean(a) || Boolean(b),
};

/** Partials: the page's own CSS and JS (trusted, static), and markup pieces. Names map to files under templates/. */
const PARTIALS: Record<string, string> = {
  style: 'report.css',
  script: 'report.js',
  summary: 'partials/summary.hbs',
  compliance: 'partials/compliance.hbs',
  trend: 'partials/trend.hbs',
  trendSeries: 'partials/trend-series.hbs',
  findings: 'partials/findings.hbs',
  suppressions: 'partials/suppressions.hbs',
  finding: 'partials/finding.hbs',
  inventory: 'partials/inventory.hbs',
  diagnostics: 'partials/diagnostics.hbs',
};

interface Compiled {
  template: Handlebars.TemplateDelegate<HtmlView>;
  scriptHash: string;
  styleHash: string;
}

interface HtmlView extends ReportView {
  title: string;
  fullReportPath: string;
  csp: string;
}

let compiled: Compiled | undefined;

function templateText(name: string): string {
  return readFileSync(packageFile('templates', name), 'utf8');
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function compile(): Compiled {
  const hbs = Handlebars.create();
  const options: CompileOptions = {
    strict: true,
    knownHelpersOnly: true,
    knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true])),
    preventIndent: true,
  };
  for (const [name, helper] of Object.entries(HELPERS)) hbs.registerHelper(name, helper);
  const raw: Record<string, string> = {};
  for (const [name, file] of Object.entries(PARTIALS)) {
    raw[name] = templateText(file);
    // CSS and JS contain no mustaches; compiling them keeps one mechanism and verifies that.
    hbs.registerPartial(name, hbs.compile(raw[name]!, options));
  }
  return {
    template: hbs.compile<HtmlView>(templateText('report.html.hbs'), options),
    scriptHash: cspHash(raw.script!),
    styleHash: cspHash(raw.style!),
  };
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

/**
 * One self-contained HTML page: inline CSS and JS, no network, works from file://. A Content-Security-Policy
 * allows only the page's own script and style (by hash), so even a markup injection could not run code.
 */
export function renderHtml(result: ScanResult, options: RenderOptions = {}): string {
  compiled ??= compile();
  const view: HtmlView = {
    ...buildView(result, options.history),
    csp: `default-src 'none'; script-src ${compiled.scriptHash}; style-src ${compiled.styleHash}; base-uri 'none'; form-action 'none'`,
    title: `Secret footprint report: ${result.summary.findings} open finding${result.summary.findings === 1 ? '' : 's'}`,
    fullReportPath: options.fullReportPath ?? '',
  };
  return compiled.template(view);
}
