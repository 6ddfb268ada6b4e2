// Fallback when GNU time is missing: run the footprint CLI (first argument: path of bin.js) in this process and
// report its peak RSS and CPU time on stderr at exit (bench/run.mjs parses the line).
import { pathToFileURL } from 'node:url';

const cli = process.argv[2];
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`FP_CHILD_MAXRSS_KB=${u.maxRSS} FP_CHILD_CPU_MS=${(u.userCPUTime + u.systemCPUTime) / 1000}\n`);
});
process.argv = [process.argv[0], cli, ...process.argv.slice(3)];
await import(pathToFileURL(cli).href);
