/**
 * A lookup of a path's index in FILES (-1: not there). The lists it serves are sorted (discovery sorts, and so does
 * the parse cache's index) and asked in about that order: a search forward from the last answer finds most paths in
 * a step or two, without a map from path to index (3.7 MB at 100k files, held for a whole analysis). An unsorted
 * list gets the map.
 */
export function rowFinder(files: readonly string[]): (path: string) => number {
  if (!isStrictlySorted(files)) {
    let rows: Map<string, number> | undefined;
    return (path) => {
      if (!rows) {
        rows = new Map();
        for (let i = 0; i < files.length; i++) rows.set(files[i]!, i);
      }
      return rows.get(path) ?? -1;
    };
  }
  let cursor = 0;
  return (path) => {
    // The same path again (several lookups per file), then a gallop from the cursor to bracket PATH and a bisection.
    if (cursor > 0 && files[cursor - 1] === path) return cursor - 1;
    let low = 0;
    let high = files.length;
    if (cursor < files.length && files[cursor]! <= path) {
      low = cursor;
      let step = 1;
      while (low + step < files.length && files[low + step]! <= path) {
        low += step;
        step *= 2;
      }
      high = Math.min(files.length, low + step);
    } else {
      high = Math.min(cursor, files.length);
    }
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (files[middle]! < path) low = middle + 1;
      else high = middle;
    }
    if (low < files.length && files[low] === path) {
      cursor = low + 1;
      return low;
    }
    return -1;
  };
}

/** Whether every path sorts before the next (by UTF-16 code units, as `<` compares), none twice. */
export function isStrictlySorted(paths: readonly string[]): boolean {
  for (let i = 1; i < paths.length; i++) if (!(paths[i - 1]! < paths[i]!)) return false;
  return true;
}
