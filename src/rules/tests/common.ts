import type { ParsedFile } from '../../analyzers/types.js';
import { memoFor } from '../../scan/project-index.js';
import { HARNESS_ANALYZERS, serviceOf, type HarnessModel } from '../../analyzers/tests/model.js';
import type { Project } from '../../scan/project.js';
import type { Replacement } from '../../types.js';
import { basename, segments } from '../../util/path.js';

/**
 * Every test/script model, in file order. A script that a test runner configuration names as its setup file
 * (Jest/Vitest/Playwright `globalSetup`, `setupFiles`, Cypress `supportFile`) is test harness code: its role is `test`.
 */
export function harnessModels(project: Project): ParsedFile<HarnessModel>[] {
  // Eight rules read this list: sort it once per scan.
  return memoFor(project, 'tests:harness-models', '', () => {
    const all = HARNESS_ANALYZERS.flatMap((id) => project.models<HarnessModel>(id));
    const setup = new Set(all.flatMap((m) => m.model.setupRefs ?? []));
    const withRoles = setup.size === 0 ? all : all.map((m) => (m.model.role === 'script' && setup.has(m.file.path.replace(/\.[cm]?[jt]sx?$/i, '')) ? { ...m, model: { ...m.model, role: 'test' as const } } : m));
    return withRoles.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  });
}

/** Folders that say what kind of file sits there (tests, CI, deployment layout), not which component it belongs to. */
const GENERIC_FOLDER = /^(tests?|__tests__|testing|testdata|e2e|integration|integration[-_]tests?|int[-_]tests?|src|lib|internal|pkg|scripts?|setup|fixtures|specs?|hack|ci|workflows|deploy|deployments?|k8s|kubernetes|manifests|helm|charts?|templates|values|overlays|base|envs?|environments?|configs?|tools?)$/i;
/** File names that say what kind of file it is, not which component it tests. */
export const GENERIC_FILE_STEM = /^(values|values[-_.].*|.*[-_.]values|kustomization|secrets?|config|env|test|tests|e2e|integration|int-tests|conftest|setup|global[-_]?setup|index)$/i;

const INT_TESTS_SUFFIX = '-int-tests-secrets';

/** A file's name without its extensions: `cluster-user-supplied.yaml.template` -> `cluster-user-supplied`, `.env.e2e` -> `env`. */
export function fileStem(path: string): string {
  return basename(path).replace(/^\.+/, '').replace(/\..*$/, '');
}

/** `<component>-int-tests-secrets` as a Secret name: a lowercase DNS-1123 label (no `-` at either end, at most 63 characters). */
export function intTestsSecretNameOf(component: string): string {
  const label = component
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63 - INT_TESTS_SUFFIX.length)
    .replace(/-+$/, '');
  return `${label || 'app'}${INT_TESTS_SUFFIX}`;
}

/**
 * `<svc>-int-tests-secrets` for a file under services/<svc>/, else named after the nearest folder that names a
 * component (dot-folders and generic folders such as `.github`, `hack`, `tests`, `deploy` skipped), else after the
 * file, else `app-int-tests-secrets`.
 */
export function intTestsSecretName(path: string): string {
  const service = serviceOf(path);
  if (service) return intTestsSecretNameOf(service);
  const dirs = segments(path)
    .slice(0, -1)
    .filter((d) => !d.startsWith('.') && !GENERIC_FOLDER.test(d));
  const stem = fileStem(path);
  return intTestsSecretNameOf(dirs[dirs.length - 1] ?? (GENERIC_FILE_STEM.test(stem) ? 'app' : stem));
}

/** Occurrence counter for line-independent locations: the n-th `(key)` in the file. */
export class Occurrences {
  private counts = new Map<string, number>();
  next(key: string): string {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n === 1 ? key : `${key}~${n}`;
  }
}

function jsIdentifier(name: string | undefined, variable: string): string {
  if (name && /^[A-Za-z_$][\w$]*$/.test(name)) return name;
  const camel = variable.toLowerCase().replace(/[-_]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return /^[A-Za-z_$][\w$]*$/.test(camel) ? camel : 'value';
}

function pyIdentifier(name: string | undefined, variable: string): string {
  if (name && /^[A-Za-z_][\w]*$/.test(name)) return name;
  const snake = variable.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return /^[a-z_]/.test(snake) ? snake : `value_${snake}`;
}

/** The fail-fast form of reading `variable`, in the file's language, built from the real names. */
export function failFastReplacement(input: { language: HarnessModel['language']; variable: string; binding?: string; testingParam?: string; structField?: string; secretName: string }): Replacement {
  const { variable, secretName } = input;
  const message = `Missing ${variable}: run the secret bootstrap (${secretName})`;
  if (input.structField) {
    return {
      language: 'go',
      title: `Require ${variable} instead of defaulting it to a literal (the env-config library fails when it is missing)`,
      snippet: `${input.structField}\n`,
    };
  }
  switch (input.language) {
    case 'typescript': {
      const id = jsIdentifier(input.binding, variable);
      return {
        language: 'typescript',
        title: `Fail fast when ${variable} is missing instead of falling back to a literal`,
        snippet: `const ${id} = process.env.${variable};\nif (!${id}) throw new Error(${JSON.stringify(message).replace(/^"|"$/g, "'")});\n`,
      };
    }
    case 'python': {
      const id = pyIdentifier(input.binding, variable);
      return {
        language: 'python',
        title: `Fail fast when ${variable} is missing instead of falling back to a literal`,
        snippet: `${id} = os.environ.get(${JSON.stringify(variable)})\nif not ${id}:\n    pytest.fail(${JSON.stringify(message)})\n`,
      };
    }
    case 'go': {
      const id = input.binding && /^[A-Za-z_]\w*$/.test(input.binding) ? input.binding : 'value';
      const fatal = input.testingParam ? `${input.testingParam}.Fatalf` : 'log.Fatalf';
      return {
        language: 'go',
        title: `Fail fast when ${variable} is missing instead of falling back to a literal`,
        snippet: `${id} := os.Getenv(${JSON.stringify(variable)})\nif ${id} == "" {\n\t${fatal}(${JSON.stringify(message)})\n}\n`,
      };
    }
    case 'shell':
      return {
        language: 'shell',
        title: `Abort when ${variable} is missing instead of defaulting to a literal`,
        snippet: `: "\${${variable}:?${message}}"\n`,
      };
  }
}

/** The test pod reads its secrets from the per-service int-tests Secret, materialised by an ExternalSecret. */
export function envFromReplacement(secretName: string): Replacement {
  return {
    language: 'yaml',
    title: `Read test credentials from ${secretName} (materialised by its ExternalSecret)`,
    snippet: ['envFrom:', '  - secretRef:', `      name: ${secretName}`, ''].join('\n'),
  };
}
