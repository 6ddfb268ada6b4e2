import { describe, expect, it } from 'vitest';
import type { HelmControlAction } from '../src/analyzers/yaml.js';
import { defineOutput, renderCondition } from '../src/analyzers/yaml.js';
import { blockingGuard, evaluate, type ReleaseValues } from '../src/rules/correlation/release-values.js';
import { get } from '../src/yaml/model.js';
import { parseYaml } from '../src/yaml/parse.js';

function values(text: string): ReleaseValues {
  const root = parseYaml(text).docs[0]!.root;
  return { lookup: (p) => get(root, p) ?? null };
}

/** Control actions from `line: action` pairs (`2: if .Values.a`, `5: end`). */
function helmOf(...actions: [number, string][]) {
  const controls: HelmControlAction[] = actions.map(([line, expr]) => ({ line, keyword: expr.split(/\s/)[0]!, expr, valuesRefs: [], templates: [] }));
  return { chartRoot: 'c', variables: {}, controls, usesLookup: false, usesRandom: false };
}

describe('the guard that keeps a release from rendering a line', () => {
  const v = values('auth:\n  existingSecret: app-auth\n  password: ""\nsmtp:\n  existingSecret: ""\nitems: []\n');

  it('reads empty like not', () => {
    expect(evaluate('empty .Values.auth.existingSecret', v)).toBe(false);
    expect(evaluate('empty .Values.items', v)).toBe(true);
  });

  it('names the false if, the true if around an else, and the if before an else if', () => {
    const helm = helmOf([1, 'if not .Values.auth.existingSecret'], [5, 'else if .Values.smtp.existingSecret'], [8, 'else'], [10, 'end']);
    expect(blockingGuard(helm, 2, v)).toEqual({ action: 'if not .Values.auth.existingSecret', value: false });
    // `if not X` is false: the else-if branch may render (what it says itself is not read) and so may the else.
    expect(blockingGuard(helm, 6, v)).toBeUndefined();
    expect(blockingGuard(helm, 9, v)).toBeUndefined();
    const taken = helmOf([1, 'if .Values.auth.existingSecret'], [3, 'else if .Values.smtp.password'], [5, 'else'], [7, 'end']);
    expect(blockingGuard(taken, 4, v)).toEqual({ action: 'if .Values.auth.existingSecret', value: true });
    expect(blockingGuard(taken, 6, v)).toEqual({ action: 'if .Values.auth.existingSecret', value: true });
    expect(blockingGuard(taken, 8, v)).toBeUndefined();
  });

  it('reads the dot of a with block over values, and leaves the dot of a range undecided', () => {
    const withAuth = helmOf([1, 'with .Values.auth'], [2, 'if not .existingSecret'], [6, 'end'], [7, 'end']);
    expect(blockingGuard(withAuth, 3, v)).toEqual({ action: 'if not .existingSecret', value: false });
    const withSmtp = helmOf([1, 'with .Values.smtp'], [2, 'if not .existingSecret'], [6, 'end'], [7, 'end']);
    expect(blockingGuard(withSmtp, 3, v)).toBeUndefined();
    // An empty `with` value renders nothing inside it.
    const withItems = helmOf([1, 'with .Values.items'], [4, 'end']);
    expect(blockingGuard(withItems, 2, v)).toEqual({ action: 'with .Values.items', value: false });
    const ranged = helmOf([1, 'range .Values.users'], [2, 'if not .existingSecret'], [6, 'end'], [7, 'end']);
    expect(blockingGuard(ranged, 3, v)).toBeUndefined();
  });

  it('reads an include of a define that is one if around true, with the same root only', () => {
    expect(renderCondition('\n{{- if not .Values.auth.existingSecret -}}\n    {{- true -}}\n{{- end -}}\n')).toBe('not .Values.auth.existingSecret');
    expect(renderCondition('{{/* Create a Secret? */}}\n{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) -}}\ntrue\n{{- end -}}')).toBe('and .Values.auth.enabled (not .Values.auth.existingSecret)');
    // Anything else around or in the if: no condition (a variable, an else, a value rendered).
    expect(renderCondition('{{- $s := .Values.auth -}}\n{{- if not $s.existingSecret -}}true{{- end -}}')).toBeUndefined();
    expect(renderCondition('{{- if .Values.a -}}true{{- else -}}false{{- end -}}')).toBeUndefined();
    expect(renderCondition('{{- if .Values.a -}}{{ .Values.a }}{{- end -}}')).toBeUndefined();
    const withDefines: ReleaseValues = { ...v, define: (name) => ({ 'app.createSecret': 'not .Values.auth.existingSecret', 'app.loop': 'include "app.loop" .' })[name] };
    expect(evaluate('(include "app.createSecret" .)', withDefines)).toBe(false);
    expect(evaluate('not (include "app.createSecret" $)', withDefines)).toBe(true);
    expect(evaluate('include "app.other" .', withDefines)).toBeUndefined();
    expect(evaluate('include "app.createSecret" .Values.auth', withDefines)).toBeUndefined();
    expect(evaluate('include "app.loop" .', withDefines)).toBeUndefined();
    const underWith = helmOf([1, 'with .Values.auth'], [2, 'if include "app.createSecret" .'], [6, 'end'], [7, 'end']);
    expect(blockingGuard(underWith, 3, withDefines)).toBeUndefined();
  });

  it('leaves includes of unknown defines, lookups and other functions undecided', () => {
    for (const expr of ['if (include "app.createSecret" .)', 'if not (lookup "v1" "Secret" "ns" "x")', 'if .Values.auth.existingSecret | trim', 'if (.Values.auth.existingSecret | default (include "app.name" .))']) {
      expect(blockingGuard(helmOf([1, expr], [5, 'end']), 2, v)).toBeUndefined();
    }
  });

  it('reads a pipeline: the value before a pipe is the last argument of the command after it', () => {
    expect(blockingGuard(helmOf([1, 'if .Values.auth.existingSecret | empty'], [5, 'end']), 2, v)).toEqual({ action: 'if .Values.auth.existingSecret | empty', value: false });
    expect(evaluate('.Values.smtp.existingSecret | not', v)).toBe(true);
    expect(evaluate('"x" | eq "x"', v)).toBe(true);
  });

  it('reads default as sprig does: an empty value (missing, false, 0, "", empty list or map) takes the default', () => {
    const d = values('a:\n  create: false\n  on: true\n  zero: 0\n  name: ""\n  list: []\n  map: {}\n');
    expect(evaluate('(.Values.a.create | default true)', d)).toBe(true);
    expect(evaluate('default true .Values.a.create', d)).toBe(true);
    expect(evaluate('default true .Values.a.missing', d)).toBe(true);
    expect(evaluate('default false .Values.a.on', d)).toBe(true);
    expect(evaluate('default false .Values.a.zero', d)).toBe(false);
    expect(evaluate('.Values.a.name | default .Values.a.list | default .Values.a.map', d)).toBe(false);
    expect(evaluate('not (default false .Values.a.create)', d)).toBe(true);
    expect(evaluate('eq (.Values.a.name | default "standalone") "standalone"', d)).toBe(true);
    expect(evaluate('coalesce .Values.a.name .Values.a.on', d)).toBe(true);
    expect(evaluate('coalesce .Values.a.name .Values.a.zero', d)).toBe(false);
  });

  it('reads hasKey on a values map: a key set to null is not decided, a path that is no map is not either', () => {
    const h = values('auth:\n  existingSecret: ""\n  cleared: null\nname: x\n');
    expect(evaluate('hasKey .Values.auth "existingSecret"', h)).toBe(true);
    expect(evaluate('hasKey .Values.auth "password"', h)).toBe(false);
    expect(evaluate('not (hasKey .Values.auth "password")', h)).toBe(true);
    expect(evaluate('hasKey .Values.auth "cleared"', h)).toBeUndefined();
    expect(evaluate('hasKey .Values.name "x"', h)).toBeUndefined();
    expect(evaluate('hasKey .Values.missing "x"', h)).toBeUndefined();
    expect(evaluate('hasKey .Values "auth"', h)).toBeUndefined();
  });

  it('reads eq and ne as Go compares: same kinds only, a missing value equal to nothing, values numbers never equal to an int literal', () => {
    const e = values('mode: standalone\nenabled: true\nreplicas: 3\nratio: 1.5\nlegacy: no\nquoted: "no"\n');
    expect(evaluate('eq .Values.mode "standalone"', e)).toBe(true);
    expect(evaluate('eq .Values.mode "replication"', e)).toBe(false);
    expect(evaluate('ne .Values.mode "replication"', e)).toBe(true);
    expect(evaluate('eq .Values.mode "replication" "standalone"', e)).toBe(true);
    expect(evaluate('eq .Values.missing "standalone"', e)).toBe(false);
    expect(evaluate('ne .Values.missing "standalone"', e)).toBe(true);
    expect(evaluate('eq .Values.enabled true', e)).toBe(true);
    // Different kinds fail the render (a string and a bool; a float64 from values and an int literal): not decided.
    expect(evaluate('eq .Values.enabled "true"', e)).toBeUndefined();
    expect(evaluate('eq .Values.replicas 3', e)).toBeUndefined();
    expect(evaluate('eq .Values.ratio 1.5', e)).toBe(true);
    // YAML 1.1, as Helm reads values: a plain no is false, a quoted one a string.
    expect(evaluate('.Values.legacy', e)).toBe(false);
    expect(evaluate('eq .Values.legacy false', e)).toBe(true);
    expect(evaluate('.Values.quoted', e)).toBe(true);
  });

  it('reads eq of an include by the exact text its define renders either way', () => {
    const e = values('vpa:\n  enabled: false\n');
    const text = '{{- define "x" -}}\n{{- if .Values.vpa.enabled -}}true{{- else -}}false{{- end -}}\n{{- end -}}';
    const start = text.indexOf('-}}') + 3;
    const end = text.lastIndexOf('{{- end');
    const output = defineOutput(text.slice(start, end), true, true)!;
    expect(output).toEqual({ condition: '.Values.vpa.enabled', then: 'true', else: 'false' });
    // Untrimmed, the text keeps its whitespace: eq "true" is false whichever way the condition goes.
    expect(defineOutput('\n{{ if .Values.a }}\n  true\n{{ end }}\n', false, false)).toEqual({ condition: '.Values.a', then: '\n\n  true\n\n', else: '\n\n' });
    expect(defineOutput('{{- if .Values.a -}}{{ .Values.a }}{{- end -}}', true, true)).toBeUndefined();
    expect(defineOutput('{{- if .Values.a -}}x{{- else if .Values.b -}}y{{- end -}}', true, true)).toBeUndefined();
    expect(defineOutput('{{/* a switch */}}\n{{- if .Values.a -}}\n  {{- true -}}\n{{- end -}}', true, true)).toEqual({ condition: '.Values.a', then: 'true', else: '' });
    const withOutput: ReleaseValues = { ...e, output: (name) => (name === 'app.vpa' ? output : undefined) };
    expect(evaluate('eq (include "app.vpa" .) "true"', withOutput)).toBe(false);
    expect(evaluate('eq (include "app.vpa" .) "false"', withOutput)).toBe(true);
    expect(evaluate('ne (include "app.vpa" $) "true"', withOutput)).toBe(true);
    expect(evaluate('eq (include "app.other" .) "true"', withOutput)).toBeUndefined();
    // Known by its condition only: its truth, not its text.
    const withDefine: ReleaseValues = { ...e, define: () => '.Values.vpa.enabled' };
    expect(evaluate('include "app.vpa" .', withDefine)).toBe(false);
    expect(evaluate('eq (include "app.vpa" .) "true"', withDefine)).toBeUndefined();
  });
});
