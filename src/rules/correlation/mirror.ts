/** PushSecret mirroring rules (catalog E1-E3): Replace only, never read back, never consumed elsewhere. */
import { memoFor } from '../../scan/project-index.js';
import { providerLabel } from '../../k8s/stores.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import type { RuleContext } from '../types.js';
import { externalSecrets, pushSecrets, sameNamespace, storesCompatible, type EsEntry, type EsInfo, type PsInfo } from './common.js';
import { pushGeneratedSecretReplacement, pushSecretReplaceReplacement } from '../snippets.js';

interface Match {
  entry: EsEntry;
  ps: PsInfo;
}

/** ExternalSecret entries reading a remote key some PushSecret writes (normalised keys, compatible stores). */
/** Built once per scan and shared by both mirror rules. */
function mirrorMatches(context: RuleContext): Map<EsInfo, Match[]> {
  return memoFor(context.project, 'mirror:matches', '', () => computeMirrorMatches(context));
}

function computeMirrorMatches(context: RuleContext): Map<EsInfo, Match[]> {
  const byKey = new Map<string, PsInfo[]>();
  for (const ps of pushSecrets(context.project)) {
    for (const push of ps.pushes) {
      if (push.normalisedKey.includes('{{')) continue;
      const list = byKey.get(push.normalisedKey) ?? [];
      if (!list.includes(ps)) list.push(ps);
      byKey.set(push.normalisedKey, list);
    }
  }
  const out = new Map<EsInfo, Match[]>();
  if (byKey.size === 0) return out;
  for (const es of externalSecrets(context.project)) {
    if (es.resource.parsed.file.isTest) continue;
    for (const entry of es.entries) {
      if (!entry.normalisedKey) continue;
      for (const ps of byKey.get(entry.normalisedKey) ?? []) {
        if (!storesCompatible(entry, ps)) continue;
        const list = out.get(es) ?? [];
        list.push({ entry, ps });
        out.set(es, list);
      }
    }
  }
  return out;
}

/**
 * ExternalSecret entries that read a PushSecret's Vault replica into another Secret (vault-mirror-consumed judges
 * those: the password is still CNPG's, Vault only mirrors it). A read back into the mirrored Secret itself is not
 * listed: there Vault does drive the password (bidirectional-secret-sync and vault-authored-db-credential both apply).
 */
export function mirrorConsumerEntries(context: RuleContext): Set<EsEntry> {
  return memoFor(context.project, 'mirror:consumer-entries', '', () => {
    const out = new Set<EsEntry>();
    for (const [es, matches] of mirrorMatches(context)) for (const m of matches) if (!isSameSecret(es, m.ps)) out.add(m.entry);
    return out;
  });
}

/** The ExternalSecret writes the very Secret the PushSecret mirrors. */
function isSameSecret(es: EsInfo, ps: PsInfo): boolean {
  return !!es.targetName && es.targetName === ps.sourceSecret && sameNamespace(es.namespace, ps.namespace);
}

function originOf(classifier: OriginClassifier, es: EsInfo, matches: Match[], sourceSecret?: string) {
  return classifier.classify({
    name: sourceSecret ?? es.targetName ?? es.resource.name,
    keys: matches.map((m) => m.entry.remoteKey ?? m.entry.read.remoteKey),
    kind: 'Secret',
    file: es.resource.file,
  });
}

/** What a PushSecret's replica lives in, in words: Vault unless its stores say another provider. */
function replicaStore(context: RuleContext, ps: PsInfo): string {
  const labels = [...new Set(ps.view.storeNames.map((n) => {
    const store = context.project.stores.resolve(n);
    return store ? providerLabel(store) : 'Vault';
  }))];
  return labels.length === 0 ? 'Vault' : labels.join(' and ');
}

export const pushsecretNonReplacePolicy = createRule(
  {
    id: 'pushsecret-non-replace-policy',
    family: 'mirror',
    defaultSeverity: 'medium',
    description: 'A PushSecret whose updatePolicy is not Replace (e.g. IfNotExists): the Vault replica becomes the source of truth',
    why: 'A PushSecret mirrors a cluster-managed Secret (CNPG, Helm) into Vault for audit; the Kubernetes Secret must stay the source of truth and Vault must be overwritten on every sync. ESO documents updatePolicy Replace as the default and IfNotExists as "the provider becomes the source of truth", so the Vault value can silently differ from the live one. A missing updatePolicy is ESO\'s default Replace and is not reported.',
    allowed: 'updatePolicy: Replace (explicit, or omitted: ESO defaults to Replace).',
    remediation: 'Set spec.updatePolicy: Replace so the in-cluster Secret always overwrites the Vault replica.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    context.each(
      pushSecrets(context.project),
      (ps) => ps.resource.file,
      (ps) => {
        if (ps.resource.parsed.file.isTest) return;
        const policy = ps.updatePolicy;
        if (policy === undefined || policy.includes('{{') || policy === 'Replace') return;
        // A templated selector the chart's values cannot resolve is named as written; only a generatorRef has none.
        const source = ps.sourceSecret ?? ps.view.sourceSecret ?? '(generator)';
        const generator = ps.sourceSecret || ps.view.sourceSecret ? undefined : ps.view.generator;
        // Name the store the replica lives in (Vault, Azure Key Vault, AWS ...), not "Vault" whatever the provider.
        const stores = ps.view.storeNames.map((n) => {
          const provider = context.project.stores.resolve(n)?.provider;
          return provider ? `${n} (${provider})` : n;
        });
        const replica = stores.length > 0 ? `the replica in store ${stores.join(', ')}` : 'the store replica';
        context.report({
          file: ps.resource.parsed.file,
          line: ps.view.updatePolicyLine ?? ps.resource.line,
          message: generator
            ? `${ps.resource.kind} ${ps.resource.name} pushes a value of ${generator.kind} generator ${generator.name} with updatePolicy ${policy}: ${replica} is the only copy and becomes the source of truth`
            : `${ps.resource.kind} ${ps.resource.name} mirrors Secret ${source} with updatePolicy ${policy}: ${replica} wins over the in-cluster source of truth`,
          location: resourceLocation(ps.resource, 'spec.updatePolicy'),
          keys: ps.pushes.map((p) => p.remoteKey),
          // A generator has no Secret name: the PushSecret's own name says what it is (as in the inventory).
          origin: classifier.classify({ name: generator ? ps.resource.name : source, keys: ps.pushes.map((p) => p.secretKey ?? p.remoteKey), kind: 'Secret', file: ps.resource.file }),
          resource: resourceRef(ps.resource),
          replacement: (() => {
            const stores = ps.stores.map((s) => ({ name: s.name, kind: ps.view.storeRefs.find((r) => r.name === s.name)?.kind ?? s.store?.kind }));
            if (generator) return pushGeneratedSecretReplacement({ name: ps.resource.name, namespace: ps.namespace, generator, secretName: generator.name, stores, pushes: ps.pushes });
            return pushSecretReplaceReplacement({ name: ps.resource.name, namespace: ps.namespace, sourceSecret: source, stores, pushes: ps.pushes });
          })(),
          ...(generator
            ? { remediation: `Generate the value once into a Secret (an ExternalSecret over ${generator.kind} ${generator.name} with refreshInterval 0), point the PushSecret's selector at that Secret and set spec.updatePolicy: Replace; with Replace and a generatorRef every refresh would push a new value.` }
            : {}),
        });
      },
    );
  },
);

export const bidirectionalSecretSync = createRule(
  {
    id: 'bidirectional-secret-sync',
    family: 'mirror',
    defaultSeverity: 'high',
    description: 'An ExternalSecret reads back the remote key a PushSecret pushes, into the same Secret the PushSecret mirrors',
    why: '"Never combine ExternalSecret (Vault -> K8s) and PushSecret (K8s -> Vault) for the same secret path." The two controllers fight over the value: whichever syncs last wins, a rotation in the cluster is undone from Vault, and the authority of the Secret is undefined.',
    allowed: 'The PushSecret alone (Kubernetes -> Vault, updatePolicy Replace); the Secret is produced in-cluster by its operator or Helm.',
    remediation: 'Delete the ExternalSecret side; keep the in-cluster generator as the authority and the PushSecret as the audit mirror.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    const matches = mirrorMatches(context);
    context.each(
      matches.entries(),
      ([es]) => es.resource.file,
      ([es, all]) => {
        const same = all.filter((m) => isSameSecret(es, m.ps));
        if (same.length === 0) return;
        const ps = same[0]!.ps;
        const keys = [...new Set(same.map((m) => m.entry.remoteKey ?? m.entry.read.remoteKey))];
        context.report({
          file: es.resource.parsed.file,
          line: es.resource.line,
          endLine: Math.max(es.resource.line, ...same.map((m) => m.entry.read.line)),
          message: `${es.resource.kind} ${es.resource.name} reads ${keys.join(', ')} back into Secret ${es.targetName}, which ${ps.resource.kind} ${ps.resource.name} (${ps.resource.file}) pushes to the same remote ${keys.length === 1 ? 'key' : 'keys'}: a sync loop with no single authority`,
          location: resourceLocation(es.resource, `readback:${[...keys].sort().join(',')}`),
          keys: same.map((m) => m.entry.read.secretKey ?? m.entry.read.remoteKey),
          origin: originOf(classifier, es, same, ps.sourceSecret),
          resource: resourceRef(es.resource),
          remediation: `Delete ${es.resource.kind} ${es.resource.name}; ${es.targetName} is produced in-cluster and ${ps.resource.kind} ${ps.resource.name} only mirrors it to ${replicaStore(context, ps)}.`,
        });
      },
    );
  },
);

export const vaultMirrorConsumed = createRule(
  {
    id: 'vault-mirror-consumed',
    family: 'mirror',
    defaultSeverity: 'high',
    description: 'An ExternalSecret consumes the Vault replica a PushSecret writes, into a different Secret (another namespace or app)',
    why: '"PushSecret is for audit/observability only - the Vault replica must never be used as source for other ExternalSecrets." A consumer of the mirror couples another app to a copy that lags rotations, keeps working after the source is deleted, and turns the audit mirror into an undeclared authority.',
    allowed: 'Consumers read the CNPG/Helm Secret in their own namespace, or get a dedicated credential of their own (e.g. a dedicated test role).',
    remediation: 'Point the consumer at its own credential: a dedicated CNPG role / Helm-generated Secret in its namespace, or a separate Vault key it owns; the mirror stays write-only.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    const matches = mirrorMatches(context);
    context.each(
      matches.entries(),
      ([es]) => es.resource.file,
      ([es, all]) => {
        const foreign = all.filter((m) => !isSameSecret(es, m.ps));
        if (foreign.length === 0) return;
        const pushers = [...new Set(foreign.map((m) => m.ps))];
        const keys = [...new Set(foreign.map((m) => m.entry.remoteKey ?? m.entry.read.remoteKey))];
        const ps = pushers[0]!;
        const sources = [...new Set(pushers.map((p) => `${p.resource.kind} ${p.resource.name} (${p.resource.file}, ${p.sourceSecret || p.view.sourceSecret ? `mirror of Secret ${p.sourceSecret ?? p.view.sourceSecret}` : p.view.generator ? `push of ${p.view.generator.kind} generator ${p.view.generator.name}` : 'mirror of Secret (generator)'})`))];
        context.report({
          file: es.resource.parsed.file,
          line: es.resource.line,
          endLine: Math.max(es.resource.line, ...foreign.map((m) => m.entry.read.line)),
          message: `${es.resource.kind} ${es.resource.name} reads ${keys.join(', ')} into Secret ${es.targetName ?? '(templated)'}${es.namespace ? ` in ${es.namespace}` : ''}, consuming the ${replicaStore(context, ps)} replica written by ${sources.join(', ')}`,
          location: resourceLocation(es.resource, `mirror:${[...keys].sort().join(',')}`),
          keys: foreign.map((m) => m.entry.read.secretKey ?? m.entry.read.remoteKey),
          origin: originOf(classifier, es, foreign, ps.sourceSecret),
          resource: resourceRef(es.resource),
          remediation: `Stop reading ${keys.join(', ')} in ${es.resource.kind} ${es.resource.name}; give it a dedicated credential or read ${ps.sourceSecret ?? 'the source Secret'} from its owning namespace. ${ps.resource.kind} ${ps.resource.name} remains an audit-only mirror.`,
        });
      },
    );
  },
);
