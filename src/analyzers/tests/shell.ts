/**
 * Shell in every place it hides: scripts (`*.sh`, `*.bash`, sh/bash shebangs), Makefile recipes, GitHub Actions
 * `run:` blocks and Tiltfile `local()` / `local_resource(cmd=…)` commands (and the `ext://secret` helpers, read as the
 * `kubectl create secret` they run), and PowerShell scripts for their Azure Key Vault writes (see powershell.ts). Parsed with the shared shell parser
 * (src/shell, mvdan-sh); Tiltfiles with the tree-sitter Python grammar (Starlark is Python syntax).
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YNode } from 'yaml';
import { YAML_PARSE_DEPTH_LIMIT, yamlNesting } from '../../yaml/nesting.js';
import { parseShell, type ShellScript } from '../../shell/index.js';
import { basename, segments } from '../../util/path.js';
import { ciSystemOf } from '../build/ci.js';
import { makefileRecipes, makeToShell } from '../build/script.js';
import type { Analyzer, AnalyzerContext, FileContext } from '../types.js';
import { commandFacts, type CommandInput } from './commands.js';
import { emptyModel, harnessRole, hasFacts, type HarnessModel, type HarnessRole, type RunnerFacts, type StepFact } from './model.js';
import { SECRET_FETCH, swallowedFetches } from './fetch-fallbacks.js';
import { fromPowerShell, POWERSHELL_WRITES } from './powershell.js';
import { pyString } from './python.js';
import { named, pos, treeSitterParser, walk, type Node } from './treesitter.js';
import { partitionPoint } from '../../util/bisect.js';

const SHELL_EXT = /\.(sh|bash)$/i;
const NOT_SCRIPTS = /^(Dockerfile|Containerfile|LICEN[CS]E|COPYING|NOTICE|README|AUTHORS|CODEOWNERS|OWNERS|CHANGELOG|Procfile|Gemfile|Rakefile|Vagrantfile|Jenkinsfile|Brewfile|Caddyfile|Earthfile|Justfile|Pipfile)$/i;

type Source = 'script' | 'makefile' | 'workflow' | 'tiltfile' | 'powershell' | 'ci';

export function shellSourceOf(path: string): Source | undefined {
  const name = basename(path);
  if (SHELL_EXT.test(name)) return 'script';
  if (/\.ps[md]?1$/i.test(name)) return 'powershell';
  if (/^(GNUmakefile|Makefile|makefile)$|\.mk$/.test(name)) return 'makefile';
  if (/^Tiltfile$|\.tiltfile$/i.test(name)) return 'tiltfile';
  if (/\.ya?ml$/i.test(name) && path.includes('workflows')) {
    const parts = segments(path);
    if (parts.length >= 3 && parts[parts.length - 3] === '.github' && parts[parts.length - 2] === 'workflows') return 'workflow';
  }
  // Other CI systems' YAML (GitLab, Azure Pipelines, Bitbucket, CircleCI ...), read only for Key Vault writes.
  const ci = /\.ya?ml$/i.test(name) ? ciSystemOf(path) : undefined;
  if (ci && ci !== 'package-json') return 'ci';
  // Extensionless files anywhere (`deploy`, `bin/e2e`): scripts when they start with a sh/bash shebang (the sniff checks).
  if (!name.includes('.') && !NOT_SCRIPTS.test(name)) return 'script';
  return undefined;
}

const SECRET_TOOLS = /\bkubectl\b[^\n]*\bsecret\b|\bkubectl\b[^\n]*\bapply\b[^\n]*-f\s+-|\bvault\s+(?:kv\s+(?:put|patch)|write)\b|\baz\s+keyvault\s+secret\b/;
const RUNNER = /\bkubectl\b|\bhelm\s|\bplaywright\b|\bpytest\b|\bgo\s+test\b|\b(?:npm|pnpm|yarn)\s+(?:run\s+)?test|\bjest\b|\bvitest\b|\bskaffold\b|\btilt\b|local_resource/;
const KUBE = /\b(?:kubectl|oc|helm|helmfile|kind|k3d|minikube|skaffold|tilt|kustomize|argocd|flux|KUBECONFIG)\b|set-context|gke-credentials|kubeconfig/;
const DEFAULTED = /\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=][^}]/;

/** Tilt's `ext://secret` helpers: each runs `kubectl create secret … --dry-run=client -o yaml` for `k8s_yaml`, or applies it. */
const TILT_SECRET_HELPER = /\bsecret_(yaml_generic|create_generic|from_dict|yaml_registry|yaml_docker_registry|create_docker_registry)\s*\(/;

/** Cheap text test before parsing. */
export function shellPrefilter(text: string, role: HarnessRole, source: Source): boolean {
  if (source === 'powershell' || source === 'ci') return POWERSHELL_WRITES.test(text);
  if (SECRET_TOOLS.test(text) || (source === 'workflow' && POWERSHELL_WRITES.test(text)) || (source !== 'tiltfile' && SECRET_FETCH.test(text))) return true;
  if (source === 'tiltfile' && TILT_SECRET_HELPER.test(text)) return true;
  const testWords = /\b(e2e|integration|int[-_]tests?|smoke|acceptance|playwright|test)/i;
  if (source === 'tiltfile') return RUNNER.test(text) && testWords.test(text);
  // CI jobs and make targets are cluster test runners only when they reach a cluster (the bootstrap rule checks that too).
  if (source === 'workflow' || source === 'makefile') return RUNNER.test(text) && KUBE.test(text) && testWords.test(text);
  // Test scripts: a `${X:-literal}` default, or a runner that reaches a cluster (the bootstrap rule needs one).
  return role === 'test' && (DEFAULTED.test(text) || (RUNNER.test(text) && KUBE.test(text)));
}

export const shellAnalyzer: Analyzer<HarnessModel> = {
  id: 'tests-shell',
  claims: (file: FileContext) => shellSourceOf(file.path) !== undefined,
  sniff(text, file) {
    const source = shellSourceOf(file.path)!;
    if (source === 'script' && !SHELL_EXT.test(file.path) && !/^#!.*\b(ba|da)?sh\b/.test(text)) return false;
    return shellPrefilter(text, harnessRole(file), source);
  },
  async parse(text, file, context) {
    const source = shellSourceOf(file.path)!;
    const model = emptyModel('shell', harnessRole(file));
    if (source === 'script') fromScript(model, parseShell(text), basename(file.path), 1, context, text);
    else if (source === 'makefile') fromMakefile(model, text, context);
    else if (source === 'workflow') fromWorkflow(model, text, context);
    else if (source === 'powershell') fromPowerShell(model, text);
    else if (source === 'ci') fromCiYaml(model, text, context);
    else await fromTiltfile(model, text);
    return hasFacts(model) ? model : undefined;
  },
};

export function commandInputs(script: ShellScript): CommandInput[] {
  const out: CommandInput[] = [];
  let previous: ShellScript['commands'][number] | undefined;
  for (const c of script.commands) {
    if (c.words.length === 0) continue;
    // `cat <<EOF | kubectl apply -f -`: the here-document of the pipeline's first member feeds the next one. (The
    // pipeline index is not reliable when the first member carries a here-document, so position decides.)
    const fed = previous && previous.name === 'cat' && previous.line === c.line && c.column > previous.column ? previous.redirects.find((r) => r.heredoc)?.heredoc : undefined;
    const heredoc = c.redirects.find((r) => r.heredoc)?.heredoc ?? fed;
    out.push({
      argv: c.words.map((w) => w.value),
      line: c.line,
      column: c.column,
      endLine: c.endLine,
      text: c.text,
      ...(heredoc ? { heredoc: { body: heredoc.body, line: heredoc.line } } : {}),
      ...(c.substitution ? { substitution: true } : {}),
    });
    previous = c;
  }
  return out;
}

function steps(script: ShellScript): StepFact[] {
  return script.commands
    .filter((c) => c.words.length > 0 && !c.substitution)
    .map((c) => ({ line: c.line, column: c.column, argv: c.words.map((w) => w.value), text: c.text.split('\n')[0]!.slice(0, 160) }));
}

/** `${X:-literal}` / `${X-literal}` / `${X:=literal}` with a literal default, bound to an assignment when there is one. */
function defaults(model: HarnessModel, script: ShellScript): void {
  for (const c of script.commands) {
    const words = [...c.words.map((w) => ({ word: w, binding: undefined as string | undefined })), ...c.assignments.filter((a) => a.value).map((a) => ({ word: a.value!, binding: a.name }))];
    for (const { word, binding } of words) {
      for (const m of word.value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?[-=]([^}$`]*)\}/g)) {
        const fallback = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
        if (!fallback) continue;
        model.fallbacks.push({ variable: m[1]!, fallback, form: 'shell-default', line: word.line, column: word.column, ...(binding ? { binding } : {}) });
      }
    }
  }
}

function fromScript(model: HarnessModel, script: ShellScript, name: string, line: number, context: AnalyzerContext, text: string): void {
  if (script.error) context.diagnostic({ code: 'parse-error', message: `shell: ${script.error.message}`, line: script.error.line });
  commandFacts(model, commandInputs(script));
  addSwallowedFetches(model, script, text, 0);
  if (model.role === 'test') {
    defaults(model, script);
    model.runners.push({ name, line, column: 1, steps: steps(script), deps: [] });
  }
}

/** Secret fetches whose failure SCRIPT (the shell TEXT, starting after LINEOFFSET lines of its file) swallows. */
function addSwallowedFetches(model: HarnessModel, script: ShellScript, text: string, lineOffset: number): void {
  if (!SECRET_FETCH.test(text)) return;
  const found = swallowedFetches(script, text, lineOffset);
  if (found.length > 0) (model.swallowedFetches ??= []).push(...found);
}

/** The rule line (`targets: prerequisites`) each recipe line belongs to: line number -> targets and prerequisites. */
function makeTargets(text: string): { line: number; targets: string[]; deps: string[] }[] {
  const out: { line: number; targets: string[]; deps: string[] }[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('\t') || /^\s*#/.test(line) || /^(?:export\s+|override\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*(\?=|:=|::=|=|\+=)/.test(line)) return;
    const m = /^([^\t#=:]+):(?![=:])([^;#]*)/.exec(line);
    if (!m) return;
    const targets = m[1]!.trim().split(/\s+/).filter((t) => t && !t.startsWith('.'));
    if (targets.length) out.push({ line: i + 1, targets, deps: m[2]!.trim().split(/\s+/).filter(Boolean) });
  });
  return out;
}

function fromMakefile(model: HarnessModel, text: string, context: AnalyzerContext): void {
  const { recipes, variables } = makefileRecipes(text);
  const rules = makeTargets(text);
  const own = new Map<string, StepFact[]>();
  const ruleOf = new Map<string, { line: number; deps: string[] }>();
  for (const rule of rules) for (const t of rule.targets) if (!ruleOf.has(t)) ruleOf.set(t, { line: rule.line, deps: rule.deps });
  for (const recipe of recipes) {
    const shellText = makeToShell(recipe.text, variables);
    const script = parseShell(shellText, { lineOffset: recipe.line - 1 });
    if (script.error) {
      context.diagnostic({ code: 'parse-error', message: `Makefile recipe: ${script.error.message}`, line: script.error.line ?? recipe.line });
      continue;
    }
    commandFacts(model, commandInputs(script));
    addSwallowedFetches(model, script, shellText, recipe.line - 1);
    // The last rule at or above the recipe (rules come in line order): a search, not a filter of every rule per line.
    for (const t of rules[partitionPoint(rules, (r) => r.line <= recipe.line) - 1]?.targets ?? []) {
      const list = own.get(t);
      if (list) list.push(...steps(script));
      else own.set(t, steps(script));
    }
  }
  // Targets named for integration/e2e runs are test runners (`make test-e2e`), like CI jobs and Tilt resources. A
  // prerequisite's recipe runs first, so its steps are the runner's too (`test-e2e: wait-secrets deploy-e2e`); a runner
  // that another runner requires is judged as part of that one.
  const isRunner = (t: string) => /(^|[-_])(e2e|integration|int[-_]?tests?|smoke|acceptance|playwright)([-_]|$)/i.test(t);
  const stepsOf = (t: string, depth: number): StepFact[] => [...(depth < 4 ? (ruleOf.get(t)?.deps ?? []).flatMap((d) => stepsOf(d, depth + 1)) : []), ...(own.get(t) ?? [])];
  const required = new Set([...ruleOf].filter(([t]) => isRunner(t)).flatMap(([, r]) => r.deps));
  for (const [target, rule] of ruleOf) {
    if (!isRunner(target) || required.has(target)) continue;
    const all = stepsOf(target, 0);
    if (all.length) model.runners.push({ name: `make ${target}`, line: rule.line, column: 1, steps: all, deps: rule.deps });
  }
}

/** Line of the first content line of a `run:` scalar (block scalars start on the next line). */
function runLine(node: YNode, counter: LineCounter, text: string): number {
  const start = node.range?.[0] ?? 0;
  const line = counter.linePos(start).line;
  return isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') ? line + 1 : line;
  void text;
}

/** Keys whose scalar (or list of scalars) is a script in some CI system: GitLab `script`, Azure `inlineScript`/`Inline` ... */
const CI_SCRIPT_KEYS = new Set(['script', 'before_script', 'after_script', 'commands', 'command', 'run', 'bash', 'sh', 'inlineScript', 'install', 'cmds', 'cmd', 'pwsh', 'powershell', 'Inline', 'ScriptInline']);
const POWERSHELL_KEYS = new Set(['pwsh', 'powershell', 'Inline', 'ScriptInline']);

/** A script held in CI YAML: its text (`${{ … }}` expressions replaced), its first line, and whether it is PowerShell. */
export interface CiYamlScript {
  body: string;
  line: number;
  powershell: boolean;
}

/**
 * Every script of a CI system's YAML: the scalars (or lists of scalars) under the keys that hold one (GitLab `script`,
 * GitHub `run`, Azure `inlineScript`/`pwsh`, …), PowerShell when the key or the step's `scriptType: ps|pscore` says so.
 * `onUses` sees every `uses:` reference (an action) with its line. Undefined when the YAML does not parse.
 */
export function ciYamlScripts(text: string, onUses?: (uses: string, line: number) => void): CiYamlScript[] | undefined {
  if (yamlNesting(text).depth > YAML_PARSE_DEPTH_LIMIT) return undefined; // The YAML analyzer reports it.
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length > 0) return undefined;
  const out: CiYamlScript[] = [];
  const visit = (node: unknown): void => {
    if (isSeq(node)) {
      for (const item of node.items) visit(item);
      return;
    }
    if (!isMap(node)) return;
    const scriptType = node.get('scriptType');
    const powershellMap = typeof scriptType === 'string' && /^(ps|pscore|powershell)$/i.test(scriptType);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'uses' && onUses && isScalar(pair.value) && typeof pair.value.value === 'string') onUses(pair.value.value, counter.linePos(pair.value.range?.[0] ?? 0).line);
      const scalars = CI_SCRIPT_KEYS.has(key) ? (isSeq(pair.value) ? pair.value.items : [pair.value]).filter((v): v is YNode => isScalar(v) && typeof v.value === 'string') : [];
      if (scalars.length === 0) {
        visit(pair.value);
        continue;
      }
      for (const scalar of scalars) {
        const body = String((scalar as { value: unknown }).value).replace(/\$\{\{[^}]*\}\}/g, '${CI_EXPR}');
        out.push({ body, line: runLine(scalar, counter, text), powershell: powershellMap || POWERSHELL_KEYS.has(key) });
      }
    }
  };
  visit(doc.contents);
  return out;
}

/**
 * Scripts in another CI system's YAML, for their Key Vault writes: shell through the shell parser, PowerShell (Azure
 * `pwsh:`/`powershell:` steps, `AzurePowerShell` inline scripts, `scriptType: ps|pscore`) through the PowerShell reader.
 */
function fromCiYaml(model: HarnessModel, text: string, context: AnalyzerContext): void {
  for (const { body, line, powershell } of ciYamlScripts(text) ?? []) {
    if (powershell || /Set-AzKeyVaultSecret/i.test(body)) {
      fromPowerShell(model, body, line - 1);
      continue;
    }
    const script = parseShell(body, { lineOffset: line - 1 });
    if (script.error) {
      context.diagnostic({ code: 'parse-error', message: `CI script: ${script.error.message}`, line: script.error.line });
      continue;
    }
    commandFacts(model, commandInputs(script));
  }
}

function fromWorkflow(model: HarnessModel, text: string, context: AnalyzerContext): void {
  if (yamlNesting(text).depth > YAML_PARSE_DEPTH_LIMIT) return; // The YAML analyzer reports it.
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  if (doc.errors.length > 0) return; // The YAML analyzer reports YAML errors.
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) return;
  const workflowShell = defaultShell(doc.get('defaults', true));
  for (const job of jobs.items) {
    const jobId = isScalar(job.key) ? String(job.key.value) : '?';
    const jobNode = job.value;
    if (!isMap(jobNode)) continue;
    // GitHub's default shell: the job's or workflow's `defaults.run.shell`, else pwsh on Windows runners, else bash.
    const runsOn = jobNode.get('runs-on');
    const jobShell = defaultShell(jobNode.get('defaults', true)) ?? workflowShell ?? (/windows/i.test(String(runsOn ?? '')) ? 'pwsh' : undefined);
    const stepsNode = jobNode.get('steps', true);
    const needs = jobNode.get('needs', true);
    const deps = isSeq(needs) ? needs.items.map((i) => (isScalar(i) ? String(i.value) : '')) : isScalar(needs) ? [String(needs.value)] : [];
    const runner: RunnerFacts = { name: `job ${jobId}`, line: counter.linePos((job.key as YNode | null)?.range?.[0] ?? 0).line, column: 1, steps: [], deps };
    if (!isSeq(stepsNode)) continue;
    for (const step of stepsNode.items) {
      if (!isMap(step)) continue;
      const uses = step.get('uses');
      if (typeof uses === 'string') runner.steps.push({ line: counter.linePos(step.range?.[0] ?? 0).line, column: 1, argv: ['uses', uses], text: `uses: ${uses}` });
      const run = step.get('run', true);
      if (!isScalar(run) || typeof run.value !== 'string') continue;
      const shell = step.get('shell');
      if (isPowerShell(typeof shell === 'string' ? shell : jobShell)) {
        // Not POSIX shell: read for its Key Vault writes only, and never reported as a shell syntax error.
        fromPowerShell(model, run.value, runLine(run, counter, text) - 1);
        continue;
      }
      const shellText = run.value.replace(/\$\{\{[^}]*\}\}/g, '${GHA_EXPR}');
      const script = parseShell(shellText, { lineOffset: runLine(run, counter, text) - 1 });
      if (script.error) {
        context.diagnostic({ code: 'parse-error', message: `workflow run: ${script.error.message}`, line: script.error.line });
        continue;
      }
      const before = model.keyVault.length;
      commandFacts(model, commandInputs(script));
      addSwallowedFetches(model, script, shellText, runLine(run, counter, text) - 1);
      for (const kv of model.keyVault.slice(before)) kv.job = jobId;
      runner.steps.push(...steps(script));
    }
    if (/\b(e2e|integration|int-tests?|smoke|acceptance|playwright)\b/i.test(`${jobId} ${runner.steps.map((s) => s.text).join(' ')}`)) {
      model.runners.push(runner);
      // A Key Vault read inside a test job is a test harness reading AKV directly.
      for (const kv of model.keyVault) if (kv.job === jobId) kv.testJob = true;
    }
  }
}

/** `defaults: { run: { shell: X } }` of a workflow or job. */
function defaultShell(defaults: unknown): string | undefined {
  if (!isMap(defaults)) return undefined;
  const run = defaults.get('run', true);
  const shell = isMap(run) ? run.get('shell') : undefined;
  return typeof shell === 'string' ? shell : undefined;
}

/** `pwsh`, `powershell`, or a custom `pwsh -command ". '{0}'"`. */
function isPowerShell(shell: string | undefined): boolean {
  return shell !== undefined && /^\s*(pwsh|powershell)\b/i.test(shell);
}

const CALLS: ReadonlySet<string> = new Set(['call']);

/** A Starlark call's arguments: positional ones in order, keyword ones by name. */
export function tiltArguments(node: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const list = node.childForFieldName('arguments');
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  for (const a of list ? named(list) : []) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (k && v) keywords.set(k, v);
    } else positional.push(a);
  }
  return { positional, keywords };
}

/** The shell command of Tilt's `local(command)` / `local_resource(name, cmd, serve_cmd=…)` (a list joined by spaces). */
export function tiltCommand(fn: string, positional: Node[], keywords: Map<string, Node>): { cmd?: string; cmdNode?: Node } {
  const cmdNode = fn === 'local' ? (keywords.get('command') ?? positional[0]) : (keywords.get('cmd') ?? positional[1] ?? keywords.get('serve_cmd'));
  const cmd = pyString(cmdNode) ?? (cmdNode?.type === 'list' ? named(cmdNode).map((e) => pyString(e) ?? '${…}').join(' ') : undefined);
  return { ...(cmd !== undefined ? { cmd } : {}), ...(cmdNode ? { cmdNode } : {}) };
}

/** Each call of a Tiltfile (Starlark, parsed as Python) with the name it calls; the tree is freed afterwards. */
export async function eachTiltCall(text: string, visit: (node: Node, fn: string) => void): Promise<void> {
  const parser = await treeSitterParser('python');
  const tree = parser.parse(text);
  if (!tree) return;
  try {
    walk(tree.rootNode, CALLS, (node) => visit(node, node.childForFieldName('function')?.text ?? ''));
  } finally {
    tree.delete();
  }
}

async function fromTiltfile(model: HarnessModel, text: string): Promise<void> {
  await eachTiltCall(text, (node, fn) => {
    const helper = TILT_SECRET_HELPER.test(`${fn}(`);
    if (fn !== 'local_resource' && fn !== 'local' && !helper) return;
    const { positional, keywords } = tiltArguments(node);
    if (helper) {
      tiltSecretHelper(model, node, fn, positional, keywords);
      return;
    }
    const { cmd, cmdNode } = tiltCommand(fn, positional, keywords);
    if (!cmd || !cmdNode) return;
    const at = pos(cmdNode);
    const script = parseShell(cmd, { lineOffset: at.line - 1 });
    if (script.error) return;
    const inputs = commandInputs(script).map((c) => ({ ...c, line: at.line, column: at.column }));
    commandFacts(model, inputs);
    if (fn !== 'local_resource') return;
    const name = pyString(keywords.get('name') ?? positional[0]) ?? '?';
    const depsNode = keywords.get('resource_deps');
    const deps = depsNode?.type === 'list' ? named(depsNode).map((d) => pyString(d) ?? '') : [];
    if (!/\b(e2e|integration|int-tests?|smoke|acceptance|playwright|test)/i.test(`${name} ${cmd}`)) return;
    model.runners.push({ name: `local_resource ${name}`, ...pos(node), steps: steps(script).map((s) => ({ ...s, line: at.line, column: at.column })), deps });
  });
}

/** A Starlark value as a shell word for the kubectl command a helper runs: anything but a plain string is not a literal. */
function starlarkWord(node: Node | undefined): string {
  return pyString(node) ?? '${…}';
}

/**
 * `secret_from_dict('db', inputs={'POSTGRES_PASSWORD': '…'})`, `secret_yaml_generic('db', from_literal=['K=V'])`,
 * `secret_create_docker_registry('ghcr', 'bot', '…')` (`from_literal` is what some vendored copies of the extension
 * add): read as the `kubectl create secret` command the helper runs, so
 * that literal values count exactly as they do on that command line (`from_file`, `from_env_file` and values from
 * `os.getenv()` or a variable are not literals).
 */
function tiltSecretHelper(model: HarnessModel, node: Node, fn: string, positional: Node[], keywords: Map<string, Node>): void {
  const arg = (name: string, index: number) => keywords.get(name) ?? positional[index];
  const registry = /registry/.test(fn);
  const argv = ['kubectl', 'create', 'secret', registry ? 'docker-registry' : 'generic', starlarkWord(arg('name', 0))];
  const strings = (n: Node | undefined) => (n?.type === 'list' || n?.type === 'tuple' ? named(n).map(starlarkWord) : n ? [starlarkWord(n)] : []);
  const dict = (n: Node | undefined) =>
    n?.type === 'dictionary' ? named(n).filter((p) => p.type === 'pair').map((p) => [starlarkWord(p.childForFieldName('key') ?? undefined), starlarkWord(p.childForFieldName('value') ?? undefined)] as const) : [];
  if (fn === 'secret_from_dict') {
    for (const [k, v] of dict(arg('inputs', 2))) argv.push(`--from-literal=${k}=${v}`);
  } else if (fn === 'secret_yaml_registry') {
    for (const [k, v] of dict(arg('flags_dict', 2))) argv.push(`--${k}=${v}`);
  } else if (registry) {
    argv.push(`--docker-username=${starlarkWord(arg('username', 1))}`, `--docker-password=${starlarkWord(arg('password', 2))}`);
  } else {
    for (const literal of strings(keywords.get('from_literal'))) argv.push(`--from-literal=${literal}`);
    for (const file of strings(arg('from_file', 2))) argv.push(`--from-file=${file}`);
  }
  const namespace = registry && fn !== 'secret_yaml_registry' ? keywords.get('namespace') ?? positional[4] : arg('namespace', 1);
  const ns = namespace ? pyString(namespace) : undefined;
  if (ns) argv.push('-n', ns);
  const before = model.inlineSecrets.length;
  commandFacts(model, [{ argv, ...pos(node), endLine: node.endPosition.row + 1, text: node.text }]);
  for (const fact of model.inlineSecrets.slice(before)) fact.form = 'tilt-ext-secret';
}
