import picomatch from 'picomatch';
import type { ResolvedConfig } from '../config/types.js';
import { segments } from '../util/path.js';

export interface EnvironmentInfo {
  name: string;
  /** staging, production and shared values: severity escalates one level. */
  managed: boolean;
  /** local and dev only: severity drops one level. */
  local: boolean;
}

const ALIASES: Record<string, string> = {
  prod: 'production',
  production: 'production',
  prd: 'production',
  live: 'production',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
  preprod: 'staging',
  'pre-prod': 'staging',
  uat: 'staging',
  dev: 'dev',
  develop: 'dev',
  development: 'dev',
  local: 'local',
  tilt: 'local',
  kind: 'local',
  k3d: 'local',
  minikube: 'local',
  _shared: 'shared',
  shared: 'shared',
  common: 'shared',
  _common: 'shared',
  base: 'shared',
};

const MANAGED = new Set(['production', 'staging', 'shared']);
const LOCAL = new Set(['dev', 'local']);

/**
 * Folder names whose child folder names an environment: env/<name>/, environments/<name>/, overlays/<name>/ ...;
 * Flux/Argo `clusters/<cluster>/` names a deployment target (clusters/eks-prod-1 is production).
 */
const ENV_PARENTS = new Set(['env', 'envs', 'environment', 'environments', 'overlays', 'stages', 'clusters', 'cluster']);
/** Folders of a chart or a kustomize tree: under `cluster/` (a chart named cluster) they name no environment. */
const STRUCTURAL_FOLDERS = new Set(['templates', 'charts', 'crds', 'files', 'base', 'bases', 'components', 'manifests', 'resources', 'patches', 'tests', 'test', 'scripts', 'docs', 'src', 'ci']);
/** Leading words of a folder name that say the rest names an environment: env-prod, environment_staging. */
const ENV_WORDS = new Set(['env', 'envs', 'environment']);

/** values-<env>.yaml, values.<env>.yaml, <env>.values.yaml, <env>-values.yaml */
const FILE_PATTERNS = [
  /^values[-._]([a-z0-9_-]+?)\.ya?ml$/i,
  /^([a-z0-9_-]+?)[-.]values\.ya?ml$/i,
];

/** `prod`, `Production`; a numbered instance keeps its class: prod1, stg-2, dev01, uat_3. */
function canonical(name: string): string | undefined {
  const lower = name.toLowerCase();
  const numbered = /^([a-z]+?)[-_]?\d{1,2}$/.exec(lower);
  return ALIASES[lower] ?? (numbered ? ALIASES[numbered[1]!] : undefined);
}

/** Words that start a compound folder name for a managed environment anywhere: production-west, prd-weu, staging-eu1. */
const MANAGED_PREFIXES = new Set(['prod', 'production', 'prd', 'staging', 'stage', 'stg', 'preprod', 'uat']);

/**
 * The class of a compound environment name: `prod-eu`, `staging_eu1`, `dev-local`. Under an env/ parent any word may
 * name it; elsewhere only a leading managed word does (a `dev-tools/` folder is not an environment).
 */
function compoundClass(name: string, underEnvParent: boolean): string | undefined {
  const tokens = name.toLowerCase().split(/[-_.]+/).filter(Boolean);
  if (tokens.length < 2) return undefined;
  if (!underEnvParent) {
    if (ENV_WORDS.has(tokens[0]!)) {
      const alias = canonical(tokens[1]!);
      return alias && alias !== 'shared' ? alias : undefined;
    }
    return MANAGED_PREFIXES.has(tokens[0]!) ? ALIASES[tokens[0]!] : undefined;
  }
  for (let i = 0; i < tokens.length; i++) {
    const alias = tokenClass(tokens, i);
    if (alias && alias !== 'shared') return alias;
  }
  return undefined;
}

/** Words that say the next word is what an environment is not: non-prod, not-prod, no-prod. */
const NEGATIONS = new Set(['non', 'not', 'no']);

/** The class token I of a compound name gives: none after a negation (non-prod), staging after `pre` (pre-production). */
function tokenClass(tokens: readonly string[], i: number): string | undefined {
  const alias = ALIASES[tokens[i]!];
  if (!alias || i === 0) return alias;
  const before = tokens[i - 1]!;
  if (NEGATIONS.has(before)) return undefined;
  return before === 'pre' && alias === 'production' ? 'staging' : alias;
}

/** The canonical class (production, staging, shared, dev, local) of an environment name such as `prod-eu`, if any. */
export function environmentClass(name: string): string | undefined {
  return canonical(name) ?? compoundClass(name, true);
}

function info(name: string, config?: ResolvedConfig, cls: string = name): EnvironmentInfo {
  const spec = config?.environments[name];
  return {
    name,
    managed: spec?.managed ?? MANAGED.has(cls),
    local: spec?.local ?? (LOCAL.has(cls) && !(spec?.managed ?? false)),
  };
}

/** One frozen info per distinct environment: every FileContext of a 100k-file tree points at a handful of them. */
function sharedInfo(shared: Map<string, EnvironmentInfo>, name: string, config?: ResolvedConfig, cls: string = name): EnvironmentInfo {
  const key = `${name}\0${cls}`;
  let found = shared.get(key);
  if (!found) shared.set(key, (found = Object.freeze(info(name, config, cls))));
  return found;
}

/**
 * The environment a name denotes where the tree names it explicitly rather than by path (a helmfile `environments:`
 * key, a configured name): `prod` -> production (managed), `dev-eu` -> dev-eu (local), `qa` -> qa (neither).
 */
export function namedEnvironment(name: string, config?: ResolvedConfig): EnvironmentInfo {
  if (config?.environments[name]) return info(name, config);
  const alias = canonical(name);
  return alias ? info(alias, config) : info(name, config, compoundClass(name, true) ?? name);
}

/** Words that name an environment beyond doubt when they end a file name (not `stage`, `live`, `kind`, `base`). */
const SUFFIX_WORDS = new Set(['prod', 'production', 'prd', 'staging', 'stg', 'preprod', 'uat', 'dev', 'development']);

/** `application-prod.yml` -> production, `values-prod-eu.yaml` -> production, `secrets.staging.yaml` -> staging. */
function suffixEnvironment(file: string): string | undefined {
  const stem = /^(.+)\.(?:ya?ml(?:\.gotmpl)?|properties|json|conf)$/i.exec(file)?.[1];
  if (!stem) return undefined;
  const tokens = stem.toLowerCase().split(/[-._]+/).filter(Boolean);
  if (tokens.length < 2) return undefined;
  const at = tokens.indexOf('values');
  const candidates = at >= 0 ? [at + 1, at - 1] : [tokens.length - 1];
  for (const c of candidates) if (c >= 0 && c < tokens.length && SUFFIX_WORDS.has(tokens[c]!)) return tokenClass(tokens, c);
  return undefined;
}

export class EnvironmentResolver {
  private readonly configured: { name: string; match: (path: string) => boolean }[];
  private readonly shared = new Map<string, EnvironmentInfo>();
  /** The last folder resolve saw, and what its folders name. */
  private lastFolder: string | undefined;
  private lastFolderInfo: EnvironmentInfo | undefined;

  constructor(private readonly config?: ResolvedConfig) {
    this.configured = Object.entries(config?.environments ?? {}).map(([name, spec]) => ({
      name,
      match: picomatch(spec.paths, { dot: true }),
    }));
  }

  /** Whether the config's `environments:` names PATH: the user says it is deployed there, whatever it looks like. */
  isConfigured(path: string): boolean {
    return this.configured.some((entry) => entry.match(path));
  }

  /**
   * The environment a file belongs to, from config first, then from its path. A TEST file's dotenv name says nothing
   * (`testdata/.env.prod` is a fixture shaped like production's).
   */
  resolve(path: string, test = false): EnvironmentInfo | undefined {
    for (const entry of this.configured) {
      if (entry.match(path)) return sharedInfo(this.shared, entry.name, this.config);
    }
    const trimmed = path.endsWith('/') ? path.replace(/\/+$/, '') : path;
    const slash = trimmed.lastIndexOf('/');
    const folder = slash < 0 ? '' : trimmed.slice(0, slash);
    // Files come folder by folder (discovery sorts): the folders' answer is worked out once per folder.
    if (folder !== this.lastFolder) {
      this.lastFolder = folder;
      this.lastFolderInfo = this.fromFolders(segments(folder));
    }
    if (this.lastFolderInfo) return this.lastFolderInfo;
    return this.fromFileName(slash < 0 ? trimmed : trimmed.slice(slash + 1), test);
  }

  /** The environment the folders DIRS (outermost first) name, the innermost naming one winning. */
  private fromFolders(dirs: string[]): EnvironmentInfo | undefined {
    for (let i = dirs.length - 1; i >= 0; i--) {
      const dir = dirs[i]!.toLowerCase();
      const parent = i > 0 ? dirs[i - 1]!.toLowerCase() : '';
      if (ENV_PARENTS.has(parent) && !STRUCTURAL_FOLDERS.has(dir)) {
        const alias = canonical(dir);
        if (alias) return sharedInfo(this.shared, alias, this.config);
        const cls = compoundClass(dir, true);
        // `cluster/` is as often a chart or a component named cluster (its examples/, monitoring/) as a folder of
        // clusters: there only a name that says an environment counts.
        if (cls !== undefined || parent !== 'cluster') return sharedInfo(this.shared, dir, this.config, cls ?? dir);
      }
      const alias = canonical(dir);
      if (alias && (alias !== 'shared' || dir.startsWith('_'))) return sharedInfo(this.shared, alias, this.config);
      const cls = compoundClass(dir, false);
      if (cls) return sharedInfo(this.shared, dir, this.config, cls);
    }
    return undefined;
  }

  /** The environment a file's own name gives (values-prod.yaml, secrets.staging.yaml, prod.yaml). */
  private fromFileName(file: string, test: boolean): EnvironmentInfo | undefined {
    for (const pattern of FILE_PATTERNS) {
      const match = pattern.exec(file);
      if (match) {
        const alias = canonical(match[1]!);
        if (alias) return sharedInfo(this.shared, alias, this.config);
      }
    }
    // Dotenv files per environment: `.env.production`, `.env.development.local`, `.env.local`, `prod.env` (never a
    // shared one: `.env.common` holds defaults every environment overrides).
    const dotenv = test ? undefined : (/^\.env\.([A-Za-z0-9_-]+)(?:\.local)?$/.exec(file) ?? /^([A-Za-z0-9_-]+)\.env$/.exec(file))?.[1];
    const dotenvAlias = dotenv ? canonical(dotenv) : undefined;
    if (dotenvAlias && dotenvAlias !== 'shared') return sharedInfo(this.shared, dotenvAlias, this.config);
    // Terraform variable files per environment: prod.tfvars, staging.auto.tfvars, terraform.prod.tfvars,
    // env-dev.tfvars.json (the last word that names one; never terraform.tfvars or a shared common.tfvars).
    const tfvars = test ? undefined : /^(.+?)(?:\.auto)?\.tfvars(?:\.json)?$/i.exec(file)?.[1];
    if (tfvars) {
      for (const word of tfvars.toLowerCase().split(/[-._]+/).reverse()) {
        const alias = word ? canonical(word) : undefined;
        if (alias && alias !== 'shared') return sharedInfo(this.shared, alias, this.config);
      }
    }
    // Suffixed files: application-prod.yaml, secrets.staging.yaml, values-prod-eu.yaml (an unambiguous word only).
    const suffixed = suffixEnvironment(file);
    if (suffixed) return sharedInfo(this.shared, suffixed, this.config);
    // helmfile/kustomize style per-environment files: values/prod.yaml, environments/staging.yaml.
    const stem = /^([A-Za-z0-9_-]+)\.ya?ml$/i.exec(file)?.[1];
    const alias = stem ? canonical(stem) : undefined;
    if (stem && alias && (alias !== 'shared' || stem.startsWith('_')) && !['kind', 'base'].includes(stem.toLowerCase())) return sharedInfo(this.shared, alias, this.config);
    return undefined;
  }
}
