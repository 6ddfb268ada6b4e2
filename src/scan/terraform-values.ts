/**
 * YAML files a Terraform `helm_release` loads as values (`values = [file("${path.module}/values/grafana.yaml")]`,
 * `templatefile(…)`): values files by use, whatever their name or folder, judged with the release they feed.
 */
import type { TerraformModel } from '../analyzers/terraform.js';
import { dirname, joinWithinRoot } from '../util/path.js';
import { memoFor } from './project-index.js';
import type { Project } from './project.js';

export interface TerraformValuesUse {
  /** The release name when literal, else the resource label. */
  release: string;
  /** For messages: `Terraform helm_release grafana`. */
  owner: string;
  /** The chart's name (`postgresql` for `oci://…/bitnamicharts/postgresql`), when literal. */
  chart?: string;
  /** A local chart's folder in the tree (`chart = "${path.module}/../charts/api"`). */
  chartRoot?: string;
  /** Loaded with templatefile(): its `${…}` are Terraform's placeholders. */
  templated: boolean;
  /** The .tf file and the line of the values item. */
  file: string;
  line: number;
}

/** The chart a release installs, by name: the last segment of `repo/name`, an OCI reference or a local path. */
export function chartName(chart: string | undefined): string | undefined {
  if (!chart || chart.includes('${')) return undefined;
  const name = chart.replace(/[/:@]+$/, '').split('/').pop()?.replace(/[:@].*$/, '');
  return name ? name.toLowerCase() : undefined;
}

/** A folder holding a Chart.yaml (always read, chunked scans too: chart metadata is context). */
function isChart(project: Project, dir: string): boolean {
  return project.yamlFileIndex(dir === '' ? 'Chart.yaml' : `${dir}/Chart.yaml`) >= 0;
}

/** Values files by path (the first release that loads one wins, in file order). */
export function terraformValuesFiles(project: Project): ReadonlyMap<string, TerraformValuesUse> {
  return memoFor(project, 'terraform:values-files', '', () => {
    const out = new Map<string, TerraformValuesUse>();
    const models = project.models<TerraformModel>('terraform');
    // template_file data sources by folder and label: a release may read one declared in another file of its module.
    const templates = new Map<string, string>();
    for (const { file, model } of models) for (const t of model.templateFiles ?? []) templates.set(`${dirname(file.path)}\0${t.label}`, t.path);
    for (const { file, model } of models) {
      for (const release of model.helmReleases ?? []) {
        for (const loaded of release.valueFiles ?? []) {
          const relative = loaded.path ?? templates.get(`${dirname(file.path)}\0${loaded.templateData}`);
          const path = relative === undefined ? undefined : joinWithinRoot(dirname(file.path), relative);
          if (path === undefined || out.has(path)) continue;
          const chart = chartName(release.chart);
          const local = release.chart && /^(\.\.?\/|\$\{path\.(module|root|cwd)\})/.test(release.chart) ? joinWithinRoot(dirname(file.path), release.chart.replace(/^\$\{path\.(module|root|cwd)\}\/?/, '')) : undefined;
          out.set(path, {
            ...(local !== undefined && isChart(project, local) ? { chartRoot: local } : {}),
            release: release.name ?? release.label,
            owner: `Terraform helm_release ${release.label}`,
            ...(chart ? { chart } : {}),
            templated: loaded.templated,
            file: file.path,
            line: loaded.line,
          });
        }
      }
    }
    return out;
  });
}
