/**
 * The number of leading ITEMS for which BEFORE holds, found by bisection: ITEMS must hold it for a prefix and not after
 * it (a sorted list and a bound: lines before an offset, paths before a prefix).
 */
export function partitionPoint<T>(items: readonly T[], before: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (before(items[mid]!)) low = mid + 1;
    else high = mid;
  }
  return low;
}
