/**
 * Dockerfiles (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`) parsed with
 * dockerfile-ast into stages with their ARG/ENV/RUN/COPY/ADD/WORKDIR/USER instructions. RUN scripts go through the
 * shell module (shell form, continuations, heredoc scripts); RUN --mount flags are split into their options.
 */
import { createRequire } from 'node:module';
import type { DockerfileParser as DockerfileParserType, Instruction } from 'dockerfile-ast';
import { parseShell, type ShellScript } from '../../shell/index.js';
import { compactPlain } from '../compact.js';
import { basename } from '../../util/path.js';
import type { Analyzer, FileContext } from '../types.js';

// dockerfile-ast (and the language-server types it pulls in: ~35 modules) is loaded on the first Dockerfile, not at
// startup: a re-scan that reuses the cached result never needs it.
const requireCjs = createRequire(import.meta.url);
let dockerfileParser: typeof DockerfileParserType | undefined;
function DockerfileParserLazy(): typeof DockerfileParserType {
  if (!dockerfileParser) {
    dockerfileParser = (requireCjs('dockerfile-ast') as { DockerfileParser: typeof DockerfileParserType }).DockerfileParser;
    memoizeRawArguments((requireCjs('dockerfile-ast/lib/instruction.js') as { Instruction?: { prototype: object } }).Instruction?.prototype);
  }
  return dockerfileParser;
}

const RAW_ARGUMENTS = Symbol('rawArguments');

/**
 * dockerfile-ast re-tokenizes an instruction (with a Position per argument edge) on every getArguments(),
 * getFlags(), getArgumentsRange(), getJSONStrings()...: 11 times per RUN or COPY here. A parsed document never
 * changes, so the tokens are kept per instruction; callers get a copy of the array (some shift or replace items).
 */
export function memoizeRawArguments(proto: object | undefined): void {
  const target = proto as { getRawArguments?: (this: Record<symbol, unknown[] | undefined>) => unknown[] } | undefined;
  const original = target?.getRawArguments;
  if (!target || typeof original !== 'function' || (original as { memoized?: boolean }).memoized) return;
  const memoized = function (this: Record<symbol, unknown[] | undefined>): unknown[] {
    let args = this[RAW_ARGUMENTS];
    if (args === undefined) {
      args = original.call(this);
      this[RAW_ARGUMENTS] = args;
    }
    return args.slice();
  };
  (memoized as { memoized?: boolean }).memoized = true;
  target.getRawArguments = memoized;
}

export interface DfVar {
  name: string;
  /** Value as written (unquoted), undefined for `ARG NAME` without default. */
  value?: string;
  line: number;
  column: number;
  /** Variables referenced by the value (`${A}`, `$B`). */
  refs: string[];
}

export interface DfMount {
  type: string;
  id?: string;
  target?: string;
  env?: string;
  /** Explicit `required=` value, undefined when absent. */
  required?: boolean;
  from?: string;
  source?: string;
  options: Record<string, string>;
}

export interface DfRun {
  line: number;
  endLine: number;
  form: 'shell' | 'exec';
  mounts: DfMount[];
  /** Shell form (or a heredoc script): the parsed script, lines in Dockerfile coordinates. */
  script?: ShellScript;
  /** Exec form: the JSON strings. */
  exec?: string[];
  /** Instruction text after the flags, continuations kept. */
  text: string;
  /** Shell program of a heredoc RUN (`RUN <<EOF bash`), else undefined (sh). */
  interpreter?: string;
}

export interface DfCopy {
  instruction: 'COPY' | 'ADD';
  line: number;
  endLine: number;
  /** `--from=<stage|index|image>`. */
  from?: string;
  sources: string[];
  dest: string;
  /** `COPY <<EOF /path`: inline file bodies. */
  heredocs: { name: string; body: string; line: number }[];
}

export interface DfInstruction {
  keyword: string;
  line: number;
  endLine: number;
  args: string[];
}

export interface DfStage {
  index: number;
  name?: string;
  /** FROM image as written. */
  image: string;
  /** Index of the stage this one builds on (`FROM builder`), if any. */
  parent?: number;
  line: number;
  endLine: number;
  args: DfVar[];
  envs: DfVar[];
  runs: DfRun[];
  copies: DfCopy[];
  /** WORKDIR and USER in order (for path resolution). */
  workdirs: { path: string; line: number }[];
  users: { user: string; line: number }[];
  /** Program set by a SHELL instruction (`powershell`, `cmd`, `/bin/bash`), when one is. */
  shell?: string;
  /** ONBUILD triggers: they run in every image built FROM this stage's image, not in this build. */
  onbuild?: { args: DfVar[]; envs: DfVar[]; runs: DfRun[]; copies: DfCopy[] };
}

export interface DockerfileModel {
  kind: 'dockerfile';
  /** ARGs before the first FROM. */
  globalArgs: DfVar[];
  stages: DfStage[];
  escape: string;
  /** RUN scripts that did not parse as shell. */
  shellErrors: { line: number; message: string }[];
}

const DOCKERFILE_NAME = /^(Dockerfile|Containerfile)([._-].+)?$|\.(Dockerfile|dockerfile|Containerfile|containerfile)$/;

const POSIX_SHELL = /(^|[/\\])(ba|da|z|k|a)?sh(\.exe)?$/i;

export function isDockerfilePath(path: string): boolean {
  const name = basename(path);
  if (!DOCKERFILE_NAME.test(name)) return false;
  // Dockerfile.md / Dockerfile.j2-like companions are not Dockerfiles we can read; templates still are.
  return !/\.(md|txt|json|ya?ml|sh|bak|orig|rej|lock|go|ts|js|py|rs)$/i.test(name);
}

function varRefs(value: string): string[] {
  const refs: string[] = [];
  for (const m of value.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    const name = (m[1] ?? m[2])!;
    if (!refs.includes(name)) refs.push(name);
  }
  return refs;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

function parseMount(value: string): DfMount {
  const options: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const key = (eq >= 0 ? part.slice(0, eq) : part).trim().toLowerCase();
    if (!key) continue;
    options[key] = eq >= 0 ? unquote(part.slice(eq + 1)) : 'true';
  }
  const mount: DfMount = { type: options.type ?? 'bind', options };
  if (options.id) mount.id = options.id;
  const target = options.target ?? options.dst ?? options.destination;
  if (target) mount.target = target;
  if (options.env) mount.env = options.env;
  if (options.required !== undefined) mount.required = !/^(false|0|no)$/i.test(options.required);
  if (options.from) mount.from = options.from;
  if (options.source ?? options.src) mount.source = options.source ?? options.src;
  return mount;
}

/** Secret mounts default their id to the target's basename and their target to /run/secrets/<id>. */
export function secretMountId(mount: DfMount): string | undefined {
  if (mount.id) return mount.id;
  if (mount.target) return basename(mount.target);
  return undefined;
}

export function secretMountTarget(mount: DfMount): string | undefined {
  if (mount.target) return mount.target;
  if (mount.env) return undefined;
  const id = secretMountId(mount);
  return id ? `/run/secrets/${id}` : undefined;
}

class Lines {
  readonly lines: string[];
  constructor(text: string) {
    this.lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  }
  /** Text between two zero-based positions. */
  slice(start: { line: number; character: number }, end: { line: number; character: number }): string {
    if (start.line === end.line) return (this.lines[start.line] ?? '').slice(start.character, end.character);
    const out = [(this.lines[start.line] ?? '').slice(start.character)];
    for (let l = start.line + 1; l < end.line; l++) out.push(this.lines[l] ?? '');
    out.push((this.lines[end.line] ?? '').slice(0, end.character));
    return out.join('\n');
  }
}

/**
 * The shell text of a RUN instruction in Dockerfile coordinates: comment lines and empty lines inside a continued
 * instruction are removed by Docker, so they become a bare continuation here (line numbers stay exact).
 */
function runShellText(text: string, escape: string): string {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*#/.test(line) || /^\s*$/.test(line)) {
      const prev = lines[i - 1]!;
      if (prev.trimEnd().endsWith(escape)) lines[i] = escape;
    }
  }
  return escape === '\\' ? lines.join('\n') : lines.join('\n').replaceAll(`${escape}\n`, '\\\n');
}

export function parseDockerfile(text: string, onShellError?: (line: number, message: string) => void): DockerfileModel {
  const df = DockerfileParserLazy().parse(text);
  const source = new Lines(text);
  const escape = df.getEscapeCharacter() || '\\';
  const model: DockerfileModel = { kind: 'dockerfile', globalArgs: [], stages: [], escape, shellErrors: [] };
  let stage: DfStage | undefined;
  const shellError = (line: number, message: string) => {
    model.shellErrors.push({ line, message });
    onShellError?.(line, message);
  };

  for (const instruction of df.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const range = instruction.getRange();
    const line = range.start.line + 1;
    const endLine = range.end.line + 1;
    if (keyword === 'ONBUILD') {
      // ONBUILD <instruction>: kept apart, the trigger runs in the images built FROM this one.
      const trigger = (instruction as unknown as { getTriggerInstruction?(): Instruction | null }).getTriggerInstruction?.();
      if (!stage || !trigger) continue;
      const target = (stage.onbuild ??= { args: [], envs: [], runs: [], copies: [] });
      const tk = trigger.getKeyword().toUpperCase();
      if (tk === 'ARG' || tk === 'ENV') {
        const properties = (trigger as unknown as { getProperties?(): PropertyLike[] }).getProperties?.() ?? [];
        for (const p of properties) if (p) (tk === 'ARG' ? target.args : target.envs).push(variableOf(p));
      } else if (tk === 'RUN') target.runs.push(runOf(trigger, source, escape, line, endLine, shellError));
      else if (tk === 'COPY' || tk === 'ADD') target.copies.push(copyOf(trigger, tk, source, line, endLine));
      continue;
    }
    switch (keyword) {
      case 'FROM': {
        const from = instruction as unknown as { getImage(): string | null; getBuildStage(): string | null };
        const image = from.getImage() ?? '';
        const name = from.getBuildStage() ?? undefined;
        const byName = model.stages.find((s) => s.name !== undefined && s.name.toLowerCase() === image.toLowerCase());
        const byIndex = /^\d+$/.test(image) ? model.stages[Number(image)] : undefined;
        const index = model.stages.length;
        stage = name
          ? { index, image, line, endLine, args: [], envs: [], runs: [], copies: [], workdirs: [], users: [], name }
          : { index, image, line, endLine, args: [], envs: [], runs: [], copies: [], workdirs: [], users: [] };
        const parent = byName ?? byIndex;
        if (parent) stage.parent = parent.index;
        model.stages.push(stage);
        break;
      }
      case 'ARG': {
        const properties = (instruction as unknown as { getProperties?(): PropertyLike[]; getProperty?(): PropertyLike | null }).getProperties?.() ?? [
          (instruction as unknown as { getProperty(): PropertyLike | null }).getProperty(),
        ];
        for (const p of properties) {
          if (!p) continue;
          const v = variableOf(p);
          if (stage) stage.args.push(v);
          else model.globalArgs.push(v);
        }
        break;
      }
      case 'ENV': {
        if (!stage) break;
        const properties = (instruction as unknown as { getProperties(): PropertyLike[] }).getProperties();
        for (const p of properties) stage.envs.push(variableOf(p));
        break;
      }
      case 'WORKDIR': {
        const args = instruction.getArguments().map((a) => a.getValue());
        if (stage && args[0]) stage.workdirs.push({ path: unquote(args.join(' ')), line });
        break;
      }
      case 'SHELL': {
        // SHELL ["powershell", "-Command"]: RUN lines of the stage are not POSIX shell from here on.
        const json = (instruction as unknown as { getJSONStrings?(): { getValue(): string }[] }).getJSONStrings?.() ?? [];
        const program = json[0] ? unquote(json[0].getValue()) : undefined;
        if (stage && program) stage.shell = program;
        break;
      }
      case 'USER': {
        const args = instruction.getArguments().map((a) => a.getValue());
        if (stage && args[0]) stage.users.push({ user: args[0], line });
        break;
      }
      case 'RUN': {
        if (!stage) break;
        stage.runs.push(runOf(instruction, source, stage.shell && !POSIX_SHELL.test(stage.shell) ? '' : escape, line, endLine, shellError));
        break;
      }
      case 'COPY':
      case 'ADD': {
        if (!stage) break;
        stage.copies.push(copyOf(instruction, keyword, source, line, endLine));
        break;
      }
      default:
        break;
    }
  }
  return model;
}

interface PropertyLike {
  getName(): string;
  getValue(): string | null;
  getRange(): { start: { line: number; character: number } };
}

function variableOf(p: PropertyLike): DfVar {
  const value = p.getValue();
  const name = p.getName();
  const start = p.getRange().start;
  const line = start.line + 1;
  const column = start.character + 1;
  // Literals with every property: one added later takes a separate property array per object.
  if (value === null) return { name, line, column, refs: [] };
  return { name, line, column, refs: value ? varRefs(value) : [], value };
}

interface FlagLike {
  getName(): string;
  getValue(): string | null;
}

function flagsOf(instruction: Instruction): FlagLike[] {
  const i = instruction as unknown as { getFlags?(): FlagLike[] };
  return i.getFlags?.() ?? [];
}

function heredocsOf(instruction: Instruction, source: Lines): { name: string; body: string; line: number }[] {
  const i = instruction as unknown as { getHeredocs?(): { getName(): string; getContentRange(): { start: { line: number; character: number }; end: { line: number; character: number } } | null; getStartRange(): { start: { line: number } } }[] };
  return (i.getHeredocs?.() ?? []).map((h) => {
    const range = h.getContentRange();
    return {
      name: h.getName(),
      body: range ? `${source.slice(range.start, range.end)}\n` : '',
      line: range ? range.start.line + 1 : h.getStartRange().start.line + 2,
    };
  });
}

function runOf(instruction: Instruction, source: Lines, escape: string, line: number, endLine: number, shellError: (line: number, message: string) => void): DfRun {
  const mounts = flagsOf(instruction)
    .filter((f) => f.getName().toLowerCase() === 'mount' && f.getValue())
    .map((f) => parseMount(f.getValue()!));
  const argsRange = instruction.getArgumentsRange();
  const run: DfRun = { line, endLine, form: 'shell', mounts, text: '' };
  if (!argsRange) return run;
  const text = source.slice(argsRange.start, instruction.getRange().end);
  run.text = text;
  const json = (instruction as unknown as { getJSONStrings?(): { getValue(): string }[] }).getJSONStrings?.() ?? [];
  if (json.length > 0 && text.trimStart().startsWith('[')) {
    run.form = 'exec';
    run.exec = execArgs(text, json);
    // ["sh", "-c", "script"]: the script is shell.
    const [program, flag, script] = run.exec;
    if (program && /(^|\/)(ba|da|z|k)?sh$/.test(program) && flag === '-c' && script !== undefined) {
      const parsed = parseShell(script, { lineOffset: line - 1 });
      // Line numbers inside a JSON string are not exact beyond the first; keep the instruction's line.
      parsed.commands.forEach((c) => {
        c.line = line;
        c.endLine = Math.max(line, Math.min(c.endLine, endLine));
      });
      if (parsed.error) shellError(line, parsed.error.message);
      run.script = parsed;
    }
    return run;
  }
  const heredocs = heredocsOf(instruction, source);
  const startLine = argsRange.start.line + 1;
  const firstArg = text.trimStart();
  const heredocScript = heredocs.length > 0 ? /^<<-?\s*["']?([A-Za-z0-9_.-]+)/.exec(firstArg) : null;
  if (heredocScript && heredocs[0]) {
    // RUN <<EOF [interpreter]: the first heredoc is the script.
    const header = firstArg.split('\n')[0]!.replace(/^<<-?\s*["']?[A-Za-z0-9_.-]+["']?/, '').trim();
    const interpreter = header.split(/\s+/)[0];
    if (interpreter) run.interpreter = interpreter;
    const doc = heredocs[0];
    if (!interpreter || /(^|\/)(ba|da|z|k|a)?sh$/.test(interpreter)) {
      const parsed = parseShell(doc.body, { lineOffset: doc.line - 1 });
      if (parsed.error) shellError(parsed.error.line ?? line, parsed.error.message);
      run.script = parsed;
    }
    return run;
  }
  if (escape !== '\\' && escape !== '`') return run;
  // Pad so that shell lines and columns match the Dockerfile: the text starts at argsRange.start.
  const parsed = parseShell(runShellText(text, escape), { lineOffset: startLine - 1 });
  if (parsed.error) shellError(parsed.error.line ?? line, parsed.error.message);
  // The common case as one literal (no property array for `script`).
  return { line, endLine, form: 'shell', mounts, text, script: parsed };
}

/** Exec-form arguments: the JSON array as Docker reads it (continuations joined). */
function execArgs(text: string, json: { getValue(): string }[]): string[] {
  try {
    const parsed: unknown = JSON.parse(text.replace(/\\\r?\n/g, ' ').trim());
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
  } catch {
    // Not strict JSON: fall back to dockerfile-ast's tokens.
  }
  return json.map((s) => unquote(s.getValue()));
}

function copyOf(instruction: Instruction, keyword: 'COPY' | 'ADD', source: Lines, line: number, endLine: number): DfCopy {
  const flags = flagsOf(instruction);
  const from = flags.find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? undefined;
  const heredocs = heredocsOf(instruction, source);
  let args: string[];
  const json = (instruction as unknown as { getJSONStrings?(): { getValue(): string }[] }).getJSONStrings?.() ?? [];
  const argsRange = instruction.getArgumentsRange();
  const text = argsRange ? source.slice(argsRange.start, instruction.getRange().end) : '';
  if (json.length > 0 && text.trimStart().startsWith('[')) {
    args = execArgs(text, json);
  } else {
    const firstLine = heredocs.length ? text.split('\n')[0]! : text;
    args = firstLine
      .replace(/\\\n/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .map(unquote);
  }
  const dest = args.length > 1 ? args[args.length - 1]! : (args[0] ?? '');
  const sources = args.slice(0, -1);
  if (from) return { instruction: keyword, line, endLine, sources, dest, heredocs, from };
  return { instruction: keyword, line, endLine, sources, dest, heredocs };
}

export const dockerfileAnalyzer: Analyzer<DockerfileModel> = {
  id: 'dockerfile',
  claims: (file: FileContext) => isDockerfilePath(file.path),
  // Rules and the inventory only read these models (they build their own arrays): empty arrays can be one.
  compact: (model) => compactPlain(model, { shareEmptyArrays: true }),
  parse(text, _file, context) {
    try {
      // A RUN script the shell parser cannot read is analysed no further: say so.
      return parseDockerfile(text, (line, message) => context.diagnostic({ code: 'parse-error', message: `Dockerfile RUN: shell: ${message}`, line }));
    } catch (error) {
      context.diagnostic({ code: 'parse-error', message: `Dockerfile: ${String((error as Error)?.message ?? error).split('\n')[0]}` });
      return undefined;
    }
  },
};
