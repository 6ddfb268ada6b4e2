import { isSelfDescribingValue } from '../../analyzers/tests/credentials.js';
import { secretHoldsCredential } from '../../analyzers/tests/judge.js';
import type { InlineSecretFact } from '../../analyzers/tests/model.js';
import { connectionStringPassword, embeddedUrlPassword, isCredentialName } from '../../k8s/vocabulary.js';
import { createRule } from '../create-rule.js';
import { externalSecretReplacement } from '../snippets.js';
import { harnessModels, intTestsSecretName, Occurrences } from './common.js';

const FORMS: Record<string, string> = {
  'object-literal': 'a Secret object literal',
  V1Secret: 'a V1Secret value',
  createNamespacedSecret: 'createNamespacedSecret',
  'yaml-string': 'a Secret manifest held in a string',
  'corev1.Secret': 'a corev1.Secret literal',
  'python-dict': 'a Secret dict',
  'secret-helper': 'a Secret helper of the test kit',
  'pulumi-secret': 'a Pulumi Secret resource',
  'cdk8s-secret': 'a cdk8s Secret construct',
  'kubectl-create': 'kubectl create secret',
  'tilt-ext-secret': "Tilt's ext://secret helper (kubectl create secret)",
  'kubectl-apply-heredoc': 'kubectl apply of a heredoc Secret',
};

/** `kubectl create secret` and the Tilt helpers that run it: every literal value counts, as on that command line. */
const KUBECTL_FORMS: ReadonlySet<string> = new Set(['kubectl-create', 'tilt-ext-secret']);

/** Are the Secret's credentials (its credential-named values, the passwords its URLs embed) all made-up fixture data? */
function madeUp(fact: InlineSecretFact, extra: readonly string[]): boolean {
  const credentials = fact.literalKeys.flatMap((key, i) => {
    const value = fact.values[i] ?? '';
    const embedded = embeddedUrlPassword(value) ?? connectionStringPassword(value);
    return embedded !== undefined ? [embedded] : isCredentialName(key, { extra }) ? [value] : [];
  });
  const judged = credentials.length > 0 ? credentials : fact.values;
  return judged.length > 0 && judged.every(isSelfDescribingValue);
}

export const testInlineSecret = createRule(
  {
    id: 'test-inline-secret',
    family: 'tests',
    defaultSeverity: 'high',
    description: 'A test or test harness creates a Kubernetes Secret with literal values',
    why: 'Tests that mint their own Secrets bypass the secret bootstrap they are supposed to prove, drift from the real ExternalSecret shape, and commit credentials. Service tests consume per-service ExternalSecrets.',
    allowed: 'Tests that read the per-service <svc>-int-tests-secrets Secret (materialised by an ExternalSecret) or build Secrets from environment variables only; mocked Kubernetes clients with non-credential data; made-up values that only name what they are (token-content, test-password).',
    remediation: 'Delete the inline Secret; declare the keys in the per-service int-tests ExternalSecret and read them from the environment (envFrom) in the test.',
  },
  (context) => {
    const extra = context.config.credentialNames;
    context.each(
      harnessModels(context.project).filter((m) => m.model.role === 'test'),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.inlineSecrets) {
          if (!secretHoldsCredential(fact.literalKeys, fact.values, extra) && !KUBECTL_FORMS.has(fact.form)) continue;
          // Data the test hands to the code under test, named for what it is (`token: token-content`): issued by nothing.
          if (madeUp(fact, extra)) continue;
          const target = fact.name ?? intTestsSecretName(file.path);
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            endLine: fact.endLine,
            message: `Test creates Secret ${fact.name ?? fact.nameAsWritten ?? '(unnamed)'} with ${fact.literalKeys.length} literal value${fact.literalKeys.length === 1 ? '' : 's'} (${fact.literalKeys.join(', ')}) via ${FORMS[fact.form] ?? fact.form}`,
            location: seen.next(`secret:${fact.name ?? '?'}#${[...fact.literalKeys].sort().join(',')}`),
            value: fact.values.join('\u0000'),
            keys: fact.literalKeys,
            origin: 'test',
            resource: { kind: 'Secret', name: target, ...(fact.namespace ? { namespace: fact.namespace } : {}) },
            replacement: externalSecretReplacement(context.project, { name: target, namespace: fact.namespace, keys: fact.keys }),
          });
        }
      },
    );
  },
);
