import type { ComposeModel } from '../../analyzers/build/compose.js';
import type { BuildArgPass } from '../../analyzers/build/invocation.js';
import { createRule } from '../create-rule.js';
import { isNonSecretLiteral } from './dockerfile-token-arg-env.js';
import { BuildGraph, buildNameOptions, dockerfileSnippet, isBuildCredential, isSecretRef, isUrlValuedName, mountsIndexAuth, passesIndexAuthSecret, raise, runsUsing, secretReplacement, urlCarriesCredential, type LocatedInvocation, type SecretUse } from './common.js';

export const buildArgTokenPassthrough = createRule(
  {
    id: 'build-arg-token-passthrough',
    family: 'build',
    defaultSeverity: 'high',
    description: 'A build invocation that passes a token as a build argument (--build-arg, build-args:, build_args=, compose args:, devcontainer build.args)',
    why: 'Build arguments end up in the image history and the build cache, and they force the Dockerfile to declare the token as ARG: the token is readable by anyone who can pull the image.',
    allowed: '`--secret id=<id>,env=<NAME>` (docker/buildx/buildctl), `secrets:` on docker/build-push-action, a Tilt custom_build running `docker buildx build --secret …`, compose build `secrets:`.',
    remediation: 'Pass the token as a BuildKit secret and mount it on the RUN that needs it; remove the build argument and the matching ARG.',
    environmentEscalation: false,
  },
  (context) => {
    const names = buildNameOptions(context.config, context.options);
    const graph = BuildGraph.of(context.project);
    const { forwarded, skipped } = composeForwards(graph);
    context.each(
      graph.invocations,
      (i) => i.file.path,
      (located) => {
        const inv = located.invocation;
        const builds = graph.buildsOf(located);
        const tool = (inv.tool === 'build-push-action' || inv.tool === 'bake') && /^[\w.-]+\/[\w.-]+$/.test(inv.text) ? inv.text : inv.tool;
        for (const arg of inv.buildArgs) {
          if (skipped.has(arg)) continue;
          if (arg.list) {
            const secretRefs = arg.refs.filter((r) => isSecretRef(r, names));
            if (secretRefs.length === 0) continue;
            const df = builds[0]?.df;
            const stage = df?.model.stages.find((s) => s.args.some((a) => isBuildCredential(a.name, names)));
            const tokenArgs = stage ? stage.args.filter((a) => isBuildCredential(a.name, names)) : [];
            const uses: SecretUse[] = tokenArgs.map((a) => ({ env: a.name, id: graph.secretIdFor(a.name), source: `secrets.${a.name}` }));
            const replacement =
              stage && df && uses.length
                ? secretReplacement(
                    `Pass ${tokenArgs.map((a) => a.name).join(', ')} as ${tokenArgs.length === 1 ? 'a BuildKit secret' : 'BuildKit secrets'} instead of ${arg.name}`,
                    dockerfileSnippet(runsUsing(stage, tokenArgs.map((a) => a.name), tokenArgs[0]!.line), uses, tokenArgs.map((a) => `ARG ${a.name}`)),
                    [{ located, uses, dockerfilePath: df.file.path }],
                    'yaml',
                  )
                : undefined;
            context.report({
              file: located.file,
              line: arg.line,
              message: `${tool} build passes ${arg.name}, a secret holding the whole build-args list, as build arguments${df ? ` to ${df.file.path}` : ''}: every token in it is recorded in the image history and build cache`,
              location: `${located.file.path}#${graph.invocationLocation(located, 'context')}/build-args ${secretRefs.join(',')}`,
              keys: secretRefs.map((r) => r.replace(/^secrets\./, '')),
              origin: 'build-time',
              ...(replacement
                ? { replacement }
                : { remediation: `Split ${arg.name}: pass each token as a BuildKit secret (build-push-action \`secrets: <id>=\${{ secrets.<NAME> }}\`) mounted on the RUN that needs it, and keep only public values in build-args.` }),
            });
            continue;
          }
          // A compose command line builds several services: the one whose Dockerfile declares the argument.
          // First one whose compose section does not list the arg itself: the command line is all that passes it there.
          const declares = (b: (typeof builds)[number]) => b.df.model.stages.some((s) => s.args.some((a) => a.name === arg.name)) || b.df.model.globalArgs.some((a) => a.name === arg.name);
          const unlisted = (b: (typeof builds)[number]) => !graph.composeSectionOf(b.as)?.invocation.buildArgs.some((a) => a.name === arg.name);
          const build = builds.find((b) => declares(b) && unlisted(b)) ?? builds.find(declares) ?? builds[0];
          const df = build?.df;
          const as = build?.as ?? located;
          const service = as.invocation.composeService;
          const named = isBuildCredential(arg.name, names);
          const secretRefs = arg.refs.filter((r) => isSecretRef(r, names));
          if (!named && secretRefs.length === 0) continue;
          const source = secretRefs[0] ?? (arg.fromEnv ? arg.refs[0] : undefined);
          const id = graph.secretIdFor(arg.name);
          const uses: SecretUse[] = [{ env: arg.name, id, source: source ?? arg.name }];
          // `NPM_TOKEN=changeme`, a Makefile default `NPM_TOKEN=Private-Repo-Access-Token`: a placeholder the real build overrides.
          const literal = arg.literal && arg.value !== undefined && !isNonSecretLiteral(arg.value);
          const how = literal ? 'with a literal value' : arg.literal ? 'with a placeholder value' : source ? `from ${source.startsWith('secrets.') ? `\${{ ${source} }}` : `$${source}`}` : 'from the environment';
          const stage = df?.model.stages.find((s) => s.args.some((a) => a.name === arg.name));
          // An index URL beside the index credentials passed (or mounted) as a BuildKit secret: an address, not a token.
          if (isUrlValuedName(arg.name) && !urlCarriesCredential(arg.value) && (passesIndexAuthSecret(inv) || (stage && mountsIndexAuth(stage)))) continue;
          // The compose command lines that forward this variable into this build section's arg: one passthrough, changed here.
          const via = forwarded.get(located)?.get(arg.name) ?? [];
          const also = via.length
            ? ` (also forwarded from the environment by ${via.map((v) => `${v.invocation.form === 'buildkite-plugin' ? "the Buildkite docker-compose plugin's args: at" : 'the compose command line at'} ${v.file.path}:${forwardedLine(v, arg.name)}`).join(', ')}; reported once, here)`
            : '';
          const dockerfileText = df ? dockerfileSnippet(stage ? runsUsing(stage, [arg.name], stage.args.find((a) => a.name === arg.name)!.line) : [], uses, [`ARG ${arg.name}`]) : undefined;
          context.report({
            file: located.file,
            line: arg.line,
            message: `${tool} build passes ${arg.name} ${how} as a build argument${df ? ` to ${df.file.path}` : ''}${service ? ` (service ${service.service} of ${service.file})` : ''}${also}: build args are recorded in the image history and build cache`,
            location: `${located.file.path}#${graph.invocationLocation(located, 'context')}/build-arg ${arg.name}`,
            value: literal ? arg.value : undefined,
            keys: [arg.name],
            severity: literal ? raise('high') : undefined,
            origin: 'build-time',
            replacement: secretReplacement(`Pass ${arg.name} as BuildKit secret ${id}`, dockerfileText, [{ located: as, uses, dockerfilePath: df?.file.path }, ...via.map((v) => ({ located: v, uses, dockerfilePath: df?.file.path }))], inv.tool === 'build-push-action' || inv.tool === 'compose' ? 'yaml' : inv.tool === 'tilt-docker-build' ? 'python' : inv.tool === 'devcontainer' ? 'jsonc' : 'shell'),
          });
        }
      },
    );
    // devcontainer containerEnv/remoteEnv injecting registry tokens (legacy bootstrap): info.
    context.each(
      context.project.models<ComposeModel>('devcontainer'),
      (f) => f.file.path,
      (f) => {
        for (const env of f.model.containerEnv) {
          if (!isBuildCredential(env.name, names) && !env.refs.some((r) => isSecretRef(r, names))) continue;
          context.report({
            file: f.file,
            line: env.line,
            message: `devcontainer injects ${env.name} into the container environment${env.literal ? ' with a literal value' : ''}: registry tokens belong to builds, not to the dev container`,
            location: `${f.file.path}#containerEnv/${env.name}`,
            value: env.literal ? env.value : undefined,
            keys: [env.name],
            severity: env.literal ? 'high' : 'info',
            origin: 'build-time',
            remediation: `Remove ${env.name} from containerEnv/remoteEnv; builds get it as a BuildKit secret (--secret id=${graph.secretIdFor(env.name)},env=${env.name}).`,
          });
        }
      },
    );
  },
);

function forwardedLine(view: LocatedInvocation, name: string): number {
  return view.invocation.buildArgs.find((a) => a.name === name)?.line ?? view.invocation.line;
}

/**
 * A `docker compose build` command line (the Buildkite docker-compose plugin's `args:`, `--build-arg NAME` in a
 * script) that forwards a variable from the environment which the compose file's build section already lists in
 * `build.args`: one passthrough. The compose file is where it changes (its `build.secrets` replaces the arg; the
 * command line's entry goes with it), so it is reported there once, naming the command line. The command line keeps
 * its own finding when it sets a value of its own, or when a service it builds does not list the arg but its
 * Dockerfile declares it (the command line is then the only place that passes it to that build).
 */
function composeForwards(graph: BuildGraph): { forwarded: Map<LocatedInvocation, Map<string, LocatedInvocation[]>>; skipped: Set<BuildArgPass> } {
  const forwarded = new Map<LocatedInvocation, Map<string, LocatedInvocation[]>>();
  const skipped = new Set<BuildArgPass>();
  for (const cli of graph.invocations) {
    if (!cli.invocation.compose) continue;
    const args = cli.invocation.buildArgs.filter((a) => !a.list && !a.literal && (a.value === undefined || (a.fromEnv && a.refs.length === 1 && a.refs[0] === a.name)));
    if (args.length === 0) continue;
    const views = graph.composeServices(cli).map((view) => ({ view, section: graph.composeSectionOf(view) }));
    const dfOf = new Map(graph.buildsOf(cli).map((b) => [b.as.invocation.composeService?.line + '\0' + b.as.invocation.composeService?.file, b.df]));
    for (const arg of args) {
      const listing = views.filter((v) => v.section?.invocation.buildArgs.some((a) => a.name === arg.name && !a.list));
      if (listing.length === 0) continue;
      const declaresElsewhere = views.some((v) => {
        if (listing.includes(v)) return false;
        const df = dfOf.get(v.view.invocation.composeService?.line + '\0' + v.view.invocation.composeService?.file);
        return !!df && (df.model.globalArgs.some((a) => a.name === arg.name) || df.model.stages.some((s) => s.args.some((a) => a.name === arg.name)));
      });
      if (declaresElsewhere) continue;
      skipped.add(arg);
      for (const { view, section } of listing) {
        const byName = forwarded.get(section!) ?? new Map<string, LocatedInvocation[]>();
        forwarded.set(section!, byName);
        byName.set(arg.name, [...(byName.get(arg.name) ?? []), view]);
      }
    }
  }
  return { forwarded, skipped };
}
