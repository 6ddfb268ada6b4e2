import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, renderedBy, toggleOf, type ReleaseValues } from '../src/rules/correlation/release-values.js';
import { parseYaml } from '../src/yaml/parse.js';
import { get } from '../src/yaml/model.js';
import { RULE_FIXTURES, scanFixture } from './helpers/run-fixture.js';

function layered(...texts: string[]): ReleaseValues {
  const roots = texts.map((t) => parseYaml(t).docs[0]!.root);
  return {
    lookup(p) {
      for (const root of roots) {
        const node = get(root, p);
        if (node !== undefined) return node;
      }
      return null;
    },
  };
}

describe('chart ExternalSecrets in the namespace of their releases', () => {
  it('evaluates the values switches around a template under a release\'s layered values', () => {
    const values = layered('externalSecrets:\n  enabled: false\nmode: sync\n', 'externalSecrets:\n  enabled: true\n  store: vault\n');
    expect(evaluate('.Values.externalSecrets.enabled', values)).toBe(false);
    expect(evaluate('not .Values.externalSecrets.enabled', values)).toBe(true);
    expect(evaluate('and .Values.externalSecrets.store .Values.missing', values)).toBe(false);
    expect(evaluate('or .Values.missing (eq .Values.mode "sync")', values)).toBe(true);
    expect(evaluate('include "x.enabled" .', values)).toBeUndefined();
    // sprig's default takes the default for a missing value, and for a false one too.
    expect(evaluate('.Values.x | default true', values)).toBe(true);
    expect(evaluate('.Values.x | default .Values.tpl', layered('tpl: "{{ .Release.Name }}"\n'))).toBeUndefined();
    const controls = [
      { line: 1, keyword: 'if', expr: 'if .Values.externalSecrets.enabled', valuesRefs: [], templates: [] },
      { line: 20, keyword: 'else', expr: 'else', valuesRefs: [], templates: [] },
      { line: 40, keyword: 'end', expr: 'end', valuesRefs: [], templates: [] },
    ];
    const helm = { chartRoot: 'c', variables: {}, controls, usesLookup: false, usesRandom: false };
    expect(renderedBy(helm, 2, values)).toBe(false);
    expect(renderedBy(helm, 21, values)).toBe(true);
    expect(renderedBy(helm, 41, values)).toBe(true);
    expect(toggleOf(helm, 2)).toBe('externalSecrets.enabled');
    expect(toggleOf(helm, 21)).toBeUndefined();
  });

  it('names the release, the environment it clashes in and the switch to turn off', async () => {
    const r = await scanFixture(path.join(RULE_FIXTURES, 'duplicate-externalsecret-owner', 'ng.chart-externalsecret-release-namespace'));
    const keycloak = r.findings.find((f) => f.ruleId === 'duplicate-externalsecret-owner' && f.file.startsWith('sources/'))!;
    expect(keycloak.environment).toBe('dev');
    expect(keycloak.message).toContain('writes Secret ameide-dev/keycloak-bootstrap-admin in dev (the namespace of its release in argocd/applicationset.yaml:1)');
    expect(keycloak.message).toContain('sources/charts/foundation/foundation-keycloak-admin-secrets/templates/externalsecret.yaml:1, released by argocd/applicationset.yaml:1');
    expect(keycloak.remediation.text).toContain('`externalSecrets.enabled: false` in sources/values/env/dev/platform/platform-keycloak.yaml');
    const flux = r.findings.find((f) => f.ruleId === 'duplicate-externalsecret-owner' && f.file.startsWith('flux/'))!;
    expect(flux.message).toContain('writes Secret payments/payments-provider in production');
    expect(flux.message).not.toContain('staging');
  });
});
