import type { ResolvedConfig } from '../../config/types.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { connectionStringPassword, embeddedUrlPassword, isAnglePlaceholder, isConnectionStringName, isCredentialName, isLiteralSecretValue, isConnectionWithoutCredential, mayEmbedPassword, words } from '../../k8s/vocabulary.js';
import type { FileContext } from '../../analyzers/types.js';
import type { TerraformModel } from '../../analyzers/terraform.js';
import { kustomizeGenerators } from './kustomize.js';
import type { ValuesBlock } from '../../k8s/values-blocks.js';
import { namedEnvironment } from '../../scan/environment.js';
import { chartName, terraformValuesFiles } from '../../scan/terraform-values.js';
import { resourcesInFile } from '../../scan/project-index.js';
import { getStr, isMap, isScalar, keyPath, walkFrames, type PNode } from '../../yaml/model.js';
import { createRule } from '../create-rule.js';
import type { RuleContext } from '../types.js';
import { authorityReplacement } from '../snippets.js';
import { ruleSetting } from '../../scan/collector.js';
import { registryNameOptions, valuesTokenWires } from './registry-tokens.js';
import { envLiteralByShape, formattedCredential, isNonCredentialLiteral, namesAKey, namesAKeyOfTheSecretBeside, namesASecret, valuesEmbeddedPaths } from './common.js';

/** Subtrees that reference credentials instead of holding them. */
const REFERENCE_PARENTS = new Set(['secretkeyref', 'secretref', 'valuefrom', 'configmapkeyref', 'existingsecret', 'existingsecrets', 'envfrom', 'remoteref', 'secretstoreref']);
export interface ValuesCredential {
  /** Logical path for messages and locations, e.g. ".postgresql.auth.password" or ".extraEnv[DB_PASSWORD]". */
  path: string;
  key: string;
  value: string;
  line: number;
  column: number;
  /** The value of a user-name key beside it (`POSTGRES_USER: postgres` next to `POSTGRES_PASSWORD`), if any. */
  userBeside?: string;
}

/** String scalars only: numbers (numTokens: 256, port: 5432) and booleans are settings, not credentials. */
function scalarText(node: PNode | null | undefined): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') return undefined;
  return String(node.value);
}

/** `secretKeyRef`, `loginSecretRef`, `existingSecret: {name, key}`: a subtree that points at a Secret. */
function isReferenceParent(key: string): boolean {
  if (REFERENCE_PARENTS.has(key.toLowerCase())) return true;
  const w = words(key);
  return w[0] === 'existing' || ['ref', 'refs', 'reference', 'references'].includes(w[w.length - 1]!);
}

/** A parent whose bare `key` child is its key material: `encryption`, `signing`; not a list index or a Secret reference. */
function isKeyOwner(parentKey: string): boolean {
  const last = words(parentKey).at(-1);
  return last !== undefined && !/^\d+$/.test(parentKey) && !['secret', 'secrets', 'ref', 'reference', 'name'].includes(last);
}

/** The literal credential held by a values entry, if any. */
export function valuesCredentialValue(key: string, value: string, config: ResolvedConfig, parentKey?: string): string | undefined {
  // `encryption: {key: …}`, `signing: {key: …}`: a bare `key` is named by its parent (not under `chainSecret: {name, key}`,
  // where it names a key of that Secret).
  const credentialKey = isCredentialName(key, { extra: config.credentialNames }) || (/^key$/i.test(key) && parentKey !== undefined && isKeyOwner(parentKey) && isCredentialName(`${parentKey}_${key}`, { extra: config.credentialNames }));
  // Most values are settings under setting keys: only a URL or DSN could still carry a password, or a value whose
  // format names it a credential (a webhook URL, a token).
  if (!credentialKey && !mayEmbedPassword(value)) return formattedCredential(value)?.value;
  if (!isLiteralSecretValue(value) || isAnglePlaceholder(value)) return undefined;
  const literal =
    credentialKey && !namesASecret(key, value, parentKey) && !namesAKey(key, value) && !(isConnectionStringName(key) && isConnectionWithoutCredential(value))
      ? value
      : (embeddedUrlPassword(value) ?? connectionStringPassword(value));
  if (literal === undefined || isNonCredentialLiteral(literal)) return credentialKey ? undefined : formattedCredential(value)?.value;
  return literal;
}

/** Literal credentials in a values document, outside the subtrees listed in `skip` (embedded Kubernetes objects). */
export function valuesCredentials(root: PNode | null | undefined, config: ResolvedConfig, skip: ReadonlySet<string> = new Set()): ValuesCredential[] {
  const out: ValuesCredential[] = [];
  walkFrames(root, (frame) => {
    const { node, entry } = frame;
    if (skip.size > 0 && skip.has(keyPath(frame).join('.'))) return false;
    const last = frame.key;
    if (last && !isScalar(node) && isReferenceParent(last)) return false;
    // env-style list items: {name: DB_PASSWORD, value: literal}
    if (isMap(node) && /^\d+$/.test(last ?? '')) {
      const name = getStr(node, 'name');
      const valueEntry = node.entries.find((e) => e.key === 'value');
      const value = scalarText(valueEntry?.value);
      if (name && valueEntry && value !== undefined) {
        const literal = valuesCredentialValue(name, value, config) ?? envLiteralByShape(name, value);
        if (literal) out.push({ path: `.${keyPath(frame).slice(0, -1).join('.')}[${name}]`, key: name, value: literal, line: valueEntry.line, column: valueEntry.column });
      }
      return undefined;
    }
    if (!entry || !last || /^\d+$/.test(last) || entry.key === 'value') return undefined;
    const value = scalarText(node);
    if (value === undefined) return undefined;
    if (isScalar(node) && node.style === 'block' && value.includes('name:')) {
      // `extraEnv: |` that the chart renders through tpl into a container's env: its items are env entries.
      const path = `.${keyPath(frame).join('.')}`;
      for (const item of envItemsInText(value)) {
        const literal = valuesCredentialValue(item.name, item.value, config) ?? envLiteralByShape(item.name, item.value);
        if (literal) out.push({ path: `${path}[${item.name}]`, key: item.name, value: literal, line: entry.line + 1 + item.lineOffset, column: entry.column + 1 + item.column });
      }
      return undefined;
    }
    if (namesAKeyOfTheSecretBeside(entry.key, value, frame.up?.node)) return undefined;
    const literal = valuesCredentialValue(entry.key, value, config, frame.up?.key);
    if (literal) {
      const userBeside = userNameBeside(frame.up?.node);
      out.push({ path: `.${keyPath(frame).join('.')}`, key: entry.key, value: literal, line: entry.line, column: entry.column, ...(userBeside ? { userBeside } : {}) });
    }
    return undefined;
  });
  return out;
}

const ENV_ITEM_NAME = /^(\s*)-\s+name:\s*(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\2\s*$/;
const ENV_ITEM_VALUE = /^(\s*)value:\s*(.*?)\s*$/;

/**
 * `- name: X` / `value: literal` items of an env list written as text (a values string a chart renders with tpl). A
 * value that opens a block (`>-`, `|`) or a flow collection is not a literal here.
 */
function envItemsInText(text: string): { name: string; value: string; lineOffset: number; column: number }[] {
  const out: { name: string; value: string; lineOffset: number; column: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const item = ENV_ITEM_NAME.exec(lines[i]!);
    if (!item) continue;
    const keysAt = item[1]!.length + 2;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() === '') continue;
      const indent = line.length - line.trimStart().length;
      if (indent < keysAt) break;
      const value = ENV_ITEM_VALUE.exec(line);
      if (!value || indent !== keysAt) continue;
      const raw = value[2]!.replace(/\s+#.*$/, '');
      if (/^[|>[{&*!]/.test(raw) || raw === '') break;
      const quoted = /^(["'])(.*)\1$/.exec(raw);
      out.push({ name: item[3]!, value: quoted ? quoted[2]! : raw, lineOffset: j, column: indent + 1 });
      break;
    }
  }
  return out;
}

/** The value of the user-name entry of a map (`user`, `username`, `POSTGRES_USER`, `adminLogin`), if it has one. */
function userNameBeside(map: PNode | undefined): string | undefined {
  if (!isMap(map)) return undefined;
  const entry = map.entries.find((e) => ['user', 'username', 'login'].includes(words(e.key).at(-1) ?? ''));
  return scalarText(entry?.value);
}

/** Where a values root sits: its document, and the GitOps wrapper and release of inline values. */
export interface ValuesRootAt {
  docIndex: number;
  owner?: string;
  release?: string;
  /** The chart a Terraform helm_release installs with these values (`postgresql`): what their credentials are for. */
  chart?: string;
  /** Loaded by Terraform's templatefile(): `${…}` in it are Terraform's placeholders, no literal. */
  templated?: boolean;
}

/**
 * Every values root the values rules judge: each document of a values file, and the inline values of GitOps wrappers
 * (HelmRelease spec.values, Argo helm.values strings, helmfile releases, ...). SKIP holds the paths that render objects
 * of their own (judged as those objects).
 */
export function eachValuesRoot(context: RuleContext, visit: (file: FileContext, root: PNode | null | undefined, skip: ReadonlySet<string>, at: ValuesRootAt) => void): void {
  const { project, config } = context;
  context.each(
    project.valuesFiles.filter((f) => !f.file.isTest),
    (f) => f.file.path,
    (parsed) => {
      const skip = valuesEmbeddedPaths(project, parsed.file.path);
      // A file a Terraform helm_release loads is that release's values.
      const release = terraformValuesFiles(project).get(parsed.file.path);
      const at = release ? { release: release.release, ...(release.chart ? { chart: release.chart } : {}), ...(release.templated ? { templated: true } : {}) } : {};
      for (const doc of parsed.model.docs) visit(parsed.file, doc.root, skip, { docIndex: doc.index, ...at });
    },
  );
  context.each(
    project.valuesBlocks.filter((b) => !b.parsed.file.isTest),
    (b) => b.parsed.file.path,
    ({ parsed, docIndex, block }) => {
      const prefix = `${block.at}${block.detached ? '|' : '.'}`;
      const skip = new Set(
        resourcesInFile(project, parsed.file.path)
          .filter((r) => r.source === 'values' && r.docIndex === docIndex && r.valuesPath?.startsWith(prefix))
          .map((r) => r.valuesPath!.slice(prefix.length)),
      );
      visit(blockFile(parsed.file, block, config), block.root, skip, { docIndex, owner: block.owner, release: block.release });
    },
  );
}

/** The file as seen by a values block: a helmfile `environments.<name>` block belongs to that environment. */
export function blockFile(file: FileContext, block: ValuesBlock, config: ResolvedConfig): FileContext {
  return block.environment ? { ...file, environment: namedEnvironment(block.environment, config) } : file;
}

export const inlineCredentialInValues = createRule(
  {
    id: 'inline-credential-in-values',
    family: 'inline',
    defaultSeverity: 'high',
    description: 'A Helm values file (any file a Terraform helm_release loads with file(), templatefile() or a template_file data source included; or the inline values of a GitOps wrapper, the list generator elements of an ApplicationSet, the parameters a Tekton or Argo Workflows object gives or a Terraform helm_release) holds a literal credential (password, token, client secret, DSN with password; under any key, a value whose format names it: a webhook URL, a token, a private key block)',
    why:
      'Secrets must not appear in Helm values: values files are copied into every environment overlay, rendered into manifests and ' +
      'release history, and no authority can rotate a literal in git. A values file names the Secret; the authority fills it.',
    allowed:
      'Terraform templatefile() placeholders (`${…}`) in the files it renders; keys that name a Secret or a key in it (`existingSecret`, `secretName`, `passwordSecret.name`, `rootPasswordSecretKey`, ' +
      '`secretKeyRef`), Helm templates `{{ … }}`, `${VAR}` placeholders, empty strings, null and booleans; URLs to documentation ' +
      'hosts (example.com, `.invalid`), examples filled with a pattern (`…/T00000000/B00000000/XXXX…`), public keys and certificates.',
    remediation:
      'Remove the literal, rotate it, store it with its authority (Azure Key Vault/Vault for external credentials, CNPG or Helm ' +
      'generation for cluster-managed ones) and reference the resulting Secret by name (existingSecret, secretKeyRef).',
  },
  (context) => {
    const { project, config } = context;
    const classifier = new OriginClassifier(config);
    const tokenNames = registryNameOptions(config);
    // Switched off, that rule reports nothing: its literal tokens stay this rule's.
    const registryRuleOn = ruleSetting(config, 'registry-token-in-runtime-config').enabled;
    // A config file a Kustomize generator reads into a Secret or ConfigMap is that object's content: judged there.
    const generated = new Set(
      (['secretGenerator', 'configMapGenerator'] as const).flatMap((field) => kustomizeGenerators(project, field).flatMap((g) => g.sources.filter((s) => s.via !== 'literals').map((s) => s.file.path))),
    );
    /** `owner`: the GitOps wrapper carrying inline values (HelmRelease x, Application y), absent for a values file. */
    const reportAll = (file: FileContext, root: PNode | null | undefined, skip: ReadonlySet<string>, at: ValuesRootAt) => {
      if (!at.owner && generated.has(file.path)) return;
      const creds = valuesCredentials(root, config, skip);
      if (creds.length === 0) return;
      // Registry tokens in an app's env are registry-token-in-runtime-config's: moving them to a secretKeyRef is no fix.
      const tokens = new Set(registryRuleOn ? valuesTokenWires(root, file.path, skip, tokenNames).map((w) => `${w.line}:${w.column}`) : []);
      for (const cred of creds) {
        if (tokens.has(`${cred.line}:${cred.column}`)) continue;
        if (at.templated && /\$\{|%\{/.test(cred.value)) continue;
        const segments = cred.path.replace(/\[.*\]$/, '').split('.').filter(Boolean);
        const owner = segments.filter((s) => !/^\d+$/.test(s)).slice(0, -1).join('-') || at.release || cred.key;
        // The chart says whose credential it is: `auth.password` of the postgresql chart is a database user's.
        const origin = classifier.classify({ name: at.chart ? `${at.chart}-${owner}` : owner, keys: [cred.key, ...segments], file: file.path });
        const base = at.release ?? segments.find((s) => !/^\d+$/.test(s)) ?? 'app';
        const secretName = `${base}-credentials`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
        context.report({
          file,
          line: cred.line,
          column: cred.column,
          message: at.owner ? `${at.owner} inline values key ${cred.path} holds a literal credential` : `Values key ${cred.path} holds a literal credential`,
          location: at.owner ? `values:${at.owner}#${cred.path}${at.docIndex > 0 ? `@${at.docIndex}` : ''}` : `values:${cred.path}${at.docIndex > 0 ? `@${at.docIndex}` : ''}`,
          value: cred.value,
          keys: [cred.key],
          origin,
          replacement: authorityReplacement(project, origin, { name: secretName, keys: [cred.key] }),
          // An env entry (`.extraEnv[DB_PASSWORD]`) has no existingSecret: it reads the Secret through valueFrom.
          remediation: cred.path.endsWith(']')
            ? `Remove the literal at ${cred.path}${at.owner ? ` (${at.owner})` : ''}, rotate it, and read it from a Secret instead (valueFrom.secretKeyRef: {name: ${secretName}, key: ${cred.key}}) materialised from its authority.`
            : `Remove the literal at ${cred.path}${at.owner ? ` (${at.owner})` : ''}, rotate it, and reference a Secret instead (existingSecret: ${secretName}) materialised from its authority.`,
        });
      }
    };
    eachValuesRoot(context, reportAll);
    // A Terraform helm_release's `set`/`set_sensitive` entries and inline `values` documents are values as well
    // (`set_sensitive` only hides them from the plan output: the literal is still in git and in the state).
    context.each(
      project.models<TerraformModel>('terraform').filter((m) => !m.file.isTest && m.model.helmReleases),
      (m) => m.file.path,
      ({ file, model }) => {
        for (const release of model.helmReleases!) {
          const chart = chartName(release.chart);
          release.roots.forEach((root, docIndex) => reportAll(file, root, new Set(), { docIndex, owner: `Terraform helm_release ${release.label}`, release: release.name ?? release.label, ...(chart ? { chart } : {}) }));
        }
      },
    );
  },
);
