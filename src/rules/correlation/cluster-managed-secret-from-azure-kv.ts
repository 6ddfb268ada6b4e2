import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { credentialClass, isCredentialName, isDatabaseName, words, type CredentialClass } from '../../k8s/vocabulary.js';
import type { Origin, Replacement } from '../../types.js';
import { get, getStr, isMap, isScalar, seqItems, walk } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { authorityReplacement, operatorWrittenSecretReplacement } from '../snippets.js';
import type { RuleContext } from '../types.js';
import { externalSecrets, looksLikeEmbeddedResource, roleFromSecretName, sameNamespace, type EsEntry, type EsInfo } from './common.js';
import { cnpgSecretUses, isCnpgCluster } from '../../k8s/eso.js';
import { operatorWriterOf, type OperatorSecret } from '../../k8s/operator-secrets.js';
import { groupBy } from '../../util/group.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import type { ResolvedConfig } from '../../config/types.js';

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

/**
 * Does the entry carry secret material (a password, client secret, DSN), not just a user name or client id? A whole
 * remote secret (`dataFrom.extract`) does when it, or the Secret it fills, is named like a credential or a database login.
 */
export function isSecretBearing(entry: EsEntry, targetName?: string): boolean {
  const names = [entry.remoteKey ?? entry.read.remoteKey, entry.read.secretKey].filter((n): n is string => !!n);
  if (names.some((n) => isCredentialName(n) || (isDatabaseName(n) && words(n).some((w) => ['url', 'uri', 'dsn', 'connection', 'conn', 'jdbc'].includes(w))))) return true;
  if (!entry.bulk) return false;
  return [...names, targetName].some((n) => n !== undefined && (isDatabaseName(n) || credentialClass(n) !== 'generic' || /(^|[-_])(credentials?|creds|auth|superuser)$/i.test(n)));
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

interface Judge {
  /** The Azure Key Vault reads of an ExternalSecret that fetch a cluster-managed secret (what this rule reports). */
  offendingReads(es: EsInfo): { offending: { entry: EsEntry; c: Classified }[]; writer?: OperatorSecret };
  readByCnpg(secretName: string, namespace: string | undefined): boolean;
  writerOf(secretName: string, namespace: string | undefined): OperatorSecret | undefined;
  operatorClass(writer: OperatorSecret): Classified;
}

function makeJudge(project: Project, config: ResolvedConfig): Judge {
  const classifier = new OriginClassifier(config);
  // The CNPG reads of each Secret name (one pass over every use per ExternalSecret was quadratic).
  const cnpgUses = groupBy(
    project.resources.filter(isCnpgCluster).flatMap((c) => cnpgSecretUses(c).map((u) => ({ secretName: u.secretName, namespace: c.namespace }))),
    (u) => u.secretName,
  );
  const readByCnpg = (secretName: string, namespace: string | undefined) => (cnpgUses.get(secretName) ?? []).some((u) => sameNamespace(u.namespace, namespace));
  // A Secret an operator writes (PGO's <cluster>-pguser-<user>, a KafkaUser's, a RabbitmqCluster's default user) is
  // the operator's, whatever its name says; TLS material is cert-manager's, and not this rule's concern. A Secret a
  // CNPG Cluster reads is judged as such first (its replacement is a managed role).
  const writerOf = (secretName: string, namespace: string | undefined): OperatorSecret | undefined => {
    const writer = operatorWriterOf(project, secretName, namespace);
    return writer && writer.type !== 'kubernetes.io/tls' ? writer : undefined;
  };
  const operatorClass = (writer: OperatorSecret): Classified => ({ origin: 'cluster-operator', cls: writer.engine ? 'database' : 'generic' });
  const offendingReads = (es: EsInfo) => {
    const offending: { entry: EsEntry; c: Classified }[] = [];
    // A Secret a CNPG Cluster reads (bootstrap owner, managed role, superuser) in the same namespace is operator-owned.
    const cnpgTarget = es.targetName !== undefined && readByCnpg(es.targetName, es.namespace);
    const writer = es.targetName !== undefined && !cnpgTarget ? writerOf(es.targetName, es.namespace) : undefined;
    for (const entry of es.entries) {
      if (entry.store?.provider !== 'azurekv' || !(cnpgTarget || writer || isSecretBearing(entry, es.targetName))) continue;
      const c: Classified = cnpgTarget ? { origin: 'cluster-operator', cls: 'database' } : writer ? operatorClass(writer) : classify(classifier, es, entry);
      if (isClusterManaged(c)) offending.push({ entry, c });
    }
    return { offending, ...(writer ? { writer } : {}) };
  };
  return { offendingReads, readByCnpg, writerOf, operatorClass };
}

/** The judge of this rule, made once per project (legacy-secret-store-reference leaves what it reports to it). */
export function clusterManagedJudge(project: Project, config: ResolvedConfig): Judge {
  return memoFor(project, 'cluster-managed-akv:judge', '', () => makeJudge(project, config));
}

export const clusterManagedSecretFromAzureKv = createRule(
  {
    id: 'cluster-managed-secret-from-azure-kv',
    family: 'external',
    defaultSeverity: 'high',
    description: 'A cluster-managed secret (DB credential, Helm-generated admin password, own-IdP OIDC client secret) fetched from Azure Key Vault',
    why: 'Cluster-managed secrets must NOT be fetched from Azure Key Vault: they are generated in-cluster by CNPG, Helm or Keycloak. Azure Key Vault only ever holds a copy or a placeholder, so the fetched value drifts from the real one (invalid_client_credentials, failed logins) or overwrites the generated one.',
    allowed: 'Azure Key Vault for external / third-party secrets (API keys, registry tokens, DNS credentials, external IdP client secrets); cluster-managed secrets generated in-cluster and, for Keycloak clients, read from Vault after the client-patcher extracted them.',
    remediation: 'Delete the Azure Key Vault-backed ExternalSecret (and the key in Azure Key Vault); let the authority generate the Secret in-cluster: a CNPG managed role Secret, the Secret its operator writes (Crunchy PGO, Strimzi, RabbitMQ, ...), a Helm lookup + randAlphaNum Secret, or the Keycloak client-patcher key in Vault.',
  },
  (context) => {
    const project = context.project;
    const classifier = new OriginClassifier(context.config);
    const { offendingReads, readByCnpg, writerOf, operatorClass } = clusterManagedJudge(project, context.config);
    context.each(
      externalSecrets(project),
      (es) => es.resource.file,
      (es) => {
        if (es.resource.parsed.file.isTest) return;
        const { offending, writer } = offendingReads(es);
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
          message: `${es.resource.kind} ${es.resource.name} fetches ${kinds.join(' and ')} ${remoteKeys.join(', ')} into Secret ${target} from Azure Key Vault store ${stores.join(', ')}; its authority is ${writer?.producer ?? AUTHORITY_TEXT[origin] ?? origin}`,
          location: resourceLocation(es.resource, `azurekv:${[...remoteKeys].sort().join(',')}`),
          keys: offending.map((o) => o.entry.read.secretKey ?? o.entry.read.remoteKey),
          origin,
          resource: resourceRef(es.resource),
          replacement: writer
            ? operatorWrittenSecretReplacement({ secretName: target, producer: writer.producer, keys: writer.keys })
            : replacementFor(context, origin, { name: target, namespace: es.namespace, keys: offending.map((o) => o.entry.read.secretKey).filter((k): k is string => !!k) }),
        });
      },
    );
    // Secrets Store CSI driver, Azure provider: a SecretProviderClass mounts Key Vault objects (and may sync them into
    // Secrets through secretObjects). The object names say what is fetched; the synced Secret names say what it feeds.
    context.each(
      project.resourcesOfKind('SecretProviderClass').filter((r) => getStr(r.node, 'spec.provider') === 'azure' && !r.parsed.file.isTest),
      (r) => r.file,
      (spc) => {
        const objectsText = getStr(spc.node, 'spec.parameters.objects') ?? '';
        const objects = [...objectsText.matchAll(/objectName:\s*["']?([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);
        const syncedBy = new Map<string, string>();
        for (const so of seqItems(get(spc.node, 'spec.secretObjects'))) {
          const secretName = getStr(so, 'secretName');
          for (const d of seqItems(get(so, 'data'))) {
            const objectName = getStr(d, 'objectName');
            if (secretName && objectName) syncedBy.set(objectName, secretName);
          }
        }
        const offending: { object: string; c: Classified; target?: string; writer?: OperatorSecret }[] = [];
        for (const object of [...new Set([...objects, ...syncedBy.keys()])]) {
          const target = syncedBy.get(object);
          const cnpgTarget = target !== undefined && readByCnpg(target, spc.namespace);
          const writer = target !== undefined && !cnpgTarget ? writerOf(target, spc.namespace) : undefined;
          const bearing = isCredentialName(object) || isDatabaseName(object) || credentialClass(object) !== 'generic';
          if (!cnpgTarget && !writer && !bearing) continue;
          let c: Classified = { origin: classifier.classify({ name: object, kind: 'AzureKeyVaultSecret', file: spc.file }), cls: credentialClass(object) };
          if (cnpgTarget) c = { origin: 'cluster-operator', cls: 'database' };
          else if (writer) c = operatorClass(writer);
          else if (c.cls === 'generic' && target) c = { origin: classifier.classify({ name: target, keys: [object], kind: 'Secret', file: spc.file }), cls: credentialClass(target, [object]) };
          if (isClusterManaged(c)) offending.push({ object, c, ...(target ? { target } : {}), ...(writer ? { writer } : {}) });
        }
        if (offending.length === 0) return;
        const origin = offending[0]!.c.origin;
        const writer = offending.find((o) => o.writer)?.writer;
        const names = offending.map((o) => o.object);
        const targets = [...new Set(offending.map((o) => o.target).filter((t): t is string => !!t))];
        const kinds = [...new Set(offending.map((o) => (o.c.cls === 'database' ? 'database credential' : o.c.cls === 'oidc-client' ? 'OIDC client secret' : o.c.cls === 'admin' ? 'admin password' : 'cluster-managed secret')))];
        context.report({
          file: spc.parsed.file,
          line: spc.line,
          message: `SecretProviderClass ${spc.name} mounts ${kinds.join(' and ')} ${names.join(', ')} from Azure Key Vault${targets.length ? ` (synced into Secret ${targets.join(', ')})` : ''}; its authority is ${writer ? writer.producer : (AUTHORITY_TEXT[origin] ?? origin)}`,
          location: resourceLocation(spc, `azurekv:${[...names].sort().join(',')}`),
          keys: names,
          origin,
          resource: resourceRef(spc),
          replacement: writer ? operatorWrittenSecretReplacement({ secretName: writer.name, producer: writer.producer, keys: writer.keys }) : replacementFor(context, origin, { name: targets[0] ?? spc.name, namespace: spc.namespace, keys: names }),
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
