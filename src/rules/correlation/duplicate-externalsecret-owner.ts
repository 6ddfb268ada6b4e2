import { OriginClassifier } from '../../inventory/origin.js';
import type { K8sResource } from '../../k8s/resources.js';
import { isKustomizationPath } from '../../k8s/values-blocks.js';
import type { ResolvedConfig } from '../../config/types.js';
import { shiftSeverity } from '../../scan/collector.js';
import { environmentClass, namedEnvironment } from '../../scan/environment.js';
import { deploymentGraph, type DeploymentGraph, type HelmReleaseInfo } from '../../scan/deployment-graph.js';
import type { Project } from '../../scan/project.js';
import { lineEnvironments } from '../../scan/rendered-environments.js';
import type { FileContext } from '../../analyzers/types.js';
import { dirname, joinWithinRoot } from '../../util/path.js';
import { get, getStr, isMap, isScalar, isSeq, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { externalSecrets, isTemplated, resolveScalar, type EsInfo } from './common.js';
import { releaseValues, renderedBy, resolveInRelease, toggleOf } from './release-values.js';
import { esSpec, isEsoApiVersion } from '../../k8s/eso.js';

/** One object that writes a Secret: an ExternalSecret, or a Secret committed as such. */
interface Writer {
  resource: K8sResource;
  kind: 'ExternalSecret' | 'Secret';
  target: string;
  namespace: string;
  /** Environments the object is deployed to; empty when nothing says. */
  environments: string[];
  /** Who renders it: a chart (any of its templates), else the manifest or values file. */
  owner: string;
  /** `spec.target.creationPolicy` of an ExternalSecret (default Owner). */
  creationPolicy: string;
  /** The Helm release that renders a chart template (with its values) in the namespace above. */
  release?: HelmReleaseInfo;
  /** The object's name as that release renders it, when the template writes it from values. */
  name?: string;
  /** The namespace is the release's (the template names none, or `.Release.Namespace`). */
  inReleaseNamespace?: boolean;
}

/** `{{ .Release.Namespace }}` or a `*.namespace` helper: the release's namespace. */
const RELEASE_NAMESPACE = /^["']?\{\{-?\s*(?:\.Release\.Namespace|include\s+"[\w.-]*\.namespace"\s+(?:\.|\$))\s*(?:\|\s*quote\s*)?-?\}\}["']?$/;

/**
 * A chart template's ExternalSecret as each release that installs the chart renders it: its values switches evaluated
 * with the release's values, its name and namespace resolved with them; one that names no namespace (or
 * `.Release.Namespace`) lands in the release's. One writer per release that renders it, in the release's environments.
 * Undefined when no release of the tree installs the chart (or kustomize sets the namespace): the object is judged as
 * written. An empty list: releases install it, none renders a writer whose name and namespace are known.
 */
function releaseWriters(project: Project, graph: DeploymentGraph, es: EsInfo, owner: string): Writer[] | undefined {
  const r = es.resource;
  if (r.source !== 'template' || !r.helm) return undefined;
  const declared = r.declaredNamespace?.trim();
  if (graph.namespace(r.file) !== undefined) return undefined;
  const chartRoot = r.helm.chartRoot;
  const releases = graph.releases.filter((rel) => rel.chart === chartRoot && rel.targets.has(r.file));
  if (releases.length === 0) return undefined;
  const out: Writer[] = [];
  for (const release of releases) {
    const values = releaseValues(project, release, chartRoot);
    const inReleaseNamespace = !declared || RELEASE_NAMESPACE.test(declared);
    const namespace = inReleaseNamespace ? release.namespace : resolveInRelease(declared, values);
    if (!known(namespace)) continue;
    if (!renderedBy(r.helm, r.line, values)) continue;
    const target = resolveInRelease(es.view.targetName, values);
    if (!known(target)) continue;
    const policy = resolveInRelease(getStr(esSpec(r), 'target.creationPolicy'), values) ?? 'Owner';
    const name = resolveInRelease(r.name, values);
    out.push({ resource: r, kind: 'ExternalSecret', target, namespace, environments: release.environments, owner, creationPolicy: policy, release, inReleaseNamespace, ...(name && name !== r.name && known(name) ? { name } : {}) });
  }
  return out;
}

/** Files a kustomization applies as patches to objects defined elsewhere: not objects of their own. */
export function kustomizePatchFiles(project: Project): Set<string> {
  const out = new Set<string>();
  for (const parsed of project.yamlFiles) {
    if (!isKustomizationPath(parsed.file.path)) continue;
    const dir = dirname(parsed.file.path);
    for (const doc of parsed.model.docs) {
      for (const field of ['patchesStrategicMerge', 'patches']) {
        const node = get(doc.root, field);
        const items: (PNode | null)[] = isSeq(node) ? node.items : [];
        for (const item of items) {
          const path = isScalar(item) && typeof item.value === 'string' ? item.value : isMap(item) ? getStr(item, 'path') : undefined;
          if (!path || path.includes('\n')) continue;
          const resolved = joinWithinRoot(dir, path.trim());
          if (resolved) out.add(resolved);
        }
      }
    }
  }
  return out;
}

/** The environments an object is deployed to (see environmentsAt); null when no release that deploys it renders it. */
export function environmentsOf(project: Project, resource: K8sResource): string[] | null {
  return environmentsAt(project, resource.parsed.file, resource.line);
}

/**
 * The environments LINE of FILE is deployed to: the file's own, else those whose releases render the line
 * (rendered-environments.ts: a chart template's `if`/`with` guards under each release's values). Empty when nothing
 * says; null when every environment that deploys the file leaves the line out (nothing there is applied).
 */
export function environmentsAt(project: Project, file: FileContext, line: number): string[] | null {
  if (file.environment) return [file.environment.name];
  const found = lineEnvironments(project, file.path, line);
  if (!found) return [];
  return found.rendered ? found.rendered.environments.map((e) => e.name) : null;
}

/**
 * Trees laid out the same under different roots (`kubernetes/main/apps/auth/x.yaml`, `kubernetes/backup/apps/auth/x.yaml`):
 * one per cluster or environment the path rules do not name, not two owners in one, unless one entry point applies both
 * (sibling apps `apps/media/a/app/x.yaml`, `apps/media/b/app/x.yaml` of one kustomization).
 */
export function mirroredPaths(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  if (x.length !== y.length) return false;
  const at = x.findIndex((part, i) => part !== y[i]);
  return at >= 0 && at < x.length - 1 && x.slice(at + 1).join('/') === y.slice(at + 1).join('/');
}

/** Deployed together: a shared layer (`_shared`) is part of every environment; no environment only meets no environment. */
export function commonEnvironment(a: readonly string[], b: readonly string[]): string | undefined {
  if (a.length === 0 || b.length === 0) return a.length === 0 && b.length === 0 ? '' : undefined;
  for (const x of a) for (const y of b) if (x === y || x === 'shared' || y === 'shared') return x === 'shared' ? y : x;
  return undefined;
}

/** A manifest its own kustomization leaves out (or whose Flux/Argo entry is commented out) writes nothing. */
export function notApplied(project: Project, resource: K8sResource): boolean {
  return resource.source !== 'template' && deploymentGraph(project).leftOut(resource.file);
}

function ownerOf(resource: K8sResource): string {
  return resource.source === 'template' && resource.helm ? `chart ${resource.helm.chartRoot}` : `file ${resource.file}`;
}

/** A name or namespace known for sure: literal text, or a template value the chart's values resolve. */
function known(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '' && !isTemplated(value) && !value.includes('${') && !value.includes('(unnamed)');
}

/** How a release put a template in its namespace: ` (the namespace of its release in argocd/apps.yaml:12)`. */
function rendered(w: Writer): string {
  if (!w.release) return '';
  return w.inReleaseNamespace ? ` (the namespace of its release in ${w.release.file}:${w.release.line})` : ` (as released by ${w.release.file}:${w.release.line})`;
}

/** For a release's copy behind a values switch: set it off in the release's own values. */
function toggleRemediation(w: Writer): string | undefined {
  const toggle = w.release ? toggleOf(w.resource.helm, w.resource.line) : undefined;
  if (!toggle || !w.release) return undefined;
  const where = w.release.values.length ? w.release.values[w.release.values.length - 1] : `the values of the release in ${w.release.file}:${w.release.line}`;
  return `Keep one owner for Secret ${w.target}: switch this copy off for the release (\`${toggle}: false\` in ${where}), or remove the other ExternalSecret; an ExternalSecret that only adds keys uses \`creationPolicy: Merge\`.`;
}

function escalated(name: string, config: ResolvedConfig) {
  const env = namedEnvironment(name, config);
  return shiftSeverity('medium', env.managed ? 1 : env.local ? -1 : 0);
}

function envRank(name: string | undefined, config: ResolvedConfig): number {
  if (!name) return 9;
  const env = namedEnvironment(name, config);
  const cls = environmentClass(name);
  if (env.managed) return cls === 'production' ? 0 : cls === 'staging' ? 1 : cls === 'shared' ? 3 : 2;
  return env.local ? (cls === 'local' ? 6 : 5) : 4;
}

function describe(w: Writer): string {
  return `${w.kind === 'Secret' ? 'Secret' : w.resource.kind} ${w.name ?? w.resource.name} (${w.resource.file}:${w.resource.line}${w.release ? `, released by ${w.release.file}:${w.release.line}` : ''})`;
}

export const duplicateExternalsecretOwner = createRule(
  {
    id: 'duplicate-externalsecret-owner',
    family: 'external',
    defaultSeverity: 'medium',
    description: 'Two owners (charts, apps, kustomizations or manifest files) write the same Secret: two ExternalSecrets with the same target, or an ExternalSecret and a committed Secret',
    why:
      'An ExternalSecret with `creationPolicy: Owner` (the default) sets itself as the owner of its target Secret. Two of them ' +
      'rendered by different charts or apps for the same Secret in the same namespace take turns overwriting it and its owner ' +
      'reference, Argo CD reports SharedResourceWarning, and deleting either app deletes the Secret the other still serves. A ' +
      'Secret committed next to an ExternalSecret for the same name fights the operator the same way on every sync.',
    allowed:
      'A single owner for each Secret: consumer charts switch their copy off (`externalSecrets.enabled: false`); additional ' +
      'ExternalSecrets that deliberately add keys to it use `creationPolicy: Merge` (or `Orphan`/`None`).',
    remediation: 'Pick one owner for the Secret and remove or disable the other ExternalSecret (or committed Secret); an ExternalSecret that only adds keys uses `creationPolicy: Merge`.',
  },
  (context) => {
    const project = context.project;
    const classifier = new OriginClassifier(context.config);
    const patches = kustomizePatchFiles(project);
    const writers: Writer[] = [];
    const graph = deploymentGraph(project);
    for (const es of externalSecrets(project)) {
      const r = es.resource;
      if (r.kind !== 'ExternalSecret' || r.parsed.file.isTest || !isEsoApiVersion(r) || patches.has(r.file) || notApplied(project, r)) continue;
      const perRelease = releaseWriters(project, graph, es, ownerOf(r));
      if (perRelease) {
        writers.push(...perRelease);
        continue;
      }
      const namespace = resolveScalar(project, r, r.namespace);
      if (!known(es.targetName) || !known(namespace)) continue;
      const policy = resolveScalar(project, r, getStr(esSpec(r), 'target.creationPolicy')) ?? 'Owner';
      const environments = environmentsOf(project, r);
      if (!environments) continue;
      writers.push({ resource: r, kind: 'ExternalSecret', target: es.targetName, namespace, environments, owner: ownerOf(r), creationPolicy: policy });
    }
    if (writers.length === 0) return;
    const targets = new Set(writers.map((w) => `${w.namespace}/${w.target}`));
    for (const r of project.resourcesOfKind('Secret')) {
      if (r.parsed.file.isTest || patches.has(r.file) || notApplied(project, r)) continue;
      const name = resolveScalar(project, r, r.name);
      const namespace = resolveScalar(project, r, r.namespace);
      if (!known(name) || !known(namespace) || !targets.has(`${namespace}/${name}`)) continue;
      // A chart's Secret template is written only where a release renders it (`if not .Values.auth.existingSecret`).
      const environments = environmentsOf(project, r);
      if (!environments) continue;
      writers.push({ resource: r, kind: 'Secret', target: name, namespace, environments, owner: ownerOf(r), creationPolicy: 'Owner' });
    }
    const groups = new Map<string, Writer[]>();
    for (const w of writers) {
      const key = `${w.namespace}/${w.target}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    const order = (a: Writer, b: Writer) => a.resource.file.localeCompare(b.resource.file) || a.resource.line - b.resource.line;
    // A template that several releases render is one finding, naming every namespace and environment it clashes in.
    const clashesOf = new Map<K8sResource, { w: Writer; others: Writer[]; env: string | undefined }[]>();
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      group.sort(order);
      // The first owner that writes the Secret as its owner keeps it; every later one with another owner is the duplicate.
      const owning = group.filter((w) => w.kind === 'Secret' || w.creationPolicy === 'Owner');
      for (const w of group) {
        if (w.kind !== 'ExternalSecret') continue;
        const clashes = (o: Writer) =>
          o !== w &&
          o.owner !== w.owner &&
          commonEnvironment(w.environments, o.environments) !== undefined &&
          !(
            w.environments.length === 0 &&
            o.environments.length === 0 &&
            mirroredPaths(w.resource.file, o.resource.file) &&
            !deploymentGraph(project).deployedTogether(w.resource.file, o.resource.file)
          );
        let others: Writer[];
        if (w.creationPolicy === 'Owner') {
          // Against an earlier ExternalSecret that owns the Secret, or any committed Secret.
          others = owning.filter((o) => clashes(o) && (o.kind === 'Secret' || order(o, w) < 0));
        } else if (w.creationPolicy === 'Orphan') {
          others = group.filter((o) => clashes(o) && o.kind === 'Secret');
        } else continue;
        if (others.length === 0) continue;
        const env = commonEnvironment(w.environments, others[0]!.environments);
        const list = clashesOf.get(w.resource) ?? [];
        list.push({ w, others, env });
        clashesOf.set(w.resource, list);
      }
    }
    for (const [, clashes] of [...clashesOf].sort(([a], [b]) => a.file.localeCompare(b.file) || a.line - b.line)) {
      {
        // The most managed environment first (it decides the finding's environment).
        clashes.sort((a, b) => envRank(a.env, context.config) - envRank(b.env, context.config));
        const { w, others, env } = clashes[0]!;
        const withSecret = others.some((o) => o.kind === 'Secret');
        const more = clashes.slice(1).map((c) => `${c.w.namespace}/${c.w.target}${c.env ? ` in ${c.env}` : ''}`);
        context.report({
          file: w.resource.parsed.file,
          line: w.resource.line,
          message:
            `ExternalSecret ${w.name ?? w.resource.name} writes Secret ${w.namespace}/${w.target}${env ? ` in ${env}` : ''}${rendered(w)}, which ${others.map(describe).join(', ')} also ` +
            `${others.length === 1 ? 'writes' : 'write'} from another ${others.some((o) => o.owner.startsWith('chart')) || w.owner.startsWith('chart') ? 'owner' : 'file'}` +
            (withSecret ? ': ESO and the Secret applied from Git overwrite each other on every sync' : ': both claim ownership (creationPolicy Owner) and overwrite each other') +
            (more.length ? `; the same in ${more.join(', ')}` : ''),
          location: resourceLocation(w.resource, `duplicate-owner:${w.namespace}/${w.target}`),
          keys: [],
          origin: classifier.classify({ name: w.target, kind: 'Secret', file: w.resource.file }),
          resource: resourceRef(w.resource),
          ...(toggleRemediation(w) ? { remediation: toggleRemediation(w) } : {}),
          // A release's clash is in the environments of the releases, not in every one the chart's files inherit.
          // (the collector escalates only by a file's environment: the release's is applied here, as it would be).
          ...(w.release && env ? { environment: env, severity: escalated(env, context.config) } : {}),
        });
      }
    }
  },
);
