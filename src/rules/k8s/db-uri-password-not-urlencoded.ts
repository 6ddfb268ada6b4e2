import type { K8sResource } from '../../k8s/resources.js';
import { esSpec } from '../../k8s/eso.js';
import { get, isMap, isScalar, type PEntry } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from './common.js';
import { actionOperands } from './helm-sources.js';

/** Escapers of a URL component: Go/Sprig `urlquery`, ESO's and Helm's encoders, or a helper named for it. */
const ENCODES = /\b(urlquery|urlencode|urlEncode|queryescape|QueryEscape|pathescape|PathEscape)\b|url[-_.]?(encode|escape)/i;
/** `scheme://user:{{ expr }}@` or `scheme://{{ u }}:{{ expr }}@`: a template action as the whole password component. */
const INLINE_PASSWORD = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s'"@/{]|\{\{[^}]*\}\})*?:\{\{-?([^}]*?)-?\}\}@/gi;
/** `printf "scheme://%s:%s@…" args…`: the format string and what follows it. */
const PRINTF = /\bprintf\s+"((?:[^"\\]|\\.)*)"([\s\S]*)$/;

/** The expression filling the password of a URL printf builds (`printf "postgresql://%s:%s@…" $u $p`), if any. */
function printfPassword(expr: string): { scheme: string; password: string } | undefined {
  const m = PRINTF.exec(expr);
  if (!m) return undefined;
  const format = m[1]!;
  const url = /\b([a-z][a-z0-9+.-]*):\/\/[^\s'"@/]*?:(%[a-z])@/i.exec(format);
  if (!url) return undefined;
  // The password's verb is the n-th verb of the format (`%%` is no verb).
  const index = (format.slice(0, url.index + url[0].length - 1).match(/%[^%]/g) ?? []).length - 1;
  const args = actionOperands(m[2]!.trim(), true);
  const password = args[index];
  return password === undefined ? undefined : { scheme: url[1]!, password };
}

export interface UnencodedPassword {
  scheme: string;
  line: number;
  column: number;
}

/** URLs a template value composes with a password that is not URL-encoded. */
export function unencodedPasswords(e: PEntry): UnencodedPassword[] {
  if (!isScalar(e.value) || typeof e.value.value !== 'string' || !e.value.value.includes('{{')) return [];
  const text = e.value.value;
  const out: UnencodedPassword[] = [];
  const at = (offset: number) => {
    const before = text.slice(0, offset);
    const lines = before.split('\n').length - 1;
    return { line: e.value!.line + (isScalar(e.value) && e.value.style === 'block' ? 1 : 0) + lines, column: e.column };
  };
  for (const m of text.matchAll(INLINE_PASSWORD)) {
    if (!ENCODES.test(m[2]!)) out.push({ scheme: m[1]!.toLowerCase(), ...at(m.index ?? 0) });
  }
  for (const action of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    const found = printfPassword(action[1]!);
    if (found && !ENCODES.test(found.password)) out.push({ scheme: found.scheme.toLowerCase(), ...at(action.index ?? 0) });
  }
  return out;
}

/** data/stringData of a Secret or ConfigMap, or the template of an ExternalSecret: the maps whose values compose URLs. */
function composedMaps(resource: K8sResource): { path: string; entries: readonly PEntry[] }[] {
  if (resource.kind === 'ExternalSecret' || resource.kind === 'ClusterExternalSecret') {
    const data = get(esSpec(resource), 'target.template.data');
    return isMap(data) ? [{ path: 'template', entries: data.entries }] : [];
  }
  if (resource.source !== 'template') return [];
  return ['data', 'stringData'].flatMap((section) => {
    const map = resource.node.entries.find((e) => e.key === section)?.value;
    return isMap(map) ? [{ path: section, entries: map.entries }] : [];
  });
}

const DB_SCHEMES = /^(postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|sqlserver|mssql|cockroachdb|clickhouse|jdbc:.*)$/;

export const dbUriPasswordNotUrlencoded = createRule(
  {
    id: 'db-uri-password-not-urlencoded',
    family: 'db',
    defaultSeverity: 'medium',
    description: 'A template composes a connection URL (DATABASE_URL, uri, jdbc-uri) from a password it does not URL-encode',
    why:
      'Generated passwords (randAlphaNum, CNPG, an ESO Password generator) may contain `@`, `:`, `/`, `%` or `#`; put into ' +
      '`postgresql://user:<password>@host` unescaped they cut the URL in the wrong place, and the client fails to log in or talks ' +
      'to the wrong host, at the first rotation that draws such a character.',
    allowed: 'The password component piped through `urlquery` (Helm/Sprig and ESO templates), or a helper that encodes it.',
    remediation: 'URL-encode the password component where the URL is composed: `{{ $password | urlquery }}`, `printf "postgresql://%s:%s@…" $user ($password | urlquery)`.',
  },
  (context) => {
    context.each(
      context.project.resources.filter((r) => ['Secret', 'ConfigMap', 'ExternalSecret', 'ClusterExternalSecret'].includes(r.kind) && !r.parsed.file.isTest),
      (r) => r.file,
      (resource) => {
        for (const map of composedMaps(resource)) {
          for (const e of map.entries) {
            const found = unencodedPasswords(e)[0];
            if (found) {
              context.report({
                file: resource.parsed.file,
                line: found.line,
                column: found.column,
                message: `${resource.kind} ${resource.name} composes a ${found.scheme}:// URL in ${e.key} with a password that is not URL-encoded`,
                location: resourceLocation(resource, `${map.path}.${e.key}#urlencode`),
                keys: [e.key],
                origin: DB_SCHEMES.test(found.scheme) ? 'cluster-operator' : 'unknown',
                resource: resourceRef(resource),
              });
            }
          }
        }
      },
    );
  },
);
