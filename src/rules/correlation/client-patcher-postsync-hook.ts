import { normaliseRemoteKey } from '../../k8s/eso.js';
import type { K8sResource } from '../../k8s/resources.js';
import { words } from '../../k8s/vocabulary.js';
import { createRule } from '../create-rule.js';
import { resourceLocation, resourceRef } from '../k8s/common.js';
import { externalSecrets, isTemplated, isVaultEntry, type EsEntry, type EsInfo } from './common.js';
import { dbConsumers, namespacesAgree, normaliseTemplate, umbrellaChart, type DbConsumer } from './db-consumers.js';
import { appOf, hookOf, isHook, secretWrites, valuesVaultKeys, type HookInfo, type SecretWrite } from './hook-writers.js';

/** Kinds Argo CD waits on before PostSync whose pods need the Secret (a CronJob's pods come later, on its schedule). */
const WAITING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'ReplicaSet', 'Rollout', 'DeploymentConfig']);

const HOOK_KINDS = ['Job', 'Pod', 'Workflow'];

interface Waiter {
  what: string;
  resource?: K8sResource;
  secret?: string;
}

function keyOf(entry: EsEntry): string {
  return entry.normalisedKey ?? normaliseTemplate(entry.read.remoteKey);
}

/** Does Vault path WRITTEN address the key an ExternalSecret reads? KV v2 `data/` and a leading mount are forgiven. */
function vaultKeysMatch(written: string, read: string): boolean {
  const a = normaliseRemoteKey(written);
  const b = normaliseRemoteKey(read);
  if (a === b) return true;
  const strip = (x: string) => x.replace(/^[^/]+\/(?:data\/)?/, '');
  return (a.includes('/') && strip(a) === b) || (b.includes('/') && a === strip(b));
}

function secretNameOf(es: EsInfo): string | undefined {
  const name = es.targetName ?? es.view.targetName;
  return name ? (isTemplated(name) ? normaliseTemplate(name) : name) : undefined;
}

function describeWrite(w: SecretWrite): string {
  if (w.clientSecrets) return `${w.form} extracts client secrets to Vault${w.name ? ` (key ${w.name})` : ''}`;
  const what = w.target === 'secret' ? 'Secret' : w.target === 'vault' ? 'Vault key' : 'Key Vault secret';
  return `${w.form} writes ${what} ${w.name} (line ${w.line})`;
}

/** PostSync and nothing earlier: `PreSync,PostSync` writes in PreSync already. */
function postSyncOnly(hook: HookInfo): boolean {
  return hook.phases.includes('PostSync') && !hook.phases.some((p) => p === 'PreSync' || p === 'Sync');
}

export const clientPatcherPostsyncHook = createRule(
  {
    id: 'client-patcher-postsync-hook',
    family: 'oidc',
    defaultSeverity: 'medium',
    description: 'A Job that writes a secret runs as a PostSync hook while something of the same app waits for that secret: a fresh install never finishes syncing',
    why:
      'Argo CD runs PostSync hooks only after every resource of the sync is Healthy. When the hook is what produces a secret ' +
      '(the Keycloak client-patcher extracting client secrets to Vault, a Job running `vault kv put`, `az keyvault secret set`, ' +
      '`kubectl create/apply/patch secret` or a client library call) and an ExternalSecret or a workload of the same app needs ' +
      'that secret, a fresh install deadlocks: the ExternalSecret never syncs (the key does not exist yet), the pods never ' +
      'start (the Secret is missing), so the app never turns Healthy and the hook never runs. Helm `post-install`/' +
      '`post-upgrade` hooks are the same: Argo CD maps them to PostSync. How it decides: a Job (or Pod) whose ' +
      '`argocd.argoproj.io/hook` (or, without one, `helm.sh/hook`, written in the object or rendered from the chart values) ' +
      'makes it PostSync only; what its scripts write, read from its containers\' `command`/`args`, the scripts of ConfigMaps ' +
      'it mounts, and names resolved through its env, the script\'s assignments and the chart values (a Keycloak ' +
      'client-patcher, a Keycloak- and Vault-wired Job that says it extracts client secrets or whose values list `vaultKey`s, ' +
      'writes those keys, else client secrets); and, in the same chart, kustomization ' +
      'or folder, an ExternalSecret of the Sync phase reading that Vault or Key Vault key, or a workload reading that Secret ' +
      'without `optional: true` (or the chart values handing it to one, `postgresql.auth.existingSecret`), when nothing of ' +
      'the app renders or writes the Secret before PostSync.',
    allowed:
      'The writer as a PreSync hook in wave -1 (`argocd.argoproj.io/hook: PreSync`, `hook-delete-policy: BeforeHookCreation`, ' +
      '`sync-wave: "-1"`) or a Helm `pre-install`/`pre-upgrade` hook; PostSync Jobs that only read secrets, migrate or ' +
      'smoke-test; consumers with `optional: true`; secrets nothing in the app waits for, or waited for by another app.',
    remediation:
      'Make the writer a PreSync hook in sync wave -1 with hook-delete-policy BeforeHookCreation (for Helm hooks: ' +
      'pre-install,pre-upgrade with before-hook-creation), so the secret exists before the resources that wait for it are synced.',
  },
  (context) => {
    const { project } = context;
    const hooks: { job: K8sResource; hook: HookInfo }[] = [];
    for (const job of project.resourcesOfKind(...HOOK_KINDS)) {
      if (job.parsed.file.isTest) continue;
      const hook = hookOf(project, job);
      if (hook && postSyncOnly(hook)) hooks.push({ job, hook });
    }
    if (hooks.length === 0) return;
    /** Objects of the app that exist before PostSync: not hooks, or hooks of an earlier phase. */
    const beforePostSync = (r: K8sResource) => {
      const hook = hookOf(project, r);
      return !hook || hook.phases.some((p) => p === 'PreSync' || p === 'Sync');
    };

    context.each(
      hooks,
      (h) => h.job.file,
      ({ job, hook }) => {
        const writes = secretWrites(project, job);
        if (writes.length === 0) return;
        const app = appOf(project, job);
        const waiters: Waiter[] = [];
        const because: SecretWrite[] = [];
        const sameApp = (r: K8sResource) => r !== job && appOf(project, r) === app && namespacesAgree(r.namespace, job.namespace);
        const inApp = (r: K8sResource) => sameApp(r) && !isHook(project, r);
        // What the app's other Jobs write before PostSync (a PreSync twin, a Sync-phase Job) is there in time.
        const earlier = project.resourcesOfKind(...HOOK_KINDS).filter((r) => sameApp(r) && beforePostSync(r)).flatMap((r) => secretWrites(project, r));
        const writtenEarlier = (w: SecretWrite) => w.name !== undefined && earlier.some((e) => e.target === w.target && e.name !== undefined && (w.target === 'vault' ? vaultKeysMatch(e.name, w.name!) : e.name === w.name));

        const storeWrites = writes.filter((w) => w.target !== 'secret');
        if (storeWrites.length > 0) {
          const listed = valuesVaultKeys(project, job);
          // What the Job reads is its input (the patcher's own login Secret), never the output it waits to produce.
          const reads = new Set(dbConsumers(project).consumers.filter((c) => c.resource === job).map((c) => c.secretName));
          for (const es of externalSecrets(project)) {
            if (!inApp(es.resource)) continue;
            const target = secretNameOf(es);
            if (target !== undefined && reads.has(target)) continue;
            for (const entry of es.entries) {
              const key = keyOf(entry);
              const write = storeWrites.find((w) => {
                if (writtenEarlier(w) || (w.clientSecrets && earlier.some((e) => e.target === 'vault' && e.name !== undefined && vaultKeysMatch(e.name, key)))) return false;
                if (w.target === 'azure-kv') return entry.store?.provider === 'azurekv' && w.name !== undefined && w.name === key;
                if (!isVaultEntry(project, entry).vault) return false;
                if (w.name !== undefined) return vaultKeysMatch(w.name, key);
                if (!w.clientSecrets) return false;
                if (listed.length > 0) return listed.some((k) => vaultKeysMatch(k, key));
                const w2 = words(key);
                return w2.includes('client') && w2.includes('secret');
              });
              if (!write) continue;
              const shown = write.clientSecrets && !write.name ? { ...write, name: key } : write;
              because.push(shown);
              waiters.push({ what: `${es.resource.kind} ${es.resource.name} reads ${write.target === 'azure-kv' ? 'Key Vault secret' : 'Vault key'} ${key}`, resource: es.resource });
              break;
            }
          }
        }

        const secretWritesNamed = writes.filter((w) => w.target === 'secret' && w.name !== undefined);
        if (secretWritesNamed.length > 0) {
          // A Secret the app renders anyway (a manifest, an ExternalSecret's target) exists before PostSync: patching it waits for nobody.
          const rendered = new Set<string>();
          for (const s of project.resourcesOfKind('Secret', 'SealedSecret')) if (sameApp(s) && beforePostSync(s)) rendered.add(isTemplated(s.name) ? normaliseTemplate(s.name) : s.name);
          for (const es of externalSecrets(project)) {
            const n = secretNameOf(es);
            if (n && inApp(es.resource)) rendered.add(n);
          }
          const seen = new Set<K8sResource>();
          for (const c of dbConsumers(project).consumers as DbConsumer[]) {
            if (!c.resource || c.how === 'values' || c.optional || seen.has(c.resource) || !WAITING_KINDS.has(c.resource.kind) || !inApp(c.resource)) continue;
            const write = secretWritesNamed.find((w) => w.name === c.secretName && !rendered.has(w.name) && !writtenEarlier(w) && namespacesAgree(w.namespace, c.resource!.namespace ?? job.namespace));
            if (!write) continue;
            seen.add(c.resource);
            because.push(write);
            const how = c.how === 'env' ? `reads Secret ${c.secretName} into ${c.envName}` : c.how === 'envFrom' ? `loads Secret ${c.secretName} with envFrom` : `mounts Secret ${c.secretName}`;
            waiters.push({ what: `${c.resource.kind} ${c.resource.name} ${how}`, resource: c.resource, secret: c.secretName });
          }
          // The chart's values hand the Secret to a workload the tree does not hold (a dependency chart's
          // `auth.existingSecret`): that workload waits for it as well.
          const umbrella = job.source === 'template' && job.helm ? umbrellaChart(project, job.helm.chartRoot) : undefined;
          for (const c of umbrella === undefined ? [] : dbConsumers(project).consumers) {
            if (c.how !== 'values' || !c.file.path.startsWith(umbrella === '.' ? '' : `${umbrella}/`) || waiters.some((w) => w.secret === c.secretName)) continue;
            const write = secretWritesNamed.find((w) => w.name === c.secretName && !rendered.has(w.name) && !writtenEarlier(w));
            if (!write) continue;
            because.push(write);
            waiters.push({ what: `the chart values (${c.file.path} ${c.valuesPath}) hand Secret ${c.secretName} to a workload`, secret: c.secretName });
          }
        }
        if (waiters.length === 0) return;

        const helm = hook.annotation.startsWith('helm.sh/');
        const first = [...new Set(because.map(describeWrite))].slice(0, 2).join('; ');
        const waiting = waiters.slice(0, 3).map((w) => w.what).join('; ') + (waiters.length > 3 ? ` and ${waiters.length - 3} more` : '');
        context.report({
          file: job.parsed.file,
          line: hook.line,
          column: hook.column,
          message:
            `${job.kind} ${job.name} runs as a PostSync hook (${hook.annotation}${hook.valuesPath ? `, from values .${hook.valuesPath}` : ''}) and produces a secret the same app waits for: ` +
            `${first}; ${waiting}. On a fresh install that never becomes Healthy, and PostSync hooks run only after everything is Healthy`,
          location: resourceLocation(job, 'postsync-secret-writer'),
          keys: [...new Set(because.map((w) => w.name ?? w.form))],
          origin: 'cluster-service',
          resource: resourceRef(job),
          replacement: helm
            ? {
                language: 'yaml',
                title: 'Run the writer before the resources that wait for its secret',
                snippet: ['metadata:', '  annotations:', '    helm.sh/hook: pre-install,pre-upgrade', '    helm.sh/hook-weight: "-1"', '    helm.sh/hook-delete-policy: before-hook-creation'].join('\n'),
              }
            : {
                language: 'yaml',
                title: 'Run the writer before the resources that wait for its secret',
                snippet: ['metadata:', '  annotations:', '    argocd.argoproj.io/hook: PreSync', '    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation', '    argocd.argoproj.io/sync-wave: "-1"'].join('\n'),
              },
        });
      },
    );
  },
);
