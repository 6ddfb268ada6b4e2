import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentSection, snapshotMarkdown } from '../src/report/attach.js';
import { FORMATS, render } from '../src/report/index.js';
import { scan } from '../src/scan/run.js';
import type { ScanResult } from '../src/types.js';
import { REPO_ROOT } from './helpers/run-fixture.js';

/** A value no rule or report has any business printing, in plain, base64 and URL-embedded form. */
const SECRET = 'pl4nted-Secret-Value-9f3c2e7b';
const FORMS = [SECRET, Buffer.from(SECRET).toString('base64'), SECRET.slice(2)];

let root: string;
let result: ScanResult;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'footprint-nosecret-'));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write(
    'environments/production/payments/secret.yaml',
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: payments-api\n  namespace: payments\nstringData:\n  api-key: ${SECRET}\n`,
  );
  write(
    'environments/staging/orders/secret.yaml',
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db-credentials\n  namespace: orders\ndata:\n  password: ${Buffer.from(SECRET).toString('base64')}\n`,
  );
  write('values/env/production/apps/orders.yaml', `database:\n  password: "${SECRET}"\n  url: "postgresql://orders:${SECRET}@db:5432/orders"\n`);
  write(
    'environments/staging/configmaps/orders.yaml',
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orders-config\n  namespace: orders\ndata:\n  DATABASE_URL: postgresql://orders:${SECRET}@db:5432/orders\n`,
  );
  result = await scan({ root, useGit: false });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('no secret value in any report', () => {
  it('the planted secret produces findings (so the check below means something)', () => {
    expect(result.findings.length).toBeGreaterThanOrEqual(2);
    expect(result.findings.some((f) => f.evidence.redacted)).toBe(true);
  });

  it.each(FORMATS)('%s output never contains the value', async (format) => {
    const out = await render(result, format, { fullReportPath: 'footprint.html' });
    expect(out.length).toBeGreaterThan(100);
    for (const form of FORMS) expect(out).not.toContain(form);
  });

  it('neither does the attached section nor the snapshot', () => {
    for (const text of [attachmentSection(result, { source: 'r.json' }), snapshotMarkdown(result, { source: 'r.json' })]) {
      for (const form of FORMS) expect(text).not.toContain(form);
    }
  });

  it('the example platform reports carry none of its planted literals', async () => {
    const example = await scan({ root: path.join(REPO_ROOT, 'fixtures', 'example-platform'), useGit: false });
    // Literals planted in fixtures/example-platform: EXPECTED.md rows 1 (token), 2 (base64 and decoded), 5, 6 and 7.
    const planted = ['ghp_EXAMPLEexample', 'czNjcjN0LWV4YW1wbGU=', 's3cr3t-example', 'web-oidc-s3cr3t-example', 'example-live-payments-key-0000', 'orders-dev-s3cr3t'];
    for (const format of FORMATS) {
      const out = await render(example, format, {});
      for (const value of planted) expect(out, `${format} contains ${value}`).not.toContain(value);
    }
  });
});
