/**
 * PowerShell scripts, read only for Azure Key Vault writes and Azure database provisioning: `Set-AzKeyVaultSecret`,
 * `az keyvault secret set` and `New-Az<Database>` cmdlets. Lines continued with a backtick are joined; words are split
 * on whitespace outside quotes. Anything else in the script is ignored.
 */
import { commandFacts } from './commands.js';
import { isCodeLiteral } from './judge.js';
import type { HarnessModel } from './model.js';

export const POWERSHELL_WRITES = /\bSet-AzKeyVaultSecret\b|\baz\s+keyvault\s+secret\s+set\b/i;

const AZURE_DATABASE_CMDLET = /^New-Az(PostgreSql(Flexible)?Server|MySql(Flexible)?Server|MariaDbServer|SqlServer|SqlDatabase|SqlInstance|CosmosDBAccount)$/i;

interface LogicalLine {
  text: string;
  line: number;
  column: number;
}

function logicalLines(text: string, lineOffset: number): LogicalLine[] {
  const out: LogicalLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let joined = lines[i]!;
    while (/`\s*$/.test(joined) && i + 1 < lines.length) joined = `${joined.replace(/`\s*$/, ' ')}${lines[++i]!}`;
    const indent = /^\s*/.exec(joined)![0].length;
    if (!joined.trimStart().startsWith('#')) out.push({ text: joined, line: lineOffset + start + 1, column: indent + 1 });
  }
  return out;
}

/** Words outside quotes, quotes removed: `-Name "orders-db"` gives `-Name`, `orders-db`. */
function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"((?:[^"`]|`.)*)"|'((?:[^']|'')*)'|([^\s"'|;]+)/g)) out.push(m[1] ?? m[2]?.replace(/''/g, "'") ?? m[3]!);
  return out;
}

function parameter(words: readonly string[], ...names: string[]): string | undefined {
  const at = words.findIndex((w) => names.some((n) => w.toLowerCase() === `-${n.toLowerCase()}`));
  return at >= 0 ? words[at + 1] : undefined;
}

/** LINEOFFSET: lines before TEXT in its file (a CI step's script). */
export function fromPowerShell(model: HarnessModel, text: string, lineOffset = 0): void {
  for (const logical of logicalLines(text, lineOffset)) {
    const words = splitWords(logical.text);
    const cmdlet = words.findIndex((w) => /^Set-AzKeyVaultSecret$/i.test(w));
    if (cmdlet >= 0) {
      const args = words.slice(cmdlet + 1);
      const name = parameter(args, 'Name', 'SecretName');
      if (!name) continue;
      const vault = parameter(args, 'VaultName');
      // -SecretValue takes a SecureString: `(ConvertTo-SecureString "literal" -AsPlainText -Force)` carries the value.
      const literal = /ConvertTo-SecureString\s+(?:-String\s+)?(["'])([^"'$]+)\1/i.exec(logical.text)?.[2];
      (model.keyVaultWrites ??= []).push({
        name,
        ...(vault ? { vault } : {}),
        values: literal !== undefined && isCodeLiteral(literal) ? [literal] : [],
        form: 'Set-AzKeyVaultSecret',
        line: logical.line,
        column: logical.column,
      });
      continue;
    }
    const created = words.find((w) => AZURE_DATABASE_CMDLET.test(w));
    if (created) {
      (model.azureDatabases ??= []).push({ form: created, line: logical.line, column: logical.column });
      continue;
    }
    const az = words.findIndex((w) => /^az(\.cmd)?$/i.test(w));
    if (az >= 0) commandFacts(model, [{ argv: words.slice(az), line: logical.line, column: logical.column, endLine: logical.line, text: logical.text.trim().slice(0, 200) }]);
  }
}
