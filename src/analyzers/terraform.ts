/**
 * Terraform (`*.tf`), read only for what lands in Azure Key Vault: `resource "azurerm_key_vault_secret"` blocks (their
 * `name`, literal or interpolated, and what their `value` references) and the Azure-managed databases the same file
 * provisions (`azurerm_postgresql_flexible_server`, `azurerm_mssql_server`, `azurerm_cosmosdb_account` ...), and the literal
 * variable defaults, locals and .tfvars values a secret's name may come from; and the External Secrets stores it
 * creates (`kubernetes_manifest`, `kubectl_manifest` yaml_body, helm_release values), by name only. Not an HCL
 * parser: blocks are delimited by brace matching that skips strings, heredocs and comments. Files that do not mention
 * either resource type are never parsed.
 */
import { connectionHost } from '../k8s/vocabulary.js';
import { basename } from '../util/path.js';
import type { Analyzer, FileContext } from './types.js';
import { lineCounter } from '../util/line-counter.js';

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
}

/** A SecretStore/ClusterSecretStore the file creates; no name when it is not a literal. */
export interface TerraformSecretStore {
  kind: string;
  name?: string;
  line: number;
}

export interface TerraformModel {
  keyVaultSecrets: TerraformKeyVaultSecret[];
  secretStores?: TerraformSecretStore[];
  azureDatabases: TerraformAzureDatabase[];
  /**
   * Literal values a name can refer to, by reference (`var.secret_names`, `local.db_secret`): variable defaults, locals,
   * and .tfvars assignments (as `var.`). Resolved per module folder by the rule: names are often kept in variables.tf.
   */
  values?: Record<string, TerraformValue>;
}

export const AZURE_DATABASE_RESOURCE = /^azurerm_(postgresql|mysql|mariadb|mssql|sql|cosmosdb)_/;
const PREFILTER = /azurerm_key_vault_secret|azurerm_(postgresql|mysql|mariadb|mssql|sql|cosmosdb)_|SecretStore/;
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
function blockEnd(text: string, open: number): number {
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
function heredocEnd(text: string, start: number): number | undefined {
  const opener = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(start, start + 80));
  if (!opener) return undefined;
  const bodyStart = start + opener[0].length;
  const close = new RegExp(`^[ \\t]*${opener[1]}[ \\t]*$`, 'm').exec(text.slice(bodyStart));
  return close ? bodyStart + close.index + close[0].length : text.length;
}

/** Index just past the string opening at START (a `"`), `${ … }` interpolations (which may hold strings) included. */
function stringEnd(text: string, start: number): number {
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

/** End of an attribute's expression: the line's end outside brackets, strings and heredocs. */
function expressionEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
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
    else if (c === '\n' && depth <= 0) return i;
    else if ((c === '#' || (c === '/' && text[i + 1] === '/')) && depth <= 0) return i;
    i++;
  }
  return text.length;
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


export function parseTerraform(text: string, tfvars = false): TerraformModel {
  const model: TerraformModel = { keyVaultSecrets: [], azureDatabases: [] };
  const values = tfvars || VALUES_PREFILTER.test(text) ? literalValues(text, tfvars) : undefined;
  if (values) model.values = values;
  if (tfvars) return model;
  const lineAt = lineCounter(text);
  if (text.includes('SecretStore')) {
    const stores = secretStoresIn(text, lineAt);
    if (stores.length > 0) model.secretStores = stores;
  }
  RESOURCE.lastIndex = 0;
  for (let m = RESOURCE.exec(text); m; m = RESOURCE.exec(text)) {
    const [, type, label] = m;
    const open = m.index + m[0].length - 1;
    const end = blockEnd(text, open);
    const attrs = attributes(text.slice(open + 1, end - 1));
    const line = lineAt(m.index);
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
      model.azureDatabases.push({ type: type!, label: label!, line, passwordRefs: password.flatMap(references) });
    }
    RESOURCE.lastIndex = Math.max(RESOURCE.lastIndex, end);
  }
  return model;
}

export const terraformAnalyzer: Analyzer<TerraformModel> = {
  id: 'terraform',
  claims: (file: FileContext) => /\.(tf|tfvars)$/i.test(basename(file.path)),
  sniff: (text, file) => /\.tfvars$/i.test(file.path) || PREFILTER.test(text) || VALUES_PREFILTER.test(text),
  parse(text, file) {
    const model = parseTerraform(text, /\.tfvars$/i.test(file.path));
    return model.keyVaultSecrets.length + model.azureDatabases.length + (model.secretStores?.length ?? 0) > 0 || model.values ? model : undefined;
  },
};
