/**
 * Go tests (`*_test.go`), parsed with the tree-sitter Go grammar. Facts: `os.Getenv` followed by a literal
 * assignment when empty (and `os.LookupEnv` + `!ok`), env helpers with a literal default, `corev1.Secret` literals
 * with StringData/Data, Azure Key Vault SDK clients, Secret manifests in raw strings.
 */
import type { Analyzer, FileContext } from '../types.js';
import { isCodeLiteral, isTestDouble } from './judge.js';
import { emptyModel, harnessRole, hasFacts, secretsInYamlText, type HarnessModel, type HarnessRole, type InlineSecretFact } from './model.js';
import { firstError, named, pos, treeSitterParser, walk, type Node } from './treesitter.js';

const ENV = /\bos\.(?:Getenv|LookupEnv)\b|[Ee]nv\w*\(\s*"/;
/** Struct tags of env-config libraries carrying a default: `default:"…"`, `envDefault:"…"`, `env-default:"…"`, `env:"X, default=…"`. */
const TAG_DEFAULT = /`[^`\n]*\b(?:envconfig|env)\s*:\s*"[^`\n]*(?:\b(?:default|envDefault|env-default)\s*:\s*"|,\s*default=)/;
const SECRET = /\.Secret\{|kind:\s*Secret/;
const KEY_VAULT = /keyvault/i;

/** Pulumi's Kubernetes SDK: `corev1.NewSecret(ctx, "name", &corev1.SecretArgs{StringData: pulumi.StringMap{…}})`. */
const PULUMI_K8S = /pulumi\/pulumi-kubernetes\/sdk/;
const PULUMI_SECRET_ARGS = /\.SecretArgs\{/;

/** Cheap text test before parsing. */
export function goPrefilter(text: string, role: HarnessRole): boolean {
  if (PULUMI_K8S.test(text) && PULUMI_SECRET_ARGS.test(text)) return true;
  if (role !== 'test') return false;
  return ENV.test(text) || TAG_DEFAULT.test(text) || SECRET.test(text) || KEY_VAULT.test(text);
}

export const goAnalyzer: Analyzer<HarnessModel> = {
  id: 'tests-go',
  claims: (file: FileContext) => /\.go$/i.test(file.path),
  sniff: (text, file) => goPrefilter(text, harnessRole(file)),
  async parse(text, file, context) {
    const parser = await treeSitterParser('go');
    const tree = parser.parse(text);
    if (!tree) {
      context.diagnostic({ code: 'parse-error', message: 'Go: the parser returned no tree' });
      return undefined;
    }
    try {
      const error = firstError(tree.rootNode);
      if (error) context.diagnostic({ code: 'parse-error', message: `Go: ${error.message}`, line: error.line });
      const model = emptyModel('go', harnessRole(file));
      new GoWalker(model).run(tree.rootNode);
      return hasFacts(model) ? model : undefined;
    } finally {
      tree.delete();
    }
  },
};

export function goString(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'raw_string_literal') return node.text.slice(1, -1);
  if (node.type === 'interpreted_string_literal') {
    try {
      return JSON.parse(node.text.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')) as string;
    } catch {
      return node.text.slice(1, -1);
    }
  }
  // []byte("x")
  if ((node.type === 'call_expression' || node.type === 'type_conversion_expression') && /^\[\]byte\(/.test(node.text)) {
    const inner = named(node).find((c) => c.type === 'argument_list');
    const arg = inner ? named(inner)[0] : named(node).find((c) => c.type === 'interpreted_string_literal' || c.type === 'raw_string_literal');
    return goString(arg);
  }
  return undefined;
}

function callName(node: Node): string {
  return node.childForFieldName('function')?.text ?? '';
}

function callArgs(node: Node): Node[] {
  const list = node.childForFieldName('arguments');
  return list ? named(list).filter((c) => c.type !== 'comment') : [];
}

/** `os.Getenv("X")` -> X. */
function getenvOf(node: Node | undefined, str: (n: Node | undefined) => string | undefined = goString): string | undefined {
  if (!node || node.type !== 'call_expression' || !/^os\.(Getenv|LookupEnv)$/.test(callName(node))) return undefined;
  return str(callArgs(node)[0]);
}

/** The file's package-level string constants (`const defaultAdminPassword = "x"`, grouped or not): name -> value. */
function stringConstants(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const decl of named(root)) {
    if (decl.type !== 'const_declaration') continue;
    for (const spec of named(decl).filter((c) => c.type === 'const_spec')) {
      const names = named(spec).filter((c) => c.type === 'identifier');
      const values = exprList(spec.childForFieldName('value'));
      if (names.length !== values.length) continue;
      names.forEach((n, i) => {
        const v = goString(values[i]);
        if (v !== undefined) out.set(n.text, v);
      });
    }
  }
  return out;
}

function exprList(node: Node | null): Node[] {
  if (!node) return [];
  return node.type === 'expression_list' ? named(node) : [node];
}

/** The nodes GoWalker.run looks at. */
const GO_VISITED: ReadonlySet<string> = new Set(['block', 'call_expression', 'composite_literal', 'import_spec', 'field_declaration', 'raw_string_literal', 'interpreted_string_literal']);

class GoWalker {
  private constants = new Map<string, string>();

  constructor(private readonly model: HarnessModel) {}

  /** A string literal, or a package-level string constant naming one (`GetEnvWithDefault(EnvAdminPassword, defaultAdminPassword)`). */
  private str = (node: Node | null | undefined): string | undefined => goString(node) ?? (node?.type === 'identifier' ? this.constants.get(node.text) : undefined);

  run(root: Node): void {
    this.constants = stringConstants(root);
    walk(root, GO_VISITED, (node) => {
      switch (node.type) {
        case 'block':
          this.block(node);
          break;
        case 'call_expression':
          this.helperCall(node);
          break;
        case 'composite_literal':
          this.secretLiteral(node);
          break;
        case 'import_spec':
          this.importSpec(node);
          break;
        case 'field_declaration':
          this.structTagDefault(node);
          break;
        case 'raw_string_literal':
        case 'interpreted_string_literal':
          this.stringContent(node);
          break;
        default:
          break;
      }
    });
  }

  private testingParam(node: Node): string | undefined {
    let f: Node | null = node.parent;
    while (f && f.type !== 'function_declaration' && f.type !== 'method_declaration' && f.type !== 'func_literal') f = f.parent;
    while (f) {
      const params = f.childForFieldName('parameters');
      for (const p of params ? named(params) : []) {
        if (/^\*?testing\.(T|B|TB|F)$/.test(p.childForFieldName('type')?.text ?? '')) {
          const name = named(p).find((c) => c.type === 'identifier')?.text;
          if (name) return name;
        }
      }
      f = f.parent;
      while (f && f.type !== 'function_declaration' && f.type !== 'method_declaration' && f.type !== 'func_literal') f = f.parent;
    }
    return undefined;
  }

  /** In a block: `v := os.Getenv("X")` (or LookupEnv) followed by `if v == "" { v = "literal" }`. */
  private block(block: Node): void {
    const vars = new Map<string, { variable: string; ok?: string }>();
    for (const stmt of named(block)) {
      if (stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement' || stmt.type === 'var_declaration') {
        const specs = stmt.type === 'var_declaration' ? named(stmt).filter((s) => s.type === 'var_spec') : [stmt];
        for (const spec of specs) {
          const left = stmt.type === 'var_declaration' ? named(spec).filter((c) => c.type === 'identifier') : exprList(spec.childForFieldName('left'));
          const right = stmt.type === 'var_declaration' ? exprList(spec.childForFieldName('value')) : exprList(spec.childForFieldName('right'));
          const variable = getenvOf(right[0], this.str);
          if (variable && left[0]) vars.set(left[0].text, { variable, ...(left[1] ? { ok: left[1].text } : {}) });
        }
        continue;
      }
      if (stmt.type !== 'if_statement') continue;
      const condition = stmt.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
      for (const [name, info] of vars) {
        const empty = condition === `${name}==""` || condition === `""==${name}` || condition === `len(${name})==0` || (info.ok !== undefined && condition === `!${info.ok}`);
        if (!empty) continue;
        const consequence = stmt.childForFieldName('consequence');
        for (const inner of consequence ? named(consequence) : []) {
          if (inner.type !== 'assignment_statement') continue;
          const left = exprList(inner.childForFieldName('left'));
          const right = exprList(inner.childForFieldName('right'));
          if (left[0]?.text !== name || !right[0]) continue;
          const fallback = this.str(right[0]);
          if (fallback === undefined) continue;
          const testingParam = this.testingParam(inner);
          this.model.fallbacks.push({ variable: info.variable, fallback, form: 'if-empty-assign', binding: name, ...pos(right[0]), ...(testingParam ? { testingParam } : {}) });
        }
      }
    }
  }

  /** `getEnv("X", "default")`, `envOr("X", "x")`, `cmp.Or(os.Getenv("X"), "x")`. */
  private helperCall(node: Node): void {
    const name = callName(node);
    const args = callArgs(node);
    if (args.length < 2) return;
    let variable: string | undefined;
    if (name === 'cmp.Or') variable = getenvOf(args[0], this.str);
    // Env readers with a default (`getEnv("X", "d")`), not writers (`t.Setenv("X", "v")` sets a value for the code under test).
    else if (/env/i.test(name.replace(/^.*\./, '')) && !/^os\./.test(name) && !/^(un)?set/i.test(name.replace(/^.*\./, ''))) variable = this.str(args[0]);
    if (!variable || !/^[A-Z][A-Z0-9_]*$/.test(variable)) return;
    const fallbackNode = args[args.length - 1]!;
    const fallback = this.str(fallbackNode);
    if (fallback === undefined) return;
    let p = node.parent;
    while (p && p.type === 'expression_list') p = p.parent;
    const binding = p && (p.type === 'short_var_declaration' || p.type === 'assignment_statement') ? exprList(p.childForFieldName('left'))[0]?.text : undefined;
    const testingParam = this.testingParam(node);
    this.model.fallbacks.push({ variable, fallback, form: 'helper-default', ...pos(fallbackNode), ...(binding ? { binding } : {}), ...(testingParam ? { testingParam } : {}) });
  }

  /**
   * Env-config struct tags with a default: the library reads the variable and uses the literal when it is unset, the
   * same fallback as `os.Getenv` + assignment. kelseyhightower/envconfig `envconfig:"X" default:"…"` (name from the
   * field, or split_words), caarlos0/env `env:"X" envDefault:"…"`, ilyakaznacheev/cleanenv `env:"X" env-default:"…"`,
   * sethvargo/go-envconfig `env:"X, default=…"`.
   */
  private structTagDefault(node: Node): void {
    const tagNode = node.childForFieldName('tag');
    const field = node.childForFieldName('name')?.text;
    const tagText = goString(tagNode);
    if (!tagNode || !field || tagText === undefined) return;
    const tag = parseStructTag(tagText);
    const env = tag.get('env');
    const envParts = env?.split(',').map((p) => p.trim()) ?? [];
    let variable: string | undefined;
    let fallback: string | undefined;
    let required: string;
    if (tag.has('envconfig') || (tag.has('default') && !tag.has('env'))) {
      if (!tag.has('envconfig') && !tag.has('split_words')) return;
      fallback = tag.get('default');
      const name = tag.get('envconfig')?.split(',')[0]?.trim();
      variable = name || (tag.get('split_words') === 'true' ? field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2') : field).toUpperCase();
      required = tagText.replace(/\s*\bdefault:"(?:[^"\\]|\\.)*"/, '') + ' required:"true"';
    } else if (env !== undefined) {
      variable = envParts[0] || undefined;
      if (tag.has('envDefault')) {
        fallback = tag.get('envDefault');
        required = tagText.replace(/\s*\benvDefault:"(?:[^"\\]|\\.)*"/, '').replace(/\benv:"([^"]*)"/, (_m, v: string) => `env:"${v},required,notEmpty"`);
      } else if (tag.has('env-default')) {
        fallback = tag.get('env-default');
        required = tagText.replace(/\s*\benv-default:"(?:[^"\\]|\\.)*"/, '') + ' env-required:"true"';
      } else {
        const d = envParts.find((p) => p.startsWith('default='));
        if (d === undefined) return;
        fallback = d.slice('default='.length);
        required = tagText.replace(/\benv:"([^"]*)"/, `env:"${[envParts[0], ...envParts.slice(1).filter((p) => !p.startsWith('default=')), 'required'].join(', ')}"`);
      }
    } else return;
    if (!variable || fallback === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) return;
    const type = node.childForFieldName('type')?.text ?? 'string';
    this.model.fallbacks.push({ variable, fallback, form: 'struct-tag-default', binding: field, structField: `${field} ${type} \`${required.trim()}\``, ...pos(tagNode) });
  }

  private keyed(literal: Node): { key: string; value: Node; node: Node }[] {
    const body = literal.childForFieldName('body');
    const out: { key: string; value: Node; node: Node }[] = [];
    for (const el of body ? named(body) : []) {
      if (el.type !== 'keyed_element') continue;
      const parts = named(el);
      const keyNode = parts[0]?.type === 'literal_element' ? named(parts[0])[0] : parts[0];
      const valueNode = parts[1]?.type === 'literal_element' ? named(parts[1])[0] : parts[1];
      if (!keyNode || !valueNode) continue;
      const key = goString(keyNode) ?? keyNode.text;
      out.push({ key, value: valueNode, node: el });
    }
    return out;
  }

  private secretLiteral(node: Node): void {
    const type = node.childForFieldName('type');
    const pulumi = type !== null && /^\w+\.SecretArgs$/.test(type.text);
    if (!type || (!/^\w+\.Secret$/.test(type.text) && !pulumi)) return;
    // Pulumi wraps every value in an input: `pulumi.String("x")`, `pulumi.StringPtr("x")`; its metadata is `&metav1.ObjectMetaArgs{…}`.
    const unwrap = (n: Node | undefined): Node | undefined => {
      if (n?.type === 'unary_expression') return unwrap(n.childForFieldName('operand') ?? undefined);
      if (pulumi && n?.type === 'call_expression' && /^pulumi\.(String|StringPtr)$/.test(callName(n))) return callArgs(n)[0];
      return n;
    };
    const fields = this.keyed(node);
    const keys: string[] = [];
    const literal: { key: string; value: string; node: Node }[] = [];
    for (const section of ['StringData', 'Data']) {
      const map = unwrap(fields.find((f) => f.key === section)?.value);
      if (!map || map.type !== 'composite_literal') continue;
      for (const e of this.keyed(map)) {
        keys.push(e.key);
        const v = goString(unwrap(e.value));
        if (v !== undefined && isCodeLiteral(v)) literal.push({ key: e.key, value: v, node: e.node });
      }
    }
    // `&corev1.Secret{}` handed to a client Get is a read: a Secret built to be created names itself or holds data.
    if (!pulumi && fields.some((f) => ['ObjectMeta', 'StringData', 'Data'].includes(f.key))) (this.model.secretObjects ??= []).push(pos(node));
    // A Pulumi Secret is inventoried whatever fills it (cfg.RequireSecret): kept without literals too.
    if (literal.length === 0 && !pulumi) return;
    const meta = unwrap(fields.find((f) => f.key === (pulumi ? 'Metadata' : 'ObjectMeta'))?.value);
    const metaFields = meta?.type === 'composite_literal' ? this.keyed(meta) : [];
    let name = goString(unwrap(metaFields.find((f) => f.key === 'Name')?.value));
    const namespace = goString(unwrap(metaFields.find((f) => f.key === 'Namespace')?.value));
    if (pulumi && !name) {
      // `corev1.NewSecret(ctx, "orders-db", &corev1.SecretArgs{…})`: the resource name.
      let call: Node | null = node.parent;
      while (call && call.type !== 'call_expression') call = call.parent;
      name = call ? goString(callArgs(call)[1]) : undefined;
    }
    const fact: InlineSecretFact = {
      ...pos(literal[0]?.node ?? node),
      endLine: (literal[literal.length - 1]?.node ?? node).endPosition.row + 1,
      keys,
      literalKeys: literal.map((l) => l.key),
      values: literal.map((l) => l.value),
      form: pulumi ? 'pulumi-secret' : 'corev1.Secret',
    };
    if (name && isCodeLiteral(name)) fact.name = name;
    if (namespace && isCodeLiteral(namespace)) fact.namespace = namespace;
    this.model.inlineSecrets.push(fact);
  }

  /**
   * A Key Vault SDK import, reported when the file builds a client that reaches the vault: `azsecrets.NewClient(url,
   * cred, nil)` (the legacy SDK: `keyvault.New()`) with a credential that is not a test double. An import for the
   * response types next to a mock is no read.
   */
  private importSpec(node: Node): void {
    const path = goString(node.childForFieldName('path'));
    if (!path || !/keyvault\/(azsecrets|keyvault)|services\/keyvault\//.test(path)) return;
    let root: Node = node;
    while (root.parent) root = root.parent;
    const pkg = node.childForFieldName('name')?.text ?? path.replace(/^.*\//, '');
    const constructors = new Set([`${pkg}.NewClient`, `${pkg}.New`, `${pkg}.NewWithoutDefaults`]);
    const buildsClient = root.descendantsOfType('call_expression').some((call) => call !== null && constructors.has(callName(call)) && !isTestDouble(callArgs(call)[1]?.text ?? ''));
    if (!buildsClient) return;
    const secrets = new Set<string>();
    for (const call of root.descendantsOfType('call_expression')) {
      if (!call || !/\.GetSecret$/.test(callName(call))) continue;
      for (const a of callArgs(call)) {
        const s = goString(a);
        if (s && /^[A-Za-z0-9-]+$/.test(s)) {
          secrets.add(s);
          break;
        }
      }
    }
    this.model.keyVault.push({ form: `import ${path.replace(/^.*\/sdk\//, '')}`, secrets: [...secrets].sort(), ...pos(node) });
  }

  private stringContent(node: Node): void {
    if (node.text.length < 20 || !/kind:\s*["']?Secret\b/.test(node.text)) return;
    const text = goString(node);
    if (!text) return;
    const start = pos(node);
    for (const fact of secretsInYamlText(text, start.line, start.column + 1, 'yaml-string')) this.model.inlineSecrets.push(fact);
  }
}

/** A Go struct tag (`key:"value" key2:"value2"`, reflect.StructTag conventions). */
export function parseStructTag(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([A-Za-z_][\w-]*):"((?:[^"\\]|\\.)*)"/g)) {
    let value = m[2]!;
    try {
      value = JSON.parse(`"${value}"`) as string;
    } catch {
      // keep as written
    }
    if (!out.has(m[1]!)) out.set(m[1]!, value);
  }
  return out;
}
