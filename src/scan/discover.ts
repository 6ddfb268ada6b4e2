import { existsSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Ignore } from 'ignore';
import type { ResolvedConfig } from '../config/types.js';
import { DEFAULT_EXCLUDES, WALK_ONLY_EXCLUDES } from '../config/defaults.js';
import { dirname } from '../util/path.js';

export interface DiscoveredFile {
  /** POSIX, relative to root. */
  path: string;
  symlink: boolean;
}

export interface Discovery {
  files: DiscoveredFile[];
  via: 'git' | 'glob';
  /**
   * Glob walks only: every folder walked ('.' first) and every .gitignore read. While none of these changed, a walk
   * would list the same files (see result-cache's tree check).
   */
  walked?: { dirs: string[]; ignoreFiles: string[] };
}

/** Could git see a work tree at ROOT? git finds one through a `.git` in ROOT or a parent folder, or GIT_DIR. */
export function mayBeInGitWorkTree(root: string): boolean {
  if (process.env.GIT_DIR) return true;
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

type Git = (args: string[]) => Promise<Buffer>;

async function gitAt(root: string, signal?: AbortSignal): Promise<Git> {
  const { execFile } = await import('node:child_process');
  return (args) =>
    new Promise<Buffer>((resolve, reject) =>
      execFile('git', ['-C', root, ...args], { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024, ...(signal ? { signal } : {}) }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
}

/** A `--full-name` path as relative to ROOT: without the prefix `git rev-parse --show-prefix` gives. */
function relativeTo(prefix: string): (p: string) => string {
  return (p) => (prefix && p.startsWith(prefix) ? p.slice(prefix.length) : p);
}

/**
 * Tracked plus untracked-but-not-ignored files, when ROOT is inside a git work tree. A path in conflict is listed
 * once (the index holds it at up to three stages, listed one after another). Undefined when git fails: the caller
 * walks instead. Synchronous: nothing else is to be done meanwhile, and the asynchronous call peaked 10-25 MB higher
 * on a 100k-file repository.
 */
async function gitListing(root: string): Promise<string[] | undefined> {
  // Loaded here (~1 ms): a re-scan answered from the stored tree never runs git.
  const { execFileSync } = await import('node:child_process');
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name', '.'], {
      encoding: 'buffer',
      maxBuffer: 1024 * 1024 * 512,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const prefix = execFileSync('git', ['-C', root, 'rev-parse', '--show-prefix'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out
      .toString('utf8')
      .split('\0')
      .filter((p, i, all) => p !== '' && p !== all[i - 1])
      .map(relativeTo(prefix));
  } catch {
    return undefined;
  }
}

/**
 * For each of FILES (relative to ROOT, as a git listing gave them), the object id git's index holds when it is a
 * tracked regular file git finds unmodified in the work tree: it names the file's content without a read (the
 * caches key on it, see result-cache's Listing.withOids); undefined for the others
 * (untracked, modified, in conflict, links, submodules, files git does not look at: assume-unchanged, skip-worktree),
 * and undefined as a whole when git fails.
 * Two git commands at once: the index's modes and ids, and the modified files (git stats every tracked file and
 * reads those whose stat it cannot trust). SIGNAL stops them (the answer is then undefined).
 */
export async function gitObjectIds(root: string, files: readonly string[], signal?: AbortSignal): Promise<ObjectIds | undefined> {
  let staged: Buffer;
  let modifiedOut: Buffer;
  let relative: (p: string) => string;
  try {
    const git = await gitAt(root, signal);
    let prefix: Buffer;
    [staged, modifiedOut, prefix] = await Promise.all([git(['ls-files', '-z', '-s', '-v', '--full-name', '.']), git(['ls-files', '-z', '-m', '--full-name', '.']), git(['rev-parse', '--show-prefix'])]);
    relative = relativeTo(prefix.toString('utf8').trim());
  } catch {
    return undefined;
  }
  const modified = new Set(modifiedOut.toString('utf8').split('\0').filter(Boolean).map(relative));
  // Where each vouched path's id starts in the output (-1: none), and how long ids are (40 hex for SHA-1, 64 for SHA-256).
  const idAt = new Map<string, number>();
  let hexLength = 0;
  for (let start = 0; start < staged.length; ) {
    let end = staged.indexOf(0, start);
    if (end < 0) end = staged.length;
    // "TAG MODE OID STAGE\tPATH" (-v: the tag is lowercase for a file marked assume-unchanged)
    const record = start;
    start = end + 1;
    const tab = staged.indexOf(0x09, record);
    if (tab < 0 || tab >= end) continue;
    const p = relative(staged.toString('utf8', tab + 1, end));
    // git checks only files tagged H: it takes one marked assume-unchanged (h) or skip-worktree (S) as unmodified
    // without looking, and `-m` never lists it however it was edited.
    const mode = staged.toString('latin1', record + 2, record + 8);
    const vouched = staged[record] === 0x48 /* H */ && staged[record + 1] === 0x20 && (mode === '100644' || mode === '100755') && staged[record + 8] === 0x20 && staged[tab - 1] === 0x30 && staged[tab - 2] === 0x20 && !idAt.has(p) && !modified.has(p);
    idAt.set(p, vouched ? record + 9 : -1);
    if (vouched) hexLength = tab - 2 - (record + 9);
  }
  const width = hexLength >> 1;
  const ids: ObjectIds = { width, has: new Uint8Array(files.length), bytes: Buffer.alloc(files.length * width) };
  files.forEach((file, i) => {
    const at = idAt.get(file);
    if (at === undefined || at < 0) return;
    // write stops at the first character that is not hex: only a whole id counts.
    if (ids.bytes.write(staged.toString('latin1', at, at + hexLength), i * width, width, 'hex') === width) ids.has[i] = 1;
  });
  return ids;
}

/** Object ids of a list of files, as bytes of one width, with a flag per file that has one. */
export interface ObjectIds {
  width: number;
  has: Uint8Array;
  bytes: Buffer;
}

/** The hex object id of file I, if it has one. */
export function oidAt(ids: ObjectIds, i: number): string | undefined {
  return ids.has[i] ? ids.bytes.toString('hex', i * ids.width, (i + 1) * ids.width) : undefined;
}

/** .gitignore files anywhere in the tree, each applying to its own folder, as git does. */
function gitignoreFilter(ignore: (options?: object) => Ignore, root: string, ignoreFiles: string[]): (file: string) => boolean {
  const rules: { dir: string; matcher: Ignore }[] = [];
  for (const file of ignoreFiles) {
    try {
      rules.push({ dir: dirname(file) === '.' ? '' : dirname(file), matcher: ignore().add(readFileSync(path.join(root, file), 'utf8')) });
    } catch {
      // An unreadable .gitignore ignores nothing; the file itself is reported by the reader if it matters.
    }
  }
  return (file) =>
    rules.some(({ dir, matcher }) => {
      if (dir && !file.startsWith(`${dir}/`)) return false;
      return matcher.ignores(dir ? file.slice(dir.length + 1) : file);
    });
}

/**
 * Default excludes name output folders (dist, build, ...); their globs match a file of that name too (`script/build`,
 * `bin/dist` in the scripts-to-rule-them-all layout). Those whose name is also a common file name are matched on a
 * file's folder only, and are not handed to the walk (which would drop such files); the others still prune the walk.
 */
const FOLDER_ONLY_NAMES = new Set(['build', 'dist', 'target']);

interface Excludes {
  /** Matched against the file path: the config's own excludes and the defaults no file is named after. */
  files: string[];
  /** Matched against the file's folder only. */
  folders: string[];
}

function splitExcludes(exclude: readonly string[], listing: 'git' | 'glob'): Excludes {
  const out: Excludes = { files: [], folders: [] };
  exclude.forEach((glob, i) => {
    const isDefault = i < DEFAULT_EXCLUDES.length && glob === DEFAULT_EXCLUDES[i];
    // A git listing keeps what git tracks under build/ (WALK_ONLY_EXCLUDES).
    if (isDefault && listing === 'git' && WALK_ONLY_EXCLUDES.has(glob)) return;
    const name = /^\*\*\/([^/*]+)\/\*\*$/.exec(glob)?.[1];
    if (isDefault && name !== undefined && FOLDER_ONLY_NAMES.has(name)) out.folders.push(glob);
    else out.files.push(glob);
  });
  return out;
}

type GlobsMatcher = typeof import('../util/glob.js').globsMatcher;

function excludedBy(globsMatcher: GlobsMatcher, excludes: Excludes): (file: string) => boolean {
  const files = globsMatcher(excludes.files);
  const folders = globsMatcher(excludes.folders);
  return (file) => {
    if (files(file)) return true;
    const slash = file.lastIndexOf('/');
    return slash > 0 && folders(file.slice(0, slash));
  };
}

export async function discover(root: string, config: ResolvedConfig, options: { useGit?: boolean; onWalk?: () => void } = {}): Promise<Discovery> {
  // Loaded here, like fast-glob and ignore below: a re-scan answered from the stored tree never calls discover.
  const { globsMatcher } = await import('../util/glob.js');
  const include = globsMatcher(config.include);
  const walkExcludes = splitExcludes(config.exclude, 'glob');
  const excluded = excludedBy(globsMatcher, walkExcludes);
  const keep = (p: string) => include(p) && !excluded(p);
  const fromGit = options.useGit === false || !mayBeInGitWorkTree(root) ? undefined : await gitListing(root);
  if (fromGit) {
    const tracked = excludedBy(globsMatcher, splitExcludes(config.exclude, 'git'));
    // git does not say which entries are links; the reader stats each file and reports loops and dangling links.
    return { files: fromGit.filter((p) => include(p) && !tracked(p)).sort().map((p) => ({ path: p, symlink: false })), via: 'git' };
  }
  // Loaded here: a re-scan that the result cache answers never walks the tree, so never pays for loading these.
  const { default: ignore } = await import('ignore');
  options.onWalk?.();
  const pruned = prunedFolderNames(config.include, walkExcludes.files);
  // The synchronous walk: nothing else runs meanwhile, and the promise walk's thread-pool round trip per folder
  // costs more than the readdir itself (100k files: 1.1-2.3 s against 0.45-0.52 s; bitnami: 32-62 against 16-19 ms).
  const entries: WalkEntry[] = pruned
    ? walkTree(root, pruned)
    : (await import('fast-glob')).default.sync(config.include, {
        cwd: root,
        dot: true,
        onlyFiles: false,
        followSymbolicLinks: false,
        objectMode: true,
        ignore: walkExcludes.files,
        suppressErrors: true,
      });
  // The walk over everything applied the include and the folder-name excludes already: only the folder-only ones are left.
  const folderExcluded = pruned && excludedBy(globsMatcher, { files: [], folders: walkExcludes.folders });
  const keepWalked = folderExcluded ? (p: string) => !folderExcluded(p) : keep;
  const ignoreFiles = entries.filter((e) => e.name === '.gitignore' && e.dirent.isFile()).map((e) => e.path);
  const ignored = gitignoreFilter(ignore, root, ignoreFiles);
  const files = entries
    .filter((e) => !e.dirent.isDirectory())
    .filter((e) => keepWalked(e.path) && !ignored(e.path))
    .map((e) => ({ path: e.path, symlink: e.dirent.isSymbolicLink() }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // With a narrower include, fast-glob walks folders it does not return, so the walked set is only known for **/*.
  const walkedAll = config.include.length === 1 && config.include[0] === '**/*';
  const dirs = walkedAll ? ['.', ...entries.filter((e) => e.dirent.isDirectory()).map((e) => e.path).sort()] : undefined;
  return { files, via: 'glob', ...(dirs ? { walked: { dirs, ignoreFiles: ignoreFiles.sort() } } : {}) };
}

/** A walked entry, as fast-glob's object mode gives it. */
interface WalkEntry {
  path: string;
  name: string;
  dirent: Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink'>;
}

// The folder names a walk over everything (the include `**` + `/*`) prunes, when every walk exclude names a folder
// anywhere (`**` + `/node_modules/**`, as the defaults do); undefined for other globs, which fast-glob walks.
export function prunedFolderNames(include: readonly string[], excludes: readonly string[]): Set<string> | undefined {
  if (include.length !== 1 || include[0] !== '**/*') return undefined;
  const names = new Set<string>();
  for (const glob of excludes) {
    const name = /^\*\*\/([\w.-]+)\/\*\*$/.exec(glob)?.[1];
    if (name === undefined || name === '.' || name === '..') return undefined;
    names.add(name);
  }
  return names;
}

// Every entry under ROOT (folders, files, links, not followed), but those named in PRUNED and what they hold: what
// fast-glob lists for everything with `dot`, `onlyFiles: false` and those excludes, without its per-entry matching
// and objects (discovery of the 100k-file tree: 0.82-0.95 -> 0.59-0.65 s; bitnami/charts: 81-91 -> 56-61 ms).
// Unreadable folders are passed over, as fast-glob's `suppressErrors` does. Paths are joined flat (a `+` or template
// would leave a rope that every later hash, match and comparison flattens: the scan took 0.3 s longer).
export function walkTree(root: string, pruned: ReadonlySet<string>): WalkEntry[] {
  const out: WalkEntry[] = [];
  const folders = [''];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(folder === '' ? root : `${root}/${folder}`, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const dirent of dirents) {
      const { name } = dirent;
      // The exclude matches the entry of that name itself too, a file's as well as a folder's.
      if (pruned.has(name)) continue;
      const entryPath = folder === '' ? name : [folder, name].join('/');
      out.push({ path: entryPath, name, dirent });
      if (dirent.isDirectory()) folders.push(entryPath);
    }
  }
  return out;
}
