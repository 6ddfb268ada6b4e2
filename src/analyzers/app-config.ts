/**
 * Application configuration files: what a service reads at start-up, committed beside its code. Spring Boot, Micronaut
 * and Quarkus (`application*.yml|yaml|properties`, `bootstrap*.yml`), any Java `.properties` (gradle.properties
 * included), HOCON (`application.conf`), .NET (`appsettings*.json`), Rails (`config/database.yml`, `config/secrets.yml`)
 * and node-config (`config/default.json`, `config/production.yaml`). The model keeps the settings whose key or value
 * may hold a credential (a password, secret, token or key name; a connection string or URL with a password), each
 * with its dotted key path, line and the Spring profile of its YAML document; rules judge them (hardcoded-credential).
 */
import { basename, segments } from '../util/path.js';
import { isMap, isScalar, isSeq, type PNode } from '../yaml/model.js';
import { parseYaml } from '../yaml/parse.js';
import type { Analyzer, FileContext } from './types.js';

export type AppConfigFormat = 'properties' | 'hocon' | 'yaml' | 'json';

export interface AppConfigSetting {
  /** Dotted key path: `spring.datasource.password`, `ConnectionStrings.Default`, `production.password`. */
  path: string;
  value: string;
  line: number;
  column: number;
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

export function appConfigFormat(path: string): AppConfigFormat | undefined {
  const name = basename(path);
  if (/\.properties$/i.test(name)) return 'properties';
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
/** A value that embeds one: a connection string's `Password=`, a JDBC `?password=`, a URL's `user:password@`. */
const CREDENTIAL_VALUE = /(?:^|[;?&\s])(?:password|pwd|pass)\s*=|:\/\/[^/\s:@]*:[^\s@/]+@/i;

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
    const path = match[1]!.replace(/\\(.)/g, '$1');
    const value = match[2]!.trim();
    if (keep(path, value)) settings.push({ path, value, line: startLine, column: raw.length - trimmed.length + 1 });
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

function fromTree(text: string, path: string): AppConfigSetting[] {
  const settings: AppConfigSetting[] = [];
  const parsed = parseYaml(text);
  const name = basename(path);
  const named = /^([a-z]+)\.(json|ya?ml)$/i.exec(name)?.[1];
  const fileProfile = named !== undefined && NODE_CONFIG_FILE.test(name) && ENVIRONMENT_NAME.test(named) ? named : undefined;
  const byTopKey = RAILS_FILE.test(name);
  for (const doc of parsed.docs) {
    const docProfile = profileOf(doc.root) ?? fileProfile;
    const profileOfPath = (path: string): string | undefined => {
      if (docProfile !== undefined || !byTopKey) return docProfile;
      const top = path.split('.')[0]!;
      return ENVIRONMENT_NAME.test(top) ? top : undefined;
    };
    const visit = (node: PNode | null, path: string, depth: number): void => {
      if (!node || depth > 64) return;
      if (isMap(node)) {
        for (const e of node.entries) visit(e.value, path === '' ? e.key : `${path}.${e.key}`, depth + 1);
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => visit(item, `${path}[${index}]`, depth + 1));
      } else if (node.value !== null && typeof node.value !== 'boolean') {
        const value = String(node.value);
        const profile = keep(path, value) ? profileOfPath(path) : undefined;
        if (keep(path, value)) settings.push({ path, value, line: node.line, column: node.column, ...(profile ? { profile } : {}) });
      }
    };
    visit(doc.root, '', 0);
  }
  return settings;
}

/** Most configuration has no setting a credential could be in: the file is read only when some key or value says one. */
const PREFILTER = /pass|pwd|secret|token|key|cred|auth|private|signing|salt|cert|dsn/i;

export const appConfigAnalyzer: Analyzer<AppConfigModel> = {
  id: 'app-config',
  claims: (file: FileContext) => appConfigFormat(file.path) !== undefined,
  sniff: (text) => PREFILTER.test(text),
  parse(text, file) {
    const format = appConfigFormat(file.path);
    if (format === undefined) return undefined;
    const settings = format === 'properties' ? fromProperties(text) : format === 'hocon' ? fromHocon(text) : fromTree(text, file.path);
    return settings.length === 0 ? undefined : { format, settings };
  },
};
