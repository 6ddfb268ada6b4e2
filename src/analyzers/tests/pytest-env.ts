/**
 * Environment variables that pytest sets for every test run (the pytest-env plugin): `env =` lines in the `[pytest]`
 * section of pytest.ini / tox.ini, `[tool:pytest]` of setup.cfg, the `env` array of `[tool.pytest.ini_options]` and
 * the `[tool.pytest_env]` table in pyproject.toml. Like a `.env.test` file, a literal credential here is committed
 * test configuration; the integration-test rule judges the entries.
 */
import { basename } from '../../util/path.js';
import type { Analyzer, FileContext } from '../types.js';
import type { DotenvEntry } from '../dotenv.js';

export interface PytestEnvModel {
  entries: DotenvEntry[];
}

const NAMES = /^(pytest\.ini|tox\.ini|setup\.cfg|pyproject\.toml)$/i;

/** `KEY=value` with pytest-env's flag prefixes (`D:` only when unset, `R:` raw, `T:` transform). */
function entry(text: string, line: number, column: number): DotenvEntry | undefined {
  const m = /^((?:[DRT]:)*)([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(text.trim());
  if (!m) return undefined;
  // pytest-env expands `{VAR}` from the environment unless the entry is raw (`R:`): a reference, kept as `${VAR}`.
  const value = m[1]!.includes('R:') ? m[3]!.trim() : m[3]!.trim().replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '${$1}');
  return { key: m[2]!, value, line, column: column + (text.length - text.trimStart().length) + m[1]!.length };
}

/** The `env =` value lines of an INI section (`[pytest]`, `[tool:pytest]`): continuation lines are indented. */
function iniEntries(lines: string[], sections: RegExp): DotenvEntry[] {
  const out: DotenvEntry[] = [];
  let inSection = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      inSection = sections.test(header[1]!.trim());
      continue;
    }
    if (!inSection) continue;
    const env = /^env\s*[=:]\s*(.*)$/.exec(raw);
    if (!env) continue;
    if (env[1]!.trim() !== '') {
      const e = entry(env[1]!, i + 1, raw.indexOf(env[1]!) + 1);
      if (e) out.push(e);
    }
    for (let j = i + 1; j < lines.length && /^[ \t]+\S/.test(lines[j]!); j++) {
      const text = lines[j]!;
      if (/^\s*[#;]/.test(text)) continue;
      const e = entry(text, j + 1, 1);
      if (e) out.push(e);
      i = j;
    }
  }
  return out;
}

/** A TOML basic or literal string at the start of `text`: its value, or undefined. */
function tomlString(text: string): string | undefined {
  const t = text.trim();
  if (t.startsWith("'")) return t.indexOf("'", 1) > 0 ? t.slice(1, t.indexOf("'", 1)) : undefined;
  if (!t.startsWith('"')) return undefined;
  const m = /^"((?:[^"\\]|\\.)*)"/.exec(t);
  if (!m) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1];
  }
}

function pyprojectEntries(lines: string[]): DotenvEntry[] {
  const out: DotenvEntry[] = [];
  let table = '';
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const header = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(raw);
    if (header && !/^\s*\[\[/.test(raw)) {
      table = header[1]!.trim();
      continue;
    }
    if (table === 'tool.pytest_env') {
      // KEY = "value"  or  KEY = { value = "…", transform = true }
      const m = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
      if (!m) continue;
      const rest = m[3]!.trim();
      const value = rest.startsWith('{') ? tomlString(/\bvalue\s*=\s*(.*)$/.exec(rest)?.[1] ?? '') : tomlString(rest);
      if (value !== undefined) out.push({ key: m[2]!, value, line: i + 1, column: m[1]!.length + 1 });
      continue;
    }
    if (table !== 'tool.pytest.ini_options') continue;
    const env = /^\s*env\s*=\s*(.*)$/.exec(raw);
    if (!env) continue;
    // env = ["A=1", "B=2"] on one line or across lines, until the closing bracket.
    for (let j = i; j < lines.length; j++) {
      const text = j === i ? env[1]! : lines[j]!;
      const offset = j === i ? raw.length - env[1]!.length : 0;
      for (const s of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)) {
        const value = s[1] !== undefined ? (tomlString(s[0]) ?? s[1]) : s[2]!;
        const e = entry(value, j + 1, offset + (s.index ?? 0) + 2);
        if (e) out.push({ ...e, column: offset + (s.index ?? 0) + 2 });
      }
      if (/\]\s*(#.*)?$/.test(text.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, ''))) {
        i = j;
        break;
      }
    }
  }
  return out;
}

export function parsePytestEnv(text: string, path: string): PytestEnvModel {
  const lines = text.split(/\r?\n/);
  const name = basename(path).toLowerCase();
  const entries = name === 'pyproject.toml' ? pyprojectEntries(lines) : iniEntries(lines, name === 'setup.cfg' ? /^tool:pytest$/ : /^pytest$/);
  return { entries };
}

export const pytestEnvAnalyzer: Analyzer<PytestEnvModel> = {
  id: 'tests-pytest-env',
  claims: (file: FileContext) => NAMES.test(basename(file.path)),
  sniff: (text) => /^\s*env\s*[=:]|\[tool\.pytest_env\]/m.test(text) && /pytest/.test(text),
  parse(text, file) {
    const model = parsePytestEnv(text, file.path);
    return model.entries.length > 0 ? model : undefined;
  },
};
