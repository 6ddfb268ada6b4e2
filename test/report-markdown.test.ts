import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fenced, mdText, renderMarkdown, snippetShape } from '../src/report/markdown.js';
import { scan } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { REPO_ROOT } from './helpers/run-fixture.js';
import { resultProblems } from '../src/result/validate.js';
import { cannedHistory, cannedResult, manyFindings } from './helpers/report-fixtures.js';

describe('renderMarkdown', () => {
  const mixed = cannedResult('mixed');
  const md = renderMarkdown(mixed);

  it('opens with a summary table whose total is the open finding count', () => {
    expect(md.startsWith('# Secret footprint report\n')).toBe(true);
    expect(md).toContain('| Severity | Open findings |');
    expect(md).toContain(`| **Total** | **${mixed.summary.findings}** |`);
    expect(md).toContain(`| Critical | ${mixed.summary.bySeverity.critical} |`);
  });

  it('has a compliance table by origin class', () => {
    expect(md).toContain('## Compliance by origin class');
    const row = md.split('\n').find((l) => l.startsWith('| CNPG-owned'))!;
    // 8 CNPG entries in the example inventory plus 2 flagged ones added to the canned result.
    const cnpgEntries = mixed.inventory.filter((e) => e.origin === 'cluster-operator');
    const flagged = cnpgEntries.filter((e) => e.findings.length > 0).length;
    const openCnpg = mixed.findings.filter((f) => !f.suppressed && f.origin === 'cluster-operator').length;
    const percent = Math.round(((cnpgEntries.length - flagged) / cnpgEntries.length) * 100);
    expect(row).toContain(`| ${cnpgEntries.length} | ${cnpgEntries.length - flagged} | ${flagged} | ${percent}% | ${openCnpg} | ⚠️ needs work |`);
    expect(md).toMatch(/\| Build-time \| BuildKit secret mounts \| 1 \| 1 \| 0 \| 100% \| 0 \| ✅ compliant \|/);
  });

  it('has one section per rule with a checklist item per owning chart or file', () => {
    const rules = Object.keys(mixed.summary.byRule);
    for (const rule of rules) expect(md).toContain(`### \`${rule}\`: `);
    // The orders chart owns its template finding; the values file is its own item.
    expect(md).toContain('- [ ] **chart `charts/orders`** (1 finding)');
    expect(md).toContain('- [ ] **`values/env/staging/apps/orders.yaml`** (1 finding)');
    const items = md.split('\n').filter((l) => l.startsWith('- [ ] '));
    expect(items.length).toBeGreaterThanOrEqual(rules.length);
  });

  it('puts replacement snippets in fenced blocks inside <details>', () => {
    expect(md).toContain('<details><summary>Suggested replacement</summary>');
    expect(md).toContain('```yaml\noidc:\n  clientSecret: ""\n  existingSecret: web-auth\n```');
  });

  it('lists suppressed findings and diagnostics collapsed, with reasons', () => {
    expect(md).toMatch(/<details><summary>1 suppressed finding<\/summary>[\s\S]*e2e personas are generated per run/);
    expect(md).toContain('`parse-error` `charts/legacy/templates/broken.yaml:12`: unterminated flow mapping');
  });

  it('moves owners past the eighth into a <details> block', () => {
    const md40 = renderMarkdown(manyFindings(12), { mdMaxChars: 1_000_000 });
    const section = md40.slice(md40.indexOf('### `inline-credential-in-values`'));
    const head = section.slice(0, section.indexOf('<details>'));
    expect(head.split('\n').filter((l) => l.startsWith('- [ ] ')).length).toBe(8);
    expect(section).toMatch(/<details><summary>\d+ more owners \(\d+ findings\)<\/summary>/);
  });

  it('renders a trend table only when history is given', () => {
    expect(md).not.toContain('## Trend');
    const withHistory = renderMarkdown(mixed, { history: cannedHistory() });
    expect(withHistory).toContain('## Trend');
    expect(withHistory).toContain('| 2026-01-05 09:00Z | 14 |');
    expect(withHistory).toMatch(/\| 2026-03-02 09:30Z \(this run\) \| 10 \| .* \| 2 \| 0 \|/);
    expect(withHistory).toContain('Previous run 2026-02-16 09:00Z: 2 new findings, 0 fixed findings (open 8 → 10).');
  });

  it('does not add the current run twice when history already ends with it', () => {
    const history = cannedHistory();
    const last = { ...history[history.length - 1]!, time: mixed.generatedAt };
    const text = renderMarkdown(mixed, { history: [...history.slice(0, -1), last] });
    expect(text.match(/^\| [^|]*\(this run\) \| \d+ \| \d+ \| \d+ \|/gm)).toHaveLength(1);
    expect(text).not.toContain('2026-02-16');
  });

  it('says so when nothing is open', () => {
    const empty = renderMarkdown(cannedResult('empty'));
    expect(empty).toContain('No open findings.');
    expect(empty).toContain('| **Total** | **0** |');
  });
});

describe('compact findings and one snippet per distinct change', () => {
  /** Three findings of one rule: two with the same snippet, one with the same change for other names, one of another kind. */
  function withSnippets(): ScanResult {
    const result = cannedResult('mixed');
    const base = result.findings.find((f) => !f.suppressed)!;
    const es = (name: string) => `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: ${name}\nspec:\n  target:\n    name: ${name}\n`;
    const make = (file: string, line: number, snippet: string, language = 'yaml') => ({
      ...base,
      ruleId: 'inline-secret-manifest',
      file,
      line,
      fingerprint: `v1:${String(line).padStart(64, '0')}`,
      suppressed: undefined,
      remediation: { text: 'Replace the Secret with an ExternalSecret.', replacement: { language, title: `ExternalSecret for line ${line}`, snippet } },
    });
    result.findings = [
      make('deploy/a/secret.yaml', 3, es('orders-db')),
      make('deploy/a/secret.yaml', 9, es('orders-db')),
      make('deploy/b/secret.yaml', 4, es('billing-api')),
      make('deploy/c/job.sh', 7, 'kubectl apply -f externalsecret.yaml\nkubectl wait --for=condition=Ready externalsecret/orders-db --timeout=120s\nkubectl get secret orders-db -o name\n', 'shell'),
    ];
    result.summary = { ...result.summary, findings: 4, suppressed: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0, [base.severity]: 4 } };
    return result;
  }

  it('names the line only when the owner line above names the file', () => {
    const md = renderMarkdown(withSnippets());
    expect(md).toContain('- [ ] **`deploy/a/secret.yaml`** (2 findings)');
    expect(md).toMatch(/^ {2}- `\w+` · line 3 · /m);
    expect(md).not.toMatch(/^ {2}- `\w+` · `deploy\/a\/secret\.yaml:3`/m);
    // A chart owns several files: its findings keep their path.
    expect(renderMarkdown(cannedResult('mixed'))).toMatch(/- \[ \] \*\*chart `charts\/orders`\*\* \(1 finding\)\n {2}- `\w+` · `charts\/orders\/templates\/[^`]+:\d+`/);
  });

  it('shows an identical snippet once for all its findings, a same-shape snippet as the same change for other names, another kind apart', () => {
    const md = renderMarkdown(withSnippets());
    expect(md).toContain('<details><summary>Suggested replacements (2)</summary>');
    expect(md.match(/kind: ExternalSecret/g)).toHaveLength(1);
    expect(md).toContain('ExternalSecret for line 3 (for `deploy/a/secret.yaml:3`, `deploy/a/secret.yaml:9`):');
    expect(md).toContain('The same change with their own names for `deploy/b/secret.yaml:4`');
    expect(md).toContain('```shell\nkubectl apply -f externalsecret.yaml\nkubectl wait');
    expect(snippetShape('yaml', 'name: a\nkey: x-1\n')).toBe(snippetShape('yaml', 'name: bcd\nkey: y\n'));
    expect(snippetShape('yaml', 'name: a\n')).not.toBe(snippetShape('yaml', 'title: a\n'));
    expect(snippetShape('go', 'password := os.Getenv("DB_PASSWORD")\nif password == "" {\n')).toBe(snippetShape('go', 'apiKey := os.Getenv("API_KEY")\nif apiKey == "" {\n'));
    expect(snippetShape('go', 'Password string `envconfig:"A" required:"true"`')).toBe(snippetShape('go', 'DSN string `envconfig:"B_URL" required:"true"`'));
    expect(snippetShape('shell', 'kubectl apply -f x.yaml')).not.toBe(snippetShape('shell', 'kubectl wait --for=condition=Ready x'));
  });

  it('drops snippet variants before it cuts a finding', () => {
    const result = withSnippets();
    const full = renderMarkdown(result, { mdMaxChars: 1_000_000 });
    const md = renderMarkdown(result, { mdMaxChars: full.length - 1 });
    expect(md.length).toBeLessThan(full.length);
    expect(md).not.toContain('**Truncated:**');
    expect(md.split('\n').filter((l) => /^ {2}- `\w+` · /.test(l))).toHaveLength(4);
    expect(md).toContain('1 other kind of change, left out for length, for `deploy/c/job.sh:7`');
  });

  it('lists every finding of the example platform within GitHub\'s limit', async () => {
    const result = await scan({ root: path.join(REPO_ROOT, 'fixtures', 'example-platform'), useGit: false });
    const md = renderMarkdown(result, { fullReportPath: 'footprint.html' });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).not.toContain('**Truncated:**');
    expect(md.split('\n').filter((l) => /^ {2}- `(critical|high|medium|low|info)` · /.test(l))).toHaveLength(result.summary.findings);
  });
});

describe('renderMarkdown truncation', () => {
  const big = manyFindings(60);

  it('stays within --md-max-chars, cuts at an owner boundary and says where the full report is', () => {
    expect(resultProblems(big)).toEqual([]);
    const full = renderMarkdown(big, { mdMaxChars: 10_000_000 });
    expect(full.length).toBeGreaterThan(65_000);
    const cut = renderMarkdown(big, { fullReportPath: 'footprint.html' });
    expect(cut.length).toBeLessThanOrEqual(65_000);
    expect(cut).toMatch(/\*\*Truncated:\*\* this report exceeded 65000 characters, so it shows \d+ of 600 open findings\. See the full report: `footprint\.html`\./);
    // Nothing is left open: every <details> is closed and fences are balanced.
    expect(cut.split('<details>').length).toBe(cut.split('</details>').length);
    expect((cut.match(/^```/gm) ?? []).length % 2).toBe(0);
    const lastItem = cut.lastIndexOf('- [ ] ');
    expect(cut.slice(lastItem).split('\n')[0]).toMatch(/\(\d+ findings?\)$/);
  });

  it('honours a small limit and counts the findings it shows', () => {
    const cut = renderMarkdown(big, { mdMaxChars: 4000 });
    expect(cut.length).toBeLessThanOrEqual(4000);
    const shown = Number(/shows (\d+) of/.exec(cut)![1]);
    const listed = cut.split('\n').filter((l) => /^ {2}- `(critical|high|medium|low|info)`/.test(l)).length;
    expect(shown).toBe(listed);
    expect(cut).toContain('Render the full report with `footprint render RESULT.json --format html`.');
  });
});

describe('Markdown escaping', () => {
  it('turns HTML and Markdown syntax in data into literal text', () => {
    expect(mdText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mdText('a|b *c* [x](y) `z`\nnext')).toBe('a\\|b \\*c\\* \\[x\\](y) \\`z\\` next');
    expect(mdText('"><img src=x onerror=alert(1)>')).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('fences content with a fence longer than any backtick run inside', () => {
    expect(fenced('yaml', 'a: ```\n')).toBe('````yaml\na: ```\n````');
    expect(fenced('bad lang"', 'x')).toBe('```\nx\n```');
  });

  it('keeps planted markup in names inert', () => {
    const result = cannedResult('mixed');
    const f = result.findings[0]!;
    f.file = 'charts/<script>alert(1)</script>/templates/"><img src=x onerror=alert(2)>.yaml';
    f.message = 'Secret {{7*7}} <b>bold</b> | pipe';
    f.resource = { kind: 'Secret', name: '<img src=x onerror=alert(3)>' };
    const text = renderMarkdown(result);
    // Code spans are rendered literally; everywhere else markup must arrive as entities.
    const outsideCode = text.replace(/`[^`\n]*`/g, '');
    expect(outsideCode).not.toMatch(/<script|<img|<b>/);
    expect(text).toContain('`charts/<script>alert(1)</script>/templates/"><img src=x onerror=alert(2)>.yaml:');
    expect(text).toContain('{{7\\*7}} &lt;b&gt;bold&lt;/b&gt; \\| pipe');
  });
});

describe('Suppressions in the reports', () => {
  const withProblems = (): ReturnType<typeof cannedResult> => {
    const result = cannedResult('mixed');
    result.diagnostics.push(
      { file: 'footprint.config.yaml', code: 'suppression-expired', ruleId: 'secret-in-configmap', message: 'suppressions[0] (rule secret-in-configmap) expired on 2026-01-31; 2 findings are reported again' },
      { file: 'footprint.config.yaml', code: 'suppression-stale', ruleId: 'sealed-secret-manifest', message: 'suppressions[1] (rule sealed-secret-manifest) matches no finding; remove it' },
      { file: 'scripts/a.sh', line: 3, code: 'config', message: 'footprint-ignore needs a rule id and a reason ("footprint-ignore RULE -- reason"); not applied' },
    );
    return result;
  };

  it('lists expired, stale and unusable suppressions openly, apart from the coverage diagnostics', () => {
    const md = renderMarkdown(withProblems());
    const section = md.slice(md.indexOf('## Suppressions'), md.indexOf('## Findings by rule'));
    expect(section).toContain('1 suppressed finding (kept in the result, not counted as open) · 3 suppression problems');
    expect(section).toContain('- **expired** `footprint.config.yaml`: suppressions\\[0\\] (rule secret-in-configmap) expired on 2026-01-31');
    expect(section).toContain('- **stale** `footprint.config.yaml`:');
    expect(section).toContain('- **unusable comment** `scripts/a.sh:3`: footprint-ignore needs a rule id');
    const diagnostics = md.slice(md.indexOf('## Diagnostics'));
    expect(diagnostics).toContain('<summary>2 diagnostics: files footprint could not fully analyse');
    expect(diagnostics).not.toContain('suppression');
    expect(md).toContain('1 suppressed finding (3 suppression problems)');
  });

  it('keeps the suppression problems when the findings are truncated', () => {
    const result = withProblems();
    const many = manyFindings(400);
    const md = renderMarkdown({ ...many, diagnostics: result.diagnostics }, { mdMaxChars: 8_000 });
    expect(md).toContain('**Truncated:**');
    expect(md).toContain('- **expired** `footprint.config.yaml`');
  });

  it('puts the rule description under each rule heading', () => {
    const md = renderMarkdown(cannedResult('mixed'));
    expect(md).toMatch(/### `inline-secret-manifest`[^\n]*\n\n_A Kubernetes Secret committed with literal credential values \(a manifest, a Kustomize secretGenerator, the template of an ExternalSecret, a Pulumi or cdk8s program, literal defaults of its config reads included, an Ansible k8s task, a Terraform Kubernetes provider resource\)\._/);
  });
});
