import { OriginClassifier } from '../../inventory/origin.js';
import { esSpec, isEsoApiVersion, normaliseRemoteKey, EXTERNAL_SECRET_KINDS, PUSH_SECRET_KINDS } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import { memoFor } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import type { Replacement } from '../../types.js';
import { get, getStr, isMap, isScalar, seqItems, str, walkFrames } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { harnessModels } from '../tests/common.js';
import { kustomizePatchFiles } from './duplicate-externalsecret-owner.js';
import { externalSecrets, isTemplated, isVaultEntry, plural, pushSecrets, resolveScalar, sameNamespace, storesCompatible, type EsEntry, type EsInfo, type PsInfo } from './common.js';

/** A remote key or property named for base64 content: `tls-cert-b64`, `SIGNING_KEY_B64`, `ca.base64`, `b64-auth-json`. */
const BASE64_NAME = /(?:^|[^A-Za-z0-9])b64(?:$|[^A-Za-z0-9])|base64/i;
const DECODING = new Set(['base64', 'base64url', 'auto']);

/** The template text an ExternalSecret renders its Secret's data from; undefined when it cannot be known statically. */
interface TemplateShape {
  /** Does the template replace the fetched data (template data or templateFrom, mergePolicy Replace)? */
  replaces: boolean;
  /** All template text (data keys and values, templateFrom literals), for key references. */
  text: string;
  /** The whole fetched map is handed to a function or ranged over (`toJson .`, `range $k, $v := .`). */
  usesAll: boolean;
  /** Helm actions outside escapes that may render template text we cannot see (`.Values`, include, tpl). */
  opaque: boolean;
}

/** Helm escapes of an ESO template: `{{ `{{ .x }}` }}` and `{{ "{{" }}`; what is left of `{{ … }}` is Helm's. */
function helmActionsOutsideEscapes(text: string): string[] {
  const stripped = text.replace(/\{\{-?\s*`[^`]*`\s*-?\}\}/g, ' ').replace(/\{\{-?\s*"(\{\{|\}\})"\s*-?\}\}/g, ' ');
  return [...stripped.matchAll(/\{\{(.*?)\}\}/gs)].map((m) => m[1] ?? '');
}

/** Does the template text hand the whole fetched map to something (`toJson .`, `range $k, $v := .`, `{{ . }}`)? */
function usesWholeContext(text: string): boolean {
  // `index . "service-account-token"` (keys with dashes) reads one key, not the map.
  const oneKey = text.replace(/\b(?:index|get|hasKey)\s+[.$]\s+(?:"[^"]*"|'[^']*'|`[^`]*`|\\"[^"\\]*\\")/g, ' ');
  return /(?:^|[\s(,|=`{])[.$](?=\s*(?:\}\}|\)|\||\s|`))/m.test(oneKey);
}

function mentions(text: string, key: string): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`).test(text);
}

/** Is a Helm action (a block injection; with LOOPS, a range or with too) rendering part of the output between these lines? */
function helmInjectsInto(resource: K8sResource, from: number, to: number, loops = true): boolean {
  const helm = resource.helm;
  if (!helm) return false;
  if ((helm.blocks ?? []).some((b) => b.line >= from && b.line <= to + 1)) return true;
  return loops && (helm.controls ?? []).some((c) => c.line >= from && c.line <= to + 1 && (c.keyword === 'range' || c.keyword === 'with'));
}

const UNKNOWN: TemplateShape = { replaces: true, text: '', usesAll: true, opaque: true };

function templateShape(project: Project, es: EsInfo): TemplateShape | undefined {
  const resource = es.resource;
  const spec = esSpec(resource);
  const target = get(spec, 'target');
  // A Helm template may render the target (or its template) from values: `{{- toYaml .Values.target | nindent 4 }}`.
  if (resource.helm) {
    if (!isMap(target)) {
      if (target !== undefined && target !== null) return UNKNOWN;
      if (isMap(spec) && helmInjectsInto(resource, spec.line, spec.endLine, false)) return UNKNOWN;
    } else if (helmInjectsInto(resource, target.line, target.endLine, false)) return UNKNOWN;
  }
  const templateEntry = isMap(target) ? target.entries.find((e) => e.key === 'template') : undefined;
  if (!templateEntry) return undefined;
  const template = templateEntry.value;
  if (template === null) return resource.helm ? UNKNOWN : undefined;
  if (!isMap(template)) return UNKNOWN;
  const opaque = helmInjectsInto(resource, template.line, template.endLine);
  const texts: string[] = [];
  let definesData = false;
  const data = get(template, 'data');
  if (isMap(data)) {
    for (const e of data.entries) {
      definesData = true;
      texts.push(e.key);
      const v = str(e.value);
      if (v !== undefined) texts.push(v);
      else if (e.value && !isScalar(e.value)) return UNKNOWN;
    }
  } else if (data !== undefined && data !== null) return UNKNOWN;
  let unresolved = false;
  for (const from of seqItems(get(template, 'templateFrom'))) {
    const target = getStr(from, 'target') ?? 'Data';
    if (target === 'Data') definesData = true;
    const literal = getStr(from, 'literal');
    if (literal !== undefined) texts.push(literal);
    // A ConfigMap or Secret source is not read: a ConfigMap of the tree is not always in view when the ExternalSecret
    // is judged (a scan in chunks), so what it renders stays unknown.
    if (get(from, 'configMap') || get(from, 'secret')) unresolved = true;
  }
  const policy = resolveScalar(project, resource, getStr(template, 'mergePolicy'));
  const text = texts.join('\n');
  const helmOpaque = !!resource.helm && helmActionsOutsideEscapes(text).some((a) => /\.Values\b|\binclude\b|\btpl\b|\btemplate\b|\$\./.test(a));
  return {
    replaces: definesData && (policy === undefined ? getStr(template, 'mergePolicy') === undefined : policy === 'Replace'),
    text,
    usesAll: usesWholeContext(text),
    opaque: opaque || unresolved || helmOpaque,
  };
}

/** What an ExternalSecret's template drops: the `spec.data` keys no template value uses while the template replaces the fetched data. */
interface Dropped {
  es: EsInfo;
  entries: EsEntry[];
}

function droppedKeys(project: Project, es: EsInfo): Dropped | undefined {
  if (!judged(project, es.resource)) return undefined;
  const shape = templateShape(project, es);
  if (!shape?.replaces || shape.usesAll || shape.opaque) return undefined;
  const entries = es.entries.filter((e) => !e.bulk && e.read.secretKey && !isTemplated(e.read.secretKey) && !mentions(shape.text, e.read.secretKey));
  return entries.length > 0 ? { es, entries } : undefined;
}

/**
 * Is the ExternalSecret judged on its own? Not in test files, not another operator's kind, and not a kustomize patch: a
 * patch merges into an object defined elsewhere (its template or data may come from the base).
 */
function judged(project: Project, resource: K8sResource): boolean {
  if (resource.parsed.file.isTest || !isEsoApiVersion(resource)) return false;
  return !memoFor(project, 'kv-shape:patches', '', () => kustomizePatchFiles(project)).has(resource.file);
}

/** Target Secret name -> the ExternalSecrets writing it that drop keys. */
function droppedByTarget(project: Project): Map<string, Dropped[]> {
  return memoFor(project, 'kv-shape:dropped', '', () => {
    const out = new Map<string, Dropped[]>();
    for (const es of externalSecrets(project)) {
      if (!es.targetName || isTemplated(es.targetName)) continue;
      const dropped = droppedKeys(project, es);
      if (dropped) out.set(es.targetName, [...(out.get(es.targetName) ?? []), dropped]);
    }
    return out;
  });
}

/** `secretKeyRef: {name, key}` and `secret: {secretName, items[].key}` reads of a resource, with their lines. */
function keyReads(resource: K8sResource): { secret: string; key: string; line: number; env?: string }[] {
  const out: { secret: string; key: string; line: number; env?: string }[] = [];
  walkFrames(resource.node, ({ node, key, up }) => {
    if (!isMap(node) || !key) return;
    if (key === 'secretKeyRef') {
      const secret = getStr(node, 'name');
      const k = getStr(node, 'key');
      const env = getStr(up?.up?.node, 'name');
      if (secret && k) out.push({ secret, key: k, line: node.line, ...(env ? { env } : {}) });
    } else if (key === 'secret') {
      const secret = getStr(node, 'secretName') ?? getStr(node, 'name');
      for (const item of seqItems(get(node, 'items'))) {
        const k = getStr(item, 'key');
        if (secret && k) out.push({ secret, key: k, line: item.line });
      }
    }
  });
  return out.filter((r) => !isTemplated(r.secret) && !isTemplated(r.key));
}

/** Fields a writer of the tree stores at a Vault path: a PushSecret's property, a script's `vault kv put path field=…`. */
interface SingleFieldWriter {
  field: string;
  file: string;
  line: number;
  form: string;
  /** The PushSecret that writes it (its stores decide whether it writes where the ExternalSecret reads). */
  ps?: PsInfo;
}

function singleFieldWriters(project: Project): Map<string, SingleFieldWriter[]> {
  return memoFor(project, 'kv-shape:writers', '', () => {
    const fields = new Map<string, { fields: Set<string>; writers: SingleFieldWriter[]; whole: boolean }>();
    const note = (key: string, field: string | undefined, w: Omit<SingleFieldWriter, 'field'>) => {
      const k = normaliseRemoteKey(key);
      if (!k || /[$*{]/.test(k)) return;
      const slot = fields.get(k) ?? { fields: new Set<string>(), writers: [], whole: false };
      if (field) {
        slot.fields.add(field);
        slot.writers.push({ ...w, field });
      } else slot.whole = true;
      fields.set(k, slot);
    };
    for (const ps of pushSecrets(project)) {
      for (const push of ps.pushes) note(push.remoteKey, push.property, { file: ps.resource.file, line: push.line, form: `${ps.resource.kind} ${ps.resource.name}`, ps });
    }
    for (const { file, model } of harnessModels(project)) {
      for (const w of model.vaultWrites ?? []) {
        if (w.op !== 'kv-write') continue;
        if (w.keys.length === 1) note(w.path, w.keys[0], { file: file.path, line: w.line, form: w.form });
        else note(w.path, undefined, { file: file.path, line: w.line, form: w.form });
      }
    }
    const out = new Map<string, SingleFieldWriter[]>();
    for (const [k, slot] of fields) if (!slot.whole && slot.fields.size === 1) out.set(k, slot.writers);
    return out;
  });
}

function mergeSnippet(resource: K8sResource): Replacement {
  const specKey = resource.kind === 'ClusterExternalSecret' ? ['spec:', '  externalSecretSpec:'] : ['spec:'];
  const indent = ' '.repeat(2 * specKey.length);
  return {
    language: 'yaml',
    title: 'Keep the fetched keys next to the composed ones',
    snippet: [`kind: ${resource.kind}`, 'metadata:', `  name: ${resource.name}`, ...specKey, `${indent}target:`, `${indent}  template:`, `${indent}    engineVersion: v2`, `${indent}    mergePolicy: Merge`, ''].join('\n'),
  };
}

function remoteRefSnippet(resource: K8sResource, entry: EsEntry, extra: string[], title: string): Replacement {
  const specKey = resource.kind === 'ClusterExternalSecret' ? ['spec:', '  externalSecretSpec:'] : ['spec:'];
  const indent = ' '.repeat(2 * specKey.length);
  return {
    language: 'yaml',
    title,
    snippet: [
      `kind: ${resource.kind}`,
      'metadata:',
      `  name: ${resource.name}`,
      ...specKey,
      `${indent}data:`,
      `${indent}  - secretKey: ${entry.read.secretKey ?? 'value'}`,
      `${indent}    remoteRef:`,
      `${indent}      key: ${entry.read.remoteKey}`,
      ...extra.map((l) => `${indent}      ${l}`),
      '',
    ].join('\n'),
  };
}

/**
 * Does a workload of the ExternalSecret's own file read KEY of Secret TARGET into an env var named base64
 * (`SIGNING_KEY_B64`)? Then the encoded text is what it wants. Only the file itself: workloads elsewhere are not always
 * in view when the ExternalSecret is judged (a scan in chunks).
 */
function readAsBase64InFile(project: Project, es: K8sResource, target: string, key: string): boolean {
  return project.resources.some(
    (r) => r.parsed === es.parsed && !EXTERNAL_SECRET_KINDS.includes(r.kind) && keyReads(r).some((read) => read.secret === target && read.key === key && !!read.env && BASE64_NAME.test(read.env) && sameNamespace(r.namespace, es.namespace)),
  );
}

export const externalsecretKvShapeMismatch = createRule(
  {
    id: 'externalsecret-kv-shape-mismatch',
    family: 'external',
    defaultSeverity: 'low',
    description: 'An ExternalSecret whose fetched data does not reach its Secret in the shape consumers expect: keys its template drops, base64 text left encoded, a whole KV map where one field was meant',
    why:
      'External Secrets Operator writes only what `target.template` renders when the template defines data (mergePolicy ' +
      'Replace, the default): a fetched key no template value uses is silently missing from the Secret, and a pod reading it ' +
      'fails with "couldn\'t find key". A value stored base64-encoded (`*-b64`, `*base64*`) reaches the Secret still encoded ' +
      'unless `decodingStrategy` (or `b64dec` in the template) decodes it. A Vault KV read without `property` returns the ' +
      'whole secret as JSON (`{"value":"…"}`), not the single field its writer stored.',
    allowed:
      'Templates that use every fetched key (a DSN composed from parts, a dockerconfigjson) or hand the whole map to a ' +
      'function, `mergePolicy: Merge`, templates only setting type or metadata, `dataFrom` (keys unknown), `templateFrom` ' +
      'ConfigMap/Secret sources and Helm-rendered templates (not read), kustomize patches, `decodingStrategy: ' +
      'Base64|Base64URL|Auto` or a template using the key, Secret keys themselves named base64, `property:` on KV reads.',
    remediation:
      'Use each fetched key in the template or set `target.template.mergePolicy: Merge`; add `decodingStrategy: Base64` to ' +
      'remote refs holding base64 text; read single-field KV entries with `property: <field>`.',
  },
  (context) => {
    const project = context.project;
    const classifier = new OriginClassifier(context.config);
    context.each(
      externalSecrets(project),
      (es) => es.resource.file,
      (es) => {
        const resource = es.resource;
        if (!judged(project, resource)) return;
        const target = es.targetName ?? resource.name;
        const origin = classifier.classify({ name: target, keys: es.entries.flatMap((e) => (e.read.secretKey ? [e.read.secretKey] : [])), kind: 'Secret', file: resource.file });
        const shape = templateShape(project, es);
        const single = es.entries.filter((e) => !e.bulk && e.read.secretKey && !isTemplated(e.read.secretKey));
        /** Does the Secret carry this key as fetched (no template transforms or drops it)? */
        const passedThrough = (e: EsEntry): boolean => !shape || (!shape.replaces && !shape.usesAll && !shape.opaque && !mentions(shape.text, e.read.secretKey!));

        // 1. Keys the template drops.
        const dropped = droppedKeys(project, es);
        if (dropped) {
          const keys = dropped.entries.map((e) => e.read.secretKey!);
          context.report({
            file: resource.parsed.file,
            line: dropped.entries[0]!.read.line,
            message: `${resource.kind} ${resource.name} fetches ${plural(keys.length, 'key')} (${keys.join(', ')}) that its target.template never uses: with mergePolicy Replace (the default) Secret ${target} does not contain ${keys.length === 1 ? 'it' : 'them'}`,
            location: resourceLocation(resource, `template-drops:${[...keys].sort().join(',')}`),
            keys,
            origin,
            resource: resourceRef(resource),
            replacement: mergeSnippet(resource),
            remediation: `Use ${keys.join(', ')} in a template value, stop fetching ${keys.length === 1 ? 'it' : 'them'}, or set target.template.mergePolicy: Merge so the fetched keys stay in Secret ${target}.`,
          });
        }

        for (const entry of single) {
          const read = entry.read;
          const key = read.secretKey!;
          // 2. base64 text that nothing decodes.
          const remote = entry.remoteKey ?? read.remoteKey;
          const lastSegment = remote.split('/').filter(Boolean).pop() ?? remote;
          const property = read.property && !isTemplated(read.property) ? read.property : undefined;
          const encodedName = property && BASE64_NAME.test(property) ? property : !isTemplated(lastSegment) && BASE64_NAME.test(lastSegment) ? remote : undefined;
          const decoded = DECODING.has((read.decodingStrategy ?? 'None').toLowerCase()) || isTemplated(read.decodingStrategy);
          if (encodedName && !decoded && !BASE64_NAME.test(key) && passedThrough(entry) && !readAsBase64InFile(project, resource, target, key)) {
            context.report({
              file: resource.parsed.file,
              line: read.line,
              message: `${resource.kind} ${resource.name} copies ${encodedName}, named as base64-encoded, into key ${key} of Secret ${target} without decodingStrategy: consumers get the base64 text, not the value`,
              location: resourceLocation(resource, `undecoded:${key}`),
              keys: [key],
              origin,
              resource: resourceRef(resource),
              replacement: remoteRefSnippet(resource, entry, [...(read.property ? [`property: ${read.property}`] : []), 'decodingStrategy: Base64'], 'Let ESO decode the stored base64'),
              remediation: `Add decodingStrategy: Base64 (or Auto) to the remoteRef of ${key}, or decode it with b64dec in target.template; name the Secret key *_b64 if its consumer really wants the encoded text.`,
            });
            continue;
          }
          // 3. A whole KV map where its writer stored one field.
          if (read.property || read.decodingStrategy || !entry.normalisedKey || !passedThrough(entry)) continue;
          const writers = (singleFieldWriters(project).get(entry.normalisedKey) ?? []).filter((w) => !w.ps || storesCompatible(entry, w.ps));
          if (writers.length === 0 || !isVaultEntry(project, entry).vault) continue;
          const writer = writers[0]!;
          context.report({
            file: resource.parsed.file,
            line: read.line,
            message: `${resource.kind} ${resource.name} reads Vault key ${remote} without property into key ${key} of Secret ${target}, but ${writer.form} (${writer.file}:${writer.line}) stores it as the single field ${writer.field}: consumers get a JSON map ({"${writer.field}": …}), not the value`,
            location: resourceLocation(resource, `whole-map:${key}`),
            keys: [key],
            origin,
            resource: resourceRef(resource),
            replacement: remoteRefSnippet(resource, entry, [`property: ${writer.field}`], 'Read the field the writer stores'),
            remediation: `Add property: ${writer.field} to the remoteRef of ${key} (the field ${writer.form} writes), or decode the map in target.template.`,
          });
        }
      },
    );

    // A workload reading a key a template drops fails at start ("couldn't find key"): reported where it reads it. Judged
    // from the workload's own file and the ExternalSecrets (always in view, also when a scan runs in chunks).
    const byTarget = droppedByTarget(project);
    if (byTarget.size === 0) return;
    context.each(
      project.resources.filter((r) => !EXTERNAL_SECRET_KINDS.includes(r.kind) && !PUSH_SECRET_KINDS.includes(r.kind) && !r.parsed.file.isTest),
      (r) => r.file,
      (resource) => {
        const seen = new Map<string, number>();
        for (const read of keyReads(resource)) {
          const writer = (byTarget.get(read.secret) ?? []).find((d) => sameNamespace(d.es.namespace, resource.namespace) && d.entries.some((e) => e.read.secretKey === read.key));
          if (!writer) continue;
          const es = writer.es.resource;
          const id = `${read.secret}/${read.key}`;
          const nth = (seen.get(id) ?? 0) + 1;
          seen.set(id, nth);
          context.report({
            file: resource.parsed.file,
            line: read.line,
            message: `${resource.kind} ${resource.name} reads key ${read.key}${read.env ? ` (as ${read.env})` : ''} of Secret ${read.secret}, which ${es.kind} ${es.name} (${es.file}:${writer.entries.find((e) => e.read.secretKey === read.key)!.read.line}) fetches but its target.template drops: the key is missing and the pod fails to start`,
            location: resourceLocation(resource, `reads-dropped:${id}${nth > 1 ? `#${nth}` : ''}`),
            keys: [read.key],
            severity: 'medium',
            origin: classifier.classify({ name: read.secret, keys: [read.key], kind: 'Secret', file: es.file }),
            resource: resourceRef(resource),
            replacement: mergeSnippet(es),
            remediation: `Use ${read.key} in a template value of ${es.kind} ${es.name}, or set its target.template.mergePolicy: Merge so Secret ${read.secret} keeps the fetched key.`,
          });
        }
      },
    );
  },
);
