/** Shared judgements for the test/script family: what counts as a credential fallback, a literal, a DB write. */
import { connectionStringPassword, embeddedUrlPassword, isAnglePlaceholder, isCredentialName, isDatabaseName, isIndirectValue, isLiteralSecretValue, words } from '../../k8s/vocabulary.js';

/** Is `fallback`, used when `variable` is unset, a credential? Hosts, ports and user names alone are not. */
export function isCredentialFallback(variable: string, fallback: string, extra: readonly string[] = []): boolean {
  if (!isLiteralSecretValue(fallback) || isAnglePlaceholder(fallback)) return false;
  if (embeddedUrlPassword(fallback) !== undefined || connectionStringPassword(fallback) !== undefined) return true;
  if (!isCredentialName(variable, { extra })) return false;
  // A fallback that is a file path or a URL without userinfo is configuration, not the credential.
  if (/^(\.{0,2}\/|~\/)[^\s]*$/.test(fallback) || /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(fallback)) return false;
  return true;
}

/** A literal value in code: non-empty, not `${…}`/`{{ … }}`/`$VAR`. */
export function isCodeLiteral(value: string): boolean {
  return isLiteralSecretValue(value) && !/\$\{[^}]*\}|\$\([^)]*\)/.test(value);
}

/** Does a Secret's data (key names + literal values) hold a credential? */
export function secretHoldsCredential(keys: readonly string[], values: readonly string[], extra: readonly string[] = []): boolean {
  if (keys.some((k) => isCredentialName(k, { extra }) || /^(tls\.key|\.dockerconfigjson|ssh-privatekey)$/.test(k))) return true;
  return values.some((v) => embeddedUrlPassword(v) !== undefined || connectionStringPassword(v) !== undefined || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v));
}

const DB_PATH_WORDS = new Set(['db', 'database', 'databases', 'postgres', 'postgresql', 'pg', 'psql', 'mysql', 'mariadb', 'mongo', 'mongodb', 'sql', 'mssql', 'sqlserver', 'cnpg', 'flyway', 'liquibase', 'jdbc', 'dsn']);

/**
 * Does a Vault write carry a database credential? Path segments or keys naming a database, or a connection URL
 * among the values. A `username` + `password` pair alone is any service's login (`secret/my-app/config`).
 */
export function isDatabaseVaultWrite(path: string, keys: readonly string[], values: readonly string[]): boolean {
  const pathWords = words(path.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' '));
  if (pathWords.some((w) => DB_PATH_WORDS.has(w))) return true;
  // An error tracker's DSN (`secret/shop/sentry` with `dsn=`) is an endpoint key, not a database connection.
  const errorTracker = pathWords.some((w) => ['sentry', 'glitchtip', 'bugsnag', 'rollbar', 'raven'].includes(w));
  if (keys.some((k) => isDatabaseName(k) && !(errorTracker && /^dsn$/i.test(k)))) return true;
  return values.some((v) => /^(postgres(ql)?|mysql|mariadb|mongodb(\+srv)?|jdbc:[a-z]+|sqlserver|redis):\/\//i.test(v.trim()) || /^jdbc:/i.test(v.trim()));
}

/** Vault's database secrets engine being configured for an application: `database/config/<app>`, `database/roles/<app>`. */
export function isDatabaseEnginePath(path: string): boolean {
  return /(^|\/)database\/(config|roles|static-roles)\//.test(path.replace(/^\/?v1\//, ''));
}

/** Does an expression (a client's credential argument) name a test double? A client built with one never reaches a vault. */
export function isTestDouble(expression: string): boolean {
  return /mock|fake|stub|dummy|spy/i.test(expression);
}

export function unquote(text: string): string {
  return text.replace(/^(["'`])([\s\S]*)\1$/, '$2');
}

export { isIndirectValue };
