/**
 * A full garbage collection, where the host process allows one: the CLI does (see cli/heap.ts); a library host's
 * heap is its own, so by default this does nothing. Chunked judging (scan/chunks.ts) collects between chunks: the
 * previous chunk's models are garbage by then, and V8 would rather grow the heap than collect them.
 */
let collector: (() => void) | undefined;

export function allowCollections(collect: (() => void) | undefined): void {
  collector = collect;
}

export function collectGarbage(): void {
  collector?.();
}
