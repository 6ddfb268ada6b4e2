import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { scan } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { cannedHistory, cannedResult } from './helpers/report-fixtures.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

/**
 * The HTML report in a real browser: Debian's Chromium driven by playwright-core (never a browser download).
 * Screenshots and the rendered reports go to FOOTPRINT_TEST_OUTPUT (default: <tmp>/footprint-test-output-<checkout>/
 * report-browser, one folder per checkout: two checkouts testing at once must not open each other's reports).
 */
const CHROMIUM = '/usr/bin/chromium';
const CHECKOUT = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 10);
const OUTPUT = path.join(process.env.FOOTPRINT_TEST_OUTPUT ?? path.join(tmpdir(), `footprint-test-output-${CHECKOUT}`), 'report-browser');

let browser: Browser;
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run does); the HTML report's browser test cannot run without a real browser`);
  }
  mkdirSync(OUTPUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function writeFile(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

interface Watched {
  page: Page;
  problems: string[];
  dialogs: string[];
  requests: string[];
}

/** A page that records console errors, page errors, CSP violations, dialogs and any request other than the report. */
async function open(file: string, options: { colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): Promise<Watched> {
  const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light', javaScriptEnabled: options.javaScriptEnabled ?? true, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  const page = await context.newPage();
  const watched: Watched = { page, problems: [], dialogs: [], requests: [] };
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watched.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watched.problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    watched.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) watched.requests.push(r.url());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url);
  return watched;
}

async function shownCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('shown-count').textContent());
}

async function visibleFindings(page: Page): Promise<number> {
  return page.locator('#findings article.finding:visible').count();
}

async function ruleCounts(page: Page): Promise<Record<string, number>> {
  return page.$$eval('#findings section.rule', (sections) =>
    Object.fromEntries(sections.filter((s) => !(s as HTMLElement).hidden).map((s) => [(s as HTMLElement).dataset.rule!, Number(s.querySelector('.rule-count')!.textContent)])),
  );
}

describe('HTML report in Chromium: planted markup never executes', () => {
  const PLANTED_SECRET = 'Zq8-planted-SECRET-value-4711';
  let result: ScanResult;
  let file: string;

  beforeAll(async () => {
    const root = tempDir('footprint-xss-');
    writeFile(
      root,
      'environments/staging/<script>alert(3)</script>.yaml',
      `apiVersion: v1
kind: Secret
metadata:
  name: "<script>window.__pwned=4</script>"
  namespace: "\\"><img src=x onerror=window.__pwned=5>"
stringData:
  password: "${PLANTED_SECRET}"
  "{{7*7}}": "<img src=x onerror=alert(7)>"
`,
    );
    writeFile(
      root,
      'environments/staging/"><img src=x onerror=alert(2)>.yaml',
      `apiVersion: v1
kind: Secret
metadata:
  name: "{{7*7}}"
  namespace: northwind
data:
  api-token: ${Buffer.from(PLANTED_SECRET).toString('base64')}
`,
    );
    writeFile(root, 'values/env/production/apps/{{7*7}}.yaml', `database:\n  password: "${PLANTED_SECRET}"\n  user: "<svg onload=window.__pwned=8>"\n`);
    // Suppression reasons, paths and owners are data too: an inline reason and a stale config entry with markup.
    writeFile(
      root,
      'manifests/suppressed.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: suppressed\n  namespace: northwind\nstringData:\n  # footprint-ignore inline-secret-manifest -- <img src=x onerror=window.__pwned=10> {{7*7}}\n  password: "${PLANTED_SECRET}"\n`,
    );
    writeFile(
      root,
      'footprint.config.yaml',
      `suppressions:\n  - rule: sealed-secret-manifest\n    path: "<script>window.__pwned=11</script>/**"\n    reason: "<b onmouseover=window.__pwned=12>kept</b> {{7*7}}"\n    owner: "\\"><img src=x onerror=window.__pwned=13>"\n`,
    );
    result = await scan({ root, useGit: false });
    file = path.join(OUTPUT, 'planted.html');
    writeFileSync(file, renderHtml(result));
  });

  it('the scan really carries the planted names into the report data', () => {
    const files = result.findings.map((f) => f.file);
    expect(files).toContain('environments/staging/<script>alert(3)</script>.yaml');
    expect(files).toContain('environments/staging/"><img src=x onerror=alert(2)>.yaml');
    expect(result.findings.find((f) => f.file === 'manifests/suppressed.yaml')?.suppressed?.reason).toBe('<img src=x onerror=window.__pwned=10> {{7*7}}');
    expect(result.diagnostics.map((d) => d.code)).toContain('suppression-stale');
    expect(result.findings.map((f) => f.resource?.name)).toEqual(expect.arrayContaining(['<script>window.__pwned=4</script>', '{{7*7}}']));
    expect(result.findings.map((f) => f.resource?.namespace)).toContain('"><img src=x onerror=window.__pwned=5>');
  });

  it('runs nothing, injects no element and shows the text literally', async () => {
    const { page, problems, dialogs, requests } = await open(file);
    await page.getByTestId('filter-text').fill('7*7');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('img, iframe, object, embed').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('svg').count()).toBe(0);
    const withHandlers = await page.$$eval('*', (els) => els.filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).map((el) => el.outerHTML.slice(0, 80)));
    expect(withHandlers).toEqual([]);
    await page.getByTestId('filter-text').fill('');
    const text = await page.locator('body').innerText();
    expect(text).toContain('environments/staging/<script>alert(3)</script>.yaml:');
    expect(text).toContain('environments/staging/"><img src=x onerror=alert(2)>.yaml:');
    expect(text).toContain('Secret "><img src=x onerror=window.__pwned=5>/<script>window.__pwned=4</script>');
    expect(text).toContain('Secret northwind/{{7*7}}');
    expect(text).not.toContain(PLANTED_SECRET);
    // The suppressions section shows the inline reason and the stale entry's path and owner as text.
    const suppressions = await page.locator('#suppressions').innerText();
    expect(suppressions).toContain('stale');
    expect(suppressions).toContain('<script>window.__pwned=11</script>/**');
    expect(suppressions).toContain('owner "><img src=x onerror=window.__pwned=13>');
    await page.locator('#suppressions details').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    expect(await page.locator('#suppressions details').innerText()).toContain('inline: <img src=x onerror=window.__pwned=10> {{7*7}}');
    expect(await page.locator('img, iframe, object, embed, b').count()).toBe(0);
    await page.screenshot({ path: path.join(OUTPUT, 'planted.png'), fullPage: true });
    await page.context().close();
  });

  it('the free-text filter matches planted text as plain text', async () => {
    const { page, problems } = await open(file);
    await page.getByTestId('filter-text').fill('<script>window.__pwned');
    expect(await shownCount(page)).toBe(1);
    expect(await visibleFindings(page)).toBe(1);
    await page.getByTestId('filter-text').fill('{{7*7}}');
    expect(await shownCount(page)).toBe(result.findings.filter((f) => !f.suppressed && JSON.stringify(f).includes('{{7*7}}')).length);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('HTML report in Chromium: the example platform', () => {
  let result: ScanResult;
  let file: string;

  beforeAll(async () => {
    result = await scan({ root: path.join(REPO_ROOT, 'fixtures', 'example-platform'), useGit: false });
    file = path.join(OUTPUT, 'example-platform.html');
    writeFileSync(file, renderHtml(result));
    writeFileSync(path.join(OUTPUT, 'example-platform.md'), renderMarkdown(result, { fullReportPath: 'example-platform.html' }));
    writeFileSync(path.join(OUTPUT, 'example-platform.json'), `${JSON.stringify(result, null, 2)}\n`);
  });

  it('shows the counts of the JSON result, with no console error and no request', async () => {
    expect(result.summary.findings).toBeGreaterThan(0);
    const { page, problems, requests } = await open(file);
    expect(Number(await page.getByTestId('total-open').textContent())).toBe(result.summary.findings);
    for (const [severity, n] of Object.entries(result.summary.bySeverity)) {
      expect(Number(await page.getByTestId(`severity-${severity}`).textContent()), severity).toBe(n);
    }
    expect(Number(await page.getByTestId('inventory-total').textContent())).toBe(result.inventory.length);
    expect(await shownCount(page)).toBe(result.summary.findings);
    expect(await visibleFindings(page)).toBe(result.summary.findings);
    expect(await ruleCounts(page)).toEqual(result.summary.byRule);
    expect(await page.locator('[data-testid="inventory-table"] tbody tr').count()).toBe(result.inventory.length);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: path.join(OUTPUT, 'example-platform-light.png'), fullPage: true });
    await page.context().close();
  });

  it('filters by severity, rule, environment and text, and the counts follow', async () => {
    const { page, problems } = await open(file);
    const open_ = result.findings.filter((f) => !f.suppressed);
    const severity = Object.entries(result.summary.bySeverity).find(([, n]) => n > 0 && n < result.summary.findings)?.[0] ?? open_[0]!.severity;
    await page.getByTestId('filter-severity').selectOption(severity);
    const expected = open_.filter((f) => f.severity === severity);
    expect(await shownCount(page)).toBe(expected.length);
    expect(await visibleFindings(page)).toBe(expected.length);
    const perRule: Record<string, number> = {};
    for (const f of expected) perRule[f.ruleId] = (perRule[f.ruleId] ?? 0) + 1;
    expect(await ruleCounts(page)).toEqual(perRule);
    expect(Number(await page.locator(`[data-severity-count="${severity}"]`).textContent())).toBe(expected.length);

    const env = open_[0]!.environment ?? '(none)';
    await page.getByTestId('filter-environment').selectOption(env);
    expect(await shownCount(page)).toBe(expected.filter((f) => (f.environment ?? '(none)') === env).length);

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => shownCount(page)).toBe(result.summary.findings);

    const target = open_[open_.length - 1]!;
    await page.getByTestId('filter-text').fill(target.file.toUpperCase());
    expect(await shownCount(page)).toBe(open_.filter((f) => f.file === target.file || f.message.toLowerCase().includes(target.file.toLowerCase())).length);
    await page.getByTestId('filter-text').fill('no-such-finding-anywhere');
    expect(await shownCount(page)).toBe(0);
    expect(await page.locator('#no-match').isVisible()).toBe(true);
    expect(await page.locator('#findings section.rule:visible').count()).toBe(0);

    await page.getByTestId('filter-text').fill('');
    await page.getByTestId('filter-rule').selectOption(open_[0]!.ruleId);
    expect(await shownCount(page)).toBe(result.summary.byRule[open_[0]!.ruleId]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('sorts the inventory table and copies a snippet', async () => {
    const { page, problems } = await open(file);
    const findingsColumn = page.locator('[data-testid="inventory-table"] thead th', { hasText: 'Findings' });
    await findingsColumn.getByRole('button').click();
    await findingsColumn.getByRole('button').click();
    expect(await findingsColumn.getAttribute('aria-sort')).toBe('descending');
    const firstCount = Number(await page.locator('[data-testid="inventory-table"] tbody tr').first().locator('td.findings-count').getAttribute('data-value'));
    expect(firstCount).toBe(Math.max(...result.inventory.map((e) => e.findings.length)));
    const kindColumn = page.locator('[data-testid="inventory-table"] thead th', { hasText: 'Kind' });
    await kindColumn.getByRole('button').click();
    const kinds = await page.locator('[data-testid="inventory-table"] tbody tr td:first-child').allTextContents();
    expect(kinds).toEqual([...kinds].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));

    const withSnippet = result.findings.find((f) => f.remediation.replacement)!;
    expect(withSnippet).toBeDefined();
    const fix = page.locator('details.fix').first();
    await fix.locator('summary').click();
    await fix.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => fix.locator('button.copy').textContent()).toBe('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await fix.locator('pre code[id^="snippet-"]').textContent());
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('is readable in dark mode and without JavaScript, and prints without the controls', async () => {
    const dark = await open(file, { colorScheme: 'dark' });
    const colors = await dark.page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
    expect(colors).toEqual(['rgb(18, 21, 28)', 'rgb(228, 232, 239)']);
    await dark.page.screenshot({ path: path.join(OUTPUT, 'example-platform-dark.png'), fullPage: true });
    await dark.page.emulateMedia({ media: 'print' });
    expect(await dark.page.locator('#filters').isVisible()).toBe(false);
    expect(await dark.page.locator('button.copy').first().isVisible()).toBe(false);
    expect(await dark.page.locator('p.shown').isVisible()).toBe(false);
    // A filtered view says so on paper.
    await dark.page.emulateMedia({ media: 'screen' });
    await dark.page.getByTestId('filter-severity').selectOption('critical');
    await dark.page.getByTestId('filter-text').fill('values/');
    await dark.page.emulateMedia({ media: 'print' });
    expect(await dark.page.locator('p.shown').isVisible()).toBe(true);
    expect(await dark.page.getByTestId('filter-note').textContent()).toBe(' (filtered by severity critical, text "values/")');
    expect(await visibleFindings(dark.page)).toBe(result.findings.filter((f) => !f.suppressed && f.severity === 'critical' && JSON.stringify(f).includes('values/')).length);
    expect(dark.problems).toEqual([]);
    await dark.page.context().close();

    const noJs = await open(file, { javaScriptEnabled: false });
    expect(await noJs.page.locator('#filters').isVisible()).toBe(false);
    expect(await visibleFindings(noJs.page)).toBe(result.summary.findings);
    expect(await noJs.page.locator('button.copy:visible').count()).toBe(0);
    expect(await noJs.page.locator('[data-testid="inventory-table"] tbody tr').count()).toBe(result.inventory.length);
    await noJs.page.context().close();
  });
});

describe('HTML report in Chromium: canned result with history', () => {
  it('draws the trend and filters by origin', async () => {
    const mixed = cannedResult('mixed');
    const file = path.join(OUTPUT, 'mixed-with-history.html');
    writeFileSync(file, renderHtml(mixed, { history: cannedHistory() }));
    const { page, problems } = await open(file);
    expect(await page.locator('#trend svg circle.dot').count()).toBe(cannedHistory().length + 1);
    expect(await page.getByTestId('trend-delta').textContent()).toContain('2 new findings');
    // The trend section renders: burn-down numbers, new findings, oldest footprint, small multiples.
    expect(await page.locator('#trend').isVisible()).toBe(true);
    expect(await page.getByTestId('burndown-current').textContent()).toBe('10');
    expect(await page.getByTestId('burndown-change').textContent()).toBe('−4');
    expect(await page.getByTestId('burndown-per-week').textContent()).toBe('−0.5');
    expect(await page.getByTestId('burndown-projection').textContent()).toBe('2026-07-20');
    expect(await page.getByTestId('trend-new').locator('li').count()).toBe(2);
    expect(await page.getByTestId('trend-oldest').innerText()).toContain('56 days (8 weeks)');
    expect(await page.getByTestId('trend-origins').locator('figure.multiple:visible').count()).toBe(6);
    expect(await page.getByTestId('trend-rules').locator('figure.multiple:visible').count()).toBe(5);
    expect(await page.getByTestId('trend-steady-rules').locator('figure.multiple:visible').count()).toBe(0);
    await page.getByTestId('trend-steady-rules').locator('summary').click();
    expect(await page.getByTestId('trend-steady-rules').locator('figure.multiple:visible').count()).toBe(2);
    const spark = await page.locator('[data-series="build-time"] polyline.spark').boundingBox();
    expect(spark!.width).toBeGreaterThan(100);
    // A new-finding link lands on its finding.
    await page.getByTestId('trend-new').locator('a').first().click();
    expect(await page.evaluate(() => location.hash)).toBe('#finding-3');
    await page.locator('#trend').screenshot({ path: path.join(OUTPUT, 'mixed-trend-light.png') });
    await page.getByTestId('filter-origin').selectOption('cluster-operator');
    const expected = mixed.findings.filter((f) => !f.suppressed && f.origin === 'cluster-operator').length;
    expect(await shownCount(page)).toBe(expected);
    expect(await visibleFindings(page)).toBe(expected);
    expect(problems).toEqual([]);
    await page.getByTestId('filter-origin').selectOption('');
    await page.screenshot({ path: path.join(OUTPUT, 'mixed-with-history-light.png'), fullPage: true });
    await page.context().close();
    const dark = await open(file, { colorScheme: 'dark' });
    expect(await dark.page.locator('[data-series="build-time"] polyline.spark').evaluate((el) => getComputedStyle(el).stroke)).toBe('rgb(126, 166, 255)');
    await dark.page.screenshot({ path: path.join(OUTPUT, 'mixed-with-history-dark.png'), fullPage: true });
    await dark.page.locator('#trend').screenshot({ path: path.join(OUTPUT, 'mixed-trend-dark.png') });
    await dark.page.emulateMedia({ media: 'print' });
    expect(await dark.page.getByTestId('trend-rules').isVisible()).toBe(true);
    expect(dark.problems).toEqual([]);
    await dark.page.context().close();
    const noJs = await open(file, { javaScriptEnabled: false });
    expect(await noJs.page.getByTestId('burndown-projection').textContent()).toBe('2026-07-20');
    expect(await noJs.page.getByTestId('trend-rules').locator('figure.multiple:visible').count()).toBe(5);
    await noJs.page.getByTestId('trend-steady-rules').locator('summary').click();
    expect(await noJs.page.getByTestId('trend-steady-rules').locator('figure.multiple:visible').count()).toBe(2);
    await noJs.page.context().close();
  });
});
