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

/** Whether the host lets a scan manage the process's heap (the CLI does; see allowCollections). */
export function heapIsOurs(): boolean {
  return collector !== undefined;
}

const survivors: object[] = [];

/**
 * Keep INSTANCE alive for good. V8 holds the shapes (maps) an object grows into only through live objects, and
 * optimized code depends on them: a collection forced while no instance of a hot class is alive (between two chunks)
 * frees those shapes and throws that code away, to be rebuilt in the next chunk (gen100k in 10 chunks: YAML parsing
 * took 880-970 ms instead of 630-700). One instance per class keeps them.
 */
export function keepShapes(instance: object): void {
  survivors.push(instance);
}
