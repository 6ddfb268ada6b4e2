/** Contracts shared by analyzers, rules, reporters and history. The JSON result is versioned by SCHEMA_VERSION. */

export const SCHEMA_VERSION = 1 as const;

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ORIGINS = [
  'external',
  'cluster-operator',
  'cluster-helm',
  'cluster-service',
  'build-time',
  'test',
  'unknown',
] as const;
export type Origin = (typeof ORIGINS)[number];

export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Replacement {
  /** Language of the snippet, for fenced blocks and syntax hints: yaml, dockerfile, shell, typescript, ... */
  language: string;
  /** Why the snippet looks the way it does, in one line. */
  title: string;
  snippet: string;
}

export interface Remediation {
  text: string;
  replacement?: Replacement;
}

export interface Evidence {
  /** Key, variable or field names involved. Never values. */
  keys: string[];
  /** At most the first two characters of a value and its length, e.g. "gh…(40 chars)". */
  redacted?: string;
}

export interface Suppression {
  by: 'inline' | 'config';
  reason: string;
  owner?: string;
  expires?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  message: string;
  remediation: Remediation;
  origin: Origin;
  environment?: string;
  resource?: ResourceRef;
  evidence: Evidence;
  fingerprint: string;
  docsUrl: string;
  /** Logical, line-independent location the fingerprint is built from. */
  location: string;
  baseline?: boolean;
  suppressed?: Suppression;
}

export interface InventoryEntry {
  file: string;
  line: number;
  kind: string;
  name: string;
  namespace?: string;
  keys: string[];
  type?: string;
  origin: Origin;
  /** Who is the source of truth: azure-key-vault, vault, cnpg, helm, keycloak, cert-manager, kubernetes, sealed-secrets, ... */
  authority: string;
  environments: string[];
  /** What materialises it: "store ameide-vault (vault) key platform-db-password", "helm randAlphaNum+lookup", ... */
  producer?: string;
  template: boolean;
  vendored: boolean;
  /** A documentation example nothing deploys (examples/, docs/, *.example.yaml): listed, deployed nowhere. */
  example?: boolean;
  findings: string[];
}

export const DIAGNOSTIC_CODES = [
  'parse-error',
  'template-syntax',
  'binary',
  'too-large',
  'encoding',
  'unreadable',
  'symlink-loop',
  'dangling-symlink',
  'alias-limit',
  'too-deep',
  'rule-crash',
  'analyzer-crash',
  'config',
  'suppression-expired',
  'suppression-stale',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface Diagnostic {
  file: string;
  code: DiagnosticCode;
  message: string;
  line?: number;
  ruleId?: string;
}

export interface Summary {
  findings: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
  byOrigin: Record<string, number>;
  byEnvironment: Record<string, number>;
  inventory: number;
  suppressed: number;
  baseline: number;
  files: { scanned: number; skipped: number; failed: number };
}

export interface ScanResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  root: '.';
  generatedAt: string;
  config: { hash: string };
  summary: Summary;
  findings: Finding[];
  inventory: InventoryEntry[];
  diagnostics: Diagnostic[];
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}
