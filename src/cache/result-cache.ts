/**
 * Whole-result cache: a re-scan of an unchanged tree reuses the previous run's findings, inventory and diagnostics
 * without reading a file, loading the parse cache or running a rule.
 *
 * Reuse needs the same key (format, tool version, build id of the installed code, config hash, rule ids, analyzer
 * ids) and the same listing: every candidate file's path with its size, mtime and ctime (or why it cannot be
 * stat'ed; the ctime catches an edit whose size and mtime were put back, as by `cp -p`),
 * in discovery order. Any file added, removed, renamed or modified changes the listing; any config change (rules,
 * environments, suppressions, fingerprint key, include/exclude, size limit) changes the key.
 *
 * What is stored is the state BEFORE suppressions and the baseline: on reuse, inline `footprint-ignore` comments
 * and config suppressions (expiry depends on "now") are applied again and the baseline is marked again, exactly as
 * a fresh scan does after its rules. The inventory does not read suppression or baseline marks.
 *
 * Racy stats: a file modified in the same clock tick as the scan that read it could keep its size and mtime. A
 * result is not stored when any candidate changed within RACY_MS of the scan's start (like git's racy-index rule).
 *
 * Walking the tree costs more than everything else a reuse does, so a result found by a glob walk also stores the
 * walk's folders with their mtimes and the .gitignore files with their stats (the tree). A folder's mtime changes
 * whenever an entry is added to, removed from or renamed in it; while no folder and no .gitignore changed, the walk
 * would list the same files, so the next run stats the stored folders and files instead of walking. git listings
 * are not stored this way: what git lists also depends on its index and exclude files.
 *
 * One slot per root (ROOT/.footprint-cache/result-v1.json), written atomically (temp file + rename): concurrent
 * runs see an old or a new result, never a torn one; the last writer wins. Cache I/O never fails a scan.
 */
import { ensureCacheDir, writeAtomically } from './dir.js';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Finding, InventoryEntry, ScanResult, Summary } from '../types.js';
import { statSourceInto, type ReadFailure, type StatOutcome } from '../scan/read.js';
import { buildId, CACHE_DIR } from './build-id.js';
import { rowFinder } from '../util/row-finder.js';
import { oidAt, type ObjectIds } from '../scan/discover.js';

const FORMAT = 5; // 3: listings and trees include ctimes; 4: listing hash over one array of stat numbers; 5: header line + raw or rendered body
export const RESULT_FILE = `result-v${FORMAT}.json`;
const RACY_MS = 2000;

export interface RawScan {
  /** Sorted, before suppressions and baseline marks. */
  findings: Finding[];
  /** Reading, parsing and rule diagnostics (not the suppression ones), unsorted. */
  diagnostics: Diagnostic[];
  inventory: InventoryEntry[];
  counts: Summary['files'];
  /**
   * Files with findings that held no `footprint-ignore` when suppressions were applied after the scan: a reuse
   * (same listing, so the same file contents) does not read them again. Missing: every file is read.
   */
  unmarked?: string[];
}

export interface ResultKeyParts {
  toolVersion: string;
  configHash: string;
  /** The rules run; the registry's own are identified by the build id. */
  ruleIds: readonly string[] | 'registry';
  analyzerIds: readonly string[] | 'registry';
  /** Identifies the installed code; default: buildId(). */
  buildId?: string;
}

export interface Listing {
  hash: string;
  /** Latest mtime among the candidates (0 when none could be stat'ed). */
  newestMtimeMs: number;
  /** The stat of each candidate, by path, for the reader to reuse (its index built when first asked for). */
  readonly stats: StatLookup;
  /**
   * With git's object ids (see withOids): the hash with each file git vouches for counted by its size and id, not
   * its times; and the latest mtime among the other files (git handles the racy case of those it vouches for).
   */
  readonly ids?: { hash: string; newestMtimeMs: number };
  /** How many candidates changed (their ctime) after MS. */
  changedSince(ms: number): number;
  /** This listing with git's object id of each file that has one, given to the reader's stats as `oid`. */
  withOids(oids: ObjectIds): Listing;
}

/** Stats by path. A lookup over the listing's numbers: a Map of an outcome per file was 40 MB at 300k files. */
export interface StatLookup {
  get(path: string): StatOutcome | undefined;
}

export function resultKey(parts: ResultKeyParts): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, parts.toolVersion, parts.buildId ?? buildId(), parts.configHash, parts.ruleIds, parts.analyzerIds]))
    .digest('hex');
}

/**
 * Stat every candidate (in order) and hash the paths, each one's size, mtime and ctime, and the reason any cannot be
 * read. The numbers go to one Float64Array and everything is hashed in three updates: a re-scan of an unchanged
 * tree does little else, and per-file hash updates, strings and retained stat objects cost more than the stats
 * themselves in a fresh process (bitnami, 4,200 files: 37-43 ms -> 23-26 ms, the bare stats 19-29 ms; statSourceInto spares the object per file).
 */
export function statListing(root: string, files: readonly string[], maxFileSize: number): Listing {
  const numbers = new Float64Array(files.length * 3);
  const failures: [index: number, failure: ReadFailure][] = [];
  let failureText = '';
  let newest = 0;
  for (let i = 0; i < files.length; i++) {
    const failure = statSourceInto(root, files[i]!, maxFileSize, numbers, i);
    if (failure === undefined) {
      if (numbers[3 * i + 1]! > newest) newest = numbers[3 * i + 1]!;
    } else {
      // A size cannot be negative: a failed stat never hashes like a file's numbers.
      numbers[3 * i] = -1;
      failures.push([i, failure]);
      failureText += `${i}\0${failure.diagnostic.code}\0${failure.diagnostic.message}\n`;
    }
  }
  // Paths cannot hold a NUL: joined by one, the list reads back one way only.
  const pathsText = `${files.length}\n${files.join('\0')}\n`;
  const hash = createHash('sha256').update(pathsText).update(numbers).update(failureText).digest('hex');
  const failed = new Map(failures);
  // Made on the first lookup: a re-scan answered by the stored result never looks one up.
  let rowOf: ((path: string) => number) | undefined;
  const listing = (ids?: Listing['ids'], oids?: ObjectIds): Listing => ({
    hash,
    newestMtimeMs: newest,
    ...(ids ? { ids } : {}),
    stats: {
      get(path) {
        rowOf ??= rowFinder(files);
        const i = rowOf(path);
        if (i < 0) return undefined;
        const failure = failed.get(i);
        if (failure) return failure;
        const stat = { ok: true as const, size: numbers[3 * i]!, mtimeMs: numbers[3 * i + 1]!, ctimeMs: numbers[3 * i + 2]! };
        const oid = oids && oidAt(oids, i);
        return oid ? { ...stat, oid } : stat;
      },
    },
    changedSince(ms) {
      let changed = 0;
      for (let i = 0; i < files.length; i++) if (numbers[3 * i + 2]! > ms) changed++;
      return changed;
    },
    withOids(packed) {
      // A vouched file counts by its size and id: a fresh clone (a CI runner) gives every file new times, not new ids.
      const hashed = numbers.slice();
      let newestOther = 0;
      for (let i = 0; i < files.length; i++) {
        if (hashed[3 * i]! < 0) continue;
        if (packed.has[i]) hashed[3 * i + 1] = hashed[3 * i + 2] = 0;
        else if (hashed[3 * i + 1]! > newestOther) newestOther = hashed[3 * i + 1]!;
      }
      const idHash = createHash('sha256').update('ids\n').update(pathsText).update(hashed).update(packed.has).update(packed.bytes).update(failureText).digest('hex');
      return listing({ hash: idHash, newestMtimeMs: newestOther }, packed);
    },
  });
  return listing();
}

/** A glob walk's folders and .gitignore files with their stats, and the files it listed (in order). */
export interface Tree {
  /** The ctime moves with the mtime when entries change, and also when the mtime is set back. */
  dirs: [path: string, mtimeMs: number, ctimeMs: number][];
  ignoreFiles: [path: string, size: number, mtimeMs: number, ctimeMs: number][];
  files: string[];
}

/**
 * The finished result rendered as the JSON report, with a placeholder where generatedAt goes. Stored instead of the
 * raw scan when nothing could change it after the rules (no baseline, no config suppression, no footprint-ignore in
 * any file with findings): a reuse then writes these bytes with the date spliced in, without building or rendering
 * the result again.
 */
export interface Rendered {
  /** The result (generatedAt: the placeholder), parsed from the text. */
  result: ScanResult;
  text: string;
  /** Offset in text of the placeholder's JSON string. */
  at: number;
}

const GENERATED_AT_PLACEHOLDER = 'footprint:generated-at';
const PLACEHOLDER_JSON = JSON.stringify(GENERATED_AT_PLACEHOLDER);

/** Where the JSON reporter (two-space indents) puts the top-level generatedAt: no string can hold a raw line break. */
const GENERATED_AT_KEY = '\n  "generatedAt": ';

/**
 * RESULT's JSON report, as a body to store: the report itself (what the scan hands out) and where its generatedAt
 * value is (`at`, `dated` characters long), which the stored text has the placeholder in place of (see saveResult).
 * Undefined when the report does not have generatedAt where the JSON reporter puts it.
 */
export async function renderedBody(result: ScanResult, renderJson: (result: ScanResult) => Promise<string>): Promise<{ text: string; at: number; dated: number } | undefined> {
  const text = await renderJson(result);
  const key = text.indexOf(GENERATED_AT_KEY);
  const date = JSON.stringify(result.generatedAt);
  const at = key + GENERATED_AT_KEY.length;
  return key >= 0 && text.startsWith(date, at) ? { text, at, dated: date.length } : undefined;
}

/** The rendered result with its generatedAt: the object and its JSON report. */
export function withGeneratedAt(rendered: Rendered, generatedAt: string): { result: ScanResult; json: string } {
  const json = `${rendered.text.slice(0, rendered.at)}${JSON.stringify(generatedAt)}${rendered.text.slice(rendered.at + PLACEHOLDER_JSON.length)}`;
  return { result: { ...rendered.result, generatedAt }, json };
}

/** The raw scan behind a rendered result: nothing was suppressed or marked, every file with findings unmarked. */
export function rawOfRendered(rendered: Rendered): RawScan {
  const { findings, inventory, diagnostics, summary } = rendered.result;
  const files = new Set(findings.map((f) => f.file).filter((f) => f !== '.' && f !== ''));
  return { findings, inventory, diagnostics, counts: summary.files, unmarked: [...files] };
}

export interface StoredResult {
  key: string;
  /** The listing's hash by stats; '' when its stats were racy. */
  listing: string;
  /** The listing's hash by git's ids (see Listing.ids). */
  ids?: string;
  /** When the run that stored it started (ms). */
  storedAt?: number;
  tree?: Tree;
  /**
   * What follows the header: the raw scan or the rendered result, parsed by openBody only once the listing matched
   * (a miss never parses it, and the stats do not run with its objects live in the young generation).
   */
  body: { kind: 'raw' | 'rendered'; text: string; at?: number; dated?: number };
}

/** The stored body parsed, or undefined when malformed. */
export function openBody(body: StoredResult['body']): { raw: RawScan } | { rendered: Rendered } | undefined {
  try {
    if (body.kind === 'raw') {
      const raw = JSON.parse(body.text) as RawScan;
      if (!raw || !isArrays(raw as unknown as Record<string, unknown>, 'findings', 'diagnostics', 'inventory') || !raw.counts) return undefined;
      if (raw.unmarked !== undefined && !(Array.isArray(raw.unmarked) && raw.unmarked.every((f) => typeof f === 'string'))) return undefined;
      return { raw };
    }
    if (body.kind === 'rendered' && typeof body.at === 'number' && body.text.startsWith(PLACEHOLDER_JSON, body.at)) {
      const result = JSON.parse(body.text) as ScanResult;
      if (!result || !isArrays(result as unknown as Record<string, unknown>, 'findings', 'diagnostics', 'inventory') || !result.summary?.files) return undefined;
      return { rendered: { result, text: body.text, at: body.at } };
    }
  } catch {
    // malformed: as if nothing were stored
  }
  return undefined;
}

/**
 * The file: a one-line JSON header (format, key, listing, tree; the tree's files joined by NULs, which parses in a
 * third of the time of an array of strings) and, after the newline, the body: the raw scan as JSON or the rendered
 * result. JSON.stringify never writes a raw newline, so the first one ends the header.
 */
interface Header {
  format: number;
  key: string;
  listing: string;
  ids?: string;
  storedAt?: number;
  body: 'raw' | 'rendered';
  at?: number;
  tree?: { dirs: Tree['dirs']; ignoreFiles: Tree['ignoreFiles']; files: string };
}

function isArrays(value: Record<string, unknown>, ...fields: string[]): boolean {
  return fields.every((f) => Array.isArray(value[f]));
}

/** The stored result of this key, or undefined (missing, other key or format, unreadable, malformed). */
export function readStoredResult(root: string, key: string): StoredResult | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(root, CACHE_DIR, RESULT_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const newline = text.indexOf('\n');
    if (newline < 0) return undefined;
    const header = JSON.parse(text.slice(0, newline)) as Partial<Header>;
    if (!header || header.format !== FORMAT || header.key !== key || typeof header.listing !== 'string') return undefined;
    const bodyText = text.slice(newline + 1);
    const t = header.tree;
    const tree = t && Array.isArray(t.dirs) && Array.isArray(t.ignoreFiles) && typeof t.files === 'string' ? { dirs: t.dirs, ignoreFiles: t.ignoreFiles, files: t.files === '' ? [] : t.files.split('\0') } : undefined;
    if (header.body !== 'raw' && header.body !== 'rendered') return undefined;
    const body = { kind: header.body, text: bodyText, ...(typeof header.at === 'number' ? { at: header.at } : {}) };
    const ids = typeof header.ids === 'string' ? { ids: header.ids } : {};
    const storedAt = typeof header.storedAt === 'number' ? { storedAt: header.storedAt } : {};
    return { key: header.key, listing: header.listing, ...ids, ...storedAt, ...(tree ? { tree } : {}), body };
  } catch {
    return undefined;
  }
}

function timesOf(file: string): { mtimeMs: number; ctimeMs: number } | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** The stats of a walk, or undefined when a folder or .gitignore changed too recently to be trusted (racy). */
export function snapshotTree(root: string, walked: { dirs: readonly string[]; ignoreFiles: readonly string[] }, files: readonly string[], startedAtMs: number): Tree | undefined {
  const dirs: Tree['dirs'] = [];
  for (const dir of walked.dirs) {
    const times = timesOf(path.join(root, dir));
    if (times === undefined || times.mtimeMs >= startedAtMs - RACY_MS) return undefined;
    dirs.push([dir, times.mtimeMs, times.ctimeMs]);
  }
  const ignoreFiles: Tree['ignoreFiles'] = [];
  for (const file of walked.ignoreFiles) {
    try {
      const stat = statSync(path.join(root, file));
      if (stat.mtimeMs >= startedAtMs - RACY_MS) return undefined;
      ignoreFiles.push([file, stat.size, stat.mtimeMs, stat.ctimeMs]);
    } catch {
      return undefined;
    }
  }
  return { dirs, ignoreFiles, files: [...files] };
}

/** True when no stored folder and no .gitignore changed since the walk: a new walk would list tree.files. */
export function treeUnchanged(root: string, tree: Tree): boolean {
  for (const [dir, mtimeMs, ctimeMs] of tree.dirs) {
    const times = timesOf(`${root}/${dir}`);
    if (times?.mtimeMs !== mtimeMs || times.ctimeMs !== ctimeMs) return false;
  }
  for (const [file, size, mtimeMs, ctimeMs] of tree.ignoreFiles) {
    try {
      const stat = statSync(path.join(root, file));
      if (stat.size !== size || stat.mtimeMs !== mtimeMs || stat.ctimeMs !== ctimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The raw scan (FINDINGS_JSON: the findings serialised before suppressions touched them) as a stored body. */
export function rawBody(raw: { findingsJson: string; diagnostics: readonly Diagnostic[]; inventory: readonly InventoryEntry[]; counts: Summary['files']; unmarked?: readonly string[] }): StoredResult['body'] {
  const text =
    `{"findings":${raw.findingsJson},"diagnostics":${JSON.stringify(raw.diagnostics)},"inventory":${JSON.stringify(raw.inventory)},` +
    `"counts":${JSON.stringify(raw.counts)}${raw.unmarked ? `,"unmarked":${JSON.stringify(raw.unmarked)}` : ''}}`;
  return { kind: 'raw', text };
}

/** False when a candidate changed within the racy window of the scan's start: saveResult would not store. */
export function storable(listing: Listing, startedAtMs: number): boolean {
  return statsStorable(listing, startedAtMs) || idsStorable(listing, startedAtMs);
}

/** The listing's ids may be stored: none of the files git does not vouch for changed within the racy window. */
function idsStorable(listing: Listing, startedAtMs: number): boolean {
  return !!listing.ids && listing.ids.newestMtimeMs < startedAtMs - RACY_MS;
}

/** The listing's stats alone may be stored: no candidate changed within the racy window of the scan's start. */
export function statsStorable(listing: Listing, startedAtMs: number): boolean {
  return listing.newestMtimeMs < startedAtMs - RACY_MS;
}

/** The stored result was made from the same files: by their stats, or by git's ids (see Listing.ids). */
export function sameListing(stored: StoredResult, listing: Listing): boolean {
  return (stored.listing !== '' && stored.listing === listing.hash) || (!!listing.ids && stored.ids === listing.ids.hash);
}

/** Store a body (rawBody, or a rendered result) with the listing and tree. Returns false when not stored: racy listing or a write error. */
export function saveResult(root: string, key: string, listing: Listing, startedAtMs: number, body: StoredResult['body'], tree?: Tree): boolean {
  if (!storable(listing, startedAtMs)) return false;
  const dir = path.join(root, CACHE_DIR);
  try {
    ensureCacheDir(dir);
    const header: Header = {
      format: FORMAT,
      key,
      // Racy stats are not stored: a listing stored by ids alone matches by ids alone.
      listing: statsStorable(listing, startedAtMs) ? listing.hash : '',
      ...(listing.ids && idsStorable(listing, startedAtMs) ? { ids: listing.ids.hash } : {}),
      storedAt: startedAtMs,
      body: body.kind,
      ...(body.at !== undefined ? { at: body.at } : {}),
      ...(tree ? { tree: { dirs: tree.dirs, ignoreFiles: tree.ignoreFiles, files: tree.files.join('\0') } } : {}),
    };
    // A report rendered with its own date is stored with the placeholder there instead, in pieces: no copy of it.
    const text = body.dated === undefined || body.at === undefined ? [body.text] : [body.text.slice(0, body.at), PLACEHOLDER_JSON, body.text.slice(body.at + body.dated)];
    writeAtomically(path.join(dir, RESULT_FILE), [`${JSON.stringify(header)}\n`, ...text]);
    // Slots of earlier formats are never read again.
    for (let format = 1; format < FORMAT; format++) rmSync(path.join(dir, `result-v${format}.json`), { force: true });
    return true;
  } catch {
    return false;
  }
}
