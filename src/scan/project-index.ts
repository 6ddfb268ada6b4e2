/**
 * Lookup indexes over a Project, built once per project on first use, so rules that ask "which resources are in this
 * file?" or "is this folder a chart?" for every file stay linear in the tree size (at 100k files the scans of
 * `project.resources` per file were quadratic: seconds per rule). Same answers, same order as the linear scans
 * they replace. Kept beside Project (a WeakMap), so the index dies with the project.
 */
import type { ParsedFile } from '../analyzers/types.js';
import type { YamlFileModel } from '../analyzers/yaml.js';
import type { K8sResource } from '../k8s/resources.js';
import type { FileValuesBlock, Project } from './project.js';

interface Index {
  byFile?: Map<string, K8sResource[]>;
  resourceFiles?: Set<string>;
  chartRoots?: Set<string>;
  blocksByFile?: Map<ParsedFile<YamlFileModel>, FileValuesBlock[]>;
  memo: Map<string, unknown>;
}

const indexes = new WeakMap<Project, Index>();

function indexOf(project: Project): Index {
  let index = indexes.get(project);
  if (!index) {
    index = { memo: new Map() };
    indexes.set(project, index);
  }
  return index;
}

const NONE: readonly K8sResource[] = Object.freeze([]);

/** `project.resources.filter((r) => r.file === file)`, in the same order. */
export function resourcesInFile(project: Project, file: string): readonly K8sResource[] {
  const index = indexOf(project);
  if (!index.byFile) {
    index.byFile = new Map();
    for (const resource of project.resources) {
      const list = index.byFile.get(resource.file);
      if (list) list.push(resource);
      else index.byFile.set(resource.file, [resource]);
    }
  }
  return index.byFile.get(file) ?? NONE;
}

/** `project.resources.some((r) => r.file === file)`. */
export function hasResources(project: Project, file: string): boolean {
  const index = indexOf(project);
  index.resourceFiles ??= new Set(project.resources.map((r) => r.file));
  return index.resourceFiles.has(file);
}

/** `project.yamlFiles.some((f) => f.model.helm?.chartRoot === dir)`. */
export function isChartRoot(project: Project, dir: string): boolean {
  const index = indexOf(project);
  if (!index.chartRoots) {
    index.chartRoots = new Set();
    for (const f of project.yamlFiles as ParsedFile<YamlFileModel>[]) if (f.model.helm) index.chartRoots.add(f.model.helm.chartRoot);
  }
  return index.chartRoots.has(dir);
}

const NO_BLOCKS: readonly FileValuesBlock[] = Object.freeze([]);

/** `project.valuesBlocks.filter((b) => b.parsed === parsed)`, in the same order. */
export function valuesBlocksIn(project: Project, parsed: ParsedFile<YamlFileModel>): readonly FileValuesBlock[] {
  const index = indexOf(project);
  if (!index.blocksByFile) {
    index.blocksByFile = new Map();
    for (const block of project.valuesBlocks) {
      const list = index.blocksByFile.get(block.parsed);
      if (list) list.push(block);
      else index.blocksByFile.set(block.parsed, [block]);
    }
  }
  return index.blocksByFile.get(parsed) ?? NO_BLOCKS;
}

/**
 * Memoise a pure function of the project and a string key (e.g. a values path) for the project's lifetime. NAMESPACE
 * separates callers. Only for computations that read the project and nothing the caller mutates afterwards.
 */
export function memoFor<T>(project: Project, namespace: string, key: string, compute: () => T): T {
  const memo = indexOf(project).memo;
  const full = `${namespace}\0${key}`;
  if (memo.has(full)) return memo.get(full) as T;
  const value = compute();
  memo.set(full, value);
  return value;
}
