import type { K8sResource } from '../../k8s/resources.js';
import { words, decodeBase64Text, embeddedCredentials, isAnglePlaceholder, isCredentialName, isLiteralSecretValue, isSecretDataCredentialName, isSecretPrefixedEnvName, embeddedUrlPassword, connectionStringPassword, isConnectionStringName, isConnectionWithoutCredential, mayEmbedPassword } from '../../k8s/vocabulary.js';
import { PRIVATE_KEY_HEADER, privateKeyBody } from '../../util/pem.js';
import type { ResolvedConfig } from '../../config/types.js';
import { get, isMap, isScalar, seqItems, type PEntry, type PNode } from '../../yaml/model.js';
import type { ResourceRef } from '../../types.js';
import type { Project } from '../../scan/project.js';
import { resourcesInFile } from '../../scan/project-index.js';
import { helmLiteral } from './helm-sources.js';
import { credentialPrefilter, findCredentials } from '../../analyzers/tests/credentials.js';

export interface LiteralCredential {
  /** Key path inside the resource, e.g. "stringData.password". */
  path: string;
  key: string;
  value: string;
  line: number;
  column: number;
}

/** Secret types whose every key is a credential. */
/** `user:password` in one token: a login, not `host:port`, `image:tag`, a URL or a time. */
const USER_PASSWORD_PAIR = /^[A-Za-z_][\w.@-]{0,63}:(?![\d.:]+$)(?!\/)[^\s:/]{6,}$/;

const CREDENTIAL_SECRET_TYPES = new Set(['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg', 'kubernetes.io/basic-auth', 'kubernetes.io/ssh-auth']);

/**
 * Literal credentials in a Secret's data/stringData: credential-named keys with literal values, and credentials
 * embedded in config-file values (JSON, INI, DSNs). `data` values are base64-decoded first.
 */
export function secretLiterals(resource: K8sResource, config: ResolvedConfig): LiteralCredential[] {
  const extra = { extra: config.credentialNames };
  const type = get(resource.node, 'type');
  const allKeysAreCredentials = isScalar(type) && CREDENTIAL_SECRET_TYPES.has(String(type.value));
  const out: LiteralCredential[] = [];
  for (const section of ['stringData', 'data'] as const) {
    const map = get(resource.node, section);
    if (!isMap(map)) continue;
    for (const e of map.entries) {
      if (!isScalar(e.value) || typeof e.value.value !== 'string') continue;
      const raw = e.value.value;
      const json = section === 'stringData' ? jsonObject(raw) : undefined;
      // A template's `{{ "123456" | b64enc }}` or `default "changeme"` commits its value as a manifest's literal does.
      const committed = json === undefined && !isLiteralSecretValue(raw) && resource.source === 'template' ? helmLiteral(raw) : undefined;
      if (json === undefined && !isLiteralSecretValue(raw) && !committed) continue;
      const text = committed ? (committed.encoded || section === 'stringData' ? committed.value : decodeBase64Text(committed.value)) : section === 'data' ? decodeBase64Text(raw) : raw;
      if (text === undefined || text.trim() === '' || (committed && isNonCredentialLiteral(text))) continue;
      const at = { path: `${section}.${e.key}`, key: e.key, line: e.line, column: e.column };
      // A JSON payload (.dockerconfigjson, credentials.json): judge its fields, not the document (`}}` closing
      // nested objects is not a template; a `${REGISTRY_PASSWORD}` field inside it is a placeholder).
      const doc = json ?? jsonObject(text);
      if (doc !== undefined) {
        const found = jsonCredentials(doc, extra);
        if (found.length > 0) {
          const first = found[0]!;
          const offset = text.split(/\r?\n/).findIndex((l) => l.includes(`"${first.key}"`));
          const line = e.value.style === 'block' && offset >= 0 && section === 'stringData' ? e.line + 1 + offset : e.line;
          out.push({ ...at, key: `${e.key}:${first.key}`, value: found.map((x) => x.value).join('\n'), line });
        }
        continue;
      }
      // A connection string whose password is absent or a placeholder (`postgresql://${user}:${pass}@db/app`, the
      // interpolations a Terraform or envsubst template fills) commits no credential.
      if ((isConnectionStringName(e.key) || ['url', 'uri'].includes(words(e.key).at(-1) ?? '')) && connectionWithoutLiteralCredential(text)) continue;
      // A basic-auth Secret's `username` is who logs in, not a credential (the type makes every other key one).
      const typed = allKeysAreCredentials && !/^(username|user)$/i.test(e.key);
      if ((typed || isSecretDataCredentialName(e.key, extra)) && (isLiteralSecretValue(text) || isAnglePlaceholder(text)) && !isStubValue(text) && !isPasswordHash(text)) {
        out.push({ ...at, value: text });
        continue;
      }
      // `extra: YWRtaW46cGFzc3dvcmQ=` is `admin:password`: a login pair, whatever the key is called.
      if (section === 'data' && USER_PASSWORD_PAIR.test(text.trim())) {
        out.push({ ...at, value: text.trim() });
        continue;
      }
      const embedded = embeddedCredentials(text, extra);
      if (embedded.length > 0) {
        const first = embedded[0]!;
        // A value that is a PEM key (tls.key, ssh-privatekey) is named by its key alone.
        const wholeKey = first.key === 'private-key' && first.lineOffset === 0 && embedded.length === 1;
        out.push({ ...at, key: wholeKey ? e.key : `${e.key}:${first.key}`, value: embedded.map((x) => x.value).join('\n'), line: e.value.style === 'block' ? e.line + 1 + first.lineOffset : e.line });
      }
    }
  }
  return out;
}

const CONNECTION_CREDENTIAL_PART = /pass|pwd|secret|token|key|sig/i;

/**
 * A URL or `name=value;` connection string whose every credential part is absent or a placeholder:
 * `postgresql://${user}:${pass}@db/app`, `Server=db;User Id=app;Password=${DB_PASSWORD}`.
 */
function connectionWithoutLiteralCredential(text: string): boolean {
  const v = text.trim();
  const literalCredentialPart = (name: string, value: string) => CONNECTION_CREDENTIAL_PART.test(name) && isLiteralSecretValue(value.trim());
  if (/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(v)) {
    if (embeddedUrlPassword(v) !== undefined || connectionStringPassword(v) !== undefined) return false;
    const query = v.includes('?') ? v.slice(v.indexOf('?') + 1) : '';
    return !query.split('&').some((p) => p.includes('=') && literalCredentialPart(p.slice(0, p.indexOf('=')), decodeURIComponentSafe(p.slice(p.indexOf('=') + 1))));
  }
  if (!/^[^=;\s]+=[^;]*(;[^=;]+=[^;]*)+;?$/.test(v)) return false;
  return !v.split(';').some((p) => p.includes('=') && literalCredentialPart(p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A JSON object or array parsed from a scalar, or undefined when the text is not JSON (or holds template openers). */
export function jsonObject(text: string): unknown {
  const v = text.trim();
  if (!/^[[{]/.test(v) || /\{\{|<%|%>/.test(v)) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Literal credentials inside a parsed JSON document: credential-named fields with literal values, plus the
 * docker config `auths.<registry>.auth` (base64 user:password) and identity/registry tokens.
 */
export function jsonCredentials(doc: unknown, extra: { extra?: readonly string[] }): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  const visit = (node: unknown, parentKey: string | undefined, depth: number): void => {
    if (depth > 20 || typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (typeof value === 'string') {
        if (!isLiteralSecretValue(value) || isNonCredentialLiteral(value)) continue;
        if (key === 'auth' && parentKey !== undefined) {
          // base64 "user:password": literal only when the password part is.
          const decoded = decodeBase64Text(value);
          const password = decoded?.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
          if (password && isLiteralSecretValue(password) && !/^[$%{<]/.test(password)) out.push({ key, value });
          // Not base64 of user:password: a registry token written as is (`"auth": "opensesame"`).
          else if (!decoded?.includes(':') && value.trim().length >= 8 && !/^[$%{<]/.test(value)) out.push({ key, value });
        } else if (/^(identitytoken|registrytoken)$/i.test(key) || isCredentialName(key, extra)) {
          out.push({ key, value });
        } else {
          const url = embeddedUrlPassword(value);
          if (url) out.push({ key, value: url });
        }
      } else {
        visit(value, key, depth + 1);
      }
    }
  };
  visit(doc, undefined, 0);
  return out;
}

/** A single literal scalar under a credential-named key, with an embedded URL password, or in a well-known credential format. */
export function literalCredentialOf(entry: PEntry, config: ResolvedConfig): string | undefined {
  if (!isScalar(entry.value) || typeof entry.value.value !== 'string') return undefined;
  const value = entry.value.value;
  const credentialKey = isCredentialName(entry.key, { extra: config.credentialNames });
  if (credentialKey && isLiteralSecretValue(value) && !(isConnectionStringName(entry.key) && isConnectionWithoutCredential(value))) return value;
  const embedded = mayEmbedPassword(value) && isLiteralSecretValue(value) ? (embeddedUrlPassword(value) ?? connectionStringPassword(value)) : undefined;
  // A block (a config file) is read line by line by its rule, which reports the line the credential is on.
  return embedded ?? (credentialKey || value.includes('\n') ? undefined : formattedCredential(value)?.value);
}

/**
 * A credential whose format names it (a Slack or Teams webhook URL, a GitHub, npm or SendGrid token, a private key
 * block, an AWS key pair), under whatever key holds it: `webhookUrl`, `config.json`, an alertmanager config block. The
 * same formats, checks and placeholder rules as hardcoded-credential, which leaves YAML that structural rules judge to them.
 */
export function formattedCredential(value: string, skipLine?: (lineOffset: number) => boolean): { value: string; lineOffset: number } | undefined {
  if (!credentialPrefilter(value)) return undefined;
  const hit = findCredentials(value).find((h) => h.format !== 'url-password' && !skipLine?.(h.line - 1));
  return hit && { value: hit.value, lineOffset: hit.line - 1 };
}

export function resourceRef(resource: K8sResource): ResourceRef {
  return { kind: resource.kind, name: resource.name, ...(resource.namespace ? { namespace: resource.namespace } : {}) };
}

/** Logical location of something inside a resource: values path (for embedded resources) + Kind/ns/name + key path. */
export function resourceLocation(resource: K8sResource, inner?: string): string {
  const prefix = resource.valuesPath ? `values:${resource.valuesPath}:` : '';
  return `${prefix}${resource.id}${inner ? `#${inner}` : ''}`;
}

/** Key paths (dotted, as `walk` builds them) of Kubernetes objects embedded in a values file: resource rules own those subtrees. */
export function valuesEmbeddedPaths(project: Project, file: string): Set<string> {
  return new Set(resourcesInFile(project, file).filter((r) => r.source === 'values').map((r) => r.valuesPath ?? ''));
}

const FILE_LIKE = /^[\w.-]+\.(json|pem|key|crt|cert|cer|p12|pfx|jks|keystore|truststore|txt|ya?ml|conf|cfg|ini|properties|env|toml|acl)$/i;

/** A stand-in, not a value: 1–2 characters (`pw`), `xxx`, `***`, an ellipsis (`...`). */
export function isStubValue(value: string): boolean {
  const v = value.trim();
  return v.length < 3 || /^x{3,}$/i.test(v) || /^\*{3,}$/.test(v) || /^(\.{3,}|…)$/.test(v);
}

/**
 * A one-way password hash in crypt or LDAP form (`$2a$10$…` bcrypt as Argo CD's `admin.password` takes it, `$apr1$`,
 * `$6$`, `$argon2id$`, `{SSHA}…`): what a server compares a password against, not the password.
 */
export function isPasswordHash(value: string): boolean {
  const v = value.trim();
  return /^\$(2[abxy]?|apr1|1|5|6|7|y|gy|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?|scrypt)\$[^\s]{8,}$/.test(v) || /^\{(S?SHA(?:256|512)?|CRYPT|S?MD5|PBKDF2[-\w]*|ARGON2)\}\S{8,}$/i.test(v);
}

/**
 * Literal-looking values that are not credential material: file paths (`/secrets/db-password`, `credentials.json`),
 * XXXX placeholders, empty PEM envelopes, shell/code expressions (`$(cat …)`, `get_secret(…)`), 1–2 character stubs.
 */
export function isNonCredentialLiteral(value: string): boolean {
  const v = value.trim();
  if (isStubValue(v)) return true;
  if (/^(\/|\.\.?\/|~\/)[^\s]*$/.test(v) || FILE_LIKE.test(v)) return true;
  // A value that says it is not used: a key some tool insists on, filled with a marker.
  if (/^(value[-_])?(not[-_]?used|unused)$/i.test(v)) return true;
  if (/^-----BEGIN [A-Z0-9 ]+-----\s*-----END [A-Z0-9 ]+-----$/.test(v)) return true;
  // Shell/template syntax and code: `$(cat …)`, `get_secret(…)`, `os.environ["X"]`, `ENV['X']`.
  // `%` starts a format or a variable only before a name or a bracket (`%s`, `%(db)s`, `%DB_PASS%`): `%5871Vkth` is a password.
  if (/^[\\$`]|^%[A-Za-z_({]/.test(v) || /^[A-Za-z_][\w.]*[([]/.test(v)) return true;
  return false;
}

/**
 * SECRET_ACCESS=Kq7wE3rT9yU1 in an env list: a SECRET_… variable (see isSecretPrefixedEnvName) whose value is one
 * token of 8 characters or more, not a number, a URL or anything isNonCredentialLiteral excludes.
 */
export function secretPrefixedEnvLiteral(env: string, value: string): string | undefined {
  if (!isSecretPrefixedEnvName(env) || !isLiteralSecretValue(value) || isNonCredentialLiteral(value)) return undefined;
  return value.length >= 8 && !/\s/.test(value) && !/^\d+$/.test(value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : undefined;
}

/**
 * Generated key material: 32 characters or more of the base64 alphabets, upper case, lower case and digits mixed at
 * 4.5 bits of entropy per character or more. A key fingerprint (hex, one case), a camelCase identifier and a path
 * (slashes without base64's `+` or `=`) are not.
 */
export function isKeyMaterial(value: string): boolean {
  const v = value.trim();
  if (!/^[A-Za-z0-9+/_-]{32,}={0,2}$/.test(v) || !/[a-z]/.test(v) || !/[A-Z]/.test(v) || !/\d/.test(v)) return false;
  if (v.includes('/') && !/[+=]/.test(v)) return false;
  const counts = new Map<string, number>();
  for (const c of v) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / v.length) * Math.log2(n / v.length);
  return bits >= 4.5;
}

/**
 * A literal an env variable's name alone does not reveal, revealed by the name and the value together: SECRET_ACCESS
 * (see secretPrefixedEnvLiteral), a `*_KEY` (AZURE_STORAGE_KEY, COSMOS_KEY) holding generated key material, a PEM
 * private key with a real body under any name, or options that assign a credential (JAVA_OPTS with
 * `-Dspring.datasource.password=…`, SPRING_APPLICATION_JSON). Returns the credential part.
 */
export function envLiteralByShape(env: string, value: string): string | undefined {
  const prefixed = secretPrefixedEnvLiteral(env, value);
  if (prefixed !== undefined) return prefixed;
  // A JSON document's closing `}}` is no template: judge its fields.
  const json = jsonObject(value);
  if (json !== undefined) {
    const found = jsonCredentials(json, {});
    return found.length > 0 ? found.map((x) => x.value).join('\n') : undefined;
  }
  if (!isLiteralSecretValue(value)) return undefined;
  if (isSecretDataCredentialName(env) && isKeyMaterial(value)) return value.trim();
  if (value.includes('PRIVATE KEY-----')) {
    const lines = value.split(/\r?\n/);
    const at = lines.findIndex((l) => PRIVATE_KEY_HEADER.test(l));
    const body = at >= 0 ? privateKeyBody(lines, at) : undefined;
    if (body) return body;
  }
  if (!value.includes('=') && !value.includes(':')) return undefined;
  const assigned = embeddedCredentials(value).filter((x) => x.key !== 'url-password' && !isNonCredentialLiteral(x.value) && !namesASecret(x.key, x.value) && !namesAKey(x.key, x.value));
  return assigned.length > 0 ? assigned.map((x) => x.value).join('\n') : undefined;
}

/** A comment line inside an embedded config file or script. */
export function isCommentLine(line: string | undefined): boolean {
  return line !== undefined && /^\s*(#|\/\/|;|--\s|\*|<!--)/.test(line);
}

/** Words that make a `...Secret` key name a Secret (tlsSecret, passwordSecret, credentialsSecret) rather than a secret value. */
const SECRET_NAMING = new Set(['tls', 'cert', 'certificate', 'certs', 'ca', 'password', 'passwords', 'token', 'tokens', 'credential', 'credentials', 'pull', 'image', 'key', 'keys', 'basic', 'auth', 'secret']);

/** A `...Secret` key that names a Kubernetes Secret (passwordSecret, tlsSecret, authSecret: my-secret-name). */
export function namesASecret(key: string, value: string, parentKey?: string): boolean {
  const w = words(key);
  if (!['secret', 'secrets'].includes(w[w.length - 1]!)) return false;
  if (w.slice(0, -1).some((x) => SECRET_NAMING.has(x) && x !== 'auth')) return true;
  // tls: {secret: minio-tls}, caCerts: {secret: ca-bundle}
  if (w.length === 1 && parentKey && words(parentKey).some((x) => ['tls', 'cert', 'certs', 'certificate', 'certificates', 'ca', 'ssl', 'pull', 'image', 'registry'].includes(x))) return true;
  // authSecret: orders-auth — a DNS-1123 name that ends like a Secret's name
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) && /(secret|credentials|creds|auth)$/.test(value);
}

/**
 * `{envName: X, secretName: app-secrets, secretKey: password}`: beside a key that names a Secret, a `*Key` entry whose
 * value is a plain word names a key of that Secret, whatever the word.
 */
export function namesAKeyOfTheSecretBeside(key: string, value: string, map: PNode | undefined): boolean {
  if (!isMap(map) || words(key).at(-1) !== 'key' || !/^[A-Za-z0-9_.-]{1,253}$/.test(value)) return false;
  return map.entries.some((e) => {
    if (!isScalar(e.value) || typeof e.value.value !== 'string') return false;
    const w = words(e.key);
    return (w[w.length - 2] === 'secret' && w[w.length - 1] === 'name') || (w[0] === 'existing' && w.includes('secret'));
  });
}

/** `clientSecretKey: client-secret`, `rootPasswordKey: root-password`: the value names a key (its words are the key's words). */
export function namesAKey(key: string, value: string): boolean {
  if (!/^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)+$/.test(value)) return false;
  const keyWords = new Set(words(key));
  return words(value).every((w) => keyWords.has(w));
}

/** A container's `command` and `args` (a string or a list each), joined by spaces. */
export function commandText(container: PNode): string {
  return ['command', 'args']
    .flatMap((field) => {
      const node = get(container, field);
      return isScalar(node) ? [String(node.value ?? '')] : seqItems(node).map((n) => (isScalar(n) ? String(n.value ?? '') : ''));
    })
    .join(' ');
}
