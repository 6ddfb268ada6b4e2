/**
 * Secret fetches whose failure a script swallows: `X=$(az keyvault secret show … || true)`, `vault kv get … || echo
 * fixture`, `X=$(aws secretsmanager get-secret-value …) || X=placeholder`, or an emptiness test on the fetched value that
 * assigns a fixture instead of failing. Facts only; the silent-fallback rule judges them.
 */
import type { ShellCommand, ShellScript } from '../../shell/index.js';
import type { SwallowedFetchFact } from './model.js';

/** Commands that read a secret from a store. `kubectl get secret … || true` is left out: lookup-or-generate is legitimate. */
export const SECRET_FETCH =
  /\baz\s+keyvault\s+secret\s+(?:show|download)\b|\bvault\s+(?:kv\s+get|read)\b|\baws\s+secretsmanager\s+get-secret-value\b|\baws\s+ssm\s+get-parameters?\b[^\n]*--with-decryption|\bgcloud\s+secrets\s+versions\s+access\b|\bop\s+(?:read|item\s+get)\b|\bbw\s+get\s+(?:password|item)\b|\bdoppler\s+secrets\s+get\b|\binfisical\s+secrets\s+get\b/;

const TOOL_NAMES: [RegExp, string][] = [
  [/\baz\s+keyvault/, 'Azure Key Vault'],
  [/\bvault\s+/, 'Vault'],
  [/\baws\s+secretsmanager/, 'AWS Secrets Manager'],
  [/\baws\s+ssm/, 'AWS SSM Parameter Store'],
  [/\bgcloud\s+secrets/, 'Google Secret Manager'],
  [/\bop\s+/, '1Password'],
  [/\bbw\s+/, 'Bitwarden'],
  [/\bdoppler\s+/, 'Doppler'],
  [/\binfisical\s+/, 'Infisical'],
];

/** After the fetch on its logical line: `|| true`, `|| :`, `|| echo …`, `|| printf …`, `|| X=…`, with what follows. */
const SWALLOW = /\|\|\s*(?:(true|:)(?=\s*(?:[);&|#]|$))|(?:echo|printf)(?:\s+(?:-[a-z]+\s+)*([^);&|\n]*))?|([A-Za-z_][A-Za-z0-9_]*)=([^\s;&|)]*))/;
const FAILS = /\bexit(?:\s+[1-9]\d*)?\b|\breturn\s+[1-9]|\b(?:fail|die|abort|fatal)\b|\bfalse\b/;

function toolOf(text: string): string {
  return TOOL_NAMES.find(([re]) => re.test(text))?.[1] ?? 'a secret store';
}

/** A value written out in the script (`fixture`, `"changeme"`), not computed (`$(openssl rand …)`, `$OTHER`) nor empty. */
function isLiteralValue(text: string | undefined): boolean {
  const v = (text ?? '').trim().replace(/^(["'])(.*)\1$/, '$2').trim();
  return v !== '' && !/[$`]/.test(v);
}

/** The assignment a fetch's output goes to (`X=$(…)`, `export X=$(…)`, `local X="$(…)"`), with the command holding it. */
function assignment(fetch: ShellCommand, commands: readonly ShellCommand[]): { variable: string; outer: ShellCommand } | undefined {
  if (!fetch.substitution) return undefined;
  const head = fetch.text.split('\n')[0]!.trim().slice(0, 40);
  for (const c of commands) {
    if (c === fetch || c.line > fetch.line || c.endLine < fetch.line) continue;
    const a = c.assignments.find((x) => x.value?.commandSubstitution && x.value.raw.includes(head));
    if (a) return { variable: a.name, outer: c };
  }
  return undefined;
}

export function swallowedFetches(script: ShellScript, text: string, lineOffset = 0): SwallowedFetchFact[] {
  const out: SwallowedFetchFact[] = [];
  const lines = text.split('\n');
  const lineText = (n: number) => lines[n - 1 - lineOffset] ?? '';
  const lastLine = lines.length + lineOffset;
  for (const fetch of script.commands) {
    if (!SECRET_FETCH.test(fetch.text)) continue;
    const assigned = assignment(fetch, script.commands);
    const variable = assigned?.variable;
    const redirected = fetch.redirects.some((r) => (r.op === '>' || r.op === '>>') && r.fd !== '2' && !/^\/dev\/null$/.test(r.target.value));
    // A fetch whose output is neither kept nor written is an existence check (`if vault kv get … >/dev/null; then`).
    if (!variable && !redirected) continue;
    const end = Math.max(fetch.endLine, assigned?.outer.endLine ?? fetch.endLine);
    const logical = Array.from({ length: end - fetch.line + 1 }, (_, i) => lineText(fetch.line + i)).join('\n');
    const after = logical.slice(Math.max(0, logical.indexOf(fetch.text.split('\n')[0]!.trim()) + 1));
    const swallow = SWALLOW.exec(after);
    // `|| X=…` must assign the fetched variable.
    if (swallow?.[3] && swallow[3] !== variable) continue;
    const at = { line: fetch.line, column: fetch.column, tool: toolOf(fetch.text), ...(variable ? { variable } : {}) };
    // A literal stands in for the secret right there: `|| echo fixture`, `|| X=placeholder`.
    if (swallow && (isLiteralValue(swallow[2]) || (swallow[3] && isLiteralValue(swallow[4])))) {
      out.push({ ...at, fallback: 'substitute' });
      continue;
    }
    const next = variable ? emptyValueHandling(variable, end, lineText, lastLine) : 'unchecked';
    if (next === 'fixture') out.push({ ...at, fallback: 'substitute' });
    // Swallowed and never looked at again: the empty value goes on into whatever the script writes.
    else if (swallow && next === 'unchecked') out.push({ ...at, fallback: 'ignored' });
  }
  return out;
}

/**
 * What the script does with VARIABLE after its fetch (ending on line END), within the next lines: tests it (`-z`, `-n`,
 * `${X:?}`, `${X:-…}`) and fails or computes a replacement (reuse-or-generate: deliberate), assigns a literal fixture when
 * it is empty, or never looks at it.
 */
function emptyValueHandling(variable: string, end: number, lineText: (n: number) => string, lastLine: number): 'handled' | 'fixture' | 'unchecked' {
  const v = variable.replace(/[^A-Za-z0-9_]/g, '');
  const defaulted = new RegExp(`\\$\\{${v}:?-([^}]*)\\}`);
  const tested = new RegExp(`-[zn]\\s+["']?\\$\\{?${v}\\b|\\$\\{${v}:?\\?|\\[\\[?\\s*!?\\s*["']?\\$\\{?${v}\\}?["']?\\s*\\]|["']?\\$\\{?${v}\\}?["']?\\s*[!=]=`);
  const assigned = new RegExp(`\\b${v}=(\\S*)`);
  for (let n = end + 1; n <= Math.min(end + 8, lastLine); n++) {
    const l = lineText(n);
    const d = defaulted.exec(l);
    if (d) return isLiteralValue(d[1]) ? 'fixture' : 'handled';
    if (!tested.test(l)) continue;
    const branch = Array.from({ length: 4 }, (_, i) => lineText(n + i)).join('\n');
    if (FAILS.test(branch)) return 'handled';
    const a = assigned.exec(branch);
    return a && isLiteralValue(a[1]) ? 'fixture' : 'handled';
  }
  return 'unchecked';
}
