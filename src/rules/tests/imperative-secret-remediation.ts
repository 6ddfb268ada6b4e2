import type { ParsedFile } from '../../analyzers/types.js';
import type { ImperativeAction, ImperativeModel } from '../../analyzers/tests/imperative.js';
import type { HarnessModel } from '../../analyzers/tests/model.js';
import { OriginClassifier } from '../../inventory/origin.js';
import { databaseOperatorSecrets } from '../../k8s/db-operators.js';
import { EXTERNAL_SECRET_KINDS, externalSecretView } from '../../k8s/eso.js';
import { operatorSecretsByName } from '../../k8s/operator-secrets.js';
import { words } from '../../k8s/vocabulary.js';
import { memoFor } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import type { Origin, Replacement, Severity } from '../../types.js';
import { createRule } from '../create-rule.js';
import { harnessModels, Occurrences } from './common.js';
import { imperativeModels, isLocalTarget } from './imperative-common.js';
import { reportsVaultWrite } from './vault-write-db-credential.js';
import { reportsInlineSecret } from './kubectl-create-secret-imperative.js';

/** Words of a Job's name that say it writes or refreshes credentials (`realm-client-patcher`, `db-password-rotate`). */
const SECRET_JOB_WORDS = new Set(['secret', 'secrets', 'patcher', 'credential', 'credentials', 'creds', 'password', 'passwords', 'token', 'tokens', 'rotate', 'rotation', 'rotator', 'apikey']);

/** Secrets something in the tree owns: ExternalSecret targets, Secrets a database or other operator writes or reads. */
function managedSecrets(project: Project): Map<string, string> {
  return memoFor(project, 'imperative:managed-secrets', '', () => {
    const out = new Map<string, string>();
    for (const r of project.resourcesOfKind(...EXTERNAL_SECRET_KINDS)) {
      const target = externalSecretView(r).targetName;
      if (target && !target.includes('{{') && !out.has(target)) out.set(target, `${r.kind} ${r.name} (${r.file})`);
    }
    for (const [name, list] of operatorSecretsByName(project)) if (!out.has(name) && list[0]) out.set(name, list[0].producer);
    for (const [name, engine] of databaseOperatorSecrets(project)) if (!out.has(name)) out.set(name, `the ${engine} operator`);
    return out;
  });
}

function sameScope(model: ImperativeModel, a: ImperativeAction, b: { section: number }): boolean {
  return model.source !== 'markdown' || a.section === b.section;
}

interface Judged {
  what: string;
  origin: Origin;
  replacement: Replacement;
  remediation: string;
}

const REFRESH_SNIPPET = (name: string): Replacement => ({
  language: 'yaml',
  title: `Let ESO refresh ${name} on its own; force a refresh through Git, not kubectl`,
  snippet: [
    `# ExternalSecret ${name}, in Git (Argo CD/Flux applies it; ESO re-reads the store when the spec or an annotation changes)`,
    'metadata:',
    '  annotations:',
    '    force-sync: "2024-06-01-1"   # bump in a commit when an immediate refresh is needed',
    'spec:',
    '  refreshInterval: 1h',
    '',
  ].join('\n'),
});

const RELOADER_SNIPPET = (name: string): Replacement => ({
  language: 'yaml',
  title: `Restart ${name} when its Secrets change (Stakater Reloader), not by hand`,
  snippet: ['metadata:', '  annotations:', '    reloader.stakater.com/auto: "true"', ''].join('\n'),
});

function judge(project: Project, model: ImperativeModel, action: ImperativeAction, classifier: OriginClassifier, file: string): Judged | undefined {
  const named = action.names[0] ?? action.written[0];
  const ns = action.namespace ? ` in namespace ${action.namespace}` : '';
  switch (action.action) {
    case 'force-sync': {
      const name = named ? `ExternalSecret ${named}` : 'every ExternalSecret its selector picks';
      return {
        what: `forces External Secrets to re-sync ${name}${ns} (kubectl annotate … force-sync)`,
        origin: action.names[0] ? classifier.classify({ name: action.names[0], kind: 'ExternalSecret', file }) : 'external',
        replacement: REFRESH_SNIPPET(action.names[0] ?? '<name>'),
        remediation: `Change Git instead: set a refreshInterval on ${name === 'every ExternalSecret its selector picks' ? 'those ExternalSecrets' : name} (or bump an annotation in a commit) and let Argo CD/ESO reconcile.`,
      };
    }
    case 'delete-secret': {
      const managed = managedSecrets(project);
      const owner = action.names.map((n) => managed.get(n)).find((o) => o !== undefined);
      const regenerated = model.actions.some((b) => (b.action === 'force-sync' || b.action === 'cluster-sync') && sameScope(model, action, b));
      if (!owner && !regenerated) return undefined;
      // Deleted and created again by the same script: the script owns that Secret (kubectl-create-secret-imperative's concern).
      if (action.names.length > 0 && action.names.every((n) => model.actions.some((b) => b.action === 'secret-update' && b.names.includes(n) && sameScope(model, action, b)))) return undefined;
      const name = named ?? 'Secrets';
      return {
        what: `deletes Secret ${name}${ns} to have ${owner ?? 'its owner'} regenerate it`,
        origin: action.names[0] ? classifier.classify({ name: action.names[0], kind: 'Secret', file }) : 'unknown',
        replacement: REFRESH_SNIPPET(action.names[0] ?? '<name>'),
        remediation: `Do not delete ${name} by hand: change its source in Git (the ExternalSecret's refreshInterval or an annotation bump, the generator's input, the chart's run id) and let Argo CD and ${owner ?? 'its owner'} reconcile.`,
      };
    }
    case 'rollout-restart': {
      // A registry pull secret or a TLS Secret is no value a workload restarts to read (a deploy refreshing its pull secret).
      const touched =
        model.actions.some((b) => ['secret-update', 'force-sync', 'delete-secret', 'vault-kv-write'].includes(b.action) && !/^(docker-registry|tls)$/.test(b.secretType ?? '') && sameScope(model, action, b)) ||
        model.passwordChanges.some((p) => sameScope(model, action, p));
      if (!touched) return undefined;
      const name = named ?? 'workloads';
      return {
        what: `restarts ${name}${ns} by hand (kubectl rollout restart) to pick up a Secret it changed`,
        origin: 'unknown',
        replacement: RELOADER_SNIPPET(action.names[0] ?? 'the workload'),
        remediation: `Annotate ${name} for Stakater Reloader (reloader.stakater.com/auto: "true") so it restarts when its Secrets change, and change the Secret through Git.`,
      };
    }
    case 'delete-job': {
      const secretJob = action.names.filter((n) => words(n).some((w) => SECRET_JOB_WORDS.has(w)));
      if (secretJob.length === 0) return undefined;
      return {
        what: `deletes Job ${secretJob[0]}${ns} so it runs again and rewrites its secrets`,
        origin: 'cluster-service',
        replacement: {
          language: 'yaml',
          title: `Re-run ${secretJob[0]} from Git: a run id its chart puts in the Job's name or annotations`,
          snippet: ['# values of the chart that renders the Job (bump in a commit; Argo CD runs the new Job)', 'job:', '  runId: "2"', ''].join('\n'),
        },
        remediation: `Bump the Job's run id (or the hook's input) in Git and let Argo CD run it again, instead of deleting ${secretJob[0]} in the cluster.`,
      };
    }
    case 'vault-kv-write': {
      const remediationFlow = model.actions.some((b) => (b.action === 'force-sync' || b.action === 'rollout-restart') && sameScope(model, action, b));
      // Alone, a Vault write is seeding or setup (a chart README's `vault kv put` of an encryption key); with a forced
      // re-sync or a restart in the same script (runbook section) it is a fix of the live values.
      if (!remediationFlow) return undefined;
      const path = named ?? '(dynamic path)';
      return {
        what: `writes Vault key ${path} by hand (${action.form ?? 'vault kv put'})`,
        origin: 'external',
        replacement: {
          language: 'text',
          title: 'External values enter through their authority; Vault is filled by its bootstrap, never by hand',
          snippet: ['1. Set the value in the external store (Azure Key Vault) or the service that owns it.', '2. Let the Vault bootstrap job copy it and ESO refresh the ExternalSecret (refreshInterval).', '3. Consumers restart through Reloader.', ''].join('\n'),
        },
        remediation: `Stop writing ${path} by hand: put the value in its authority (Azure Key Vault for external secrets) and let the bootstrap and ESO carry it, or let the in-cluster owner generate it.`,
      };
    }
    case 'vault-unseal':
      return {
        what: `unseals Vault by hand (vault operator unseal${action.via ? ` via ${action.via}${action.target ? ` ${action.target}` : ''}` : ''})`,
        origin: 'external',
        replacement: {
          language: 'hcl',
          title: 'Auto-unseal Vault with a cloud key (no unseal keys typed into pods)',
          snippet: ['seal "azurekeyvault" {', '  vault_name = "<key-vault>"', '  key_name   = "vault-unseal"', '}', ''].join('\n'),
        },
        remediation: 'Configure auto-unseal (Azure Key Vault, AWS KMS, GCP KMS or Transit) so Vault unseals itself after a restart, and remove the unseal step from the script.',
      };
    default:
      return undefined;
  }
}

/** Lines another rule already reports: kubectl-create-secret-imperative's Secrets and vault-write-db-credential's writes. */
function linesReportedElsewhere(project: Project, extra: readonly string[]): Map<string, Set<number>> {
  return memoFor(project, 'imperative:reported-elsewhere', '', () => {
    const out = new Map<string, Set<number>>();
    for (const { file, model } of harnessModels(project) as ParsedFile<HarnessModel>[]) {
      const lines = new Set<number>();
      if (model.role === 'script') for (const fact of model.inlineSecrets) if (reportsInlineSecret(fact, extra)) for (let l = fact.line; l <= fact.endLine; l++) lines.add(l);
      for (const w of model.vaultWrites) if (reportsVaultWrite(w)) lines.add(w.line);
      if (lines.size > 0) out.set(file.path, lines);
    }
    return out;
  });
}

export const imperativeSecretRemediation = createRule(
  {
    id: 'imperative-secret-remediation',
    family: 'external',
    defaultSeverity: 'medium',
    description: 'A script, CI job or runbook fixes secrets in a live cluster by hand (force-sync, delete Secret/Job, restart, vault kv put, unseal)',
    why: 'Secrets are reconciled from Git ("Argo-only automation – no imperative fix-the-cluster actions"). A kubectl annotate force-sync, a deleted Secret or Job, a rollout restart or a vault kv put typed against a shared cluster leaves no record in Git, is repeated differently by each operator, and hides the missing automation (refreshInterval, a run id bump, Reloader).',
    allowed: 'Changing Git (an ExternalSecret refreshInterval or annotation bump, a chart run id) and letting Argo CD/ESO reconcile; Stakater Reloader restarts; a `vault kv put` that seeds a value (no forced re-sync or restart in the same script or runbook section); deleting a Secret the same script creates again; restarts with no Secret change beside them; runbook examples with placeholders (`<name>`, `NAME`). The same commands against local disposable clusters (kind, k3d, minikube, Tilt) are reported as info only.',
    remediation: 'Replace the command with a Git change: refreshInterval or an annotation bump on the ExternalSecret, a run id bump for the Job, a Reloader annotation on the workload, auto-unseal for Vault; let Argo CD and ESO reconcile.',
  },
  (context) => {
    const classifier = new OriginClassifier(context.config);
    const elsewhere = linesReportedElsewhere(context.project, context.config.credentialNames);
    context.each(
      imperativeModels(context.project),
      (m) => m.file.path,
      ({ file, model }: ParsedFile<ImperativeModel>) => {
        const seen = new Occurrences();
        const skip = elsewhere.get(file.path);
        for (const action of model.actions) {
          if (action.placeholder) continue;
          if (skip?.has(action.line)) continue;
          const judged = judge(context.project, model, action, classifier, file.path);
          if (!judged) continue;
          const local = isLocalTarget(file, model, action);
          const severity: Severity = local ? 'info' : 'medium';
          const kind = model.source === 'markdown' ? 'Runbook' : model.source === 'workflow' || model.source === 'ci' ? 'CI job' : model.source === 'tiltfile' ? 'Tiltfile' : model.source === 'makefile' ? 'Makefile' : 'Script';
          const target = action.context ? ` against context ${action.context}` : '';
          const why = local ? `; the target is a local disposable cluster${model.localCluster && !action.context ? ` (${model.localCluster.evidence})` : ''}` : '';
          context.report({
            file,
            line: action.line,
            column: action.column,
            message: `${kind} ${judged.what}${target}${why}`,
            location: seen.next(`${action.action}:${action.namespace ?? ''}/${action.names.join(',') || action.written.join(',')}`),
            severity,
            origin: judged.origin,
            ...(action.action === 'delete-secret' || action.action === 'force-sync'
              ? action.names[0]
                ? { resource: { kind: action.action === 'force-sync' ? 'ExternalSecret' : 'Secret', name: action.names[0], ...(action.namespace ? { namespace: action.namespace } : {}) } }
                : {}
              : {}),
            replacement: judged.replacement,
            remediation: judged.remediation,
          });
        }
      },
    );
  },
);
