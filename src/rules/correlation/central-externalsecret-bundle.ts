import { OriginClassifier } from '../../inventory/origin.js';
import { externalSecretView, isEsoApiVersion } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import { memoFor } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import { basename, dirname } from '../../util/path.js';
import { getStr } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { externalSecretReplacement } from '../snippets.js';

/** Names too generic to say which service a Secret belongs to (a chart called `app` or `common`). */
const GENERIC_CHART = /^(app|apps|common|base|lib|library|chart|service|services|platform|infra|secrets?|external-secrets|raw|raw-manifests|manifests|resources|config)$/;

/** First-party charts of the tree by name (Chart.yaml is context for every chunk, so a chunked scan sees them all). */
function firstPartyCharts(project: Project): Map<string, string> {
  return memoFor(project, 'central-bundle:charts', '', () => {
    const out = new Map<string, string>();
    for (const f of project.yamlFiles) {
      const p = f.file.path;
      if (!(p === 'Chart.yaml' || p.endsWith('/Chart.yaml')) || f.file.vendored || f.file.isTest) continue;
      const root = dirname(f.file.path);
      const name = getStr(f.model.docs[0]?.root, 'name') ?? basename(root);
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || GENERIC_CHART.test(name)) continue;
      if (!out.has(name)) out.set(name, root);
    }
    return out;
  });
}

/** The chart of the tree a Secret name belongs to: the longest chart name it is, or starts with (`orders-db-env`: orders). */
function owningChartName(secretName: string, charts: ReadonlyMap<string, string>): string | undefined {
  let best: string | undefined;
  for (const name of charts.keys()) {
    if ((secretName === name || secretName.startsWith(`${name}-`)) && (!best || name.length > best.length)) best = name;
  }
  return best;
}

/** Who an ExternalSecret is for, to tell a bundle (many owners in one file) from one service's own file. */
function ownerKey(resource: K8sResource, target: string): string {
  return resource.namespace && !resource.namespace.includes('{{') ? `ns:${resource.namespace}` : `name:${target.split(/[-_.]/)[0]}`;
}

function within(path: string, root: string): boolean {
  return root === '.' || path === root || path.startsWith(`${root}/`);
}

export const centralExternalSecretBundle = createRule(
  {
    id: 'central-externalsecret-bundle',
    family: 'external',
    defaultSeverity: 'low',
    description: 'A service’s ExternalSecret kept in a platform-wide bundle (a file rendering ExternalSecrets for several apps) instead of the service’s own chart',
    why:
      '"The platform provides access, not inventory": stores, Vault wiring and cluster-wide credentials belong to the platform, ' +
      'but the ExternalSecrets a service consumes belong in that service’s chart, so they ship, change and are removed with it. ' +
      'A central bundle drifts from the services (keys nobody reads, Secrets a chart no longer mounts) and makes every secret ' +
      'change a platform change. How it decides: a release file (values rendered by a raw-manifests style chart, or a chart template) ' +
      'holds ExternalSecrets for two or more namespaces or apps, and one of them writes a Secret named after a first-party chart of the ' +
      'tree (`orders-db-env` for chart orders) that lives elsewhere.',
    allowed:
      'Foundation primitives in the bundle: SecretStores, and ExternalSecrets for platform components without a chart of their ' +
      'own in the tree (cert-manager DNS credentials, Argo CD repositories); a service chart rendering its own ExternalSecrets; folders of plain manifests a GitOps tree applies.',
    remediation:
      'Move the ExternalSecret into the owning chart (a template behind `externalSecrets.enabled`, store name from values), ' +
      'release it with the service, and delete it from the bundle.',
  },
  (context) => {
    const { project } = context;
    const charts = firstPartyCharts(project);
    if (charts.size === 0) return;
    // A bundle is a release: values rendered by a raw-manifests style chart, or a chart's templates. A folder of plain
    // manifests is how a GitOps tree lays out what it applies, not a release that owns other services' secrets.
    const externalSecrets = project.resources.filter((r) => r.kind === 'ExternalSecret' && r.source !== 'manifest' && isEsoApiVersion(r) && !r.parsed.file.isTest && !r.parsed.file.vendored);
    const byFile = new Map<string, { resource: K8sResource; target: string }[]>();
    for (const resource of externalSecrets) {
      const target = project.resolveChartValue(resource.helm?.chartRoot, externalSecretView(resource).targetName) ?? resource.name;
      const list = byFile.get(resource.file) ?? [];
      list.push({ resource, target });
      byFile.set(resource.file, list);
    }
    const bundles = [...byFile.entries()].filter(([, list]) => list.length >= 2 && new Set(list.map((e) => ownerKey(e.resource, e.target))).size >= 2);
    if (bundles.length === 0) return;
    // Secrets each chart renders itself (an ExternalSecret of the bundle writing one of them is a duplicate owner instead).
    const ownSecrets = new Set(
      project.resources
        .filter((r) => (r.kind === 'ExternalSecret' || r.kind === 'Secret') && r.helm?.chartRoot !== undefined)
        .map((r) => `${r.helm!.chartRoot}\0${r.kind === 'ExternalSecret' ? project.resolveChartValue(r.helm!.chartRoot, externalSecretView(r).targetName) : r.name}`),
    );
    const classifier = new OriginClassifier(context.config);
    context.each(
      bundles,
      ([file]) => file,
      ([, list]) => {
        const owners = [...new Set(list.map((e) => e.resource.namespace ?? e.target.split(/[-_.]/)[0]))].sort();
        for (const { resource, target } of list) {
          if (target.includes('{{')) continue;
          const chart = owningChartName(target, charts);
          if (!chart) continue;
          const chartRoot = charts.get(chart)!;
          if (within(resource.file, chartRoot) || ownSecrets.has(`${chartRoot}\0${target}`)) continue;
          const keys = externalSecretView(resource).reads.map((r) => r.secretKey).filter((k): k is string => !!k);
          context.report({
            file: resource.parsed.file,
            line: resource.line,
            message:
              `ExternalSecret ${resource.name} (target ${target}) belongs to chart ${chart} (${chartRoot}) but lives in a shared bundle ` +
              `with ExternalSecrets for ${owners.length} namespaces or apps (${owners.slice(0, 4).join(', ')}${owners.length > 4 ? ', …' : ''})`,
            location: resourceLocation(resource, 'central-bundle'),
            keys: [target],
            origin: classifier.classify({ name: target, keys, kind: 'Secret', file: resource.file }),
            resource: resourceRef(resource),
            replacement: { ...externalSecretReplacement(project, { name: target, ...(resource.namespace ? { namespace: resource.namespace } : {}), keys }), title: `In ${chartRoot}/templates/externalsecret.yaml, released with ${chart}` },
          });
        }
      },
    );
  },
);
