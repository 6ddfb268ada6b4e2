import { existsSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { CONFIG_FILE_NAME, resolveConfig } from '../../config/load.js';
import { discover } from '../../scan/discover.js';
import { EnvironmentResolver } from '../../scan/environment.js';
import { scan } from '../../scan/run.js';
import { UsageError } from '../../util/errors.js';
import { segments } from '../../util/path.js';
import { rootArgument, writeOutput } from './io.js';
import type { Command } from './types.js';

const VENDOR_DIRS = new Set(['third_party', 'third-party', 'vendor', 'vendored']);

function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** Where each environment's files live, as globs derived from the paths that named it. */
function detectEnvironments(paths: string[]): Map<string, { globs: Set<string>; managed: boolean; local: boolean }> {
  const resolver = new EnvironmentResolver();
  const found = new Map<string, { globs: Set<string>; managed: boolean; local: boolean }>();
  for (const file of paths) {
    const env = resolver.resolve(file);
    if (!env) continue;
    const parts = segments(file);
    const dirIndex = parts.findIndex((p, i) => i < parts.length - 1 && (p.toLowerCase() === env.name || resolver.resolve(`${parts.slice(0, i + 1).join('/')}/x`)?.name === env.name));
    const glob = dirIndex >= 0 ? `${parts.slice(0, dirIndex + 1).join('/')}/**` : `**/${parts[parts.length - 1]}`;
    const entry = found.get(env.name) ?? { globs: new Set<string>(), managed: env.managed, local: env.local };
    entry.globs.add(glob);
    found.set(env.name, entry);
  }
  return found;
}

function detectVendored(paths: string[]): string[] {
  const dirs = new Set<string>();
  const nestedCharts = picomatch('**/charts/*/charts/**');
  for (const file of paths) {
    const parts = segments(file);
    const index = parts.findIndex((p) => VENDOR_DIRS.has(p.toLowerCase()));
    if (index >= 0) dirs.add(`${parts.slice(0, index + 1).join('/')}/**`);
    else if (nestedCharts(file)) {
      const i = parts.lastIndexOf('charts');
      dirs.add(`${parts.slice(0, i + 2).join('/')}/**`);
    }
  }
  return [...dirs].sort();
}

export const initCommand: Command = {
  usage: 'init [ROOT]',
  summary: `Write a commented ${CONFIG_FILE_NAME} from what ROOT contains`,
  options: { force: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  optionHelp: { force: 'overwrite an existing config file', output: `write to FILE (default ROOT/${CONFIG_FILE_NAME}; - is stdout)` },
  async run(values, positionals) {
    const root = rootArgument('init', positionals);
    const target = typeof values.output === 'string' ? values.output : path.join(root, CONFIG_FILE_NAME);
    if (target !== '-' && existsSync(target) && !values.force) throw new UsageError(`${CONFIG_FILE_NAME} already exists; use --force to overwrite`);
    const defaults = resolveConfig({});
    const { files } = await discover(path.resolve(root), defaults);
    const paths = files.map((f) => f.path);
    const environments = detectEnvironments(paths);
    const vendored = detectVendored(paths);
    const result = await scan({ root, config: defaults });
    const stores = result.inventory
      .filter((e) => (e.kind === 'SecretStore' || e.kind === 'ClusterSecretStore') && !e.name.includes('{{'))
      .map((e) => [e.name, /^provider (\S+)/.exec(e.producer ?? '')?.[1] ?? 'unknown'] as const);

    const out: string[] = [];
    out.push(`# footprint configuration, written by "footprint init" from what this repository contains.`);
    out.push(`# Schema (editor completion): schemas/footprint-config.schema.json in the footprint package.`);
    out.push(`# Everything here is optional; without this file footprint uses the same defaults.`, '');
    out.push(`# Environments: where each environment's files live. Managed ones (staging, production, shared)`);
    out.push(`# escalate findings one severity level; local/dev ones lower them one level.`);
    if (environments.size === 0) out.push(`# (none detected from paths)`, `# environments:`, `#   production: { paths: ["deploy/production/**"], managed: true }`);
    else {
      out.push('environments:');
      for (const [name, env] of [...environments].sort(([a], [b]) => a.localeCompare(b))) {
        out.push(`  ${name}:`, `    managed: ${env.managed}`);
        if (env.local) out.push(`    local: true`);
        out.push(`    paths:`);
        for (const glob of [...env.globs].sort().slice(0, 20)) out.push(`      - ${yamlString(glob)}`);
      }
    }
    out.push('', `# Secret stores defined in this tree and their providers. Add stores defined elsewhere`, `# (e.g. in another repo) so ExternalSecrets that use them can be classified.`);
    if (stores.length === 0) out.push('# stores:', '#   platform-vault: vault', '#   azure-kv: azurekv');
    else {
      out.push('stores:');
      for (const [name, provider] of [...new Map(stores)].sort(([a], [b]) => a.localeCompare(b))) out.push(`  ${yamlString(name)}: ${provider}`);
    }
    out.push('', `# Vendored third-party code: inventoried, kept out of first-party findings.`, `# Built-in: **/third_party/**, **/vendor/**, **/charts/*/charts/** (packaged subcharts).`);
    if (vendored.length === 0) out.push('# vendored: []');
    else {
      out.push('vendored:');
      for (const glob of vendored) out.push(`  - ${yamlString(glob)}`);
    }
    out.push(
      '',
      '# exclude: ["docs/**"]            # on top of .gitignore and node_modules, dist, .git ...',
      '# maxFileSize: 5MB',
      '# rules:',
      '#   secret-in-configmap: medium    # a severity, "off", or { enabled, severity, options }',
      '# taxonomy:                         # origin overrides, first match wins',
      '#   - { name: "gitlab-db-credentials", origin: external }',
      '# fixtureValues: ["our-dev-password"]',
      '# suppressions:',
      '#   - rule: vault-authored-db-credential',
      '#     path: "values/_shared/gitlab.yaml"',
      '#     reason: "GitLab DB creds stay in Vault until the CNPG migration (ticket 123)"',
      '#     owner: platform-team',
      '#     expires: 2027-06-30',
      '',
    );
    writeOutput(target, out.join('\n'));
    if (target !== '-') process.stderr.write(`footprint init: wrote ${path.relative(process.cwd(), target) || target} (${environments.size} environments, ${stores.length} stores, ${vendored.length} vendored paths)\n`);
    return 0;
  },
};
