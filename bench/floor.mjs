// The floor of any Node.js scanner on a tree (issue 7): read and decode every file (mode read), and one pass per
// YAML file that finds each line's indentation and key without building anything (mode scan).
//   node bench/floor.mjs <tree> [read|scan|alloc]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const root = process.argv[2]; const mode = process.argv[3] ?? 'scan';
const files = [];
(function walk(d) { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.name === '.git') continue; const p = join(d, e.name); if (e.isDirectory()) walk(p); else files.push(p); } })(root);
let lines = 0, keys = 0, bytes = 0;
const dec = new TextDecoder();
for (const f of files) {
  const buf = readFileSync(f); bytes += buf.length;
  if (mode === 'read') continue;
  const text = dec.decode(buf);
  if (!/\.(ya?ml|tpl)$/.test(f)) continue;
  let i = 0; const n = text.length;
  while (i < n) {
    let j = i; while (j < n && text.charCodeAt(j) === 32) j++;
    let nl = text.indexOf('\n', j); if (nl < 0) nl = n;
    const colon = text.indexOf(':', j);
    if (colon >= 0 && colon < nl) { keys++; if (mode === 'alloc') text.slice(j, colon); }
    lines++; i = nl + 1;
  }
}
console.log(files.length, 'files', (bytes / 1e6).toFixed(1), 'MB', lines, 'yaml lines', keys, 'keys');
