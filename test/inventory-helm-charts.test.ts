import { describe, expect, it } from 'vitest';
import { lineTreeScanner } from './helpers/scan-tree.js';

const scanTree = lineTreeScanner('footprint-helm-inv-');

const secretTemplate = (name: string, annotations: string[], value: string) => [
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  `  name: {{ .Release.Name }}-${name}`,
  ...(annotations.length ? ['  annotations:', ...annotations.map((a) => `    ${a}`)] : []),
  'type: Opaque',
  'data:',
  `  signing-key: ${value}`,
];

describe('inventory of chart Secrets', () => {
  it('says Helm generated a random value that only an install hook renders, or that a lookup keeps', async () => {
    const result = await scanTree({
      'charts/ledger/Chart.yaml': ['apiVersion: v2', 'name: ledger', 'version: 1.0.0'],
      'charts/ledger/values.yaml': ['replicas: 1'],
      'charts/ledger/templates/hook-secret.yaml': secretTemplate('hooked', ['"helm.sh/hook": "pre-install"'], '{{ randAlphaNum 48 | b64enc | quote }}'),
      'charts/ledger/templates/var-secret.yaml': [
        '{{- $generated := (randAlphaNum 32 | b64enc) }}',
        ...secretTemplate('var', ['"helm.sh/hook": "pre-install,post-install"'], '{{ (default $generated .Values.signingKey) | b64enc | quote }}'),
      ],
      'charts/ledger/templates/kept-secret.yaml': [
        '{{- $old := lookup "v1" "Secret" .Release.Namespace (printf "%s-kept" .Release.Name) }}',
        ...secretTemplate('kept', [], '{{ $old | dig "data" "signing-key" (randAlphaNum 32 | b64enc) }}'),
      ],
      // Rendered again on every upgrade: nothing keeps the value, so Helm is no authority for it.
      'charts/ledger/templates/upgrade-secret.yaml': secretTemplate('upgraded', ['"helm.sh/hook": "pre-install,pre-upgrade"'], '{{ randAlphaNum 48 | b64enc | quote }}'),
      'charts/ledger/templates/plain-secret.yaml': secretTemplate('plain', [], '{{ randAlphaNum 48 | b64enc | quote }}'),
    });
    const origins = result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.file.split('/').pop(), e.origin, e.producer]);
    expect(origins).toEqual([
      ['hook-secret.yaml', 'cluster-helm', 'helm (install hook + random generator)'],
      ['kept-secret.yaml', 'cluster-helm', 'helm (lookup + random generator)'],
      ['plain-secret.yaml', 'unknown', 'helm template (values)'],
      ['upgrade-secret.yaml', 'unknown', 'helm template (values)'],
      ['var-secret.yaml', 'cluster-helm', 'helm (install hook + random generator)'],
    ]);
  });

  it('does not call an install-hook value Helm-generated when Argo CD syncs the chart (install hooks run on every sync there)', async () => {
    const result = await scanTree({
      'charts/ledger/Chart.yaml': ['apiVersion: v2', 'name: ledger', 'version: 1.0.0'],
      'charts/ledger/values.yaml': ['replicas: 1'],
      'charts/ledger/templates/hook-secret.yaml': secretTemplate('hooked', ['"helm.sh/hook": "pre-install"'], '{{ randAlphaNum 48 | b64enc | quote }}'),
      'argocd/ledger.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: ledger, namespace: argocd}',
        'spec:',
        '  source: {repoURL: https://git.example.com/acme/platform.git, path: charts/ledger}',
        '  destination: {server: https://kubernetes.default.svc, namespace: ledger}',
      ],
    });
    expect(result.inventory.filter((e) => e.kind === 'Secret').map((e) => [e.origin, e.producer])).toEqual([['unknown', 'helm template (values)']]);
  });

  it('gives a chart the environments of values files named <chart>-values.yaml', async () => {
    const result = await scanTree({
      'charts/ledger/Chart.yaml': ['apiVersion: v2', 'name: ledger', 'version: 1.0.0'],
      'charts/ledger/values.yaml': ['replicas: 1'],
      'charts/ledger/templates/secret.yaml': secretTemplate('plain', [], '{{ .Values.signingKey | b64enc }}'),
      'environments/prod/ledger-values.yaml': ['replicas: 3'],
      'environments/staging/ledger.values.yaml': ['replicas: 2'],
      // Another chart's values name no environment of this one.
      'environments/dev/ledger-ui-values.yaml': ['replicas: 1'],
    });
    expect(result.inventory.filter((e) => e.kind === 'Secret').map((e) => e.environments)).toEqual([['production', 'staging']]);
  });
});
