/**
 * Shell scripts and Makefile recipes that build images: their build invocations and which environment variables
 * they check before building.
 */
import { checkedVariables, parseShell, type ShellScript } from '../../shell/index.js';
import { basename, segments } from '../../util/path.js';
import type { Analyzer, FileContext } from '../types.js';
import { afterWrites, scanScript, scriptInvocations, type BuildInvocation, type CredentialWrite } from './invocation.js';

export interface BuildScriptModel {
  kind: 'script' | 'makefile';
  invocations: BuildInvocation[];
  /** Variables the script checks (`${X:?}`, `[ -z "$X" ]`) anywhere. */
  checked: string[];
  /** `set -u`: expansions of unset variables abort the script. */
  nounset: boolean;
  /** Variables assigned in the script (exported or not): not read from the caller's environment. */
  assigned: string[];
  /**
   * The assigned variables that commands see in their environment. Makefiles: `export NAME`, `export NAME ?= …`,
   * `.EXPORT_ALL_VARIABLES:`; a make variable that is not exported reaches `$(NAME)` but not `--secret env=NAME` or
   * the bake/skaffold file a recipe runs. Shell scripts: `export NAME[=…]`, `declare -x`/`typeset -x`, `set -a` /
   * `set -o allexport`; a plain `NAME=$(gh auth token)` is expanded by `$NAME` but not seen by `docker`.
   */
  exported?: string[];
}

const SHELL_EXT = /\.(sh|bash|ksh|zsh)$/i;
const MAKEFILE = /^(GNUmakefile|Makefile|makefile)$|\.mk$/;
const SCRIPT_DIRS = new Set(['scripts', 'script', 'bin', 'hack', 'tools', 'ci', '.ci', 'build']);

export function isMakefilePath(path: string): boolean {
  return MAKEFILE.test(basename(path));
}

function assignedNames(script: ShellScript): string[] {
  const names = new Set<string>();
  for (const c of script.commands) {
    if (c.name === undefined || c.kind === 'decl') for (const a of c.assignments) if (a.value && a.value.value !== '' && !a.value.params.includes(a.name)) names.add(a.name);
    if (c.name === 'read') for (const w of c.words.slice(1)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.value)) names.add(w.value);
  }
  return [...names];
}

/** Names a shell script exports: `export A A=1`, `declare -x A=1`, `typeset -gx A`; every assigned one after `set -a`. */
function exportedNames(script: ShellScript, assigned: string[]): string[] {
  const names = new Set<string>();
  for (const c of script.commands) {
    const words = c.words.map((w) => w.value);
    if (c.name === 'set' && words.some((w, i) => /^-[a-zA-Z]*a[a-zA-Z]*$/.test(w) || (w === 'allexport' && words[i - 1] === '-o'))) return assigned;
    if (c.kind !== 'decl') continue;
    const declare = words[0] === 'export' || ((words[0] === 'declare' || words[0] === 'typeset') && words.some((w) => /^-[a-zA-Z]*x/.test(w)));
    if (!declare) continue;
    for (const a of c.assignments) names.add(a.name);
    for (const w of words.slice(1)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) names.add(w);
  }
  return assigned.filter((n) => names.has(n));
}

export function analyzeShellScript(text: string, path: string): { model: BuildScriptModel; error?: { message: string; line?: number } } {
  const script = parseShell(text);
  const assigned = assignedNames(script);
  const model: BuildScriptModel = {
    kind: 'script',
    invocations: scriptInvocations(script, path),
    checked: [...checkedVariables(script)],
    nounset: script.nounset,
    assigned,
    exported: exportedNames(script, assigned),
  };
  return script.error ? { model, error: script.error } : { model };
}

interface MakeRecipe {
  text: string;
  line: number;
}

/** Recipe lines of a Makefile (tab-indented after a rule), continuations joined, make syntax turned into shell. */
export function makefileRecipes(text: string): { recipes: MakeRecipe[]; variables: Map<string, string> } {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const variables = new Map<string, string>();
  const recipes: MakeRecipe[] = [];
  let inRule = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('\t') && inRule) {
      let logical = line.slice(1);
      const start = i;
      while (logical.endsWith('\\') && i + 1 < lines.length) {
        i++;
        logical += `\n${lines[i]!.replace(/^\t/, '')}`;
      }
      recipes.push({ text: logical.replace(/^[@+-]+/, ''), line: start + 1 });
      continue;
    }
    if (/^\s*(#|$)/.test(line)) continue;
    // Conditionals (`ifndef TOKEN` … `endif`) and includes inside a rule do not end it.
    if (/^\s*(ifn?def|ifn?eq|else|endif|-?include|sinclude)\b/.test(line)) continue;
    const assignment = /^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:=|::=|=|\+=)\s*(.*)$/.exec(line);
    if (assignment) {
      const [, name, op, value] = assignment;
      if (op === '+=') {
        // What `${previous} ${value}`.trim() gives, without trimming (and so copying) the whole value again each time.
        const previous = variables.get(name!) ?? '';
        const added = value!.trim();
        variables.set(name!, previous === '' ? added : added === '' ? previous : `${previous} ${added}`);
      } else if (op === '?=') {
        // `NAME ?=` (no default) leaves the value to the environment: it is not a local assignment.
        if (!variables.has(name!) && value!.trim() !== '') variables.set(name!, value!.trim());
      } else variables.set(name!, value!.trim());
      inRule = false;
      continue;
    }
    if (/^[^\t#=]*:(?!=)/.test(line)) {
      inRule = true;
      // `target: deps ; recipe`
      const semi = line.indexOf(';');
      if (semi > 0) recipes.push({ text: line.slice(semi + 1).trim(), line: i + 1 });
      continue;
    }
    if (!line.startsWith(' ')) inRule = false;
  }
  return { recipes, variables };
}

/** Make references become shell ones: `$(VAR)` / `${VAR}` -> the variable's value when static, else `${VAR}`; `$$` -> `$`. */
export function makeToShell(text: string, variables: Map<string, string>): string {
  const DOLLAR = '\u0000';
  let out = text.replaceAll('$$', DOLLAR);
  for (let depth = 0; depth < 4; depth++) {
    const next = out.replace(/\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]/g, (_m, name: string) => {
      const value = variables.get(name);
      if (value !== undefined && !value.includes('$(shell')) return value;
      return `\${${name.replace(/[.-]/g, '_')}}`;
    });
    if (next === out) break;
    out = next;
  }
  out = out.replace(/\$\(shell ([^)]*)\)/g, '$($1)').replace(/\$[@<^?*%|+]/g, 'MAKE_AUTO').replace(/\$\(([a-z]+) [^)]*\)/g, 'MAKE_FN');
  return out.replaceAll(DOLLAR, '$');
}

export function analyzeMakefile(text: string, path: string): BuildScriptModel {
  const { recipes, variables } = makefileRecipes(text);
  const model: BuildScriptModel = { kind: 'makefile', invocations: [], checked: [], nounset: false, assigned: [...variables.keys()] };
  const checked = new Set<string>();
  // Credential files earlier recipe lines wrote (each line is its own shell).
  const writes: CredentialWrite[] = [];
  for (const recipe of recipes) {
    const script = parseShell(makeToShell(recipe.text, variables), { lineOffset: recipe.line - 1 });
    if (script.error) continue;
    const scanned = scanScript(script, path, 'makefile');
    model.invocations.push(...scanned.invocations.map((i) => afterWrites(i, writes)));
    writes.push(...scanned.writes);
    for (const v of checkedVariables(script)) checked.add(v);
  }
  // `ifndef NPM_TOKEN` / `$(error ...)` guards.
  for (const m of text.matchAll(/^\s*ifndef\s+([A-Za-z_][A-Za-z0-9_]*)/gm)) checked.add(m[1]!);
  for (const m of text.matchAll(/^\s*ifeq\s*\(\s*\$\(([A-Za-z_][A-Za-z0-9_]*)\)\s*,\s*\)/gm)) checked.add(m[1]!);
  model.checked = [...checked];
  const exportAll = /^\.EXPORT_ALL_VARIABLES\s*:/m.test(text);
  const exported = new Set<string>();
  for (const m of text.matchAll(/^\s*export\s+([A-Za-z_][A-Za-z0-9_ ]*?)\s*(?:[?:+!]?=|$)/gm)) for (const n of m[1]!.trim().split(/\s+/)) exported.add(n);
  model.exported = exportAll ? model.assigned : model.assigned.filter((n) => exported.has(n));
  return model;
}

function isShellScriptPath(file: FileContext): boolean {
  const name = basename(file.path);
  if (SHELL_EXT.test(name)) return true;
  if (name.includes('.')) return false;
  const dirs = segments(file.path).slice(0, -1);
  return dirs.some((d) => SCRIPT_DIRS.has(d));
}

export const shellScriptAnalyzer: Analyzer<BuildScriptModel> = {
  id: 'build-script',
  claims: (file) => isShellScriptPath(file),
  sniff: (text, file) => (SHELL_EXT.test(file.path) || /^#!.*\b(ba|da|k|z)?sh\b/.test(text)) && /\b(docker|podman|buildah|buildctl|nerdctl|skaffold)\b/.test(text),
  parse(text, file, context) {
    const { model, error } = analyzeShellScript(text, file.path);
    if (error) context.diagnostic({ code: 'parse-error', message: `shell: ${error.message}`, line: error.line });
    return model;
  },
};

export const makefileAnalyzer: Analyzer<BuildScriptModel> = {
  id: 'build-makefile',
  claims: (file) => isMakefilePath(file.path),
  sniff: (text) => /\b(docker|podman|buildah|buildctl|nerdctl|skaffold)\b/.test(text),
  parse: (text, file) => analyzeMakefile(text, file.path),
};
