import type { Rule } from '../types.js';
import { checksumAnnotationForSecretRollout } from './checksum-annotation-for-secret-rollout.js';
import { chartOwnedInlineSecretTemplate } from './chart-owned-inline-secret-template.js';
import { devVaultBootstrapInManagedEnv } from './dev-vault-bootstrap-in-managed-env.js';
import { dbUriPasswordNotUrlencoded } from './db-uri-password-not-urlencoded.js';
import { fixtureValueInManagedEnv } from './fixture-value-in-managed-env.js';
import { helmGeneratedSecretWithoutLookup } from './helm-generated-secret-without-lookup.js';
import { inlineCredentialInValues } from './inline-credential-in-values.js';
import { inlineSecretManifest } from './inline-secret-manifest.js';
import { localOverlaySecretFallback } from './local-overlay-secret-fallback.js';
import { registryTokenInRuntimeConfig } from './registry-token-in-runtime-config.js';
import { realmImportInlineSecret } from './realm-import-inline-secret.js';
import { sealedSecretManifest } from './sealed-secret-manifest.js';
import { sopsEncryptedSecret } from './sops-encrypted-secret.js';
import { secretInConfigmap } from './secret-in-configmap.js';
import { workloadEnvLiteralCredential } from './workload-env-literal-credential.js';

export const k8sRules: readonly Rule[] = [
  inlineSecretManifest,
  chartOwnedInlineSecretTemplate,
  helmGeneratedSecretWithoutLookup,
  checksumAnnotationForSecretRollout,
  dbUriPasswordNotUrlencoded,
  inlineCredentialInValues,
  secretInConfigmap,
  realmImportInlineSecret,
  sealedSecretManifest,
  sopsEncryptedSecret,
  workloadEnvLiteralCredential,
  registryTokenInRuntimeConfig,
  fixtureValueInManagedEnv,
  localOverlaySecretFallback,
  devVaultBootstrapInManagedEnv,
];
