/**
 * Imperative secret and database-user handling wherever commands are written down: shell scripts, Makefile recipes,
 * Jenkinsfile `sh` steps,
 * CI workflow steps, Tiltfile commands, the shell and SQL code blocks of Markdown runbooks, SQL files and the SQL
 * strings of Python and JavaScript scripts. Facts only (the rules imperative-db-password-change and
 * imperative-secret-remediation judge them): statements that set a database user's password and the command that runs
 * them, `kubectl annotate externalsecret … force-sync=…`, `kubectl delete secret|job`, `kubectl rollout restart`,
 * writes that update a Secret, `vault kv put` / `vault write` / `vault operator unseal`, and which cluster they
 * target (a `--context`, a local disposable cluster the file creates or selects). Values are never kept, but for
 * credentials written literally as a command's argument (`docker login -p …`), which are kept as credential-text hits
 * are (hashed and redacted by the collector).
 */
import { parseShell } from '../../shell/index.js';
import { basename, segments } from '../../util/path.js';
import { makefileRecipes, makeToShell } from '../build/script.js';
import { jenkinsAssignments, jenkinsShellSteps, type GroovyAssignment } from '../build/ci.js';
import { isCredentialName } from '../../k8s/vocabulary.js';
import type { Analyzer, FileContext } from '../types.js';
import { KUBECTL_VALUE_FLAGS, parseFlags, tool, unwrap, type CommandInput } from './commands.js';
import { harnessRole, type HarnessRole, type Pos } from './model.js';
import { ciYamlScripts, commandInputs, eachTiltCall, shellSourceOf, tiltArguments, tiltCommand } from './shell.js';
import { hasPasswordStatementHint, passwordStatements, PASSWORD_STATEMENT_HINT, userOf, type DbEngine } from './sql-password.js';
import { pos } from './treesitter.js';
import { commandLinePassword, COMMAND_LINE_PASSWORD_HINT } from './cli-password.js';
import { peerAllowedLines } from './credentials.js';

export type ImperativeSource = 'script' | 'makefile' | 'workflow' | 'ci' | 'jenkins' | 'tiltfile' | 'markdown' | 'sql' | 'python' | 'javascript';

/** Where a command runs: the pod, container or host it reaches, and the kube context it names. */
export interface CommandTarget {
  /** `kubectl exec`, `kubectl cnpg psql`, `docker exec`, `psql` ... */
  via?: string;
  /** Pod, workload, CNPG cluster, container or database host the command reaches. */
  target?: string;
  namespace?: string;
  /** `--context` / `--kube-context`. */
  context?: string;
  /** Runs in a local container (docker/podman exec, docker compose exec), not in a cluster. */
  container?: boolean;
}

/** A statement that sets a database user's password. */
export interface PasswordChangeFact extends Pos, CommandTarget {
  engine: DbEngine;
  statement: string;
  /** The user, when the statement names a literal one. */
  user?: string;
  /** The user as written (an expansion kept), for messages. */
  userAsWritten?: string;
  /** Markdown: the heading section; other files: 0. */
  section: number;
}

export type ImperativeActionKind =
  | 'force-sync'
  | 'delete-secret'
  | 'rollout-restart'
  | 'delete-job'
  | 'vault-kv-write'
  | 'vault-unseal'
  /** kubectl create/apply/patch/replace/edit of a Secret (or an apply from stdin or of a file named like a Secret). */
  | 'secret-update'
  /** argocd app sync, flux reconcile: GitOps re-renders what the cluster holds. */
  | 'cluster-sync';

export interface ImperativeAction extends Pos, CommandTarget {
  action: ImperativeActionKind;
  /** Literal object names (Secrets, jobs, workloads, ExternalSecrets); a Vault path for Vault writes. */
  names: string[];
  /** Names as written, expansions kept (for messages). */
  written: string[];
  /** A documentation placeholder stands for the object (`<name>`, `NAME`, `${SECRET}` in a runbook). */
  placeholder?: boolean;
  /** `kubectl delete secret --all`, `-l app=x`: every Secret a selector picks. */
  selector?: boolean;
  /** Vault writes: the keys written. */
  keys?: string[];
  /** Vault writes: `vault kv put`, `vault kv patch`, `vault write`. */
  form?: string;
  /** `kubectl create secret TYPE`: generic, docker-registry, tls. */
  secretType?: string;
  /** `kubectl apply -f -` of a here-document: the names of the Secrets it holds. */
  manifestNames?: string[];
  section: number;
}

/** A credential written literally as a command's argument (see cli-password.ts). */
export interface CommandPasswordFact extends Pos {
  command: string;
  flag: string;
  value: string;
  database: boolean;
}

export interface ImperativeModel {
  source: ImperativeSource;
  role: HarnessRole;
  commandPasswords: CommandPasswordFact[];
  passwordChanges: PasswordChangeFact[];
  actions: ImperativeAction[];
  /** The first command that creates or selects a local disposable cluster (kind, k3d, minikube ...), with its line. */
  localCluster?: { line: number; evidence: string };
  /** The script starts a database server itself (mysqld, pg_ctl, `service mysql start`, a docker-entrypoint). */
  startsDatabase?: boolean;
  /** Kube contexts `kubectl config use-context` selects, in order. */
  contexts: { line: number; name: string }[];
  /** Jenkinsfiles: credential-named Groovy variables set to a string literal (no GString interpolation, no credentials id). */
  assignments?: GroovyAssignment[];
}

/** A credential-named variable set to a string in Groovy (or a withEnv list): the hint that a Jenkinsfile's assignments are worth reading. */
const GROOVY_CREDENTIAL_ASSIGNMENT_HINT = /\w*(?:pass|pwd|secret|token|key|cred|auth)\w*\s*=\s*['"]|\bwithEnv\s*\(/i;

const MARKDOWN = /\.(md|markdown|mdx)$/i;
const NOT_RUNBOOKS = /^(CHANGELOG|CHANGES|HISTORY|RELEASE[-_]?NOTES|NEWS|LICEN[CS]E|CONTRIBUTING|CODE_OF_CONDUCT|SECURITY)\b/i;
const PYTHON_SCRIPT_DIRS = /^(scripts?|bin|tools?|hack|ops|ci|migrations?|db|sql|runbooks?|maintenance|admin|jobs?|tasks?)$/i;

export function imperativeSourceOf(path: string): ImperativeSource | undefined {
  const shell = shellSourceOf(path);
  if (shell && shell !== 'powershell') return shell;
  const name = basename(path);
  if (/^jenkinsfile([._-][\w.-]*)?$|\.jenkinsfile$/i.test(name)) return 'jenkins';
  if (MARKDOWN.test(name)) return NOT_RUNBOOKS.test(name) ? undefined : 'markdown';
  if (/\.sql$/i.test(name)) return 'sql';
  if (/\.py$/i.test(name)) return 'python';
  if (/\.[cm]?js$/i.test(name)) return 'javascript';
  return undefined;
}

/** Commands that fix secrets in a live cluster, or update one. */
const REMEDIATION_HINT = /\bannotate\b[^\n]*\b(?:es|ces|(?:cluster)?externalsecrets?)\b|\bdelete\s+(?:secrets?|jobs?|job\.batch|secret\/|job\/)|\brollout\s+restart\b|\boperator\s+unseal\b/i;

/** Substrings every REMEDIATION_HINT match in a command holds (kubectl/oc verbs, `vault operator unseal`): a fast test before the regex. */
const REMEDIATION_WORDS = ['annotate', 'delete', 'rollout', 'unseal', 'Annotate', 'Delete', 'Rollout', 'Unseal', 'ANNOTATE', 'DELETE', 'ROLLOUT', 'UNSEAL'];

/** Local disposable clusters: kube contexts of kind, k3d, minikube, Docker Desktop, Rancher Desktop, OrbStack, colima, microk8s. */
export const LOCAL_CONTEXT = /^(kind-|k3d-|minikube$|minikube-|docker-desktop$|docker-for-desktop$|rancher-desktop$|orbstack$|colima$|colima-|microk8s$|k3s-local)/i;

/** GitHub Actions that start a local cluster on the runner. */
const LOCAL_CLUSTER_ACTIONS = /^(helm\/kind-action|container-tools\/kind-action|engineerd\/setup-kind|AbsaOSS\/k3d-action|nolar\/setup-k3d-k3s|medyagh\/setup-minikube|manusa\/actions-setup-minikube|debianmaster\/actions-k3s|jupyterhub\/action-k3s-helm|rancher\/k3d-action)@/i;

export const imperativeAnalyzer: Analyzer<ImperativeModel> = {
  id: 'ops-imperative',
  claims: (file: FileContext) => imperativeSourceOf(file.path) !== undefined,
  sniff(text, file) {
    const source = imperativeSourceOf(file.path)!;
    if (source === 'script' && !/\.(sh|bash)$/i.test(file.path) && !/^#!.*\b(ba|da|z|k)?sh\b/.test(text)) return false;
    if (source === 'sql' || source === 'python' || source === 'javascript') return hasPasswordStatementHint(text);
    // A runbook's facts are in its fenced code blocks: the hints run over those (a README's prose is most of its text).
    const code = source === 'markdown' ? fencedCode(text) : text;
    if (source === 'jenkins' && GROOVY_CREDENTIAL_ASSIGNMENT_HINT.test(text)) return true;
    return hasPasswordStatementHint(code) || (REMEDIATION_WORDS.some((w) => code.includes(w)) && REMEDIATION_HINT.test(code)) || (source !== 'markdown' && COMMAND_LINE_PASSWORD_HINT.test(code));
  },
  async parse(text, file, context) {
    const source = imperativeSourceOf(file.path)!;
    const model: ImperativeModel = { source, role: harnessRole(file), commandPasswords: [], passwordChanges: [], actions: [], contexts: [] };
    const reader = new CommandReader(model);
    switch (source) {
      case 'script':
        reader.script(text, 1, 0);
        break;
      case 'makefile': {
        const { recipes, variables } = makefileRecipes(text);
        for (const recipe of recipes) reader.script(makeToShell(recipe.text, variables), recipe.line, 0);
        break;
      }
      case 'workflow':
      case 'ci':
        ciScripts(text, reader, model);
        break;
      case 'jenkins':
        for (const step of jenkinsShellSteps(text)) reader.script(step.shell, step.line, 0);
        if (GROOVY_CREDENTIAL_ASSIGNMENT_HINT.test(text)) {
          const assignments = jenkinsAssignments(text).filter((a) => !a.interpolated && !a.credentialsId && isCredentialName(a.name, { extra: context.config.credentialNames }));
          if (assignments.length > 0) model.assignments = assignments;
        }
        break;
      case 'tiltfile':
        model.localCluster = { line: 1, evidence: 'Tiltfile' };
        await tiltCommands(text, reader);
        break;
      case 'markdown':
        markdown(text, reader);
        break;
      case 'sql':
        reader.sqlText(blankComments(text, 'sql'), 1, 0);
        break;
      case 'python':
        if (!isPythonScript(file.path, text)) break;
        reader.sqlText(blankComments(text, 'python'), 1, 0);
        secretUpdatesInCode(text, model);
        break;
      case 'javascript':
        reader.sqlText(blankComments(text, 'javascript'), 1, 0);
        break;
    }
    if (model.commandPasswords.length > 0 || model.assignments) {
      // Lines other secret scanners were told to allow (`gitleaks:allow`, `pragma: allowlist secret` …).
      const allowed = peerAllowedLines(text.split('\n'));
      if (allowed) model.commandPasswords = model.commandPasswords.filter((f) => !allowed.has(f.line - 1));
      if (allowed && model.assignments) {
        model.assignments = model.assignments.filter((a) => !allowed.has(a.line - 1));
        if (model.assignments.length === 0) delete model.assignments;
      }
    }
    return model.passwordChanges.length + model.actions.length + model.commandPasswords.length + (model.assignments?.length ?? 0) > 0 ? model : undefined;
  },
};

/** A Python file that is a script (run by hand or by a job), not library code: a shebang, a `__main__` guard, or a scripts folder. */
function isPythonScript(path: string, text: string): boolean {
  if (/^#!.*python/.test(text) || /if\s+__name__\s*==\s*["']__main__["']/.test(text)) return true;
  return segments(path)
    .slice(0, -1)
    .some((d) => PYTHON_SCRIPT_DIRS.test(d));
}

/** Comments blanked out (line breaks kept, so offsets still give lines). */
function blankComments(text: string, language: 'sql' | 'python' | 'javascript'): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  if (language === 'sql') return text.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/--[^\n]*/g, blank);
  if (language === 'python') return text.replace(/^[ \t]*#[^\n]*/gm, blank);
  return text.replace(/^[ \t]*\/\/[^\n]*/gm, blank).replace(/\/\*[\s\S]*?\*\//g, blank);
}

/** The Kubernetes client's Secret writes in a script: the script updates the Secret itself. */
function secretUpdatesInCode(text: string, model: ImperativeModel): void {
  const m = /\b(?:patch|replace|create)_namespaced_secret\b|\b(?:patch|replace|create)NamespacedSecret\b/.exec(text);
  if (!m) return;
  const line = text.slice(0, m.index).split('\n').length;
  model.actions.push({ action: 'secret-update', names: [], written: [], line, column: 1, section: 0 });
}

function lineAt(text: string, index: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const KUBECTL_FLAGS: ReadonlySet<string> = new Set([...KUBECTL_VALUE_FLAGS, '-p', '--patch', '--kube-context', '--patch-file', '--grace-period', '--field-selector', '--request-timeout']);
const DOCKER_EXEC_VALUE_FLAGS = new Set(['-e', '--env', '-u', '--user', '-w', '--workdir', '--env-file', '--detach-keys', '--index']);
const DB_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'mongosh', 'mongo', 'cockroach', 'pgcli', 'mycli']);
const ES_KINDS = /^(externalsecrets?|es|externalsecrets?\.external-secrets\.io|clusterexternalsecrets?|ces|clusterexternalsecrets?\.external-secrets\.io)$/i;
const WORKLOAD_KINDS = /^(deployments?|deploy|statefulsets?|sts|daemonsets?|ds)(\.apps)?$/i;
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh']);
const DB_SERVERS = new Set(['mysqld', 'mysqld_safe', 'mariadbd', 'mariadbd-safe', 'pg_ctl', 'pg_ctlcluster', 'postgres', 'mongod', 'initdb', 'mysql_install_db', 'mariadb-install-db']);

/** A documentation placeholder, not an object name: `<name>`, `NAME`, `SECRET_NAME`, `{name}`, `...`. */
export function isPlaceholderName(name: string): boolean {
  return /[<>{}…]|\.\.\./.test(name) || /^[A-Z][A-Z0-9_-]*$/.test(name) || /^(my|your|some|example)[-_]/i.test(name);
}

function isLiteralName(name: string): boolean {
  return name !== '' && !/[$`*?[\]{}<>\s]/.test(name) && !/^-/.test(name);
}

class CommandReader {
  private section = 0;
  private markdownMode = false;
  constructor(private readonly model: ImperativeModel) {}

  setSection(section: number, markdownMode: boolean): void {
    this.section = section;
    this.markdownMode = markdownMode;
  }

  /** Parse TEXT as shell whose first line is line START of the file. */
  script(text: string, start: number, depth: number): void {
    if (depth > 2) return;
    const script = parseShell(text, { lineOffset: start - 1 });
    if (script.error && script.commands.length === 0) return;
    const commands = commandInputs(script);
    // The next command outside a command substitution, for each: `--from-literal=k="$(openssl rand -hex 16)" | kubectl
    // apply` has the substitution's commands in between.
    const nextOutside: (CommandInput | undefined)[] = new Array(commands.length);
    for (let i = commands.length - 1, after: CommandInput | undefined; i >= 0; i--) {
      nextOutside[i] = after;
      if (!commands[i]!.substitution) after = commands[i];
    }
    commands.forEach((command, i) => {
      // `echo "ALTER ROLE …" | kubectl exec -i pg-1 -- psql`: the statement runs where the next command of the pipeline runs.
      const next = command.substitution ? commands[i + 1] : nextOutside[i];
      // (A command continued over lines with `\` ends on the line the next member of its pipeline starts on.)
      const piped = next && next.line <= command.endLine && (next.line > command.line || next.column > command.column) ? next : undefined;
      this.command(command, depth, piped);
    });
  }

  private target(argv: string[]): CommandTarget | undefined {
    const a = unwrap(argv);
    const name = tool(a[0]);
    if (name === 'kubectl' || name === 'oc') {
      const parsed = parseFlags(a.slice(1), KUBECTL_FLAGS);
      const context = parsed.flags.find((f) => f.name === '--context')?.value;
      const namespace = parsed.flags.find((f) => f.name === '-n' || f.name === '--namespace')?.value;
      const [verb, object] = parsed.positional;
      if (verb === 'exec') return { via: `${name} exec`, ...(object ? { target: object.replace(/^(pods?|po)\//, '') } : {}), ...(namespace ? { namespace } : {}), ...(context ? { context } : {}) };
      if (verb === 'cnpg' && object === 'psql') return { via: `${name} cnpg psql`, ...(parsed.positional[2] ? { target: parsed.positional[2] } : {}), ...(namespace ? { namespace } : {}), ...(context ? { context } : {}) };
      return undefined;
    }
    if (['docker', 'podman', 'nerdctl', 'docker-compose'].includes(name)) return { via: `${name} exec`, container: true };
    if (DB_CLIENTS.has(name)) {
      const parsed = parseFlags(a.slice(1), new Set(['-h', '--host', '-U', '-u', '--user', '--username', '-d', '--dbname', '-p', '--port', '-c', '--command', '-e', '--execute', '-f', '--file']));
      const host = parsed.flags.find((f) => f.name === '-h' || f.name === '--host')?.value;
      return { via: name, ...(host ? { target: host } : {}) };
    }
    return undefined;
  }

  private command(command: CommandInput, depth: number, piped: CommandInput | undefined, outer: CommandTarget = {}): void {
    const argv = unwrap(command.argv);
    const name = tool(argv[0]);
    const at = { line: command.line, column: command.column };
    // A runbook's commands are instructions with example values; scripts, recipes and CI steps run as written.
    if (this.model.source !== 'markdown' && depth === 0) this.commandPassword(argv, command, piped && unwrap(piped.argv));
    // Inner commands: `kubectl exec pod -- psql …`, `docker exec c vault …`, `sh -c "…"`.
    if (name === 'kubectl' || name === 'oc') {
      if (this.kubectl(name, argv.slice(1), command, at, depth, outer, piped)) return;
    } else if (['docker', 'podman', 'nerdctl'].includes(name) || name === 'docker-compose') {
      const inner = dockerExecInner(argv);
      if (inner) {
        this.inner(inner, command, depth, { ...outer, via: `${name}${name === 'docker-compose' || argv[1] === 'compose' ? ' compose' : ''} exec`, container: true });
        return;
      }
    } else if (SHELLS.has(name)) {
      const c = argv.indexOf('-c');
      if (c > 0 && argv[c + 1] !== undefined) {
        this.inner(parseShell(argv[c + 1]!).commands.filter((x) => x.words.length > 0).map((x) => x.words.map((w) => w.value)), command, depth, outer, argv[c + 1]);
        return;
      }
    } else if (name === 'vault') {
      this.vault(argv.slice(1), at, outer);
      return;
    } else if (name === 'argocd' || name === 'flux') {
      const [verb, object] = argv.slice(1).filter((w) => !w.startsWith('-'));
      // GitOps controllers asked to re-render now. (A `helm upgrade` by hand is an install procedure of its own.)
      if ((name === 'argocd' && verb === 'app' && object === 'sync') || (name === 'flux' && verb === 'reconcile')) {
        this.push({ action: 'cluster-sync', names: [], written: [], ...at, section: this.section, ...outer });
      }
    } else if (DB_SERVERS.has(name) || (name === 'service' && /^(mysql|mysqld|mariadb|postgresql|postgres|mongod|mongodb)$/.test(argv[1] ?? '')) || /docker-entrypoint(\.sh)?$/.test(name)) {
      // The script starts the database server itself: an image's entrypoint or a local database's init, no cluster's.
      this.model.startsDatabase = true;
    } else if (name === 'kind' || name === 'k3d' || name === 'minikube' || name === 'ctlptl' || name === 'microk8s') {
      // Creating, loading images into or talking to a local cluster: the file works against one.
      this.local(command.line, `${name} ${argv.slice(1).join(' ')}`.trim().slice(0, 60));
    } else {
      // A helper that picks a local cluster: `./start.sh --minikube`, `./check.sh --cluster kind-dev`.
      const picked = argv.findIndex((w, i) => /^--(minikube|kind|k3d)$/.test(w) || (i > 0 && /^--(cluster|context|kube-context|profile)$/.test(argv[i - 1]!) && (LOCAL_CONTEXT.test(w) || /^(kind|k3d)$/.test(w))));
      if (picked > 0) this.local(command.line, `${name} ${argv[picked - (argv[picked]!.startsWith('--') ? 0 : 1)]} ${argv[picked]!.startsWith('--') ? '' : argv[picked]}`.trim());
    }
    // Anything else that carries SQL: `psql -c "…"`, `mysql -e "…"`, `echo "…" | psql`, a here-document.
    // Words and here-documents are SQL only where a database client reads them: its own arguments, the command a
    // kubectl/docker exec runs, or what echo/printf/cat pipe into the next command (never an `echo "…"` message).
    if (DB_CLIENTS.has(name)) this.sqlInWords(command, { ...this.target(argv), ...outer, via: outer.via ?? name });
    else if (outer.via) this.sqlInWords(command, outer);
    else if (piped && ['echo', 'printf', 'cat'].includes(name)) this.sqlInWords(command, { ...(this.target(piped.argv) ?? {}) });
  }

  private inner(commands: string[][], command: CommandInput, depth: number, outer: CommandTarget, shellText?: string): void {
    if (depth > 2) return;
    for (const argv of commands) {
      this.command({ ...command, argv, ...(shellText !== undefined ? { text: command.text } : {}) }, depth + 1, undefined, outer);
    }
  }

  /** PIPED: the command this one's output feeds. */
  private commandPassword(argv: string[], command: CommandInput, piped: string[] | undefined): void {
    // `echo 'pw' | docker login --password-stdin`: judged at the echo, with the login it feeds.
    const feeds = piped && /^(echo|printf)$/.test(tool(argv[0]) ?? '');
    const hit = commandLinePassword(argv) ?? (feeds ? commandLinePassword(piped, argv) : undefined);
    if (!hit) return;
    // The line of the flag in a command continued over lines (`docker login \\n  -p …`).
    const at = command.text.indexOf(hit.needle ?? hit.flag.split(' ')[0]!);
    const line = command.line + (at > 0 ? command.text.slice(0, at).split('\n').length - 1 : 0);
    if (this.model.commandPasswords.some((f) => f.line === line)) return;
    const { needle: _needle, ...fact } = hit;
    this.model.commandPasswords.push({ ...fact, line, column: line === command.line ? command.column : 1 });
  }

  private local(line: number, evidence: string): void {
    if (!this.model.localCluster || this.model.localCluster.line > line) this.model.localCluster = { line, evidence };
  }

  private push(action: ImperativeAction): void {
    if (this.markdownMode && action.written.some((w) => isPlaceholderName(w) || /\$/.test(w))) action.placeholder = true;
    this.model.actions.push(action);
  }

  private sqlInWords(command: CommandInput, target: CommandTarget): void {
    const seen = new Set<number>();
    for (const word of command.argv) {
      for (const s of passwordStatements(word)) {
        if (seen.has(command.line)) continue;
        seen.add(command.line);
        this.password(s, command.line, command.column, target);
      }
    }
    const heredoc = command.heredoc;
    if (heredoc) for (const s of passwordStatements(heredoc.body)) this.password(s, heredoc.line + lineAt(heredoc.body, s.index), 1, target);
  }

  private password(s: ReturnType<typeof passwordStatements>[number], line: number, column: number, target: CommandTarget): void {
    if (this.model.passwordChanges.some((p) => p.line === line && p.statement === s.statement)) return;
    this.model.passwordChanges.push({
      line,
      column,
      engine: s.engine,
      statement: s.statement,
      ...(s.user ? { user: s.user } : {}),
      ...(s.written ? { userAsWritten: s.written } : {}),
      section: this.section,
      ...dropUndefined(target),
    });
  }

  /** SQL text (a .sql file, a script's strings, a runbook's SQL block) whose first line is line START. */
  sqlText(text: string, start: number, section: number, target: CommandTarget = {}): void {
    for (const s of passwordStatements(text)) {
      const before = text.lastIndexOf('\n', s.index - 1);
      this.model.passwordChanges.push({
        line: start + lineAt(text, s.index),
        column: s.index - before,
        engine: s.engine,
        statement: s.statement,
        ...(s.user ? { user: s.user } : {}),
        ...(s.written ? { userAsWritten: s.written } : {}),
        section,
        ...dropUndefined(target),
      });
    }
  }

  /** Returns true when the command was fully handled. */
  private kubectl(name: string, args: string[], command: CommandInput, at: Pos, depth: number, outer: CommandTarget, piped?: CommandInput): boolean {
    const parsed = parseFlags(args, KUBECTL_FLAGS);
    const flag = (...names: string[]) => parsed.flags.find((f) => names.includes(f.name))?.value;
    const has = (...names: string[]) => parsed.flags.some((f) => names.includes(f.name));
    const context = flag('--context') ?? outer.context;
    const namespace = flag('-n', '--namespace');
    const where: CommandTarget = { ...dropUndefined({ namespace, context }), ...(outer.container ? { container: true, via: outer.via } : {}) };
    const p = parsed.positional;
    const verb = p[0];
    const dryRun = parsed.flags.some((f) => f.name === '--dry-run' && f.value !== 'none');
    if (context && LOCAL_CONTEXT.test(context) && !this.model.localCluster) this.local(command.line, `--context ${context}`);
    if (verb === 'config' && p[1] === 'use-context' && p[2]) {
      this.model.contexts.push({ line: command.line, name: p[2] });
      if (LOCAL_CONTEXT.test(p[2])) this.local(command.line, `kubectl config use-context ${p[2]}`);
      return true;
    }
    if (verb === 'exec') {
      const dash = args.indexOf('--');
      const object = p[1];
      const inner = dash >= 0 ? args.slice(dash + 1) : p.slice(2);
      const target: CommandTarget = { via: `${name} exec`, ...dropUndefined({ target: object?.replace(/^(pods?|po)\//, ''), namespace, context }) };
      if (inner.length > 0) this.inner([inner], command, depth, target);
      return true;
    }
    if (verb === 'cnpg' && p[1] === 'psql') {
      this.sqlInWords(command, { via: `${name} cnpg psql`, ...dropUndefined({ target: p[2], namespace, context }) });
      return true;
    }
    // `kubectl get secret x -o json | jq … | kubectl apply -f -` and friends change a Secret; so do patch/edit/replace.
    const objects = objectRefs(p.slice(1));
    if (verb === 'annotate' && objects.kind && ES_KINDS.test(objects.kind)) {
      const annotations = p.slice(1).filter((w) => /^[^=]+=/.test(w));
      if (annotations.length > 0) this.push({ action: 'force-sync', ...names(objects.names), selector: has('--all', '-l', '--selector', '-A', '--all-namespaces'), ...at, section: this.section, ...where });
      return true;
    }
    const secretObject = objects.kind !== undefined && /^secrets?$/i.test(objects.kind);
    const creating = verb === 'create' && secretObject;
    // `kubectl create secret … --dry-run=client -o yaml | kubectl apply -f -` updates the Secret; any other dry run does not.
    const feedsApply = piped !== undefined && /^(kubectl|oc)$/.test(tool(piped.argv[0])) && piped.argv.some((w) => w === 'apply' || w === 'replace');
    if (dryRun && !(creating && feedsApply)) return false;
    if (verb === 'delete' && objects.kind) {
      const kind = objects.kind.toLowerCase();
      const selector = has('--all', '-l', '--selector', '-A', '--all-namespaces', '--field-selector');
      if (/^secrets?$/.test(kind)) this.push({ action: 'delete-secret', ...names(objects.names), selector, ...at, section: this.section, ...where });
      else if (/^(jobs?|job\.batch|jobs\.batch)$/.test(kind)) this.push({ action: 'delete-job', ...names(objects.names), selector, ...at, section: this.section, ...where });
      return true;
    }
    if (verb === 'rollout' && p[1] === 'restart') {
      const refs = objectRefs(p.slice(2));
      if (refs.kind === undefined || WORKLOAD_KINDS.test(refs.kind)) this.push({ action: 'rollout-restart', ...names(refs.names), ...at, section: this.section, ...where });
      return true;
    }
    const file = flag('-f', '--filename');
    // Stdin counts only when it is a Secret: a here-document holding one (a templated Deployment piped in is not).
    const heredocSecret = command.heredoc !== undefined && /^\s*kind:\s*["']?Secret\b/m.test(command.heredoc.body);
    if (
      creating ||
      (['patch', 'replace', 'edit', 'label', 'set'].includes(verb ?? '') && secretObject) ||
      (['apply', 'create', 'replace'].includes(verb ?? '') && file !== undefined && (file === '-' ? heredocSecret : /secret/i.test(file)))
    ) {
      // `create secret generic NAME`: the type comes before the name.
      const secretNames = creating ? p.slice(3, 4) : secretObject ? objects.names : [];
      const manifestNames = heredocSecret ? secretNamesInManifest(command.heredoc!.body) : [];
      this.push({ action: 'secret-update', ...names(secretNames), ...(creating && p[2] ? { secretType: p[2] } : {}), ...(manifestNames.length > 0 ? { manifestNames } : {}), ...at, section: this.section, ...where });
    }
    return false;
  }

  private vault(args: string[], at: Pos, outer: CommandTarget): void {
    const parsed = parseFlags(args, new Set(['-mount', '-address', '-namespace', '-ns', '-format', '-field', '-method', '-path', '-key-shares', '-key-threshold']));
    const p = parsed.positional;
    if (p[0] === 'operator' && p[1] === 'unseal') {
      this.push({ action: 'vault-unseal', names: [], written: [], ...at, section: this.section, ...outer });
      return;
    }
    let rest: string[];
    if (p[0] === 'kv' && (p[1] === 'put' || p[1] === 'patch')) rest = p.slice(2);
    // `vault write secret/x …` writes a KV v1 secret; `vault write auth/…`, `sys/…`, `database/…`, `pki/…` configure Vault.
    else if (p[0] === 'write' && /^(secrets?|kv|kv-?v[12])\//.test(p[1] ?? '')) rest = p.slice(1);
    else return;
    const mount = parsed.flags.find((f) => f.name === '-mount')?.value;
    const path = mount ? `${mount}/${rest[0] ?? ''}` : (rest[0] ?? '');
    const keys = rest.slice(1).flatMap((kv) => (kv.indexOf('=') > 0 ? [kv.slice(0, kv.indexOf('='))] : []));
    this.push({ action: 'vault-kv-write', names: isLiteralName(path) ? [path] : [], written: [path], keys, form: p[0] === 'kv' ? `vault kv ${p[1]}` : 'vault write', ...at, section: this.section, ...outer });
  }
}

/** The `metadata.name` of each `kind: Secret` document of a manifest text (expansions kept as written). */
export function secretNamesInManifest(body: string): string[] {
  const out: string[] = [];
  for (const doc of body.split(/^---[ \t]*$/m)) {
    if (!/^\s*kind:\s*["']?Secret["']?\s*$/m.test(doc)) continue;
    const name = /^metadata:[ \t]*\n(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*["']?([^\s"'#]+)/m.exec(doc);
    if (name) out.push(name[1]!);
  }
  return out;
}

/** The actions of a shell script whose first line is line START of its file (a container's script, for instance). */
export function scriptActions(text: string, start: number): ImperativeAction[] {
  const model: ImperativeModel = { source: 'script', role: 'script', commandPasswords: [], passwordChanges: [], actions: [], contexts: [] };
  new CommandReader(model).script(text, start, 0);
  return model.actions;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function names(list: string[]): { names: string[]; written: string[] } {
  return { names: list.filter(isLiteralName), written: list };
}

/** `secret x y`, `secret/x`, `secrets/x secret/y`: the kind and the names. */
function objectRefs(words: string[]): { kind?: string; names: string[] } {
  const first = words[0];
  if (first === undefined) return { names: [] };
  if (first.includes('/')) {
    const kind = first.slice(0, first.indexOf('/'));
    return { kind, names: words.filter((w) => w.includes('/')).map((w) => w.slice(w.indexOf('/') + 1)) };
  }
  return { kind: first, names: words.slice(1).filter((w) => !w.includes('=')) };
}

/** `docker exec [flags] CONTAINER cmd…`, `docker compose exec [flags] SERVICE cmd…`: the inner command. */
function dockerExecInner(argv: string[]): string[][] | undefined {
  let i = 1;
  if (argv[i] === 'compose' || argv[i] === 'container') i++;
  if (argv[i] !== 'exec') return undefined;
  i++;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const flag = argv[i]!;
    i += DOCKER_EXEC_VALUE_FLAGS.has(flag) ? 2 : 1;
  }
  const inner = argv.slice(i + 1);
  return inner.length > 0 ? [inner] : undefined;
}

/** Shell scripts of CI YAML (GitHub Actions `run:`, GitLab `script:`, …) and the actions that start a local cluster. */
function ciScripts(text: string, reader: CommandReader, model: ImperativeModel): void {
  const scripts = ciYamlScripts(text, (uses, line) => {
    if (LOCAL_CLUSTER_ACTIONS.test(uses) && (!model.localCluster || model.localCluster.line > line)) model.localCluster = { line, evidence: uses };
  });
  for (const { body, line, powershell } of scripts ?? []) if (!powershell) reader.script(body, line, 0);
}

/** Tiltfile `local('…')` and `local_resource(cmd=…)` commands. */
async function tiltCommands(text: string, reader: CommandReader): Promise<void> {
  await eachTiltCall(text, (node, fn) => {
    if (fn !== 'local_resource' && fn !== 'local') return;
    const { positional, keywords } = tiltArguments(node);
    const { cmd, cmdNode } = tiltCommand(fn, positional, keywords);
    if (!cmd || !cmdNode) return;
    reader.script(cmd.replace(/\n/g, ' '), pos(cmdNode).line, 0);
  });
}

/** Commands a runbook block must name to hold a fact: kubectl/oc, Vault, a database client, a local cluster, a helper script. */
const BLOCK_FACT = /\b(?:annotate|delete|rollout|unseal|apply|vault|use-context|kind|k3d|minikube|flux|argocd)\b|--context\b|\.sh\b|\b(?:create|patch|replace|edit)\b[^\n]*\bsecrets?\b/i;
const BLOCK_HINT = /\b(?:kubectl|oc|vault|psql|mysql|mariadb|mongosh|mongo|kind|k3d|minikube|argocd|flux)\b|\.sh\b/;
const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'zsh', 'console', 'shell-session', 'sh-session', 'shellsession', 'terminal', 'ksh', 'shell-script', 'bash-session']);
const SQL_LANGS = new Set(['sql', 'psql', 'pgsql', 'postgres', 'postgresql', 'plpgsql', 'plsql', 'mysql', 'sql-mysql', 'mariadb', 'mongo', 'mongodb', 'mongosh', 'javascript', 'js', 'tsql', 'pgsql-console']);
/**
 * The text between fence markers (``` or ~~~) of a Markdown file, roughly: every other stretch between markers, and the rest
 * after an unclosed one. A superset of what markdown() reads, for the sniff.
 */
export function fencedCode(text: string): string {
  const parts: string[] = [];
  let from = 0;
  let open = -1;
  for (;;) {
    const tick = text.indexOf('```', from);
    const tilde = text.indexOf('~~~', from);
    const at = tick < 0 ? tilde : tilde < 0 ? tick : Math.min(tick, tilde);
    if (at < 0) break;
    // The whole run of fence characters (```` opens like ```).
    let end = at + 3;
    while (text[end] === text[at]) end++;
    if (open < 0) open = end;
    else {
      parts.push(text.slice(open, at));
      open = -1;
    }
    from = end;
  }
  if (open >= 0) parts.push(text.slice(open));
  return parts.join('\n');
}

/** A database shell prompt in a console transcript: `postgres=# `, `app=> `, `mysql> `, `MariaDB [(none)]> `, `rs0:PRIMARY> `. */
const DB_PROMPT = /^\s*(?:[\w-]+=[#>]|mysql>|MariaDB \[[^\]]*\]>|[\w-]+:(?:PRIMARY|SECONDARY)>|test>|admin>)\s?/;

/**
 * Fenced code blocks of a Markdown runbook: shell blocks are read as shell (a console transcript's `$ ` prompts
 * dropped, output lines skipped), SQL and database-shell blocks as SQL. Level 1 and 2 headings split the file into sections.
 */
function markdown(text: string, reader: CommandReader): void {
  const lines = text.split('\n');
  let section = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Sections are the top two heading levels: a runbook's `### Step 3` stays in its procedure.
    if (/^#{1,2}\s/.test(line)) {
      section++;
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+.-]*)/.exec(line);
    if (!fence) continue;
    const indent = fence[1]!.length;
    const marker = fence[2]!;
    const lang = fence[3]!.toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(l);
      if (close && close[1]![0] === marker[0] && close[1]!.length >= marker.length) break;
      body.push(l.slice(Math.min(indent, l.length - l.trimStart().length)));
    }
    const start = i + 2;
    i = j;
    // Only blocks that could hold a fact are parsed (a README's `helm install` and `kubectl get` blocks are not): a
    // remediation command, a password statement, a Secret or Vault write, a context or local cluster.
    const joined = body.join('\n');
    if (!(BLOCK_HINT.test(joined) && BLOCK_FACT.test(joined)) && !hasPasswordStatementHint(joined)) continue;
    reader.setSection(section, true);
    if (SHELL_LANGS.has(lang)) {
      // A console transcript (`$ ` prompts, output between them); a console block without prompts is plain commands.
      const transcript = body.some((l) => /^\$ /.test(l));
      const shellLines = transcript ? promptCommands(body) : body;
      reader.script(shellLines.join('\n'), start, 0);
      const prompts = body.map((l) => (DB_PROMPT.test(l) ? l.replace(DB_PROMPT, '') : ''));
      if (prompts.some((l) => l !== '')) reader.sqlText(prompts.join('\n'), start, section);
    } else if (SQL_LANGS.has(lang)) {
      reader.sqlText(blankComments(body.join('\n'), lang === 'javascript' || lang === 'js' || lang.startsWith('mongo') ? 'javascript' : 'sql'), start, section);
    }
    reader.setSection(0, false);
  }
}

/** A console transcript's commands: `$ ` lines without the prompt and their `\` continuations; output lines blank. */
function promptCommands(body: string[]): string[] {
  const out: string[] = [];
  let continued = false;
  for (const l of body) {
    if (/^\$ /.test(l) || continued) {
      const cmd = continued ? l : l.slice(2);
      out.push(cmd);
      continued = /\\\s*$/.test(cmd);
    } else out.push('');
  }
  return out;
}

export { userOf };
