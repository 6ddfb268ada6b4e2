import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { BUILDKIT_IMAGE, commandEndpoints, DAEMON_CONFIG, DAEMON_CONFIG_TLS, endpointsOfTokens, TLS_HINT, tomlEndpoints, type BuildkitEndpoint, type BuildkitModel } from '../../analyzers/build/buildkit.js';
import { get, getStr, isMap, isScalar, isSeq, type PNode, type PScalar } from '../../yaml/model.js';
import type { Replacement } from '../../types.js';
import { createRule } from '../create-rule.js';
import type { Project } from '../../scan/project.js';
import { enclosingControls } from '../k8s/helm-sources.js';


function contentLine(node: PScalar): number {
  return node.style === 'block' ? node.line + 1 : node.line;
}

function scalarText(node: PNode | null | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Words of a `command:`/`args:` value: a list of scalars, or one string split as a shell would. */
function wordsOf(node: PNode | null | undefined): { value: string; line: number }[] {
  if (isSeq(node)) return node.items.filter(isScalar).map((s) => ({ value: String(s.value ?? ''), line: s.line }));
  const text = scalarText(node);
  if (text === undefined || !isScalar(node)) return [];
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((value) => ({ value: value.replace(/^["']|["']$/g, ''), line: contentLine(node) }));
}

/** Static values of a YAML file's env-like entries (`NAME: value`, `- name: NAME` / `value:`), for `$NAME` in its scripts. */
function yamlAssignments(root: PNode | null | undefined, out: Map<string, string>, depth = 0): void {
  if (depth > 40) return;
  if (isMap(root)) {
    const name = getStr(root, 'name');
    const value = getStr(root, 'value');
    if (name && value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !out.has(name)) out.set(name, value);
    for (const e of root.entries) {
      const text = scalarText(e.value);
      if (text !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key) && !out.has(e.key)) out.set(e.key, text);
      else yamlAssignments(e.value, out, depth + 1);
    }
  } else if (isSeq(root)) for (const item of root.items) yamlAssignments(item, out, depth + 1);
}

const MENTION = /buildctl|buildkitd|buildx|BUILDKIT_HOST|\[\s*(grpc|worker\.)/;

/**
 * Does anything in the tree name BuildKit (a command, BUILDKIT_HOST, a buildx driver, a BuildKit image)? Most YAML does
 * not, and every YAML file is asked: an explicit stack, and the regexes only for strings holding one of their letters.
 */
function mentionsBuildkit(root: PNode | null | undefined): boolean {
  if (!root) return false;
  // Chunks of a chunked scan share the parsed trees of their context files: each tree is asked once.
  let known = mentionMemo.get(root);
  if (known === undefined) mentionMemo.set(root, (known = walkForMention(root)));
  return known;
}

const mentionMemo = new WeakMap<PNode, boolean>();

function walkForMention(root: PNode): boolean {
  const stack: (PNode | null | undefined)[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) continue;
    if (node.t === 'scalar') {
      const v = node.value;
      if (typeof v === 'string' && (v.includes('uild') || v.includes('UILD') || v.includes('[')) && (MENTION.test(v) || BUILDKIT_IMAGE.test(v))) return true;
    } else if (node.t === 'seq') {
      for (const item of node.items) stack.push(item);
    } else if (node.t === 'map') {
      for (const e of node.entries) {
        if (e.key === 'BUILDKIT_HOST') return true;
        stack.push(e.value);
      }
    }
  }
  return false;
}

/** The BuildKit endpoints of a YAML file (CI scripts, env maps, containers, compose services, setup-buildx steps, embedded buildkitd.toml). */
export function yamlEndpoints(file: ParsedFile<YamlFileModel>, renders: (line: number) => boolean = () => true, resolve: (text: string) => string = (t) => t.replace(/\{\{[^}]*\}\}/g, '')): BuildkitModel {
  const endpoints: BuildkitEndpoint[] = [];
  const daemonConfigs: { tls: boolean }[] = [];
  let tlsHint = false;
  if (!file.model.docs.some((d) => mentionsBuildkit(d.root))) return { endpoints, tlsHint };
  const assigned = new Map<string, string>();
  for (const doc of file.model.docs) yamlAssignments(doc.root, assigned);
  const jobServices = new Set<PNode>();
  const jobHosts = new Set<string>();
  const visit = (node: PNode | null | undefined, depth: number) => {
    if (!node || depth > 60) return;
    if (isScalar(node)) {
      const text = scalarText(node);
      if (text === undefined) return;
      if (TLS_HINT.test(text)) tlsHint = true;
      if (DAEMON_CONFIG.test(text)) daemonConfigs.push({ tls: DAEMON_CONFIG_TLS.test(text) });
      if (/\[\s*grpc/.test(text)) endpoints.push(...tomlEndpoints(text, contentLine(node)));
      else endpoints.push(...commandEndpoints(text, contentLine(node), assigned));
      return;
    }
    if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1);
      return;
    }
    if (!isMap(node)) return;
    for (const e of node.entries) if (TLS_HINT.test(e.key) || /^BUILDKIT\w*_(TLS|CA|CERT|KEY)/.test(e.key)) tlsHint = true;
    // Environment: `BUILDKIT_HOST: tcp://…` (CI env, compose, values env maps), `- name: BUILDKIT_HOST` / `value:`.
    const envName = getStr(node, 'name');
    if (envName && TLS_HINT.test(envName)) tlsHint = true;
    const envValue = envName === 'BUILDKIT_HOST' ? get(node, 'value') : get(node, 'BUILDKIT_HOST');
    const envText = scalarText(envValue);
    if (envText !== undefined && isScalar(envValue) && !envText.includes('{{') && !envText.includes('$')) endpoints.push({ role: 'client', form: 'env', addr: envText.trim(), line: envValue.line, tls: [] });
    // docker/setup-buildx-action with `driver: remote` and `endpoint: tcp://…`.
    const withNode = get(node, 'with');
    if (/setup-buildx-action/.test(getStr(node, 'uses') ?? '') && isMap(withNode) && getStr(withNode, 'driver') === 'remote') {
      const endpoint = get(withNode, 'endpoint');
      const text = scalarText(endpoint);
      if (text !== undefined && isScalar(endpoint)) {
        const opts = getStr(withNode, 'driver-opts') ?? '';
        const tls = [...opts.matchAll(/(?:^|[\s,])(cacert|cert|key)=/g)].map((m) => `driver-opt ${m[1]}`);
        endpoints.push({ role: 'buildx-remote', form: 'buildx-action', addr: text.trim(), line: endpoint.line, tls: [...new Set(tls)].sort() });
      }
    }
    // A container or compose service: `command` + `args`; a BuildKit image without a command runs buildkitd.
    if (get(node, 'command') !== undefined || get(node, 'args') !== undefined) {
      const command = wordsOf(get(node, 'command'));
      const args = wordsOf(get(node, 'args'));
      // The image: a container's or compose service's `image`, a GitLab CI service's `name` (`moby/buildkit:rootless`).
      const named = getStr(node, 'name') ?? '';
      const image = resolve(getStr(node, 'image') ?? (/[:/]/.test(named) ? named : ''));
      // Lines a chart's default values leave out (`{{- if .Values.tls.enabled }}` with `enabled: false`) are not rendered.
      let words = [...command, ...args].filter((w) => renders(w.line));
      // An image whose name the chart's values do not give: a container named for BuildKit.
      const daemonImage = BUILDKIT_IMAGE.test(image) || ((image === '' || image.startsWith(':')) && /buildkit/i.test(named));
      if (daemonImage && (words.length === 0 || words[0]!.value.startsWith('-'))) words = [{ value: 'buildkitd', line: node.line }, ...words];
      // A shell script in a list (`[sh, -c, "buildctl …"]`) is read as a scalar below.
      if (words.some((w) => /^(buildkitd|buildctl)$/.test(w.value.split('/').pop() ?? ''))) {
        const found = endpointsOfTokens(words, assigned);
        // A CI job's service container (GitLab `services:`) is reachable only from the job: local.
        if (!jobServices.has(node)) endpoints.push(...found);
      }
    }
    // GitLab CI `services:` of a job: their aliases (or image-derived names) are hosts only the job reaches.
    const services = get(node, 'services');
    if (isSeq(services) && (get(node, 'script') !== undefined || get(node, 'image') !== undefined || get(node, 'stage') !== undefined)) {
      for (const item of services.items) {
        if (isMap(item)) jobServices.add(item);
        const image = isScalar(item) ? String(item.value ?? '') : (getStr(item, 'name') ?? '');
        const alias = isMap(item) ? getStr(item, 'alias') : undefined;
        for (const a of (alias ?? '').split(',')) if (a.trim()) jobHosts.add(a.trim().toLowerCase());
        const bare = image.replace(/[:@].*$/, '');
        if (bare) for (const h of [bare.replace(/\//g, '__'), bare.replace(/\//g, '-')]) jobHosts.add(h.toLowerCase());
      }
    }
    for (const e of node.entries) visit(e.value, depth + 1);
  };
  for (const doc of file.model.docs) visit(doc.root, 0);
  const compose = file.model.docs.map((d) => composeServices(d.root)).find((c) => c !== undefined);
  const seen = new Set<string>();
  return {
    endpoints: endpoints.filter((p) => {
      if (p.role !== 'daemon' && jobHosts.has(tcpHost(p.addr) ?? '')) return false;
      // A compose project's network is its own: a daemon no port publishes (beyond loopback), and clients dialling it by
      // service name, talk inside it.
      if (compose) {
        const host = tcpHost(p.addr);
        if (p.role === 'daemon' && compose.some((c) => !c.exposed && p.line >= c.from && p.line < c.to)) return false;
        if (p.role !== 'daemon' && host !== undefined && compose.some((c) => !c.exposed && c.name.toLowerCase() === host)) return false;
      }
      const key = `${p.role}|${p.addr}|${p.line}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
    tlsHint,
    ...(daemonConfigs.length ? { daemonConfigs } : {}),
  };
}

/**
 * Does a chart template render LINE with the chart's default values? Only `if .Values.a.b` / `if not .Values.a.b`
 * guards are weighed (against values.yaml); any other guard counts as rendered.
 */
function rendersByDefault(project: Project, file: ParsedFile<YamlFileModel>): (line: number) => boolean {
  const helm = file.model.helm;
  if (!helm?.controls?.length) return () => true;
  const defaults = project.chartDefaults(helm.chartRoot)?.docs[0]?.root;
  return (line) => {
    for (const c of enclosingControls(helm, line)) {
      if (c.keyword !== 'if') continue;
      const m = /^if\s+(not\s+)?\$?\.Values\.([\w.]+)$/.exec(c.expr.trim());
      if (!m) continue;
      const node = get(defaults, m[2]!.split('.'));
      const value = isScalar(node) ? node.value : node;
      const truthy = value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
      if (truthy === Boolean(m[1])) return false;
    }
    return true;
  };
}

/** `{{ .Values.image.repository }}:{{ .Values.image.tag }}` with the chart's default values put in; other actions dropped. */
function chartValueResolver(project: Project, file: ParsedFile<YamlFileModel>): (text: string) => string {
  const chartRoot = file.model.helm?.chartRoot;
  return (text) => text.replace(/\{\{[^}]*\}\}/g, (action) => {
    const value = chartRoot ? project.resolveChartValue(chartRoot, action) : undefined;
    return value === undefined || value.includes('{{') ? '' : value;
  });
}

/** The services of a compose file with their line ranges and whether they publish a port beyond loopback (or use the host network). */
function composeServices(root: PNode | null | undefined): { name: string; from: number; to: number; exposed: boolean }[] | undefined {
  if (!isMap(root) || root.entries.some((e) => e.key === 'apiVersion' || e.key === 'kind')) return undefined;
  const services = get(root, 'services');
  if (!isMap(services)) return undefined;
  return services.entries.map((e, k) => {
    const ports = isSeq(get(e.value, 'ports')) ? (get(e.value, 'ports') as { items: (PNode | null)[] }).items : [];
    const exposed =
      getStr(e.value, 'network_mode') === 'host' ||
      ports.some((p) => {
        // `"1234"`, `"1234:1234"`, `"0.0.0.0:1234:1234"` publish on every interface; `"127.0.0.1:1234:1234"` on loopback.
        const text = isScalar(p) ? String(p.value ?? '') : (getStr(p, 'host_ip') ?? '0.0.0.0');
        return !/^(127\.[\d.]+|localhost|\[?::1\]?)(:|$)/.test(text);
      });
    return { name: e.key, from: e.line, to: services.entries[k + 1]?.line ?? Number.POSITIVE_INFINITY, exposed };
  });
}

/** Where an address points, when it is TCP: its host (brackets dropped), else undefined. */
export function tcpHost(addr: string): string | undefined {
  const m = /^tcp:\/\/(\[[^\]]*\]|[^:/?#]*)/i.exec(addr.trim());
  return m ? m[1]!.replace(/^\[|\]$/g, '').toLowerCase() : undefined;
}

/** Loopback: the connection never leaves the host (or the pod's network namespace). A client dialling 0.0.0.0 reaches the local host too. */
function isLocal(host: string, role: BuildkitEndpoint['role']): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1' || (role !== 'daemon' && (host === '0.0.0.0' || host === '::'));
}

function replacement(endpoint: BuildkitEndpoint): Replacement {
  if (endpoint.role === 'daemon') {
    return {
      language: 'yaml',
      title: 'buildkitd on TCP only with mTLS: server certificate, key and the CA that signs client certificates (cert-manager)',
      snippet: [
        '# cert-manager issues buildkitd-server-tls (server) and buildkitd-client-tls (clients) from one CA Issuer',
        'args:',
        '  - --addr',
        '  - unix:///run/buildkit/buildkitd.sock',
        '  - --addr',
        '  - tcp://0.0.0.0:1234',
        '  - --tlscacert=/certs/ca.crt',
        '  - --tlscert=/certs/tls.crt',
        '  - --tlskey=/certs/tls.key',
        'volumeMounts:',
        '  - name: certs',
        '    mountPath: /certs',
        '    readOnly: true',
        '# volumes: - name: certs, secret: {secretName: buildkitd-server-tls}',
        '',
      ].join('\n'),
    };
  }
  if (endpoint.role === 'buildx-remote') {
    return {
      language: 'shell',
      title: 'Remote buildx driver with a client certificate (mounted from cert-manager\'s buildkitd-client-tls only in the runner)',
      snippet: `docker buildx create --name remote --driver remote \\\n  --driver-opt cacert=/certs/ca.crt,cert=/certs/tls.crt,key=/certs/tls.key,servername=buildkitd \\\n  ${endpoint.addr}\n`,
    };
  }
  return {
    language: 'shell',
    title: 'buildctl over TCP with mTLS (client certificate from cert-manager\'s buildkitd-client-tls, mounted only in CI runners)',
    snippet: `buildctl --addr ${endpoint.addr} \\\n  --tlscacert /certs/ca.crt --tlscert /certs/tls.crt --tlskey /certs/tls.key \\\n  --tlsservername buildkitd \\\n  build …\n`,
  };
}

export const buildkitRemoteWithoutMtls = createRule(
  {
    id: 'buildkit-remote-without-mtls',
    family: 'build',
    defaultSeverity: 'medium',
    description: 'A BuildKit client or daemon talks TCP without mutual TLS (buildctl --addr / BUILDKIT_HOST tcp://, buildx remote driver, buildkitd --addr tcp:// or [grpc] address)',
    why:
      'Whoever reaches a plaintext BuildKit TCP port can run builds as the daemon (often privileged) and read what builds pass it: build ' +
      'secrets (registry and package tokens mounted with --secret), source and cache. Without a client certificate the daemon cannot tell CI ' +
      'runners from any other pod in the cluster.',
    allowed:
      '`unix://`, `docker-container://`, `kube-pod://`, `podman-container://` and `ssh://` addresses; loopback TCP (`tcp://127.0.0.1`, `localhost`); ' +
      'TCP with `--tlscacert/--tlscert/--tlskey` (or `--tlsdir`; buildx `--driver-opt cacert=…,cert=…,key=…`; `[grpc.tls]` in buildkitd.toml).',
    remediation:
      'Serve BuildKit on TCP only with mTLS: buildkitd `--tlscacert/--tlscert/--tlskey` from a cert-manager Certificate (`buildkitd-server-tls`), ' +
      'clients `--tlscacert/--tlscert/--tlskey --tlsservername` with a client certificate (`buildkitd-client-tls`) mounted only in CI runner pods; ' +
      'or use a unix socket or `kube-pod://`.',
  },
  (context) => {
    const files: { file: ParsedFile['file']; model: BuildkitModel }[] = [
      ...context.project.models<BuildkitModel>('buildkit').map((f) => ({ file: f.file, model: f.model })),
      ...context.project.yamlFiles
        .filter((f) => f.model.docs.some((d) => mentionsBuildkit(d.root)))
        .map((f) => ({ file: f.file, model: yamlEndpoints(f, rendersByDefault(context.project, f), chartValueResolver(context.project, f)) }))
        .filter((f) => f.model.endpoints.length > 0 || f.model.daemonConfigs),
    ];
    // `buildkitd --config …`: the TLS may be in the config file. Judged only when the tree holds buildkitd configs and none sets [grpc.tls].
    const configs = files.flatMap((f) => f.model.daemonConfigs ?? []);
    const configsWithoutTls = configs.length > 0 && configs.every((c) => !c.tls);
    context.each(
      files,
      (f) => f.file.path,
      ({ file, model }) => {
        if (file.isTest || file.vendored) return;
        for (const endpoint of model.endpoints) {
          const host = tcpHost(endpoint.addr);
          if (host === undefined || host === '' || host.includes('$') || host.includes('{') || isLocal(host, endpoint.role)) continue;
          if (endpoint.opaque && !(endpoint.configOnly && configsWithoutTls)) continue;
          const fileTls = endpoint.form === 'env' || endpoint.form === 'buildx-action';
          if (fileTls && model.tlsHint) continue;
          let problem: string;
          if (endpoint.role === 'daemon') {
            const has = new Set(endpoint.tls);
            if (has.has('tlscert') && has.has('tlskey') && has.has('tlscacert')) continue;
            problem = has.has('tlscert') && has.has('tlskey') ? 'serves TLS without a client CA (--tlscacert): any client that reaches the port can build' : 'listens on TCP without TLS: anything that reaches the port can run builds and read their secrets';
          } else {
            if (endpoint.tls.length > 0) continue;
            problem = 'connects over TCP without a client certificate or TLS: build secrets and sources cross the network in plaintext to a daemon that cannot authenticate the caller';
          }
          const what =
            endpoint.form === 'buildctl'
              ? `buildctl --addr ${endpoint.addr}`
              : endpoint.form === 'env'
                ? `BUILDKIT_HOST=${endpoint.addr}`
                : endpoint.form === 'buildx-create'
                  ? `docker buildx create --driver remote ${endpoint.addr}`
                  : endpoint.form === 'buildx-action'
                    ? `setup-buildx-action driver remote, endpoint ${endpoint.addr}`
                    : endpoint.form === 'buildkitd'
                      ? `buildkitd --addr ${endpoint.addr}`
                      : `buildkitd.toml [grpc] address ${endpoint.addr}`;
          context.report({
            file,
            line: endpoint.line,
            message: `${what} ${problem}`,
            location: `${file.path}#buildkit/${endpoint.role}/${endpoint.form}/${endpoint.addr}`,
            keys: [endpoint.form === 'env' ? 'BUILDKIT_HOST' : endpoint.form],
            origin: 'build-time',
            replacement: replacement(endpoint),
          });
        }
      },
    );
  },
);
