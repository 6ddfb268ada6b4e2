#!/usr/bin/env node
// Scaling bench (issue 7): each tree shape of bench/shapes-generate.mjs at N and at 3N, scanned without the cache. A
// scan that grows with the tree has a growth exponent near 1 (time at 3N = 3x time at N); work that compares every
// item with every other shows as an exponent toward 2. The generated trees stay under the OS temp dir.
//
//   npm run bench:shapes
//   node bench/shapes.mjs --shapes services,gitops --runs 3 --dist before=/tmp/old/dist,after=dist --label my-change
//
// Options: --shapes a,b (default: all), --runs N (median of N measured runs after one warm-up; default 3),
// --dist DIR or label=DIR,... (builds to compare, default dist/), --factor F (large size = F x N; default 3),
// --label TEXT, --no-write (do not write bench/results/). Never used by tests or CI.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPES, generateShape } from './shapes-generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

const shapes = opt('--shapes', Object.keys(SHAPES).join(',')).split(',');
for (const s of shapes) {
  if (!SHAPES[s]) {
    console.error(`unknown shape ${s}; shapes: ${Object.keys(SHAPES).join(', ')}`);
    process.exit(2);
  }
}
const runs = Number(opt('--runs', 3));
const factor = Number(opt('--factor', 3));
const label = opt('--label', '');
const write = !args.includes('--no-write');

const work = mkdtempSync(join(tmpdir(), 'fp-shapes-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// Each build is copied first, so that a rebuild of dist/ during the run (the tests rebuild it) cannot change it.
const tools = opt('--dist', `current=${join(repo, 'dist')}`)
  .split(',')
  .map((spec, i) => {
    const [name, dir] = spec.includes('=') ? spec.split('=') : [i === 0 ? 'current' : `build${i}`, spec];
    const source = resolve(dir);
    if (!existsSync(join(source, 'cli/bin.js'))) {
      console.error(`built CLI not found in ${source} (run npm run build)`);
      process.exit(2);
    }
    const snapshot = join(work, `tool-${i}`);
    cpSync(source, join(snapshot, 'dist'), { recursive: true });
    for (const f of ['package.json', 'templates', 'schemas']) if (existsSync(join(repo, f))) cpSync(join(repo, f), join(snapshot, f), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
    return { name, cli: join(snapshot, 'dist/cli/bin.js') };
  });

const TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true']).status === 0;

/** One scan without the cache: wall ms, peak RSS MB, and the findings it reported. */
function scanOnce(cli, root) {
  const out = join(work, 'out.json');
  const argv = [cli, 'scan', root, '--no-cache', '--quiet', '--format', 'json', '--output', out, '--fail-on', 'none'];
  const started = process.hrtime.bigint();
  const r = TIME ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...argv], { encoding: 'utf8' }) : spawnSync(process.execPath, [join(here, 'rss-child.mjs'), ...argv], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`scan of ${root} exited ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) ?? /FP_CHILD_MAXRSS_KB=(\d+)/.exec(r.stderr);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  return { wall, rssMb: rss ? Number(rss[1]) / 1024 : undefined, findings: result.summary.findings, diagnostics: result.diagnostics.length };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
for (const shape of shapes) {
  const small = SHAPES[shape][1];
  const sizes = [small, small * factor];
  const trees = sizes.map((n) => {
    const root = join(work, `${shape}-${n}`);
    mkdirSync(root, { recursive: true });
    return { n, root, files: generateShape(shape, root, n) };
  });
  for (const tool of tools) {
    const measured = trees.map((tree) => {
      scanOnce(tool.cli, tree.root); // warm-up: file cache, and a first run of the build
      const samples = Array.from({ length: runs }, () => scanOnce(tool.cli, tree.root));
      return {
        n: tree.n,
        files: tree.files,
        ms: Math.round(median(samples.map((s) => s.wall))),
        rssMb: Math.round(median(samples.map((s) => s.rssMb ?? 0))),
        findings: samples[0].findings,
        diagnostics: samples[0].diagnostics,
      };
    });
    const [a, b] = measured;
    const exponent = (x, y) => Math.round((Math.log(y / x) / Math.log(factor)) * 100) / 100;
    rows.push({ shape, tool: tool.name, small: a, large: b, timeExponent: exponent(a.ms, b.ms), rssExponent: exponent(a.rssMb, b.rssMb) });
    console.log(
      `${shape.padEnd(16)} ${tool.name.padEnd(10)} N=${String(a.n).padStart(6)} ${String(a.ms).padStart(6)} ms ${String(a.rssMb).padStart(4)} MB | ${factor}N ${String(b.ms).padStart(6)} ms ${String(b.rssMb).padStart(4)} MB | time x${(b.ms / a.ms).toFixed(2)} (exponent ${exponent(a.ms, b.ms)}) | findings ${a.findings} / ${b.findings}`,
    );
  }
  for (const tree of trees) rmSync(tree.root, { recursive: true, force: true });
}

if (write) {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})T/, '$1-$2-$3T');
  const slug = label ? `-${label.replace(/[^\w.-]+/g, '-').slice(0, 60)}` : '';
  const file = join(repo, 'bench', 'results', `${stamp}-shapes${slug}.json`);
  writeFileSync(file, `${JSON.stringify({ label, runs, factor, cores: cpus().length, node: process.version, tools: tools.map((t) => t.name), rows }, null, 2)}\n`);
  console.log(`wrote ${file.slice(repo.length + 1)}`);
}
