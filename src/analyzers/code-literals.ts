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
  /** A Google API key (`AIza…`) in a Firebase client config (`firebaseConfig`, `authDomain`, `FirebaseOptions`). */
  firebase?: boolean;
}

/** Words around a credential that say whose it is: a database's. */
const DATABASE_CONTEXT = /\b(DATABASES?|database|datasource|postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|sqlalchemy|jdbc|knex|sequelize|typeorm|prisma|pgx?|psycopg2?|new Pool|createPool|gorm|dsn|ENGINE)\b|\bdb(?:\b|[A-Z_])/i;

/** The text of the LINES lines before OFFSET's line, that line, and the AFTER lines after it. */
function around(text: string, offset: number, lines: number, after = 0): string {
  let from = offset;
  for (let k = 0; k <= lines && from > 0; k++) from = text.lastIndexOf('\n', from - 1);
  let end = text.indexOf('\n', offset);
  for (let k = 0; k < after && end >= 0; k++) end = text.indexOf('\n', end + 1);
  return text.slice(Math.max(0, from), end < 0 ? text.length : end);
}

/** A Firebase client config's other fields: its `apiKey` identifies the project to the browser, public by design. */
const FIREBASE_CONTEXT = /firebase|authDomain|messagingSenderId|storageBucket\s*:/i;

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
/**
 * Code written to show, mock or drive the application rather than to run it: mocks, fixtures, examples, samples,
 * demos, stories, test helpers, end-to-end drivers and BDD step definitions (`features/steps/`). Its credentials are made up for the reader or the test run.
 */
const SAMPLE_FOLDER = /^(__mocks__|mocks?|__fixtures__|fixtures?|examples?|samples?|demos?|stories|\.?storybook|cypress|playwright|testing|test[-_]?(?:utils?|helpers?|support|data)|testdata|fakes?|stubs?|step_definitions)$/i;
const SAMPLE_NAME = /[._-](mocks?|fakes?|stubs?|fixtures?|stories|story|samples?|examples?)\.[a-z]+$|^(mocks?|fakes?|stubs?|fixtures?|dummy|samples?|examples?|demo)(?:[._-]|[A-Z])|^(Mock|Fake|Stub|Dummy)[A-Z]/;

/**
 * The settings of a test or CI run: `config/test.exs`, `config/environments/test.rb`, `settings/ci.py`,
 * `travis_ci_settings.py`, `settings-gitlab-ci.py`. They configure the run's own throwaway services.
 */
const TEST_RUN_ENV = /^(test|testing|ci|travis|e2e)$/i;
const TEST_RUN_SETTINGS = /^(?=.*(?:^|[-_.])(?:test|testing|ci|travis)(?:[-_.]|$))(?=.*(?:^|[-_.])(?:settings|config)(?:[-_.]|$))/i;

export function codeLanguage(path: string): string | undefined {
  const name = basename(path);
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  const language = ext ? LANGUAGES[ext] : undefined;
  if (!language || GENERATED_NAME.test(name) || SAMPLE_NAME.test(name)) return undefined;
  const folders = segments(path).slice(0, -1);
  if (folders.some((d, i) => GENERATED_FOLDER.test(d) || SAMPLE_FOLDER.test(d) || (d === 'steps' && folders[i - 1] === 'features'))) return undefined;
  const stem = name.slice(0, -(ext!.length + 1));
  if (TEST_RUN_SETTINGS.test(stem) || (TEST_RUN_ENV.test(stem) && /^(config|settings|environments|conf)$/i.test(folders[folders.length - 1] ?? ''))) return undefined;
  return language;
}

/** Words a credential's name holds; a file without any is never read further. */
const PREFILTER = /pass(?:w(?:or)?d)?|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credential|auth[-_]?key|access[-_]?key|signing[-_]?key|client[-_]?secret/i;

/**
 * NAME = "literal" | NAME: "literal" | "NAME": "literal" | NAME := "literal" | define('NAME', 'literal'), one per line
 * at most twice; the quoted literal without escapes or interpolation. The name is a plain identifier or a quoted key.
 */
const ASSIGNMENT = /(?:^|[\s,{(\[;])(?:(?:const|let|var|val|final|static|private|public|protected|readonly|internal|export|def|my)\s+){0,4}(?:(?:String|string|str|char\s*\*|auto)\s+)?(["']?)([A-Za-z_$][\w$.-]{0,80})\1\s*(?::\s*(?:string|str|String)\s*)?(?::=|=(?![=>~])|:(?!:)|=>)\s*(?:\[\]byte\(\s*)?[@$]?(["'`])((?:(?!\3)[^\\\r\n]){1,200})\3/g;
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
            const firebase = value.startsWith('AIza') && FIREBASE_CONTEXT.test(around(text, start, 8, 8));
            literals.push({ name, value, line, column: m.index + m[0].indexOf(m[2]!) - (m[1] ? 1 : 0) + 1, ...(database ? { database } : {}), ...(firebase ? { firebase } : {}) });
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
