import type { Analyzer } from '../types.js';

/** Test harnesses (TS/JS, Python, Go, shell) and scripts (Vault, kubectl, hvac). */
export const testAnalyzers: readonly Analyzer[] = [];
