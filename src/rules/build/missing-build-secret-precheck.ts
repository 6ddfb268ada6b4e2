import type { EnvRead } from '../../analyzers/build/invocation.js';
import type { FileContext } from '../../analyzers/types.js';
import { createRule } from '../create-rule.js';
import type { CiModel } from '../../analyzers/build/ci.js';
import { buildNameOptions, isBuildCredential, type BuildScriptModel, type TiltModel, type WorkflowModel } from './common.js';

/** Variables a CI system always sets for a job (its own job token and registry login). */
const CI_ALWAYS_SET = ['CI_JOB_TOKEN', 'CI_REGISTRY_PASSWORD', 'CI_REGISTRY_USER', 'CI_DEPENDENCY_PROXY_PASSWORD', 'CI_DEPENDENCY_PROXY_USER', 'System_AccessToken', 'SYSTEM_ACCESSTOKEN', 'BITBUCKET_STEP_OIDC_TOKEN', 'BUILDKITE_AGENT_ACCESS_TOKEN', 'CIRCLE_OIDC_TOKEN'];

export const missingBuildSecretPrecheck = createRule(
  {
    id: 'missing-build-secret-precheck',
    family: 'build',
    defaultSeverity: 'low',
    description: 'A build script, Makefile, Tiltfile or CI job forwards a token from the environment without checking it is set',
    why: 'An unset token is forwarded as an empty secret or build arg; the failure surfaces much later as an opaque `401 Unauthorized` from the registry instead of a message naming the missing variable.',
    allowed: 'An explicit precheck that names the variable and stops: `: "${NPM_TOKEN:?NPM_TOKEN is not set}"`, `[ -n "$NPM_TOKEN" ] || { echo …; exit 1; }`, Tilt `if not os.getenv(v): fail(…)`, a CI step testing the secret.',
    remediation: 'Check every forwarded token before the build and fail with a message that names it.',
    environmentEscalation: false,
  },
  (context) => {
    const names = buildNameOptions(context.config, context.options);
    const reportOnce = (file: FileContext, reads: EnvRead[], checked: Set<string>, language: string, check: (n: string) => string) => {
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
          message: `${name} is forwarded to the build (${read.via === 'secret-env' || read.via === 'secret-file' ? 'as a BuildKit secret' : read.via === 'ci-secret' ? 'from a CI secret' : 'as a build argument'}) without a check that it is set: a missing token surfaces as a 401`,
          location: `${file.path}#precheck/${name}`,
          keys: [name],
          origin: 'build-time',
          replacement: { language, title: `Fail early when ${name} is missing`, snippet: `${check(name)}\n` },
        });
      }
    };
    for (const analyzer of ['build-script', 'build-makefile']) {
      context.each(
        context.project.models<BuildScriptModel>(analyzer),
        (f) => f.file.path,
        (f) => {
          const checked = new Set([...f.model.checked, ...f.model.assigned]);
          const reads = f.model.invocations.flatMap((i) => i.envReads.filter((r) => !(f.model.nounset && r.via === 'build-arg' && i.buildArgs.some((a) => a.value?.includes('$')))));
          reportOnce(f.file, reads, checked, analyzer === 'build-makefile' ? 'makefile' : 'shell', (n) => (analyzer === 'build-makefile' ? `ifndef ${n}\n$(error ${n} is not set: export it before make)\nendif` : `: "\${${n}:?${n} is not set: export it before building}"`));
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
          for (const job of new Set(f.model.invocations.map((i) => i.job))) {
            const checked = new Set([...CI_ALWAYS_SET, ...global, ...(f.model.jobs.find((j) => j.name === job)?.checked ?? [])]);
            const reads = f.model.invocations.filter((i) => i.job === job).flatMap((i) => i.envReads);
            reportOnce(f.file, reads, checked, analyzer === 'jenkinsfile' ? 'groovy' : 'shell', (n) =>
              analyzer === 'jenkinsfile' ? `sh 'test -n "$${n}" || { echo "${n} is not set"; exit 1; }'` : `test -n "$${n}" || { echo "${n} is not set: add it to the CI/CD variables"; exit 1; }`,
            );
          }
        },
      );
    }
    context.each(
      context.project.models<WorkflowModel>('github-workflow'),
      (f) => f.file.path,
      (f) => {
        for (const job of new Set(f.model.invocations.map((i) => i.job))) {
          const steps = f.model.steps.filter((s) => s.job === job);
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
          const reads = f.model.invocations.filter((i) => i.job === job).flatMap((i) => i.envReads);
          reportOnce(f.file, reads, checked, 'yaml', (n) => `- name: Check ${n}\n  env:\n    ${n}: \${{ secrets.${n} }}\n  run: '[ -n "$${n}" ] || { echo "::error::secret ${n} is not set"; exit 1; }'`);
        }
      },
    );
  },
);
