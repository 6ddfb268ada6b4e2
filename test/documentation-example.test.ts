import { describe, expect, it } from 'vitest';
import { isDocumentationExamplePath } from '../src/scan/documentation.js';

describe('documentation examples', () => {
  it('are files under example, sample and docs folders or named as examples', () => {
    for (const path of [
      'charts/authsrv/examples/postgres/server-values.yaml',
      'example/values.yaml',
      'docs/deploy/secret.yaml',
      'doc/app.yaml',
      'samples/quickstart/kustomization.yaml',
      'config/sample/app.yaml',
      'deploy/values.example.yaml',
      'deploy/secret-example.yaml',
      'deploy/db_example.json',
      'example-values.yaml',
      '.env.example',
      'examples.yaml',
    ]) expect(isDocumentationExamplePath(path), path).toBe(true);
  });

  it('are never prose (a runbook is a procedure) nor names that merely contain the word', () => {
    for (const path of [
      'docs/runbooks/rotate.md',
      'examples/README.md',
      'docs/notes.txt',
      'charts/authsrv/values.yaml',
      'deploy/counterexample.yaml',
      'apps/docsite/deployment.yaml',
      'deploy/sampler/config.yaml',
    ]) expect(isDocumentationExamplePath(path), path).toBe(false);
  });
});
