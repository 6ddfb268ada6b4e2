import type { FileContext } from '../analyzers/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Project } from '../scan/project.js';
import type { Origin, Replacement, ResourceRef, Severity } from '../types.js';

export interface RuleMeta {
  /** Stable kebab-case id: a contract, never reused. */
  id: string;
  /** Catalog family: db, helm, oidc, external, mirror, inline, tests, build, docs. */
  family: string;
  defaultSeverity: Severity;
  /** One line, for `footprint rules`. */
  description: string;
  /** Why it matters. */
  why: string;
  /** The allowed modern pattern, which stays silent. */
  allowed: string;
  /** How to remove the footprint. */
  remediation: string;
  /** Managed environments escalate one level, local/dev ones drop one. Default: true. */
  environmentEscalation?: boolean;
}

export interface ReportInput {
  file: FileContext;
  line: number;
  column?: number;
  endLine?: number;
  message: string;
  /** Line-independent location inside the file: "Secret/orders/orders-db#stringData.password". */
  location: string;
  /** The secret value, used only for the keyed hash and the redacted evidence; never stored. */
  value?: string;
  keys?: string[];
  /** Replaces the rule's default severity for this finding (before environment escalation). */
  severity?: Severity;
  origin: Origin;
  /** Overrides the environment derived from the file's path. */
  environment?: string;
  resource?: ResourceRef;
  replacement?: Replacement;
  /** Instance-specific remediation text; defaults to the rule's. */
  remediation?: string;
}

export interface RuleContext {
  readonly project: Project;
  readonly config: ResolvedConfig;
  readonly options: Readonly<Record<string, unknown>>;
  report(input: ReportInput): void;
  /** Run `check` per item; an exception becomes a rule-crash diagnostic for that item's file and the rule goes on. */
  each<T>(items: Iterable<T>, fileOf: (item: T) => string, check: (item: T) => void): void;
}

export interface Rule {
  meta: RuleMeta & { docsUrl: string };
  check(context: RuleContext): void;
}
