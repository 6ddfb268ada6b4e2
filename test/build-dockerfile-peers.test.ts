/**
 * The test cases of other Dockerfile secret checks, rewritten as small trees, with what footprint reports for each.
 * Our model: a registry or build token reaches an image only through ARG/ENV, a credential file copied or written into a
 * layer, or a build invocation passing it as a build argument; BuildKit secret mounts are the way out. Where a peer
 * answers differently, `why` says why our answer stands.
 *
 * Peers: BuildKit's SecretsUsedInArgOrEnv (frontend/dockerfile/dockerfile_lint_test.go, its word list in
 * dockerfile2llb/validations.go), Trivy's DS031 "leaked secrets" (trivy-checks checks/docker/leaked_secrets_test.rego),
 * Checkov's CKV_DOCKER_1005 SecretsInEnvArg and CKV2_DOCKER_17 RunChpasswd, hadolint's DL3064 (DL3064Spec.hs).
 */
import { describe, expect, it } from 'vitest';
import { lineTreeScanner } from './helpers/scan-tree.js';

const scanTree = lineTreeScanner('fp-df-peers-');

const BUILD_RULES = new Set(['dockerfile-token-arg-env', 'dockerfile-npmrc-token-baked', 'committed-npmrc-credentials', 'build-arg-token-passthrough', 'build-secret-not-wired', 'missing-build-secret-precheck']);

type Expected = [ruleId: string, line: number, severity: string];

interface PeerCase {
  peer: 'buildkit' | 'trivy' | 'checkov' | 'hadolint';
  name: string;
  /** Does the peer report it? */
  peerReports: boolean;
  dockerfile: string[];
  files?: Record<string, string[]>;
  /** Our findings in Dockerfile, exactly. */
  expected: Expected[];
  /** Why our answer differs from the peer's (required when it does). */
  why?: string;
}

const ARG_ENV = 'dockerfile-token-arg-env';
const BAKED = 'dockerfile-npmrc-token-baked';
// A PEM header, built here so that no private-key-shaped literal sits in the repository.
const PEM_LITERAL = `-----BEGIN ${'PRIVATE'} KEY-----abc123xyz`;

const CASES: PeerCase[] = [
  // ---- BuildKit SecretsUsedInArgOrEnv: testSecretsUsedInArgOrEnv, one warning per line below ------------------------
  { peer: 'buildkit', name: 'ARG SECRET_PASSPHRASE', peerReports: true, dockerfile: ['FROM scratch', 'ARG SECRET_PASSPHRASE'], expected: [[ARG_ENV, 2, 'medium']] },
  { peer: 'buildkit', name: 'ENV SUPER_Secret=foo', peerReports: true, dockerfile: ['FROM scratch', 'ENV SUPER_Secret=foo'], expected: [[ARG_ENV, 2, 'critical']] },
  { peer: 'buildkit', name: 'ENV password=bar secret=baz', peerReports: true, dockerfile: ['FROM scratch', 'ENV password=bar secret=baz'], expected: [[ARG_ENV, 2, 'critical'], [ARG_ENV, 2, 'critical']] },
  { peer: 'buildkit', name: 'ARG super_duper_secret_token=foo auth=bar', peerReports: true, dockerfile: ['FROM scratch', 'ARG super_duper_secret_token=foo auth=bar'], expected: [[ARG_ENV, 2, 'high'], [ARG_ENV, 2, 'high']] },
  { peer: 'buildkit', name: 'ENV apikey=bar sunflower=foo', peerReports: true, dockerfile: ['FROM scratch', 'ENV apikey=bar sunflower=foo'], expected: [[ARG_ENV, 2, 'critical']] },
  {
    peer: 'buildkit',
    name: 'ENV git_key= (empty)',
    peerReports: true,
    dockerfile: ['FROM scratch', 'ENV git_key='],
    expected: [],
    why: 'an empty ENV stores nothing in the image config; the same name as an ARG is reported (next case)',
  },
  { peer: 'buildkit', name: 'ARG git_key (the *_KEY of a git credential)', peerReports: true, dockerfile: ['FROM alpine', 'ARG git_key', 'RUN echo "$git_key" > /tmp/k && rm /tmp/k'], expected: [[ARG_ENV, 2, 'high']] },
  { peer: 'buildkit', name: 'docs: ARG AWS_SECRET_ACCESS_KEY', peerReports: true, dockerfile: ['FROM scratch', 'ARG AWS_SECRET_ACCESS_KEY'], expected: [[ARG_ENV, 2, 'medium']] },
  { peer: 'buildkit', name: 'allow words public, file, version', peerReports: false, dockerfile: ['FROM alpine', 'ARG PUBLIC_KEY', 'ARG API_KEY_FILE', 'ARG TOKEN_VERSION', 'ENV SECRET_FILE=/run/secrets/x', 'RUN echo $PUBLIC_KEY $API_KEY_FILE $TOKEN_VERSION'], expected: [] },
  {
    peer: 'buildkit',
    name: 'ENV GPG_KEY=<fingerprint>, ARG SIGNING_KEY_ID',
    peerReports: true,
    dockerfile: ['FROM debian', 'ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D', 'ARG SIGNING_KEY_ID', 'RUN gpg --recv-keys "$GPG_KEY"'],
    expected: [],
    why: 'a key fingerprint and a key id name a public key; BuildKit matches every *_KEY and *_KEY_*',
  },
  {
    peer: 'buildkit',
    name: 'issue 6064: ARG SOME_PSW (Jenkins <VAR>_PSW)',
    peerReports: false,
    dockerfile: ['FROM ubuntu', 'ARG SOME_PSW="pass"', 'RUN echo "${SOME_PSW}"'],
    expected: [[ARG_ENV, 2, 'critical']],
    why: 'Jenkins binds a username/password credential as <VAR>_USR and <VAR>_PSW: _PSW is a password (BuildKit has the request open)',
  },

  // ---- Trivy DS031 leaked_secrets_test.rego ------------------------------------------------------------------------
  { peer: 'trivy', name: 'test_deny_secret_env_variable (ENV GITHUB_TOKEN, no value)', peerReports: true, dockerfile: ['FROM busybox', 'ENV GITHUB_TOKEN=""'], expected: [], why: 'an ENV without a value stores nothing secret (Docker itself rejects `ENV NAME` with no value)' },
  { peer: 'trivy', name: 'test_deny_secret_env_variable_with_default (ENV GITHUB_TOKEN placeholder)', peerReports: true, dockerfile: ['FROM busybox', 'ENV GITHUB_TOKEN=placeholder'], expected: [], why: 'a placeholder ENV value is not a token in the image config' },
  { peer: 'trivy', name: 'test_deny_secret_arg_variable_with_default', peerReports: true, dockerfile: ['FROM busybox', 'ARG GITHUB_TOKEN=placeholder'], expected: [[ARG_ENV, 2, 'medium']] },
  { peer: 'trivy', name: 'test_deny_secret_arg', peerReports: true, dockerfile: ['FROM busybox', 'ARG GITHUB_TOKEN'], expected: [[ARG_ENV, 2, 'medium']] },
  { peer: 'trivy', name: 'test_deny_custom_secret_env (MY_SECRET, by name heuristics here)', peerReports: true, dockerfile: ['FROM busybox', 'ARG MY_SECRET', 'ENV MY_SECRET=$MY_SECRET'], expected: [[ARG_ENV, 2, 'medium'], [ARG_ENV, 3, 'critical']] },
  {
    peer: 'trivy',
    name: 'test_deny_secret_arg_with_prefix (VITE_AWS_ACCESS_KEY_ID)',
    peerReports: true,
    dockerfile: ['FROM busybox', 'ARG VITE_AWS_ACCESS_KEY_ID=REPLACE_WITH_YOUR_OWN'],
    expected: [],
    why: 'an access key id is an identifier, not the secret; a client-bundle variable named as a secret is reported (next case)',
  },
  { peer: 'trivy', name: 'prefix: ARG VITE_AWS_SECRET_ACCESS_KEY read by the bundle build', peerReports: true, dockerfile: ['FROM node:20', 'ARG VITE_AWS_SECRET_ACCESS_KEY', 'RUN npm run build'], expected: [[ARG_ENV, 2, 'high']] },
  {
    peer: 'trivy',
    name: 'test_deny_copy_secret_file (COPY ./config $AWS_CONFIG_FILE)',
    peerReports: true,
    dockerfile: ['FROM busybox', 'COPY ./config $AWS_CONFIG_FILE'],
    expected: [],
    why: "the AWS CLI config holds profiles and regions; keys live in the shared credentials file (reported: COPY into ~/.aws/credentials or $AWS_SHARED_CREDENTIALS_FILE)",
  },
  { peer: 'trivy', name: 'copy secret file: COPY ./credentials /root/.aws/credentials', peerReports: false, dockerfile: ['FROM amazon/aws-cli', 'COPY ./credentials /root/.aws/credentials'], expected: [[BAKED, 2, 'high']], why: 'the AWS shared credentials file copied where the CLI reads it is a credential in a layer (Trivy only knows the variable form)' },
  { peer: 'trivy', name: 'test_allow_secret_file_without_copy', peerReports: false, dockerfile: ['FROM busybox', 'ENV GOOGLE_APPLICATION_CREDENTIALS=/credentials/google-storage-service.json'], expected: [] },
  { peer: 'trivy', name: 'test_allow_secret_file_copy_with_other_base_path', peerReports: false, dockerfile: ['FROM busybox', 'COPY /src /src', 'ENV GOOGLE_APPLICATION_CREDENTIALS=./app/google-storage-service.json'], expected: [] },
  {
    peer: 'trivy',
    name: 'test_deny_secret_file (key path under a folder COPY destination)',
    peerReports: true,
    dockerfile: ['FROM busybox', 'COPY /src /app/', 'ENV GOOGLE_APPLICATION_CREDENTIALS=./app/google-storage-service.json'],
    expected: [],
    why: 'a folder copy does not show the key file is in it: the path is as often a volume mounted at run time; a COPY of a file to that path is reported (next case)',
  },
  { peer: 'trivy', name: 'key file copied to the path GOOGLE_APPLICATION_CREDENTIALS names', peerReports: true, dockerfile: ['FROM python:3.12-slim', 'WORKDIR /app', 'ENV GOOGLE_APPLICATION_CREDENTIALS=sa.json', 'COPY keys/sa.json .'], expected: [[BAKED, 4, 'high']] },
  { peer: 'trivy', name: 'test_deny_secret_file_quoted_path (COPY . . + quoted relative path)', peerReports: true, dockerfile: ['FROM busybox', 'COPY . .', 'ENV GOOGLE_APPLICATION_CREDENTIALS="./news-extraction.json"'], expected: [], why: 'as test_deny_secret_file: a folder copy is no proof the key is in it' },
  { peer: 'trivy', name: 'test_deny_secret_file_in_arg', peerReports: true, dockerfile: ['FROM busybox', 'COPY /src /app/', 'ARG GOOGLE_APPLICATION_CREDENTIALS=./app/google-storage-service.json'], expected: [], why: 'GOOGLE_APPLICATION_CREDENTIALS holds a path, not a key; as test_deny_secret_file for the copy' },
  {
    peer: 'trivy',
    name: 'test_deny_secret_in_set_command (aws configure set … test-key)',
    peerReports: true,
    dockerfile: ['FROM amazon/aws-cli:latest', 'RUN aws configure set aws_access_key_id test-id &&     aws configure set aws_secret_access_key test-key'],
    expected: [],
    why: '`test-key` is a phrase naming the value, not a value; a real literal or a token variable is reported (ng.cloud-cli-credential-stores)',
  },
  {
    peer: 'trivy',
    name: 'test_allow_secret_in_set_command_with_secret_mount',
    peerReports: false,
    dockerfile: [
      'FROM amazon/aws-cli:latest',
      'RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID \\',
      '    --mount=type=secret,id=aws-secret-key,env=AWS_SECRET_ACCESS_KEY \\',
      '    aws configure set aws_access_key_id $(cat /run/secrets/aws-key-id) &&     aws configure set aws_secret_access_key $(cat /run/secrets/aws-secret-key)',
    ],
    expected: [[BAKED, 4, 'high']],
    why: 'the mount only lends the secret to the RUN: aws configure set writes it into ~/.aws/credentials, which stays in the layer',
  },
  { peer: 'trivy', name: 'setup command: gcloud auth activate-service-account from a mounted key', peerReports: false, dockerfile: ['FROM google/cloud-sdk', 'RUN --mount=type=secret,id=gcp,target=/tmp/key.json gcloud auth activate-service-account --key-file=/tmp/key.json'], expected: [[BAKED, 2, 'high']], why: 'gcloud imports the key into ~/.config/gcloud, in the layer' },
  { peer: 'trivy', name: 'setup command: az login with a service principal secret from an ARG', peerReports: true, dockerfile: ['FROM mcr.microsoft.com/azure-cli', 'ARG AZ_SP_PASSWORD', 'RUN az login --service-principal -u app -p "$AZ_SP_PASSWORD" --tenant t'], expected: [[ARG_ENV, 2, 'high'], [BAKED, 3, 'high']] },

  // ---- Checkov CKV_DOCKER_1005 SecretsInEnvArg (Dockerfile.fail / .pass / .privatekey.fail), CKV2_DOCKER_17 ---------
  { peer: 'checkov', name: 'Dockerfile.fail: ENV API_KEY, ENV DB_PASSWORD, ARG ACCESS_TOKEN literals', peerReports: true, dockerfile: ['FROM ubuntu:20.04', 'ENV API_KEY=abcd1234', 'ENV DB_PASSWORD=mysecretpass', 'ARG ACCESS_TOKEN=xyz789', 'RUN echo "Using secret environment variables"'], expected: [[ARG_ENV, 2, 'critical'], [ARG_ENV, 3, 'critical'], [ARG_ENV, 4, 'critical']] },
  { peer: 'checkov', name: 'Dockerfile.pass: APP_ENV, LOG_LEVEL, BUILD_VERSION', peerReports: false, dockerfile: ['FROM ubuntu:20.04', 'ENV APP_ENV=production', 'ENV LOG_LEVEL=info', 'ARG BUILD_VERSION=1.0.0', 'RUN echo "Building image safely without secrets"'], expected: [] },
  { peer: 'checkov', name: 'Dockerfile.privatekey.fail: ENV PRIVATE_KEY with a PEM literal', peerReports: true, dockerfile: ['FROM python:3.10-slim', `ENV PRIVATE_KEY="${PEM_LITERAL}"`], expected: [[ARG_ENV, 2, 'critical']] },
  {
    peer: 'checkov',
    name: 'CKV2_DOCKER_17: RUN … | chpasswd',
    peerReports: true,
    dockerfile: ['FROM ubuntu:24.04', 'RUN echo "root:Docker!" | chpasswd'],
    expected: [],
    why: 'an OS account password set in the image is a hardening issue, not a build credential reaching the image',
  },

  // ---- hadolint DL3064Spec.hs (the ONBUILD variants: onBuildRuleCatches) -------------------------------------------
  { peer: 'hadolint', name: 'ok: no ARG, no ENV', peerReports: false, dockerfile: ['FROM debian:bullseye', 'RUN foobar'], expected: [] },
  { peer: 'hadolint', name: 'ok: ARG no sensitive data', peerReports: false, dockerfile: ['ARG foobar', 'FROM debian:bullseye', 'RUN foobar'], expected: [] },
  { peer: 'hadolint', name: 'ok: ENV no sensitive data', peerReports: false, dockerfile: ['FROM debian:bullseye', 'ENV foobar=barfoo', 'RUN foobar'], expected: [] },
  { peer: 'hadolint', name: 'not ok: ARG AWS_ACCESS_KEY_ID', peerReports: true, dockerfile: ['ARG AWS_ACCESS_KEY_ID', 'FROM debian:bullseye', 'RUN foobar'], expected: [], why: 'an access key id is an identifier; the secret access key is reported' },
  { peer: 'hadolint', name: 'not ok: ARG openai_api_key (global)', peerReports: true, dockerfile: ['ARG openai_api_key', 'FROM debian:bullseye', 'RUN foobar'], expected: [[ARG_ENV, 1, 'medium']] },
  { peer: 'hadolint', name: 'not ok: ENV AWS_ACCESS_KEY_ID=…', peerReports: true, dockerfile: ['FROM debian:bullseye', 'ENV AWS_ACCESS_KEY_ID=abcdefghijklmnopqrstuvwxyz', 'RUN foobar'], expected: [], why: 'an access key id is an identifier' },
  { peer: 'hadolint', name: 'not ok: ENV my_password=…', peerReports: true, dockerfile: ['FROM debian:bullseye', 'ENV my_password=abcdefghijklmnopqrstuvwxyz', 'RUN foobar'], expected: [[ARG_ENV, 2, 'critical']] },
  { peer: 'hadolint', name: 'ONBUILD ARG openai_api_key / ONBUILD ENV my_password', peerReports: true, dockerfile: ['FROM debian:bullseye', 'ONBUILD ARG openai_api_key', 'ONBUILD ENV my_password=abcdefghijklmnopqrstuvwxyz'], expected: [[ARG_ENV, 2, 'high'], [ARG_ENV, 3, 'critical']] },
  {
    peer: 'hadolint',
    name: 'known names: DOCKER_USERNAME, CI_DEPLOY_USER (issue 1230)',
    peerReports: true,
    dockerfile: ['FROM debian', 'ARG DOCKER_USERNAME', 'ARG CI_DEPLOY_USER', 'RUN echo $DOCKER_USERNAME $CI_DEPLOY_USER'],
    expected: [],
    why: 'a username is not a secret; its password is reported',
  },
  {
    peer: 'hadolint',
    name: 'substring "private": PRIVATE_REPO_URL, SSH_PRIVATE_KEY',
    peerReports: true,
    dockerfile: ['FROM debian', 'ARG PRIVATE_REPO_URL', 'ARG SSH_PRIVATE_KEY', 'RUN echo "$SSH_PRIVATE_KEY" > /tmp/id && git clone "$PRIVATE_REPO_URL" && rm /tmp/id'],
    expected: [[ARG_ENV, 3, 'high']],
    why: 'the URL of a private repository is an address (one with user:token@ in its value is reported)',
  },
  // ---- Near-misses the peers' matching rules flag (not in their test files) -------------------------------------------
  {
    peer: 'checkov',
    name: 'rule logic: `key=` / `auth=` anywhere in the line (MONKEY=, ENABLE_AUTH=, SKIP_AUTH=)',
    peerReports: true,
    dockerfile: ['FROM alpine', 'ENV MONKEY=banana', 'ENV ENABLE_AUTH=true', 'ARG SKIP_AUTH=1', 'RUN echo $MONKEY'],
    expected: [],
    why: 'a word ending in key and an on/off switch about auth hold no credential',
  },
  {
    peer: 'buildkit',
    name: 'rule logic: key/token/password as any whole word (KEY_ALGORITHM, PRIMARY_KEY, TOKEN_EXPIRY, PASSWORD_MIN_LENGTH)',
    peerReports: true,
    dockerfile: ['FROM alpine', 'ARG KEY_ALGORITHM=ed25519', 'ARG PRIMARY_KEY', 'ARG TOKEN_EXPIRY=3600', 'ENV PASSWORD_MIN_LENGTH=12', 'RUN echo $KEY_ALGORITHM $PRIMARY_KEY $TOKEN_EXPIRY'],
    expected: [],
    why: 'settings about keys, tokens and passwords, not the secrets themselves',
  },
  {
    peer: 'hadolint',
    name: 'rule logic: substring "token" (CSRF_TOKEN_HEADER)',
    peerReports: true,
    dockerfile: ['FROM alpine', 'ENV CSRF_TOKEN_HEADER=X-CSRF-Token'],
    expected: [],
    why: 'a header name is no token',
  },
  { peer: 'hadolint', name: 'issue 462: ENV MYSQL_ROOT_PASSWORD=my-secret-pw', peerReports: true, dockerfile: ['FROM mariadb:10', 'ENV MYSQL_ROOT_PASSWORD=my-secret-pw'], expected: [[ARG_ENV, 2, 'critical']] },
];

describe('Dockerfile secret checks of other tools, case by case', () => {
  for (const c of CASES) {
    it(`${c.peer}: ${c.name}`, async () => {
      const result = await scanTree({ Dockerfile: c.dockerfile, ...(c.files ?? {}) });
      const ours = result.findings
        .filter((f) => BUILD_RULES.has(f.ruleId))
        .map((f): Expected => [f.ruleId, f.line ?? 0, f.severity])
        .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
      expect(result.findings.filter((f) => BUILD_RULES.has(f.ruleId)).every((f) => f.file === 'Dockerfile')).toBe(true);
      expect(ours).toEqual(c.expected);
      // A disagreement with the peer is deliberate and says why.
      if (c.expected.length > 0 !== c.peerReports) expect(c.why, 'why our answer differs').toBeTruthy();
    });
  }

  it('covers every peer', () => {
    const count = (peer: PeerCase['peer']) => CASES.filter((c) => c.peer === peer).length;
    expect([count('buildkit'), count('trivy'), count('checkov'), count('hadolint')].every((n) => n >= 4)).toBe(true);
  });
});

describe('no secret value in what is reported', () => {
  it('keeps literal ARG/ENV values and copied credentials out of messages', async () => {
    const literal = ['s3cr3t', 'Value', String(7 * 6)].join('-');
    const result = await scanTree({ Dockerfile: ['FROM amazon/aws-cli:2.17.0', `ENV DB_PASSWORD=${literal}`, `RUN aws configure set aws_secret_access_key ${literal}`] });
    const build = result.findings.filter((f) => BUILD_RULES.has(f.ruleId));
    expect(build.map((f) => [f.ruleId, f.line, f.severity])).toEqual([
      [ARG_ENV, 2, 'critical'],
      [BAKED, 3, 'critical'],
    ]);
    expect(JSON.stringify(build)).not.toContain(literal);
  });
});
