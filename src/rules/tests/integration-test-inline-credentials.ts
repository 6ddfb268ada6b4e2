import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { basename, segments } from '../../util/path.js';
import { createRule } from '../create-rule.js';
import { resourceRef, secretLiterals } from '../k8s/common.js';
import { valuesCredentials } from '../k8s/inline-credential-in-values.js';
import { envFromReplacement, intTestsSecretName, Occurrences } from './common.js';

const TEST_NAMED = /(^|[-_.\/])(integration|integration[-_]tests?|int[-_]tests?|e2e|test[-_]job[-_]runner|playwright|smoke[-_]tests?|acceptance)([-_.\/]|$)/i;

/** Objects whose fields hold values (env literals, config data); every other kind only references credentials. */
const JUDGED_KINDS = new Set(['ConfigMap', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'PodTemplate']);

/** Manifests and values that belong to tests: under test folders, or named for integration/e2e runs. */
export function isTestYaml(file: ParsedFile<YamlFileModel>): boolean {
  return file.file.isTest || TEST_NAMED.test(file.file.path);
}

/** `<svc>-int-tests-secrets` from `integration-tests/graph.yaml`, `values/integration/orders.yaml`, `services/<svc>/…`. */
function testSecretFor(path: string): string {
  const name = basename(path).replace(/\.ya?ml$/i, '');
  const generic = /^(values|values[-_.].*|.*[-_.]values|kustomization|secrets?|config|env|test|tests|e2e|integration|int-tests)$/i.test(name);
  if (!generic && !segments(path).some((s) => s === 'services')) return `${name.replace(/[-_.]?(int[-_]?tests?|integration|e2e)$/i, '') || name}-int-tests-secrets`.toLowerCase();
  return intTestsSecretName(path);
}

export const integrationTestInlineCredentials = createRule(
  {
    id: 'integration-test-inline-credentials',
    family: 'tests',
    defaultSeverity: 'high',
    description: 'A test manifest or integration/e2e values file holds literal credentials',
    why: 'Integration overlays and test-job values are deployed to shared clusters and copied between environments; a literal DB URL, MinIO key or bearer token there is a live credential in git that no authority rotates.',
    allowed: 'envFrom / secretKeyRef of the per-service <svc>-int-tests-secrets Secret rendered by the integration-secrets ExternalSecrets; Helm templates, ${VAR} placeholders and empty values.',
    remediation: 'Remove the literals, add the keys to the integration secret catalog (the per-service int-tests ExternalSecret) and mount them via envFrom.',
  },
  (context) => {
    const { project, config } = context;
    const files = project.yamlFiles.filter(isTestYaml);
    const resources = project.resources;
    context.each(
      files,
      (f) => f.file.path,
      (file) => {
        const seen = new Occurrences();
        const secretName = testSecretFor(file.file.path);
        const inFile = resources.filter((r) => r.file === file.file.path);
        for (const secret of inFile.filter((r) => r.kind === 'Secret')) {
          const literals = secretLiterals(secret, config);
          if (literals.length === 0) continue;
          const first = literals[0]!;
          context.report({
            file: file.file,
            line: first.line,
            column: first.column,
            endLine: literals[literals.length - 1]!.line,
            message: `Test Secret ${secret.name} carries ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${literals.map((l) => l.key).join(', ')})`,
            location: seen.next(`${secret.valuesPath ? `values:${secret.valuesPath}:` : ''}${secret.id}#${literals.map((l) => l.path).sort().join(',')}`),
            value: literals.map((l) => l.value).join('\u0000'),
            keys: literals.map((l) => l.key),
            origin: 'test',
            resource: resourceRef(secret),
            replacement: envFromReplacement(secretName),
            remediation: `Delete Secret ${secret.name}; deliver its keys through ${secretName} (the per-service int-tests ExternalSecret) and mount it with envFrom.`,
          });
        }
        // Secrets were judged above; ExternalSecrets, stores, Argo apps and other objects only name credentials.
        const notJudged = inFile.filter((r) => r.kind === 'Secret' || !JUDGED_KINDS.has(r.kind));
        const skip = new Set(notJudged.filter((r) => r.valuesPath !== undefined).map((r) => r.valuesPath!));
        const secretDocs = new Set(notJudged.filter((r) => r.valuesPath === undefined).map((r) => r.docIndex));
        for (const doc of file.model.docs) {
          if (secretDocs.has(doc.index)) continue;
          for (const cred of valuesCredentials(doc.root, config, skip)) {
            context.report({
              file: file.file,
              line: cred.line,
              column: cred.column,
              message: `Test configuration ${cred.path} holds a literal credential (${cred.key})`,
              location: seen.next(`yaml:${cred.path}${doc.index > 0 ? `@${doc.index}` : ''}`),
              value: cred.value,
              keys: [cred.key],
              origin: 'test',
              replacement: envFromReplacement(secretName),
              remediation: `Remove the literal ${cred.key}; add it to ${secretName} (per-service int-tests ExternalSecret) and mount that Secret with envFrom.`,
            });
          }
        }
      },
    );
  },
);
