import type { Project } from '../scan/project.js';
import { memoFor } from '../scan/project-index.js';
import { esSpec } from '../k8s/eso.js';
import { credentialClass, namesInMemoryStore, nonPostgresEngine, type NonPostgresEngine } from '../k8s/vocabulary.js';
import { get, getStr } from '../yaml/model.js';
import type { Origin, Replacement } from '../types.js';

/** The repo's own Vault store for replacement snippets: the first store whose provider is vault, else a generic name. */
export function preferredVaultStore(project: Project): { name: string; kind: string } {
  // Once per project: every replacement snippet asks, and a tree without a Vault store had every store searched each time.
  const store = memoFor(project, 'snippets:vault-store', '', () => {
    const vault = project.stores.all.find((s) => s.provider === 'vault' && s.via === 'definition');
    return vault ? { name: vault.name, kind: vault.kind } : (mostReferencedVaultStore(project) ?? { name: 'vault-backend', kind: 'ClusterSecretStore' });
  });
  return { ...store };
}

/**
 * The Vault store the tree's ExternalSecrets point at most (`secretStoreRef: {name: vault-backend, kind: SecretStore}`),
 * as they spell it, when the store itself is defined outside the tree.
 */
function mostReferencedVaultStore(project: Project): { name: string; kind: string } | undefined {
  const counts = new Map<string, { name: string; kind: string; count: number }>();
  for (const resource of project.resourcesOfKind('ExternalSecret', 'ClusterExternalSecret')) {
    const ref = get(esSpec(resource), 'secretStoreRef');
    const name = getStr(ref, 'name');
    if (!name || name.includes('{{') || project.stores.resolve(name)?.provider !== 'vault') continue;
    const kind = getStr(ref, 'kind') ?? 'SecretStore';
    const key = `${kind}/${name}`;
    const seen = counts.get(key) ?? { name, kind, count: 0 };
    seen.count++;
    counts.set(key, seen);
  }
  let best: { name: string; kind: string; count: number } | undefined;
  for (const c of counts.values()) if (!best || c.count > best.count) best = c;
  return best && { name: best.name, kind: best.kind };
}

export function yamlKey(key: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(key) && !/^(true|false|yes|no|null|on|off|~|\d.*)$/i.test(key) ? key : JSON.stringify(key);
}

/** An ExternalSecret's lines up to its `secretStoreRef`, reading from the tree's Vault store. */
export function externalSecretHead(project: Project, name: string, namespace?: string): string[] {
  const store = preferredVaultStore(project);
  return [
    'apiVersion: external-secrets.io/v1',
    'kind: ExternalSecret',
    'metadata:',
    `  name: ${yamlKey(name)}`,
    ...(namespace ? [`  namespace: ${yamlKey(namespace)}`] : []),
    'spec:',
    '  refreshInterval: 1h',
    '  secretStoreRef:',
    `    kind: ${store.kind}`,
    `    name: ${yamlKey(store.name)}`,
  ];
}

/** An ExternalSecret with the same target name, namespace and keys, reading `<prefix>/<key>` from the Vault store. */
export function externalSecretReplacement(
  project: Project,
  target: { name: string; namespace?: string; keys: string[] },
  remotePrefix?: string,
  creationPolicy: 'Owner' | 'Merge' = 'Owner',
): Replacement {
  const prefix = remotePrefix ?? target.name;
  const lines = [
    ...externalSecretHead(project, target.name, target.namespace),
    '  target:',
    `    name: ${yamlKey(target.name)}`,
    `    creationPolicy: ${creationPolicy}`,
  ];
  // Keys the template names itself (`{{ $k }}`, a whole map from `toYaml`/`.Files.Glob`) are whatever the remote entry
  // holds: extract it whole.
  const named = target.keys.filter((key) => !key.includes('{{'));
  const wholeMap = named.length < target.keys.length;
  if (named.length > 0 || !wholeMap) {
    lines.push(
      '  data:',
      ...(named.length ? named : ['value']).flatMap((key) => [
        `    - secretKey: ${yamlKey(key)}`,
        '      remoteRef:',
        `        key: ${yamlKey(`${prefix}-${key}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-'))}`,
        '        property: value',
      ]),
    );
  }
  if (wholeMap) lines.push('  dataFrom:', '    - extract:', `        key: ${yamlKey(prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-'))}`);
  return { language: 'yaml', title: `ExternalSecret that materialises ${target.name} from ${preferredVaultStore(project).name}`, snippet: `${lines.join('\n')}\n` };
}

/** A chart-owned Secret generated once by Helm and kept across upgrades (lookup + randAlphaNum). */
export function helmGeneratedSecretReplacement(target: { name: string; namespace?: string; keys: string[] }): Replacement {
  // Keys a template names itself (`{{ $key }}` over a values map) are no fixed key a generator could fill.
  const named = target.keys.filter((key) => !key.includes('{{'));
  const keys = named.length ? named : ['password'];
  const lines = [
    ...(named.length < target.keys.length ? ['# The keys a values map named ({{ $key }}) come from their own authority, not from values.'] : []),
    `{{- $existing := lookup "v1" "Secret" .Release.Namespace ${JSON.stringify(target.name)} -}}`,
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${yamlKey(target.name)}`,
    '  annotations:',
    '    helm.sh/resource-policy: keep',
    'type: Opaque',
    'data:',
    ...keys.map((key) => `  ${yamlKey(key)}: {{ $existing | dig "data" ${JSON.stringify(key)} (randAlphaNum 32 | b64enc) }}`),
  ];
  return { language: 'yaml', title: `Helm-generated ${target.name}: random on first install, preserved on upgrade`, snippet: `${lines.join('\n')}\n` };
}

/** CNPG owns the role: managed role pointing at a cluster-generated Secret. */
export function cnpgManagedRoleReplacement(target: { secretName: string; role: string; cluster?: string }): Replacement {
  const lines = [
    '# In the CNPG Cluster spec: the operator reconciles the role from the Secret.',
    'spec:',
    '  managed:',
    '    roles:',
    `      - name: ${yamlKey(target.role)}`,
    '        ensure: present',
    '        login: true',
    '        passwordSecret:',
    `          name: ${yamlKey(target.secretName)}`,
    '---',
    `# ${target.secretName}: generated in-cluster, never fetched from Vault or Azure Key Vault.`,
    `{{- $existing := lookup "v1" "Secret" .Release.Namespace ${JSON.stringify(target.secretName)} -}}`,
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${yamlKey(target.secretName)}`,
    '  annotations:',
    '    helm.sh/resource-policy: keep',
    'type: kubernetes.io/basic-auth',
    'data:',
    `  username: {{ ${JSON.stringify(target.role)} | b64enc }}`,
    '  password: {{ $existing | dig "data" "password" (randAlphaNum 32 | b64enc) }}',
  ];
  return { language: 'yaml', title: `CNPG-owned role ${target.role} with a Helm-generated ${target.secretName}`, snippet: `${lines.join('\n')}\n` };
}

const ENGINE_LABEL: Record<NonPostgresEngine, string> = { mysql: 'MySQL/MariaDB', mongodb: 'MongoDB', sqlserver: 'SQL Server', cockroachdb: 'CockroachDB' };

/** An in-cluster credential that no operator here authors (a MySQL root password, a Redis password): Helm generates it. */
function clusterGeneratedSecretReplacement(target: { name: string; namespace?: string; keys: string[] }, engine: NonPostgresEngine | undefined): Replacement {
  const base = helmGeneratedSecretReplacement(target);
  const reader = engine ? `the ${ENGINE_LABEL[engine]} chart or operator` : 'the chart or operator of the service';
  const preamble = `# ${target.name}: generated in the cluster and read by ${reader} (existingSecret / passwordSecret), never committed,\n# never fetched from Vault or Azure Key Vault.${engine ? ' CNPG manages PostgreSQL roles only.' : ''}\n`;
  return { ...base, snippet: `${preamble}${base.snippet}` };
}

/** The issuers the tree defines, most used first: the replacement Certificate names one of them. */
function preferredIssuer(project: Project): { name: string; kind: string } {
  return memoFor(project, 'snippets:issuer', '', () => {
    const issuers = project.resourcesOfKind('ClusterIssuer', 'Issuer').filter((r) => r.name && !r.name.includes('{{'));
    const cluster = issuers.find((r) => r.kind === 'ClusterIssuer') ?? issuers[0];
    return cluster ? { name: cluster.name, kind: cluster.kind } : { name: 'cluster-issuer', kind: 'ClusterIssuer' };
  });
}

/** TLS material is issued and renewed in the cluster: a cert-manager Certificate writes the Secret. */
export function certManagerCertificateReplacement(project: Project, target: { secretName: string; namespace?: string }): Replacement {
  const issuer = preferredIssuer(project);
  const lines = [
    `# ${target.secretName}: issued and renewed by cert-manager; delete the committed key and revoke its certificate.`,
    'apiVersion: cert-manager.io/v1',
    'kind: Certificate',
    'metadata:',
    `  name: ${yamlKey(target.secretName)}`,
    ...(target.namespace ? [`  namespace: ${yamlKey(target.namespace)}`] : []),
    'spec:',
    `  secretName: ${yamlKey(target.secretName)}`,
    '  dnsNames:',
    '    - service.example.internal  # the names the committed certificate served',
    '  issuerRef:',
    `    kind: ${issuer.kind}`,
    `    name: ${yamlKey(issuer.name)}`,
  ];
  return { language: 'yaml', title: `cert-manager Certificate that issues ${target.secretName} in the cluster`, snippet: `${lines.join('\n')}\n` };
}

export function secretKeyRefReplacement(envName: string, secretName: string, key: string): Replacement {
  return {
    language: 'yaml',
    title: `Read ${envName} from Secret ${secretName}`,
    snippet: [`- name: ${envName}`, '  valueFrom:', '    secretKeyRef:', `      name: ${yamlKey(secretName)}`, `      key: ${yamlKey(key)}`, ''].join('\n'),
  };
}

/** A PushSecret mirror with updatePolicy Replace: the Kubernetes Secret stays the source of truth, Vault the replica. */
export function pushSecretReplaceReplacement(target: {
  name: string;
  namespace?: string;
  sourceSecret: string;
  stores: { name: string; kind?: string }[];
  pushes: { secretKey?: string; remoteKey: string; property?: string }[];
}): Replacement {
  const stores = target.stores.length ? target.stores : [{ name: 'vault-backend', kind: 'ClusterSecretStore' }];
  const pushes = target.pushes.length ? target.pushes : [{ secretKey: 'password', remoteKey: `${target.sourceSecret}-password` }];
  const lines = [
    'apiVersion: external-secrets.io/v1alpha1',
    'kind: PushSecret',
    'metadata:',
    `  name: ${yamlKey(target.name)}`,
    ...(target.namespace ? [`  namespace: ${yamlKey(target.namespace)}`] : []),
    'spec:',
    '  updatePolicy: Replace  # the in-cluster Secret is the source of truth; Vault is overwritten on every sync',
    '  deletionPolicy: Delete',
    '  refreshInterval: 1h',
    '  secretStoreRefs:',
    ...stores.flatMap((s) => [`    - name: ${yamlKey(s.name)}`, `      kind: ${s.kind ?? 'ClusterSecretStore'}`]),
    '  selector:',
    '    secret:',
    `      name: ${yamlKey(target.sourceSecret)}`,
    '  data:',
    ...pushes.flatMap((p) => [
      '    - match:',
      ...(p.secretKey ? [`        secretKey: ${yamlKey(p.secretKey)}`] : []),
      '        remoteRef:',
      `          remoteKey: ${yamlKey(p.remoteKey)}`,
      ...(p.property ? [`          property: ${yamlKey(p.property)}`] : []),
    ]),
  ];
  return { language: 'yaml', title: `Mirror ${target.sourceSecret} to Vault with updatePolicy Replace`, snippet: `${lines.join('\n')}\n` };
}

/**
 * A PushSecret fed straight from a generator (selector.generatorRef): with Replace it would push a new value on every
 * refresh, so the value is first generated once into a Secret (an ExternalSecret over the generator, refreshInterval 0)
 * and that Secret is mirrored with Replace.
 */
export function pushGeneratedSecretReplacement(target: {
  name: string;
  namespace?: string;
  generator: { kind: string; name: string; apiVersion?: string };
  secretName: string;
  stores: { name: string; kind?: string }[];
  pushes: { secretKey?: string; remoteKey: string; property?: string }[];
}): Replacement {
  const namespace = target.namespace ? [`  namespace: ${yamlKey(target.namespace)}`] : [];
  const generated = [
    'apiVersion: external-secrets.io/v1',
    'kind: ExternalSecret',
    'metadata:',
    `  name: ${yamlKey(target.secretName)}`,
    ...namespace,
    'spec:',
    '  refreshInterval: "0"  # generate once; rotate by deleting the Secret',
    '  target:',
    `    name: ${yamlKey(target.secretName)}`,
    '  dataFrom:',
    '    - sourceRef:',
    '        generatorRef:',
    `          apiVersion: ${target.generator.apiVersion ?? 'generators.external-secrets.io/v1alpha1'}`,
    `          kind: ${yamlKey(target.generator.kind)}`,
    `          name: ${yamlKey(target.generator.name)}`,
  ];
  const mirror = pushSecretReplaceReplacement({ name: target.name, namespace: target.namespace, sourceSecret: target.secretName, stores: target.stores, pushes: target.pushes });
  return {
    language: 'yaml',
    title: `Generate ${target.secretName} in-cluster from ${target.generator.kind} ${target.generator.name} and mirror it with updatePolicy Replace`,
    snippet: `${generated.join('\n')}\n---\n${mirror.snippet}`,
  };
}

/**
 * A Secret an operator writes (PGO's `<cluster>-pguser-<user>`, a KafkaUser's, a RabbitmqCluster's default user):
 * nothing else may write it; workloads read the operator's Secret, and Vault holds at most a mirror of it.
 */
export function operatorWrittenSecretReplacement(target: { secretName: string; producer: string; keys: readonly string[] }): Replacement {
  const key = target.keys.includes('password') ? 'password' : (target.keys[0] ?? 'password');
  const envName = key.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const lines = [
    `# ${target.secretName}: written by ${target.producer}.`,
    '# Delete whatever else writes it (ExternalSecret, committed Secret) and its copy in Vault or Azure Key Vault;',
    '# workloads read the operator\'s Secret. To keep a copy in Vault, mirror it with a PushSecret (updatePolicy: Replace).',
    'env:',
    `  - name: ${envName}`,
    '    valueFrom:',
    '      secretKeyRef:',
    `        name: ${yamlKey(target.secretName)}`,
    `        key: ${yamlKey(key)}`,
  ];
  return { language: 'yaml', title: `Read ${target.secretName} as the operator writes it`, snippet: `${lines.join('\n')}\n` };
}

/** CNPG role name for a credential Secret: orders-db-credentials -> orders. */
export function roleFromSecretName(secretName: string): string {
  const role = secretName
    .replace(/[-_.](db|database|postgres|postgresql|pg)([-_.]?(credentials|creds|secret|secrets|auth|env|password|user|local))?$/i, '')
    .replace(/[-_.](credentials|creds|secret|secrets|auth|env|local)$/i, '')
    // A Postgres role is an identifier: no dashes or dots without quoting.
    .replace(/[-.]/g, '_');
  return role || 'app';
}

/**
 * The replacement that materialises a secret from the authority its origin class names: the CNPG-owned role for
 * database users, a Helm-generated Secret for admin passwords, and otherwise an ExternalSecret (external secrets
 * from Key Vault through Vault; service-generated client secrets that the client-patcher writes to Vault).
 */
export function authorityReplacement(
  project: Project,
  origin: Origin,
  target: { name: string; namespace?: string; keys: string[]; type?: string; engine?: string },
): Replacement {
  if (origin === 'cluster-operator') {
    const cls = target.type === 'kubernetes.io/tls' ? 'tls' : credentialClass(target.name, target.keys);
    if (cls === 'tls') return certManagerCertificateReplacement(project, { secretName: target.name, namespace: target.namespace });
    // CNPG owns PostgreSQL roles only; another engine's users (and a Redis password) come from a Secret generated in the
    // cluster that the database's chart or operator reads at start. The operator that reads the Secret names the engine.
    const hints = target.engine ? [...target.keys, target.engine] : target.keys;
    const engine = nonPostgresEngine(target.name, hints);
    if (engine || (target.engine !== 'postgres' && cls !== 'database' && namesInMemoryStore(target.name, hints))) return clusterGeneratedSecretReplacement(target, engine);
    return cnpgManagedRoleReplacement({ secretName: target.name, role: roleFromSecretName(target.name) });
  }
  if (origin === 'cluster-helm') return helmGeneratedSecretReplacement(target);
  if (origin === 'cluster-service') return serviceGeneratedSecretReplacement(project, target);
  return externalSecretReplacement(project, target);
}

/**
 * A service-generated secret (an OIDC client secret Keycloak creates): the service is the authority, its
 * client-patcher job copies the value to Vault, and the ExternalSecret only reads that copy. Never a literal, never
 * Azure Key Vault.
 */
export function serviceGeneratedSecretReplacement(project: Project, target: { name: string; namespace?: string; keys: string[] }): Replacement {
  const base = externalSecretReplacement(project, target);
  const preamble = [
    `# ${target.name}: generated by the service (Keycloak), never written by hand.`,
    '# 1. List the client under clientPatcher.secretExtraction in every environment, so the client-patcher job',
    '#    (Argo PreSync hook) copies its secret from the Keycloak Admin API to Vault.',
    '# 2. Read that copy with this ExternalSecret; remove the literal and any fixture or Azure Key Vault entry.',
  ];
  return {
    language: 'yaml',
    title: `ExternalSecret reading ${target.name} as the Keycloak client-patcher writes it to Vault`,
    snippet: `${preamble.join('\n')}\n${base.snippet}`,
  };
}

/**
 * A database role of the app's own, and the app reading its Secret: CNPG `managed.roles` with a Helm-generated
 * password Secret for PostgreSQL, a mariadb-operator User and Grant for MySQL/MariaDB, a user of its own elsewhere.
 */
export function perAppDatabaseRoleReplacement(target: { app: string; engine: string; envName?: string }): Replacement {
  const app = target.app.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'app';
  const secretName = `${app}-db-credentials`;
  const role = app.replace(/-/g, '_');
  const env = target.envName && /pass|pwd/i.test(target.envName) ? target.envName : 'DATABASE_PASSWORD';
  const consumer = ['# The app reads its own role\'s Secret; the superuser Secret stays with backup and maintenance jobs.', 'env:', `  - name: ${yamlKey(env)}`, '    valueFrom:', '      secretKeyRef:', `        name: ${yamlKey(secretName)}`, '        key: password'];
  if (target.engine === 'mysql') {
    const lines = [
      '# mariadb-operator: a user and grant of the app\'s own; the operator generates and reconciles its password.',
      'apiVersion: k8s.mariadb.com/v1alpha1',
      'kind: User',
      'metadata:',
      `  name: ${yamlKey(app)}`,
      'spec:',
      '  mariaDbRef: {name: mariadb}',
      '  passwordSecretKeyRef:',
      `    name: ${yamlKey(secretName)}`,
      '    key: password',
      '    generate: true',
      '---',
      'apiVersion: k8s.mariadb.com/v1alpha1',
      'kind: Grant',
      'metadata:',
      `  name: ${yamlKey(app)}`,
      'spec:',
      '  mariaDbRef: {name: mariadb}',
      '  privileges: ["ALL PRIVILEGES"]',
      `  database: ${yamlKey(role)}`,
      '  table: "*"',
      `  username: ${yamlKey(app)}`,
      '---',
      ...consumer,
    ];
    return { language: 'yaml', title: `A MariaDB/MySQL user of ${app}'s own`, snippet: `${lines.join('\n')}\n` };
  }
  const base = cnpgManagedRoleReplacement({ secretName, role });
  return { language: 'yaml', title: `A role of ${app}'s own: CNPG managed role with its own Secret`, snippet: `${base.snippet}---\n${consumer.join('\n')}\n` };
}
