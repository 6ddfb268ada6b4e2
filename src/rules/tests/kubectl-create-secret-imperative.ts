import { secretHoldsCredential } from '../../analyzers/tests/judge.js';
import { IAC_SECRET_FORMS, type InlineSecretFact } from '../../analyzers/tests/model.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { createRule } from '../create-rule.js';
import { cnpgManagedRoleReplacement, externalSecretReplacement } from '../snippets.js';
import { harnessModels, Occurrences } from './common.js';

const FORMS: Record<string, string> = {
  'kubectl-create': 'kubectl create secret',
  'tilt-ext-secret': "Tilt's ext://secret helper (kubectl create secret)",
  'kubectl-apply-heredoc': 'kubectl apply of a heredoc Secret',
  createNamespacedSecret: 'createNamespacedSecret',
  V1Secret: 'a V1Secret',
  'object-literal': 'a Secret object',
  'python-dict': 'create_namespaced_secret with a Secret dict',
  'secret-helper': 'a Kubernetes Secret helper',
  'yaml-string': 'a Secret manifest held in a string',
};

/** `kubectl create secret` and the Tilt helpers that run it: every literal value counts, as on that command line. */
const KUBECTL_FORMS: ReadonlySet<string> = new Set(['kubectl-create', 'tilt-ext-secret']);

/** Does this rule report the Secret (in a script, not a test)? (Other rules leave its lines alone.) */
export function reportsInlineSecret(fact: InlineSecretFact, extra: readonly string[]): boolean {
  if (IAC_SECRET_FORMS.has(fact.form)) return false;
  return KUBECTL_FORMS.has(fact.form) || secretHoldsCredential(fact.literalKeys, fact.values, extra);
}

export const kubectlCreateSecretImperative = createRule(
  {
    id: 'kubectl-create-secret-imperative',
    family: 'external',
    defaultSeverity: 'medium',
    description: 'A script creates a Kubernetes Secret imperatively with literal values',
    why: 'Imperatively created Secrets have no declared owner: GitOps cannot reconcile or rotate them, they vanish with the cluster, and their literal values sit in the script ("zero runtime scripting"; no kubectl apply of secrets).',
    allowed: 'An ExternalSecret or CNPG/Helm-owned Secret referenced via existingSecret; local-only seeding that reads values from a gitignored .env or the environment (no literals).',
    remediation: 'Declare the Secret instead: an ExternalSecret for external values, the CNPG/Helm-generated Secret for database and admin credentials, and reference it via existingSecret.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    const extra = context.config.credentialNames;
    context.each(
      harnessModels(context.project).filter((m) => m.model.role === 'script'),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.inlineSecrets) {
          // A Pulumi or cdk8s program declares its Secret: inline-secret-manifest judges it like a manifest.
          if (!reportsInlineSecret(fact, extra)) continue;
          const name = fact.name ?? 'secret';
          const secretType = fact.secretType === 'docker-registry' ? 'kubernetes.io/dockerconfigjson' : fact.secretType === 'tls' ? 'kubernetes.io/tls' : undefined;
          const origin = classifier.classify({ name, keys: fact.keys, kind: 'Secret', file: file.path, ...(secretType ? { secretType } : {}) });
          const replacement =
            origin === 'cluster-operator' && !secretType
              ? cnpgManagedRoleReplacement({ secretName: name, role: name.replace(/-(db|database)?-?(credentials|secret|auth|env|local)$/i, '').replace(/-/g, '_') || 'app' })
              : externalSecretReplacement(context.project, { name, namespace: fact.namespace, keys: fact.keys });
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            endLine: fact.endLine,
            message: `Script creates Secret ${fact.name ?? fact.nameAsWritten ?? '(unnamed)'} imperatively with ${fact.literalKeys.length} literal value${fact.literalKeys.length === 1 ? '' : 's'} (${fact.literalKeys.join(', ')}) via ${FORMS[fact.form] ?? fact.form}`,
            location: seen.next(`secret:${fact.namespace ?? ''}/${name}#${[...fact.literalKeys].sort().join(',')}`),
            value: fact.values.join('\u0000'),
            keys: fact.literalKeys,
            origin,
            resource: { kind: 'Secret', name, ...(fact.namespace ? { namespace: fact.namespace } : {}) },
            replacement,
          });
        }
      },
    );
  },
);
