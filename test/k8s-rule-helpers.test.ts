import { describe, expect, it } from 'vitest';
import type { HelmInfo } from '../src/analyzers/yaml.js';
import { helmNameExpression, secretToggle } from '../src/rules/k8s/chart-owned-inline-secret-template.js';
import { envLiteralByShape, isKeyMaterial, isNonCredentialLiteral, namesAKey, namesASecret } from '../src/rules/k8s/common.js';
import { enclosingConditions, exprSources, guardedByExistingSecret, isCredentialPath, namesASecretPath, valuesRefsOf } from '../src/rules/k8s/helm-sources.js';
import type { PEntry } from '../src/yaml/model.js';

const helm = (partial: Partial<HelmInfo>): HelmInfo => ({ chartRoot: 'c', variables: {}, controls: [], usesLookup: false, usesRandom: false, ...partial });
const boolEntry = (key: string, value: boolean): PEntry => ({ key, line: 1, column: 1, value: { t: 'scalar', value, style: 'plain', line: 1, column: 1, endLine: 1 } });

describe('Helm value sources', () => {
  it('reads .Values paths, index forms and $variables, and sees generation', () => {
    expect(valuesRefsOf('index .Values "auth" "root-password" | b64enc')).toEqual(['.auth.root-password']);
    // A `required` message names a path it does not read.
    expect(valuesRefsOf('required "A valid .Values.clusters.NAME.config entry is required" $cluster.config | toRawJson')).toEqual([]);
    expect(valuesRefsOf('required "set .Values.auth.password" .Values.auth.password')).toEqual(['.auth.password']);
    const info = helm({ variables: { $pw: ['coalesce .Values.auth.password .Values.global.password', 'randAlphaNum 10'], $other: ['$pw'] } });
    expect(exprSources('$other | b64enc', info)).toEqual({ valuesRefs: ['.auth.password', '.global.password'], generated: true });
    expect(exprSources('include "common.secrets.passwords.manage" (dict "key" "x")', info).generated).toBe(true);
    expect(exprSources('.Values.metrics.password | b64enc', info).generated).toBe(false);
  });

  it('knows which if blocks enclose a line and whether they check existingSecret', () => {
    const info = helm({
      controls: [
        { line: 1, keyword: 'if', expr: 'if not .Values.auth.existingSecret', valuesRefs: [], templates: [] },
        { line: 3, keyword: 'if', expr: 'if .Values.x', valuesRefs: [], templates: [] },
        { line: 4, keyword: 'end', expr: 'end', valuesRefs: [], templates: [] },
      ],
    });
    expect(enclosingConditions(info, 6)).toEqual(['if not .Values.auth.existingSecret']);
    expect(guardedByExistingSecret(enclosingConditions(info, 6))).toBe(true);
    expect(guardedByExistingSecret(['if (include "postgresql.v1.createSecret" .)'])).toBe(true);
    expect(guardedByExistingSecret(['if .Values.createSecret'])).toBe(false);
  });

  it('tells credential paths from Secret names and settings', () => {
    expect(isCredentialPath('.database.url')).toBe(true);
    expect(isCredentialPath('.auth.password')).toBe(true);
    expect(isCredentialPath('.ingress.url')).toBe(false);
    expect(isCredentialPath('.extraEnvVarsSecret')).toBe(false);
    expect(namesASecretPath('userSecret')).toBe(true);
    expect(namesASecretPath('sessionSecret')).toBe(false);
  });
});

describe('literal judgement', () => {
  it('does not take paths, placeholders and shell expressions for credentials', () => {
    for (const v of ['/run/secrets/db-password', 'credentials.json', 'XXXXXXXX', 'xxx', '$(cat /secrets/x)', 'get_secret("a")', '-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----']) {
      expect(isNonCredentialLiteral(v), v).toBe(true);
    }
    expect(isNonCredentialLiteral('s3cr3t-Value')).toBe(false);
    expect(namesAKey('rootPasswordSecretKey', 'root-password')).toBe(true);
    expect(namesASecret('passwordSecret', 'whatever')).toBe(true);
    expect(namesASecret('secret', 'minio-tls', 'tls')).toBe(true);
    expect(namesASecret('jwtSecret', 'aX9-k2')).toBe(false);
  });

  it('tells generated key material from fingerprints, identifiers and paths', () => {
    for (const v of ['Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC', 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==']) expect(isKeyMaterial(v), v).toBe(true);
    for (const v of ['A035C8C19219BA821ECEA86B64E628F8D684696D', 'OrdersServiceCacheKeyV2Production2024', 'exports/MonthlyReport2024/Part01Final', 'Zq9xT2vB7nM4kL8p']) expect(isKeyMaterial(v), v).toBe(false);
    // Only a name that may hold a key takes key material for a credential.
    expect(envLiteralByShape('COSMOS_KEY', 'Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC')).toBe('Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC');
    expect(envLiteralByShape('ROUTING_KEY', 'Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC')).toBeUndefined();
    expect(envLiteralByShape('BUILD_ID', 'Zq9xT2vB7nM4kL8pW3rY6sD1fG5hJ0aC')).toBeUndefined();
  });
});

describe('chart helpers', () => {
  it('turns a templated Secret name into a Go template expression', () => {
    expect(helmNameExpression('{{ include "orders.fullname" . }}-db')).toBe('(print (include "orders.fullname" .) "-db")');
    expect(helmNameExpression('plain-name')).toBe('"plain-name"');
  });

  it('recognises secret-creating toggles but not ExternalSecret or service-account switches', () => {
    expect(secretToggle([], boolEntry('createSecret', true))).toBe(true);
    expect(secretToggle(['personaSecret'], boolEntry('create', true))).toBe(true);
    expect(secretToggle(['localCredentials'], boolEntry('enabled', true))).toBe(true);
    expect(secretToggle(['externalSecrets'], boolEntry('enabled', true))).toBe(false);
    expect(secretToggle(['secrets'], boolEntry('enabled', true))).toBe(false);
    expect(secretToggle(['serviceAccount'], boolEntry('create', true))).toBe(false);
    expect(secretToggle([], boolEntry('createSecret', false))).toBe(false);
  });
});
