/**
 * Dotenv files (`.env`, `secrets.env`, `.env.production`): `KEY=value` lines, as Kustomize `secretGenerator` /
 * `configMapGenerator` `envs:` read them (and docker compose `env_file`). The model keeps every assignment with its
 * line; rules decide which files matter (those a kustomization turns into a Secret or ConfigMap).
 */
import { basename } from '../util/path.js';
import type { Analyzer, FileContext } from './types.js';

export interface DotenvEntry {
  key: string;
  value: string;
  line: number;
  column: number;
}

export interface DotenvModel {
  entries: DotenvEntry[];
}

/** `.env`, `.env.local`, `secrets.env`, `app.env`; not `.envrc` (a shell script) nor `env.sh`. */
export function isDotenvPath(path: string): boolean {
  const name = basename(path);
  return /^\.env(\.[A-Za-z0-9_.-]+)?$/.test(name) || /^[A-Za-z0-9_.-]+\.env$/.test(name);
}

const LINE = /^(\s*)(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/** Parse dotenv text: comments, `export`, single/double/back quotes, trailing ` # comment` on unquoted values. */
export function parseDotenv(text: string): DotenvModel {
  const entries: DotenvEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = LINE.exec(raw);
    if (!match || raw.trimStart().startsWith('#')) return;
    let value = match[3]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.indexOf(quote, 1) > 0) value = value.slice(1, value.indexOf(quote, 1));
    else value = withoutInlineComment(value);
    entries.push({ key: match[2]!, value, line: index + 1, column: match[1]!.length + 1 });
  });
  return { entries };
}

const SPACE = /\s/;

/**
 * VALUE up to its ` # comment` (the first `#` after whitespace, and the whitespace before it), as
 * `value.replace(/\s+#.*$/, '')` gives, in one pass: the regular expression tried every start of a long run of spaces
 * (60,000 spaces in a line: 1.1 s, and a 5 MB line of them hours).
 */
function withoutInlineComment(value: string): string {
  for (let hash = value.indexOf('#', 1); hash > 0; hash = value.indexOf('#', hash + 1)) {
    if (!SPACE.test(value[hash - 1]!)) continue;
    let start = hash - 1;
    while (start > 0 && SPACE.test(value[start - 1]!)) start--;
    return value.slice(0, start);
  }
  return value;
}

export const dotenvAnalyzer: Analyzer<DotenvModel> = {
  id: 'dotenv',
  claims: (file: FileContext) => isDotenvPath(file.path),
  parse: (text) => parseDotenv(text),
};
