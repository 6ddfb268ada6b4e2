import { createRule } from '../create-rule.js';
import { harnessModels, Occurrences } from './common.js';

export const vaultBootstrapSilentFallback = createRule(
  {
    id: 'vault-bootstrap-silent-fallback',
    family: 'external',
    defaultSeverity: 'medium',
    description: 'A script, Makefile recipe or CI workflow step fetches a secret from its store and carries on when that fails (`|| true`, `|| echo fixture`, an empty check that assigns a fallback)',
    why:
      'A bootstrap or seeding script that swallows a failed fetch from Azure Key Vault, Vault or another secret manager ' +
      'writes an empty value or a fixture where the real secret belongs, and the failure surfaces much later as an opaque ' +
      'authentication error in a workload - or never, when the fixture happens to work in a shared environment. Required ' +
      'secrets must fail the script at the fetch, naming what is missing. How it decides: a fetch command (az keyvault ' +
      'secret show/download, vault kv get/read, aws secretsmanager get-secret-value, aws ssm get-parameter ' +
      '--with-decryption, gcloud secrets versions access, op read, bw get, doppler/infisical secrets get) whose output is ' +
      'assigned or written to a file and is followed by `|| true`, `|| :`, `|| echo …` or `|| VAR=…`, or by an emptiness ' +
      'test of the fetched variable that assigns a fallback instead of exiting.',
    allowed:
      'Fetches that fail the script (`set -e` with no `||`, `|| { echo "missing X" >&2; exit 1; }`, `${X:?}`); existence ' +
      'checks whose output is discarded (`if vault kv get … >/dev/null`); `kubectl get secret … || true` (lookup-or-generate).',
    remediation:
      'Let the fetch fail the script (`set -euo pipefail`, no `|| true`), or check the value and exit with a message naming ' +
      'the missing secret; keep fixtures out of scripts that can reach shared environments.',
  },
  (context) => {
    context.each(
      harnessModels(context.project).filter((m) => (m.model.swallowedFetches?.length ?? 0) > 0),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fetch of model.swallowedFetches ?? []) {
          const what = fetch.variable ? `${fetch.variable} from ${fetch.tool}` : `a secret from ${fetch.tool}`;
          context.report({
            file,
            line: fetch.line,
            column: fetch.column,
            message:
              fetch.fallback === 'ignored'
                ? `Script fetches ${what} and ignores a failure (|| true): an empty value goes on`
                : `Script fetches ${what} and substitutes a fallback value when the fetch fails or returns nothing`,
            location: seen.next(`fetch:${fetch.variable ?? fetch.tool}`),
            keys: fetch.variable ? [fetch.variable] : [],
            origin: 'external',
            replacement: {
              language: 'shell',
              title: 'Fail at the fetch, naming the missing secret',
              snippet: [
                'set -euo pipefail',
                `${fetch.variable ?? 'VALUE'}="$(az keyvault secret show --vault-name "$KV" --name <secret> --query value -o tsv)" \\`,
                `  || { echo "missing secret <secret> in $KV" >&2; exit 1; }`,
                `: "\${${fetch.variable ?? 'VALUE'}:?empty secret <secret>}"`,
              ].join('\n'),
            },
          });
        }
      },
    );
  },
);
