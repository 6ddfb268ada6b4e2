/**
 * Parse one file's text with every analyzer that claims it, on whichever thread runs this (the scan's own or a
 * parse worker). Never throws: an analyzer's exception becomes its `crashed` message; a parser that exhausts the
 * stack is reported as too deep, not as a crash.
 */
import type { Analyzer, AnalyzerDiagnostic, FileContext } from '../analyzers/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { CachedAnalyzerResult } from './parse-cache.js';

export interface ParsedText {
  results: Record<string, CachedAnalyzerResult>;
  /** Time per analyzer id. */
  parseMs: Record<string, number>;
}

export async function parseText(text: string, file: FileContext, analyzers: readonly Analyzer[], config: ResolvedConfig, safeMessage: (error: unknown) => string): Promise<ParsedText> {
  const results: Record<string, CachedAnalyzerResult> = {};
  const parseMs: Record<string, number> = {};
  for (const analyzer of analyzers) {
    if (analyzer.sniff && !analyzer.sniff(text, file, config)) {
      results[analyzer.id] = { sniffed: false, diagnostics: [] };
      continue;
    }
    const result: CachedAnalyzerResult = { diagnostics: [] };
    results[analyzer.id] = result;
    const started = performance.now();
    try {
      const model = await analyzer.parse(text, file, {
        config,
        diagnostic: (d: AnalyzerDiagnostic) => {
          result.diagnostics.push({ ...d });
        },
      });
      if (model !== undefined) result.model = model;
    } catch (error) {
      // Hostile nesting is bad input, not a broken analyzer: a diagnostic like any other parse failure.
      if (error instanceof RangeError && error.message.includes('call stack')) {
        result.diagnostics.push({ code: 'too-deep', message: `Nesting too deep for the ${analyzer.id} parser; file not analyzed` });
      } else {
        result.crashed = `Analyzer ${analyzer.id} failed: ${safeMessage(error)}`;
      }
    }
    parseMs[analyzer.id] = (parseMs[analyzer.id] ?? 0) + performance.now() - started;
  }
  return { results, parseMs };
}
