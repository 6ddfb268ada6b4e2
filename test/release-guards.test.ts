import { describe, expect, it } from 'vitest';
import type { HelmControlAction } from '../src/analyzers/yaml.js';
import { renderCondition } from '../src/analyzers/yaml.js';
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

  it('leaves includes, pipes and lookups undecided', () => {
    for (const expr of ['if (include "app.createSecret" .)', 'if .Values.auth.existingSecret | empty', 'if not (lookup "v1" "Secret" "ns" "x")']) {
      expect(blockingGuard(helmOf([1, expr], [5, 'end']), 2, v)).toBeUndefined();
    }
  });
});
