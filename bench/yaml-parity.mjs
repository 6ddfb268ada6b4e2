#!/usr/bin/env node
// Parity check of the fast YAML reader (src/yaml/fast.ts) against the yaml library on real trees: every YAML file
// is read both ways (Helm templates through the Go-template front end first, as the analyzer does) and the trees
// must be identical wherever the fast reader answers. Prints how many files each reader took, the time each
// spent, and every difference.
//
//   npm run build && node bench/yaml-parity.mjs              # bitnami/charts from ../shared/corpus (temp dir)
//   node bench/yaml-parity.mjs DIR [DIR...]                  # any trees
//
// Exit code 1 when a difference is found. Never used by tests or CI (the corpus is not in this repository).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import fg from 'fast-glob';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '../dist');
const { parseYaml } = await import(join(dist, 'yaml/parse.js'));
const { readYamlFast } = await import(join(dist, 'yaml/fast.js'));
const { preprocessHelmTemplate, restorePlaceholders } = await import(join(dist, 'analyzers/helm/gotemplate.js'));
const { blankCrdBodies } = await import(join(dist, 'yaml/crd.js'));
const { scanYaml, YAML_PARSE_DEPTH_LIMIT } = await import(join(dist, 'yaml/nesting.js'));
const { yamlRole } = await import(join(dist, 'analyzers/yaml.js'));

let roots = process.argv.slice(2);
let temp;
if (roots.length === 0) {
  temp = mkdtempSync(join(tmpdir(), 'fp-yaml-parity-'));
  execFileSync('tar', ['xzf', resolve(here, '../../shared/corpus/bitnami-charts-5165628.tar.gz'), '-C', temp]);
  roots = [temp];
}

function firstDifference(a, b, path = '') {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return { path, fast: a, library: b };
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const found = firstDifference(a[key], b[key], `${path}.${key}`);
    if (found) return found;
  }
  return { path };
}

const totals = { files: 0, fast: 0, fastUncommented: 0, library: 0, libraryErrors: 0, differences: 0, fastMs: 0, libraryMs: 0 };
try {
  for (const root of roots) {
    for (const file of fg.sync('**/*.{yaml,yml}', { cwd: root, dot: true })) {
      let text;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      let restore = (s) => s;
      if (yamlRole(file) === 'template') {
        const frontEnd = preprocessHelmTemplate(text);
        text = frontEnd.yaml;
        restore = (s) => restorePlaceholders(s, frontEnd);
      }
      text = blankCrdBodies(text);
      totals.files++;
      let mark = performance.now();
      const library = parseYaml(text, { restore, fast: false });
      totals.libraryMs += performance.now() - mark;
      mark = performance.now();
      const options = { text: restore, maxNodes: 200_000, maxDepth: 200 };
      let fast = readYamlFast(text, options);
      if (fast === undefined) {
        // As parseYaml does: a second try on the text without the comment lines the library never reads.
        const scanned = scanYaml(text);
        if (scanned.depth <= YAML_PARSE_DEPTH_LIMIT && scanned.uncommented !== text) {
          fast = readYamlFast(scanned.uncommented, options);
          if (fast !== undefined) totals.fastUncommented++;
        }
      }
      totals.fastMs += performance.now() - mark;
      const failed = library.docs.some((d) => d.error) || library.aliasLimitHit || library.tooDeep || library.refused;
      if (failed) totals.libraryErrors++;
      if (fast === undefined) {
        totals.library++;
        continue;
      }
      totals.fast++;
      const difference = failed ? { path: '', problem: 'the library reports an error, the fast reader answered' } : firstDifference(fast, library.docs);
      if (difference) {
        totals.differences++;
        console.log(`DIFFERENCE ${relative(process.cwd(), join(root, file))} ${JSON.stringify(difference)}`);
      }
    }
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
totals.fastMs = Math.round(totals.fastMs);
totals.libraryMs = Math.round(totals.libraryMs);
console.log(JSON.stringify(totals));
process.exit(totals.differences > 0 ? 1 : 0);
