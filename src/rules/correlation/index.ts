import type { Rule } from '../types.js';
import { centralExternalSecretBundle } from './central-externalsecret-bundle.js';
import { clientPatcherPostsyncHook } from './client-patcher-postsync-hook.js';
import { clusterManagedSecretFromAzureKv } from './cluster-managed-secret-from-azure-kv.js';
import { dbCredentialInExternalStore } from './db-credential-in-external-store.js';
import { duplicateExternalsecretOwner } from './duplicate-externalsecret-owner.js';
import { externalsecretKvShapeMismatch } from './externalsecret-kv-shape-mismatch.js';
import { externalsecretRefreshInterval } from './externalsecret-refresh-interval.js';
import { cnpgRolePasswordFromExternalSecret } from './cnpg-role-password-from-externalsecret.js';
import { bidirectionalSecretSync, pushsecretNonReplacePolicy, vaultMirrorConsumed } from './mirror.js';
import { vaultAuthoredDbCredential } from './vault-authored-db-credential.js';
import { sharedDbAuthSecretConsumer } from './shared-db-auth-secret-consumer.js';
import { superuserSecretInApp } from './superuser-secret-in-app.js';
import { legacySecretStoreReference } from './legacy-secret-store-reference.js';

export const correlationRules: readonly Rule[] = [
  vaultAuthoredDbCredential,
  cnpgRolePasswordFromExternalSecret,
  clusterManagedSecretFromAzureKv,
  dbCredentialInExternalStore,
  pushsecretNonReplacePolicy,
  bidirectionalSecretSync,
  vaultMirrorConsumed,
  externalsecretRefreshInterval,
  duplicateExternalsecretOwner,
  centralExternalSecretBundle,
  externalsecretKvShapeMismatch,
  sharedDbAuthSecretConsumer,
  superuserSecretInApp,
  legacySecretStoreReference,
  clientPatcherPostsyncHook,
];
