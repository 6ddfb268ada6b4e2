import { RULES } from '../rules/index.js';
import type { RuleMeta } from '../rules/types.js';
import type { Finding, ScanResult, Severity } from '../types.js';
import { groupBy } from '../util/group.js';

/** Severity → SARIF level: critical and high fail code scanning, medium warns, the rest are notes. */
export const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning reads `security-severity` (0.0–10.0) to label alerts critical/high/medium/low. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export const SRCROOT = '%SRCROOT%';
export const FINGERPRINT_KEY = 'footprint/v1';
const INFORMATION_URI = 'https://github.com/footprint-audit/footprint';

/** A scan-relative POSIX path as a relative URI reference: each segment percent-encoded, slashes kept. */
export function relativeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { tags: string[]; precision: string; 'security-severity': string; 'problem.severity': string };
}

function ruleDescriptor(id: string, findings: Finding[]): SarifRule {
  const meta: (RuleMeta & { docsUrl: string }) | undefined = RULES.find((r) => r.meta.id === id)?.meta;
  const first = findings[0];
  const severity = meta?.defaultSeverity ?? first?.severity ?? 'medium';
  const description = meta?.description ?? first?.message ?? id;
  const remediation = meta?.remediation ?? first?.remediation.text ?? '';
  const helpUri = meta?.docsUrl ?? first?.docsUrl ?? INFORMATION_URI;
  const why = meta?.why ?? '';
  const allowed = meta?.allowed ?? '';
  const text = [why && `Why: ${why}`, allowed && `Allowed: ${allowed}`, remediation && `How to fix: ${remediation}`].filter(Boolean).join('\n\n') || description;
  const markdown = [
    `**${description}**`,
    why && `**Why.** ${why}`,
    allowed && `**Allowed pattern.** ${allowed}`,
    remediation && `**How to fix.** ${remediation}`,
    `[Rule documentation](${helpUri})`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    id,
    name: pascal(id),
    shortDescription: { text: description },
    fullDescription: { text: why || description },
    help: { text, markdown },
    helpUri,
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: {
      tags: ['security', 'secrets', ...(meta?.family ? [meta.family] : [])],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[severity],
      'problem.severity': SARIF_LEVEL[severity] === 'note' ? 'recommendation' : SARIF_LEVEL[severity],
    },
  };
}

/** baselined: the scan was compared with a baseline, so every result states whether it is new or unchanged. */
function result(f: Finding, ruleIndex: number, baselined: boolean): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[f.severity],
    message: { text: `${f.message}${f.environment ? ` [${f.environment}]` : ''}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: relativeUri(f.file), uriBaseId: SRCROOT },
          region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column), endLine: Math.max(f.line, f.endLine) },
        },
        logicalLocations: [{ fullyQualifiedName: f.location, kind: 'resource' }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    ...(baselined ? { baselineState: f.baseline ? 'unchanged' : 'new' } : {}),
    ...(f.suppressed
      ? { suppressions: [{ kind: f.suppressed.by === 'inline' ? 'inSource' : 'external', status: 'accepted', justification: f.suppressed.reason }] }
      : {}),
    properties: {
      severity: f.severity,
      'security-severity': SECURITY_SEVERITY[f.severity],
      origin: f.origin,
      ...(f.environment ? { environment: f.environment } : {}),
      ...(f.resource ? { resource: { ...f.resource } } : {}),
      keys: [...f.evidence.keys],
      ...(f.evidence.redacted ? { redactedEvidence: f.evidence.redacted } : {}),
      remediation: f.remediation.text,
      ...(f.remediation.replacement ? { replacement: { ...f.remediation.replacement } } : {}),
    },
  };
}

/** SARIF 2.1.0 for code scanning: one reportingDescriptor per rule id, results with %SRCROOT%-relative URIs. */
export function renderSarif(scan: ScanResult): string {
  const byRule = groupBy(scan.findings, (f) => f.ruleId);
  const ruleIds = [...byRule.keys()].sort();
  const rules = ruleIds.map((id) => ruleDescriptor(id, byRule.get(id)!));
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const baselined = scan.findings.some((f) => f.baseline);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: scan.tool.name,
            version: scan.tool.version,
            ...(/^\d+\.\d+\.\d+/.test(scan.tool.version) ? { semanticVersion: scan.tool.version } : {}),
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { description: { text: 'The root of the scanned repository; every URI is relative to it.' } } },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: scan.generatedAt,
            toolExecutionNotifications: scan.diagnostics.map((d) => ({
              level: d.code === 'rule-crash' || d.code === 'analyzer-crash' ? 'error' : 'warning',
              message: { text: `${d.code}: ${d.message}` },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: relativeUri(d.file), uriBaseId: SRCROOT },
                    ...(d.line ? { region: { startLine: d.line } } : {}),
                  },
                },
              ],
              ...(d.ruleId ? { associatedRule: { id: d.ruleId } } : {}),
            })),
          },
        ],
        columnKind: 'unicodeCodePoints',
        results: scan.findings.map((f) => result(f, index.get(f.ruleId)!, baselined)),
        properties: { configHash: scan.config.hash, summary: scan.summary },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
