/**
 * Commands as argv, wherever they come from (a shell script, a subprocess call in Python/TS, a command string):
 * kubectl create secret, vault kv put / vault write, az keyvault secret show. Shell text is parsed with the shared
 * shell parser (src/shell), never split with regexes.
 */
import { parseShell } from '../../shell/index.js';
import { connectionHost } from '../../k8s/vocabulary.js';
import { isCodeLiteral } from './judge.js';
import { secretsInYamlText, type HarnessModel } from './model.js';

export interface CommandInput {
  argv: string[];
  line: number;
  column: number;
  endLine: number;
  text: string;
  /** Here-document fed to the command (`kubectl apply -f - <<EOF`). */
  heredoc?: { body: string; line: number };
  /** Runs inside a command substitution `$(…)` of another command. */
  substitution?: boolean;
}

/** Words of each simple command in a command line (`a && b | c` gives three), via the shell parser. */
export function splitCommandLine(text: string): string[] {
  const script = parseShell(text);
  const first = script.commands.find((c) => c.words.length > 0);
  return first ? first.words.map((w) => w.value) : [];
}

/** Every simple command of a command string, positioned at `line`/`column` of the enclosing file. */
export function commandsOfText(text: string, line: number, column: number): CommandInput[] {
  const script = parseShell(text, { lineOffset: line - 1 });
  return script.commands
    .filter((c) => c.words.length > 0)
    .map((c) => ({ argv: c.words.map((w) => w.value), line: c.line, column: c.line === line ? column + c.column - 1 : c.column, endLine: c.endLine, text: c.text }));
}

const WRAPPERS: ReadonlySet<string> = new Set(['sudo', 'command', 'exec', 'time', 'nohup', 'env', 'xargs', 'watch', 'timeout']);

/** Skip wrappers: `sudo`, `env A=1`, `command`, `exec`, `time`, `xargs`, `watch`, `timeout 30`. */
export function unwrap(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length && WRAPPERS.has(argv[i]!)) {
    const wrapper = argv[i]!;
    i++;
    while (i < argv.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!) || argv[i]!.startsWith('-'))) i++;
    // `timeout 30 kubectl …`: the duration.
    if (wrapper === 'timeout' && i < argv.length && /^\d+(\.\d+)?[smhd]?$/.test(argv[i]!)) i++;
  }
  return argv.slice(i);
}

/** A command word as the tool it runs: `/usr/local/bin/kubectl` -> `kubectl`, `az.exe` -> `az`. */
export function tool(word: string | undefined): string {
  return (word ?? '').replace(/^.*\//, '').replace(/\.exe$/i, '');
}

export const KUBECTL_VALUE_FLAGS = new Set(['-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-o', '--output', '-l', '--selector', '--type', '-f', '--filename', '--from-literal', '--from-file', '--from-env-file', '--docker-server', '--docker-username', '--docker-password', '--docker-email', '--cert', '--key', '--field-manager', '--timeout', '--for', '-c', '--container', '-s', '--server', '--token', '--as']);

interface Parsed {
  positional: string[];
  flags: { name: string; value?: string }[];
}

/** Split argv (after the tool) into positional words and flags; `--flag=value` and `--flag value` both work. */
export function parseFlags(args: string[], valueFlags: ReadonlySet<string>): Parsed {
  const positional: string[] = [];
  const flags: { name: string; value?: string }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.push({ name: a.slice(0, eq), value: a.slice(eq + 1) });
      else if (valueFlags.has(a) && i + 1 < args.length) flags.push({ name: a, value: args[++i] });
      else flags.push({ name: a });
      continue;
    }
    positional.push(a);
  }
  return { positional, flags };
}

function flag(parsed: Parsed, ...names: string[]): string | undefined {
  return parsed.flags.find((f) => names.includes(f.name))?.value;
}

/** Record the facts a list of commands carries into `model`. */
export function commandFacts(model: HarnessModel, commands: readonly CommandInput[]): void {
  for (const command of commands) {
    const argv = unwrap(command.argv);
    const name = tool(argv[0]);
    if (name === 'kubectl' || name === 'oc') kubectl(model, argv.slice(1), command);
    else if (name === 'vault') vault(model, argv.slice(1), command);
    else if (name === 'az') az(model, argv.slice(1), command);
  }
}

function kubectl(model: HarnessModel, args: string[], command: CommandInput): void {
  const parsed = parseFlags(args, KUBECTL_VALUE_FLAGS);
  const [verb, noun, type, name] = parsed.positional;
  const namespace = flag(parsed, '-n', '--namespace');
  if (verb === 'create' && noun === 'secret') {
    const keys: string[] = [];
    const literalKeys: string[] = [];
    const values: string[] = [];
    for (const f of parsed.flags) {
      if (f.name === '--from-literal' && f.value) {
        const eq = f.value.indexOf('=');
        const key = eq > 0 ? f.value.slice(0, eq) : f.value;
        const value = eq > 0 ? f.value.slice(eq + 1) : '';
        keys.push(key);
        if (isCodeLiteral(value)) {
          literalKeys.push(key);
          values.push(value);
        }
      } else if (f.name === '--docker-password' && f.value !== undefined) {
        keys.push('docker-password');
        if (isCodeLiteral(f.value)) {
          literalKeys.push('docker-password');
          values.push(f.value);
        }
      } else if ((f.name === '--from-file' || f.name === '--from-env-file') && f.value) {
        keys.push(f.value.includes('=') ? f.value.slice(0, f.value.indexOf('=')) : f.value.replace(/^.*\//, ''));
      }
    }
    if (literalKeys.length === 0) {
      if (keys.length > 0) {
        (model.createdSecrets ??= []).push({
          line: command.line,
          column: command.column,
          endLine: command.endLine,
          ...(name ? (isCodeLiteral(name) ? { name } : { nameAsWritten: name }) : {}),
          keys,
        });
      }
      return;
    }
    model.inlineSecrets.push({
      line: command.line,
      column: command.column,
      endLine: command.endLine,
      ...(name ? (isCodeLiteral(name) ? { name } : { nameAsWritten: name }) : {}),
      ...(namespace && isCodeLiteral(namespace) ? { namespace } : {}),
      keys,
      literalKeys,
      values,
      form: 'kubectl-create',
      secretType: type ?? 'generic',
    });
    return;
  }
  if ((verb === 'apply' || verb === 'create' || verb === 'replace') && command.heredoc && flag(parsed, '-f', '--filename') === '-') {
    for (const fact of secretsInYamlText(command.heredoc.body, command.heredoc.line, 1, 'kubectl-apply-heredoc')) model.inlineSecrets.push({ ...fact, endLine: fact.endLine });
  }
}

const VAULT_VALUE_FLAGS = new Set(['-mount', '-address', '-namespace', '-ns', '-format', '-field', '-output-curl-string', '-policy-override', '-method', '-path']);

function vault(model: HarnessModel, args: string[], command: CommandInput): void {
  const parsed = parseFlags(args, VAULT_VALUE_FLAGS);
  const p = parsed.positional;
  let op: 'kv-write' | 'write' | 'database-engine';
  let rest: string[];
  if (p[0] === 'kv' && (p[1] === 'put' || p[1] === 'patch')) {
    op = 'kv-write';
    rest = p.slice(2);
  } else if (p[0] === 'write') {
    op = 'write';
    rest = p.slice(1);
  } else return;
  const rawPath = rest[0] ?? '';
  const mount = flag(parsed, '-mount');
  const path = mount ? `${mount}/${rawPath}` : rawPath;
  if (op === 'write' && /(^|\/)database\/(config|roles|static-roles)\//.test(path)) op = 'database-engine';
  const keys: string[] = [];
  const values: string[] = [];
  for (const kv of rest.slice(1)) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    keys.push(kv.slice(0, eq));
    const value = kv.slice(eq + 1);
    if (isCodeLiteral(value) && !/^[@-]/.test(value)) values.push(value);
  }
  model.vaultWrites.push({ path, keys, values, op, form: `vault ${op === 'kv-write' ? `kv ${p[1]}` : 'write'}`, line: command.line, column: command.column });
}

const AZ_VALUE_FLAGS = new Set(['--vault-name', '--name', '-n', '--id', '--query', '-o', '--output', '--file', '-f', '--subscription', '--version', '--encoding', '--value']);

/** Azure CLI groups of managed databases: `az postgres flexible-server create`, `az sql db create`, `az cosmosdb create`. */
const AZ_DATABASE_GROUPS = new Set(['postgres', 'mysql', 'mariadb', 'sql', 'cosmosdb']);

function az(model: HarnessModel, args: string[], command: CommandInput): void {
  const parsed = parseFlags(args, AZ_VALUE_FLAGS);
  const p = parsed.positional;
  // Subgroups come before the verb (`az postgres flexible-server db create`); words after the verb are flag values.
  const verb = p.slice(1, 4).indexOf('create');
  if (AZ_DATABASE_GROUPS.has(p[0] ?? '') && verb >= 0) {
    (model.azureDatabases ??= []).push({ form: `az ${p.slice(0, verb + 2).join(' ')}`, line: command.line, column: command.column });
    return;
  }
  if (p[0] === 'keyvault' && p[1] === 'secret' && p[2] === 'set') {
    const name = flag(parsed, '--name', '-n');
    if (!name) return;
    const value = flag(parsed, '--value');
    const vaultName = flag(parsed, '--vault-name');
    const host = value === undefined ? undefined : connectionHost(value);
    (model.keyVaultWrites ??= []).push({
      name,
      ...(vaultName ? { vault: vaultName } : {}),
      ...(host ? { host } : {}),
      values: value !== undefined && isCodeLiteral(value) ? [value] : [],
      form: 'az keyvault secret set',
      line: command.line,
      column: command.column,
    });
    return;
  }
  if (p[0] !== 'keyvault' || p[1] !== 'secret' || !['show', 'download', 'list', 'list-versions'].includes(p[2] ?? '')) return;
  const secret = flag(parsed, '--name', '-n');
  const vaultName = flag(parsed, '--vault-name');
  model.keyVault.push({
    form: `az keyvault secret ${p[2]}`,
    secrets: secret ? [secret] : [],
    ...(vaultName ? { vault: vaultName } : {}),
    line: command.line,
    column: command.column,
  });
}
