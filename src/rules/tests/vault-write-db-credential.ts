import { isDatabaseEnginePath, isDatabaseVaultWrite } from '../../analyzers/tests/judge.js';
import type { VaultWriteFact } from '../../analyzers/tests/model.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { words } from '../../k8s/vocabulary.js';
import { createRule } from '../create-rule.js';
import { cnpgManagedRoleReplacement } from '../snippets.js';
import { harnessModels, Occurrences } from './common.js';

const NOISE = new Set(['secret', 'secrets', 'kv', 'data', 'v1', 'v2', 'database', 'config', 'roles', 'static', 'creds', 'credentials', 'credential', 'db', 'postgres', 'postgresql', 'pg', 'mysql', 'mariadb', 'mongo', 'mongodb', 'password', 'passwords', 'user', 'username', 'url', 'uri', 'dsn', 'auth', 'app', 'apps', 'platform']);

/** The application a Vault path is about: secret/data/orders-db-credentials -> orders. */
export function appOfVaultPath(path: string): string {
  const segs = path.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '').split('/').filter(Boolean).reverse();
  for (const seg of segs) {
    const w = words(seg).filter((x) => !NOISE.has(x));
    if (w.length > 0) return w.join('-');
  }
  return 'app';
}

/** The connection or role a database engine path configures, whole: database/config/my-database -> my-database. */
function engineObjectOf(path: string): string | undefined {
  return /(?:^|\/)database\/(?:config|roles|static-roles)\/([A-Za-z0-9][\w.-]*)$/.exec(path)?.[1];
}

/** Does this rule report the Vault write? (Other rules leave its line alone.) */
export function reportsVaultWrite(w: VaultWriteFact): boolean {
  return w.op === 'database-engine' || isDatabaseEnginePath(w.path) || isDatabaseVaultWrite(w.path, w.keys, w.values);
}

export const vaultWriteDbCredential = createRule(
  {
    id: 'vault-write-db-credential',
    family: 'db',
    defaultSeverity: 'high',
    description: 'A script writes a database credential into Vault (or configures Vault’s database engine for an app)',
    why: 'Database credentials are cluster-managed: CNPG owns the role and its Secret. A script that puts the password into Vault creates a second authority that drifts on every rotation ("NEVER: Vault → CNPG secrets").',
    allowed: 'Letting CNPG (managed roles + a cluster-generated Secret) own the credential; writing third-party API keys or other external secrets to Vault.',
    remediation: 'Stop writing the credential to Vault: declare the role under the CNPG Cluster’s managed.roles with a cluster-generated Secret, point the app at that Secret, and delete the Vault key.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    context.each(
      harnessModels(context.project),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const w of model.vaultWrites) {
          if (!reportsVaultWrite(w)) continue;
          const engine = w.op === 'database-engine' || isDatabaseEnginePath(w.path);
          const app = appOfVaultPath(w.path);
          const origin = model.role === 'test' ? 'test' : classifier.classify({ name: `${app}-db-credentials`, keys: w.keys, file: file.path });
          const what = engine ? `configures Vault's database secrets engine for ${engineObjectOf(w.path) ?? app} (${w.path})` : `writes a database credential into Vault at ${w.path || '(dynamic path)'}${w.keys.length ? ` (keys: ${w.keys.join(', ')})` : ''}`;
          context.report({
            file,
            line: w.line,
            column: w.column,
            message: `${model.role === 'test' ? 'Test script' : 'Script'} ${what} via ${w.form}`,
            location: seen.next(`vault:${w.path}#${[...w.keys].sort().join(',')}`),
            ...(w.values.length ? { value: w.values.join('\u0000') } : {}),
            keys: w.keys,
            origin,
            replacement: cnpgManagedRoleReplacement({ secretName: `${app}-db-credentials`, role: app.replace(/-/g, '_') }),
            remediation: `Remove the Vault write; let CNPG own role ${app.replace(/-/g, '_')} with the cluster-generated Secret ${app}-db-credentials and point ${app} at it. Rotate by deleting that Secret and letting Helm/CNPG regenerate and reconcile it.`,
          });
        }
      },
    );
  },
);
