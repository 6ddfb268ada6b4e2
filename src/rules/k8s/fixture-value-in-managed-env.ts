import type { ResolvedConfig } from '../../config/types.js';
import { DEFAULT_FIXTURE_VALUES } from '../../config/defaults.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { decodeBase64Text, embeddedUrlPassword, isCredentialName, words } from '../../k8s/vocabulary.js';
import type { Origin, Severity } from '../../types.js';
import { getStr, isMap, isScalar, type PEntry, type PMap, type PNode } from '../../yaml/model.js';
import { environmentClass, namedEnvironment } from '../../scan/environment.js';
import type { FileContext } from '../../analyzers/types.js';
import { resourcesInFile, valuesBlocksIn } from '../../scan/project-index.js';
import { createRule } from '../create-rule.js';
import { BoundedMemo } from '../../util/memo.js';
import { namesAKeyOfTheSecretBeside } from './common.js';

/** Fixture words that are also ordinary words: they count only as the value of a credential-named key. */
const GENERIC = new Set(['admin', 'test', 'secret', 'password', 'example', 'dummy', 'todo', 'tbd', 'placeholder', 'none', 'default', 'demo', 'user', 'root', 'postgres', 'guest', 'qwerty', '123456', '12345678', 'insecure', 'bitnami', 'password123']);
/** Placeholder shapes that only mean "fill me in" as the value of a credential key: <your-password>, your-api-key, xxx-token-here. */
const GENERIC_PATTERNS = [/^<[^<>]{1,80}>$/, /^(xxx[-_])?your[-_][a-z0-9_-]+$/i, /^[a-z0-9_-]*[-_]here$/i, /^(enter|insert|put|add)[-_][a-z0-9_-]+$/i];
/** Distinctive shapes: placeholder_client_secret, keycloak-placeholder, admin@corp.invalid. */
const DISTINCTIVE_PATTERNS = [/^placeholder[_-][a-z0-9_-]+$/i, /^[a-z0-9_-]+[_-]placeholder$/i, /^[^@\s]+@[a-z0-9.-]+\.invalid$/i, /^(change|replace)[-_]?me([-_][a-z0-9_-]+)?$/i];
const USER_WORDS = new Set(['user', 'username', 'login', 'userid']);
/**
 * Keys whose value names or addresses something (`metadata.name: tls-placeholder`, `secretName`, `namespace`, labels,
 * `image`): a placeholder-shaped word there is an identifier, not a credential value that replaced the real one.
 */
const NAMING_LAST = new Set(['name', 'names', 'namespace', 'kind', 'type', 'class', 'app', 'component', 'release', 'chart', 'image', 'repository', 'tag', 'path', 'paths', 'mountpath', 'label', 'instance']);
const NAMING_SUBTREES = new Set(['labels', 'annotations', 'selector', 'matchlabels', 'nodeselector']);

/** A key whose value is an identifier (a name, label, path, image), checked only against its own fixture list. */
function isNamingKey(key: string, path: readonly string[]): boolean {
  const w = words(key);
  if (NAMING_LAST.has(w[w.length - 1] ?? '') || NAMING_LAST.has(w.join(''))) return true;
  return path.slice(0, -1).some((p) => NAMING_SUBTREES.has(p.toLowerCase()));
}

function globRegex(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

export class FixtureMatcher {
  private readonly generic = new Set<string>();
  private readonly distinctive = new Set<string>();
  private readonly patterns: RegExp[] = [...DISTINCTIVE_PATTERNS];

  constructor(config: ResolvedConfig) {
    for (const value of DEFAULT_FIXTURE_VALUES) (GENERIC.has(value.toLowerCase()) ? this.generic : this.distinctive).add(value.toLowerCase());
    for (const value of config.fixtureValues) {
      if (value.includes('*')) this.patterns.push(globRegex(value));
      else this.distinctive.add(value.toLowerCase());
    }
  }

  /** Per value: [a distinctive fixture anywhere, a generic one under a credential key]. Values repeat across environments. */
  private readonly known = new BoundedMemo<string, readonly [boolean, boolean]>(50_000);

  /** Is this value a known fixture, given whether it sits under a credential-named key? */
  matches(value: string, underCredentialKey: boolean): boolean {
    const answer = this.known.get(value, this.judge);
    return answer[0] || (underCredentialKey && answer[1]);
  }

  private readonly judge = (value: string): readonly [boolean, boolean] => {
    const v = value.trim().toLowerCase();
    return v.length === 0 ? [false, false] : [this.distinctive.has(v) || this.patterns.some((p) => p.test(v)), this.generic.has(v) || GENERIC_PATTERNS.some((p) => p.test(v))];
  };
}

export interface FixtureHit {
  path: string;
  key: string;
  value: string;
  line: number;
  column: number;
  /** The user key of an admin/admin-style pair. */
  pairedUser?: string;
}

function scalarValue(node: PNode | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || typeof node.value === 'boolean') return undefined;
  return String(node.value);
}

/** A sibling user key holding the same generic value (admin/admin). */
function pairedUser(parent: PMap | undefined, value: string): string | undefined {
  if (!parent) return undefined;
  const hit = parent.entries.find((e) => {
    const w = words(e.key);
    return USER_WORDS.has(w[w.length - 1] ?? '') && scalarValue(e.value)?.trim().toLowerCase() === value.trim().toLowerCase();
  });
  return hit?.key;
}

/** External Secrets Operator kinds: their fields name keys and stores (`secretKey: dbPassword`), values only live under `template`. */
export const ESO_KINDS = new Set(['ExternalSecret', 'ClusterExternalSecret', 'PushSecret', 'ClusterPushSecret', 'SecretStore', 'ClusterSecretStore']);

/**
 * Fixture values in a YAML document; `data` of a Secret is base64-decoded first. `namesOnly` lists key paths (dotted)
 * of embedded objects whose fields are names, not values (ESO resources): only their `template` subtrees are read.
 */
export function fixtureHits(root: PNode | null | undefined, matcher: FixtureMatcher, config: ResolvedConfig, namesOnly: readonly string[] = [], skip: ReadonlySet<string> = new Set()): FixtureHit[] {
  const isSecret = isMap(root) && getStr(root, 'kind') === 'Secret';
  const out: FixtureHit[] = [];
  // walk()'s depth-first order, each node with the map holding it.
  const stack: { node: PNode; path: string[]; entry?: PEntry; parent?: PMap }[] = root ? [{ node: root, path: [] }] : [];
  const extra = { extra: config.credentialNames };
  while (stack.length > 0) {
    const { node, path, entry, parent } = stack.pop()!;
    const dotted = skip.size > 0 || namesOnly.length > 0 ? path.join('.') : '';
    if (skip.size > 0 && skip.has(dotted)) continue;
    if (node.t === 'map') {
      for (let i = node.entries.length - 1; i >= 0; i--) {
        const e = node.entries[i]!;
        if (e.value) stack.push({ node: e.value, path: [...path, e.key], entry: e, parent: node });
      }
      continue;
    }
    if (node.t === 'seq') {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (item) stack.push({ node: item, path: [...path, String(i)] });
      }
      continue;
    }
    if (!entry) continue;
    const under = namesOnly.length > 0 ? namesOnly.find((p) => p === '' || dotted === p || dotted.startsWith(`${p}.`)) : undefined;
    if (under !== undefined && !path.slice(under === '' ? 0 : under.split('.').length).includes('template')) continue;
    const raw = scalarValue(node);
    if (raw === undefined) continue;
    const decoded = isSecret && path.length === 2 && path[0] === 'data' ? decodeBase64Text(raw) : raw;
    if (decoded === undefined) continue;
    // env-style items: {name: ADMIN_PASSWORD, value: admin}
    const keyName = entry.key === 'value' && parent ? (getStr(parent, 'name') ?? entry.key) : entry.key;
    if (namesAKeyOfTheSecretBeside(entry.key, decoded, parent)) continue;
    const credentialKey = isCredentialName(keyName, extra);
    if (!credentialKey && isNamingKey(keyName, path)) continue;
    const at = () => ({ path: `.${path.join('.')}`, key: entry.key, line: entry.line, column: entry.column });
    if (matcher.matches(decoded, credentialKey)) {
      const user = credentialKey ? pairedUser(parent, decoded) : undefined;
      out.push({ ...at(), value: decoded, ...(user ? { pairedUser: user } : {}) });
      continue;
    }
    const urlPassword = embeddedUrlPassword(decoded);
    if (urlPassword && matcher.matches(urlPassword, true)) out.push({ ...at(), value: urlPassword });
  }
  return out;
}

/** Catalog D1: critical in production, high in staging and other managed environments, medium in shared values. */
function severityFor(environment: string): Severity {
  const cls = environmentClass(environment) ?? environment;
  if (cls === 'production') return 'critical';
  if (cls === 'shared') return 'medium';
  return 'high';
}

export const fixtureValueInManagedEnv = createRule(
  {
    id: 'fixture-value-in-managed-env',
    family: 'external',
    defaultSeverity: 'high',
    environmentEscalation: false,
    description: 'A known placeholder or fixture value (changeme, placeholder_*, admin/admin, dev fixtures) in staging, production or shared files',
    why:
      'Fixture values are dev/CI conveniences. In a managed environment they are either a live, guessable credential or a ' +
      'placeholder that silently replaced the real one (e.g. an OIDC client secret that makes every login fail with ' +
      'invalid_client_credentials). Production must use real values from the authority. Severity is set by the rule itself: ' +
      'critical in production, high in staging (and other managed environments), medium in shared values that production may ' +
      'override; silent in dev/local and unclassified paths.',
    allowed: 'Fixture values in dev/local overlays and the dev fixture map; real values from the authority in managed environments.',
    remediation:
      'Override the value in the managed environment with the real one from its authority (Azure Key Vault for external secrets, ' +
      'Helm/operator generation for cluster-managed ones) and add a CI grep gate for known fixture strings.',
  },
  (context) => {
    const { project, config } = context;
    const matcher = new FixtureMatcher(config);
    const classifier = new OriginClassifier(config);
    const report = (file: FileContext, environment: string, hit: FixtureHit, location: string, origin: Origin, owner?: string) =>
      context.report({
        file,
        line: hit.line,
        column: hit.column,
        message: hit.pairedUser
          ? `${environment} file${owner ? `: ${owner} inline values set` : ' sets'} ${hit.pairedUser}/${hit.key} to the same well-known fixture value (admin/admin-style pair)`
          : `${environment} file${owner ? `: ${owner} inline values set` : ' sets'} ${hit.path} to a known fixture or placeholder value`,
        location,
        value: hit.value,
        keys: hit.pairedUser ? [hit.pairedUser, hit.key] : [hit.key],
        severity: severityFor(environment),
        origin,
      });
    const originOf = (hit: FixtureHit, fallback: string, file: string) => {
      const segments = hit.path.split('.').filter((s) => s && !/^\d+$/.test(s));
      return classifier.classify({ name: segments.slice(0, -1).join('-') || fallback, keys: [hit.key], file });
    };
    context.each(
      project.yamlFiles.filter((f) => !f.file.isTest && (f.file.environment?.managed || valuesBlocksIn(project, f).some((b) => b.block.environment))),
      (f) => f.file.path,
      (file) => {
        const eso = resourcesInFile(project, file.file.path).filter((r) => ESO_KINDS.has(r.kind));
        const blocks = valuesBlocksIn(project, file);
        // helmfile `environments.<name>.values`: the block's own environment decides, not the file's path.
        const envBlocks = blocks.filter((b) => b.block.environment);
        if (file.file.environment?.managed) {
          const environment = file.file.environment.name;
          for (const doc of file.model.docs) {
            const namesOnly = eso.filter((r) => r.docIndex === doc.index).map((r) => r.valuesPath ?? '');
            const skip = new Set(envBlocks.filter((b) => b.docIndex === doc.index).map((b) => b.block.at));
            for (const hit of fixtureHits(doc.root, matcher, config, namesOnly, skip)) {
              const location = file.model.role === 'values' ? `values:${hit.path}` : `yaml:${doc.index}:${hit.path}`;
              report(file.file, environment, hit, location, originOf(hit, hit.key, file.file.path));
            }
          }
          // Inline values parsed from a YAML string (Argo CD `helm.values: |`): the document walk sees only the string.
          for (const { docIndex, block } of blocks.filter((b) => b.block.detached && b.block.kind === 'values' && !b.block.environment)) {
            const prefix = `${block.at}|`;
            const namesOnly = eso.filter((r) => r.docIndex === docIndex && r.valuesPath?.startsWith(prefix)).map((r) => r.valuesPath!.slice(prefix.length));
            for (const hit of fixtureHits(block.root, matcher, config, namesOnly)) {
              report(file.file, environment, hit, `yaml:${docIndex}:${block.at}|${hit.path}`, originOf(hit, block.release, file.file.path), block.owner);
            }
          }
        }
        for (const { docIndex, block } of envBlocks) {
          const blockEnv = namedEnvironment(block.environment!, config);
          if (!blockEnv.managed) continue;
          const inFile = { ...file.file, environment: blockEnv };
          for (const hit of fixtureHits(block.root, matcher, config)) {
            report(inFile, blockEnv.name, { ...hit, path: `.${block.at}${hit.path}` }, `yaml:${docIndex}:${block.at}|${hit.path}`, originOf(hit, block.release, file.file.path), block.owner);
          }
        }
      },
    );
  },
);
