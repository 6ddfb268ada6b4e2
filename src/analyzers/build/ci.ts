/**
 * CI systems other than GitHub Actions that build images: GitLab CI, Bitbucket Pipelines, Azure Pipelines (script
 * steps and the Docker@2 task), CircleCI, Drone/Woodpecker, Buildkite, Travis, Google Cloud Build, and Jenkinsfiles.
 * Their shell steps go through the shell parser and the same invocation reader as scripts (docker/buildx/podman/
 * buildah/buildctl/kaniko), grouped per job with the variables each job's scripts check.
 */
import { checkedVariables, parseShell } from '../../shell/index.js';
import { get, getStr, isMap, isScalar, isSeq, seqItems, type PNode, type PScalar } from '../../yaml/model.js';
import { parseYaml } from '../../yaml/parse.js';
import { basename, segments } from '../../util/path.js';
import type { Analyzer, AnalyzerContext } from '../types.js';
import { afterWrites, scanScript, valueWords, type BuildInvocation, type CredentialWrite } from './invocation.js';
import type { ShellWord } from '../../shell/index.js';
import { partitionPoint } from '../../util/bisect.js';

export type CiSystem = 'gitlab' | 'bitbucket' | 'azure' | 'circleci' | 'drone' | 'buildkite' | 'travis' | 'cloudbuild' | 'jenkins' | 'taskfile' | 'package-json';

export interface CiJob {
  name: string;
  line: number;
  /** Variables the job's scripts check (`${X:?}`, `[ -z "$X" ]`), plus, for Jenkins, credentials bound by the job (a missing one fails the job). */
  checked: string[];
}

export interface CiModel {
  kind: 'ci';
  system: CiSystem;
  invocations: (BuildInvocation & { job: string })[];
  jobs: CiJob[];
  /** Scripts left unread (too large for the shell parser), reported as diagnostics. */
  skipped?: { line: number; message: string }[];
}

/** Which CI system a path belongs to, undefined when none. GitHub workflows have their own analyzer. */
export function ciSystemOf(path: string): CiSystem | undefined {
  // Two analyzers ask about every discovered file, one after the other.
  if (path !== lastCiPath) {
    lastCiPath = path;
    lastCiSystem = ciSystemOfPath(path);
  }
  return lastCiSystem;
}

let lastCiPath: string | undefined;
let lastCiSystem: CiSystem | undefined;

function foldersOf(path: string): string[] {
  return segments(path).slice(0, -1);
}

function ciSystemOfPath(path: string): CiSystem | undefined {
  const name = basename(path);
  // The folders only for the names that need them (a tenth of the files of a tree are YAML or Groovy).
  // Jenkins runs whatever Script Path a job names: `Jenkinsfile`, `jenkinsfile.gvy`, `Jenkinsfile.release`, `deploy.jenkinsfile`.
  if (/^jenkinsfile([._-][\w.-]*)?$/i.test(name) || /\.jenkinsfile$/i.test(name) || (/\.(groovy|gvy)$/.test(name) && foldersOf(path).some((d) => /^(jenkins|\.jenkins|ci|pipelines?)$/i.test(d)))) return 'jenkins';
  // Task runners: npm/pnpm/yarn package.json scripts, go-task Taskfiles.
  if (name === 'package.json') return 'package-json';
  if (!/\.ya?ml$/i.test(name)) return undefined;
  // Every folder test below names one of these words.
  const dirs = /gitlab|azure|pipelines|circleci|woodpecker|buildkite/.test(path) ? foldersOf(path) : [];
  if (/^taskfile(\.dist)?\.ya?ml$/i.test(name)) return 'taskfile';
  if (/^\.gitlab-ci\.ya?ml$/.test(name) || /\.gitlab-ci\.ya?ml$/.test(name) || dirs.includes('.gitlab') || dirs.some((d) => d === 'gitlab-ci' || d === '.gitlab-ci')) return 'gitlab';
  if (/^bitbucket-pipelines\.ya?ml$/.test(name)) return 'bitbucket';
  if (/^azure-pipelines/.test(name) || dirs.some((d) => d === '.azure-pipelines' || d === '.azuredevops' || d === 'azure-pipelines' || d === '.pipelines')) return 'azure';
  if (dirs[dirs.length - 1] === '.circleci') return 'circleci';
  if (/^\.(drone|woodpecker)\.ya?ml$/.test(name) || dirs[dirs.length - 1] === '.woodpecker') return 'drone';
  if (dirs[dirs.length - 1] === '.buildkite' || /^buildkite\.ya?ml$/.test(name)) return 'buildkite';
  if (name === '.travis.yml') return 'travis';
  if (/^cloudbuild([._-][\w.-]*)?\.ya?ml$/.test(name)) return 'cloudbuild';
  return undefined;
}

const SCRIPT_KEYS = new Set(['script', 'before_script', 'after_script', 'commands', 'command', 'run', 'bash', 'sh', 'inlineScript', 'install', 'before_install', 'cmds', 'cmd']);
/** GitLab top-level keys that are not jobs. */
export const GITLAB_RESERVED: ReadonlySet<string> = new Set(['variables', 'stages', 'default', 'include', 'workflow', 'image', 'services', 'before_script', 'after_script', 'cache', 'spec']);

function contentLine(node: PScalar): number {
  return node.style === 'block' ? node.line + 1 : node.line;
}

/** Azure macros `$(Build.SourcesDirectory)` / `$(npmToken)` are replaced before the shell runs: read them as variables. */
function azureMacros(text: string): string {
  return text.replace(/\$\(([A-Za-z_][\w.]*)\)/g, (_m, name: string) => `\${${name.replace(/\./g, '_')}}`);
}

class CiReader {
  readonly model: CiModel;
  private readonly jobs = new Map<string, { line: number; checked: Set<string> }>();

  constructor(
    readonly system: CiSystem,
    readonly path: string,
  ) {
    this.model = { kind: 'ci', system, invocations: [], jobs: [] };
  }

  private job(name: string, line: number): { line: number; checked: Set<string> } {
    let job = this.jobs.get(name);
    if (!job) {
      job = { line, checked: new Set() };
      this.jobs.set(name, job);
    }
    return job;
  }

  /**
   * One shell text of a job, parsed with its position in the file. A folded YAML scalar (`>`, `>-`, a multi-line
   * plain scalar) reaches the shell as one line: `lines` (the file's lines it spans) put each build argument and
   * secret back on the line that writes it.
   */
  /** CI variables holding option lists (`BUILD_ARGS: --build-arg NPM_TOKEN=$NPM_TOKEN`): global, then per job. */
  readonly variables = new Map<string, Map<string, ShellWord[]>>();

  /** Credential files each job's scripts wrote so far: in the checkout for the job's later builds. */
  private readonly writes = new Map<string, CredentialWrite[]>();

  variable(jobName: string, name: string, value: string, line: number): void {
    const words = valueWords(this.system === 'azure' ? azureMacros(value) : value, line);
    if (!words) return;
    if (!this.variables.has(jobName)) this.variables.set(jobName, new Map());
    this.variables.get(jobName)!.set(name, words);
  }

  script(text: string, line: number, jobName: string, jobLine: number, lines?: { text: string[]; from: number; to: number }, form?: BuildInvocation['form']): void {
    const source = this.system === 'azure' ? azureMacros(text) : text;
    const script = parseShell(source, { lineOffset: line - 1 });
    if (script.tooLarge) (this.model.skipped ??= []).push({ line, message: `job ${jobName}: ${script.error!.message}` });
    const job = this.job(jobName, jobLine);
    for (const v of checkedVariables(script)) job.checked.add(v);
    // The job's variables win over the pipeline's.
    const pipeline = this.variables.get('(pipeline)');
    const own = this.variables.get(jobName);
    const outer = { get: (name: string) => own?.get(name) ?? pipeline?.get(name) };
    const dir = this.path.includes('/') ? this.path.slice(0, this.path.lastIndexOf('/')) : '.';
    const bases = (this.system === 'package-json' || this.system === 'taskfile') && dir !== '.' ? [dir, '.'] : ['.'];
    const scanned = scanScript(script, this.path, 'ci-script', bases, outer);
    const earlier = this.writes.get(jobName) ?? [];
    for (const inv of scanned.invocations) {
      if (lines && !text.includes('\n') && lines.to > lines.from) relocate(inv, lines);
      if (form) inv.form = form;
      this.model.invocations.push({ ...afterWrites(inv, earlier), job: jobName });
    }
    if (scanned.writes.length) this.writes.set(jobName, [...earlier, ...scanned.writes]);
  }

  /** Names the CI system guarantees for a job (Cloud Build `secretEnv`: the build fails when the secret is missing). */
  guaranteed(jobName: string, jobLine: number, names: string[]): void {
    const job = this.job(jobName, jobLine);
    for (const n of names) job.checked.add(n);
  }

  finish(): CiModel {
    this.model.jobs = [...this.jobs.entries()].map(([name, j]) => ({ name, line: j.line, checked: [...j.checked] }));
    return this.model;
  }
}

/** Put build args, secrets and env reads of a folded scalar on the source line that names them. */
function relocate(inv: BuildInvocation, lines: { text: string[]; from: number; to: number }): void {
  const find = (needle: string): number | undefined => {
    for (let l = lines.from; l <= lines.to; l++) if ((lines.text[l - 1] ?? '').includes(needle)) return l;
    return undefined;
  };
  const moved = new Map<number, number>();
  for (const arg of inv.buildArgs) {
    const at = find(`${arg.name}=`) ?? find(arg.name);
    if (at) {
      moved.set(arg.line, at);
      for (const r of inv.envReads) if (r.line === arg.line && arg.refs.includes(r.name)) r.line = at;
      arg.line = at;
    }
  }
  for (const secret of inv.secrets) {
    const at = find(`id=${secret.id}`);
    if (at) {
      for (const r of inv.envReads) if (r.line === secret.line && secret.refs.includes(r.name)) r.line = at;
      secret.line = at;
    }
  }
  inv.endLine = Math.max(inv.endLine, lines.to);
}

function scalarTexts(node: PNode | null | undefined): { text: string; line: number; endLine: number }[] {
  if (isScalar(node)) return typeof node.value === 'string' ? [{ text: node.value, line: contentLine(node), endLine: node.endLine }] : [];
  if (isSeq(node)) return node.items.flatMap((i) => scalarTexts(i));
  return [];
}

/** Azure `task: Docker@2` (build / buildAndPush) as the docker command it runs. */
function azureDockerTask(step: PNode): { text: string; line: number } | undefined {
  const task = getStr(step, 'task');
  if (!task || !/^Docker@\d+$/i.test(task)) return undefined;
  const inputs = get(step, 'inputs');
  const command = (getStr(inputs, 'command') ?? 'buildAndPush').toLowerCase();
  if (command !== 'build' && command !== 'buildandpush') return undefined;
  const dockerfile = getStr(inputs, 'Dockerfile') ?? getStr(inputs, 'dockerfile') ?? 'Dockerfile';
  const context = getStr(inputs, 'buildContext') ?? (dockerfile.includes('/') && !dockerfile.includes('*') ? dockerfile.slice(0, dockerfile.lastIndexOf('/')) : '.');
  const argsNode = get(inputs, 'arguments');
  const args = isScalar(argsNode) ? String(argsNode.value ?? '').replace(/\n/g, ' ') : '';
  const line = isScalar(argsNode) ? contentLine(argsNode) : step.line;
  const df = dockerfile.replace(/^\*\*\//, '');
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return { text: `docker build ${args} -f ${q(df)} ${q(context)}`, line };
}

/** Drone/Woodpecker plugins that build an image from `settings:` (dockerfile, context, build_args, build_args_from_env, secrets). */
const DRONE_DOCKER_PLUGIN = /^(?:[\w.-]+\/)?(plugins\/(docker|docker-buildx|buildx|kaniko|ecr|gcr|acr)|woodpeckerci\/plugin-(docker-buildx|kaniko)|thegeeklab\/drone-docker-buildx)(:[\w.-]+)?$/;

/** A Drone/Woodpecker docker plugin step as the docker build it runs: `build_args_from_env: [NPM_TOKEN]` is `--build-arg NPM_TOKEN`. */
function droneDockerStep(step: PNode): { text: string; line: number; endLine: number } | undefined {
  const image = getStr(step, 'image');
  const settings = get(step, 'settings');
  if (!image || !DRONE_DOCKER_PLUGIN.test(image) || !isMap(settings)) return undefined;
  const list = (key: string): string[] => {
    const n = get(settings, key);
    if (isSeq(n)) return n.items.filter(isScalar).map((x) => String(x.value ?? ''));
    if (isMap(n)) return n.entries.filter((e) => isScalar(e.value)).map((e) => `${e.key}=${String((e.value as PScalar).value ?? '')}`);
    return isScalar(n) && n.value != null ? String(n.value).split(',').map((x) => x.trim()).filter(Boolean) : [];
  };
  const q = (x: string) => `'${x.replace(/'/g, "'\\''")}'`;
  // Double quotes: `${NPM_TOKEN}` in a value is substituted from the step's environment.
  const dq = (x: string) => `"${x.replace(/(["\\`])/g, '\\$1')}"`;
  const words = [
    ...list('build_args').map((a) => `--build-arg ${dq(a)}`),
    ...list('build_args_from_env').map((n) => `--build-arg ${n}`),
    ...list('secrets').map((x) => `--secret ${dq(x)}`),
  ];
  const dockerfile = getStr(settings, 'dockerfile');
  const target = getStr(settings, 'target');
  if (dockerfile) words.push(`-f ${q(dockerfile)}`);
  if (target) words.push(`--target ${q(target)}`);
  // Placed on the settings lines: each build arg lands on the item that names it, not on the step's `environment:`.
  return { text: `docker build ${words.join(' ')} ${q(getStr(settings, 'context') ?? '.')}`, line: settings.line, endLine: settings.endLine };
}

/** Buildkite plugins that build images: docker-compose (`build:` services, `args:`, `config:`) and seek-oss/docker-ecr-cache. */
const BUILDKITE_COMPOSE_PLUGIN = /(?:^|\/)docker-compose(?:-buildkite-plugin)?(?:\.git)?(?:#[\w.-]+)?$/;
const BUILDKITE_ECR_CACHE_PLUGIN = /(?:^|\/)docker-ecr-cache(?:-buildkite-plugin)?(?:\.git)?(?:#[\w.-]+)?$/;

const BUILDKITE_TOP_LEVEL = new Set(['steps', 'env', 'agents']);

/** A Buildkite step's image-building plugins as the docker commands they run, placed on each plugin's options. */
function buildkitePluginSteps(step: PNode): { text: string; line: number; endLine: number }[] {
  const plugins = get(step, 'plugins');
  const entries = isSeq(plugins) ? plugins.items.flatMap((item) => (isMap(item) ? item.entries : [])) : isMap(plugins) ? plugins.entries : [];
  const out: { text: string; line: number; endLine: number }[] = [];
  const q = (x: string) => `'${x.replace(/'/g, "'\\''")}'`;
  const dq = (x: string) => `"${x.replace(/(["\\`])/g, '\\$1')}"`;
  for (const { key, value } of entries) {
    if (!isMap(value)) continue;
    const list = (name: string): string[] => {
      const n = get(value, name);
      if (isSeq(n)) return n.items.filter(isScalar).map((x) => String(x.value ?? ''));
      if (isMap(n)) return n.entries.filter((e) => isScalar(e.value)).map((e) => `${e.key}=${String((e.value as PScalar).value ?? '')}`);
      return isScalar(n) && n.value != null ? [String(n.value)] : [];
    };
    if (BUILDKITE_COMPOSE_PLUGIN.test(key)) {
      const services = list('build');
      if (services.length === 0) continue;
      const files = list('config').map((f) => `-f ${q(f)}`);
      const args = list('args').map((a) => `--build-arg ${dq(a)}`);
      out.push({ text: `docker compose ${files.join(' ')} build ${args.join(' ')} ${services.map(q).join(' ')}`, line: value.line, endLine: value.endLine });
    } else if (BUILDKITE_ECR_CACHE_PLUGIN.test(key)) {
      const words = [
        ...list('build-args').map((a) => `--build-arg ${dq(a)}`),
        // `secrets: [NPM_TOKEN]` is the environment variable of that name, mounted as a BuildKit secret.
        ...list('secrets').map((x) => `--secret ${dq(x.includes('=') ? x : `id=${x},env=${x}`)}`),
      ];
      const dockerfile = getStr(value, 'dockerfile');
      const target = getStr(value, 'target');
      if (dockerfile) words.push(`-f ${q(dockerfile)}`);
      if (target) words.push(`--target ${q(target)}`);
      out.push({ text: `docker build ${words.join(' ')} ${q(getStr(value, 'context') ?? '.')}`, line: value.line, endLine: value.endLine });
    }
  }
  return out;
}

/** Cloud Build step `name: gcr.io/cloud-builders/docker` / kaniko with `args: [...]` (or `entrypoint: bash`, `args: [-c, script]`). */
function cloudBuildStep(step: PNode): { text: string; line: number } | undefined {
  const image = getStr(step, 'name');
  const args = get(step, 'args');
  if (!image || !isSeq(args)) return undefined;
  const items = args.items.filter(isScalar).map((s) => ({ text: String(s.value ?? ''), line: contentLine(s) }));
  const entrypoint = getStr(step, 'entrypoint');
  if (entrypoint && /(^|\/)(ba)?sh$/.test(entrypoint) && items[0]?.text === '-c' && items[1]) return { text: items[1].text.replace(/\$\$/g, '$'), line: items[1].line };
  const q = (s: string) => `'${s.replace(/\$\$/g, '\u0000').replace(/'/g, "'\\''")}'`.replace(/\u0000/g, "'\"$\"'");
  // `$$NPM_TOKEN` is the shell variable (secretEnv); `${_X}` substitutions are Cloud Build's.
  const word = (s: string) => (/\$\$|\$\{?_?[A-Za-z]/.test(s) ? `"${s.replace(/\$\$/g, '$').replace(/"/g, '\\"')}"` : q(s));
  if (/(^|\/)docker(:[\w.-]+)?$/.test(image)) return { text: `docker ${items.map((i) => word(i.text)).join(' ')}`, line: items[0]?.line ?? step.line };
  if (/kaniko-project\/executor/.test(image)) return { text: `/kaniko/executor ${items.map((i) => word(i.text)).join(' ')}`, line: items[0]?.line ?? step.line };
  return undefined;
}

/** package.json `scripts`: each script is a job run from the package folder. */
function analyzePackageJson(text: string, path: string): CiModel {
  const reader = new CiReader('package-json', path);
  const root = parseYaml(text).docs[0]?.root;
  const scripts = get(root, 'scripts');
  if (isMap(scripts)) {
    for (const e of scripts.entries) if (isScalar(e.value) && typeof e.value.value === 'string') reader.script(e.value.value, e.line, e.key, e.line);
  }
  return reader.finish();
}

function reportSkipped(model: CiModel, context: AnalyzerContext): CiModel {
  for (const skipped of model.skipped ?? []) context.diagnostic({ code: 'too-large', message: skipped.message, line: skipped.line });
  return model;
}

export function analyzeCiYaml(text: string, path: string, system: CiSystem): CiModel {
  if (system === 'package-json') return analyzePackageJson(text, path);
  const reader = new CiReader(system, path);
  const fileLines = text.split('\n');
  const readPlugins = new Set<number>();
  const visit = (node: PNode | null | undefined, keys: string[], jobName: string, jobLine: number): void => {
    const parentKey = keys[keys.length - 1];
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        // Azure `jobs: - job: Build`, `stages: - stage: X`, Buildkite `steps: - key: x`: a list of jobs.
        const named = isMap(item) && (parentKey === 'jobs' || parentKey === 'stages') ? (getStr(item, 'job') ?? getStr(item, 'stage') ?? getStr(item, 'deployment') ?? getStr(item, 'name')) : undefined;
        visit(item, [...keys, String(i)], named ?? jobName, named && item ? item.line : jobLine);
      });
      return;
    }
    if (!isMap(node)) return;
    // Variables first: scripts of the same map (job) read them wherever they are written.
    const vars = get(node, 'variables') ?? get(node, 'environment') ?? get(node, 'env');
    if (isMap(vars)) for (const v of vars.entries) if (isScalar(v.value) && typeof v.value.value === 'string') reader.variable(jobName, v.key, v.value.value, v.line);
    const task = azureDockerTask(node);
    const step = task ? undefined : system === 'cloudbuild' ? cloudBuildStep(node) : undefined;
    if (task) reader.script(task.text, task.line, jobName, jobLine, undefined, 'azure-docker-task');
    const plugin = system === 'drone' ? droneDockerStep(node) : undefined;
    if (plugin) reader.script(plugin.text, plugin.line, jobName, jobLine, { text: fileLines, from: plugin.line, to: plugin.endLine }, 'drone-docker-plugin');
    if (step) reader.script(step.text, step.line, jobName, jobLine, undefined, 'cloudbuild-step');
    if (system === 'buildkite')
      for (const p of buildkitePluginSteps(node)) {
        // Steps that alias one anchored plugin (`- *deps-image`) run one build configuration, read once.
        if (readPlugins.has(p.line)) continue;
        readPlugins.add(p.line);
        reader.script(p.text, p.line, jobName, jobLine, { text: fileLines, from: p.line, to: p.endLine }, 'buildkite-plugin');
      }
    for (const e of node.entries) {
      // Buildkite runs `steps` only: other top-level keys (`configs:`, `x-plugins:`) hold anchors its steps alias.
      if (system === 'buildkite' && keys.length === 0 && !BUILDKITE_TOP_LEVEL.has(e.key)) continue;
      // GitLab jobs are top-level keys; CircleCI/others name jobs under `jobs:`.
      const atJob = isMap(e.value) && ((keys.length === 0 && system === 'gitlab' && !GITLAB_RESERVED.has(e.key) && !e.key.startsWith('.')) || ((parentKey === 'jobs' || (parentKey === 'tasks' && system === 'taskfile')) && keys.length <= 2));
      if (e.key === 'secretEnv' && system === 'cloudbuild') reader.guaranteed(jobName, jobLine, scalarTexts(e.value).map((t) => t.text));
      if (SCRIPT_KEYS.has(e.key) && (isScalar(e.value) || isSeq(e.value))) {
        const texts = scalarTexts(e.value);
        if (texts.length) {
          for (const t of texts) reader.script(t.text, t.line, jobName, jobLine, { text: fileLines, from: t.line, to: t.endLine });
          continue;
        }
      }
      visit(e.value, [...keys, e.key], atJob ? e.key : jobName, atJob ? e.line : jobLine);
    }
  };
  for (const doc of parseYaml(text).docs) visit(doc.root, [], '(pipeline)', 1);
  return reader.finish();
}

// ---- Jenkinsfile ----------------------------------------------------------------------------------------------

interface GroovyString {
  value: string;
  /** Line of the first character of the value. */
  line: number;
  /** Double-quoted (GString): `${...}` interpolates Groovy expressions before the shell sees the text. */
  interpolated: boolean;
  /** Source offset of the opening quote. */
  start: number;
  end: number;
}

/** String literals of a Groovy file (comments skipped), with their lines. */
export function groovyStrings(text: string): GroovyString[] {
  const out: GroovyString[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      const triple = text.slice(i, i + 3) === c.repeat(3);
      const start = i;
      const startLine = line;
      i += triple ? 3 : 1;
      let value = '';
      while (i < text.length) {
        const ch = text[i]!;
        if (triple ? text.slice(i, i + 3) === c.repeat(3) : ch === c) {
          i += triple ? 3 : 1;
          break;
        }
        if (!triple && ch === '\n') break;
        if (ch === '\n') line++;
        if (ch === '\\' && i + 1 < text.length) {
          const n = text[i + 1]!;
          if (n === '\n') {
            // A backslash-newline in a Groovy string is kept for the shell: a line continuation.
            value += '\\\n';
            line++;
          } else if (n === '$') value += c === '"' ? '\\$' : '\\$';
          else if (n === 'n') value += '\n';
          else if (n === 't') value += '\t';
          else value += n;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      out.push({ value, line: startLine, interpolated: c === '"', start, end: i });
      continue;
    }
    i++;
  }
  return out;
}

/** A GString's Groovy interpolations as shell variables: `${env.NPM_TOKEN}` / `${params.X}` / `${X}` -> `${NAME}`; `\$` stays a shell `$`. */
function groovyToShell(s: GroovyString): string {
  if (!s.interpolated) return s.value.replace(/\\\$/g, '$');
  return s.value
    .replace(/(?<!\\)\$\{([^}]*)\}/g, (_m, expr: string) => {
      const name = /^\s*(?:env\.|params\.)?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(expr);
      if (name) return `\${${name[1]}}`;
      // Any other expression (`readProperties(file: P)['TOKEN']`, `params.TOKEN.trim()`) is a value computed at run
      // time, not a literal: a variable named after its last key or property.
      const keys = expr.replace(/\[\s*(['"])(\w+)\1\s*\]/g, '.$2').replace(/(['"])(?:\\.|(?!\1)[^\\])*\1/g, '');
      const ids = [...keys.matchAll(/\b([A-Za-z_]\w*)\b(?!\s*[(:])/g)].map((m) => m[1]!).filter((n) => !/^(env|params|it|this|true|false|null)$/.test(n));
      return `\${${ids[ids.length - 1] ?? 'GROOVY_EXPR'}}`;
    })
    .replace(/\\\$/g, '$');
}

/** Is the string whose preceding text is BEFORE (and LINEBEFORE on its line) the script of an `sh` step? */
function isShStep(before: string, lineBefore: string): boolean {
  return /\bsh\s*\(?\s*$/.test(before) || /\bsh\b[^\n]*\bscript\s*:\s*$/.test(lineBefore) || /\bsh\s*\(\s*\n?\s*script\s*:\s*$/.test(before);
}

/** The shell text of a Jenkinsfile's `sh` steps (Groovy interpolations as shell variables), with the line each starts on. */
export function jenkinsShellSteps(text: string): { shell: string; line: number }[] {
  const out: { shell: string; line: number }[] = [];
  for (const s of groovyStrings(text)) {
    const before = text.slice(Math.max(0, s.start - 200), s.start);
    if (isShStep(before, before.slice(before.lastIndexOf('\n') + 1))) out.push({ shell: groovyToShell(s), line: s.line });
  }
  return out;
}

/** A Groovy variable set to a string literal: `def token = '…'`, `environment { API_TOKEN = '…' }`, `env.X = '…'`. */
export interface GroovyAssignment {
  name: string;
  value: string;
  line: number;
  column: number;
  /** `${…}` in a double-quoted string: a value computed at run time, not a literal. */
  interpolated: boolean;
  /** The variable is handed where Jenkins expects a credentials id (`credentials(name)`, `credentialsId: name`, `withRegistry(url, name)`, `sshagent([name])`). */
  credentialsId: boolean;
}

/** Inside the list of a `withEnv([` call, before the string: no `]` closed it yet. */
const WITH_ENV_LIST = /\bwithEnv\s*\(\s*\[[^\]]*$/;
const GROOVY_ASSIGNMENT_LEAD = /(?:^|[;{])\s*(?:(?:def|final|static|private|public|protected|String|var)\s+)*(env\.)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*$/;

/**
 * Variables a Jenkinsfile sets to a whole string literal: declarations (`def`, typed, `final`), bare and `env.`
 * assignments, `environment { }` entries. `NAME = credentials('id')` and other calls are no literal and are skipped.
 */
export function jenkinsAssignments(text: string): GroovyAssignment[] {
  const out: GroovyAssignment[] = [];
  const ids = new Set<string>();
  for (const m of text.matchAll(/\b(?:credentials\s*\(\s*|credentialsId\s*:\s*|withRegistry\s*\([^,()]*,\s*|sshagent\s*\(\s*(?:credentials\s*:\s*)?\[\s*)(?:env\.)?([A-Za-z_][A-Za-z0-9_]*)\s*[),\]]/g)) ids.add(m[1]!);
  for (const s of groovyStrings(text)) {
    if (text.slice(s.start, s.start + 3) === text[s.start]!.repeat(3)) continue;
    const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
    // `withEnv(['DB_PASSWORD=…', …])`: each item sets a variable for the steps inside.
    const item = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(s.value);
    if (item && WITH_ENV_LIST.test(text.slice(Math.max(0, s.start - 2000), s.start))) {
      const value = item[2]!;
      out.push({ name: item[1]!, value, line: s.line, column: s.start - lineStart + 2 + item[1]!.length + 1, interpolated: s.interpolated && /(?<!\\)\$/.test(value), credentialsId: false });
      continue;
    }
    const lead = GROOVY_ASSIGNMENT_LEAD.exec(text.slice(lineStart, s.start));
    if (!lead) continue;
    const nl = text.indexOf('\n', s.end);
    // The whole right-hand side: nothing but `;`, the braces of a one-line block (`script { def t = '…' }`) or a comment
    // after the closing quote (`'a' + b` is an expression).
    if (!/^\s*;?[\s}]*(?:\/\/.*|\/\*.*)?$/.test(text.slice(s.end, nl < 0 ? text.length : nl).replace(/\r$/, ''))) continue;
    const name = lead[2]!;
    out.push({ name, value: s.value, line: s.line, column: s.start - lineStart + 1, interpolated: s.interpolated && /(?<!\\)\$/.test(s.value), credentialsId: ids.has(name) });
  }
  return out;
}

export function analyzeJenkinsfile(text: string, path: string): CiModel {
  const reader = new CiReader('jenkins', path);
  const strings = groovyStrings(text);
  // Credentials bound to variables: Jenkins fails the job when the credential is missing.
  const bound = new Set<string>();
  for (const m of text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*=\s*credentials\s*\(/g)) bound.add(m[1]!);
  for (const m of text.matchAll(/\b(?:variable|usernameVariable|passwordVariable|keyFileVariable|passphraseVariable)\s*:\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g)) bound.add(m[1]!);
  // Every stage('name') with where its match ends and its line, in order. A string's stage is the last one whose match
  // ends before it: found by bisection (searched and counted again for every string, 1,000 stages took 13 s).
  const stages: { end: number; name: string; line: number }[] = [];
  let line = 1;
  let counted = 0;
  for (const m of text.matchAll(/\bstage\s*\(\s*['"]([^'"]+)['"]/g)) {
    for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < m.index; nl = text.indexOf('\n', nl + 1)) line++;
    counted = m.index;
    stages.push({ end: m.index + m[0].length, name: m[1]!, line });
  }
  const stageAt = (offset: number): { name: string; line: number } => {
    const stage = stages[partitionPoint(stages, (s) => s.end <= offset) - 1];
    return stage ? { name: stage.name, line: stage.line } : { name: '(pipeline)', line: 1 };
  };
  strings.forEach((s, index) => {
    const before = text.slice(Math.max(0, s.start - 200), s.start);
    const lineBefore = before.slice(before.lastIndexOf('\n') + 1);
    let shell: string | undefined;
    let form: BuildInvocation['form'];
    if (isShStep(before, lineBefore)) shell = groovyToShell(s);
    else if (/\bdocker\.build\s*\(\s*(?:env\.|params\.)?[A-Za-z_][\w.]*\s*,\s*$/.test(before)) {
      // docker.build(imageVariable, args): the image is an expression, the args the first string.
      const image = /\bdocker\.build\s*\(\s*(?:env\.|params\.)?([A-Za-z_][\w.]*)\s*,\s*$/.exec(before)![1]!.replace(/\W/g, '_');
      shell = `docker build -t \${${image}} ${groovyToShell(s)}`;
      form = 'jenkins-docker-build';
    } else if (/\bdocker\.build\s*\(\s*$/.test(before)) {
      // docker.build(image[, args]): the pipeline plugin runs `docker build -t image <args>` (args default ".").
      const next = strings[index + 1];
      const between = next ? text.slice(s.end, next.start) : '';
      const args = next && /^\s*,\s*$/.test(between) ? groovyToShell(next) : '.';
      shell = `docker build -t ${s.value.replace(/\$\{[^}]*\}/g, 'TAG')} ${args}`;
      form = 'jenkins-docker-build';
    }
    if (shell === undefined) return;
    const stage = stageAt(s.start);
    reader.script(shell, s.line, stage.name, stage.line, undefined, form);
  });
  // agent { dockerfile { filename 'ci/Dockerfile'; dir 'ci'; additionalBuildArgs '--build-arg X=$X' } }: Jenkins runs
  // `docker build -t <hash> <additionalBuildArgs> -f <dir>/<filename> <dir>` before the stage.
  for (const m of text.matchAll(/\bdockerfile\s*\{/g)) {
    let depth = 1;
    let end = m.index + m[0].length;
    while (end < text.length && depth > 0) {
      if (text[end] === '{') depth++;
      else if (text[end] === '}') depth--;
      end++;
    }
    const settings = new Map<string, GroovyString>();
    for (const s of strings) {
      if (s.start < m.index || s.end > end) continue;
      const key = /\b(filename|dir|additionalBuildArgs)\s*$/.exec(text.slice(Math.max(m.index, s.start - 40), s.start));
      if (key && !settings.has(key[1]!)) settings.set(key[1]!, s);
    }
    const args = settings.get('additionalBuildArgs');
    if (!args) continue;
    const dir = settings.get('dir')?.value.replace(/\/+$/, '') || '.';
    const filename = settings.get('filename')?.value || 'Dockerfile';
    const stage = stageAt(m.index);
    reader.script(`docker build -t agent ${groovyToShell(args)} -f ${dir === '.' ? filename : `${dir}/${filename}`} ${dir}`, args.line, stage.name, stage.line, undefined, 'jenkins-agent-dockerfile');
  }
  const model = reader.finish();
  for (const job of model.jobs) job.checked = [...new Set([...job.checked, ...bound])];
  if (model.jobs.length === 0 && bound.size) model.jobs.push({ name: '(pipeline)', line: 1, checked: [...bound] });
  return model;
}

/** Mentions a build program: files that cannot build need no parse. */
const BUILD_PROGRAM = /docker|podman|nerdctl|buildah|buildctl|kaniko|depot|skaffold/i;

export const ciPipelineAnalyzer: Analyzer<CiModel> = {
  id: 'ci-pipeline',
  claims: (file) => {
    const system = ciSystemOf(file.path);
    return system !== undefined && system !== 'jenkins';
  },
  sniff: (text) => BUILD_PROGRAM.test(text),
  parse: (text, file, context) => reportSkipped(analyzeCiYaml(text, file.path, ciSystemOf(file.path)!), context),
};

export const jenkinsfileAnalyzer: Analyzer<CiModel> = {
  id: 'jenkinsfile',
  claims: (file) => ciSystemOf(file.path) === 'jenkins',
  sniff: (text) => BUILD_PROGRAM.test(text),
  parse: (text, file, context) => reportSkipped(analyzeJenkinsfile(text, file.path), context),
};


