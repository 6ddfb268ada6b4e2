/**
 * A password, token or client secret written literally as a command's argument: `docker login -p …`,
 * `helm repo add … --password …`, `argocd login --password …`, `az login --service-principal -p …`, `mysql -p…`,
 * `curl -u user:…`, `sshpass -p …`, any `--password=` / `--client-secret=` / `--api-key=` flag, a container's credential-named
 * environment variable (`docker run -e DB_PASSWORD=…`, `kubectl run --env=API_TOKEN=…`). The command line is
 * committed with the file, so the credential is. Expansions (`$PASSWORD`, `${{ secrets.X }}`), stdin and file forms
 * (`--password-stdin`, `--password-file`, `@file`) and placeholders are references, not literals.
 */
import { isCredentialName, isDatabaseName, isIndirectValue, isSecretDataCredentialName, words } from '../../k8s/vocabulary.js';
import { isPlaceholderPassword } from './credentials.js';
import { tool } from './commands.js';

export interface CommandLinePassword {
  /** The tool and, for a login, its verb: `docker login`, `helm repo add`, `mysql`. */
  command: string;
  /** The flag as written: `-p`, `--password`, `-u`. */
  flag: string;
  value: string;
  /** Database clients: the credential is a database user's. */
  database: boolean;
  /** Text that finds the argument's line where the flag alone would not (`-e` given several times): `DB_PASSWORD=`. */
  needle?: string;
}

/** Tools whose `-p VALUE` is a password when the command logs in (`docker login`, `helm registry login`, `oras login`). */
const LOGIN_TOOLS = new Set(['docker', 'podman', 'nerdctl', 'buildah', 'skopeo', 'helm', 'oras', 'crane', 'regctl', 'finch', 'argocd', 'cf', 'oc']);
/** Database clients whose password sticks to `-p` (`mysql -pSECRET`; `mysql -p NAME` prompts and names the database). */
const ATTACHED_P = new Set(['mysql', 'mariadb', 'mysqladmin', 'mysqldump', 'mariadb-dump', 'mariadb-admin', 'mysqlimport', 'mysqlshow', 'mysqlcheck']);
const DB_TOOLS = new Set([...ATTACHED_P, 'psql', 'pg_dump', 'pg_restore', 'mongosh', 'mongo', 'mongodump', 'mongorestore', 'redis-cli', 'cqlsh', 'sqlcmd', 'clickhouse-client', 'influx']);
const PG_TOOLS = new Set(['psql', 'pg_dump', 'pg_dumpall', 'pg_restore', 'createdb', 'dropdb', 'createuser', 'dropuser', 'vacuumdb', 'reindexdb', 'pg_basebackup', 'pgbench']);
/** `curl -u user:password`, `wget --user`/`--password` are covered by the generic flag rule. */
const USER_PASS_TOOLS = new Set(['curl']);
const SERVER_PASSWORD_FLAGS = /^--(requirepass|masterauth)$/;
/** Tools that start a container with environment variables given as `-e NAME=value` / `--env NAME=value`. */
const CONTAINER_TOOLS = new Set(['docker', 'podman', 'nerdctl', 'finch', 'kubectl', 'oc']);
/** Flags whose credential-like name still holds no credential value. */
const NOT_VALUE_FLAGS = /^--?(password|token|secret)[-_]?(stdin|file|env|prompt|command|cmd|path|name|ref|key[-_]?name|id|type|length|len|policy|lifetime|ttl|expiry)$/i;

/** `id=npm,src=.npmrc`, `id=token,env=NPM_TOKEN`: a BuildKit secret or mount spec. */
const SECRET_SPEC = /^(?:(?:id|src|source|env|type|target|required|mode|uid|gid)=[^,]*)(?:,(?:id|src|source|env|type|target|required|mode|uid|gid)=[^,]*)*$/;

function literal(value: string | undefined, user = ''): value is string {
  if (value === undefined) return false;
  const v = value.trim();
  if (v === '' || v === '-' || /^[@/.~]/.test(v) || /[$`]|\{\{|\}\}/.test(v) || isIndirectValue(v)) return false;
  return !isPlaceholderPassword(v, user);
}

/** `echo 'pw' | docker login --password-stdin`: the literal the echo (or printf) feeds a login's stdin. */
function echoedLiteral(piped: readonly string[] | undefined): string | undefined {
  const name = piped && tool(piped[0]);
  if (name !== 'echo' && name !== 'printf') return undefined;
  const words = piped!.slice(1).filter((w) => !/^-[neE]+$/.test(w));
  // printf's format (`printf '%s' pw`) is not the value; a lone word is.
  const value = name === 'printf' && words.length > 1 && words[0]!.includes('%') ? words[1] : words.length === 1 ? words[0] : undefined;
  return value !== undefined && literal(value) ? value : undefined;
}

/** The literal credential a command line carries, if any (the first one); PIPED is the command feeding its stdin. */
export function commandLinePassword(argv: readonly string[], piped?: readonly string[]): CommandLinePassword | undefined {
  const name = tool(argv[0]);
  if (!name) return undefined;
  const args = argv.slice(1);
  const verbs = args.filter((a) => !a.startsWith('-')).slice(0, 2);
  if (verbs.includes('login') && LOGIN_TOOLS.has(name) && args.includes('--password-stdin')) {
    const value = echoedLiteral(piped);
    const command = `${name} ${verbs.slice(0, verbs.indexOf('login') + 1).join(' ')}`;
    return value === undefined ? undefined : { command, flag: 'echoed into --password-stdin', value, database: false };
  }
  // kubectl create secret … --from-literal / --docker-password: kubectl-create-secret-imperative judges those.
  if ((name === 'kubectl' || name === 'oc') && verbs[0] === 'create' && verbs[1] === 'secret') return undefined;
  const login = verbs.includes('login') || (name === 'helm' && verbs[0] === 'repo') || name === 'sshpass' || (name === 'az' && verbs[0] === 'login');
  const command = login && name !== 'sshpass' ? `${name} ${name === 'helm' && verbs[0] === 'repo' ? 'repo add' : verbs.slice(0, verbs.indexOf('login') + 1).join(' ') || verbs[0]}` : name;
  const database = DB_TOOLS.has(name);
  // Writes of a secret's value into a store: `az keyvault secret set --value …`, `gh secret set NAME --body …`.
  const storeWrite = (name === 'az' && args.filter((a) => !a.startsWith('-')).slice(0, 3).join(' ') === 'keyvault secret set') || (name === 'gh' && verbs[0] === 'secret' && verbs[1] === 'set');
  if (storeWrite) {
    const flags = name === 'az' ? ['--value'] : ['--body', '-b'];
    // Key Vault holds settings too (`Db--Server`, `Jwt--Issuer`): only a secret named like a credential is one.
    const at = args.findIndex((a) => a === '--name' || a === '-n' || a.startsWith('--name='));
    const secretName = name === 'gh' ? args.filter((a) => !a.startsWith('-'))[2] : at < 0 ? undefined : args[at]!.startsWith('--name=') ? args[at]!.slice(7) : args[at + 1];
    if (!secretName || !isSecretDataCredentialName(secretName.replace(/--/g, '-'))) return undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const eq = a.indexOf('=');
      const flag = eq > 0 ? a.slice(0, eq) : a;
      if (!flags.includes(flag)) continue;
      const value = eq > 0 ? a.slice(eq + 1) : args[i + 1];
      if (literal(value)) return { command: name === 'az' ? 'az keyvault secret set' : 'gh secret set', flag, value: value!, database };
    }
    return undefined;
  }
  const run = verbs[0] === 'container' || verbs[0] === 'pod' ? verbs[1] : verbs[0];
  const runsContainer = CONTAINER_TOOLS.has(name) && (run === 'run' || run === 'create' || (run === 'exec' && name !== 'kubectl' && name !== 'oc'));
  let user = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) continue;
    // `docker run -e DB_PASSWORD=…`, `--env DB_PASSWORD=…`, `--env=…`, `-eDB_PASSWORD=…`: the container's credential on
    // the command line. An image default named after itself (`-e POSTGRES_PASSWORD=postgres`) is no secret.
    if (runsContainer && /^(?:-e|--env)(?:$|=)|^-e[A-Za-z_]/.test(a)) {
      const setting = a === '-e' || a === '--env' ? args[i + 1] : a.startsWith('--env=') ? a.slice(6) : a.slice(2);
      const at = setting?.indexOf('=') ?? -1;
      if (setting === undefined || at < 1) continue;
      const key = setting.slice(0, at);
      const value = setting.slice(at + 1);
      if (isCredentialName(key) && literal(value) && !words(key).includes(value.toLowerCase())) return { command: `${name} ${run}`, flag: `${a.startsWith('--') ? '--env' : '-e'} ${key}`, value, database: isDatabaseName(key), needle: `${key}=` };
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    if (/^(-u|--user|--username)$/.test(flag)) {
      const value = inline ?? args[i + 1] ?? '';
      // `curl -u user:password`: the part after the first colon.
      if (USER_PASS_TOOLS.has(name) && value.includes(':')) {
        const [u, ...rest] = value.split(':');
        const password = rest.join(':');
        if (password && literal(password, u)) return { command, flag, value: password, database };
      }
      user = value;
      continue;
    }
    if (ATTACHED_P.has(name) && /^-p./.test(a) && !a.startsWith('--')) {
      const value = a.slice(2);
      if (literal(value, user)) return { command, flag: '-p', value, database };
      continue;
    }
    if (flag === '-p' && (login && (LOGIN_TOOLS.has(name) || name === 'sshpass' || name === 'az'))) {
      const value = inline ?? args[i + 1];
      if (literal(value, user)) return { command, flag, value: value!, database };
      continue;
    }
    // `helm install --set auth.password=…`: a values key set on the command line.
    if (name === 'helm' && /^--set(-string)?$/.test(flag)) {
      for (const pair of (inline ?? args[i + 1] ?? '').split(/,(?=[\w.[\]-]+=)/)) {
        const at = pair.indexOf('=');
        const key = at > 0 ? pair.slice(0, at).split('.').pop()! : '';
        if (key && isCredentialName(key) && literal(pair.slice(at + 1))) return { command: `helm ${verbs[0] ?? ''}`.trim(), flag: `${flag} ${pair.slice(0, at)}`, value: pair.slice(at + 1), database };
      }
      continue;
    }
    // A server started with its own password: `redis-server --requirepass …`, `--masterauth …` (compose `command:`).
    if (SERVER_PASSWORD_FLAGS.test(flag)) {
      const value = inline ?? args[i + 1];
      if (literal(value)) return { command, flag, value: value!, database: true };
      continue;
    }
    // PostgreSQL clients' `--password` (-W) only forces a prompt: the next word is the database.
    if (flag === '--password' && inline === undefined && PG_TOOLS.has(name)) continue;
    if (flag.startsWith('--') && !NOT_VALUE_FLAGS.test(flag) && isCredentialName(flag.slice(2))) {
      const value = inline ?? (args[i + 1]?.startsWith('-') ? undefined : args[i + 1]);
      // `mongosh --password mongodb://…`: a prompt, then the connection string.
      if (inline === undefined && value !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
      // BuildKit's `--secret id=npm,src=.npmrc` names a secret to mount; it holds none.
      if (value !== undefined && SECRET_SPEC.test(value)) continue;
      if (literal(value, user)) return { command, flag, value: value!, database };
    }
  }
  return undefined;
}

/**
 * A cheap test before commands are parsed: a login with `-p`, `sshpass -p`, a MySQL client's `-p…`, a credential-named
 * flag, `curl -u user:…`, `helm --set …password=` or a server's `--requirepass`, each followed by something that does not start an expansion.
 */
export const COMMAND_LINE_PASSWORD_HINT =
  /\b(?:echo|printf)\s[^\n]*--password-stdin|\blogin\b[^\n]*\s-p[=\s]*["']?[^\s$"'{<-]|\bsshpass\s+-p|\bmysql\w*\b[^\n]*\s-p[^\s$"'{<]|--[\w-]*(?:password|passwd|secret|token|api-?key|apikey)[\w-]*[=\s]+["']?[^\s$"'{<-]|\s-u\s+["']?[^\s$:"']+:[^\s$"'@{]|--set(?:-string)?[=\s]\S*(?:password|passwd|secret|token|key)\w*=[^\s$"'{]|\bsecret\s+set\b[^\n]*\s(?:--value|--body|-b)[=\s]+["']?[^\s$"'{<-]|--(?:requirepass|masterauth)[=\s]+["']?[^\s$"'{<-]|\s(?:-e|--env)[=\s]*["']?\w*(?:password|passwd|secret|token|api_?key|apikey)\w*=["']?[^\s$"'{<]/i;
