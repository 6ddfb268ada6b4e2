import { OriginClassifier } from '../../inventory/origin.js';
import { get, getStr, isMap } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { externalSecretReplacement } from '../snippets.js';
import { resourceLocation, resourceRef } from './common.js';

export const sealedSecretManifest = createRule(
  {
    id: 'sealed-secret-manifest',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A Bitnami SealedSecret commits an encrypted credential to git',
    why:
      'A SealedSecret is still a credential in git: its ciphertext is bound to one controller key, it cannot be rotated without a ' +
      'commit, it has no authority outside the repo, and losing or rotating the sealing key breaks every environment. The platform ' +
      'forbids `kind: SealedSecret`; secrets come from their authority through External Secrets.',
    allowed: 'An ExternalSecret with the same target name and keys, reading from the secret store (or a cluster-generated Secret).',
    remediation:
      'Store each value with its authority (Vault/Azure Key Vault for external credentials), replace the SealedSecret with an ' +
      'ExternalSecret of the same name, namespace and keys, then delete the SealedSecret and rotate the sealed values.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    context.each(
      context.project.resourcesOfKind('SealedSecret').filter((r) => !r.apiVersion || /^bitnami\.com\//.test(r.apiVersion)),
      (r) => r.file,
      (resource) => {
        const encrypted = get(resource.node, 'spec.encryptedData');
        const keys = isMap(encrypted) ? encrypted.entries.map((e) => e.key) : [];
        const targetName = getStr(resource.node, 'spec.template.metadata.name') ?? resource.name;
        const namespace = getStr(resource.node, 'spec.template.metadata.namespace') ?? resource.namespace;
        const secretType = getStr(resource.node, 'spec.template.type');
        context.report({
          file: resource.parsed.file,
          line: resource.line,
          message: `SealedSecret ${resource.name} commits ${keys.length} sealed value${keys.length === 1 ? '' : 's'}${keys.length ? ` (${keys.join(', ')})` : ''} to git`,
          location: resourceLocation(resource),
          keys,
          origin: classifier.classify({ name: targetName, keys, kind: 'Secret', file: resource.file, isTest: resource.parsed.file.isTest, secretType }),
          resource: resourceRef(resource),
          replacement: externalSecretReplacement(context.project, { name: targetName, namespace, keys }),
        });
      },
    );
  },
);
