import { describe, expect, it } from 'vitest';
import { lineTreeScanner } from './helpers/scan-tree.js';

const scanTree = lineTreeScanner('footprint-postsync-hook-');
const RULE = 'client-patcher-postsync-hook';

const STORE = ['apiVersion: external-secrets.io/v1beta1', 'kind: ClusterSecretStore', 'metadata: {name: vault}', 'spec: {provider: {vault: {server: "http://vault:8200", path: secret}}}'];

function job(annotations: string[], script: string[], extra: string[] = []): string[] {
  return [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: writer',
    ...(annotations.length > 0 ? ['  annotations:', ...annotations.map((a) => `    ${a}`)] : []),
    'spec:',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    ...extra,
    '      containers:',
    '        - name: writer',
    '          image: ghcr.io/example/tools:1',
    '          command: ["/bin/sh", "-c"]',
    '          args:',
    '            - |',
    ...script.map((l) => `              ${l}`),
  ];
}

const ES = (key: string) => [
  'apiVersion: external-secrets.io/v1beta1',
  'kind: ExternalSecret',
  'metadata: {name: reader}',
  'spec:',
  '  refreshInterval: 1m',
  '  secretStoreRef: {kind: ClusterSecretStore, name: vault}',
  '  target: {name: reader}',
  `  data: [{secretKey: value, remoteRef: {key: ${key}, property: value}}]`,
];

const DEPLOYMENT = (secret: string, namespace?: string) => [
  'apiVersion: apps/v1',
  'kind: Deployment',
  `metadata: {name: app${namespace ? `, namespace: ${namespace}` : ''}}`,
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: app',
  '          image: ghcr.io/example/app:1',
  `          envFrom: [{secretRef: {name: ${secret}}}]`,
];

async function findings(files: Record<string, string[]>): Promise<string[]> {
  const result = await scanTree({ 'platform/store.yaml': STORE, ...files });
  return result.findings.filter((f) => f.ruleId === RULE).map((f) => `${f.file}:${f.line}`);
}

const VAULT_WRITE = ['vault kv put secret/app/key value="$(openssl rand -hex 16)"'];

describe('client-patcher-postsync-hook: hook phases', () => {
  it('maps Helm hooks to Argo CD phases and lets the Argo CD annotation win', async () => {
    const cases: [string[], boolean][] = [
      [['argocd.argoproj.io/hook: PostSync'], true],
      [['"helm.sh/hook": "post-install, post-upgrade"'], true],
      [['helm.sh/hook: post-upgrade'], true],
      [['helm.sh/hook: post-install', 'argocd.argoproj.io/hook: PreSync'], false],
      [['argocd.argoproj.io/hook: PreSync,PostSync'], false],
      [['argocd.argoproj.io/hook: Sync'], false],
      [['argocd.argoproj.io/hook: SyncFail'], false],
      [['helm.sh/hook: pre-install,pre-upgrade'], false],
      [['helm.sh/hook: test'], false],
      [[], false],
    ];
    for (const [annotations, flagged] of cases) {
      const got = await findings({ 'apps/x/job.yaml': job(annotations, VAULT_WRITE), 'apps/x/es.yaml': ES('app/key') });
      expect(got.length, annotations.join(' ')).toBe(flagged ? 1 : 0);
    }
  });

  it('reads a hook rendered from chart values (a templated value, a values annotations map)', async () => {
    const chart = (template: string[], values: string[]) => ({
      'charts/c/Chart.yaml': ['apiVersion: v2', 'name: c', 'version: 1.0.0'],
      'charts/c/values.yaml': values,
      'charts/c/templates/job.yaml': template,
      'charts/c/templates/es.yaml': ES('app/key'),
    });
    const templated = job(['helm.sh/hook: {{ .Values.job.hook }}'], VAULT_WRITE);
    expect(await findings(chart(templated, ['job: {hook: post-install}']))).toEqual(['charts/c/templates/job.yaml:6']);
    expect(await findings(chart(templated, ['job: {hook: pre-install}']))).toEqual([]);
    const rendered = job([], VAULT_WRITE);
    rendered.splice(4, 0, '  {{- if .Values.job.annotations }}', '  annotations: {{- include "common.tplvalues.render" (dict "value" .Values.job.annotations "context" $) | nindent 4 }}', '  {{- end }}');
    expect(await findings(chart(rendered, ['job:', '  annotations:', '    helm.sh/hook: post-install,post-upgrade']))).toEqual(['charts/c/templates/job.yaml:6']);
    expect(await findings(chart(rendered, ['job:', '  annotations:', '    helm.sh/hook: pre-install']))).toEqual([]);
    const merged = job([], VAULT_WRITE);
    merged.splice(4, 0, '  {{- $annotations := include "common.tplvalues.merge" (dict "values" (list .Values.job.hookAnnotations .Values.commonAnnotations) "context" .) }}', '  annotations: {{- include "common.tplvalues.render" (dict "value" $annotations "context" $) | nindent 4 }}');
    expect(await findings(chart(merged, ['commonAnnotations: {}', 'job:', '  hookAnnotations:', '    helm.sh/hook: post-install']))).toEqual(['charts/c/templates/job.yaml:6']);
  });
});

describe('client-patcher-postsync-hook: writes and waiters', () => {
  const hook = ['argocd.argoproj.io/hook: PostSync'];

  it('reads scripts of mounted ConfigMaps and Vault API calls', async () => {
    const cm = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: writer-scripts}', 'data:', '  run.sh: |', '    #!/bin/sh', '    kubectl create secret generic app-token --from-literal=token="$(openssl rand -hex 8)"'];
    const mounted = job(hook, ['sh /scripts/run.sh'], ['      volumes: [{name: scripts, configMap: {name: writer-scripts}}]']);
    expect(await findings({ 'apps/x/job.yaml': mounted, 'apps/x/cm.yaml': cm, 'apps/x/deploy.yaml': DEPLOYMENT('app-token') })).toEqual(['apps/x/job.yaml:6']);
    const curl = job(hook, ['curl -sf -X POST -H "X-Vault-Token: $VAULT_TOKEN" "$VAULT_ADDR/v1/secret/data/app/key" -d "{\\"data\\":{\\"value\\":\\"$V\\"}}"']);
    expect(await findings({ 'apps/x/job.yaml': curl, 'apps/x/es.yaml': ES('app/key') })).toEqual(['apps/x/job.yaml:6']);
  });

  it('matches names through env and assignments, and keeps namespaces apart', async () => {
    const viaEnv = job(hook, ['NAME=app-token', 'kubectl create secret generic "$NAME" --from-literal=token=s3cr3t-Value-9']);
    const result = await scanTree({ 'platform/store.yaml': STORE, 'apps/x/job.yaml': viaEnv, 'apps/x/deploy.yaml': DEPLOYMENT('app-token') });
    const ours = result.findings.filter((f) => f.ruleId === RULE);
    expect(ours.map((f) => f.line)).toEqual([6]);
    expect(JSON.stringify(ours)).not.toContain('s3cr3t-Value-9');
    const piped = job(hook, ['kubectl create secret generic app-token --from-literal=token="$(openssl rand -hex 8)" --dry-run=client -o yaml | kubectl apply -f -']);
    expect(await findings({ 'apps/x/job.yaml': piped, 'apps/x/deploy.yaml': DEPLOYMENT('app-token') })).toEqual(['apps/x/job.yaml:6']);
    const dryRunOnly = job(hook, ['kubectl create secret generic app-token --from-literal=token="$(openssl rand -hex 8)" --dry-run=client -o yaml > /tmp/secret.yaml']);
    expect(await findings({ 'apps/x/job.yaml': dryRunOnly, 'apps/x/deploy.yaml': DEPLOYMENT('app-token') })).toEqual([]);
    const elsewhere = job(hook, ['kubectl -n tooling create secret generic app-token --from-literal=token=x']);
    expect(await findings({ 'apps/x/job.yaml': elsewhere, 'apps/x/deploy.yaml': DEPLOYMENT('app-token', 'shop') })).toEqual([]);
    // Another folder is another app; an unresolved name matches nothing.
    expect(await findings({ 'apps/x/job.yaml': job(hook, VAULT_WRITE), 'apps/y/es.yaml': ES('app/key') })).toEqual([]);
    expect(await findings({ 'apps/x/job.yaml': job(hook, ['kubectl create secret generic "$(cat /name)" --from-literal=a=b']), 'apps/x/deploy.yaml': DEPLOYMENT('app-token') })).toEqual([]);
  });

  it('takes a Keycloak job for a client-patcher only when it extracts secrets or its values list the Vault keys', async () => {
    const patcher = (name: string, args: string) => [
      'apiVersion: batch/v1',
      'kind: Job',
      `metadata: {name: ${name}, annotations: {argocd.argoproj.io/hook: PostSync}}`,
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: ${name}`,
      '          image: quay.io/keycloak/keycloak:26.0',
      `          args: [${args}]`,
      '          env: [{name: KEYCLOAK_URL, value: "http://keycloak:8080"}, {name: VAULT_ADDR, value: "http://vault:8200"}]',
    ];
    const es = ES('shop-oidc-client-secret');
    expect(await findings({ 'apps/x/job.yaml': patcher('client-patcher', 'extract'), 'apps/x/es.yaml': es })).toEqual(['apps/x/job.yaml:3']);
    expect(await findings({ 'apps/x/job.yaml': patcher('client-patcher', 'apply-clients'), 'apps/x/es.yaml': es })).toEqual([]);
  });

  it('never crashes on odd Jobs', async () => {
    const odd = ['apiVersion: batch/v1', 'kind: Job', 'metadata: {name: odd, annotations: {argocd.argoproj.io/hook: PostSync}}', 'spec: {template: {spec: {containers: [null, {name: a, command: 7, args: [null, {x: 1}]}, {name: b, command: ["sh", "-c"]}]}}}'];
    expect(await findings({ 'apps/x/job.yaml': odd, 'apps/x/es.yaml': ES('app/key') })).toEqual([]);
  });
});
