import type { ParsedFile } from '../analyzers/types.js';
import type { NamedTemplate, YamlFileModel } from '../analyzers/yaml.js';

interface Defined {
  chartRoot: string;
  template: NamedTemplate;
}

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
        const defined = { chartRoot: helm.chartRoot, template };
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
}
