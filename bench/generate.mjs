#!/usr/bin/env node
// Deterministic generator of a platform monorepo for the scale bench (issue 7).
//
//   node bench/generate.mjs [--files 100000] [--seed 7] [--out DIR]
//
// Without --out it writes to a fresh temp dir (never into the repo) and prints its path. The tree holds Helm charts
// (templates, values per environment), raw manifests, Dockerfiles, TS/Python/Go tests, shell scripts, docs, and
// noise: node_modules-like folders (excluded by default), vendored charts (scanned, findings dropped), binary files
// and a few large files. Planted footprints are listed in DIR.expected.json next to the tree (outside it, so it is
// not scanned): per rule id, how many findings the plants must produce.
//
// The same seed and file count give byte-identical trees.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: small, fast, good enough for shuffling words. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['orders', 'billing', 'ledger', 'search', 'catalog', 'invoice', 'ingest', 'notify', 'gateway', 'profile', 'report', 'audit', 'export', 'import', 'scheduler', 'pricing', 'quota', 'tenant', 'session', 'media', 'thumbnail', 'feed', 'ranking', 'inbox', 'sync', 'webhook', 'metering', 'usage', 'graph', 'forms'];
const TEAMS = ['core', 'growth', 'data', 'payments', 'identity', 'platform', 'ml', 'ops'];
const ENVS = ['dev', 'staging', 'production'];
const LOREM = 'the service reads its settings from the environment and exposes a health endpoint on the admin port while the worker pool drains the queue in batches'.split(' ');

/** Rule ids the plants below cover. The bench reports registered rules missing from this list as uncovered. */
export const PLANTED_RULES = [
  'inline-secret-manifest',
  'chart-owned-inline-secret-template',
  'inline-credential-in-values',
  'vault-authored-db-credential',
  'cnpg-role-password-from-externalsecret',
  'cluster-managed-secret-from-azure-kv',
  'pushsecret-non-replace-policy',
  'bidirectional-secret-sync',
  'vault-mirror-consumed',
  'secret-in-configmap',
  'sealed-secret-manifest',
  'workload-env-literal-credential',
  'externalsecret-refresh-interval',
  'duplicate-externalsecret-owner',
]; // calibrated against the rules at commit 08358aa+ (see bench/results/)

export function generate({ files: target = 100_000, seed = 7, out } = {}) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const sentence = (n) => Array.from({ length: n }, () => pick(LOREM)).join(' ');
  const root = out ? resolve(out) : mkdtempSync(join(tmpdir(), 'fp-gen-'));
  mkdirSync(root, { recursive: true });
  const made = new Set();
  let count = 0;
  let bytes = 0;
  const write = (rel, content) => {
    if (count >= target) return false;
    const file = join(root, rel);
    const dir = dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, content);
    count++;
    bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
    return true;
  };

  const expected = {};
  const expect = (rule, n = 1) => (expected[rule] = (expected[rule] ?? 0) + n);

  // ---- shared platform files (once) ----
  write('.gitignore', 'node_modules/\n*.log\n/tmp/\n.footprint-cache/\n');
  write('manifests/external-secrets/secret-stores.yaml', STORES);
  write('README.md', `# platform\n\n${sentence(60)}\n`);

  // ---- plants: a fixed number per rule, proportional to the tree, each a self-contained unit ----
  const perRule = Math.max(2, Math.round(target / 5000));
  for (let i = 0; i < perRule; i++) {
    for (const plant of PLANTS) plant({ i, write, expect, pick, env: ENVS[i % ENVS.length], svc: `${pick(WORDS)}${i}` });
  }

  // ---- the bulk: services until the file budget is spent ----
  let s = 0;
  while (count < target) {
    const svc = `${WORDS[s % WORDS.length]}-${Math.floor(s / WORDS.length)}`;
    const team = TEAMS[s % TEAMS.length];
    service({ svc, team, s, write, pick, int, sentence, rand });
    s++;
  }
  const summary = { seed, files: count, bytes, services: s, perRule, expected };
  writeFileSync(`${root}.expected.json`, `${JSON.stringify(summary, null, 2)}\n`);
  return { root, ...summary };
}

function service({ svc, team, s, write, pick, int, sentence, rand }) {
  const chart = `charts/${svc}`;
  const port = 8000 + (s % 1000);
  write(`${chart}/Chart.yaml`, `apiVersion: v2\nname: ${svc}\ndescription: ${sentence(8)}\ntype: application\nversion: 1.${s % 40}.0\nappVersion: "2.${s % 13}.1"\n`);
  write(`${chart}/values.yaml`, chartValues(svc, port, int, sentence));
  write(`${chart}/templates/_helpers.tpl`, helpers(svc));
  write(`${chart}/templates/NOTES.txt`, `1. Get the application URL:\n  kubectl port-forward svc/{{ include "${svc}.fullname" . }} ${port}:${port}\n`);
  write(`${chart}/templates/deployment.yaml`, deploymentTemplate(svc));
  write(`${chart}/templates/service.yaml`, serviceTemplate(svc));
  write(`${chart}/templates/configmap.yaml`, configMapTemplate(svc));
  write(`${chart}/templates/hpa.yaml`, hpaTemplate(svc));
  write(`${chart}/templates/serviceaccount.yaml`, saTemplate(svc));
  if (s % 3 === 0) write(`${chart}/templates/ingress.yaml`, ingressTemplate(svc));
  for (const env of ['dev', 'staging', 'production']) {
    write(`values/env/${env}/apps/${svc}.yaml`, `# ${svc}: ${env} overrides.\nreplicaCount: ${env === 'production' ? int(3, 6) : 1}\nimage:\n  tag: "2.${s % 13}.${int(0, 9)}"\nresources:\n  requests:\n    cpu: ${int(1, 9)}00m\n    memory: ${int(1, 8)}00Mi\nconfig:\n  logLevel: ${env === 'production' ? 'info' : 'debug'}\n  featureFlags: [${pick(['a', 'b', 'c'])}, ${pick(['d', 'e'])}]\n`);
  }
  write(`values/_shared/apps/${svc}.yaml`, `# ${svc}: shared values.\nexistingSecret: ${svc}-api-credentials\nservice:\n  port: ${port}\npodAnnotations:\n  reloader.stakater.com/auto: "true"\n`);
  write(`environments/${pick(['dev', 'staging', 'production'])}/${team}/${svc}-config.yaml`, rawConfigMap(svc, team, sentence));
  write(`manifests/${team}/${svc}/networkpolicy.yaml`, networkPolicy(svc, team, port));
  const src = `services/${svc}`;
  write(`${src}/Dockerfile`, dockerfile(svc, port));
  write(`${src}/package.json`, JSON.stringify({ name: `@platform/${svc}`, version: '1.0.0', private: true, scripts: { test: 'vitest run' } }, null, 2));
  for (let k = 0; k < int(4, 10); k++) write(`${src}/src/${pick(['handler', 'service', 'model', 'client', 'util', 'routes', 'queue'])}${k}.ts`, tsModule(svc, k, sentence, int));
  for (let k = 0; k < int(2, 5); k++) write(`${src}/test/${pick(['api', 'unit', 'flow'])}${k}.test.ts`, tsTest(svc, k));
  write(`${src}/e2e/smoke.spec.ts`, tsTest(svc, 99));
  if (s % 2 === 0) {
    write(`${src}/worker/tests/test_${svc.replace(/-/g, '_')}.py`, pyTest(svc));
    write(`${src}/worker/${svc.replace(/-/g, '_')}.py`, `import os\n\nQUEUE = os.environ.get("QUEUE", "${svc}")\n\n\ndef handle(msg):\n    return {"ok": True, "id": msg["id"]}\n`);
  } else {
    write(`${src}/cmd/server/main_test.go`, goTest(svc));
    write(`${src}/cmd/server/main.go`, `package main\n\nimport "os"\n\nfunc main() {\n\tport := os.Getenv("PORT")\n\t_ = port\n}\n`);
  }
  write(`${src}/scripts/dev-up.sh`, shellScript(svc));
  write(`${src}/README.md`, `# ${svc}\n\nOwned by team ${team}. ${sentence(40)}\n\n## Running locally\n\n\`\`\`sh\nnpm ci && npm test\n\`\`\`\n\n${sentence(80)}\n`);
  write(`docs/${team}/${svc}.md`, `# ${svc} runbook\n\n${sentence(120)}\n`);
  // Noise: vendored dependencies, excluded folders, binaries, large files.
  for (let k = 0; k < int(3, 8); k++) write(`${src}/node_modules/${pick(['left-pad', 'lodash', 'yaml', 'chalk', 'debug'])}${k}/index.js`, `module.exports = function () { return ${k}; };\n// ${sentence(30)}\n`);
  if (s % 5 === 0) {
    write(`third_party/charts/${svc}-upstream/Chart.yaml`, `apiVersion: v2\nname: ${svc}-upstream\nversion: 0.${s % 9}.0\n`);
    write(`third_party/charts/${svc}-upstream/values.yaml`, `# Vendored upstream chart: literal defaults are the vendor's problem.\nauth:\n  password: "vendor-default-${svc}"\n`);
    write(`third_party/charts/${svc}-upstream/templates/secret.yaml`, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${svc}-upstream\nstringData:\n  password: upstream-literal-${s}\n`);
  }
  if (s % 7 === 0) write(`${src}/assets/logo.png`, binary(rand, int(2_000, 20_000)));
  if (s % 997 === 0) write(`${src}/fixtures/huge-dump.log`, Buffer.alloc(6 * 1024 * 1024, `log line for ${svc}\n`));
  if (s % 499 === 0) write(`${chart}/crds/${svc}-crd.yaml`, bigCrd(svc, 3000));
}

function binary(rand, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  b[0] = 0x89;
  b[1] = 0;
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// Plants. Each adds files and declares how many findings of which rule they must produce.
// ---------------------------------------------------------------------------------------------------------------

const PLANTS = [
  function inlineSecret({ svc, env, write, expect }) {
    write(`environments/${env}/legacy/${svc}-smtp-credentials.yaml`, `# Legacy relay credentials, committed before ESO.\napiVersion: v1\nkind: Secret\nmetadata:\n  name: ${svc}-smtp-credentials\n  namespace: ${svc}\ntype: Opaque\nstringData:\n  username: relay-${svc}\n  password: Rly-${svc}-EXAMPLE-0000\n`);
    expect('inline-secret-manifest');
  },
  function chartOwnedSecret({ svc, write, expect }) {
    write(`charts/legacy-${svc}/Chart.yaml`, `apiVersion: v2\nname: legacy-${svc}\nversion: 0.1.0\n`);
    write(`charts/legacy-${svc}/values.yaml`, `auth:\n  password: ""\n`);
    write(`charts/legacy-${svc}/templates/secret.yaml`, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-auth\ntype: Opaque\nstringData:\n  AUTH_PASSWORD: {{ .Values.auth.password | quote }}\n`);
    expect('chart-owned-inline-secret-template');
  },
  function valuesLiteral({ svc, env, write, expect }) {
    write(`values/env/${env}/apps/${svc}-payments.yaml`, `# ${svc}: payment provider overrides.\npaymentProvider:\n  baseUrl: https://api.payments.example.com\n  apiKey: "example-live-${svc}-key-0000"\n`);
    expect('inline-credential-in-values');
  },
  function vaultDbCredential({ svc, write, expect }) {
    write(`manifests/external-secrets/${svc}-db-credentials.yaml`, externalSecret({ name: `${svc}-db-credentials-sync`, ns: svc, store: 'platform-vault', target: `${svc}-db-credentials`, keys: [['password', `${svc}-db-password`]] }));
    expect('vault-authored-db-credential');
    // A database credential the cluster rotates, fetched every hour.
    expect('externalsecret-refresh-interval');
  },
  function cnpgRoleFromEs({ svc, write, expect }) {
    write(`environments/production/data/${svc}-pg.yaml`, `apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: ${svc}-pg\n  namespace: ${svc}\nspec:\n  instances: 2\n  managed:\n    roles:\n      - name: ${svc.replace(/[^a-z0-9]/g, '')}\n        ensure: present\n        login: true\n        passwordSecret:\n          name: ${svc}-role-login\n`);
    write(`manifests/external-secrets/${svc}-role-login.yaml`, externalSecret({ name: `${svc}-role-login-sync`, ns: svc, store: 'platform-vault', target: `${svc}-role-login`, keys: [['password', `${svc}-role-login`]] }));
    expect('cnpg-role-password-from-externalsecret');
    expect('externalsecret-refresh-interval');
  },
  function azureKvClusterManaged({ i, svc, write, expect }) {
    write(`manifests/external-secrets/${svc}-grafana-akv.yaml`, externalSecret({ name: `${svc}-grafana-admin-akv`, ns: 'observability', store: 'azure-kv', target: 'grafana-admin-credentials', keys: [['admin-password', `${svc}-grafana-admin-password`]] }));
    expect('cluster-managed-secret-from-azure-kv');
    // Every plant after the first writes the same Secret (observability/grafana-admin-credentials) again.
    if (i > 0) expect('duplicate-externalsecret-owner');
  },
  function pushNonReplace({ svc, write, expect }) {
    write(`manifests/push-secrets/${svc}-signing-mirror.yaml`, pushSecret({ name: `${svc}-signing-mirror`, ns: svc, policy: 'IfNotExists', secret: `${svc}-signing`, remoteKey: `${svc}-signing-key` }));
    expect('pushsecret-non-replace-policy');
  },
  function bidirectional({ svc, write, expect }) {
    write(`manifests/push-secrets/${svc}-webhook-mirror.yaml`, pushSecret({ name: `${svc}-webhook-mirror`, ns: svc, policy: 'Replace', secret: `${svc}-webhook`, remoteKey: `${svc}-webhook-hmac` }));
    write(`manifests/external-secrets/${svc}-webhook.yaml`, externalSecret({ name: `${svc}-webhook-sync`, ns: svc, store: 'platform-vault', target: `${svc}-webhook`, keys: [['hmac', `${svc}-webhook-hmac`]] }));
    expect('bidirectional-secret-sync');
  },
  function mirrorConsumed({ svc, write, expect }) {
    write(`manifests/push-secrets/${svc}-token-mirror.yaml`, pushSecret({ name: `${svc}-token-mirror`, ns: svc, policy: 'Replace', secret: `${svc}-token`, remoteKey: `${svc}-service-token` }));
    write(`manifests/external-secrets/${svc}-int-tests.yaml`, externalSecret({ name: `${svc}-int-tests-sync`, ns: `${svc}-int-tests`, store: 'platform-vault', target: `${svc}-int-tests-secrets`, keys: [['SERVICE_TOKEN', `${svc}-service-token`]] }));
    expect('vault-mirror-consumed');
  },
];

PLANTS.push(
  function configMapCredential({ svc, write, expect }) {
    write(`environments/staging/${svc}/legacy-config.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${svc}-legacy-config\n  namespace: ${svc}\ndata:\n  LOG_LEVEL: info\n  SIGNING_SECRET: ${svc}-example-signing-secret-0000\n`);
    expect('secret-in-configmap');
  },
  function sealedSecret({ svc, write, expect }) {
    write(`environments/production/${svc}/sealed-webhook.yaml`, `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: ${svc}-webhook-signing\n  namespace: ${svc}\nspec:\n  encryptedData:\n    signing-key: AgBEXAMPLEexampleEXAMPLEexample${svc}==\n`);
    expect('sealed-secret-manifest');
  },
  function workloadEnvLiteral({ svc, write, expect }) {
    write(`environments/production/${svc}/reconciler.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${svc}-reconciler\n  namespace: ${svc}\nspec:\n  selector:\n    matchLabels:\n      app: ${svc}-reconciler\n  template:\n    metadata:\n      labels:\n        app: ${svc}-reconciler\n    spec:\n      containers:\n        - name: reconciler\n          image: ghcr.io/platform/${svc}:1.0.0\n          env:\n            - name: API_TOKEN\n              value: "${svc}-example-api-token-0000"\n`);
    expect('workload-env-literal-credential');
  },
);

function externalSecret({ name, ns, store, target, keys }) {
  const data = keys.map(([k, r]) => `    - secretKey: ${k}\n      remoteRef:\n        key: ${r}\n        property: value\n`).join('');
  return `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  refreshInterval: 1h\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: ${store}\n  target:\n    name: ${target}\n  data:\n${data}`;
}

function pushSecret({ name, ns, policy, secret, remoteKey }) {
  return `apiVersion: external-secrets.io/v1alpha1\nkind: PushSecret\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  updatePolicy: ${policy}\n  refreshInterval: 10m\n  secretStoreRefs:\n    - kind: ClusterSecretStore\n      name: platform-vault\n  selector:\n    secret:\n      name: ${secret}\n  data:\n    - match:\n        secretKey: value\n        remoteRef:\n          remoteKey: ${remoteKey}\n          property: value\n`;
}

const STORES = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: platform-vault
spec:
  provider:
    vault:
      server: http://vault.vault.svc.cluster.local:8200
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: external-secrets
---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: azure-kv
spec:
  provider:
    azurekv:
      authType: WorkloadIdentity
      vaultUrl: https://platform-kv.vault.azure.net
`;

// ---------------------------------------------------------------------------------------------------------------
// Background content: realistic, and clean for every rule.
// ---------------------------------------------------------------------------------------------------------------

function chartValues(svc, port, int, sentence) {
  const lines = [`## @section ${svc} parameters`, `## ${sentence(14)}`, `replicaCount: 1`, `image:`, `  registry: ghcr.io`, `  repository: platform/${svc}`, `  tag: ""`, `  pullPolicy: IfNotPresent`, `## Name of an existing Secret with the API credentials (keys: api-key)`, `existingSecret: ""`, `service:`, `  type: ClusterIP`, `  port: ${port}`, `ingress:`, `  enabled: false`, `  hostname: ${svc}.local`, `resources:`, `  limits: {}`, `  requests:`, `    cpu: 100m`, `    memory: 128Mi`, `autoscaling:`, `  enabled: false`, `  minReplicas: 1`, `  maxReplicas: ${int(2, 10)}`, `config:`, `  logLevel: info`, `  queue: ${svc}-events`];
  for (let k = 0; k < int(20, 80); k++) lines.push(`  ## ${sentence(int(6, 16))}`, `  option${k}: ${pick2(k)}`);
  lines.push(`podSecurityContext:`, `  enabled: true`, `  fsGroup: 1001`, `nodeSelector: {}`, `tolerations: []`, `affinity: {}`);
  return `${lines.join('\n')}\n`;
}
function pick2(k) {
  return k % 3 === 0 ? 'true' : k % 3 === 1 ? `"value-${k}"` : String(k * 7);
}

function helpers(svc) {
  return `{{/* Expand the name of the chart. */}}\n{{- define "${svc}.name" -}}\n{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}\n{{- end }}\n\n{{- define "${svc}.fullname" -}}\n{{- if .Values.fullnameOverride }}\n{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}\n{{- else }}\n{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}\n{{- end }}\n{{- end }}\n\n{{- define "${svc}.labels" -}}\napp.kubernetes.io/name: {{ include "${svc}.name" . }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n`;
}

function deploymentTemplate(svc) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "${svc}.fullname" . }}
  labels:
    {{- include "${svc}.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "${svc}.labels" . | nindent 6 }}
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
      labels:
        {{- include "${svc}.labels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "${svc}.fullname" . }}
      containers:
        - name: ${svc}
          image: "{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          envFrom:
            - configMapRef:
                name: {{ include "${svc}.fullname" . }}
          env:
            - name: LOG_LEVEL
              value: {{ .Values.config.logLevel | quote }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
`;
}

function serviceTemplate(svc) {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "${svc}.fullname" . }}\n  labels:\n    {{- include "${svc}.labels" . | nindent 4 }}\nspec:\n  type: {{ .Values.service.type }}\n  ports:\n    - port: {{ .Values.service.port }}\n      targetPort: http\n      name: http\n  selector:\n    {{- include "${svc}.labels" . | nindent 4 }}\n`;
}
function configMapTemplate(svc) {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "${svc}.fullname" . }}\ndata:\n  LOG_LEVEL: {{ .Values.config.logLevel | quote }}\n  QUEUE_NAME: {{ .Values.config.queue | quote }}\n  {{- range $k, $v := .Values.config }}\n  {{ $k | upper }}: {{ $v | quote }}\n  {{- end }}\n`;
}
function hpaTemplate(svc) {
  return `{{- if .Values.autoscaling.enabled }}\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ include "${svc}.fullname" . }}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {{ include "${svc}.fullname" . }}\n  minReplicas: {{ .Values.autoscaling.minReplicas }}\n  maxReplicas: {{ .Values.autoscaling.maxReplicas }}\n{{- end }}\n`;
}
function saTemplate(svc) {
  return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include "${svc}.fullname" . }}\nautomountServiceAccountToken: false\n`;
}
function ingressTemplate(svc) {
  return `{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ include "${svc}.fullname" . }}\nspec:\n  rules:\n    - host: {{ .Values.ingress.hostname }}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {{ include "${svc}.fullname" . }}\n                port:\n                  name: http\n{{- end }}\n`;
}
function rawConfigMap(svc, team, sentence) {
  return `# ${sentence(10)}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${svc}-settings\n  namespace: ${team}\ndata:\n  LOG_LEVEL: info\n  QUEUE: ${svc}-events\n  UPSTREAM_URL: http://${svc}.${team}.svc.cluster.local\n`;
}
function networkPolicy(svc, team, port) {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${svc}-ingress\n  namespace: ${team}\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: ${svc}\n  ingress:\n    - ports:\n        - port: ${port}\n`;
}
function dockerfile(svc, port) {
  return `# syntax=docker/dockerfile:1.7\nFROM node:20-bookworm AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\nCOPY . .\nRUN npm run build\n\nFROM gcr.io/distroless/nodejs20-debian12\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\nENV PORT=${port}\nEXPOSE ${port}\nUSER 1001\nCMD ["dist/index.js"]\n`;
}
function tsModule(svc, k, sentence, int) {
  const fns = Array.from({ length: int(3, 12) }, (_, j) => `/** ${sentence(10)} */\nexport function step${j}(input: { id: string; count: number }): number {\n  const factor = ${j + 1};\n  return input.count * factor + input.id.length;\n}\n`).join('\n');
  return `import { readFileSync } from 'node:fs';\n\nexport const SERVICE = '${svc}';\nexport const MODULE = ${k};\n\n${fns}\nexport function loadSettings(path: string): Record<string, string> {\n  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;\n}\n`;
}
function tsTest(svc, k) {
  return `import { describe, expect, it } from 'vitest';\nimport { step0 } from '../src/handler0';\n\ndescribe('${svc} ${k}', () => {\n  it('computes', () => {\n    expect(step0({ id: 'abc', count: 2 })).toBe(5);\n  });\n  it('reads the base url from the environment', () => {\n    const base = process.env.BASE_URL ?? 'http://localhost:3000';\n    expect(base).toMatch(/^http/);\n  });\n});\n`;
}
function pyTest(svc) {
  return `import os\n\nimport pytest\n\n\n@pytest.fixture\ndef base_url():\n    return os.environ.get("BASE_URL", "http://localhost:8080")\n\n\ndef test_health(base_url):\n    assert base_url.startswith("http")\n\n\ndef test_queue_name():\n    assert "${svc}"\n`;
}
function goTest(svc) {
  return `package main\n\nimport (\n\t"os"\n\t"testing"\n)\n\nfunc TestHealth(t *testing.T) {\n\tbase := os.Getenv("BASE_URL")\n\tif base == "" {\n\t\tbase = "http://localhost:8080"\n\t}\n\tif len(base) == 0 {\n\t\tt.Fatal("${svc}: empty base url")\n\t}\n}\n`;
}
function shellScript(svc) {
  return `#!/usr/bin/env bash\nset -euo pipefail\n# Bring ${svc} up against the local cluster.\nNAMESPACE="\${NAMESPACE:-${svc}}"\nkubectl config current-context\nhelm upgrade --install ${svc} charts/${svc} -n "$NAMESPACE" -f values/env/dev/apps/${svc}.yaml\nkubectl -n "$NAMESPACE" rollout status deploy/${svc} --timeout=120s\n`;
}
function bigCrd(svc, props) {
  const lines = [`apiVersion: apiextensions.k8s.io/v1`, `kind: CustomResourceDefinition`, `metadata:`, `  name: widgets.${svc}.example.com`, `spec:`, `  group: ${svc}.example.com`, `  names:`, `    kind: Widget`, `    plural: widgets`, `  scope: Namespaced`, `  versions:`, `    - name: v1`, `      served: true`, `      storage: true`, `      schema:`, `        openAPIV3Schema:`, `          type: object`, `          properties:`];
  for (let k = 0; k < props; k++) lines.push(`            field${k}:`, `              description: Field ${k} of the widget; the secret name is resolved by the controller.`, `              type: string`);
  return `${lines.join('\n')}\n`;
}

// CLI
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const started = Date.now();
  const out = generate({ files: Number(get('--files', 100_000)), seed: Number(get('--seed', 7)), out: get('--out') });
  console.log(JSON.stringify({ root: out.root, files: out.files, bytes: out.bytes, services: out.services, expected: out.expected, ms: Date.now() - started }));
}
