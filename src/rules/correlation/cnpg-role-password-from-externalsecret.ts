import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { cnpgSecretUses, isCnpgCluster } from '../../k8s/eso.js';
import { providerLabel } from '../../k8s/stores.js';
import type { K8sResource } from '../../k8s/resources.js';
import { getStr, isMap, isSeq, seqItems, walk, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { cnpgManagedRoleReplacement } from '../snippets.js';
import { externalSecrets, looksLikeEmbeddedResource, resolveScalar, roleFromSecretName, sameNamespace, type EsInfo } from './common.js';

interface SecretUse {
  secretName: string;
  role: 'managed-role' | 'bootstrap' | 'superuser';
  roleName?: string;
  line: number;
  namespace?: string;
  clusterName?: string;
  parsed: ParsedFile<YamlFileModel>;
  resource?: K8sResource;
  location: string;
}

/**
 * managed.roles[] (or the cnpg cluster chart's cluster.roles[]) in values files that a chart renders into a CNPG
 * Cluster: any `roles` list whose items carry CNPG's passwordSecret.name.
 */
function valuesRoleUses(parsed: ParsedFile<YamlFileModel>): SecretUse[] {
  const out: SecretUse[] = [];
  for (const doc of parsed.model.docs) {
    walk(doc.root, ({ node, path }) => {
      if (path.length > 0 && looksLikeEmbeddedResource(node)) return false;
      if (!isMap(node)) return undefined;
      const roles = node.entries.find((e) => e.key === 'roles')?.value;
      // Read only by a map that holds roles (a walk asks every map of every values file).
      const clusterName = isSeq(roles) ? (getStr(node, 'cluster.name') ?? getStr(node, 'clusterName')) : undefined;
      for (const role of seqItems(roles)) {
        const nameNode = getNode(role, ['passwordSecret', 'name']);
        const secretName = nameNode && nameNode.t === 'scalar' && nameNode.value !== null ? String(nameNode.value) : undefined;
        if (!secretName || secretName.includes('{{')) continue;
        const roleName = getStr(role, 'name');
        out.push({
          secretName,
          role: 'managed-role',
          roleName,
          line: nameNode!.line,
          clusterName,
          parsed,
          location: `values:${[...path, 'roles'].join('.')}[${roleName ?? secretName}].passwordSecret`,
        });
      }
      return undefined;
    });
  }
  return out;
}

function getNode(node: PNode | null | undefined, keys: string[]): PNode | null | undefined {
  let current = node;
  for (const key of keys) {
    if (!isMap(current)) return undefined;
    current = current.entries.find((e) => e.key === key)?.value;
  }
  return current;
}

export const cnpgRolePasswordFromExternalSecret = createRule(
  {
    id: 'cnpg-role-password-from-externalsecret',
    family: 'db',
    defaultSeverity: 'high',
    description: "A CNPG Cluster's managed-role, bootstrap or superuser password Secret is filled by an ExternalSecret",
    why: 'CNPG reconciles the Postgres role to whatever the Secret holds. When an ExternalSecret writes that Secret, an external store (Vault, Azure Key Vault, 1Password, AWS Secrets Manager / Parameter Store, Google Secret Manager, Doppler, Bitwarden, Infisical ...) drives the database password: "Not: Vault -> ExternalSecret -> Kubernetes Secret -> CNPG / Postgres". Rotations in the store silently change production passwords and the operator is no longer the authority.',
    allowed: 'passwordSecret / bootstrap secret pointing at a Secret generated in-cluster: a Helm template with lookup + randAlphaNum, an ESO Password generator, or a Secret no ExternalSecret writes.',
    remediation: 'Generate the role Secret in-cluster (Helm lookup + randAlphaNum, or an ESO Password generator), keep the same Secret name in managed.roles[].passwordSecret, and delete the ExternalSecret that writes it and the copy in its store (Vault, 1Password, AWS Secrets Manager ...); mirror the generated Secret to Vault with a PushSecret Replace if a copy is needed.',
  },
  (context) => {
    const project = context.project;
    // Secret name -> ExternalSecrets writing it (store-fed ones only: generator-only ExternalSecrets are allowed).
    const writers = new Map<string, EsInfo[]>();
    for (const es of externalSecrets(project)) {
      if (!es.targetName || es.targetName.includes('{{')) continue;
      if (es.entries.length === 0) continue;
      const list = writers.get(es.targetName) ?? [];
      list.push(es);
      writers.set(es.targetName, list);
    }
    if (writers.size === 0) return;

    const uses: SecretUse[] = [];
    for (const resource of project.resources) {
      if (!isCnpgCluster(resource)) continue;
      for (const use of cnpgSecretUses(resource)) {
        const secretName = resolveScalar(project, resource, use.secretName);
        if (!secretName || secretName.includes('{{')) continue;
        const inner = use.role === 'managed-role' ? `managed.roles[${use.roleName ?? secretName}].passwordSecret` : use.role === 'superuser' ? 'superuserSecret' : 'bootstrap.secret';
        uses.push({ ...use, secretName, namespace: resource.namespace, clusterName: resource.name, parsed: resource.parsed, resource, location: resourceLocation(resource, inner) });
      }
    }
    for (const parsed of project.valuesFiles) uses.push(...valuesRoleUses(parsed));

    context.each(
      uses,
      (u) => u.parsed.file.path,
      (use) => {
        if (use.parsed.file.isTest) return;
        const candidates = (writers.get(use.secretName) ?? []).filter((es) => sameNamespace(use.namespace, es.namespace));
        if (candidates.length === 0) return;
        const es = candidates[0]!;
        const stores = [...new Set(es.entries.map((e) => (e.storeName ? `${e.storeName}${e.store ? ` (${providerLabel(e.store)})` : ''}` : '(unnamed store)')))];
        const providers = [...new Set(es.entries.map((e) => (e.store ? providerLabel(e.store) : undefined)))];
        const driver = providers.length === 1 && providers[0] ? providers[0] : 'the external store';
        const what = use.role === 'managed-role' ? `role ${use.roleName ?? '(unnamed)'} reads its password` : use.role === 'superuser' ? 'reads its superuser password' : 'bootstraps its owner';
        const where = use.resource ? `CNPG Cluster ${use.clusterName}` : `CNPG managed roles in values${use.clusterName ? ` (cluster ${use.clusterName})` : ''}:`;
        const others = candidates.length > 1 ? ` and ${candidates.length - 1} more` : '';
        const roleName = use.roleName ?? roleFromSecretName(use.secretName);
        context.report({
          file: use.parsed.file,
          line: use.line,
          message: `${where} ${what} from Secret ${use.secretName}, which ${es.resource.kind} ${es.resource.name} (${es.resource.file})${others} fills from store ${stores.join(', ')}: ${driver} drives the database password`,
          location: use.location,
          keys: [use.secretName],
          origin: 'cluster-operator',
          resource: use.resource ? resourceRef(use.resource) : undefined,
          replacement: cnpgManagedRoleReplacement({ secretName: use.secretName, role: roleName, cluster: use.clusterName }),
          remediation: `Generate ${use.secretName} in-cluster (Helm lookup + randAlphaNum or an ESO Password generator) and delete ${es.resource.kind} ${es.resource.name} in ${es.resource.file} and its ${driver === 'the external store' ? 'store' : driver} copy; the CNPG role keeps reading the same Secret name.`,
        });
      },
    );
  },
);
