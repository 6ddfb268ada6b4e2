/**
 * Kustomize `secretGenerator` / `configMapGenerator` entries: the literals they commit (`literals: [KEY=value]`) and the
 * dotenv files they read (`envs: [secrets.env]`, the older `env: x.env`), resolved against the kustomization's folder.
 */
import type { DotenvModel } from '../../analyzers/dotenv.js';
import type { FileContext, ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import type { ResolvedConfig } from '../../config/types.js';
import { connectionStringPassword, embeddedUrlPassword, isAnglePlaceholder, isCredentialName, isLiteralSecretValue, isSecretDataCredentialName } from '../../k8s/vocabulary.js';
import { isKustomizationPath } from '../../k8s/values-blocks.js';
import { deploymentGraph } from '../../scan/deployment-graph.js';
import { memoFor } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import { basename, dirname, joinWithinRoot } from '../../util/path.js';
import { get, getStr, isMap, isScalar, seqItems } from '../../yaml/model.js';
import { valuesCredentials } from './inline-credential-in-values.js';
import { isNonCredentialLiteral } from './common.js';

export type GeneratorField = 'secretGenerator' | 'configMapGenerator';

export interface GeneratorCredential {
  key: string;
  value: string;
  line: number;
  column: number;
}

export interface GeneratorSource {
  /** The file holding the values: the kustomization itself (literals) or a dotenv file it reads. */
  file: FileContext;
  /** `literals` or the dotenv path as the kustomization spells it. */
  via: string;
  credentials: GeneratorCredential[];
}

export interface KustomizeGenerator {
  kustomization: ParsedFile<YamlFileModel>;
  name: string;
  /** The generator's own `namespace:` option (part of logical locations: keep it as spelled). */
  namespace?: string;
  /**
   * The namespace the generated object lands in: the kustomization's `namespace:` (or an including overlay's, see the
   * deployment graph), else the generator's own. Reported in findings and the inventory.
   */
  renderedNamespace?: string;
  type?: string;
  /** Line of the generator entry in the kustomization. */
  line: number;
  /** Every key the generated object gets (literals, dotenv entries, `files:` keys), credentials or not. */
  keys: string[];
  /** Where literal credentials come from; empty when the generator commits none. */
  sources: GeneratorSource[];
}

const ALL_CREDENTIAL_TYPES = new Set(['kubernetes.io/basic-auth', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/ssh-auth']);

export function isKustomizationFile(path: string): boolean {
  return isKustomizationPath(path);
}

/** `a/b` + `../c/x.env` -> `a/c/x.env`; undefined when it leaves the scan root. */
export const joinRelative = joinWithinRoot;

/** The literal credential of one generator `KEY=value`, if any: credential-named keys, or a URL/DSN with a password. */
export function generatorCredential(key: string, rawValue: string, config: ResolvedConfig, allCredential = false, secretData = false): string | undefined {
  const value = rawValue.trim().replace(/^(["'])(.*)\1$/, '$2');
  const credential = allCredential || (secretData ? isSecretDataCredentialName : isCredentialName)(key, { extra: config.credentialNames });
  const literal = credential && (isLiteralSecretValue(value) || isAnglePlaceholder(value)) ? value : isLiteralSecretValue(value) ? (embeddedUrlPassword(value) ?? connectionStringPassword(value)) : undefined;
  return literal === undefined || isNonCredentialLiteral(literal) ? undefined : literal;
}

/**
 * Every `field` generator of every kustomization in the tree (test files excluded), with the literal credentials it
 * commits. Once per project: a rule and the inventory both read the secret generators (GitOps shape, 16,200
 * kustomizations: 311 ms a pass). Read-only for callers.
 */
export function kustomizeGenerators(project: Project, field: GeneratorField): readonly KustomizeGenerator[] {
  return memoFor(project, 'kustomize:generators', field, () => computeGenerators(project, field));
}

/** Literal credentials in a file a generator's `files:` entry reads, when the tree parsed it (YAML, JSON, dotenv). */
function fileCredentials(project: Project, path: string, fileKey: string, dotenv: ReadonlyMap<string, ParsedFile<DotenvModel>>, allCredential: boolean, field: GeneratorField): { file: FileContext; credentials: GeneratorCredential[] } | undefined {
  const env = dotenv.get(path);
  if (env) {
    if (env.file.isTest) return undefined;
    const credentials = env.model.entries.flatMap((e) => {
      const value = generatorCredential(e.key, e.value, project.config, allCredential, field === 'secretGenerator');
      return value === undefined ? [] : [{ key: `${fileKey}:${e.key}`, value, line: e.line, column: e.column }];
    });
    return { file: env.file, credentials };
  }
  const index = project.yamlFileIndex(path);
  const parsed = index >= 0 ? project.yamlFiles[index] : undefined;
  // A manifest or kustomization read as a file is the tooling's business (a bundle), not a config with credentials.
  if (!parsed || parsed.file.isTest || isKustomizationFile(path) || parsed.model.docs.some((d) => isMap(d.root) && getStr(d.root, 'kind') && getStr(d.root, 'apiVersion'))) return undefined;
  const credentials = parsed.model.docs.flatMap((d) => valuesCredentials(d.root, project.config)).map((c) => ({ key: `${fileKey}:${c.key}`, value: c.value, line: c.line, column: c.column }));
  return { file: parsed.file, credentials };
}

function computeGenerators(project: Project, field: GeneratorField): KustomizeGenerator[] {
  const dotenv = new Map(project.models<DotenvModel>('dotenv').map((f) => [f.file.path, f]));
  const out: KustomizeGenerator[] = [];
  const graph = deploymentGraph(project);
  for (const parsed of project.yamlFiles) {
    if (parsed.file.isTest || !isKustomizationFile(parsed.file.path)) continue;
    const dir = dirname(parsed.file.path);
    for (const doc of parsed.model.docs) {
      for (const generator of seqItems(get(doc.root, field))) {
        const name = getStr(generator, 'name') ?? (field === 'secretGenerator' ? 'secret' : 'configmap');
        const namespace = getStr(generator, 'namespace');
        const renderedNamespace = graph.namespace(parsed.file.path) ?? namespace;
        const type = getStr(generator, 'type');
        const allCredential = type !== undefined && ALL_CREDENTIAL_TYPES.has(type);
        const sources: GeneratorSource[] = [];
        const keys: string[] = [];
        for (const item of seqItems(get(generator, 'files'))) {
          if (!isScalar(item) || typeof item.value !== 'string') continue;
          const spec = item.value.trim();
          const fileKey = spec.includes('=') ? spec.slice(0, spec.indexOf('=')) : basename(spec);
          keys.push(fileKey);
          // The file's content is the key's value: a JSON or YAML config (`config.json`, a chart's values override,
          // a registry's .dockerconfigjson) or a dotenv file with literal credentials commits them as the generator does.
          const path = joinRelative(dir, spec.includes('=') ? spec.slice(spec.indexOf('=') + 1) : spec);
          if (path === undefined) continue;
          const credentials = fileCredentials(project, path, fileKey, dotenv, allCredential, field);
          if (credentials && credentials.credentials.length > 0) sources.push({ file: credentials.file, via: spec, credentials: credentials.credentials });
        }
        const literals = seqItems(get(generator, 'literals')).flatMap((item) => {
          if (!isScalar(item) || typeof item.value !== 'string') return [];
          const eq = item.value.indexOf('=');
          if (eq <= 0) return [];
          const key = item.value.slice(0, eq).trim();
          keys.push(key);
          const value = generatorCredential(key, item.value.slice(eq + 1), project.config, allCredential, field === 'secretGenerator');
          return value === undefined ? [] : [{ key, value, line: item.line, column: item.column }];
        });
        if (literals.length) sources.push({ file: parsed.file, via: 'literals', credentials: literals });
        const envs = [...seqItems(get(generator, 'envs')), get(generator, 'env')];
        for (const item of envs) {
          if (!isScalar(item) || typeof item.value !== 'string') continue;
          const path = joinRelative(dir, item.value.trim());
          const envFile = path === undefined ? undefined : dotenv.get(path);
          if (!envFile || envFile.file.isTest) continue;
          keys.push(...envFile.model.entries.map((e) => e.key));
          const credentials = envFile.model.entries.flatMap((e) => {
            const value = generatorCredential(e.key, e.value, project.config, allCredential, field === 'secretGenerator');
            return value === undefined ? [] : [{ key: e.key, value, line: e.line, column: e.column }];
          });
          if (credentials.length) sources.push({ file: envFile.file, via: item.value.trim(), credentials });
        }
        out.push({ kustomization: parsed, name, ...(namespace ? { namespace } : {}), ...(renderedNamespace ? { renderedNamespace } : {}), ...(type ? { type } : {}), line: generator?.line ?? 1, keys: [...new Set(keys)].sort(), sources });
      }
    }
  }
  return out;
}
