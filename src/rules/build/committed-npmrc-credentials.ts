import type { CredFileModel } from '../../analyzers/build/credfile.js';
import { createRule } from '../create-rule.js';

const LOGIN_ONLY = new Set(['username', 'email']);

export const committedNpmrcCredentials = createRule(
  {
    id: 'committed-npmrc-credentials',
    family: 'build',
    defaultSeverity: 'high',
    description: 'A committed .npmrc/.yarnrc/.netrc/pip.conf/.pypirc/docker or git credential file, Composer auth.json or gradle.properties with a literal token, _auth, _password or login',
    why: 'A registry token in git is readable by everyone with repo access, is copied into every build context (and often into images by COPY), and cannot be rotated without a commit.',
    allowed: 'A token-free file: `@scope:registry=https://npm.pkg.github.com` plus `//npm.pkg.github.com/:_authToken=${PKG_GITHUB_COM_TOKEN}` interpolation; credentials generated at bootstrap into an untracked file.',
    remediation: 'Replace the literal with `${VAR}` interpolation (npm, yarn) or remove the file from git and generate it at bootstrap from the environment; rotate the exposed token.',
    environmentEscalation: false,
  },
  (context) => {
    context.each(
      context.project.models<CredFileModel>('credfile'),
      (f) => f.file.path,
      (f) => {
        const literals = f.model.entries.filter((e) => e.literal);
        if (literals.length === 0) return;
        const secrets = literals.filter((e) => !LOGIN_ONLY.has(e.key));
        const shown = secrets.length ? secrets : literals;
        const first = shown[0]!;
        const keys = [...new Set(shown.map((e) => (e.scope ? `${e.scope}:${e.key}` : e.key)))];
        const interpolation = f.model.format === 'npmrc' || f.model.format === 'yarnrc' ? '${NPM_TOKEN}' : f.model.format === 'yarnrc-yml' ? '${NPM_TOKEN}' : undefined;
        const snippet =
          f.model.format === 'npmrc'
            ? shown.map((e) => (e.scope ? `${e.scope}:${e.key === '_authToken' ? '_authToken' : e.key}=\${${e.scope.includes('github') ? 'PKG_GITHUB_COM_TOKEN' : 'NPM_TOKEN'}}` : `${e.key}=\${NPM_TOKEN}`)).join('\n')
            : f.model.format === 'yarnrc-yml'
              ? shown.map((e) => `${e.key}: "\${NPM_TOKEN}"`).join('\n')
              : `# ${f.file.path}: generate at bootstrap from the environment (untracked, listed in .gitignore)`;
        context.report({
          file: f.file,
          line: first.line,
          column: first.column,
          endLine: shown[shown.length - 1]!.line,
          message: secrets.length
            ? `${f.file.path} commits ${secrets.length} literal credential${secrets.length === 1 ? '' : 's'} (${keys.join(', ')})${interpolation ? `; use ${interpolation} interpolation` : ''}`
            : `${f.file.path} commits a registry login (${keys.join(', ')})`,
          location: `${f.file.path}#${keys.join(',')}`,
          value: shown.map((e) => e.value).join('\u0000'),
          keys,
          severity: secrets.length ? undefined : 'low',
          origin: 'build-time',
          replacement: { language: f.model.format === 'yarnrc-yml' ? 'yaml' : 'ini', title: `Token-free ${f.file.path}: the token comes from the environment at install time`, snippet: `${snippet}\n` },
        });
      },
    );
  },
);
