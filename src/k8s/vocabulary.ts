/**
 * What names and values mean: is this key a credential, a reference to one, a literal, a placeholder? Shared by
 * every rule family so that "credential" means the same thing in a values file, a Dockerfile and a test.
 */

import { BoundedMemo } from '../util/memo.js';
import { PRIVATE_KEY_HEADER, privateKeyBody } from '../util/pem.js';

const MEMO_LIMIT = 100_000;
const wordsMemo = new BoundedMemo<string, readonly string[]>(MEMO_LIMIT);

/**
 * Split camelCase, snake_case, kebab-case, dotted and slashed names into lower-case words. Remembered per name:
 * rules ask about the same few thousand keys (`password`, `existingSecret`) once per node of every values tree.
 */
export function words(name: string): readonly string[] {
  return wordsMemo.get(name, splitWords);
}

function splitWords(name: string): readonly string[] {
  return Object.freeze(
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      // The plural of an acronym is one word: customCAs, URLs, serviceIDs (not `c as`, `ur ls`).
      .replace(/([A-Z]{2,})s(?![a-z])/g, (_, acronym: string) => `${acronym.toLowerCase()}s`)
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
}

const CREDENTIAL_WORDS = new Set([
  'password',
  'passwd',
  'passwords',
  'pwd',
  'pw',
  'bindpw',
  'pass',
  'secret',
  'secrets',
  'token',
  'tokens',
  'credential',
  'credentials',
  'creds',
  'apikey',
  'htpasswd',
  'passphrase',
  'pat',
  'jwt',
  'bearer',
  'dockerconfigjson',
  'dockercfg',
  'privatekey',
  'accesskey',
  'secretkey',
  'clientsecret',
  // WeChat, DingTalk and Alipay apps are configured with an `appsecret` (written as one word as often as `appSecret`).
  'appsecret',
  'dsn',
  'pgpassword',
  'secretkeybase',
  // Flux reads SOPS age identities from Secret keys named *.agekey (age.agekey, sops.agekey).
  'agekey',
]);

/** Two-word endings that name a credential although neither word does alone. */
const CREDENTIAL_PAIRS = ['erlang cookie', 'hmac key', 'api key', 'access key', 'private key', 'secret key', 'signing key', 'encryption key', 'master key', 'account key', 'auth key', 'license key', 'connection string', 'auth string', 'session key', 'account json'];
// Written as one word (`masterkey`, `signingkey`, `accountkey`), as `apikey` and `secretkey` already are.
for (const pair of CREDENTIAL_PAIRS) if (pair.endsWith(' key')) CREDENTIAL_WORDS.add(pair.replace(' ', ''));

/** A last word that makes the key a reference, a setting or metadata about a credential rather than the credential. */
const REFERENCE_LAST = new Set([
  'name',
  'names',
  'ref',
  'refs',
  'reference',
  'file',
  'files',
  'path',
  'paths',
  'dir',
  'key',
  'keys',
  'id',
  'ids',
  'enabled',
  'enable',
  'disabled',
  'length',
  'len',
  'policy',
  'policies',
  'type',
  'kind',
  'annotations',
  'labels',
  'prefix',
  'suffix',
  'env',
  'var',
  'variable',
  'field',
  'property',
  'selector',
  'template',
  'mount',
  'mountpath',
  'version',
  'ttl',
  'rotation',
  'interval',
  'hash',
  'checksum',
  'provider',
  'store',
  'format',
  'algorithm',
  'size',
  'expiry',
  'expires',
  'expiration',
  'required',
  'url',
  'uri',
  'endpoint',
  'host',
  'hosts',
  'namespace',
  'source',
  'target',
  'mode',
  'strategy',
  'method',
  'count',
  'min',
  'max',
  'regex',
  'pattern',
  'header',
  'command',
  'location',
  'lookup',
  'generator',
  'class',
  'role',
  'roles',
  'user',
  'username',
  'usernames',
  'login',
  'email',
  'scope',
  'scopes',
  'audience',
  'issuer',
  'description',
  'annotation',
  'create',
  'created',
  'volume',
  'volumes',
  'config',
]);

/** Environment names a credential's name may end with (`SMTP_PASS_QA`). */
const ENVIRONMENT_SUFFIXES = new Set(['prod', 'production', 'prd', 'staging', 'stage', 'stg', 'dev', 'development', 'qa', 'uat', 'test', 'testing', 'preprod', 'sandbox', 'local', 'live']);

/** A first word that makes the key a switch or a reference: existingSecret, useSecret, createSecret, ... */
const CHAT_SERVICES = new Set(['slack', 'discord', 'teams', 'msteams', 'mattermost', 'rocketchat', 'googlechat', 'gchat', 'webex', 'lark', 'feishu', 'dingtalk']);

const REFERENCE_FIRST = new Set(['existing', 'force', 'automount', 'num', 'number', 'use', 'enable', 'enabled', 'create', 'generate', 'auto', 'skip', 'disable', 'external', 'from', 'secret-ref', 'no', 'allow', 'require', 'ignore', 'show', 'rotate', 'reset', 'mount', 'is', 'has', 'should', 'min', 'max']);

/**
 * Names built from credential words that hold no credential: etcd's `initial-cluster-token` only keeps two clusters
 * from joining each other by accident (the etcd docs call it a unique cluster name, not a secret).
 */
const NOT_CREDENTIALS = new Set(['initialclustertoken', 'etcdinitialclustertoken']);

export interface CredentialNameOptions {
  /** Extra names (matched case-insensitively as whole names) that always hold credentials. */
  extra?: readonly string[];
}

const extraSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** `extra.some((e) => e.toLowerCase() === name.toLowerCase())`, with the lower-cased set built once per list. */
function isExtraName(name: string, extra: readonly string[] | undefined): boolean {
  if (!extra || extra.length === 0) return false;
  let set = extraSets.get(extra);
  if (!set) {
    set = new Set(extra.map((e) => e.toLowerCase()));
    extraSets.set(extra, set);
  }
  return set.has(name.toLowerCase());
}

const credentialNameMemo = new BoundedMemo<string, boolean>(MEMO_LIMIT);

/** Does this key or variable name hold a credential value (not a reference to one)? */
export function isCredentialName(name: string, options: CredentialNameOptions = {}): boolean {
  if (isExtraName(name, options.extra)) return true;
  // Remembered per name, as `words` is: every values walk asks about the same keys.
  return credentialNameMemo.get(name, builtInCredentialName);
}

/**
 * The words of a name without a trailing index: `password2` and `TOKEN_1` are the second password and the first token
 * (numbered keys, one per role or account), so they name what `password` and `TOKEN` name.
 */
function unindexedWords(name: string): readonly string[] {
  const w = words(name);
  let end = w.length;
  while (end > 1 && /^\d+$/.test(w[end - 1]!)) end--;
  const last = w[end - 1];
  const base = last?.replace(/\d+$/, '');
  if (end === w.length && base === last) return w;
  const out = w.slice(0, end);
  if (base && base !== last && (CREDENTIAL_WORDS.has(base) || base === 'key')) out[end - 1] = base;
  return out;
}

function builtInCredentialName(name: string): boolean {
  // Vault agent injector annotations name what to render (`agent-inject-secret-DB_PASSWORD: database/creds/app` is a
  // Vault path, `agent-inject-template-…` a template): none holds a credential.
  if (/^vault\.hashicorp\.com\//i.test(name)) return false;
  const w = unindexedWords(name);
  if (w.length === 0) return false;
  const joined = w.join('');
  if (CREDENTIAL_WORDS.has(joined)) return true;
  if (NOT_CREDENTIALS.has(joined)) return false;
  const last = w[w.length - 1]!;
  const lastTwo = w.slice(-2).join(' ');
  if (REFERENCE_FIRST.has(w[0]!) && w.length > 1) return false;
  // MongoDB's replica set keyfile content (`auth.replicaSetKey`) authenticates members to each other.
  if (w.slice(-3).join(' ') === 'replica set key') return true;
  const pairIndex = CREDENTIAL_PAIRS.indexOf(lastTwo);
  if (pairIndex >= 0) {
    // rootPasswordSecretKey / tokenSecretKey name the key inside a Secret, not a key material.
    // So does clientSecretKey: the key of the client secret (clientsecret is one credential word).
    if (lastTwo === 'secret key' && (w.slice(0, -2).some((x) => CREDENTIAL_WORDS.has(x)) || w[w.length - 3] === 'client')) return false;
    return true;
  }
  // A chat service's incoming webhook URL carries its token: SLACK_WEBHOOK, slackWebhookUrl, discord_webhook_url.
  if (['webhook', 'hook', 'url', 'uri'].includes(last) && w.some((x) => x === 'webhook' || x === 'hook') && w.some((x) => CHAT_SERVICES.has(x))) return true;
  // DB_PASSWORD_PROD, apiTokenStaging: one credential per environment, named like the unsuffixed one.
  if (w.length >= 2 && ENVIRONMENT_SUFFIXES.has(last)) return builtInCredentialName(w.slice(0, -1).join('_'));
  if (REFERENCE_LAST.has(last)) return false;
  // passwordSecret / adminPasswordSecret / tokenSecret name the Secret that holds the password.
  if (last === 'secret' && w.slice(0, -1).some((x) => ['password', 'passwords', 'passwd', 'pass', 'token', 'tokens', 'credentials', 'credential'].includes(x))) return false;
  if (CREDENTIAL_WORDS.has(last)) return true;
  // DB_PASSWORD_PLAIN, adminPasswordValue
  if (w.length >= 2 && CREDENTIAL_WORDS.has(w[w.length - 2]!) && ['value', 'plain', 'plaintext', 'raw', 'b64', 'base64', 'hash', 'encoded'].includes(last)) {
    return last !== 'hash';
  }
  return false;
}

/** Words before a final `key` that make it a name, an index or public material rather than a secret key. */
const NON_SECRET_KEY_QUALIFIERS = new Set(['public', 'pub', 'tls', 'cache', 'partition', 'sort', 'primary', 'foreign', 'routing', 'idempotency', 'object', 'index', 'lookup', 'hash', 'map', 'row', 'shard', 'config', 'registry', 'site']);

/**
 * A key inside a Secret's data or a secret generator: what a Secret holds is secret, so a `*_KEY` there is the key
 * itself (STRIPE_KEY, mapbox-key, key), where in values or env it may name one. TLS keys stay with the TLS rules.
 */
export function isSecretDataCredentialName(name: string, options: CredentialNameOptions = {}): boolean {
  if (isCredentialName(name, options)) return true;
  const w = unindexedWords(name);
  if (w.length === 1) {
    // One run-together word (`azurestorageaccountkey`, the Azure Files driver's Secret key; `dbpassword`, `apitoken`):
    // its ending says what it holds.
    const one = w[0]!;
    if (/(?:password|passwd|secret|token)s?$/.test(one)) return true;
    if (one.endsWith('key')) return ![...NON_SECRET_KEY_QUALIFIERS].some((q) => one.endsWith(`${q}key`));
    return false;
  }
  return w[w.length - 1] === 'key' && !NON_SECRET_KEY_QUALIFIERS.has(w[w.length - 2]!);
}

/**
 * An environment variable named SECRET_… that is not a setting about secrets (SECRET_NAME, SECRETS_DIR, SECRET_TTL):
 * SECRET_ACCESS, SECRET_SIGNING. kube-linter's env-var-secret check reads every such variable as a secret; here the
 * value must look like one too (see the workload rule).
 */
export function isSecretPrefixedEnvName(name: string): boolean {
  if (!/^SECRETS?_[A-Z0-9_]+$/.test(name)) return false;
  const w = words(name);
  return w.length > 1 && !REFERENCE_LAST.has(w[w.length - 1]!) && !['store', 'manager', 'backend', 'engine', 'provider', 'mount', 'version', 'path'].includes(w[1]!);
}

/** Names that point at a Secret instead of holding a value: existingSecret, secretName, passwordSecret.name ... */
export function isSecretReferenceName(name: string): boolean {
  const w = words(name);
  if (w.length === 0) return false;
  if (w[0] === 'existing') return true;
  return w.includes('secret') && ['name', 'ref', 'key', 'names', 'refs'].includes(w[w.length - 1]!);
}

// `$1`, `${2}`, `$@`: a script's positional parameters are arguments, not literals. `${var.db_password}`,
// `${random_password.db.result}`, `${data.x.y[0].z}`: an interpolated reference (Terraform, a JS template literal,
// Groovy) is the value of something else too.
const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?][^}]*)?\}$|^\$\{[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[^\]{}]*\])+\}$|^\$\([A-Za-z_][A-Za-z0-9_]*\)$|^\$[A-Za-z_][A-Za-z0-9_]*$|^\$(?:[0-9@*]|\{[0-9]+(:?[-=?][^}]*)?\})$/;
const TEMPLATE_MARKERS = /\{\{|\}\}|\$\{\{|<%|%>/;
/**
 * Tokens a deploy pipeline replaces, as envsubst replaces `${VAR}`: Azure Pipelines' and Octopus' `#{VAR}#` /
 * `#{VAR}`, the replace-tokens task's `__VAR__`, Windows-style `%VAR%`.
 */
const PIPELINE_TOKEN = /^#\{[A-Za-z_][\w.-]*\}#?$|^__[A-Za-z][\w.-]*[A-Za-z0-9]__$|^%[A-Za-z_]\w*%$/;
const EXTERNAL_REFERENCE = /^(ref\+[a-z0-9]+:\/\/|vault:|secret:\/\/|op:\/\/|awssm:|gcpsm:|azurekv:|akv:|sm:\/\/|arn:aws:secretsmanager:)/i;
/** SOPS values, sealed-secrets ciphertext (a 512-byte wrapped session key and more: over 700 base64 characters when real), PGP. */
const ENCRYPTED = /^(ENC\[|AgB[A-Za-z0-9+/]{100}|-----BEGIN PGP MESSAGE)/;

/** Is the value a reference or template rather than a literal? (`{{ .Values.x }}`, `${VAR}`, `$(VAR)`, `#{VAR}#`, vault:…) */
export function isIndirectValue(value: string): boolean {
  const v = value.trim();
  return ENV_REFERENCE.test(v) || TEMPLATE_MARKERS.test(v) || EXTERNAL_REFERENCE.test(v) || isPipelineToken(v);
}

/** A token a deploy pipeline replaces before use (see PIPELINE_TOKEN). */
export function isPipelineToken(value: string): boolean {
  return PIPELINE_TOKEN.test(value);
}

/** `<KEYCLOAK_CLIENT_SECRET>`, `REPLACE_ME`-style markers written to be replaced by hand. */
export function isAnglePlaceholder(value: string): boolean {
  return /^<[^<>]{1,80}>$/.test(value.trim());
}

/**
 * A literal credential value: a non-empty string that is not templated, not an env reference, not an
 * external reference, not a boolean, and not SOPS/SealedSecret ciphertext.
 */
export function isLiteralSecretValue(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const v = value.trim();
  if (v.length === 0) return false;
  if (isIndirectValue(v)) return false;
  if (ENCRYPTED.test(v)) return false;
  if (/^(true|false|yes|no|on|off|null|~|none|nil|undefined)$/i.test(v)) return false;
  return true;
}

/** A URL or DSN with an embedded password, e.g. postgresql://user:pass@host/db. Returns the password part. */
export function embeddedUrlPassword(value: string): string | undefined {
  if (!value.includes('://')) return undefined;
  // The user may be empty: redis://:password@host. The userinfo ends at the authority's last `@`: a password written
  // with a bare `@` (p@ss@host) is still the password, not `p` and a host named `ss@host`.
  const match = /\b[a-z][a-z0-9+.-]*:\/\/([^\s:@/'"]*):([^\s/'"]+)@([^\s@/'"]*)/i.exec(value);
  if (!match) return undefined;
  const password = match[2]!;
  if (isIndirectValue(password) || /^[$%{<*]/.test(password) || /^x+$/i.test(password)) return undefined;
  // No server behind a documentation host checks that password: an example.
  if (isDocumentationHost(match[3]!.replace(/:\d*$/, ''))) return undefined;
  return password;
}

/** Hosts reserved for documentation and examples (RFC 2606): example.com/.net/.org and the `.invalid` TLD. */
export function isDocumentationHost(host: string): boolean {
  return /(^|\.)(example\.(com|net|org)|invalid)\.?$/i.test(host);
}

/**
 * A bare connection URL: `postgres://db:5432/app`, `redis://cache:6379/0` — a scheme, no password in the user part
 * and no credential-looking query parameter (`?password=`, `&sig=`, `?token=`). Under a key named like a connection
 * string or DSN such a value is a setting; the credential is only ever the part a URL embeds.
 */
export function isUrlWithoutCredential(value: string): boolean {
  const v = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(v)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(v)) return false;
  const query = v.includes('?') ? v.slice(v.indexOf('?') + 1) : '';
  return !query.split(/[&;]/).some((p) => {
    const name = p.split('=')[0] ?? '';
    return isCredentialName(name) || /^(sig|signature|sas|auth|key|access_?token|api_?key)$/i.test(name);
  });
}

/** Connection-string parameters that carry a credential besides credential-named ones: Azure's `AccountKey`, `SharedAccessKey`, `sig`. */
const CONNECTION_CREDENTIAL_PARAM = /^(sig|signature|sas|key|accountkey|sharedaccesskey|sharedaccesssignature|access_?token|api_?key|auth|authkey)$/i;
const HOST_PORT_LIST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}(?:\s*,\s*[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5})*$/;
const RESOURCE_PATH = /^[a-z][\w-]*(?:\/[\w.-]+){3,}$/;

/**
 * A connection string that carries no credential: a bare URL (see isUrlWithoutCredential), `host:port` (one or a
 * list), a cloud resource path (`projects/p/instances/i/databases/d`), or `name=value` pairs (`Server=db;Database=app`,
 * `host=db dbname=app`) none of which names a password, key or token. Under a connection-string key such a value is
 * an address; a credential it embeds is the only literal there.
 */
export function isConnectionWithoutCredential(value: string): boolean {
  const v = value.trim();
  if (isUrlWithoutCredential(v) || HOST_PORT_LIST.test(v) || RESOURCE_PATH.test(v)) return true;
  const pairs = v.includes(';') ? v.split(';') : v.split(/\s+/);
  const named = pairs.map((p) => p.trim()).filter((p) => p !== '');
  if (named.length < 2 || !named.every((p) => /^[A-Za-z][\w .-]*=/.test(p))) return false;
  return !named.some((p) => {
    const name = p.slice(0, p.indexOf('=')).trim();
    return isCredentialName(name) || CONNECTION_CREDENTIAL_PARAM.test(name.replace(/\s+/g, ''));
  });
}

/** Keys that hold a whole connection string or DSN (`connection_string`, `DB_DSN`, `redisConnectionString`). */
export function isConnectionStringName(name: string): boolean {
  const w = words(name);
  const last = w[w.length - 1] ?? '';
  return last === 'dsn' || w.slice(-2).join(' ') === 'connection string' || w.join('') === 'connectionstring' || last === 'connectionstring';
}

const MENTIONS_PASSWORD = /p(?:assword|wd)/i;

/**
 * Could `embeddedUrlPassword` or `connectionStringPassword` find anything in this text? (A URL needs `://`, both DSN
 * forms name `password` or `pwd`.) A cheap test that lets callers skip both.
 */
export function mayEmbedPassword(text: string): boolean {
  return text.includes('://') || MENTIONS_PASSWORD.test(text);
}

/** JDBC-style `?password=…` or `;Password=…` in a connection string. */
export function connectionStringPassword(value: string): string | undefined {
  // Both forms below name the password `password` or `pwd`.
  if (!MENTIONS_PASSWORD.test(value)) return undefined;
  const match = /[?&;]\s*(?:password|pwd)\s*=\s*([^&;\s]+)/i.exec(value) ?? keywordDsnPassword(value);
  if (!match || isIndirectValue(match[1]!) || /^[$%{<]/.test(match[1]!)) return undefined;
  return match[1];
}

/** libpq keyword/value DSN: `host=db user=app password=x dbname=app` (space-separated, password may be quoted). */
function keywordDsnPassword(value: string): RegExpExecArray | null {
  if (!/(^|\s)(host|hostaddr|dbname|user|port|sslmode)\s*=/i.test(value)) return null;
  const quoted = /(?:^|\s)password\s*=\s*'((?:[^'\\]|\\.)+)'/i.exec(value);
  return quoted ?? /(?:^|\s)password\s*=\s*([^\s'"]+)/i.exec(value);
}

/** Database credential Secret names: orders-db-credentials, postgres-app-auth, pg-superuser, mysql-root, initdbPassword, PGPASSWORD ... */
const DATABASE_WORDS = new Set(['dbcreds', 'dbcred', 'dbcredentials', 'dbpass', 'dbsecret', 'dbsecrets', 'db', 'database', 'databases', 'datasource', 'datasources', 'postgres', 'postgresql', 'pg', 'psql', 'pgpass', 'pgpassword', 'pguser', 'initdb', 'mysql', 'mariadb', 'mongo', 'mongodb', 'cnpg', 'flyway', 'liquibase', 'cockroach', 'cockroachdb', 'mssql', 'sqlserver', 'jdbc', 'dsn']);

const databaseNameMemo = new BoundedMemo<string, boolean>(MEMO_LIMIT);

export function isDatabaseName(name: string): boolean {
  return databaseNameMemo.get(name, namesDatabase);
}

function namesDatabase(name: string): boolean {
  const w = words(name);
  // A Sentry DSN is an error-reporting endpoint key, not a database connection string.
  return !w.includes('sentry') && (w.some((x) => DATABASE_WORDS.has(x)) || /(^|[-_])(superuser)$/.test(name.toLowerCase()));
}

/** Keys of a database credential: password, username, uri, DATABASE_URL, DB_PASSWORD, jdbc-uri ... */
export function isDatabaseCredentialKey(key: string): boolean {
  const w = words(key);
  const joined = w.join('-');
  if (isDatabaseName(key) && (isCredentialName(key) || w.includes('url') || w.includes('uri') || w.includes('user') || w.includes('username'))) return true;
  return ['password', 'username', 'user', 'uri', 'jdbc-uri', 'pgpass', 'dsn', 'connection-string'].includes(joined);
}

export type CredentialClass = 'database' | 'admin' | 'oidc-client' | 'registry' | 'api-key' | 'tls' | 'generic';

const credentialClassMemo = new BoundedMemo<string, CredentialClass>(MEMO_LIMIT);

/** What kind of credential a Secret (name + keys) or a remote key holds, from its names alone. */
export function credentialClass(name: string, keys: readonly string[] = []): CredentialClass {
  // The inventory and the origin classifier ask about the same Secrets again and again.
  const memoKey = JSON.stringify(keys.length === 0 ? name : [name, ...keys]);
  return credentialClassMemo.get(memoKey, () => classifyCredential(name, keys));
}

/** Keys of certificate material: tls.crt, tls.key, ca.crt, *.crt, *.pem, *.cer, keystores. */
const TLS_KEY = /^(tls\.(crt|key)|ca\.crt|.*\.(crt|pem|cer|p12|pfx|jks)|(key|trust)store(\.\w+)?)$/i;
/** The passwords of TLS material: keystore-password, truststore-password, key-password, tls-password. */
const TLS_PASSWORD = /keystore|truststore|^key[-_.]?pass|tls/i;

function classifyCredential(name: string, keys: readonly string[]): CredentialClass {
  const all = [name, ...keys].join(' ').toLowerCase();
  const w = new Set(words([name, ...keys].join(' ')));
  // TLS material only: a Secret that also holds passwords or webhook secrets (argo-cd's argocd-secret carries its
  // server certificate beside them), or a JWT signing key in a .pem, is no certificate a cert-manager would own.
  const signing = w.has('jwt') || w.has('jwks') || w.has('signing');
  const otherCredential = keys.some((k) => !TLS_KEY.test(k) && !k.includes('{{') && !TLS_PASSWORD.test(k) && isCredentialName(k));
  if (!signing && !otherCredential && (w.has('tls') || /\.(crt|pem)\b|tls\.key|ca\.crt/.test(all))) return 'tls';
  // A database's backup repository or object store (pgBackRest, barman, WAL-G keys to a bucket): the bucket's
  // credentials, not a database user's, unless a key says user or password.
  const backupStore = ['backup', 'backups', 'pgbackrest', 'barman', 'walg', 's3', 'bucket', 'objectstore'].some((word) => w.has(word));
  if (backupStore && !keys.some((k) => /pass(word)?|user(name)?|uri|dsn/i.test(k))) return 'generic';
  if (isDatabaseName(name) || keys.some((k) => isDatabaseName(k))) return 'database';
  if (w.has('dockerconfigjson') || w.has('ghcr') || w.has('registry') || w.has('npm') || w.has('dockerhub') || /pull[-_]?secret/.test(all)) return 'registry';
  if ((w.has('client') && w.has('secret')) || w.has('oidc') || w.has('oauth') || w.has('clientsecret')) return 'oidc-client';
  if ((w.has('admin') || w.has('root') || w.has('bootstrap') || w.has('superuser')) && (w.has('password') || w.has('credentials') || w.has('pass') || w.has('user'))) return 'admin';
  if ((w.has('api') && w.has('key')) || w.has('apikey')) return 'api-key';
  return 'generic';
}

/** An in-cluster Redis/Valkey password (bitnami subchart, Redis operator): the taxonomy's cluster-operator class. */
export function namesInMemoryStore(name: string, keys: readonly string[] = []): boolean {
  return /(^|[^a-z])(redis|valkey|keydb|dragonfly(db)?)([^a-z]|$)/i.test([name, ...keys].join(' '));
}

/** Database engines whose users an in-cluster authority other than CNPG (a chart, an engine's own operator) owns. */
export type NonPostgresEngine = 'mysql' | 'mongodb' | 'sqlserver' | 'cockroachdb';

/** The engine a database credential's names point at other than PostgreSQL, which is the default (CNPG). */
export function nonPostgresEngine(name: string, keys: readonly string[] = []): NonPostgresEngine | undefined {
  const w = new Set(words([name, ...keys].join(' ')));
  if (w.has('postgres') || w.has('postgresql') || w.has('pg') || w.has('cnpg')) return undefined;
  if (w.has('mysql') || w.has('mariadb') || w.has('percona') || w.has('galera')) return 'mysql';
  if (w.has('mongo') || w.has('mongodb')) return 'mongodb';
  if (w.has('mssql') || w.has('sqlserver')) return 'sqlserver';
  if (w.has('cockroach') || w.has('cockroachdb')) return 'cockroachdb';
  return undefined;
}

export interface EmbeddedCredential {
  key: string;
  value: string;
  /** 0-based line offset inside the text. */
  lineOffset: number;
}

const DIRECTIVE_WORD = /requirepass|masterauth|sentinel/;
const DIRECTIVE = /^\s*(requirepass|masterauth|sentinel\s+auth-pass\s+\S+)\s+["']?([^"'\s]+)["']?\s*$/;
const ASSIGNMENT = /(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1[ \t]*[:=][ \t]*(["']?)([^"'\s,;}{]{1,400})\3/g;

/**
 * Credentials inside a text blob (JSON, YAML, INI, .env, properties, a DSN, a PEM file): `"secret": "x"`,
 * `password=x`, `postgresql://u:p@h`, a private key with a real body. Used for Secret and ConfigMap values that hold whole config files.
 */
export function embeddedCredentials(text: string, options: CredentialNameOptions = {}): EmbeddedCredential[] {
  const found: EmbeddedCredential[] = [];
  const lines = text.split('\n');
  // Asked once of the whole text: a line can hold a directive, a URL or a DSN password only if the text can.
  const directives = DIRECTIVE_WORD.test(text);
  const urls = mayEmbedPassword(text);
  const keys = text.includes('PRIVATE KEY-----');
  lines.forEach((line, lineOffset) => {
    if (keys && PRIVATE_KEY_HEADER.test(line)) {
      const body = privateKeyBody(lines, lineOffset);
      if (body) found.push({ key: 'private-key', value: body, lineOffset });
    }
    if (line.length > 4000) return;
    // An assignment, a URL and a DSN password all need a `:` or a `=`; a directive needs neither.
    const assigns = line.includes(':') || line.includes('=');
    if (assigns) for (const match of line.matchAll(ASSIGNMENT)) {
      const key = match[2]!;
      const value = match[4]!;
      if (isCredentialName(key, options) && (isLiteralSecretValue(value) || isAnglePlaceholder(value)) && !(isConnectionStringName(key) && isConnectionWithoutCredential(value))) {
        found.push({ key, value, lineOffset });
      }
    }
    // redis.conf / valkey / sentinel directives: `requirepass x`, `masterauth x`, `sentinel auth-pass mymaster x`.
    const directive = directives ? DIRECTIVE.exec(line) : null;
    if (directive && isLiteralSecretValue(directive[2]!)) found.push({ key: directive[1]!, value: directive[2]!, lineOffset });
    const urlPassword = urls && assigns ? (embeddedUrlPassword(line) ?? connectionStringPassword(line)) : undefined;
    if (urlPassword) found.push({ key: 'url-password', value: urlPassword, lineOffset });
  });
  return found;
}

/** Decode a Secret `data` value; undefined when it is not base64 text. */
export function decodeBase64Text(value: string): string | undefined {
  const v = value.replace(/\s+/g, '');
  if (v.length === 0 || v.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return undefined;
  const decoded = Buffer.from(v, 'base64').toString('utf8');
  // Binary payloads (keystores, certificates in DER) decode to replacement characters: not text.
  if (decoded.includes('\uFFFD') || /[\x00-\x08\x0E-\x1F]/.test(decoded)) return undefined;
  return decoded;
}

/**
 * The host a connection string or URL names (`postgresql://u:p@host:5432/db`, `Server=tcp:host,1433;…`, `host=… dbname=…`),
 * expansions and all; never the credential itself.
 */
export function connectionHost(value: string): string | undefined {
  const url = /^[a-z][a-z0-9+.:-]*:\/\/(?:[^@/\s]*@)?([^:/?,;\s]+)/i.exec(value.trim());
  if (url) return url[1];
  return /(?:^|[;\s])(?:server|host|data source|hostaddr)\s*=\s*(?:tcp:)?([^,;\s]+)/i.exec(value)?.[1];
}
