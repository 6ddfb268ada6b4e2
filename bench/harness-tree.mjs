#!/usr/bin/env node
// Test-harness analyzers on a tree of generated test files (issue 4, "Done when"): parse time per file type, and how
// many TS/JS files the text prefilter kept away from the TypeScript parser (ts-morph).
//
//   npm run build && node bench/harness-tree.mjs [--tests 3000] [--seed 4] [--keep]
//
// The tree goes to a fresh temp dir (never into the repo). About 3% of the test files carry a footprint (a credential
// fallback, an inline Secret, a Key Vault read); the rest read the environment without fallbacks, or fall back on
// non-secrets (ports, hosts), the way real suites do. The scan runs on one thread, so the analyzers' counters are exact.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { scanDetailed } from '../dist/scan/run.js';
import { resolveConfig } from '../dist/config/load.js';
import { testAnalyzers } from '../dist/analyzers/tests/index.js';
import { typescriptStats } from '../dist/analyzers/tests/typescript.js';
import { prng } from './generate.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TESTS = opt('tests', 3000);
const rand = prng(opt('seed', 4));
const pick = (list) => list[Math.floor(rand() * list.length)];
const SERVICES = ['orders', 'billing', 'ledger', 'search', 'catalog', 'invoice', 'gateway', 'profile', 'inbox', 'media'];

const root = mkdtempSync(join(tmpdir(), 'fp-harness-'));
const files = [];
const write = (rel, text) => {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  files.push(rel);
};

const tsTest = (i, bad) => {
  const svc = pick(SERVICES);
  const lines = [`import { describe, expect, it } from 'vitest';`, `import { handler } from '../src/${svc}';`, ''];
  lines.push(rand() < 0.3 ? `const port = Number(process.env.PORT ?? '3000');` : `const baseUrl = process.env.BASE_URL;`);
  if (bad) lines.push(pick([`const password = process.env.${svc.toUpperCase()}_DB_PASSWORD ?? '${svc}-pw-${i}';`, `const { API_TOKEN = 'tok-${i}' } = process.env;`]));
  lines.push(`describe('${svc} ${i}', () => {`);
  for (let k = 0; k < 4 + Math.floor(rand() * 8); k++) lines.push(`  it('handles case ${k}', async () => {\n    const res = await handler({ id: ${k}, tenant: '${svc}' });\n    expect(res.status).toBe(${200 + (k % 3)});\n  });`);
  lines.push('});', '');
  return lines.join('\n');
};
const pyTest = (i, bad) => {
  const svc = pick(SERVICES);
  const lines = ['import os', '', `from ${svc}.api import handler`, ''];
  if (bad) lines.push(`DSN = os.getenv("${svc.toUpperCase()}_DATABASE_URL", "postgresql://${svc}:${svc}-pw-${i}@db:5432/${svc}")`, '');
  for (let k = 0; k < 3 + Math.floor(rand() * 6); k++) lines.push(`def test_case_${k}():`, `    assert handler({"id": ${k}})["status"] == ${200 + (k % 3)}`, '');
  return lines.join('\n');
};
const goTest = (i, bad) => {
  const lines = ['package store', '', 'import (', '\t"os"', '\t"testing"', ')', ''];
  lines.push(`func TestCase${i}(t *testing.T) {`, '\thost := os.Getenv("DB_HOST")');
  if (bad) lines.push('\tdsn := os.Getenv("STORE_DSN")', '\tif dsn == "" {', `\t\tdsn = "postgres://store:store-pw-${i}@localhost:5432/store"`, '\t}', '\t_ = dsn');
  lines.push('\tif host == "" {', '\t\tt.Skip("no database")', '\t}', '}', '');
  return lines.join('\n');
};
const shTest = (i, bad) =>
  ['#!/usr/bin/env bash', 'set -euo pipefail', bad ? `kubectl apply -n it-${i} -f tests/manifests/` : `echo "run ${i}"`, `pytest tests/integration -k case_${i}`, ''].join('\n');

let planted = 0;
for (let i = 0; i < TESTS; i++) {
  const bad = rand() < 0.03;
  if (bad) planted++;
  const svc = SERVICES[i % SERVICES.length];
  const r = rand();
  if (r < 0.5) write(`services/${svc}/__tests__/case${i}.test.ts`, tsTest(i, bad));
  else if (r < 0.6) write(`services/${svc}/e2e/flow${i}.spec.js`, tsTest(i, bad));
  else if (r < 0.78) write(`services/${svc}/tests/test_case${i}.py`, pyTest(i, bad));
  else if (r < 0.95) write(`services/${svc}/internal/store/case${i}_test.go`, goTest(i, bad));
  else write(`services/${svc}/tests/run-case${i}.sh`, shTest(i, bad));
}
// Application code next to the tests: claimed by the TS analyzer, almost never worth parsing.
for (let i = 0; i < TESTS / 3; i++) write(`services/${SERVICES[i % SERVICES.length]}/src/module${i}.ts`, `export const value${i} = (x: number) => x * ${i};\nexport const port = process.env.PORT ?? '8080';\n`);

const config = resolveConfig({});
const isTest = picomatch(config.testPaths, { dot: true });
const perType = {};
for (const rel of files) {
  const text = readFileSync(join(root, rel), 'utf8');
  const file = { path: rel, vendored: false, isTest: isTest(rel) };
  for (const a of testAnalyzers) {
    if (a.id === 'credential-text' || !a.claims(file)) continue;
    const t = (perType[a.id] ??= { claimed: 0, parsed: 0 });
    t.claimed++;
    if (!a.sniff || a.sniff(text, file)) t.parsed++;
  }
}

// Two scans in one process: the first pays for loading the parsers (the TypeScript compiler, the tree-sitter runtime
// and grammars, mvdan-sh); the second shows the per-file cost once they are loaded.
const runs = [];
for (const label of ['cold', 'warm']) {
  typescriptStats.claimed = 0;
  typescriptStats.parsed = 0;
  const { result, timings } = await scanDetailed({ root, useGit: false, threads: 1 });
  const findings = {};
  for (const f of result.findings) findings[f.ruleId] = (findings[f.ruleId] ?? 0) + 1;
  runs.push({ label, timings, findings, ts: { ...typescriptStats } });
}
const [cold, warm] = runs;
const rows = Object.entries(perType).map(([id, t]) => {
  const c = cold.timings.parse[id] ?? 0;
  const w = warm.timings.parse[id] ?? 0;
  return { analyzer: id, claimed: t.claimed, parsed: t.parsed, skippedByPrefilter: t.claimed - t.parsed, coldMs: Math.round(c), warmMs: Math.round(w), warmMsPerParsedFile: t.parsed ? +(w / t.parsed).toFixed(2) : 0 };
});
const sum = (o) => Math.round(Object.values(o).reduce((a, b) => a + b, 0));
console.log(
  JSON.stringify(
    {
      tree: { files: files.length, testFiles: TESTS, planted },
      analyzers: rows,
      tsMorph: { claimed: cold.ts.claimed, parsed: cold.ts.parsed, savedByPrefilter: cold.ts.claimed - cold.ts.parsed },
      cold: { totalMs: Math.round(cold.timings.total), readMs: Math.round(cold.timings.read), parseMs: sum(cold.timings.parse), rulesMs: sum(cold.timings.rules) },
      warm: { totalMs: Math.round(warm.timings.total), readMs: Math.round(warm.timings.read), parseMs: sum(warm.timings.parse), rulesMs: sum(warm.timings.rules) },
      findings: cold.findings,
    },
    null,
    2,
  ),
);
if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });
else console.error(`tree kept at ${root}`);
