/**
 * Registry and package tokens at runtime: which names are such tokens, which workloads build or publish (and may hold
 * them), and where an env entry wires one in. Shared by registry-token-in-runtime-config and the literal-credential
 * rules that leave such entries to it.
 */
import path from 'node:path';
import type { ResolvedConfig } from '../../config/types.js';
import type { K8sResource } from '../../k8s/resources.js';
import { isAnglePlaceholder, isDatabaseName, isIndirectValue, isLiteralSecretValue, namesInMemoryStore, words } from '../../k8s/vocabulary.js';
import { get, getStr, isMap, isScalar, keyPath, seqItems, walkFrames, type PEntry, type PMap, type PNode, type WalkFrame } from '../../yaml/model.js';
import { BUILD_TOKEN_NAMES, buildNameOptions, isBuildCredential, isUrlValuedName, TOOL_CREDENTIAL_ENV, urlCarriesCredential, type BuildNameOptions } from '../build/common.js';
import { commandText, isNonCredentialLiteral } from './common.js';

/**
 * Forge API tokens: bots, exporters, developer portals and GitOps controllers call the GitHub/GitLab API with them at
 * runtime. By name alone they are not package or image registry tokens.
 */
const FORGE_API_TOKENS = new Set(['GITHUB_TOKEN', 'GH_TOKEN', 'GITLAB_TOKEN', 'GIT_AUTH_TOKEN', 'CI_JOB_TOKEN']);

/** Words that name an image or package registry, or a tool that authenticates to one. */
const REGISTRY_WORDS = new Set([
  'npm', 'yarn', 'pnpm', 'npmrc', 'ghcr', 'registry', 'docker', 'dockerhub', 'dockerconfigjson', 'dockercfg', 'pypi', 'twine', 'pip',
  'poetry', 'artifactory', 'jfrog', 'nexus', 'nuget', 'verdaccio', 'cargo', 'crates', 'maven', 'gemfury', 'cloudsmith', 'pkg',
  'packages', 'buf', 'quay', 'harbor', 'gcr', 'ecr', 'acr',
]);

/** A `registry` that serves no packages or images: Confluent's schema registry, service discovery, ML model registries. */
const OTHER_REGISTRIES = new Set(['schema', 'service', 'model', 'apicurio', 'eureka', 'kafka']);

/** Backends a registry keeps its data in: their credentials are not registry logins. */
const BACKEND_WORDS = new Set(['storage', 's3', 'gcs', 'azure', 'swift', 'oss', 'blob', 'bucket', 'cache', 'ldap', 'smtp']);

export function registryNameOptions(config: ResolvedConfig): BuildNameOptions {
  return buildNameOptions(config, {});
}

/** Do a name's words point at an image or package registry (`ghcr-token`, `npm`, `DOCKER_PASSWORD`, `CR_PAT`)? */
export function namesRegistry(name: string): boolean {
  const w = words(name);
  return w.some((x, i) => (x === 'registry' ? i === 0 || !OTHER_REGISTRIES.has(w[i - 1]!) : REGISTRY_WORDS.has(x)) || (x === 'cr' && i === 0 && w.length > 1));
}

/** A registry or package token: a build credential name (the build rules' vocabulary) that names a registry. */
export function isRegistryTokenName(name: string, options: BuildNameOptions): boolean {
  if (!isBuildCredential(name, options)) return false;
  const upper = name.toUpperCase();
  if (FORGE_API_TOKENS.has(upper)) return false;
  if (BUILD_TOKEN_NAMES.includes(upper) || TOOL_CREDENTIAL_ENV.test(name)) return true;
  // A registry's own backends (HARBOR_DATABASE_PASSWORD, REGISTRY_REDIS_PASSWORD, REGISTRY_STORAGE_S3_SECRETKEY) are no registry login.
  return namesRegistry(name) && !isDatabaseName(name) && !namesInMemoryStore(name) && !words(name).some((x) => BACKEND_WORDS.has(x));
}

/** Words of workloads that build, publish or serve images and packages, or update dependencies by design. */
const BUILDER_WORDS = new Set([
  'build', 'builds', 'builder', 'builders', 'buildkit', 'buildkitd', 'kaniko', 'buildah', 'podman', 'dind', 'buildpacks', 'kpack', 'shipwright',
  'werf', 'ko', 'jib', 'goreleaser', 'runner', 'runners', 'jenkins', 'jnlp', 'tekton', 'buildkite', 'woodpecker', 'drone', 'concourse',
  'renovate', 'renovatebot', 'dependabot', 'registry', 'harbor', 'zot', 'nexus', 'artifactory', 'verdaccio', 'quay', 'chartmuseum', 'keel',
  'skopeo', 'crane', 'trivy',
]);
/** Two-word names of image tools: Argo CD Image Updater, Flux's image reflector and automation controllers. */
const BUILDER_PAIRS = ['image updater', 'image reflector', 'image automation'];

/** Kinds of CI engines and image builders: every pod they run is a build step. */
const BUILDER_API = /^(tekton\.dev|actions\.summerwind\.dev|actions\.github\.com|shipwright\.io|kpack\.io|apps\.gitlab\.com)\//;
const ARGO_WORKFLOW_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow']);

/** Container commands that build, push or publish an image or a package. */
const BUILD_COMMAND =
  /\b(docker|podman|nerdctl)\s+(buildx\s+)?(build|push)\b|\bbuildctl(-daemonless\.sh)?\b|\bbuildah\b|\/kaniko\/executor\b|\b(npm|yarn|pnpm)\s+publish\b|\btwine\s+upload\b|\bpoetry\s+publish\b|\b(dotnet\s+)?nuget\s+push\b|\bmvn\b.*\bdeploy\b|\bgradle\S*\s+publish\b|\bcargo\s+publish\b|\bhelm\s+push\b|\b(skopeo\s+copy|crane\s+(push|copy)|oras\s+push)\b|\bgoreleaser\b|\bsemantic-release\b/;

/** The repository path of an image without its registry host, tag or digest: `ghcr.io/actions/actions-runner:2` → `actions/actions-runner`. */
function imageRepository(image: string): string {
  const parts = image.replace(/@.*$/, '').split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  return parts.join('/').replace(/:[^/]*$/, '');
}

/** Does this text (an image, a name, a label) name a builder, runner, registry or dependency bot? */
export function namesBuilder(text: string | undefined): boolean {
  if (!text) return false;
  const w = words(text);
  if (w.some((x) => BUILDER_WORDS.has(x))) return true;
  const joined = w.join(' ');
  return BUILDER_PAIRS.some((pair) => joined.includes(pair));
}

const NAME_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app', 'component', 'k8s-app'];

function labelsOf(node: PNode | null | undefined): string[] {
  const out: string[] = [];
  for (const label of NAME_LABELS) {
    const value = getStr(node, ['metadata', 'labels', label]);
    if (value) out.push(value);
  }
  return out;
}

/**
 * A workload that builds, publishes or serves images and packages, or updates dependencies by design: it may hold a
 * registry token. Told by kind (Tekton, Argo Workflows, actions-runner-controller, Shipwright, kpack, GitLab Runner),
 * by an image, a container, workload or chart name or a name label naming a builder, CI runner, registry or
 * dependency bot, or by a container command that builds, pushes or publishes.
 */
export function isBuilderWorkload(resource: K8sResource, containers: readonly PNode[]): boolean {
  if (BUILDER_API.test(resource.apiVersion ?? '')) return true;
  if (/^argoproj\.io\//.test(resource.apiVersion ?? '') && ARGO_WORKFLOW_KINDS.has(resource.kind)) return true;
  const names = [resource.name, ...labelsOf(resource.node), ...labelsOf(get(resource.node, 'spec.template')), ...labelsOf(get(resource.node, 'spec.jobTemplate.spec.template'))];
  if (resource.helm) names.push(resource.helm.chartRoot.split('/').pop() ?? '');
  if (names.some(namesBuilder)) return true;
  for (const container of containers) {
    if (!isMap(container)) continue;
    const image = getStr(container, 'image');
    if ((image && (namesBuilder(imageRepository(image)) || /^(library\/)?docker$/.test(imageRepository(image)))) || namesBuilder(getStr(container, 'name'))) return true;
    if (BUILD_COMMAND.test(commandText(container))) return true;
  }
  return false;
}

export type WireKind = 'literal' | 'secret' | 'configmap' | 'reference';

/** An env entry that puts a registry token into a container. */
export interface TokenWire {
  env: string;
  kind: WireKind;
  line: number;
  column: number;
  /** The literal, for the keyed hash and redacted evidence only. */
  value?: string;
  secretName?: string;
  secretKey?: string;
}

/** What an env value gives the container: a literal token, a reference that fills it at deploy time, or nothing. */
function valueWire(env: string, text: string): { kind: WireKind; value?: string } | undefined {
  const v = text.trim();
  if (v === '') return undefined;
  if (isUrlValuedName(env)) return urlCarriesCredential(v) && !isIndirectValue(v) ? { kind: 'literal', value: v } : undefined;
  if (isIndirectValue(v) || isAnglePlaceholder(v)) return { kind: 'reference' };
  if (isLiteralSecretValue(v) && !isNonCredentialLiteral(v)) return { kind: 'literal', value: v };
  return undefined;
}

/**
 * A registry token an env entry wires in: `{name, value}`, `{name, valueFrom: {secretKeyRef|configMapKeyRef}}`. The
 * token is told by the variable's name, the Secret key it reads, or a credential variable read from a Secret named for
 * a registry (`TOKEN` from `ghcr-token`). `valueNode`/`valueFrom` are given apart for env maps (`NPM_TOKEN: x`).
 */
export function tokenWire(env: string, at: { line: number; column: number }, valueNode: PNode | null | undefined, valueFrom: PNode | null | undefined, options: BuildNameOptions): TokenWire | undefined {
  const named = isRegistryTokenName(env, options);
  if (isMap(valueFrom)) {
    for (const [field, kind] of [['secretKeyRef', 'secret'], ['configMapKeyRef', 'configmap']] as const) {
      const ref = get(valueFrom, field);
      if (!isMap(ref)) continue;
      const secretName = getStr(ref, 'name');
      const secretKey = getStr(ref, 'key');
      const keyNamed = secretKey !== undefined && isRegistryTokenName(secretKey, options);
      const fromRegistrySecret = kind === 'secret' && secretName !== undefined && namesRegistry(secretName) && isBuildCredential(env, options) && !/^{{|^\$/.test(secretName);
      if (named || keyNamed || fromRegistrySecret) return { env, kind, line: at.line, column: at.column, ...(secretName ? { secretName } : {}), ...(secretKey ? { secretKey } : {}) };
    }
    return undefined;
  }
  if (!named || !isScalar(valueNode) || typeof valueNode.value !== 'string') return undefined;
  const wire = valueWire(env, valueNode.value);
  return wire && { env, ...wire, line: at.line, column: at.column };
}

/** The registry tokens of a container's `env` list. */
export function containerTokenWires(container: PNode, options: BuildNameOptions): TokenWire[] {
  const out: TokenWire[] = [];
  for (const item of seqItems(get(container, 'env'))) {
    const wire = envItemWire(item, options);
    if (wire) out.push(wire);
  }
  return out;
}

/** One `{name, value|valueFrom}` env list item. */
export function envItemWire(item: PNode, options: BuildNameOptions): TokenWire | undefined {
  if (!isMap(item)) return undefined;
  const env = getStr(item, 'name');
  if (!env) return undefined;
  const valueEntry = (item as PMap).entries.find((e) => e.key === 'value');
  const at = valueEntry ? { line: valueEntry.line, column: valueEntry.column } : { line: item.line, column: item.column };
  return tokenWire(env, at, valueEntry?.value, get(item, 'valueFrom'), options);
}

/** A values key that holds a container's environment: env, extraEnv, extraEnvVars, envVars, secretEnv, environment. */
function isEnvKey(key: string): boolean {
  const w = words(key);
  return w.some((x) => x === 'env' || x === 'envs' || x === 'environment') && w[w.length - 1] !== 'from';
}

/** One `NAME: value` (or `NAME: {valueFrom: …}`, `NAME: {secretKeyRef: …}`) entry of an env map. */
function envMapEntryWire(entry: PEntry, options: BuildNameOptions): TokenWire | undefined {
  const value = entry.value;
  const at = { line: entry.line, column: entry.column };
  if (!isMap(value)) return tokenWire(entry.key, at, value, undefined, options);
  const valueFrom = get(value, 'valueFrom') ?? (get(value, 'secretKeyRef') || get(value, 'configMapKeyRef') ? value : undefined);
  return tokenWire(entry.key, at, get(value, 'value'), valueFrom, options);
}

/** The images a values map sets for its workload: `image: repo:tag`, `image: {repository, name}`, `repository:`. */
function valuesImages(node: PNode): string[] {
  if (!isMap(node)) return [];
  const image = get(node, 'image');
  const out = [getStr(node, 'repository'), isScalar(image) ? getStr(node, 'image') : undefined, getStr(image, 'repository'), getStr(image, 'name')];
  return out.filter((x): x is string => x !== undefined);
}

/** Is the env at FRAME the environment of a builder, runner, registry or bot (by its keys above it or their images)? */
function inBuilderValues(frame: WalkFrame): boolean {
  for (let f: WalkFrame | undefined = frame; f; f = f.up) {
    if (f !== frame && f.key && !/^\d+$/.test(f.key) && namesBuilder(f.key)) return true;
    if (valuesImages(f.node).some((image) => namesBuilder(imageRepository(image)))) return true;
  }
  return false;
}

export interface ValuesTokenWire extends TokenWire {
  /** `.extraEnv[NPM_TOKEN]` */
  path: string;
}

/**
 * Registry tokens a values tree puts into a workload's environment (`env:`, `extraEnv:`, `secretEnv:` lists and maps),
 * outside the subtrees in `skip` (embedded Kubernetes objects, which the workload check reads). Silent for values of
 * a builder, runner, registry or dependency bot: told by the chart folder or file name, a key above the env, or an
 * image set beside it.
 */
export function valuesTokenWires(root: PNode | null | undefined, filePath: string, skip: ReadonlySet<string>, options: BuildNameOptions): ValuesTokenWire[] {
  const out: ValuesTokenWire[] = [];
  const folder = path.posix.basename(path.posix.dirname(filePath));
  const stem = path.posix.basename(filePath).replace(/\.(ya?ml|json)$/i, '');
  if (namesBuilder(folder) || namesBuilder(stem)) return out;
  walkFrames(root, (frame) => {
    if (skip.size > 0 && skip.has(keyPath(frame).join('.'))) return false;
    const key = frame.key;
    if (!key || /^\d+$/.test(key) || !isEnvKey(key) || isScalar(frame.node)) return undefined;
    if (inBuilderValues(frame)) return false;
    const node = frame.node;
    const wires = isMap(node) ? node.entries.map((e) => envMapEntryWire(e, options)) : seqItems(node).map((item) => envItemWire(item, options));
    const at = `.${keyPath(frame).join('.')}`;
    for (const wire of wires) if (wire) out.push({ ...wire, path: `${at}[${wire.env}]` });
    return false;
  });
  return out;
}
