import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import type { K8sResource } from '../../k8s/resources.js';
import { isLiteralSecretValue } from '../../k8s/vocabulary.js';
import type { Origin, Replacement } from '../../types.js';
import { get, getStr, isMap, isScalar, seqItems, str, type PNode } from '../../yaml/model.js';
import { parseYaml } from '../../yaml/parse.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from './common.js';

/** A credential a Keycloak realm representation commits. */
export interface RealmCredential {
  kind: 'client-secret' | 'user-password' | 'identity-provider-secret' | 'smtp-password';
  /** clientId, username or identity provider alias. */
  owner: string;
  /** Where in the realm: `clients/shop-web/secret`. */
  path: string;
  value: string;
  line: number;
  column: number;
}

/** A realm representation: `{ "realm": "shop", "clients": [...], "users": [...] }` (a realm export, an import CR's spec.realm). */
export function isRealm(node: PNode | null | undefined): boolean {
  if (!isMap(node) || str(get(node, 'realm')) === undefined) return false;
  return node.entries.some((e) => (e.key === 'clients' || e.key === 'users' || e.key === 'identityProviders') && e.value?.t === 'seq');
}

/** Literal values only: `${CLIENT_SECRET}` placeholders and the `**********` Keycloak writes in exports are not. */
function literal(node: PNode | null | undefined): string | undefined {
  const value = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  return value !== undefined && isLiteralSecretValue(value) && !/^\*+$/.test(value.trim()) ? value : undefined;
}

/** Client secrets, user passwords, identity-provider client secrets and the SMTP password a realm commits. */
export function realmCredentials(realm: PNode): RealmCredential[] {
  const out: RealmCredential[] = [];
  const push = (kind: RealmCredential['kind'], owner: string, path: string, node: PNode | null | undefined) => {
    const value = literal(node);
    if (value !== undefined && node) out.push({ kind, owner, path, value, line: node.line, column: node.column });
  };
  for (const client of seqItems(get(realm, 'clients'))) {
    // A public client has no secret Keycloak would check.
    const publicClient = get(client, 'publicClient');
    if (isScalar(publicClient) && publicClient.value === true) continue;
    const id = getStr(client, 'clientId') ?? '?';
    push('client-secret', id, `clients/${id}/secret`, get(client, 'secret'));
  }
  for (const user of seqItems(get(realm, 'users'))) {
    const name = getStr(user, 'username') ?? '?';
    seqItems(get(user, 'credentials')).forEach((credential, index) => {
      const type = getStr(credential, 'type');
      if (type === undefined || type === 'password') push('user-password', name, `users/${name}/credentials/${index}`, get(credential, 'value'));
    });
  }
  for (const provider of seqItems(get(realm, 'identityProviders'))) {
    const alias = getStr(provider, 'alias') ?? '?';
    push('identity-provider-secret', alias, `identityProviders/${alias}/clientSecret`, get(provider, 'config.clientSecret'));
  }
  push('smtp-password', 'smtp', 'smtpServer/password', get(realm, 'smtpServer.password'));
  return out;
}

const ADMIN_USER = /(^|[-_.])(admin|root|master|superuser)([-_.]|$)/i;

function originOf(credential: RealmCredential): Origin {
  switch (credential.kind) {
    case 'client-secret':
      // The realm's own clients: Keycloak generates their secrets (the client-patcher copies them to Vault).
      return 'cluster-service';
    case 'user-password':
      // Personas in a realm import are test fixtures; an admin account is the chart's to generate.
      return ADMIN_USER.test(credential.owner) ? 'cluster-helm' : 'test';
    default:
      // An upstream identity provider's client secret and the mail relay's password are issued outside the cluster.
      return 'external';
  }
}

/** `shop-web` + client-secret -> SHOP_WEB_CLIENT_SECRET. */
function placeholderName(credential: RealmCredential): string {
  const suffix = { 'client-secret': 'CLIENT_SECRET', 'user-password': 'PASSWORD', 'identity-provider-secret': 'IDP_CLIENT_SECRET', 'smtp-password': 'PASSWORD' }[credential.kind];
  const base = credential.owner.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `${base ? `${base}_` : ''}${suffix}`;
}

const KIND_LABEL: Record<RealmCredential['kind'], string> = {
  'client-secret': 'client secret',
  'user-password': 'user password',
  'identity-provider-secret': 'identity provider client secret',
  'smtp-password': 'SMTP password',
};

function field(credential: RealmCredential): string {
  return { 'client-secret': 'secret', 'user-password': 'value', 'identity-provider-secret': 'clientSecret', 'smtp-password': 'password' }[credential.kind];
}

/** The placeholder and where it resolves from: the import CR's `placeholders`, or the environment of `--import-realm`. */
function replacementFor(credential: RealmCredential, realmName: string, viaOperator: boolean): Replacement {
  const name = placeholderName(credential);
  const secretName = `${realmName}-${credential.owner}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const key = credential.kind === 'client-secret' || credential.kind === 'identity-provider-secret' ? 'client-secret' : 'password';
  const writer = {
    'client-secret': 'the client-patcher copies what Keycloak generated',
    'user-password': 'generated in the cluster; personas belong in a dev-only seeding job',
    'identity-provider-secret': 'an ExternalSecret from the store',
    'smtp-password': 'an ExternalSecret from the store',
  }[credential.kind];
  const source = [`        name: ${secretName}  # ${writer}`, `        key: ${key}`];
  if (viaOperator) {
    return {
      language: 'yaml',
      title: `Resolve ${credential.path} from Secret ${secretName} at import`,
      snippet: ['spec:', '  placeholders:', `    ${name}:`, '      secret:', ...source, '  realm:', `    # ${credential.path}`, `    ${field(credential)}: \${${name}}`, ''].join('\n'),
    };
  }
  return {
    language: 'yaml',
    title: `Resolve ${credential.path} from the environment of the Keycloak import`,
    snippet: [
      `# In the realm file: "${field(credential)}": "\${${name}}" (Keycloak resolves \${ENV} placeholders on import)`,
      '# In the Keycloak container:',
      'env:',
      `  - name: ${name}`,
      '    valueFrom:',
      '      secretKeyRef:',
      ...source,
      '',
    ].join('\n'),
  };
}

const REALM_JSON_HINT = /"realm"\s*:/;

/** A ConfigMap value holding a realm export (`realm.json: |`), parsed with line numbers relative to the manifest. */
export function realmInText(text: string, firstLine: number): PNode | undefined {
  if (!REALM_JSON_HINT.test(text) || !/^\s*\{/.test(text)) return undefined;
  const parsed = parseYaml(text);
  const root = parsed.docs[0]?.root;
  if (!isRealm(root)) return undefined;
  return shiftLines(root!, firstLine - 1);
}

function shiftLines(node: PNode, by: number): PNode {
  if (by === 0) return node;
  const moved = { ...node, line: node.line + by, endLine: node.endLine + by } as PNode;
  if (moved.t === 'map') moved.entries = moved.entries.map((e) => ({ ...e, line: e.line + by, value: e.value ? shiftLines(e.value, by) : e.value }));
  else if (moved.t === 'seq') moved.items = moved.items.map((item) => (item ? shiftLines(item, by) : item));
  return moved;
}

interface RealmSite {
  file: ParsedFile<YamlFileModel>;
  realm: PNode;
  location: string;
  resource?: K8sResource;
  viaOperator: boolean;
}

export const realmImportInlineSecret = createRule(
  {
    id: 'realm-import-inline-secret',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A Keycloak realm import or export commits a client secret, a user password or an identity provider secret',
    why:
      'OIDC client secrets are the service\'s: Keycloak generates them and the client-patcher copies them to Vault. A realm file with a ' +
      'literal `"secret"` makes git the authority instead, every environment shares it, and nothing rotates it; persona passwords in a ' +
      'realm import leak test accounts into every environment the realm reaches.',
    allowed:
      '`${PLACEHOLDER}` values resolved at import (KeycloakRealmImport `spec.placeholders` from Secrets, or environment variables), ' +
      'the `**********` Keycloak writes in exports, public clients, hashed credentials.',
    remediation:
      'Replace each literal with a `${PLACEHOLDER}` resolved from a Secret its authority writes (the client-patcher or an ExternalSecret), ' +
      'rotate the exposed values, and seed persona users from a dev-only job instead of the realm import.',
  },
  (context) => {
    const { project } = context;
    const sites: RealmSite[] = [];
    for (const resource of project.resourcesOfKind('KeycloakRealmImport', 'KeycloakRealm')) {
      if (resource.parsed.file.isTest) continue;
      const realm = get(resource.node, 'spec.realm');
      if (isMap(realm)) sites.push({ file: resource.parsed, realm, location: resourceLocation(resource), resource, viaOperator: resource.kind === 'KeycloakRealmImport' });
    }
    for (const resource of project.resourcesOfKind('ConfigMap')) {
      if (resource.parsed.file.isTest) continue;
      const data = get(resource.node, 'data');
      if (!isMap(data)) continue;
      for (const e of data.entries) {
        if (!isScalar(e.value) || typeof e.value.value !== 'string') continue;
        const realm = realmInText(e.value.value, e.value.style === 'block' ? e.line + 1 : e.line);
        if (realm) sites.push({ file: resource.parsed, realm, location: resourceLocation(resource, e.key), resource, viaOperator: false });
      }
    }
    // Realm exports committed as files (`realm-export.json`, `keycloak/shop-realm.json`) for `--import-realm`.
    for (const file of project.yamlFiles) {
      if (file.file.isTest || file.model.role !== 'manifest') continue;
      for (const doc of file.model.docs) {
        if (isRealm(doc.root)) sites.push({ file, realm: doc.root!, location: `${file.file.path}#doc${doc.index}`, viaOperator: false });
      }
    }
    context.each(
      sites,
      (s) => s.file.file.path,
      (site) => {
        const realmName = str(get(site.realm, 'realm')) ?? 'realm';
        for (const credential of realmCredentials(site.realm)) {
          context.report({
            file: site.file.file,
            line: credential.line,
            column: credential.column,
            message: `Keycloak realm ${realmName} commits a literal ${KIND_LABEL[credential.kind]} (${credential.path})`,
            location: `${site.location}#realm:${realmName}/${credential.path}`,
            value: credential.value,
            keys: [credential.path],
            origin: originOf(credential),
            ...(site.resource ? { resource: resourceRef(site.resource) } : {}),
            replacement: replacementFor(credential, realmName, site.viaOperator),
          });
        }
      },
    );
  },
);
