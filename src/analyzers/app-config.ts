/**
 * Application configuration files: what a service reads at start-up, committed beside its code. Spring Boot, Micronaut
 * and Quarkus (`application*.yml|yaml|properties`, `bootstrap*.yml`), any Java `.properties` (gradle.properties
 * included), HOCON (`application.conf`), .NET (`appsettings*.json`), Rails (`config/database.yml`, `config/secrets.yml`)
 * and node-config (`config/default.json`, `config/production.yaml`); and servers' own configuration committed beside
 * them: Redis and Sentinel (`requirepass`, `masterauth`, ACL `>password`), RabbitMQ (`default_pass`), INI files
 * (grafana.ini, pgbouncer.ini, my.cnf), `.pgpass` and PgBouncer's `userlist.txt`. The model keeps the settings whose key or value
 * may hold a credential (a password, secret, token or key name; a connection string or URL with a password), each
 * with its dotted key path, line and the Spring profile of its YAML document; rules judge them (hardcoded-credential).
 */
import { basename, segments } from '../util/path.js';
import { isMap, isScalar, isSeq, type PNode } from '../yaml/model.js';
import { parseYaml } from '../yaml/parse.js';
import type { Analyzer, FileContext } from './types.js';
import { peerAllowedLineNumbers } from './tests/credentials.js';

export type AppConfigFormat = 'properties' | 'hocon' | 'yaml' | 'json' | 'ini' | 'redis' | 'pgpass' | 'userlist';

export interface AppConfigSetting {
  /** Dotted key path: `spring.datasource.password`, `ConnectionStrings.Default`, `production.password`. */
  path: string;
  value: string;
  line: number;
  column: number;
  /** The credential the setting holds where its key does not say it (`requirepass`, a `.pgpass` line): `password`. */
  name?: string;
  /**
   * The profile or environment the setting is for, where the file says it: a Spring document's
   * `spring.config.activate.on-profile`, a Rails file's top-level `production:`, node-config's `config/production.json`.
   */
  profile?: string;
}

export interface AppConfigModel {
  format: AppConfigFormat;
  settings: AppConfigSetting[];
}

const SPRING_FILE = /^(application|bootstrap)([-_.][A-Za-z0-9_.-]+)?\.(ya?ml|properties)$/i;
const DOTNET_FILE = /^appsettings(\.[A-Za-z0-9_-]+)?\.json$/i;
const HOCON_FILE = /^(application|reference)([-_.][A-Za-z0-9_-]+)?\.conf$/i;
const RAILS_FILE = /^(database|secrets|mongoid|cable|storage)\.ya?ml$/i;
/** node-config's files are named for the environment (or `default`, `local`), in a `config/` folder. */
const NODE_CONFIG_FILE = /^(default|production|prod|staging|stage|development|dev|local|qa|uat|test)([-.][A-Za-z0-9_-]+)?\.(json|ya?ml)$/i;

/** Servers' own configuration: Redis and Sentinel, RabbitMQ (`key = value`), INI files (Grafana, PgBouncer, MySQL's `my.cnf`, ODBC). */
const REDIS_FILE = /^(redis|sentinel|valkey|keydb)([-_.][A-Za-z0-9_.-]+)?\.conf$/i;
const RABBITMQ_FILE = /^(rabbitmq|advanced)([-_.][A-Za-z0-9_-]+)?\.conf$/i;
const INI_FILE = /\.(ini|cnf)$/i;

/** Translations (`messages_de.properties`, `i18n/labels.properties`): `password=Passwort` is a label. */
const MESSAGE_BUNDLE = /(^|\/)(i18n|l10n|locales?|lang|translations?|messages)\/|(^|\/)(messages?|strings|labels?|texts?|ValidationMessages|i18n|lang|[A-Za-z]*Bundle)([_-][a-z]{2,3}([_-][A-Za-z]{2,4})*)?\.properties$/;
/** A locale suffix with its country (`_en_US`, `_zh_CN`): a translation of a bundle, whatever the bundle is called. */
const LOCALE_SUFFIX = /_[a-z]{2}_[A-Z]{2}\.properties$/;

const CANDIDATE_NAME = /\.(properties|ya?ml|conf|json|ini|cnf|txt)$|pgpass$/i;

export function appConfigFormat(path: string): AppConfigFormat | undefined {
  const name = basename(path);
  // Every file of a tree is asked: its extension first.
  if (!CANDIDATE_NAME.test(name)) return undefined;
  // A chart's templates and CRDs are Kubernetes objects, whatever their name (templates/application.yaml).
  if (/(^|\/)(templates|crds)\//.test(path)) return undefined;
  if (/\.properties$/i.test(name)) return MESSAGE_BUNDLE.test(path) || LOCALE_SUFFIX.test(name) ? undefined : 'properties';
  if (REDIS_FILE.test(name)) return 'redis';
  if (RABBITMQ_FILE.test(name) && !/^advanced/i.test(name)) return 'properties';
  if (INI_FILE.test(name)) return 'ini';
  if (name === '.pgpass' || name === 'pgpass' || /\.pgpass$/.test(name)) return 'pgpass';
  if (/^userlist\.txt$/i.test(name)) return 'userlist';
  if (SPRING_FILE.test(name)) return 'yaml';
  if (HOCON_FILE.test(name)) return 'hocon';
  if (DOTNET_FILE.test(name)) return 'json';
  const dirs = segments(path).slice(0, -1);
  if (dirs[dirs.length - 1]?.toLowerCase() === 'config') {
    if (RAILS_FILE.test(name)) return 'yaml';
    // custom-environment-variables.* maps settings to variable names: no values.
    if (NODE_CONFIG_FILE.test(name)) return /\.json$/i.test(name) ? 'json' : 'yaml';
  }
  return undefined;
}

/** Key words of a setting that may hold a credential; the rule decides with the credential vocabulary. */
const CREDENTIAL_KEY = /pass|pwd|secret|token|key|cred|auth|private|signing|salt|cert|dsn/i;
/** A value that embeds one: a connection string's `Password=` or `SharedAccessKey=`, a JDBC `?password=`, Redis' `,password=`, a URL's `user:password@`. */
const CREDENTIAL_VALUE = /(?:^|[;?&,\s])(?:password|pwd|pass|sharedaccesskey)\s*=|:\/\/[^/\s:@]*:[^\s@/]+@/i;

function keep(path: string, value: string): boolean {
  return value.trim() !== '' && (CREDENTIAL_KEY.test(path) || CREDENTIAL_VALUE.test(value));
}

/** A line that ends in an odd number of backslashes goes on on the next line. */
function continues(line: string): boolean {
  let k = line.length;
  while (k > 0 && line.charCodeAt(k - 1) === 92) k--;
  return (line.length - k) % 2 === 1;
}

/** VALUE up to a ` # comment` or ` // comment` (a marker after whitespace). */
function withoutComment(value: string): string {
  for (let k = 1; k < value.length; k++) {
    const c = value[k];
    if ((c === '#' || (c === '/' && value[k + 1] === '/')) && (value[k - 1] === ' ' || value[k - 1] === '\t')) return value.slice(0, k).trimEnd();
  }
  return value;
}

/** A Quarkus profile prefix (`%prod.`, `%dev.`; `%"my-profile".` is rarer and kept whole). */
const QUARKUS_PROFILE = /^%([\w-]+)\./;

/** Java properties: `key=value`, `key: value`, `key value`; `#`/`!` comments; `\` continues a line. */
function fromProperties(text: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let raw = lines[i]!;
    while (continues(raw) && i + 1 < lines.length) raw = raw.slice(0, -1) + lines[++i]!.trimStart();
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed[0] === '#' || trimmed[0] === '!') continue;
    const match = /^((?:\\.|[^\s:=\\])+)\s*(?:[:=]\s*|\s+)(.*)$/.exec(trimmed);
    if (!match) continue;
    const key = match[1]!.replace(/\\(.)/g, '$1');
    // Quarkus writes a profile's setting with the profile in front: `%prod.quarkus.datasource.password`.
    const profiled = QUARKUS_PROFILE.exec(key);
    const path = profiled ? key.slice(profiled[0].length) : key;
    const value = match[2]!.trim();
    if (keep(path, value)) settings.push({ path, value, line: startLine, column: raw.length - trimmed.length + 1, ...(profiled ? { profile: profiled[1]! } : {}) });
  }
  return settings;
}

/**
 * HOCON, as far as credentials go: `a.b.c = "value"` and `c: value` lines, a `{` opening a block whose key prefixes
 * the paths inside it. Substitutions (`${?DB_PASSWORD}`) are references.
 */
function fromHocon(text: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  const prefix: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
    const open = /^("?[\w.-]+"?)\s*[:=]?\s*\{\s*$/.exec(trimmed);
    if (open) {
      prefix.push(open[1]!.replace(/"/g, ''));
      continue;
    }
    if (trimmed === '}' || trimmed === '},') {
      prefix.pop();
      continue;
    }
    const match = /^("?[\w.-]+"?)\s*[:=]\s*(.+)$/.exec(trimmed);
    if (!match) continue;
    let value = withoutComment(match[2]!).replace(/,$/, '').trimEnd();
    if (/^".*"$/.test(value)) value = value.slice(1, -1);
    const path = [...prefix, match[1]!.replace(/"/g, '')].join('.');
    if (keep(path, value)) settings.push({ path, value, line: i + 1, column: raw.length - raw.trimStart().length + 1 });
  }
  return settings;
}

const PROFILE_KEYS = ['spring.config.activate.on-profile', 'spring.profiles'];

/** The scalar at dotted PATH, whichever keys spell it nested or flat (`spring:` / `config.activate.on-profile:`). */
function scalarAt(node: PNode | null | undefined, path: string): string | undefined {
  if (isScalar(node)) return path === '' && typeof node.value === 'string' ? node.value : undefined;
  if (!isMap(node)) return undefined;
  for (const e of node.entries) {
    if (e.key === path) return scalarAt(e.value, '');
    if (path.startsWith(`${e.key}.`)) {
      const found = scalarAt(e.value, path.slice(e.key.length + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The Spring profile a YAML document is for (`spring.config.activate.on-profile: prod`, or `spring.profiles: prod`). */
function profileOf(root: PNode | null): string | undefined {
  for (const path of PROFILE_KEYS) {
    const value = scalarAt(root, path)?.trim();
    if (value !== undefined && /^[\w-]+$/.test(value)) return value;
  }
  return undefined;
}

/** Rails' and node-config's environment files: `production:` at the top (database.yml), or the file's own name. */
const ENVIRONMENT_NAME = /^(production|prod|staging|stage|development|dev|local|qa|uat|test)$/i;

/**
 * JSON with comments (.NET reads `appsettings.json` with `//` and `/* … *\/` comments allowed): the comments blanked
 * out, strings kept whole, every line where it was.
 */
export function withoutJsonComments(text: string): string {
  if (!text.includes('/')) return text;
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      const block = text[i + 1] === '*';
      const end = block ? text.indexOf('*/', i + 2) : text.indexOf('\n', i);
      const stop = end < 0 ? text.length : block ? end + 2 : end;
      out += text.slice(from, i) + text.slice(i, stop).replace(/[^\n]/g, ' ');
      from = stop;
      i = stop - 1;
    }
  }
  return out + text.slice(from);
}

function fromTree(text: string, path: string, json: boolean): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  const parsed = parseYaml(json ? withoutJsonComments(text) : text);
  const name = basename(path);
  const named = /^([a-z]+)\.(json|ya?ml)$/i.exec(name)?.[1];
  const fileProfile = named !== undefined && NODE_CONFIG_FILE.test(name) && ENVIRONMENT_NAME.test(named) ? named : undefined;
  const byTopKey = RAILS_FILE.test(name);
  for (const doc of parsed.docs) {
    const docProfile = profileOf(doc.root) ?? fileProfile;
    const profileOfPath = (path: string): string | undefined => {
      if (docProfile !== undefined) return docProfile;
      const top = path.split('.')[0]!;
      // Quarkus YAML keeps a profile's settings under `"%prod":`.
      if (top.startsWith('%')) return QUARKUS_PROFILE.exec(`${top}.`)?.[1];
      return byTopKey && ENVIRONMENT_NAME.test(top) ? top : undefined;
    };
    const visit = (node: PNode | null, path: string, depth: number): void => {
      if (!node || depth > 64) return;
      if (isMap(node)) {
        for (const e of node.entries) visit(e.value, path === '' ? e.key : `${path}.${e.key}`, depth + 1);
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => visit(item, `${path}[${index}]`, depth + 1));
      } else if (node.value !== null && typeof node.value !== 'boolean') {
        const value = String(node.value);
        if (!keep(path, value)) return;
        const profile = profileOfPath(path);
        const setting = path.startsWith('%') ? path.slice(path.indexOf('.') + 1) : path;
        settings.push({ path: setting, value, line: node.line, column: node.column, ...(profile ? { profile } : {}) });
      }
    };
    visit(doc.root, '', 0);
  }
  return settings;
}

/** INI: `[section]` headers, `key = value` / `key: value`, `;` and `#` comments. */
function fromIni(text: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  let section = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed[0] === ';' || trimmed[0] === '#') continue;
    const header = /^\[([^\]]{1,200})\]$/.exec(trimmed);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const match = /^([^=:\s][^=:]{0,200}?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    let value = withoutComment(match[2]!).replace(/\s+;.*$/, '');
    if (/^""".*"""$/.test(value) && value.length >= 6) value = value.slice(3, -3);
    else if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    const path = section ? `${section}.${match[1]!.trim()}` : match[1]!.trim();
    if (keep(path, value)) settings.push({ path, value, line: i + 1, column: raw.length - raw.trimStart().length + 1 });
  }
  return settings;
}

/** Redis and Sentinel directives that carry a password: `requirepass`, `masterauth`, `sentinel auth-pass <master>`, ACL `user <name> … >password`. */
function fromRedis(text: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const words = raw.trim().split(/\s+/);
    const column = raw.length - raw.trimStart().length + 1;
    const unquote = (w: string) => w.replace(/^(["'])(.*)\1$/, '$2');
    const directive = words[0]?.toLowerCase();
    if ((directive === 'requirepass' || directive === 'masterauth') && words[1]) settings.push({ path: directive, value: unquote(words[1]), line: i + 1, column, name: 'password' });
    else if (directive === 'sentinel' && words[1]?.toLowerCase() === 'auth-pass' && words[3]) settings.push({ path: `sentinel auth-pass ${words[2]}`, value: unquote(words[3]), line: i + 1, column, name: 'password' });
    else if (directive === 'user' && words[1]) {
      for (const w of words.slice(2)) if (w.startsWith('>') && w.length > 1) settings.push({ path: `user ${words[1]}`, value: w.slice(1), line: i + 1, column, name: 'password' });
    }
  }
  return settings;
}

/** `.pgpass`: `host:port:database:user:password`, `\:` escaping a colon. */
function fromPgpass(text: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fields = raw.split(/(?<!\\):/);
    if (fields.length < 5) return;
    const [host, , database, user] = fields;
    settings.push({ path: `user ${user} on ${host}/${database}`, value: fields.slice(4).join(':').replace(/\\:/g, ':'), line: index + 1, column: 1, name: 'password' });
  });
  return settings;
}

/** PgBouncer's auth_file: `"user" "password"`; md5 and SCRAM hashes are no plaintext password. */
function fromUserlist(text: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = /^\s*"((?:[^"]|"")*)"\s+"((?:[^"]|"")*)"/.exec(raw);
    if (!match || /^(md5[0-9a-f]{32}|SCRAM-SHA-256\$)/i.test(match[2]!)) return;
    settings.push({ path: `user ${match[1]!.replace(/""/g, '"')}`, value: match[2]!.replace(/""/g, '"'), line: index + 1, column: 1, name: 'password' });
  });
  return settings;
}

const APP_CONFIG_LIMIT = 1_000_000;
const KUBERNETES_OBJECT = /^apiVersion:[ \t]*\S[^\n]*\n(?:[^\n]*\n){0,40}?kind:[ \t]*\S|^kind:[ \t]*\S[^\n]*\n(?:[^\n]*\n){0,40}?apiVersion:[ \t]*\S/m;

/** Most configuration has no setting a credential could be in: the file is read only when some key or value says one. */
const PREFILTER = /pass|pwd|secret|token|key|cred|auth|private|signing|salt|cert|dsn|user/i;

export const appConfigAnalyzer: Analyzer<AppConfigModel> = {
  id: 'app-config',
  claims: (file: FileContext) => appConfigFormat(file.path) !== undefined,
  // An `application.yaml` that holds Kubernetes objects (an Argo CD Application, a chart's template, a CRD) is a
  // manifest, and configuration is never megabytes.
  sniff: (text, file) => text.length <= APP_CONFIG_LIMIT && !KUBERNETES_OBJECT.test(text) && (PREFILTER.test(text) || /^(pgpass|userlist)$/.test(appConfigFormat(file.path) ?? '')),
  parse(text, file) {
    const format = appConfigFormat(file.path);
    if (format === undefined) return undefined;
    const settings =
      format === 'properties' ? fromProperties(text)
      : format === 'hocon' ? fromHocon(text)
      : format === 'ini' ? fromIni(text)
      : format === 'redis' ? fromRedis(text)
      : format === 'pgpass' ? fromPgpass(text)
      : format === 'userlist' ? fromUserlist(text)
      : fromTree(text, file.path, format === 'json');
    // A line another secret scanner was told to allow (`# pragma: allowlist secret`, `gitleaks:allow`) was judged already.
    const allowed = peerAllowedLineNumbers(text);
    const kept = allowed ? settings.filter((s) => !allowed.has(s.line)) : settings;
    return kept.length === 0 ? undefined : { format, settings: kept };
  },
};
