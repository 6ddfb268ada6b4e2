/**
 * Parse workers: on a machine with more than one core, part of the files are parsed on worker threads while the
 * scan's own thread reads, hashes and parses the rest. Jobs go out in batches (one message per ~256 KiB of text)
 * to the worker with the least text in flight; results come back as the same plain records a local parse gives,
 * and the pipeline puts them back in candidate order, so the result does not depend on the thread count.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CODE_ROOT } from '../util/package.js';
import type { FileContext } from '../analyzers/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { ParsedText } from './parse-one.js';
import type { ParseJob, ParseReply } from './parse-worker.js';

const BATCH_BYTES = 256 * 1024;
/** Text queued per worker before the scan's thread parses files itself: ~0.1 s of YAML, so no worker idles. */
const MAX_IN_FLIGHT = 2 * 1024 * 1024;
const BATCH_FILES = 64;
/** Below this many files, starting a worker (and loading the analyzers in it) costs more than it saves. */
export const AUTO_MIN_FILES = 300;
const MAX_AUTO_THREADS = 4;

/**
 * Threads for a scan of FILES candidate files: the requested count, else 1 on a 2-core machine (there a worker
 * costs more than it gives: see the bench notes in the README), else one per core up to 4.
 */
export function threadsFor(requested: number | undefined, files: number): number {
  if (requested !== undefined) return Math.max(1, Math.floor(requested));
  const cores = availableParallelism();
  return files < AUTO_MIN_FILES || cores <= 2 ? 1 : Math.min(cores, MAX_AUTO_THREADS);
}

interface Pending {
  resolve: (parsed: ParsedText | undefined) => void;
  bytes: number;
}

class ParseWorker {
  readonly worker: Worker;
  inFlightBytes = 0;
  batch: ParseJob[] = [];
  batchBytes = 0;
  dead = false;
  readonly pending = new Map<number, Pending>();

  constructor(script: string, config: ResolvedConfig) {
    this.worker = new Worker(script, { workerData: { config } });
    this.worker.on('message', (messages: string[]) => {
      for (const message of messages) {
        const reply = JSON.parse(message) as ParseReply;
        const job = this.pending.get(reply.id);
        if (!job) continue;
        this.pending.delete(reply.id);
        this.inFlightBytes -= job.bytes;
        job.resolve(reply.ok ? reply.parsed : undefined);
      }
    });
    // A worker that dies hands its files back: the scan's thread parses them (resolve(undefined)).
    const fail = () => {
      this.dead = true;
      for (const job of this.pending.values()) job.resolve(undefined);
      this.pending.clear();
      this.inFlightBytes = 0;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  flush(): void {
    if (this.batch.length === 0 || this.dead) return;
    this.worker.postMessage(this.batch);
    this.batch = [];
    this.batchBytes = 0;
  }
}

export class ParsePool {
  private nextId = 0;
  private constructor(private readonly workers: ParseWorker[]) {}

  /** A pool of THREADS - 1 workers (the scan's own thread is the other one), or undefined when not worth it. */
  static start(config: ResolvedConfig, threads: number): ParsePool | undefined {
    if (threads < 2) return undefined;
    // Under a TypeScript test runner this module is not compiled JavaScript and there is no worker script. The
    // bundled CLI runs this from a chunk: the worker is the unbundled module tsc wrote beside the library.
    const script = path.join(CODE_ROOT, 'cache', 'parse-worker.js');
    if (!import.meta.url.endsWith('.js') || !existsSync(script)) return undefined;
    try {
      return new ParsePool(Array.from({ length: threads - 1 }, () => new ParseWorker(script, config)));
    } catch {
      return undefined;
    }
  }

  /** Whether some worker has room for more text (it answers only when this thread lets events run). */
  get hasRoom(): boolean {
    return this.workers.some((w) => !w.dead && w.inFlightBytes < MAX_IN_FLIGHT);
  }

  /** Parse on the least busy worker; undefined back means "parse it yourself". */
  submit(file: FileContext, text: string, analyzerIds: readonly string[]): Promise<ParsedText | undefined> {
    const live = this.workers.filter((w) => !w.dead);
    if (live.length === 0) return Promise.resolve(undefined);
    const target = live.reduce((a, b) => (b.inFlightBytes < a.inFlightBytes ? b : a));
    const id = this.nextId++;
    const bytes = text.length + 1;
    return new Promise((resolve) => {
      target.pending.set(id, { resolve, bytes });
      target.inFlightBytes += bytes;
      target.batch.push({ id, file, text, analyzerIds });
      target.batchBytes += bytes;
      // A full batch goes out; so does a partial one when the worker is about to run out of work.
      const posted = target.inFlightBytes - target.batchBytes;
      if (target.batchBytes >= BATCH_BYTES || target.batch.length >= BATCH_FILES || posted < BATCH_BYTES) target.flush();
    });
  }

  /** Send every partial batch (call before waiting for results). */
  flush(): void {
    for (const w of this.workers) w.flush();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate().catch(() => 0)));
  }
}
