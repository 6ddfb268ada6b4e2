import { basename, segments } from '../util/path.js';

/** Folders that hold documentation and examples: what a reader copies from, not what a deploy applies. */
const DOC_FOLDERS = /^(examples?|samples?|docs?)$/i;
const PROSE = /\.(md|markdown|mdx|rst|adoc|asciidoc|txt)$/i;
/** `values.example.yaml`, `secret-example.yaml`, `example-values.yaml`, `config_example.json`, `.env.example`. */
const DOC_FILE = /(^|[._-])examples?([._-]|$)/i;

/**
 * Is PATH a documentation example by its place: under an `examples/`, `example/`, `samples/`, `sample/`, `docs/` or
 * `doc/` folder, or named `*.example.*`, `*-example.*`, `*_example.*`, `example-*`; never prose (Markdown, reStructuredText,
 * AsciiDoc, text). Whether something deploys it
 * anyway (a Helm release's values file, a kustomization's resource) is the deployment graph's to say (see
 * documentationExample in the collector).
 */
export function isDocumentationExamplePath(path: string): boolean {
  // Prose is no example file: a runbook under docs/ is a procedure people run against real clusters (its own rules judge it).
  if (PROSE.test(path)) return false;
  return segments(path).slice(0, -1).some((d) => DOC_FOLDERS.test(d)) || DOC_FILE.test(basename(path));
}
