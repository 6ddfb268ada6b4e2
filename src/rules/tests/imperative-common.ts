import type { ParsedFile } from '../../analyzers/types.js';
import { LOCAL_CONTEXT, type CommandTarget, type ImperativeModel } from '../../analyzers/tests/imperative.js';
import { memoFor } from '../../scan/project-index.js';
import type { Project } from '../../scan/project.js';
import type { FileContext } from '../../analyzers/types.js';

/** Every imperative-commands model, in file order. */
export function imperativeModels(project: Project): ParsedFile<ImperativeModel>[] {
  return memoFor(project, 'tests:imperative-models', '', () =>
    [...project.models<ImperativeModel>('ops-imperative')].sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0)),
  );
}


/**
 * Does the command reach a local disposable cluster or container? Its own `--context kind-…`, a local container
 * (docker exec), a Tiltfile, a file that creates or selects a local cluster (kind/k3d/minikube, `use-context kind-…`,
 * a CI job's kind action) before the command, or a file of a local/dev environment.
 */
export function isLocalTarget(file: FileContext, model: ImperativeModel, target: CommandTarget & { line: number }): boolean {
  if (target.context) return LOCAL_CONTEXT.test(target.context);
  if (target.container) return true;
  if (model.source === 'tiltfile') return true;
  if (model.localCluster && (model.source === 'workflow' || model.source === 'ci' || model.localCluster.line <= target.line)) {
    // A later `use-context` of a non-local cluster before the command switches away from it.
    const switched = model.contexts.filter((c) => c.line <= target.line).at(-1);
    if (!switched || LOCAL_CONTEXT.test(switched.name)) return true;
  }
  const selected = model.contexts.filter((c) => c.line <= target.line).at(-1);
  if (selected) return LOCAL_CONTEXT.test(selected.name);
  return file.environment?.local === true && !file.environment.managed;
}

/** Does a pod, service host or cluster argument name the database cluster CLUSTER (`pg-main-1`, `pg-main-rw.db.svc`, `pg-main`)? */
export function targetNamesCluster(target: string, cluster: string): boolean {
  const t = target.replace(/^(pods?|po|statefulsets?|sts|deploy(ments?)?|svc|services?)\//, '');
  if (t === cluster) return true;
  if (!t.startsWith(`${cluster}-`) && !t.startsWith(`${cluster}.`)) return false;
  const rest = t.slice(cluster.length + 1);
  return /^(\d+|rw|ro|r|primary|replicas?|pooler[\w-]*|instance-\d+|[a-z0-9]{4,5}-\d+|0)([.-]|$)/.test(rest) || t.startsWith(`${cluster}.`);
}
