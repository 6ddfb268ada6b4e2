import type { Analyzer } from './types.js';
import { yamlAnalyzer } from './yaml.js';
import { dotenvAnalyzer } from './dotenv.js';
import { buildAnalyzers } from './build/index.js';
import { terraformAnalyzer } from './terraform.js';
import { sopsAnalyzer } from './sops.js';
import { appConfigAnalyzer } from './app-config.js';
import { codeLiteralsAnalyzer } from './code-literals.js';
import { testAnalyzers } from './tests/index.js';

/** Every analyzer, in a stable order. Families register in their own index file. */
export const ANALYZERS: readonly Analyzer[] = [yamlAnalyzer, dotenvAnalyzer, ...buildAnalyzers, ...testAnalyzers, terraformAnalyzer, sopsAnalyzer, appConfigAnalyzer, codeLiteralsAnalyzer];
