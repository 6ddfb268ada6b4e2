import { isCredentialFallback } from '../../analyzers/tests/judge.js';
import { createRule } from '../create-rule.js';
import { failFastReplacement, harnessModels, intTestsSecretName, Occurrences } from './common.js';

const FORMS: Record<string, string> = {
  '??': '`??` fallback',
  '||': '`||` fallback',
  ternary: 'conditional fallback',
  'destructuring-default': 'destructuring default',
  'parameter-default': 'default parameter',
  'getenv-default': 'getenv default',
  'or-default': '`or` fallback',
  setdefault: 'os.environ.setdefault',
  'if-empty-assign': 'assignment when empty',
  'helper-default': 'env helper default',
  'shell-default': '`${…:-…}` default',
  '??=': '`??=` assignment',
  '||=': '`||=` assignment',
  'struct-tag-default': 'struct tag default',
};

export const testCodeCredentialFallback = createRule(
  {
    id: 'test-code-credential-fallback',
    family: 'tests',
    defaultSeverity: 'medium',
    description: 'A test reads a secret environment variable with a literal credential fallback',
    why: 'A fallback password lets a suite run against a cluster whose secrets were never bootstrapped, hides a missing ExternalSecret, and keeps a real-looking credential in git. "No inline fallback is permitted": runners hard-require their secrets at startup.',
    allowed: 'Reading the variable and failing fast when it is missing (throw, t.Fatalf, pytest.fail, ${VAR:?}); fallbacks for non-secrets (hosts, ports, user names alone); mocked dependencies.',
    remediation: 'Remove the literal, fail fast when the variable is unset, and deliver the value through the per-service int-tests Secret (envFrom of its ExternalSecret) after the secret bootstrap.',
  },
  (context) => {
    const extra = context.config.credentialNames;
    context.each(
      harnessModels(context.project).filter((m) => m.model.role === 'test'),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.fallbacks) {
          if (!isCredentialFallback(fact.variable, fact.fallback, extra)) continue;
          const secretName = intTestsSecretName(file.path);
          const form = FORMS[fact.form] ?? fact.form;
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            message: `Test falls back to a literal credential when ${fact.variable} is unset (${form})`,
            location: seen.next(`fallback:${fact.variable}`),
            value: fact.fallback,
            keys: [fact.variable],
            origin: 'test',
            replacement: failFastReplacement({ language: model.language, variable: fact.variable, binding: fact.binding, testingParam: fact.testingParam, structField: fact.structField, secretName }),
            remediation: `Remove the fallback for ${fact.variable}; fail fast when it is missing and provide it from ${secretName} (envFrom of the per-service ExternalSecret) after the secret bootstrap.`,
          });
        }
      },
    );
  },
);
