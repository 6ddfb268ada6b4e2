/**
 * GitHub Actions workflows: `docker/build-push-action` steps (context, file, build-args, secrets, secret-files,
 * secret-envs) and `run:` steps parsed as shell, with the env each step gets from `${{ secrets.X }}`.
 */
import { checkedVariables, parseShell } from '../../shell/index.js';
import { get, getStr, isMap, isScalar, seqItems, type PNode, type PScalar } from '../../yaml/model.js';
import { parseYaml } from '../../yaml/parse.js';
import { segments } from '../../util/path.js';
import type { Analyzer } from '../types.js';
import { afterWrites, buildArgFrom, refsOf, scanScript, secretFrom, type BuildArgPass, type BuildInvocation, type CredentialWrite, type EnvRead } from './invocation.js';

export interface WorkflowStep {
  job: string;
  line: number;
  uses?: string;
  name?: string;
  /** Env names visible to the step mapped to what feeds them (`secrets.NPM_TOKEN`, `vars.X`, a literal). */
  env: Record<string, string>;
  /** Variables the step's run: script checks. */
  checked: string[];
  /** `if:` expression of the step, as written. */
  condition?: string;
}

export interface WorkflowModel {
  kind: 'workflow';
  invocations: (BuildInvocation & { job: string; step: number })[];
  steps: WorkflowStep[];
}

export function isWorkflowPath(path: string): boolean {
  if (!/\.ya?ml$/i.test(path) || !path.includes('workflows')) return false;
  const parts = segments(path);
  return parts.length >= 3 && parts[parts.length - 3] === '.github' && parts[parts.length - 2] === 'workflows';
}

function envOf(node: PNode | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(node)) return out;
  for (const e of node.entries) if (isScalar(e.value)) out[e.key] = String(e.value.value ?? '');
  return out;
}

/** First line of a scalar's content: block scalars start on the line after the indicator. */
function contentLine(node: PScalar): number {
  return node.style === 'block' ? node.line + 1 : node.line;
}

/** `NAME=value` lines of a build-push-action list input (newline- or comma-separated, or a YAML list). */
function listInput(node: PNode | null | undefined): { text: string; line: number }[] {
  if (isScalar(node)) {
    const value = String(node.value ?? '');
    const first = contentLine(node);
    const out: { text: string; line: number }[] = [];
    value.split('\n').forEach((l, i) => {
      const t = l.trim();
      if (t && !t.startsWith('#')) out.push({ text: t, line: first + i });
    });
    return out;
  }
  return seqItems(node)
    .filter(isScalar)
    .map((s) => ({ text: String(s.value ?? '').trim(), line: s.line }));
}

/**
 * Every build invocation a run: script can hold starts with one of these programs, written in the script itself
 * (a command, a path to one, or a variable assigned in the script; see invocationFromCommand). The checks a script
 * makes are read only for jobs that build.
 */
const BUILD_PROGRAM = /docker|podman|nerdctl|buildah|buildctl|skaffold/;

export function analyzeWorkflow(text: string, path: string): WorkflowModel {
  const model: WorkflowModel = { kind: 'workflow', invocations: [], steps: [] };
  // A workflow that names no build program anywhere holds no invocation: its run: scripts need no shell parse.
  const mayBuild = BUILD_PROGRAM.test(text);
  for (const doc of parseYaml(text).docs) {
    const root = doc.root;
    const workflowEnv = envOf(get(root, 'env'));
    const defaultsDir = getStr(root, ['defaults', 'run', 'working-directory']);
    const jobs = get(root, 'jobs');
    if (!isMap(jobs)) continue;
    for (const jobEntry of jobs.entries) {
      const job = jobEntry.value;
      const jobEnv = { ...workflowEnv, ...envOf(get(job, 'env')) };
      const jobDir = getStr(job, ['defaults', 'run', 'working-directory']) ?? defaultsDir;
      // Files the job's earlier run: steps wrote credentials into: they are in the checkout every later build reads.
      const jobWrites: CredentialWrite[] = [];
      seqItems(get(job, 'steps')).forEach((step, index) => {
        if (!isMap(step)) return;
        const env = { ...jobEnv, ...envOf(get(step, 'env')) };
        const uses = getStr(step, 'uses');
        const info: WorkflowStep = { job: jobEntry.key, line: step.line, env, checked: [] };
        if (uses) info.uses = uses;
        const name = getStr(step, 'name');
        if (name) info.name = name;
        const condition = getStr(step, 'if');
        if (condition) info.condition = condition;
        model.steps.push(info);
        const tag = { job: jobEntry.key, step: index };
        if (uses && /^docker\/build-push-action@/i.test(uses)) {
          model.invocations.push({ ...afterWrites(buildPushAction(step, path, env), jobWrites), ...tag });
          return;
        }
        const other = uses ? otherBuildAction(step, uses) : undefined;
        if (other) {
          model.invocations.push({ ...afterWrites(other, jobWrites), ...tag });
          return;
        }
        const run = get(step, 'run');
        if (mayBuild && isScalar(run) && typeof run.value === 'string') {
          // `${{ secrets.X }}` is not shell: mask each expression as a plain word before parsing, restore it after.
          const masked = maskExpressions(run.value);
          const script = parseShell(masked.text, { lineOffset: contentLine(run) - 1 });
          info.checked = [...checkedVariables(script)];
          const dir = getStr(step, 'working-directory') ?? jobDir;
          const bases = dir ? [dir.replace(/^\.\/?/, '') || '.', '.'] : ['.'];
          const scanned = scanScript(script, path, 'workflow-run', bases);
          for (const inv of scanned.invocations.map((i) => afterWrites(unmaskInvocation(i, masked.expressions, env), jobWrites))) {
            // Env forwarded from `${{ secrets.X }}` via the step env.
            for (const read of inv.envReads) {
              const source = env[read.name];
              if (source && /\$\{\{\s*secrets\./.test(source)) read.via = 'ci-secret';
            }
            model.invocations.push({ ...inv, ...tag });
          }
          jobWrites.push(...scanned.writes.map((w) => unmaskWrite(w, masked.expressions, env)));
        }
      });
    }
  }
  return model;
}

const EXPRESSION = /\$\{\{[^\n]*?\}\}/g;
const PLACEHOLDER = /__GHAEXPR(\d+)__/g;

/** Replace each `${{ … }}` of a run: script by a placeholder word the shell parser accepts. */
export function maskExpressions(text: string): { text: string; expressions: string[] } {
  const expressions: string[] = [];
  const masked = text.replace(EXPRESSION, (m) => `__GHAEXPR${expressions.push(m) - 1}__`);
  return { text: masked, expressions };
}

function unmask(value: string, expressions: string[]): string {
  return value.replace(PLACEHOLDER, (m, i: string) => expressions[Number(i)] ?? m);
}

/**
 * A credential write with its `${{ … }}` expressions back: the runner substitutes them before the shell runs, quoted or
 * not, so what they read is written. A step env variable fed by a secret (`$NPM_TOKEN` with `env: NPM_TOKEN: ${{ secrets.X }}`) reads that secret.
 */
function unmaskWrite(write: CredentialWrite, expressions: string[], env: Record<string, string>): CredentialWrite {
  const text = unmask(write.text, expressions);
  const fromExpressions = [...write.text.matchAll(PLACEHOLDER)].flatMap((m) => refsOf(expressions[Number(m[1])] ?? ''));
  const fromEnv = write.refs.flatMap((r) => refsOf(env[r] ?? '').filter((x) => x.startsWith('secrets.')));
  return { ...write, text, paths: writePaths(write.paths, expressions), refs: [...new Set([...write.refs, ...fromExpressions, ...fromEnv])] };
}

/** Expressions that name a folder outside the checkout: a file written there never reaches a build context. */
const OUTSIDE_WORKSPACE = /^\$\{\{\s*(runner\.(temp|tool_cache)|env\.(HOME|RUNNER_TEMP|RUNNER_TOOL_CACHE))\s*\}\}$/;
const WORKSPACE = /^\$\{\{\s*(github\.workspace|env\.GITHUB_WORKSPACE)\s*\}\}$/;

/**
 * The repository paths of a write whose target starts with an expression: `${{ runner.temp }}/.npmrc` is outside the
 * checkout (no repository path), `${{ github.workspace }}/.npmrc` is the checkout's root.
 */
function writePaths(paths: string[], expressions: string[]): string[] {
  return paths.flatMap((p) => {
    const m = /(?:^|\/)__GHAEXPR(\d+)__(?:\/|$)/.exec(p);
    if (!m) return [p];
    const expression = expressions[Number(m[1])] ?? '';
    if (OUTSIDE_WORKSPACE.test(expression)) return [];
    if (WORKSPACE.test(expression)) return [p.slice(m.index + m[0].length)].filter((rest) => rest !== '');
    return [p];
  });
}

/** Put the masked expressions back into an invocation; build args and secrets that held one are re-read. */
function unmaskInvocation(inv: BuildInvocation, expressions: string[], env: Record<string, string>): BuildInvocation {
  if (expressions.length === 0 && !inv.credentialWrites) return inv;
  const has = (v: string | undefined) => v !== undefined && /__GHAEXPR\d+__/.test(v);
  const out: BuildInvocation = { ...inv, text: unmask(inv.text, expressions) };
  for (const key of ['context', 'dockerfile', 'target', 'image'] as const) {
    const v = inv[key];
    if (v !== undefined) out[key] = unmask(v, expressions);
  }
  const reread = new Set<number>();
  out.buildArgs = inv.buildArgs.map((arg) => {
    if (!has(arg.value)) return arg;
    reread.add(arg.line);
    return buildArgFrom(`${arg.name}=${unmask(arg.value!, expressions)}`, arg.line);
  });
  out.secrets = inv.secrets.map((s) => ({ ...s, ...(s.src !== undefined ? { src: unmask(s.src, expressions) } : {}), refs: s.refs.map((r) => unmask(r, expressions)) }));
  out.envReads = inv.envReads.filter((r) => !has(r.name));
  if (inv.credentialWrites) out.credentialWrites = inv.credentialWrites.map((w) => unmaskWrite(w, expressions, env));
  for (const arg of out.buildArgs) {
    if (!reread.has(arg.line)) continue;
    for (const ref of arg.refs) {
      if (!out.envReads.some((r) => r.name === ref && r.line === arg.line)) out.envReads.push({ name: ref, line: arg.line, via: ref.startsWith('secrets.') ? 'ci-secret' : 'build-arg' });
    }
  }
  return out;
}

/** One build-args item of an action: `NAME=value`, or a lone `${{ … }}` that expands into the whole list. */
function actionBuildArg(text: string, line: number): BuildArgPass {
  const expression = /^\$\{\{(.*)\}\}$/s.exec(text);
  if (!expression) return buildArgFrom(text, line);
  const refs = [...new Set([...refsOf(text), ...[...expression[1]!.matchAll(/\bsecrets\.[A-Za-z_][\w-]*/g)].map((m) => m[0])])];
  return { name: text, fromEnv: false, literal: false, refs, line, list: true };
}

function buildPushAction(step: PNode, _path: string, env: Record<string, string>): BuildInvocation {
  const withNode = get(step, 'with');
  const inv: BuildInvocation = {
    tool: 'build-push-action',
    line: step.line,
    endLine: step.endLine,
    baseDirs: ['.'],
    dockerfileRelativeTo: 'cwd',
    buildArgs: [],
    secrets: [],
    envReads: [],
    text: '',
  };
  const context = getStr(withNode, 'context');
  inv.context = context && !/\{\{/.test(context) ? context : '.';
  const file = getStr(withNode, 'file');
  if (file) inv.dockerfile = file;
  const target = getStr(withNode, 'target');
  if (target) inv.target = target;
  for (const item of listInput(get(withNode, 'build-args'))) {
    const arg = actionBuildArg(item.text, item.line);
    inv.buildArgs.push(arg);
    for (const ref of arg.refs) inv.envReads.push({ name: ref, line: item.line, via: ref.startsWith('secrets.') ? 'ci-secret' : 'build-arg' });
  }
  const secretReads = (text: string, line: number): EnvRead[] => refsOf(text).map((r) => ({ name: r, line, via: r.startsWith('secrets.') ? 'ci-secret' : 'secret-env' }));
  for (const item of listInput(get(withNode, 'secrets'))) {
    const eq = item.text.indexOf('=');
    if (eq <= 0) continue;
    const id = item.text.slice(0, eq).replace(/^["']|["']$/g, '');
    const value = item.text.slice(eq + 1);
    inv.secrets.push({ id, line: item.line, refs: refsOf(value) });
    inv.envReads.push(...secretReads(value, item.line));
  }
  for (const item of listInput(get(withNode, 'secret-files'))) {
    const eq = item.text.indexOf('=');
    if (eq <= 0) continue;
    inv.secrets.push({ id: item.text.slice(0, eq), src: item.text.slice(eq + 1).replace(/^["']|["']$/g, ''), line: item.line, refs: refsOf(item.text.slice(eq + 1)) });
  }
  for (const item of listInput(get(withNode, 'secret-envs'))) {
    const eq = item.text.indexOf('=');
    if (eq <= 0) continue;
    const name = item.text.slice(eq + 1).trim();
    inv.secrets.push({ id: item.text.slice(0, eq), env: name, line: item.line, refs: [name] });
    const source = env[name];
    inv.envReads.push({ name, line: item.line, via: source && /secrets\./.test(source) ? 'ci-secret' : 'secret-env' });
  }
  return inv;
}

const BUILD_ARG_INPUTS = ['build-args', 'buildArgs', 'build_args', 'buildargs', 'build-arg'];

/**
 * Other actions that build images: `docker/bake-action` (`set: <target>.args.NAME=…`, `<target>.secrets=…`) and any
 * action with a build-args input (`redhat-actions/buildah-build`, `mr-smithers-excellent/docker-build-push`,
 * `elgohr/Publish-Docker-Github-Action` `buildargs: NAME,NAME` forwarding env names, ...).
 */
function otherBuildAction(step: PNode, uses: string): BuildInvocation | undefined {
  const withNode = get(step, 'with');
  if (!isMap(withNode)) return undefined;
  // text: the action, for messages (`redhat-actions/buildah-build build passes …`).
  const inv: BuildInvocation = { tool: 'build-push-action', line: step.line, endLine: step.endLine, baseDirs: ['.'], dockerfileRelativeTo: 'cwd', buildArgs: [], secrets: [], envReads: [], text: uses.split('@')[0]! };
  const addArg = (text: string, line: number) => {
    const arg = actionBuildArg(text, line);
    inv.buildArgs.push(arg);
    for (const ref of arg.refs) inv.envReads.push({ name: ref, line, via: ref.startsWith('secrets.') ? 'ci-secret' : 'build-arg' });
  };
  if (/^docker\/bake-action@/i.test(uses)) {
    inv.tool = 'bake';
    // The targets live in the bake files (read on their own): this step only adds overrides.
    inv.dockerfileUnknown = true;
    for (const item of listInput(get(withNode, 'set'))) {
      const m = /^([^.=\s]+)\.(args\.([A-Za-z_][\w]*)|secrets?)=(.*)$/.exec(item.text);
      if (!m) continue;
      if (m[3]) addArg(`${m[3]}=${m[4]}`, item.line);
      else {
        const secret = secretFrom(m[4]!, item.line);
        if (secret) {
          inv.secrets.push(secret);
          for (const ref of secret.refs) inv.envReads.push({ name: ref, line: item.line, via: 'secret-env' });
        }
      }
    }
    // The bake files it runs: `files:` (list or CSV) under `workdir:`, else the default names there.
    const workdir = getStr(withNode, 'workdir');
    const files = listInput(get(withNode, 'files')).flatMap((f) => f.text.split(',').map((x) => x.trim())).filter((f) => f && !/\$\{\{/.test(f) && !/^(cwd|https?):\/\//.test(f));
    const targets = listInput(get(withNode, 'targets')).flatMap((t) => t.text.split(',').map((x) => x.trim())).filter((t) => /^[\w.-]+$/.test(t));
    inv.runsConfig = { files, ...(targets.length ? { targets } : {}), ...(workdir && !/\$\{\{/.test(workdir) ? { dir: workdir.replace(/^\.\/?/, '') || '.' } : {}) };
    return inv;
  }
  const input = withNode.entries.find((e) => BUILD_ARG_INPUTS.includes(e.key));
  if (!input) return undefined;
  for (const item of listInput(input.value)) {
    // Comma-separated on one line (`NPM_TOKEN=${{ … }},VERSION=1`, `buildargs: NPM_TOKEN,VERSION`).
    const parts = /,/.test(item.text) && !/\$\{\{[^}]*,/.test(item.text) ? item.text.split(',').map((p) => p.trim()).filter(Boolean) : [item.text];
    for (const part of parts) addArg(part, item.line);
  }
  const context = getStr(withNode, 'context') ?? getStr(withNode, 'path') ?? getStr(withNode, 'directory');
  inv.context = context && !/\{\{/.test(context) ? context : '.';
  const file = getStr(withNode, 'file') ?? getStr(withNode, 'dockerfile') ?? getStr(withNode, 'containerfiles')?.split('\n')[0]?.trim();
  if (file && !/\{\{/.test(file)) inv.dockerfile = file;
  return inv;
}

export const workflowAnalyzer: Analyzer<WorkflowModel> = {
  id: 'github-workflow',
  claims: (file) => isWorkflowPath(file.path),
  parse: (text, file) => analyzeWorkflow(text, file.path),
};
