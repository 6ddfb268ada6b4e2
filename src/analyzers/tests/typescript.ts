/**
 * TS/JS tests, test configs and Kubernetes/Vault client scripts, parsed syntax-only with the TypeScript parser that
 * ts-morph ships (no program, no type checking, no module resolution). ts-morph is imported lazily, and only files
 * that pass a cheap text prefilter are parsed at all.
 */
import { createRequire } from 'node:module';
import type { ts as TS } from 'ts-morph';
import { basename, dirname, joinPosix } from '../../util/path.js';
import type { Analyzer, FileContext } from '../types.js';
import { isCodeLiteral, isTestDouble } from './judge.js';
import { emptyModel, harnessRole, hasFacts, secretsInYamlText, TEST_CONFIG_NAME, type HarnessModel, type HarnessRole, type InlineSecretFact, type KeyVaultFact } from './model.js';
import { commandFacts, commandsOfText } from './commands.js';

type Ts = typeof TS;

const TS_FILE = /\.(?:[cm]?[jt]sx?)$/i;
const SKIP_FILE = /\.d\.[cm]?ts$|\.min\.[cm]?js$|\.bundle\.[cm]?js$/i;

const ENV_READ = /process\.env|import\.meta\.env|Deno\.env/;
const ENV_FALLBACK = /\?\?|\|\||\}\s*=\s*(?:process|import\.meta)\.env|\.env\.[A-Za-z_$][\w$]*\s*\?|\.env\[[^\]]+\]\s*\?/;
const CREDENTIAL_PARAM_DEFAULT = /\b\w*(?:password|passwd|secret|token|apikey|api_key)\w*\s*(?::\s*string\s*)?=\s*['"`]/i;
const K8S_SECRET = /kind['"]?\s*:\s*['"`]?Secret\b|V1Secret|(?:create|replace|patch)NamespacedSecret/;
const KEY_VAULT = /keyvault/i;
/**
 * Infrastructure-as-code that declares Kubernetes objects in TS/JS: Pulumi (`new k8s.core.v1.Secret(name, args)`) and
 * cdk8s (`new KubeSecret(this, id, props)`, `new kplus.Secret(...)`). A Secret declared there with literal stringData
 * is a committed Secret, like a manifest's.
 */
const IAC_K8S = /@pulumi\/kubernetes|['"]cdk8s(?:-plus[\w-]*)?['"]|\/imports\/k8s['"]/;
const IAC_SECRET_CALLEE = /(?:^|\.)(?:core\.v1\.Secret|KubeSecret|Secret)$/;
const VAULT_CLIENT = /node-vault|hashi-vault|@hashicorp\/vault|vault\s+(?:kv\s+(?:put|patch)|write)\b/;
const K8S_CLIENT = /@kubernetes\/client-node|kubernetes-client|kubectl\s+(?:create|apply)/;
/** `const { A = 'x' } = process.env`, `process.env.X ? process.env.X : 'x'`: forms the name test above does not see. */
const DESTRUCTURED_ENV = /\}\s*=\s*(?:process|import\.meta)\.env\b/;
const CONDITIONAL_ENV = /\.env(?:\.[A-Za-z_$][\w$]*|\[[^\]]+\])\s*\?(?!\?)/;
/** A URL with userinfo or a password parameter anywhere in the file: a DSN fallback under any variable name. */
const URL_USERINFO = /:\/\/[^\s/:@'"`]*:[^\s@'"`]+@|[?&;]password=/i;
const VITE_CONFIG = /^vite\.config\.[cm]?[jt]s$/i;
/** A test runner configuration naming its setup files. */
const SETUP_REFS = /\b(?:globalSetup|globalTeardown|setupFiles|setupFilesAfterEnv|supportFile)\b/;
/** A credential-named env variable read with a literal fallback: setup code outside test folders (a Jest `globalSetup` under `jest/`). */
const CREDENTIAL_ENV_FALLBACK = /(?:process\.env|import\.meta\.env)(?:\.|\[\s*['"`])\w*(?:pass|pwd|secret|token|key|dsn|url|uri|credential|auth)\w*(?:['"`]\s*\])?\s*(?:\?\?|\|\|)/i;

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
const PROCESS_MODULE = String.raw`(?:require\(\s*['"](?:node:)?process['"]\s*\)|process)`;
/** `const env = process.env` (not `process.env.X`). */
const ENV_VARIABLE_ALIAS = new RegExp(String.raw`\b(?:const|let|var)\s+(${IDENT})\s*(?::[^=;\n]+)?=\s*process\.env\b(?!\s*(?:\?\.|[.[]))`, 'g');
/** `const { env } = process`, `const { env: e, argv } = require('node:process')`. */
const ENV_DESTRUCTURED_ALIAS = new RegExp(String.raw`\{([^{}]*\benv\b[^{}]*)\}\s*=\s*${PROCESS_MODULE}(?!\s*(?:\?\.|[.[]))`, 'g');
/** `import { env } from 'node:process'`, `import { env as e } from 'process'`. */
const ENV_IMPORT_ALIAS = /\bimport\s*\{([^{}]*\benv\b[^{}]*)\}\s*from\s*['"](?:node:)?process['"]/g;
/** `import proc from 'node:process'`, `import * as proc from 'process'`, `const proc = require('process')`: `proc.env`. */
const PROCESS_MODULE_ALIAS = new RegExp(String.raw`\bimport\s+(?:\*\s+as\s+)?(${IDENT})\s+from\s*['"](?:node:)?process['"]|\b(?:const|let|var)\s+(${IDENT})\s*=\s*require\(\s*['"](?:node:)?process['"]\s*\)`, 'g');

/** Names the file gives `process.env` (`env` for `const { env } = process`) and the `process` module (`proc` for `import proc from 'node:process'`). */
export function envAliases(text: string): { env: Set<string>; process: Set<string> } {
  const env = new Set<string>();
  const proc = new Set<string>();
  if (!text.includes('process')) return { env, process: proc };
  for (const m of text.matchAll(ENV_VARIABLE_ALIAS)) env.add(m[1]!);
  for (const m of [...text.matchAll(ENV_DESTRUCTURED_ALIAS), ...text.matchAll(ENV_IMPORT_ALIAS)]) {
    for (const part of m[1]!.split(',')) {
      const b = new RegExp(String.raw`^\s*env\s*(?:(?::|\bas\b)\s*(${IDENT}))?\s*$`).exec(part);
      if (b) env.add(b[1] ?? 'env');
    }
  }
  for (const m of text.matchAll(PROCESS_MODULE_ALIAS)) {
    const name = m[1] ?? m[2]!;
    if (name !== 'process') proc.add(name);
  }
  return { env, process: proc };
}

/** TEXT with every alias of `process.env` spelled `process.env`, for the text tests below (only when it has one). */
function withEnvAliasesSpelledOut(text: string): string {
  const { env, process: proc } = envAliases(text);
  if (env.size === 0 && proc.size === 0) return text;
  const names = [...env].map((n) => n.replace(/\$/g, '\\$')).join('|');
  const modules = [...proc].map((n) => n.replace(/\$/g, '\\$')).join('|');
  let out = text;
  if (modules) out = out.replace(new RegExp(String.raw`(?<![.\w$])(?:${modules})\.env\b`, 'g'), 'process.env');
  if (names) out = out.replace(new RegExp(String.raw`(?<![.\w$])(?:${names})(?![\w$])`, 'g'), 'process.env');
  return out;
}

/**
 * The cheap text test that decides whether a TS/JS file is worth parsing. Tests are parsed when they read env
 * variables with a fallback, default a credential parameter, build a Secret, touch Key Vault or Vault; other
 * scripts only when they use a Kubernetes or Vault client.
 */
export function typescriptPrefilter(raw: string, role: HarnessRole): boolean {
  const text = withEnvAliasesSpelledOut(raw);
  if (role === 'test') {
    return (ENV_READ.test(text) && ENV_FALLBACK.test(text) && (CREDENTIAL_ENV_FALLBACK.test(text) || DESTRUCTURED_ENV.test(text) || CONDITIONAL_ENV.test(text) || URL_USERINFO.test(text))) || CREDENTIAL_PARAM_DEFAULT.test(text) || K8S_SECRET.test(text) || KEY_VAULT.test(text) || VAULT_CLIENT.test(text) || SETUP_REFS.test(text) || declaresIacSecret(text) || CDK_PLAINTEXT_SECRET.test(text);
  }
  // Scripts: Kubernetes/Vault clients, and credential fallbacks (judged only when a test configuration names the file as its setup).
  return (K8S_CLIENT.test(text) && K8S_SECRET.test(text)) || VAULT_CLIENT.test(text) || (K8S_CLIENT.test(text) && /kubectl/.test(text)) || CREDENTIAL_ENV_FALLBACK.test(text) || declaresIacSecret(text) || CDK_PLAINTEXT_SECRET.test(text);
}

/** AWS CDK: a literal handed to a secret as plain text (`SecretValue.unsafePlainText('…')`, v1's `plainText`). */
const CDK_PLAINTEXT_SECRET = /\bSecretValue\.(?:unsafePlainText|plainText)\(\s*['"`]/;

function declaresIacSecret(text: string): boolean {
  return IAC_K8S.test(text) && (/\bnew\s+[\w.]*Secret\s*\(/.test(text) || K8S_SECRET.test(text));
}

/**
 * Credential names the config adds (`credentialNames`) are not in the prefilter's built-in words: a test reading one
 * of them with a fallback is let through too.
 */
function readsConfiguredCredential(raw: string, names: readonly string[]): boolean {
  const text = withEnvAliasesSpelledOut(raw);
  if (names.length === 0 || !ENV_READ.test(text) || !ENV_FALLBACK.test(text)) return false;
  const lower = text.toLowerCase();
  return names.some((name) => name !== '' && lower.includes(name.toLowerCase()));
}

/** How many files the prefilter let through to the parser, and how many it saved (for benchmarks and tests). */
export const typescriptStats = { claimed: 0, parsed: 0 };

let tsModule: Promise<Ts> | undefined;
/**
 * The TypeScript compiler ts-morph ships, from its `@ts-morph/common` package (resolved from ts-morph's own location):
 * the syntax-only parse needs nothing else, and skipping ts-morph's project layer saves ~0.4 s of module loading.
 * The compiler's own file first (what the package's main re-exports): the package's other dependencies (minimatch,
 * tinyglobby, its file system layer) cost another ~30 ms to load and the parse needs none of them.
 */
function loadTs(): Promise<Ts> {
  tsModule ??= (async () => {
    try {
      const require = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
      try {
        const ts = require('@ts-morph/common/dist/typescript.js') as Ts;
        if (typeof ts.createSourceFile === 'function') return ts;
      } catch {
        // Another layout of @ts-morph/common: its main entry below.
      }
      return (require('@ts-morph/common') as { ts: Ts }).ts;
    } catch {
      return (await import('ts-morph')).ts;
    }
  })();
  return tsModule;
}

/**
 * Let go of the compiler (~15 MB of heap): the next TypeScript file loads it again. For a scan that parsed its last
 * TypeScript file (see releaseParsers).
 */
export function releaseTypeScript(): void {
  if (!tsModule) return;
  tsModule = undefined;
  const require = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
  for (const id of Object.keys(require.cache)) if (/[\\/]@ts-morph[\\/]common[\\/]dist[\\/]typescript\.js$/.test(id)) delete require.cache[id];
}

function scriptKind(ts: Ts, path: string): TS.ScriptKind {
  if (/\.tsx$/i.test(path)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(path)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/i.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export const typescriptAnalyzer: Analyzer<HarnessModel> = {
  id: 'tests-typescript',
  claims: (file: FileContext) => TS_FILE.test(file.path) && !SKIP_FILE.test(file.path),
  sniff(text, file, config) {
    typescriptStats.claimed++;
    // vite.config.* carries Vitest's `test.setupFiles` / `globalSetup` without being a test itself.
    const role = harnessRole(file);
    return (
      typescriptPrefilter(text, role) ||
      (VITE_CONFIG.test(basename(file.path)) && SETUP_REFS.test(text)) ||
      (role === 'test' && readsConfiguredCredential(text, config.credentialNames))
    );
  },
  async parse(text, file, context) {
    typescriptStats.parsed++;
    const ts = await loadTs();
    const sf = ts.createSourceFile(file.path, text, ts.ScriptTarget.Latest, true, scriptKind(ts, file.path));
    const parseDiagnostics = (sf as unknown as { parseDiagnostics?: { start?: number; messageText: unknown }[] }).parseDiagnostics ?? [];
    if (parseDiagnostics.length > 0) {
      const d = parseDiagnostics[0]!;
      const message = typeof d.messageText === 'string' ? d.messageText : 'syntax error';
      context.diagnostic({ code: 'parse-error', message: `TypeScript: ${message}`, line: d.start === undefined ? undefined : sf.getLineAndCharacterOfPosition(d.start).line + 1 });
    }
    const model = emptyModel('typescript', harnessRole(file));
    new TsWalker(ts, sf, model, TEST_CONFIG_NAME.test(basename(file.path)) || VITE_CONFIG.test(basename(file.path)) ? file.path : undefined).run();
    return hasFacts(model) ? model : undefined;
  },
};

class TsWalker {
  private vaultClients = new Set<string>();
  private importsVault = false;
  /** The file declares Kubernetes objects through Pulumi or cdk8s: the form its `new …Secret(…, props)` take. */
  private iacKind: 'pulumi-secret' | 'cdk8s-secret' | undefined;
  /** Imports of @azure/keyvault-secrets: a read only when the file builds a real client and does not mock the module. */
  private keyVaultImports: KeyVaultFact[] = [];
  /** Local names of the SDK's SecretClient (`import { SecretClient as Kv }`). */
  private secretClientNames = new Set(['SecretClient']);
  private keyVaultClientBuilt = false;
  private keyVaultMocked = false;

  constructor(
    private readonly ts: Ts,
    private readonly sf: TS.SourceFile,
    private readonly model: HarnessModel,
    /** Path of this file when it is a test runner configuration (its setup references are collected). */
    private readonly configPath?: string,
  ) {}

  /** Module-level `const NAME = 'literal'` declarations: a fallback may name one (`process.env.X ?? DEFAULT_PASSWORD`). */
  private constants = new Map<string, string>();

  private collectConstants(): void {
    const ts = this.ts;
    for (const statement of this.sf.statements) {
      if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of statement.declarationList.declarations) {
        const value = ts.isIdentifier(d.name) && d.initializer ? this.stringOf(d.initializer) : undefined;
        if (value !== undefined) this.constants.set((d.name as TS.Identifier).text, value);
      }
    }
  }

  /** A literal, or a module-level string constant naming one. */
  private fallbackOf(node: TS.Node | undefined): string | undefined {
    const literal = this.stringOf(node);
    if (literal !== undefined || !node || !this.ts.isExpression(node)) return literal;
    const n = this.strip(node);
    return this.ts.isIdentifier(n) ? this.constants.get(n.text) : undefined;
  }

  run(): void {
    this.collectConstants();
    this.importsVault = /node-vault|hashi-vault|@hashicorp\/vault/.test(this.sf.text);
    this.iacKind = /@pulumi\/kubernetes/.test(this.sf.text) ? 'pulumi-secret' : IAC_K8S.test(this.sf.text) ? 'cdk8s-secret' : undefined;
    const visit = (node: TS.Node): void => {
      this.visit(node);
      this.ts.forEachChild(node, visit);
    };
    visit(this.sf);
    this.model.inlineSecrets.push(...this.addedOnly);
    if (this.keyVaultClientBuilt && !this.keyVaultMocked) this.model.keyVault.push(...this.keyVaultImports);
  }

  private pos(node: TS.Node): { line: number; column: number } {
    const lc = this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf));
    return { line: lc.line + 1, column: lc.character + 1 };
  }

  private endLine(node: TS.Node): number {
    return this.sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
  }

  private strip(node: TS.Expression): TS.Expression {
    const ts = this.ts;
    let n = node;
    for (;;) {
      if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n)) n = n.expression;
      else return n;
    }
  }

  /** `const` initializers of the file by name (a name declared twice is left out): what a Secret's value may name. */
  private constInitializers?: Map<string, TS.Expression | null>;

  private constInitializer(name: string): TS.Expression | undefined {
    if (!this.constInitializers) {
      const ts = this.ts;
      const found = new Map<string, TS.Expression | null>();
      const visit = (node: TS.Node): void => {
        if (ts.isVariableDeclarationList(node) && node.flags & ts.NodeFlags.Const) {
          for (const d of node.declarations) if (ts.isIdentifier(d.name) && d.initializer) found.set(d.name.text, found.has(d.name.text) ? null : d.initializer);
        }
        ts.forEachChild(node, visit);
      };
      visit(this.sf);
      this.constInitializers = found;
    }
    return this.constInitializers.get(name) ?? undefined;
  }

  /**
   * The literal a Pulumi or cdk8s program deploys as a Secret's value though it is not written as a plain string:
   * `pulumi.secret("x")` (marked secret, still committed), and the default of a config or env read
   * (`config.get("adminPassword") ?? "x"`, `config.getSecret("k") || pulumi.secret("x")`, `process.env.X ?? "x"`), which is
   * what lands in the cluster whenever the stack does not set the key. A `const` holding such an expression counts too.
   */
  private programLiteral(node: TS.Node | undefined, depth = 0): string | undefined {
    const ts = this.ts;
    if (!node || !ts.isExpression(node) || depth > 3) return undefined;
    const n = this.strip(node);
    if (ts.isIdentifier(n)) {
      const init = this.constInitializer(n.text);
      return init ? (this.stringOf(init) ?? this.programLiteral(init, depth + 1)) : undefined;
    }
    if (ts.isCallExpression(n) && /^(pulumi\.)?(secret|output)$/.test(n.expression.getText(this.sf)) && n.arguments.length === 1) {
      return this.stringOf(n.arguments[0]) ?? this.programLiteral(n.arguments[0], depth + 1);
    }
    if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken) && this.readsConfig(n.left)) {
      return this.stringOf(n.right) ?? this.programLiteral(n.right, depth + 1);
    }
    return undefined;
  }

  /** `config.get("k")`, `cfg.getSecret("k")`, `new pulumi.Config().get("k")`, `process.env.K`: a read that may come back unset. */
  private readsConfig(node: TS.Expression): boolean {
    const ts = this.ts;
    const n = this.strip(node);
    if (this.envName(n) !== undefined) return true;
    return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(get|getSecret)$/.test(n.expression.name.text) && n.arguments.length >= 1 && this.stringOf(n.arguments[0]) !== undefined;
  }

  /** Literal string value of a string / template without substitutions; template heads keep `${…}` as written. */
  private stringOf(node: TS.Node | undefined): string | undefined {
    if (!node) return undefined;
    const ts = this.ts;
    const n = ts.isExpression(node) ? this.strip(node) : node;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
    if (ts.isTemplateExpression(n)) return n.getText(this.sf).slice(1, -1);
    // Buffer.from('x').toString('base64'), btoa('x'): the literal inside.
    if (ts.isCallExpression(n)) {
      const callee = n.expression.getText(this.sf);
      if (/^(btoa|Buffer\.from)$/.test(callee) && n.arguments[0]) return this.stringOf(n.arguments[0]);
      if (ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'toString' && ts.isCallExpression(n.expression.expression)) return this.stringOf(n.expression.expression);
    }
    return undefined;
  }

  /** `process.env.X`, `process.env['X']`, `import.meta.env.X`, `Deno.env.get('X')` -> X. */
  private envName(node: TS.Expression): string | undefined {
    const ts = this.ts;
    const n = this.strip(node);
    if (ts.isPropertyAccessExpression(n) && this.isEnvObject(n.expression)) return n.name.text;
    if (ts.isElementAccessExpression(n) && this.isEnvObject(n.expression)) return this.stringOf(n.argumentExpression);
    if (ts.isCallExpression(n) && n.expression.getText(this.sf) === 'Deno.env.get') return this.stringOf(n.arguments[0]);
    return undefined;
  }

  /** Aliases of `process.env` and of the process module in this file (see envAliases). */
  private aliases?: { env: Set<string>; process: Set<string> };

  private isEnvObject(node: TS.Expression): boolean {
    const ts = this.ts;
    const n = this.strip(node);
    const text = n.getText(this.sf);
    if (text === 'process.env' || text === 'import.meta.env') return true;
    this.aliases ??= envAliases(this.sf.text);
    if (ts.isIdentifier(n)) return this.aliases.env.has(n.text);
    return ts.isPropertyAccessExpression(n) && n.name.text === 'env' && ts.isIdentifier(n.expression) && this.aliases.process.has(n.expression.text);
  }

  /** Env names on the left of a fallback chain: `process.env.A ?? process.env.B`. */
  private envChain(node: TS.Expression): string[] | undefined {
    const ts = this.ts;
    const n = this.strip(node);
    const direct = this.envName(n);
    if (direct) return [direct];
    if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      const left = this.envChain(n.left);
      const right = this.envChain(n.right);
      if (left && right) return [...left, ...right];
    }
    return undefined;
  }

  private bindingOf(node: TS.Node): string | undefined {
    const ts = this.ts;
    let p: TS.Node | undefined = node.parent;
    while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isBinaryExpression(p))) {
      if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return p.left.getText(this.sf);
      p = p.parent;
    }
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (p && ts.isPropertyAssignment(p)) return p.name.getText(this.sf);
    if (p && ts.isParameter(p) && ts.isIdentifier(p.name)) return p.name.text;
    return undefined;
  }

  private visit(node: TS.Node): void {
    const ts = this.ts;
    if (ts.isBinaryExpression(node)) this.fallbackBinary(node);
    else if (ts.isConditionalExpression(node)) this.fallbackTernary(node);
    else if (ts.isVariableDeclaration(node)) this.destructuring(node);
    else if (ts.isParameter(node)) this.parameterDefault(node);
    else if (ts.isObjectLiteralExpression(node)) this.secretObject(node);
    else if (ts.isCallExpression(node)) (this.addStringData(node), this.storeLiteral(node), this.call(node));
    else if (ts.isNewExpression(node)) this.newExpression(node);
    else if (ts.isImportDeclaration(node)) this.importDecl(node);
    else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) this.stringContent(node);
    if (this.configPath && ts.isPropertyAssignment(node) && SETUP_REFS.test(this.propName(node.name))) this.setupRefs(node.initializer);
  }

  /**
   * `globalSetup: './setup/db.ts'`, `setupFiles: ['<rootDir>/jest/env.js']`, `require.resolve('./global-setup')`,
   * `path.join(__dirname, 'setup.ts')`, `new URL('./setup.ts', import.meta.url)`: each file, relative to the scan root.
   */
  private setupRefs(node: TS.Expression): void {
    const ts = this.ts;
    const n = this.strip(node);
    if (ts.isArrayLiteralExpression(n)) {
      for (const e of n.elements) this.setupRefs(e);
      return;
    }
    let ref = this.stringOf(n);
    if (ref === undefined && (ts.isCallExpression(n) || ts.isNewExpression(n))) {
      const strings = (n.arguments ?? []).map((a) => this.stringOf(a)).filter((x): x is string => x !== undefined);
      ref = strings[strings.length - 1];
    }
    const path = ref === undefined ? undefined : setupRefPath(this.configPath!, ref);
    if (path) (this.model.setupRefs ??= []).push(path);
  }

  private fallbackBinary(node: TS.BinaryExpression): void {
    const ts = this.ts;
    const op = node.operatorToken.kind;
    // `process.env.X ||= 'literal'` / `??=`: the variable is given a literal when unset, the same fallback.
    const assign = op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken;
    if (op !== ts.SyntaxKind.QuestionQuestionToken && op !== ts.SyntaxKind.BarBarToken && !assign) return;
    const fallback = this.fallbackOf(node.right);
    if (fallback === undefined) return;
    const chain = assign ? [this.envName(this.strip(node.left))].filter((v): v is string => v !== undefined) : this.envChain(node.left);
    if (!chain || chain.length === 0) return;
    const form = op === ts.SyntaxKind.QuestionQuestionToken ? '??' : op === ts.SyntaxKind.BarBarToken ? '||' : op === ts.SyntaxKind.QuestionQuestionEqualsToken ? '??=' : '||=';
    const binding = assign ? undefined : this.bindingOf(node);
    for (const variable of chain) {
      this.model.fallbacks.push({ variable, fallback, form, ...this.pos(node.right), ...(binding ? { binding } : {}) });
    }
  }

  private fallbackTernary(node: TS.ConditionalExpression): void {
    const variable = this.envName(node.condition) ?? this.envName(node.whenTrue);
    if (!variable || this.envName(node.whenTrue) !== variable) return;
    const fallback = this.fallbackOf(node.whenFalse);
    if (fallback === undefined) return;
    const binding = this.bindingOf(node);
    this.model.fallbacks.push({ variable, fallback, form: 'ternary', ...this.pos(node.whenFalse), ...(binding ? { binding } : {}) });
  }

  private destructuring(node: TS.VariableDeclaration): void {
    const ts = this.ts;
    if (!ts.isObjectBindingPattern(node.name) || !node.initializer || !this.isEnvObject(node.initializer)) return;
    for (const element of node.name.elements) {
      if (!element.initializer) continue;
      const fallback = this.fallbackOf(element.initializer);
      if (fallback === undefined) continue;
      const variable = (element.propertyName ?? element.name).getText(this.sf);
      const binding = ts.isIdentifier(element.name) ? element.name.text : variable;
      this.model.fallbacks.push({ variable, fallback, form: 'destructuring-default', binding, ...this.pos(element.initializer) });
    }
  }

  private parameterDefault(node: TS.ParameterDeclaration): void {
    const ts = this.ts;
    if (!node.initializer || !ts.isIdentifier(node.name)) return;
    const fallback = this.stringOf(node.initializer);
    if (fallback === undefined) return;
    this.model.fallbacks.push({ variable: node.name.text, fallback, form: 'parameter-default', binding: node.name.text, ...this.pos(node.initializer) });
  }

  private property(obj: TS.ObjectLiteralExpression, name: string): TS.Expression | undefined {
    const ts = this.ts;
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p) && this.propName(p.name) === name) return this.strip(p.initializer);
    }
    return undefined;
  }

  private propName(name: TS.PropertyName): string {
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
    return name.getText(this.sf);
  }

  /** Is this object literal a V1Secret: typed as one, or the body of a create/replace/patchNamespacedSecret call? */
  private secretContext(obj: TS.ObjectLiteralExpression): string | undefined {
    const ts = this.ts;
    let p: TS.Node = obj.parent;
    while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p)) {
      if ((ts.isAsExpression(p) || ts.isSatisfiesExpression(p)) && /\bV1Secret\b/.test(p.type.getText(this.sf))) return 'V1Secret';
      p = p.parent;
    }
    if (ts.isVariableDeclaration(p) && p.type && /\bV1Secret\b/.test(p.type.getText(this.sf))) return 'V1Secret';
    if (ts.isPropertyAssignment(p) && this.propName(p.name) === 'body' && ts.isObjectLiteralExpression(p.parent)) p = p.parent.parent;
    if (ts.isCallExpression(p) && /(create|replace|patch)NamespacedSecret$/.test(p.expression.getText(this.sf))) return 'createNamespacedSecret';
    // Pulumi: `(name, args, options)`; cdk8s: `(scope, id, props)`.
    if (this.iacKind && ts.isNewExpression(p) && p.arguments?.[this.iacKind === 'pulumi-secret' ? 1 : 2] === obj && IAC_SECRET_CALLEE.test(p.expression.getText(this.sf))) return this.iacKind;
    return undefined;
  }

  /** `SecretValue.unsafePlainText('…')`: a literal the AWS CDK program writes into the secret (or the database password) it builds. */
  private storeLiteral(call: TS.CallExpression): void {
    const ts = this.ts;
    if (!ts.isPropertyAccessExpression(call.expression) || !/^(unsafePlainText|plainText)$/.test(call.expression.name.text) || !/(^|\.)SecretValue$/.test(call.expression.expression.getText(this.sf))) return;
    const value = this.stringOf(call.arguments[0]);
    if (value === undefined || !isCodeLiteral(value)) return;
    // The property it fills: `password: SecretValue.unsafePlainText(…)`, `{ GITHUB_TOKEN: … }`, else the call it is an argument of.
    let at: TS.Node = call;
    while (at.parent && (ts.isParenthesizedExpression(at.parent) || ts.isAsExpression(at.parent))) at = at.parent;
    const parent = at.parent;
    const key = parent && ts.isPropertyAssignment(parent) ? this.propName(parent.name) : parent && ts.isCallExpression(parent) ? parent.expression.getText(this.sf).replace(/^.*\./, '') : 'value';
    (this.model.storeLiterals ??= []).push({ key, value, form: `SecretValue.${call.expression.name.text}`, ...this.pos(call) });
  }

  /** cdk8s-plus `secret.addStringData('KEY', 'value')` calls, one fact per Secret they fill (by the receiver as written). */
  private readonly addedData = new Map<string, InlineSecretFact>();
  /** Facts of receivers no Secret construct of the file was bound to: pushed once the walk is done. */
  private readonly addedOnly: InlineSecretFact[] = [];

  private addStringData(call: TS.CallExpression): void {
    const ts = this.ts;
    if (this.iacKind !== 'cdk8s-secret' || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'addStringData') return;
    const key = this.stringOf(call.arguments[0]);
    if (key === undefined) return;
    const receiver = call.expression.expression.getText(this.sf);
    let fact = this.addedData.get(receiver);
    if (!fact) {
      fact = { ...this.pos(call), endLine: this.endLine(call), keys: [], literalKeys: [], values: [], form: 'cdk8s-secret', nameAsWritten: this.constructIds.get(receiver) ?? receiver };
      this.addedData.set(receiver, fact);
      this.addedOnly.push(fact);
    }
    fact.keys.push(key);
    const value = this.stringOf(call.arguments[1]);
    if (value === undefined || !isCodeLiteral(value)) return;
    if (fact.literalKeys.length === 0) Object.assign(fact, this.pos(call));
    fact.literalKeys.push(key);
    fact.values.push(value);
    fact.endLine = this.endLine(call);
  }

  private secretObject(obj: TS.ObjectLiteralExpression): void {
    const ts = this.ts;
    const kind = this.stringOf(this.property(obj, 'kind'));
    // In a Pulumi or cdk8s program, an object written with `kind: 'Secret'` (cdk8s `new ApiObject(this, id, {…})`, the
    // objects of a Pulumi ConfigGroup) is a Secret the program declares, like one built with its Secret class.
    const context = kind === 'Secret' ? (this.iacKind && this.stringOf(this.property(obj, 'apiVersion')) === 'v1' ? this.iacKind : 'object-literal') : kind === undefined ? this.secretContext(obj) : undefined;
    if (!context) return;
    const keys: string[] = [];
    const literalKeys: string[] = [];
    const values: string[] = [];
    let first: TS.Node | undefined;
    let last: TS.Node | undefined;
    for (const section of ['stringData', 'data']) {
      const map = this.property(obj, section);
      if (!map || !ts.isObjectLiteralExpression(map)) continue;
      for (const p of map.properties) {
        if (!ts.isPropertyAssignment(p)) continue;
        const key = this.propName(p.name);
        keys.push(key);
        const value = this.stringOf(p.initializer) ?? (context === 'pulumi-secret' || context === 'cdk8s-secret' ? this.programLiteral(p.initializer) : undefined);
        if (value === undefined || !isCodeLiteral(value)) continue;
        literalKeys.push(key);
        values.push(value);
        first ??= p;
        last = p;
      }
    }
    const declared = context === 'pulumi-secret' || context === 'cdk8s-secret';
    if (!declared) (this.model.secretObjects ??= []).push(this.pos(obj));
    // A declared Secret is inventoried whatever fills it (config.requireSecret, process.env): kept without literals too.
    if (!declared && (!first || !last)) return;
    first ??= obj;
    last ??= obj;
    const metadata = this.property(obj, 'metadata');
    const meta = metadata && ts.isObjectLiteralExpression(metadata) ? metadata : undefined;
    const fact: InlineSecretFact = { ...this.pos(first), endLine: this.endLine(last), keys, literalKeys, values, form: context };
    const name = meta ? this.stringOf(this.property(meta, 'name')) : undefined;
    const namespace = meta ? this.stringOf(this.property(meta, 'namespace')) : undefined;
    if (name && isCodeLiteral(name)) fact.name = name;
    if (namespace && isCodeLiteral(namespace)) fact.namespace = namespace;
    if (!fact.name && (context === 'pulumi-secret' || context === 'cdk8s-secret') && this.ts.isNewExpression(obj.parent)) {
      // Pulumi's resource name (`new k8s.core.v1.Secret("orders-db", …)`), cdk8s's construct id (`new KubeSecret(this, "db", …)`).
      const logical = this.stringOf(obj.parent.arguments?.[context === 'pulumi-secret' ? 0 : 1]);
      if (logical) fact.nameAsWritten = logical;
    }
    this.model.inlineSecrets.push(fact);
    // `const creds = new kplus.Secret(this, 'Secret', {})`: what `creds.addStringData(…)` adds later fills this Secret.
    const bound = obj.parent?.parent;
    if (context === 'cdk8s-secret' && ts.isNewExpression(obj.parent) && bound && ts.isVariableDeclaration(bound) && ts.isIdentifier(bound.name)) this.addedData.set(bound.name.text, fact);
  }

  private importDecl(node: TS.ImportDeclaration): void {
    const from = this.stringOf(node.moduleSpecifier);
    if (from !== '@azure/keyvault-secrets' || node.importClause?.isTypeOnly) return;
    const bindings = node.importClause?.namedBindings;
    if (bindings && this.ts.isNamedImports(bindings)) {
      for (const e of bindings.elements) if ((e.propertyName ?? e.name).text === 'SecretClient') this.secretClientNames.add(e.name.text);
    }
    this.keyVaultImports.push({ form: 'import @azure/keyvault-secrets', secrets: this.keyVaultSecretNames(), ...this.pos(node) });
  }

  private secretNames?: string[];

  /** The names of the file's getSecret calls, sorted: read once per file, each import or require gets a copy. */
  private keyVaultSecretNames(): string[] {
    if (!this.secretNames) {
      const names = new Set<string>();
      for (const m of this.sf.text.matchAll(/\.getSecret\(\s*['"`]([^'"`$]+)['"`]/g)) names.add(m[1]!);
      this.secretNames = [...names].sort();
    }
    return [...this.secretNames];
  }

  private newExpression(node: TS.NewExpression): void {
    const ts = this.ts;
    const callee = node.expression.getText(this.sf);
    // `new SecretClient(url, new DefaultAzureCredential())` reaches the vault; with a mocked credential it does not.
    if (this.secretClientNames.has(callee.replace(/^.*\./, '')) && !isTestDouble(node.arguments?.[1]?.getText(this.sf) ?? '')) this.keyVaultClientBuilt = true;
    if (this.importsVault && node.parent && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) && /vault/i.test(callee)) this.vaultClients.add(node.parent.name.text);
    // `const smtp = new kplus.Secret(this, 'mail-credentials')`: what `smtp.addStringData(…)` adds is that construct's.
    if (this.iacKind === 'cdk8s-secret' && IAC_SECRET_CALLEE.test(callee) && node.parent && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) {
      const id = this.stringOf(node.arguments?.[1]);
      if (id) this.constructIds.set(node.parent.name.text, id);
    }
  }

  /** Construct ids of the cdk8s Secrets bound to a variable, by variable name. */
  private readonly constructIds = new Map<string, string>();

  private call(node: TS.CallExpression): void {
    const ts = this.ts;
    const callee = node.expression.getText(this.sf);
    if (/^require$/.test(callee) && this.stringOf(node.arguments[0]) === '@azure/keyvault-secrets') {
      this.keyVaultImports.push({ form: "require('@azure/keyvault-secrets')", secrets: this.keyVaultSecretNames(), ...this.pos(node) });
      return;
    }
    if (/^(jest|vi)\.(mock|doMock)$/.test(callee) && this.stringOf(node.arguments[0]) === '@azure/keyvault-secrets') this.keyVaultMocked = true;
    // node-vault: const vault = require('node-vault')(...) / nodeVault({...}); vault.write('secret/data/x', {...})
    if (this.importsVault && node.parent && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) && /vault/i.test(callee)) this.vaultClients.add(node.parent.name.text);
    if (this.importsVault && ts.isPropertyAccessExpression(node.expression) && /^(write|update)$/.test(node.expression.name.text)) {
      const target = node.expression.expression.getText(this.sf);
      if (this.vaultClients.has(target) || /vault/i.test(target)) this.vaultWrite(node);
    }
    // execSync('kubectl create secret …'), spawnSync('vault', ['kv', 'put', …]), $`az keyvault secret show …`
    if (/^(execSync|exec|execa|execaSync|spawn|spawnSync|execFile|execFileSync|cp\.\w+|child_process\.\w+|\$)$/.test(callee)) this.subprocess(node);
  }

  private vaultWrite(node: TS.CallExpression): void {
    const ts = this.ts;
    const path = this.stringOf(node.arguments[0]) ?? node.arguments[0]?.getText(this.sf) ?? '';
    let body = node.arguments[1] ? this.strip(node.arguments[1]) : undefined;
    if (body && ts.isObjectLiteralExpression(body)) {
      const data = this.property(body, 'data');
      if (data && ts.isObjectLiteralExpression(data)) body = data;
    }
    const keys: string[] = [];
    const values: string[] = [];
    if (body && ts.isObjectLiteralExpression(body)) {
      for (const p of body.properties) {
        if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) keys.push(this.propName(p.name));
        if (ts.isPropertyAssignment(p)) {
          const v = this.stringOf(p.initializer);
          if (v !== undefined && isCodeLiteral(v)) values.push(v);
        }
      }
    }
    const op = /(^|\/)database\/(config|roles|static-roles)\//.test(path) ? 'database-engine' : /^(secret|kv)[^/]*\/(data\/)?/.test(path) ? 'kv-write' : 'write';
    this.model.vaultWrites.push({ path, keys, values, op, form: 'node-vault', ...this.pos(node) });
  }

  private subprocess(node: TS.CallExpression): void {
    const ts = this.ts;
    const args = node.arguments;
    const first = args[0] ? this.stringOf(args[0]) : undefined;
    if (first === undefined) return;
    const pos = this.pos(node);
    if (args[1] && ts.isArrayLiteralExpression(this.strip(args[1]))) {
      const list = (this.strip(args[1]) as TS.ArrayLiteralExpression).elements.map((e) => this.stringOf(e) ?? '${…}');
      const argv = [first, ...list];
      commandFacts(this.model, [{ argv, line: pos.line, column: pos.column, endLine: this.endLine(node), text: argv.join(' ') }]);
      return;
    }
    commandFacts(this.model, commandsOfText(first, pos.line, pos.column));
  }

  /** YAML manifests held in strings, and `az keyvault secret show` in command strings / tagged templates. */
  private stringContent(node: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral | TS.TemplateExpression): void {
    const text = this.ts.isTemplateExpression(node) ? node.getText(this.sf).slice(1, -1) : node.text;
    if (text.length < 12) return;
    if (/kind:\s*["']?Secret\b/.test(text)) {
      const start = this.pos(node);
      // The string's content starts one character after the opening quote.
      for (const fact of secretsInYamlText(text, start.line, start.column + 1, 'yaml-string')) this.model.inlineSecrets.push(fact);
    }
    if (/\baz\s+keyvault\s+secret\s+(show|download|list)\b/.test(text) && !this.isSubprocessArgument(node)) {
      const pos = this.pos(node);
      commandFacts(this.model, commandsOfText(text, pos.line, pos.column));
    }
  }

  private isSubprocessArgument(node: TS.Node): boolean {
    const p = node.parent;
    return this.ts.isCallExpression(p) && /^(execSync|exec|execa|execaSync|spawn|spawnSync|execFile|execFileSync|cp\.\w+|child_process\.\w+)$/.test(p.expression.getText(this.sf));
  }
}

/**
 * A setup file a runner configuration at `configPath` names (`./jest/setup.ts`, `<rootDir>/setup`), relative to the
 * scan root without its extension; undefined for a package (`jest-extended/all`), an expression or a path above the root.
 */
function setupRefPath(configPath: string, ref: string): string | undefined {
  const local = ref.replace(/^<rootDir>\//, './');
  if (!local || /^[@a-z][\w.-]*(\/|$)/i.test(local) || local.includes('${')) return undefined;
  const path = joinPosix(dirname(configPath), local).replace(/\.[cm]?[jt]sx?$/i, '');
  return path.startsWith('..') ? undefined : path;
}

/**
 * `package.json` with a `jest` section: its `globalSetup`, `globalTeardown`, `setupFiles` and `setupFilesAfterEnv`
 * name setup files the same way a jest.config.* does.
 */
export const packageJsonSetupAnalyzer: Analyzer<HarnessModel> = {
  id: 'tests-package-json',
  claims: (file: FileContext) => basename(file.path) === 'package.json',
  sniff: (text) => /"jest"\s*:/.test(text) && SETUP_REFS.test(text),
  parse(text, file) {
    let jest: unknown;
    try {
      jest = (JSON.parse(text) as { jest?: unknown }).jest;
    } catch {
      return undefined; // Not this analyzer's to report: a broken package.json breaks the package manager first.
    }
    if (!jest || typeof jest !== 'object') return undefined;
    const model = emptyModel('typescript', 'test');
    const refs: string[] = [];
    for (const key of ['globalSetup', 'globalTeardown', 'setupFiles', 'setupFilesAfterEnv']) {
      const v = (jest as Record<string, unknown>)[key];
      for (const ref of Array.isArray(v) ? v : [v]) {
        const path = typeof ref === 'string' ? setupRefPath(file.path, ref) : undefined;
        if (path) refs.push(path);
      }
    }
    if (refs.length === 0) return undefined;
    model.setupRefs = refs;
    return model;
  },
};
