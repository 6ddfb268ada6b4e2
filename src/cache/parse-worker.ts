/**
 * A parse worker: receives file texts, parses them with the analyzers named, and sends back the same results the
 * scan's own thread would produce (see parallel.ts). Models are plain data, so they survive the structured clone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ANALYZERS } from '../analyzers/index.js';
import type { FileContext } from '../analyzers/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { safeMessage } from '../util/errors.js';
import { exactJson } from '../util/json.js';
import { parseText, type ParsedText } from './parse-one.js';

export interface ParseJob {
  id: number;
  file: FileContext;
  text: string;
  analyzerIds: readonly string[];
}

export type ParseReply = { id: number } & ({ ok: true; parsed: ParsedText } | { ok: false; error: string });

const config = (workerData as { config: ResolvedConfig }).config;
const byId = new Map(ANALYZERS.map((a) => [a.id, a]));

// Batches are parsed one after the other, as on the scan's thread: parsers that load lazily (WASM grammars,
// ts-morph) are never entered twice at once.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (jobs: ParseJob[]) => {
  queue = queue.then(async () => {
    const replies: ParseReply[] = [];
    for (const job of jobs) {
      try {
        const analyzers = job.analyzerIds.map((id) => byId.get(id)!);
        replies.push({ id: job.id, ok: true, parsed: await parseText(job.text, job.file, analyzers, config, safeMessage) });
      } catch (error) {
        replies.push({ id: job.id, ok: false, error: safeMessage(error) });
      }
    }
    // JSON, not the structured clone: for these plain trees, stringify here plus JSON.parse on the scan's thread
    // costs a fraction of cloning. A model JSON would not give back exactly is parsed on the scan's thread.
    const failed = (r: ParseReply, error: string) => JSON.stringify({ id: r.id, ok: false, error });
    try {
      parentPort!.postMessage(replies.map((r) => exactJson(r) ?? failed(r, 'not JSON-safe')));
    } catch (error) {
      // Every job gets an answer, or the scan's thread would wait for it forever.
      parentPort!.postMessage(replies.map((r) => failed(r, safeMessage(error))));
    }
  }).catch(() => undefined);
});

