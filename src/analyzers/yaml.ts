import { appConfigFormat } from './app-config.js';
import { preprocessHelmTemplate, restorePlaceholders, type HelmDefine, type HelmFrontEnd } from './helm/gotemplate.js';
import type { Analyzer, AnalyzerContext, FileContext } from './types.js';
import { parseYaml, YAML_PARSE_DEPTH_LIMIT, type ParsedYaml, type ParseYamlOptions, type YamlDoc } from '../yaml/parse.js';
import { basename, segments } from '../util/path.js';
import { blankCrdBodies } from '../yaml/crd.js';
import { compactPlain, intern } from './compact.js';
import type { PNode } from '../yaml/model.js';

export type YamlRole = 'template' | 'values' | 'manifest';

export interface HelmControlAction {
  line: number;
  keyword: string;
  expr: string;
  valuesRefs: string[];
  templates: string[];
}

/**
 * What the Go-template front end found in a template, as far as rules read it. Value actions themselves are not
 * kept (no rule read them; at 100k files they were 6% of a scan's memory): their text stays in the YAML scalars.
 */
export interface HelmInfo {
  /** Chart folder (parent of templates/). */
  chartRoot: string;
  variables: Record<string, string[]>;
  /** Control actions outside define bodies (if/else/with/range/end), in order: what guards which lines. */
  controls?: HelmControlAction[];
  usesLookup: boolean;
  usesRandom: boolean;
  /**
   * Block injections outside define bodies that render values or the dot (`{{- toYaml .Values.secrets | nindent 2 }}`,
   * `toYaml .` under a `with`): a whole map of the output comes from them, where the YAML text keeps a blank line.
   */
  blocks?: HelmBlockAction[];
  /** The named templates (`{{ define "x" }}`) of the file: what an `include "x"` elsewhere renders from. */
  defines?: Record<string, NamedTemplate>;
}

/** What a named template's body reads and does, as far as the values a caller renders through it go. */
export interface NamedTemplate {
  /** `.Values` paths its actions read (`.Values.x`, `$.Values.x`, `.root.Values.x`). */
  valuesRefs: string[];
  /** It generates or looks up a value: randAlphaNum-family functions, `lookup`. */
  generated: boolean;
  /** The named templates it includes in turn. */
  includes: string[];
  /** The kinds its body's own `lookup` calls read (`Secret`, `ConfigMap`; `*` when the kind is not a literal): it renders live objects. */
  lookupKinds?: string[];
  /** The entries it writes when its output is a map (`password: {{ … }}` lines): see writtenKeys. */
  keys?: WrittenKey[];
  /**
   * A define whose whole body is `{{- if COND -}} true {{- end -}}` (a `*.createSecret` helper) renders text exactly
   * when COND holds: the expression, for an `if include "x.createSecret" .` guard to be decided by (see renderCondition).
   */
  condition?: string;
  /** A define whose body is one `if` around literal text, with or without an `else`: see DefineOutput. */
  output?: DefineOutput;
}

/**
 * The exact text a define renders either way when its body is `{{ if COND }}true{{ else }}false{{ end }}` (text and
 * literal actions only, whitespace trimmed as the actions' `-` markers say): for `eq (include "x.enabled" .) "true"`.
 */
export interface DefineOutput {
  condition: string;
  then: string;
  else: string;
}

/**
 * A top-level entry a define writes: its key (as written, `{{ $k }}` too) and, when the value renders something, the
 * value's actions (`{{ .Values.pw | b64enc }}`; for a block scalar, the actions of its lines). A line that is one value
 * action (`{{ include "x.more" . }}`, `{{ toYaml .Values.extra }}`) writes entries nobody names here: key ''.
 */
export interface WrittenKey {
  key: string;
  value?: string;
  block?: true;
}

export interface HelmBlockAction {
  line: number;
  expr: string;
}

export interface YamlFileModel {
  role: YamlRole;
  docs: YamlDoc[];
  helm?: HelmInfo;
}

// Helmfile renders `*.yaml.gotmpl` through Go templates before reading it as YAML; `*.yaml.template`, `.tmpl`, `.tpl`
// and `.j2` are manifests an envsubst, gomplate or Ansible step renders; `.tftpl` what Terraform's templatefile() renders.
const YAML_EXT = /\.ya?ml(\.gotmpl|\.template|\.tmpl|\.tpl|\.j2|\.tftpl)?$/i;
/** A Terraform template named for Helm values without a YAML extension: `vault.values.tftpl`, `values.tftpl`. */
const VALUES_TFTPL = /(^|[/._-])values([._-][^/]*)?\.tftpl$/i;
/**
 * Helm renders every file in a chart's templates/ but NOTES.txt and the partials (`_*`): a `secret.yaml.tpl` or a
 * `configmap.json` there is a manifest template too.
 */
const RENDERED_TEMPLATE = /(^|\/)templates\/(?:[^/]+\/)*[^_/][^/]*\.(tpl|json)$/i;
/**
 * A partial (`_helpers.tpl`): Helm renders nothing of it, but other templates include its named templates, and a named
 * template may be a whole object.
 */
const PARTIAL_TEMPLATE = /(^|\/)templates\/(?:[^/]+\/)*_[^/]*\.tpl$/i;
/** JSON is YAML: `kubectl apply -f` takes a JSON object, and generators (jsonnet, cdk8s) write them. */
const JSON_EXT = /\.json$/i;
/** A Kubernetes object (or List) in JSON opens with its apiVersion or kind, as kubectl and generators write it. */
const JSON_OBJECT_START = /^\uFEFF?\s*\{\s*"(?:apiVersion|kind)"\s*:/;
/** A Keycloak realm export (`{"id": …, "realm": "shop", …}`): its clients and users are judged like a manifest's. */
const JSON_CREDENTIAL_STRING = /"[A-Za-z0-9_.-]*(?:password|passwd|secret|token|auth|api[_-]?key)"\s*:\s*"[^"]/i;
const JSON_CONFIG_LIMIT = 64 * 1024;

/** Strict JSON only: JSONC (devcontainer.json, tsconfig.json with comments) is not what the YAML reader can take. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
}
const REALM_EXPORT_START = /^\uFEFF?\s*\{[^]{0,2000}?"realm"\s*:\s*"/;
/** A manifest template: a top-level apiVersion or kind line (a Terraform or Go `.tpl` elsewhere has none). */
const MANIFEST_LINE = /^(?:apiVersion|kind)\s*:/m;
/** A line that is one Jinja tag (`{% if x %}`) or one Terraform template directive (`%{ if x ~}`, `%{ endfor }`). */
const JINJA_TAG_LINE = /^[ \t]*(?:\{%-?[^\n]*?-?%\}|%\{[^\n]*?\})[ \t]*$/m;
const JINJA_TAG_LINES = new RegExp(JINJA_TAG_LINE.source, 'gm');
/**
 * What a block may render from values besides a `.Values` path: the dot itself (`toYaml .`, `(toYaml .)`) or a field of
 * it (`toYaml .data`) under a `with` or `range` over values, or a variable (`toYaml $data`) assigned from them.
 */
const DOT_OR_VARIABLE_ARGUMENT = /(?:^|[\s(])(?:\.(?=$|[\s)|])|\.(?!(?:Values|Release|Chart|Capabilities|Files|Template)\b)[A-Za-z_]|\$[A-Za-z_])/;
const RANDOM_FUNCTIONS = new Set(['randAlphaNum', 'randAlpha', 'randAscii', 'randNumeric', 'randBytes', 'uuidv4', 'genPrivateKey', 'derivePassword']);

export function yamlRole(path: string): YamlRole {
  const parts = segments(path);
  const dirs = parts.slice(0, -1);
  const file = basename(path);
  // What Terraform's templatefile() renders is no chart's template, wherever the module keeps it.
  if (dirs.includes('templates') && !/\.tftpl$/i.test(file)) return 'template';
  // Helmfile's *.yaml.gotmpl files outside a chart are values (release or environment values), except the helmfile
  // itself (helmfile.yaml.gotmpl): its releases and environments carry values blocks.
  if (/\.gotmpl$/i.test(file)) return /^helmfile([._-].*)?\.ya?ml\.gotmpl$/i.test(file) ? 'manifest' : 'values';
  if (/(^|[-_.])values([-_.]|$)/i.test(file) || dirs.some((d) => d.toLowerCase() === 'values')) return 'values';
  return 'manifest';
}

function chartRootOf(path: string): string {
  const parts = segments(path);
  const index = parts.lastIndexOf('templates');
  return parts.slice(0, Math.max(0, index)).join('/') || '.';
}

export const yamlAnalyzer: Analyzer<YamlFileModel> = {
  id: 'yaml',
  claims(file: FileContext) {
    // Kustomize also reads a kustomization from a file named `Kustomization`: YAML without an extension.
    return YAML_EXT.test(file.path) || VALUES_TFTPL.test(file.path) || basename(file.path) === 'Kustomization' || JSON_EXT.test(file.path) || RENDERED_TEMPLATE.test(file.path) || PARTIAL_TEMPLATE.test(file.path);
  },
  sniff(text, file) {
    if (YAML_EXT.test(file.path) || VALUES_TFTPL.test(file.path) || basename(file.path) === 'Kustomization') return true;
    if (RENDERED_TEMPLATE.test(file.path)) return MANIFEST_LINE.test(text) || JSON_OBJECT_START.test(text);
    if (PARTIAL_TEMPLATE.test(file.path)) return text.includes('define');
    // A JSON config holding a credential-named string (`"password": "…"`): what a Kustomize generator's `files:` entry
    // may read into a Secret or ConfigMap (config.json, a registry's .dockerconfigjson). Large JSON is data, not config.
    return JSON_OBJECT_START.test(text) || REALM_EXPORT_START.test(text) || (text.length <= JSON_CONFIG_LIMIT && /^\uFEFF?\s*\{/.test(text) && JSON_CREDENTIAL_STRING.test(text) && isJson(text));
  },
  parse(text, file, context) {
    const role = yamlRole(file.path);
    // Values files and manifests are data: `{{ }}` in them is text for `tpl`, unless plain YAML cannot read them.
    if (role !== 'template') {
      const plain = withoutJinjaTags(parseYaml(blankCrdBodies(text), { text: intern }), text, { text: intern });
      if (!plain.docs.some((d) => d.error) || !text.includes('{{')) return finish(plain, dataRole(role, file, plain), undefined, context);
    }
    const frontEnd = preprocessHelmTemplate(text);
    const helm = helmInfoOf(frontEnd, file.path, role === 'template');
    // Helm renders nothing of a partial (`_helpers.tpl`, `_secrets.yaml`) but its defines: the text around them is no
    // output, so neither YAML nor a stray `}}` in it matters.
    const partial = role === 'template' && basename(file.path).startsWith('_');
    // A stray `}}` is literal text to Helm (worth a warning); every other problem makes Helm refuse the template.
    const [warnings, errors] = partition(frontEnd.problems, (p) => p.message.startsWith('stray'));
    if (errors[0]) context.diagnostic({ code: 'parse-error', line: errors[0].line, message: `Go template: ${errors[0].message}` });
    if (warnings[0] && !partial) context.diagnostic({ code: 'template-syntax', line: warnings[0].line, message: `Go template: ${warnings[0].message}` });
    const options = { restore: (s: string) => restorePlaceholders(s, frontEnd), text: intern };
    const parsed: ParsedYaml = partial ? { docs: [], aliasLimitHit: false, tooDeep: false } : withoutJinjaTags(parseYaml(blankCrdBodies(frontEnd.yaml), options), frontEnd.yaml, options);
    if (role === 'template') {
      addWrittenKeys(helm, text, frontEnd.defines);
      addRenderConditions(helm, text, frontEnd.defines);
    }
    const bodies = role === 'template' ? objectDefinesText(text, frontEnd.defines) : undefined;
    if (bodies === undefined) return finish(parsed, role, helm, context);
    const bodiesFrontEnd = preprocessHelmTemplate(bodies);
    const bodiesParsed = parseYaml(blankCrdBodies(bodiesFrontEnd.yaml), { restore: (s: string) => restorePlaceholders(s, bodiesFrontEnd), text: intern });
    return finish(mergeParsed(parsed, bodiesParsed), role, mergeHelmInfo(helm, helmInfoOf(bodiesFrontEnd, file.path, false)), context);
  },
  compact(model) {
    // PNode trees come out of parseYaml compact already (interned texts, exact arrays), and so do the control
    // actions (tens of thousands in a chart tree): the rest of the Helm facts do not.
    const { helm } = model;
    if (helm) {
      helm.chartRoot = intern(helm.chartRoot);
      compactPlain(helm.variables);
      if (helm.controls) helm.controls = helm.controls.slice();
      if (helm.blocks) helm.blocks = helm.blocks.slice();
      if (helm.defines) {
        for (const define of Object.values(helm.defines)) {
          define.valuesRefs = internAll(define.valuesRefs);
          define.includes = internAll(define.includes);
          if (define.condition !== undefined) define.condition = intern(define.condition);
          for (const written of define.keys ?? []) {
            written.key = intern(written.key);
            if (written.value !== undefined) written.value = intern(written.value);
          }
        }
      }
    }
    return model;
  },
};

/** YAML that configures tools rather than an environment's settings: workflows, compose, charts, helmfiles, kustomizations. */
const TOOL_FILE = /^(docker-)?compose([-._].*)?\.ya?ml$|^chart\.ya?ml$|^kustomization(\.ya?ml)?$|^helmfile([-._].*)?\.ya?ml(\.gotmpl)?$|^\.?gitlab-ci\.ya?ml$|^\.pre-commit|^mkdocs\.ya?ml$|^(bitbucket|azure)-pipelines?\.ya?ml$|^catalog-info\.ya?ml$|^renovate|^dependabot\.ya?ml$|^codecov\.ya?ml$/i;
const TOOL_DIRS = new Set(['.github', '.gitlab', '.circleci', '.buildkite', 'helmfile.d', 'crds', 'workflows', '.tekton']);

/**
 * A YAML file of an environment (`deploy/prod/app.yaml`, `config/staging/settings.yaml`, helmfile
 * `environments/production.yaml`) that holds no Kubernetes object is that environment's settings: data read like a
 * values file, so literal credentials and fixture values in it are found. Tool configuration files keep their role.
 */
function dataRole(role: YamlRole, file: FileContext, parsed: ParsedYaml): YamlRole {
  if (role !== 'manifest' || !file.environment) return role;
  const parts = segments(file.path);
  if (TOOL_FILE.test(parts[parts.length - 1]!) || parts.slice(0, -1).some((d) => TOOL_DIRS.has(d.toLowerCase()))) return role;
  // An application's own configuration (Spring `application-prod.yml`, Rails `config/database.yml`, node-config
  // `config/production.yaml`) is no chart's values: the app-config reader judges it, with the service's own fix.
  if (appConfigFormat(file.path) !== undefined) return role;
  const roots = parsed.docs.map((d) => d.root).filter((r) => r !== null && r !== undefined);
  if (roots.length === 0 || roots.some((r) => r.t !== 'map')) return role;
  const isObject = (r: PNode) => r.t === 'map' && r.entries.some((e) => e.key === 'kind' || e.key === 'apiVersion');
  return roots.some(isObject) ? role : 'values';
}

/**
 * YAML rendered through Jinja first (Ansible role templates, Salt states, docs sites' `{% raw %}`): a line that is one
 * `{% … %}` tag cannot be YAML. When the text does not parse, it is read again with those lines blanked (every line
 * stays where it was, as Helm control flow is dropped); the second reading is kept only if it parses.
 */
function withoutJinjaTags(parsed: ParsedYaml, text: string, options: ParseYamlOptions): ParsedYaml {
  if (!parsed.docs.some((d) => d.error) || !JINJA_TAG_LINE.test(text)) return parsed;
  const blanked = parseYaml(blankCrdBodies(text.replace(JINJA_TAG_LINES, '')), options);
  return blanked.docs.some((d) => d.error) ? parsed : blanked;
}

/** The kinds the `lookup` calls of an action read: `lookup "v1" "Secret" ns name` is Secret; a kind from a variable is `*`. */
export function lookupKinds(expr: string): string[] {
  const kinds = [...expr.matchAll(/\blookup\s+(?:"[^"]*"|\S+)\s+("([^"]*)"|\S+)/g)].map((m) => (m[2] !== undefined ? m[2] : '*'));
  return kinds.length ? [...new Set(kinds)] : ['*'];
}

function helmInfoOf(frontEnd: HelmFrontEnd, path: string, withDefines: boolean): HelmInfo {
  let usesLookup = false;
  let usesRandom = false;
  const controls: HelmControlAction[] = [];
  const blocks: HelmBlockAction[] = [];
  let defines: Record<string, NamedTemplate> | undefined;
  for (const a of frontEnd.actions) {
    let generates = false;
    let looksUp = false;
    for (const f of a.functions) {
      if (f === 'lookup') usesLookup = generates = looksUp = true;
      else if (RANDOM_FUNCTIONS.has(f)) usesRandom = generates = true;
    }
    if (a.inDefine !== undefined && withDefines) {
      defines ??= {};
      const define = (defines[a.inDefine] ??= { valuesRefs: [], generated: false, includes: [] });
      for (const ref of a.valuesRefs) if (!define.valuesRefs.includes(ref)) define.valuesRefs.push(ref);
      if (a.kind !== 'define') for (const name of a.templates) if (name !== a.inDefine && !define.includes.includes(name)) define.includes.push(name);
      define.generated ||= generates;
      if (looksUp) for (const kind of lookupKinds(a.expr)) if (!(define.lookupKinds ??= []).includes(kind)) define.lookupKinds.push(kind);
    }
    // Built compact (see compact below): the keyword is a shared constant, and so is the expression when it is
    // the keyword alone (`end`, `else`: half of all control actions).
    if (a.kind === 'control' && a.keyword && !a.inDefine) {
      const { keyword } = a;
      controls.push({ line: a.line, keyword, expr: a.expr === keyword ? keyword : intern(a.expr), valuesRefs: internAll(a.valuesRefs), templates: internAll(a.templates) });
    } else if (a.kind === 'block' && !a.inDefine && (a.valuesRefs.length > 0 || DOT_OR_VARIABLE_ARGUMENT.test(a.expr) || a.expr.includes('.Files.'))) {
      blocks.push({ line: a.line, expr: intern(a.expr) });
    }
  }
  const variables: Record<string, string[]> = {};
  for (const [name, exprs] of frontEnd.variables) variables[name] = exprs;
  return {
    chartRoot: chartRootOf(path),
    variables,
    controls,
    usesLookup,
    usesRandom,
    ...(blocks.length > 0 ? { blocks } : {}),
    ...(defines ? { defines } : {}),
  };
}

/** Entries kept per define, and characters per value: the model is cached and held for every template of the tree. */
const WRITTEN_KEYS_LIMIT = 32;
const WRITTEN_VALUE_LIMIT = 400;
const WRITTEN_LINE_LIMIT = 2000;
const ACTION = /\{\{[\s\S]*?\}\}/g;
/** `key: value` at the start of a line: a plain, quoted or templated key (`{{ $k }}`), not a list item or a flow. */
const WRITTEN_KEY_LINE = /^( *)("[^"]*"|'[^']*'|\{\{(?:(?!\}\}).)*\}\}|[^\s#{}[\],&*!|>'"%@`-][^:#]*?)[ \t]*:(?:[ \t]+(.*))?$/;
const ACTIONS_ONLY = /^\s*(?:\{\{(?:(?!\}\}).)*\}\}\s*)+$/;
/** Actions that write nothing: control flow, comments, assignments. */
const SILENT_ACTION = /^\{\{-?\s*(?:if|else|end|range|with|define|block|break|continue|\/\*|\$[A-Za-z_][\w]*\s*:?=)/;

/** What the defines of a template write when their output is a map (see WrittenKey): added to their NamedTemplate. */
function addWrittenKeys(helm: HelmInfo, text: string, defines: readonly HelmDefine[]): void {
  for (const define of defines) {
    const body = text.slice(define.start, define.end);
    if (OBJECT_BODY.test(body)) continue;
    const keys = writtenKeys(body);
    if (!keys) continue;
    helm.defines ??= {};
    const template = (helm.defines[define.name] ??= { valuesRefs: [], generated: false, includes: [] });
    template.keys ??= keys;
  }
}

const TEMPLATE_COMMENT = /\{\{-?\s*\/\*[^]*?\*\/\s*-?\}\}/g;
/** `{{- if COND -}} BODY {{- end -}}` and nothing around it; COND holds no action delimiters. */
const IF_ONLY_BODY = /^\s*\{\{-?\s*if\s+((?:[^{}"]|"(?:[^"\\]|\\.)*")+?)\s*-?\}\}([^]*?)\{\{-?\s*end\s*-?\}\}\s*$/;
/** What such a body renders: a word (`true`, `yes`) or `{{ true }}` / `{{ "true" }}` alone. */
const WORD_BODY = /^\s*(?:\{\{-?\s*(?:true|"true"|print\s+"true")\s*-?\}\}|[A-Za-z0-9_-]+)\s*$/;

/** The condition under which a define renders text, for defines that are one `if` around a word (see NamedTemplate.condition). */
export function renderCondition(body: string): string | undefined {
  const m = IF_ONLY_BODY.exec(body.replace(TEMPLATE_COMMENT, ''));
  if (!m || !WORD_BODY.test(m[2]!) || /\{\{-?\s*(?:else|if|end)\b/.test(m[2]!)) return undefined;
  return m[1]!.trim();
}

function addRenderConditions(helm: HelmInfo, text: string, defines: readonly HelmDefine[]): void {
  for (const define of defines) {
    const body = text.slice(define.start, define.end);
    const condition = renderCondition(body);
    // Only a body with an `if` can have either: the rest of a chart's defines are not read twice.
    const output = condition !== undefined || /\{\{-?\s*else\b/.test(body) ? defineOutput(body, text.slice(define.start - 3, define.start) === '-}}', text.startsWith('{{-', define.end)) : undefined;
    if (condition === undefined && output === undefined) continue;
    helm.defines ??= {};
    const template = (helm.defines[define.name] ??= { valuesRefs: [], generated: false, includes: [] });
    if (condition !== undefined) template.condition = intern(condition);
    if (output) template.output = { condition: intern(output.condition), then: output.then, else: output.else };
  }
}

const BODY_ACTION = /\{\{(-\s)?\s*([^]*?)\s*(\s-)?\}\}/g;
/** An action that renders literal text: `true`, `"true"`, `print "true"`. */
const LITERAL_ACTION = /^(?:(true|false)|"((?:[^"\\]|\\.)*)"|print\s+"((?:[^"\\]|\\.)*)")$/;

/**
 * What BODY renders when its one `if` holds and when not (see DefineOutput); TRIM_START/TRIM_END: the define's `-}}`
 * and its end's `{{-` trim the body's edges. Undefined for any other body.
 */
export function defineOutput(body: string, trimStart: boolean, trimEnd: boolean): DefineOutput | undefined {
  // Segments: text, and each action's words and trim markers.
  const parts: ({ text: string } | { action: string; left: boolean; right: boolean })[] = [];
  let at = 0;
  for (const m of body.matchAll(BODY_ACTION)) {
    parts.push({ text: body.slice(at, m.index) });
    parts.push({ action: m[2]!, left: m[1] !== undefined, right: m[3] !== undefined });
    at = m.index + m[0].length;
  }
  parts.push({ text: body.slice(at) });
  if (body.slice(at).includes('{{')) return undefined;
  // Apply the trims to the text segments: an action's `{{- ` trims the text before it, ` -}}` the text after it.
  const texts = parts.map((p, i) => {
    if (!('text' in p)) return '';
    let t = p.text;
    const before = parts[i - 1];
    const after = parts[i + 1];
    if ((before === undefined && trimStart) || (before && 'action' in before && before.right)) t = t.replace(/^\s+/, '');
    if ((after === undefined && trimEnd) || (after && 'action' in after && after.left)) t = t.replace(/\s+$/, '');
    return t;
  });
  let condition: string | undefined;
  let branch: 'before' | 'then' | 'else' | 'after' = 'before';
  const out = { before: '', then: '', else: '', after: '' };
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('text' in p) {
      out[branch] += texts[i];
      continue;
    }
    const ifMatch = /^if\s+([^]+)$/.exec(p.action);
    if (/^\/\*[^]*\*\/$/.test(p.action)) continue;
    if (ifMatch && branch === 'before') {
      if (out.before.trim() !== '') return undefined;
      condition = ifMatch[1]!.trim();
      branch = 'then';
    } else if (p.action === 'else' && branch === 'then') branch = 'else';
    else if (p.action === 'end' && (branch === 'then' || branch === 'else')) branch = 'after';
    else {
      const lit = LITERAL_ACTION.exec(p.action);
      if (!lit || branch === 'before' || branch === 'after') return undefined;
      out[branch] += lit[1] ?? unescape(lit[2] ?? lit[3] ?? '');
    }
  }
  if (condition === undefined || branch !== 'after' || out.after.trim() !== '') return undefined;
  return { condition, then: out.before + out.then + out.after, else: out.before + out.else + out.after };
}

function unescape(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

/**
 * The top-level entries a define body writes, or undefined when its output is no map (a name, a list, a scalar): the
 * lines at the body's least indentation must all be `key: value` lines (or whole-line value actions).
 */
export function writtenKeys(body: string): WrittenKey[] | undefined {
  if (!body.includes(':')) return undefined;
  // A multi-line action is one line here: only what the body writes matters, not where.
  const lines = body.replace(ACTION, (action) => action.replace(/\r?\n/g, ' ')).split(/\r?\n/);
  const content = lines.map((line) => (ACTIONS_ONLY.test(line) ? { line, actions: true } : { line: line.replace(/\s+$/, ''), actions: false })).filter((l) => l.line.trim() !== '' && !l.line.trimStart().startsWith('#'));
  let top = Number.MAX_SAFE_INTEGER;
  for (const l of content) {
    // A line this long is data (a certificate, a minified document), not an entry a rule could judge.
    if (l.line.length > WRITTEN_LINE_LIMIT) return undefined;
    if (!l.actions) top = Math.min(top, l.line.length - l.line.trimStart().length);
  }
  if (top === Number.MAX_SAFE_INTEGER) return undefined;
  const out: WrittenKey[] = [];
  let current: WrittenKey | undefined;
  let nested = false;
  for (const { line, actions } of content) {
    const indent = line.length - line.trimStart().length;
    if (actions) {
      const writes = (line.match(ACTION) ?? []).filter((a) => !SILENT_ACTION.test(a));
      if (writes.length === 0) continue;
      // Inside a key's block value (`config.yaml: |-` then `{{ … | nindent 4 }}`): that value's actions.
      if (current && nested && indent > top) current.value = clipped(`${current.value ?? ''}${current.value ? ' ' : ''}${writes.join(' ')}`);
      else if (out.length < WRITTEN_KEYS_LIMIT) out.push({ key: '', value: clipped(writes.join(' ')) });
      continue;
    }
    if (indent > top) {
      if (current && nested && current.block) {
        const inner = line.match(ACTION);
        if (inner) current.value = clipped(`${current.value ?? ''}${current.value ? ' ' : ''}${inner.join(' ')}`);
      }
      continue;
    }
    const m = WRITTEN_KEY_LINE.exec(line);
    if (!m) return undefined;
    const key = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
    const value = (m[3] ?? '').replace(/\s+#.*$/, '');
    current = out.length < WRITTEN_KEYS_LIMIT ? { key } : undefined;
    nested = value === '' || /^[|>][-+0-9]*$/.test(value);
    if (current) {
      if (/^[|>]/.test(value)) current.block = true;
      else if (value.includes('{{')) current.value = clipped(value);
      out.push(current);
    }
  }
  return out.some((k) => k.key !== '') ? out : undefined;
}

/** VALUE cut to the last whole action within WRITTEN_VALUE_LIMIT characters. */
function clipped(value: string): string {
  if (value.length <= WRITTEN_VALUE_LIMIT) return value;
  const end = value.lastIndexOf('}}', WRITTEN_VALUE_LIMIT - 2);
  return end < 0 ? '' : value.slice(0, end + 2);
}

/** A named template whose body is a whole object: `kind:` opens one of its lines. */
const OBJECT_BODY = /^kind[ \t]*:/m;

/**
 * Objects a chart renders through named templates (`{{ define "app.secret" }}` in `_helpers.tpl`, included by a
 * template): the bodies of the defines that hold one, as a template of their own in which every other line is blank
 * and each `define` line opens a document, so every line keeps its number. Undefined when no define holds an object.
 */
export function objectDefinesText(text: string, defines: readonly HelmDefine[]): string | undefined {
  let out: string | undefined;
  let from = 0;
  for (const define of defines) {
    const body = text.slice(define.start, define.end);
    if (!OBJECT_BODY.test(body)) continue;
    out = (out ?? '') + newlinesIn(text, from, define.start);
    const firstNewline = body.indexOf('\n');
    const head = firstNewline < 0 ? body : body.slice(0, firstNewline);
    out += head.trim() === '' ? '---' + body.slice(head.length) : body;
    from = define.end;
  }
  return out === undefined ? undefined : out + newlinesIn(text, from, text.length);
}

function newlinesIn(text: string, from: number, to: number): string {
  let count = 0;
  for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) count++;
  return '\n'.repeat(count);
}

/** The documents of both readings of one file, in line order. */
function mergeParsed(a: ParsedYaml, b: ParsedYaml): ParsedYaml {
  const docs = [...a.docs.filter((d) => d.root !== null || d.error), ...b.docs.filter((d) => d.root !== null || d.error)].sort((x, y) => x.line - y.line);
  return {
    docs: docs.map((d, index) => (d.index === index ? d : { ...d, index })),
    aliasLimitHit: a.aliasLimitHit || b.aliasLimitHit,
    tooDeep: a.tooDeep || b.tooDeep,
    ...(a.refused ?? b.refused ? { refused: a.refused ?? b.refused } : {}),
  };
}

function mergeHelmInfo(a: HelmInfo, b: HelmInfo): HelmInfo {
  const variables = { ...a.variables };
  for (const [name, exprs] of Object.entries(b.variables)) variables[name] = [...(variables[name] ?? []), ...exprs];
  const blocks = [...(a.blocks ?? []), ...(b.blocks ?? [])].sort((x, y) => x.line - y.line);
  return {
    chartRoot: a.chartRoot,
    variables,
    controls: [...(a.controls ?? []), ...(b.controls ?? [])].sort((x, y) => x.line - y.line),
    usesLookup: a.usesLookup || b.usesLookup,
    usesRandom: a.usesRandom || b.usesRandom,
    ...(blocks.length > 0 ? { blocks } : {}),
    ...(a.defines ? { defines: a.defines } : {}),
  };
}

/** Interned copies in an exact-size array. */
function internAll(texts: readonly string[]): string[] {
  return texts.length === 0 ? [] : texts.map(intern);
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function finish(parsed: ParsedYaml, role: YamlRole, helm: HelmInfo | undefined, context: AnalyzerContext): YamlFileModel {
  const failed = parsed.docs.find((d) => d.error);
  if (failed?.error) {
    const what = role === 'template' ? 'Helm template' : 'YAML';
    context.diagnostic({
      code: 'parse-error',
      line: failed.error.line,
      message: `${what} does not parse (${failed.error.message}); best-effort kind/name/keys kept`,
    });
  }
  if (parsed.aliasLimitHit) context.diagnostic({ code: 'alias-limit', message: 'YAML aliases expand past the node limit; expansion cut' });
  if (parsed.tooDeep) context.diagnostic({ code: 'too-deep', message: 'YAML nesting deeper than 200 levels; deeper nodes cut' });
  if (parsed.refused) {
    context.diagnostic({
      code: 'too-deep',
      line: parsed.refused.line,
      message: `YAML nests more than ${YAML_PARSE_DEPTH_LIMIT} levels deep; not parsed, so nothing in it is checked`,
    });
  }
  return { role, docs: parsed.docs, helm };
}
