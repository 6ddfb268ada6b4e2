import type { ResolvedConfig } from '../../config/types.js';
import { OriginClassifier } from '../../inventory/origin.js';
import type { K8sResource } from '../../k8s/resources.js';
import { embeddedCredentials, isCredentialName, words } from '../../k8s/vocabulary.js';
import { isMap, isScalar, type PEntry } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { authorityReplacement } from '../snippets.js';
import { formattedCredential, isCommentLine, isNonCredentialLiteral, literalCredentialOf, namesAKey, namesASecret, resourceLocation, resourceRef } from './common.js';
import { dotRelativeRefs, exprSources, isCredentialUrlName, namesASecretPath, templateExprs } from './helm-sources.js';
import { kustomizeGenerators } from './kustomize.js';
import { realmInText } from './realm-import-inline-secret.js';

export interface ConfigMapCredential {
  /** The data key, or "key:inner" for a credential inside a config file. */
  key: string;
  line: number;
  column: number;
  /** The literal, when there is one. */
  value?: string;
  /** `.Values` paths a templated credential is rendered from. */
  valuesPaths: string[];
}

const KEY_BEFORE_TEMPLATE = /(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,80})\1[ \t]*[:=][ \t]*["']?\{\{([\s\S]*?)\}\}/g;

/** `.Values` paths named like credentials (password, token, secret; not URLs/DSNs, which are settings unless they carry a literal password). */
function credentialValuesPaths(expr: string, resource: K8sResource, config: ResolvedConfig, line: number): string[] {
  const refs = [...exprSources(expr, resource.helm, resource.namedTemplates).valuesRefs, ...dotRelativeRefs(expr, resource.helm, line)];
  return refs.filter((ref) => {
    const last = ref.split('.').pop() ?? '';
    const w = words(last);
    return isCredentialName(last, { extra: config.credentialNames }) && !namesASecretPath(last) && !['dsn', 'url', 'uri'].includes(w[w.length - 1] ?? '');
  });
}

/** Credentials in one ConfigMap data entry: literal, inside an embedded config file, or templated from credential values. */
export function configMapCredentials(e: PEntry, resource: K8sResource, config: ResolvedConfig): ConfigMapCredential[] {
  if (!isScalar(e.value) || typeof e.value.value !== 'string') return [];
  const text = e.value.value;
  // A Keycloak realm export is judged field by field by realm-import-inline-secret.
  if (realmInText(text, e.line)) return [];
  const extra = { extra: config.credentialNames };
  const at = { key: e.key, line: e.line, column: e.column, valuesPaths: [] as string[] };
  const literal = literalCredentialOf(e, config);
  if (literal !== undefined && !isNonCredentialLiteral(literal)) return [{ ...at, value: literal }];
  const out: ConfigMapCredential[] = [];
  const lines = text.split('\n');
  const block = e.value.style === 'block';
  // A config file, or a one-line value that assigns one (`REDIS_PASSWORD=…`, `DB_PASSWORD:…`, `-Ddb.password=…` in JVM options).
  if (block || text.includes('=') || text.includes(':')) {
    const embedded = embeddedCredentials(text, extra).filter((x) => !isNonCredentialLiteral(x.value) && !namesASecret(x.key, x.value) && !namesAKey(x.key, x.value) && !isCommentLine(lines[x.lineOffset]));
    if (embedded.length) {
      const first = embedded[0]!;
      out.push({ ...at, key: `${e.key}:${first.key}`, line: block ? e.line + 1 + first.lineOffset : e.line, value: embedded.map((x) => x.value).join('\n') });
    } else {
      // A token or webhook URL whose format names it, under a setting key of the file (`slack_api_url:`).
      const formatted = formattedCredential(text, (offset) => isCommentLine(lines[offset]));
      if (formatted) out.push({ ...at, line: block ? e.line + 1 + formatted.lineOffset : e.line, value: formatted.value });
    }
  }
  if (out.length === 0 && resource.source === 'template' && text.includes('{{')) {
    // DB_PASSWORD: {{ .Values.db.password }}, DATABASE_URL: {{ include "app.dsn" . }} that puts the password in the URL —
    // templated, but the destination is still a ConfigMap.
    if (!block && (isCredentialName(e.key, extra) || isCredentialUrlName(e.key))) {
      const paths = templateExprs(text).flatMap((x) => credentialValuesPaths(x, resource, config, e.line));
      if (paths.length) out.push({ ...at, valuesPaths: [...new Set(paths)] });
    } else if (block) {
      lines.forEach((line, offset) => {
        if (out.length || !line.includes('{{') || isCommentLine(line)) return;
        for (const m of line.matchAll(KEY_BEFORE_TEMPLATE)) {
          if (!isCredentialName(m[2]!, extra)) continue;
          const paths = credentialValuesPaths(m[3]!, resource, config, e.line + 1 + offset);
          if (paths.length) {
            out.push({ ...at, key: `${e.key}:${m[2]}`, line: e.line + 1 + offset, valuesPaths: [...new Set(paths)] });
            return;
          }
        }
      });
    }
  }
  return out;
}

export const secretInConfigmap = createRule(
  {
    id: 'secret-in-configmap',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A ConfigMap carries a credential (password, token, secret, DSN with password)',
    why:
      'ConfigMaps are not secrets: they are readable by every workload and user with namespace read access, shown in dashboards and ' +
      'diffs, logged by GitOps tools, and never encrypted at rest. A credential in a ConfigMap is both committed and broadcast, ' +
      'whether it is a literal or rendered into the ConfigMap from `.Values.*password*`.',
    allowed:
      'Settings only (hosts, issuers, URLs without credentials, toggles); credentials come from a Secret materialised by an ' +
      'ExternalSecret or the operator and reach the pod through `envFrom.secretRef` / `secretKeyRef`. `binaryData` is not read.',
    remediation:
      'Move the credential out of the ConfigMap into a Secret produced by its authority (ExternalSecret, CNPG, Helm generation), ' +
      'mount it with `envFrom.secretRef`, rotate the exposed value.',
  },
  (context) => {
    const { project, config } = context;
    const classifier = new OriginClassifier(config);
    context.each(
      project.resourcesOfKind('ConfigMap').filter((r) => !r.parsed.file.isTest),
      (r) => r.file,
      (resource) => {
        for (const dataEntry of resource.node.entries.filter((e) => e.key === 'data')) {
          if (!isMap(dataEntry.value)) continue;
          for (const e of dataEntry.value.entries) {
            for (const cred of configMapCredentials(e, resource, config)) {
              const origin = classifier.classify({ name: resource.name, keys: [e.key], kind: 'ConfigMap', file: resource.file });
              const secretName = `${resource.name.replace(/-(config|configmap|cm|settings|env)$/i, '')}-secrets`;
              const fromValues = cred.valuesPaths.map((p) => `.Values${p}`);
              context.report({
                file: resource.parsed.file,
                line: cred.line,
                column: cred.column,
                message: fromValues.length
                  ? `ConfigMap ${resource.name} renders credential ${cred.key} from ${fromValues.join(', ')}`
                  : `ConfigMap ${resource.name} carries a literal credential in ${cred.key}`,
                location: resourceLocation(resource, `data.${cred.key}`),
                ...(cred.value !== undefined ? { value: cred.value } : {}),
                keys: [cred.key, ...fromValues],
                origin,
                resource: resourceRef(resource),
                replacement: authorityReplacement(project, origin, { name: secretName, namespace: resource.namespace, keys: [e.key] }),
                remediation: `Move ${e.key} out of ConfigMap ${resource.name} into Secret ${secretName} (ExternalSecret-fed), read it with envFrom.secretRef / secretKeyRef, and rotate the exposed value.`,
              });
            }
          }
        }
      },
    );
    // Kustomize configMapGenerator `literals:` / `envs:`: the generated ConfigMap carries what the kustomization commits.
    context.each(
      kustomizeGenerators(project, 'configMapGenerator'),
      (g) => g.kustomization.file.path,
      (generator) => {
        // `namespace` (the generator's own option) keys the logical location; the object lands in `renderedNamespace`.
        const { name, namespace, renderedNamespace } = generator;
        for (const source of generator.sources) {
          for (const cred of source.credentials) {
            const origin = classifier.classify({ name, keys: [cred.key], kind: 'ConfigMap', file: source.file.path });
            const secretName = `${name.replace(/-(config|configmap|cm|settings|env)$/i, '')}-secrets`;
            context.report({
              file: source.file,
              line: cred.line,
              column: cred.column,
              message:
                source.via === 'literals'
                  ? `Kustomize configMapGenerator ${name} carries a literal credential in ${cred.key}`
                  : `Kustomize configMapGenerator ${name} (${generator.kustomization.file.path}) reads a literal credential ${cred.key} from committed ${source.via}`,
              location: `${source.file.path}#configMapGenerator/${namespace ? `${namespace}/` : ''}${name}#${cred.key}`,
              value: cred.value,
              keys: [cred.key],
              origin,
              resource: { kind: 'ConfigMap', name, ...(renderedNamespace ? { namespace: renderedNamespace } : {}) },
              replacement: authorityReplacement(project, origin, { name: secretName, namespace: renderedNamespace, keys: [cred.key] }),
              remediation: `Move ${cred.key} out of configMapGenerator ${name} into a Secret (${secretName}) materialised from its authority (ExternalSecret, operator), read it with envFrom.secretRef / secretKeyRef, and rotate the exposed value.`,
            });
          }
        }
      },
    );
  },
);
