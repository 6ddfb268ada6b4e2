import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { tempDirs, writeTree } from './helpers/temp.js';

const tempDir = tempDirs('footprint-iac-secret-keys-');

async function scanTree(files: Record<string, string>) {
  return scan({ root: writeTree(tempDir(), files), useGit: false });
}

const PROGRAMS: Record<string, Record<string, string>> = {
  'Pulumi (Go)': {
    'Pulumi.yaml': 'name: app\nruntime: go\n',
    'main.go': [
      'package main',
      '',
      'import (',
      '\tcorev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"',
      '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
      ')',
      '',
      'func main() {',
      '\tpulumi.Run(func(ctx *pulumi.Context) error {',
      '\t\t_, err := corev1.NewSecret(ctx, "grafana-admin", &corev1.SecretArgs{',
      '\t\t\tStringData: pulumi.StringMap{',
      '\t\t\t\t"admin-user":     pulumi.String("admin"),',
      '\t\t\t\t"admin-password": pulumi.String("gr4fana-Adm1n-not-real"),',
      '\t\t\t},',
      '\t\t})',
      '\t\treturn err',
      '\t})',
      '}',
      '',
    ].join('\n'),
  },
  'Pulumi (Python)': {
    'Pulumi.yaml': 'name: app\nruntime:\n  name: python\n',
    '__main__.py': [
      'import pulumi_kubernetes as k8s',
      '',
      'k8s.core.v1.Secret(',
      '    "grafana-admin",',
      '    string_data={"admin-user": "admin", "admin-password": "gr4fana-Adm1n-not-real"},',
      ')',
      '',
    ].join('\n'),
  },
};

describe('inline-secret-manifest on Pulumi programs', () => {
  for (const [form, files] of Object.entries(PROGRAMS)) {
    it(`names only the credential literals of a ${form} Secret, not the user name beside them`, async () => {
      const result = await scanTree(files);
      const findings = result.findings.filter((f) => f.ruleId === 'inline-secret-manifest');
      expect(findings).toHaveLength(1);
      expect(findings[0]!.evidence?.keys).toEqual(['admin-password']);
      expect(findings[0]!.message).toContain('1 literal credential value (admin-password)');
      expect(findings[0]!.message).not.toContain('admin-user');
    });
  }
});
