import { createRule } from '../create-rule.js';
import { externalSecretReplacement } from '../snippets.js';
import { harnessModels, intTestsSecretName, Occurrences } from './common.js';

export const testDirectAzureKeyvault = createRule(
  {
    id: 'test-direct-azure-keyvault',
    family: 'tests',
    defaultSeverity: 'medium',
    description: 'A test or test harness reads Azure Key Vault directly',
    why: 'Azure Key Vault is the source of truth for external secrets only; workloads and tests read Kubernetes Secrets that ESO materialises. A test that reads AKV needs cloud credentials, skips the bootstrap it should verify, and couples the suite to one vault.',
    allowed: 'Reading the per-service int-tests Secret from the environment (envFrom), populated by an ExternalSecret from the platform store.',
    remediation: 'Drop the Key Vault client from the test; declare the keys in the per-service int-tests ExternalSecret and read them from the environment.',
  },
  (context) => {
    context.each(
      // Tests, and the integration/e2e jobs of CI workflows (a deploy job reading AKV is the external authority at work).
      harnessModels(context.project).filter((m) => m.model.role === 'test' || m.model.keyVault.some((k) => k.testJob)),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.keyVault) {
          if (model.role !== 'test' && !fact.testJob) continue;
          const target = intTestsSecretName(file.path);
          const what = fact.secrets.length ? ` (${fact.secrets.join(', ')})` : '';
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            message: `${fact.testJob ? `Test job ${fact.job}` : 'Test'} reads Azure Key Vault directly via ${fact.form}${what}`,
            location: seen.next(`keyvault:${fact.form}#${fact.secrets.join(',')}`),
            keys: fact.secrets,
            origin: 'test',
            replacement: externalSecretReplacement(context.project, { name: target, keys: fact.secrets.length ? fact.secrets.map((s) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_')) : ['value'] }),
            remediation: `Remove the direct Key Vault read; add the key${fact.secrets.length === 1 ? '' : 's'} to the ${target} ExternalSecret and read ${fact.secrets.length === 1 ? 'it' : 'them'} from the environment.`,
          });
        }
      },
    );
  },
);
