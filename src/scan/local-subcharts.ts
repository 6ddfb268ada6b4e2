import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A chart inside another chart's charts/ folder: `<parent>/charts/<name>/Chart.yaml`. */
const NESTED_CHART = /^(?:(.*)\/)?charts\/[^/]+\/Chart\.ya?ml$/;
const FILE_REPOSITORY = /^\s*-?\s*repository:\s*["']?file:\/\/([^"'\s#]+)/gm;

/**
 * Subchart folders that are the parent chart's own source (`repository: file://charts/source` in its Chart.yaml or
 * requirements.yaml), not packaged third-party charts: an umbrella chart's first-party parts. The default vendored glob
 * (`**\/charts/*\/charts/**`) is not meant for them.
 */
export function localSubchartDirs(root: string, paths: readonly string[]): Set<string> {
  const present = new Set(paths);
  const parents = new Set<string>();
  for (const p of paths) {
    const parent = NESTED_CHART.exec(p)?.[1];
    if (parent !== undefined && (present.has(`${parent}/Chart.yaml`) || present.has(`${parent}/Chart.yml`))) parents.add(parent);
  }
  const local = new Set<string>();
  for (const parent of parents) {
    for (const name of ['Chart.yaml', 'Chart.yml', 'requirements.yaml']) {
      if (!present.has(`${parent}/${name}`)) continue;
      let text: string;
      try {
        text = readFileSync(path.join(root, parent, name), 'utf8');
      } catch {
        continue;
      }
      for (const m of text.matchAll(FILE_REPOSITORY)) {
        const dir = path.posix.normalize(path.posix.join(parent, m[1]!)).replace(/\/+$/, '');
        if (!dir.startsWith('..')) local.add(dir);
      }
    }
  }
  return local;
}
