import type { HistoryRecord } from '../history/types.js';
import { RULES } from '../rules/index.js';
import { ORIGINS, SEVERITIES, severityRank, type Diagnostic, type Finding, type InventoryEntry, type Origin, type ScanResult, type Severity } from '../types.js';
import { trendView, type TrendView } from './trend.js';
import { groupBy } from '../util/group.js';

export type { BurnDown, ChangedFinding, OldestOpenView, TrendChanges, TrendPoint, TrendSeries, TrendView } from './trend.js';

/**
 * Everything the Markdown and HTML reporters show, computed once from a result: grouped, sorted, counted and
 * pre-formatted. Templates receive this and contain no logic; every string here is untrusted data to be escaped
 * by the reporter that prints it.
 */
export interface ReportView {
  tool: { name: string; version: string };
  generatedAt: string;
  configHash: string;
  totals: {
    open: number;
    suppressed: number;
    baseline: number;
    inventory: number;
    rules: number;
    filesScanned: number;
    filesSkipped: number;
    filesFailed: number;
    diagnostics: number;
    /** Suppression entries and comments that expired, match nothing or cannot be used. */
    suppressionProblems: number;
  };
  severityCards: CountCard[];
  originCards: CountCard[];
  environmentCards: CountCard[];
  compliance: ComplianceRow[];
  rules: RuleGroup[];
  suppressed: FindingView[];
  /** Expired and stale suppressions, unusable footprint-ignore comments: things a team has to act on. */
  suppressionProblems: DiagnosticRow[];
  inventory: InventoryRow[];
  /** Coverage gaps: files footprint could not fully analyse (suppression problems are listed apart). */
  diagnostics: DiagnosticRow[];
  trend: TrendView | null;
  /** A history was given but holds no earlier run: the trend starts with this one. */
  trendStarts: boolean;
  filters: { severities: FilterOption[]; rules: FilterOption[]; origins: FilterOption[]; environments: FilterOption[] };
}

export interface CountCard {
  key: string;
  label: string;
  count: number;
}

export interface FilterOption {
  value: string;
  label: string;
  count: number;
}

export interface ComplianceRow {
  origin: Origin;
  label: string;
  authority: string;
  /** Inventoried secret resources of this class. */
  entries: number;
  compliant: number;
  nonCompliant: number;
  /** Open findings whose origin is this class (findings also point at values files and workloads). */
  openFindings: number;
  /** 0..100, null when the class has no inventoried resource. */
  percent: number | null;
  status: 'compliant' | 'attention' | 'empty';
}

export interface FindingView {
  index: number;
  ruleId: string;
  severity: Severity;
  severityRank: number;
  file: string;
  line: number;
  fileLine: string;
  resource: string;
  environment: string;
  origin: Origin;
  originLabel: string;
  message: string;
  keys: string;
  redacted: string;
  remediation: string;
  /** The finding's remediation when it says more than its rule's common one, else ''. */
  ownRemediation: string;
  replacement: { language: string; title: string; snippet: string } | null;
  fingerprint: string;
  fingerprintShort: string;
  location: string;
  docsUrl: string;
  baseline: boolean;
  suppression: string;
  /** Lower-case text the free-text filter searches. */
  searchText: string;
}

/** Findings of one rule that one team fixes together: a chart, or a single file. */
export interface OwnerGroup {
  owner: string;
  kind: 'chart' | 'file';
  findings: FindingView[];
}

export interface RuleGroup {
  ruleId: string;
  /** The rule's one-line description from the rule registry; '' for a rule this version does not know. */
  description: string;
  anchor: string;
  docsUrl: string;
  count: number;
  maxSeverity: Severity;
  severityCounts: string;
  /** The fix more than half the findings of the rule share; '' otherwise. */
  remediation: string;
  findings: FindingView[];
  owners: OwnerGroup[];
}

export interface InventoryRow {
  kind: string;
  name: string;
  namespace: string;
  keys: string;
  origin: Origin;
  originLabel: string;
  authority: string;
  environments: string;
  producer: string;
  file: string;
  line: number;
  fileLine: string;
  findings: string;
  findingsCount: number;
  template: boolean;
  vendored: boolean;
  example: boolean;
  status: 'compliant' | 'finding';
}

export interface DiagnosticRow {
  file: string;
  fileLine: string;
  code: string;
  /** Short label of the code for people: "expired", "stale", "unusable comment", or the code itself. */
  label: string;
  message: string;
  ruleId: string;
}

export const ORIGIN_LABELS: Record<Origin, string> = {
  external: 'External (Key Vault)',
  'cluster-operator': 'CNPG-owned (operator)',
  'cluster-helm': 'Helm-generated',
  'cluster-service': 'Service-generated (Keycloak)',
  'build-time': 'Build-time',
  test: 'Test',
  unknown: 'Unclassified',
};

const ORIGIN_AUTHORITY: Record<Origin, string> = {
  external: 'Azure Key Vault via ExternalSecret',
  'cluster-operator': 'CNPG / in-cluster operator',
  'cluster-helm': 'Helm lookup + randAlphaNum',
  'cluster-service': 'the service (Keycloak client-patcher)',
  'build-time': 'BuildKit secret mounts',
  test: 'per-service test ExternalSecrets',
  unknown: 'not classified',
};

export const SEVERITY_LABELS: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

const NO_ENVIRONMENT = '(none)';

function resourceLabel(f: Finding): string {
  if (!f.resource) return '';
  return `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`;
}

function findingView(f: Finding, index: number): FindingView {
  const view: FindingView = {
    index,
    ruleId: f.ruleId,
    severity: f.severity,
    severityRank: severityRank(f.severity),
    file: f.file,
    line: f.line,
    fileLine: `${f.file}:${f.line}`,
    resource: resourceLabel(f),
    environment: f.environment ?? NO_ENVIRONMENT,
    origin: f.origin,
    originLabel: ORIGIN_LABELS[f.origin] ?? f.origin,
    message: f.message,
    keys: f.evidence.keys.join(', '),
    redacted: f.evidence.redacted ?? '',
    remediation: f.remediation.text,
    ownRemediation: f.remediation.text,
    replacement: f.remediation.replacement ? { ...f.remediation.replacement } : null,
    fingerprint: f.fingerprint,
    fingerprintShort: f.fingerprint.replace(/^v1:/, '').slice(0, 12),
    location: f.location,
    docsUrl: f.docsUrl,
    baseline: f.baseline === true,
    suppression: f.suppressed ? `${f.suppressed.by}: ${f.suppressed.reason}${f.suppressed.owner ? ` (owner ${f.suppressed.owner})` : ''}${f.suppressed.expires ? ` until ${f.suppressed.expires}` : ''}` : '',
    searchText: '',
  };
  view.searchText = [view.ruleId, view.severity, view.fileLine, view.resource, view.environment, view.origin, view.originLabel, view.message, view.keys, view.location, view.baseline ? 'baseline' : '']
    .join(' ')
    .toLowerCase();
  return view;
}

/**
 * The chart a file belongs to (the folder holding `templates/`, `Chart.yaml` or `values*.yaml` below a `charts/`
 * folder, in either repo layout), so a chart team gets one checklist item; else the file itself.
 */
export function ownerOf(file: string): { owner: string; kind: 'chart' | 'file' } {
  const segments = file.split('/');
  const charts = segments.indexOf('charts');
  if (charts >= 0) {
    const templates = segments.indexOf('templates', charts + 2);
    if (templates > 0) return { owner: segments.slice(0, templates).join('/'), kind: 'chart' };
    if (segments.length >= charts + 3 && /^(values[^/]*|Chart)\.ya?ml$/.test(segments[segments.length - 1]!)) {
      return { owner: segments.slice(0, -1).join('/'), kind: 'chart' };
    }
  }
  return { owner: file, kind: 'file' };
}

function compareFindings(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column;
}

function maxSeverity(findings: readonly { severity: Severity }[]): Severity {
  let best: Severity = 'info';
  for (const f of findings) if (severityRank(f.severity) > severityRank(best)) best = f.severity;
  return best;
}

function severityCounts(findings: readonly { severity: Severity }[]): string {
  return SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

function compliance(result: ScanResult, open: Finding[]): ComplianceRow[] {
  return ORIGINS.map((origin) => {
    const entries = result.inventory.filter((e) => e.origin === origin);
    const nonCompliant = entries.filter((e) => e.findings.length > 0).length;
    const openFindings = open.filter((f) => f.origin === origin).length;
    const percent = entries.length === 0 ? null : Math.round(((entries.length - nonCompliant) / entries.length) * 100);
    const status: ComplianceRow['status'] = entries.length === 0 && openFindings === 0 ? 'empty' : nonCompliant === 0 && openFindings === 0 ? 'compliant' : 'attention';
    return {
      origin,
      label: ORIGIN_LABELS[origin],
      authority: ORIGIN_AUTHORITY[origin],
      entries: entries.length,
      compliant: entries.length - nonCompliant,
      nonCompliant,
      openFindings,
      percent,
      status,
    };
  }).filter((row) => row.origin !== 'unknown' || row.status !== 'empty');
}

function inventoryRow(e: InventoryEntry): InventoryRow {
  return {
    kind: e.kind,
    name: e.name,
    namespace: e.namespace ?? '',
    keys: e.keys.join(', '),
    origin: e.origin,
    originLabel: ORIGIN_LABELS[e.origin] ?? e.origin,
    authority: e.authority,
    environments: e.environments.join(', '),
    producer: e.producer ?? '',
    file: e.file,
    line: e.line,
    fileLine: `${e.file}:${e.line}`,
    findings: e.findings.join(', '),
    findingsCount: e.findings.length,
    template: e.template,
    vendored: e.vendored,
    example: e.example === true,
    status: e.findings.length > 0 ? 'finding' : 'compliant',
  };
}

function sortedCounts(counts: Map<string, number>, label: (key: string) => string = (k) => k): CountCard[] {
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).map(([key, count]) => ({ key, label: label(key), count }));
}

function countBy(findings: readonly FindingView[], key: (f: FindingView) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
  return counts;
}

/** The value most entries share, when more than half do; else null. */
function mostCommon(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0]!;
  for (const [v, n] of counts) if (n > counts.get(best)!) best = v;
  return counts.get(best)! * 2 > values.length ? best : null;
}

/** Diagnostics about suppressions rather than about files: expired or stale entries, unusable inline comments. */
export function isSuppressionProblem(d: Diagnostic): boolean {
  return d.code === 'suppression-expired' || d.code === 'suppression-stale' || (d.code === 'config' && d.message.startsWith('footprint-ignore'));
}

const PROBLEM_LABELS: Record<string, string> = { 'suppression-expired': 'expired', 'suppression-stale': 'stale', config: 'unusable comment' };

function diagnosticRow(d: Diagnostic): DiagnosticRow {
  return {
    file: d.file,
    fileLine: d.line ? `${d.file}:${d.line}` : d.file,
    code: d.code,
    label: isSuppressionProblem(d) ? (PROBLEM_LABELS[d.code] ?? d.code) : d.code,
    message: d.message,
    ruleId: d.ruleId ?? '',
  };
}

const DESCRIPTIONS = new Map(RULES.map((r) => [r.meta.id, r.meta.description]));

export function buildView(result: ScanResult, history?: readonly HistoryRecord[]): ReportView {
  const open = result.findings.filter((f) => !f.suppressed).sort(compareFindings);
  const views = open.map((f, i) => findingView(f, i));
  const groups = groupBy(views, (f) => f.ruleId);
  const rules: RuleGroup[] = [...groups.entries()]
    .map(([ruleId, findings]) => {
      const owners = groupBy(findings, (f) => ownerOf(f.file).owner);
      // The rule-level fix is the text most findings share; when no text is shared by a majority, there is none.
      const common = mostCommon(findings.map((f) => f.remediation));
      for (const f of findings) if (common !== null && f.remediation === common) f.ownRemediation = '';
      return {
        ruleId,
        description: DESCRIPTIONS.get(ruleId) ?? '',
        anchor: `rule-${ruleId}`,
        docsUrl: findings[0]!.docsUrl,
        count: findings.length,
        maxSeverity: maxSeverity(findings),
        severityCounts: severityCounts(findings),
        remediation: common ?? '',
        findings,
        owners: [...owners.entries()]
          .map(([owner, list]) => ({ owner, kind: ownerOf(list[0]!.file).kind, findings: list }))
          .sort((a, b) => severityRank(maxSeverity(b.findings)) - severityRank(maxSeverity(a.findings)) || (a.owner < b.owner ? -1 : 1)),
      };
    })
    .sort((a, b) => severityRank(b.maxSeverity) - severityRank(a.maxSeverity) || b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1));
  const suppressed = result.findings
    .filter((f) => f.suppressed)
    .sort(compareFindings)
    .map((f, i) => findingView(f, open.length + i));
  const bySeverity = countBy(views, (f) => f.severity);
  const byOrigin = countBy(views, (f) => f.origin);
  const byEnv = countBy(views, (f) => f.environment);
  const byRule = countBy(views, (f) => f.ruleId);
  const options = (counts: Map<string, number>, label?: (k: string) => string): FilterOption[] =>
    sortedCounts(counts, label).map((c) => ({ value: c.key, label: c.label, count: c.count }));
  return {
    tool: { ...result.tool },
    generatedAt: result.generatedAt,
    configHash: result.config.hash.slice(0, 12),
    totals: {
      open: open.length,
      suppressed: suppressed.length,
      baseline: open.filter((f) => f.baseline).length,
      inventory: result.inventory.length,
      rules: rules.length,
      filesScanned: result.summary.files.scanned,
      filesSkipped: result.summary.files.skipped,
      filesFailed: result.summary.files.failed,
      diagnostics: result.diagnostics.filter((d) => !isSuppressionProblem(d)).length,
      suppressionProblems: result.diagnostics.filter(isSuppressionProblem).length,
    },
    severityCards: SEVERITIES.map((s) => ({ key: s, label: SEVERITY_LABELS[s], count: bySeverity.get(s) ?? 0 })),
    originCards: sortedCounts(byOrigin, (k) => ORIGIN_LABELS[k as Origin] ?? k),
    environmentCards: sortedCounts(byEnv),
    compliance: compliance(result, open),
    rules,
    suppressed,
    inventory: [...result.inventory]
      .sort((a, b) => b.findings.length - a.findings.length || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line)
      .map(inventoryRow),
    suppressionProblems: result.diagnostics.filter(isSuppressionProblem).map(diagnosticRow),
    diagnostics: result.diagnostics.filter((d) => !isSuppressionProblem(d)).map(diagnosticRow),
    trend: trendView(result, history, open, views, ORIGIN_LABELS),
    trendStarts: history !== undefined && history.length === 0,
    filters: {
      severities: SEVERITIES.filter((s) => bySeverity.has(s)).map((s) => ({ value: s, label: SEVERITY_LABELS[s], count: bySeverity.get(s)! })),
      rules: options(byRule),
      origins: options(byOrigin, (k) => ORIGIN_LABELS[k as Origin] ?? k),
      environments: options(byEnv),
    },
  };
}
