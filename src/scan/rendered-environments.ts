/**
 * The environments a line of a chart template is rendered in. The deployment graph gives every environment that
 * deploys the template's file; a Helm release renders the line only when the `if`/`with` blocks around it hold under
 * the release's values (chart defaults, its values files in order, its inline values: see release-values.ts).
 * `{{- if not .Values.auth.existingSecret }}` renders nothing in production when production's values set
 * auth.existingSecret; `{{- if .Values.postgresql.enabled }}` nothing where it is false.
 *
 * An environment is left out only when it has a release of the template's chart (or of a chart it is a subchart of:
 * the parent's values under the subchart's key, and `global:`; none where its dependency `condition:` is false) and
 * none of its releases renders the line. Guards are read as Helm does (release-values.ts evaluate): `not`, `empty`,
 * `and`, `or`, `eq`/`ne` on values of one kind, `default`, `coalesce`, `hasKey`, `index`, pipes, and
 * `include "x.createSecret" .` by the text or condition of its define. A guard that cannot be decided (another
 * include, a lookup, another function, a subchart whose key is not known) counts as rendered, and so does an
 * environment that reaches the file some other way (a kustomize helmCharts entry).
 */
import type { DeploymentGraph, HelmReleaseInfo, InheritedEnvironment } from './deployment-graph.js';
import { deploymentGraph } from './deployment-graph.js';
import type { Project } from './project.js';
import { enclosingBlocks, guardAmong, scopedReleaseValues, type ReleaseValues } from '../rules/correlation/release-values.js';

export interface LineEnvironments {
  /** The environments that render the line (InheritedEnvironment's order); undefined when none of them does. */
  rendered?: InheritedEnvironment;
  /** Environments that deploy the file but leave the line out, with the release and the guard that switch it off. */
  notRendered: { environment: string; release: string; guard: { action: string; value: boolean } }[];
}

const cache = new WeakMap<Project, Map<string, LineEnvironments | undefined>>();
/** Per release, its values as each chart it renders reads them (its own, a subchart's: scopedReleaseValues). */
const valuesCache = new WeakMap<Project, Map<HelmReleaseInfo, Map<string, ReleaseValues | null>>>();
/** Per release, the guard of each stack of blocks (lines in one block share it: a chart's Secrets sit in a few). */
const guardCache = new WeakMap<ReleaseValues, Map<string, { action: string; value: boolean } | null>>();
const byChart = new WeakMap<DeploymentGraph, Map<string, HelmReleaseInfo[]>>();
const chartReleaseCache = new WeakMap<DeploymentGraph, Map<string, { all: HelmReleaseInfo[]; parents: number }>>();

function releasesByChart(graph: DeploymentGraph): Map<string, HelmReleaseInfo[]> {
  let map = byChart.get(graph);
  if (!map) {
    map = new Map();
    for (const r of graph.releases) {
      const list = map.get(r.chart);
      if (list) list.push(r);
      else map.set(r.chart, [r]);
    }
    byChart.set(graph, map);
  }
  return map;
}

/**
 * The releases that render templates of CHART_ROOT: those of the chart (`own`), and those of every chart it is a
 * subchart of (`parents`: `platform/charts/app` is rendered by the releases of `platform`). Kept per chart.
 */
function chartReleases(graph: DeploymentGraph, chartRoot: string): { all: HelmReleaseInfo[]; parents: number } {
  let perGraph = chartReleaseCache.get(graph);
  if (!perGraph) chartReleaseCache.set(graph, (perGraph = new Map()));
  let found = perGraph.get(chartRoot);
  if (found) return found;
  const byRoot = releasesByChart(graph);
  const all = [...(byRoot.get(chartRoot) ?? [])];
  const own = all.length;
  for (let at = chartRoot.lastIndexOf('/charts/'); at > 0; at = chartRoot.lastIndexOf('/charts/', at - 1)) all.push(...(byRoot.get(chartRoot.slice(0, at)) ?? []));
  if (chartRoot.startsWith('charts/')) all.push(...(byRoot.get('.') ?? []));
  perGraph.set(chartRoot, (found = { all, parents: all.length - own }));
  return found;
}

/**
 * What PATH inherits from the deployment graph, for the object at LINE: undefined when the file inherits nothing (it
 * has an environment of its own, or nothing deploys it).
 */
export function lineEnvironments(project: Project, path: string, line: number): LineEnvironments | undefined {
  let perProject = cache.get(project);
  if (!perProject) cache.set(project, (perProject = new Map()));
  const key = `${path}\u0000${line}`;
  if (perProject.has(key)) return perProject.get(key);
  const result = compute(project, path, line);
  perProject.set(key, result);
  return result;
}

function compute(project: Project, path: string, line: number): LineEnvironments | undefined {
  const graph = deploymentGraph(project);
  const inherited = graph.inherited(path);
  if (!inherited) return undefined;
  const helm = project.yamlFiles[project.yamlFileIndex(path)]?.model.helm;
  if (!helm) return { rendered: inherited, notRendered: [] };
  const chartReleasesOf = chartReleases(graph, helm.chartRoot);
  // Only blocks, and a subchart's dependency condition, can switch a line off: else nothing to evaluate.
  if (!helm.controls?.some((c) => c.line < line && c.keyword !== 'end') && chartReleasesOf.parents === 0) return { rendered: inherited, notRendered: [] };
  const releases = chartReleasesOf.all.filter((r) => r.targets.has(path));
  if (releases.length === 0) return { rendered: inherited, notRendered: [] };
  let perProject = valuesCache.get(project);
  if (!perProject) valuesCache.set(project, (perProject = new Map()));
  const values = perProject;
  const chartRoot = helm.chartRoot;
  const blocks = enclosingBlocks(helm, line);
  // Blocks are the file's own: the same lines in another template are other blocks.
  const blocksKey = `${path}\u0000${blocks.map((b) => b.key).join(',')}`;
  const guardOf = (release: HelmReleaseInfo) => {
    let perChart = values.get(release);
    if (!perChart) values.set(release, (perChart = new Map()));
    let v = perChart.get(chartRoot);
    if (v === undefined) perChart.set(chartRoot, (v = scopedReleaseValues(project, release, chartRoot) ?? null));
    // A subchart whose key in the parent's values is not known: its guards are not decided.
    if (!v) return undefined;
    if (v.disabled) return v.disabled;
    let perRelease = guardCache.get(v);
    if (!perRelease) guardCache.set(v, (perRelease = new Map()));
    let guard = perRelease.get(blocksKey);
    if (guard === undefined) perRelease.set(blocksKey, (guard = guardAmong(blocks, v) ?? null));
    return guard ?? undefined;
  };
  const notRendered: LineEnvironments['notRendered'] = [];
  const keep = new Set<string>();
  for (const env of inherited.environments) {
    // Left out only when every release of the environment is switched off: the first that renders the line decides.
    let first: { release: HelmReleaseInfo; guard: { action: string; value: boolean } } | undefined;
    let renders = false;
    let any = false;
    for (const release of releases) {
      if (!release.environments.includes(env.name)) continue;
      any = true;
      const guard = guardOf(release);
      if (!guard) {
        renders = true;
        break;
      }
      first ??= { release, guard };
    }
    if (any && !renders && first) notRendered.push({ environment: env.name, release: `${first.release.file}:${first.release.line}`, guard: first.guard });
    else keep.add(env.name);
  }
  if (notRendered.length === 0) return { rendered: inherited, notRendered };
  const environments = inherited.environments.filter((e) => keep.has(e.name));
  const rendered: InheritedEnvironment | undefined =
    environments.length === 0 ? undefined : { environments, primary: environments[0]!, via: inherited.via.filter((v) => keep.has(v.environment)) };
  return { ...(rendered ? { rendered } : {}), notRendered };
}

/**
 * `not rendered in production (apps/prod/app.yaml:1), dev (apps/dev/app.yaml:1): `if not .Values.auth.existingSecret`
 * is false with their values`. String literals of a guard are left out (it may compare a value with a literal), but
 * for the names of the templates it includes.
 */
export function notRenderedNote(notRendered: LineEnvironments['notRendered']): string {
  const byGuard = new Map<string, string[]>();
  for (const n of notRendered) {
    const action = n.guard.action.replace(/(\b(?:include|template)\s+)?("(?:[^"\\]|\\.)*"|`[^`]*`)/g, (all, named?: string) => (named ? all : '"..."'));
    const key = `\`${action}\` is ${n.guard.value}`;
    byGuard.set(key, [...(byGuard.get(key) ?? []), `${n.environment} (${n.release})`]);
  }
  const parts = [...byGuard].map(([guard, envs]) => `${envs.join(', ')}: ${guard} with ${envs.length > 1 ? 'their' : 'its'} values`);
  return `not rendered in ${parts.join('; ')}`;
}
