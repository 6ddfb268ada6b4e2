/**
 * The annotated test inputs of two IaC scanners, rewritten as small trees, with what footprint reports for each.
 *
 * Peers: semgrep-rules (`# ruleid:` lines must match, `# ok:` lines must not) for yaml/kubernetes/security
 * secrets-in-config-file, dockerfile/security secret-in-build-arg, yaml/github-actions/security gha-workflow-env-secret,
 * terraform/aws/security aws-provider-static-credentials and aws-lambda-environment-credentials, generic/secrets/security
 * detected-npm-registry-auth-token; KICS (assets/queries, `test/positive*` with positive_expected_result.json lines and
 * `test/negative*`) for common/passwords_and_secrets (its K8s, Dockerfile, compose, CI and Terraform inputs) and
 * k8s/secrets_as_environment_variables. CloudFormation, Ansible and OpenAPI inputs are outside footprint's domain.
 *
 * Rewritten, not copied: each case is the smallest tree that carries the annotated line, in our own words; token-shaped
 * values are drawn from a seeded generator at runtime. Where footprint's answer differs from the peer's, `why` says
 * why ours stands: footprint reports legacy secret footprints (a literal credential committed where its authority should
 * deliver it, a token reaching an image), never references to a secret store, placeholders or made-up examples.
 */
import { describe, expect, it } from 'vitest';
import { lineTreeScanner } from './helpers/scan-tree.js';
import { seededText } from './helpers/seeded-text.js';

const scanTree = lineTreeScanner('fp-kics-semgrep-');

const draw = seededText(0x2545f491);
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const t = (...parts: string[]) => parts.join('');

// An AWS key pair of the real shape (AKIA + 16, 40 characters of secret), a SendGrid and a Mailchimp key, a password.
const AWS_ID = t('AK', 'IA', draw(UPPER, 16));
const AWS_SECRET = draw(`${MIXED}/+`, 40);
const SENDGRID = t('S', 'G.', draw(MIXED, 22), '.', draw(MIXED, 43));
const MAILCHIMP = t(draw(HEX, 32), '-us', '14');
const PASSWORD = t('Vq3', draw(MIXED, 9), '!x');
const SLACK_HOOK = t('https://hooks.', 'slack.com/services/T', draw(UPPER, 8), '/B', draw(UPPER, 10), '/', draw(MIXED, 24));
const SLACK_HOOK_PATTERN = t('https://hooks.', 'slack.com/services/T', '0'.repeat(8), '/B', '0'.repeat(8), '/', 'X'.repeat(24));
const guid = () => [draw(HEX, 8), draw(HEX, 4), draw(HEX, 4), draw(HEX, 4), draw(HEX, 12)].join('-');
const TEAMS_HOOK = t('https://contoso.', 'webhook.office.com/webhookb2/', guid(), '@', guid(), '/IncomingWebhook/', draw(HEX, 32), '/', guid());
const NPM_UUID = guid();
// A PEM private key: header and footer assembled here, a random base64 body.
const PEM_LINES = [`-----BEGIN ${'RSA PRIVATE'} KEY-----`, ...Array.from({ length: 6 }, () => draw(`${MIXED}+/`, 64)), `-----END ${'RSA PRIVATE'} KEY-----`];

type Expected = [ruleId: string, file: string, line: number];

interface PeerCase {
  peer: 'semgrep' | 'kics';
  /** The peer's rule or query and test file. */
  source: string;
  name: string;
  /** Does the peer report the annotated line (`ruleid:` / positive) or not (`ok:` / negative)? */
  peerReports: boolean;
  files: Record<string, string[]>;
  /** Every finding footprint reports for the tree, exactly. */
  expected: Expected[];
  /** Why our answer differs from the peer's (required when it does). */
  why?: string;
}

const INLINE = 'inline-secret-manifest';
const ARG_ENV = 'dockerfile-token-arg-env';
const BAKED = 'dockerfile-npmrc-token-baked';
const HARDCODED = 'hardcoded-credential';
const NPMRC = 'committed-npmrc-credentials';
const WORKLOAD = 'workload-env-literal-credential';
const VALUES = 'inline-credential-in-values';
const CONFIGMAP = 'secret-in-configmap';

const secret = (...data: string[]) => ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: app-credentials', 'type: Opaque', ...data];
const dockerfile = (...lines: string[]) => ({ Dockerfile: ['FROM ruby:3.3-slim', ...lines] });
const deployment = (...env: string[]) => [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/api:1.4.2',
  '          env:',
  ...env,
];
const SECRET_ARG = (name: string): PeerCase => ({
  peer: 'semgrep',
  source: 'dockerfile/security/secret-in-build-arg.dockerfile',
  name: `ruleid: ARG ${name}`,
  peerReports: true,
  files: dockerfile(`ARG ${name}`),
  expected: [[ARG_ENV, 'Dockerfile', 2]],
});

const CASES: PeerCase[] = [
  // ---- semgrep yaml/kubernetes/security/secrets-in-config-file.test.yaml -------------------------------------------
  {
    peer: 'semgrep',
    source: 'yaml/kubernetes/security/secrets-in-config-file.test.yaml',
    name: 'ruleid: Secret data PASSWORD (base64 literal)',
    peerReports: true,
    files: { 'k8s/secret.yaml': secret('data:', `  PASSWORD: ${b64(PASSWORD)}`) },
    expected: [[INLINE, 'k8s/secret.yaml', 7]],
  },
  {
    peer: 'semgrep',
    source: 'yaml/kubernetes/security/secrets-in-config-file.test.yaml',
    name: 'ruleid: Secret data USER NAME (base64 literal) beside the password',
    peerReports: true,
    files: { 'k8s/secret.yaml': secret('data:', `  USER NAME: ${b64('rosalind')}`, `  PASSWORD: ${b64(PASSWORD)}`) },
    expected: [[INLINE, 'k8s/secret.yaml', 8]],
    why: 'a user name is not a credential: the Secret is reported once, on its password',
  },
  {
    peer: 'semgrep',
    source: 'yaml/kubernetes/security/secrets-in-config-file.test.yaml',
    name: 'ok: Secret data UUID: {UUID} (a flow mapping, not a value)',
    peerReports: false,
    files: { 'k8s/secret.yaml': secret('data:', '  UUID: {UUID}') },
    expected: [],
  },
  {
    peer: 'semgrep',
    source: 'yaml/kubernetes/security/secrets-in-config-file.test.yaml',
    name: 'ok: Secret data SERVER (base64 of a short setting)',
    peerReports: false,
    files: { 'k8s/secret.yaml': secret('data:', `  SERVER: ${b64('prod')}`) },
    expected: [],
  },

  // ---- semgrep dockerfile/security/secret-in-build-arg.dockerfile ---------------------------------------------------
  SECRET_ARG('SECRET_KEY_BASE'),
  SECRET_ARG('SECRET_TOKEN'),
  { ...SECRET_ARG('AUTH_TOKEN'), name: 'ruleid: ARG AUTH_TOKEN="this-is-a-secret"', files: dockerfile('ARG AUTH_TOKEN="this-is-a-secret"') },
  SECRET_ARG('SSH_PRIVATE_KEY'),
  SECRET_ARG('CERT_PASSWORD'),
  SECRET_ARG('DJANGO_SECRET_KEY'),
  SECRET_ARG('NEXUS_PASSWORD'),
  SECRET_ARG('nexus_password'),
  {
    peer: 'semgrep',
    source: 'dockerfile/security/secret-in-build-arg.dockerfile',
    name: 'ok: ARG BASE_IMG/BASE_TAG before FROM, environment, package lists, NAME_IS_OK="secret password token key"',
    peerReports: false,
    files: {
      Dockerfile: [
        'ARG BASE_IMG=rust',
        'ARG BASE_TAG=1.82',
        'FROM ${BASE_IMG}:${BASE_TAG}',
        'ARG environment',
        'ARG BUILD_PACKAGES="build-base curl-dev git"',
        'ARG DEV_PACKAGES="postgresql-dev"',
        'ARG NAME_IS_OK="secret password token key"',
        'RUN apk add --no-cache $BUILD_PACKAGES $DEV_PACKAGES',
      ],
    },
    expected: [],
  },

  // ---- semgrep yaml/github-actions/security/gha-workflow-env-secret.test.yaml ---------------------------------------
  {
    peer: 'semgrep',
    source: 'yaml/github-actions/security/gha-workflow-env-secret.test.yaml',
    name: 'ruleid: workflow-level env TOKEN: ${{ secrets.X }}',
    peerReports: true,
    files: {
      '.github/workflows/deploy.yml': ['name: deploy', 'on: push', 'env:', '  TOKEN: ${{ secrets.DEPLOY_TOKEN }}', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:', '      - run: ./deploy.sh'],
    },
    expected: [],
    why: 'a reference to the CI secret store is how a credential should reach a job; how widely a workflow scopes it is not a legacy footprint',
  },
  {
    peer: 'semgrep',
    source: 'yaml/github-actions/security/gha-workflow-env-secret.test.yaml',
    name: 'ok: job- and step-level env from secrets',
    peerReports: false,
    files: {
      '.github/workflows/deploy.yml': [
        'name: deploy',
        'on: push',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    env:',
        '      JOB_TOKEN: ${{ secrets.JOB_TOKEN }}',
        '    steps:',
        '      - env:',
        '          STEP_TOKEN: ${{ secrets.STEP_TOKEN }}',
        '        run: ./deploy.sh',
      ],
    },
    expected: [],
  },

  // ---- semgrep terraform/aws/security aws-provider-static-credentials / aws-lambda-environment-credentials -----------
  {
    peer: 'semgrep',
    source: 'terraform/aws/security/aws-provider-static-credentials.tf',
    name: 'ruleid: provider "aws" secret_key = "<made-up 22 letters>", access_key = "AKIAEXAMPLEKEY"',
    peerReports: true,
    files: { 'infra/main.tf': ['provider "aws" {', '  region     = "eu-west-1"', '  access_key = "AKIAEXAMPLEKEY"', '  secret_key = "randomcharactersabcdef"', '}'] },
    // The id (AKIA…EXAMPLE…) is an identifier and a documentation marker; the secret_key literal is the credential.
    expected: [[HARDCODED, 'infra/main.tf', 4]],
  },
  {
    peer: 'semgrep',
    source: 'terraform/aws/security/aws-provider-static-credentials.tf',
    name: 'provider "aws" with a real-shaped key pair',
    peerReports: true,
    files: { 'infra/main.tf': ['provider "aws" {', '  region     = "eu-west-1"', `  access_key = "${AWS_ID}"`, `  secret_key = "${AWS_SECRET}"`, '}'] },
    expected: [[HARDCODED, 'infra/main.tf', 3]],
  },
  {
    peer: 'semgrep',
    source: 'terraform/aws/security/aws-provider-static-credentials.tf',
    name: 'ok: provider "aws" with shared_credentials_file and profile',
    peerReports: false,
    files: { 'infra/main.tf': ['provider "aws" {', '  region                  = "eu-west-1"', '  shared_credentials_file = "/home/ci/.aws/creds"', '  profile                 = "deploy"', '}'] },
    expected: [],
  },
  {
    peer: 'semgrep',
    source: 'terraform/aws/security/aws-lambda-environment-credentials.tf',
    name: 'ruleid: aws_lambda_function environment with the AWS documentation key pair',
    peerReports: true,
    files: {
      'infra/lambda.tf': [
        'resource "aws_lambda_function" "worker" {',
        '  function_name = "worker"',
        '  environment {',
        '    variables = {',
        `      AWS_ACCESS_KEY_ID     = "${t('AKIA', 'IOSFODNN7', 'EXAMPLE')}"`,
        `      AWS_SECRET_ACCESS_KEY = "${t('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCY', 'EXAMPLEKEY')}"`,
        '    }',
        '  }',
        '}',
      ],
    },
    expected: [],
    why: "AWS's documentation key pair (…EXAMPLE) is no credential; a real-shaped pair is reported (next case)",
  },
  {
    peer: 'semgrep',
    source: 'terraform/aws/security/aws-lambda-environment-credentials.tf',
    name: 'aws_lambda_function environment with a real-shaped key pair',
    peerReports: true,
    files: {
      'infra/lambda.tf': [
        'resource "aws_lambda_function" "worker" {',
        '  function_name = "worker"',
        '  environment {',
        '    variables = {',
        `      AWS_ACCESS_KEY_ID     = "${AWS_ID}"`,
        `      AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"`,
        '      AWS_DEFAULT_REGION    = "eu-west-1"',
        '    }',
        '  }',
        '}',
      ],
    },
    expected: [[HARDCODED, 'infra/lambda.tf', 5]],
  },
  {
    peer: 'semgrep',
    source: 'terraform/aws/security/aws-lambda-environment-credentials.tf',
    name: 'ok: aws_lambda_function environment with a region only',
    peerReports: false,
    files: { 'infra/lambda.tf': ['resource "aws_lambda_function" "worker" {', '  environment {', '    variables = {', '      AWS_DEFAULT_REGION = "eu-west-1"', '    }', '  }', '}'] },
    expected: [],
  },

  // ---- semgrep generic/secrets/security/detected-npm-registry-auth-token.npmrc --------------------------------------
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-npm-registry-auth-token.npmrc',
    name: 'ruleid: _auth = <base64 user:password>',
    peerReports: true,
    files: { '.npmrc': ['registry=https://registry.npmjs.org/', 'always-auth=true', `_auth = ${b64(`deploy:${PASSWORD}`)}`] },
    expected: [[NPMRC, '.npmrc', 3]],
  },
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-npm-registry-auth-token.npmrc',
    name: 'ruleid: //registry.npmjs.org/:_authToken=<uuid>',
    peerReports: true,
    files: { '.npmrc': ['@acme:registry=https://registry.npmjs.org/', `//registry.npmjs.org/:_authToken=${NPM_UUID}`] },
    expected: [[NPMRC, '.npmrc', 2]],
  },
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-npm-registry-auth-token.npmrc',
    name: 'ruleid: //host/path:_auth= and //host/path:_password= literals',
    peerReports: true,
    files: { '.npmrc': ['@acme:registry=https://npm.acme.test/releases', `//npm.acme.test/releases:_auth=${b64(`ci:${PASSWORD}`)}`, `//npm.acme.test/other:_password=${b64(PASSWORD)}`] },
    // One finding per file, from its first literal to its last (endLine 3): one file to fix, one token set to rotate.
    expected: [[NPMRC, '.npmrc', 2]],
  },
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-npm-registry-auth-token.npmrc',
    name: 'ok: _authToken=${NPM_TOKEN}, scope registries',
    peerReports: false,
    files: { '.npmrc': ['registry="https://registry.npmjs.org/"', '@acme:registry=https://npm.acme.test/releases', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}'] },
    expected: [],
  },
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-npm-registry-auth-token.npmrc',
    name: 'informative (not annotated): email=<address> beside an interpolated token',
    peerReports: false,
    files: { '.npmrc': ['registry="https://registry.npmjs.org/"', 'email=builds@acme.test', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}'] },
    expected: [[NPMRC, '.npmrc', 2]],
    why: 'a committed registry login (email, username) is reported at low severity: it names the publishing account a bootstrap should write with its token, the catalog (391) asks to block committed logins too',
  },

  // ---- KICS common/passwords_and_secrets: Kubernetes -----------------------------------------------------------------
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive1.yaml',
    name: 'Generic Password: Secret basic-auth stringData password: "root"',
    peerReports: true,
    files: { 'k8s/secret.yaml': ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: basic-auth', 'type: kubernetes.io/basic-auth', 'stringData:', '  password: "root"'] },
    expected: [[INLINE, 'k8s/secret.yaml', 7]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive16.yaml',
    name: 'K8s Environment Variable Password: DB_PASS_BD and DB_PASS_BD_2 literals',
    peerReports: true,
    files: {
      'k8s/deployment.yaml': deployment(
        '            - name: DB_HOST',
        '              value: "10.0.0.12"',
        '            - name: DB_NAME',
        '              value: "orders"',
        '            - name: DB_PASS_BD',
        `              value: "${PASSWORD}"`,
        '            - name: DB_PASS_BD_2',
        `              value: "${PASSWORD}"`,
        '            - name: DB_USER_BD',
        '              value: "orders"',
      ),
    },
    expected: [],
    why: 'the names end in BD, not in a credential word: reading DB_PASS_BD as a password is a guess a name-based rule cannot make without also reading PASSWORD_MIN_LENGTH or TOKEN_TTL as credentials; DB_PASS and DB_PASS_2 are reported (next case)',
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive16.yaml',
    name: 'K8s Environment Variable Password: DB_PASS and DB_PASS_2 literals',
    peerReports: true,
    files: {
      'k8s/deployment.yaml': deployment(
        '            - name: DB_HOST',
        '              value: "10.0.0.12"',
        '            - name: DB_PASS',
        `              value: "${PASSWORD}"`,
        '            - name: DB_PASS_2',
        `              value: "${PASSWORD}"`,
        '            - name: DB_USER',
        '              value: "orders"',
      ),
    },
    expected: [
      [WORKLOAD, 'k8s/deployment.yaml', 15],
      [WORKLOAD, 'k8s/deployment.yaml', 17],
    ],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative1.yaml',
    name: 'negative: a Pod without env',
    peerReports: false,
    files: { 'k8s/pod.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: web', 'spec:', '  containers:', '    - name: web', '      image: nginx:1.27'] },
    expected: [],
  },

  // ---- KICS k8s/secrets_as_environment_variables -------------------------------------------------------------------
  {
    peer: 'kics',
    source: 'k8s/secrets_as_environment_variables/test/positive.yaml',
    name: 'positive: env valueFrom.secretKeyRef and envFrom.secretRef',
    peerReports: true,
    files: {
      'k8s/pods.yaml': [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: worker',
        'spec:',
        '  containers:',
        '    - name: worker',
        '      image: redis:7',
        '      env:',
        '        - name: SECRET_PASSWORD',
        '          valueFrom:',
        '            secretKeyRef:',
        '              name: worker-credentials',
        '              key: password',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: web',
        'spec:',
        '  containers:',
        '    - name: web',
        '      image: nginx:1.27',
        '      envFrom:',
        '        - secretRef:',
        '            name: web-credentials',
      ],
    },
    expected: [],
    why: 'secretKeyRef and envFrom.secretRef are how a credential should reach a pod (the Secret comes from its authority); KICS asks for files instead, a hardening preference, not a secret footprint',
  },
  {
    peer: 'kics',
    source: 'k8s/secrets_as_environment_variables/test/negative.yaml',
    name: 'negative: a Pod without env',
    peerReports: false,
    files: { 'k8s/pod.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: worker', 'spec:', '  containers:', '    - name: worker', '      image: redis:7'] },
    expected: [],
  },

  // ---- KICS common/passwords_and_secrets: Dockerfile -----------------------------------------------------------------
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive6.dockerfile',
    name: 'Generic Password: ARG password=<literal> in two stages',
    peerReports: true,
    files: { Dockerfile: ['FROM node:20 AS build', `ARG password=${PASSWORD}`, 'FROM node:20-slim', `ARG password=${PASSWORD}`] },
    expected: [
      [ARG_ENV, 'Dockerfile', 2],
      [ARG_ENV, 'Dockerfile', 4],
    ],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive25.dockerfile',
    name: 'SendGrid API Key: ARG sgApiK=SG.…',
    peerReports: true,
    files: dockerfile(`ARG sgApiK=${SENDGRID}`),
    expected: [[HARDCODED, 'Dockerfile', 2]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive25.dockerfile',
    name: 'MailChimp API Key: ARG mailChimp=<hex>-us14',
    peerReports: true,
    files: dockerfile(`ARG mailChimp=${MAILCHIMP}`),
    expected: [[HARDCODED, 'Dockerfile', 2]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative5.dockerfile',
    name: 'negative: no secrets',
    peerReports: false,
    files: dockerfile('RUN bundle install'),
    expected: [],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative45.dockerfile',
    name: 'negative: git insteadOf with ${GIT_USER}:${GIT_TOKEN} never declared',
    peerReports: false,
    files: dockerfile('RUN apk add --no-cache git \\', '    && git config --global \\', '    url."https://${GIT_USER}:${GIT_TOKEN}@github.com".insteadOf "https://github.com"'),
    expected: [],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative45.dockerfile',
    name: 'the same git insteadOf with ARG GIT_TOKEN declared',
    peerReports: false,
    files: dockerfile('ARG GIT_TOKEN', 'RUN git config --global url."https://ci:${GIT_TOKEN}@github.com/".insteadOf "https://github.com/" && bundle install'),
    expected: [
      [ARG_ENV, 'Dockerfile', 2],
      [BAKED, 'Dockerfile', 3],
    ],
    why: 'with the ARG declared the token is in the image history, and git config writes it into ~/.gitconfig in the layer',
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative50.dockerfile',
    name: 'negative: ENV ARTEMIS_USER=artemis',
    peerReports: false,
    files: dockerfile('ENV ARTEMIS_USER=artemis'),
    expected: [],
  },

  // ---- KICS common/passwords_and_secrets: URLs and webhooks (positive10/11/12), in values and ConfigMaps ------------
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'Password in URL: http://bob:sekret@example.invalid',
    peerReports: true,
    files: { 'charts/api/values.yaml': ['upstream:', `  url: http://bob:${t('sek', 'ret')}@example.invalid/some/path`] },
    expected: [],
    why: '.invalid is reserved for examples: no server checks that password',
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'Password in URL, in a ConfigMap for a real host',
    peerReports: true,
    files: { 'k8s/configmap.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: api-config', 'data:', `  DATABASE_URL: postgres://orders:${PASSWORD}@orders-db.data.svc:5432/orders`] },
    expected: [[CONFIGMAP, 'k8s/configmap.yaml', 6]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'Slack Webhook filled with a pattern (T00000000/B00000000/XXXX…)',
    peerReports: true,
    files: { 'charts/alerts/values.yaml': ['slack:', `  webhookUrl: ${SLACK_HOOK_PATTERN}`] },
    expected: [],
    why: 'a webhook whose ids are zeros and whose secret is XXXX… is an example',
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'Slack Webhook of the real shape, in chart values',
    peerReports: true,
    files: { 'charts/alerts/values.yaml': ['slack:', `  webhookUrl: ${SLACK_HOOK}`] },
    expected: [[VALUES, 'charts/alerts/values.yaml', 2]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'MSTeams Webhook, in chart values',
    peerReports: true,
    files: { 'charts/alerts/values.yaml': ['teams:', `  webhookUrl: ${TEAMS_HOOK}`] },
    expected: [[VALUES, 'charts/alerts/values.yaml', 2]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'Slack Webhook in an alertmanager config a ConfigMap carries (slack_api_url)',
    peerReports: true,
    files: {
      'k8s/alertmanager.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: alertmanager', 'data:', '  alertmanager.yml: |', '    global:', '      resolve_timeout: 5m', `      slack_api_url: ${SLACK_HOOK}`, '    route:', '      receiver: ops'],
    },
    expected: [[CONFIGMAP, 'k8s/alertmanager.yaml', 9]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive11.yaml',
    name: 'Slack Webhook as a workload env literal (NOTIFY_ENDPOINT)',
    peerReports: true,
    files: { 'k8s/deployment.yaml': deployment('            - name: NOTIFY_ENDPOINT', `              value: ${SLACK_HOOK}`) },
    expected: [[WORKLOAD, 'k8s/deployment.yaml', 13]],
  },
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-private-key.txt',
    name: 'private key block as a chart values default (ssh hostKey)',
    peerReports: true,
    files: { 'charts/ci/values.yaml': ['secrets:', '  hostKey: |-', ...PEM_LINES.map((l) => `    ${l}`), '  hostKeyPub: ssh-ed25519 AAAAC3Nza placeholder'] },
    expected: [[VALUES, 'charts/ci/values.yaml', 2]],
  },
  {
    peer: 'semgrep',
    source: 'generic/secrets/security/detected-private-key.txt',
    name: 'ok: a public key and a certificate in chart values',
    peerReports: false,
    files: { 'charts/ci/values.yaml': ['secrets:', `  hostKeyPub: ssh-ed25519 ${draw(MIXED, 68)} ci@host`, '  caCert: |-', `    -----BEGIN ${'CERTIFICATE'}-----`, `    ${draw(MIXED, 64)}`, `    -----END ${'CERTIFICATE'}-----`] },
    expected: [],
  },

  // ---- KICS common/passwords_and_secrets: compose and CI negatives --------------------------------------------------
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative52.yml',
    name: 'negative: compose environment PrivateKey: /run/secrets/<name>',
    peerReports: false,
    files: {
      'docker-compose.yml': ['services:', '  api:', '    image: acme/api:1.0', '    environment:', '      PrivateKey: /run/secrets/API_SIGNING_KEY', '    secrets:', '      - API_SIGNING_KEY', 'secrets:', '  API_SIGNING_KEY:', '    external: true'],
    },
    expected: [],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative44.yml',
    name: 'negative: CI variable GIT_PRIVATE_KEY: $GIT_PRIVATE_KEY with a presence check',
    peerReports: false,
    files: {
      '.gitlab-ci.yml': ['stages: [build]', 'variables:', '  GIT_PRIVATE_KEY: $GIT_PRIVATE_KEY', 'build:', '  stage: build', '  script:', '    - test -n "${GIT_PRIVATE_KEY:-}" || { echo "GIT_PRIVATE_KEY missing"; exit 1; }', '    - make build'],
    },
    expected: [],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/negative51.yml',
    name: "negative: pipeline parameters '$(VM_ADMIN_PASSWORD)', '${{ SQL_ADMIN_PASSWORD }}', ''",
    peerReports: false,
    files: {
      'azure-pipelines.yml': [
        'stages:',
        '- template: templates/main-stage.yml',
        '  parameters:',
        "    environment: 'prod'",
        "    vmAdminPassword: '$(VM_ADMIN_PASSWORD)'",
        "    sqlAdminPassword: '${{ SQL_ADMIN_PASSWORD }}'",
        "    anotherAdminPassword: ''",
      ],
    },
    expected: [],
  },

  // ---- KICS common/passwords_and_secrets: Terraform ------------------------------------------------------------------
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive14.tf',
    name: 'AWS Access Key + Secret Key exported in an aws_instance user_data heredoc',
    peerReports: true,
    files: {
      'infra/instance.tf': [
        'resource "aws_instance" "runner" {',
        '  ami           = "ami-0a1b2c3d4e5f67890"',
        '  instance_type = "t3.micro"',
        '  user_data = <<EOF',
        '#!/bin/bash',
        `export AWS_ACCESS_KEY_ID=${AWS_ID}`,
        `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
        'EOF',
        '}',
      ],
    },
    expected: [[HARDCODED, 'infra/instance.tf', 6]],
    why: 'one finding for the key pair (KICS reports the id and the secret apart)',
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive4.tf',
    name: 'Generic Password: google_container_cluster master_auth password = "root"',
    peerReports: true,
    files: { 'infra/gke.tf': ['resource "google_container_cluster" "primary" {', '  name = "primary"', '  master_auth {', '    username = ""', '    password = "root"', '  }', '}'] },
    expected: [],
    why: 'root is a well-known default (as POSTGRES_PASSWORD=postgres and MYSQL_ROOT_PASSWORD=root are): the Terraform and dotenv checks do not report image and tool defaults; a real literal is reported (next case)',
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive17.tf',
    name: 'Generic Password: azurerm_sql_server administrator_login_password literal',
    peerReports: true,
    files: { 'infra/sql.tf': ['resource "azurerm_mssql_server" "main" {', '  name                         = "orders-sql"', '  administrator_login          = "sqladmin"', `  administrator_login_password = "${PASSWORD}"`, '  version                      = "12.0"', '}'] },
    expected: [[HARDCODED, 'infra/sql.tf', 4]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive17.tf',
    name: 'the same password as a variable default and in a .tfvars file',
    peerReports: true,
    files: {
      'infra/variables.tf': ['variable "sql_admin_password" {', '  type      = string', '  sensitive = true', `  default   = "${PASSWORD}"`, '}', 'variable "sql_admin_login" {', '  default = "sqladmin"', '}'],
      'infra/prod.tfvars': [`sql_admin_password = "${PASSWORD}"`, 'location = "westeurope"'],
    },
    expected: [
      [HARDCODED, 'infra/prod.tfvars', 1],
      [HARDCODED, 'infra/variables.tf', 4],
    ],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive17.tf',
    name: 'ok: passwords from random_password, variables and data sources; a description naming the password',
    peerReports: false,
    files: {
      'infra/sql.tf': [
        'resource "random_password" "sql" {',
        '  length = 32',
        '}',
        'variable "sql_admin_password" {',
        '  description = "The administrator password of the SQL server"',
        '  sensitive   = true',
        '}',
        'resource "azurerm_mssql_server" "main" {',
        '  administrator_login_password = random_password.sql.result',
        '}',
        'resource "azurerm_mssql_server" "replica" {',
        '  administrator_login_password = "${var.sql_admin_password}"',
        '}',
        'resource "azurerm_key_vault_secret" "sql" {',
        '  name         = "sql-admin-password"',
        '  value        = random_password.sql.result',
        '  key_vault_id = azurerm_key_vault.main.id',
        '}',
      ],
    },
    expected: [],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive1.yaml',
    name: 'Generic Password, as a Terraform kubernetes_secret with a literal string_data password',
    peerReports: true,
    files: { 'infra/k8s.tf': ['resource "kubernetes_secret" "basic_auth" {', '  metadata {', '    name = "basic-auth"', '  }', '  string_data = {', `    password = "${PASSWORD}"`, '  }', '}'] },
    expected: [[INLINE, 'infra/k8s.tf', 6]],
  },
  {
    peer: 'kics',
    source: 'common/passwords_and_secrets/test/positive45.tf',
    name: 'Generic Password: password = cond ? var.x : "null"',
    peerReports: true,
    files: { 'infra/gke.tf': ['resource "google_container_cluster" "primary" {', '  master_auth {', '    username = ""', '    password = local.primary ? var.cluster_password : "null"', '  }', '}'] },
    expected: [],
    why: 'the password comes from a variable; "null" is no credential',
  },
];

describe('semgrep-rules and KICS secret checks, case by case', () => {
  for (const c of CASES) {
    it(`${c.peer}: ${c.name}`, async () => {
      const result = await scanTree(c.files);
      const ours = result.findings.map((f): Expected => [f.ruleId, f.file, f.line ?? 0]).sort((a, b) => a[1].localeCompare(b[1]) || a[2] - b[2] || a[0].localeCompare(b[0]));
      if (process.env.PEERS_DUMP) console.log(c.name, JSON.stringify(ours));
      expect(ours).toEqual(c.expected);
      // A disagreement with the peer is deliberate and says why.
      if (c.expected.length > 0 !== c.peerReports) expect(c.why, 'why our answer differs').toBeTruthy();
    });
  }

  it('covers both peers', () => {
    expect(CASES.filter((c) => c.peer === 'semgrep').length).toBeGreaterThanOrEqual(10);
    expect(CASES.filter((c) => c.peer === 'kics').length).toBeGreaterThanOrEqual(10);
  });
});
