import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { cannedHistory, cannedResult } from './helpers/report-fixtures.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

const TEMPLATES = path.join(REPO_ROOT, 'templates');

function templateFiles(dir = TEMPLATES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templateFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('HTML templates', () => {
  it('never use triple-stash or raw blocks, and the page script never parses markup', () => {
    const files = templateFiles();
    expect(files.map((f) => path.relative(TEMPLATES, f)).sort()).toContain('report.html.hbs');
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('{{{');
      expect(text, file).not.toMatch(/\{\{\s*&/);
    }
    const script = readFileSync(path.join(TEMPLATES, 'report.js'), 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(script).not.toContain('{{');
  });
});

describe('renderHtml', () => {
  const mixed = cannedResult('mixed');
  const html = renderHtml(mixed);

  it('is one self-contained page: inline style and script, nothing fetched', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|\bsrc=/i);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('pins its own script and style by hash in a Content-Security-Policy', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!
      .replace(/&#x27;/g, "'")
      .replace(/&#x3D;/g, '=');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)};`);
    expect(csp).toContain(`style-src ${hash(style)};`);
    expect(csp).toMatch(/^default-src 'none';/);
  });

  it('shows the counts of the result', () => {
    expect(html).toContain(`data-testid="total-open">${mixed.summary.findings}<`);
    for (const [severity, n] of Object.entries(mixed.summary.bySeverity)) expect(html).toContain(`data-testid="severity-${severity}">${n}<`);
    const open = mixed.findings.filter((f) => !f.suppressed);
    expect(html.match(/<article class="finding /g)).toHaveLength(open.length);
    expect(html.match(/<section class="rule" /g)).toHaveLength(Object.keys(mixed.summary.byRule).length);
    expect(html.match(/<tr class="inv-/g)).toHaveLength(mixed.inventory.length);
  });

  it('groups findings by rule with location, resource, environment, evidence and a before/after snippet', () => {
    const section = html.slice(html.indexOf('id="rule-inline-credential-in-values"'));
    const article = section.slice(section.indexOf('<article'), section.indexOf('</article>'));
    expect(article).toContain('<code class="where">values/_shared/apps/web.yaml:14</code>');
    expect(article).toContain('env: shared');
    expect(article).toContain('value <code>we…(23 chars)</code> (redacted)');
    expect(article).toContain('Before / after: Point the chart at the Keycloak-generated client secret');
    expect(article).toMatch(/<button type="button" class="copy" data-copy="snippet-\d+">Copy<\/button>/);
    expect(article).toContain('oidc:\n  clientSecret: &quot;&quot;\n  existingSecret: web-auth\n</code>');
  });

  it('has a compliance row per origin class that occurs', () => {
    expect(html).toMatch(/<tr class="status-attention" data-origin="cluster-operator">/);
    expect(html).toMatch(/<tr class="status-compliant" data-origin="build-time">/);
    expect(html).toMatch(/<tr class="status-empty" data-origin="test">/);
  });

  it('draws the trend only when history is given, one dot per run', () => {
    expect(html).not.toContain('id="trend"');
    const withTrend = renderHtml(mixed, { history: cannedHistory() });
    expect(withTrend).toContain('id="trend"');
    expect(withTrend.match(/<circle class="dot"/g)).toHaveLength(cannedHistory().length + 1);
    expect(withTrend).toContain('<title>2026-03-02 09:30Z: 10 open</title>');
    expect(withTrend).toMatch(/<polyline class="line-total" points="[\d., ]+"><\/polyline>/);
    expect(withTrend).toContain('<strong>2 new findings</strong>, <strong>0 fixed findings</strong>');
  });

  it('renders an empty result', () => {
    const empty = renderHtml(cannedResult('empty'));
    expect(empty).toContain('<p class="empty">No open findings.</p>');
    expect(empty).toContain('No secret resources were inventoried.');
  });

  it('escapes every planted string and never evaluates template syntax in data', () => {
    const planted = cannedResult('mixed');
    const f = planted.findings[0]!;
    f.file = 'charts/"><img src=x onerror=alert(1)>/<script>alert(2)</script>.yaml';
    f.message = '{{7*7}} {{> style}} <b onmouseover=alert(3)>';
    f.resource = { kind: 'Secret', name: "' onfocus='alert(4)" };
    f.remediation.replacement = { language: '"><script>', title: '</code></pre><script>alert(5)</script>', snippet: '</code><img src=x onerror=alert(6)>' };
    const out = renderHtml(planted);
    expect(out).not.toMatch(/<img|<script>alert|<b onmouseover|onfocus='/);
    expect(out).toContain('{{7*7}} {{&gt; style}} &lt;b onmouseover&#x3D;alert(3)&gt;');
    expect(out).toContain('&lt;script&gt;alert(2)&lt;/script&gt;.yaml');
    expect(out).toContain('&#x27; onfocus&#x3D;&#x27;alert(4)');
  });
});

describe('renderHtml suppressions', () => {
  it('has a Suppressions section with the problems and the suppressed findings, and the diagnostics without them', () => {
    const result = cannedResult('mixed');
    result.diagnostics.push({ file: 'footprint.config.yaml', code: 'suppression-stale', ruleId: 'sealed-secret-manifest', message: 'suppressions[1] matches no finding; remove it' });
    const html = renderHtml(result);
    expect(html).toContain('<a href="#suppressions">Suppressions</a>');
    const section = html.slice(html.indexOf('<section id="suppressions"'), html.indexOf('</section>', html.indexOf('<section id="suppressions"')));
    expect(section).toContain('<span class="pill warn">stale</span>');
    expect(section).toContain('e2e personas are generated per run');
    expect(section).toContain('1 suppressed finding');
    const diagnostics = html.slice(html.indexOf('<section id="diagnostics"'));
    expect(diagnostics).not.toContain('suppression-stale');
    expect(diagnostics).toContain('Diagnostics <span class="muted">(2)</span>');
  });

  it('has no Suppressions section when nothing is suppressed', () => {
    const html = renderHtml(cannedResult('example-platform'));
    expect(html).not.toContain('id="suppressions"');
  });
});
