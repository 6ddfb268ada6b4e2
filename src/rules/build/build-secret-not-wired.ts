import type { DfRun, DfStage, DockerfileModel } from '../../analyzers/build/dockerfile.js';
import { secretMountId, secretMountTarget } from '../../analyzers/build/dockerfile.js';
import { createRule } from '../create-rule.js';
import { BuildGraph, finalChain, invocationSnippet, stageByRef } from './common.js';

export interface RequiredSecret {
  id: string;
  line: number;
  /** explicit: required=true; implicit: the RUN reads the secret file without a fallback. */
  why: 'explicit' | 'implicit';
  env?: string;
}

/** Stages BuildKit builds for the image: the final chain plus every stage it copies or mounts from. */
export function builtStages(model: DockerfileModel, target?: string): Set<number> {
  const built = new Set<number>();
  const queue = [...finalChain(model, target)];
  while (queue.length) {
    const index = queue.pop()!;
    if (built.has(index)) continue;
    built.add(index);
    const stage = model.stages[index]!;
    if (stage.parent !== undefined) queue.push(stage.parent);
    const refs = [...stage.copies.map((c) => c.from), ...stage.runs.flatMap((r) => r.mounts.map((m) => m.from))].filter((x): x is string => Boolean(x));
    for (const ref of refs) {
      const s = stageByRef(model, ref);
      if (s) queue.push(s.index);
    }
  }
  return built;
}

/** Does the RUN read the secret file with no fallback when it is missing? */
function readsWithoutFallback(run: DfRun, target: string): boolean {
  const commands = run.script?.commands ?? [];
  const uses = commands.filter((c) => c.words.some((w) => w.value.includes(target)) || c.redirects.some((r) => r.target.value.includes(target)) || c.assignments.some((a) => a.value?.value.includes(target)));
  if (uses.length === 0) return false;
  // A test on the path ([ -f /run/secrets/x ]), a conditional use or an error-tolerant read is a fallback.
  const guarded = uses.some((c) => c.conditional || c.name === '[' || c.name === 'test') || /\[\[?\s+-[efsr]\s+["']?[^\]]*run\/secrets|2>\s*\/dev\/null|\|\|\s*true/.test(run.text);
  return !guarded;
}

export function requiredSecrets(model: DockerfileModel, stages: Set<number>): RequiredSecret[] {
  const out: RequiredSecret[] = [];
  for (const stage of model.stages as DfStage[]) {
    if (!stages.has(stage.index)) continue;
    for (const run of stage.runs) {
      for (const m of run.mounts) {
        if (m.type !== 'secret') continue;
        const id = secretMountId(m);
        if (!id) continue;
        const target = secretMountTarget(m);
        const why = m.required === true ? 'explicit' : m.required === undefined && target && readsWithoutFallback(run, target) ? 'implicit' : undefined;
        if (why && !out.some((o) => o.id === id)) out.push({ id, line: run.line, why, ...(m.env ? { env: m.env } : {}) });
      }
    }
  }
  return out;
}

function mountedIds(model: DockerfileModel): Set<string> {
  const ids = new Set<string>();
  for (const stage of model.stages) for (const run of stage.runs) for (const m of run.mounts) if (m.type === 'secret') ids.add(secretMountId(m) ?? '');
  return ids;
}

export const buildSecretNotWired = createRule(
  {
    id: 'build-secret-not-wired',
    family: 'build',
    defaultSeverity: 'medium',
    description: 'A Dockerfile requires a BuildKit secret that a build invocation of it does not pass (or an invocation passes a secret the Dockerfile never mounts)',
    why: 'When the secret is missing the install step runs without credentials and fails late with an opaque 401 (or BuildKit stops with "secret not found"); an unused --secret is dead wiring that hides which token a build really needs.',
    allowed: 'Every invocation of the Dockerfile passes each required secret id: `--secret id=<id>,env=<NAME>`, build-push-action `secrets:`, compose build `secrets:`.',
    remediation: 'Add the missing `--secret id=<id>,…` to the invocation (or mark the mount required=false and handle the missing file), and drop secrets the Dockerfile does not mount.',
    environmentEscalation: false,
  },
  (context) => {
    const graph = BuildGraph.of(context.project);
    context.each(
      graph.invocations,
      (i) => i.file.path,
      (located) => {
        // A `docker compose build` command line runs the services' build sections, which are checked themselves.
        if (located.invocation.compose) return;
        const df = graph.dockerfileOf(located);
        if (!df) return;
        const inv = located.invocation;
        const passed = new Set(inv.secrets.map((s) => s.id));
        const required = requiredSecrets(df.model, builtStages(df.model, inv.target));
        const missing = required.filter((r) => !passed.has(r.id));
        if (missing.length) {
          const uses = missing.map((m) => ({ id: m.id, env: m.env ?? m.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), source: m.env }));
          const snippet = invocationSnippet(located, [...inv.secrets.map((s) => ({ id: s.id, env: s.env ?? s.id, source: s.env ?? s.refs[0] })), ...uses], df.file.path);
          context.report({
            file: located.file,
            line: inv.line,
            endLine: inv.endLine,
            message: `${inv.tool} build of ${df.file.path} passes no secret ${missing.map((m) => m.id).join(', ')} that ${missing.map((m) => `line ${m.line} ${m.why === 'explicit' ? 'mounts with required=true' : 'reads without a fallback'}`).join(' and ')}: the build fails${missing.every((m) => m.why === 'explicit') ? ' with "secret not found"' : ' late with an opaque 401'}`,
            location: `${located.file.path}#${graph.invocationLocation(located, 'dockerfile')}/missing ${missing.map((m) => m.id).join(',')}`,
            keys: missing.map((m) => m.id),
            origin: 'build-time',
            replacement: { language: snippet.language, title: `Pass ${missing.map((m) => m.id).join(', ')} to the build of ${df.file.path}`, snippet: `${snippet.text}\n` },
          });
        }
        const mounted = mountedIds(df.model);
        for (const secret of inv.secrets) {
          if (mounted.has(secret.id)) continue;
          context.report({
            file: located.file,
            line: secret.line,
            message: `${inv.tool} build passes secret ${secret.id} that ${df.file.path} never mounts`,
            location: `${located.file.path}#${graph.invocationLocation(located, 'dockerfile')}/unused ${secret.id}`,
            keys: [secret.id],
            severity: 'info',
            origin: 'build-time',
            remediation: `Remove the unused secret ${secret.id}, or mount it on the RUN that needs it: RUN --mount=type=secret,id=${secret.id}${secret.env ? `,env=${secret.env}` : ''} …`,
          });
        }
      },
    );
  },
);
