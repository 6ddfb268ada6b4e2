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
  ])('%s is read as %s', (file, language) => {
    expect(codeLanguage(file)).toBe(language);
  });

  it.each(['web/dist/app.js', 'web/build/static/main.js', 'web/public/app.min.js', 'api/gen/api_pb2.py', 'types/index.d.ts', 'vendor/x/y.go', 'README.md', 'values.yaml'])('%s is not', (file) => {
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
});
