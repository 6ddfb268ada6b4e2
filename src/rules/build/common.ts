/**
 * Shared by the build rules: what a build credential is, which Dockerfile an invocation builds, which stages reach
 * the final image, how tokens flow through ARG/ENV/RUN, and the BuildKit-secret rewrite snippets.
 */
import path from 'node:path';
import type { FileContext, ParsedFile } from '../../analyzers/types.js';
import type { ComposeModel } from '../../analyzers/build/compose.js';
import type { DfRun, DfStage, DockerfileModel } from '../../analyzers/build/dockerfile.js';
import { secretMountId, secretMountTarget } from '../../analyzers/build/dockerfile.js';
import type { BuildInvocation } from '../../analyzers/build/invocation.js';
import type { BuildScriptModel } from '../../analyzers/build/script.js';
import type { TiltModel } from '../../analyzers/build/tiltfile.js';
import type { WorkflowModel } from '../../analyzers/build/workflow.js';
import type { ResolvedConfig } from '../../config/types.js';
import { isCredentialName, words } from '../../k8s/vocabulary.js';
import type { Project } from '../../scan/project.js';
import { memoFor } from '../../scan/project-index.js';
import { groupBy } from '../../util/group.js';
import type { Replacement, Severity } from '../../types.js';
import { SEVERITIES } from '../../types.js';

/** Registry and package tokens that are build-time secrets whatever the word heuristics say. */
export const BUILD_TOKEN_NAMES = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GHCR_TOKEN',
  'GHCR_PAT',
  'PKG_GITHUB_COM_TOKEN',
  'NPM_TOKEN',
  'NODE_AUTH_TOKEN',
  'NPM_AUTH_TOKEN',
  'YARN_NPM_AUTH_TOKEN',
  'BUF_TOKEN',
  'VERDACCIO_TOKEN',
  'GIT_AUTH_TOKEN',
  'PIP_INDEX_URL',
  'PIP_EXTRA_INDEX_URL',
  'UV_INDEX_URL',
  'UV_EXTRA_INDEX_URL',
  'UV_INDEX',
  'POETRY_HTTP_BASIC_PASSWORD',
  'CARGO_REGISTRY_TOKEN',
  'GOPROXY_TOKEN',
  'GITLAB_TOKEN',
  'CI_JOB_TOKEN',
];

const BUILD_KEY_QUALIFIERS = new Set(['deploy', 'ssh', 'git', 'github', 'gitlab', 'bitbucket', 'repo', 'rsa', 'ed25519']);

/** Names that look like credentials but hold public or non-secret data. */
const PUBLIC_PREFIX = /^(PUBLIC|NEXT_PUBLIC|VITE_PUBLIC|VITE|REACT_APP_PUBLIC|REACT_APP|EXPO_PUBLIC|NUXT_PUBLIC|GATSBY)_/i;
const CLIENT_SECRET_WORDS = new Set(['secret', 'password', 'passwd', 'private']);

export interface BuildNameOptions {
  extra: readonly string[];
  ignore: readonly string[];
}

export function buildNameOptions(config: ResolvedConfig, options: Readonly<Record<string, unknown>>): BuildNameOptions {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return { extra: [...BUILD_TOKEN_NAMES, ...config.credentialNames, ...list(options.names)], ignore: list(options.ignoreNames) };
}

/** A build credential name: the configured list, else the shared credential-name heuristics (`*_TOKEN`, `*_PAT`, ...). */
export function isBuildCredential(name: string, options: BuildNameOptions): boolean {
  if (options.ignore.some((n) => n.toLowerCase() === name.toLowerCase())) return false;
  if (options.extra.some((n) => n.toLowerCase() === name.toLowerCase())) return true;
  // A client-bundle variable (VITE_, NEXT_PUBLIC_, REACT_APP_…) is public by design, unless it is named as a secret:
  // VITE_AWS_SECRET_ACCESS_KEY is compiled into the bundle the image serves (VITE_FIREBASE_API_KEY is meant to be).
  if (PUBLIC_PREFIX.test(name)) {
    const rest = name.replace(PUBLIC_PREFIX, '');
    return words(rest).some((x) => CLIENT_SECRET_WORDS.has(x)) && isBuildCredential(rest, { extra: [], ignore: options.ignore });
  }
  if (TOOL_CREDENTIAL_ENV.test(name)) return true;
  // Google's client libraries read the path of a key file from it: the file is the credential (see dockerfile-npmrc-token-baked).
  if (/^GOOGLE_APPLICATION_CREDENTIALS$/i.test(name)) return false;
  const w = words(name);
  // `NPM_TOKEN_ARG`, `GITHUB_TOKEN_BUILD_ARG`: a build argument named for the variable it carries.
  if (w.length > 1 && w[w.length - 1] === 'arg') return isBuildCredential(name.replace(/[-_.]?(?:build[-_.]?)?arg$/i, ''), options);
  // *_FILE, *_PATH, *_URL, *_ID, *_VERSION, *_DIR are references or metadata.
  if (['file', 'path', 'url', 'uri', 'id', 'version', 'dir', 'name', 'type', 'user', 'username', 'host'].includes(w[w.length - 1] ?? '')) return false;
  if (isCredentialName(name, { extra: [] })) return true;
  // Compound last words: ROOTPASS, DBPASSWORD, ADMINPASSWD, APITOKEN, CLIENTSECRET (not bypass, compass, keepass).
  const last = w[w.length - 1] ?? '';
  // `*_PWORD`, and `*_AUTH` / `AUTH` (npm `_auth`, basic-auth pairs; BuildKit's SecretsUsedInArgOrEnv words) unless a switch: ENABLE_AUTH, SKIP_AUTH.
  // `*_PSW`: Jenkins binds a username/password credential as <VAR>_USR and <VAR>_PSW.
  if (last === 'pword' || (last === 'psw' && w.length > 1)) return true;
  // An SSH or git key for fetching private code (DEPLOY_KEY, GIT_SSH_KEY, GITHUB_KEY); GPG_KEY, CACHE_KEY, *_KEY_ID are not.
  if (last === 'key' && w.length > 1 && BUILD_KEY_QUALIFIERS.has(w[w.length - 2]!)) return true;
  if (last === 'auth' && !/^(enable|enabled|disable|disabled|skip|use|with|without|no|require|required|allow|has|is|force)$/.test(w[0] ?? '')) return true;
  return /^[a-z]{2,}(password|passwd|pass|token|secret)$/.test(last) && !/(by|com|sur|over|tres|keep|under|mis|ask)pass$/.test(last);
}

/**
 * Environment variables package tools read credentials from, whatever their last word: npm (`NPM_CONFIG__AUTH`,
 * `npm_config__authToken`), Poetry (`POETRY_PYPI_TOKEN_<REPO>`), Bundler host credentials (`BUNDLE_GITHUB__COM`,
 * `BUNDLE_RUBYGEMS__PKG__GITHUB__COM`), Composer (`COMPOSER_AUTH`).
 */
export const TOOL_CREDENTIAL_ENV = /^(npm_config__(auth|authtoken|password)|poetry_pypi_token_\w+|bundle_[a-z0-9_]*[a-z0-9]__[a-z0-9_]+|composer_auth)$/i;

/** Names whose value is a URL or index location: a credential only when the URL carries one (`https://user:token@…`). */
export function isUrlValuedName(name: string): boolean {
  const w = words(name);
  return ['url', 'uri', 'index', 'registry', 'endpoint'].includes(w[w.length - 1] ?? '');
}

/** Files a package index client reads its credentials from on its own: pip, uv and Poetry read .netrc, pip its pip.conf. */
const INDEX_AUTH_FILE = /(^|[/_.-])(netrc|pip\.conf|pip\.ini)$/i;

/**
 * A build that hands the index credentials over as a BuildKit secret (`--secret id=netrc,src=…`, `id=pip.conf`): the
 * index URLs it passes as build arguments are addresses, the credentials travel in the secret.
 */
export function passesIndexAuthSecret(inv: BuildInvocation): boolean {
  return inv.secrets.some((s) => INDEX_AUTH_FILE.test(s.id) || (s.src !== undefined && INDEX_AUTH_FILE.test(s.src)));
}

/** A stage whose RUNs mount the index credentials as a BuildKit secret where pip reads them (`target=/root/.netrc`). */
export function mountsIndexAuth(stage: DfStage): boolean {
  return stage.runs.some((r) => r.mounts.some((m) => m.type === 'secret' && INDEX_AUTH_FILE.test(secretMountTarget(m) ?? '')));
}

/** A URL that carries its own credential: `https://user:token@host/…`. */
export function urlCarriesCredential(value: string | undefined): boolean {
  return value !== undefined && /:\/\/[^\s/@]+@/.test(value);
}

/** A CI expression or variable reference that is a secret: `secrets.X`, or a credential-named variable. */
export function isSecretRef(ref: string, options: BuildNameOptions): boolean {
  if (/^secrets\./.test(ref)) return true;
  if (ref.includes('.')) return false;
  return isBuildCredential(ref, options);
}

export function raise(severity: Severity, steps = 1): Severity {
  const index = SEVERITIES.indexOf(severity);
  return SEVERITIES[Math.max(0, index - steps)]!;
}

export function lower(severity: Severity, steps = 1): Severity {
  const index = SEVERITIES.indexOf(severity);
  return SEVERITIES[Math.min(SEVERITIES.length - 1, index + steps)]!;
}

// ---- invocations and the Dockerfiles they build -------------------------------------------------------------

export interface LocatedInvocation {
  invocation: BuildInvocation;
  file: FileContext;
  analyzer: string;
}

const INVOCATION_ANALYZERS = ['build-script', 'build-makefile', 'github-workflow', 'ci-pipeline', 'jenkinsfile', 'tiltfile', 'compose', 'devcontainer', 'skaffold', 'bake'];

export function allInvocations(project: Project): LocatedInvocation[] {
  const out: LocatedInvocation[] = [];
  for (const analyzer of INVOCATION_ANALYZERS) {
    for (const parsed of project.models<{ invocations: BuildInvocation[] }>(analyzer)) {
      for (const invocation of parsed.model.invocations ?? []) out.push({ invocation, file: parsed.file, analyzer });
    }
  }
  return out;
}

export function dockerfiles(project: Project): ParsedFile<DockerfileModel>[] {
  return project.models<DockerfileModel>('dockerfile');
}

function norm(p: string): string {
  const n = path.posix.normalize(p.replace(/^\.\/+/, ''));
  return n === '' ? '.' : n.replace(/\/$/, '');
}

/** Candidate repo paths of the Dockerfile an invocation builds, most likely first. */
export function dockerfileCandidates(inv: BuildInvocation): string[] {
  const out: string[] = [];
  const context = inv.context ?? '.';
  if (inv.dockerfileUnknown) return out;
  if (/\$|^[a-z]+:\/\/|^git@|^-$/.test(context) && !inv.dockerfile) return out;
  for (const base of inv.baseDirs) {
    const ctx = context.startsWith('/') ? context.slice(1) : norm(path.posix.join(base, context));
    let df: string;
    if (!inv.dockerfile) df = path.posix.join(ctx, 'Dockerfile');
    else if (/\$/.test(inv.dockerfile)) continue;
    else if (inv.dockerfile.startsWith('/')) df = inv.dockerfile.slice(1);
    else df = inv.dockerfileRelativeTo === 'context' ? path.posix.join(ctx, inv.dockerfile) : path.posix.join(base, inv.dockerfile);
    const candidates = [df];
    // kaniko: a relative --dockerfile names a file under the working folder, else under the context.
    if (inv.dockerfileRelativeTo === 'either' && inv.dockerfile && !inv.dockerfile.startsWith('/') && !/\$/.test(inv.dockerfile)) candidates.push(path.posix.join(ctx, inv.dockerfile));
    for (const c of candidates) {
      const candidate = norm(c);
      if (!candidate.startsWith('..') && !out.includes(candidate)) out.push(candidate);
    }
  }
  return out;
}

export function contextDirs(inv: BuildInvocation): string[] {
  const context = inv.context ?? '.';
  if (/\$|:\/\//.test(context)) return [];
  return [...new Set(inv.baseDirs.map((base) => (context.startsWith('/') ? context.slice(1) : norm(path.posix.join(base, context)))))];
}

/** The file names `docker compose` reads from its folder when no -f is given (the override file on top). */
const COMPOSE_DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const COMPOSE_OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];

export class BuildGraph {
  /** The graph of PROJECT, made once for every build rule (each made its own: 5 times 50 ms for 3,000 services). */
  static of(project: Project): BuildGraph {
    return memoFor(project, 'build:graph', '', () => new BuildGraph(project));
  }

  readonly invocations: LocatedInvocation[];
  readonly byPath = new Map<string, ParsedFile<DockerfileModel>>();
  /** Every Dockerfile an invocation builds, with the invocation as seen for that Dockerfile (a compose command line: per service). */
  private readonly linked = new Map<LocatedInvocation, { df: ParsedFile<DockerfileModel>; as: LocatedInvocation }[]>();

  constructor(readonly project: Project) {
    for (const df of dockerfiles(project)) this.byPath.set(df.file.path, df);
    this.invocations = allInvocations(project);
    for (const inv of this.invocations) {
      if (inv.invocation.compose) {
        this.linked.set(inv, this.composeServices(inv).flatMap((as) => {
          const df = dockerfileCandidates(as.invocation).map((c) => this.byPath.get(c)).find(Boolean);
          return df ? [{ df, as }] : [];
        }));
        continue;
      }
      const found = dockerfileCandidates(inv.invocation).map((c) => this.byPath.get(c)).find(Boolean);
      this.linked.set(inv, found ? [{ df: found, as: inv }] : []);
    }
  }

  /**
   * A `docker compose build` command line read per service it builds: the service's build section (context,
   * dockerfile, target, secrets) with the command line's own `--build-arg`s, at the command line's place.
   */
  composeServices(cli: LocatedInvocation): LocatedInvocation[] {
    const spec = cli.invocation.compose!;
    const sections = this.composeSections();
    let files: string[] = [];
    for (const base of cli.invocation.baseDirs) {
      const dir = spec.projectDir !== undefined ? norm(path.posix.join(base, spec.projectDir)) : base;
      const names = spec.files.length ? spec.files.filter((f) => !/\$/.test(f)).map((f) => norm(f.startsWith('/') ? f.slice(1) : path.posix.join(base, f))) : [...COMPOSE_DEFAULT_FILES, ...COMPOSE_OVERRIDE_FILES].map((f) => norm(path.posix.join(dir, f)));
      files = names.filter((f) => sections.has(f));
      if (spec.files.length === 0) {
        // compose reads the first default name found, plus its override file.
        const main = COMPOSE_DEFAULT_FILES.map((f) => norm(path.posix.join(dir, f))).find((f) => files.includes(f));
        files = files.filter((f) => f === main || COMPOSE_OVERRIDE_FILES.includes(path.posix.basename(f)));
      }
      if (files.length) break;
    }
    const out: LocatedInvocation[] = [];
    // The sections of those files, in the order of the tree's invocations.
    const read = [...new Set(files)].flatMap((f) => sections.get(f) ?? []).sort((a, b) => a - b);
    for (const section of read.map((index) => this.invocations[index]!)) {
      const service = (section.invocation as { service?: string }).service ?? '';
      if (spec.services.length && !spec.services.includes(service)) continue;
      const { compose: _drop, ...own } = section.invocation;
      const invocation: BuildInvocation = {
        ...own,
        line: cli.invocation.line,
        endLine: cli.invocation.endLine,
        text: cli.invocation.text,
        buildArgs: cli.invocation.buildArgs,
        envReads: cli.invocation.envReads,
        composeService: { file: section.file.path, line: section.invocation.line, service },
      };
      if (cli.invocation.host) invocation.host = cli.invocation.host;
      if (cli.invocation.form) invocation.form = cli.invocation.form;
      out.push({ invocation, file: cli.file, analyzer: cli.analyzer });
    }
    return out;
  }

  /**
   * The places of the tree's compose build sections among its invocations, by file. Made once: a search of every
   * invocation for each `docker compose build` command line was quadratic (3,000 services: 2.2 s).
   */
  private composeSections(): Map<string, number[]> {
    this.sections ??= groupBy(
      this.invocations.flatMap((i, index) => (i.analyzer === 'compose' ? [index] : [])),
      (index) => this.invocations[index]!.file.path,
    );
    return this.sections;
  }

  private sections?: Map<string, number[]>;

  /** The compose file's own build section that the per-service view of a `docker compose build` command line runs. */
  composeSectionOf(as: LocatedInvocation): LocatedInvocation | undefined {
    const service = as.invocation.composeService;
    if (!service) return undefined;
    const index = this.composeSections().get(service.file)?.find((i) => this.invocations[i]!.invocation.line === service.line);
    return index === undefined ? undefined : this.invocations[index];
  }

  /** The Dockerfile an invocation builds (the first one for a compose command line building several services). */
  dockerfileOf(inv: LocatedInvocation): ParsedFile<DockerfileModel> | undefined {
    return this.linked.get(inv)?.[0]?.df;
  }

  /** Every Dockerfile an invocation builds, each with the invocation as seen for it. */
  buildsOf(inv: LocatedInvocation): { df: ParsedFile<DockerfileModel>; as: LocatedInvocation }[] {
    return this.linked.get(inv) ?? [];
  }

  invocationsOf(dockerfilePath: string): LocatedInvocation[] {
    // Grouped once, in the order of the links (a pass over every link per Dockerfile was quadratic: 3,000 Dockerfiles, 2 s).
    this.byDockerfile ??= groupBy([...this.linked.values()].flat(), (link) => link.df.file.path);
    return (this.byDockerfile.get(dockerfilePath) ?? []).map((link) => link.as);
  }

  private byDockerfile?: Map<string, { df: ParsedFile<DockerfileModel>; as: LocatedInvocation }[]>;

  /**
   * A line-independent location for an invocation: `tool@context[:dockerfile]` (BY `context`) or `tool@<the Dockerfile
   * it builds>` (BY `dockerfile`), prefixed with the job for CI pipelines and Jenkinsfiles, and with an ordinal when
   * the same build appears again in the file (so that the second one is not taken for the first). Worked out for every
   * invocation at once: asked one by one, the ordinals made a rule quadratic in the builds of a file (2,000 in one
   * workflow: 1.7 s).
   */
  invocationLocation(located: LocatedInvocation, by: 'context' | 'dockerfile'): string {
    let locations = this.locations.get(by);
    if (!locations) {
      locations = new Map();
      const seen = new Map<string, number>();
      for (const l of this.invocations) {
        if (locations.has(l)) continue;
        const own = this.locationKey(l, by);
        const fileKey = `${l.file.path}\0${own}`;
        const n = seen.get(fileKey) ?? 0;
        seen.set(fileKey, n + 1);
        locations.set(l, n > 0 ? `${own}~${n + 1}` : own);
      }
      this.locations.set(by, locations);
    }
    return locations.get(located) ?? this.locationKey(located, by);
  }

  private readonly locations = new Map<'context' | 'dockerfile', Map<LocatedInvocation, string>>();

  private locationKey(l: LocatedInvocation, by: 'context' | 'dockerfile'): string {
    const { invocation } = l;
    const job = (invocation as { job?: string }).job;
    const base = by === 'context' ? `${invocation.tool}@${invocation.context ?? '.'}${invocation.dockerfile ? `:${invocation.dockerfile}` : ''}` : `${invocation.tool}@${this.dockerfileOf(l)?.file.path ?? '?'}`;
    return `${(l.analyzer === 'ci-pipeline' || l.analyzer === 'jenkinsfile') && job ? `${job}/` : ''}${base}`;
  }

  /** The secret id used for an env var somewhere in the repo (`--secret id=npm,env=NPM_TOKEN`), else a derived one. */
  secretIdFor(name: string): string {
    if (!this.secretIds) {
      // The first mount of each variable, then the first invocation secret (what a search per name would find first).
      const ids = new Map<string, string>();
      for (const df of this.byPath.values()) {
        for (const stage of df.model.stages) for (const run of stage.runs) for (const m of run.mounts) if (m.type === 'secret' && m.env !== undefined && !ids.has(m.env)) ids.set(m.env, secretMountId(m) ?? m.env.toLowerCase());
      }
      for (const inv of this.invocations) for (const s of inv.invocation.secrets) if (s.env !== undefined && !ids.has(s.env)) ids.set(s.env, s.id);
      this.secretIds = ids;
    }
    return this.secretIds.get(name) ?? name.toLowerCase();
  }

  private secretIds?: Map<string, string>;
}

// ---- stages -------------------------------------------------------------------------------------------------

/** Stages whose filesystem and config end up in the image built without --target (the last stage and its FROM parents). */
export function finalChain(model: DockerfileModel, target?: string): Set<number> {
  const chain = new Set<number>();
  if (model.stages.length === 0) return chain;
  let stage: DfStage | undefined = target ? model.stages.find((s) => s.name?.toLowerCase() === target.toLowerCase()) : undefined;
  stage ??= model.stages[model.stages.length - 1]!;
  while (stage && !chain.has(stage.index)) {
    chain.add(stage.index);
    stage = stage.parent !== undefined ? model.stages[stage.parent] : undefined;
  }
  return chain;
}

/** The stage an invocation's `--target` names (`${TARGET:-runtime}` read as its default); undefined: the last stage. */
export function targetStage(model: DockerfileModel, target: string | undefined): DfStage | undefined {
  if (target === undefined || target === '') return undefined;
  let t = target.trim();
  const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}?$/.exec(t);
  if (variable) {
    if (variable[2] === undefined || variable[2] === '') return undefined;
    t = variable[2];
  }
  if (/\$/.test(t)) return undefined;
  return model.stages.find((s) => s.name?.toLowerCase() === t.toLowerCase());
}

/**
 * The images a Dockerfile's builds produce: one per distinct `--target` among the invocations found in the repo (docker
 * CLI `--target`, build-push-action `target:`, compose/bake/skaffold `target`, Tilt `target=`), the last stage for an
 * invocation without (or with an unresolvable) target, and the last stage alone when no invocation is found.
 */
export interface ImageScope {
  /** Stages whose layers and config end up in an image the repository builds (the union of the built chains). */
  chain: Set<number>;
  /** The last stage is one of the built images (or no invocation was found). */
  lastBuilt: boolean;
  /** What the image(s) containing a stage are called in a message: `the final image`, `the image built with --target dev (Makefile:4)`. */
  imageOf(stage: DfStage): string;
  /** For a stage outside `chain`: `the final image` or `the image(s) built (… --target dev …)`. */
  builtImages: string;
  /** Set when the invocations found never build the last stage: `the 2 build invocations found stop at --target dev (Makefile:4, ci/build.sh:9)`. */
  lastUnbuilt?: string;
}

export function imageScope(model: DockerfileModel, invocations: LocatedInvocation[]): ImageScope {
  const last = model.stages[model.stages.length - 1];
  const built = new Map<number, LocatedInvocation[]>();
  for (const located of invocations) {
    const stage = targetStage(model, located.invocation.target) ?? last;
    if (!stage) continue;
    const list = built.get(stage.index);
    if (list) list.push(located);
    else built.set(stage.index, [located]);
  }
  if (built.size === 0 && last) built.set(last.index, []);
  const chains = new Map([...built.keys()].map((i) => [i, finalChain(model, model.stages[i]!.name ?? undefined)] as const));
  // finalChain resolves a target by name: an unnamed built stage can only be the last one.
  const chain = new Set([...chains.values()].flatMap((c) => [...c]));
  const at = (l: LocatedInvocation[]) => {
    const where = l.slice(0, 3).map((i) => `${i.file.path}:${i.invocation.line}`);
    return l.length > 3 ? `${where.join(', ')} and ${l.length - 3} more` : where.join(', ');
  };
  const describe = (index: number) => {
    const l = built.get(index) ?? [];
    if (last && index === last.index) return 'the final image';
    const stage = model.stages[index]!;
    return `the image built with --target ${stage.name ?? stage.index}${l.length ? ` (${at(l)})` : ''}`;
  };
  const join = (parts: string[]) => (parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);
  const lastBuilt = last !== undefined && built.has(last.index);
  const scope: ImageScope = {
    chain,
    lastBuilt,
    imageOf: (stage) => {
      const images = [...chains.entries()].filter(([, c]) => c.has(stage.index)).map(([i]) => i);
      return images.length ? join(images.map(describe)) : describe(last?.index ?? 0);
    },
    builtImages: join([...built.keys()].map(describe)),
  };
  if (!lastBuilt && last) {
    const n = invocations.length;
    const targets = [...new Set([...built.keys()].map((i) => model.stages[i]!.name ?? String(i)))];
    scope.lastUnbuilt = `${n === 1 ? 'the one build invocation found stops' : `all ${n} build invocations found stop`} at --target ${join(targets)} (${at(invocations)})`;
  }
  return scope;
}

export function stageLabel(stage: DfStage): string {
  return stage.name ? `stage ${stage.name}` : `stage ${stage.index}`;
}

export function stageByRef(model: DockerfileModel, ref: string): DfStage | undefined {
  if (/^\d+$/.test(ref)) return model.stages[Number(ref)];
  return model.stages.find((s) => s.name?.toLowerCase() === ref.toLowerCase());
}

/** Stages (ancestors included) a stage inherits ENV from. */
export function ancestors(model: DockerfileModel, stage: DfStage): DfStage[] {
  const out: DfStage[] = [];
  let s: DfStage | undefined = stage;
  const seen = new Set<number>();
  while (s && !seen.has(s.index)) {
    seen.add(s.index);
    out.push(s);
    s = s.parent !== undefined ? model.stages[s.parent] : undefined;
  }
  return out;
}

/** HOME of the image's default (root) user: where `~` and `$HOME` point inside a build, not on this machine. */
const IMAGE_HOME = '/root';

/** Absolute in-image path of a path written by a RUN/COPY at `line` in `stage` (WORKDIR applied; `~` is IMAGE_HOME). */
export function imagePath(model: DockerfileModel, stage: DfStage, p: string, line: number): string {
  const home = /^(~|\$HOME|\$\{HOME\})\//.exec(p);
  if (home) return path.posix.normalize(`${IMAGE_HOME}/${p.slice(home[0].length)}`);
  if (p.startsWith('/')) return path.posix.normalize(p);
  let workdir = '/';
  for (const s of ancestors(model, stage).reverse()) {
    for (const w of s.workdirs) {
      if (s === stage && w.line > line) break;
      workdir = w.path.startsWith('/') ? w.path : path.posix.join(workdir, w.path);
    }
  }
  return path.posix.normalize(path.posix.join(workdir, p));
}

/** Does a COPY --from source path include the in-image path (the same file, or a folder above it)? */
export function copyIncludes(source: string, target: string): boolean {
  const s = path.posix.normalize(source).replace(/\/$/, '') || '/';
  if (s === '/' || s === '.') return true;
  return target === s || target.startsWith(`${s}/`) || (s.includes('*') && new RegExp(`^${s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`).test(target));
}

/** COPY --from instructions in the final chain that bring `imgPath` of `stage` into the final image. */
export function copiedIntoFinal(model: DockerfileModel, stage: DfStage, imgPath: string, chain: Set<number>, seen = new Set<number>()): { line: number; stage: DfStage } | undefined {
  if (seen.has(stage.index)) return undefined;
  seen.add(stage.index);
  for (const other of model.stages) {
    for (const copy of other.copies) {
      if (!copy.from) continue;
      const from = stageByRef(model, copy.from);
      if (!from || !ancestors(model, from).includes(stage)) continue;
      if (!copy.sources.some((src) => copyIncludes(src.startsWith('/') ? src : imagePath(model, from, src, Number.MAX_SAFE_INTEGER), imgPath))) continue;
      if (chain.has(other.index)) return { line: copy.line, stage: other };
      const dest = imagePath(model, other, copy.dest, copy.line);
      const deeper = copiedIntoFinal(model, other, dest, chain, seen);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

// ---- snippets -----------------------------------------------------------------------------------------------

/** Shell-quote for a snippet line when needed. */
function q(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

export interface SecretUse {
  /** Variable name the build step expects (`NPM_TOKEN`). */
  env: string;
  id: string;
  /** Where the invocation reads the value from (`PKG_GITHUB_COM_TOKEN`, `secrets.NPM_TOKEN`). */
  source?: string;
}

const CREDENTIAL_FILE = /(^|\/)(\.npmrc|\.yarnrc(\.yml)?|\.netrc|pip\.conf|\.pypirc|\.git-credentials|\.gitconfig)$/;

/** The RUN's shell text with the commands that write a credential file left out (joined with &&). */
export function runBodyWithoutCredentialWrites(run: DfRun): string {
  const commands = (run.script?.commands ?? []).filter((c) => !c.substitution);
  const writes = commands.filter((c) => c.redirects.some((r) => /^>>?$/.test(r.op) && CREDENTIAL_FILE.test(r.target.value)));
  if (writes.length === 0 || commands.length === writes.length) return run.text.trim();
  const groups: string[][] = [];
  for (const c of commands) {
    if (writes.includes(c)) continue;
    if (c.pipelineIndex > 0 && groups.length) groups[groups.length - 1]!.push(c.text);
    else groups.push([c.text]);
  }
  return groups.map((g) => g.join(' | ')).join(' && \\\n    ');
}

/** RUN rewritten to mount the secrets as env vars; ARG/ENV lines removed. */
export function dockerfileSnippet(runs: DfRun[], uses: SecretUse[], removed: string[]): string {
  const lines: string[] = ['# syntax=docker/dockerfile:1.10'];
  for (const r of removed) lines.push(`# removed: ${r}`);
  const mounts = uses.map((u) => `--mount=type=secret,id=${u.id},env=${u.env},required=true`);
  const targetRuns = runs.length ? runs : undefined;
  if (!targetRuns) lines.push(`RUN ${mounts.join(' \\\n    ')} \\\n    <the step that needs ${uses.map((u) => u.env).join(', ')}>`);
  for (const run of targetRuns ?? []) {
    const keep = run.mounts.filter((m) => !(m.type === 'secret' && uses.some((u) => u.id === secretMountId(m)))).map((m) => `--mount=${Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(',')}`);
    const body = run.form === 'exec' && run.exec ? JSON.stringify(run.exec) : runBodyWithoutCredentialWrites(run);
    lines.push(`RUN ${[...mounts, ...keep].join(' \\\n    ')} \\\n    ${body}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The matching change for one invocation. */
export function invocationSnippet(located: LocatedInvocation, uses: SecretUse[], dockerfilePath?: string): { language: string; text: string } {
  const inv = located.invocation;
  // compose, skaffold and bake files write their context relative to themselves; the model keeps it repo-relative.
  const ownContext = path.posix.relative(path.posix.dirname(located.file.path), inv.context ?? '.') || '.';
  const source = (u: SecretUse) => (u.source && !u.source.includes('.') ? u.source : u.env);
  switch (inv.tool) {
    case 'build-push-action':
      return {
        language: 'yaml',
        text: ['- uses: docker/build-push-action@v6', '  with:', `    context: ${inv.context ?? '.'}`, ...(inv.dockerfile ? [`    file: ${inv.dockerfile}`] : []), '    secrets: |', ...uses.map((u) => `      ${u.id}=\${{ secrets.${u.source?.startsWith('secrets.') ? u.source.slice(8) : source(u)} }}`)].join('\n'),
      };
    case 'tilt-docker-build': {
      const df = inv.dockerfile ?? dockerfilePath ?? 'Dockerfile';
      const cmd = ['docker buildx build', ...uses.map((u) => `--secret id=${u.id},env=${source(u)}`), `-t $EXPECTED_REF -f ${q(df)} ${q(inv.context ?? '.')}`].join(' ');
      return { language: 'python', text: [`custom_build(`, `    ${JSON.stringify(inv.image ?? 'IMAGE').replace(/^"|"$/g, "'")},`, `    ${JSON.stringify(cmd).replace(/^"|"$/g, "'")},`, `    deps=[${JSON.stringify(inv.context ?? '.')}],`, ')'].join('\n') };
    }
    case 'compose': {
      const service = inv.composeService;
      if (service) {
        // A `docker compose build --build-arg …` command line: compose has no --secret flag, the secret goes on the service.
        const context = path.posix.relative(path.posix.dirname(service.file), inv.context ?? '.') || '.';
        return {
          language: 'yaml',
          text: [
            inv.form === 'buildkite-plugin'
              ? `# ${service.file}: declare the secret on service ${service.service} and drop ${uses.map((u) => u.env).join(', ')} from the docker-compose plugin's args:`
              : `# ${service.file}: \`docker compose build\` has no --secret flag; declare the secret on service ${service.service} and drop --build-arg from the command`,
            'services:',
            `  ${service.service}:`,
            '    build:',
            `      context: ${context}`,
            ...(inv.dockerfile ? [`      dockerfile: ${inv.dockerfile}`] : []),
            '      secrets:',
            ...uses.map((u) => `        - ${u.id}`),
            'secrets:',
            ...uses.flatMap((u) => [`  ${u.id}:`, `    environment: ${source(u)}`]),
          ].join('\n'),
        };
      }
      return {
        language: 'yaml',
        text: ['build:', `  context: ${ownContext}`, ...(inv.dockerfile ? [`  dockerfile: ${inv.dockerfile}`] : []), '  secrets:', ...uses.map((u) => `    - ${u.id}`), '# top level:', 'secrets:', ...uses.flatMap((u) => [`  ${u.id}:`, `    environment: ${source(u)}`])].join('\n'),
      };
    }
    case 'devcontainer':
      return {
        language: 'jsonc',
        text: ['// devcontainer build.args cannot carry BuildKit secrets: build the image first, then reference it', `"initializeCommand": "docker buildx build ${uses.map((u) => `--secret id=${u.id},env=${source(u)}`).join(' ')} -t devcontainer-image -f ${dockerfilePath ?? inv.dockerfile ?? 'Dockerfile'} ${inv.context ?? '.'}",`, '"image": "devcontainer-image"'].join('\n'),
      };
    case 'skaffold':
      return {
        language: 'yaml',
        text: [`- image: ${inv.image ?? 'IMAGE'}`, `  context: ${ownContext}`, '  docker:', ...(inv.dockerfile ? [`    dockerfile: ${inv.dockerfile}`] : []), '    secrets:', ...uses.flatMap((u) => [`      - id: ${u.id}`, `        env: ${source(u)}`])].join('\n'),
      };
    case 'bake': {
      const name = (inv as { name?: string }).name ?? 'default';
      return {
        language: 'hcl',
        text: [`target "${name}" {`, `  context = "${ownContext}"`, ...(inv.dockerfile ? [`  dockerfile = "${inv.dockerfile}"`] : []), `  secret = [${uses.map((u) => `"id=${u.id},env=${source(u)}"`).join(', ')}]`, '}'].join('\n'),
      };
    }
    case 'kaniko': {
      const df = dockerfilePath ?? inv.dockerfile ?? 'Dockerfile';
      return {
        language: 'shell',
        text: [
          '# kaniko cannot mount BuildKit secrets: build this image with BuildKit (rootless: moby/buildkit:rootless, buildctl-daemonless.sh)',
          `buildctl-daemonless.sh build --frontend dockerfile.v0 \\`,
          `  --local context=${q(inv.context ?? '.')} --local dockerfile=${q(path.posix.dirname(df))} --opt filename=${q(path.posix.basename(df))} \\`,
          ...uses.map((u) => `  --secret id=${u.id},env=${source(u)} \\`),
          `  --output type=image,name=${inv.image ?? '$IMAGE'},push=true`,
        ].join('\n'),
      };
    }
    default: {
      const cli = cliSnippet(inv, uses, source);
      if (inv.form === 'azure-docker-task') {
        return {
          language: 'yaml',
          text: ['- task: Docker@2', '  inputs:', '    command: build', ...(inv.dockerfile ? [`    Dockerfile: ${inv.dockerfile}`] : []), `    buildContext: ${inv.context ?? '.'}`, `    arguments: ${uses.map((u) => `--secret id=${u.id},env=${source(u)}`).join(' ')}`, '  env:', '    DOCKER_BUILDKIT: 1', ...uses.map((u) => `    ${source(u)}: $(${source(u)})  # a secret variable: map it explicitly`)].join('\n'),
        };
      }
      if (inv.form === 'drone-docker-plugin') {
        return {
          language: 'yaml',
          text: ['image: woodpeckerci/plugin-docker-buildx  # BuildKit secrets need a buildx plugin', 'settings:', `  secrets: [${uses.map((u) => `"id=${u.id},env=${source(u)}"`).join(', ')}]`, 'environment:', ...uses.map((u) => `  ${source(u)}:\n    from_secret: ${u.id}`)].join('\n'),
        };
      }
      if (inv.form === 'cloudbuild-step') {
        return {
          language: 'yaml',
          text: ['- name: gcr.io/cloud-builders/docker', '  entrypoint: bash', `  args: ['-c', ${JSON.stringify(cli.text.replace(/ \\\n\s*/g, ' ').replace(/^docker build/, 'docker buildx build'))}]`, `  secretEnv: [${uses.map((u) => `'${source(u)}'`).join(', ')}]`].join('\n'),
        };
      }
      if (located.analyzer === 'jenkinsfile') {
        if (inv.form === 'jenkins-agent-dockerfile') return { language: 'groovy', text: `dockerfile {\n  additionalBuildArgs '${uses.map((u) => `--secret id=${u.id},env=${source(u)}`).join(' ')}'  // with DOCKER_BUILDKIT=1 on the agent\n}` };
        if (inv.form === 'jenkins-docker-build') {
          // docker.build(env.IMAGE_NAME, …) was read as `-t ${IMAGE_NAME}`: give the variable back, not a made-up name.
          const variable = /-t \$\{(\w+)\}/.exec(inv.text)?.[1];
          const flags = [...uses.map((u) => `--secret id=${u.id},env=${source(u)}`), ...(inv.dockerfile ? [`-f ${inv.dockerfile}`] : []), ...(inv.target ? [`--target ${inv.target}`] : []), inv.context ?? '.'];
          return { language: 'groovy', text: `docker.build(${inv.image ? JSON.stringify(inv.image) : variable ?? '"image"'}, "${flags.join(' ')}")` };
        }
        return { language: 'groovy', text: `sh '''\n  ${cli.text.split('\n').join('\n  ')}\n'''` };
      }
      return cli;
    }
  }
}

/** The docker/buildx/podman/buildah/buildctl command line with the secrets passed. */
function cliSnippet(inv: BuildInvocation, uses: SecretUse[], source: (u: SecretUse) => string): { language: string; text: string } {
  const tool = inv.tool === 'buildctl' ? 'buildctl build --frontend dockerfile.v0' : inv.tool === 'buildx' ? 'docker buildx build' : `${inv.tool === 'docker' ? 'docker' : inv.tool} build`;
  const secretFlags = uses.map((u) => `--secret id=${u.id},env=${source(u)}`);
  if (inv.tool === 'buildctl') {
    return { language: 'shell', text: `${tool} --local context=${inv.context ?? '.'} --local dockerfile=${path.posix.dirname(inv.dockerfile ?? 'Dockerfile')} \\\n  ${secretFlags.join(' \\\n  ')}` };
  }
  const rest = [...(inv.dockerfile ? [`-f ${q(inv.dockerfile)}`] : []), ...(inv.target ? [`--target ${inv.target}`] : []), q(inv.context ?? '.')];
  return { language: 'shell', text: `${tool} \\\n  ${[...secretFlags, ...rest].join(' \\\n  ')}` };
}

/** Dockerfile rewrite plus, as comments, the change for every invocation that builds it. */
export function secretReplacement(title: string, dockerfile: string | undefined, invocations: { located: LocatedInvocation; uses: SecretUse[]; dockerfilePath?: string }[], primaryLanguage: 'dockerfile' | 'shell' | 'yaml' | 'python' | 'jsonc' = 'dockerfile'): Replacement {
  const parts: string[] = [];
  if (dockerfile) parts.push(dockerfile.trimEnd());
  // A compose build section that a `docker compose build` command line also runs gets its change once, with the command line's.
  const cliBuilt = new Set<string>();
  for (const o of invocations) {
    const service = o.located.invocation.composeService;
    if (service) cliBuilt.add(`${service.file}\0${service.line}`);
  }
  const viaCli = (l: LocatedInvocation) => l.analyzer === 'compose' && cliBuilt.has(`${l.file.path}\0${l.invocation.line}`);
  for (const { located, uses, dockerfilePath } of invocations) {
    if (viaCli(located)) continue;
    const snippet = invocationSnippet(located, uses, dockerfilePath);
    const header = `${located.file.path}:${located.invocation.line}`;
    if (dockerfile) parts.push(`# ${header} (${snippet.language}):\n${snippet.text.split('\n').map((l) => `#   ${l}`).join('\n')}`);
    else parts.push(snippet.text);
  }
  return { language: dockerfile ? 'dockerfile' : primaryLanguage, title, snippet: `${parts.join('\n')}\n` };
}

/** Runs of a stage that read a variable (directly or through the tools that read it from env, when none does). */
export function runsUsing(stage: DfStage, names: string[], after: number): DfRun[] {
  const runs = stage.runs.filter((r) => r.line > after);
  const direct = runs.filter((r) => r.script?.commands.some((c) => c.words.some((w) => w.params.some((p) => names.includes(p))) || c.assignments.some((a) => a.value?.params.some((p) => names.includes(p)))) || names.some((n) => r.text.includes(n)));
  if (direct.length) return direct;
  return runs.slice(0, 1);
}

export type { ComposeModel, BuildScriptModel, TiltModel, WorkflowModel };
