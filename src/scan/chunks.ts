/**
 * Bounded model memory on large trees (issue 7). Parsed YAML models are ~5x the size of their text and the rules used
 * to need all of them at once. Most YAML files, though, are only ever read while judging themselves: a Deployment, a
 * values file, a chart's templates. The ones other files are judged against (the "context": ExternalSecrets and
 * their stores, CNPG clusters, deployment-tool entry points, a chart's default values, ...) are few.
 *
 * So past `chunkFiles` YAML files (by default past CHUNK_AUTO_PAST, or CHUNK_AUTO_PAST_CACHED), the scan parses the
 * context and every non-YAML file first and runs the rules over them; then it parses the other YAML files a chunk at
 * a time, each chunk judged in a project made of the context plus the chunk, keeping only what lands in the chunk's
 * own files, and drops the chunk's models. A chunk holds whole folders and whole Helm charts (a chart's templates
 * read its helpers, values and each other).
 *
 * Being context is decided before parsing, on the text (a superset: a word test outside comments), or, for a file the
 * parse cache answers without reading, on the tag its index keeps (firstPassTag) or on its cached model. Wrongly
 * calling a file context costs memory, never a finding.
 */
import type { ParseCandidate } from '../cache/pipeline.js';
import type { CacheEntry } from '../cache/parse-cache.js';
import type { Analyzer, FileContext, ParsedFile } from '../analyzers/types.js';
import type { EnvironmentInfo } from './environment.js';
import type { YamlFileModel } from '../analyzers/yaml.js';
import { isMap, isSeq, type PNode } from '../yaml/model.js';

/**
 * Without `chunkFiles`: a scan without the parse cache past CHUNK_AUTO_PAST chunkable YAML files judges them
 * CHUNK_FILES at a time, whatever the tree's size. Below that, chunks cost more than they save; at this size a chunk's peak stays under the
 * first pass's (bench 2026-11-29, no cache: bitnami, 2,751 deferred YAML files, 180 -> 172 MB for +0.3 s, so not
 * chunked; gen30k 238 -> 216 MB, 3.4 -> 3.0 s; gen100k 373 -> 281 MB, 6.6 -> 7.5 s, where chunks of 8,000 give
 * 295 MB and 16,000 332 MB). The parse cache holds no model either (its pack is read an entry at a time), but where
 * it holds most of the models (cacheHoldsModels), chunks start later (CHUNK_AUTO_PAST_CACHED).
 */
export const CHUNK_AUTO_PAST = 8_000;
/**
 * With models in the parse cache, they come cheap (a read and a JSON parse each), so a chunk's fixed costs weigh more. One
 * file changed: gen30k (11,500 YAML files) 1.17 s and 180 MB unchunked against 1.55 s and 166 MB in 3 chunks; gen100k
 * 3.1 s and 351 MB against 4.1 s and 243 MB in 10 (bench 2026-11-29 09:05).
 */
export const CHUNK_AUTO_PAST_CACHED = 20_000;
export const CHUNK_FILES = 4_000;
/**
 * With models in the parse cache, each chunk's fixed costs (a full collection, the context's views built again) weigh more
 * against cheap models, so larger trees get larger chunks: never many more than this many. gen300k, one file
 * changed: 4,000 per chunk 363 MB and 15.2 s, a tenth of the files per chunk (9,700) 403 MB and 13.7 s. Without the
 * cache they do not (gen300k: 331 MB and 19.8 s against 350 MB and 19.4 s; bench notes of 2026-11-29, session 8).
 */
export const AUTO_CHUNKS_AT_MOST = 10;

/**
 * Whether a parse cache holding STORED entries gives a scan of CANDIDATES files most of its models. One that holds
 * few (a first run, or the first after a new build or config) leaves every model to be made as a scan without it
 * does, which is then chunked like one: gen30k's first cached run 242-256 -> 220-229 MB, gen300k's 412 -> 399 MB.
 */
export function cacheHoldsModels(stored: number, candidates: number): boolean {
  return stored * 2 >= candidates;
}

/** The chunk size of a scan over CHUNKABLE chunkable YAML files, or 0 for no chunks. */
export function chunkSizeFor(chunkable: number, chunkFiles: number | undefined, cachedModels = false): number {
  if (chunkFiles !== undefined) return chunkFiles > 0 && chunkable > chunkFiles ? chunkFiles : 0;
  if (!cachedModels) return chunkable > CHUNK_AUTO_PAST ? CHUNK_FILES : 0;
  return chunkable > CHUNK_AUTO_PAST_CACHED ? Math.max(CHUNK_FILES, Math.ceil(chunkable / AUTO_CHUNKS_AT_MOST)) : 0;
}

/**
 * Whether the files left for chunks, DEFERRED of them, are too few next to the CONTEXT YAML files every chunk holds
 * anyway for chunks to pay (decided after the first pass, for the automatic policy only). Each chunk builds the
 * context's views and runs the rules over it again, and it bounds only the deferred files' models: where nearly every
 * file is context (a GitOps tree of ExternalSecrets, PushSecrets and Applications), judging everything at once is
 * faster and peaks no higher. 5,400-app GitOps tree (100,800 files, 6,300 deferred): 13.1-13.7 s and 788-793 MB in
 * chunks, 8.0-8.3 s and 724-735 MB at once.
 */
export function chunksPay(deferred: number, context: number, chunkSize: number): boolean {
  return deferred > chunkSize && deferred * CONTEXT_SHARE > context;
}

/** Chunks pay only where the deferred files are more than a quarter of the context (see chunksPay). */
const CONTEXT_SHARE = 4;

/** Analyzers whose models no rule reads while judging another file (see the tests of chunked scans). */
const CHUNKABLE_ANALYZERS = new Set(['yaml', 'credential-text', 'sops']);

/**
 * Models of other files that judging a YAML file reads, so every chunk holds them: the .env files a kustomization's
 * generators load, and the Terraform that says a YAML file is a helm_release's values (file(), templatefile()).
 */
export const JUDGED_WITH_YAML: ReadonlySet<string> = new Set(['dotenv', 'terraform']);

/** A YAML file that may be left for a chunk: only the YAML reader, the credential text scan and the SOPS reader claim it. */
export function isChunkable(candidate: ParseCandidate): boolean {
  return candidate.analyzers.some((a) => a.id === 'yaml') && candidate.analyzers.every((a) => CHUNKABLE_ANALYZERS.has(a.id));
}

/**
 * File names read across files: chart metadata, kustomizations, helmfiles, compose files (the .env beside one is a
 * local run's), Helm partials (their named templates are
 * included by other charts' templates: a library chart's). A chart's default values are context only where a context
 * object needs them (see chartDefaultsFor).
 */
const CONTEXT_NAME = /(^|\/)(Chart\.ya?ml|kustomization(\.ya?ml)?|Kustomization|helmfile[^/]*|[^/]*\.gotmpl|(?:docker-)?compose\.ya?ml)$|(^|\/)helmfile\.d\/|(^|\/)templates\/(?:[^/]+\/)*_[^/]*$/i;

/**
 * Words of every object another file is judged against. A file without any of them outside comments holds none (a
 * word test on the text is a superset of the parsed kinds: a value may match, a kind cannot hide). Values files that
 * set an ExternalSecret's refresh interval (`externalSecrets.refreshInterval`) are read with every chart template;
 * values that describe a store for a chart to render (`secretStores: [{name, provider}]`) with every ExternalSecret.
 */
const CONTEXT_WORDS = /\bSecret\b|ExternalSecret|[Rr]efreshInterval|SecretStore|[sS]ecret_?[sS]tores?\b|PushSecret|SecretProviderClass|SealedSecret|VaultStaticSecret|VaultDynamicSecret|postgresql\.cnpg\.io|cnpg|Application|Kustomization|HelmRelease|helmCharts|valueFiles|valuesFiles|valuesFrom|GitRepository|OCIRepository|HelmRepository|k8s\.keycloak\.org|keycloak\.org\/|crunchydata\.com|acid\.zalan\.do|stackgres\.io|mongodb\.com|psmdb\.percona|pxc\.percona|ps\.percona|k8s\.mariadb\.com|mariadb\.mmontes|mysql\.oracle\.com|moco\.cybozu|mysql\.presslabs|kubedb\.com|redis\.opstreelabs|databases\.spotahome|rabbitmq\.com|kafka\.strimzi\.io|writeConnectionSecretToRef|connectionSecretName|writeOutputsToSecret/;

const CONTEXT_WORDS_ALL = new RegExp(CONTEXT_WORDS.source, 'g');

/**
 * Files that name a Secret a workload reads: a container's `secretKeyRef` or `envFrom` `secretRef`, a values key
 * `existingSecret` (`existingPasswordSecret`, `existing_secret_name` ...) set to something. Apps are compared with each
 * other across files by what they read (shared-db-auth-secret-consumer). Chart defaults leave `existingSecret: ""`.
 */
const SECRET_READ_TEXT = /secretKeyRef|secretRef\b|existing_?[A-Za-z]*_?[Ss]ecret(?:_?[Nn]ame)?["']?[ \t]*:\s*["']?[^\s"'#]/g;
const SECRET_READ_KEY = /^(secretKeyRef|secretRef)$/;
const EXISTING_SECRET_KEY = /^existing_?[A-Za-z]*_?[Ss]ecret(?:_?[Nn]ame)?$/;

export function isContextText(path: string, text: string): boolean {
  if (CONTEXT_NAME.test(path)) return true;
  for (const words of [CONTEXT_WORDS_ALL, SECRET_READ_TEXT]) {
    words.lastIndex = 0;
    for (let match = words.exec(text); match; match = words.exec(text)) {
      if (!inLineComment(text, match.index)) return true;
    }
  }
  return false;
}

/** A model entry that names a Secret a workload reads (see SECRET_READ_TEXT, which the text holds whenever this holds). */
function readsASecret(entry: { key: string; value: PNode | null }): boolean {
  const value = entry.value;
  if (SECRET_READ_KEY.test(entry.key)) return isMap(value) && value.entries.some((e) => e.key === 'name' && e.value?.t === 'scalar' && typeof e.value.value === 'string' && e.value.value.trim() !== '');
  return EXISTING_SECRET_KEY.test(entry.key) && value?.t === 'scalar' && typeof value.value === 'string' && /^[^\s"'#]/.test(value.value);
}

/**
 * Whether INDEX is inside a YAML comment: after a `#` that starts the line or follows a space, with the quotes before
 * it on the line balanced. Charts explain their values in comments ("Name of an existing Secret ..."), and a comment
 * is never part of a model; a `#` the test cannot place (a plain scalar with one quote, say) counts as text, so an
 * error only ever keeps a file in the context.
 */
export function inLineComment(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let double = 0;
  let single = 0;
  for (let i = lineStart; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) double++;
    else if (c === 0x27) single++;
    else if (c === 0x23 && (i === lineStart || text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x09) && double % 2 === 0 && single % 2 === 0) return true;
  }
  return false;
}

/**
 * The same test on a parsed model: any key or string value with a context word. Whether a parsed YAML file is context,
 * what every chunk holds (rules that compare files across units read only these).
 */
export function isContextModel(path: string, model: YamlFileModel | undefined): boolean {
  return CONTEXT_NAME.test(path) || hasContextWords(model);
}

function hasContextWords(model: YamlFileModel | undefined): boolean {
  if (!model) return false;
  const stack: PNode[] = [];
  for (const doc of model.docs) if (doc.root) stack.push(doc.root);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isMap(node)) {
      for (const entry of node.entries) {
        if (CONTEXT_WORDS.test(entry.key) || readsASecret(entry)) return true;
        if (entry.value) stack.push(entry.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) if (item) stack.push(item);
    } else if (typeof node.value === 'string' && CONTEXT_WORDS.test(node.value)) {
      return true;
    }
  }
  return false;
}

/** The parse cache's tag of an entry (CacheOptions.tag): whether the first pass needs it, whatever the path. */
const FIRST_PASS = 1;

export function firstPassTag(entry: CacheEntry): number {
  return entry.unreadable || hasContextWords(entry.results['yaml']?.model as YamlFileModel | undefined) ? FIRST_PASS : 0;
}

/** For parseFiles: leave chunkable files that are not context for the chunks. */
export const CONTEXT_DEFERRAL = {
  text: (candidate: ParseCandidate, text: string) => isChunkable(candidate) && !isContextText(candidate.file.path, text),
  cached: (candidate: ParseCandidate, entry: CacheEntry) =>
    isChunkable(candidate) && !isContextModel(candidate.file.path, entry.results['yaml']?.model as YamlFileModel | undefined),
  tagged: (candidate: ParseCandidate, tag: number) => isChunkable(candidate) && !CONTEXT_NAME.test(candidate.file.path) && (tag & FIRST_PASS) === 0,
};

/**
 * The default values files the context reads: those of every chart with a context template (its templated names
 * resolve against them) and the tree's root values.yaml (a Helm-looking file outside any chart resolves there).
 */
export function chartDefaultsFor(context: readonly ParsedFile[]): Set<string> {
  const roots = new Set<string>(['.']);
  for (const parsed of context) {
    const helm = parsed.analyzer === 'yaml' ? (parsed.model as YamlFileModel | undefined)?.helm : undefined;
    if (helm) roots.add(helm.chartRoot);
  }
  const paths = new Set<string>();
  for (const root of roots) {
    const prefix = root === '.' ? '' : `${root}/`;
    paths.add(`${prefix}values.yaml`).add(`${prefix}values.yml`);
  }
  return paths;
}

/**
 * The chart a path belongs to (its outermost folder with a Chart.yaml, so subcharts stay with their parent), else
 * its folder: the unit a chunk never splits.
 */
export function chunkUnit(path: string, chartRoots: ReadonlySet<string>): string {
  if (chartRoots.has('.')) return '.';
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const dir = path.slice(0, slash);
    if (chartRoots.has(dir)) return dir;
  }
  const last = path.lastIndexOf('/');
  return last < 0 ? '.' : path.slice(0, last);
}

/** The charts of a tree: folders with a Chart.yaml, and folders with a templates/ folder (as the Helm reader sees them). */
export function chartRootsOf(paths: Iterable<string>): Set<string> {
  const roots = new Set<string>();
  for (const path of paths) {
    const match = /(?:^|\/)Chart\.ya?ml$/.exec(path);
    if (match) roots.add(path.slice(0, match.index) || '.');
    // The last folder named templates (split and joined, this was a tenth of a second per 100k paths).
    for (let at = path.lastIndexOf('templates/'); at >= 0; at = at === 0 ? -1 : path.lastIndexOf('templates/', at - 1)) {
      if (at === 0 || path.charCodeAt(at - 1) === 0x2f) {
        roots.add(at === 0 ? '.' : path.slice(0, at - 1));
        break;
      }
    }
  }
  return roots;
}

/**
 * PATHS (in candidate order) cut into chunks of about SIZE files, whole units each, in order: each chunk lists the
 * indexes of its paths.
 */
export function planChunks(paths: readonly string[], size: number, chartRoots: ReadonlySet<string>): number[][] {
  const units = new Map<string, number[]>();
  paths.forEach((path, index) => {
    const unit = chunkUnit(path, chartRoots);
    const list = units.get(unit);
    if (list) list.push(index);
    else units.set(unit, [index]);
  });
  const chunks: number[][] = [];
  let current: number[] = [];
  for (const files of units.values()) {
    if (current.length > 0 && current.length + files.length > size) {
      chunks.push(current);
      current = [];
    }
    current.push(...files);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The files the first pass left for the chunks, as a path and one small number each (its analyzers, environment and
 * flags), until a chunk takes them back as candidates. A candidate with its FileContext is ~110 bytes besides its
 * path: 10 MB for the ~97,000 deferred files of a 300k-file tree, for as long as the first pass and the chunks run.
 */
export class DeferredFiles {
  private paths: (string | undefined)[] = [];
  private codes: number[] = [];
  private readonly claimSets = new IndexOf<readonly Analyzer[]>();
  private readonly environments = new IndexOf<EnvironmentInfo | undefined>();

  get length(): number {
    return this.paths.length;
  }

  add(candidate: ParseCandidate): void {
    const { file } = candidate;
    this.paths.push(file.path);
    this.codes.push((file.vendored ? 1 : 0) + (file.isTest ? 2 : 0) + 4 * (this.claimSets.of(candidate.analyzers) + CLAIM_SETS * this.environments.of(file.environment)));
  }

  /** The paths still here, by index (a taken one is undefined). */
  get pathList(): readonly (string | undefined)[] {
    return this.paths;
  }

  /** The environment of the file at INDEX (see FileContext.environment), without taking it. */
  environmentAt(index: number): EnvironmentInfo | undefined {
    return this.environments.at(Math.floor(Math.floor(this.codes[index]! / 4) / CLAIM_SETS));
  }

  /** The candidate at INDEX, as the first pass had it, which this list then lets go of. */
  take(index: number): ParseCandidate {
    const path = this.paths[index];
    if (path === undefined) throw new Error(`deferred file ${index} taken twice`);
    const code = this.codes[index]!;
    const rest = Math.floor(code / 4);
    this.paths[index] = undefined;
    // The shape fileContextFactory gives (same keys, same order).
    const file: FileContext = { path, environment: this.environments.at(Math.floor(rest / CLAIM_SETS)), vendored: (code & 1) !== 0, isTest: (code & 2) !== 0 };
    return { file, analyzers: this.claimSets.at(rest % CLAIM_SETS) };
  }

  /** Every file still here, taken out of this list. */
  takeRest(): ParseCandidate[] {
    return this.takeWhere(() => true);
  }

  /** The files PATHS names, taken out of this list (whose indexes then change). */
  takeAll(paths: ReadonlySet<string>): ParseCandidate[] {
    return this.takeWhere((path) => paths.has(path));
  }

  /** The files WANTED picks, taken out of this list, which keeps the others (and drops the slots of taken ones). */
  private takeWhere(wanted: (path: string) => boolean): ParseCandidate[] {
    const taken: ParseCandidate[] = [];
    const keptPaths: (string | undefined)[] = [];
    const keptCodes: number[] = [];
    this.paths.forEach((path, index) => {
      if (path === undefined) return; // taken already
      if (wanted(path)) taken.push(this.take(index));
      else {
        keptPaths.push(path);
        keptCodes.push(this.codes[index]!);
      }
    });
    this.paths = keptPaths;
    this.codes = keptCodes;
    return taken;
  }
}

/** Room for this many claim sets in a code (one per combination of analyzers that claims a file: a few dozen at most). */
const CLAIM_SETS = 2 ** 20;

/** Small numbers for the few distinct values of a field (claim sets, environments). */
class IndexOf<T> {
  private readonly values: T[] = [];
  private readonly indexes = new Map<T, number>();

  of(value: T): number {
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.values.push(value) - 1;
      this.indexes.set(value, index);
    }
    return index;
  }

  at(index: number): T {
    return this.values[index]!;
  }
}
