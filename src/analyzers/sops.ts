/**
 * SOPS-encrypted files: JSON, dotenv and INI as `sops --encrypt` writes them, with the names of their encrypted keys
 * and lines (never a ciphertext). A YAML file (Secret manifests, helm-secrets values; a Kubernetes object in JSON) gets
 * only a marker: sops-encrypted-secret reads its documents from the YAML analyzer's model. The marker keeps that rule
 * to the few files that hold ciphertext: a chunked scan judges every context file once per chunk, and a pass over all
 * their models is memory-bound (about 100 ms per pass at 100k files).
 */
import { basename } from '../util/path.js';
import { isDotenvPath } from './dotenv.js';
import type { Analyzer, FileContext } from './types.js';
import { lineCounter } from '../util/line-counter.js';

export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'ini';

export interface SopsKey {
  /** The key as the file names it (JSON: the innermost key; INI: `section.key`). None for YAML (see the header). */
  key: string;
  line: number;
}

export interface SopsFileModel {
  format: SopsFormat;
  keys: SopsKey[];
}

/** Every value SOPS encrypts is AES256-GCM ciphertext written as `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`. */
export const SOPS_CIPHERTEXT = 'ENC[AES256_GCM,';
/** A Kubernetes object in JSON: the YAML analyzer reads it (and the rule finds its `sops` block there). */
const KUBERNETES_JSON = /^\uFEFF?\s*\{\s*"(?:apiVersion|kind)"\s*:/;

/** The YAML analyzer's files (see yaml.ts): YAML by extension and `Kustomization`. */
const YAML_FILE = /\.ya?ml(\.gotmpl|\.template|\.tmpl|\.tpl|\.j2)?$|^Kustomization$/i;

function formatOf(path: string): SopsFormat | undefined {
  if (YAML_FILE.test(path)) return 'yaml';
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ini$/i.test(path)) return 'ini';
  if (isDotenvPath(path)) return 'dotenv';
  return undefined;
}


/** The `"sops": { … }` object of a JSON text, as offsets, so its own `mac` is not taken for a secret. */
function sopsObjectRange(text: string): [number, number] | undefined {
  const start = /"sops"\s*:\s*\{/.exec(text);
  if (!start) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start.index + start[0].length - 1; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return [start.index, i];
  }
  return [start.index, text.length];
}

function jsonKeys(text: string): SopsKey[] {
  const skip = sopsObjectRange(text);
  if (!skip) return [];
  const lineAt = lineCounter(text);
  const out: SopsKey[] = [];
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:\s*"ENC\[AES256_GCM,/g)) {
    if (m.index >= skip[0] && m.index <= skip[1]) continue;
    out.push({ key: m[1]!, line: lineAt(m.index) });
  }
  return out;
}

function lineKeys(text: string, format: 'dotenv' | 'ini'): SopsKey[] {
  const out: SopsKey[] = [];
  let section = '';
  let metadata = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const header = format === 'ini' ? /^\[([^\]]+)\]$/.exec(line) : null;
    if (header) {
      section = header[1]!.trim();
      return;
    }
    const m = /^(?:export\s+)?([^=\s#;][^=]*?)\s*=\s*ENC\[AES256_GCM,/.exec(line);
    if (!m) return;
    const key = m[1]!;
    if (format === 'dotenv' ? key.startsWith('sops_') : section === 'sops') {
      metadata = true;
      return;
    }
    out.push({ key: section ? `${section}.${key}` : key, line: index + 1 });
  });
  // Without SOPS's own metadata (`sops_mac=…`, a `[sops]` section) the ciphertext is pasted, not a SOPS file.
  return metadata ? out : [];
}

export const sopsAnalyzer: Analyzer<SopsFileModel> = {
  id: 'sops',
  claims: (file: FileContext) => formatOf(basename(file.path)) !== undefined,
  sniff: (text) => text.includes(SOPS_CIPHERTEXT),
  parse(text, file) {
    let format = formatOf(basename(file.path))!;
    if (format === 'json' && KUBERNETES_JSON.test(text)) format = 'yaml';
    if (format === 'yaml') return { format, keys: [] };
    const keys = format === 'json' ? jsonKeys(text) : lineKeys(text, format);
    return keys.length > 0 ? { format, keys } : undefined;
  },
};
