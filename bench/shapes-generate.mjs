// Deterministic trees of one shape each, at a size N (bench/shapes.mjs runs each at N and 3N). Each shape piles up one
// kind of thing a platform monorepo can have a lot of, so that work which grows faster than the tree shows up as a
// growth exponent above 1 (see shapes.mjs). Nothing here is random: the same N gives the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ENVS = ['dev', 'staging', 'prod'];

function writer(root) {
  return (rel, text) => {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
}

/** One rendered manifest bundle of N Deployments (about 40 YAML nodes each) ending with an inline Secret. */
function bundle(write, n) {
  const parts = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ns${i % 7}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-${i}\n  template:\n    metadata:\n      labels:\n        app: app-${i}\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/app-${i}:1.${i}\n          env:\n            - name: LOG_LEVEL\n              value: info\n          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n`,
    );
  }
  parts.push('---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: last\nstringData:\n  password: bundled-literal-value-1\n');
  write('deploy/prod/bundle.yaml', parts.join(''));
  return 1;
}

/** One GitHub workflow with N jobs, each building an image with a token build argument and creating a Secret. */
function workflowBuilds(write, n) {
  let text = 'name: ci\non: [push]\njobs:\n';
  for (let i = 0; i < n; i++) {
    text += `  job${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker build --build-arg NPM_TOKEN=\${{ secrets.NPM_TOKEN }} -t app${i} .\n      - run: kubectl create secret generic s${i} --from-literal=password=pw${i}\n`;
  }
  write('.github/workflows/ci.yml', text);
  write('Dockerfile', 'FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n');
  return 2;
}

/** N services, each with a Dockerfile taking the token as ARG/ENV, a baked .npmrc, a build script, a compose file and a workflow. */
function services(write, n) {
  let tilt = '';
  for (let i = 0; i < n; i++) {
    const d = `services/svc-${i}`;
    write(`${d}/Dockerfile`, 'FROM node:20 AS build\nARG NPM_TOKEN\nENV NPM_TOKEN=$NPM_TOKEN\nCOPY .npmrc .\nCOPY . .\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n');
    write(`${d}/.npmrc`, '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n');
    write(`${d}/build.sh`, `#!/bin/bash\nset -e\ndocker build --build-arg NPM_TOKEN=$NPM_TOKEN -t svc-${i} .\n`);
    write(`${d}/docker-compose.yml`, `services:\n  svc-${i}:\n    build:\n      context: .\n      args:\n        NPM_TOKEN: \${NPM_TOKEN}\n`);
    write(
      `.github/workflows/svc-${i}.yml`,
      `name: svc-${i}\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v5\n        with:\n          context: services/svc-${i}\n          build-args: |\n            NPM_TOKEN=\${{ secrets.NPM_TOKEN }}\n      - run: docker compose -f services/svc-${i}/docker-compose.yml build\n`,
    );
    tilt += `docker_build('svc-${i}', 'services/svc-${i}', build_args={'NPM_TOKEN': os.getenv('NPM_TOKEN')})\n`;
  }
  write('Tiltfile', tilt);
  return 5 * n + 1;
}

/** N apps deployed by Argo CD to three kustomize overlays, each with an ExternalSecret, a PushSecret and a secretGenerator; a CNPG Cluster per app. */
function gitops(write, n) {
  let files = 0;
  for (let a = 0; a < n; a++) {
    for (const env of ENVS) {
      const dir = `apps/app-${a}/overlays/${env}`;
      write(`${dir}/kustomization.yaml`, `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: app-${a}-${env}\nresources:\n  - ../../base\n  - externalsecret.yaml\n  - pushsecret.yaml\nsecretGenerator:\n  - name: app-${a}-extra\n    envs: [extra.env]\n`);
      write(`${dir}/extra.env`, 'FEATURE_FLAG=on\nLOG_LEVEL=debug\n');
      write(`${dir}/externalsecret.yaml`, `apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: app-${a}-db\nspec:\n  secretStoreRef:\n    name: vault-${env}\n    kind: ClusterSecretStore\n  target:\n    name: app-${a}-db\n  data:\n    - secretKey: password\n      remoteRef:\n        key: secret/data/app-${a}/${env}/db\n        property: password\n`);
      write(`${dir}/pushsecret.yaml`, `apiVersion: external-secrets.io/v1alpha1\nkind: PushSecret\nmetadata:\n  name: app-${a}-mirror\nspec:\n  updatePolicy: Replace\n  secretStoreRefs:\n    - name: vault-${env}\n      kind: ClusterSecretStore\n  selector:\n    secret:\n      name: app-${a}-pg-app\n  data:\n    - match:\n        secretKey: password\n        remoteRef:\n          remoteKey: secret/data/app-${a}/${env}/pg\n`);
      files += 4;
    }
    write(`apps/app-${a}/base/kustomization.yaml`, 'resources:\n  - deployment.yaml\n  - cluster.yaml\n');
    write(`apps/app-${a}/base/deployment.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${a}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app-${a}:1\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: app-${a}-db\n                  key: password\n`);
    write(`apps/app-${a}/base/cluster.yaml`, `apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: app-${a}-pg\nspec:\n  instances: 1\n  bootstrap:\n    initdb:\n      database: app\n      owner: app\n`);
    write(`argocd/apps/app-${a}.yaml`, ENVS.map((env) => `---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app-${a}-${env}\nspec:\n  source:\n    repoURL: https://git.example.com/platform.git\n    path: apps/app-${a}/overlays/${env}\n  destination:\n    namespace: app-${a}-${env}\n`).join(''));
    files += 4;
  }
  for (const env of ENVS) write(`platform/stores/${env}.yaml`, `apiVersion: external-secrets.io/v1beta1\nkind: ClusterSecretStore\nmetadata:\n  name: vault-${env}\nspec:\n  provider:\n    vault:\n      server: https://vault.example.com\n      path: secret\n      version: v2\n`);
  return files + ENVS.length;
}

/** N releases deployed by Flux (HelmRelease and Kustomization per environment) and by one helmfile. */
function flux(write, n) {
  let helmfile = `environments:\n${ENVS.map((e) => `  ${e}:\n    values: [environments/${e}.yaml]\n`).join('')}releases:\n`;
  for (let i = 0; i < n; i++) {
    for (const env of ENVS) {
      write(`clusters/${env}/apps/app-${i}.yaml`, `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: app-${i}\n  namespace: flux-system\nspec:\n  targetNamespace: app-${i}\n  chart:\n    spec:\n      chart: ./charts/app\n      sourceRef: {kind: GitRepository, name: platform}\n  valuesFrom:\n    - kind: Secret\n      name: app-${i}-values\n  values:\n    db:\n      password: ${env === 'prod' ? 'changeme' : 'dev'}\n`);
      write(`clusters/${env}/apps/kustomization-${i}.yaml`, `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app-${i}\nspec:\n  path: ./apps/app-${i}/${env}\n  sourceRef: {kind: GitRepository, name: platform}\n  targetNamespace: app-${i}\n  postBuild:\n    substitute:\n      DB_PASSWORD: hunter${i}\n`);
      write(`apps/app-${i}/${env}/secret.yaml`, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-${i}\nstringData:\n  password: \${DB_PASSWORD}\n`);
      write(`releases/app-${i}/${env}.yaml`, `db:\n  password: rel${i}\n`);
    }
    helmfile += `  - name: app-${i}\n    chart: ./charts/app\n    values:\n      - releases/app-${i}/{{ .Environment.Name }}.yaml\n`;
  }
  write('helmfile.yaml', helmfile);
  for (const env of ENVS) write(`environments/${env}.yaml`, 'domain: example.com\n');
  write('charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
  write('charts/app/values.yaml', 'db:\n  password: ""\n');
  write('charts/app/templates/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  password: {{ .Values.db.password }}\n');
  return 12 * n + 7;
}

/** N Helm charts, each with values per environment and a Secret template fed from values. */
function charts(write, n) {
  for (let i = 0; i < n; i++) {
    const c = `charts/svc-${i}`;
    write(`${c}/Chart.yaml`, `apiVersion: v2\nname: svc-${i}\nversion: 1.0.${i}\n`);
    write(`${c}/values.yaml`, 'image:\n  repository: svc\n  tag: "1.0"\ndb:\n  user: app\n  password: changeme\n  existingSecret: ""\nauth:\n  apiKey: ""\n');
    for (const env of ENVS) write(`${c}/values-${env}.yaml`, `db:\n  password: ${env === 'dev' ? 'devpass' : ''}\n  host: db-${env}\n`);
    write(`${c}/templates/_helpers.tpl`, `{{- define "svc.fullname" -}}{{ .Release.Name }}-svc-${i}{{- end -}}\n`);
    write(`${c}/templates/secret.yaml`, '{{- if not .Values.db.existingSecret }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include "svc.fullname" . }}-db\ntype: Opaque\nstringData:\n  password: {{ .Values.db.password | quote }}\n  api-key: {{ .Values.auth.apiKey | default (randAlphaNum 32) | quote }}\n{{- end }}\n');
    write(`${c}/templates/deployment.yaml`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "svc.fullname" . }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {{ include "svc.fullname" . }}-db\n                  key: password\n');
  }
  return 8 * n;
}

/** N services with integration tests in TypeScript, Python, Go and shell that fall back to literal credentials. */
function tests(write, n) {
  for (let i = 0; i < n; i++) {
    const s = `services/svc-${i}`;
    write(`${s}/test/integration/db.test.ts`, `import { Client } from 'pg';\nconst password = process.env.DB_PASSWORD ?? 'postgres';\nconst url = process.env.DATABASE_URL || 'postgres://app:secret${i}@localhost:5432/app';\ndescribe('db ${i}', () => {\n  it('connects', async () => {\n    const c = new Client({ connectionString: url, password });\n    await c.connect();\n  });\n});\n`);
    write(`${s}/test/integration/k8s.test.ts`, `import * as k8s from '@kubernetes/client-node';\nconst secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-${i}' }, stringData: { password: 'hunter2-${i}' } };\nit('creates', async () => { await api.createNamespacedSecret('test', secret); });\n`);
    write(`${s}/tests/test_api.py`, `import os\nPASSWORD = os.environ.get("DB_PASSWORD", "postgres${i}")\ndef test_login():\n    assert login("app", PASSWORD)\n`);
    write(`${s}/db_test.go`, `package db\n\nimport (\n\t"os"\n\t"testing"\n)\n\nfunc TestDB(t *testing.T) {\n\tpw := os.Getenv("DB_PASSWORD")\n\tif pw == "" {\n\t\tpw = "secret${i}"\n\t}\n\t_ = pw\n}\n`);
    write(`${s}/scripts/e2e.sh`, `#!/bin/bash\nkubectl create secret generic db-${i} --from-literal=password=pw${i}\nnpm test\n`);
  }
  return 5 * n;
}

/** One Python test module with N test functions (a generated fixture module; the tree-sitter walk's size). */
function bigTestFile(write, n) {
  let text = 'import os\n';
  for (let i = 0; i < n; i++) text += `def test_${i}():\n    value = compute("item${i}", retries=${i % 5})\n    assert check(value)\n`;
  text += 'def test_db():\n    password = os.environ.get("DB_PASSWORD", "secret")\n';
  write('tests/test_generated.py', text);
  return 1;
}

/** One Jenkinsfile with N stages, each running a docker build with a token build argument. */
function jenkinsStages(write, n) {
  let text = 'pipeline {\n  agent any\n  stages {\n';
  for (let i = 0; i < n; i++) text += `    stage('build-${i}') {\n      steps {\n        sh "docker build --build-arg NPM_TOKEN=\${NPM_TOKEN} -t app${i} services/app${i}"\n      }\n    }\n`;
  write('Jenkinsfile', `${text}  }\n}\n`);
  return 1;
}

/** Shape name -> [generate(root, n) -> files written, N for the small run]. The large run is 3N. */
export const SHAPES = {
  bundle: [bundle, 3_000],
  'workflow-builds': [workflowBuilds, 700],
  'jenkins-stages': [jenkinsStages, 300],
  services: [services, 1_000],
  gitops: [gitops, 600],
  flux: [flux, 500],
  charts: [charts, 1_000],
  tests: [tests, 1_000],
  'big-test-file': [bigTestFile, 10_000],
};

export function generateShape(shape, root, n) {
  const entry = SHAPES[shape];
  if (!entry) throw new Error(`unknown shape ${shape} (${Object.keys(SHAPES).join(', ')})`);
  return entry[0](writer(root), n);
}
