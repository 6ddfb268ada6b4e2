import type { ComposeModel } from '../../analyzers/build/compose.js';
import { createRule } from '../create-rule.js';
import { isNonSecretLiteral } from './dockerfile-token-arg-env.js';
import { BuildGraph, buildNameOptions, dockerfileSnippet, isBuildCredential, isSecretRef, isUrlValuedName, mountsIndexAuth, passesIndexAuthSecret, raise, runsUsing, secretReplacement, urlCarriesCredential, type SecretUse } from './common.js';

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
    context.each(
      graph.invocations,
      (i) => i.file.path,
      (located) => {
        const inv = located.invocation;
        const builds = graph.buildsOf(located);
        const tool = (inv.tool === 'build-push-action' || inv.tool === 'bake') && /^[\w.-]+\/[\w.-]+$/.test(inv.text) ? inv.text : inv.tool;
        for (const arg of inv.buildArgs) {
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
          const build = builds.find((b) => b.df.model.stages.some((s) => s.args.some((a) => a.name === arg.name)) || b.df.model.globalArgs.some((a) => a.name === arg.name)) ?? builds[0];
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
          const dockerfileText = df ? dockerfileSnippet(stage ? runsUsing(stage, [arg.name], stage.args.find((a) => a.name === arg.name)!.line) : [], uses, [`ARG ${arg.name}`]) : undefined;
          context.report({
            file: located.file,
            line: arg.line,
            message: `${tool} build passes ${arg.name} ${how} as a build argument${df ? ` to ${df.file.path}` : ''}${service ? ` (service ${service.service} of ${service.file})` : ''}: build args are recorded in the image history and build cache`,
            location: `${located.file.path}#${graph.invocationLocation(located, 'context')}/build-arg ${arg.name}`,
            value: literal ? arg.value : undefined,
            keys: [arg.name],
            severity: literal ? raise('high') : undefined,
            origin: 'build-time',
            replacement: secretReplacement(`Pass ${arg.name} as BuildKit secret ${id}`, dockerfileText, [{ located: as, uses, dockerfilePath: df?.file.path }], inv.tool === 'build-push-action' || inv.tool === 'compose' ? 'yaml' : inv.tool === 'tilt-docker-build' ? 'python' : inv.tool === 'devcontainer' ? 'jsonc' : 'shell'),
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
