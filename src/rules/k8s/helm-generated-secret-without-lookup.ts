import type { HelmInfo } from '../../analyzers/yaml.js';
import type { K8sResource } from '../../k8s/resources.js';
import type { Project } from '../../scan/project.js';
import { deploymentGraph } from '../../scan/deployment-graph.js';
import { get, isMap, isScalar } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { chartReplacement } from './chart-owned-inline-secret-template.js';
import { resourceLocation, resourceRef } from './common.js';
import { enclosingControls, templateExprs } from './helm-sources.js';

/** Sprig's random-string functions: a new value each time the template renders. */
const RANDOM = /\brand(?:AlphaNum|Alpha|Ascii|Numeric)\b/;
const VARIABLE = /\$[A-Za-z_]\w*/g;

/** Does EXPR draw a random string, itself or through the `$variables` it reads (as far as this file assigns them)? */
function drawsRandom(expr: string, helm: HelmInfo | undefined, seen = new Set<string>()): boolean {
  if (RANDOM.test(expr)) return true;
  for (const [name] of expr.matchAll(VARIABLE)) {
    if (seen.has(name)) continue;
    seen.add(name);
    if ((helm?.variables[name] ?? []).some((assigned) => drawsRandom(assigned, helm, seen))) return true;
  }
  return false;
}

const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;

/**
 * Does the template read the live Secret, itself or through a helper it includes (`common.secrets.lookup`,
 * `common.secrets.passwords.manage`, a chart's own helper whose body calls `lookup`)?
 */
function readsLiveSecret(resource: K8sResource): boolean {
  const helm = resource.helm!;
  if (helm.usesLookup) return true;
  const texts = [...Object.values(helm.variables).flat(), ...(helm.controls ?? []).map((c) => c.expr), ...(helm.blocks ?? []).map((b) => b.expr)];
  const data = ['data', 'stringData'].map((section) => resource.node.entries.find((e) => e.key === section)?.value);
  for (const map of data) if (isMap(map)) for (const e of map.entries) if (isScalar(e.value) && typeof e.value.value === 'string') texts.push(e.value.value);
  for (const text of texts) {
    for (const m of text.matchAll(INCLUDE)) {
      const name = m[1]!;
      if (/lookup|passwords\.manage|existing/i.test(name)) return true;
      const found = resource.namedTemplates?.find(name, helm.chartRoot);
      // A helper that generates and is named for it already counts above; one that only generates would not preserve.
      if (found?.template.generated && !found.template.includes.length && /secret|password/i.test(name)) return true;
    }
  }
  return false;
}

/** Hooks that render on install only: a Secret made there is not rendered again by `helm upgrade`. */
const INSTALL_ONLY_HOOK = /^\s*(pre|post)-install(\s*,\s*(pre|post)-install)*\s*$/;

/**
 * Is RESOURCE rendered by an install hook only (`helm.sh/hook: pre-install`)? Not when the hook annotation sits in a
 * branch of its own (`{{ if .Values.argoCdCompatible }}sync-wave{{ else }}helm.sh/hook{{ end }}`): the other branch
 * renders the Secret on every upgrade or sync.
 */
export function rendersOnInstallOnly(resource: K8sResource): boolean {
  const annotations = get(resource.node, ['metadata', 'annotations']);
  const entry = isMap(annotations) ? annotations.entries.find((e) => e.key === 'helm.sh/hook') : undefined;
  const hook = isScalar(entry?.value) && typeof entry.value.value === 'string' ? entry.value.value : undefined;
  if (hook === undefined || !INSTALL_ONLY_HOOK.test(hook)) return false;
  return enclosingControls(resource.helm, entry!.line).length <= enclosingControls(resource.helm, resource.line).length;
}

/**
 * The file of an Argo CD Application (or ApplicationSet) that deploys RESOURCE's chart, if any: Argo CD cannot tell an
 * install from an upgrade and runs `pre-install`/`post-install` hooks as PreSync/PostSync hooks on every sync.
 */
export function installHookSyncedBy(project: Project, resource: K8sResource): string | undefined {
  const chartRoot = resource.helm?.chartRoot;
  if (chartRoot === undefined) return undefined;
  const release = deploymentGraph(project).releases.find((rel) => (rel.kind === 'Application' || rel.kind === 'ApplicationSet') && rel.chart === chartRoot && rel.targets.has(resource.file));
  return release?.file;
}

export const helmGeneratedSecretWithoutLookup = createRule(
  {
    id: 'helm-generated-secret-without-lookup',
    family: 'helm',
    defaultSeverity: 'medium',
    description: 'A chart Secret generates a value with randAlphaNum (randAlpha, randAscii, randNumeric) and no lookup of the live Secret: every render makes a new one',
    why:
      'Helm renders templates on every install, upgrade and GitOps sync, and `randAlphaNum` returns a new string each time: the admin ' +
      'password or token rotates on every deploy, clients holding the old value break, and Argo CD shows the Secret as always out of ' +
      'sync. Helm-generated secrets are allowed only when the chart preserves the value it generated once.',
    allowed:
      '`lookup "v1" "Secret"` of the live Secret with the random value as the fallback (`$existing | dig "data" "password" (randAlphaNum 32 | b64enc)`), ' +
      'or a Secret rendered only by an install hook of a chart Helm itself installs (Argo CD runs install hooks on every sync).',
    remediation:
      'Look the Secret up first and keep its value: `{{- $existing := lookup "v1" "Secret" .Release.Namespace "<name>" -}}`, then ' +
      '`{{ $existing | dig "data" "<key>" (randAlphaNum 32 | b64enc) }}`, with `helm.sh/resource-policy: keep`.',
  },
  (context) => {
    context.each(
      context.project.resources.filter((r) => r.kind === 'Secret' && r.source === 'template' && !r.parsed.file.isTest),
      (r) => r.file,
      (resource) => {
        // A lookup anywhere in the file: the chart reads the live Secret (how it combines the two is its own affair).
        if (!resource.helm || readsLiveSecret(resource)) return;
        const syncedBy = installHookSyncedBy(context.project, resource);
        if (rendersOnInstallOnly(resource) && !syncedBy) return;
        const drawn: { key: string; line: number; column: number }[] = [];
        for (const section of ['data', 'stringData']) {
          const map = resource.node.entries.find((e) => e.key === section)?.value;
          if (!isMap(map)) continue;
          for (const e of map.entries) {
            if (isScalar(e.value) && typeof e.value.value === 'string' && templateExprs(e.value.value).some((x) => drawsRandom(x, resource.helm))) {
              drawn.push({ key: e.key, line: e.line, column: e.column });
            }
          }
        }
        if (drawn.length === 0) return;
        const keys = drawn.map((d) => d.key);
        context.report({
          file: resource.parsed.file,
          line: drawn[0]!.line,
          column: drawn[0]!.column,
          endLine: drawn[drawn.length - 1]!.line,
          message:
            `Secret ${resource.name} draws ${keys.join(', ')} from a random function on every render, with no lookup of the live Secret: each upgrade or sync rotates ${keys.length === 1 ? 'it' : 'them'}` +
            (syncedBy && rendersOnInstallOnly(resource) ? ` (its install hook runs as a PreSync hook on every sync of the Argo CD Application in ${syncedBy})` : ''),
          location: resourceLocation(resource, `random:${[...keys].sort().join(',')}`),
          keys,
          origin: 'cluster-helm',
          resource: resourceRef(resource),
          replacement: chartReplacement(context.project, { name: resource.name, namespace: resource.namespace, keys }, true),
        });
      },
    );
  },
);
