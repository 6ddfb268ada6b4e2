import { secretHoldsCredential } from '../../analyzers/tests/judge.js';
import { IAC_SECRET_FORMS } from '../../analyzers/tests/model.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { databaseOperatorSecrets } from '../../k8s/db-operators.js';
import { esSpec } from '../../k8s/eso.js';
import { get, getStr, isMap, type PMap } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { authorityReplacement, operatorWrittenSecretReplacement } from '../snippets.js';
import { isCnpgWritten, operatorWriterOf } from '../../k8s/operator-secrets.js';
import { resourceLocation, resourceRef, secretLiterals } from './common.js';
import { kustomizeGenerators } from './kustomize.js';
import { harnessModels, Occurrences } from '../tests/common.js';
import type { TerraformModel } from '../../analyzers/terraform.js';
import type { K8sResource } from '../../k8s/resources.js';

export const inlineSecretManifest = createRule(
  {
    id: 'inline-secret-manifest',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A Kubernetes Secret committed with literal credential values (a manifest, a Kustomize secretGenerator, the template of an ExternalSecret, a Pulumi or cdk8s program, literal defaults of its config reads included, an Ansible k8s task, a Terraform Kubernetes provider resource)',
    why: 'A credential in git is readable by everyone with repo access, lives forever in history, and has no authority that can rotate it. Repository manifests must never embed credentials.',
    allowed: 'An ExternalSecret (external secrets), a CNPG-owned or Helm-generated Secret (cluster-managed), or a Secret whose values are Helm templates, ${VAR} placeholders, tokens the deploy pipeline replaces (#{VAR}#, __VAR__) or empty.',
    remediation: 'Delete the literal Secret, rotate the exposed credential, and materialise the Secret from its authority: an ExternalSecret for external secrets, the CNPG operator for PostgreSQL users, cert-manager for TLS keys, Helm lookup+randAlphaNum for admin passwords and other in-cluster credentials.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    // Secrets a database operator reads (CNPG managed roles and bootstrap, a MongoDB user's passwordSecretRef, a MariaDB
    // root password) are operator-owned whatever their name; the engine picks the replacement.
    const operatorSecrets = databaseOperatorSecrets(context.project);
    context.each(
      context.project.resourcesOfKind('Secret'),
      (r) => r.file,
      (resource) => {
        if (resource.parsed.file.isTest) return;
        const literals = secretLiterals(resource, context.config);
        if (literals.length === 0) return;
        const keys = literals.map((l) => l.key);
        const allKeys = literals.map((l) => l.path.split('.').slice(1).join('.'));
        // A Secret an operator writes (a KafkaUser's, a RabbitmqCluster's default user) is the operator's, whatever its name.
        const writer = operatorWriterOf(context.project, resource.name, resource.namespace);
        const operatorWritten = writer !== undefined && writer.type !== 'kubernetes.io/tls' && !isCnpgWritten(writer);
        const origin = classifier.classify({ name: resource.name, keys: allKeys, kind: 'Secret', file: resource.file, cnpgOwned: operatorSecrets.has(resource.name) || operatorWritten, secretType: getStr(resource.node, 'type') });
        const target = { name: resource.name, namespace: resource.namespace, keys: allKeys, type: getStr(resource.node, 'type'), engine: operatorSecrets.get(resource.name) };
        const replacement =
          operatorWritten && origin === 'cluster-operator' ? operatorWrittenSecretReplacement({ secretName: resource.name, producer: writer.producer, keys: writer.keys }) : authorityReplacement(context.project, origin, target);
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
    // Kustomize secretGenerator `literals:` (`password=…`) and `envs:` dotenv files: the generated Secret's values are committed.
    context.each(
      kustomizeGenerators(context.project, 'secretGenerator'),
      (g) => g.kustomization.file.path,
      (generator) => {
        // `namespace` (the generator's own option) keys the logical location; the object lands in `renderedNamespace`.
        const { name, namespace, renderedNamespace } = generator;
        for (const source of generator.sources) {
          const literals = source.credentials;
          const keys = literals.map((l) => l.key);
          const origin = classifier.classify({ name, keys, kind: 'Secret', file: source.file.path, cnpgOwned: operatorSecrets.has(name) });
          const target = { name, namespace: renderedNamespace, keys, engine: operatorSecrets.get(name) };
          const fromFile = source.via !== 'literals';
          context.report({
            file: source.file,
            line: literals[0]!.line,
            column: literals[0]!.column,
            endLine: literals[literals.length - 1]!.line,
            message: fromFile
              ? `Kustomize secretGenerator ${name} (${generator.kustomization.file.path}) reads ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')}) from committed ${source.via}`
              : `Kustomize secretGenerator ${name} carries ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')}) in git`,
            location: `${source.file.path}#secretGenerator/${namespace ? `${namespace}/` : ''}${name}#${[...keys].sort().join(',')}`,
            value: literals.map((l) => l.value).join('\u0000'),
            keys,
            origin,
            resource: { kind: 'Secret', name, ...(renderedNamespace ? { namespace: renderedNamespace } : {}) },
            replacement: authorityReplacement(context.project, origin, target),
          });
        }
      },
    );
    // Pulumi and cdk8s programs declare Secrets in code (`new k8s.core.v1.Secret(name, { stringData })`): what they
    // commit is what a manifest would. Under a test folder, test-inline-secret has them.
    context.each(
      harnessModels(context.project).filter((m) => m.model.role === 'script' && m.model.inlineSecrets.some((f) => IAC_SECRET_FORMS.has(f.form))),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.inlineSecrets) {
          if (!IAC_SECRET_FORMS.has(fact.form) || !secretHoldsCredential(fact.literalKeys, fact.values, context.config.credentialNames)) continue;
          const name = fact.name ?? fact.nameAsWritten ?? 'secret';
          // The literals that are credentials: a `username: admin` beside the password is not one.
          const credentialKeys = fact.literalKeys.filter((k, i) => secretHoldsCredential([k], [fact.values[i] ?? ''], context.config.credentialNames));
          const shown = credentialKeys.length > 0 ? credentialKeys : fact.literalKeys;
          const origin = classifier.classify({ name, keys: fact.keys, kind: 'Secret', file: file.path, cnpgOwned: operatorSecrets.has(name) });
          const target = { name, namespace: fact.namespace, keys: fact.keys, engine: operatorSecrets.get(name) };
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            endLine: fact.endLine,
            message: `${fact.form === 'pulumi-secret' ? 'Pulumi' : 'cdk8s'} Secret ${fact.name ?? fact.nameAsWritten ?? '(unnamed)'} carries ${shown.length} literal credential value${shown.length === 1 ? '' : 's'} (${shown.join(', ')}) in git`,
            location: seen.next(`secret:${fact.namespace ?? ''}/${name}#${[...fact.literalKeys].sort().join(',')}`),
            value: fact.values.join('\u0000'),
            keys: shown,
            origin,
            resource: { kind: 'Secret', name, ...(fact.namespace ? { namespace: fact.namespace } : {}) },
            replacement: authorityReplacement(context.project, origin, target),
          });
        }
      },
    );
    // Terraform's Kubernetes providers declare Secrets too (`kubernetes_secret` data, a `kubernetes_manifest` or
    // `kubectl_manifest` of kind Secret): a literal there is committed, and lands in the state file in clear as well.
    context.each(
      context.project.models<TerraformModel>('terraform').filter((m) => !m.file.isTest && m.model.kubernetesSecrets),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const secret of model.kubernetesSecrets!) {
          const name = secret.name ?? `${secret.resource}.${secret.label}`;
          const resource = { node: secret.node, source: 'manifest', file: file.path, name, kind: 'Secret' } as unknown as K8sResource;
          const literals = secretLiterals(resource, context.config);
          if (literals.length === 0) continue;
          const keys = literals.map((l) => l.key);
          const allKeys = literals.map((l) => l.path.split('.').slice(1).join('.'));
          const origin = classifier.classify({ name, keys: allKeys, kind: 'Secret', file: file.path, cnpgOwned: operatorSecrets.has(name), secretType: getStr(secret.node, 'type') });
          const target = { name, namespace: secret.namespace, keys: allKeys, type: getStr(secret.node, 'type'), engine: operatorSecrets.get(name) };
          context.report({
            file,
            line: literals[0]!.line,
            column: literals[0]!.column,
            endLine: literals[literals.length - 1]!.line,
            message: `Terraform ${secret.resource}.${secret.label} declares Secret ${name} with ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')}) in git`,
            location: seen.next(`terraform:${secret.resource}.${secret.label}#${literals.map((l) => l.path).sort().join(',')}`),
            value: literals.map((l) => l.value).join('\u0000'),
            keys,
            origin,
            resource: { kind: 'Secret', name, ...(secret.namespace ? { namespace: secret.namespace } : {}) },
            replacement: authorityReplacement(context.project, origin, target),
          });
        }
      },
    );
    // An ExternalSecret's `target.template.data` is text of the Secret it writes: a literal there
    // (`DATABASE_URL: postgresql://app:pw@db/app` beside `{{ .host }}`) is committed as in a Secret manifest.
    context.each(
      context.project.resourcesOfKind('ExternalSecret', 'ClusterExternalSecret'),
      (r) => r.file,
      (resource) => {
        if (resource.parsed.file.isTest) return;
        const spec = esSpec(resource);
        const data = get(spec, 'target.template.data');
        if (!isMap(data)) return;
        const typed = get(spec, 'target.template.type');
        const rendered: PMap = { ...resource.node, entries: [{ key: 'stringData', line: data.line, column: data.column, value: data }, ...(typed ? [{ key: 'type', line: typed.line, column: typed.column, value: typed }] : [])] };
        const literals = secretLiterals({ ...resource, node: rendered }, context.config);
        if (literals.length === 0) return;
        const secretName = getStr(spec, 'target.name') ?? resource.name;
        const keys = literals.map((l) => l.key);
        const origin = classifier.classify({ name: secretName, keys, kind: 'Secret', file: resource.file, cnpgOwned: operatorSecrets.has(secretName) });
        context.report({
          file: resource.parsed.file,
          line: literals[0]!.line,
          column: literals[0]!.column,
          endLine: literals[literals.length - 1]!.line,
          message: `${resource.kind} ${resource.name} templates ${literals.length} literal credential value${literals.length === 1 ? '' : 's'} (${keys.join(', ')}) into Secret ${secretName}`,
          location: resourceLocation(resource, `template:${literals.map((l) => l.key).sort().join(',')}`),
          value: literals.map((l) => l.value).join('\u0000'),
          keys,
          origin,
          resource: resourceRef(resource),
          remediation: `Take ${keys.join(', ')} from the store like the other fields (a remoteRef in spec.data, then {{ .key }} in the template), delete the literal from the template and rotate it.`,
        });
      },
    );
  },
);
