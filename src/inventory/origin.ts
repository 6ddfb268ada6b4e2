import picomatch from 'picomatch';
import type { ResolvedConfig } from '../config/types.js';
import { credentialClass, namesInMemoryStore, nonPostgresEngine, type CredentialClass } from '../k8s/vocabulary.js';
import type { Origin } from '../types.js';

export interface OriginInput {
  /** Secret name (or target name, remote key). */
  name: string;
  keys?: readonly string[];
  kind?: string;
  file?: string;
  isTest?: boolean;
  /** Kubernetes Secret type, e.g. kubernetes.io/dockerconfigjson. */
  secretType?: string;
  /** Generated in the cluster by Helm (lookup + rand*). */
  helmGenerated?: boolean;
  /** Read by a database operator: a CNPG role, bootstrap or superuser Secret, a MongoDB user's passwordSecretRef, a MariaDB root password. */
  cnpgOwned?: boolean;
  /** credentialClass(name, keys), when the caller has it already. */
  credentialClass?: CredentialClass;
}

/** Where the class of a secret says its source of truth is. */
export const AUTHORITY: Record<Origin, string> = {
  external: 'azure-key-vault',
  'cluster-operator': 'operator',
  'cluster-helm': 'helm',
  'cluster-service': 'service',
  'build-time': 'buildkit-secret-mount',
  test: 'per-service-externalsecret',
  unknown: 'unknown',
};

export class OriginClassifier {
  private readonly overrides: { match: (name: string, kind?: string, file?: string) => boolean; origin: Origin }[];

  constructor(config?: ResolvedConfig) {
    this.overrides = (config?.taxonomy ?? []).map((entry) => {
      const name = picomatch(entry.name, { nocase: true });
      const file = entry.path ? picomatch(entry.path, { dot: true }) : undefined;
      return {
        origin: entry.origin,
        match: (n: string, kind?: string, f?: string) => name(n) && (!entry.kind || entry.kind === kind) && (!file || (f !== undefined && file(f))),
      };
    });
  }

  classify(input: OriginInput): Origin {
    for (const override of this.overrides) {
      if (override.match(input.name, input.kind, input.file)) return override.origin;
    }
    if (input.isTest) return 'test';
    if (input.cnpgOwned) return 'cluster-operator';
    if (input.secretType === 'kubernetes.io/tls') return 'cluster-operator';
    if (input.secretType === 'kubernetes.io/dockerconfigjson' || input.secretType === 'kubernetes.io/dockercfg') return 'external';
    const cls = input.credentialClass ?? credentialClass(input.name, input.keys ?? []);
    switch (cls) {
      case 'database':
      case 'tls':
        return 'cluster-operator';
      case 'admin':
        return 'cluster-helm';
      case 'oidc-client':
        return /github|google|azure|gitlab|okta|auth0|entra|microsoft/i.test(input.name) ? 'external' : 'cluster-service';
      case 'registry':
      case 'api-key':
        return 'external';
      default:
        if (input.helmGenerated) return 'cluster-helm';
        if (namesInMemoryStore(input.name, input.keys)) return 'cluster-operator';
        return 'unknown';
    }
  }

  /** The authority for a class; PostgreSQL users and TLS name their operator. */
  authority(origin: Origin, name: string, keys: readonly string[] = []): string {
    if (origin === 'cluster-operator') {
      const cls = credentialClass(name, keys);
      if (cls === 'database') return nonPostgresEngine(name, keys) ? AUTHORITY[origin] : 'cnpg';
      if (cls === 'tls') return 'cert-manager';
      if (/redis/i.test(name)) return 'redis-operator';
    }
    if (origin === 'cluster-service') return 'keycloak';
    return AUTHORITY[origin];
  }
}
