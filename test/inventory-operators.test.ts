import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../src/types.js';
import { lineTreeScanner } from './helpers/scan-tree.js';

const scanTree = lineTreeScanner('footprint-operator-inv-');

/** The entries operators write: what the inventory lists without a manifest defining them. */
function written(result: ScanResult): string[][] {
  return result.inventory
    .filter((e) => e.kind === 'Secret' && e.origin === 'cluster-operator' && / \(.+\)$/.test(e.producer ?? '') && !e.producer!.startsWith('manifest'))
    .map((e) => [e.file, String(e.line), e.namespace ?? '', e.name, e.keys.join(','), e.type ?? '', e.authority, e.environments.join(','), e.producer!]);
}

describe('inventory of Secrets operators write', () => {
  it('lists the Secrets of Crunchy PGO, Zalando, mariadb-operator, MongoDB Community, Percona, RabbitMQ, Strimzi, cert-manager and Crossplane', async () => {
    const result = await scanTree({
      'deploy/production/pgo.yaml': [
        'apiVersion: postgres-operator.crunchydata.com/v1beta1',
        'kind: PostgresCluster',
        'metadata: {name: hippo, namespace: zoo}',
        'spec:',
        '  users:',
        '    - name: rhino',
        '      databases: [zoo]',
        '    - name: ops',
        '---',
        'apiVersion: postgres-operator.crunchydata.com/v1beta1',
        'kind: PostgresCluster',
        'metadata: {name: lemur, namespace: zoo}',
        'spec: {postgresVersion: 16}',
      ],
      'deploy/production/zalando.yaml': [
        'apiVersion: acid.zalan.do/v1',
        'kind: postgresql',
        'metadata: {name: acid-orders, namespace: orders}',
        'spec:',
        '  teamId: acid',
        '  users:',
        '    order_app: []',
        '  databases: {orders: order_app}',
      ],
      'deploy/staging/mariadb.yaml': [
        'apiVersion: k8s.mariadb.com/v1alpha1',
        'kind: MariaDB',
        'metadata: {name: shop-db, namespace: shop}',
        'spec:',
        '  username: shop',
        '  database: shop',
        '---',
        'apiVersion: k8s.mariadb.com/v1alpha1',
        'kind: User',
        'metadata: {name: reporting, namespace: shop}',
        'spec:',
        '  mariaDbRef: {name: shop-db}',
        '  passwordSecretKeyRef: {name: reporting-password, key: password, generate: true}',
        '---',
        'apiVersion: k8s.mariadb.com/v1alpha1',
        'kind: Connection',
        'metadata: {name: reporting, namespace: shop}',
        'spec:',
        '  mariaDbRef: {name: shop-db}',
        '  username: reporting',
        '  passwordSecretKeyRef: {name: reporting-password, key: password}',
        '  database: shop',
        '  secretName: reporting-conn',
      ],
      'deploy/staging/mongo.yaml': [
        'apiVersion: mongodbcommunity.mongodb.com/v1',
        'kind: MongoDBCommunity',
        'metadata: {name: catalog, namespace: shop}',
        'spec:',
        '  members: 3',
        '  users:',
        '    - name: app_user',
        '      db: admin',
        '      passwordSecretRef: {name: app-user-password}',
        '      scramCredentialsSecretName: app-user',
      ],
      'deploy/staging/percona.yaml': [
        'apiVersion: pxc.percona.com/v1',
        'kind: PerconaXtraDBCluster',
        'metadata: {name: cluster1, namespace: ledger}',
        'spec: {crVersion: 1.15.0}',
        '---',
        'apiVersion: psmdb.percona.com/v1',
        'kind: PerconaServerMongoDB',
        'metadata: {name: events, namespace: ledger}',
        'spec:',
        '  secrets: {users: events-users}',
      ],
      'deploy/dev/messaging.yaml': [
        'apiVersion: rabbitmq.com/v1beta1',
        'kind: RabbitmqCluster',
        'metadata: {name: bus, namespace: messaging}',
        '---',
        'apiVersion: kafka.strimzi.io/v1beta2',
        'kind: KafkaUser',
        'metadata: {name: ingest, namespace: messaging, labels: {strimzi.io/cluster: events}}',
        'spec:',
        '  authentication: {type: scram-sha-512}',
        '---',
        'apiVersion: cert-manager.io/v1',
        'kind: Certificate',
        'metadata: {name: bus-tls, namespace: messaging}',
        'spec:',
        '  secretName: bus-tls',
        '  issuerRef: {name: corp-ca, kind: ClusterIssuer}',
        '---',
        'apiVersion: rds.aws.upbound.io/v1beta1',
        'kind: Instance',
        'metadata: {name: reports-db}',
        'spec:',
        '  forProvider: {engine: postgres, autoGeneratePassword: true}',
        '  writeConnectionSecretToRef: {name: reports-db-conn, namespace: reports}',
      ],
    });
    expect(written(result)).toEqual([
      ['deploy/dev/messaging.yaml', '1', 'messaging', 'bus-default-user', 'default_user.conf,host,password,port,provider,type,username', 'Opaque', 'RabbitMQ operator', 'dev', 'RabbitMQ operator RabbitmqCluster bus (generated default user credentials)'],
      ['deploy/dev/messaging.yaml', '5', 'messaging', 'ingest', 'password,sasl.jaas.config', 'Opaque', 'Strimzi user operator', 'dev', 'Strimzi KafkaUser ingest (generated SCRAM-SHA-512 password)'],
      ['deploy/dev/messaging.yaml', '15', 'messaging', 'bus-tls', 'ca.crt,tls.crt,tls.key', 'kubernetes.io/tls', 'cert-manager', 'dev', 'cert-manager Certificate bus-tls (issued certificate)'],
      ['deploy/dev/messaging.yaml', '23', 'reports', 'reports-db-conn', '', 'connection.crossplane.io/v1alpha1', 'provider rds.aws.upbound.io', 'dev', 'provider rds.aws.upbound.io Instance reports-db (connection details)'],
      ['deploy/production/pgo.yaml', '6', 'zoo', 'hippo-pguser-rhino', 'dbname,host,jdbc-uri,password,port,uri,user,verifier', 'Opaque', 'Crunchy PGO', 'production', 'Crunchy PGO PostgresCluster hippo (generated credentials of user rhino)'],
      ['deploy/production/pgo.yaml', '8', 'zoo', 'hippo-pguser-ops', 'host,password,port,user,verifier', 'Opaque', 'Crunchy PGO', 'production', 'Crunchy PGO PostgresCluster hippo (generated credentials of user ops)'],
      ['deploy/production/pgo.yaml', '10', 'zoo', 'lemur-pguser-lemur', 'dbname,host,jdbc-uri,password,port,uri,user,verifier', 'Opaque', 'Crunchy PGO', 'production', 'Crunchy PGO PostgresCluster lemur (generated credentials of user lemur)'],
      ['deploy/production/zalando.yaml', '1', 'orders', 'postgres.acid-orders.credentials.postgresql.acid.zalan.do', 'password,username', 'Opaque', 'Zalando postgres-operator', 'production', 'Zalando postgres-operator postgresql acid-orders (generated superuser credentials)'],
      ['deploy/production/zalando.yaml', '1', 'orders', 'standby.acid-orders.credentials.postgresql.acid.zalan.do', 'password,username', 'Opaque', 'Zalando postgres-operator', 'production', 'Zalando postgres-operator postgresql acid-orders (generated replication user credentials)'],
      ['deploy/production/zalando.yaml', '7', 'orders', 'order-app.acid-orders.credentials.postgresql.acid.zalan.do', 'password,username', 'Opaque', 'Zalando postgres-operator', 'production', 'Zalando postgres-operator postgresql acid-orders (generated role order_app credentials)'],
      ['deploy/staging/mariadb.yaml', '1', 'shop', 'shop-db-root', 'password', 'Opaque', 'mariadb-operator', 'staging', 'mariadb-operator MariaDB shop-db (generated root password)'],
      ['deploy/staging/mariadb.yaml', '1', 'shop', 'shop-db-password', 'password', 'Opaque', 'mariadb-operator', 'staging', 'mariadb-operator MariaDB shop-db (generated password of user shop)'],
      ['deploy/staging/mariadb.yaml', '13', 'shop', 'reporting-password', 'password', 'Opaque', 'mariadb-operator', 'staging', 'mariadb-operator User reporting (generated password of user reporting)'],
      ['deploy/staging/mariadb.yaml', '23', 'shop', 'reporting-conn', 'database,dsn,host,password,port,username', 'Opaque', 'mariadb-operator', 'staging', 'mariadb-operator Connection reporting (connection Secret)'],
      ['deploy/staging/mongo.yaml', '7', 'shop', 'app-user-scram-credentials', 'sha1-salt,sha1-server-key,sha1-stored-key,sha256-salt,sha256-server-key,sha256-stored-key', 'Opaque', 'MongoDB Community operator', 'staging', 'MongoDB Community operator MongoDBCommunity catalog (SCRAM credentials of user app_user)'],
      ['deploy/staging/mongo.yaml', '7', 'shop', 'catalog-admin-app-user', 'connectionString.standard,connectionString.standardSrv,password,username', 'Opaque', 'MongoDB Community operator', 'staging', 'MongoDB Community operator MongoDBCommunity catalog (connection string of user app_user)'],
      ['deploy/staging/percona.yaml', '1', 'ledger', 'cluster1-secrets', 'monitor,operator,proxyadmin,replication,root,xtrabackup', 'Opaque', 'Percona operator', 'staging', 'Percona operator PerconaXtraDBCluster cluster1 (generated system user credentials)'],
      ['deploy/staging/percona.yaml', '6', 'ledger', 'events-users', 'MONGODB_BACKUP_PASSWORD,MONGODB_BACKUP_USER,MONGODB_CLUSTER_ADMIN_PASSWORD,MONGODB_CLUSTER_ADMIN_USER,MONGODB_CLUSTER_MONITOR_PASSWORD,MONGODB_CLUSTER_MONITOR_USER,MONGODB_DATABASE_ADMIN_PASSWORD,MONGODB_DATABASE_ADMIN_USER,MONGODB_USER_ADMIN_PASSWORD,MONGODB_USER_ADMIN_USER', 'Opaque', 'Percona operator', 'staging', 'Percona operator PerconaServerMongoDB events (generated system user credentials)'],
    ]);
  });

  it('lists nothing an operator would not write: listed users only, user-seeded passwords, a Vault default user, external TLS users', async () => {
    const result = await scanTree({
      'deploy/production/db.yaml': [
        // Users listed: no default <cluster>-pguser-<cluster>.
        'apiVersion: postgres-operator.crunchydata.com/v1beta1',
        'kind: PostgresCluster',
        'metadata: {name: hippo, namespace: zoo}',
        'spec:',
        '  users: [{name: rhino}]',
        '---',
        // A root password and a user password the operator reads but does not generate.
        'apiVersion: k8s.mariadb.com/v1alpha1',
        'kind: MariaDB',
        'metadata: {name: shop-db, namespace: shop}',
        'spec:',
        '  rootPasswordSecretKeyRef: {name: shop-db-root-seeded, key: password}',
        '---',
        'apiVersion: k8s.mariadb.com/v1alpha1',
        'kind: User',
        'metadata: {name: reporting, namespace: shop}',
        'spec:',
        '  passwordSecretKeyRef: {name: reporting-password, key: password, generate: false}',
        '---',
        // Its default user comes from Vault.
        'apiVersion: rabbitmq.com/v1beta1',
        'kind: RabbitmqCluster',
        'metadata: {name: bus, namespace: messaging}',
        'spec:',
        '  secretBackend: {vault: {role: bus, defaultUserPath: secret/data/bus/default-user}}',
        '---',
        'apiVersion: kafka.strimzi.io/v1beta2',
        'kind: KafkaUser',
        'metadata: {name: ingest, namespace: messaging}',
        'spec:',
        '  authentication: {type: tls-external}',
        '---',
        // The topology operator User imports its credentials.
        'apiVersion: rabbitmq.com/v1beta1',
        'kind: User',
        'metadata: {name: publisher, namespace: messaging}',
        'spec:',
        '  rabbitmqClusterReference: {name: bus}',
        '  importCredentialsSecret: {name: publisher-login}',
      ],
    });
    expect(written(result).map((e) => e[3])).toEqual(['hippo-pguser-rhino']);
  });

  it('lists the admin Secret KubeDB generates for a database, unless the tree manages it', async () => {
    const result = await scanTree({
      'deploy/production/kubedb.yaml': [
        'apiVersion: kubedb.com/v1',
        'kind: Postgres',
        'metadata: {name: quotes-pg, namespace: demo}',
        'spec: {version: "16.1", storageType: Durable}',
        '---',
        'apiVersion: kubedb.com/v1',
        'kind: MySQL',
        'metadata: {name: shop-my, namespace: demo}',
        'spec:',
        '  authSecret: {name: shop-my-admin}',
        '---',
        'apiVersion: kubedb.com/v1',
        'kind: MongoDB',
        'metadata: {name: events-mg, namespace: demo}',
        'spec:',
        '  authSecret: {name: events-mg-auth, externallyManaged: true}',
      ],
    });
    expect(written(result).map((e) => [e[1], e[3], e[6], e[8]])).toEqual([
      ['1', 'quotes-pg-auth', 'KubeDB operator', 'KubeDB Postgres quotes-pg (generated admin credentials)'],
      ['10', 'shop-my-admin', 'KubeDB operator', 'KubeDB MySQL shop-my (generated admin credentials)'],
    ]);
  });

  it('names Zalando Secrets by the secret_name_template the tree configures, and by the default when configurations disagree', async () => {
    const cluster = ['apiVersion: acid.zalan.do/v1', 'kind: postgresql', 'metadata: {name: acid-min, namespace: db}', 'spec:', '  users: {app: []}'];
    const configured = await scanTree({
      'operators/postgres-operator.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: postgres-operator}', 'data:', '  secret_name_template: "{username}.{cluster}.credentials"'],
      'db/cluster.yaml': cluster,
    });
    expect(written(configured).map((e) => e[3])).toEqual(['postgres.acid-min.credentials', 'standby.acid-min.credentials', 'app.acid-min.credentials']);
    const disagreeing = await scanTree({
      'operators/a.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: postgres-operator}', 'data:', '  secret_name_template: "{username}.{cluster}.credentials"'],
      'operators/b/values.yaml': ['configKubernetes:', '  secret_name_template: "{cluster}-{username}"'],
      'db/cluster.yaml': cluster,
    });
    expect(written(disagreeing).map((e) => e[3])).toEqual(['postgres.acid-min.credentials.postgresql.acid.zalan.do', 'standby.acid-min.credentials.postgresql.acid.zalan.do', 'app.acid-min.credentials.postgresql.acid.zalan.do']);
  });

  it('takes an ExternalSecret that writes an operator Secret as the operator\'s, in the namespace the operator writes it only', async () => {
    const result = await scanTree({
      'deploy/production/pgo.yaml': ['apiVersion: postgres-operator.crunchydata.com/v1beta1', 'kind: PostgresCluster', 'metadata: {name: hippo, namespace: zoo}', 'spec: {users: [{name: rhino}]}'],
      'deploy/production/es.yaml': [
        'apiVersion: external-secrets.io/v1',
        'kind: ExternalSecret',
        'metadata: {name: rhino-login, namespace: zoo}',
        'spec:',
        '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
        '  target: {name: broker-login}',
        '  data: [{secretKey: value, remoteRef: {key: zoo/rhino}}]',
        '---',
        'apiVersion: external-secrets.io/v1',
        'kind: ExternalSecret',
        'metadata: {name: rhino-pw, namespace: zoo}',
        'spec:',
        '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
        '  target: {name: hippo-pguser-rhino}',
        '  data: [{secretKey: value, remoteRef: {key: zoo/rhino}}]',
        '---',
        'apiVersion: external-secrets.io/v1',
        'kind: ExternalSecret',
        'metadata: {name: rhino-pw, namespace: elsewhere}',
        'spec:',
        '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
        '  target: {name: kafka-user}',
        '  data: [{secretKey: value, remoteRef: {key: zoo/rhino}}]',
      ],
      'deploy/production/kafka.yaml': ['apiVersion: kafka.strimzi.io/v1beta2', 'kind: KafkaUser', 'metadata: {name: kafka-user, namespace: zoo}', 'spec: {authentication: {type: scram-sha-512}}'],
    });
    const externalSecrets = result.inventory.filter((e) => e.kind === 'ExternalSecret').map((e) => [e.namespace, e.name, e.origin, e.authority]);
    expect(externalSecrets).toEqual([
      ['zoo', 'rhino-login', 'unknown', 'unknown'],
      ['zoo', 'rhino-pw', 'cluster-operator', 'Crunchy PGO'],
      ['elsewhere', 'rhino-pw', 'unknown', 'unknown'],
    ]);
  });
});
