import type { FileContext } from '../analyzers/types.js';
import type { ResolvedConfig, RuleSetting } from '../config/types.js';
import type { Rule, ReportInput } from '../rules/types.js';
import { SEVERITIES, type Diagnostic, type Finding, type Severity } from '../types.js';
import { hmacSha256, sha256 } from '../util/hash.js';
import { redact } from '../util/redact.js';
import { isDocumentationExamplePath } from './documentation.js';
import type { EnvironmentInfo } from './environment.js';

/**
 * The environment a file without its own inherits (the most managed one that deploys it) and why, for the message.
 * No environment: the deployments that include the file all leave the finding's line out (a chart template's guard).
 */
export interface InheritedFileEnvironment {
  environment?: EnvironmentInfo;
  note: string;
}

export const FINGERPRINT_VERSION = 'v1';

/**
 * Fingerprint v1: sha256 over rule id, file, the rule's logical location and a keyed hash (HMAC-SHA256) of the
 * secret value. No line numbers, no timestamps: a moved finding keeps its identity, a changed value does not.
 */
export function fingerprint(ruleId: string, file: string, location: string, value: string | undefined, key: string): string {
  const valueHash = value === undefined ? '' : hmacSha256(key, value);
  return `${FINGERPRINT_VERSION}:${sha256([FINGERPRINT_VERSION, ruleId, file, location, valueHash].join('\u0000'))}`;
}

export function shiftSeverity(severity: Severity, levels: number): Severity {
  const index = SEVERITIES.indexOf(severity) - levels;
  return SEVERITIES[Math.min(SEVERITIES.length - 1, Math.max(0, index))]!;
}

export function ruleSetting(config: ResolvedConfig, id: string): { enabled: boolean; severity?: Severity; options: Record<string, unknown> } {
  const setting: RuleSetting | undefined = config.rules[id];
  if (setting === undefined) return { enabled: true, options: {} };
  if (setting === 'off') return { enabled: false, options: {} };
  if (typeof setting === 'string') return { enabled: true, severity: setting, options: {} };
  return { enabled: setting.enabled ?? true, severity: setting.severity, options: setting.options ?? {} };
}

/**
 * The finding's own value, wherever a rule quoted source text that carries it (a rewrite snippet made from a RUN line
 * that writes the literal token): only its redacted form leaves the scanner. Short values and plain words (`yes`,
 * `password` as the value of `smtp.password`) are left alone: they are names in the text as often as values.
 */
export function scrub(text: string, value: string | undefined): string {
  // Rules that judge several literals at once report them joined with NUL: each is scrubbed on its own.
  for (const part of value?.split('\u0000') ?? []) {
    const v = part.trim().replace(/^["']|["']$/g, '');
    if (!v || v.length < 6 || (/^[A-Za-z]+$/.test(v) && v.length < 16) || !text.includes(v)) continue;
    text = text.split(v).join('<redacted>');
  }
  return text;
}

/** Turns what rules report into findings: severity policy, environment escalation, fingerprints, redaction. */
export class FindingCollector {
  readonly findings: Finding[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  /** Environments a file without its own inherits from the deployment graph (set once the project is parsed). */
  private inherited?: (path: string, line: number) => InheritedFileEnvironment | undefined;

  constructor(private readonly config: ResolvedConfig) {}

  /** Files outside the documentation examples deploy (see DeploymentGraph.deployedOutsideDocs); unset: none. */
  private deployed?: (path: string) => boolean;

  inheritEnvironments(lookup: (path: string, line: number) => InheritedFileEnvironment | undefined, deployed?: (path: string) => boolean): void {
    this.inherited = lookup;
    this.deployed = deployed;
  }

  add(rule: Rule, input: ReportInput): void {
    const file: FileContext = input.file;
    if (file.vendored && !this.config.scanVendored) return;
    const setting = ruleSetting(this.config, rule.meta.id);
    let severity: Severity = setting.severity ?? input.severity ?? rule.meta.defaultSeverity;
    // A documentation example (examples/, docs/, *.example.yaml) that nothing deploys is what a reader copies, not
    // what runs: reported, at low at most, and said so (downgrade, never ignore). Any rule, whatever its environment;
    // it inherits none (a release of the chart it sits in renders its templates, not its examples/).
    const docExample = !setting.severity && isDocumentationExamplePath(file.path) && !this.deployed?.(file.path);
    // A file's own environment first; else the most managed of the environments whose entry points deploy it.
    const inherited = file.environment || input.environment || docExample ? undefined : this.inherited?.(file.path, Math.max(1, input.line));
    const fileEnvironment = file.environment ?? inherited?.environment;
    const environment = input.environment ?? fileEnvironment?.name;
    if (rule.meta.environmentEscalation !== false && fileEnvironment && !setting.severity) {
      if (fileEnvironment.managed) severity = shiftSeverity(severity, 1);
      else if (fileEnvironment.local) severity = shiftSeverity(severity, -1);
    }
    if (docExample && SEVERITIES.indexOf(severity) < SEVERITIES.indexOf('low')) severity = 'low';
    const print = fingerprint(rule.meta.id, file.path, input.location, input.value, this.config.fingerprintKey);
    if (this.seen.has(print)) return;
    this.seen.add(print);
    const finding: Finding = {
      ruleId: rule.meta.id,
      severity,
      file: file.path,
      line: Math.max(1, input.line),
      column: Math.max(1, input.column ?? 1),
      endLine: Math.max(input.line, input.endLine ?? input.line, 1),
      message: scrub(`${input.message}${inherited ? ` (${inherited.note})` : ''}${docExample ? ' (documentation example: nothing deploys it)' : ''}`, input.value),
      remediation: {
        text: scrub(input.remediation ?? rule.meta.remediation, input.value),
        ...(input.replacement ? { replacement: { ...input.replacement, title: scrub(input.replacement.title, input.value), snippet: scrub(input.replacement.snippet, input.value) } } : {}),
      },
      origin: input.origin,
      ...(environment ? { environment } : {}),
      ...(input.resource ? { resource: input.resource } : {}),
      evidence: {
        keys: [...new Set(input.keys ?? [])],
        ...(input.value !== undefined ? { redacted: redact(input.value) } : {}),
      },
      fingerprint: print,
      docsUrl: rule.meta.docsUrl,
      location: input.location,
    };
    this.findings.push(finding);
  }

  diagnostic(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  /** What a chunk of an earlier run added, given back as it was made (see chunk-results.ts). */
  replay(findings: readonly Finding[], diagnostics: readonly Diagnostic[]): void {
    for (const finding of findings) {
      this.seen.add(finding.fingerprint);
      this.findings.push(finding);
    }
    this.diagnostics.push(...diagnostics);
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint)
  );
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || cmp(a.code, b.code) || cmp(a.ruleId ?? '', b.ruleId ?? '') || cmp(a.message, b.message);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
