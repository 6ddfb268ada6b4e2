import picomatch from 'picomatch';
import type { ResolvedConfig } from '../config/types.js';
import { basename, segments } from '../util/path.js';

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

/** Folder names whose child folder names an environment: env/<name>/, environments/<name>/, overlays/<name>/ ... */
const ENV_PARENTS = new Set(['env', 'envs', 'environment', 'environments', 'overlays', 'stages']);

/** values-<env>.yaml, values.<env>.yaml, <env>.values.yaml, <env>-values.yaml */
const FILE_PATTERNS = [
  /^values[-._]([a-z0-9_-]+?)\.ya?ml$/i,
  /^([a-z0-9_-]+?)[-.]values\.ya?ml$/i,
];

function canonical(name: string): string | undefined {
  return ALIASES[name.toLowerCase()];
}

function info(name: string, config?: ResolvedConfig): EnvironmentInfo {
  const spec = config?.environments[name];
  return {
    name,
    managed: spec?.managed ?? MANAGED.has(name),
    local: spec?.local ?? (LOCAL.has(name) && !(spec?.managed ?? false)),
  };
}

export class EnvironmentResolver {
  private readonly configured: { name: string; match: (path: string) => boolean }[];

  constructor(private readonly config?: ResolvedConfig) {
    this.configured = Object.entries(config?.environments ?? {}).map(([name, spec]) => ({
      name,
      match: picomatch(spec.paths, { dot: true }),
    }));
  }

  /** The environment a file belongs to, from config first, then from its path. */
  resolve(path: string): EnvironmentInfo | undefined {
    for (const entry of this.configured) {
      if (entry.match(path)) return info(entry.name, this.config);
    }
    const parts = segments(path);
    const dirs = parts.slice(0, -1);
    for (let i = dirs.length - 1; i >= 0; i--) {
      const dir = dirs[i]!.toLowerCase();
      const parent = i > 0 ? dirs[i - 1]!.toLowerCase() : '';
      if (ENV_PARENTS.has(parent)) {
        return info(canonical(dir) ?? dir, this.config);
      }
      const alias = canonical(dir);
      if (alias && (alias !== 'shared' || dir.startsWith('_'))) return info(alias, this.config);
    }
    const file = basename(path);
    for (const pattern of FILE_PATTERNS) {
      const match = pattern.exec(file);
      if (match) {
        const alias = canonical(match[1]!);
        if (alias) return info(alias, this.config);
      }
    }
    return undefined;
  }
}
