#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { main } from './main.js';

// A scan keeps every parsed model until the rules ran, and its parse garbage is promoted along with them. V8's
// default heap growth lets that garbage pile up to twice the live heap between full collections (100k files: 580 MB
// peak for 210 MB live). Growing by at most 30% keeps the peak near the live size for a few more full collections.
// The library leaves the heap of its host process alone: this is the CLI's own process.
setFlagsFromString('--heap-growing-percent=30');

// `footprint rules | head`, `footprint scan --output - | jq … | head`: a reader that stops early closes the pipe.
// That is the reader's choice, not a tool error: stop quietly instead of crashing with an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 2;
  },
);
