/**
 * Statements that set a database user's password, found in any text that holds SQL or database shell code (a psql
 * `-c` argument, a here-document, a `.sql` migration, a Python string, a runbook's code block): PostgreSQL
 * `ALTER ROLE|USER … [WITH] [ENCRYPTED] PASSWORD …` and `\password`, MySQL/MariaDB `ALTER USER … IDENTIFIED BY|AS …`
 * and `SET PASSWORD [FOR …] = …`, MongoDB `db.changeUserPassword(…)`, `db.updateUser(…, {pwd: …})` and
 * `runCommand({updateUser: …, pwd: …})`. `PASSWORD NULL` (removing a password) and `ALTER ROLE` without a password
 * are not password changes; `CREATE ROLE|USER` creates a user and is not matched. Facts only: no value is kept.
 */

export type DbEngine = 'postgres' | 'mysql' | 'mongodb';

export interface PasswordStatement {
  /** Offset of the statement in the text. */
  index: number;
  engine: DbEngine;
  /** `ALTER ROLE … PASSWORD`, `ALTER USER … IDENTIFIED BY`, `SET PASSWORD FOR`, `\password`, `db.changeUserPassword` ... */
  statement: string;
  /** The user as written, unquoted (`app`, `'app'@'%'` -> `app`); undefined when the statement names none. */
  user?: string;
  /** The user as written when it is no literal (`${ROLE}`, `{}`), for messages. */
  written?: string;
}

/** A user name as the statement writes it: `"app"`, `'app'@'%'`, `` `app`@`localhost` ``, `app@%`, `${ROLE}`, `%s`. */
const USER = String.raw`(?:"[^"\n]{1,80}"|'[^'\n]{1,80}'|\x60[^\x60\n]{1,80}\x60|\$\{[^}\n]{1,60}\}|\$[A-Za-z_][A-Za-z0-9_]*|%\(?[A-Za-z_]*\)?s|\{[A-Za-z_0-9]*\}|:[A-Za-z_]\w*|[A-Za-z_][\w$.-]{0,62})(?:@(?:"[^"\n]*"|'[^'\n]*'|\x60[^\x60\n]*\x60|[\w.%-]+))?`;

/** PostgreSQL role options that may come between the role and PASSWORD (`ALTER ROLE app WITH LOGIN PASSWORD …`). */
const PG_OPTION = String.raw`(?:(?:NO)?(?:SUPERUSER|CREATEDB|CREATEROLE|INHERIT|LOGIN|REPLICATION|BYPASSRLS)|CONNECTION\s+LIMIT\s+-?\d+|VALID\s+UNTIL\s+'[^'\n]*')`;

const ALTER_PASSWORD = new RegExp(
  String.raw`\bALTER\s+(ROLE|USER)\s+(?:IF\s+EXISTS\s+)?(${USER})\s+(?:WITH\s+)?(?:${PG_OPTION}\s+)*(?:(?:ENCRYPTED|UNENCRYPTED)\s+)?PASSWORD\b\s*(NULL\b|EXPIRE\b|HISTORY\b|REUSE\b|REQUIRE\b|LOCK\b|=)?`,
  'gi',
);
const IDENTIFIED = new RegExp(String.raw`\bALTER\s+USER\s+(?:IF\s+EXISTS\s+)?(${USER})\s+IDENTIFIED\s+(?:WITH\s+['"\x60]?[\w]+['"\x60]?\s+)?(?:BY|AS)\b`, 'gi');
const SET_PASSWORD = new RegExp(String.raw`\bSET\s+PASSWORD\s+(?:FOR\s+(${USER})\s*)?=`, 'gi');
const PSQL_PASSWORD = /(?:^|[\s"'(;])\\password(?:[ \t]+([A-Za-z_][\w$]*|"[^"\n]+"))?(?=[\s"')]|$)/gm;
const MONGO_CHANGE = /\bchangeUserPassword\s*\(\s*(["'`]?)([^"'`,)\n]{1,80})\1/g;
const MONGO_UPDATE = /\.updateUser\s*\(\s*(["'`]?)([^"'`,)\n]{1,80})\1\s*,\s*\{[^}]{0,400}?\bpwd\s*:/g;
const MONGO_COMMAND = /\{\s*["']?updateUser["']?\s*:\s*(["'`])([^"'`\n]{1,80})\1[^}]{0,400}?\bpwd\s*:/g;

/** Cheap test before a text is searched. */
export const PASSWORD_STATEMENT_HINT = /ALTER\s+(?:ROLE|USER)\b|SET\s+PASSWORD\b|\\password\b|changeUserPassword|updateUser/i;

/** Substrings one of which every PASSWORD_STATEMENT_HINT match holds (in its usual cases): a fast test before the regex. */
const PASSWORD_STATEMENT_WORDS = ['ALTER', 'alter', 'Alter', 'PASSWORD', 'Password', 'password', 'updateUser'];

/** PASSWORD_STATEMENT_HINT.test, without running the case-insensitive regex over texts that hold none of its words. */
export function hasPasswordStatementHint(text: string): boolean {
  return PASSWORD_STATEMENT_WORDS.some((w) => text.includes(w)) && PASSWORD_STATEMENT_HINT.test(text);
}

/** The user as written without quotes and host: `'app'@'%'` -> `app`; undefined for an expansion or a placeholder. */
export function userOf(written: string | undefined): { user?: string; asWritten?: string } {
  if (!written) return {};
  const bare = written.replace(/@.*$/, '').trim();
  const unquoted = bare.replace(/^(["'\x60])([\s\S]*)\1$/, '$2');
  if (!unquoted || /[$%{}:<>]/.test(unquoted) || /^(current_user|session_user|current_role)$/i.test(unquoted)) return { asWritten: unquoted || bare };
  return { user: unquoted, asWritten: unquoted };
}

/** Every password-setting statement in TEXT, in text order (one per statement). */
export function passwordStatements(text: string): PasswordStatement[] {
  if (!hasPasswordStatementHint(text)) return [];
  const out: PasswordStatement[] = [];
  const add = (index: number, engine: DbEngine, statement: string, written: string | undefined) => {
    if (out.some((s) => Math.abs(s.index - index) < 4)) return;
    const { user, asWritten } = userOf(written);
    out.push({ index, engine, statement, ...(user ? { user } : asWritten ? { written: asWritten } : {}) });
  };
  for (const m of text.matchAll(IDENTIFIED)) add(m.index, 'mysql', 'ALTER USER … IDENTIFIED BY', m[1]);
  for (const m of text.matchAll(ALTER_PASSWORD)) {
    const tail = (m[3] ?? '').toUpperCase();
    // PASSWORD NULL clears it; MySQL's PASSWORD EXPIRE/HISTORY/REUSE/REQUIRE and account LOCK options set no password.
    if (tail && tail !== '=') continue;
    add(m.index, 'postgres', `ALTER ${m[1]!.toUpperCase()} … PASSWORD`, m[2]);
  }
  for (const m of text.matchAll(SET_PASSWORD)) add(m.index, 'mysql', m[1] ? 'SET PASSWORD FOR' : 'SET PASSWORD', m[1]);
  for (const m of text.matchAll(PSQL_PASSWORD)) add(m.index + m[0].indexOf('\\password'), 'postgres', '\\password', m[1]);
  for (const m of text.matchAll(MONGO_CHANGE)) add(m.index, 'mongodb', 'db.changeUserPassword', m[2]);
  for (const m of text.matchAll(MONGO_UPDATE)) add(m.index, 'mongodb', 'db.updateUser … pwd', m[2]);
  for (const m of text.matchAll(MONGO_COMMAND)) add(m.index, 'mongodb', 'updateUser … pwd', m[2]);
  return out.sort((a, b) => a.index - b.index);
}
