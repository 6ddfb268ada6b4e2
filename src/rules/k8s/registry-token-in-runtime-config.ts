import type { FileContext } from '../../analyzers/types.js';
import { externalSecretView, esSpec, EXTERNAL_SECRET_KINDS } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import { isCredentialName } from '../../k8s/vocabulary.js';
import type { Project } from '../../scan/project.js';
import type { Replacement } from '../../types.js';
import { get, getStr, isMap, seqItems, type PNode } from '../../yaml/model.js';
import type { BuildNameOptions } from '../build/common.js';
import { createRule } from '../create-rule.js';
import { externalSecretHead } from '../snippets.js';
import { resourceLocation, resourceRef } from './common.js';
import { eachValuesRoot, type ValuesRootAt } from './inline-credential-in-values.js';
import { containerTokenWires, isBuilderWorkload, isRegistryTokenName, namesRegistry, registryNameOptions, valuesTokenWires, type TokenWire } from './registry-tokens.js';
import { containerLists } from './workload-env-literal-credential.js';

const PULL_SECRET_TYPES = new Set(['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg']);

/** What a Secret of a name holds, as far as the tree tells: its keys and type, and the ExternalSecret that fills it. */
interface SecretShape {
  keys: string[];
  type?: string;
  externalSecret?: K8sResource;
}

/** Secrets by name: Secret manifests and templates, SealedSecrets, and the targets of ExternalSecrets. */
function secretShapes(project: Project): Map<string, SecretShape[]> {
  const out = new Map<string, SecretShape[]>();
  const add = (name: string, shape: SecretShape) => out.set(name, [...(out.get(name) ?? []), shape]);
  const keysOf = (node: PNode | null | undefined) => (isMap(node) ? node.entries.map((e) => e.key) : []);
  for (const r of project.resourcesOfKind('Secret', 'SealedSecret', ...EXTERNAL_SECRET_KINDS)) {
    if (r.kind === 'Secret') add(r.name, { keys: [...keysOf(get(r.node, 'data')), ...keysOf(get(r.node, 'stringData'))], type: getStr(r.node, 'type') });
    else if (r.kind === 'SealedSecret') add(r.name, { keys: keysOf(get(r.node, 'spec.encryptedData')), type: getStr(r.node, 'spec.template.type') });
    else {
      const view = externalSecretView(r);
      const keys = [...view.reads.map((read) => read.secretKey).filter((k): k is string => k !== undefined), ...view.templateKeys];
      add(view.targetName, { keys, type: getStr(esSpec(r), 'target.template.type'), externalSecret: r });
    }
  }
  return out;
}

const NOT_A_TOKEN = /(^|[^a-z])(user(name)?|login|email|server|host|url|uri|registry|address)$/i;

/** Registry keys an ExternalSecret entry fetches: by the target key's name, or a credential fetched from a remote key named for a registry. */
function registryReads(es: K8sResource, options: BuildNameOptions): { secretKey: string; line: number; remote: string }[] {
  const view = externalSecretView(es);
  const out: { secretKey: string; line: number; remote: string }[] = [];
  for (const read of view.reads) {
    if (!read.secretKey) continue;
    const remote = [read.remoteKey, read.property].filter(Boolean).join('#');
    // `ghcr-token#value` into `token`; not the `username` or `server` read beside it from the same remote key.
    const viaRemote = namesRegistry(read.remoteKey) && !NOT_A_TOKEN.test(read.secretKey) && (isCredentialName(read.secretKey) || isCredentialName(read.property ?? read.remoteKey) || read.property === 'value');
    if (isRegistryTokenName(read.secretKey, options) || viaRemote) out.push({ secretKey: read.secretKey, line: read.line, remote });
  }
  return out;
}

/**
 * The allowed pattern written out: the runtime pod pulls with a dockerconfigjson pull Secret fed by an ExternalSecret,
 * and the package install that needed the token moves into the image build as a BuildKit secret.
 */
export function registryTokenReplacement(project: Project, target: { envs: string[]; namespace?: string }): Replacement {
  const first = target.envs[0] ?? 'REGISTRY_TOKEN';
  const id = first.toLowerCase();
  const lines = [
    `# Pod spec (spec.template.spec of a Deployment): drop ${target.envs.join(', ')} from env, pull with a pull Secret`,
    'imagePullSecrets:',
    '  - name: registry-pull',
    '---',
    ...externalSecretHead(project, 'registry-pull-sync', target.namespace),
    '  target:',
    '    name: registry-pull',
    '    template:',
    '      type: kubernetes.io/dockerconfigjson',
    '      data:',
    '        .dockerconfigjson: \'{"auths":{"ghcr.io":{"auth":"{{ printf "%s:%s" .username .token | b64enc }}"}}}\'',
    '  data:',
    '    - secretKey: username',
    '      remoteRef: {key: registry-token, property: username}',
    '    - secretKey: token',
    '      remoteRef: {key: registry-token, property: value}',
    '# Packages install at build time only, with the token as a BuildKit secret (Dockerfile):',
    `#   RUN --mount=type=secret,id=${id},env=${first} <the install step that needs it>`,
    `#   docker buildx build --secret id=${id},env=${first} .`,
  ];
  return { language: 'yaml', title: 'Pull Secret for the runtime pod; the token stays a build secret', snippet: `${lines.join('\n')}\n` };
}

export const registryTokenInRuntimeConfig = createRule(
  {
    id: 'registry-token-in-runtime-config',
    family: 'build',
    defaultSeverity: 'medium',
    description: 'A registry or package token (NPM_TOKEN, GHCR_TOKEN, PKG_GITHUB_COM_TOKEN, DOCKER_PASSWORD …) is wired into a runtime workload',
    why:
      'Registry and package tokens are build-time secrets: they install packages and push images, and runtime pods stay free of them. ' +
      'In a running app a token with package or image write scope is readable by anyone who can exec into the pod, read its env or its ' +
      'Secret, and it outlives the build that needed it. A pod pulls its own image with `imagePullSecrets`, never with a token in env. ' +
      'Checked: container `env` (literal, secretKeyRef, configMapKeyRef, templated), `envFrom` of a Secret whose keys are registry ' +
      'tokens, values `env`/`extraEnv`/`secretEnv` lists and maps, and ExternalSecrets that fetch a registry token into a Secret that a ' +
      'runtime pod reads as env. A literal token in a runtime pod is reported here only (high), not also as a literal credential. ' +
      'Registry tokens are named as the build rules name them, without forge API tokens (GITHUB_TOKEN, GITLAB_TOKEN), which ' +
      'runtime bots and portals use by design.',
    allowed:
      '`imagePullSecrets` fed by an ExternalSecret whose target is `type: kubernetes.io/dockerconfigjson`; BuildKit secret mounts. ' +
      'Builders, CI runners, registries and dependency bots may hold a token: Tekton, Argo Workflows, actions-runner-controller, ' +
      'Shipwright, kpack and GitLab Runner kinds, and workloads whose image, container, workload or chart name or name label names ' +
      'one (buildkit, kaniko, buildah, dind, runner, jenkins, renovate, dependabot, registry, harbor, nexus, artifactory, verdaccio, ' +
      'image updater …), or whose container command builds, pushes or publishes (`docker build`, `buildctl`, `npm publish`, `twine upload` …).',
    remediation:
      'Remove the token from the runtime pod; pull images with `imagePullSecrets` fed by an ExternalSecret of type ' +
      '`kubernetes.io/dockerconfigjson`; install packages at build time with a BuildKit secret mount (`RUN --mount=type=secret,id=…`). ' +
      'Rotate a token that was committed as a literal.',
  },
  (context) => {
    const { project, config } = context;
    const options = registryNameOptions(config);
    const shapes = secretShapes(project);
    const live = (r: K8sResource) => !r.parsed.file.isTest && r.kind !== 'CustomResourceDefinition';

    const reportWire = (resource: K8sResource, field: string, container: string, wire: TokenWire) => {
      const where = `${resource.kind} ${resource.name} container ${container}`;
      const how =
        wire.kind === 'literal'
          ? `sets registry token ${wire.env} to a literal`
          : wire.kind === 'secret'
            ? `reads registry token ${wire.env} from Secret ${wire.secretName ?? '?'}${wire.secretKey ? ` (key ${wire.secretKey})` : ''}`
            : wire.kind === 'configmap'
              ? `reads registry token ${wire.env} from ConfigMap ${wire.secretName ?? '?'}`
              : `wires registry token ${wire.env} in from a template, variable or secret-manager reference`;
      context.report({
        file: resource.parsed.file,
        line: wire.line,
        column: wire.column,
        message: `${where} ${how} in its runtime env: registry tokens are build-time only`,
        location: resourceLocation(resource, `${field}[${container}].env[${wire.env}]`),
        ...(wire.value !== undefined ? { value: wire.value, severity: 'high' as const } : {}),
        keys: [wire.env],
        origin: 'build-time',
        resource: resourceRef(resource),
        replacement: registryTokenReplacement(project, { envs: [wire.env], namespace: resource.namespace }),
        remediation:
          `Remove ${wire.env} from ${resource.kind} ${resource.name}${wire.kind === 'literal' ? ' and rotate the committed token' : ''}; pull its image with imagePullSecrets ` +
          'fed by an ExternalSecret of type kubernetes.io/dockerconfigjson, and install packages at build time with a BuildKit secret mount.',
      });
    };

    /**
     * ExternalSecrets that fetch a registry token into a Secret this runtime workload reads as env (KEY, or every key
     * for envFrom), not into a pull Secret. Reported while checking the reader, so that a scan judging the tree in
     * chunks still sees both; the first reader names itself, later ones find the same finding.
     */
    const reportFeeders = (reader: K8sResource, secretName: string, key: string | undefined) => {
      for (const shape of shapes.get(secretName) ?? []) {
        const es = shape.externalSecret;
        if (!es || !live(es) || PULL_SECRET_TYPES.has(shape.type ?? '') || (reader.namespace && es.namespace && reader.namespace !== es.namespace)) continue;
        for (const read of registryReads(es, options)) {
          if (key !== undefined && key !== read.secretKey) continue;
          const by = `${reader.kind} ${reader.name} (${reader.file})`;
          context.report({
            file: es.parsed.file,
            line: read.line,
            column: 1,
            message: `${es.kind} ${es.name} fetches registry token ${read.secretKey} (${read.remote}) into Secret ${secretName}, which ${by} reads as runtime env: registry tokens are build-time only, and a pull Secret is type kubernetes.io/dockerconfigjson`,
            location: resourceLocation(es, `data[${read.secretKey}]`),
            keys: [read.secretKey],
            origin: 'build-time',
            resource: resourceRef(es),
            replacement: registryTokenReplacement(project, { envs: [read.secretKey], namespace: es.namespace }),
            remediation: `Stop fetching ${read.secretKey} into ${secretName} for ${by}; if the pod needs to pull images, template the token into a kubernetes.io/dockerconfigjson Secret used as imagePullSecrets, and keep package installs in the build with a BuildKit secret mount.`,
          });
        }
      }
    };

    context.each(
      project.resources.filter(live),
      (r) => r.file,
      (resource) => {
        const lists = containerLists(resource);
        const containers = lists.flatMap((l) => l.containers);
        if (containers.length === 0) return;
        // Asked only of workloads that wire something in: most have nothing to tell.
        let builder: boolean | undefined;
        const runtime = () => !(builder ??= isBuilderWorkload(resource, containers));
        for (const { field, containers: list } of lists) {
          for (const container of list) {
            if (!isMap(container)) continue;
            const name = getStr(container, 'name') ?? '(unnamed)';
            for (const item of seqItems(get(container, 'env'))) {
              const secretName = getStr(item, 'valueFrom.secretKeyRef.name');
              if (secretName && shapes.has(secretName) && runtime()) reportFeeders(resource, secretName, getStr(item, 'valueFrom.secretKeyRef.key'));
            }
            for (const wire of containerTokenWires(container, options)) if (runtime()) reportWire(resource, field, name, wire);
            for (const item of seqItems(get(container, 'envFrom'))) {
              const secretName = getStr(item, 'secretRef.name');
              if (!secretName || !shapes.has(secretName) || !runtime()) continue;
              reportFeeders(resource, secretName, undefined);
              const found = (shapes.get(secretName) ?? []).filter((s) => !PULL_SECRET_TYPES.has(s.type ?? ''));
              const keys = [...new Set(found.flatMap((s) => s.keys))].filter((k) => isRegistryTokenName(k, options)).sort();
              if (keys.length === 0) continue;
              const filledBy = found.find((s) => s.externalSecret && s.keys.some((k) => keys.includes(k)))?.externalSecret;
              context.report({
                file: resource.parsed.file,
                line: item.line,
                column: item.column,
                message: `${resource.kind} ${resource.name} container ${name} loads Secret ${secretName} with envFrom, and ${keys.length === 1 ? `its key ${keys[0]} is a registry token` : `its keys ${keys.join(', ')} are registry tokens`}${filledBy ? ` (filled by ${filledBy.kind} ${filledBy.name})` : ''}: registry tokens are build-time only`,
                location: resourceLocation(resource, `${field}[${name}].envFrom[${secretName}]`),
                keys,
                origin: 'build-time',
                resource: resourceRef(resource),
                replacement: registryTokenReplacement(project, { envs: keys, namespace: resource.namespace }),
                remediation: `Drop ${keys.join(', ')} from Secret ${secretName} (or stop loading it with envFrom in ${resource.kind} ${resource.name}); pull images with imagePullSecrets fed by an ExternalSecret of type kubernetes.io/dockerconfigjson, and install packages at build time with a BuildKit secret mount.`,
              });
            }
          }
        }
      },
    );

    // Values that put a registry token into the app's env (env:, extraEnv:, secretEnv: lists and maps).
    const reportValues = (file: FileContext, root: PNode | null | undefined, skip: ReadonlySet<string>, at: ValuesRootAt) => {
      for (const wire of valuesTokenWires(root, file.path, skip, options)) {
        context.report({
          file,
          line: wire.line,
          column: wire.column,
          message: `${at.owner ? `${at.owner} inline values key` : 'Values key'} ${wire.path} puts registry token ${wire.env} into the app's runtime env${wire.kind === 'literal' ? ' as a literal' : wire.secretName ? ` from ${wire.kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${wire.secretName}` : ''}: registry tokens are build-time only`,
          location: `values:${at.owner ? `${at.owner}#` : ''}${wire.path}${at.docIndex > 0 ? `@${at.docIndex}` : ''}`,
          ...(wire.value !== undefined ? { value: wire.value, severity: 'high' as const } : {}),
          keys: [wire.env],
          origin: 'build-time',
          replacement: registryTokenReplacement(project, { envs: [wire.env] }),
          remediation: `Remove ${wire.env} from ${wire.path}${wire.kind === 'literal' ? ' and rotate the committed token' : ''}; pull images with imagePullSecrets fed by an ExternalSecret of type kubernetes.io/dockerconfigjson, and install packages at build time with a BuildKit secret mount.`,
        });
      }
    };
    eachValuesRoot(context, reportValues);
  },
);
