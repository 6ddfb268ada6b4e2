/** footprint's library API: scan a repository, render a result, load a config. The CLI is a thin shell over this. */
export { scan, scanDetailed, type ScanOptions, type ScanOutput, type ScanTimings } from './scan/run.js';
export { render, FORMATS, type Format, type RenderOptions } from './report/index.js';
export { loadConfig, resolveConfig, CONFIG_FILE_NAME } from './config/load.js';
export { parseResult, resultProblems } from './result/validate.js';
export { RULES, findRule } from './rules/index.js';
export type * from './types.js';
export type { Rule, RuleMeta, RuleContext, ReportInput } from './rules/types.js';
export type { UserConfig, ResolvedConfig } from './config/types.js';
