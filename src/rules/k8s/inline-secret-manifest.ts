import { OriginClassifier } from '../../inventory/origin.js';
import { cnpgSecretUses, isCnpgCluster } from '../../k8s/eso.js';
import { createRule } from '../create-rule.js';
import { cnpgManagedRoleReplacement, externalSecretReplacement, helmGeneratedSecretReplacement } from '../snippets.js';
import { resourceLocation, resourceRef, secretLiterals } from './common.js';

export const inlineSecretManifest = createRule(
  {
    id: 'inline-secret-manifest',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A Kubernetes Secret committed with literal credential values',
    why: 'A credential in git is readable by everyone with repo access, lives forever in history, and has no authority that can rotate it. Repository manifests must never embed credentials.',
    allowed: 'An ExternalSecret (external secrets), a CNPG-owned or Helm-generated Secret (cluster-managed), or a Secret whose values are Helm templates, ${VAR} placeholders or empty.',
    remediation: 'Delete the literal Secret, rotate the exposed credential, and materialise the Secret from its authority: an ExternalSecret for external secrets, the CNPG operator for database users, Helm lookup+randAlphaNum for admin passwords.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    // Secrets a CNPG Cluster reads (managed roles, bootstrap owner, superuser) are operator-owned whatever their name.
    const cnpgNames = new Set(context.project.resources.filter(isCnpgCluster).flatMap((c) => cnpgSecretUses(c).map((u) => u.secretName)));
    context.each(
      context.project.resourcesOfKind('Secret'),
      (r) => r.file,
      (resource) => {
        if (resource.parsed.file.isTest) return;
        const literals = secretLiterals(resource, context.config);
        if (literals.length === 0) return;
        const keys = literals.map((l) => l.key);
        const allKeys = literals.map((l) => l.path.split('.').slice(1).join('.'));
        const origin = classifier.classify({ name: resource.name, keys: allKeys, kind: 'Secret', file: resource.file, cnpgOwned: cnpgNames.has(resource.name) });
        const target = { name: resource.name, namespace: resource.namespace, keys: allKeys };
        const replacement =
          origin === 'cluster-operator'
            ? cnpgManagedRoleReplacement({ secretName: resource.name, role: resource.name.replace(/-(db|database)?-?(credentials|secret|auth|env)$/i, '') || 'app' })
            : origin === 'cluster-helm'
              ? helmGeneratedSecretReplacement(target)
              : externalSecretReplacement(context.project, target);
        const first = literals[0]!;
        context.report({
          file: resource.parsed.file,
          line: first.line,
          column: first.column,
          endLine: literals[literals.length - 1]!.line,
          message: `Secret ${resource.name} carries ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')}) in git`,
          location: resourceLocation(resource, literals.map((l) => l.path).sort().join(',')),
          value: literals.map((l) => l.value).join('\u0000'),
          keys,
          origin,
          resource: resourceRef(resource),
          replacement,
        });
      },
    );
  },
);
