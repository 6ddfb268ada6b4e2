import { lookupKinds, type HelmInfo } from '../../analyzers/yaml.js';
import type { K8sResource } from '../../k8s/resources.js';
import type { Replacement } from '../../types.js';
import { get, isMap, isScalar, type PMap } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { yamlKey } from '../snippets.js';
import { resourceLocation, resourceRef } from './common.js';
import { templateExprs } from './helm-sources.js';
import { includedDefineName, type NamedTemplates } from '../../k8s/named-templates.js';

/** Where a workload keeps its pod template's annotations (Deployment-like kinds, CronJob, PodTemplate). */
const POD_TEMPLATE_ANNOTATIONS = ['spec.template.metadata.annotations', 'spec.jobTemplate.spec.template.metadata.annotations', 'template.metadata.annotations'];
/** `checksum/secret`, `checksum.config.example.org/db`, `example.com/config-checksum`, `secretChecksum`. */
const CHECKSUM_KEY = /checksum/i;
const VARIABLE = /\$[A-Za-z_]\w*/g;
const NAMED_INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;

/** A `lookup` that may read a Secret: kind `Secret`, or a kind the template passes in a variable. */
function readsSecrets(kinds: readonly string[]): boolean {
  return kinds.some((k) => k === 'Secret' || k === '*');
}

interface RuntimeSource {
  /** What the checksum hashes: `lookup` itself, or the helper whose body calls it. */
  what: string;
}

/**
 * The live Secret data an annotation's expression hashes: a `lookup` in the expression, in a `$variable` it reads (as far
 * as the file assigns them), or in the body of a define it includes. A template file it includes
 * (`include (print $.Template.BasePath "/secret.yaml") .`) is not followed: that hashes the manifest the release
 * applies, lookup fallback and all, so the checksum follows what is applied.
 */
function runtimeSource(expr: string, helm: HelmInfo, templates: NamedTemplates | undefined, seen = new Set<string>()): RuntimeSource | undefined {
  if (/(?:^|[\s(|])lookup\s/.test(expr) && readsSecrets(lookupKinds(expr))) return { what: 'a lookup of the live Secret' };
  for (const [name] of expr.matchAll(VARIABLE)) {
    if (seen.has(name)) continue;
    seen.add(name);
    for (const assigned of helm.variables[name] ?? []) {
      const found = runtimeSource(assigned, helm, templates, seen);
      if (found) return found;
    }
  }
  for (const m of expr.matchAll(NAMED_INCLUDE)) {
    const found = templates?.find(m[1]!, helm.chartRoot);
    if (found?.template.lookupKinds && readsSecrets(found.template.lookupKinds)) return { what: `include "${m[1]}", whose body looks up the live Secret` };
  }
  return undefined;
}

/** The lines of a pod template's `annotations:` entry, up to the next entry of its metadata or of the template. */
function annotationLines(metadata: PMap, root: PMap): { from: number; to: number } | undefined {
  const index = metadata.entries.findIndex((e) => e.key === 'annotations');
  if (index < 0) return undefined;
  const from = metadata.entries[index]!.line;
  const next = metadata.entries[index + 1]?.line;
  if (next !== undefined) return { from, to: next };
  // The last entry of the metadata: up to the first line after it that holds an entry of the object (the pod spec).
  let to = Number.POSITIVE_INFINITY;
  const visit = (node: PMap) => {
    for (const e of node.entries) {
      if (e.line > from && e.line < to) to = e.line;
      if (isMap(e.value) && e.value !== metadata) visit(e.value);
    }
  };
  visit(root);
  return { from, to };
}

function reloaderReplacement(resource: K8sResource, keys: string[]): Replacement {
  const lines = [
    `# ${resource.kind} ${resource.name}: no checksum of looked-up data in the pod template; Reloader rolls the pods when a Secret they use changes`,
    `apiVersion: ${resource.apiVersion ?? 'apps/v1'}`,
    `kind: ${resource.kind}`,
    'metadata:',
    `  name: ${yamlKey(resource.name)}`,
    '  annotations:',
    '    reloader.stakater.com/auto: "true"',
    'spec:',
    '  template:',
    '    metadata:',
    `      annotations: {}  # ${keys.join(', ')} removed`,
  ];
  return { language: 'yaml', title: 'Roll pods on Secret changes with Stakater Reloader instead of a render-time checksum', snippet: `${lines.join('\n')}\n` };
}

export const checksumAnnotationForSecretRollout = createRule(
  {
    id: 'checksum-annotation-for-secret-rollout',
    family: 'helm',
    defaultSeverity: 'low',
    description: 'A pod-template `checksum/…` annotation hashes runtime data: a `lookup` of a live Secret, in its expression, a variable it reads or a helper it includes',
    why:
      '`lookup` returns the live object on `helm install`/`upgrade` but nothing under `helm template`, `--dry-run` and Argo CD: a checksum computed ' +
      'from it differs between the two renders, so GitOps shows the workload out of sync and rolls its pods on every sync (the fallback is often a ' +
      'random value), while a Secret rotated in the cluster never changes it. Rollouts on Secret changes belong to a controller that watches the Secret.',
    allowed:
      '`reloader.stakater.com/auto: "true"` (or `secret.reloader.stakater.com/reload: <name>`) on the workload; checksums of ConfigMaps, values or ' +
      'the chart\'s own manifests (`include (print $.Template.BasePath "/secret.yaml") . | sha256sum`: it hashes what the release applies).',
    remediation:
      'Remove the checksum annotation of the looked-up data from the pod template and annotate the workload with `reloader.stakater.com/auto: "true"` ' +
      '(Stakater Reloader rolls it when a Secret or ConfigMap it uses changes).',
  },
  (context) => {
    context.each(
      context.project.resources.filter((r) => r.source === 'template' && r.helm && !r.parsed.file.isTest),
      (r) => r.file,
      (resource) => {
        const helm = resource.helm!;
        const report = (key: string, line: number, column: number, path: string, source: RuntimeSource, via?: string) =>
          context.report({
            file: resource.parsed.file,
            line,
            column,
            message: `${resource.kind} ${resource.name}: pod-template annotation ${key}${via ? ` (written by include "${via}")` : ''} hashes ${source.what}: helm template and Argo CD render a different checksum than helm install/upgrade, so pods roll on syncs that change nothing and stay put when the Secret rotates`,
            location: resourceLocation(resource, `${path.replace(/\.annotations$/, '')}/annotation ${key}`),
            keys: [key],
            origin: 'cluster-helm',
            resource: resourceRef(resource),
            replacement: reloaderReplacement(resource, [key]),
          });
        for (const path of POD_TEMPLATE_ANNOTATIONS) {
          const metadata = get(resource.node, path.replace(/\.annotations$/, ''));
          if (!isMap(metadata)) continue;
          const annotations = get(metadata, 'annotations');
          if (isMap(annotations)) {
            for (const entry of annotations.entries) {
              if (!CHECKSUM_KEY.test(entry.key) || !isScalar(entry.value) || typeof entry.value.value !== 'string') continue;
              const source = templateExprs(entry.value.value)
                .map((expr) => runtimeSource(expr, helm, resource.namedTemplates))
                .find(Boolean);
              if (source) report(entry.key, entry.line, entry.column, path, source);
            }
          }
          // Annotations a helper writes (`annotations: {{- include "app.checksums" . | nindent 8 }}`): its checksum entries.
          const range = annotationLines(metadata, resource.node);
          if (!range) continue;
          for (const block of helm.blocks ?? []) {
            if (block.line < range.from || block.line >= range.to) continue;
            const name = includedDefineName(block.expr);
            const found = name ? resource.namedTemplates?.find(name, helm.chartRoot) : undefined;
            if (!found?.template.lookupKinds || !readsSecrets(found.template.lookupKinds)) continue;
            for (const written of found.template.keys ?? []) {
              if (!CHECKSUM_KEY.test(written.key) || !written.value) continue;
              const source = templateExprs(written.value)
                .map((expr) => runtimeSource(expr, found.helm, resource.namedTemplates))
                .find(Boolean);
              if (source) report(written.key, block.line, 1, path, source, name);
            }
          }
        }
      },
    );
  },
);
