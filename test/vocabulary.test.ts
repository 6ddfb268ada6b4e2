import { describe, expect, it } from 'vitest';
import { connectionStringPassword, credentialClass, words, decodeBase64Text, embeddedCredentials, embeddedUrlPassword, isConnectionStringName, isCredentialName, isLiteralSecretValue, isSecretPrefixedEnvName, isUrlWithoutCredential } from '../src/k8s/vocabulary.js';
import { redact } from '../src/util/redact.js';

describe('words of a name', () => {
  it('keeps the plural of an acronym whole', () => {
    expect(words('customCAs')).toEqual(['custom', 'cas']);
    expect(words('URLs')).toEqual(['urls']);
    expect(words('serviceIDs')).toEqual(['service', 'ids']);
    expect(words('APIKeys')).toEqual(['api', 'keys']);
    expect(words('TLSCertFile')).toEqual(['tls', 'cert', 'file']);
    expect(words('DB_PASSWORDS')).toEqual(['db', 'passwords']);
  });
});

describe('credential names', () => {
  const credentials = ['SLACK_WEBHOOK', 'slackWebhookUrl', 'discord_webhook_url', 'teamsHookUrl', 'password', 'rootPassword', 'adminPassword', 'DB_PASSWORD', 'clientSecret', 'client-secret', 'secretKeyBase', 'accessKey', 'secretKey', 'apiKey', 'api_key', 'OPENAI_API_KEY', 'token', 'GITHUB_TOKEN', 'AUTH_SECRET', 'LANGFUSE_SECRET_KEY', 'DJANGO_SECRET_KEY', 'privateKey', '.dockerconfigjson', 'GITHUB_PAT', 'htpasswd', 'connectionString', 'jwtSecret', 'postgresqlPassword', 'smtpPass', 'pass', 'bootstrapToken', 'clusterToken', 'bindpw', 'rootPw', 'DB_PW', 'erlangCookie', 'RABBITMQ_ERLANG_COOKIE', 'replicaSetKey', 'hmacKey', 'awsCreds', 'REGISTRY_CREDS', 'DB_PASSWORD_PROD', 'apiTokenStaging', 'SMTP_PASS_QA'];
  const references = ['webhookUrl', 'WEBHOOK_ENDPOINT', 'slackWebhookSecretName', 'slackChannel', 'existingSecret', 'secretName', 'passwordSecret', 'rootPasswordSecretKey', 'passwordSecretKey', 'KEYCLOAK_CLIENT_SECRET_KEY', 'clientSecretKey', 'tokenFile', 'passwordPath', 'secretRef', 'token_url', 'tokenEndpoint', 'username', 'user', 'createSecret', 'useExistingSecret', 'passwordLength', 'apiKeyId', 'secretKeyRef', 'host', 'url', 'AUTH_URL', 'clientId', 'NEXT_PUBLIC_SITE', 'initialClusterToken', 'ETCD_INITIAL_CLUSTER_TOKEN', 'pwPolicy', 'replicaSetName', 'cookieDomain', 'DB_PASSWORD_FILE_PROD', 'TOKEN_TTL_PROD', 'passwordSecretNameStaging', 'existingSecretProd', 'DB_HOST_PROD', 'prod'];
  for (const name of credentials) it(`${name} holds a credential`, () => expect(isCredentialName(name)).toBe(true));
  for (const name of references) it(`${name} does not`, () => expect(isCredentialName(name)).toBe(false));
  it('honours configured names', () => expect(isCredentialName('SIGNING_SEED', { extra: ['signing_seed'] })).toBe(true));
  it('answers the same when asked again, whatever names were configured in between (answers are remembered per name)', () => {
    expect(isCredentialName('SIGNING_SEED')).toBe(false);
    expect(isCredentialName('SIGNING_SEED', { extra: ['signing_seed'] })).toBe(true);
    expect(isCredentialName('SIGNING_SEED')).toBe(false);
    expect(isCredentialName('adminPassword', { extra: [] })).toBe(true);
    expect(isCredentialName('adminPassword')).toBe(true);
    expect(isCredentialName('passwordSecret')).toBe(false);
    expect(isCredentialName('passwordSecret', { extra: ['other'] })).toBe(false);
  });
});

describe('SECRET_… environment variables', () => {
  it('are secrets unless they name a setting about secrets', () => {
    for (const name of ['SECRET_BLAH', 'SECRET_ACCESS', 'SECRETS_SESSION_SIGNING']) expect(isSecretPrefixedEnvName(name), name).toBe(true);
    for (const name of ['SECRET_NAME', 'SECRETS_DIR', 'SECRET_ROTATION_INTERVAL', 'SECRET_STORE_KIND', 'SECRET_BACKEND', 'SECRET', 'secret_blah', 'MY_SECRET_BLAH']) {
      expect(isSecretPrefixedEnvName(name), name).toBe(false);
    }
  });
});

describe('literal values', () => {
  it('treats templates, env references and external references as indirect', () => {
    for (const v of ['{{ .Values.db.password }}', '${DB_PASSWORD}', '${DB_PASSWORD:-x}', '$(DB_PASSWORD)', '$DB_PASSWORD', 'ref+vault://secret/x#y', 'vault:secret/data/x#k', '', '   ', 'true', 'null', 'ENC[AES256_GCM,data:abc]']) {
      expect(isLiteralSecretValue(v), v).toBe(false);
    }
    // Replaced by the deploy pipeline (Azure Pipelines, Octopus, replace-tokens), as envsubst replaces ${VAR}.
    for (const v of ['#{DB_PASSWORD}#', '#{Octopus.Db.Password}', '__DB_PASSWORD__', '%DB_PASSWORD%']) expect(isLiteralSecretValue(v), v).toBe(false);
    for (const v of ['hunter2', 'changeme', 'ghp_EXAMPLE', 'a b c', '#{not a token', '__x__y', '%20pw%', 'p%ss%word']) expect(isLiteralSecretValue(v), v).toBe(true);
    // Sealed-secrets ciphertext is hundreds of base64 characters; a short password that happens to start like it is not.
    expect(isLiteralSecretValue(`AgB${'x4Q9'.repeat(120)}`)).toBe(false);
    expect(isLiteralSecretValue('AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq')).toBe(true);
    expect(isLiteralSecretValue(42)).toBe(false);
  });
  it('tells a bare connection URL from one that embeds a credential', () => {
    for (const v of ['postgres://db:5432/app', 'redis://cache:6379/0', 'amqp://mq/%2f', 'https://pubkey@o1.ingest.sentry.io/2', 'mongodb://m1,m2/app?replicaSet=rs0']) expect(isUrlWithoutCredential(v), v).toBe(true);
    for (const v of ['postgres://app:pw@db/app', 'redis://:pw@cache:6379', 'https://acct.blob.core.windows.net/c?sv=1&sig=abc', 'jdbc:sqlserver://h;password=x', 'DefaultEndpointsProtocol=https;AccountKey=abc', 'https://h/?password=x']) expect(isUrlWithoutCredential(v), v).toBe(false);
    for (const n of ['connection_string', 'redisConnectionString', 'EVENTS_DSN', 'dsn']) expect(isConnectionStringName(n), n).toBe(true);
    for (const n of ['password', 'DATABASE_URL', 'dsnTimeout']) expect(isConnectionStringName(n), n).toBe(false);
  });
  it('reads the password of a libpq keyword/value DSN', () => {
    expect(connectionStringPassword('host=db user=app password=s3cr3t dbname=app')).toBe('s3cr3t');
    expect(connectionStringPassword("user=app password='two words' host=db")).toBe('two words');
    expect(connectionStringPassword('host=%s user=%s password=%s')).toBeUndefined();
    expect(connectionStringPassword('password=hunter2')).toBeUndefined();
  });
  it('treats a script\'s positional parameters as arguments, not literals', () => {
    for (const v of ['$1', '$9', '${2}', '$@', '$*']) expect(isLiteralSecretValue(v), v).toBe(false);
    for (const v of ['$1x', 'pa$1word']) expect(isLiteralSecretValue(v), v).toBe(true);
  });

  it('finds passwords embedded in URLs but not placeholders', () => {
    expect(embeddedUrlPassword('postgresql://orders:s3cret@db:5432/orders')).toBe('s3cret');
    expect(embeddedUrlPassword('postgresql://orders:${DB_PASSWORD}@db:5432/orders')).toBeUndefined();
    expect(embeddedUrlPassword('postgresql://{{ .user }}:{{ .password }}@db/x')).toBeUndefined();
    expect(embeddedUrlPassword('https://api.example.com/v1')).toBeUndefined();
    expect(embeddedUrlPassword('postgres://grafana:gr@f#na@grafana-db:5432/grafana')).toBe('gr@f#na');
    expect(embeddedUrlPassword('redis://:p@ss@cache:6379/0')).toBe('p@ss');
    expect(embeddedUrlPassword('postgres://app:s3cret@db:5432/app?next=a@b')).toBe('s3cret');
  });

  it('finds credentials inside config blobs', () => {
    const blob = '{"client_options": {"identifier": "wiki", "secret": "kc-secret-1"}}\nlog_level=debug\npassword = p4ss\n';
    expect(embeddedCredentials(blob).map((c) => [c.key, c.lineOffset])).toEqual([
      ['secret', 0],
      ['password', 2],
    ]);
  });

  it('finds redis/valkey/sentinel password directives, not their ${VAR} forms', () => {
    const conf = 'maxmemory 2gb\nrequirepass r3dis-pw\nmasterauth "r3dis-pw"\nsentinel auth-pass mymaster s3ntinel-pw\nrequirepass ${REDIS_PASSWORD}\n# requirepass foobared\n';
    expect(embeddedCredentials(conf).map((c) => [c.key, c.value, c.lineOffset])).toEqual([
      ['requirepass', 'r3dis-pw', 1],
      ['masterauth', 'r3dis-pw', 2],
      ['sentinel auth-pass mymaster', 's3ntinel-pw', 3],
    ]);
  });

  it('decodes base64 text and rejects binary', () => {
    expect(decodeBase64Text('aHVudGVyMg==')).toBe('hunter2');
    expect(decodeBase64Text(Buffer.from([0, 1, 2, 255]).toString('base64'))).toBeUndefined();
    expect(decodeBase64Text('not base64!')).toBeUndefined();
  });
});

describe('credential classes', () => {
  const cases: [string, string[], string][] = [
    ['orders-db-credentials', ['password'], 'database'],
    // gen3's <service>-dbcreds
    ['fence-dbcreds', [], 'database'],
    ['platform-pg-app', ['DATABASE_URL'], 'database'],
    ['grafana-admin-credentials', ['admin-password'], 'admin'],
    ['web-oidc-client', ['client-secret'], 'oidc-client'],
    ['ghcr-pull', ['.dockerconfigjson'], 'registry'],
    ['inference-api-credentials', ['OPENAI_API_KEY'], 'api-key'],
    ['wildcard-tls', ['tls.crt', 'tls.key'], 'tls'],
    ['kafka-tls-pass', ['keystore-password', 'truststore-password'], 'tls'],
    // a certificate beside other credentials, or a JWT signing key in a .pem: not TLS material for cert-manager
    ['argocd-secret', ['admin.password', 'tls.crt', 'tls.key', 'webhook.github.secret'], 'admin'],
    ['fence-jwt-keys', ['jwt_private_key.pem'], 'generic'],
    ['webhook-signing', ['signing-secret'], 'generic'],
  ];
  for (const [name, keys, cls] of cases) it(`${name} is ${cls}`, () => expect(credentialClass(name, keys)).toBe(cls));
});

describe('redaction', () => {
  it('shows at most two characters and the length', () => {
    expect(redact('ghp_EXAMPLEexample')).toBe('gh…(18 chars)');
    expect(redact('short')).toBe('…(5 chars)');
    expect(redact('')).toBe('(empty)');
  });
});

describe('store provider from a store name', () => {
  it('reads password managers by their own names, not by a word inside another', async () => {
    const { providerFromName } = await import('../src/k8s/stores.js');
    expect(providerFromName('keeper-store')).toBe('keepersecurity');
    expect(providerFromName('onepassword-connect')).toBe('onepassword');
    expect(providerFromName('zookeeper-vault')).toBe('vault');
    expect(providerFromName('gatekeeper')).toBeUndefined();
  });
});

describe('credential classes of database backup stores', () => {
  it('are the bucket credentials of a backup repository, not a database user, unless a key says user or password', () => {
    expect(credentialClass('inventory-pg-backup')).toBe('generic');
    expect(credentialClass('orders-db-backup-s3', ['ACCESS_KEY_ID', 'ACCESS_SECRET_KEY'])).toBe('generic');
    expect(credentialClass('postgres-barman', ['s3.conf'])).toBe('generic');
    expect(credentialClass('orders-db-backup', ['password'])).toBe('database');
    expect(credentialClass('orders-db')).toBe('database');
  });
});
