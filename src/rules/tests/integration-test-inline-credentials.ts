import type { FileContext, ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { basename, segments } from '../../util/path.js';
import { createRule } from '../create-rule.js';
import { resourceRef, secretLiterals } from '../k8s/common.js';
import { valuesCredentials, valuesCredentialValue } from '../k8s/inline-credential-in-values.js';
import { hasContainers } from '../k8s/workload-env-literal-credential.js';
import type { DotenvEntry, DotenvModel } from '../../analyzers/dotenv.js';
import { isPlaceholderText, isSelfDescribingValue } from '../../analyzers/tests/credentials.js';
import { isTestDotenv } from '../../analyzers/tests/dotenv.js';
import type { PytestEnvModel } from '../../analyzers/tests/pytest-env.js';
import { connectionStringPassword, embeddedCredentials, embeddedUrlPassword, isCredentialName, isLiteralSecretValue } from '../../k8s/vocabulary.js';
import type { Replacement } from '../../types.js';
import { get, getStr, isScalar, seqItems } from '../../yaml/model.js';
import { envFromReplacement, fileStem, GENERIC_FILE_STEM, intTestsSecretName, intTestsSecretNameOf, Occurrences } from './common.js';
import { resourcesInFile } from '../../scan/project-index.js';

const TEST_NAMED = /(^|[-_.\/])(integration|integration[-_]tests?|int[-_]tests?|e2e|test[-_]job[-_]runner|playwright|smoke[-_]tests?|acceptance)([-_.\/]|$)/i;

/** Objects whose fields hold values (env literals, config data); every other kind only references credentials. */
const JUDGED_KINDS = new Set(['ConfigMap', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'PodTemplate']);

/** Docker Compose files: not Kubernetes manifests or values (and a test compose file provisions its own throwaway services). */
const COMPOSE = /^(docker-)?compose([-.][\w.-]+)?\.ya?ml$/i;

/**
 * Manifests and values that belong to tests: under test folders, or named for integration/e2e runs. Compose files for
 * tests are left to hardcoded-credential: like a testcontainers call, they start the database they hold the password
 * of, for the run only, and no authority exists to source that password from.
 */
export function isTestYaml(file: ParsedFile<YamlFileModel>): boolean {
  return (file.file.isTest || TEST_NAMED.test(file.file.path)) && !COMPOSE.test(basename(file.file.path));
}

/** `<svc>-int-tests-secrets` from `integration-tests/graph.yaml`, `values/integration/orders.yaml`, `services/<svc>/…`. */
function testSecretFor(path: string): string {
  const name = fileStem(path);
  if (!GENERIC_FILE_STEM.test(name) && !segments(path).some((s) => s === 'services')) return intTestsSecretNameOf(name.replace(/[-_.]?(int[-_]?tests?|integration|e2e)$/i, '') || name);
  return intTestsSecretName(path);
}

/** Is every credential in this literal (the value, or the parts a connection string or config blob embeds) made-up fixture data? */
function madeUp(value: string, extra: readonly string[]): boolean {
  const embedded = value.includes('=') || value.includes(':') ? embeddedCredentials(value, { extra }).map((c) => c.value) : [];
  const parts = embedded.length > 0 ? embedded : value.split('\n');
  return parts.every(isSelfDescribingValue);
}

export const integrationTestInlineCredentials = createRule(
  {
    id: 'integration-test-inline-credentials',
    family: 'tests',
    defaultSeverity: 'high',
    description: 'A test manifest, integration/e2e values file, test overlay secretGenerator, test dotenv file or pytest env setting holds literal credentials',
    why: 'Integration overlays and test-job values are deployed to shared clusters and copied between environments; a literal DB URL, MinIO key or bearer token there is a live credential in git that no authority rotates.',
    allowed: 'envFrom / secretKeyRef of the per-service <svc>-int-tests-secrets Secret rendered by the integration-secrets ExternalSecrets; Helm templates, ${VAR} placeholders, empty values, and made-up fixture values that only name what they are (token-content, secret_token, my-secret-key, also base64-encoded).',
    remediation: 'Remove the literals, add the keys to the integration secret catalog (the per-service int-tests ExternalSecret) and mount them via envFrom.',
  },
  (context) => {
    const { project, config } = context;
    const files = project.yamlFiles.filter(isTestYaml);
    context.each(
      files,
      (f) => f.file.path,
      (file) => {
        const seen = new Occurrences();
        const secretName = testSecretFor(file.file.path);
        const inFile = resourcesInFile(project, file.file.path);
        // Outside test folders (a file only named for tests: `clusters/staging/smoke-tests/job.yaml`) the manifest and
        // values rules judge Secrets, workloads, ConfigMaps and values files already: one footprint, one finding.
        const shared = !file.file.isTest;
        for (const secret of shared ? [] : inFile.filter((r) => r.kind === 'Secret')) {
          // Fixture data named for what it is (`token: token-content`, `PROMETHEUS_TOKEN: secret_token`) was issued by nothing.
          const literals = secretLiterals(secret, config).filter((l) => !madeUp(l.value, config.credentialNames));
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
        const notJudged = inFile.filter((r) => r.kind === 'Secret' || !(JUDGED_KINDS.has(r.kind) || hasContainers(r)));
        const skip = new Set(notJudged.filter((r) => r.valuesPath !== undefined).map((r) => r.valuesPath!));
        const secretDocs = new Set(notJudged.filter((r) => r.valuesPath === undefined).map((r) => r.docIndex));
        // Kustomize secretGenerator `literals:` in a test overlay (`deploy/overlays/e2e/kustomization.yaml`); outside test
        // folders inline-secret-manifest reports them.
        if (file.file.isTest && /^kustomization\.ya?ml$|^Kustomization$/.test(basename(file.file.path))) {
          for (const doc of file.model.docs) {
            for (const generator of seqItems(get(doc.root, 'secretGenerator'))) {
              const name = getStr(generator, 'name') ?? 'secret';
              const literals = seqItems(get(generator, 'literals')).flatMap((item) => {
                if (!isScalar(item) || typeof item.value !== 'string' || item.value.indexOf('=') <= 0) return [];
                const key = item.value.slice(0, item.value.indexOf('=')).trim();
                const value = item.value.slice(item.value.indexOf('=') + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
                if (!isLiteralSecretValue(value)) return [];
                const literal = isCredentialName(key, { extra: config.credentialNames }) ? value : (embeddedUrlPassword(value) ?? connectionStringPassword(value));
                return literal ? [{ key, value: literal, line: item.line, column: item.column }] : [];
              });
              if (literals.length === 0) continue;
              const keys = literals.map((l) => l.key);
              context.report({
                file: file.file,
                line: literals[0]!.line,
                column: literals[0]!.column,
                endLine: literals[literals.length - 1]!.line,
                message: `Test overlay secretGenerator ${name} carries ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')})`,
                location: seen.next(`secretGenerator/${name}#${[...keys].sort().join(',')}`),
                value: literals.map((l) => l.value).join('\u0000'),
                keys,
                origin: 'test',
                resource: { kind: 'Secret', name },
                replacement: envFromReplacement(secretName),
                remediation: `Delete the generator ${name}; deliver its keys through ${secretName} (the per-service int-tests ExternalSecret) and mount it with envFrom.`,
              });
            }
          }
        }
        if (shared && file.model.role === 'values') return;
        const judgedDocs = new Set(shared ? inFile.filter((r) => r.valuesPath === undefined && (r.kind === 'Secret' || JUDGED_KINDS.has(r.kind) || hasContainers(r))).map((r) => r.docIndex) : []);
        for (const doc of file.model.docs) {
          if (secretDocs.has(doc.index) || judgedDocs.has(doc.index)) continue;
          for (const cred of valuesCredentials(doc.root, config, skip)) {
            // A throwaway account whose password is its name (a CI service container's postgres/postgres): no secret.
            if (cred.userBeside !== undefined && cred.userBeside.toLowerCase() === cred.value.toLowerCase()) continue;
            if (isSelfDescribingValue(cred.value)) continue;
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
    /** KEY=value settings a test run reads (dotenv files, pytest-env): each literal credential is one finding. */
    const judgeSettings = (
      parsed: { file: FileContext; model: { entries: readonly DotenvEntry[] } },
      kind: { label: string; location: string },
      fix: (key: string, secretName: string) => { replacement: Replacement; remediation: string },
    ): void => {
      const seen = new Occurrences();
      const secretName = intTestsSecretName(parsed.file.path);
      for (const entry of parsed.model.entries) {
        const literal = valuesCredentialValue(entry.key, entry.value, config);
        // A test settings template (`.env.test.example` copied by hand): the value says what to put there.
        if (!literal || isPlaceholderText(literal) || isSelfDescribingValue(literal)) continue;
        context.report({
          file: parsed.file,
          line: entry.line,
          column: entry.column,
          message: `${kind.label} ${entry.key} holds a literal credential`,
          location: seen.next(`${kind.location}:${entry.key}`),
          value: literal,
          keys: [entry.key],
          origin: 'test',
          ...fix(entry.key, secretName),
        });
      }
    };
    // Dotenv files for test runs (`.env.e2e`, `.env.test`, `.env*` in test folders): the same judgement as values.
    context.each(
      project.models<DotenvModel>('dotenv').filter((m) => isTestDotenv(m.file)),
      (m) => m.file.path,
      (parsed) =>
        judgeSettings(parsed, { label: 'Test dotenv', location: 'dotenv' }, (key, secretName) => ({
          replacement: envFromReplacement(secretName),
          remediation: `Remove the literal ${key} from the committed file; add it to ${secretName} (per-service int-tests ExternalSecret) and provide it to the run from that Secret.`,
        })),
    );
    // pytest-env settings (`env =` in pytest.ini / tox.ini / setup.cfg, pyproject's pytest options): set for every test run.
    context.each(
      project.models<PytestEnvModel>('tests-pytest-env'),
      (m) => m.file.path,
      (parsed) =>
        judgeSettings(parsed, { label: 'Test configuration (pytest env)', location: 'pytest-env' }, (key, secretName) => ({
          replacement: {
            language: 'python',
            title: `Require ${key} from the environment the secret bootstrap provides (${secretName})`,
            snippet: `# conftest.py\nimport os\n\nimport pytest\n\n\ndef pytest_configure(config):\n    if not os.environ.get(${JSON.stringify(key)}):\n        pytest.exit(${JSON.stringify(`Missing ${key}: run the secret bootstrap (${secretName})`)}, returncode=2)\n`,
          },
          remediation: `Remove ${key} from the pytest env settings; deliver it from ${secretName} (per-service int-tests ExternalSecret) to the test run and fail fast when it is missing.`,
        })),
    );
  },
);
