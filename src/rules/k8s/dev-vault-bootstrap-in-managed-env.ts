import type { FileContext } from '../../analyzers/types.js';
import type { K8sResource } from '../../k8s/resources.js';
import type { Severity } from '../../types.js';
import { basename } from '../../util/path.js';
import { get, isMap, isScalar, isSeq, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { harnessModels } from '../tests/common.js';
import { commandText, resourceLocation, resourceRef } from './common.js';

/** Keys that hold what `vault operator init` prints: the root token, unseal or recovery key shares, the whole output. */
const ROOT_MATERIAL_KEY =
  /^(?:vault[-_.]?)?(?:(?:initial[-_.]?)?root[-_.]?token|(?:unseal|recovery)[-_.]?keys?(?:[-_.]?(?:b64|base64|hex|shares?|\d+))?|keys[-_.]?(?:b64|base64)|(?:vault[-_.]?)?init(?:[-_.]?(?:output|keys))?\.json|cluster[-_.]?keys\.json)$/i;
/** Secret names that say they hold it: `vault-unseal-keys`, `vault-root-token`, `vault-init`, `vault-auto-credentials`. */
const ROOT_MATERIAL_NAME = /\bvault[-_.]?(?:[a-z0-9]+[-_.])?(?:unseal|root[-_.]?token|init(?:[-_.]?keys)?$|keys$|auto[-_.]?credentials)|\b(?:unseal|root[-_.]?token)[-_.]?(?:[a-z0-9]+[-_.])?vault\b/i;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob']);

type Where = 'managed' | 'local' | 'unknown';

function whereOf(file: FileContext): Where {
  const env = file.environment;
  if (!env) return 'unknown';
  return env.managed ? 'managed' : env.local ? 'local' : 'unknown';
}

/** High where the tree says staging/production/shared; info on local and dev clusters (where it is the documented exception). */
function severityFor(where: Where, unknown: Severity): Severity {
  return where === 'managed' ? 'high' : where === 'local' ? 'info' : unknown;
}

function holdsRootMaterial(name: string | undefined, keys: readonly string[]): string[] {
  const found = keys.filter((k) => ROOT_MATERIAL_KEY.test(k));
  if (found.length > 0) return found;
  return name && ROOT_MATERIAL_NAME.test(name) ? [name] : [];
}

function mapKeys(node: PNode | null | undefined): string[] {
  return isMap(node) ? node.entries.map((e) => e.key) : [];
}

/** `vault server -dev`: a container of a Vault image started in dev mode (in memory, unsealed, a known root token). */
function devModeContainer(resource: K8sResource): { line: number; name: string } | undefined {
  const spec = resource.kind === 'CronJob' ? get(resource.node, 'spec.jobTemplate.spec.template.spec') : resource.kind === 'Pod' ? get(resource.node, 'spec') : get(resource.node, 'spec.template.spec');
  const containers = get(spec, 'containers');
  if (!isSeq(containers)) return undefined;
  for (const container of containers.items) {
    if (!isMap(container)) continue;
    const image = get(container, 'image');
    if (!isScalar(image) || typeof image.value !== 'string' || !/(^|\/)(vault|openbao)(:|@|$)/.test(image.value)) continue;
    const words = commandText(container).split(/\s+/);
    if (words.includes('server') && words.some((w) => w === '-dev' || w === '--dev' || w.startsWith('-dev-root-token-id'))) {
      const name = get(container, 'name');
      return { line: image.line, name: isScalar(name) ? String(name.value) : 'vault' };
    }
  }
  return undefined;
}

export const devVaultBootstrapInManagedEnv = createRule(
  {
    id: 'dev-vault-bootstrap-in-managed-env',
    family: 'external',
    defaultSeverity: 'high',
    // Severity is decided by the environment itself (high managed, info local/dev, medium unknown), not shifted from it.
    environmentEscalation: false,
    description: 'Vault bootstrapped the development way outside a disposable cluster: dev mode, or its root token / unseal keys kept in a Kubernetes Secret',
    why:
      'Dev mode keeps Vault in memory, unsealed, with a known root token; a root token or unseal key shares stored in a ' +
      'Kubernetes Secret give anyone who can read that namespace every secret Vault holds, forever (root tokens never expire). ' +
      'Managed clusters need auto-unseal through a KMS/HSM, a one-time init ceremony whose shares leave the cluster, and ' +
      'short-lived Kubernetes-auth tokens for automation. How it decides: HashiCorp Vault chart values with server.dev.enabled: ' +
      'true, a Vault/OpenBao container started with `server -dev`, and Secrets (manifests, templates, values, `kubectl create ' +
      'secret` in scripts) whose keys or name say root token, unseal/recovery keys or init output. Severity: high in staging, ' +
      'production and shared files, info on local and dev clusters, medium where the tree does not say.',
    allowed:
      'Dev mode and init Secrets in local, dev and CI clusters (info); auto-unseal (seal "awskms"/"azurekeyvault"/"gcpckms"/' +
      '"transit") with no stored shares; Kubernetes-auth roles for automation.',
    remediation:
      'Run Vault in HA/raft mode with auto-unseal through the cloud KMS, keep the init output (recovery keys) outside the cluster, ' +
      'revoke the root token after the ceremony, and give automation a Kubernetes-auth role instead.',
  },
  (context) => {
    const { project } = context;
    const replacement = {
      language: 'yaml',
      title: 'HashiCorp Vault chart values for a managed cluster: HA raft storage, KMS auto-unseal, no dev mode',
      snippet: [
        'server:',
        '  dev:',
        '    enabled: false',
        '  ha:',
        '    enabled: true',
        '    raft:',
        '      enabled: true',
        '      config: |',
        '        seal "azurekeyvault" {',
        '          vault_name = "<kms-vault>"',
        '          key_name   = "vault-unseal"',
        '        }',
        '        storage "raft" { path = "/vault/data" }',
      ].join('\n'),
    };

    // Vault chart values with dev mode on: a values file of (or named for) Vault, or the inline values of a Vault release.
    const devPaths = ['server.dev.enabled', 'vault.server.dev.enabled'];
    const reportDev = (file: FileContext, root: PNode | null | undefined, forVault: boolean) => {
      for (const path of devPaths) {
        if (path === 'server.dev.enabled' && !forVault && !isMap(get(root, 'injector'))) continue;
        const node = get(root, path);
        if (!isScalar(node) || node.value !== true) continue;
        // An umbrella chart's Vault dependency switched off (`vault.enabled: false`), or a server the values turn off
        // (`server.enabled: false`, `global.enabled: false`): the dev block renders nothing.
        const prefix = path.startsWith('vault.') ? 'vault.' : '';
        const off = (p: string) => {
          const n = get(root, p);
          return isScalar(n) && (n.value === false || n.value === 'false');
        };
        if ((prefix && off('vault.enabled')) || off(`${prefix}server.enabled`) || off(`${prefix}global.enabled`)) continue;
        const where = whereOf(file);
        context.report({
          file,
          line: node.line,
          column: node.column,
          message: `Vault chart values run the server in dev mode (${path}: true): in-memory storage, unsealed, a known root token`,
          location: `values:.${path}`,
          keys: [path],
          severity: severityFor(where, 'medium'),
          origin: 'external',
          replacement,
        });
      }
    };
    context.each(
      project.valuesFiles.filter((f) => !f.file.isTest),
      (f) => f.file.path,
      (f) => {
        const forVault = /vault|openbao/i.test(f.file.path);
        for (const doc of f.model.docs) reportDev(f.file, doc.root, forVault);
      },
    );
    context.each(
      project.valuesBlocks.filter((b) => !b.parsed.file.isTest && /vault|openbao/i.test(`${b.block.owner} ${b.block.release}`)),
      (b) => b.parsed.file.path,
      (b) => reportDev(b.parsed.file, b.block.root, true),
    );

    context.each(
      project.resources.filter((r) => !r.parsed.file.isTest && (r.kind === 'Secret' || WORKLOADS.has(r.kind))),
      (r) => r.file,
      (resource) => {
        const where = whereOf(resource.parsed.file);
        if (resource.kind === 'Secret') {
          const keys = [...mapKeys(get(resource.node, 'data')), ...mapKeys(get(resource.node, 'stringData'))];
          const material = holdsRootMaterial(resource.name, keys);
          if (material.length === 0) return;
          context.report({
            file: resource.parsed.file,
            line: resource.line,
            message: `Secret ${resource.name} keeps Vault's root token or unseal keys in the cluster (${material.join(', ')})`,
            location: resourceLocation(resource, 'vault-root-material'),
            keys: material,
            severity: severityFor(where, 'high'),
            origin: 'external',
            resource: resourceRef(resource),
            replacement,
          });
          return;
        }
        const dev = devModeContainer(resource);
        if (!dev) return;
        context.report({
          file: resource.parsed.file,
          line: dev.line,
          message: `${resource.kind} ${resource.name} starts Vault in dev mode (container ${dev.name}: server -dev)`,
          location: resourceLocation(resource, `vault-dev:${dev.name}`),
          keys: [dev.name],
          severity: severityFor(where, 'high'),
          origin: 'external',
          resource: resourceRef(resource),
          replacement,
        });
      },
    );

    // Scripts that store the init output in a Secret (`vault operator init … | kubectl create secret … --from-file=…`).
    context.each(
      harnessModels(project).filter((m) => m.model.language === 'shell' && m.model.role === 'script'),
      (m) => m.file.path,
      ({ file, model }) => {
        for (const secret of [...model.inlineSecrets, ...(model.createdSecrets ?? [])]) {
          const material = holdsRootMaterial(secret.name ?? secret.nameAsWritten, secret.keys.map((k) => basename(k)));
          if (material.length === 0) continue;
          const name = secret.name ?? secret.nameAsWritten ?? 'Secret';
          context.report({
            file,
            line: secret.line,
            column: secret.column,
            endLine: secret.endLine,
            message: `Script stores Vault's root token or unseal keys in Secret ${name} (${material.join(', ')})`,
            location: `script-secret:${name}`,
            keys: material,
            severity: severityFor(whereOf(file), 'medium'),
            origin: 'external',
            replacement,
          });
        }
      },
    );
  },
);
