#!/usr/bin/env node
// Scale bench (issue 7): footprint scan next to the floors measured in the same run (cat of every file, rg with
// patterns equivalent to what the rules look for), on real and generated trees.
//
//   npm run bench                          # every tree
//   node bench/run.mjs --trees bitnami,gen10k --runs 3 --label before
//
// Options: --trees a,b (bitnami, jessfraz, gen10k, gen30k, gen100k; gen300k on request), --runs N (measured warm runs per tool,
// median reported; one warm-up run first), --dist DIR (build to measure, default dist/), --label TEXT (stored in the result), --keep (keep temp dirs),
// --no-write (do not write bench/results/), --clone (also a CI runner's runs: a fresh git clone with the cache restored, on
// the same commit and on a pull request; see measureClones). Trees are extracted/generated under the OS temp dir, never the repo.
// Writes bench/results/<date>T<time>.json. Never used by tests or CI.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, PLANTED_RULES } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
// Which YAML file is context (the edit of a file that is not): the checkout's build decides, whichever builds are measured.
const { isContextText } = await import(join(repo, 'dist/scan/chunks.js'));
const corpus = resolve(repo, '../shared/corpus');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const flag = (name) => args.includes(name);

// Builds to measure: --dist DIR or --dist label=DIR,label=DIR (default: dist/ as "current"); label=DIR+--flag+N adds
// scan flags for that entry (e.g. chunked=dist+--chunk-files+8000, the same build with chunked judging). Each is snapshotted so
// a rebuild during the run (tests rebuild dist/) cannot change the tool under measurement; node_modules is linked.
// Several builds are measured on the same trees, next to the same floors, in the same run (before/after).
const snapshots = [];
process.on('exit', () => {
  for (const s of snapshots) rmSync(s, { recursive: true, force: true });
});
const TOOLS = opt('--dist', `current=${join(repo, 'dist')}`)
  .split(',')
  .map((spec, i) => {
    const [name, where] = spec.includes('=') ? spec.split('=') : [i === 0 ? 'current' : `build${i}`, spec];
    const [dir, ...flags] = where.split('+');
    const source = resolve(dir);
    if (!existsSync(join(source, 'cli/bin.js'))) {
      console.error(`built CLI not found in ${source} (run npm run build)`);
      process.exit(2);
    }
    const snapshot = mkdtempSync(join(tmpdir(), 'fp-bench-tool-'));
    snapshots.push(snapshot);
    cpSync(source, join(snapshot, 'dist'), { recursive: true });
    for (const f of ['package.json', 'templates', 'schemas']) if (existsSync(join(repo, f))) cpSync(join(repo, f), join(snapshot, f), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
    const cli = join(snapshot, 'dist/cli/bin.js');
    const help = sh(process.execPath, [cli, 'scan', '--help']).stdout ?? '';
    return { name, cli, flags, hasNoCache: help.includes('--no-cache') };
  });
const cli = TOOLS[TOOLS.length - 1].cli;
const runs = Number(opt('--runs', 3));
const label = opt('--label', '');
const keep = flag('--keep');
const withClones = flag('--clone');
const treeNames = opt('--trees', 'bitnami,jessfraz,gen10k,gen30k,gen100k').split(',').map((t) => t.trim()).filter(Boolean);

const TREES = {
  bitnami: { tarball: join(corpus, 'bitnami-charts-5165628.tar.gz') },
  jessfraz: { tarball: join(corpus, 'jessfraz-dockerfiles-8ff9913.tar.gz') },
  gen10k: { files: 10_000 },
  gen30k: { files: 30_000 },
  gen100k: { files: 100_000 },
  gen300k: { files: 300_000 },
};

// rg patterns equivalent to the signals the rules look for: resource kinds, credential-like keys, Helm
// generators/lookups, ESO references, store names, literal-credential shapes in code and scripts.
// (?-u): ASCII \w and \s (the signals are ASCII); with Unicode classes and -i, rg 13 is 7x slower on bitnami.
const RG_PATTERNS = [
  String.raw`(?-u)kind:\s*(Secret|ExternalSecret|PushSecret|ClusterPushSecret|SealedSecret|Cluster|ConfigMap|SecretStore|ClusterSecretStore)\b`,
  String.raw`(?-u)(password|passwd|secret|token|api[_-]?key|credential|client[_-]?secret)\w*["']?\s*[:=]`,
  String.raw`(?-u)randAlpha\w*|randAscii|lookup\s+"v1"|genPrivateKey`,
  String.raw`secretKeyRef|existingSecret|secretStoreRef|remoteRef|remoteKey|passwordSecret|updatePolicy`,
  String.raw`vault\.hashicorp\.com|azure-?kv|keyvault|DefaultAzureCredential|SecretClient`,
  String.raw`(?-u)process\.env\.\w+\s*(\?\?|\|\|)|os\.(environ\.get|getenv)\(|os\.Getenv\(`,
  String.raw`(?-u)kubectl\s+create\s+secret|--from-literal|vault\s+kv\s+put|ARG\s+\w*(TOKEN|PASSWORD|SECRET)`,
];

function sh(cmd, argv, options = {}) {
  return spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 256, ...options });
}

function which(cmd) {
  const r = sh('sh', ['-c', `command -v ${cmd}`]);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const TIME = existsSync('/usr/bin/time') && sh('/usr/bin/time', ['-v', 'true']).status === 0 ? '/usr/bin/time' : undefined;
const RG = which('rg');

/** Run a command, return wall ms, cpu ms (user+sys of the child) and peak RSS (MB). */
function measure(cmd, argv, { cwd, shell = false } = {}) {
  const started = process.hrtime.bigint();
  let r;
  if (TIME) {
    r = shell ? sh(TIME, ['-v', 'sh', '-c', cmd], { cwd }) : sh(TIME, ['-v', cmd, ...argv], { cwd });
  } else if (!shell && cmd === process.execPath) {
    // No GNU time: a child wrapper reports its own maxRSS on exit.
    r = sh(process.execPath, [join(here, 'rss-child.mjs'), ...argv], { cwd });
  } else {
    r = shell ? sh('sh', ['-c', cmd], { cwd }) : sh(cmd, argv, { cwd });
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const err = r.stderr ?? '';
  let rssMb;
  let cpu;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  if (rss) rssMb = Number(rss[1]) / 1024;
  const user = /User time \(seconds\): ([\d.]+)/.exec(err);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(err);
  if (user && sys) cpu = (Number(user[1]) + Number(sys[1])) * 1000;
  const child = /FP_CHILD_MAXRSS_KB=(\d+) FP_CHILD_CPU_MS=([\d.]+)/.exec(err);
  if (child) {
    rssMb = Number(child[1]) / 1024;
    cpu = Number(child[2]);
  }
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${shell ? cmd : [cmd, ...argv].join(' ')} exited ${r.status}: ${err.slice(-2000)}`);
  }
  return { wall, cpu, rssMb, stderr: err, stdout: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The largest YAML file of a tree (a values file, typically): the one a bench run edits. With PLAIN, the largest that
 * is not context (no object other files are judged against, see src/scan/chunks.ts; not a chart's default values):
 * a manifest or an environment's values, the edit a chunked scan replays every other chunk around.
 */
function largestYaml(root, plain = false) {
  let best;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop();
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.footprint-cache' || e.name === 'node_modules' || e.name === '.git') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
        const size = statSync(p).size;
        if (plain && (/^values\.ya?ml$/.test(e.name) || isContextText(relative(root, p).split(sep).join('/'), readFileSync(p, 'utf8')))) continue;
        if (!best || size > best.size || (size === best.size && p < best.p)) best = { p, size };
      }
    }
  }
  return best?.p;
}

function repeat(n, fn, warmUps = 1) {
  for (let i = 0; i < warmUps; i++) {
    if (i > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100); // past the racy window
    fn(); // page cache, JIT of the shell, first-run cache population
  }
  const samples = Array.from({ length: n }, () => fn());
  return {
    wallMs: median(samples.map((s) => s.wall)),
    cpuMs: median(samples.filter((s) => s.cpu !== undefined).map((s) => s.cpu)),
    rssMb: Math.max(...samples.map((s) => s.rssMb ?? 0)) || undefined,
    samplesMs: samples.map((s) => Math.round(s.wall)),
    last: samples[samples.length - 1],
  };
}

function walk(root) {
  let files = 0;
  let bytes = 0;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(p);
      else if (entry.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  }
  return { files, bytes };
}

function prepare(name) {
  const spec = TREES[name];
  if (!spec) throw new Error(`unknown tree ${name} (known: ${Object.keys(TREES).join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), `fp-bench-${name}-`));
  if (spec.tarball) {
    if (!existsSync(spec.tarball)) return { skipped: `corpus missing: ${spec.tarball}` };
    execFileSync('tar', ['xzf', spec.tarball, '-C', dir]);
    const top = readdirSync(dir);
    const root = top.length === 1 ? join(dir, top[0]) : dir;
    return { dir, root };
  }
  const root = join(dir, 'repo');
  const gen = generate({ files: spec.files, out: root });
  return { dir, root, expected: gen.expected, extra: [`${root}.expected.json`] };
}

function parseTimings(stderr) {
  const out = {};
  const block = stderr.split('timing:\n')[1];
  if (!block) return out;
  for (const line of block.split('\n')) {
    const m = /^\s+(\S+) ([\d.]+) ms$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const registered = (sh(process.execPath, [cli, 'rules']).stdout ?? '')
  .split('\n')
  .map((l) => l.split(/\s+/)[0])
  .filter((id) => /^[a-z0-9-]+$/.test(id ?? ''));
const uncovered = registered.filter((id) => !PLANTED_RULES.includes(id));

if (!RG) {
  console.error('NOTE: rg (ripgrep) is not installed: the rg floor and every ratio against it are missing from this run.');
  console.error('      On Debian: apt-get install ripgrep. The bench is never part of .ci/run.');
}

const rgVersion = RG ? sh(RG, ['--version']).stdout.split('\n')[0] : undefined;
const commit = sh('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']).stdout?.trim();
const dirty = (sh('git', ['-C', repo, 'status', '--porcelain', '--', 'src']).stdout ?? '').trim().length > 0;
const env = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memMb: Math.round(totalmem() / 2 ** 20),
  loadavgAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  rg: rgVersion ?? null,
  time: TIME ? 'GNU time -v' : 'node child wrapper (maxRSS)',
  commit,
  srcDirty: dirty,
  tools: TOOLS.map((t) => ({ name: t.name, flags: t.flags, cacheFlag: t.hasNoCache })),
  runs,
};
console.error(`bench: node ${env.node}, ${env.cpus} cpus, load ${env.loadavgAtStart.join(' ')}, ${env.rg ?? 'NO rg'}, commit ${commit}${dirty ? ' (+uncommitted src)' : ''}`);

// The floor under any run of a Node.js tool, a cached re-scan included: starting node and exiting.
const nodeStartup = repeat(runs, () => measure(process.execPath, ['-e', '0']));
env.nodeStartupMs = Math.round(nodeStartup.wallMs);
console.error(`node startup (node -e 0): ${fmt(nodeStartup.wallMs)}`);

const results = [];
for (const name of treeNames) {
  const t0 = Date.now();
  const prep = prepare(name);
  if (prep.skipped) {
    console.error(`${name}: skipped (${prep.skipped})`);
    results.push({ tree: name, skipped: prep.skipped });
    continue;
  }
  const { root } = prep;
  const size = walk(root);
  console.error(`${name}: ${size.files} files, ${(size.bytes / 2 ** 20).toFixed(1)} MB (ready in ${Date.now() - t0} ms)`);
  try {
    const cat = repeat(runs, () => measure(`find . -type f -print0 | xargs -0 cat > /dev/null`, [], { cwd: root, shell: true }));
    const rgArgs = ['--hidden', '-i', '-c', '--no-messages', ...RG_PATTERNS.flatMap((p) => ['-e', p]), '.'];
    const rg = RG ? repeat(runs, () => measure(`${RG} ${rgArgs.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} > /dev/null`, [], { cwd: root, shell: true })) : undefined;

    const mb = size.bytes / 2 ** 20;
    for (const tool of TOOLS) {
      const jsonOut = join(prep.dir, `result-${tool.name}.json`);
      const noCache = tool.hasNoCache ? ['--no-cache'] : [];
      // A real file, as a user's run writes: builds before df5ffe3 renamed their temp file over an --output device
      // (as root, /dev/null became a regular file).
      const timedOut = join(prep.dir, `timed-${tool.name}.json`);
      const scanArgs = (extra) => [tool.cli, 'scan', root, '--output', timedOut, '--fail-on', 'none', '--timing', ...tool.flags, ...extra];
      // Findings check (also warms the page cache for the tool).
      const check = measure(process.execPath, [tool.cli, 'scan', root, '--output', jsonOut, '--fail-on', 'none', ...tool.flags, ...noCache]);
      const result = JSON.parse(readFileSync(jsonOut, 'utf8'));
      const full = repeat(runs, () => measure(process.execPath, scanArgs(noCache)));
      let cached;
      let oneChanged;
      let plainChanged;
      let firstCached;
      if (tool.hasNoCache) {
        rmSync(join(root, '.footprint-cache'), { recursive: true, force: true });
        // The first run with the cache (a new CI runner): it parses everything and writes the pack.
        firstCached = measure(process.execPath, scanArgs([]));
        // Two warm-up runs 2 s apart, as between scheduled runs: the first fills the cache (creating the cache folder
        // changes ROOT's mtime), the second stores the walk, every folder being older than the racy window by then.
        cached = repeat(runs, () => measure(process.execPath, scanArgs([])), 2);
        // A pull request: one file changed since the last run (a different edit each run), the cache otherwise warm:
        // the largest YAML file, and the largest that is not context.
        const editRuns = (edited) => {
          if (!edited) return undefined;
          const original = readFileSync(edited);
          let edit = 0;
          const samples = repeat(runs, () => {
            writeFileSync(edited, `${original}\n# bench edit ${edit++}\n`);
            return measure(process.execPath, scanArgs([]));
          });
          writeFileSync(edited, original);
          return samples;
        };
        oneChanged = editRuns(largestYaml(root));
        plainChanged = editRuns(largestYaml(root, true));
        rmSync(join(root, '.footprint-cache'), { recursive: true, force: true });
      }
      const byRule = result.summary.byRule;
      let plants;
      if (prep.expected) {
        const rules = [...new Set([...Object.keys(prep.expected), ...Object.keys(byRule)])].sort();
        plants = rules.map((rule) => ({ rule, expected: prep.expected[rule] ?? 0, found: byRule[rule] ?? 0, ok: (prep.expected[rule] ?? 0) === (byRule[rule] ?? 0) }));
      }
      const entry = {
        tree: name,
        tool: tool.name,
        loadavg1m: Number(loadavg()[0].toFixed(2)),
        files: size.files,
        mb: Number(mb.toFixed(1)),
        scanned: result.summary.files,
        findings: result.summary.findings,
        diagnostics: result.diagnostics.length,
        cat: summarize(cat),
        rg: rg ? summarize(rg) : null,
        scan: { ...summarize(full), filesPerSec: Math.round(size.files / (full.wallMs / 1000)), mbPerSec: Number((mb / (full.wallMs / 1000)).toFixed(1)) },
        firstCachedScan: firstCached ? summarize({ wallMs: firstCached.wall, cpuMs: firstCached.cpu, rssMb: firstCached.rssMb, samplesMs: [Math.round(firstCached.wall)] }) : null,
        cachedScan: cached ? summarize(cached) : null,
        oneChangedScan: oneChanged ? summarize(oneChanged) : null,
        plainChangedScan: plainChanged ? summarize(plainChanged) : null,
        ratios: {
          scanVsRg: rg ? Number((full.wallMs / rg.wallMs).toFixed(1)) : null,
          scanVsCat: Number((full.wallMs / cat.wallMs).toFixed(1)),
          cachedVsRg: cached && rg ? Number((cached.wallMs / rg.wallMs).toFixed(1)) : null,
          oneChangedVsRg: oneChanged && rg ? Number((oneChanged.wallMs / rg.wallMs).toFixed(1)) : null,
          scanCpuVsRgCpu: rg && full.cpuMs && rg.cpuMs ? Number((full.cpuMs / rg.cpuMs).toFixed(1)) : null,
          cachedCpuVsRgCpu: cached && rg && cached.cpuMs && rg.cpuMs ? Number((cached.cpuMs / rg.cpuMs).toFixed(1)) : null,
        },
        timings: parseTimings(full.last.stderr),
        cachedTimings: cached ? parseTimings(cached.last.stderr) : null,
        checkRunMs: Math.round(check.wall),
        plants: plants ?? null,
      };
      results.push(entry);
      console.error(`  [${tool.name}] scan ${fmt(full.wallMs)} (cpu ${fmt(full.cpuMs ?? 0)}, ${entry.scan.filesPerSec} files/s, ${entry.scan.mbPerSec} MB/s, ${entry.scan.rssMb?.toFixed(0)} MB RSS), rg ${rg ? fmt(rg.wallMs) : '-'}, cat ${fmt(cat.wallMs)}${cached ? `, cached ${fmt(cached.wallMs)} (cpu ${fmt(cached.cpuMs ?? 0)}, ${cached.rssMb?.toFixed(0)} MB RSS)` : ''}${oneChanged ? `, one file changed ${fmt(oneChanged.wallMs)} (${oneChanged.rssMb?.toFixed(0)} MB RSS)` : ''}${plainChanged ? `, one plain file changed ${fmt(plainChanged.wallMs)} (${plainChanged.rssMb?.toFixed(0)} MB RSS)` : ''}${firstCached ? `, first cached run ${fmt(firstCached.wall)} (${firstCached.rssMb?.toFixed(0)} MB RSS)` : ''}`);
      if (plants) for (const p of plants.filter((x) => !x.ok)) console.error(`  MISMATCH ${p.rule}: expected ${p.expected}, found ${p.found}`);
    }
    if (withClones) measureClones(root, results.filter((r) => r.tree === name && !r.skipped));
  } finally {
    if (!keep) {
      rmSync(prep.dir, { recursive: true, force: true });
      for (const f of prep.extra ?? []) rmSync(f, { force: true });
    } else console.error(`  kept ${prep.dir}`);
  }
}

/**
 * A CI runner: a fresh clone (every file new to the file system, not to git) with the cache folder of the last run on
 * the main branch restored. Once per tree: ROOT becomes a git repository (after every other measurement, so that .git
 * is in none of them) with a branch `bench-pr` that edits its largest YAML file. Per build: one run on the main branch
 * writes the cache; then each measured run clones afresh (not timed), restores that cache and scans, on the same
 * commit and on the pull request's.
 */
function measureClones(root, entries) {
  const git = (...a) => execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'init.defaultBranch=main', ...a], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  git('init', '-q');
  writeFileSync(join(root, '.git/info/exclude'), '.footprint-cache/\n');
  git('add', '-A');
  git('commit', '-qm', 'main');
  const pullRequest = (branch, edited) => {
    git('checkout', '-qb', branch);
    writeFileSync(edited, `${readFileSync(edited)}\n# bench pull request\n`);
    git('commit', '-qam', `pull request: ${relative(root, edited)}`);
    git('checkout', '-q', 'main');
  };
  pullRequest('bench-pr', largestYaml(root));
  const plainEdited = largestYaml(root, true);
  if (plainEdited) pullRequest('bench-pr-plain', plainEdited);
  const work = mkdtempSync(join(tmpdir(), 'fp-bench-clone-'));
  try {
    for (const entry of entries) {
      const tool = TOOLS.find((t) => t.name === entry.tool);
      if (!tool?.hasNoCache) continue;
      rmSync(join(root, '.footprint-cache'), { recursive: true, force: true });
      measure(process.execPath, [tool.cli, 'scan', root, '--output', join(work, 'main.json'), '--fail-on', 'none', ...tool.flags]);
      const saved = join(work, 'cache');
      rmSync(saved, { recursive: true, force: true });
      cpSync(join(root, '.footprint-cache'), saved, { recursive: true });
      const inClone = (branch) => {
        const clone = join(work, 'clone');
        rmSync(clone, { recursive: true, force: true });
        execFileSync('git', ['clone', '-q', '--branch', branch, root, clone], { stdio: 'ignore' });
        cpSync(saved, join(clone, '.footprint-cache'), { recursive: true });
        return measure(process.execPath, [tool.cli, 'scan', clone, '--output', join(work, 'clone.json'), '--fail-on', 'none', '--timing', ...tool.flags]);
      };
      const same = repeat(runs, () => inClone('main'), 0);
      const pr = repeat(runs, () => inClone('bench-pr'), 0);
      const prPlain = plainEdited ? repeat(runs, () => inClone('bench-pr-plain'), 0) : undefined;
      entry.cloneSameCommit = summarize(same);
      entry.clonePullRequest = summarize(pr);
      entry.clonePlainPullRequest = prPlain ? summarize(prPlain) : null;
      console.error(`  [${tool.name}] fresh clone with the cache restored: same commit ${fmt(same.wallMs)} (${same.rssMb?.toFixed(0)} MB RSS), pull request ${fmt(pr.wallMs)} (${pr.rssMb?.toFixed(0)} MB RSS)${prPlain ? `, pull request of a plain file ${fmt(prPlain.wallMs)}` : ''}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(join(root, '.git'), { recursive: true, force: true });
  }
}

function summarize(r) {
  return { wallMs: Math.round(r.wallMs), cpuMs: r.cpuMs !== undefined ? Math.round(r.cpuMs) : null, rssMb: r.rssMb !== undefined ? Number(r.rssMb.toFixed(0)) : null, samplesMs: r.samplesMs };
}
function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

// Table
const rows = [['tree', 'tool', 'files', 'MB', 'scan', 'cpu', 'files/s', 'MB/s', 'RSS MB', 'rg', 'rg cpu', 'cat', 'scan/rg', 'cpu/rg cpu', 'scan/cat', 'cached', 'cached cpu', 'cached RSS', 'cached/rg', 'c.cpu/rg cpu', '1 changed', '1 changed/rg', '1 changed RSS', '1 plain changed', 'first cached', 'first cached RSS', 'clone same', 'clone PR', 'clone PR RSS', 'clone plain PR', 'plants']];
for (const r of results) {
  if (r.skipped) {
    rows.push([r.tree, 'skipped', ...Array(29).fill('')]);
    continue;
  }
  const plantCell = r.plants ? (r.plants.every((p) => p.ok) ? `ok ${r.plants.reduce((n, p) => n + p.found, 0)}` : `MISMATCH ${r.plants.filter((p) => !p.ok).length}`) : '-';
  rows.push([
    r.tree,
    r.tool,
    String(r.files),
    String(r.mb),
    fmt(r.scan.wallMs),
    r.scan.cpuMs !== null ? fmt(r.scan.cpuMs) : '?',
    String(r.scan.filesPerSec),
    String(r.scan.mbPerSec),
    String(r.scan.rssMb ?? '?'),
    r.rg ? fmt(r.rg.wallMs) : 'n/a',
    r.rg?.cpuMs != null ? fmt(r.rg.cpuMs) : 'n/a',
    fmt(r.cat.wallMs),
    r.ratios.scanVsRg !== null ? `${r.ratios.scanVsRg}x` : 'n/a',
    r.ratios.scanCpuVsRgCpu !== null ? `${r.ratios.scanCpuVsRgCpu}x` : 'n/a',
    `${r.ratios.scanVsCat}x`,
    r.cachedScan ? fmt(r.cachedScan.wallMs) : 'n/a',
    r.cachedScan?.cpuMs != null ? fmt(r.cachedScan.cpuMs) : 'n/a',
    r.cachedScan ? String(r.cachedScan.rssMb ?? '?') : 'n/a',
    r.ratios.cachedVsRg !== null ? `${r.ratios.cachedVsRg}x` : 'n/a',
    r.ratios.cachedCpuVsRgCpu !== null ? `${r.ratios.cachedCpuVsRgCpu}x` : 'n/a',
    r.oneChangedScan ? fmt(r.oneChangedScan.wallMs) : 'n/a',
    r.ratios.oneChangedVsRg != null ? `${r.ratios.oneChangedVsRg}x` : 'n/a',
    r.oneChangedScan ? String(r.oneChangedScan.rssMb ?? '?') : 'n/a',
    r.plainChangedScan ? fmt(r.plainChangedScan.wallMs) : 'n/a',
    r.firstCachedScan ? fmt(r.firstCachedScan.wallMs) : 'n/a',
    r.firstCachedScan ? String(r.firstCachedScan.rssMb ?? '?') : 'n/a',
    r.cloneSameCommit ? fmt(r.cloneSameCommit.wallMs) : 'n/a',
    r.clonePullRequest ? fmt(r.clonePullRequest.wallMs) : 'n/a',
    r.clonePullRequest ? String(r.clonePullRequest.rssMb ?? '?') : 'n/a',
    r.clonePlainPullRequest ? fmt(r.clonePlainPullRequest.wallMs) : 'n/a',
    plantCell,
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
const table = rows.map((row) => row.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
console.log(table);
console.log(`node startup floor (node -e 0): ${fmt(nodeStartup.wallMs)}: no run of a Node.js tool, a cached re-scan included, is faster`);
if (!RG) console.log('rg not installed: ratios against rg are n/a (apt-get install ripgrep)');
if (uncovered.length) console.log(`registered rules without a generator plant: ${uncovered.join(', ')}`);
for (const r of results) for (const p of r.plants?.filter((x) => !x.ok) ?? []) console.log(`${r.tree}: MISMATCH ${p.rule} expected ${p.expected} found ${p.found}`);

if (!flag('--no-write')) {
  const stamp = new Date().toISOString().slice(0, 16).replace(':', '');
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  const file = join(dir, `${stamp}${slug ? `-${slug}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ label, date: new Date().toISOString(), env, rgPatterns: RG_PATTERNS, registeredRules: registered, uncoveredRules: uncovered, trees: results, table }, null, 2)}\n`);
  console.error(`wrote ${file}`);
}
