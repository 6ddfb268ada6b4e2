/**
 * Where a Helm template's scalar gets its value from: `.Values` paths (directly or through `$variables`), Helm
 * generation (`randAlphaNum`-family, `lookup`, generate/manage helper includes), and which `if` blocks enclose a
 * line. Works on the analyzer's `HelmInfo` only (value actions, variables, control actions).
 */
import type { HelmInfo } from '../../analyzers/yaml.js';
import { unquoteGoString } from '../../analyzers/helm/gotemplate.js';
import type { NamedTemplates } from '../../k8s/named-templates.js';
import { isCredentialName, isDatabaseName, words } from '../../k8s/vocabulary.js';

const VALUES_DOTTED = /\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/g;
const VALUES_INDEX = /index\s+\$?\.Values((?:\s+"[^"]*")+)/g;
/** A variable and the fields read off it: `$db.auth.password` is [`$db`, `.auth.password`]. */
const VARIABLE = /(\$[A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)/g;
const GENERATOR_FUNCTIONS = /\b(randAlphaNum|randAlpha|randAscii|randNumeric|randBytes|uuidv4|genPrivateKey|derivePassword)\b/;
const LOOKUP = /\blookup\b/;
const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;
/** Helper names that generate or preserve a credential (bitnami `common.secrets.passwords.manage`, `x.secrets.lookup`, ...). */
const GENERATING_HELPER = /(generat|manage|random|\brand|lookup|getvaluefromsecret|keep)/i;

/** `.Values` paths an expression reads, as ".a.b.c". */
export function valuesRefsOf(expr: string): string[] {
  const refs = new Set<string>();
  // A `required "… .Values.a.NAME.b entry is required"` message names a path; it reads none.
  const code = expr.includes('"') || expr.includes('`') ? expr.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""') : expr;
  for (const m of code.matchAll(VALUES_DOTTED)) refs.add(m[1]!);
  for (const m of expr.matchAll(VALUES_INDEX)) {
    const parts = [...m[1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
    if (parts.length) refs.add(`.${parts.join('.')}`);
  }
  return [...refs];
}

/** Dot fields an action reads (`.node.tls.password`, `.auth.password`), not Helm's own objects (`.Values`, `.Release` …). */
const DOT_FIELD = /(?<![\w$)\].])\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g;
const HELM_OBJECTS = new Set(['Values', 'Release', 'Chart', 'Capabilities', 'Files', 'Template', 'Subcharts']);

/**
 * Inside a named template the dot is whatever the caller passed (`include "x" (dict "root" $ "node" $dep)`): the fields
 * it reads are the caller's values. Paths through Helm's own objects (`.root.Values.x`, `.root.Release.Name`) are not
 * among them: valuesRefsOf reads the first, the second is no value.
 */
export function callerFieldRefs(expr: string): string[] {
  const refs = new Set<string>();
  for (const m of expr.matchAll(DOT_FIELD)) {
    const path = m[1]!;
    if (path.split('.').some((segment) => HELM_OBJECTS.has(segment))) continue;
    refs.add(`.${path}`);
  }
  return [...refs];
}

const BARE_DOT = /(?:^|[\s(])\.(?=$|[\s)|])/;
const VALUES_OPERAND = /^\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)$/;
const DOT_OPERAND = /^\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/;

/**
 * The `.Values` path the dot stands for at LINE: `with .Values.auth` makes it `.auth`, a `with .redis.password` (or
 * `range`) inside that `.auth.redis.password`. Undefined at the top level and wherever a block binds the dot to
 * something else (a variable, a function's result) or the line may sit in a `with`'s else branch.
 */
export function dotValuesPath(helm: HelmInfo | undefined, line: number): string | undefined {
  let dot: string | undefined;
  for (const c of enclosingControls(helm, line)) {
    if (c.keyword !== 'with' && c.keyword !== 'range') continue;
    const expr = c.expr
      .trim()
      .replace(/^(with|range)\s+/, '')
      .replace(/^(\$\w+\s*,\s*)?\$\w+\s*:=\s*/, '');
    if (/\belse\b/.test(expr)) return undefined;
    const operand = expr.split('|')[0]!.trim();
    const fromValues = VALUES_OPERAND.exec(operand);
    const fromDot = DOT_OPERAND.exec(operand);
    if (fromValues) dot = fromValues[1]!;
    else if (fromDot && dot !== undefined && !HELM_OBJECTS.has(fromDot[1]!.split('.')[0]!)) dot = `${dot}.${fromDot[1]!}`;
    else return undefined;
  }
  return dot;
}

/** `.Values` paths an expression reads through the dot that enclosing `with`/`range` blocks bound to values. */
export function dotRelativeRefs(expr: string, helm: HelmInfo | undefined, line: number): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
  const fields = callerFieldRefs(code);
  const bare = BARE_DOT.test(code);
  if (fields.length === 0 && !bare) return [];
  const dot = dotValuesPath(helm, line);
  if (dot === undefined) return [];
  return [...fields.map((f) => `${dot}${f}`), ...(bare ? [dot] : [])];
}

/**
 * The space-separated operands of a Go-template call (`and .a (eq .b "x") .c`, the arguments of a printf), keeping
 * parenthesised groups and quoted strings whole; with `untilPipe`, the operands before the first top-level `|`.
 */
export function actionOperands(args: string, untilPipe = false): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i <= args.length; i++) {
    const c = args[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && (c === undefined || c === ' ' || c === '\t' || (untilPipe && c === '|'))) {
      if (i > start) out.push(args.slice(start, i));
      if (c === '|') break;
      start = i + 1;
    }
  }
  return out;
}

export interface ExprSources {
  /** `.Values` paths read by the expression or the variables it uses (transitively). */
  valuesRefs: string[];
  /** The value is (or falls back to) a Helm-generated or cluster-preserved one. */
  generated: boolean;
}

const sourcesByHelm = new WeakMap<HelmInfo, Map<string, ExprSources>>();
const sourcesByTemplates = new WeakMap<NamedTemplates, WeakMap<HelmInfo, Map<string, ExprSources>>>();

/**
 * Sources of an expression, following `$variable` assignments recorded by the Go-template front end and, given the
 * tree's named templates, what an `include` renders. A top-level answer is a pure function of the expression, the
 * template's HelmInfo and the named templates: remembered per template (several rules ask about every data key of
 * every templated Secret). The result is shared: read it, never change it.
 */
export function exprSources(expr: string, helm: HelmInfo | undefined, templates?: NamedTemplates): ExprSources {
  if (!helm) return traceSources(expr, helm, templates, 0, new Set());
  let byHelm = sourcesByHelm;
  if (templates) {
    const known = sourcesByTemplates.get(templates);
    if (known) byHelm = known;
    else sourcesByTemplates.set(templates, (byHelm = new WeakMap()));
  }
  let memo = byHelm.get(helm);
  if (!memo) {
    memo = new Map();
    byHelm.set(helm, memo);
  }
  let sources = memo.get(expr);
  if (!sources) {
    sources = traceSources(expr, helm, templates, 0, new Set());
    Object.freeze(sources.valuesRefs);
    memo.set(expr, Object.freeze(sources));
  }
  return sources;
}

function traceSources(expr: string, helm: HelmInfo | undefined, templates: NamedTemplates | undefined, depth: number, seen: Set<string>): ExprSources {
  const refs = new Set(valuesRefsOf(expr));
  let generated = GENERATOR_FUNCTIONS.test(expr) || LOOKUP.test(expr);
  for (const m of expr.matchAll(INCLUDE)) {
    const included = includedSources(m[1]!, helm?.chartRoot ?? '.', templates, depth, seen);
    included.valuesRefs.forEach((r) => refs.add(r));
    generated ||= included.generated;
  }
  if (helm && depth < 5) {
    for (const m of expr.matchAll(VARIABLE)) {
      const [, name, fields] = m as unknown as [string, string, string];
      if (seen.has(name)) continue;
      seen.add(name);
      for (const assigned of helm.variables[name] ?? []) {
        const inner = traceSources(assigned.replace(/^range\s+/, ''), helm, templates, depth + 1, seen);
        // `$db.password` with `$db := .Values.auth` (or a `merge`/`deepCopy` of values maps) reads `.auth.password`
        inner.valuesRefs.forEach((r) => refs.add(r + fields));
        generated ||= inner.generated;
      }
    }
  }
  return { valuesRefs: [...refs], generated };
}

/**
 * What `include "NAME"` renders from: the values its body (and the templates it includes) read, and whether it
 * generates. A name no chart of the tree defines (a library outside it) generates when it says so
 * (`common.secrets.passwords.manage`, `x.randomPassword`).
 */
function includedSources(name: string, chartRoot: string, templates: NamedTemplates | undefined, depth: number, seen: Set<string>): ExprSources {
  const key = `include ${name}`;
  const found = templates?.find(name, chartRoot);
  if (!found || depth >= 5 || seen.has(key)) return { valuesRefs: [], generated: GENERATING_HELPER.test(name) };
  seen.add(key);
  const refs = new Set(found.template.valuesRefs);
  let generated = found.template.generated || GENERATING_HELPER.test(name);
  for (const inner of found.template.includes) {
    const sources = includedSources(inner, found.chartRoot, templates, depth + 1, seen);
    sources.valuesRefs.forEach((r) => refs.add(r));
    generated ||= sources.generated;
  }
  return { valuesRefs: [...refs], generated };
}

const GO_STRING = '"(?:[^"\\\\]|\\\\.)*"|`[^`]*`';
const LITERAL_SEGMENT = new RegExp(`^(?:print\\s+)?(${GO_STRING})$`);
const DEFAULT_SEGMENT = new RegExp(`^default\\s+(${GO_STRING})(?:\\s+(?:\\$?\\.[\\w.]*|\\$\\w+))?$`);
const READ_SEGMENT = /^(?:\$?\.[\w.]*|\$\w+(?:\.[\w.]+)?)$/;
const TEXT_FUNCTIONS = new Set(['quote', 'squote', 'trim', 'toString', 'b64enc']);

/**
 * The string a Helm action commits in the chart itself: `{{ "123456" | b64enc }}`, `{{ print "pw" }}`, or the
 * fallback of `{{ .Values.pw | default "changeme" | quote }}`. Undefined for anything else (a `required` message is
 * not a value, nor is what `include` or a generator makes). `encoded` when the pipeline base64-encodes it.
 */
export function helmLiteral(text: string): { value: string; encoded: boolean } | undefined {
  const whole = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/.exec(text.trim());
  if (!whole || whole[1]!.includes('{{')) return undefined;
  const segments = pipelineSegments(whole[1]!);
  let value: string | undefined;
  let encoded = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const literal = i === 0 ? LITERAL_SEGMENT.exec(segment) : null;
    const fallback = DEFAULT_SEGMENT.exec(segment);
    if (literal) value = unquote(literal[1]!);
    else if (fallback) value ??= unquote(fallback[1]!);
    else if (i === 0 && READ_SEGMENT.test(segment)) continue;
    else if (i > 0 && TEXT_FUNCTIONS.has(segment)) encoded ||= segment === 'b64enc';
    else return undefined;
  }
  return value === undefined ? undefined : { value, encoded };
}

/** The commands of a pipeline, split on the `|` outside strings. */
function pipelineSegments(expr: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c: string = expr[i]!;
    if (c === '"') {
      for (i++; i < expr.length && expr[i] !== '"'; i++) if (expr[i] === '\\') i++;
    } else if (c === '`') {
      const close = expr.indexOf('`', i + 1);
      i = close < 0 ? expr.length : close;
    } else if (c === '|') {
      out.push(expr.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(expr.slice(start).trim());
  return out;
}

function unquote(literal: string): string {
  return literal.startsWith('`') ? literal.slice(1, -1) : unquoteGoString(literal);
}

/** The `{{ expr }}` pieces of a scalar's text (the YAML model keeps Helm expressions as text). */
export function templateExprs(text: string): string[] {
  return [...text.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1]!);
}

const CONNECTION_WORDS = new Set(['url', 'uri', 'dsn', 'connection', 'conn', 'jdbc']);
const SERVICE_WORDS = new Set(['redis', 'amqp', 'rabbitmq', 'broker', 'mongo', 'mongodb', 'ldap', 'smtp', 'mail', 'celery', 'cache', 'kafka', 'nats']);

/** A values path (or key) that holds a credential: password, token, secret, ...; or a database/service URL that usually embeds one. */
export function isCredentialPath(path: string, extra: readonly string[] = []): boolean {
  const segments = path.split('.').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';
  if (namesASecretPath(last)) return false;
  if (isCredentialName(last, { extra })) return true;
  return isCredentialUrlName(segments.slice(-2).join('.'));
}

/** DATABASE_URL, database.url, redisUri, POSTGRES_DSN: connection strings that usually carry a password. */
export function isCredentialUrlName(name: string): boolean {
  const w = words(name);
  if (!w.some((x) => CONNECTION_WORDS.has(x))) return false;
  if (w.includes('dsn')) return true;
  return isDatabaseName(name) || w.some((x) => SERVICE_WORDS.has(x));
}

/** Expressions of the `if`/`with` blocks open at `line` (outermost first). `else` keeps the `if` it belongs to. */
export function enclosingConditions(helm: HelmInfo | undefined, line: number): string[] {
  return enclosingControls(helm, line).map((c) => c.expr);
}

/** The if/with/range blocks open at LINE, outermost first (an `else` joins its expression to its block's). */
export function enclosingControls(helm: HelmInfo | undefined, line: number): { keyword: string; expr: string }[] {
  const stack: { keyword: string; expr: string }[] = [];
  for (const c of helm?.controls ?? []) {
    if (c.line >= line) break;
    if (c.keyword === 'if' || c.keyword === 'with' || c.keyword === 'range') stack.push({ keyword: c.keyword, expr: c.expr });
    else if (c.keyword === 'end') stack.pop();
    else if (c.keyword === 'else' && stack.length) stack[stack.length - 1] = { ...stack[stack.length - 1]!, expr: `${stack[stack.length - 1]!.expr} ${c.expr}` };
  }
  return stack;
}

/** Is a block guarded by an existingSecret check (directly, or through a `*.createSecret` helper that makes it)? */
export function guardedByExistingSecret(conditions: readonly string[]): boolean {
  // existingSecret, existing-secret, existingPasswordSecret, auth.existingSecretName; or the negated name of the user's
  // own Secret (`not .Values.fernetKeySecretName`, `not .Values.auth.secretName`): rendered only when none is named.
  return conditions.some((c) => /existing[-_]?[A-Za-z]*?secret/i.test(c) || NO_SECRET_NAMED.test(c) || [...c.matchAll(INCLUDE)].some((m) => /create[-_.]?secret/i.test(m[1]!)));
}

const NO_SECRET_NAMED = /\bnot\s+\(?\s*\$?\.Values(?:\.[\w-]+)*?\.[\w-]*secret[-_]?name\b/i;

/** Values paths that configure a Secret rather than feed it: names, switches, key names, annotations. */
export function isSettingPath(ref: string): boolean {
  const w = words(ref.split('.').filter(Boolean).pop() ?? '');
  const last = w[w.length - 1] ?? '';
  return w[0] === 'existing' || w[0] === 'force' || ['name', 'key', 'keys', 'enabled', 'create', 'annotations', 'labels', 'namespace', 'ref', 'type', 'host', 'port', 'user', 'username', 'database', 'count', 'replicas', 'size', 'length'].includes(last);
}

/** Words before a trailing `Secret` that make the values key the name of a Secret: extraEnvVarsSecret, userSecret, tlsSecret. */
const SECRET_NAME_QUALIFIERS = new Set(['env', 'vars', 'var', 'extra', 'user', 'users', 'config', 'configuration', 'tls', 'ca', 'cert', 'certs', 'pull', 'image', 'registry', 'keystore', 'truststore', 'ssh', 'files', 'file', 'volume', 'mount']);

/** A values key that holds the name of a Kubernetes Secret rather than a secret value. */
export function namesASecretPath(key: string): boolean {
  const w = words(key);
  return w.length > 1 && ['secret', 'secrets'].includes(w[w.length - 1]!) && w.slice(0, -1).some((x) => SECRET_NAME_QUALIFIERS.has(x));
}
