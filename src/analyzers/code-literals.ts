/**
 * Application source code that assigns a quoted literal to a credential-named variable, constant, field or key
 * (`const DB_PASSWORD = "…"`, `'PASSWORD': '…'` in a Django settings dict, `define('DB_PASSWORD', '…')`,
 * `private static final String API_KEY = "…"`, `password: "…"` in an object literal). Tests are the test analyzers'
 * (harness facts, fallbacks, inline Secrets); generated, minified and vendored code is left alone. The model keeps
 * the assignment's name, value and place; the rule decides what is a credential.
 */
import { basename, segments } from '../util/path.js';
import type { Analyzer, FileContext } from './types.js';
import { peerAllowedLineNumbers } from './tests/credentials.js';

export interface CodeLiteral {
  name: string;
  value: string;
  line: number;
  column: number;
  /** The lines just before it name a database (`DATABASES = {`, `ENGINE: postgresql`, `new Pool({`, `jdbc:`). */
  database?: boolean;
}

/** Words around a credential that say whose it is: a database's. */
const DATABASE_CONTEXT = /\b(DATABASES?|database|datasource|postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|sqlalchemy|jdbc|knex|sequelize|typeorm|prisma|pgx?|psycopg2?|new Pool|createPool|gorm|dsn|ENGINE)\b|\bdb(?:\b|[A-Z_])/i;

/** The text of the LINES lines before OFFSET's line, and that line. */
function around(text: string, offset: number, lines: number): string {
  let from = offset;
  for (let k = 0; k <= lines && from > 0; k++) from = text.lastIndexOf('\n', from - 1);
  const end = text.indexOf('\n', offset);
  return text.slice(Math.max(0, from), end < 0 ? text.length : end);
}

export interface CodeLiteralsModel {
  language: string;
  literals: CodeLiteral[];
}

const LANGUAGES: Record<string, string> = {
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  py: 'python', go: 'go', java: 'java', kt: 'kotlin', kts: 'kotlin', scala: 'scala', cs: 'csharp',
  rb: 'ruby', php: 'php', rs: 'rust', swift: 'swift', dart: 'dart', ex: 'elixir', exs: 'elixir',
};

/** Build output and generated code: what a compiler wrote, not what someone committed by hand. */
const GENERATED_FOLDER = /^(dist|build|out|target|bin|obj|vendor|node_modules|bower_components|\.next|\.nuxt|coverage|generated|__generated__|gen)$/i;
const GENERATED_NAME = /\.(min|bundle|chunk|pb|generated|gen|g)\.[a-z]+$|_pb2\.py$|\.d\.ts$/i;

export function codeLanguage(path: string): string | undefined {
  const name = basename(path);
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  const language = ext ? LANGUAGES[ext] : undefined;
  if (!language || GENERATED_NAME.test(name)) return undefined;
  if (segments(path).slice(0, -1).some((d) => GENERATED_FOLDER.test(d))) return undefined;
  return language;
}

/** Words a credential's name holds; a file without any is never read further. */
const PREFILTER = /pass(?:w(?:or)?d)?|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credential|auth[-_]?key|access[-_]?key|signing[-_]?key|client[-_]?secret/i;

/**
 * NAME = "literal" | NAME: "literal" | "NAME": "literal" | NAME := "literal" | define('NAME', 'literal'), one per line
 * at most twice; the quoted literal without escapes or interpolation. The name is a plain identifier or a quoted key.
 */
const ASSIGNMENT = /(?:^|[\s,{(\[;])(?:(?:const|let|var|val|final|static|private|public|protected|readonly|internal|export|def|my)\s+){0,4}(?:(?:String|string|str|char\s*\*|auto)\s+)?(["']?)([A-Za-z_$][\w$.-]{0,80})\1\s*(?::\s*(?:string|str|String)\s*)?(?::=|=(?![=>~])|:(?!:)|=>)\s*[@$]?(["'`])((?:(?!\3)[^\\\r\n]){1,200})\3/g;
const DEFINE = /\bdefine\s*\(\s*(["'])([A-Za-z_][\w]*)\1\s*,\s*(["'])((?:(?!\3)[^\\\r\n]){1,200})\3\s*\)/g;

/** Lines longer than this are data or minified code, not an assignment someone wrote. */
const MAX_LINE = 2_000;

export function codeLiterals(text: string): CodeLiteral[] {
  const literals: CodeLiteral[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    line++;
    if (stop - start <= MAX_LINE) {
      const raw = text.slice(start, stop);
      if (PREFILTER.test(raw)) {
        for (const re of [ASSIGNMENT, DEFINE]) {
          re.lastIndex = 0;
          let found = 0;
          for (let m = re.exec(raw); m && found < 4; m = re.exec(raw)) {
            const name = m[2]!;
            if (!PREFILTER.test(name)) continue;
            const value = m[4]!;
            // `${…}`, `#{…}`, `{…}` in a template or format string: built at run time.
            if ((m[3] === '`' && value.includes('${')) || /#\{|\{\{|%\(|%s|\{\d*\}/.test(value)) continue;
            found++;
            const database = DATABASE_CONTEXT.test(around(text, start, 8));
            literals.push({ name, value, line, column: m.index + m[0].indexOf(m[2]!) - (m[1] ? 1 : 0) + 1, ...(database ? { database } : {}) });
          }
        }
      }
    }
    if (end < 0) break;
    start = end + 1;
  }
  return literals;
}

export const codeLiteralsAnalyzer: Analyzer<CodeLiteralsModel> = {
  id: 'code-literals',
  claims: (file: FileContext) => !file.isTest && codeLanguage(file.path) !== undefined,
  sniff: (text) => PREFILTER.test(text),
  parse(text, file) {
    const language = codeLanguage(file.path);
    if (!language) return undefined;
    const allowed = peerAllowedLineNumbers(text);
    const literals = codeLiterals(text).filter((l) => !allowed?.has(l.line));
    return literals.length === 0 ? undefined : { language, literals };
  },
};
