import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { appConfigAnalyzer, appConfigFormat, withoutJsonComments, type AppConfigModel } from '../src/analyzers/app-config.js';
import { scan } from '../src/scan/run.js';
import { RULE_FIXTURES } from './helpers/run-fixture.js';

const parse = (text: string, file: string) => appConfigAnalyzer.parse(text, { path: file } as never, {} as never) as AppConfigModel | undefined;

describe('application configuration files', () => {
  it.each([
    ['services/orders/src/main/resources/application.yml', 'yaml'],
    ['src/main/resources/application-prod.yaml', 'yaml'],
    ['src/main/resources/bootstrap.yml', 'yaml'],
    ['src/main/resources/application.properties', 'properties'],
    ['gradle.properties', 'properties'],
    ['conf/application.conf', 'hocon'],
    ['Billing/appsettings.Production.json', 'json'],
    ['web/config/database.yml', 'yaml'],
    ['notify/config/production.json', 'json'],
    ['notify/config/default.yaml', 'yaml'],
    ['platform/redis/redis.conf', 'redis'],
    ['platform/redis/sentinel-prod.conf', 'redis'],
    ['platform/rabbitmq/rabbitmq.conf', 'properties'],
    ['platform/grafana/grafana.ini', 'ini'],
    ['platform/mysql/my.cnf', 'ini'],
    ['ops/.pgpass', 'pgpass'],
    ['platform/pgbouncer/userlist.txt', 'userlist'],
    ['src/main/resources/application_dev.properties', 'properties'],
    ['src/main/resources/config_qa.properties', 'properties'],
  ])('%s is read as %s', (file, format) => {
    expect(appConfigFormat(file)).toBe(format);
  });

  it.each([
    'src/main/resources/messages_de.properties',
    'src/main/resources/i18n/labels.properties',
    'ValidationMessages.properties',
    'values.yaml',
    'config/custom-environment-variables.json',
    'config/locales/en.yml',
    'deploy/app.yaml',
    'settings.json',
    'config/routes.yml',
    'nginx.conf',
    // Resource bundles hold UI text (`user_password=Password`), not settings.
    'src/main/resources/i18n/message_en.properties',
    'src/main/resources/messages.properties',
    'src/main/resources/ValidationMessages_de.properties',
    'src/main/resources/labels_zh_CN.properties',
    'src/main/resources/common_zh_CN.properties',
  ])('%s is not', (file) => {
    expect(appConfigFormat(file)).toBeUndefined();
  });

  it('keeps credential settings with their dotted path, line and profile', () => {
    const model = parse('spring:\n  datasource:\n    url: jdbc:postgresql://db/app\n    password: a\n---\nspring.config.activate.on-profile: prod\nspring:\n  datasource:\n    password: b\n', 'application.yml');
    expect(model?.settings).toEqual([
      { path: 'spring.datasource.password', value: 'a', line: 4, column: 15 },
      { path: 'spring.datasource.password', value: 'b', line: 9, column: 15, profile: 'prod' },
    ]);
  });

  it('reads properties with continued lines, escapes and every separator', () => {
    const model = parse('# comment\n! comment\napp.token = abc\\\n    def\nweb\\:pass:x1\nmail.password y2\nname=orders\n', 'application.properties');
    expect(model?.settings.map((s) => [s.path, s.value, s.line])).toEqual([
      ['app.token', 'abcdef', 3],
      ['web:pass', 'x1', 5],
      ['mail.password', 'y2', 6],
    ]);
  });

  it('takes a Quarkus profile from a `%prod.` key prefix or a `"%prod":` block, and keeps the setting without it', () => {
    expect(parse('%prod.quarkus.datasource.password=p1\nquarkus.datasource.password=p2\n', 'application.properties')?.settings.map((s) => [s.path, s.profile])).toEqual([
      ['quarkus.datasource.password', 'prod'],
      ['quarkus.datasource.password', undefined],
    ]);
    expect(parse('"%dev":\n  quarkus:\n    datasource:\n      password: p3\n', 'application.yaml')?.settings.map((s) => [s.path, s.profile])).toEqual([['quarkus.datasource.password', 'dev']]);
  });

  it('blanks the comments of JSON out, never a string that holds `//`', () => {
    expect(withoutJsonComments('{ "a": "http://x/y", // c\n  /* d\n e */ "b": 1 }')).toBe('{ "a": "http://x/y",     \n      \n      "b": 1 }');
  });

  it('reads HOCON blocks into paths and drops trailing comments', () => {
    const model = parse('db {\n  default.password = "p1" # set per env\n}\nplay.http.secret.key = ${?APP_SECRET}\n', 'application.conf');
    expect(model?.settings.map((s) => [s.path, s.value, s.line])).toEqual([
      ['db.default.password', 'p1', 2],
      ['play.http.secret.key', '${?APP_SECRET}', 4],
    ]);
  });

  it('takes the environment of a Rails file from its top-level key and of node-config from its name', () => {
    expect(parse('production:\n  password: x9\ndefault:\n  password: y9\n', 'config/database.yml')?.settings.map((s) => s.profile)).toEqual(['production', undefined]);
    expect(parse('{"db": {"password": "x9"}}', 'config/staging.json')?.settings[0]?.profile).toBe('staging');
  });

  it('reads INI sections, Redis password directives, .pgpass lines and PgBouncer user lists', () => {
    expect(parse('[security]\nadmin_password = "a1" ; note\n[database]\npassword = """b2"""\nname = grafana\n', 'grafana.ini')?.settings.map((s) => [s.path, s.value])).toEqual([
      ['security.admin_password', 'a1'],
      ['database.password', 'b2'],
    ]);
    expect(parse('requirepass r1\nmasterauth "r2"\nsentinel auth-pass main r3\nuser app on >r4 ~* +@all\n# requirepass old\n', 'redis.conf')?.settings.map((s) => [s.path, s.value, s.name])).toEqual([
      ['requirepass', 'r1', 'password'],
      ['masterauth', 'r2', 'password'],
      ['sentinel auth-pass main', 'r3', 'password'],
      ['user app', 'r4', 'password'],
    ]);
    expect(parse('# comment\ndb:5432:app:app:p\\:1\n', '.pgpass')?.settings.map((s) => [s.path, s.value, s.line])).toEqual([['user app on db/app', 'p:1', 2]]);
    expect(parse('"app" "u1"\n"stats" "md5d41d8cd98f00b204e9800998ecf8427e"\n"x" "SCRAM-SHA-256$4096:a$b:c"\n', 'userlist.txt')?.settings.map((s) => [s.path, s.value])).toEqual([['user app', 'u1']]);
  });

  it('leaves Kubernetes objects named like configuration (an Argo CD application.yaml) and megabyte files alone', () => {
    const sniff = appConfigAnalyzer.sniff!;
    expect(sniff('apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n  source:\n    helm:\n      values: |\n        password: x\n', { path: 'apps/application.yaml' } as never, {} as never)).toBe(false);
    expect(sniff('spring:\n  datasource:\n    password: x\n', { path: 'application.yaml' } as never, {} as never)).toBe(true);
    expect(sniff(`password: x\n${'#'.repeat(1_000_001)}`, { path: 'application.yaml' } as never, {} as never)).toBe(false);
  });

  it('reads hostile lines whole (a quadratic pass over them would outlast the test timeout)', () => {
    expect(parse(`key=${'\\'.repeat(200_000)}\n`, 'application.properties')?.settings[0]?.value).toHaveLength(200_000);
    expect(parse(`password = "a${' '.repeat(200_000)}x"\n`, 'application.conf')?.settings[0]?.value).toHaveLength(200_002);
    expect(parse(`password: ${'a '.repeat(100_000)}#\n`, 'application.yml')?.settings[0]?.path).toBe('password');
  });

  it('reports literal credentials without their values, with a replacement that reads the environment', async () => {
    const result = await scan({ root: path.join(RULE_FIXTURES, 'hardcoded-credential', 'ng.application-config-literals'), cache: false });
    const findings = result.findings.filter((f) => f.ruleId === 'hardcoded-credential' && f.message.startsWith('Application config'));
    expect(findings).toHaveLength(25);
    const text = JSON.stringify(result);
    for (const secret of ['Xk9vQ2mLp7Rt', 'Hq7zWv3NcY8b', 'Rv8nQ3xKp2Lw', 'Mq4tZx8Wv2Kp', 'Pl4yDbPw9Xq', 'Jm5tRq8Wz3Kc', 'Sg6vLq3Xw8Kz', '%58Vk2Lq9Wz', 'Jk4wQ9vLm2Xz7Rt5', 'Ws7kQ2wLm9Xz', 'Qp7vLm3Xw9Kz', 'Qs3kLm7Xw4Vz', 'qwkr vtzn hplb xsdm', 'Rc7vLq2Xw9Kz', 'Sb5kLm8Xq2Vz7Wt3Rn6Yp1Hd4Jf9Gs0Qa8We2Rt5Yu=']) expect(text).not.toContain(secret);
    const fallback = findings.find((f) => f.message.includes('fallback'));
    expect(fallback?.message).toBe('Application config sets spring.mail.password to a literal credential as the fallback of ${MAIL_PASSWORD} committed in the file');
    const db = findings.find((f) => f.file.endsWith('application-prod.properties') && f.line === 2);
    expect(db?.remediation.replacement?.snippet).toContain('spring.datasource.password=${SPRING_DATASOURCE_PASSWORD}');
    expect(db?.remediation.text).toContain("CloudNativePG's `<cluster>-app`");
    // appsettings.json may carry comments (`// …`, `/* … */`): the setting keeps its own path and line.
    expect(findings.find((f) => f.file.endsWith('billing/appsettings.json') && f.line === 9)?.message).toBe('Application config sets Jwt.Key to a literal credential committed in the file');
    const connection = findings.find((f) => f.file.endsWith('appsettings.Production.json') && f.line === 3);
    expect(connection?.message).toContain('inside a connection string');
    expect(connection?.remediation.replacement?.snippet).toContain('CONNECTIONSTRINGS__DEFAULT');
  });
});
