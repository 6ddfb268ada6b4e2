import type { Replacement } from '../../types.js';

function yamlKey(key: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(key) && !/^(true|false|yes|no|null|on|off|~|\d.*)$/i.test(key) ? key : JSON.stringify(key);
}

/** A PushSecret mirror with updatePolicy Replace: the Kubernetes Secret stays the source of truth, Vault the replica. */
export function pushSecretReplaceReplacement(target: {
  name: string;
  namespace?: string;
  sourceSecret: string;
  stores: { name: string; kind?: string }[];
  pushes: { secretKey?: string; remoteKey: string }[];
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
    ]),
  ];
  return { language: 'yaml', title: `Mirror ${target.sourceSecret} to Vault with updatePolicy Replace`, snippet: `${lines.join('\n')}\n` };
}
