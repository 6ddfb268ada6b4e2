import { harnessRole, IAC_SECRET_FORMS, serviceOf, type RunnerFacts, type StepFact } from '../../analyzers/tests/model.js';
import type { Project } from '../../scan/project.js';
import { deploymentGraph } from '../../scan/deployment-graph.js';
import { isDocumentationExamplePath } from '../../scan/documentation.js';
import { memoFor } from '../../scan/project-index.js';
import { getStr, walkFrames } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { harnessModels, intTestsSecretName, Occurrences } from './common.js';

/** Steps (and Tilt resource deps / CI needs) that count as a secret bootstrap or readiness gate. `*` is a wildcard. */
export const DEFAULT_ACCEPTED_STEPS = [
  'externalsecret',
  'external-secret',
  'ensure-local-secrets',
  'integration-secrets',
  'secrets-certs',
  'bootstrap*secret',
  'secret*bootstrap',
  'seed-local-secrets',
  'wait-for-secrets',
  'verify-secrets',
  'check-secrets',
];

function patterns(list: readonly string[]): RegExp[] {
  return list.map((p) => new RegExp(p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*'), 'i'));
}

function tool(argv: string[]): string[] {
  const a = [...argv];
  while (a.length && (/^(sudo|env|exec|time|npx|pnpx|bunx|command)$/.test(a[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(a[0]!) || (a[0] === 'pnpm' && a[1] === 'exec') || (a[0] === 'yarn' && a[1] === 'dlx'))) {
    if (a[0] === 'pnpm' || a[0] === 'yarn') a.shift();
    a.shift();
  }
  a[0] = (a[0] ?? '').replace(/^.*\//, '');
  return a;
}

function positional(args: string[]): string[] {
  return args.filter((x) => !x.startsWith('-'));
}

export function clusterStep(argv: string[]): boolean {
  const [t, ...rest] = tool(argv);
  const p = positional(rest);
  // `kubectl create namespace` prepares, `kubectl create secret` is a (legacy) secret step with its own rule: the deploy
  // that needs the secrets is the step to point at.
  if (t === 'kubectl' || t === 'oc') return ['apply', 'create', 'replace', 'run', 'rollout'].includes(p[0] ?? '') && !(p[0] === 'create' && ['namespace', 'ns', 'secret'].includes(p[1] ?? ''));
  if (t === 'helm') return ['install', 'upgrade', 'test'].includes(p[0] ?? '');
  if (t === 'skaffold') return ['run', 'dev', 'deploy'].includes(p[0] ?? '');
  if (t === 'tilt') return ['up', 'ci'].includes(p[0] ?? '');
  return false;
}

export function suiteStep(argv: string[]): boolean {
  const [t, ...rest] = tool(argv);
  const p = positional(rest);
  if (t === 'playwright') return p[0] === 'test';
  if (['pytest', 'jest', 'vitest', 'mocha', 'cypress', 'newman', 'k6'].includes(t)) return true;
  if (t === 'python' || t === 'python3') return rest[0] === '-m' && rest[1] === 'pytest';
  if (t === 'go') return p[0] === 'test';
  if (['npm', 'pnpm', 'yarn', 'bun'].includes(t)) return /^(test|e2e|int|integration)/.test(p[0] === 'run' ? (p[1] ?? '') : (p[0] ?? ''));
  if (t === 'make') return p.some((x) => /^(test|e2e|integration|int-tests?)/.test(x));
  // A test runner script: bash tests/run-e2e.sh, ./scripts/integration-tests.sh
  return [t, ...p].some((x) => /(^|\/)(run[-_])?(e2e|integration|int[-_]tests?|smoke|acceptance)[\w-]*\.(sh|bash|py)$|(^|\/)run[-_](e2e|integration|tests?)\b/.test(x));
}

const KUBE_TOOLS = new Set(['kubectl', 'oc', 'helm', 'helmfile', 'kind', 'k3d', 'minikube', 'tilt', 'skaffold', 'kustomize', 'argocd', 'flux']);
const KUBE_ACTIONS = /k8s-set-context|aks-set-context|kind-action|setup-kind|get-gke-credentials|configure-aws-credentials.*eks|setup-minikube|k3d-action|setup-kubectl|setup-helm|kubeconfig/i;

/** A step that talks to (or sets up) a Kubernetes cluster. */
export function touchesCluster(step: StepFact): boolean {
  if (step.argv[0] === 'uses') return KUBE_ACTIONS.test(step.argv[1] ?? '');
  return KUBE_TOOLS.has(tool(step.argv)[0] ?? '') || /\bKUBECONFIG\b/.test(step.text);
}

const NAMES_SECRETS = /secret/i;

/** Kinds that are (or make) a Secret: a tree with one of them has secrets a suite could wait for. */
const SECRET_KINDS = new Set(['Secret', 'ExternalSecret', 'ClusterExternalSecret', 'SealedSecret', 'SecretProviderClass', 'PushSecret', 'VaultStaticSecret', 'VaultDynamicSecret']);
/** Workload keys that read a Secret: env valueFrom, envFrom, a secret volume. */
const SECRET_READS = new Set(['secretKeyRef', 'secretRef', 'secret']);

/**
 * Does anything in the tree hold, make or read a Kubernetes Secret (a manifest, a chart template, a workload's env)?
 * A tree whose Kubernetes objects use none has no secrets for a bootstrap to materialise (Tilt's and Skaffold's
 * example apps); a tree with no objects at all deploys what it cannot show, and may need them.
 */
function treeUsesSecrets(project: Project): boolean {
  return memoFor(project, 'harness:uses-secrets', '', () =>
    project.resources.length === 0 ||
    project.resources.some((resource) => {
      if (SECRET_KINDS.has(resource.kind)) return true;
      let reads = false;
      walkFrames(resource.node, (frame) => {
        if (reads) return false;
        if (frame.key !== undefined && SECRET_READS.has(frame.key) && frame.node.t === 'map') reads = true;
        return undefined;
      });
      return reads;
    }),
  );
}
/** Kinds a controller fills from a store: a harness that deploys them needs the store, and the bootstrap that seeds it. */
const STORE_BACKED_KINDS = ['ExternalSecret', 'ClusterExternalSecret', 'SealedSecret', 'SecretProviderClass', 'VaultStaticSecret', 'VaultDynamicSecret'];

/**
 * Scopes (`serviceOf`, '' outside services/apps/packages folders) whose test harness creates the Secrets it uses:
 * test code that builds Secret objects (a client `Create` of a `corev1.Secret`, a V1Secret, a Secret dict), a test
 * script that runs `kubectl create secret`, or Secret manifests among the test files (fixtures the suite applies).
 * A scope holding an object a controller fills from a store (ExternalSecret, SealedSecret, CSI, Vault operator) is not
 * self-contained: its suite still waits on a bootstrap. Documentation examples are no part of any harness.
 */
function selfContainedScopes(project: Project): Set<string> {
  return memoFor(project, 'harness:self-contained', '', () => {
    const creates = new Set<string>();
    for (const { file, model } of harnessModels(project)) {
      if (model.role !== 'test') continue;
      const made = (model.secretObjects?.length ?? 0) + (model.createdSecrets?.length ?? 0) + model.inlineSecrets.filter((s) => !IAC_SECRET_FORMS.has(s.form)).length;
      if (made > 0) creates.add(serviceOf(file.path) ?? '');
    }
    for (const secret of project.resourcesOfKind('Secret')) {
      const file = secret.parsed.file;
      if (file.isTest || harnessRole(file) === 'test') creates.add(serviceOf(file.path) ?? '');
    }
    for (const resource of project.resourcesOfKind(...STORE_BACKED_KINDS)) {
      const example = isDocumentationExamplePath(resource.file) && !deploymentGraph(project).deployedOutsideDocs(resource.file);
      if (!example) creates.delete(serviceOf(resource.file) ?? '');
    }
    return creates;
  });
}

const INTEGRATION = /\b(e2e|integration|int[-_]tests?|smoke|acceptance|playwright|cluster)\b/i;

export const testHarnessSecretBootstrapMissing = createRule(
  {
    id: 'test-harness-secret-bootstrap-missing',
    family: 'tests',
    defaultSeverity: 'low',
    description: 'A test runner (script, CI job, make target, Tilt resource) deploys to or tests against a cluster without a secret bootstrap or readiness step',
    why: 'Integration and E2E suites depend on secrets the bootstrap materialises (per-service int-tests ExternalSecrets). Without a gate, a missing secret shows up as flaky test failures, or tempts people into fallbacks and inline Secrets.',
    allowed: 'Any accepted step before the suite: waiting for the int-tests ExternalSecrets to be Ready, the integration-secrets bootstrap (Tilt resource_deps or CI needs), ensure-local-secrets, a bootstrap-*-secret script. The list is configurable (options.acceptedSteps). A tree whose Kubernetes objects neither hold nor read a Secret has nothing to bootstrap, and a self-contained harness creates the Secrets it uses (its test code builds Secret objects or runs `kubectl create secret`, or Secret manifests sit among its test files) and deploys nothing a controller fills from a store (ExternalSecret, SealedSecret, SecretProviderClass, Vault operator secrets outside documentation examples); literal values in such Secrets are test-inline-secret\'s finding.',
    remediation: 'Add a fail-fast precheck before the suite: wait for the per-service int-tests ExternalSecret to be Ready (or depend on the secrets bootstrap) and abort when it is not.',
  },
  (context) => {
    const extra = Array.isArray(context.options.acceptedSteps) ? (context.options.acceptedSteps as unknown[]).filter((x): x is string => typeof x === 'string') : [];
    const accepted = patterns([...DEFAULT_ACCEPTED_STEPS, ...extra]);
    const isBootstrap = (text: string) => accepted.some((r) => r.test(text));
    context.each(
      harnessModels(context.project),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const runner of model.runners) {
          if (runner.deps.some(isBootstrap) || runner.steps.some((s) => isBootstrap(s.argv.join(' ')))) continue;
          // A runner named for secrets (create-test-secrets.sh, a `secrets` make target or CI job) is a secret step
          // itself, a bootstrap or a legacy seeding that other rules judge: not a suite that needs a gate.
          if (NAMES_SECRETS.test(runner.name)) continue;
          const cluster = runner.steps.find((s) => clusterStep(s.argv));
          // A script, CI job or make target is a cluster test runner only when it reaches a cluster (a browser or unit suite
          // that merely mentions playwright or e2e is not): a deploy step, a kube tool, KUBECONFIG, or a cluster-context action.
          // Tilt local_resources run beside the Tilt cluster by definition.
          if (!cluster && !runner.name.startsWith('local_resource') && !runner.steps.some(touchesCluster)) continue;
          const integration = INTEGRATION.test(`${file.path} ${runner.name}`) || runner.steps.some((s) => INTEGRATION.test(s.argv.join(' ')));
          const suite = runner.steps.find((s) => suiteStep(s.argv));
          const trigger: StepFact | undefined = cluster ?? (integration ? suite : undefined);
          if (!trigger || !treeUsesSecrets(context.project)) continue;
          // A self-contained harness (cloudnative-pg's, argo-cd's e2e) creates the Secrets its suite reads: nothing to
          // bootstrap. Literal values in them are test-inline-secret's finding, not a missing gate.
          if (selfContainedScopes(context.project).has(serviceOf(file.path) ?? '')) continue;
          const at = runner.name.startsWith('local_resource') ? runner : trigger;
          const namespace = namespaceOf(runner);
          const secret = intTestsSecretName(file.path);
          context.report({
            file,
            line: at.line,
            column: at.column,
            message: `Test runner ${runner.name} ${cluster ? 'deploys to a cluster' : 'runs an integration suite'} (${trigger.text.slice(0, 80)}) without a secret bootstrap or readiness step`,
            location: seen.next(`runner:${runner.name}`),
            keys: [],
            origin: 'test',
            replacement: runner.name.startsWith('local_resource')
              ? { language: 'python', title: `Make ${runner.name.slice('local_resource '.length)} depend on the secrets bootstrap`, snippet: `resource_deps=[${['integration-secrets', ...runner.deps].map((d) => `'${d}'`).join(', ')}],\n` }
              : {
                  language: 'shell',
                  title: `Fail fast until ${secret} is materialised`,
                  snippet: `kubectl -n ${namespace} wait --for=condition=Ready externalsecret/${externalSecretWriting(context.project, secret)} --timeout=300s \\\n  || { echo "integration secrets not materialized: run the secret bootstrap" >&2; exit 1; }\n`,
                },
          });
        }
      },
    );
  },
);

/** The ExternalSecret of the tree that writes SECRET (its own name), else the `<secret>-sync` the platform's convention gives it. */
function externalSecretWriting(project: Project, secret: string): string {
  const found = memoFor(project, 'harness:es-by-target', '', () => {
    const byTarget = new Map<string, string>();
    for (const es of project.resourcesOfKind('ExternalSecret')) {
      const target = getStr(es.node, 'spec.target.name') ?? es.name;
      if (es.name && !es.name.includes('{{') && !byTarget.has(target)) byTarget.set(target, es.name);
    }
    return byTarget;
  }).get(secret);
  return found ?? `${secret}-sync`;
}

function namespaceOf(runner: RunnerFacts): string {
  for (const s of runner.steps) {
    const i = s.argv.findIndex((a) => a === '-n' || a === '--namespace');
    if (i >= 0 && s.argv[i + 1] && !s.argv[i + 1]!.startsWith('$')) return s.argv[i + 1]!;
    const eq = s.argv.find((a) => a.startsWith('--namespace='));
    if (eq && !eq.includes('$')) return eq.slice('--namespace='.length);
  }
  return '"$NAMESPACE"';
}
