import { OriginClassifier } from '../../inventory/origin.js';
import type { K8sResource } from '../../k8s/resources.js';
import { get, getStr, isMap, isScalar, seqItems, type PEntry, type PMap, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { secretKeyRefReplacement } from '../snippets.js';
import { ruleSetting } from '../../scan/collector.js';
import { isBuilderWorkload, isRegistryTokenName, registryNameOptions } from './registry-tokens.js';
import { envLiteralByShape, isNonCredentialLiteral, literalCredentialOf, resourceLocation, resourceRef } from './common.js';

/** Where the pod spec lives, per workload kind. */
const POD_SPEC_PATHS: Record<string, string> = {
  Pod: 'spec',
  Deployment: 'spec.template.spec',
  StatefulSet: 'spec.template.spec',
  DaemonSet: 'spec.template.spec',
  ReplicaSet: 'spec.template.spec',
  ReplicationController: 'spec.template.spec',
  Job: 'spec.template.spec',
  PodTemplate: 'template.spec',
  CronJob: 'spec.jobTemplate.spec.template.spec',
};

export const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATHS);

/**
 * Pod templates of other workload kinds, tried for any kind not listed above: Argo Rollouts, Knative Services,
 * OpenShift DeploymentConfigs, KEDA ScaledJobs and most operators' CRDs put a pod template at one of these paths.
 */
const GENERIC_POD_SPEC_PATHS = ['spec.template.spec', 'spec.jobTemplate.spec.template.spec', 'spec.jobTargetRef.template.spec'];
/** The same paths below `spec`, split once (the rule looks at every object of the tree). */
const GENERIC_UNDER_SPEC = GENERIC_POD_SPEC_PATHS.map((p) => p.split('.').slice(1));

/** Lists of containers in a workload: pod specs, Argo Workflows templates (container/script/containerSet), Tekton steps. */
export function containerLists(resource: K8sResource): { field: string; containers: PNode[] }[] {
  const out: { field: string; containers: PNode[] }[] = [];
  const known = POD_SPEC_PATHS[resource.kind];
  // Every other place looked at is below `spec`: an object without one (ConfigMap, Secret) has no container.
  const top = known ? undefined : get(resource.node, 'spec');
  if (!known && !isMap(top)) return out;
  const specs = known ? [get(resource.node, known)] : GENERIC_UNDER_SPEC.map((p) => get(top, p)).filter((n) => isMap(n) && isSeqOfMaps(get(n, 'containers')));
  for (const spec of specs) for (const field of ['initContainers', 'containers', 'ephemeralContainers']) out.push({ field, containers: seqItems(get(spec, field)) });
  if (known) return out;
  // Argo Workflows (Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow): templates[].container/script.
  const templates = [...seqItems(get(top, 'templates')), ...seqItems(get(top, ['workflowSpec', 'templates']))];
  for (const t of templates) {
    const name = getStr(t, 'name') ?? 'template';
    for (const field of ['container', 'script']) {
      const c = get(t, field);
      if (isMap(c)) out.push({ field: `templates[${name}].${field}`, containers: [withName(c, name)] });
    }
    out.push({ field: `templates[${name}].containerSet`, containers: seqItems(get(t, 'containerSet.containers')) });
  }
  // Tekton Task / ClusterTask: spec.steps[], spec.sidecars[].
  if (/^tekton\.dev\//.test(resource.apiVersion ?? '')) for (const field of ['steps', 'sidecars']) out.push({ field, containers: seqItems(get(top, field)) });
  return out;
}

/** A workload of any kind: an object with containers where containerLists looks (DeploymentConfig, Rollout, Workflow …). */
export function hasContainers(resource: K8sResource): boolean {
  return containerLists(resource).some((list) => list.containers.length > 0);
}

function isSeqOfMaps(node: PNode | null | undefined): boolean {
  return seqItems(node).some((n) => isMap(n));
}

/** An Argo `container:`/`script:` block has no name of its own: it takes the template's. */
function withName(container: PMap, name: string): PMap {
  return getStr(container, 'name') ? container : { ...container, entries: [{ key: 'name', line: container.line, column: container.column, value: { t: 'scalar', value: name, style: 'plain', line: container.line, column: container.column, endLine: container.line } }, ...container.entries] };
}

export interface EnvLiteral {
  container: string;
  containerField: string;
  env: string;
  value: string;
  entry: PEntry;
}

/** Literal credentials in `env[].value` of every container, init container and ephemeral container of a workload. */
export function envLiterals(resource: K8sResource, config: Parameters<typeof literalCredentialOf>[1]): EnvLiteral[] {
  const out: EnvLiteral[] = [];
  for (const { field, containers } of containerLists(resource)) {
    for (const container of containers) {
      if (!isMap(container)) continue;
      const name = getStr(container, 'name') ?? '(unnamed)';
      for (const item of seqItems(get(container, 'env'))) {
        const literal = envItemLiteral(item, config);
        if (literal) out.push({ container: name, containerField: field, ...literal });
      }
    }
  }
  return out;
}

function envItemLiteral(item: PNode, config: Parameters<typeof literalCredentialOf>[1]): { env: string; value: string; entry: PEntry } | undefined {
  if (!isMap(item)) return undefined;
  const env = getStr(item, 'name');
  const entry = (item as PMap).entries.find((e) => e.key === 'value');
  if (!env || !entry || !isScalar(entry.value) || entry.value.value === null || typeof entry.value.value === 'boolean') return undefined;
  const text = String(entry.value.value);
  const value = literalCredentialOf({ ...entry, key: env, value: { ...entry.value, value: text } }, config) ?? envLiteralByShape(env, text);
  return value === undefined || isNonCredentialLiteral(value) ? undefined : { env, value, entry };
}

export const workloadEnvLiteralCredential = createRule(
  {
    id: 'workload-env-literal-credential',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A workload sets a credential as a literal `env[].value`',
    why:
      'A literal in a pod template is committed to git, visible in `kubectl describe`, the Deployment history and every GitOps diff, ' +
      'and can only be rotated by a commit and a rollout. Credentials belong in a Secret read through `valueFrom.secretKeyRef`. ' +
      'Vault agent annotations on the same pod do not excuse a literal.',
    allowed: '`valueFrom.secretKeyRef`, `envFrom.secretRef`, `$(VAR)` expansion of another variable, Helm templates `{{ … }}`.',
    remediation:
      'Replace the literal with `valueFrom.secretKeyRef` to a Secret materialised by its authority (ExternalSecret, CNPG, Helm ' +
      'generation), then rotate the exposed value.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    // Switched off, that rule reports nothing: its literal tokens stay this rule's.
    const registryRuleOn = ruleSetting(context.config, 'registry-token-in-runtime-config').enabled;
    context.each(
      context.project.resources.filter((r) => !r.parsed.file.isTest && r.kind !== 'CustomResourceDefinition'),
      (r) => r.file,
      (resource) => {
        const literals = envLiterals(resource, context.config);
        if (literals.length === 0) return;
        // A registry token in a runtime pod is registry-token-in-runtime-config's: moving it to a secretKeyRef is no fix.
        const tokens = registryNameOptions(context.config);
        const runtime = registryRuleOn && !isBuilderWorkload(resource, containerLists(resource).flatMap((l) => l.containers));
        for (const literal of literals) {
          if (runtime && isRegistryTokenName(literal.env, tokens)) continue;
          const secretName = `${resource.name.replace(/\{\{.*?\}\}/g, '').replace(/^-+|-+$/g, '') || literal.container}-credentials`;
          const key = literal.env.toLowerCase().replace(/_/g, '-');
          context.report({
            file: resource.parsed.file,
            line: literal.entry.line,
            column: literal.entry.column,
            message: `${resource.kind} ${resource.name} container ${literal.container} sets ${literal.env} to a literal credential`,
            location: resourceLocation(resource, `${literal.containerField}[${literal.container}].env[${literal.env}]`),
            value: literal.value,
            keys: [literal.env],
            origin: classifier.classify({ name: secretName, keys: [literal.env], kind: 'Secret', file: resource.file }),
            resource: resourceRef(resource),
            replacement: secretKeyRefReplacement(literal.env, secretName, key),
            remediation: `Read ${literal.env} from Secret ${secretName} (key ${key}) with valueFrom.secretKeyRef; materialise that Secret from its authority and rotate the exposed value.`,
          });
        }
      },
    );
  },
);
