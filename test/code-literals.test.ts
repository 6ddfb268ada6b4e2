import { describe, expect, it } from 'vitest';
import { codeLanguage, codeLiterals } from '../src/analyzers/code-literals.js';

describe('source code literals', () => {
  it.each([
    ['services/web/src/config/db.ts', 'typescript'],
    ['api/settings.py', 'python'],
    ['cmd/svc/main.go', 'go'],
    ['src/main/java/com/acme/Db.java', 'java'],
    ['Pay/Settings.cs', 'csharp'],
    ['wp-config.php', 'php'],
    ['config/config.exs', 'elixir'],
    ['config/prod.exs', 'elixir'],
    ['scripts/ci.py', 'python'],
    ['web/src/contest.ts', 'typescript'],
  ])('%s is read as %s', (file, language) => {
    expect(codeLanguage(file)).toBe(language);
  });

  it.each(['web/dist/app.js', 'web/build/static/main.js', 'web/public/app.min.js', 'api/gen/api_pb2.py', 'types/index.d.ts', 'vendor/x/y.go', 'README.md', 'values.yaml'])('%s is not', (file) => {
    expect(codeLanguage(file)).toBeUndefined();
  });

  // Code that shows, mocks or drives the application: its credentials are made up for the reader or the test run.
  it.each([
    'web/src/__mocks__/api.ts',
    'web/src/mocks/handlers.ts',
    'web/src/fixtures/users.ts',
    'examples/quickstart/main.go',
    'sdk/samples/Auth.java',
    'demo/app.py',
    'web/src/stories/Login.tsx',
    'web/src/components/Login.stories.tsx',
    'web/cypress/support/commands.ts',
    'web/src/test-utils/render.tsx',
    'internal/testing/server.go',
    'web/src/api.mock.ts',
    'api/app/fake_data.py',
    'web/src/mockData.ts',
    'src/main/java/com/acme/MockPaymentGateway.java',
    'features/steps/auth_steps.py',
    'features/step_definitions/login.js',
    'config/test.exs',
    'config/environments/test.rb',
    'api/settings/ci.py',
    'questioner/travis_ci_settings.py',
    'backend/settings-gitlab-ci.py',
  ])('%s is sample or mock code, not read', (file) => {
    expect(codeLanguage(file)).toBeUndefined();
  });

  it('finds assignments, keys, constants and define() of credential names, with their place', () => {
    const text = [
      "const DB_PASSWORD = 'a1';",
      '  password: "b2",',
      '    "apiKey": "c3",',
      'dbPassword := "d4"',
      'private static final String API_TOKEN = "e5";',
      "define( 'DB_PASSWORD', 'f6' );",
      'const user = "app"; const secret = `g7`;',
      'const title = "no credential name here";',
    ].join('\n');
    expect(codeLiterals(text).map((l) => [l.name, l.value, l.line, l.column])).toEqual([
      ['DB_PASSWORD', 'a1', 1, 7],
      ['password', 'b2', 2, 3],
      ['apiKey', 'c3', 3, 5],
      ['dbPassword', 'd4', 4, 1],
      ['API_TOKEN', 'e5', 5, 29],
      ['DB_PASSWORD', 'f6', 6, 9],
      ['secret', 'g7', 7, 27],
    ]);
  });

  it('leaves interpolated and formatted strings, and says when the lines around name a database', () => {
    const text = 'const token = `Bearer ${t}`;\nconst secret = "%s:%s";\nDATABASES = {\n  "default": {\n    "PASSWORD": "p9",\n  }\n}\n';
    expect(codeLiterals(text)).toEqual([{ name: 'PASSWORD', value: 'p9', line: 5, column: 5, database: true }]);
  });

  it('skips lines too long to be written by hand, and reads long files line by line', () => {
    expect(codeLiterals(`const password = "${'x'.repeat(5_000)}";`)).toEqual([]);
    const many = 'let password = "abc123XYZ";\n'.repeat(20_000);
    expect(codeLiterals(many)).toHaveLength(20_000);
    expect(codeLiterals(`${'const const '.repeat(150)} password = "q1"`)).toHaveLength(1);
  });

  it('reads a Go byte slice of a literal, and says when a Google API key sits in a Firebase config', () => {
    expect(codeLiterals('var jwtSecret = []byte("k1")').map((l) => [l.name, l.value])).toEqual([['jwtSecret', 'k1']]);
    const firebase = 'const config = {\n  apiKey: "AIzaA1",\n  authDomain: "acme.firebaseapp.com",\n};\nconst API_KEY = "AIzaB2";\n';
    expect(codeLiterals(firebase).map((l) => [l.value, l.firebase ?? false])).toEqual([
      ['AIzaA1', true],
      ['AIzaB2', true],
    ]);
    expect(codeLiterals('const GEMINI_API_KEY = "AIzaC3";').map((l) => l.firebase ?? false)).toEqual([false]);
  });
});
