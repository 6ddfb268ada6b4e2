import type { DfStage, DfVar, DockerfileModel } from '../../analyzers/build/dockerfile.js';
import type { Severity } from '../../types.js';
import { createRule } from '../create-rule.js';
import { isLiteralCredential } from '../../analyzers/build/credfile.js';
import { BuildGraph, buildNameOptions, dockerfileSnippet, finalChain, imageScope, isBuildCredential, isUrlValuedName, mountsIndexAuth, raise, runsUsing, secretReplacement, stageLabel, urlCarriesCredential, type SecretUse } from './common.js';

/** A literal that is no secret: a file path (`/run/secrets/token`, `/etc/gcp/key.json`) or a placeholder (`changeme`, `build-time-placeholder`). */
export function isNonSecretLiteral(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (/^(\/|~\/|\.\.?\/)[\w@%+=:,./-]*$/.test(v)) return true;
  // A file name (`sa.json`, `client.pem`): where a credential is, not one.
  if (/^[\w.-]+\.(json|pem|key|p12|pfx|crt|cer|ya?ml|conf|cfg|ini|toml|txt|env)$/i.test(v)) return true;
  // A URL is a secret only through its user-info part (`https://user:token@host`).
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return !/:\/\/[^\s/@]+@/.test(v);
  if (!isLiteralCredential(v)) return true;
  return /(^|[-_.\s])(placeholder|dummy|changeme|change[-_]me|example|not[-_]?a[-_]?secret|fake|sample)([-_.\s]|$)|^(test|dev|local|none|empty|unset|false|true|0|1)$/i.test(v);
}

/** A URL-valued credential name (`PIP_INDEX_URL`) matters only when its value can carry a credential: not a plain literal URL. */
function urlWithoutCredential(decl: DfVar): boolean {
  if (decl.value === undefined || decl.refs.length > 0) return false;
  return !/:\/\/[^\s/@]+@/.test(decl.value);
}

interface TokenVar {
  decl: DfVar;
  kind: 'ARG' | 'ENV';
  stage?: DfStage;
  /** The credential it carries (its own name, or the token variable its value reads). */
  carries: string;
}

/** Token-carrying ARG/ENV declarations, following values from ARG to ENV and from stage to child stage. */
function tokenVars(model: DockerfileModel, isCred: (n: string) => boolean): TokenVar[] {
  const out: TokenVar[] = [];
  for (const arg of model.globalArgs) if (isCred(arg.name)) out.push({ decl: arg, kind: 'ARG', carries: arg.name });
  // ENV persists into child stages; ARG does not.
  const envTokens = new Map<number, Map<string, string>>();
  for (const stage of model.stages) {
    const inherited = stage.parent !== undefined ? envTokens.get(stage.parent) : undefined;
    const tokens = new Map<string, string>(inherited ?? []);
    const argTokens = new Map<string, string>();
    for (const decl of [...stage.args.map((d) => ({ d, k: 'ARG' as const })), ...stage.envs.map((d) => ({ d, k: 'ENV' as const }))].sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column)) {
      const fromRef = decl.d.refs.map((r) => tokens.get(r) ?? argTokens.get(r) ?? (isCred(r) ? r : undefined)).find(Boolean);
      const carries = isCred(decl.d.name) ? decl.d.name : fromRef;
      if (!carries) continue;
      out.push({ decl: decl.d, kind: decl.k, stage, carries });
      if (decl.k === 'ENV') tokens.set(decl.d.name, carries);
      else argTokens.set(decl.d.name, carries);
    }
    envTokens.set(stage.index, tokens);
  }
  return out;
}

export const dockerfileTokenArgEnv = createRule(
  {
    id: 'dockerfile-token-arg-env',
    family: 'build',
    defaultSeverity: 'high',
    description: 'A registry or package token passed into a Dockerfile through ARG or ENV',
    why: 'ARG values used by a RUN are recorded in the image history (`docker history` shows them) and ENV values are stored in the image config of every image built from the stage: anyone who can pull the image can read the token.',
    allowed: 'A BuildKit secret mount on the single RUN that needs the token: `RUN --mount=type=secret,id=<id>,env=<NAME> …` (or `target=` for a file), fed by `--secret id=<id>,env=<NAME>` on the build.',
    remediation: 'Delete the ARG/ENV, mount the token as a BuildKit secret on the RUN that needs it, pass it with `--secret` on every build invocation, and rotate the token if an image with it was ever pushed.',
    environmentEscalation: false,
  },
  (context) => {
    const names = buildNameOptions(context.config, context.options);
    const isCred = (n: string) => isBuildCredential(n, names);
    const graph = BuildGraph.of(context.project);
    context.each(
      graph.byPath.values(),
      (df) => df.file.path,
      (df) => {
        const model = df.model;
        const invocations = graph.invocationsOf(df.file.path);
        const scope = imageScope(model, invocations);
        const chain = scope.chain;
        const lastChain = finalChain(model);
        // A stage outside every built image: say so, and say why when it is the last stage nobody builds.
        const notBuilt = (stage: DfStage) => (lastChain.has(stage.index) && scope.lastUnbuilt ? `, which no build found produces: ${scope.lastUnbuilt}` : `, not in ${scope.builtImages}`);
        for (const token of tokenVars(model, isCred)) {
          const { decl, kind, stage } = token;
          if (token.carries === decl.name && isUrlValuedName(decl.name) && urlWithoutCredential(decl)) continue;
          // pip reads the index credentials from the .netrc/pip.conf a secret mounts: PIP_INDEX_URL is only the address.
          if (isUrlValuedName(token.carries) && stage && mountsIndexAuth(stage) && !urlCarriesCredential(decl.value)) continue;
          const bare = decl.value === undefined ? '' : decl.value.trim().replace(/^["']|["']$/g, '');
          // `ENV API_KEY=""` / `ENV GOOGLE_APPLICATION_CREDENTIALS=/secrets/key.json` / a placeholder: nothing secret is baked.
          if (kind === 'ENV' && decl.refs.length === 0 && (bare === '' || isNonSecretLiteral(bare))) continue;
          const literal = decl.value !== undefined && bare !== '' && decl.refs.length === 0 && !isNonSecretLiteral(bare);
          let severity: Severity = 'high';
          let where: string;
          if (!stage) {
            const redeclared = model.stages.some((s) => s.args.some((a) => a.name === decl.name));
            if (redeclared) continue; // Reported where a stage brings it into scope.
            severity = 'medium';
            where = 'a global ARG that only FROM lines see; it still makes every build pass the token with --build-arg';
          } else if (kind === 'ARG') {
            const inFinal = chain.has(stage.index);
            const usedByRun = stage.runs.some((r) => r.line > decl.line);
            if (inFinal && usedByRun) where = `readable from docker history of ${scope.imageOf(stage)} (recorded with every RUN of ${stageLabel(stage)})`;
            else if (usedByRun) {
              severity = 'medium';
              where = `readable from the history of ${stageLabel(stage)} and the build cache${notBuilt(stage)}`;
            } else {
              severity = 'medium';
              where = `in scope of ${stageLabel(stage)} but read by no RUN; it still makes every build pass the token with --build-arg`;
            }
          } else {
            const inFinal = chain.has(stage.index);
            if (inFinal) {
              severity = 'critical';
              where = `baked into the config of ${scope.imageOf(stage)}: readable with docker inspect and docker history and present in every container's environment`;
            } else {
              severity = 'medium';
              where = `stored in the config of ${stageLabel(stage)} (readable from its history and the build cache)${notBuilt(stage)}`;
            }
          }
          if (literal) severity = raise(severity);
          const carried = token.carries === decl.name ? '' : ` (carries ${token.carries})`;
          const id = graph.secretIdFor(token.carries);
          // The name the install step reads: an ENV that carries the token (NPM_TOKEN=${PKG_GITHUB_COM_TOKEN}) or the token itself.
          const carriers = stage ? [...stage.envs.filter((e) => e.refs.includes(token.carries) || e.refs.includes(decl.name)).map((e) => e.name), decl.name, token.carries] : [token.carries];
          const runs = stage ? runsUsing(stage, carriers, decl.line) : [];
          const read = carriers.find((n) => runs.some((r) => r.text.includes(n))) ?? token.carries;
          const removed = [`${kind} ${decl.name}${decl.value !== undefined ? '=…' : ''}`, ...(stage ? stage.envs.filter((e) => e !== decl && carriers.includes(e.name)).map((e) => `ENV ${e.name}=…`) : [])];
          const uses: SecretUse[] = [{ env: read, id, source: token.carries }];
          const replacement = secretReplacement(
            `Mount ${token.carries} as BuildKit secret ${id} instead of ${kind} ${decl.name}`,
            dockerfileSnippet(runs, uses, removed),
            invocations.map((located) => ({ located, uses: [{ ...uses[0]!, source: located.invocation.buildArgs.find((a) => a.name === decl.name)?.refs[0] ?? token.carries }], dockerfilePath: df.file.path })),
          );
          context.report({
            file: df.file,
            line: decl.line,
            column: decl.column,
            message: `${kind} ${decl.name}${carried}${literal ? ' with a literal value' : ''} in ${stage ? stageLabel(stage) : 'the global scope'}: ${where}`,
            location: `${df.file.path}#${stage ? stageLabel(stage) : 'global'}/${kind} ${decl.name}`,
            value: literal ? decl.value : undefined,
            keys: [decl.name],
            severity,
            origin: 'build-time',
            replacement,
            remediation: invocations.length
              ? `Replace ${kind} ${decl.name} with a secret mount and pass --secret id=${id} in the ${invocations.length} build invocation${invocations.length === 1 ? '' : 's'} of this Dockerfile (${invocations.map((i) => `${i.file.path}:${i.invocation.line}`).join(', ')}).`
              : undefined,
          });
        }
        // ONBUILD ARG/ENV: every image built FROM this one declares the token (and an ENV bakes it into that image's config).
        for (const stage of model.stages) {
          for (const [kind, decls] of [['ARG', stage.onbuild?.args ?? []], ['ENV', stage.onbuild?.envs ?? []]] as const) {
            for (const decl of decls) {
              if (!isCred(decl.name) && !decl.refs.some(isCred)) continue;
              if (isUrlValuedName(decl.name) && urlWithoutCredential(decl)) continue;
              const bare = decl.value === undefined ? '' : decl.value.trim().replace(/^["']|["']$/g, '');
              if (kind === 'ENV' && decl.refs.length === 0 && (bare === '' || isNonSecretLiteral(bare))) continue;
              const literal = bare !== '' && decl.refs.length === 0 && !isNonSecretLiteral(bare);
              const carries = isCred(decl.name) ? decl.name : decl.refs.find(isCred)!;
              const id = graph.secretIdFor(carries);
              context.report({
                file: df.file,
                line: decl.line,
                column: decl.column,
                message: `ONBUILD ${kind} ${decl.name}${literal ? ' with a literal value' : ''} in ${stageLabel(stage)}: every image built FROM this one ${kind === 'ARG' ? 'declares the token as a build argument (readable from its docker history)' : 'stores the token in its image config (readable with docker inspect)'}`,
                location: `${df.file.path}#${stageLabel(stage)}/ONBUILD ${kind} ${decl.name}`,
                value: literal ? decl.value : undefined,
                keys: [decl.name],
                severity: literal || kind === 'ENV' ? 'critical' : 'high',
                origin: 'build-time',
                replacement: secretReplacement(`Mount ${carries} as BuildKit secret ${id} in the images built FROM this one`, dockerfileSnippet(stage.onbuild?.runs ?? [], [{ env: carries, id, source: carries }], [`ONBUILD ${kind} ${decl.name}${decl.value !== undefined ? '=…' : ''}`]).replace(/^RUN /gm, 'ONBUILD RUN '), []),
              });
            }
          }
        }
      },
    );
  },
);
