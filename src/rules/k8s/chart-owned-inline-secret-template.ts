import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { OriginClassifier } from '../../inventory/origin.js';
import type { K8sResource } from '../../k8s/resources.js';
import { credentialClass, embeddedCredentials, isAnglePlaceholder, isCredentialName, words } from '../../k8s/vocabulary.js';
import type { ResolvedConfig } from '../../config/types.js';
import { valuesCredentials } from './inline-credential-in-values.js';
import type { Project } from '../../scan/project.js';
import { isChartRoot, memoFor, resourcesInFile } from '../../scan/project-index.js';
import type { Replacement, Severity } from '../../types.js';
import { basename, dirname } from '../../util/path.js';
import type { HelmBlockAction } from '../../analyzers/yaml.js';
import { includedDefineName, type WrittenEntry } from '../../k8s/named-templates.js';
import { secretDataBlocks } from '../../k8s/secret-data-blocks.js';
import { get, isMap, isScalar, keyPath, walkFrames, type PEntry, type PNode, type PScalar } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { externalSecretReplacement, helmGeneratedSecretReplacement } from '../snippets.js';
import { isCommentLine, isNonCredentialLiteral, namesAKey, namesASecret, resourceLocation, resourceRef, valuesEmbeddedPaths } from './common.js';
import { actionOperands, callerFieldRefs, dotRelativeRefs, enclosingConditions, enclosingControls, exprSources, guardedByExistingSecret, isCredentialPath, isSettingPath, namesASecretPath, templateExprs, valuesRefsOf } from './helm-sources.js';
import { terraformValuesFiles } from '../../scan/terraform-values.js';

export interface ValuesFedKey {
  key: string;
  section: string;
  line: number;
  column: number;
  /** `.Values` paths feeding the key. */
  paths: string[];
  /** Files of the chart itself feeding the key (`.Files.Get "files/app.env"`, `(.Files.Glob "secrets/*").AsSecrets`). */
  files?: string[];
  /** The key falls back to Helm generation (randAlphaNum/lookup/generate helper) when the values are empty. */
  fallback: boolean;
}

/**
 * A Secret key the template fills with a whole values map or text that is not named as a credential
 * (`config.yaml: {{ toYaml .Values.secretConfig | b64enc }}`): a credential only where values put one there.
 */
export interface ValuesRenderedKey {
  key: string;
  section: string;
  /** `.Values` paths rendered into the key, as ".a.b". */
  paths: string[];
}

interface SecretValuesKeys {
  fed: readonly ValuesFedKey[];
  rendered: readonly ValuesRenderedKey[];
}

/** Where a Secret entry's expressions are read: the template itself, or the define that writes the entry. */
interface Scope {
  helm: K8sResource['helm'];
  namedTemplates: K8sResource['namedTemplates'];
  /** The entry is written inside a named template: the dot is the include's argument there. */
  inDefine: boolean;
}

const keysMemo = new WeakMap<K8sResource, { extra: readonly string[]; keys: SecretValuesKeys }>();

/**
 * Keys of a templated Secret whose values come from credential-like `.Values` paths. Remembered per resource (the
 * rule asks again for every values toggle its templates answer): the result is shared, read it only.
 */
export function valuesFedKeys(resource: K8sResource, extra: readonly string[]): readonly ValuesFedKey[] {
  return secretValuesKeys(resource, extra).fed;
}

function secretValuesKeys(resource: K8sResource, extra: readonly string[]): SecretValuesKeys {
  const known = keysMemo.get(resource);
  if (known && known.extra === extra) return known.keys;
  const keys = computeSecretValuesKeys(resource, extra);
  keysMemo.set(resource, { extra, keys });
  return keys;
}

function computeSecretValuesKeys(resource: K8sResource, extra: readonly string[]): SecretValuesKeys {
  const out: ValuesFedKey[] = [];
  const rendered: ValuesRenderedKey[] = [];
  /** Keys that some if/else branch fills with a generated value: `{{ if .Values.pw }}pw: values{{ else }}pw: randAlphaNum{{ end }}`. */
  const generatedKeys = new Set<string>();
  // A Secret a named template renders reads its caller's dot: those fields are values handed over by the include.
  const scope: Scope = { helm: resource.helm, namedTemplates: resource.namedTemplates, inDefine: basename(resource.file).startsWith('_') };
  for (const section of ['stringData', 'data'] as const) {
    const map = resource.node.entries.filter((e) => e.key === section).map((e) => e.value);
    for (const node of map) {
      if (!isMap(node)) continue;
      for (const e of node.entries) {
        const fed = valuesFedEntry(e, scope, extra);
        if (fed) out.push({ ...fed, section });
        else if (isScalar(e.value) && typeof e.value.value === 'string' && templateExprs(e.value.value).some((x) => exprSources(x, resource.helm, resource.namedTemplates).generated)) {
          generatedKeys.add(e.key);
        } else {
          const paths = renderedPaths(e, scope);
          if (paths.length > 0) rendered.push({ key: e.key, section, paths });
        }
      }
    }
  }
  blockFedKeys(resource, scope, extra, out, rendered);
  const fed = out.map((k) => (generatedKeys.has(k.key) ? { ...k, fallback: true } : k));
  return Object.freeze({ fed: Object.freeze(fed), rendered: Object.freeze(rendered) });
}

/**
 * `stringData:` filled by a block injection (`{{- toYaml .Values.secrets | nindent 2 }}`, or `toYaml .` under
 * `with .Values.secrets`): the YAML text keeps a blank line there, so the whole map comes from those values. A define
 * that writes `key: value` lines (`{{- include "app.secretData" . | nindent 2 }}`) is judged by those keys.
 */
function blockFedKeys(resource: K8sResource, scope: Scope, extra: readonly string[], out: ValuesFedKey[], rendered: ValuesRenderedKey[]): void {
  for (const { section, block, owner } of secretDataBlocks(resource)) {
    if (owner) {
      // `mapbox_token: |` with the value on the next line: that key's value, judged as if written on its line.
      const entry = { ...owner, value: { ...(owner.value as PScalar), value: `{{ ${block.expr} }}` } };
      const fed = valuesFedEntry(entry, scope, extra);
      if (fed) out.push({ ...fed, section });
      else {
        const paths = renderedPaths(entry, scope);
        if (paths.length > 0) rendered.push({ key: owner.key, section, paths });
      }
      continue;
    }
    const define = includedDefineName(block.expr);
    const written = define === undefined ? undefined : resource.namedTemplates?.written(define, resource.helm?.chartRoot ?? '.');
    if (written) {
      writtenFedKeys(written, block, section, resource, extra, out, rendered);
      continue;
    }
    const fed = injectedFedKey(block.expr, block.line, resource);
    if (fed) out.push({ ...fed, section });
  }
}

/** A whole map injected from values or chart files: the expression is its key. */
function injectedFedKey(expr: string, line: number, resource: K8sResource, helm = resource.helm): Omit<ValuesFedKey, 'section'> | undefined {
  let refs = exprSources(expr, helm, resource.namedTemplates).valuesRefs;
  if (refs.length === 0 && READS_THE_DOT.test(expr)) refs = exprSources(innermostDotBinding(resource.helm, line) ?? '', resource.helm, resource.namedTemplates).valuesRefs;
  const paths = refs.filter((ref) => !isSettingPath(ref) && !isNonCredentialMaterialPath(ref));
  const files = chartFilesRead(expr);
  if (paths.length === 0 && files.length === 0) return undefined;
  return { key: `{{ ${expr} }}`, line, column: 1, paths: [...paths].sort(), ...(files.length > 0 ? { files } : {}), fallback: false };
}

/**
 * The entries an included define writes, judged like entries written in the template, on the include's line. A key
 * the define names itself (`{{ $k }}: {{ $v }}` over its argument) takes the values the include hands over.
 */
function writtenFedKeys(written: readonly WrittenEntry[], block: HelmBlockAction, section: string, resource: K8sResource, extra: readonly string[], out: ValuesFedKey[], rendered: ValuesRenderedKey[]): void {
  for (const w of written) {
    if (w.key === '') {
      const fed = injectedFedKey(w.value ?? '', block.line, resource, w.helm);
      if (fed) out.push({ ...fed, key: `{{ ${block.expr} }}`, section });
      continue;
    }
    const value: PScalar = { t: 'scalar', value: w.value ?? '', style: w.block ? 'block' : 'plain', line: block.line, column: 1, endLine: block.line };
    const entry: PEntry = { key: w.key, line: block.line, column: 1, value };
    const scope: Scope = { helm: w.helm, namedTemplates: resource.namedTemplates, inDefine: true };
    const fed = valuesFedEntry(entry, scope, extra);
    if (fed) {
      out.push({ ...fed, section });
      continue;
    }
    if (templateExprs(w.key).length > 0) {
      const handed = exprSources(block.expr, resource.helm, resource.namedTemplates).valuesRefs.filter((ref) => !isSettingPath(ref) && !isNonCredentialMaterialPath(ref));
      if (handed.length > 0) {
        out.push({ key: w.key, section, line: block.line, column: 1, paths: [...handed].sort(), fallback: false });
        continue;
      }
    }
    const paths = renderedPaths(entry, scope);
    if (paths.length > 0) rendered.push({ key: w.key, section, paths });
  }
}

/**
 * The `.Values` paths an entry not named as a credential renders into the Secret (`config.yaml: {{ toYaml
 * .Values.secretConfig | b64enc }}`, `app.conf: {{ tpl .Values.appConf . }}`): neither settings (hosts, names, ports)
 * nor certificates and scripts.
 */
function renderedPaths(e: PEntry, scope: Scope): string[] {
  if (!isScalar(e.value) || typeof e.value.value !== 'string') return [];
  if (CERTIFICATE_KEY.test(e.key.replace(/\{\{[\s\S]*?\}\}/g, '')) || isNonCredentialMaterialPath(e.key)) return [];
  const naming = new Set(templateExprs(e.key).flatMap((x) => valuesRefsOf(x)));
  const paths = new Set<string>();
  for (const expr of templateExprs(e.value.value)) {
    const refs = [...exprSources(expr, scope.helm, scope.namedTemplates).valuesRefs, ...(scope.inDefine ? [] : dotRelativeRefs(expr, scope.helm, e.line))];
    for (const ref of refs) if (!naming.has(ref) && !isSettingPath(ref) && !isNonCredentialMaterialPath(ref)) paths.add(ref);
  }
  return [...paths].sort();
}

/** The dot or a field of it as an argument: `toYaml .`, `(toYaml .data)`; not `.Values`, `.Release` and the like. */
const READS_THE_DOT = /(?:^|[\s(])\.(?=$|[\s)|]|(?!(?:Values|Release|Chart|Capabilities|Files|Template)\b)[A-Za-z_])/;

/** The expression of the innermost `with` or `range` around LINE: what the dot is (or ranges over) there. */
function innermostDotBinding(helm: YamlFileModel['helm'], line: number): string | undefined {
  const open = enclosingControls(helm, line).filter((c) => c.keyword !== 'if');
  return open[open.length - 1]?.expr;
}

function valuesFedEntry(e: PEntry, scope: Scope, extra: readonly string[]): Omit<ValuesFedKey, 'section'> | undefined {
  if (!isScalar(e.value) || typeof e.value.value !== 'string') return undefined;
  const exprs = templateExprs(e.value.value);
  if (exprs.length === 0) return undefined;
  // `custom-{{ $index }}.crt`, `ca.crt`: a certificate is nobody's credential, whatever values fill it.
  if (CERTIFICATE_KEY.test(e.key.replace(/\{\{[\s\S]*?\}\}/g, ''))) return undefined;
  // A key the template names itself (`{{ $k }}: {{ $v | b64enc }}` in a range over a values map) is whatever the values
  // hold: in a Secret, that map is the credentials, whatever it is called (extraEnv, config, secretEnv).
  const keyExprs = templateExprs(e.key);
  const keyIsCredential = isCredentialName(e.key, { extra }) || isCredentialPath(e.key, extra) || keyExprs.length > 0;
  // The settings that name the key (`tls.certFilename`) are not what fills it, even where the value reads them too.
  const namingRefs = new Set(keyExprs.flatMap((x) => valuesRefsOf(x)));
  const paths = new Set<string>();
  const files = new Set<string>();
  let fallback = false;
  const { helm, namedTemplates, inDefine } = scope;
  for (const expr of exprs) {
    if (!isNonCredentialMaterialPath(e.key)) chartFilesRead(expr).forEach((f) => files.add(f));
    const sources = exprSources(expr, helm, namedTemplates);
    const callerRefs = inDefine ? callerFieldRefs(expr).map((ref) => `${CALLER}${ref}`) : [];
    // `password: {{ .password }}` inside `with .Values.auth`: the dot is a values map there.
    const dotRefs = inDefine ? [] : dotRelativeRefs(expr, helm, e.line);
    // Credential-named paths from anywhere (directly or through $variables); any other non-setting path only when the
    // key itself is a credential and the expression reads it directly (`password: {{ .Values.auth.value }}`).
    // A whole document under a credential key or a block key (`config: |`) from an entry of a credentials map is one.
    const wholeEntry = keyIsCredential || (isScalar(e.value) && e.value.style === 'block');
    let credentialRefs = [...sources.valuesRefs, ...callerRefs, ...dotRefs].filter((ref) => isCredentialPath(ref.replace(CALLER, ''), extra) || (wholeEntry && readsACredentialsBag(ref.replace(CALLER, ''))));
    if (credentialRefs.length === 0 && keyIsCredential) {
      // A key named by the template takes its value through the range variables too (`{{ $v | b64enc }}`).
      // `hub.services.{{ $key }}.apiToken: {{ include "token" … }}`: the key says credential, the helper reads the values.
      const spelled = keyExprs.length > 0 && isCredentialPath(e.key.replace(/\{\{[\s\S]*?\}\}/g, 'x'), extra) ? sources.valuesRefs : [];
      const refs = keyExprs.length > 0 ? [...valuesRefsOf(expr), ...rangedRefs(expr, helm), ...spelled] : [...valuesRefsOf(expr), ...callerRefs, ...dotRefs];
      credentialRefs = refs.filter((ref) => !isSettingPath(ref) && !namingRefs.has(ref) && !(keyExprs.length > 0 && isNonCredentialMaterialPath(ref)));
    }
    if (credentialRefs.length === 0) continue;
    credentialRefs.forEach((r) => paths.add(r));
    fallback ||= sources.generated;
  }
  if (paths.size === 0 && files.size === 0) return undefined;
  return { key: e.key, line: e.line, column: e.column, paths: [...paths].sort(), ...(files.size > 0 ? { files: [...files].sort() } : {}), fallback };
}

/** Fields of a credentials entry that locate or label it: `clusterCredentials.<name>.server`, `.project`. */
const ENTRY_LOCATORS = new Set(['server', 'url', 'uri', 'endpoint', 'address', 'project', 'namespaces', 'insecure', 'description', 'labels', 'annotations']);

/**
 * A field of an entry under a credentials map (`configs.clusterCredentials` ranged, then `$cluster.config`): what such
 * an entry holds is the credential, whatever the field is called, except fields that locate or label it.
 */
function readsACredentialsBag(ref: string): boolean {
  const segments = ref.split('.').filter(Boolean);
  if (segments.length < 2) return false;
  const bag = segments.slice(0, -1).some((segment) => {
    const w = words(segment);
    return ['credentials', 'credential', 'secrets', 'passwords'].includes(w[w.length - 1]!) && w[0] !== 'existing' && !namesASecretPath(segment);
  });
  if (!bag || isSettingPath(ref)) return false;
  const last = words(segments[segments.length - 1]!);
  return !last.some((w) => ENTRY_LOCATORS.has(w));
}

/** Marks a path read from a named template's dot (the caller's argument), not from `.Values` itself. */
const CALLER = 'caller:';

const CHART_FILE_READ = /\.Files\.(?:Get|GetBytes|Glob|Lines)\s+"([^"]+)"/g;
/** Certificates and public keys by their file name or folder: `certs/ca.crt`, `tls/chain.pem`, `keys/signing.pub`. */
const CERTIFICATE_FILE = /\.(crt|cer|csr|pub)$|(^|[/._-])(ca|cas|cacerts?|certs?|certificates?|chain|bundle|fullchain)([/._-]|$)/i;

/** A data key that holds a certificate or CA bundle (`custom-{{ $i }}.crt`, `ca.crt`, `chain.pem`), not a private key. */
const CERTIFICATE_KEY = /\.(crt|cer|csr|pub)$|^(ca|cacert|ca[-_.]bundle|chain|fullchain)(\.pem)?$/i;

/**
 * Files committed in the chart that an expression puts into the Secret (`.Files.Get`, `.Files.Glob … AsSecrets`): the
 * chart repository is then where the credential lives. Certificates, scripts and files rendered through `tpl` (a
 * template that takes its values from elsewhere) are left out.
 */
function chartFilesRead(expr: string): string[] {
  if (!expr.includes('.Files.') || /\btpl\b/.test(expr)) return [];
  return [...expr.matchAll(CHART_FILE_READ)].map((m) => m[1]!).filter((file) => !CERTIFICATE_FILE.test(file) && !words(namePart(file)).some((w) => NOT_CREDENTIAL_FILES.has(w)));
}

/** Chart files by name or folder that hold code or docs, not credentials. */
const NOT_CREDENTIAL_FILES = new Set(['script', 'scripts', 'template', 'templates', 'dashboard', 'dashboards', 'crd', 'crds', 'doc', 'docs', 'readme', 'license', 'notes']);

/** What names a chart file: its base name without the extension, or for a glob (`scripts/*.sh`) its folder. */
function namePart(file: string): string {
  const parts = file.split('/').filter(Boolean);
  const base = (parts.pop() ?? '').replace(/\.[A-Za-z0-9]+$/, '');
  return /[*?[{]/.test(base) ? (parts.pop() ?? '') : base;
}

/** Certificates, CA bundles and files of templates or scripts: what such a Secret holds is nobody's credential. */
const NOT_CREDENTIAL_MATERIAL = new Set(['cert', 'certs', 'certificate', 'certificates', 'crt', 'ca', 'cas', 'cacert', 'cacerts', 'chain', 'bundle', 'pub', 'public', 'file', 'files', 'template', 'templates', 'script', 'scripts']);

function isNonCredentialMaterialPath(ref: string): boolean {
  const w = words(ref.split('.').filter(Boolean).pop() ?? '');
  return NOT_CREDENTIAL_MATERIAL.has(w[w.length - 1] ?? '');
}

/** The values maps an expression's range variables walk (`$v` of `range $k, $v := .Values.extraEnv`), through outer ranges. */
function rangedRefs(expr: string, helm: YamlFileModel['helm']): string[] {
  if (!helm) return [];
  // A nested range walks what an outer one gave (`range $k, $v := $repo` inside `range $name, $repo := .Values.repos`).
  return [...expr.matchAll(/\$[A-Za-z_]\w*/g)].flatMap((m) => (helm.variables[m[0]] ?? []).filter((a) => a.startsWith('range ')).flatMap((a) => exprSources(a.slice('range '.length), helm).valuesRefs));
}

/** Toggles that make a chart render a Secret from values: createSecret: true, personaSecret.create: true, localCredentials.enabled: true. */
export function secretToggle(path: readonly string[], e: PEntry): boolean {
  if (!isScalar(e.value) || e.value.value !== true) return false;
  const key = words(e.key);
  const bag = new Set(['secret', 'secrets', 'credentials', 'credential']);
  const skip = (w: readonly string[]) => w.some((x) => ['external', 'existing', 'sealed', 'vault', 'tls', 'cert', 'certificate', 'image', 'pull', 'service', 'account', 'generate', 'generated', 'random'].includes(x));
  // createSecret, createCredentials, createAdminSecret
  if (key[0] === 'create' && key.length > 1 && bag.has(key[key.length - 1]!) && !skip(key)) return true;
  const parentKey = path[path.length - 1];
  if (!parentKey || /^\d+$/.test(parentKey)) return false;
  const parent = words(parentKey);
  if (!bag.has(parent[parent.length - 1]!) || skip(parent)) return false;
  if (e.key === 'create') return true;
  // localCredentials.enabled, inlineSecret.enabled, fixtureSecrets.enabled: "enabled" on a generic secrets block means ExternalSecrets.
  return e.key === 'enabled' && parent.length > 1 && ['local', 'inline', 'fixture', 'fixtures', 'dev', 'static', 'plain', 'persona', 'default'].includes(parent[0]!);
}

function secretTemplatesGuardedBy(project: Project, path: string, chartRoot?: string): { templates: K8sResource[]; offending: boolean } {
  // Memoised per (chart, path): every environment's values file asks the same question (quadratic at 100k files).
  return memoFor(project, 'chart-owned:guarded', `${chartRoot ?? ''}\0${path}`, () => {
    const ref = `.Values.${path}`;
    // The path comes from the scanned values file: escape every metacharacter, compile once.
    const longer = new RegExp(`${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[A-Za-z0-9_]`);
    const guards = (f: ParsedFile<YamlFileModel>) => f.model.helm?.controls?.some((c) => c.expr.includes(ref) && !longer.test(c.expr)) ?? false;
    // The chart's own templates first: every template of the tree only when none of them answers (same files, same order).
    const local = chartRoot ? (templatesByChart(project).get(chartRoot) ?? []).filter(guards) : [];
    const chosen = local.length ? local : memoFor(project, 'chart-owned:guarding', path, () => project.yamlFiles.filter((f) => f.model.role === 'template' && guards(f)));
    // project.resources in file order: the chosen files' resources, in the same order as filtering all resources.
    const templates = chosen.flatMap((f) => resourcesInFile(project, f.file.path).filter((r) => r.kind === 'Secret'));
    return { templates, offending: templates.some((r) => valuesFedKeys(r, project.config.credentialNames).length > 0) };
  });
}

/** Values paths a block needs truthy to render LINE: `if .Values.a`, `with .Values.a`, the bare operands of `if and …`. */
export function requiredTruthyPaths(helm: K8sResource['helm'], line: number): string[] {
  const out: string[] = [];
  for (const control of enclosingControls(helm, line)) {
    // An else branch renders when its block's condition is false.
    if (control.keyword === 'range' || /\belse\b/.test(control.expr)) continue;
    const expr = control.expr.trim().replace(/^(if|with)\s+/, '');
    const operands = expr.startsWith('and ') ? actionOperands(expr.slice(4)) : [expr];
    for (const operand of operands) {
      const m = /^\$?\.Values\.([A-Za-z0-9_.]+)$/.exec(operand);
      if (m) out.push(m[1]!);
    }
  }
  return out;
}

function isFalsy(node: PNode | null | undefined): boolean {
  return isScalar(node) && (node.value === false || node.value === null || node.value === '' || node.value === 0);
}

/** The default values.yaml of a chart root, when the tree has it. */
function chartDefaults(project: Project, chartRoot: string): PNode | undefined {
  const path = chartRoot === '.' || chartRoot === '' ? 'values.yaml' : `${chartRoot}/values.yaml`;
  return project.valuesFiles.find((f) => f.file.path === path)?.model.docs[0]?.root ?? undefined;
}

/**
 * Every values-fed Secret template the toggle reaches also needs another switch that these values (or, when they do
 * not set it, the chart's defaults) turn off.
 */
function switchedOffBy(templates: readonly K8sResource[], toggle: string, values: PNode | null | undefined, defaults: PNode | undefined, extra: readonly string[]): boolean {
  const offending = templates.filter((r) => valuesFedKeys(r, extra).length > 0);
  return (
    offending.length > 0 &&
    offending.every((r) =>
      requiredTruthyPaths(r.helm, r.line).some((path) => {
        if (path === toggle || toggle.startsWith(`${path}.`)) return false;
        const here = get(values, path);
        return here !== undefined ? isFalsy(here) : isFalsy(get(defaults, path));
      }),
    )
  );
}

/** Helm templates per chart root, in `project.yamlFiles` order. */
function templatesByChart(project: Project): Map<string, ParsedFile<YamlFileModel>[]> {
  return memoFor(project, 'chart-owned:templates', '', () => {
    const out = new Map<string, ParsedFile<YamlFileModel>[]>();
    for (const f of project.yamlFiles) {
      const root = f.model.role === 'template' ? f.model.helm?.chartRoot : undefined;
      if (root === undefined) continue;
      const list = out.get(root);
      if (list) list.push(f);
      else out.set(root, [f]);
    }
    return out;
  });
}

function chartRootOfValues(file: ParsedFile<YamlFileModel>, project: Project): string | undefined {
  // A Terraform helm_release of a local chart loads these values for that chart.
  const release = terraformValuesFiles(project).get(file.file.path)?.chartRoot;
  if (release) return release;
  const dir = dirname(file.file.path);
  return isChartRoot(project, dir) ? dir : undefined;
}

/** A Secret a chart renders a values path into, and the key it lands in. */
interface RenderingSecret {
  resource: K8sResource;
  key: string;
}

/**
 * Per chart root, the values paths its Secret templates render whole into keys not named as credentials (the first
 * Secret and key for each path); under '' every chart's, for values files that belong to no chart of the tree.
 */
function renderedPathsByChart(project: Project, extra: readonly string[]): Map<string, Map<string, RenderingSecret>> {
  return memoFor(project, 'chart-owned:rendered', '', () => {
    const out = new Map<string, Map<string, RenderingSecret>>();
    const add = (chart: string, path: string, target: RenderingSecret) => {
      let paths = out.get(chart);
      if (!paths) out.set(chart, (paths = new Map()));
      if (!paths.has(path)) paths.set(path, target);
    };
    for (const resource of project.resources) {
      if (resource.kind !== 'Secret' || resource.source !== 'template' || resource.parsed.file.isTest) continue;
      for (const rendered of secretValuesKeys(resource, extra).rendered) {
        for (const path of rendered.paths) {
          const target = { resource, key: rendered.key };
          add(resource.helm?.chartRoot ?? '.', path, target);
          add('', path, target);
        }
      }
    }
    return out;
  });
}

/** The chart a values file belongs to: the nearest folder above it (or its own) that is a chart root of the tree. */
function owningChart(project: Project, file: string): string | undefined {
  const release = terraformValuesFiles(project).get(file)?.chartRoot;
  if (release) return release;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (isChartRoot(project, dir)) return dir;
    if (dir === '.' || dir === '' || dir === '/') return undefined;
  }
}

/** The entry at a dotted values path (`.a.b`), if every map on the way has it. */
function entryAt(root: PNode | null | undefined, path: string): PEntry | undefined {
  let found: PEntry | undefined;
  let node = root;
  for (const segment of path.split('.').filter(Boolean)) {
    found = isMap(node) ? node.entries.find((e) => e.key === segment) : undefined;
    if (!found) return undefined;
    node = found.value;
  }
  return found;
}

/**
 * Literal credentials held by a values entry a Secret renders whole: credential keys with literal values anywhere in
 * the map (as inline-credential-in-values reads them), and in text (a config file as a string) password/token lines,
 * URLs and DSNs with a password. Key names and lines only.
 */
function literalCredentialsIn(entry: PEntry, config: ResolvedConfig): { key: string; path: string; line: number; column: number }[] {
  const out: { key: string; path: string; line: number; column: number }[] = [];
  const inText = (text: string, at: PEntry, block: boolean) => {
    const lines = text.split('\n');
    for (const found of embeddedCredentials(text, { extra: config.credentialNames })) {
      if (isNonCredentialLiteral(found.value) || isAnglePlaceholder(found.value) || namesASecret(found.key, found.value) || namesAKey(found.key, found.value) || isCommentLine(lines[found.lineOffset])) continue;
      out.push({ key: found.key, path: at.key, line: block ? at.line + 1 + found.lineOffset : at.line, column: at.column });
    }
  };
  const node = entry.value;
  if (isScalar(node)) {
    if (typeof node.value === 'string') inText(node.value, entry, node.style === 'block');
    return out;
  }
  for (const cred of valuesCredentials(node, config)) out.push({ key: cred.key, path: cred.path, line: cred.line, column: cred.column });
  const seen = new Set(out.map((c) => c.line));
  walkFrames(node, (frame) => {
    const { node: inner, entry: at } = frame;
    if (at && isScalar(inner) && inner.style === 'block' && typeof inner.value === 'string' && !seen.has(at.line)) inText(inner.value, at, true);
    return undefined;
  });
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

const NAME_SENTINEL = 'fpt-sentinel-secret-name';

/** `{{ include "orders.fullname" . }}-db` -> `(print (include "orders.fullname" .) "-db")`, for use inside an action. */
export function helmNameExpression(name: string): string {
  const parts: string[] = [];
  let rest = name;
  for (const m of name.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)) {
    const before = rest.slice(0, rest.indexOf(m[0]));
    if (before) parts.push(JSON.stringify(before));
    parts.push(`(${m[1]})`);
    rest = rest.slice(rest.indexOf(m[0]) + m[0].length);
  }
  if (rest) parts.push(JSON.stringify(rest));
  return parts.length === 1 && parts[0]!.startsWith('"') ? parts[0]! : `(print ${parts.join(' ')})`;
}

/** A readable remote-key prefix for a templated name: `{{ include "orders.fullname" . }}-db` -> `orders-db`. */
function remotePrefixOf(name: string): string {
  const plain = name.replace(/\{\{[\s\S]*?\}\}/g, (action) => /"([A-Za-z0-9_-]+)[."]/.exec(action)?.[1] ?? 'release');
  return plain.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'chart-secret';
}

/**
 * The chart-owned replacement, keeping the template's own (Helm-expression) name: a Helm-generated Secret for
 * admin-style credentials, otherwise a chart-owned ExternalSecret (the catalog's "Good" for F2).
 */
/**
 * Keys an outside party must know too (a webhook's shared secret, an API key, a registry token): a random value made
 * in the cluster would match nothing outside it.
 */
function sharedWithOutside(key: string): boolean {
  const w = words(key);
  if (w.includes('webhook') || w.includes('webhooks')) return true;
  const cls = credentialClass(key);
  return cls === 'api-key' || cls === 'registry';
}

/**
 * A Helm-generated Secret for the keys the cluster can make up, and for keys shared with an outside party an
 * ExternalSecret that merges them into it (creationPolicy: Merge).
 */
function mixedGeneratedReplacement(project: Project, target: { name: string; namespace?: string; keys: string[] }, remotePrefix: string): Replacement {
  const shared = target.keys.filter((key) => !key.includes('{{') && sharedWithOutside(key));
  const own = target.keys.filter((key) => !shared.includes(key));
  if (shared.length === 0 || own.every((key) => key.includes('{{'))) return helmGeneratedSecretReplacement(target);
  const generated = helmGeneratedSecretReplacement({ ...target, keys: own });
  const merged = externalSecretReplacement(project, { ...target, keys: shared }, remotePrefix, 'Merge');
  return {
    ...generated,
    title: `${generated.title}; ${shared.join(', ')} merged in from the store`,
    snippet: `${generated.snippet}---\n# ${shared.join(', ')}: shared with a party outside the cluster, so read from the store into the same Secret.\n${merged.snippet}`,
  };
}

/** The replacement for a chart Secret, keeping its (Helm-expression) name: Helm-generated for cluster-made values, else an ExternalSecret. */
export function chartReplacement(project: Project, target: { name: string; namespace?: string; keys: string[] }, generated: boolean): Replacement {
  const templated = target.name.includes('{{');
  const sentinel = { ...target, name: templated ? NAME_SENTINEL : target.name, namespace: undefined };
  const base = generated ? mixedGeneratedReplacement(project, sentinel, remotePrefixOf(target.name)) : externalSecretReplacement(project, sentinel, remotePrefixOf(target.name));
  if (!templated) return base;
  const snippet = base.snippet.replace(`"${NAME_SENTINEL}"`, helmNameExpression(target.name)).replaceAll(NAME_SENTINEL, target.name);
  return { ...base, title: base.title.replaceAll(NAME_SENTINEL, target.name), snippet };
}

/**
 * Keys for messages: a key a `range` writes (`{{ $key }}`) or a block rendered whole (`{{ toYaml . | nindent 2 }}`,
 * `common.tplvalues.render`) is every key of the map it reads; a key name a template computes stays as written.
 */
function shownKeys(keys: readonly string[]): string[] {
  const whole = (k: string) => /^\{\{-?\s*\$\w+\s*-?\}\}$/.test(k) || /\{\{[^}]*(?:toYaml|tplvalues\.render|\|\s*nindent)/.test(k);
  return [...new Set(keys.map((k) => (whole(k) ? 'every key of the map' : k)))];
}

export const chartOwnedInlineSecretTemplate = createRule(
  {
    id: 'chart-owned-inline-secret-template',
    family: 'helm',
    defaultSeverity: 'high',
    description: 'A first-party Helm chart renders a Secret from credential values or from files committed in the chart (or a values toggle switches that on, or values put a literal credential into a config file it renders into a Secret)',
    why:
      'A chart that turns `.Values.*password*` into a Secret makes values files the place credentials live: every environment overlay ' +
      'then carries (or is one edit away from carrying) a literal credential, and nothing rotates it. Charts must require ' +
      '`existingSecret` or ship their own ExternalSecret; `createSecret`-style toggles stay off. Severity: high for a key fed only ' +
      'from values; medium when every values-fed key falls back to Helm generation (lookup/randAlphaNum) AND the Secret is only ' +
      'rendered when no existingSecret is given, because then the default install is already the allowed pattern and values are an ' +
      'override. A Secret whose keys are only generated (lookup + randAlphaNum, generate/manage helpers) is silent. A config file ' +
      'rendered whole from values (`config.yaml: {{ toYaml .Values.secretConfig | b64enc }}`) is reported on the values line that ' +
      "puts a literal credential into it; while empty by default, it is the chart's extension point.",
    allowed:
      'Helm-generated Secrets (`lookup` + `randAlphaNum`, preserved on upgrade), templates that only `lookup`, charts that ' +
      '`required` an existingSecret, chart-owned ExternalSecrets, Secrets with non-credential data (certificates, scripts, ' +
      'chart files rendered through `tpl`), toggles set to false.',
    remediation:
      'Delete the values-fed Secret template (or switch its toggle off), require `existingSecret`, and materialise the Secret from ' +
      'its authority: an ExternalSecret for external credentials, Helm lookup+randAlphaNum or the operator for cluster-managed ones.',
  },
  (context) => {
    const { project, config } = context;
    const classifier = new OriginClassifier(config);
    const extra = config.credentialNames;
    context.each(
      project.resources.filter((r) => r.kind === 'Secret' && r.source === 'template' && !r.parsed.file.isTest),
      (r) => r.file,
      (resource) => {
        const fed = valuesFedKeys(resource, extra);
        if (fed.length === 0) return;
        const guarded = guardedByExistingSecret(enclosingConditions(resource.helm, resource.line));
        const valuesOnly = fed.filter((k) => !k.fallback);
        const severity: Severity = valuesOnly.length === 0 && guarded ? 'medium' : 'high';
        const first = fed.reduce((a, b) => (b.line < a.line ? b : a));
        const keys = [...new Set(fed.map((k) => k.key))];
        const paths = [...new Set(fed.flatMap((k) => k.paths))];
        const files = [...new Set(fed.flatMap((k) => k.files ?? []))].sort();
        const sources = [...paths.map((p) => (p.startsWith(CALLER) ? `${p.slice(CALLER.length)} (the include's argument)` : `.Values${p}`)), ...files];
        const from = paths.length === 0 ? 'chart files' : files.length === 0 ? 'values' : 'values and chart files';
        const origin = classifier.classify({ name: resource.name, keys, kind: 'Secret', file: resource.file, helmGenerated: valuesOnly.length === 0 });
        const target = { name: resource.name, namespace: resource.namespace, keys };
        const replacement = chartReplacement(project, target, origin === 'cluster-helm');
        context.report({
          file: resource.parsed.file,
          line: first.line,
          column: first.column,
          endLine: Math.max(...fed.map((k) => k.line)),
          message:
            `Chart template renders Secret ${resource.name} from ${from} (${shownKeys(keys).join(', ')} <- ${sources.join(', ')})` +
            (severity === 'medium' ? '; only without existingSecret and with a generated fallback' : ''),
          location: resourceLocation(resource, `values-fed:${keys.slice().sort().join(',')}`),
          keys: [...keys, ...sources],
          severity,
          origin,
          resource: resourceRef(resource),
          replacement,
        });
      },
    );

    context.each(
      project.valuesFiles.filter((f) => !f.file.isTest),
      (f) => f.file.path,
      (file) => {
        const skip = valuesEmbeddedPaths(project, file.file.path);
        const chartRoot = chartRootOfValues(file, project);
        for (const doc of file.model.docs) {
          walkFrames(doc.root, (frame) => {
            const { node, entry } = frame;
            if (skip.size > 0 && skip.has(keyPath(frame).join('.'))) return false;
            // secretToggle needs a `true` scalar: test that before the path is spelled out.
            if (!entry || !isScalar(node) || node.value !== true) return undefined;
            const path = keyPath(frame);
            if (!secretToggle(path.slice(0, -1), entry)) return undefined;
            const valuesPath = path.join('.');
            const correlated = secretTemplatesGuardedBy(project, valuesPath, chartRoot);
            if (correlated.templates.length > 0 && !correlated.offending) return undefined;
            // `if and .Values.backups.enabled .Values.backups.secret.create` with `backups.enabled: false` beside the
            // toggle: these values render no Secret, whatever the toggle says.
            if (correlated.templates.length > 0 && switchedOffBy(correlated.templates, valuesPath, doc.root, chartRoot === undefined || file.file.path.endsWith('/values.yaml') ? undefined : chartDefaults(project, chartRoot), extra)) return undefined;
            // The chart is in the tree and no Secret template of it reads the toggle (crds.createPushSecret renders a
            // CRD): the name alone says nothing.
            if (correlated.templates.length === 0 && chartRoot !== undefined && templatesByChart(project).has(chartRoot)) return undefined;
            const owner = path.slice(0, -1).join('.') || valuesPath;
            context.report({
              file: file.file,
              line: entry.line,
              column: entry.column,
              message: `Values toggle ${valuesPath}: true makes the chart render a Secret from values` + (correlated.templates.length ? ` (${correlated.templates[0]!.file})` : ''),
              location: `values:.${valuesPath}`,
              keys: [valuesPath],
              origin: classifier.classify({ name: owner, keys: [entry.key], file: file.file.path }),
              replacement: chartReplacement(
                project,
                {
                  name: correlated.templates[0]?.name ?? owner.split('.').pop() ?? 'app-secret',
                  keys: correlated.templates[0] ? [...new Set(valuesFedKeys(correlated.templates[0], extra).map((k) => k.key))] : [],
                },
                false,
              ),
              remediation: `Set ${valuesPath} to false, point the chart at an existingSecret and materialise that Secret from its authority (ExternalSecret or Helm-generated).`,
            });
            return undefined;
          });
        }
      },
    );

    // Values that fill a Secret's config-file key with a literal credential (`secretConfig: {apiKey: …}` rendered by
    // `config.yaml: {{ toYaml .Values.secretConfig | b64enc }}`): an empty default is the chart's extension point.
    const renderedByChart = renderedPathsByChart(project, extra);
    if (renderedByChart.size === 0) return;
    context.each(
      project.valuesFiles.filter((f) => !f.file.isTest),
      (f) => f.file.path,
      (file) => {
        const chart = owningChart(project, file.file.path);
        const rendered = renderedByChart.get(chart ?? '');
        if (!rendered) return;
        for (const doc of file.model.docs) {
          for (const [path, target] of rendered) {
            const entry = entryAt(doc.root, path);
            if (!entry) continue;
            const credentials = literalCredentialsIn(entry, config);
            if (credentials.length === 0) continue;
            const keys = [...new Set(credentials.map((c) => c.key))];
            const { resource } = target;
            context.report({
              file: file.file,
              line: credentials[0]!.line,
              column: credentials[0]!.column,
              endLine: credentials[credentials.length - 1]!.line,
              message: `Values .Values${path} hold a literal credential (${keys.join(', ')}) that ${resource.file} renders into Secret ${resource.name} (${target.key})`,
              location: `values:${path}#rendered-into-secret`,
              keys: [...keys, `.Values${path}`],
              // The paths that hold them say what they are too (`settings.database.password`).
              origin: classifier.classify({ name: resource.name, keys: [...keys, ...credentials.map((c) => `${path}${c.path.startsWith('.') ? c.path : ''}`)], kind: 'Secret', file: file.file.path }),
              replacement: chartReplacement(project, { name: resource.name, namespace: resource.namespace, keys: [target.key] }, false),
              remediation: `Take the credential out of .Values${path} (keep only settings there) and materialise Secret ${resource.name} from its authority: an ExternalSecret for external credentials, or point the chart at an existingSecret.`,
            });
          }
        }
      },
    );
  },
);
