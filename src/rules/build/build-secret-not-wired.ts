import type { CredFileKind, CredFileModel } from '../../analyzers/build/credfile.js';
import type { DfMount, DfRun, DfStage, DockerfileModel } from '../../analyzers/build/dockerfile.js';
import { secretMountId, secretMountTarget } from '../../analyzers/build/dockerfile.js';
import { basename } from '../../util/path.js';
import { createRule } from '../create-rule.js';
import { BuildGraph, contextDirs, finalChain, invocationSnippet, stageByRef } from './common.js';

export interface RequiredSecret {
  id: string;
  line: number;
  /**
   * explicit: required=true; implicit: the RUN reads the secret file (or env) without a fallback; tool: a program
   * the RUN runs reads it on its own (a credential file it loads, an environment variable it takes credentials from).
   */
  why: 'explicit' | 'implicit' | 'tool';
  env?: string;
  /** For `tool`: the program and how it reads the secret (`npm, which reads /root/.npmrc`). */
  reader?: string;
}

/** Stages BuildKit builds for the image: the final chain plus every stage it copies or mounts from. */
export function builtStages(model: DockerfileModel, target?: string): Set<number> {
  const built = new Set<number>();
  const queue = [...finalChain(model, target)];
  while (queue.length) {
    const index = queue.pop()!;
    if (built.has(index)) continue;
    built.add(index);
    const stage = model.stages[index]!;
    if (stage.parent !== undefined) queue.push(stage.parent);
    const refs = [...stage.copies.map((c) => c.from), ...stage.runs.flatMap((r) => r.mounts.map((m) => m.from))].filter((x): x is string => Boolean(x));
    for (const ref of refs) {
      const s = stageByRef(model, ref);
      if (s) queue.push(s.index);
    }
  }
  return built;
}

/** Does the RUN read the secret file with no fallback when it is missing? */
function readsWithoutFallback(run: DfRun, target: string): boolean {
  const commands = run.script?.commands ?? [];
  const uses = commands.filter((c) => c.words.some((w) => w.value.includes(target)) || c.redirects.some((r) => r.target.value.includes(target)) || c.assignments.some((a) => a.value?.value.includes(target)));
  if (uses.length === 0) return false;
  // A test on the path ([ -f /run/secrets/x ]), a conditional use or an error-tolerant read is a fallback.
  const guarded = uses.some((c) => c.conditional || c.name === '[' || c.name === 'test') || /\[\[?\s+-[efsr]\s+["']?[^\]]*run\/secrets|2>\s*\/dev\/null|\|\|\s*true/.test(run.text);
  return !guarded;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Does the RUN expand the env secret with no fallback? A default (`${NPM_TOKEN:-}`), a test (`[ -n "$NPM_TOKEN" ]`)
 * or an error-tolerant step (`|| true`) is one; `${NPM_TOKEN:?}` is not (it stops the build).
 */
function expandsWithoutFallback(run: DfRun, env: string): boolean {
  const script = run.script;
  if (!script) return false;
  const words = script.commands.flatMap((c) => [...c.words, ...c.assignments.flatMap((a) => (a.value ? [a.value] : [])), ...c.redirects.map((r) => r.target)]);
  const uses = words.filter((w) => w.params.includes(env));
  if (uses.length === 0 || script.checks.some((k) => k.variable === env && k.kind !== 'param-error')) return false;
  const defaulted = new RegExp(`\\$\\{${escapeRegExp(env)}:?[-+=]`);
  return !uses.some((w) => defaulted.test(w.value)) && !/\|\|\s*(true\b|:(?!\S)|exit 0\b)/.test(run.text);
}

const NPM_CLIENTS = /^(npm|npx|pnpm|pnpx|yarn|bun|bunx)$/;

/** Credential files package tools load on their own (user, project or system config), with the programs that read them. */
const TOOL_CREDENTIAL_FILES: { file: RegExp; programs: RegExp }[] = [
  { file: /(^|\/)\.npmrc$|(^|\/)etc\/npmrc$/, programs: NPM_CLIENTS },
  { file: /(^|\/)\.yarnrc(\.yml)?$/, programs: /^yarn$/ },
  { file: /(^|\/)[._]netrc$/, programs: /^(git|go|pip3?|uv|poetry|pipenv|pdm|wget)$/ },
  { file: /(^|\/)pip\.(conf|ini)$/, programs: /^(pip3?|pipenv)$/ },
  { file: /(^|\/)\.pypirc$/, programs: /^twine$/ },
  { file: /(^|\/)pypoetry\/auth\.toml$/, programs: /^poetry$/ },
  { file: /(^|\/)\.m2\/settings\.xml$/, programs: /^mvnw?$/ },
  { file: /(^|\/)\.gradle\/gradle\.properties$/, programs: /^gradlew?$/ },
  { file: /(^|\/)\.cargo\/credentials(\.toml)?$/, programs: /^cargo$/ },
  { file: /(^|\/)composer\/auth\.json$|(^|\/)\.composer\/auth\.json$/, programs: /^composer$/ },
  { file: /(^|\/)\.bundle\/config$/, programs: /^bundle$/ },
];

/** Environment variables package tools take credentials or a credentialed index from, with the programs that read them. */
const TOOL_CREDENTIAL_ENV: { env: RegExp; programs: RegExp }[] = [
  { env: /^npm_config_/i, programs: NPM_CLIENTS },
  { env: /^YARN_NPM_(AUTH_TOKEN|AUTH_IDENT|PASSWORD)$/, programs: /^yarn$/ },
  { env: /^PIP_(INDEX_URL|EXTRA_INDEX_URL)$/, programs: /^(pip3?|pipenv)$/ },
  { env: /^UV_(INDEX_URL|EXTRA_INDEX_URL|INDEX|INDEX_\w+_PASSWORD)$/, programs: /^uv$/ },
  { env: /^POETRY_(HTTP_BASIC_\w+_PASSWORD|PYPI_TOKEN_\w+)$/, programs: /^poetry$/ },
  { env: /^CARGO_REGISTR(Y|IES_\w+)_TOKEN$/, programs: /^cargo$/ },
  { env: /^COMPOSER_AUTH$/, programs: /^composer$/ },
  { env: /^BUNDLE_[A-Z0-9_]+__[A-Z0-9_]+$/, programs: /^bundle$/ },
  { env: /^(GOPROXY|GOAUTH)$/, programs: /^go$/ },
  { env: /^BUF_TOKEN$/, programs: /^buf$/ },
  { env: /^(GH_TOKEN|GITHUB_TOKEN)$/, programs: /^gh$/ },
  { env: /^TWINE_PASSWORD$/, programs: /^twine$/ },
];

/** The programs of credential files that interpolate environment variables (`_authToken=${NPM_TOKEN}`). */
const INTERPOLATING_FILES: Partial<Record<CredFileKind, RegExp>> = { npmrc: NPM_CLIENTS, yarnrc: /^yarn$/, 'yarnrc-yml': /^yarn$/ };

const WRAPPERS = new Set(['sudo', 'env', 'exec', 'time', 'nice', 'nohup', 'command', 'timeout', 'gosu', 'su-exec', 'xargs']);

/** Programs a RUN starts: `npm`, `./gradlew`, `python -m pip` (pip), `corepack pnpm` (pnpm), past sudo/env wrappers. */
function programsOf(run: DfRun): string[] {
  const argvs = run.exec ? [run.exec, ...(run.script?.commands ?? []).map((c) => c.words.map((w) => w.value))] : (run.script?.commands ?? []).map((c) => c.words.map((w) => w.value));
  const out = new Set<string>();
  for (const argv of argvs) {
    let i = 0;
    while (i < argv.length && (WRAPPERS.has(basename(argv[i]!)) || /^-|^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!))) i++;
    let program = basename(argv[i] ?? '');
    if (/^python[0-9.]*$/.test(program) && argv[i + 1] === '-m') program = argv[i + 2] ?? program;
    else if (program === 'corepack') program = argv[i + 1] ?? program;
    if (program) out.add(program);
  }
  return [...out];
}

/**
 * A program of the RUN that reads the mounted secret itself: a credential file it loads from the mount's target, an
 * environment variable it takes credentials from, or one that a credential file of the build context interpolates.
 */
function toolReader(run: DfRun, mount: DfMount, interpolating: (env: string) => { file: string; format: CredFileKind }[]): string | undefined {
  const programs = programsOf(run);
  const first = (re: RegExp) => programs.find((p) => re.test(p));
  if (mount.target) {
    for (const { file, programs: re } of TOOL_CREDENTIAL_FILES) {
      const program = file.test(mount.target) ? first(re) : undefined;
      if (program) return `${program}, which reads ${mount.target}`;
    }
  }
  if (!mount.env) return undefined;
  for (const { env, programs: re } of TOOL_CREDENTIAL_ENV) {
    const program = env.test(mount.env) ? first(re) : undefined;
    if (program) return `${program}, which reads ${mount.env}`;
  }
  for (const cred of interpolating(mount.env)) {
    const program = first(INTERPOLATING_FILES[cred.format] ?? /$^/);
    if (program) return `${program}, which reads it through \${${mount.env}} in ${cred.file}`;
  }
  return undefined;
}

export function requiredSecrets(model: DockerfileModel, stages: Set<number>, interpolating: (env: string) => { file: string; format: CredFileKind }[] = () => []): RequiredSecret[] {
  const out: RequiredSecret[] = [];
  for (const stage of model.stages as DfStage[]) {
    if (!stages.has(stage.index)) continue;
    for (const run of stage.runs) {
      for (const m of run.mounts) {
        if (m.type !== 'secret') continue;
        const id = secretMountId(m);
        if (!id || out.some((o) => o.id === id)) continue;
        const env = m.env ? { env: m.env } : {};
        if (m.required === true) {
          out.push({ id, line: run.line, why: 'explicit', ...env });
          continue;
        }
        if (m.required === false) continue;
        const target = secretMountTarget(m);
        // A RUN that names the file or the variable decides by how it reads it; the tools read them unasked.
        const named = (target !== undefined && run.text.includes(target)) || (m.env !== undefined && new RegExp(`\\b${escapeRegExp(m.env)}\\b`).test(run.text));
        if (named) {
          if ((target && readsWithoutFallback(run, target)) || (m.env && expandsWithoutFallback(run, m.env))) out.push({ id, line: run.line, why: 'implicit', ...env });
          continue;
        }
        const reader = toolReader(run, m, interpolating);
        if (reader) out.push({ id, line: run.line, why: 'tool', reader, ...env });
      }
    }
  }
  return out;
}

const WHY: Record<RequiredSecret['why'], string> = { explicit: 'mounts with required=true', implicit: 'reads without a fallback', tool: 'mounts for' };

function mountedIds(model: DockerfileModel): Set<string> {
  const ids = new Set<string>();
  for (const stage of model.stages) for (const run of stage.runs) for (const m of run.mounts) if (m.type === 'secret') ids.add(secretMountId(m) ?? '');
  return ids;
}

/** Secrets BuildKit reads itself to fetch a Git URL (`ADD https://…git`, a Git build context): no RUN mounts them. */
const BUILDKIT_GIT_AUTH = /^GIT_AUTH_(TOKEN|HEADER)(\..+)?$/;

export const buildSecretNotWired = createRule(
  {
    id: 'build-secret-not-wired',
    family: 'build',
    defaultSeverity: 'medium',
    description: 'A Dockerfile requires a BuildKit secret that a build invocation of it does not pass (or an invocation passes a secret the Dockerfile never mounts)',
    why: 'When the secret is missing the install step runs without credentials and fails late with an opaque 401 (or BuildKit stops with "secret not found"); an unused --secret is dead wiring that hides which token a build really needs. A mount is required when it says required=true, when its RUN reads the file or variable without a fallback, or when a package tool of that RUN reads it on its own: npm and the .npmrc mounted at its target, pip and PIP_INDEX_URL, pnpm and the `${NPM_TOKEN}` the build context\'s .npmrc interpolates.',
    allowed: 'Every invocation of the Dockerfile passes each required secret id: `--secret id=<id>,env=<NAME>`, build-push-action `secrets:`, compose build `secrets:`; a mount marked required=false is optional by design.',
    remediation: 'Add the missing `--secret id=<id>,…` to the invocation (or mark the mount required=false and handle the missing file), and drop secrets the Dockerfile does not mount.',
    environmentEscalation: false,
  },
  (context) => {
    const graph = BuildGraph.of(context.project);
    const credFiles = context.project.models<CredFileModel>('credfile').filter((f) => f.model.format in INTERPOLATING_FILES);
    /** The credential files inside a build context that interpolate `${env}`. */
    const interpolatingFiles = (contexts: string[], env: string) =>
      credFiles
        .filter((f) => contexts.some((c) => c === '.' || f.file.path.startsWith(`${c}/`)) && f.model.entries.some((e) => !e.literal && new RegExp(`\\$\\{?${escapeRegExp(env)}\\b`).test(e.value)))
        .map((f) => ({ file: f.file.path, format: f.model.format }));
    context.each(
      graph.invocations,
      (i) => i.file.path,
      (located) => {
        // A `docker compose build` command line runs the services' build sections, which are checked themselves.
        if (located.invocation.compose) return;
        const df = graph.dockerfileOf(located);
        if (!df) return;
        const inv = located.invocation;
        const passed = new Set(inv.secrets.map((s) => s.id));
        const required = requiredSecrets(df.model, builtStages(df.model, inv.target), (env) => interpolatingFiles(contextDirs(inv), env));
        const missing = required.filter((r) => !passed.has(r.id));
        if (missing.length) {
          const uses = missing.map((m) => ({ id: m.id, env: m.env ?? m.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), source: m.env }));
          const snippet = invocationSnippet(located, [...inv.secrets.map((s) => ({ id: s.id, env: s.env ?? s.id, source: s.env ?? s.refs[0] })), ...uses], df.file.path);
          context.report({
            file: located.file,
            line: inv.line,
            endLine: inv.endLine,
            message: `${inv.tool} build of ${df.file.path} passes no secret ${missing.map((m) => m.id).join(', ')} that ${missing.map((m) => `line ${m.line} ${WHY[m.why]}${m.reader ? ` ${m.reader}` : ''}`).join(' and ')}: the build fails${missing.every((m) => m.why === 'explicit') ? ' with "secret not found"' : ' late with an opaque 401'}`,
            location: `${located.file.path}#${graph.invocationLocation(located, 'dockerfile')}/missing ${missing.map((m) => m.id).join(',')}`,
            keys: missing.map((m) => m.id),
            origin: 'build-time',
            replacement: { language: snippet.language, title: `Pass ${missing.map((m) => m.id).join(', ')} to the build of ${df.file.path}`, snippet: `${snippet.text}\n` },
          });
        }
        const mounted = mountedIds(df.model);
        for (const secret of inv.secrets) {
          if (mounted.has(secret.id) || BUILDKIT_GIT_AUTH.test(secret.id)) continue;
          context.report({
            file: located.file,
            line: secret.line,
            message: `${inv.tool} build passes secret ${secret.id} that ${df.file.path} never mounts`,
            location: `${located.file.path}#${graph.invocationLocation(located, 'dockerfile')}/unused ${secret.id}`,
            keys: [secret.id],
            severity: 'info',
            origin: 'build-time',
            remediation: `Remove the unused secret ${secret.id}, or mount it on the RUN that needs it: RUN --mount=type=secret,id=${secret.id}${secret.env ? `,env=${secret.env}` : ''} …`,
          });
        }
      },
    );
  },
);
