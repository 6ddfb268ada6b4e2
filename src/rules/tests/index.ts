import type { Rule } from '../types.js';
import { testCodeCredentialFallback } from './test-code-credential-fallback.js';
import { testDirectAzureKeyvault } from './test-direct-azure-keyvault.js';
import { testInlineSecret } from './test-inline-secret.js';

export const testsRules: readonly Rule[] = [testCodeCredentialFallback, testInlineSecret, testDirectAzureKeyvault];
