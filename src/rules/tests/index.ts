import type { Rule } from '../types.js';
import { hardcodedCredential } from './hardcoded-credential.js';
import { imperativeDbPasswordChange } from './imperative-db-password-change.js';
import { imperativeSecretRemediation } from './imperative-secret-remediation.js';
import { integrationTestInlineCredentials } from './integration-test-inline-credentials.js';
import { kubectlCreateSecretImperative } from './kubectl-create-secret-imperative.js';
import { testCodeCredentialFallback } from './test-code-credential-fallback.js';
import { testDirectAzureKeyvault } from './test-direct-azure-keyvault.js';
import { testHarnessSecretBootstrapMissing } from './test-harness-secret-bootstrap-missing.js';
import { testInlineSecret } from './test-inline-secret.js';
import { vaultBootstrapSilentFallback } from './vault-bootstrap-silent-fallback.js';
import { vaultWriteDbCredential } from './vault-write-db-credential.js';

export const testsRules: readonly Rule[] = [
  testCodeCredentialFallback,
  testInlineSecret,
  testDirectAzureKeyvault,
  testHarnessSecretBootstrapMissing,
  vaultWriteDbCredential,
  kubectlCreateSecretImperative,
  integrationTestInlineCredentials,
  hardcodedCredential,
  vaultBootstrapSilentFallback,
  imperativeDbPasswordChange,
  imperativeSecretRemediation,
];
