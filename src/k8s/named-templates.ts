import type { ParsedFile } from '../analyzers/types.js';
import type { HelmInfo, NamedTemplate, WrittenKey, YamlFileModel } from '../analyzers/yaml.js';

interface Defined {
  chartRoot: string;
  template: NamedTemplate;
  /** The Helm facts of the file that defines it: the variables its body assigns. */
  helm: HelmInfo;
}

/** An entry a define writes, with the file it is written in (its `$variables` are that file's). */
export interface WrittenEntry extends WrittenKey {
  helm: HelmInfo;
}

/** How deep `include`s inside defines are followed for the entries they write. */
const WRITTEN_DEPTH = 4;
const HEAD_INCLUDE = /^\{\{-?\s*(?:include|template)\s+"([^"]+)"/;

/**
 * Every named template (`{{ define "x" }}`) of the tree's charts, for the `include "x"` of a template. Helm puts a
 * chart's and its subcharts' defines in one namespace: the including chart's own define wins, then one of a chart
 * above or below it (a library chart in charts/, a parent), then any.
 */
export class NamedTemplates {
  private readonly byName = new Map<string, Defined[]>();

  constructor(files: readonly ParsedFile<YamlFileModel>[]) {
    for (const f of files) {
      const helm = f.model.helm;
      if (!helm?.defines) continue;
      for (const [name, template] of Object.entries(helm.defines)) {
        const list = this.byName.get(name);
        const defined = { chartRoot: helm.chartRoot, template, helm };
        if (list) list.push(defined);
        else this.byName.set(name, [defined]);
      }
    }
  }

  /** The define NAME that a template of CHART_ROOT includes, with the chart it was found in. */
  find(name: string, chartRoot: string): Defined | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    if (list.length === 1) return list[0];
    const related = (other: string) => other === '.' || chartRoot === '.' || chartRoot.startsWith(`${other}/`) || other.startsWith(`${chartRoot}/`);
    return list.find((d) => d.chartRoot === chartRoot) ?? list.find((d) => related(d.chartRoot)) ?? list[0];
  }

  /**
   * The entries `include "NAME"` writes when its output is a map, the entries of the defines it includes on a line of
   * their own spelled out; undefined when the define writes no map (or is not in the tree).
   */
  written(name: string, chartRoot: string, depth = 0, seen: Set<string> = new Set()): WrittenEntry[] | undefined {
    const found = this.find(name, chartRoot);
    if (!found?.template.keys || seen.has(name)) return undefined;
    seen.add(name);
    const out: WrittenEntry[] = [];
    for (const key of found.template.keys) {
      const inner = key.key === '' && depth < WRITTEN_DEPTH ? HEAD_INCLUDE.exec(key.value ?? '')?.[1] : undefined;
      const expanded = inner === undefined ? undefined : this.written(inner, found.chartRoot, depth + 1, seen);
      if (expanded) out.push(...expanded);
      else out.push({ ...key, helm: found.helm });
    }
    return out;
  }
}

/** The define an injected block renders when it is one (`include "x.secretData" . | nindent 2`, `template "x" .`). */
export function includedDefineName(expr: string): string | undefined {
  return /^(?:include|template)\s+"([^"]+)"/.exec(expr.trim())?.[1];
}
