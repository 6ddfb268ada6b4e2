import { OriginClassifier } from '../../inventory/origin.js';
import { cnpgSecretUses, isCnpgCluster, isEsoApiVersion } from '../../k8s/eso.js';
import { credentialClass, type CredentialClass } from '../../k8s/vocabulary.js';
import type { K8sResource } from '../../k8s/resources.js';
import { memoFor } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import type { Origin, Replacement } from '../../types.js';
import { basename, dirname } from '../../util/path.js';
import { get, isMap, isScalar, str, type PEntry, type PMap, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { dotRelativeRefs, templateExprs, valuesRefsOf } from '../k8s/helm-sources.js';
import { isSecretBearing } from './cluster-managed-secret-from-azure-kv.js';
import { externalSecrets, sameNamespace, type EsEntry, type EsInfo } from './common.js';

/** ESO's default when `refreshInterval` is not set. */
const DEFAULT_INTERVAL_SECONDS = 3600;
/** A rotated secret refreshed this rarely (or never) keeps the old value long after the authority changed it. */
const ROTATED_MAX_SECONDS = 3600;

const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration (`1h`, `90m`, `1h30m`, `3600s`, `0`) in seconds; undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (/^0+$/.test(t)) return 0;
  if (!/^(\d+(?:\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(t)) return undefined;
  let seconds = 0;
  for (const m of t.matchAll(DURATION_PART)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return seconds;
}

type Interval = { state: 'unset'; line?: number; from?: string } | { state: 'set'; seconds?: number; text: string; line: number; column: number };

/** Does `path` (".a.b") hold a non-empty scalar or a collection under ROOT? */
function valuesSet(root: PNode | null | undefined, path: string): boolean {
  const node = get(root, path.replace(/^\./, ''));
  if (node === undefined || node === null) return false;
  if (isScalar(node)) return node.value !== null && String(node.value).trim() !== '';
  return true;
}

/**
 * Values trees that may configure the chart at CHARTROOT: its own values*.yaml files, values files named after the
 * chart (values/prod/web.yaml, web/values-prod.yaml) and every inline values block of a GitOps wrapper.
 */
function chartValuesTrees(project: Project, chartRoot: string): PNode[] {
  return memoFor(project, 'refresh-interval:values', chartRoot, () => {
    const chart = basename(chartRoot);
    const trees: PNode[] = [];
    for (const parsed of project.valuesFiles) {
      const path = parsed.file.path;
      const own = dirname(path) === chartRoot;
      const stem = basename(path).replace(/\.ya?ml$/i, '').replace(/^values[-._]?/i, '');
      const named = stem === chart || path.split('/').slice(0, -1).includes(chart);
      if (!own && !named) continue;
      for (const doc of parsed.model.docs) if (doc.root) trees.push(doc.root);
    }
    for (const block of project.valuesBlocks) trees.push(block.block.root);
    return trees;
  });
}

/**
 * The value a template's `refreshInterval: {{ … }}` renders: unset when every `.Values` path it reads is empty in
 * every values tree that may configure the chart (Helm then renders nothing, or an empty string); otherwise set, with
 * the chart's own default when it is a duration. An expression that reads no values, or carries its own `default`,
 * counts as set.
 */
function templatedInterval(project: Project, resource: K8sResource, text: string, line: number): { unset: boolean; resolved?: string } {
  const exprs = templateExprs(text);
  if (exprs.length === 0 || exprs.some((e) => /\bdefault\b|\brequired\b|\binclude\b|\btpl\b|\$/.test(e))) return { unset: false };
  const refs = exprs.flatMap((e) => [...valuesRefsOf(e), ...dotRelativeRefs(e, resource.helm, line)]);
  // Only values named for it are known to be unset: a scan judged in chunks holds every values file that names one
  // (see CONTEXT_WORDS), and not the others.
  if (refs.length === 0 || !resource.helm || !refs.every((ref) => /refreshInterval$/i.test(ref))) return { unset: false };
  const trees = chartValuesTrees(project, resource.helm.chartRoot);
  if (refs.some((ref) => trees.some((tree) => valuesSet(tree, ref)))) {
    const defaults = project.chartDefaults(resource.helm.chartRoot)?.docs[0]?.root;
    const onlyRef = exprs.length === 1 && refs.length === 1 && text.trim().startsWith('{{') && text.trim().endsWith('}}') ? refs[0] : undefined;
    const value = onlyRef ? get(defaults, onlyRef.replace(/^\./, '')) : undefined;
    return { unset: false, ...(isScalar(value) && value.value !== null ? { resolved: String(value.value) } : {}) };
  }
  return { unset: true };
}

function specEntry(resource: K8sResource): PEntry | undefined {
  const spec = resource.node.entries.find((e) => e.key === 'spec');
  if (resource.kind !== 'ClusterExternalSecret') return spec;
  return isMap(spec?.value) ? spec.value.entries.find((e) => e.key === 'externalSecretSpec') : undefined;
}

/** A template action alone on a line inside the spec (not inside one of its keys) may render any key, refreshInterval too. */
function specMayBeInjected(resource: K8sResource, spec: PMap, specLine: number): boolean {
  const blocks = resource.helm?.blocks ?? [];
  if (blocks.length === 0) return false;
  const end = Math.max(spec.endLine, ...spec.entries.map((e) => e.value?.endLine ?? e.line));
  return blocks.some((b) => b.line >= specLine && b.line <= end + 1 && !spec.entries.some((e) => e.value && !isScalar(e.value) && b.line > e.line && b.line <= e.value.endLine));
}

function intervalOf(project: Project, resource: K8sResource, spec: PMap): Interval | undefined {
  const e = spec.entries.find((x) => x.key === 'refreshInterval');
  if (!e) return { state: 'unset' };
  const raw = isScalar(e.value) ? (e.value.value === null ? '' : String(e.value.value)) : undefined;
  if (raw === undefined) return undefined;
  if (raw.trim() === '') return { state: 'unset', line: e.line };
  const column = e.column;
  if (raw.includes('{{')) {
    if (!resource.helm) return undefined;
    const t = templatedInterval(project, resource, raw, e.line);
    if (t.unset) return { state: 'unset', line: e.line, from: raw.trim() };
    return { state: 'set', text: t.resolved ?? raw, line: e.line, column, ...(t.resolved !== undefined ? { seconds: durationSeconds(t.resolved) } : {}) };
  }
  if (raw.includes('${')) return { state: 'set', text: raw, line: e.line, column };
  return { state: 'set', text: raw, line: e.line, column, seconds: durationSeconds(raw) };
}

/** Class and origin of one fetched entry: its remote key (+ secretKey) first, the target Secret's name when the key says nothing. */
function entryClass(classifier: OriginClassifier, es: EsInfo, entry: EsEntry): { cls: CredentialClass; origin?: Origin } {
  const keys = entry.read.secretKey ? [entry.read.secretKey] : [];
  let name = entry.remoteKey ?? entry.read.remoteKey;
  let cls = credentialClass(name, keys);
  // A key read into the target says nothing of itself (`password` of `prod/app`): the target's name tells. A whole item
  // (dataFrom) is named for what it holds (`cloudflare` into `crunchy-postgres`): the target's name tells its consumer.
  if (cls === 'generic' && es.targetName && entry.read.secretKey) cls = credentialClass((name = es.targetName), keys);
  // Only the classes a cluster authority rotates need an origin (the costly part on trees of thousands).
  if (cls !== 'oidc-client' && cls !== 'database') return { cls };
  return { cls, origin: classifier.classify({ name, keys, kind: 'ExternalSecret', file: es.resource.file, credentialClass: cls }) };
}

/** What the ExternalSecret fetches that its authority rotates: an own-IdP OIDC client secret or an operator's DB credential. */
function rotatedKind(classifier: OriginClassifier, es: EsInfo, cnpgTarget: boolean): { kind: string; origin: Origin; keys: string[]; remoteKeys: string[] } | undefined {
  if (es.entries.length === 0) return undefined;
  const remoteKey = (e: EsEntry) => e.remoteKey ?? e.read.remoteKey;
  if (cnpgTarget) return { kind: 'database credential', origin: 'cluster-operator', keys: es.entries.map((e) => e.read.secretKey ?? e.read.remoteKey), remoteKeys: [...new Set(es.entries.map(remoteKey))] };
  const found: { kind: string; origin: Origin; key: string; remoteKey: string }[] = [];
  for (const entry of es.entries) {
    if (!isSecretBearing(entry, es.targetName)) continue;
    const c = entryClass(classifier, es, entry);
    if (c.cls === 'oidc-client' && c.origin === 'cluster-service') found.push({ kind: 'OIDC client secret', origin: c.origin, key: entry.read.secretKey ?? entry.read.remoteKey, remoteKey: remoteKey(entry) });
    else if (c.cls === 'database' && c.origin === 'cluster-operator') found.push({ kind: 'database credential', origin: c.origin, key: entry.read.secretKey ?? entry.read.remoteKey, remoteKey: remoteKey(entry) });
  }
  if (found.length === 0) return undefined;
  return { kind: [...new Set(found.map((f) => f.kind))].join(' and '), origin: found[0]!.origin, keys: found.map((f) => f.key), remoteKeys: [...new Set(found.map((f) => f.remoteKey))] };
}

function replacement(resource: K8sResource, interval: string, why: string): Replacement {
  const specKey = resource.kind === 'ClusterExternalSecret' ? ['spec:', '  externalSecretSpec:'] : ['spec:'];
  const indent = ' '.repeat(2 * specKey.length);
  return {
    language: 'yaml',
    title: why,
    snippet: [`kind: ${resource.kind}`, 'metadata:', `  name: ${resource.name}`, ...specKey, `${indent}refreshInterval: ${interval}`, ''].join('\n'),
  };
}

function humanSeconds(seconds: number): string {
  if (seconds === 0) return 'never (0)';
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export const externalsecretRefreshInterval = createRule(
  {
    id: 'externalsecret-refresh-interval',
    family: 'external',
    defaultSeverity: 'low',
    description: 'An ExternalSecret without an explicit refreshInterval (ESO silently refreshes hourly), or one fetching a rotated secret that it refreshes hourly or less often',
    why:
      'Without `spec.refreshInterval` External Secrets Operator falls back to its default of one hour: nobody chose how long a ' +
      'changed or revoked value may linger in the cluster. For secrets their authority rotates (an OIDC client secret ' +
      'Keycloak regenerates, a database password the operator changes and Vault mirrors) an hour, or `0` (fetched once), keeps ' +
      'the stale value in the Secret long after rotation: logins fail with invalid credentials until the next refresh.',
    allowed:
      'An explicit `refreshInterval` on every ExternalSecret (short, a minute or a few, for rotated secrets), or ' +
      '`refreshPolicy: CreatedOnce`/`OnChange` where the refresh is deliberately not periodic.',
    remediation:
      'Set `spec.refreshInterval` explicitly: `1m` for secrets the cluster rotates (OIDC client secrets, database credentials), ' +
      'an interval your incident response accepts (`15m`) for external ones.',
  },
  (context) => {
    const project = context.project;
    const classifier = new OriginClassifier(context.config);
    const cnpgReads = project.resources.filter(isCnpgCluster).flatMap((c) => cnpgSecretUses(c).map((u) => ({ name: u.secretName, namespace: c.namespace })));
    context.each(
      externalSecrets(project),
      (es) => es.resource.file,
      (es) => {
        const resource = es.resource;
        if (resource.parsed.file.isTest || !isEsoApiVersion(resource)) return;
        const specAt = specEntry(resource);
        if (!specAt || !isMap(specAt.value)) return;
        const spec = specAt.value;
        const policy = str(get(spec, 'refreshPolicy'));
        if (policy === 'CreatedOnce' || policy === 'OnChange') return;
        const interval = intervalOf(project, resource, spec);
        if (!interval) return;
        if (interval.state === 'unset' && specMayBeInjected(resource, spec, specAt.line)) return;
        const cnpgTarget = es.targetName !== undefined && cnpgReads.some((u) => u.name === es.targetName && sameNamespace(u.namespace, es.namespace));
        const rotated = rotatedKind(classifier, es, cnpgTarget);
        const target = es.targetName ?? resource.name;
        const generatorsOnly = es.entries.length === 0 && es.view.generators.length > 0;
        if (interval.state === 'unset') {
          const what = rotated
            ? `; it fetches the ${rotated.kind} ${rotated.remoteKeys.join(', ')}, which its authority rotates`
            : generatorsOnly
              ? `; its generator (${[...new Set(es.view.generators)].join(', ')}) then makes a new value every hour`
              : '';
          context.report({
            file: resource.parsed.file,
            line: interval.line ?? specAt.line,
            message: `${resource.kind} ${resource.name} (Secret ${target}) sets no refreshInterval${interval.from ? ` (${interval.from} has no value in the chart's values)` : ''}: ESO silently refreshes it every ${humanSeconds(DEFAULT_INTERVAL_SECONDS)}${what}`,
            location: resourceLocation(resource, 'refreshInterval:unset'),
            keys: rotated?.keys ?? [],
            origin: rotated?.origin ?? classifier.classify({ name: target, keys: es.entries.flatMap((e) => (e.read.secretKey ? [e.read.secretKey] : [])), kind: 'Secret', file: resource.file }),
            resource: resourceRef(resource),
            replacement: rotated
              ? replacement(resource, '1m', 'An explicit, short interval: the rotated value reaches the Secret within a minute')
              : generatorsOnly
                ? replacement(resource, '"0"', 'Generate once; choose a rotation period deliberately if the value should rotate')
                : replacement(resource, '15m', 'An explicit interval chosen for incident response'),
          });
          return;
        }
        if (!rotated || interval.seconds === undefined) return;
        if (interval.seconds !== 0 && interval.seconds < ROTATED_MAX_SECONDS) return;
        context.report({
          file: resource.parsed.file,
          line: interval.line,
          column: interval.column,
          message:
            interval.seconds === 0
              ? `${resource.kind} ${resource.name} fetches the ${rotated.kind} ${rotated.remoteKeys.join(', ')} into Secret ${target} once (refreshInterval 0): a rotation never reaches the Secret`
              : `${resource.kind} ${resource.name} fetches the ${rotated.kind} ${rotated.remoteKeys.join(', ')} into Secret ${target} every ${humanSeconds(interval.seconds)}: the value stays stale that long after its authority rotates it`,
          location: resourceLocation(resource, 'refreshInterval:rotated'),
          keys: rotated.keys,
          origin: rotated.origin,
          resource: resourceRef(resource),
          replacement: replacement(resource, '1m', 'A short interval: the rotated value reaches the Secret within a minute'),
        });
      },
    );
  },
);
