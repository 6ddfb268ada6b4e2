/**
 * Models stay in memory until every cross-file rule ran, so what each parsed file retains is what the scan's
 * memory grows by (issue 7). Parsers leave three kinds of waste in a fresh model, all invisible to rules:
 *
 * - substrings that pin the whole file text (V8 keeps a slice of 13+ characters as a view on its parent string,
 *   and a concatenation as a rope): 26 MB of retained file texts at 100k files;
 * - the same key or value text repeated in every file (`metadata`, `name`, `{{ .Release.Name }}`);
 * - arrays built with push() keep their growth slack (17 slots for one element).
 *
 * `intern` gives one flat copy per distinct text, `compactPlain` rewrites a plain model in place with interned
 * strings and exact-size arrays. Values, shapes and key order stay exactly as they were.
 */

/** Longer texts are only flattened: hashing them costs more than sharing them saves. */
const INTERN_MAX_LENGTH = 200;
/** The pool is a cache: past this many texts it starts over (a long-lived process must not grow with it). */
const POOL_LIMIT = 250_000;

let pool = new Map<string, string>();
/**
 * Sharing repeated texts pays in memory only on big trees; on a small one the hashing is pure cost (bitnami/charts,
 * 4,200 files: ~390k texts, about 0.2 s of CPU for ~15 MB). Flattening stays on either way: a slice would pin its
 * whole file text.
 */
let pooling = true;

/** A copy of TEXT that does not pin a parent string (V8 makes slices and ropes only from 13 characters on). */
function flat(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

/** One shared, flat instance per distinct text. */
export function intern(text: string): string {
  if (!pooling || text.length > INTERN_MAX_LENGTH) return flat(text);
  let shared = pool.get(text);
  if (shared === undefined) {
    if (pool.size >= POOL_LIMIT) pool = new Map();
    shared = flat(text);
    pool.set(shared, shared);
  }
  return shared;
}

/** Whether `intern` shares one instance per distinct text (true) or only flattens (false). */
export function setInternPooling(on: boolean): void {
  pooling = on;
}

/** Drop the pool (end of a scan's parsing): models keep their strings, the pool's index goes. */
export function clearInternPool(): void {
  pool = new Map();
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The one empty array of models compacted with `shareEmptyArrays` (frozen: nobody can fill it for everyone). */
const EMPTY: readonly never[] = Object.freeze([]);

export interface CompactOptions {
  /**
   * Every empty array becomes one shared frozen array (about 34 bytes each; a Dockerfile model has ~25). Only for
   * models whose readers never change an array in place.
   */
  shareEmptyArrays?: boolean;
}

/**
 * VALUE with every string interned and every array replaced by an exact-size copy, recursively; plain objects are
 * updated in place (their shape is the analyzer's), anything that is not a plain object or array is left alone.
 */
export function compactPlain<T>(value: T, options: CompactOptions = {}): T {
  return compactValue(value, 0, options.shareEmptyArrays === true) as T;
}

function compactValue(value: unknown, depth: number, shareEmpty: boolean): unknown {
  if (typeof value === 'string') return intern(value);
  if (value === null || typeof value !== 'object' || depth > 200) return value;
  if (Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    if (shareEmpty && value.length === 0) return EMPTY;
    const copy = value.slice();
    for (let i = 0; i < copy.length; i++) if (i in copy) copy[i] = compactValue(copy[i], depth + 1, shareEmpty);
    return copy;
  }
  if (!isPlainObject(value)) return value;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item !== null && (typeof item === 'string' || typeof item === 'object')) value[key] = compactValue(item, depth + 1, shareEmpty);
  }
  return value;
}
