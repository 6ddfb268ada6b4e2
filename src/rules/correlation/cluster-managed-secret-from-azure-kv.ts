import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { credentialClass, isCredentialName, isDatabaseName, words, type CredentialClass } from '../../k8s/vocabulary.js';
import type { Origin, Replacement } from '../../types.js';
import { getStr, isMap, isScalar, seqItems, walk } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { authorityReplacement } from '../snippets.js';
import type { RuleContext } from '../types.js';
import { externalSecrets, looksLikeEmbeddedResource, roleFromSecretName, type EsEntry, type EsInfo } from './common.js';

const CLUSTER_MANAGED: ReadonlySet<Origin> = new Set(['cluster-operator', 'cluster-helm', 'cluster-service']);

const AUTHORITY_TEXT: Record<string, string> = {
  'cluster-operator': 'CNPG / the operator',
  'cluster-helm': 'Helm (lookup + randAlphaNum)',
  'cluster-service': 'Keycloak (client-patcher)',
};

interface Classified {
  origin: Origin;
  cls: CredentialClass;
}

/** Class of one fetched entry: its remote key (+ secretKey) first, the target Secret's name when the key says nothing. */
function classify(classifier: OriginClassifier, es: EsInfo, entry: EsEntry): Classified {
  const file = es.resource.file;
  const keys = entry.read.secretKey ? [entry.read.secretKey] : [];
  const name = entry.remoteKey ?? entry.read.remoteKey;
  const byKey = { origin: classifier.classify({ name, keys, kind: 'ExternalSecret', file }), cls: credentialClass(name, keys) };
  if (byKey.cls !== 'generic' || !es.targetName) return byKey;
  return { origin: classifier.classify({ name: es.targetName, keys, kind: 'Secret', file }), cls: credentialClass(es.targetName, keys) };
}

/** Does the entry carry secret material (a password, client secret, DSN), not just a user name or client id? */
function isSecretBearing(entry: EsEntry): boolean {
  const names = [entry.remoteKey ?? entry.read.remoteKey, entry.read.secretKey].filter((n): n is string => !!n);
  return names.some((n) => isCredentialName(n) || (isDatabaseName(n) && words(n).some((w) => ['url', 'uri', 'dsn', 'connection', 'conn', 'jdbc'].includes(w))));
}

function isClusterManaged(c: Classified): boolean {
  return CLUSTER_MANAGED.has(c.origin) && c.cls !== 'tls';
}

function replacementFor(context: RuleContext, origin: Origin, target: { name: string; namespace?: string; keys: string[] }): Replacement {
  return authorityReplacement(context.project, origin, target);
}

/** Values lists of Azure Key Vault secret names: azure.keyVault.requiredSecrets, keyVaultSecrets, akvSecrets ... */
function isAzureKvList(path: readonly string[]): boolean {
  const leaf = path[path.length - 1] ?? '';
  const leafWords = words(leaf);
  if (!['secrets', 'secret', 'keys', 'names'].includes(leafWords[leafWords.length - 1] ?? '')) return false;
  const all = words(path.join(' '));
  const text = path.join('.').toLowerCase();
  return /azure|akv|key-?vault|keyvault/.test(text) || (all.includes('key') && all.includes('vault'));
}

function checkValuesLists(context: RuleContext, classifier: OriginClassifier, parsed: ParsedFile<YamlFileModel>): void {
  for (const doc of parsed.model.docs) {
    walk(doc.root, ({ node, path }) => {
      if (path.length > 0 && looksLikeEmbeddedResource(node)) return false;
      if (node.t !== 'seq' || !isAzureKvList(path)) return undefined;
      for (const item of seqItems(node)) {
        const name = isScalar(item) ? (item.value === null ? undefined : String(item.value)) : getStr(item, 'name') ?? getStr(item, 'key') ?? getStr(item, 'secretName');
        if (!name || name.includes('{{') || name.includes('${')) continue;
        if (!isCredentialName(name) && !(isDatabaseName(name) && words(name).some((w) => ['url', 'uri', 'dsn', 'connection', 'conn', 'jdbc'].includes(w)))) continue;
        const origin = classifier.classify({ name, kind: 'AzureKeyVaultSecret', file: parsed.file.path });
        const cls = credentialClass(name);
        if (!isClusterManaged({ origin, cls })) continue;
        const listPath = path.join('.');
        context.report({
          file: parsed.file,
          line: item.line,
          column: item.column,
          severity: 'medium',
          message: `Azure Key Vault secret list ${listPath} names ${name}, a cluster-managed ${cls === 'database' ? 'database credential' : cls === 'oidc-client' ? 'OIDC client secret' : 'secret'} whose authority is ${AUTHORITY_TEXT[origin] ?? origin}, not Azure Key Vault`,
          location: `values:${listPath}[${name}]`,
          keys: [name],
          origin,
          remediation: `Remove ${name} from ${listPath} and from Azure Key Vault; it is generated in-cluster by ${AUTHORITY_TEXT[origin] ?? origin}.`,
        });
      }
      return false;
    });
  }
}

export const clusterManagedSecretFromAzureKv = createRule(
  {
    id: 'cluster-managed-secret-from-azure-kv',
    family: 'external',
    defaultSeverity: 'high',
    description: 'A cluster-managed secret (DB credential, Helm-generated admin password, own-IdP OIDC client secret) fetched from Azure Key Vault',
    why: 'Cluster-managed secrets must NOT be fetched from Azure Key Vault: they are generated in-cluster by CNPG, Helm or Keycloak. Azure Key Vault only ever holds a copy or a placeholder, so the fetched value drifts from the real one (invalid_client_credentials, failed logins) or overwrites the generated one.',
    allowed: 'Azure Key Vault for external / third-party secrets (API keys, registry tokens, DNS credentials, external IdP client secrets); cluster-managed secrets generated in-cluster and, for Keycloak clients, read from Vault after the client-patcher extracted them.',
    remediation: 'Delete the Azure Key Vault-backed ExternalSecret (and the key in Azure Key Vault); let the authority generate the Secret in-cluster: a CNPG managed role Secret, a Helm lookup + randAlphaNum Secret, or the Keycloak client-patcher key in Vault.',
  },
  (context) => {
    const project = context.project;
    const classifier = new OriginClassifier(context.config);
    context.each(
      externalSecrets(project),
      (es) => es.resource.file,
      (es) => {
        if (es.resource.parsed.file.isTest) return;
        const offending: { entry: EsEntry; c: Classified }[] = [];
        for (const entry of es.entries) {
          if (entry.store?.provider !== 'azurekv' || !isSecretBearing(entry)) continue;
          const c = classify(classifier, es, entry);
          if (isClusterManaged(c)) offending.push({ entry, c });
        }
        if (offending.length === 0) return;
        const first = offending[0]!;
        const origin = first.c.origin;
        const remoteKeys = [...new Set(offending.map((o) => o.entry.remoteKey ?? o.entry.read.remoteKey))];
        const stores = [...new Set(offending.map((o) => o.entry.storeName!))];
        const target = es.targetName ?? es.resource.name;
        const kinds = [...new Set(offending.map((o) => (o.c.cls === 'database' ? 'database credential' : o.c.cls === 'oidc-client' ? 'OIDC client secret' : o.c.cls === 'admin' ? 'admin password' : 'cluster-managed secret')))];
        context.report({
          file: es.resource.parsed.file,
          line: es.resource.line,
          endLine: Math.max(es.resource.line, ...offending.map((o) => o.entry.read.line)),
          message: `${es.resource.kind} ${es.resource.name} fetches ${kinds.join(' and ')} ${remoteKeys.join(', ')} into Secret ${target} from Azure Key Vault store ${stores.join(', ')}; its authority is ${AUTHORITY_TEXT[origin] ?? origin}`,
          location: resourceLocation(es.resource, `azurekv:${[...remoteKeys].sort().join(',')}`),
          keys: offending.map((o) => o.entry.read.secretKey ?? o.entry.read.remoteKey),
          origin,
          resource: resourceRef(es.resource),
          replacement: replacementFor(context, origin, { name: target, namespace: es.namespace, keys: offending.map((o) => o.entry.read.secretKey).filter((k): k is string => !!k) }),
        });
      },
    );
    context.each(
      project.valuesFiles,
      (f) => f.file.path,
      (parsed) => {
        if (parsed.file.isTest) return;
        checkValuesLists(context, classifier, parsed);
      },
    );
  },
);
