import { preprocessHelmTemplate, restorePlaceholders } from './helm/gotemplate.js';
import type { Analyzer, FileContext } from './types.js';
import { parseYaml, type YamlDoc } from '../yaml/parse.js';
import { basename, segments } from '../util/path.js';

export type YamlRole = 'template' | 'values' | 'manifest';

export interface HelmValueAction {
  line: number;
  expr: string;
  valuesRefs: string[];
  functions: string[];
}

export interface HelmInfo {
  /** Chart folder (parent of templates/). */
  chartRoot: string;
  /** Value actions only: what feeds the YAML. */
  actions: HelmValueAction[];
  variables: Record<string, string[]>;
  usesLookup: boolean;
  usesRandom: boolean;
}

export interface YamlFileModel {
  role: YamlRole;
  docs: YamlDoc[];
  helm?: HelmInfo;
}

const YAML_EXT = /\.(ya?ml)$/i;
const RANDOM_FUNCTIONS = new Set(['randAlphaNum', 'randAlpha', 'randAscii', 'randNumeric', 'randBytes', 'uuidv4', 'genPrivateKey', 'derivePassword']);

export function yamlRole(path: string): YamlRole {
  const parts = segments(path);
  const dirs = parts.slice(0, -1);
  const file = basename(path);
  if (dirs.includes('templates')) return 'template';
  if (/(^|[-_.])values([-_.]|$)/i.test(file) || dirs.some((d) => d.toLowerCase() === 'values')) return 'values';
  return 'manifest';
}

function chartRootOf(path: string): string {
  const parts = segments(path);
  const index = parts.lastIndexOf('templates');
  return parts.slice(0, Math.max(0, index)).join('/') || '.';
}

export const yamlAnalyzer: Analyzer<YamlFileModel> = {
  id: 'yaml',
  claims(file: FileContext) {
    return YAML_EXT.test(file.path);
  },
  parse(text, file, context) {
    const role = yamlRole(file.path);
    const templated = role === 'template' || text.includes('{{');
    let helm: HelmInfo | undefined;
    let restore: ((s: string) => string) | undefined;
    let source = text;
    if (templated) {
      const frontEnd = preprocessHelmTemplate(text);
      source = frontEnd.yaml;
      restore = (s) => restorePlaceholders(s, frontEnd);
      const functions = new Set(frontEnd.actions.flatMap((a) => a.functions));
      const variables: Record<string, string[]> = {};
      for (const [name, exprs] of frontEnd.variables) variables[name] = exprs;
      helm = {
        chartRoot: chartRootOf(file.path),
        actions: frontEnd.actions
          .filter((a) => (a.kind === 'value' || a.kind === 'block') && !a.inDefine)
          .map((a) => ({ line: a.line, expr: a.expr, valuesRefs: a.valuesRefs, functions: a.functions })),
        variables,
        usesLookup: functions.has('lookup'),
        usesRandom: [...functions].some((f) => RANDOM_FUNCTIONS.has(f)),
      };
      for (const problem of frontEnd.problems.slice(0, 1)) {
        context.diagnostic({ code: 'parse-error', line: problem.line, message: `Go template: ${problem.message}` });
      }
    }
    const parsed = parseYaml(source, { restore });
    const failed = parsed.docs.find((d) => d.error);
    if (failed?.error) {
      const what = role === 'template' ? 'Helm template' : 'YAML';
      context.diagnostic({
        code: 'parse-error',
        line: failed.error.line,
        message: `${what} does not parse (${failed.error.message}); best-effort kind/name/keys kept`,
      });
    }
    if (parsed.aliasLimitHit) context.diagnostic({ code: 'alias-limit', message: 'YAML aliases expand past the node limit; expansion cut' });
    if (parsed.tooDeep) context.diagnostic({ code: 'too-deep', message: 'YAML nesting deeper than 200 levels; deeper nodes cut' });
    return { role, docs: parsed.docs, helm };
  },
};
