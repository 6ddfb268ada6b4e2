import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_DIR } from '../src/cache/parse-cache.js';
import { renderedBody, RESULT_FILE, resultKey, statListing } from '../src/cache/result-cache.js';
import { rowFinder } from '../src/util/row-finder.js';
import { render } from '../src/report/index.js';
import { statSourceSync } from '../src/scan/read.js';
import { RULES } from '../src/rules/index.js';
import { scanDetailed, type ScanOptions } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { TEST_ROOT } from './helpers/run-fixture.js';

const EXAMPLE = path.join(TEST_ROOT, '..', 'fixtures', 'example-platform');
const NOW = new Date('2025-01-01T00:00:00Z');
const HOUR_AGO = (Date.now() - 3_600_000) / 1000;
const temps: string[] = [];

/** Set every file's mtime in the past, as in a checkout that was not touched since: results may be stored. */
function age(root: string, seconds = HOUR_AGO): void {
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) utimesSync(p, seconds, seconds);
    }
  }
}

function copyExample(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fp-result-cache-test-'));
  temps.push(dir);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes(CACHE_DIR) });
  age(dir);
  return dir;
}

async function run(root: string, extra: Partial<ScanOptions> = {}) {
  return scanDetailed({ root, cache: true, useGit: false, now: NOW, ...extra });
}

/** A fresh scan without any cache: the reference every cached result must equal. */
async function fresh(root: string, extra: Partial<ScanOptions> = {}): Promise<ScanResult> {
  return (await scanDetailed({ root, cache: false, useGit: false, now: NOW, ...extra })).result;
}

function comparable(result: ScanResult): unknown {
  return JSON.parse(JSON.stringify({ ...result, generatedAt: undefined }));
}

/** Write a file with an old mtime (so the result can be stored again). */
function writeOld(file: string, text: string): void {
  writeFileSync(file, text);
  utimesSync(file, HOUR_AGO + 60, HOUR_AGO + 60);
}

/** The result file: a JSON header line, then the body (raw scan or rendered result). */
function readStoredFile(file: string): { header: { body: string; at?: number } & Record<string, unknown>; body: string } {
  const text = readFileSync(file, 'utf8');
  const newline = text.indexOf('\n');
  return { header: JSON.parse(text.slice(0, newline)) as { body: string }, body: text.slice(newline + 1) };
}

function writeStoredFile(file: string, header: object, body: string): void {
  writeFileSync(file, `${JSON.stringify(header)}\n${body}`);
}

const INLINE_SECRET = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: late-db\nstringData:\n  password: s3cr3t-Value-91\n';

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('whole-result cache', () => {
  it('reuses the result of an unchanged tree without parsing or running rules, identical to a scan without cache', async () => {
    const root = copyExample();
    const first = await run(root);
    expect(first.timings.result).toBe('stored');
    expect(statSync(path.join(root, CACHE_DIR, RESULT_FILE)).isFile()).toBe(true);
    const second = await run(root);
    expect(second.timings.result).toBe('reused');
    expect(second.timings.cache).toBeUndefined(); // the parse cache was not even opened
    expect(second.timings.parse).toEqual({});
    expect(second.timings.rules).toEqual({});
    const reference = await fresh(root);
    expect(reference.findings.length).toBeGreaterThan(10);
    expect(comparable(second.result)).toEqual(comparable(reference));
    expect(comparable(first.result)).toEqual(comparable(reference));
  });

  it('is invalidated by a modified file (same size), a touched file, an added file and a removed file', async () => {
    const root = copyExample();
    await run(root);
    const target = path.join(root, 'manifests', 'late.yaml');

    writeOld(target, INLINE_SECRET);
    const added = await run(root);
    expect(added.timings.result).toBe('stored');
    expect(added.result.findings.some((f) => f.file === 'manifests/late.yaml')).toBe(true);
    expect(comparable(added.result)).toEqual(comparable(await fresh(root)));
    expect((await run(root)).timings.result).toBe('reused');

    // Same size, different content: the mtime differs.
    writeFileSync(target, INLINE_SECRET.replace('s3cr3t-Value-91', 's3cr3t-Value-92'));
    utimesSync(target, HOUR_AGO + 120, HOUR_AGO + 120);
    const modified = await run(root);
    expect(modified.timings.result).toBe('stored');
    const fingerprints = (r: ScanResult) => r.findings.filter((f) => f.file === 'manifests/late.yaml').map((f) => f.fingerprint);
    expect(fingerprints(modified.result)).not.toEqual(fingerprints(added.result));
    expect(comparable(modified.result)).toEqual(comparable(await fresh(root)));

    // Only the mtime changed: recomputed (stat is the identity), same result.
    utimesSync(target, HOUR_AGO + 180, HOUR_AGO + 180);
    const touched = await run(root);
    expect(touched.timings.result).toBe('stored');
    expect(comparable(touched.result)).toEqual(comparable(modified.result));

    unlinkSync(target);
    const removed = await run(root);
    expect(removed.timings.result).toBe('stored');
    expect(removed.result.findings.some((f) => f.file === 'manifests/late.yaml')).toBe(false);
    expect(comparable(removed.result)).toEqual(comparable(await fresh(root)));
  });

  it('is not stored while files are younger than the racy window, so a same-tick edit is never missed', async () => {
    const root = copyExample();
    writeFileSync(path.join(root, 'manifests', 'late.yaml'), INLINE_SECRET); // mtime: now
    const first = await run(root);
    expect(first.timings.result).toBe('not-stored');
    const second = await run(root);
    expect(second.timings.result).toBe('not-stored');
    expect(second.timings.cache?.hits).toBeGreaterThan(0); // the parse cache still works
    expect(comparable(second.result)).toEqual(comparable(await fresh(root)));
  });

  it('is invalidated by a config change and by a different rule set', async () => {
    const root = copyExample();
    const first = await run(root);
    const byRule = first.result.summary.byRule;
    const rule = Object.keys(byRule)[0]!;
    writeOld(path.join(root, 'footprint.config.yaml'), `rules:\n  ${rule}: off\n`);
    const configured = await run(root);
    expect(configured.timings.result).toBe('stored');
    expect(configured.result.summary.byRule[rule]).toBeUndefined();
    expect(comparable(configured.result)).toEqual(comparable(await fresh(root)));

    const subset = RULES.filter((r) => r.meta.id !== Object.keys(configured.result.summary.byRule)[0]);
    const fewer = await run(root, { rules: subset });
    expect(fewer.timings.result).toBe('stored');
    expect(comparable(fewer.result)).toEqual(comparable(await fresh(root, { rules: subset })));
    expect((await run(root)).timings.result).toBe('stored'); // back to every rule: the slot held the subset
  });

  it('applies suppressions, their expiry and the baseline after reuse, never from the stored result', async () => {
    const root = copyExample();
    const first = await run(root);
    const finding = first.result.findings[0]!;
    writeOld(
      path.join(root, 'footprint.config.yaml'),
      `suppressions:\n  - rule: ${finding.ruleId}\n    fingerprint: ${finding.fingerprint}\n    reason: accepted until the migration lands\n    expires: '2025-06-30'\n`,
    );
    const stored = await run(root);
    expect(stored.timings.result).toBe('stored');
    const reused = await run(root);
    expect(reused.timings.result).toBe('reused');
    const suppressed = (r: ScanResult) => r.findings.find((f) => f.fingerprint === finding.fingerprint)?.suppressed;
    expect(suppressed(reused.result)).toBeDefined();
    expect(comparable(reused.result)).toEqual(comparable(await fresh(root)));

    // Same tree and config, a later "today": the entry has expired and the finding is reported again.
    const later = new Date('2025-08-01T00:00:00Z');
    const expired = await run(root, { now: later });
    expect(expired.timings.result).toBe('reused');
    expect(suppressed(expired.result)).toBeUndefined();
    expect(expired.result.diagnostics.some((d) => d.message.includes('expired'))).toBe(true);
    expect(comparable(expired.result)).toEqual(comparable(await fresh(root, { now: later })));

    const baseline = [first.result.findings[1]!.fingerprint];
    const withBaseline = await run(root, { baseline });
    expect(withBaseline.timings.result).toBe('reused');
    expect(withBaseline.result.summary.baseline).toBe(1);
    expect(comparable(withBaseline.result)).toEqual(comparable(await fresh(root, { baseline })));
    const without = await run(root);
    expect(without.timings.result).toBe('reused');
    expect(without.result.summary.baseline).toBe(0);
  });

  it('re-applies an inline footprint-ignore added to a file (the file changed, so the result is recomputed)', async () => {
    const root = copyExample();
    const first = await run(root);
    const finding = first.result.findings.find((f) => /\.ya?ml$/.test(f.file))!;
    const file = path.join(root, finding.file);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(finding.line - 1, 0, `# footprint-ignore ${finding.ruleId} -- accepted for the test`);
    writeOld(file, lines.join('\n'));
    const after = await run(root);
    expect(after.timings.result).toBe('stored');
    expect(comparable(after.result)).toEqual(comparable(await fresh(root)));
    expect((await run(root)).timings.result).toBe('reused');
  });

  it('stores which files with findings hold no footprint-ignore, and a reuse reads only the others', async () => {
    const root = copyExample();
    const first = await fresh(root);
    const lineOf = (f: { file: string; line: number }) => readFileSync(path.join(root, f.file), 'utf8').split('\n')[f.line - 1] ?? '';
    // A finding on a `key: value` line: a comment line above it, indented alike, leaves the YAML as it was.
    const finding = first.findings.find((f) => /\.ya?ml$/.test(f.file) && /^\s*[\w.-]+:\s*\S/.test(lineOf(f)))!;
    const file = path.join(root, finding.file);
    const lines = readFileSync(file, 'utf8').split('\n');
    const indent = /^\s*/.exec(lineOf(finding))![0];
    lines.splice(finding.line - 1, 0, `${indent}# footprint-ignore ${finding.ruleId} -- accepted for the test`);
    writeOld(file, lines.join('\n'));
    expect((await fresh(root)).summary.suppressed).toBeGreaterThan(0);
    expect((await run(root)).timings.result).toBe('stored');
    const resultFile = path.join(root, CACHE_DIR, RESULT_FILE);
    const { header, body } = readStoredFile(resultFile);
    expect(header.body).toBe('raw'); // a footprint-ignore could suppress: stored before suppressions
    const stored = { raw: JSON.parse(body) as { unmarked: string[] } };
    const withFindings = new Set(first.findings.map((f) => f.file));
    expect(stored.raw.unmarked).not.toContain(finding.file);
    expect(stored.raw.unmarked.length).toBe(withFindings.size - 1);
    expect(stored.raw.unmarked.every((f) => withFindings.has(f))).toBe(true);

    const reused = await run(root);
    expect(reused.timings.result).toBe('reused');
    expect(reused.result.summary.suppressed).toBeGreaterThan(0);
    expect(comparable(reused.result)).toEqual(comparable(await fresh(root)));

    // What the stored list says is trusted (the listing vouches for it): a file listed there is not read again.
    stored.raw.unmarked.push(finding.file);
    writeStoredFile(resultFile, header, JSON.stringify(stored.raw));
    const trusting = await run(root);
    expect(trusting.timings.result).toBe('reused');
    expect(trusting.result.summary.suppressed).toBe(0);
  });

  it('stores a result nothing changes after the rules rendered, and a reuse hands out that report with its own date', async () => {
    const root = copyExample();
    const first = await run(root);
    expect(first.timings.result).toBe('stored');
    // The report rendered to be stored is handed out as well, with the run's own date.
    expect(first.json).toBe(await render(first.result, 'json'));
    const file = path.join(root, CACHE_DIR, RESULT_FILE);
    expect(readStoredFile(file).header.body).toBe('rendered');

    const later = new Date('2025-03-04T05:06:07.890Z');
    const reused = await run(root, { now: later });
    expect(reused.timings.result).toBe('reused');
    expect(reused.result.generatedAt).toBe(later.toISOString());
    expect(reused.json).toBe(await render(reused.result, 'json'));
    expect(reused.json).toBe(await render(await fresh(root, { now: later }), 'json'));

    // A baseline marks findings: the rendered report does not hold, the result is finished again from it.
    const baseline = [first.result.findings[0]!.fingerprint];
    const withBaseline = await run(root, { baseline });
    expect(withBaseline.timings.result).toBe('reused');
    expect(withBaseline.json).toBeUndefined();
    expect(withBaseline.result.summary.baseline).toBe(1);
    expect(comparable(withBaseline.result)).toEqual(comparable(await fresh(root, { baseline })));
    expect(readStoredFile(file).header.body).toBe('rendered'); // reuse never rewrites the body
  });

  it('drops the slots of earlier formats when it stores', async () => {
    const root = copyExample();
    mkdirSync(path.join(root, CACHE_DIR));
    const old = path.join(root, CACHE_DIR, 'result-v3.json');
    writeFileSync(old, '{}');
    expect((await run(root)).timings.result).toBe('stored');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(path.join(root, CACHE_DIR, RESULT_FILE))).toBe(true);
  });

  it('stores the raw scan when a baseline or a config suppression takes part', async () => {
    const root = copyExample();
    const file = path.join(root, CACHE_DIR, RESULT_FILE);
    const first = await run(root, { baseline: ['not-a-fingerprint'] });
    expect(first.timings.result).toBe('stored');
    expect(first.json).toBeUndefined();
    expect(readStoredFile(file).header.body).toBe('raw');
    const reused = await run(root);
    expect(reused.timings.result).toBe('reused');
    expect(reused.json).toBeUndefined();
    expect(comparable(reused.result)).toEqual(comparable(await fresh(root)));

    const finding = first.result.findings[0]!;
    writeOld(path.join(root, 'footprint.config.yaml'), `suppressions:\n  - rule: ${finding.ruleId}\n    fingerprint: ${finding.fingerprint}\n    reason: accepted for the test\n`);
    expect((await run(root)).timings.result).toBe('stored');
    expect(readStoredFile(file).header.body).toBe('raw');
    const suppressed = await run(root);
    expect(suppressed.timings.result).toBe('reused');
    expect(suppressed.result.summary.suppressed).toBe(1);
    expect(comparable(suppressed.result)).toEqual(comparable(await fresh(root)));
  });

  it('stores the report it rendered with the placeholder at its top-level generatedAt, whatever the findings hold', async () => {
    const root = copyExample();
    const { result } = await run(root);
    const renderJson = (r: typeof result) => render(r, 'json');
    // A finding that spells the date, and one that spells the placeholder: neither is taken for generatedAt.
    const date = JSON.stringify(result.generatedAt);
    const tricky = { ...result, findings: [{ ...result.findings[0]!, location: result.generatedAt, message: 'footprint:generated-at' }, ...result.findings.slice(1)] };
    const body = (await renderedBody(tricky, renderJson))!;
    expect(body.text).toBe(await renderJson(tricky));
    expect(body.text.slice(body.at, body.at + body.dated)).toBe(date);
    expect(body.at).toBeLessThan(body.text.indexOf('"findings"'));
    expect(body.text.indexOf(date)).toBeLessThan(body.text.lastIndexOf(date));
    // A report without generatedAt where the JSON reporter puts it is not stored rendered.
    expect(await renderedBody(tricky, async (r) => JSON.stringify(r))).toBeUndefined();
  });

  it('ignores a corrupt or foreign result file, and --no-cache never reads or writes it', async () => {
    const root = copyExample();
    await run(root);
    const file = path.join(root, CACHE_DIR, RESULT_FILE);
    writeFileSync(file, '{"format":1,"key":"x"');
    const corrupt = await run(root);
    expect(corrupt.timings.result).toBe('stored');
    expect(comparable(corrupt.result)).toEqual(comparable(await fresh(root)));

    // A valid header over a body that does not parse: scanned again, as if nothing were stored.
    const { header: goodHeader, body: goodBody } = readStoredFile(file);
    writeStoredFile(file, goodHeader, goodBody.slice(0, goodBody.length / 2));
    const truncated = await run(root);
    expect(truncated.timings.result).toBe('stored');
    expect(comparable(truncated.result)).toEqual(comparable(await fresh(root)));
    expect(readStoredFile(file).body).toBe(goodBody);

    appendFileSync(path.join(root, 'README.md'), '\n'); // not claimed by any analyzer: no effect either way
    const { header, body } = readStoredFile(file);
    expect(header.body).toBe('rendered');
    // Findings emptied: a run that read this file would report none. generatedAt comes first, so `at` still holds.
    writeStoredFile(file, header, JSON.stringify({ ...JSON.parse(body), findings: [] }, null, 2));
    const stored = readFileSync(file, 'utf8');
    const uncached = await scanDetailed({ root, cache: false, useGit: false, now: NOW });
    expect(uncached.timings.result).toBeUndefined();
    expect(uncached.result.findings.length).toBeGreaterThan(0);
    expect(readFileSync(file, 'utf8')).toBe(stored);
  });

  it('keys on tool version, build, config, rules and analyzers', () => {
    const base = { toolVersion: '1.0.0', configHash: 'c', ruleIds: ['a', 'b'], analyzerIds: ['yaml'], buildId: 'b1' };
    const key = resultKey(base);
    expect(resultKey({ ...base })).toBe(key);
    for (const change of [{ toolVersion: '1.0.1' }, { buildId: 'b2' }, { configHash: 'd' }, { ruleIds: ['a'] }, { analyzerIds: ['yaml', 'dockerfile'] }]) {
      expect(resultKey({ ...base, ...change })).not.toBe(key);
    }
  });
});

/** Age every folder too: a walk is stored only when no folder changed within the racy window. */
function ageFolders(root: string, seconds = HOUR_AGO): void {
  const stack = [root];
  const dirs: string[] = [];
  while (stack.length) {
    const dir = stack.pop()!;
    dirs.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && e.name !== CACHE_DIR) stack.push(path.join(dir, e.name));
  }
  for (const dir of dirs) utimesSync(dir, seconds, seconds);
}

function copyAgedTree(): string {
  const root = copyExample();
  mkdirSync(path.join(root, CACHE_DIR)); // as after an earlier run: creating it changes ROOT's mtime
  ageFolders(root);
  return root;
}

describe('stat signature', () => {
  it('sees an edit that keeps the size and puts the mtime back (as cp -p does), in the result and the parse cache', async () => {
    const root = copyAgedTree();
    const manifest = readdirSync(path.join(root, 'manifests')).find((f) => f.endsWith('.yaml'))!;
    const file = path.join(root, 'manifests', manifest);
    const original = readFileSync(file, 'utf8');
    // Same size as the original, different content: a padded inline Secret (or the original cut to size).
    const replacement = (INLINE_SECRET + '#'.repeat(Math.max(0, original.length - INLINE_SECRET.length))).slice(0, original.length);
    expect(replacement.length).toBe(original.length);
    await run(root);
    const before = statSync(file);
    writeFileSync(file, replacement);
    utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(file).size).toBe(before.size);

    const after = await run(root);
    expect(after.timings.result).not.toBe('reused');
    expect(after.timings.cache?.misses).toBe(1);
    expect(comparable(after.result)).toEqual(comparable(await fresh(root)));
  });
});

describe('stored tree of a glob walk', () => {
  it('answers a re-scan of an unchanged tree from the stored folders and files, without walking', async () => {
    const root = copyAgedTree();
    // A walk says so once, before anything else (the CLI caps its heap growth from there on).
    const phases = (list: string[]) => (done: number, total: number, phase?: string) => list.push(phase ?? 'parse');
    const firstPhases: string[] = [];
    const first = await run(root, { onProgress: phases(firstPhases) });
    expect(first.timings.listing).toBe('glob');
    expect(first.timings.result).toBe('stored');
    expect(firstPhases[0]).toBe('walk');
    expect(firstPhases.filter((p) => p === 'walk')).toHaveLength(1);
    expect(firstPhases.length).toBeGreaterThan(1);
    const secondPhases: string[] = [];
    const second = await run(root, { onProgress: phases(secondPhases) });
    expect(second.timings.listing).toBe('tree');
    expect(second.timings.result).toBe('reused');
    expect(secondPhases).toEqual([]);
    expect(comparable(second.result)).toEqual(comparable(await fresh(root)));

    // An edit inside a file leaves its folder alone: the stored files are stat'ed, and the edit is seen.
    const manifest = readdirSync(path.join(root, 'manifests')).find((f) => f.endsWith('.yaml'))!;
    writeOld(path.join(root, 'manifests', manifest), INLINE_SECRET);
    const edited = await run(root);
    expect(edited.timings.listing).toBe('tree');
    expect(edited.timings.result).not.toBe('reused');
    expect(edited.result.findings.some((f) => f.file === `manifests/${manifest}` && f.ruleId === 'inline-secret-manifest')).toBe(true);
    expect(comparable(edited.result)).toEqual(comparable(await fresh(root)));
  });

  it('walks again when a file is added to, removed from or renamed in any folder, and finds what changed', async () => {
    const root = copyAgedTree();
    await run(root);
    const added = path.join(root, 'charts', 'billing', 'templates', 'late-secret.yaml');
    writeOld(added, INLINE_SECRET);
    const afterAdd = await run(root);
    expect(afterAdd.timings.listing).toBe('glob');
    expect((await run(root)).timings.listing).toBe('glob'); // the folder just changed (racy): its walk was not stored
    expect(afterAdd.result.findings.some((f) => f.file === 'charts/billing/templates/late-secret.yaml')).toBe(true);
    expect(comparable(afterAdd.result)).toEqual(comparable(await fresh(root)));

    ageFolders(root);
    await run(root); // walks and stores the walk
    expect((await run(root)).timings.listing).toBe('tree');
    const renamed = path.join(root, 'charts', 'billing', 'templates', 'renamed-secret.yaml');
    writeOld(renamed, readFileSync(added, 'utf8'));
    unlinkSync(added);
    const afterRename = await run(root);
    expect(afterRename.timings.listing).toBe('glob');
    expect(afterRename.result.findings.some((f) => f.file === 'charts/billing/templates/renamed-secret.yaml')).toBe(true);
    expect(afterRename.result.findings.some((f) => f.file === 'charts/billing/templates/late-secret.yaml')).toBe(false);

    ageFolders(root);
    await run(root);
    expect((await run(root)).timings.listing).toBe('tree');
    unlinkSync(renamed);
    const afterRemove = await run(root);
    expect(afterRemove.timings.listing).toBe('glob');
    expect(comparable(afterRemove.result)).toEqual(comparable(await fresh(root)));
  });

  it('walks again when a .gitignore changes, even one that ignores itself', async () => {
    const root = copyAgedTree();
    writeOld(path.join(root, 'charts', '.gitignore'), '.gitignore\norders/\n');
    ageFolders(root);
    const first = await run(root);
    expect(first.timings.result).toBe('stored');
    expect(first.result.findings.some((f) => f.file.startsWith('charts/orders/'))).toBe(false);
    expect((await run(root)).timings.listing).toBe('tree');

    writeFileSync(path.join(root, 'charts', '.gitignore'), '.gitignore\n');
    utimesSync(path.join(root, 'charts', '.gitignore'), HOUR_AGO + 120, HOUR_AGO + 120);
    const after = await run(root);
    expect(after.timings.listing).toBe('glob');
    expect(after.timings.result).not.toBe('reused');
    expect(after.result.findings.some((f) => f.file.startsWith('charts/orders/'))).toBe(true);
    expect(comparable(after.result)).toEqual(comparable(await fresh(root)));
  });

  it('is not stored when a folder changed within the racy window, nor used for a narrower include', async () => {
    const root = copyExample(); // files aged, folders just created
    expect((await run(root)).timings.result).toBe('stored');
    expect((await run(root)).timings.listing).toBe('glob');

    const narrow = copyAgedTree();
    writeOld(path.join(narrow, 'footprint.config.yaml'), 'include: ["charts/**"]\n');
    ageFolders(narrow);
    await run(narrow);
    const second = await run(narrow);
    expect(second.timings.result).toBe('reused');
    expect(second.timings.listing).toBe('glob');
  });
});

describe('stat listing', () => {
  it('gives every candidate the stat the reader would take, failures included, and hashes each part', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'fp-listing-test-'));
    temps.push(root);
    writeFileSync(path.join(root, 'a.yaml'), 'a: 1\n');
    writeFileSync(path.join(root, 'big.yaml'), 'x'.repeat(100));
    mkdirSync(path.join(root, 'dir'));
    symlinkSync('missing.yaml', path.join(root, 'dangling.yaml'));
    writeFileSync(path.join(root, 'z.yaml'), 'z: 2\n');
    const files = ['a.yaml', 'big.yaml', 'dangling.yaml', 'dir', 'gone.yaml', 'z.yaml'];
    const listing = statListing(root, files, 50);
    expect(listing.stats.get('not-listed.yaml')).toBeUndefined();
    for (const file of files) expect(listing.stats.get(file)).toEqual(statSourceSync(root, file, 50));
    expect(listing.stats.get('big.yaml')?.ok).toBe(false);
    expect(listing.newestMtimeMs).toBe(Math.max(statSync(path.join(root, 'a.yaml')).mtimeMs, statSync(path.join(root, 'z.yaml')).mtimeMs));

    const hash = (list: string[], max = 50) => statListing(root, list, max).hash;
    expect(hash(files)).toBe(listing.hash);
    expect(hash(files, 1000)).not.toBe(listing.hash); // big.yaml is read now
    expect(hash(files.filter((f) => f !== 'gone.yaml'))).not.toBe(listing.hash); // a failing file still counts
    expect(hash(['a.yaml', 'z.yaml'])).not.toBe(hash(['z.yaml', 'a.yaml']));
    expect(hash(['a.yaml\0z.yaml'])).not.toBe(hash(['a.yaml', 'z.yaml']));
    const before = hash(['a.yaml']);
    utimesSync(path.join(root, 'a.yaml'), HOUR_AGO, HOUR_AGO);
    expect(hash(['a.yaml'])).not.toBe(before);
  });
});

describe('rowFinder (the listing\'s path lookup)', () => {
  const sorted = ['a', 'a/b', 'a/c', 'b', 'b/x/y', 'c', 'd/e', 'z'];

  it('finds every path of a sorted list, asked in order, in reverse and at random', () => {
    const orders = [sorted, [...sorted].reverse(), ['c', 'a', 'z', 'b', 'a/c', 'd/e', 'a/b', 'b/x/y']];
    for (const order of orders) {
      const rowOf = rowFinder(sorted);
      expect(order.map((p) => rowOf(p))).toEqual(order.map((p) => sorted.indexOf(p)));
    }
  });

  it('answers -1 for paths not in the list, before, between and after its paths', () => {
    const rowOf = rowFinder(sorted);
    expect(['0', 'a/a', 'a/d', 'b/x', 'y', 'zz'].map((p) => rowOf(p))).toEqual([-1, -1, -1, -1, -1, -1]);
    // The cursor moved past a miss: later paths are still found, earlier ones too.
    expect([rowOf('z'), rowOf('a'), rowOf('c')]).toEqual([7, 0, 5]);
  });

  it('falls back to a map for an unsorted list', () => {
    const unsorted = ['b', 'a', 'c/d', 'c'];
    const rowOf = rowFinder(unsorted);
    expect(unsorted.map((p) => rowOf(p))).toEqual([0, 1, 2, 3]);
    expect(rowOf('x')).toBe(-1);
  });

  it('finds paths in a long list asked with gaps (the gallop)', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `dir/${String(i).padStart(4, '0')}`);
    const rowOf = rowFinder(paths);
    const asked = [3, 4, 9, 10, 200, 201, 999, 500, 0, 998];
    expect(asked.map((i) => rowOf(paths[i]!))).toEqual(asked);
  });
});
