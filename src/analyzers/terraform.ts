/**
 * Terraform (`*.tf`), read only for what lands in Azure Key Vault: `resource "azurerm_key_vault_secret"` blocks (their
 * `name`, literal or interpolated, and what their `value` references) and the Azure-managed databases the same file
 * provisions (`azurerm_postgresql_flexible_server`, `azurerm_mssql_server`, `azurerm_cosmosdb_account` ...), and the literal
 * variable defaults, locals and .tfvars values a secret's name may come from; and the External Secrets stores it
 * creates (`kubernetes_manifest`, `kubectl_manifest` yaml_body, helm_release values), by name only. Not an HCL
 * parser: blocks are delimited by brace matching that skips strings, heredocs and comments. Files that do not mention
 * either resource type are never parsed. The Secrets and Helm values it sends into a cluster are read by terraform-k8s.ts.
 */
import { connectionHost, isCredentialName } from '../k8s/vocabulary.js';
import { basename } from '../util/path.js';
import type { Analyzer, FileContext } from './types.js';
import { lineCounter } from '../util/line-counter.js';
import { loadedFile, parseTerraformKubernetes, TERRAFORM_K8S_PREFILTER, type TerraformHelmRelease, type TerraformKubernetesObject, type TerraformKubernetesSecret } from './terraform-k8s.js';

export interface TerraformKeyVaultSecret {
  /** The resource label: `resource "azurerm_key_vault_secret" "<label>"`. */
  label: string;
  /** Secret names as written (`${var.app}-db-password` keeps its interpolation); several for a literal for_each. */
  names: string[];
  /** References in the value expression: `azurerm_postgresql_flexible_server.main.administrator_password`, `random_password.db.result`. */
  valueRefs: string[];
  /** A literal value (hashed only). */
  values: string[];
  /** The host a connection string value names, interpolations and all. */
  host?: string;
  /** `for_each = var.x` / `local.x` with `name = each.key|each.value`: resolved against the module's values by the rule. */
  forEach?: { ref: string; each: 'key' | 'value' };
  line: number;
  column: number;
}

/** What a variable (default or .tfvars assignment) or local holds, when it is literal: strings, or a map's keys. */
export interface TerraformValue {
  /** A string, a list's strings, a map's string values. */
  strings: string[];
  /** A map's (or object's) keys. */
  keys: string[];
}

export interface TerraformAzureDatabase {
  type: string;
  label: string;
  line: number;
  /** References in its administrator password attribute (`random_password.pg.result`). */
  passwordRefs: string[];
  /** Literal names it is given (`identifier`, `cluster_identifier`, `name`, `db_name` ...): whose database it is. */
  names?: string[];
}

const DATABASE_NAME_ATTRIBUTES = ['identifier', 'cluster_identifier', 'name', 'db_name', 'database_name', 'instance_name'];

function databaseNames(attrs: Map<string, string>): { names?: string[] } {
  const names = DATABASE_NAME_ATTRIBUTES.map((a) => stringLiteral(attrs.get(a)?.trim() ?? '')).filter((n): n is string => !!n && !n.includes('${'));
  return names.length > 0 ? { names } : {};
}

/**
 * A secret manager resource whose value is written, wholly or in part, as a literal: `azurerm_key_vault_secret.value`,
 * `aws_secretsmanager_secret_version.secret_string`, `aws_ssm_parameter.value`, `google_secret_manager_secret_version.secret_data`,
 * `vault_kv_secret_v2.data_json` / `vault_generic_secret.data_json`. References, functions of them (`file()`,
 * `jsonencode(var.x)`) and interpolations are no literal and are not kept.
 */
export interface TerraformSecretValue {
  type: string;
  label: string;
  /** The attribute holding the value: value, secret_string, secret_data, data_json. */
  attribute: string;
  /** What the secret is called: its literal name or path, else the label of the secret resource it versions. */
  name?: string;
  /** aws_ssm_parameter's `type` (String, SecureString). */
  parameterType?: string;
  /** The whole value, a literal string. */
  value?: string;
  /** The literal string fields of a JSON or object value (`jsonencode({ password = "…" })`, a JSON heredoc). */
  fields?: { key: string; value: string; line: number }[];
  /** `lifecycle { ignore_changes = [<attribute>] }` (or `all`): seeded once, the real value set out of band. */
  ignoreChanges: boolean;
  line: number;
  column: number;
}

/**
 * A write into a secret store other than Azure Key Vault (AWS Secrets Manager and SSM, Google Secret Manager, Vault
 * KV), whatever the value: what db-credential-in-external-store judges by name, keys and where the value comes from.
 */
export interface TerraformStoreWrite {
  type: string;
  label: string;
  /** The secret's name or path as written (interpolations kept): ssm `name`, Vault `path` or `mount`/`name`, a literal secret id. */
  names: string[];
  /** The secret resource a version writes into: `aws_secretsmanager_secret.<label>`, `google_secret_manager_secret.<label>`. */
  secretRef?: string;
  /** Field names of an object or JSON value (`jsonencode({ username = …, password = … })`). */
  keys: string[];
  /** `jsonencode(local.x)`: the fields are the keys of that value, resolved by the rule. */
  keysRef?: string;
  /** References in the value expression (`random_password.db.result`, `aws_db_instance.main.address`). */
  valueRefs: string[];
  /** A literal value (hashed only). */
  values: string[];
  /** The host a connection string or a host field of the value names. */
  host?: string;
  line: number;
  column: number;
}

/** The name a secret resource gives the versions written into it (`aws_secretsmanager_secret` name, `google_secret_manager_secret` secret_id). */
export interface TerraformStoreSecret {
  ref: string;
  name: string;
}

/** A SecretStore/ClusterSecretStore the file creates; no name when it is not a literal. */
export interface TerraformSecretStore {
  kind: string;
  name?: string;
  line: number;
}

/** A literal string a credential-named attribute is set to (see TerraformModel.credentialLiterals). */
export interface TerraformSecretLiteral {
  key: string;
  /** As written; kept in the model as secret manager values are, and only reported hashed. */
  value: string;
  line: number;
  column: number;
}

export interface TerraformModel {
  /**
   * `name = "literal"` where the name says it holds a credential (`administrator_login_password`, `secret_key`,
   * `client_secret`): in a resource, provider, module or locals block, a variable's default (named after the
   * variable) or a .tfvars assignment. Heredoc bodies are text, read by the credential formats instead.
   */
  credentialLiterals?: TerraformSecretLiteral[];
  keyVaultSecrets: TerraformKeyVaultSecret[];
  secretStores?: TerraformSecretStore[];
  azureDatabases: TerraformAzureDatabase[];
  /** Cloud-managed databases other than Azure's (RDS, Aurora, Cloud SQL, DocumentDB, Atlas ...), with their password references. */
  cloudDatabases?: TerraformAzureDatabase[];
  storeWrites?: TerraformStoreWrite[];
  storeSecrets?: TerraformStoreSecret[];
  secretValues?: TerraformSecretValue[];
  /** Credential-named variables given a literal string: a `default` in a variable block, an assignment in a .tfvars file. */
  credentialVariables?: { name: string; value: string; line: number; column: number }[];
  /**
   * Literal values a name can refer to, by reference (`var.secret_names`, `local.db_secret`): variable defaults, locals,
   * and .tfvars assignments (as `var.`). Resolved per module folder by the rule: names are often kept in variables.tf.
   */
  values?: Record<string, TerraformValue>;
  /** Secrets declared through the Kubernetes providers (kubernetes_secret, kubernetes_manifest, kubectl_manifest). */
  kubernetesSecrets?: TerraformKubernetesSecret[];
  /** Other objects applied through kubernetes_manifest / kubectl_manifest (a CNPG Cluster, a MariaDB ...). */
  kubernetesObjects?: TerraformKubernetesObject[];
  /** helm_release values: set/set_sensitive entries and inline values documents. */
  helmReleases?: TerraformHelmRelease[];
  /** `data "template_file" "<label>" { template = file("…") }`: the file each renders, relative to the module folder. */
  templateFiles?: { label: string; path: string }[];
}

export const AZURE_DATABASE_RESOURCE = /^azurerm_(postgresql|mysql|mariadb|mssql|sql|cosmosdb)_/;
/** Secret manager resources and the attribute their value is written in. */
const SECRET_VALUE_ATTRIBUTES: Record<string, readonly string[]> = {
  azurerm_key_vault_secret: ['value'],
  aws_secretsmanager_secret_version: ['secret_string'],
  aws_ssm_parameter: ['value', 'insecure_value'],
  google_secret_manager_secret_version: ['secret_data'],
  google_secret_manager_regional_secret_version: ['secret_data'],
  vault_kv_secret_v2: ['data_json'],
  vault_kv_secret: ['data_json'],
  vault_generic_secret: ['data_json'],
};
/**
 * Databases a cloud runs: a password stored next to one (or a value read from it) is that database's own, and the
 * store holding it is its authority.
 */
export const CLOUD_DATABASE_RESOURCE =
  /^(aws_(db_instance|rds_cluster|rds_cluster_instance|rds_global_cluster|docdb_cluster|docdb_elastic_cluster|neptune_cluster|redshift_cluster|redshiftserverless_namespace|elasticache_(replication_group|cluster|user)|memorydb_(cluster|user)|mq_broker|lightsail_database)|google_(sql_database_instance|sql_user|alloydb_(cluster|instance|user)|spanner_instance|redis_instance)|digitalocean_database_|mongodbatlas_|scaleway_rdb_|linode_database_|aiven_(pg|mysql|redis|cassandra|opensearch)|neon_|supabase_|planetscale_)/;
/** Module sources that create a cloud database (terraform-aws-modules/rds, rds-aurora, terraform-google-modules/sql-db ...). */
export const CLOUD_DATABASE_MODULE = /(^|[/:])(terraform-aws-)?(rds|rds-aurora|aurora|aws-rds|docdb|documentdb|elasticache|memorydb|sql-db|cloud-?sql|cloudsql|alloy-?db|postgresql-flexible|mysql-flexible|flexible-server|cosmos-?db|mongodbatlas|atlas)([/?-]|$)/i;
const MODULE = /^[ \t]*module[ \t]+"([A-Za-z0-9_-]+)"[ \t]*\{/gm;
/** Writes into stores other than Azure Key Vault, and the attributes that hold the value. */
const STORE_WRITE_ATTRIBUTES: Record<string, readonly string[]> = {
  aws_secretsmanager_secret_version: ['secret_string', 'secret_string_wo'],
  aws_ssm_parameter: ['value', 'insecure_value', 'value_wo'],
  google_secret_manager_secret_version: ['secret_data', 'secret_data_wo'],
  google_secret_manager_regional_secret_version: ['secret_data', 'secret_data_wo'],
  vault_kv_secret_v2: ['data_json', 'data_json_wo'],
  vault_kv_secret: ['data_json'],
  vault_generic_secret: ['data_json', 'data_json_wo'],
};
/** Secret resources whose versions are written separately, and the attribute that names them. */
const STORE_SECRET_NAME: Record<string, readonly string[]> = {
  aws_secretsmanager_secret: ['name', 'name_prefix'],
  google_secret_manager_secret: ['secret_id'],
  google_secret_manager_regional_secret: ['secret_id'],
};
const PREFILTER = new RegExp(
  `"template_file"|azurerm_key_vault_secret|azurerm_(postgresql|mysql|mariadb|mssql|sql|cosmosdb)_|SecretStore|aws_secretsmanager_secret|aws_ssm_parameter|google_secret_manager_(regional_)?secret|vault_kv_secret|vault_generic_secret|"${CLOUD_DATABASE_RESOURCE.source.slice(1)}|source\\s*=\\s*"[^"\\n]*(rds|aurora|sql-db|cloud-?sql|docdb|documentdb|flexible|atlas)`,
);
/** Files that may assign a credential-named attribute a string (the rule judges the name and the value). */
const CREDENTIAL_PREFILTER = /(pass(word|wd)?|secret|token|key|credentials?)("?[ \t]*=[ \t]*"[^"$]|[A-Za-z0-9_-]*"[ \t]*\{)/i;
const ATTRIBUTE_LINE = /^([ \t]*)"?([A-Za-z_][A-Za-z0-9_.-]*)"?[ \t]*=[ \t]*"((?:[^"\\$]|\\.|\$(?!\{))*)"[ \t]*,?[ \t]*(?:(?:#|\/\/).*)?$/;
const STORE_KIND = /\bkind["']?\s*[=:]\s*["']?((?:Cluster)?SecretStore)\b/g;
const OBJECT_BOUNDARY = /\bkind["']?\s*[=:]|\n\s*resource\s+"|\n---/;
const STORE_NAME = /\bname["']?\s*[=:]\s*(["']?)([^\s"',}]+)\1/;

/**
 * Stores the text creates, whatever the wrapper (an HCL object, a YAML heredoc, a jsonencode): each `kind =
 * "ClusterSecretStore"` takes the first `name` within a few lines after it (metadata comes next in nearly every
 * manifest), else the last one before it. A name with an interpolation is no name. A kind inside a store ref, or
 * without a provider after it, is no store.
 */
export function secretStoresIn(text: string, lineAt: (index: number) => number): TerraformSecretStore[] {
  const out: TerraformSecretStore[] = [];
  STORE_KIND.lastIndex = 0;
  for (let m = STORE_KIND.exec(text); m; m = STORE_KIND.exec(text)) {
    // A store ref (an ExternalSecret's secretStoreRef) names its kind too; a store has a provider.
    if (/storeRefs?\b/i.test(text.slice(Math.max(0, m.index - 150), m.index)) || !/\bprovider\b/.test(text.slice(m.index, m.index + 1500))) continue;
    // Within this object only: up to the next kind or block, back to the previous one.
    const ahead = text.slice(m.index + m[0].length, m.index + m[0].length + 300);
    const cut = ahead.search(OBJECT_BOUNDARY);
    const after = STORE_NAME.exec(cut < 0 ? ahead : ahead.slice(0, cut));
    const behind = text.slice(Math.max(0, m.index - 300), m.index);
    const start = Math.max(0, ...[...behind.matchAll(new RegExp(OBJECT_BOUNDARY.source, 'g'))].map((b) => b.index + b[0].length));
    const before = after ? undefined : [...behind.slice(start).matchAll(new RegExp(STORE_NAME.source, 'g'))].pop();
    const name = (after ?? before)?.[2];
    const literal = name !== undefined && !/[${}]|^(var|local|each|module)\./.test(name);
    out.push({ kind: m[1]!, ...(literal ? { name } : {}), line: lineAt(m.index) });
  }
  return out;
}
/** Files that only hold values a Key Vault secret's name may come from (variables.tf, locals.tf). */
const VALUES_PREFILTER = /^[ \t]*(?:variable[ \t]+"[^"]+"|locals)[ \t]*\{/m;
const VALUE_BLOCK = /^[ \t]*(?:variable[ \t]+"([A-Za-z0-9_-]+)"|(locals))[ \t]*\{/gm;
const RESOURCE = /^[ \t]*resource[ \t]+"([A-Za-z0-9_]+)"[ \t]+"([A-Za-z0-9_-]+)"[ \t]*\{/gm;

/** Index just past the brace that closes the block opened at OPEN (a `{`); the text's end when it never closes. */
export function blockEnd(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      continue;
    }
    const heredoc = c === '<' ? heredocEnd(text, i) : undefined;
    if (heredoc !== undefined) {
      i = heredoc;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

/** Index just past the terminator of a heredoc (`<<EOF`, `<<-EOF`) starting at START; undefined when none starts there. */
export function heredocEnd(text: string, start: number): number | undefined {
  const opener = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(start, start + 80));
  if (!opener) return undefined;
  const bodyStart = start + opener[0].length;
  const close = new RegExp(`^[ \\t]*${opener[1]}[ \\t]*$`, 'm').exec(text.slice(bodyStart));
  return close ? bodyStart + close.index + close[0].length : text.length;
}

/** Index just past the string opening at START (a `"`), `${ … }` interpolations (which may hold strings) included. */
export function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n') return i;
    else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '"') {
          i = stringEnd(text, i);
          continue;
        }
        if (text[i] === '{') depth++;
        else if (text[i] === '}') depth--;
        i++;
      }
    } else i++;
  }
  return i;
}

/** Top-level `key = expression` attributes of a block body (nested blocks skipped), each expression as written. */
function attributes(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  // HCL map and object bodies also write `"key" = …` and `key: …`.
  const attr = /^[ \t]*"?([A-Za-z_][A-Za-z0-9_.-]*)"?[ \t]*[=:](?!=)[ \t]*/;
  while (i < body.length) {
    const lineEnd = body.indexOf('\n', i) < 0 ? body.length : body.indexOf('\n', i);
    const m = attr.exec(body.slice(i, lineEnd));
    if (m) {
      const start = i + m[0].length;
      const end = expressionEnd(body, start);
      out.set(m[1]!, body.slice(start, end).trim());
      i = end;
      continue;
    }
    const brace = body.slice(i, lineEnd).indexOf('{');
    i = brace >= 0 ? blockEnd(body, i + brace) : lineEnd + 1;
  }
  return out;
}

/**
 * End of an attribute's expression starting at START, before END: the line's end outside brackets, strings and
 * heredocs, and also a comma with `comma` (an item of an object or list). A trailing comment ends the expression where
 * it starts, or with `throughComment` at the end of its line (the span of an item then covers it).
 */
export function expressionEnd(text: string, start: number, end = text.length, options: { comma?: boolean; throughComment?: boolean } = {}): number {
  let depth = 0;
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    const heredoc = c === '<' ? heredocEnd(text, i) : undefined;
    if (heredoc !== undefined) {
      i = heredoc;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if ((c === '\n' || (options.comma && c === ',')) && depth <= 0) return i;
    else if ((c === '#' || (c === '/' && text[i + 1] === '/')) && depth <= 0) {
      if (!options.throughComment) return i;
      const nl = text.indexOf('\n', i);
      return nl < 0 || nl > end ? end : nl;
    }
    i++;
  }
  return end;
}

/** A quoted string's content as written (interpolations kept), or undefined for any other expression. */
function stringLiteral(expression: string): string | undefined {
  const m = /^"((?:[^"\\]|\\.|\$\{[^}]*\})*)"$/.exec(expression);
  return m ? m[1] : undefined;
}

const REFERENCE = /\b((?:azurerm|random|azuread|kubernetes|helm|var|local|module|data)[A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)+)/g;

function references(expression: string): string[] {
  return [...new Set([...expression.matchAll(REFERENCE)].map((m) => m[1]!))];
}

/** Any resource, data source, variable, local or module reference, indexes dropped: `aws_db_instance.main[0].address` -> aws_db_instance.main.address. */
const ANY_REFERENCE = /(?<![\w.$-])((?:data\.)?[a-z][a-z0-9]*(?:_[a-z0-9]+)+|var|local|module)\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]\n]*\])?(?:\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]\n]*\])?)*/g;

export function anyReferences(expression: string): string[] {
  return [...new Set([...expression.matchAll(ANY_REFERENCE)].map((m) => m[0].replace(/\[[^\]\n]*\]/g, '')))];
}

/** A literal expression's strings and keys: `"a"`, `["a", "b"]`, `toset([...])`, `{ a = "x", "b" = { … } }`; undefined otherwise. */
export function literalValue(expression: string): TerraformValue | undefined {
  const text = expression.trim();
  const string = stringLiteral(text);
  if (string !== undefined) return string.includes('${') ? undefined : { strings: [string], keys: [] };
  const list = /^(?:toset\()?\[([^\]]*)\]\)?$/s.exec(text);
  if (list) return { strings: [...list[1]!.matchAll(/"([^"$]+)"/g)].map((m) => m[1]!), keys: [] };
  if (/^\{[\s\S]*\}$/.test(text)) {
    const entries = attributes(text.slice(1, -1).replace(/("(?:[^"\\]|\\.)*")|,/g, (match, quoted: string | undefined) => quoted ?? '\n'));
    if (entries.size === 0) return undefined;
    // A map's values are what the secrets hold far more often than their names: only its keys are kept.
    return { strings: [], keys: [...entries.keys()] };
  }
  return undefined;
}

/** Variables that hold a credential rather than a name (`db_password`, `api_token`), unless they say they hold names. */
const CREDENTIAL_VARIABLE = /pass(word|wd)?|secret|token|credential|api_?key|private_?key|connection_?string|dsn/i;
const NAME_VARIABLE = /(name|names|id|ids|keys?|list)$/i;
/** Strings that can be a Key Vault secret name: what this model keeps (it is cached on disk; values never are). */
const NAME_LIKE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,126}$/;

/** Variable defaults and locals of a .tf file, or the assignments of a .tfvars file, that are literal names. */
function literalValues(text: string, tfvars: boolean): Record<string, TerraformValue> | undefined {
  const out: Record<string, TerraformValue> = {};
  const keep = (ref: string, name: string, expression: string) => {
    const value = literalValue(expression);
    if (!value) return;
    const strings = CREDENTIAL_VARIABLE.test(name) && !NAME_VARIABLE.test(name) ? [] : value.strings.filter((v) => NAME_LIKE.test(v));
    const keys = value.keys.filter((k) => NAME_LIKE.test(k));
    if (strings.length + keys.length > 0) out[ref] = { strings, keys };
  };
  if (tfvars) {
    for (const [name, expression] of attributes(text)) keep(`var.${name}`, name, expression);
  } else {
    VALUE_BLOCK.lastIndex = 0;
    for (let m = VALUE_BLOCK.exec(text); m; m = VALUE_BLOCK.exec(text)) {
      const open = m.index + m[0].length - 1;
      const end = blockEnd(text, open);
      const attrs = attributes(text.slice(open + 1, end - 1));
      if (m[1]) {
        if (attrs.has('default')) keep(`var.${m[1]}`, m[1], attrs.get('default')!);
      } else {
        for (const [name, expression] of attrs) keep(`local.${name}`, name, expression);
      }
      VALUE_BLOCK.lastIndex = Math.max(VALUE_BLOCK.lastIndex, end);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Names a `for_each` of literal strings gives `each.key`/`each.value`: `toset(["a", "b"])`, `["a"]`, `{ a = "x" }`. */
function forEachNames(forEach: string | undefined, ref: string): string[] {
  if (!forEach) return [];
  const list = /^(?:toset\()?\[([^\]]*)\]\)?$/s.exec(forEach);
  if (list) return [...list[1]!.matchAll(/"([^"$]+)"/g)].map((m) => m[1]!);
  const map = /^\{([\s\S]*)\}$/.exec(forEach);
  if (!map) return [];
  const entries = [...map[1]!.matchAll(/(?:^|[\s,{])"?([A-Za-z0-9_.-]+)"?[ \t]*[=:][ \t]*"([^"$]*)"/g)];
  return entries.map((m) => (ref === 'each.value' ? m[2]! : m[1]!)).filter((n) => n.length > 0);
}


/** HCL string escapes undone (`\\"` -> `"`); `$${` and `%%{` are literal `${` and `%{`. */
function unescapeHcl(text: string): string {
  return text.replace(/\\(["\\nrt])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** The body of a heredoc expression (`<<EOT … EOT`, `<<-EOT`), or undefined. */
function heredocBody(expression: string): string | undefined {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*\1[ \t]*$/.exec(expression.trim());
  return m ? m[2] : undefined;
}

const JSON_FIELD = /"([^"\\]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
const OBJECT_FIELD = /(?:^|[\s,{(])"?([A-Za-z_][A-Za-z0-9_.-]*)"?[ \t]*[=:][ \t]*"((?:[^"\\$%]|\\.|\$(?!\{)|%(?!\{))*)"(?=\s*[,}\n#]|\s*$)/g;

/** Literal string fields of JSON text; a field whose value interpolates is no literal. */
function jsonFields(text: string): { key: string; value: string }[] {
  return [...text.matchAll(JSON_FIELD)].filter((m) => !/\$\{|%\{/.test(m[2]!)).map((m) => ({ key: m[1]!, value: m[2]!.replace(/\\(.)/g, '$1') }));
}

/**
 * What a secret value expression holds literally: a whole string (`"S3cr3t"`, a heredoc), or the literal fields of
 * JSON text or of `jsonencode({ … })`. Anything computed (`var.x`, `random_password.x.result`, `file(…)`,
 * `jsonencode(var.x)`, `"${var.a}"`) gives nothing.
 */
function literalSecretValue(expression: string): { value?: string; fields?: { key: string; value: string }[] } | undefined {
  const text = expression.trim();
  const string = stringLiteral(text);
  const heredoc = string === undefined ? heredocBody(text) : undefined;
  const whole = string !== undefined ? unescapeHcl(string) : heredoc;
  if (whole !== undefined) {
    if (/^\s*[[{]/.test(whole)) {
      const fields = jsonFields(whole);
      return fields.length > 0 ? { fields } : undefined;
    }
    return /\$\{|%\{/.test(string ?? heredoc ?? '') ? undefined : { value: whole };
  }
  const encoded = /^jsonencode\(\s*(\{[\s\S]*\})\s*\)$/.exec(text);
  if (!encoded) return undefined;
  const fields = [...encoded[1]!.matchAll(OBJECT_FIELD)].map((m) => ({ key: m[1]!, value: unescapeHcl(m[2]!) }));
  return fields.length > 0 ? { fields } : undefined;
}

/** `lifecycle { ignore_changes = [value] }` (or `all`) in a resource body, for ATTRIBUTE. */
function ignoresChanges(body: string, attribute: string): boolean {
  const lifecycle = /(?:^|\n)[ \t]*lifecycle[ \t]*\{/.exec(body);
  if (!lifecycle) return false;
  const open = lifecycle.index + lifecycle[0].length - 1;
  const ignore = attributes(body.slice(open + 1, blockEnd(body, open) - 1)).get('ignore_changes');
  if (!ignore) return false;
  return /^all$/.test(ignore) || new RegExp(`(^|[\\s\\[,"])${attribute}(["\\s,\\]]|$)`).test(ignore);
}

/** The label of the resource a reference names: `aws_secretsmanager_secret.db_password.id` -> db_password. */
function referencedLabel(expression: string | undefined, type: RegExp): string | undefined {
  const m = /^([A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)\.[A-Za-z_]+$/.exec(expression?.trim() ?? '');
  return m && type.test(m[1]!) ? m[2] : undefined;
}

function secretValuesOf(type: string, label: string, body: string, attrs: Map<string, string>, line: number, lineAt: (offset: number) => number, bodyStart: number): TerraformSecretValue[] {
  const out: TerraformSecretValue[] = [];
  for (const attribute of SECRET_VALUE_ATTRIBUTES[type] ?? []) {
    const expression = attrs.get(attribute);
    if (!expression) continue;
    const literal = literalSecretValue(expression);
    if (!literal) continue;
    const nameExpression = attrs.get('name') ?? attrs.get('path');
    const literalName = nameExpression !== undefined ? stringLiteral(nameExpression) : undefined;
    const name = literalName !== undefined && !literalName.includes('${') ? literalName : referencedLabel(attrs.get('secret_id') ?? attrs.get('secret'), /_secret$/);
    const parameterType = type === 'aws_ssm_parameter' ? stringLiteral(attrs.get('type') ?? '') : undefined;
    const at = new RegExp(`(^|\\n)[ \\t]*${attribute}[ \\t]*=`).exec(body);
    const offset = at ? bodyStart + at.index + at[1]!.length : undefined;
    const lineText = at ? body.slice(at.index + at[1]!.length) : '';
    const valueLine = offset !== undefined ? lineAt(offset) : line;
    // Each field on the line that writes it (in order: the line counter only goes forward).
    let from = at ? at.index : 0;
    const fields = literal.fields?.map((f) => {
      const key = new RegExp(`"?${f.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*[=:]`).exec(body.slice(from));
      if (!key) return { ...f, line: valueLine };
      from += key.index + key[0].length;
      return { ...f, line: lineAt(bodyStart + from) };
    });
    out.push({
      type,
      label,
      attribute,
      ...(name ? { name } : {}),
      ...(parameterType ? { parameterType } : {}),
      ...(literal.value !== undefined ? { value: literal.value } : {}),
      ...(fields ? { fields } : {}),
      ignoreChanges: ignoresChanges(body, attribute),
      line: valueLine,
      column: lineText.length - lineText.trimStart().length + 1,
    });
  }
  return out;
}

/** The host a connection string names, or a host field of an object or JSON value (`host = "pg-rw.db.svc"`). */
function valueHost(text: string): string | undefined {
  const field = /(?:^|[\s,{"])(?:host|hostname|endpoint|address|server|db_?host|database_?host)"?[ \t]*[=:][ \t]*"([^"\s]+)"/i.exec(text);
  if (field) return field[1];
  for (const m of text.matchAll(/"([a-z][a-z0-9+.-]*:\/\/[^"\s]+)"/gi)) {
    const host = connectionHost(m[1]!);
    if (host) return host;
  }
  return undefined;
}

/** See TerraformStoreWrite: the secret's name, the value's fields, references and host. */
function storeWriteOf(type: string, label: string, attrs: Map<string, string>, line: number, column: number): TerraformStoreWrite | undefined {
  const expression = STORE_WRITE_ATTRIBUTES[type]!.map((a) => attrs.get(a)).find((e) => e !== undefined);
  if (expression === undefined) return undefined;
  const literal = (key: string) => {
    const e = attrs.get(key);
    return e === undefined ? undefined : stringLiteral(e.trim());
  };
  const names: string[] = [];
  let secretRef: string | undefined;
  if (type === 'vault_kv_secret_v2') {
    const name = literal('name');
    const mount = literal('mount');
    if (name) names.push(mount ? `${mount}/${name}` : name);
  } else if (type.startsWith('vault_')) {
    const path = literal('path');
    if (path) names.push(path);
  } else if (type === 'aws_ssm_parameter') {
    const name = literal('name');
    if (name) names.push(name);
  } else {
    const id = attrs.get(type.startsWith('aws_') ? 'secret_id' : 'secret')?.trim() ?? '';
    const ref = /^((?:aws_secretsmanager_secret|google_secret_manager_(?:regional_)?secret)\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.[a-z_]+$/.exec(id);
    if (ref) secretRef = ref[1];
    else {
      const name = stringLiteral(id);
      if (name) names.push(name);
    }
  }
  const value = expression.trim();
  let keys: string[] = [];
  let keysRef: string | undefined;
  let host: string | undefined;
  const encoded = /^(?:jsonencode|yamlencode)\(\s*([\s\S]*?)\s*\)$/.exec(value);
  const whole = stringLiteral(value);
  if (encoded) {
    const inner = encoded[1]!;
    if (/^\{[\s\S]*\}$/.test(inner)) {
      keys = literalValue(inner)?.keys ?? [];
      host = valueHost(inner);
    } else if (/^(?:var|local)\.[A-Za-z0-9_-]+$/.test(inner)) keysRef = inner;
  } else {
    const text = whole ?? heredocBody(value);
    if (text !== undefined && /^\s*\{/.test(text)) {
      keys = [...text.matchAll(/"([^"\\]+)"\s*:/g)].map((m) => m[1]!);
      host = valueHost(text);
    } else if (text !== undefined) host = connectionHost(text);
  }
  return {
    type,
    label,
    names,
    ...(secretRef ? { secretRef } : {}),
    keys: [...new Set(keys)],
    ...(keysRef ? { keysRef } : {}),
    valueRefs: anyReferences(value),
    values: whole !== undefined && whole !== '' && !/\$\{|%\{/.test(whole) ? [unescapeHcl(whole)] : [],
    ...(host ? { host } : {}),
    line,
    column,
  };
}

/** `db_password = "…"` in a .tfvars file, `variable "db_password" { default = "…" }` in a .tf file: literal strings only. */
function credentialVariables(text: string, tfvars: boolean): NonNullable<TerraformModel['credentialVariables']> {
  const out: NonNullable<TerraformModel['credentialVariables']> = [];
  const lineAt = lineCounter(text);
  const keep = (name: string, expression: string | undefined, offset: number) => {
    if (!CREDENTIAL_VARIABLE.test(name) || NAME_VARIABLE.test(name) || expression === undefined) return;
    const literal = stringLiteral(expression);
    if (literal === undefined || literal === '' || /\$\{|%\{/.test(literal)) return;
    const lineText = text.slice(offset, text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset));
    out.push({ name, value: unescapeHcl(literal), line: lineAt(offset), column: lineText.length - lineText.trimStart().length + 1 });
  };
  if (tfvars) {
    const attrs = attributes(text);
    for (const m of text.matchAll(/^[ \t]*"?([A-Za-z_][A-Za-z0-9_-]*)"?[ \t]*=(?!=)/gm)) if (attrs.has(m[1]!)) keep(m[1]!, attrs.get(m[1]!), m.index);
    return out;
  }
  for (const m of text.matchAll(/^[ \t]*variable[ \t]+"([A-Za-z0-9_-]+)"[ \t]*\{/gm)) {
    const open = m.index + m[0].length - 1;
    const body = text.slice(open + 1, blockEnd(text, open) - 1);
    const at = /(^|\n)[ \t]*default[ \t]*=/.exec(body);
    if (at) keep(m[1]!, attributes(body).get('default'), open + 1 + at.index + at[1]!.length);
  }
  return out;
}

/** See TerraformModel.credentialLiterals. */
function credentialLiterals(text: string, extra: readonly string[]): TerraformSecretLiteral[] {
  const out: TerraformSecretLiteral[] = [];
  const lines = text.split('\n');
  let heredoc: RegExp | undefined;
  // The variable block a line is in (its default is named after it), and the depth it opened at.
  let variable: { name: string; depth: number } | undefined;
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (heredoc) {
      if (heredoc.test(line)) heredoc = undefined;
      continue;
    }
    const opener = /<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*$/.exec(line);
    if (opener) heredoc = new RegExp(`^[ \\t]*${opener[1]}[ \\t]*$`);
    if (/^[ \t]*(#|\/\/)/.test(line)) continue;
    const block = /^[ \t]*variable[ \t]+"([A-Za-z0-9_-]+)"[ \t]*\{/.exec(line);
    if (block) variable = { name: block[1]!, depth };
    const m = ATTRIBUTE_LINE.exec(line);
    if (m && m[3] !== '') {
      const key = variable ? (m[2] === 'default' ? variable.name : undefined) : m[2]!;
      if (key && isCredentialName(key, { extra })) out.push({ key, value: m[3]!, line: i + 1, column: m[1]!.length + 1 });
    }
    // Braces outside strings: the depth tells where a variable block ends.
    for (const c of line.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
      if (c === '{') depth++;
      else if (c === '}' && --depth === (variable?.depth ?? -1)) variable = undefined;
    }
  }
  return out;
}

export function parseTerraform(text: string, tfvars = false, credentialNames: readonly string[] = []): TerraformModel {
  const model: TerraformModel = { keyVaultSecrets: [], azureDatabases: [] };
  const values = tfvars || VALUES_PREFILTER.test(text) ? literalValues(text, tfvars) : undefined;
  if (values) model.values = values;
  if (tfvars || VALUES_PREFILTER.test(text)) {
    const credentials = credentialVariables(text, tfvars);
    if (credentials.length > 0) model.credentialVariables = credentials;
  }
  if (CREDENTIAL_PREFILTER.test(text)) {
    const literals = credentialLiterals(text, credentialNames);
    if (literals.length > 0) model.credentialLiterals = literals;
  }
  if (tfvars) return model;
  const lineAt = lineCounter(text);
  if (text.includes('SecretStore')) {
    const stores = secretStoresIn(text, lineAt);
    if (stores.length > 0) model.secretStores = stores;
  }
  if (TERRAFORM_K8S_PREFILTER.test(text)) {
    const { secrets, releases, objects } = parseTerraformKubernetes(text);
    if (secrets.length > 0) model.kubernetesSecrets = secrets;
    if (objects.length > 0) model.kubernetesObjects = objects;
    if (releases.length > 0) model.helmReleases = releases;
  }
  // The searches above asked for lines all over the text: the resources count again from the start.
  const resourceLineAt = lineCounter(text);
  RESOURCE.lastIndex = 0;
  for (let m = RESOURCE.exec(text); m; m = RESOURCE.exec(text)) {
    const [, type, label] = m;
    const open = m.index + m[0].length - 1;
    const end = blockEnd(text, open);
    const body = text.slice(open + 1, end - 1);
    const attrs = attributes(body);
    const line = resourceLineAt(m.index);
    if (SECRET_VALUE_ATTRIBUTES[type!]) {
      const found = secretValuesOf(type!, label!, body, attrs, line, resourceLineAt, open + 1);
      if (found.length > 0) (model.secretValues ??= []).push(...found);
    }
    if (type === 'azurerm_key_vault_secret') {
      const nameExpr = attrs.get('name');
      if (!nameExpr) continue;
      const literal = stringLiteral(nameExpr);
      const each = /^each\.(key|value)$/.exec(nameExpr);
      const names = literal !== undefined ? [literal] : each ? forEachNames(attrs.get('for_each'), nameExpr) : [nameExpr];
      const forEachRef = each && names.length === 0 ? /^(?:toset\()?((?:var|local)\.[A-Za-z0-9_-]+)\)?$/.exec(attrs.get('for_each')?.trim() ?? '')?.[1] : undefined;
      if (names.length === 0 && !forEachRef) continue;
      const valueExpr = attrs.get('value') ?? '';
      const valueLiteral = stringLiteral(valueExpr);
      const host = valueLiteral === undefined ? undefined : connectionHost(valueLiteral);
      model.keyVaultSecrets.push({
        label: label!,
        names,
        valueRefs: references(valueExpr),
        ...(host ? { host } : {}),
        ...(forEachRef ? { forEach: { ref: forEachRef, each: each![1] as 'key' | 'value' } } : {}),
        values: valueLiteral !== undefined && valueLiteral !== '' && !valueLiteral.includes('${') ? [valueLiteral] : [],
        line,
        column: m[0].length - m[0].trimStart().length + 1,
      });
    } else if (AZURE_DATABASE_RESOURCE.test(type!)) {
      const password = [...attrs.entries()].filter(([k]) => /password/i.test(k)).map(([, v]) => v);
      model.azureDatabases.push({ type: type!, label: label!, line, passwordRefs: password.flatMap(references), ...databaseNames(attrs) });
    } else if (CLOUD_DATABASE_RESOURCE.test(type!)) {
      const password = [...attrs.entries()].filter(([k]) => /password|auth_token/i.test(k)).map(([, v]) => v);
      (model.cloudDatabases ??= []).push({ type: type!, label: label!, line, passwordRefs: password.flatMap(anyReferences), ...databaseNames(attrs) });
    } else if (STORE_WRITE_ATTRIBUTES[type!]) {
      const write = storeWriteOf(type!, label!, attrs, line, m[0].length - m[0].trimStart().length + 1);
      if (write) (model.storeWrites ??= []).push(write);
    } else if (STORE_SECRET_NAME[type!]) {
      const name = STORE_SECRET_NAME[type!]!.map((a) => stringLiteral(attrs.get(a)?.trim() ?? '')).find((n) => n);
      if (name) (model.storeSecrets ??= []).push({ ref: `${type}.${label}`, name });
    }
    RESOURCE.lastIndex = Math.max(RESOURCE.lastIndex, end);
  }
  if (text.includes('template_file')) {
    for (const m of text.matchAll(/^[ \t]*data[ \t]+"template_file"[ \t]+"([A-Za-z0-9_-]+)"[ \t]*\{/gm)) {
      const open = m.index + m[0].length - 1;
      const template = attributes(text.slice(open + 1, blockEnd(text, open) - 1)).get('template');
      const loaded = template === undefined ? undefined : loadedFile(template);
      if (loaded) (model.templateFiles ??= []).push({ label: m[1]!, path: loaded.path });
    }
  }
  // A module that creates a cloud database: `module.rds.db_instance_password` is that database's.
  if (text.includes('module')) {
    MODULE.lastIndex = 0;
    for (let m = MODULE.exec(text); m; m = MODULE.exec(text)) {
      const open = m.index + m[0].length - 1;
      const end = blockEnd(text, open);
      const attrs = attributes(text.slice(open + 1, end - 1));
      const source = stringLiteral(attrs.get('source')?.trim() ?? '');
      if (source && CLOUD_DATABASE_MODULE.test(source)) {
        const password = [...attrs.entries()].filter(([k]) => /password/i.test(k)).map(([, v]) => v);
        (model.cloudDatabases ??= []).push({ type: 'module', label: m[1]!, line: resourceLineAt(m.index), passwordRefs: password.flatMap(anyReferences), ...databaseNames(attrs) });
      }
      MODULE.lastIndex = Math.max(MODULE.lastIndex, end);
    }
  }
  return model;
}

export const terraformAnalyzer: Analyzer<TerraformModel> = {
  id: 'terraform',
  claims: (file: FileContext) => /\.(tf|tfvars)$/i.test(basename(file.path)),
  sniff: (text, file) => /\.tfvars$/i.test(file.path) || PREFILTER.test(text) || VALUES_PREFILTER.test(text) || TERRAFORM_K8S_PREFILTER.test(text) || CREDENTIAL_PREFILTER.test(text),
  parse(text, file, context) {
    const model = parseTerraform(text, /\.tfvars$/i.test(file.path), context.config.credentialNames);
    const kubernetes = (model.kubernetesSecrets?.length ?? 0) + (model.helmReleases?.length ?? 0) + (model.kubernetesObjects?.length ?? 0);
    const stores = (model.storeWrites?.length ?? 0) + (model.storeSecrets?.length ?? 0) + (model.cloudDatabases?.length ?? 0) + (model.templateFiles?.length ?? 0);
    return stores + model.keyVaultSecrets.length + model.azureDatabases.length + (model.secretStores?.length ?? 0) + (model.secretValues?.length ?? 0) + (model.credentialVariables?.length ?? 0) + (model.credentialLiterals?.length ?? 0) + kubernetes > 0 || model.values ? model : undefined;
  },
};
