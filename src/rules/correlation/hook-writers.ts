/**
 * Hook Jobs that write secrets: the sync phase an Argo CD or Helm hook annotation puts a Job in, and what the Job's
 * scripts write (Kubernetes Secrets through kubectl or a client library, Vault keys, Azure Key Vault secrets, the
 * Keycloak client-patcher's Vault keys), with names resolved through the container's env, the script's own
 * assignments and the chart's values. Used by client-patcher-postsync-hook.
 */
import path from 'node:path';
import { scriptActions, secretNamesInManifest } from '../../analyzers/tests/imperative.js';
import { parseFlags, tool, unwrap } from '../../analyzers/tests/commands.js';
import type { HelmControlAction } from '../../analyzers/yaml.js';
import type { K8sResource } from '../../k8s/resources.js';
import { words } from '../../k8s/vocabulary.js';
import { parseShell } from '../../shell/index.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import { get, getStr, isMap, isScalar, seqItems, walkFrames, type PNode } from '../../yaml/model.js';
import { containerLists } from '../k8s/workload-env-literal-credential.js';
import { isTemplated, resolveScalar } from './common.js';
import { normaliseTemplate, umbrellaChart, valuesApp } from './db-consumers.js';

export type HookPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'PostDelete' | 'Skip' | 'test' | 'other';

export interface HookInfo {
  /** The phases the Job runs in, as Argo CD sees them (Helm hooks mapped: pre-* to PreSync, post-* to PostSync). */
  phases: HookPhase[];
  /** The annotation that decides: `argocd.argoproj.io/hook: PostSync`, `helm.sh/hook: post-install,post-upgrade`. */
  annotation: string;
  line: number;
  column: number;
  /** The annotation comes from chart values rendered into the Job's metadata (`.Values.job.annotations`). */
  valuesPath?: string;
}

const ARGO_HOOK = 'argocd.argoproj.io/hook';
const HELM_HOOK = 'helm.sh/hook';

function helmPhase(value: string): HookPhase {
  const v = value.trim().toLowerCase();
  if (v === 'pre-install' || v === 'pre-upgrade') return 'PreSync';
  if (v === 'post-install' || v === 'post-upgrade') return 'PostSync';
  if (v === 'post-delete' || v === 'pre-delete') return 'PostDelete';
  if (v === 'test' || v === 'test-success' || v === 'test-failure') return 'test';
  return 'other';
}

function argoPhase(value: string): HookPhase {
  const v = value.trim();
  return (['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PostDelete', 'Skip'] as const).find((p) => p === v) ?? 'other';
}

interface AnnotationSource {
  map: PNode;
  valuesPath?: string;
  line?: number;
  column?: number;
}

/** Annotations written in the object, and those a template renders into its metadata from chart values. */
function annotationSources(project: Project, resource: K8sResource): AnnotationSource[] {
  const out: AnnotationSource[] = [];
  const own = get(resource.node, 'metadata.annotations');
  if (isMap(own)) out.push({ map: own });
  const helm = resource.helm;
  if (resource.source !== 'template' || !helm?.blocks?.length) return out;
  // `{{- toYaml .Values.job.annotations | nindent 4 }}` between the object's start and its spec.
  const spec = resource.node.entries.find((e) => e.key === 'spec');
  const end = spec ? spec.line : resource.node.endLine;
  for (const block of helm.blocks) {
    if (block.line <= resource.line || block.line >= end) continue;
    // `$annotations := include "common.tplvalues.merge" (dict "values" (list .Values.job.annotations …))`: what it was set from.
    const exprs = [block.expr, ...[...block.expr.matchAll(/\$[A-Za-z_]\w*/g)].flatMap((m) => helm.variables[m[0]] ?? [])];
    const paths = exprs.flatMap((x) => [...x.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)].map((m) => m[1]!));
    // `{{- with .Values.job.annotations }} … {{- toYaml . | nindent 4 }}`: the dot is what the enclosing `with` reads.
    if (paths.length === 0) paths.push(...enclosingWith(helm.controls ?? [], block.line));
    for (const at of paths) {
      // Between the object's start and its spec, any annotations map is the object's (`annotations`, `jobAnnotations`).
      if (!/annotations$/i.test(at.split('.').at(-1) ?? '')) continue;
      const root = project.chartDefaults(helm.chartRoot)?.docs[0]?.root;
      const map = get(root, at);
      if (isMap(map)) out.push({ map, valuesPath: at, line: block.line, column: 1 });
    }
  }
  return out;
}

/** The `.Values` paths of the innermost `with` open at LINE. */
function enclosingWith(controls: readonly HelmControlAction[], line: number): string[] {
  const open: HelmControlAction[] = [];
  for (const c of controls) {
    if (c.line >= line) break;
    if (c.keyword === 'end') open.pop();
    else if (c.keyword === 'if' || c.keyword === 'with' || c.keyword === 'range' || c.keyword === 'block') open.push(c);
  }
  const w = [...open].reverse().find((c) => c.keyword === 'with');
  return (w?.valuesRefs ?? []).map((r) => r.replace(/^\./, ''));
}

/** The hook a Job's annotations make it; undefined for an ordinary resource of the Sync phase. */
export function hookOf(project: Project, resource: K8sResource): HookInfo | undefined {
  let argo: HookInfo | undefined;
  let helm: HookInfo | undefined;
  for (const source of annotationSources(project, resource)) {
    if (!isMap(source.map)) continue;
    for (const e of source.map.entries) {
      if (!isScalar(e.value) || e.value.value === null || e.value.value === undefined) continue;
      const raw = String(e.value.value);
      const value = resolveScalar(project, resource, raw);
      const at = source.line !== undefined ? { line: source.line, column: source.column ?? 1 } : { line: e.line, column: e.column };
      const where = source.valuesPath ? { valuesPath: source.valuesPath } : {};
      if (value === undefined || isTemplated(value)) continue;
      const list = value.split(',').map((v) => v.trim()).filter(Boolean);
      if (e.key === ARGO_HOOK && !argo) argo = { phases: list.map(argoPhase), annotation: `${ARGO_HOOK}: ${list.join(',')}`, ...at, ...where };
      else if (e.key === HELM_HOOK && !helm) helm = { phases: list.map(helmPhase), annotation: `${HELM_HOOK}: ${list.join(',')}`, ...at, ...where };
    }
  }
  // Argo CD's own annotation wins over the Helm one it would otherwise map.
  return argo ?? helm;
}

/** Is the object a hook of any phase (Argo CD or Helm)? Hooks are not what Argo CD waits on before PostSync. */
export function isHook(project: Project, resource: K8sResource): boolean {
  return hookOf(project, resource) !== undefined;
}

export type WriteTarget = 'secret' | 'vault' | 'azure-kv';

export interface SecretWrite {
  target: WriteTarget;
  /** Secret name, Vault path or Key Vault secret name, resolved as far as the tree allows (template text normalised). */
  name?: string;
  /** What does it: `kubectl create secret generic`, `vault kv put`, `az keyvault secret set`, `create_namespaced_secret`. */
  form: string;
  line: number;
  /** `kubectl -n NS`: the namespace a Secret is written to, when the command names one that resolves. */
  namespace?: string;
  /** For the Keycloak client-patcher: the keys are the client secrets it extracts (matched by name when unlisted). */
  clientSecrets?: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh']);

interface Script {
  text: string;
  line: number;
}

function scalarText(node: PNode | null | undefined): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined && typeof node.value !== 'object' ? String(node.value) : undefined;
}

function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Where a scalar's text starts: the line after a block indicator, the scalar's own line otherwise. */
function textLine(node: PNode): number {
  return isScalar(node) && node.style === 'block' ? node.line + 1 : node.line;
}

/** A container's script(s): the `-c` argument of a shell, or its command line quoted back into shell. */
function containerScripts(container: PNode): Script[] {
  const nodes: PNode[] = [];
  for (const field of ['command', 'args']) {
    const node = get(container, field);
    if (isScalar(node)) nodes.push(node);
    else nodes.push(...seqItems(node).filter(isScalar));
  }
  // Argo Workflows `script:` templates keep the script in `source`.
  const source = get(container, 'source');
  if (isScalar(source) && scalarText(source)) return [{ text: scalarText(source)!, line: textLine(source) }];
  const argv = nodes.map((n) => scalarText(n) ?? '');
  if (argv.length === 0) return [];
  // `sh -ec SCRIPT`, `python3 -c CODE`, `node -e CODE`: the inline program.
  const shell = SHELLS.has(tool(argv[0]));
  const c = argv.findIndex((w, i) => i > 0 && (shell ? /^-[a-z]*c[a-z]*$/.test(w) : /^-[ce]$/.test(w)));
  if (c > 0 && argv[c + 1] !== undefined) {
    return argv.slice(c + 1, c + 2).map((text, i) => ({ text, line: textLine(nodes[c + 1 + i]!) }));
  }
  // A single string command (`command: "kubectl create secret …"`) or an argv list: one command line.
  return [{ text: argv.length === 1 ? argv[0]! : argv.map(quote).join(' '), line: nodes[0]!.line }];
}

/** Script-looking data of the ConfigMaps a pod mounts (the scripts a Job runs from a ConfigMap of its chart). */
function mountedScripts(project: Project, resource: K8sResource, spec: PNode | undefined, app: string): Script[] {
  const names = new Set(seqItems(get(spec, 'volumes')).flatMap((v) => {
    const n = getStr(v, 'configMap.name');
    return n ? [nameKey(n), nameKey(resolveScalar(project, resource, n) ?? n)] : [];
  }));
  if (names.size === 0) return [];
  const byName = memoFor(project, 'hook-writers:configmaps', '', () => {
    const index = new Map<string, K8sResource[]>();
    for (const cm of project.resourcesOfKind('ConfigMap')) {
      const key = nameKey(cm.name);
      index.set(key, [...(index.get(key) ?? []), cm]);
    }
    return index;
  });
  const out: Script[] = [];
  for (const cm of [...names].flatMap((n) => byName.get(n) ?? [])) {
    if (appOf(project, cm) !== app) continue;
    const data = get(cm.node, 'data');
    if (!isMap(data)) continue;
    for (const e of data.entries) {
      const text = scalarText(e.value);
      if (text && e.value && (/\.(sh|bash|py)$/i.test(e.key) || /^#!/.test(text))) out.push({ text, line: textLine(e.value) });
    }
  }
  return out;
}

/** A name as an index key: template text in one spelling. */
function nameKey(name: string): string {
  return isTemplated(name) ? normaliseTemplate(name) : name;
}

function podSpec(resource: K8sResource): PNode | undefined {
  for (const p of ['spec.template.spec', 'spec.jobTemplate.spec.template.spec', 'spec']) {
    const node = get(resource.node, p);
    if (isMap(node) && get(node, 'containers')) return node;
  }
  return undefined;
}

/** `{{ … }}` actions replaced by shell-safe tokens, to be put back after parsing. */
function protectTemplates(text: string): { text: string; actions: string[] } {
  const actions: string[] = [];
  // One-line actions only: a token standing for several lines would move every later line.
  const out = text.replace(/\{\{.*?\}\}/g, (m) => {
    actions.push(m);
    return `__FPHOOK${actions.length - 1}__`;
  });
  return { text: out, actions };
}

const PYTHON_SECRET_WRITE = /\b(create|patch|replace)_namespaced_secret\b|\b(create|patch|replace)NamespacedSecret\b/g;
const HVAC_WRITE = /\.kv\.(?:v[12]\.)?create_or_update_secret\s*\(|\.kv\.(?:v[12]\.)?patch\s*\(/g;

/** The Kubernetes Secrets, Vault keys and Key Vault secrets a hook Job's containers write. */
export function secretWrites(project: Project, resource: K8sResource): SecretWrite[] {
  const spec = podSpec(resource);
  const app = appOf(project, resource);
  const out: SecretWrite[] = [];
  for (const { containers } of containerLists(resource)) {
    for (const container of containers) {
      if (!isMap(container)) continue;
      const env = new Map<string, string>();
      for (const item of seqItems(get(container, 'env'))) {
        const name = getStr(item, 'name');
        const value = scalarText(get(item, 'value'));
        if (name && value !== undefined) env.set(name, resolveScalar(project, resource, value) ?? normaliseTemplate(value));
      }
      const scripts = [...containerScripts(container), ...mountedScripts(project, resource, spec, app)];
      for (const script of scripts) out.push(...writesOfScript(project, resource, script, env));
      if (!out.some((w) => w.target === 'vault') && isClientPatcher(project, container, resource)) {
        out.push({ target: 'vault', form: 'Keycloak client-patcher', line: getStr(container, 'name') ? (get(container, 'name')?.line ?? resource.line) : resource.line, clientSecrets: true });
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((w) => {
    const k = `${w.target}\0${w.name ?? ''}\0${w.line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What a script must say to write a secret in one of the ways read below: a cheap test before parsing it. */
const WRITE_HINT = /\b(?:kubectl|oc)\b[\s\S]*\b(?:secrets?|apply|replace)\b|\bvault\b[^\n]*\b(?:put|patch|write)\b|\baz\b[^\n]*\bkeyvault\b|\/v1\/|namespaced_?secret|create_or_update_secret|\.kv\.(?:v[12]\.)?patch/i;

function writesOfScript(project: Project, resource: K8sResource, script: Script, env: Map<string, string>): SecretWrite[] {
  if (!WRITE_HINT.test(script.text)) return [];
  const { text, actions: templates } = protectTemplates(script.text);
  const vars = new Map(env);
  const parsed = parseShell(text);
  for (const c of parsed.commands) {
    for (const a of c.assignments) if (a.value?.static && !vars.has(a.name)) vars.set(a.name, a.value.value);
  }
  // A name as written (shell variables, template tokens or `{{ }}` text): known variables and values put in.
  const resolve = (written: string | undefined): string | undefined => {
    if (!written) return undefined;
    let s = written.replace(/__FPHOOK(\d+)__/g, (_, i: string) => templates[Number(i)]!);
    s = s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? m);
    s = s.replace(/\{\{.*?\}\}/gs, (action) => {
      const r = resolveScalar(project, resource, action);
      return r && !isTemplated(r) ? r : action;
    });
    if (/\$|`/.test(s.replace(/\{\{.*?\}\}/gs, ''))) return undefined;
    return isTemplated(s) ? normaliseTemplate(s) : s;
  };
  const out: SecretWrite[] = [];
  for (const action of scriptActions(text, script.line)) {
    if (action.action === 'secret-update') {
      const names = [...action.written, ...(action.manifestNames ?? [])];
      const form = action.secretType ? `kubectl create secret ${action.secretType}` : action.manifestNames ? 'kubectl apply of a Secret manifest' : 'kubectl (Secret write)';
      if (names.length === 0) out.push({ target: 'secret', form, line: action.line });
      const namespace = resolve(action.namespace);
      for (const n of names) out.push({ target: 'secret', ...optional('name', resolve(n)), ...optional('namespace', namespace), form, line: action.line });
    } else if (action.action === 'vault-kv-write') {
      out.push({ target: 'vault', ...optional('name', resolve(action.written[0])), form: action.form ?? 'vault kv put', line: action.line });
    }
  }
  for (const c of parsed.commands) {
    if (c.words.length === 0) continue;
    const argv = unwrap(c.words.map((w) => w.value));
    const name = tool(argv[0]);
    const line = script.line + c.line - 1;
    if (name === 'az') {
      const p = parseFlags(argv.slice(1), new Set(['--vault-name', '--name', '-n', '--value', '--file', '-f', '--subscription', '--encoding', '--id']));
      if (p.positional[0] === 'keyvault' && p.positional[1] === 'secret' && p.positional[2] === 'set') {
        const n = p.flags.find((f) => f.name === '--name' || f.name === '-n')?.value;
        out.push({ target: 'azure-kv', ...optional('name', resolve(n)), form: 'az keyvault secret set', line });
      }
    } else if (name === 'curl' || name === 'wget') {
      const vault = vaultApiWrite(argv);
      if (vault !== undefined) out.push({ target: 'vault', ...optional('name', resolve(vault)), form: `${name} to the Vault API`, line });
    }
  }
  // A client library call in an inline script (Python's kubernetes client, hvac): names when the call spells them.
  for (const m of script.text.matchAll(PYTHON_SECRET_WRITE)) {
    const line = script.line + lineOf(script.text, m.index);
    const call = script.text.slice(Math.max(0, m.index - 600), m.index + 600);
    const n = /V1ObjectMeta\s*\(\s*name\s*=\s*["']([^"']+)["']/.exec(call)?.[1] ?? /\bname\s*[=:]\s*["']([^"']+)["']/.exec(call)?.[1];
    out.push({ target: 'secret', ...optional('name', resolve(n)), form: m[0], line });
  }
  for (const m of script.text.matchAll(HVAC_WRITE)) {
    const line = script.line + lineOf(script.text, m.index);
    const n = /\bpath\s*=\s*["']([^"']+)["']/.exec(script.text.slice(m.index, m.index + 400))?.[1];
    out.push({ target: 'vault', ...optional('name', resolve(n)), form: 'hvac kv write', line });
  }
  return out;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function lineOf(text: string, index: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** `curl -X POST -H "X-Vault-Token: …" $VAULT_ADDR/v1/secret/data/x -d …`: the path written. */
function vaultApiWrite(argv: string[]): string | undefined {
  const method = argv.find((w, i) => i > 0 && /^(-X|--request)$/.test(argv[i - 1]!) ) ?? argv.find((w) => /^(-X|--request=)(POST|PUT|PATCH)$/i.test(w))?.replace(/^(-X|--request=)/, '');
  const data = argv.some((w) => /^(-d|--data|--data-raw|--data-binary|--json|--post-data|--body-data)(=|$)/.test(w));
  const writes = (method !== undefined && /^(POST|PUT|PATCH)$/i.test(method)) || data;
  if (!writes) return undefined;
  const vaultish = argv.some((w) => /VAULT|X-Vault-Token/i.test(w));
  for (const w of argv) {
    const m = /\/v1\/((?:secrets?|kv[\w-]*)\/.+?)(?:[?#].*)?$/.exec(w);
    if (m && (vaultish || /vault/i.test(w))) return m[1]!;
  }
  return undefined;
}

const EXTRACT_WORDS = new Set(['extract', 'extractor', 'extraction', 'extracts']);

/**
 * A Keycloak client-patcher: a container wired to Keycloak and Vault whose name, args or env say it extracts client
 * secrets, or whose chart values list the Vault keys it writes (`vaultKey:`). A job that only reads Vault to set
 * Keycloak's clients says neither.
 */
function isClientPatcher(project: Project, container: PNode, resource: K8sResource): boolean {
  const envNames = seqItems(get(container, 'env')).map((i) => getStr(i, 'name') ?? '');
  const argText = ['command', 'args'].flatMap((f) => {
    const n = get(container, f);
    return isScalar(n) ? [scalarText(n) ?? ''] : seqItems(n).map((x) => scalarText(x) ?? '');
  });
  const image = getStr(container, 'image') ?? '';
  const vault = envNames.some((n) => /^VAULT_/.test(n));
  const keycloak = envNames.some((n) => /^(KEYCLOAK|KC)_/.test(n)) || /keycloak/i.test(image);
  if (!vault || !keycloak) return false;
  const said = [resource.name, getStr(container, 'name') ?? '', image, ...envNames, ...argText].flatMap((t) => words(t.replace(/\{\{.*?\}\}/g, ' ')));
  return said.some((w) => EXTRACT_WORDS.has(w)) || valuesVaultKeys(project, resource).length > 0;
}

/** The unit Argo CD syncs an object with: its (umbrella) chart, the values file's app, else its kustomization or folder. */
export function appOf(project: Project, resource: K8sResource): string {
  if (resource.source === 'template' && resource.helm) return `chart ${umbrellaChart(project, resource.helm.chartRoot)}`;
  if (resource.source === 'values') return `values ${valuesApp(resource.file)}`;
  let dir = path.posix.dirname(resource.file);
  for (let d = dir; ; d = path.posix.dirname(d)) {
    const prefix = d === '.' ? '' : `${d}/`;
    if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((k) => project.yamlFileIndex(`${prefix}${k}`) >= 0)) {
      dir = d;
      break;
    }
    if (d === '.' || d === '/' || d === '') break;
  }
  return `dir ${dir}`;
}

/** `vaultKey:` entries of a chart's values: the keys a client-patcher writes (`secretExtraction.clients[].vaultKey`). */
export function valuesVaultKeys(project: Project, resource: K8sResource): string[] {
  if (!resource.helm) return [];
  const root = project.chartDefaults(resource.helm.chartRoot)?.docs[0]?.root;
  const out: string[] = [];
  walkFrames(root, (v) => {
    if (v.key && /^vault[-_]?(key|path)$/i.test(v.key)) {
      const t = scalarText(v.node);
      if (t && !isTemplated(t)) out.push(t);
    }
  });
  return out;
}
