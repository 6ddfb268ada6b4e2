import type { ResolvedConfig } from '../config/types.js';
import type { EnvironmentInfo } from '../scan/environment.js';
import type { DiagnosticCode } from '../types.js';

/** What every analyzer and rule knows about a file before reading it. */
export interface FileContext {
  /** POSIX path relative to the scan root. */
  path: string;
  environment?: EnvironmentInfo;
  vendored: boolean;
  /** Under a test folder or named like a test file (config testPaths). */
  isTest: boolean;
}

export interface AnalyzerDiagnostic {
  code: DiagnosticCode;
  message: string;
  line?: number;
}

export interface AnalyzerContext {
  config: ResolvedConfig;
  diagnostic(d: AnalyzerDiagnostic): void;
}

/**
 * An analyzer parses one kind of file into a plain, serialisable model. It never judges (rules do) and never
 * throws for bad input: it reports a diagnostic and returns what it could recover (or undefined).
 */
export interface Analyzer<Model = unknown> {
  id: string;
  /** Cheap path test: does this analyzer want the file? */
  claims(file: FileContext): boolean;
  /**
   * Rebuild a freshly parsed model compactly for the rest of the scan (see compact.ts: interned strings, no
   * pinned file text, exact-size arrays), without changing a value. Default: compactPlain. Called by the pipeline
   * on the thread that keeps the model.
   */
  compact?(model: Model): Model;
  /** Optional cheap content test after reading, before parsing (e.g. "contains kind:"); may read the config's vocabulary. */
  sniff?(text: string, file: FileContext, config: ResolvedConfig): boolean;
  /** May be async (WASM parsers load once, asynchronously). */
  parse(text: string, file: FileContext, context: AnalyzerContext): Model | undefined | Promise<Model | undefined>;
}

export interface ParsedFile<Model = unknown> {
  file: FileContext;
  analyzer: string;
  model: Model;
}
