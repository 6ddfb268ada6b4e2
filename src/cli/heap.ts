let limited = false;

/**
 * A scan keeps every parsed model until the rules ran, and its parse garbage is promoted along with them. V8's
 * default heap growth lets that garbage pile up to twice the live heap between full collections (100k files: 580 MB
 * peak for 210 MB live). Growing by at most 30% keeps the peak near the live size for a few more full collections.
 * Called when parsing starts, not before: a re-scan answered by the result cache only reads its stored result, and
 * the extra collections cost it 10-20 ms. The library leaves its host's heap alone: this is the CLI's own process.
 */
export function limitHeapGrowth(): void {
  if (limited) return;
  limited = true;
  // Loaded here (about 1 ms) rather than imported: a re-scan answered by the cache never needs it.
  process.getBuiltinModule('node:v8').setFlagsFromString('--heap-growing-percent=30');
}
