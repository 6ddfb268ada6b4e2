import path from 'node:path';
import type { BuildConfigModel } from '../../analyzers/build/buildconfig.js';
import type { BuildInvocation, EnvRead } from '../../analyzers/build/invocation.js';
import type { ParsedFile } from '../../analyzers/types.js';
import type { FileContext } from '../../analyzers/types.js';
import { createRule } from '../create-rule.js';
import type { CiModel } from '../../analyzers/build/ci.js';
import type { ComposeModel } from '../../analyzers/build/compose.js';
import { allInvocations, BuildGraph, buildNameOptions, isBuildCredential, isUrlValuedName, passesIndexAuthSecret, type BuildScriptModel, type TiltModel, type WorkflowModel } from './common.js';
import { groupBy } from '../../util/group.js';

/** The files `docker buildx bake` reads from its folder without -f (compose files included), and skaffold's. */
const DEFAULT_CONFIG: Record<'bake' | 'skaffold', string[]> = {
  bake: ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml', 'docker-bake.json', 'docker-bake.hcl', 'docker-bake.override.json', 'docker-bake.override.hcl'],
  skaffold: ['skaffold.yaml'],
};

function norm(p: string): string {
  const n = path.posix.normalize(p.replace(/^\.\/+/, '').replace(/^\/+/, ''));
  return n === '' ? '.' : n.replace(/\/$/, '');
}

/** The config files (of `present`) a `docker buildx bake` / `skaffold` / bake-action invocation runs. */
/**
 * The bake targets a run builds: the named targets and groups (groups expanded), else the `default` group or target;
 * undefined (all) when that cannot be told.
 */
function bakeTargetsRun(model: BuildConfigModel, targets: string[] | undefined): Set<string> | undefined {
  const groups = model.groups ?? {};
  const known = new Set(model.invocations.map((i) => i.name ?? ''));
  const wanted = targets?.length ? targets : groups.default ? ['default'] : known.has('default') ? ['default'] : undefined;
  if (!wanted) return undefined;
  const out = new Set<string>();
  const add = (n: string, depth: number) => {
    if (groups[n] && depth < 8) for (const t of groups[n]!) add(t, depth + 1);
    else out.add(n);
  };
  for (const t of wanted) add(t, 0);
  return [...out].some((n) => known.has(n)) ? out : undefined;
}

export function configFilesRun(inv: BuildInvocation, present: Set<string>): string[] {
  const spec = inv.runsConfig;
  if (!spec || (inv.tool !== 'bake' && inv.tool !== 'skaffold')) return [];
  const names = spec.files.length ? spec.files.filter((f) => !/\$/.test(f)) : DEFAULT_CONFIG[inv.tool];
  for (const base of inv.baseDirs) {
    const dir = path.posix.join(base, spec.dir ?? '.');
    const found = names.map((n) => norm(n.startsWith('/') ? n : path.posix.join(dir, n))).filter((f) => present.has(f));
    if (found.length) return found;
  }
  return [];
}

/** Variables a CI system always sets for a job (its own job token and registry login). */
const CI_ALWAYS_SET = ['CI_JOB_TOKEN', 'CI_REGISTRY_PASSWORD', 'CI_REGISTRY_USER', 'CI_DEPENDENCY_PROXY_PASSWORD', 'CI_DEPENDENCY_PROXY_USER', 'System_AccessToken', 'SYSTEM_ACCESSTOKEN', 'BITBUCKET_STEP_OIDC_TOKEN', 'BUILDKITE_AGENT_ACCESS_TOKEN', 'CIRCLE_OIDC_TOKEN'];

export const missingBuildSecretPrecheck = createRule(
  {
    id: 'missing-build-secret-precheck',
    family: 'build',
    defaultSeverity: 'low',
    description: 'A build script, Makefile, Tiltfile or CI job forwards a token from the environment without checking it is set (directly, or through the skaffold.yaml, bake or compose file it runs)',
    why: 'An unset token is forwarded as an empty secret or build arg; the failure surfaces much later as an opaque `401 Unauthorized` from the registry instead of a message naming the missing variable.',
    allowed: 'An explicit precheck that names the variable and stops: `: "${NPM_TOKEN:?NPM_TOKEN is not set}"`, `[ -n "$NPM_TOKEN" ] || { echo …; exit 1; }`, Tilt `if not os.getenv(v): fail(…)`, a CI step testing the secret; for a skaffold.yaml or bake file, the check in whatever runs it, or in the file itself: a bake `variable` with a `validation` block, a skaffold `hooks.before` command; for a compose file (`docker compose build`, `up --build`), the check in whatever runs it, or `${NPM_TOKEN:?message}` anywhere in the file (compose stops while it is unset). A shell or make variable must be exported (`export`, `set -a`, `NAME=… docker build`) to count: docker reads env= secrets and bare build args from its own environment.',
    remediation: 'Check every forwarded token before the build and fail with a message that names it.',
    environmentEscalation: false,
  },
  (context) => {
    const names = buildNameOptions(context.config, context.options);
    // skaffold.yaml / docker-bake.hcl forward credentials from the environment of whatever runs them: the check belongs
    // there (the script, Makefile or CI job running `skaffold build` / `docker buildx bake` / the bake-action), unless
    // the file checks itself (a bake `validation` block, a skaffold `hooks.before` command).
    const configs = [...context.project.models<BuildConfigModel>('skaffold'), ...context.project.models<BuildConfigModel>('bake')];
    const configByPath = new Map<string, ParsedFile<BuildConfigModel>>(configs.map((c) => [c.file.path, c] as const));
    const unchecked = (c: ParsedFile<BuildConfigModel>, targets?: string[]) => {
      const names = c.model.kind === 'bake' ? bakeTargetsRun(c.model, targets) : undefined;
      return c.model.invocations.filter((i) => !names || names.has(i.name ?? '')).flatMap((i) => i.envReads.filter((r) => !(i.checked ?? []).includes(r.name)));
    };
    const viaConfig = new Map<BuildInvocation, EnvRead[]>();
    const run = new Set<string>();
    const present = new Set(configByPath.keys());
    for (const located of allInvocations(context.project)) {
      const files = configFilesRun(located.invocation, present);
      for (const f of files) {
        run.add(f);
        const reads = unchecked(configByPath.get(f)!, located.invocation.runsConfig?.targets).map((r) => ({ ...r, line: located.invocation.line, from: `${f}:${r.line}` }));
        viaConfig.set(located.invocation, [...(viaConfig.get(located.invocation) ?? []), ...reads]);
      }
    }
    // docker compose: `docker compose build` / `up --build` forwards what the compose file's build sections read from the
    // environment (`args: {NPM_TOKEN: ${NPM_TOKEN}}`, `args: [NPM_TOKEN]`, a build secret whose top-level secret is
    // `environment: NPM_TOKEN`). compose only warns "variable is not set. Defaulting to a blank string" and BuildKit
    // mounts an empty env secret: the check belongs to what runs compose, unless the file requires the variable itself
    // (`${NPM_TOKEN:?message}` stops compose while it is unset).
    const composeFiles = context.project.models<ComposeModel>('compose').filter((c) => c.model.kind === 'compose');
    const composeSections = new Map<string, BuildInvocation & { checked?: string[] }>();
    for (const c of composeFiles) for (const i of c.model.invocations) composeSections.set(`${c.file.path}:${i.line}`, i);
    if (composeSections.size > 0) {
      const graph = BuildGraph.of(context.project);
      for (const located of graph.invocations) {
        if (!located.invocation.compose) continue;
        for (const view of graph.composeServices(located)) {
          const service = view.invocation.composeService!;
          const section = composeSections.get(`${service.file}:${service.line}`);
          if (!section) continue;
          run.add(service.file);
          const reads = section.envReads.filter((r) => !(section.checked ?? []).includes(r.name)).map((r) => ({ ...r, line: located.invocation.line, from: `${service.file}:${r.line}` }));
          viaConfig.set(located.invocation, [...(viaConfig.get(located.invocation) ?? []), ...reads]);
        }
      }
    }
    // An index URL build arg beside the index credentials passed as a secret: unset, pip uses its default index, no 401.
    const readsOf = (i: BuildInvocation) => [...i.envReads, ...(viaConfig.get(i) ?? [])].filter((r) => !(r.via === 'build-arg' && isUrlValuedName(r.name) && passesIndexAuthSecret(i)));
    const reportOnce = (file: FileContext, reads: EnvRead[], checked: Set<string>, language: string, check: (n: string) => string, note: string | ((n: string) => string) = '', scope = '') => {
      const seen = new Set<string>();
      for (const read of reads.sort((a, b) => a.line - b.line)) {
        const name = read.name.replace(/^secrets\./, '');
        if (seen.has(name) || checked.has(name) || checked.has(read.name)) continue;
        if (read.via !== 'secret-env' && read.via !== 'ci-secret' && !isBuildCredential(name, names)) continue;
        if (read.via === 'secret-file' && !isBuildCredential(name, names)) continue;
        seen.add(name);
        context.report({
          file,
          line: read.line,
          message: `${name} is forwarded to the build (${read.via === 'secret-env' || read.via === 'secret-file' ? 'as a BuildKit secret' : read.via === 'ci-secret' ? 'from a CI secret' : 'as a build argument'}${read.from ? ` by ${read.from}, which this command runs` : ''})${typeof note === 'string' ? ` without a check that it is set${note}` : note(name)}: a missing token surfaces as a 401`,
          location: `${file.path}#${scope}precheck/${name}`, // scope: the CI job, so that two jobs missing the same check are two findings
          keys: [name],
          origin: 'build-time',
          replacement: { language, title: `Fail early when ${name} is missing`, snippet: `${check(name)}\n` },
        });
      }
    };
    context.each(
      configs.filter((c) => !run.has(c.file.path)),
      (f) => f.file.path,
      (f) => {
        const bake = f.model.kind === 'bake';
        reportOnce(f.file, unchecked(f), new Set(), bake ? 'hcl' : 'yaml', (n) =>
          bake
            ? `variable "${n}" {\n  validation {\n    condition     = ${n} != ""\n    error_message = "${n} is not set: export it before docker buildx bake"\n  }\n}`
            : `# on the artifact: a host hook that runs before each build\nhooks:\n  before:\n    - command: ["sh", "-c", "test -n \\"$${n}\\" || { echo '${n} is not set' >&2; exit 1; }"]\n      os: [darwin, linux]`,
          ` (no script, Makefile or CI job in the repository runs this file: check it ${bake ? 'with a validation block' : 'in a before-build hook'})`,
        );
      },
    );
    context.each(
      composeFiles.filter((c) => !run.has(c.file.path)),
      (f) => f.file.path,
      (f) => {
        const reads = f.model.invocations.flatMap((i) => i.envReads.filter((r) => !(i.checked ?? []).includes(r.name)));
        const secretEnv = new Set(reads.filter((r) => r.via === 'secret-env').map((r) => r.name));
        reportOnce(
          f.file,
          reads,
          new Set(),
          'yaml',
          (n) =>
            secretEnv.has(n)
              ? `# compose mounts an empty secret while ${n} is unset: require it where the file is interpolated
x-require-${n.toLowerCase().replace(/_/g, '-')}: \${${n}:?${n} is not set: export it before docker compose build}`
              : `args:
  ${n}: \${${n}:?${n} is not set: export it before docker compose build}`,
          ' (no script, Makefile or CI job in the repository runs this file: require it in the file with ${NAME:?message})',
        );
      },
    );
    for (const analyzer of ['build-script', 'build-makefile']) {
      context.each(
        context.project.models<BuildScriptModel>(analyzer),
        (f) => f.file.path,
        (f) => {
          // A make or shell variable that is not exported is seen by `$(NAME)` / `$NAME` only: reads from the environment
          // (a secret's env=, a bare --build-arg NAME, the bake/skaffold/compose file a command runs) still find it
          // unset, whether the script checks it or not (`: "${NAME:?}"` passes, docker gets nothing).
          const exported = f.model.exported;
          const fromEnv = (i: BuildInvocation, r: EnvRead) => r.from !== undefined || r.via === 'secret-env' || (r.via === 'build-arg' && i.buildArgs.some((a) => a.name === r.name && a.value === undefined));
          const assigned = new Set(f.model.assigned);
          const hidden = new Set(exported ? f.model.assigned.filter((n) => !exported.includes(n)) : []);
          const checked = new Set(f.model.checked.filter((n) => !hidden.has(n)));
          const envChecked = new Set([...checked, ...(exported ?? f.model.assigned)]);
          const reads = f.model.invocations.flatMap((i) =>
            readsOf(i)
              .filter((r) => r.from || !(f.model.nounset && r.via === 'build-arg' && i.buildArgs.some((a) => a.value?.includes('$'))))
              .filter((r) => !(fromEnv(i, r) ? envChecked.has(r.name) || (i.commandEnv ?? []).includes(r.name) : assigned.has(r.name))),
          );
          const make = analyzer === 'build-makefile';
          reportOnce(
            f.file,
            reads,
            checked,
            analyzer === 'build-makefile' ? 'makefile' : 'shell',
            (n) =>
              (hidden.has(n) ? `export ${n}\n` : '') +
              (make ? `ifndef ${n}\n$(error ${n} is not set: export it before make)\nendif` : `: "\${${n}:?${n} is not set: export it before building}"`),
            (n) =>
              hidden.has(n)
                ? ` but the ${make ? 'make' : 'shell'} variable ${n} is ${make ? '' : 'assigned and '}not exported: the build does not see its value${f.model.checked.includes(n) ? ' (the check passes, the build still gets nothing)' : ''}`
                : ' without a check that it is set',
          );
        },
      );
    }
    context.each(
      context.project.models<TiltModel>('tiltfile'),
      (f) => f.file.path,
      (f) => {
        const reads = f.model.invocations.flatMap((i) => i.envReads);
        reportOnce(f.file, reads, new Set(f.model.checked), 'python', (n) => `if not os.getenv('${n}'):\n    fail('${n} is not set: add it to .env')`);
      },
    );
    for (const analyzer of ['ci-pipeline', 'jenkinsfile']) {
      context.each(
        context.project.models<CiModel>(analyzer),
        (f) => f.file.path,
        (f) => {
          const global = f.model.jobs.find((j) => j.name === '(pipeline)')?.checked ?? [];
          const jobs = groupBy(f.model.invocations, (i) => i.job);
          for (const [job, invocations] of jobs) {
            const checked = new Set([...CI_ALWAYS_SET, ...global, ...(f.model.jobs.find((j) => j.name === job)?.checked ?? [])]);
            const reads = invocations.flatMap(readsOf);
            reportOnce(f.file, reads, checked, analyzer === 'jenkinsfile' ? 'groovy' : 'shell', (n) =>
              analyzer === 'jenkinsfile' ? `sh 'test -n "$${n}" || { echo "${n} is not set"; exit 1; }'` : `test -n "$${n}" || { echo "${n} is not set: add it to the CI/CD variables"; exit 1; }`,
              '',
              jobs.size > 1 ? `${job}/` : '',
            );
          }
        },
      );
    }
    context.each(
      context.project.models<WorkflowModel>('github-workflow'),
      (f) => f.file.path,
      (f) => {
        const jobs = groupBy(f.model.invocations, (i) => i.job);
        const stepsOf = groupBy(f.model.steps, (s) => s.job);
        for (const [job, invocations] of jobs) {
          const steps = stepsOf.get(job) ?? [];
          // GitHub mints the job token for every run: `secrets.GITHUB_TOKEN` / `github.token` is never unset.
          const checked = new Set<string>(['secrets.GITHUB_TOKEN', 'github.token']);
          for (const s of steps) {
            for (const [v, source] of Object.entries(s.env)) if (/\$\{\{\s*(secrets\.GITHUB_TOKEN|github\.token)\s*\}\}/.test(source)) checked.add(v);
            for (const v of s.checked) {
              checked.add(v);
              const source = /secrets\.([A-Za-z0-9_]+)/.exec(s.env[v] ?? '');
              if (source) checked.add(`secrets.${source[1]}`);
            }
            for (const m of (s.condition ?? '').matchAll(/secrets\.([A-Za-z0-9_]+)/g)) checked.add(`secrets.${m[1]}`);
          }
          const reads = invocations.flatMap(readsOf);
          reportOnce(f.file, reads, checked, 'yaml', (n) => `- name: Check ${n}\n  env:\n    ${n}: \${{ secrets.${n} }}\n  run: '[ -n "$${n}" ] || { echo "::error::secret ${n} is not set"; exit 1; }'`, '', jobs.size > 1 ? `${job}/` : '');
        }
      },
    );
  },
);
