import type { HelmBlockAction } from '../analyzers/yaml.js';
import { isMap, isScalar, type PEntry } from '../yaml/model.js';
import type { K8sResource } from './resources.js';

export interface SecretDataBlock {
  section: 'data' | 'stringData';
  block: HelmBlockAction;
  /** `mapbox_token: |` with the block on the next line: the block is that key's value, not entries of the map. */
  owner?: PEntry;
}

/**
 * The block injections of a templated Secret that write its `data:`/`stringData:` (`{{- toYaml .Values.secrets |
 * nindent 2 }}`, `{{- include "x.secretData" . | nindent 2 }}`) or one key's block value: where the YAML text keeps a
 * blank line, the output of the block goes.
 */
export function secretDataBlocks(resource: K8sResource): SecretDataBlock[] {
  const blocks = resource.helm?.blocks;
  if (!blocks || blocks.length === 0) return [];
  const out: SecretDataBlock[] = [];
  const entries = resource.node.entries;
  // The last entry's blank injection lines lie past the map's own end: up to the next document (or the file's end).
  const nextDoc = resource.valuesPath === undefined ? resource.parsed.model.docs.find((d) => d.index > resource.docIndex) : undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.key !== 'stringData' && e.key !== 'data') continue;
    const next = entries.slice(i + 1).find((x) => x.line > e.line);
    const last = next ? next.line - 1 : nextDoc ? nextDoc.line - 1 : Number.MAX_SAFE_INTEGER;
    // The keys' own indentation: a block indented deeper fills one key's value (`rabbitmq.conf: |-` then an include).
    const keysAt = isMap(e.value) && e.value.entries.length > 0 ? e.value.entries[0]!.column - 1 : undefined;
    for (const block of blocks) {
      if (block.line < e.line || block.line > last) continue;
      const owner = isMap(e.value) ? e.value.entries.find((k) => isScalar(k.value) && k.value.style === 'block' && block.line > k.line && block.line <= k.value.endLine) : undefined;
      if (owner) {
        out.push({ section: e.key, block, owner });
        continue;
      }
      const indent = /\bn?indent\s+(\d+)/.exec(block.expr)?.[1];
      // Without an indent function the output keeps the define's own indentation (`{{- template "x.password" . }}`
      // under `data:`, the define writing `  KEY: {{ … }}` lines): on a line of its own below the key, it adds entries.
      const fillsTheMap = indent === undefined ? block.line >= e.line : keysAt === undefined ? Number(indent) > e.column - 1 : Number(indent) === keysAt;
      if (fillsTheMap) out.push({ section: e.key, block });
    }
  }
  return out;
}
