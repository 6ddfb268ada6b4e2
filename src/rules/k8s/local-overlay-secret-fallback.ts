import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { isEsoApiVersion } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import { memoFor, resourcesInFile } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import { basename, dirname } from '../../util/path.js';
import { isMap, isScalar, keyPath, walkFrames, type PEntry, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { requiredTruthyPaths, secretToggle } from './chart-owned-inline-secret-template.js';
import { valuesCredentials } from './inline-credential-in-values.js';

/** A values path that must be truthy for a chart template to render an ExternalSecret, and one such ExternalSecret. */
interface EsGate {
  chartRoot: string;
  path: string;
  externalSecret: K8sResource;
}

/**
 * Per chart root, the values paths gating its ExternalSecret templates that the chart's own values.yaml turns on:
 * a chart whose ExternalSecrets are opt-in (default off) has no fallback to speak of.
 */
function defaultOnGates(project: Project): Map<string, EsGate[]> {
  return memoFor(project, 'local-overlay:gates', '', () => {
    const out = new Map<string, EsGate[]>();
    for (const resource of project.resources) {
      if (resource.kind !== 'ExternalSecret' || resource.source !== 'template' || !resource.helm || !isEsoApiVersion(resource)) continue;
      const chartRoot = resource.helm.chartRoot;
      const defaults = project.chartDefaults(chartRoot)?.docs[0]?.root;
      for (const path of requiredTruthyPaths(resource.helm, resource.line)) {
        const entry = entryAt(defaults, path);
        if (!entry || !isScalar(entry.value) || entry.value.value !== true) continue;
        const gates = out.get(chartRoot) ?? [];
        if (!gates.some((g) => g.path === path)) gates.push({ chartRoot, path, externalSecret: resource });
        out.set(chartRoot, gates);
      }
    }
    return out;
  });
}

function entryAt(root: PNode | null | undefined, path: string): PEntry | undefined {
  let found: PEntry | undefined;
  let node = root;
  for (const segment of path.split('.')) {
    found = isMap(node) ? node.entries.find((e) => e.key === segment) : undefined;
    if (!found) return undefined;
    node = found.value;
  }
  return found;
}

/**
 * The charts a values file configures: the chart folder it sits in, or a chart of the tree it is named after
 * (`values/env/local/apps/orders.yaml`, `orders/values-local.yaml`, `envs/local/orders/values.yaml`).
 */
function chartsOf(file: ParsedFile<YamlFileModel>, gates: ReadonlyMap<string, EsGate[]>): string[] {
  const path = file.file.path;
  const stem = basename(path).replace(/\.ya?ml$/i, '').replace(/^values[-._]?/i, '');
  const folders = path.split('/').slice(0, -1);
  const out: string[] = [];
  for (const chartRoot of gates.keys()) {
    if (path === (chartRoot === '.' ? 'values.yaml' : `${chartRoot}/values.yaml`)) continue;
    const own = dirname(path) === chartRoot;
    const chart = basename(chartRoot);
    if (own || stem === chart || folders.includes(chart)) out.push(chartRoot);
  }
  return out;
}

/** What these values supply instead of the ExternalSecret: a create-Secret toggle, literal credentials, a Secret manifest. */
function fallbacksIn(project: Project, file: ParsedFile<YamlFileModel>, root: PNode | null | undefined): string[] {
  const found: string[] = [];
  walkFrames(root, (frame) => {
    const { entry } = frame;
    if (entry && secretToggle(keyPath(frame).slice(0, -1), entry)) found.push(`${keyPath(frame).join('.')}: true (line ${entry.line})`);
    return undefined;
  });
  const credentials = valuesCredentials(root, project.config);
  if (credentials.length > 0) found.push(`literal credential${credentials.length === 1 ? '' : 's'} ${[...new Set(credentials.map((c) => c.path))].slice(0, 3).join(', ')} (line ${credentials[0]!.line})`);
  const secrets = resourcesInFile(project, file.file.path).filter((r) => r.kind === 'Secret' && r.source === 'values');
  if (secrets.length > 0) found.push(`Secret ${secrets[0]!.name} declared in the values (line ${secrets[0]!.line})`);
  return found;
}

export const localOverlaySecretFallback = createRule(
  {
    id: 'local-overlay-secret-fallback',
    family: 'inline',
    defaultSeverity: 'medium',
    // The footprint is an environment diverging (mostly local and dev ones): its severity does not follow that environment.
    environmentEscalation: false,
    description: 'An environment’s values switch off the ExternalSecret a chart renders everywhere else and supply the Secret another way (a create-Secret toggle, literal credentials, an inline Secret)',
    why:
      'Every environment should reconcile the same ExternalSecrets: a local or dev overlay that disables them and ships its own Secret ' +
      'tests a different secret path than staging and production, hides missing keys until the first managed deploy, and keeps ' +
      'fixture credentials alive in the repository. How it decides: a chart template renders an ExternalSecret only when a values ' +
      'path is true (`{{ if .Values.externalSecrets.enabled }}`), the chart’s values.yaml sets it true, and a values file of that ' +
      'chart (in its folder or named after it) sets it false while also turning on a create-Secret toggle, setting literal ' +
      'credentials or declaring a Secret.',
    allowed:
      'Overlays that keep the ExternalSecret on (pointing it at a local SecretStore fed by the local secret bootstrap); overlays ' +
      'that switch it off and only reference an existing Secret another release owns (`existingSecret`); charts whose ' +
      'ExternalSecrets are opt-in (off in values.yaml).',
    remediation:
      'Keep the ExternalSecret on in every environment; for local clusters point its store at a SecretStore the local bootstrap ' +
      'seeds (Vault dev server, or the ESO fake/kubernetes provider), and delete the inline fallback.',
  },
  (context) => {
    const { project } = context;
    const gates = defaultOnGates(project);
    if (gates.size === 0) return;
    const classifier = new OriginClassifier(context.config);
    context.each(
      project.valuesFiles.filter((f) => !f.file.isTest),
      (f) => f.file.path,
      (file) => {
        for (const chartRoot of chartsOf(file, gates)) {
          for (const gate of gates.get(chartRoot)!) {
            for (const doc of file.model.docs) {
              const entry = entryAt(doc.root, gate.path);
              if (!entry || !isScalar(entry.value) || entry.value.value !== false) continue;
              const fallbacks = fallbacksIn(project, file, doc.root);
              if (fallbacks.length === 0) continue;
              const target = gate.externalSecret.helm ? project.resolveChartValue(chartRoot, gate.externalSecret.name) : gate.externalSecret.name;
              const where = file.file.environment ? `environment ${file.file.environment.name}` : 'these values';
              context.report({
                file: file.file,
                line: entry.line,
                column: entry.column,
                message:
                  `Values for ${where} switch off the ExternalSecret of chart ${basename(chartRoot)} (${gate.path}: false; on in its values.yaml, ` +
                  `${gate.externalSecret.file}) and supply the Secret another way: ${fallbacks.join('; ')}`,
                location: `values:.${gate.path}#${chartRoot}`,
                keys: [gate.path],
                origin: classifier.classify({ name: target ?? basename(chartRoot), kind: 'Secret', file: file.file.path }),
                replacement: {
                  language: 'yaml',
                  title: `Keep the ExternalSecret on here too, reading from this environment's store`,
                  snippet: overlaySnippet(gate.path),
                },
              });
            }
          }
        }
      },
    );
  },
);

function overlaySnippet(gatePath: string): string {
  const segments = gatePath.split('.');
  const lines: string[] = [];
  segments.forEach((segment, i) => lines.push(`${'  '.repeat(i)}${segment}:${i === segments.length - 1 ? ' true' : ''}`));
  lines.push(`# point the chart's store at a SecretStore the local secret bootstrap seeds (e.g. a Vault dev server)`);
  lines.push(`# and delete the create-Secret toggle / literal credentials from this file.`);
  return lines.join('\n');
}
