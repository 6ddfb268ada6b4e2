import type { Analyzer } from '../types.js';
import { credentialTextAnalyzer } from './credentials.js';
import { goAnalyzer } from './go.js';
import { imperativeAnalyzer } from './imperative.js';
import { pythonAnalyzer } from './python.js';
import { pytestEnvAnalyzer } from './pytest-env.js';
import { shellAnalyzer } from './shell.js';
import { packageJsonSetupAnalyzer, typescriptAnalyzer } from './typescript.js';

/** Test harnesses (TS/JS, Python, Go, shell) and scripts (Vault, kubectl, hvac). */
export const testAnalyzers: readonly Analyzer[] = [typescriptAnalyzer, pythonAnalyzer, goAnalyzer, shellAnalyzer, packageJsonSetupAnalyzer, pytestEnvAnalyzer, credentialTextAnalyzer, imperativeAnalyzer];
