// The CLI as one bundle: node resolves, reads and compiles ~170 ES modules before a scan can start (~0.1 s of a
// run's CPU, more than a whole cached re-scan costs otherwise). tsc's dist/ stays the library; this overwrites only
// dist/cli/bin.js, with the lazily loaded parts (report renderers, commands) as chunks beside it.
// Dependencies stay external: they are loaded lazily with createRequire, only when a file needs them.
import { rmSync } from 'node:fs';

rmSync('dist/cli/chunks', { recursive: true, force: true });

export default {
  input: { bin: 'dist/cli/bin.js' },
  platform: 'node',
  external: [/^node:/, /^[^./]/],
  output: {
    dir: 'dist/cli',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
};
