/**
 * Dotenv files that configure test runs: `.env.test`, `.env.e2e`, `.env.integration`, `.env.playwright`, and any
 * `.env*` under a test folder. Facts: every `KEY=value` assignment with its position (quotes removed, `export`
 * allowed, comments skipped). The integration-test rule judges which values are literal credentials.
 */
import { basename } from '../../util/path.js';
import type { Analyzer, FileContext } from '../types.js';

export interface DotenvEntry {
  key: string;
  value: string;
  line: number;
  column: number;
}

export interface DotenvModel {
  entries: DotenvEntry[];
}

const TEST_DOTENV = /^\.env\.(test|testing|e2e|integration|int[-_]?tests?|it|playwright|cypress|smoke|acceptance)(\.local)?$/i;

/** Is this a dotenv file for tests (by its name, or any `.env*` in a test folder)? Example templates are not. */
export function isTestDotenv(file: FileContext): boolean {
  const name = basename(file.path);
  if (/\.(example|sample|template|dist|tpl)$/i.test(name)) return false;
  return TEST_DOTENV.test(name) || (file.isTest && /^\.env(\.[\w-]+)?$/.test(name));
}

export function parseDotenv(text: string): DotenvEntry[] {
  const out: DotenvEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(lines[i]!.replace(/\r$/, ''));
    if (!m) continue;
    let value = m[3]!;
    const quoted = /^(["'`])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, '');
    out.push({ key: m[2]!, value, line: i + 1, column: m[1]!.length + 1 });
  }
  return out;
}

export const dotenvAnalyzer: Analyzer<DotenvModel> = {
  id: 'tests-dotenv',
  claims: (file) => isTestDotenv(file),
  parse(text) {
    const entries = parseDotenv(text);
    return entries.length ? { entries } : undefined;
  },
};
