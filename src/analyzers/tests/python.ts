/**
 * Python tests (test_*.py, *_test.py, conftest.py) and scripts that use hvac or the Kubernetes client, parsed with
 * the tree-sitter Python grammar. Facts: os.getenv/os.environ.get defaults, Secret dicts and V1Secret values,
 * create_namespaced_secret, azure.keyvault.secrets, hvac writes, subprocess calls to vault/kubectl/az.
 */
import type { Analyzer, FileContext } from '../types.js';
import { commandFacts, commandsOfText } from './commands.js';
import { isCodeLiteral, isTestDouble } from './judge.js';
import { emptyModel, harnessRole, hasFacts, IAC_SECRET_FORMS, secretsInYamlText, type HarnessModel, type HarnessRole, type InlineSecretFact } from './model.js';
import { firstError, named, pos, treeSitterParser, walk, type Node } from './treesitter.js';

const ENV_READ = /\b(?:getenv|environ)\b/;
const SECRETS = /V1Secret|(?:create|replace|patch)_namespaced_secret|["']kind["']\s*:\s*["']Secret["']|kind:\s*Secret|(?:k8s|kube|opaque)\w*(?:\.\w+)?_?secret\s*\(/i;
/**
 * A test library's Secret helper (`k8s.create_opaque_secret(ns, name, key, value)` of the AWS controllers' e2e kit, a
 * `k8s_secret(...)` fixture factory): a call ending in `secret` whose name or receiver says Kubernetes. Reads and
 * deletes create nothing.
 */
const SECRET_HELPER_CALLEE = /(?:k8s|kube|opaque)/i;
const SECRET_HELPER_LAST = /(?:^|_)secret$/i;
const NOT_CREATING = /^(?:get|read|delete|remove|list|wait|load|fetch|describe|watch|assert|check|find|lookup|has|is)(?:_|$)/i;
/** A Secret data key as a helper takes it: `admin_password`, `tls.key`, `DB_PASS`. */
const KEY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const KEY_VAULT = /keyvault/i;
const HVAC = /\bhvac\b|\bvault\s+(?:kv\s+(?:put|patch)|write)\b|["']vault["']\s*,\s*["'](?:kv|write)["']/;
const KUBECTL = /["']kubectl["']|\bkubectl\s+(?:create|apply)\b/;

/** Pulumi's Kubernetes provider: `k8s.core.v1.Secret("name", string_data={…})` declares a Secret. */
const PULUMI_K8S = /\bpulumi_kubernetes\b/;
/** cdk8s (`kplus.Secret(self, "db", string_data={…})`, `secret.add_string_data(key, value)`, `KubeSecret(…)`). */
const CDK8S = /^\s*(?:from|import)\s+(?:cdk8s_plus_\d+|cdk8s|imports\.k8s)\b/m;
const PULUMI_SECRET = /\bSecret\s*\(/;

/** Cheap text test before parsing: which Python files can hold a fact at all. */
export function pythonPrefilter(text: string, role: HarnessRole): boolean {
  if ((PULUMI_K8S.test(text) || CDK8S.test(text)) && (PULUMI_SECRET.test(text) || /\.add_string_data\s*\(/.test(text))) return true;
  if (role === 'test') return ENV_READ.test(text) || SECRETS.test(text) || KEY_VAULT.test(text) || HVAC.test(text) || KUBECTL.test(text);
  return HVAC.test(text) || (/\bkubernetes\b/.test(text) && SECRETS.test(text)) || KUBECTL.test(text);
}

export const pythonAnalyzer: Analyzer<HarnessModel> = {
  id: 'tests-python',
  claims: (file: FileContext) => /\.py$/i.test(file.path),
  sniff: (text, file) => pythonPrefilter(text, harnessRole(file)),
  async parse(text, file, context) {
    const parser = await treeSitterParser('python');
    const tree = parser.parse(text);
    if (!tree) {
      context.diagnostic({ code: 'parse-error', message: 'Python: the parser returned no tree' });
      return undefined;
    }
    try {
      const error = firstError(tree.rootNode);
      if (error) context.diagnostic({ code: 'parse-error', message: `Python: ${error.message}`, line: error.line });
      const model = emptyModel('python', harnessRole(file));
      new PyWalker(model, /\bhvac\b/.test(text), PULUMI_K8S.test(text) ? 'pulumi-secret' : CDK8S.test(text) ? 'cdk8s-secret' : undefined).run(tree.rootNode);
      return hasFacts(model) ? model : undefined;
    } finally {
      tree.delete();
    }
  },
};

/** The value of a string literal without interpolation; undefined for f-strings with `{…}` and non-strings. */
export function pyString(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    const parts = named(node).map(pyString);
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  const kids = named(node);
  if (kids.some((k) => k.type === 'interpolation')) return undefined;
  const start = kids.find((k) => k.type === 'string_start');
  const end = kids.find((k) => k.type === 'string_end');
  const prefix = start?.text ?? '"';
  const body = kids
    .filter((k) => k.type === 'string_content' || k.type === 'escape_sequence')
    .map((k) => k.text)
    .join('');
  void end;
  return /r/i.test(prefix.replace(/["']/g, '')) ? body : unescapePy(body);
}

/** f-strings and plain strings as written, `{expr}` kept: for Vault paths. */
function pyStringLoose(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return pyString(node);
  return node.text.replace(/^[rbfuRBFU]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '').replace(/\{([^{}]*)\}/g, '${$1}');
}

function unescapePy(s: string): string {
  return s.replace(/\\(n|t|r|\\|'|"|\n)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' })[c] ?? c);
}

function args(call: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const list = call.childForFieldName('arguments');
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  for (const a of list ? named(list) : []) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else if (a.type !== 'comment') positional.push(a);
  }
  return { positional, keywords };
}

const ENV_GET = new Set(['os.getenv', 'getenv', 'os.environ.get', 'environ.get', 'os.environ.setdefault', 'environ.setdefault']);
const SUBPROCESS = /^(subprocess\.(run|call|check_call|check_output|Popen)|os\.system|os\.popen|sh|run|check_output|check_call)$/;

/** The nodes PyWalker.run looks at. */
const PY_VISITED: ReadonlySet<string> = new Set(['call', 'boolean_operator', 'dictionary', 'import_from_statement', 'import_statement', 'string']);

class PyWalker {
  constructor(
    private readonly model: HarnessModel,
    private readonly usesHvac: boolean,
    /** The file declares Kubernetes objects through Pulumi or cdk8s: the form its `…Secret(…)` calls take. */
    private readonly iacKind?: 'pulumi-secret' | 'cdk8s-secret',
  ) {}

  /** `from azure.keyvault.secrets import …` statements: a read only when the file also builds a real client. */
  private keyVaultImports: Node[] = [];
  /** Local names of the SDK's SecretClient (`import SecretClient as Kv`). */
  private secretClientNames = new Set(['SecretClient']);
  private clientConstructed = false;
  private clientPatched = false;

  run(root: Node): void {
    this.walk(root);
    for (const fact of this.addedOnly) this.model.inlineSecrets.push(fact);
    if (!this.clientConstructed || this.clientPatched) return;
    for (const node of this.keyVaultImports) this.model.keyVault.push({ form: 'azure.keyvault.secrets', secrets: [...this.keyVaultSecrets(node)], ...pos(node) });
  }

  private walk(root: Node): void {
    walk(root, PY_VISITED, (node) => {
      switch (node.type) {
        case 'call':
          this.call(node);
          break;
        case 'boolean_operator':
          this.orFallback(node);
          break;
        case 'dictionary':
          this.secretDict(node);
          break;
        case 'import_from_statement':
        case 'import_statement':
          this.importStatement(node);
          break;
        case 'string':
          this.stringContent(node);
          break;
        default:
          break;
      }
    });
  }

  private binding(node: Node): string | undefined {
    let p = node.parent;
    while (p && (p.type === 'parenthesized_expression' || p.type === 'boolean_operator')) p = p.parent;
    if (p?.type === 'assignment') {
      const left = p.childForFieldName('left');
      if (left?.type === 'identifier') return left.text;
    }
    if (p?.type === 'return_statement') {
      let f = p.parent;
      while (f && f.type !== 'function_definition') f = f.parent;
      return f?.childForFieldName('name')?.text;
    }
    return undefined;
  }

  /** `os.getenv("X")`, `os.environ.get("X")` (no default), `os.environ["X"]` -> X. */
  private envRead(node: Node): string | undefined {
    if (node.type === 'call') {
      const fn = node.childForFieldName('function')?.text ?? '';
      if (!ENV_GET.has(fn)) return undefined;
      return pyString(args(node).positional[0]);
    }
    if (node.type === 'subscript' && /^(os\.)?environ$/.test(node.childForFieldName('value')?.text ?? '')) return pyString(node.childForFieldName('subscript'));
    return undefined;
  }

  private call(node: Node): void {
    const fn = node.childForFieldName('function')?.text ?? '';
    if (ENV_GET.has(fn)) {
      const a = args(node);
      const variable = pyString(a.positional[0]);
      const fallbackNode = a.positional[1] ?? a.keywords.get('default') ?? a.keywords.get('value');
      const fallback = this.str(fallbackNode);
      if (variable && fallback !== undefined && fallbackNode) {
        const binding = this.binding(node);
        this.model.fallbacks.push({ variable, fallback, form: fn.endsWith('setdefault') ? 'setdefault' : 'getenv-default', ...pos(fallbackNode), ...(binding ? { binding } : {}) });
      }
      return;
    }
    const last = fn.replace(/^.*\./, '');
    if (last === 'V1Secret') return this.v1Secret(node);
    if ((last === 'Secret' || last === 'KubeSecret') && this.iacKind) return this.v1Secret(node, this.iacKind);
    if (last === 'add_string_data' && this.iacKind === 'cdk8s-secret') return this.addStringData(node, fn.slice(0, -last.length - 1));
    if (this.secretClientNames.has(last)) return this.secretClient(node);
    if (/(^|\.)(patch(\.object)?|setattr)$/.test(fn) && args(node).positional.some((a) => /(^|\.)SecretClient$/.test(pyString(a) ?? ''))) {
      this.clientPatched = true;
      return;
    }
    if (SUBPROCESS.test(fn)) return this.subprocess(node);
    if (SECRET_HELPER_LAST.test(last) && SECRET_HELPER_CALLEE.test(fn) && !NOT_CREATING.test(last)) return this.secretHelper(node);
    if (this.usesHvac) this.hvacCall(node, fn, last);
  }

  /**
   * A Secret helper's arguments, in the order such helpers take them: `(namespace, name, key, value)`, `(name, key,
   * value)`, or a data dict after the name. Keyword arguments named like that say it outright.
   */
  private secretHelper(node: Node): void {
    const a = args(node);
    const dict = [...a.positional, ...[...a.keywords.values()]].find((n) => n.type === 'dictionary' || (n.type === 'identifier' && this.constantDict(n)));
    const strings = a.positional.map((n) => this.literalValue(n));
    const keyword = (name: RegExp) => [...a.keywords].find(([k]) => name.test(k))?.[1];
    let name = this.literalValue(keyword(/^(secret_?)?name$/) ?? ({} as Node));
    let namespace = this.literalValue(keyword(/^(namespace|ns)$/) ?? ({} as Node));
    if (dict) {
      const data = this.literalMap(dict.type === 'identifier' ? this.constantDict(dict) : dict);
      name ??= strings.find((s) => s !== undefined && KEY_NAME.test(s));
      this.pushSecret('secret-helper', node, data, name, namespace);
      return;
    }
    const keyNode = keyword(/^key$/);
    const valueNode = keyword(/^(value|secret_?value|password|data)$/);
    let key = keyNode ? this.literalValue(keyNode) : undefined;
    let value = valueNode ? this.literalValue(valueNode) : undefined;
    let valueAt: Node | undefined = valueNode;
    if (value === undefined && a.positional.length >= 3 && strings.every((s) => s !== undefined)) {
      const [ns, n, k, v] = a.positional.length >= 4 ? strings.slice(-4) : [undefined, ...strings.slice(-3)];
      if (k !== undefined && KEY_NAME.test(k)) {
        key = k;
        value = v;
        valueAt = a.positional[a.positional.length - 1];
        name ??= n;
        namespace ??= ns;
      }
    }
    if (key === undefined || value === undefined || !valueAt || !isCodeLiteral(value)) return;
    this.pushSecret('secret-helper', node, { keys: [key], literal: [{ key, value, node: valueAt }] }, name, namespace);
  }

  /** Names assigned exactly once in a scope (the enclosing function, else the module), to a string or a dict. */
  private scopeConstants = new Map<number, Map<string, Node | null>>();

  private constant(identifier: Node): Node | undefined {
    let scope: Node | null = identifier.parent;
    while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
    for (let s: Node | null = scope; s; ) {
      const found = this.constantsOf(s).get(identifier.text);
      if (found !== undefined) return found ?? undefined;
      if (s.type === 'module') break;
      s = s.parent;
      while (s && s.type !== 'function_definition' && s.type !== 'module') s = s.parent;
    }
    return undefined;
  }

  private constantsOf(scope: Node): Map<string, Node | null> {
    let constants = this.scopeConstants.get(scope.id);
    if (constants) return constants;
    constants = new Map();
    const stack = scope.type === 'function_definition' ? named(scope.childForFieldName('body') ?? scope) : named(scope);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'function_definition' || n.type === 'class_definition') continue;
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left?.type === 'identifier') constants.set(left.text, constants.has(left.text) || !right ? null : right);
      }
      stack.push(...named(n));
    }
    this.scopeConstants.set(scope.id, constants);
    return constants;
  }

  /** A string literal, or a name bound once to one in scope (`os.getenv("X", DEV_DB_PASSWORD)`). */
  private str(node: Node | null | undefined): string | undefined {
    return pyString(node) ?? (node?.type === 'identifier' ? pyString(this.constant(node)) : undefined);
  }

  private constantDict(identifier: Node): Node | undefined {
    const value = this.constant(identifier);
    return value?.type === 'dictionary' ? value : undefined;
  }

  private orFallback(node: Node): void {
    const op = node.childForFieldName('operator')?.text ?? node.children.find((c) => c?.type === 'or')?.text;
    if (op !== 'or') return;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    const variable = this.envRead(left);
    const fallback = this.str(right);
    if (!variable || fallback === undefined) return;
    const binding = this.binding(node);
    this.model.fallbacks.push({ variable, fallback, form: 'or-default', ...pos(right), ...(binding ? { binding } : {}) });
  }

  private dictEntries(dict: Node): { key: string; value: Node; node: Node }[] {
    const out: { key: string; value: Node; node: Node }[] = [];
    for (const pair of named(dict)) {
      if (pair.type !== 'pair') continue;
      const key = pyString(pair.childForFieldName('key'));
      const value = pair.childForFieldName('value');
      if (key !== undefined && value) out.push({ key, value, node: pair });
    }
    return out;
  }

  /** Literal entries of a dict node (or `dict(a="x")` call); `program`: a Pulumi or cdk8s Secret's, defaults of reads included. */
  private literalMap(node: Node | undefined, program = false): { keys: string[]; literal: { key: string; value: string; node: Node }[] } {
    const keys: string[] = [];
    const literal: { key: string; value: string; node: Node }[] = [];
    if (!node) return { keys, literal };
    let entries: { key: string; value: Node; node: Node }[] = [];
    if (node.type === 'dictionary') entries = this.dictEntries(node);
    else if (node.type === 'call' && node.childForFieldName('function')?.text === 'dict') entries = [...args(node).keywords].map(([key, value]) => ({ key, value, node: value }));
    for (const e of entries) {
      keys.push(e.key);
      const v = this.literalValue(e.value) ?? (program ? this.defaultLiteral(e.value) : undefined);
      if (v !== undefined && isCodeLiteral(v)) literal.push({ key: e.key, value: v, node: e.node });
    }
    return { keys, literal };
  }

  /**
   * The literal a program deploys when a read comes back unset: `config.get("admin-password", "x")`,
   * `os.environ.get("K", "x")`, `config.get("k") or "x"`, through a variable bound to one. What lands in the cluster
   * whenever the stack or environment does not set the key.
   */
  private defaultLiteral(node: Node | undefined, depth = 0): string | undefined {
    if (!node?.type || depth > 3) return undefined;
    if (node.type === 'identifier') {
      const bound = this.constant(node);
      return bound && bound.type !== 'identifier' ? (this.literalValue(bound) ?? this.defaultLiteral(bound, depth + 1)) : undefined;
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute' || !/^(get|get_secret)$/.test(fn.childForFieldName('attribute')?.text ?? '')) return undefined;
      const a = args(node);
      if (pyString(a.positional[0]) === undefined) return undefined;
      return this.literalValue(a.positional[1] ?? a.keywords.get('default'));
    }
    if (node.type === 'boolean_operator' && node.childForFieldName('operator')?.text === 'or') {
      const left = node.childForFieldName('left');
      if (left?.type !== 'call' && !(left && this.envRead(left))) return undefined;
      return this.literalValue(node.childForFieldName('right') ?? undefined);
    }
    return undefined;
  }

  /** A string, or base64 of a string: `base64.b64encode(b"x").decode()`. */
  private literalValue(node: Node | undefined): string | undefined {
    if (!node?.type) return undefined;
    const direct = pyString(node);
    if (direct !== undefined) return direct;
    if (node.type === 'identifier') {
      const bound = this.constant(node);
      return bound && bound.type !== 'identifier' ? this.literalValue(bound) : undefined;
    }
    if (node.type === 'call') {
      // `base64.b64encode(b"x").decode()`, `b64encode("x".encode("utf-8"))`: the literal the calls wrap, never a string
      // elsewhere in them (`b64encode(values["clientSecret"])` encodes whatever that lookup holds).
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && /^(encode|decode)$/.test(fn.childForFieldName('attribute')?.text ?? '')) return this.literalValue(fn.childForFieldName('object') ?? undefined);
      if (fn && /(^|\.)(standard_|urlsafe_)?b64encode$/.test(fn.text)) return this.literalValue(args(node).positional[0]);
    }
    return undefined;
  }

  private pushSecret(form: string, where: Node, data: { keys: string[]; literal: { key: string; value: string; node: Node }[] }, name?: string, namespace?: string, nameAsWritten?: string): InlineSecretFact | undefined {
    if (!IAC_SECRET_FORMS.has(form)) (this.model.secretObjects ??= []).push(pos(where));
    // A Pulumi Secret is inventoried whatever fills it (config.require_secret): kept without literals too.
    if (data.literal.length === 0 && !IAC_SECRET_FORMS.has(form)) return undefined;
    const first = data.literal[0]?.node ?? where;
    const last = data.literal[data.literal.length - 1]?.node ?? where;
    const fact: InlineSecretFact = {
      ...pos(first),
      endLine: last.endPosition.row + 1,
      keys: data.keys,
      literalKeys: data.literal.map((l) => l.key),
      values: data.literal.map((l) => l.value),
      form,
    };
    if (name && isCodeLiteral(name)) fact.name = name;
    if (namespace && isCodeLiteral(namespace)) fact.namespace = namespace;
    if (nameAsWritten) fact.nameAsWritten = nameAsWritten;
    void where;
    this.model.inlineSecrets.push(fact);
    return fact;
  }

  private secretDict(node: Node): void {
    const entries = this.dictEntries(node);
    const kind = entries.find((e) => e.key === 'kind');
    if (!kind || pyString(kind.value) !== 'Secret') return;
    const keys: string[] = [];
    const literal: { key: string; value: string; node: Node }[] = [];
    for (const section of ['stringData', 'data']) {
      const m = this.literalMap(entries.find((e) => e.key === section)?.value);
      keys.push(...m.keys);
      literal.push(...m.literal);
    }
    const meta = entries.find((e) => e.key === 'metadata')?.value;
    const metaEntries = meta?.type === 'dictionary' ? this.dictEntries(meta) : [];
    const name = pyString(metaEntries.find((e) => e.key === 'name')?.value);
    const namespace = pyString(metaEntries.find((e) => e.key === 'namespace')?.value);
    this.pushSecret('python-dict', node, { keys, literal }, name, namespace);
  }

  private v1Secret(node: Node, form: 'V1Secret' | 'pulumi-secret' | 'cdk8s-secret' = 'V1Secret'): void {
    const a = args(node);
    // Pulumi's typed form: `Secret("name", SecretInitArgs(string_data={…}, metadata=…))`, or `args=SecretInitArgs(…)`.
    const initArgs = form === 'pulumi-secret' ? (a.keywords.get('args') ?? a.positional[1]) : undefined;
    if (initArgs?.type === 'call' && /(^|\.)Secret(Init)?Args$/.test(initArgs.childForFieldName('function')?.text ?? '')) {
      for (const [k, v] of args(initArgs).keywords) if (!a.keywords.has(k)) a.keywords.set(k, v);
    }
    const keys: string[] = [];
    const literal: { key: string; value: string; node: Node }[] = [];
    for (const section of ['string_data', 'data']) {
      const m = this.literalMap(a.keywords.get(section), form !== 'V1Secret');
      keys.push(...m.keys);
      literal.push(...m.literal);
    }
    const meta = a.keywords.get('metadata');
    let name: string | undefined;
    let namespace: string | undefined;
    if (meta?.type === 'call') {
      const m = args(meta);
      name = pyString(m.keywords.get('name'));
      namespace = pyString(m.keywords.get('namespace'));
    } else if (meta?.type === 'dictionary') {
      const m = this.dictEntries(meta);
      name = pyString(m.find((e) => e.key === 'name')?.value);
      namespace = pyString(m.find((e) => e.key === 'namespace')?.value);
    }
    // Pulumi names the resource in its first argument; metadata.name, when given, is the object's name.
    // cdk8s names the construct in its second argument (`Secret(self, "db", …)`).
    if (form === 'pulumi-secret') name ??= this.literalValue(a.positional[0]);
    const id = form === 'cdk8s-secret' && !name ? this.literalValue(a.positional[1]) : undefined;
    const fact = this.pushSecret(form, node, { keys, literal }, id ? undefined : name, namespace, id);
    // `smtp = kplus.Secret(self, "smtp")`: what `smtp.add_string_data(…)` adds later fills this Secret.
    const bound = form === 'cdk8s-secret' ? this.binding(node) : undefined;
    if (fact && bound) this.addedData.set(bound, fact);
  }

  /** cdk8s-plus `secret.add_string_data("KEY", "value")` calls, one fact per Secret they fill (by the receiver as written). */
  private readonly addedData = new Map<string, InlineSecretFact>();
  /** Facts of receivers no construct in the file was bound to: pushed once the walk is done. */
  private readonly addedOnly: InlineSecretFact[] = [];

  private addStringData(call: Node, receiver: string): void {
    const a = args(call);
    const key = this.literalValue(a.positional[0] ?? a.keywords.get('key'));
    if (key === undefined) return;
    let fact = this.addedData.get(receiver);
    if (!fact) {
      fact = { ...pos(call), endLine: call.endPosition.row + 1, keys: [], literalKeys: [], values: [], form: 'cdk8s-secret', nameAsWritten: receiver };
      this.addedData.set(receiver, fact);
      this.addedOnly.push(fact);
    }
    fact.keys.push(key);
    const value = this.literalValue(a.positional[1] ?? a.keywords.get('value'));
    if (value === undefined || !isCodeLiteral(value)) return;
    if (fact.literalKeys.length === 0) Object.assign(fact, pos(call));
    fact.literalKeys.push(key);
    fact.values.push(value);
    fact.endLine = call.endPosition.row + 1;
  }

  private importStatement(node: Node): void {
    const text = node.text;
    if (!/azure\.keyvault\.secrets|azure\.keyvault\b/.test(text)) return;
    this.keyVaultImports.push(node);
    for (const alias of node.descendantsOfType('aliased_import')) {
      if (alias?.childForFieldName('name')?.text === 'SecretClient') this.secretClientNames.add(alias.childForFieldName('alias')?.text ?? 'SecretClient');
    }
  }

  /**
   * `SecretClient(vault_url=…, credential=DefaultAzureCredential())`: a client that reaches the vault, unless its
   * credential is a test double. Subclassing the client for a fake, `MagicMock(spec=SecretClient)` and patching it
   * build nothing.
   */
  private secretClient(node: Node): void {
    const a = args(node);
    const credential = a.keywords.get('credential') ?? a.positional[1];
    if (!isTestDouble(credential?.text ?? node.childForFieldName('arguments')?.text ?? '')) this.clientConstructed = true;
  }

  private secretNames?: string[];

  /** The names of the file's get_secret calls, sorted: read once (a module importing in each test read the file each time). */
  private keyVaultSecrets(node: Node): string[] {
    if (!this.secretNames) {
      const secrets = new Set<string>();
      let root: Node = node;
      while (root.parent) root = root.parent;
      for (const call of root.descendantsOfType('call')) {
        if (!call) continue;
        const fn = call.childForFieldName('function')?.text ?? '';
        if (!/\.get_secret$/.test(fn)) continue;
        const name = pyString(args(call).positional[0]);
        if (name) secrets.add(name);
      }
      this.secretNames = [...secrets].sort();
    }
    return this.secretNames;
  }

  private subprocess(node: Node): void {
    const a = args(node);
    const first = a.positional[0];
    if (!first) return;
    const p = pos(node);
    if (first.type === 'list' || first.type === 'tuple') {
      const argv = named(first).map((e) => pyString(e) ?? '${…}');
      commandFacts(this.model, [{ argv, line: p.line, column: p.column, endLine: node.endPosition.row + 1, text: argv.join(' ') }]);
      return;
    }
    const text = pyString(first) ?? pyStringLoose(first);
    if (text) commandFacts(this.model, commandsOfText(text, pos(first).line, pos(first).column + 1));
  }

  /** hvac: kv v1/v2 create_or_update_secret / patch, client.write, secrets.database.configure / create_role. */
  private hvacCall(node: Node, fn: string, last: string): void {
    const a = args(node);
    const p = pos(node);
    if (/\.secrets\.kv(\.v[12])?\.(create_or_update_secret|patch)$/.test(fn) || (/\.kv\./.test(fn) && /^(create_or_update_secret|patch)$/.test(last))) {
      const pathNode = a.keywords.get('path') ?? a.positional[0];
      const mount = pyStringLoose(a.keywords.get('mount_point'));
      const path = pyStringLoose(pathNode) ?? pathNode?.text ?? '';
      const data = this.literalMap(a.keywords.get('secret') ?? a.positional[1]);
      this.model.vaultWrites.push({ path: mount ? `${mount}/${path}` : path, keys: data.keys, values: data.literal.map((l) => l.value), op: 'kv-write', form: `hvac ${last}`, ...p });
      return;
    }
    if (/\.secrets\.database\.(configure|create_role|create_static_role)$/.test(fn)) {
      const name = pyStringLoose(a.keywords.get('name') ?? a.positional[0]) ?? '';
      const path = last === 'configure' ? `database/config/${name}` : `database/${last === 'create_static_role' ? 'static-roles' : 'roles'}/${name}`;
      const values = [...a.keywords.entries()].filter(([k]) => /password|connection_url/.test(k)).map(([, v]) => pyString(v)).filter((v): v is string => v !== undefined && isCodeLiteral(v));
      this.model.vaultWrites.push({ path, keys: [...a.keywords.keys()], values, op: 'database-engine', form: `hvac secrets.database.${last}`, ...p });
      return;
    }
    if (last === 'write' || last === 'write_data') {
      const receiver = fn.slice(0, -last.length - 1);
      if (!/client|vault|hvac/i.test(receiver)) return;
      const pathNode = a.keywords.get('path') ?? a.positional[0];
      const path = pyStringLoose(pathNode) ?? pathNode?.text ?? '';
      const dataNode = a.keywords.get('data') ?? a.positional[1];
      const fromData = this.literalMap(dataNode);
      const keys = [...fromData.keys, ...[...a.keywords.keys()].filter((k) => k !== 'path' && k !== 'data' && k !== 'wrap_ttl')];
      const values = [...fromData.literal.map((l) => l.value), ...[...a.keywords.entries()].filter(([k]) => k !== 'path').map(([, v]) => pyString(v)).filter((v): v is string => v !== undefined && isCodeLiteral(v))];
      const op = /(^|\/)database\/(config|roles|static-roles)\//.test(path) ? 'database-engine' : 'write';
      this.model.vaultWrites.push({ path, keys, values, op, form: `hvac ${last}`, ...p });
    }
  }

  private stringContent(node: Node): void {
    const text = pyString(node) ?? pyStringLoose(node);
    if (!text || text.length < 12) return;
    if (/kind:\s*["']?Secret\b/.test(text)) {
      const start = pos(node);
      const quote = /^[rbfuRBFU]*("""|'''|"|')/.exec(node.text)?.[0].length ?? 1;
      for (const fact of secretsInYamlText(text, start.line, start.column + quote, 'yaml-string')) this.model.inlineSecrets.push(fact);
    }
  }
}
