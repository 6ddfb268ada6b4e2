#!/usr/bin/env node
// Measures how many Helm templates of a chart corpus parse as YAML after the Go-template front end.
//
// Usage:
//   node bench/helm-parse-rate.mjs [corpusDirOrTarball] [--module path/to/gotemplate.js] [--failures N]
//                                  [--secrets] [--json]
// Without a corpus argument it extracts ../shared/corpus/bitnami-charts-5165628.tar.gz to a temp dir.
// The module defaults to dist/analyzers/helm/gotemplate.js; override with --module or FP_HELM_MODULE.
// Counted: every `*.yaml|*.yml` under a `templates/` directory (no _helpers.tpl, no NOTES.txt).
// A template fails when any document from parseAllDocuments() has errors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');

const args = process.argv.slice(2);
let corpus;
let modulePath = process.env.FP_HELM_MODULE;
let maxFailures = 20;
let checkSecrets = false;
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--module') modulePath = args[++i];
  else if (a === '--failures') maxFailures = Number(args[++i]);
  else if (a === '--secrets') checkSecrets = true;
  else if (a === '--json') json = true;
  else corpus = a;
}
modulePath = resolve(modulePath ?? join(repo, 'dist/analyzers/helm/gotemplate.js'));
if (!existsSync(modulePath)) {
  console.error(`front-end module not found: ${modulePath} (build with: npx tsc -p tsconfig.json)`);
  process.exit(2);
}
const { preprocessHelmTemplate } = await import(pathToFileURL(modulePath).href);

let cleanup;
if (!corpus || corpus.endsWith('.tar.gz') || corpus.endsWith('.tgz')) {
  const tarball = resolve(corpus ?? join(repo, '../shared/corpus/bitnami-charts-5165628.tar.gz'));
  const dir = mkdtempSync(join(tmpdir(), 'fp-helm-corpus-'));
  execFileSync('tar', ['xzf', tarball, '-C', dir]);
  corpus = dir;
  cleanup = () => rmSync(dir, { recursive: true, force: true });
}
corpus = resolve(corpus);

function walk(dir, out, inTemplates) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out, inTemplates || e.name === 'templates');
    else if (inTemplates && e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
}
const files = [];
walk(corpus, files, false);
files.sort();

const parseOptions = { uniqueKeys: false, maxAliasCount: 100, prettyErrors: false };
let ok = 0;
const failures = [];
let lineMismatch = 0;
let templateProblems = 0;
const secretStats = { templates: 0, kindOk: 0, nameOk: 0, dataKeys: 0, withDataKeys: 0, missing: [] };
const t0 = performance.now();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const fe = preprocessHelmTemplate(text);
  if (fe.yaml.split('\n').length !== text.split('\n').length) lineMismatch++;
  if (fe.problems.length) templateProblems++;
  let docs;
  let firstError;
  try {
    docs = parseAllDocuments(fe.yaml, parseOptions);
    const list = Array.isArray(docs) ? docs : [docs];
    for (const d of list) {
      if (d.errors && d.errors.length) {
        firstError = d.errors[0];
        break;
      }
    }
    docs = list;
  } catch (err) {
    firstError = err;
    docs = [];
  }
  if (!firstError) ok++;
  else {
    let line = firstError.linePos?.[0]?.line;
    const off = firstError.pos?.[0];
    if (line === undefined && typeof off === 'number') {
      line = 1;
      for (let k = 0; k < off && k < fe.yaml.length; k++) if (fe.yaml.charCodeAt(k) === 10) line++;
    }
    failures.push({ file: relative(corpus, file), line, message: String(firstError.message).split('\n')[0] });
  }
  if (checkSecrets && /^kind:\s*Secret\s*$/m.test(text)) {
    secretStats.templates++;
    const secrets = docs.map((d) => d.toJS({ maxAliasCount: 100 })).filter((d) => d && d.kind === 'Secret');
    if (secrets.length) secretStats.kindOk++;
    const hasToken = (v) => typeof v === 'string' && /__FPT\d+__/.test(v) && [...v.matchAll(/__FPT\d+__/g)].every((m) => fe.placeholders.has(m[0]));
    if (secrets.some((d) => hasToken(d.metadata?.name))) secretStats.nameOk++;
    if (/^(?:data|stringData):\s*$/m.test(text)) {
      secretStats.withDataKeys++;
      const keys = secrets.reduce((n, d) => n + Object.keys(d.data ?? {}).length + Object.keys(d.stringData ?? {}).length, 0);
      if (keys > 0) secretStats.dataKeys++;
      else secretStats.missing.push(relative(corpus, file));
    }
  }
}
const ms = performance.now() - t0;
const rate = files.length ? (100 * ok) / files.length : 0;
if (json) {
  console.log(JSON.stringify({ templates: files.length, ok, failed: failures.length, rate, lineMismatch, templateProblems, failures, secretStats }, null, 2));
} else {
  console.log(`corpus:            ${corpus}`);
  console.log(`module:            ${modulePath}`);
  console.log(`templates found:   ${files.length}`);
  console.log(`parsed OK:         ${ok}`);
  console.log(`failed:            ${failures.length}`);
  console.log(`rate:              ${rate.toFixed(2)} %`);
  console.log(`line-count errors: ${lineMismatch}`);
  console.log(`with template problems: ${templateProblems}`);
  console.log(`time:              ${ms.toFixed(0)} ms`);
  if (checkSecrets) {
    console.log(
      `secrets: ${secretStats.templates} templates with 'kind: Secret'; kind kept ${secretStats.kindOk}; ` +
        `metadata.name holds a placeholder ${secretStats.nameOk}; data/stringData keys present ${secretStats.dataKeys}/${secretStats.withDataKeys}`,
    );
    for (const m of secretStats.missing.slice(0, 20)) console.log(`  no literal data keys (all injected by actions): ${m}`);
  }
  if (failures.length) console.log(`\nfirst ${Math.min(maxFailures, failures.length)} failures:`);
  for (const f of failures.slice(0, maxFailures)) console.log(`  ${f.file}:${f.line ?? '?'}  ${f.message}`);
}
cleanup?.();
