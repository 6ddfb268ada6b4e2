/**
 * SOPS-encrypted credentials committed to git: Secret manifests a Flux Kustomization or KSOPS decrypts, helm-secrets
 * values files, encrypted .env/JSON/INI files. The domain's precedence table puts SOPS beside SealedSecrets ("encrypt
 * this secret in Git (SOPS, SealedSecrets, …)": always flag). A file counts as SOPS output only with both SOPS's
 * metadata (`sops:` with its `mac`, `sops_mac=`, a `[sops]` section) and at least one `ENC[AES256_GCM,…]` value.
 */
import type { FileContext } from '../../analyzers/types.js';
import { SOPS_CIPHERTEXT, type SopsFileModel } from '../../analyzers/sops.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { resourcesInFile } from '../../scan/project-index.js';
import { basename } from '../../util/path.js';
import { get, getStr, isMap, isScalar, walkFrames, keyPath, type PMap, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import { authorityReplacement } from '../snippets.js';
import { resourceLocation, resourceRef } from './common.js';

interface Encrypted {
  /** Dotted key path inside the document (`stringData.password`, `postgresql.auth.password`). */
  path: string;
  line: number;
}

/** The document's SOPS metadata block, when it has one (`sops:` with `mac`, as every sops version writes it). */
function sopsMetadata(root: PNode | null | undefined): PMap | undefined {
  const meta = get(root, 'sops');
  return isMap(meta) && meta.entries.some((e) => e.key === 'mac') ? meta : undefined;
}

function encryptedValues(root: PMap): Encrypted[] {
  const out: Encrypted[] = [];
  for (const top of root.entries) {
    if (top.key === 'sops' || !top.value) continue;
    if (isScalar(top.value)) {
      if (typeof top.value.value === 'string' && top.value.value.startsWith(SOPS_CIPHERTEXT)) out.push({ path: top.key, line: top.value.line });
      continue;
    }
    walkFrames(top.value, (frame) => {
      const node = frame.node;
      if (isScalar(node) && typeof node.value === 'string' && node.value.startsWith(SOPS_CIPHERTEXT)) out.push({ path: [top.key, ...keyPath(frame)].join('.'), line: node.line });
    });
  }
  return out;
}

/** A Secret's data keys (`.dockerconfigjson`, `tls.crt` keep their dots). */
function secretKeys(paths: readonly string[]): string[] {
  return [...new Set(paths.map((p) => p.replace(/^(string)?[Dd]ata\./, '')))];
}

function listed(keys: readonly string[]): string {
  return keys.length <= 6 ? keys.join(', ') : `${keys.slice(0, 6).join(', ')} and ${keys.length - 6} more`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const sopsEncryptedSecret = createRule(
  {
    id: 'sops-encrypted-secret',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A SOPS-encrypted credential committed to git (a Secret manifest Flux or KSOPS decrypts, helm-secrets values, an encrypted .env/JSON/INI file)',
    why:
      'Encrypted or not, the credential lives in git: every holder of the age/PGP/KMS key can read every past version, rotating it takes ' +
      'a commit per environment, and no authority (Vault, the operator, Helm) owns it. The platform treats SOPS like SealedSecrets: secrets come ' +
      'from their authority through External Secrets, never from ciphertext in the repository.',
    allowed: 'An ExternalSecret with the same target name and keys (external credentials), or a Secret the cluster generates (CNPG, Helm lookup + randAlphaNum, the service).',
    remediation:
      'Store each value with its authority (Vault/Azure Key Vault for external credentials; let the operator or Helm generate cluster-managed ones), ' +
      'replace the encrypted file with an ExternalSecret of the same name, namespace and keys, remove the SOPS decryption step (Flux `decryption`, ' +
      'KSOPS generator, helm-secrets) once nothing needs it, delete the file and rotate the values: its history stays decryptable.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    const origin = (name: string, keys: string[], file: FileContext, secretType?: string) =>
      classifier.classify({ name, keys, kind: 'Secret', file: file.path, isTest: file.isTest, ...(secretType ? { secretType } : {}) });

    const sopsFiles = context.project.models<SopsFileModel>('sops');
    // YAML files (and Kubernetes JSON) carry a marker only: their documents are the YAML analyzer's.
    const yamlFiles = sopsFiles.flatMap((f) => {
      const index = f.model.format === 'yaml' ? context.project.yamlFileIndex(f.file.path) : -1;
      return index < 0 ? [] : [context.project.yamlFiles[index]!];
    });
    context.each(
      yamlFiles,
      (f) => f.file.path,
      (parsed) => {
        if (parsed.file.isTest || parsed.model.role === 'template') return;
        for (const doc of parsed.model.docs) {
          const root = doc.root;
          if (!isMap(root) || !sopsMetadata(root)) continue;
          const encrypted = encryptedValues(root);
          if (encrypted.length === 0) continue;
          const paths = encrypted.map((e) => e.path);
          const resource = resourcesInFile(context.project, parsed.file.path).find((r) => r.docIndex === doc.index && r.valuesPath === undefined);
          if (resource) {
            const keys = resource.kind === 'Secret' ? secretKeys(paths) : paths;
            const secretType = getStr(resource.node, 'type');
            const cls = origin(resource.name, keys, parsed.file, secretType);
            context.report({
              file: parsed.file,
              line: resource.line,
              endLine: Math.max(...encrypted.map((e) => e.line)),
              message: `${resource.kind} ${resource.name} commits ${plural(encrypted.length, 'SOPS-encrypted value')} (${listed(keys)}) to git`,
              location: resourceLocation(resource, 'sops'),
              keys,
              origin: cls,
              resource: resourceRef(resource),
              ...(resource.kind === 'Secret' ? { replacement: authorityReplacement(context.project, cls, { name: resource.name, namespace: resource.namespace, keys, type: secretType }) } : {}),
            });
            continue;
          }
          reportFile(parsed.file, encrypted[0]!.line, Math.max(...encrypted.map((e) => e.line)), paths, parsed.model.role === 'values' ? 'values file' : 'YAML file', `sops#doc${doc.index}`);
        }
      },
    );

    context.each(
      sopsFiles,
      (f) => f.file.path,
      (parsed) => {
        if (parsed.file.isTest || parsed.model.format === 'yaml') return;
        const { keys: encrypted, format } = parsed.model;
        const keys = [...new Set(encrypted.map((k) => k.key))];
        reportFile(parsed.file, encrypted[0]!.line, Math.max(...encrypted.map((k) => k.line)), keys, format === 'dotenv' ? '.env file' : `${format.toUpperCase()} file`, 'sops');
      },
    );

    function reportFile(file: FileContext, line: number, endLine: number, keys: string[], what: string, location: string): void {
      const name = basename(file.path).replace(/\.(sops|enc|encrypted)(?=\.|$)/gi, '').replace(/\.[^.]*$/, '') || basename(file.path);
      context.report({
        file,
        line,
        endLine,
        message: `SOPS-encrypted ${what} commits ${plural(keys.length, 'encrypted value')} (${listed(keys)}) to git`,
        location,
        keys,
        origin: origin(name, keys, file),
      });
    }
  },
);
