/**
 * The test cases of other tools' Kubernetes secret checks, rewritten as small trees, with what footprint reports for each.
 * Our model: a credential is a legacy footprint where its value is committed — a literal `env[].value`, a Secret's
 * data, a ConfigMap, Helm values, a Kustomize generator. A workload that reads a Secret (`secretKeyRef`,
 * `envFrom.secretRef`, a secret volume) is the way out, not a finding. Where a peer answers differently, `why` says why
 * our answer stands.
 *
 * Peers: kube-linter `env-var-secret`, `read-secret-from-env-var`, `configmap-with-credentials` (tests/checks/*.yml and
 * e2etests/bats-tests.sh), Checkov CKV_K8S_35 (tests/kubernetes/checks/example_Secrets) and its secrets framework on
 * YAML (tests/secrets: yml_multiline, resources/k8s), Trivy KSV-0109 / KSV-01010 (trivy-checks
 * checks/kubernetes/configMap_with_secrets_test.rego, configmap_with_sensitive_test.rego), Polaris
 * `sensitiveContainerEnvVar` (test/checks/sensitiveContainerEnvVar), kubesec SecretsAsEnvironmentVariables
 * (pkg/rules/secretsAsEnvironmentVariables_test.go). Datree's built-in rules have no secret check.
 */
import { describe, expect, it } from 'vitest';
import { lineTreeScanner } from './helpers/scan-tree.js';

const scanTree = lineTreeScanner('fp-k8s-peers-');

type Expected = [ruleId: string, file: string, line: number, severity: string];

interface PeerCase {
  peer: 'kube-linter' | 'checkov' | 'trivy' | 'polaris' | 'kubesec';
  name: string;
  /** Does the peer report it? */
  peerReports: boolean;
  files: Record<string, string[]>;
  /** Every finding of the scan, exactly. */
  expected: Expected[];
  /** Why our answer differs from the peer's (required when it does). */
  why?: string;
}

const ENV = 'workload-env-literal-credential';
const SECRET = 'inline-secret-manifest';
const CM = 'secret-in-configmap';
const VALUES = 'inline-credential-in-values';

// A PEM header, built here so that no private-key-shaped literal sits in the repository.
const PEM_BEGIN = `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----`;
const PEM_END = `-----END OPENSSH ${'PRIVATE'} KEY-----`;

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** A Deployment (or another kind) whose one container has the given env items. */
function workload(kind: string, apiVersion: string, name: string, env: string[], extra: string[] = []): string[] {
  return [`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata:', `  name: ${name}`, 'spec:', '  template:', '    spec:', '      containers:', '        - name: app', '          image: example/app:1.0', '          env:', ...env.map((l) => `            ${l}`), ...extra];
}

function pod(name: string, containerLines: string[], specLines: string[] = []): string[] {
  return ['apiVersion: v1', 'kind: Pod', 'metadata:', `  name: ${name}`, 'spec:', '  containers:', '    - name: app', '      image: example/app:1.0', ...containerLines.map((l) => `      ${l}`), ...specLines.map((l) => `  ${l}`)];
}

function configMap(name: string, data: string[]): string[] {
  return ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, 'data:', ...data.map((l) => `  ${l}`)];
}

const CASES: PeerCase[] = [
  // ---- kube-linter env-var-secret (name matches (?i).*secret.*, value non-empty) -------------------------------------
  {
    peer: 'kube-linter',
    name: 'env-var-secret: Deployment SECRET_* with a literal',
    peerReports: true,
    files: { 'deploy.yaml': workload('Deployment', 'apps/v1', 'app', ['- name: SECRET_SIGNING', '  value: q8Zt4mVw2Lp9Rx']) },
    expected: [[ENV, 'deploy.yaml', 13, 'high']],
  },
  {
    peer: 'kube-linter',
    name: 'env-var-secret: OpenShift DeploymentConfig SECRET_* with a literal',
    peerReports: true,
    files: { 'dc.yaml': workload('DeploymentConfig', 'apps.openshift.io/v1', 'app', ['- name: SECRET_SIGNING', '  value: q8Zt4mVw2Lp9Rx']) },
    expected: [[ENV, 'dc.yaml', 13, 'high']],
  },
  {
    peer: 'kube-linter',
    name: 'env-var-secret dont-fire: the word is in the value, not the name',
    peerReports: false,
    files: { 'deploy.yaml': workload('Deployment', 'apps/v1', 'dont-fire', ['- name: GREETING', '  value: topsecretsquirrel']) },
    expected: [],
  },
  {
    peer: 'kube-linter',
    name: 'env-var-secret rule logic: *SECRET* names that locate a secret (Secret name, Vault path, mount folder)',
    peerReports: true,
    files: {
      'deploy.yaml': workload('Deployment', 'apps/v1', 'app', [
        '- name: SECRET_NAME',
        '  value: orders-credentials',
        '- name: VAULT_SECRET_PATH',
        '  value: secret/data/orders/db',
        '- name: SECRETS_DIR',
        '  value: /var/run/secrets/orders',
        '- name: CLIENT_SECRET_FILE',
        '  value: /etc/orders/client-secret',
      ]),
    },
    expected: [],
    why: 'a Secret name, a Vault path and a file path say where the secret is; they are not the secret',
  },
  {
    peer: 'kube-linter',
    name: 'env-var-secret: a *SECRET* variable read through secretKeyRef (no value, the check is silent too)',
    peerReports: false,
    files: { 'deploy.yaml': workload('Deployment', 'apps/v1', 'app', ['- name: CLIENT_SECRET', '  valueFrom:', '    secretKeyRef:', '      name: orders-oidc', '      key: client-secret']) },
    expected: [],
  },
  // ---- kube-linter read-secret-from-env-var (CIS 5.4.1: prefer secret files over env) -------------------------------
  {
    peer: 'kube-linter',
    name: 'read-secret-from-env-var: TOKEN from secretKeyRef (Deployment and DeploymentConfig)',
    peerReports: true,
    files: {
      'deploy.yaml': workload('Deployment', 'apps/v1', 'app1', ['- name: TOKEN', '  valueFrom:', '    secretKeyRef:', '      name: api-token', '      key: token']),
      'dc.yaml': workload('DeploymentConfig', 'apps.openshift.io/v1', 'app2', ['- name: TOKEN', '  valueFrom:', '    secretKeyRef:', '      name: api-token', '      key: token']),
    },
    expected: [],
    why: 'secretKeyRef is the remedy footprint prescribes: the value lives in a Secret its authority fills; env versus file mount is a hardening preference, not a committed credential',
  },
  // ---- kube-linter configmap-with-credentials (key contains password/secret/token/api_key/private_key/credential) ---
  {
    peer: 'kube-linter',
    name: 'configmap-with-credentials dont-fire: a config file of settings',
    peerReports: false,
    files: { 'cm.yaml': configMap('dont-fire', ['config.yaml: |', '  logLevel: info', '  port: 8080']) },
    expected: [],
  },
  {
    peer: 'kube-linter',
    name: 'configmap-with-credentials fire: database_password literal beside a password-less connection string',
    peerReports: true,
    files: { 'cm.yaml': configMap('fire-password-key', ['database_password: "tr0ub4dor"', 'connection_string: "postgres://db.internal:5432/orders"']) },
    expected: [[CM, 'cm.yaml', 6, 'high']],
  },
  {
    peer: 'kube-linter',
    name: 'configmap-with-credentials rule logic: settings whose keys hold the words (token_ttl, secret_name, password_policy)',
    peerReports: true,
    files: { 'cm.yaml': configMap('settings', ['token_ttl: "3600"', 'secret_name: orders-credentials', 'password_policy: strong', 'credential_provider: vault']) },
    expected: [],
    why: 'a lifetime, a Secret name, a policy name and a provider name are settings about credentials, not credentials',
  },
  {
    peer: 'kube-linter',
    name: 'configmap-with-credentials rule logic: a credential-named key with an empty value',
    peerReports: true,
    files: { 'cm.yaml': configMap('empty', ['api_key: ""']) },
    expected: [],
    why: 'an empty value commits nothing',
  },
  // ---- Checkov CKV_K8S_35 "Prefer using secrets as files over secrets as environment variables" ---------------------
  {
    peer: 'checkov',
    name: 'CKV_K8S_35 FAILED: Pods read Secrets through secretKeyRef and envFrom.secretRef',
    peerReports: true,
    files: {
      'pods.yaml': [
        ...pod('env-reader', ['env:', '  - name: SECRET_USERNAME', '    valueFrom:', '      secretKeyRef:', '        name: backend-user', '        key: backend-username', '  - name: DB_USERNAME', '    valueFrom:', '      secretKeyRef:', '        name: db-user', '        key: db-username']),
        '---',
        ...pod('envfrom-reader', ['envFrom:', '  - secretRef:', '      name: app-login']),
      ],
    },
    expected: [],
    why: 'reading a Secret is the remedy footprint prescribes; env versus file is a hardening preference, not a committed credential',
  },
  {
    peer: 'checkov',
    name: 'CKV_K8S_35 fixture Secrets: one holds only a user name (base64 data)',
    peerReports: false,
    files: { 'secret.yaml': ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: backend-user', 'data:', `  backend-username: ${b64('backend-admin')}`] },
    expected: [],
  },
  {
    peer: 'checkov',
    name: 'CKV_K8S_35 fixture Secrets: user and password as base64 data',
    peerReports: false,
    files: { 'secret.yaml': ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: app-login', 'data:', `  username: ${b64('orders-app')}`, `  password: ${b64('51lk$Wq8rTz')}`] },
    expected: [[SECRET, 'secret.yaml', 7, 'high']],
    why: 'the Secret manifest itself commits the password (base64 is no protection); CKV_K8S_35 only looks at how pods read it',
  },
  {
    peer: 'checkov',
    name: 'CKV_K8S_35 PASSED: the Secret mounted as a volume',
    peerReports: false,
    files: { 'pod.yaml': pod('volume-reader', ['volumeMounts:', '  - name: login', '    mountPath: /etc/login'], ['volumes:', '  - name: login', '    secret:', '      secretName: app-login']) },
    expected: [],
  },
  {
    peer: 'checkov',
    name: 'CKV_K8S_35 UNKNOWN: `env` is a string, not a list',
    peerReports: false,
    files: { 'pod.yaml': pod('malformed', ['env: env']) },
    expected: [],
  },
  // ---- Checkov secrets framework on Kubernetes YAML (detect-secrets keyword + entropy) ------------------------------
  {
    peer: 'checkov',
    name: 'secrets resources/k8s/secret-name.yaml: a volume names a Secret',
    peerReports: false,
    files: { 'dashboard.yaml': [...workload('Deployment', 'apps/v1', 'dashboard', ['- name: LOG_LEVEL', '  value: info']), '      volumes:', '        - name: certs', '          secret:', '            secretName: dashboard-certs'] },
    expected: [],
  },
  {
    peer: 'checkov',
    name: 'secrets yml_multiline: *_PASSWORD_* env values of high entropy, name before or after value',
    peerReports: true,
    files: {
      'deploy.yaml': workload('Deployment', 'apps/v1', 'app', [
        '- name: TEST_SOMETHING',
        '  value: not-a-real-password',
        '- value: NIh+y4gdNueZfhWtJPM2PErS8RIxvgNlQdYRAqLzu0apSFxFkkuQpnIDqHgCqSiH',
        '  name: TEST_PASSWORD_1',
        '- name: TEST_PASSWORD_3',
        '  value: vmwSWkSU4ev+/0S88XR6RV/pghuMKtwac4KBhzHtWD2ryPa86nctblFMX24a8SGf',
      ]),
    },
    expected: [
      [ENV, 'deploy.yaml', 14, 'high'],
      [ENV, 'deploy.yaml', 17, 'high'],
    ],
  },
  {
    peer: 'checkov',
    name: 'secrets yml_multiline: TEST_PASSWORD_LONG_1 (a qualifier after the credential word)',
    peerReports: true,
    files: { 'deploy.yaml': workload('Deployment', 'apps/v1', 'app', ['- name: TEST_PASSWORD_LONG_1', '  value: CdTXoauBzTfTE9VZfOK/IzYu8nkLYTwanr+qtesehXgUvsVUJzye4WVP5EfJEiqZnudn3j1abT1JJd9AXezbPYZNxemyIAXE8qp7IjpXpKHo7Tpgdl']) },
    expected: [],
    why: 'footprint reads an env literal as a credential by its name: a word after PASSWORD (PASSWORD_LONG, like PASSWORD_MIN_LENGTH) makes it a setting about passwords; entropy alone would take image digests, checksums and ids for secrets',
  },
  {
    peer: 'checkov',
    name: 'secrets yml_multiline: TEST_PASSWORD_no_password = a low-entropy password',
    peerReports: false,
    files: { 'deploy.yaml': workload('Deployment', 'apps/v1', 'app', ['- name: TEST_PASSWORD_no_password', '  value: Summer@2024pw']) },
    expected: [[ENV, 'deploy.yaml', 13, 'high']],
    why: 'a password is a credential whatever its entropy; human-chosen ones are the weakest to commit',
  },
  // ---- Trivy KSV-0109 "ConfigMap with secrets" (configMap_with_secrets_test.rego) -----------------------------------
  { peer: 'trivy', name: 'KSV-0109 happy: colours', peerReports: false, files: { 'cm.yaml': configMap('test', ['color.good: blue', 'color.bad: yellow']) }, expected: [] },
  {
    peer: 'trivy',
    name: 'KSV-0109 cm keys with sensitive values: password, secretkey',
    peerReports: true,
    files: { 'cm.yaml': configMap('test', ['password: pa55word123', 'secretkey: Jk8vQ2xW7mRt']) },
    expected: [
      [CM, 'cm.yaml', 6, 'high'],
      [CM, 'cm.yaml', 7, 'high'],
    ],
  },
  {
    peer: 'trivy',
    name: 'KSV-0109 colon-separated secret in a one-line value (config: "DB_PASSWORD:…")',
    peerReports: true,
    files: { 'cm.yaml': configMap('test', ['config: "DB_PASSWORD:n0tS0secret"', 'color: blue']) },
    expected: [[CM, 'cm.yaml', 6, 'high']],
  },
  {
    peer: 'trivy',
    name: 'KSV-0109 equals-separated secret in a one-line value (env: "REDIS_MASTER_PASSWORD=…")',
    peerReports: true,
    files: { 'cm.yaml': configMap('test', ['env: REDIS_MASTER_PASSWORD=r3d1sPw0rd', 'theme: dark']) },
    expected: [[CM, 'cm.yaml', 6, 'high']],
  },
  { peer: 'trivy', name: 'KSV-0109 empty secret assignment', peerReports: false, files: { 'cm.yaml': configMap('test', ['env: REDIS_MASTER_PASSWORD=', 'theme: dark']) }, expected: [] },
  {
    peer: 'trivy',
    name: 'KSV-0109 shell interpolation of a password file',
    peerReports: false,
    files: { 'cm.yaml': configMap('test', ['test: REDIS_MASTER_PASSWORD="$(< "${REDIS_MASTER_PASSWORD_FILE}")"']) },
    expected: [],
  },
  { peer: 'trivy', name: 'KSV-0109 env variable reference', peerReports: false, files: { 'cm.yaml': configMap('test', ['test: DB_PASSWORD=${DB_PASSWORD}']) }, expected: [] },
  {
    peer: 'trivy',
    name: 'KSV-0109 template syntax in a plain manifest',
    peerReports: false,
    files: { 'cm.yaml': configMap('test', ['test: "REDIS_MASTER_PASSWORD={{ .Values.redis.password }}"']) },
    expected: [],
  },
  {
    peer: 'trivy',
    name: 'KSV-0109 template syntax in a chart: the ConfigMap renders the password from values',
    peerReports: false,
    files: {
      'chart/Chart.yaml': ['apiVersion: v2', 'name: cache', 'version: 0.1.0'],
      'chart/values.yaml': ['redis:', '  password: ""'],
      'chart/templates/configmap.yaml': configMap('{{ .Release.Name }}-env', ['app.env: |', '  REDIS_HOST=redis', '  REDIS_MASTER_PASSWORD={{ .Values.redis.password }}']),
    },
    expected: [[CM, 'chart/templates/configmap.yaml', 8, 'high']],
    why: 'whatever values supply, the chart renders the password into a ConfigMap: readable with namespace read access and never encrypted at rest',
  },
  // ---- Trivy KSV-01010 "ConfigMap with sensitive content" ------------------------------------------------------------
  {
    peer: 'trivy',
    name: 'KSV-01010: a username key',
    peerReports: true,
    files: { 'cm.yaml': configMap('cm-with-sensitive', ['color.good: blue', 'username: test']) },
    expected: [],
    why: 'a user name is not a credential',
  },
  // ---- Polaris sensitiveContainerEnvVar (names AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_CREDENTIALS, AZURE_*KEY,
  //      OCI_CLI_KEY_CONTENT, *password*, *token*, *bearer*, *secret*; values holding a private key) ----------------------
  {
    peer: 'polaris',
    name: 'failure.key_password: my_password literal beside a user name',
    peerReports: true,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: user_name', '    value: postgres', '  - name: my_password', '    value: hunter42x']) },
    expected: [[ENV, 'pod.yaml', 13, 'high']],
  },
  {
    peer: 'polaris',
    name: 'failure.key_aws_secret_access_key: AWS_SECRET_ACCESS_KEY literal',
    peerReports: true,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: AWS_SECRET_ACCESS_KEY', '    value: wJ7rXUtnFEMIK7MDENGbPxRfiCYz9Qk2Lm4vTs8a']) },
    expected: [[ENV, 'pod.yaml', 11, 'high']],
  },
  {
    peer: 'polaris',
    name: 'failure.key_* with a stub value (xxx)',
    peerReports: true,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: AWS_SECRET_ACCESS_KEY', '    value: xxx', '  - name: AZURE_BATCH_KEY', '    value: xxx', '  - name: OCI_CLI_KEY_CONTENT', '    value: xxx']) },
    expected: [],
    why: '`xxx` stands in for a value; it is no credential',
  },
  {
    peer: 'polaris',
    name: 'failure.key_azure_batch_key: AZURE_*_KEY literal',
    peerReports: true,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: AZURE_BATCH_KEY', '    value: Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC']) },
    expected: [[ENV, 'pod.yaml', 11, 'high']],
  },
  {
    peer: 'polaris',
    name: 'failure.key_oci_cli_key_content: a private key in OCI_CLI_KEY_CONTENT',
    peerReports: true,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: OCI_CLI_KEY_CONTENT', '    value: |', `      ${PEM_BEGIN}`, '      b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', `      ${PEM_END}`]) },
    expected: [[ENV, 'pod.yaml', 11, 'high']],
  },
  {
    peer: 'polaris',
    name: 'failure.value_private_key: a private key under a name that says nothing',
    peerReports: true,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: user_name', '    value: postgres', '  - name: the_good_stuff', '    value: |', `      ${PEM_BEGIN}`, '      b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', `      ${PEM_END}`]) },
    expected: [[ENV, 'pod.yaml', 13, 'high']],
  },
  {
    peer: 'polaris',
    name: 'success.sensitive_key_uses_valueFrom: token from a Secret',
    peerReports: false,
    files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: token', '    valueFrom:', '      secretKeyRef:', '        name: a-secret', '        key: token']) },
    expected: [],
  },
  { peer: 'polaris', name: 'success.valid_env_vars: greeting', peerReports: false, files: { 'pod.yaml': pod('test-pod', ['env:', '  - name: greeting', '    value: hello']) }, expected: [] },
  {
    peer: 'polaris',
    name: 'rule logic: names that hold the words (TOKEN_TTL, PASSWORD_MIN_LENGTH, BEARER_HEADER, GOOGLE_APPLICATION_CREDENTIALS path)',
    peerReports: true,
    files: {
      'pod.yaml': pod('test-pod', ['env:', '  - name: TOKEN_TTL', '    value: "3600"', '  - name: PASSWORD_MIN_LENGTH', '    value: "12"', '  - name: BEARER_HEADER', '    value: Authorization', '  - name: GOOGLE_APPLICATION_CREDENTIALS', '    value: /var/run/gcp/key.json']),
    },
    expected: [],
    why: 'a lifetime, a length, a header name and the path of a mounted key file are settings; the key file itself is a Secret volume',
  },
  // ---- kubesec SecretsAsEnvironmentVariables (secretKeyRef / envFrom.secretRef lower the score) ----------------------
  {
    peer: 'kubesec',
    name: 'Pod, Deployment and CronJob read a Secret into env (secretKeyRef, envFrom)',
    peerReports: true,
    files: {
      'pod.yaml': pod('env-secret', ['env:', '  - name: SECRET_USERNAME', '    valueFrom:', '      secretKeyRef:', '        name: backend-user', '        key: backend-username']),
      'deploy.yaml': workload('Deployment', 'apps/v1', 'envfrom-secret', ['- name: LOG_LEVEL', '  value: info'], ['          envFrom:', '            - secretRef:', '                name: app-login']),
      'cron.yaml': [
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata:',
        '  name: env-secret',
        'spec:',
        '  schedule: "0 * * * *"',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers:',
        '            - name: job',
        '              image: example/job:1.0',
        '              env:',
        '                - name: SECRET_USERNAME',
        '                  valueFrom:',
        '                    secretKeyRef:',
        '                      name: backend-user',
        '                      key: backend-username',
      ],
    },
    expected: [],
    why: 'reading a Secret is the remedy footprint prescribes, not a committed credential',
  },
  {
    peer: 'kubesec',
    name: 'No_Env_Secrets: SECRET_USERNAME set to a user name literal',
    peerReports: false,
    files: { 'pod.yaml': pod('no-env-secrets', ['env:', '  - name: SECRET_USERNAME', '    value: bob']) },
    expected: [],
  },
  {
    peer: 'kubesec',
    name: 'CronJob with a literal password (kubesec only scores Secret reads)',
    peerReports: false,
    files: {
      'cron.yaml': [
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata:',
        '  name: nightly-export',
        'spec:',
        '  schedule: "0 2 * * *"',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers:',
        '            - name: job',
        '              image: example/job:1.0',
        '              env:',
        '                - name: EXPORT_DB_PASSWORD',
        '                  value: Nw4pQ8zR2t',
      ],
    },
    expected: [[ENV, 'cron.yaml', 16, 'high']],
    why: 'the literal in the pod template is the committed credential; kubesec scores how Secrets are read, not literals',
  },
  // ---- Charts and Kustomize: kube-linter and Checkov render them, then run the checks above on the output ---------------
  {
    peer: 'kube-linter',
    name: 'env-var-secret on a rendered chart: SECRET_KEY_BASE from a values literal',
    peerReports: true,
    files: {
      'charts/web/Chart.yaml': ['apiVersion: v2', 'name: web', 'version: 1.0.0'],
      'charts/web/values.yaml': ['secretKeyBase: 9fK2xQ7mLp4vRt8wZs3nBy6cHd1jGa5e'],
      'charts/web/templates/deployment.yaml': workload('Deployment', 'apps/v1', '{{ .Release.Name }}', ['- name: SECRET_KEY_BASE', '  value: {{ .Values.secretKeyBase | quote }}']),
    },
    // Reported where the literal is committed: the values file, not the rendered env.
    expected: [[VALUES, 'charts/web/values.yaml', 1, 'high']],
  },
  {
    peer: 'checkov',
    name: 'helm framework: values password rendered into a chart Secret, read by the Deployment through secretKeyRef',
    peerReports: true,
    files: {
      'charts/api/Chart.yaml': ['apiVersion: v2', 'name: api', 'version: 1.0.0'],
      'charts/api/values.yaml': ['auth:', '  password: Wd8rT3kQ6z'],
      'charts/api/templates/secret.yaml': ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: {{ .Release.Name }}-auth', 'stringData:', '  password: {{ .Values.auth.password | quote }}'],
      'charts/api/templates/deployment.yaml': workload('Deployment', 'apps/v1', '{{ .Release.Name }}', ['- name: API_PASSWORD', '  valueFrom:', '    secretKeyRef:', '      name: {{ .Release.Name }}-auth', '      key: password']),
    },
    expected: [
      ['chart-owned-inline-secret-template', 'charts/api/templates/secret.yaml', 6, 'high'],
      [VALUES, 'charts/api/values.yaml', 2, 'high'],
    ],
    why: 'CKV_K8S_35 reports the Deployment for reading the Secret into env; footprint reports the committed password in values and the chart Secret that takes it from values instead of an authority',
  },
  {
    peer: 'checkov',
    name: 'kustomize framework: a secretGenerator with a literal password',
    peerReports: false,
    files: {
      'app/kustomization.yaml': ['resources:', '  - deployment.yaml', 'secretGenerator:', '  - name: api-auth', '    literals:', '      - username=api', '      - password=Wd8rT3kQ6z'],
      'app/deployment.yaml': workload('Deployment', 'apps/v1', 'api', ['- name: LOG_LEVEL', '  value: info']),
    },
    expected: [[SECRET, 'app/kustomization.yaml', 7, 'high']],
    why: 'the generated Secret commits its password in the kustomization; Checkov has no check on Secret contents',
  },
  {
    peer: 'checkov',
    name: 'kustomize framework: a secretGenerator reading a committed .env',
    peerReports: false,
    files: {
      'app/kustomization.yaml': ['secretGenerator:', '  - name: api-auth', '    envs:', '      - api.env'],
      'app/api.env': ['API_USER=api', 'API_PASSWORD=Wd8rT3kQ6z'],
    },
    expected: [[SECRET, 'app/api.env', 2, 'high']],
    why: 'the dotenv file the generator reads is committed with the password; Checkov has no check on Secret contents',
  },
  {
    peer: 'trivy',
    name: 'KSV-0109 rule logic: the same assignment in a workload env (KSV-0109 reads ConfigMaps only)',
    peerReports: false,
    files: { 'deploy.yaml': workload('Deployment', 'apps/v1', 'billing', ['- name: JAVA_OPTS', '  value: "-Xmx1g -Dspring.datasource.password=Tk3mW8qZ"']) },
    expected: [[ENV, 'deploy.yaml', 13, 'high']],
    why: 'a pod template commits the password as a ConfigMap would; the same assignment is reported wherever it is written',
  },
];

describe('Kubernetes secret checks of other tools, case by case', () => {
  for (const c of CASES) {
    it(`${c.peer}: ${c.name}`, async () => {
      const result = await scanTree(c.files);
      const ours = result.findings.map((f): Expected => [f.ruleId, f.file, f.line ?? 0, f.severity]).sort((a, b) => a[1].localeCompare(b[1]) || a[2] - b[2] || a[0].localeCompare(b[0]));
      expect(ours).toEqual(c.expected);
      // A disagreement with the peer is deliberate and says why.
      if (c.expected.length > 0 !== c.peerReports) expect(c.why, 'why our answer differs').toBeTruthy();
    });
  }

  it('covers every peer', () => {
    const count = (peer: PeerCase['peer']) => CASES.filter((c) => c.peer === peer).length;
    expect([count('kube-linter'), count('checkov'), count('trivy'), count('polaris'), count('kubesec')].every((n) => n >= 3)).toBe(true);
  });
});

describe('no secret value in what is reported', () => {
  it('keeps one-line assignments, options and key material out of messages', async () => {
    const literal = ['s3cr3t', 'Value', String(7 * 6)].join('-');
    const key = 'Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC';
    const result = await scanTree({
      'cm.yaml': configMap('cache-env', [`env: REDIS_MASTER_PASSWORD=${literal}`]),
      'deploy.yaml': workload('Deployment', 'apps/v1', 'billing', ['- name: JAVA_OPTS', `  value: "-Dspring.datasource.password=${literal}"`, '- name: COSMOS_KEY', `  value: ${key}`]),
    });
    expect(result.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([
      [CM, 'cm.yaml', 6],
      [ENV, 'deploy.yaml', 13],
      [ENV, 'deploy.yaml', 15],
    ]);
    const text = JSON.stringify(result.findings);
    expect(text).not.toContain(literal);
    expect(text).not.toContain(key);
  });
});
