import { OriginClassifier } from '../../inventory/origin.js';
import { connectionStringPassword, embeddedUrlPassword, isAnglePlaceholder, isCredentialName, isLiteralSecretValue } from '../../k8s/vocabulary.js';
import { basename } from '../../util/path.js';
import { get, getStr, isScalar, seqItems } from '../../yaml/model.js';
import { cnpgSecretUses, isCnpgCluster } from '../../k8s/eso.js';
import { createRule } from '../create-rule.js';
import { authorityReplacement } from '../snippets.js';
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
        const replacement = authorityReplacement(context.project, origin, target);
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
    // Kustomize secretGenerator `literals:` (`password=…`): the generated Secret's values are committed in the kustomization.
    context.each(
      context.project.yamlFiles.filter((f) => /^kustomization\.ya?ml$|^Kustomization$/.test(basename(f.file.path)) && !f.file.isTest),
      (f) => f.file.path,
      (parsed) => {
        for (const doc of parsed.model.docs) {
          for (const generator of seqItems(get(doc.root, 'secretGenerator'))) {
            const name = getStr(generator, 'name') ?? 'secret';
            const namespace = getStr(generator, 'namespace');
            const type = getStr(generator, 'type');
            const allCredential = type !== undefined && ['kubernetes.io/basic-auth', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/ssh-auth'].includes(type);
            const literals = seqItems(get(generator, 'literals')).flatMap((item) => {
              if (!isScalar(item) || typeof item.value !== 'string') return [];
              const eq = item.value.indexOf('=');
              if (eq <= 0) return [];
              const key = item.value.slice(0, eq).trim();
              const value = item.value.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
              const credential = allCredential || isCredentialName(key, { extra: context.config.credentialNames });
              const literal = credential && (isLiteralSecretValue(value) || isAnglePlaceholder(value)) ? value : isLiteralSecretValue(value) ? (embeddedUrlPassword(value) ?? connectionStringPassword(value)) : undefined;
              return literal ? [{ key, value: literal, line: item.line, column: item.column }] : [];
            });
            if (literals.length === 0) continue;
            const keys = literals.map((l) => l.key);
            const origin = classifier.classify({ name, keys, kind: 'Secret', file: parsed.file.path, cnpgOwned: cnpgNames.has(name) });
            const target = { name, namespace, keys };
            context.report({
              file: parsed.file,
              line: literals[0]!.line,
              column: literals[0]!.column,
              endLine: literals[literals.length - 1]!.line,
              message: `Kustomize secretGenerator ${name} carries ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')}) in git`,
              location: `${parsed.file.path}#secretGenerator/${namespace ? `${namespace}/` : ''}${name}#${[...keys].sort().join(',')}`,
              value: literals.map((l) => l.value).join('\u0000'),
              keys,
              origin,
              resource: { kind: 'Secret', name, ...(namespace ? { namespace } : {}) },
              replacement: authorityReplacement(context.project, origin, target),
            });
          }
        }
      },
    );
  },
);
