#!/usr/bin/env node
import { main } from './main.js';

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
