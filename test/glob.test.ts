import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VENDORED } from '../src/config/defaults.js';
import { resolveConfig } from '../src/config/load.js';
import { globsMatcher } from '../src/util/glob.js';

const PATHS = [
  '',
  'a',
  '.env',
  'a/.env',
  'src/app.ts',
  'src/app.test.ts',
  'src/.hidden/app.spec.js',
  'test/x.yaml',
  'a/test/b/c.yaml',
  'tests',
  'e2e/smoke.py',
  'pkg/handler_test.go',
  'py/test_api.py',
  'py/conftest.py',
  'vendor/x/y.go',
  'third_party/a',
  'charts/app/charts/db/values.yaml',
  'charts/app/values.yaml',
  'node_modules/x/index.js',
  'build/out.js',
  'docs/build.md',
  'a/b/c/d/e/f.yml',
  '**/conftest.py',
  '[id].ts',
  'x/{a,b}.yaml',
  'weird name/with space.yaml',
  'unicodé/ü.yaml',
  'top.yaml',
];

describe('globsMatcher', () => {
  const lists: (string | string[])[] = [
    DEFAULT_VENDORED,
    resolveConfig({}).testPaths,
    resolveConfig({}).exclude,
    ['**/*'],
    ['*.yaml'],
    ['**/*.{yaml,yml}', '!**/charts/**'],
    ['src/**', '!src/**/*.test.ts'],
    ['[id].ts', 'x/{a,b}.yaml'],
    ['**/conftest.py'],
    ['docs/*.md', 'a/b/**/f.yml', '.env'],
    'test/**',
  ];
  for (const globs of lists) {
    it(`answers as picomatch does: ${JSON.stringify(globs).slice(0, 80)}`, () => {
      const expected = picomatch(globs, { dot: true });
      const actual = globsMatcher(globs);
      const answers = PATHS.map((p) => [p, actual(p)]);
      expect(answers).toEqual(PATHS.map((p) => [p, expected(p)]));
      // The paths give each list both answers.
      expect(new Set(answers.map(([, a]) => a))).toEqual(new Set([true, false]));
    });
  }

  it('matches nothing with no globs', () => {
    expect(PATHS.some(globsMatcher([]))).toBe(false);
  });
});
