/**
 * gitleaks' own per-rule test cases (cmd/generate/config/rules/*.go: `tps` must match, `fps` must not), run through
 * findCredentials for every gitleaks rule whose format footprint reports, plus the betterleaks Docker Hub rule.
 *
 * Rewritten, not copied: gitleaks' fixed samples are split at their prefix and assembled at runtime, and its random
 * samples (`secrets.NewSecret(utils.AlphaNumeric("36"))`, i.e. `[a-z0-9]{36}`) are drawn from a seeded generator, so no
 * token-shaped literal sits in the repository. `samples()` is gitleaks' GenerateSampleSecrets: the same secret in the
 * INI, JSON, XML, YAML, source-code and Makefile contexts it checks every rule against.
 *
 * Where footprint's answer differs from gitleaks', the case says `ours` and why: footprint reports only credentials
 * that are real by format (checksum, structure, a secret next to an AWS key id), never placeholders.
 */
import { describe, expect, it } from 'vitest';
import { credentialPrefilter, findCredentials, type CredentialFormat } from '../src/analyzers/tests/credentials.js';
import { seededText } from './helpers/seeded-text.js';

const draw = seededText(0x9e3779b9);
// gitleaks' utils patterns: AlphaNumeric is lower-case, AlphaNumericExtended adds `=_-`.
const alnum = (n: number) => draw('abcdefghijklmnopqrstuvwxyz0123456789', n);
const mixed = (n: number) => draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', n);
const hex = (n: number) => draw('0123456789abcdef', n);
const num = (n: number) => draw('0123456789', n);
const ext = (n: number) => draw('abcdefghijklmnopqrstuvwxyz0123456789=_-', n);
const extShort = (n: number) => draw('abcdefghijklmnopqrstuvwxyz0123456789_-', n);
const letters = (n: number) => draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', n);
const t = (...parts: string[]) => parts.join('');

/** gitleaks' GenerateSampleSecrets templates (cmd/generate/config/utils/generate.go). */
const TEMPLATES = [
  '{i}Token="{s}"', '{i}Token = "{s}"', '{i}Token={s}', '{i}Token = {s}',
  '{\n    "{i}_token": "{s}"\n}', '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
  '<{i}Token>\n    {s}\n</{i}Token>',
  '{i}_token: {s}', "{i}_token: '{s}'", '{i}_token: "{s}"',
  'string {i}Token = "{s}";', 'var {i}Token string = "{s}"', '{i}Token := "{s}"', '{i}Token := `{s}`',
  'String {i}Token = "{s}";', 'var {i}Token = "{s}"', '${i}Token .= "{s}"', "{i}Token = '{s}'", '{i}Token = "{s}"',
  'System.setProperty("{I}_TOKEN", "{s}")', '  "{i}Token" => "{s}"',
  '{i}_TOKEN = "{s}"', '{i}_TOKEN := "{s}"', '{i}_TOKEN ::= "{s}"', '{i}_TOKEN :::= "{s}"', '{i}_TOKEN ?= "{s}"',
];
const samples = (id: string, secret: string) => TEMPLATES.map((tpl) => tpl.replaceAll('{i}', id).replaceAll('{I}', id.toUpperCase()).replaceAll('{s}', secret));
const sample = (id: string, secret: string) => `${id}_api_token = "${secret}"`;

/** What footprint says instead of gitleaks, and why. */
interface Differs {
  ours: CredentialFormat | 'silent';
  why: string;
}
interface Rule {
  rule: string;
  format: CredentialFormat;
  tps: string[];
  fps?: string[];
  /** Per true positive index: footprint's answer when it is not gitleaks'. */
  tpDiffers?: Record<number, Differs>;
  fpDiffers?: Record<number, Differs>;
  /** footprint's own cases beside gitleaks': the real shape of a format gitleaks samples loosely, which must be found. */
  found?: string[];
  /** footprint's own near-misses beside gitleaks' false positives, which must stay silent. */
  silent?: string[];
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function crc32(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ -1) >>> 0;
}
/** A GitHub/npm token body with a valid checksum: 30 random characters + base62(CRC32) in 6. */
function checksummed(prefix: string): string {
  const body = mixed(30);
  let n = crc32(body);
  let sum = '';
  while (n > 0) {
    sum = BASE62[n % 62]! + sum;
    n = Math.floor(n / 62);
  }
  return `${prefix}${body}${sum.padStart(6, '0')}`;
}

/** A Bech32 string (age-keygen's encoding): the data characters, then the checksum over the HRP and the data. */
function bech32(hrp: string, data: number[]): string {
  const charset = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  const values = [...[...hrp].map((c) => c.charCodeAt(0) >>> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...data, 0, 0, 0, 0, 0, 0];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!;
  }
  chk ^= 1;
  const sum = Array.from({ length: 6 }, (_, i) => (chk >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...sum].map((v) => charset[v]).join('')}`;
}
const ageKey = () => bech32(t('age-secret-', 'key-'), Array.from({ length: 52 }, () => Number(num(2)) % 32)).toUpperCase();

const uuidish = () => [8, 4, 4, 4, 12].map((n) => alnum(n)).join('-');
const hexUuid = () => [8, 4, 4, 4, 12].map((n) => hex(n)).join('-');
const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
const SENTRY_JSON = (json: string) => Buffer.from(json).toString('base64');

const NOT_CHECKSUMMED: Differs = { ours: 'silent', why: 'gitleaks draws 36 random characters; a real token ends in base62(CRC32) of its body, footprint reports only checksum-valid tokens (below: the same samples with a valid checksum are found)' };

/** The same answer for the true positives from index `from` (inclusive) to `to` (exclusive). */
const span = (from: number, to: number, d: Differs): Record<number, Differs> => Object.fromEntries(Array.from({ length: to - from }, (_, i) => [from + i, d]));
const N = TEMPLATES.length;

const RULES: Rule[] = [
  // github.go
  ...(['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_'] as const).map((p): Rule => ({
    rule: `github ${p}`,
    format: 'github-token',
    tps: samples('github', t(p, alnum(36))),
    tpDiffers: span(0, N, NOT_CHECKSUMMED),
    found: samples('github', checksummed(p)),
    fps: [t(p, 'x'.repeat(36))],
  })),
  {
    rule: 'github-fine-grained-pat',
    format: 'github-pat',
    tps: samples('github', t('github_pat_', alnum(82))),
    found: samples('github', t('github_pat_', mixed(22), '_', mixed(59))),
    tpDiffers: span(0, N, { ours: 'silent', why: 'a fine-grained PAT is github_pat_ + 22 + `_` + 59; gitleaks draws 82 characters without the separator' }),
    fps: [t('github_pat_', 'x'.repeat(22), '_', 'x'.repeat(59))],
  },
  // npm.go
  {
    rule: 'npm-access-token',
    format: 'npm-token',
    tps: [sample('npmAccessToken', t('npm_', alnum(36)))],
    found: [sample('npmAccessToken', checksummed('npm_'))],
    tpDiffers: { 0: NOT_CHECKSUMMED },
  },
  // gitlab.go
  { rule: 'gitlab-cicd-job-token', format: 'gitlab-token', tps: samples('gitlab', t('glcbt-', alnum(5), '_', alnum(20))) },
  { rule: 'gitlab-deploy-token', format: 'gitlab-token', tps: [sample('gitlab', t('gldt-', alnum(20)))] },
  { rule: 'gitlab-feature-flag-client-token', format: 'gitlab-token', tps: samples('gitlab', t('glffct-', alnum(20))) },
  { rule: 'gitlab-feed-token', format: 'gitlab-token', tps: samples('gitlab', t('glft-', alnum(20))) },
  { rule: 'gitlab-incoming-mail-token', format: 'gitlab-token', tps: samples('gitlab', t('glimt-', alnum(25))) },
  { rule: 'gitlab-kubernetes-agent-token', format: 'gitlab-token', tps: samples('gitlab', t('glagent-', alnum(50))) },
  { rule: 'gitlab-oauth-app-secret', format: 'gitlab-token', tps: samples('gitlab', t('gloas-', alnum(64))) },
  { rule: 'gitlab-pat', format: 'gitlab-token', tps: samples('gitlab', t('glpat-', alnum(20))), fps: [t('glpat-', 'XXXXXXXXXXX-XXXXXXXX')] },
  {
    rule: 'gitlab-pat-routable',
    format: 'gitlab-token',
    tps: samples('gitlab', t('glpat-', alnum(27), '.', alnum(2), alnum(7))),
    fps: [t('glpat-', 'xxxxxxxx-xxxxxxxxxxxxxxxxxx.xxxxxxxxx')],
  },
  { rule: 'gitlab-ptt', format: 'gitlab-token', tps: samples('gitlab', t('glptt-', hex(40))), fps: [t('glptt-', 'x'.repeat(40))] },
  {
    rule: 'gitlab-rrt',
    format: 'gitlab-token',
    tps: samples('gitlab', t('GR1348', '941', alnum(20))),
    fps: [t('GR1348', '94112312312312312312312312'), t('GR1348', '941', 'X'.repeat(20))],
  },
  { rule: 'gitlab-runner-authentication-token', format: 'gitlab-token', tps: samples('gitlab', t('glrt-', alnum(20))) },
  {
    rule: 'gitlab-runner-authentication-token-routable',
    format: 'gitlab-token',
    tps: samples('gitlab', t('glrt-', 't', num(1), '_', alnum(27), '.', alnum(2), alnum(7))),
    fps: [t('glrt-', 'tx_xxxxxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxx')],
  },
  { rule: 'gitlab-scim-token', format: 'gitlab-token', tps: samples('gitlab', t('glsoat-', alnum(20))) },
  // betterleaks dockerhub.go (gitleaks has no Docker Hub rule)
  {
    rule: 'dockerhub-personal-access-token',
    format: 'docker-token',
    tps: [t('docker login -u gemesa -p dckr_pat', '_hc8VxYclixyTr2rDFsa2rqzkP3Y'), t('docker login -u gemesa -p dckr_pat', '_tkzBYxjNNC3R_Yg6jd_O-G8FbrJ')],
  },
  { rule: 'dockerhub-organization-access-token', format: 'docker-token', tps: [t('docker login -u docker-test -p dckr_oat', '_7bA9zRt5-JqX3vP0l_MnY8sK2wE-dF6h')] },
  // hashicorp_vault.go
  {
    rule: 'vault-service-token',
    format: 'vault-token',
    tps: [
      sample('vault', t('s.', num(1), mixed(23))),
      t('token: s.', 'ZC9Ecf4M5g9o34Q6RkzGsj0z'),
      sample('vault', t('hvs.', num(1), draw('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-', 89))),
      t('-vaultToken hvs.', 'CAESIP2jTxc9S2K7Z6CtcFWQv7-044m_oSsxnPE1H3nF89l3GiYKHGh2cy5sQmlIZVNyTWJNcDRsYWJpQjlhYjVlb1cQh6PL8wEYAg"'),
    ],
    fps: [
      "  credentials: new AWS.SharedIniFileCredentials({ profile: '<YOUR_PROFILE>' })",
      'INFO 4 --- [           main] o.s.b.f.s.DefaultListableBeanFactory     : Overriding bean definition for bean',
      t('s.', 'x'.repeat(24)),
      's.THISSTRINGISALLUPPERCASE',
      's.thisstringisalllowercase',
      's.AcceptanceTimeoutSeconds ',
      's.makeKubeConfigController = args',
      t('hvs.', 'x'.repeat(90)),
    ],
  },
  {
    rule: 'vault-batch-token',
    format: 'vault-token',
    tps: [
      ...samples('vault', t('hvb.', extShort(138))),
      t('hvb.', 'AAAAAQJgxDgqsGNorpoOR7hPZ5SU-ynBvCl764jyRP_fnX7WvkdkDzGjbLNGdPdtlY33Als2P36yDZueqzfdGw9RsaTeaYXSH7E4RYSWuRoQ9YRKIw8o7mDDY2ZcT3KOB7RwtW1w1FN2eDqcy_sbCjXPaM1iBVH-mqMSYRmRd2nb5D1SJPeBzIYRqSglLc31wUGN7xEzyrKUczqOKsIcybQA'),
    ],
  },
  // aws.go
  {
    rule: 'aws-access-token',
    format: 'aws-access-key',
    tps: [
      ...samples('AWS', t('AKIA', 'LALEMEL33243OLIB')),
      ...(['AKIA', 'ASIA', 'ABIA', 'ACCA'] as const).flatMap((p) => samples('AWS', t(p, draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)))),
    ],
    // The same key ids with their secret access key beside them, as in a credentials file or a CI variable block.
    found: (['AKIA', 'ASIA', 'ABIA', 'ACCA'] as const).map((p) => t('aws_access_key_id = ', p, draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16), '\naws_secret_access_key = ', mixed(40))),
    tpDiffers: span(0, 5 * N, {
      ours: 'silent',
      why: 'an access key id alone is an identifier, not a credential: footprint reports an AWS key pair, the id with a secret access key within five lines (`found`)',
    }),
    fps: [
      t('key = AKIA', 'XXXXXXXXXXXXXXXX'),
      t('aws_access_key: AKIA', 'IOSFODNN7EXAMPLE'),
      'msgstr "Näytä asiakirjamallikansio."',
      'TODAYINASIAASACKOFRICEFELLOVER',
      'CTTCATAGGGTTCACGCTGTGTAAT-ACG--CCTGAGGC-CACA-AGGGGACTTCAGCAACCGTCGGG-GATTC-ATTGCCA-A--TGGAAGCAATC-TA-TGGGTTA-TCGCGGAGTCCGCAAAGACGGCCAGTATG',
    ],
  },
  // age.go
  {
    rule: 'age-secret-key',
    format: 'age-key',
    tps: samples('age', t('AGE-SECRET-', 'KEY-1', 'Q'.repeat(58))),
    found: samples('age', ageKey()),
    tpDiffers: span(0, N, { ours: 'silent', why: 'a key filled with one character (Bech32 `q` is a zero) fails the Bech32 checksum every identity age-keygen writes carries: a placeholder' }),
    // 58 Bech32 characters without a valid checksum: typed, not generated.
    silent: [t('SOPS_AGE_KEY=AGE-SECRET-', 'KEY-1', draw('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58))],
  },
  // slack.go
  {
    rule: 'slack-bot-token',
    format: 'slack-token',
    tps: [
      ...samples('bot', t('xoxb-', '781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD')),
      t('"bot_token1": "xoxb-', '781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD"'),
      t('"bot_token2": "xoxb-', '263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1MBS"'),
      t('"bot_token3": "xoxb-', '4614724432022-5152386766518-O5WzjWGLG0wcCm2WPrjEmnys"'),
      t('"bot_token4": "xoxb-', num(13), '-', num(12), '-', alnum(24), '"'),
    ],
    fps: [t('xoxb-', 'xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx'), t('xoxb-', 'xxx'), t('xoxb-', '12345-abcd234'), t('xoxb-', 'xoxb-my-bot-token')],
  },
  {
    rule: 'slack-user-token',
    format: 'slack-token',
    tps: [
      ...samples('user', t('xoxp-', '41684372915-1320496754-45609968301-e708ba56e1517a99f6b5fb07349476ef')),
      t('"user_token2": "xoxp-', '283316862324-298911817009-298923149681-44f585044dace54f5701618e97cd1c0b"'),
      t('"user_token3": "xoxp-', '11873098179-111402824422-234336993777-b96c9fb3b69f82ebb79d12f280779de1"'),
      t('"user_token4": "xoxp-', '254112160503-252950188691-252375361712-6cbf56aada30951a9d310a5f23d032a0"'),
      t('"user_token5": "xoxp-', '4614724432022-4621207627011-5182682871568-1ddad9823e8528ad0f4944dfa3c6fc6c"'),
      t('"user_token6": "xoxp-', num(12), '-', num(13), '-', num(13), '-', alnum(32), '"'),
      t('"url_private": "https:\\/\\/files.slack.com\\/files-pri\\/T04MCQMEXQ9-F04MAA1PKE3\\/image.png?t=xoxe-', '4726837507825-4848681849303-4856614048758-e0b1f3d4cb371f92260edb0d9444d206"'),
    ],
    fps: [
      'https://docs.google.com/document/d/1W7KCxOxP-1Fy5EyF2lbJGE2WuKmu5v0suYqoHas1jRM',
      t('"token1": "xoxp-', '1234567890"'),
      t('"token2": "xoxp-', 'XXXXXXXXXX-XXXXXXXXXX-XXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"'),
      t('"token3": "xoxp-', '1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d"'),
      t('"token4": "xoxp-', '572370529330-573807301142-572331691188-####################"'),
    ],
  },
  {
    rule: 'slack-app-token',
    format: 'slack-token',
    tps: [
      ...samples('slack', t('xapp-', '1-A052FGTS2DL-5171572773297-610b6a11f4b7eb819e87b767d80e6575a3634791acb9a9ead051da879eb5b55e')),
      t('"token2": "xapp-', '1-IEMF8IMY1OQ-4037076220459-85c370b433e366de369c4ef5abdf41253519266982439a75af74a3d68d543fb6"'),
      t('"token3": "xapp-', '1-BM3V7LC51DA-1441525068281-86641a2582cd0903402ab523e5bcc53b8253098c31591e529b55b41974d2e82f"'),
      t('"token4": "xapp-', '1-A', num(10), '-', num(13), '-', alnum(64), '"'),
    ],
  },
  {
    rule: 'slack-config-access-token',
    format: 'slack-token',
    tps: [
      ...samples('access', t('xoxe.', 'xoxp-1-', 'Mi0yLTM0MTQwNDE0MDE3Ni0zNjU5NDY0Njg4MTctNTE4MjA3NTQ5NjA4MC01NDEyOTYyODY5NzUxLThhMTBjZmI1ZWIzMGIwNTg0ZDdmMDI5Y2UxNzVlZWVhYzU2ZWQyZTZiODNjNDZiMGUxMzRlNmNjNDEwYmQxMjQ')),
      t('"access_token3": "xoxe.', 'xoxp-1-', alnum(163), '"'),
      t('"access_token4": "xoxe.', 'xoxb-1-', 'Mi0yLTMxNzcwMjQ0MTcxMy0zNjU5NDY0Njg4MTctNTE1ODE1MjY5MTcxNC01MTU4MDI0MTgyOTc5LWRmY2YwY2U4ODhhNzY5ZGU5MTAyNDU4MDJjMGQ0ZDliMTZhMjNkMmEyYzliNjkzMDRlN2VjZTI4MWNiMzRkNGQ"'),
      t('"access_token5": "xoxe.', 'xoxb-1-', alnum(165), '"'),
    ],
    fps: [t('xoxe.', 'xoxp-1-SlackAppConfigurationAccessTokenHere'), t('xoxe.', 'xoxp-1-RANDOMSTRINGHERE'), t('xoxe.', 'xoxp-1-initial')],
  },
  {
    rule: 'slack-config-refresh-token',
    format: 'slack-token',
    tps: [
      ...samples('refresh', t('xoxe-', '1-My0xLTMxNzcwMjQ0MTcxMy01MTU4MTUyNjkxNzE0LTUxODE4NDI0MDY3MzYtMjA5MGFkOTFlZThkZWE2OGFlZDYwYWJjODNhYzAxYjA5ZjVmODBhYjgzN2QyNDdjOTNlOGY5NTg2YWM1OGM4Mg')),
      t('"refresh_token3": "xoxe-', '1-', alnum(146), '"'),
    ],
    fps: [t('xoxe-', '1-xxx'), 'XOxE-RROAmw, Home and Garden, 5:24, 20120323'],
  },
  {
    rule: 'slack-legacy-bot-token',
    format: 'slack-token',
    tps: [
      ...samples('slack', t('xoxb-', '263594206564-FGqddMF8t08v8N7Oq4i57vs1')),
      t('"bot_token2": "xoxb-', '282029623751-BVtmnS3BQitmjZvjpQL7PSGP"'),
      t('"bot_token3": "xoxb-', '47834520726-N3otsrwj8Cf99cs8GhiRZsX1"'),
      t('"bot_token4": "xoxb-', '123456789012-Xw937qtWSXJss1lFaKe"'),
      t('"bot_token5": "xoxb-', '312554961652-uSmliU84rFhnUSBq9YdKh6lS"'),
      t('"bot_token6": "xoxb-', '51351043345-Lzwmto5IMVb8UK36MghZYMEi"'),
      t('"bot_token7": "xoxb-', '130154379991-ogFL0OFP3w6AwdJuK7wLojpK"'),
      t('"bot_token8": "xoxb-', '159279836768-FOst5DLfEzmQgkz7cte5qiI"'),
      t('"bot_token9": "xoxb-', '50014434-slacktokenx29U9X1bQ"'),
      t('"bot_token10": "xoxb-', num(10), '-', alnum(24)),
      t('"bot_token11": "xoxb-', num(12), '-', alnum(23)),
    ],
    fps: [t('xoxb-', 'xxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx'), t('xoxb-', 'Slack_BOT_TOKEN'), t('xoxb-', 'abcdef-abcdef')],
  },
  {
    rule: 'slack-legacy-workspace-token',
    format: 'slack-token',
    tps: [
      ...samples('slack', t('xoxa-', '2-511111111-31111111111-3111111111111-e039d02840a0b9379c')),
      t('"access_token1": "xoxa-', num(1), '-', alnum(12)),
      t('"access_token2": "xoxa-', alnum(12)),
      t('"refresh_token1": "xoxr-', num(1), '-', alnum(12)),
      t('"refresh_token2": "xoxr-', alnum(12)),
    ],
    tpDiffers: Object.fromEntries([26, 27, 28, 29].map((i) => [i, {
      ours: 'silent',
      why: 'gitleaks calls this "by far the least confident pattern": xoxa-/xoxr- and 8 to 48 characters of anything. footprint reports legacy workspace tokens only in their documented shape (numeric team and user ids, then the secret)',
    }])) as Record<number, Differs>,
    fps: ['https://github.com/xoxa-nyc/xoxa-nyc.github.io/blob/master/README.md'],
  },
  {
    rule: 'slack-legacy-token',
    format: 'slack-token',
    tps: [
      ...samples('slack', t('xoxs-', '416843729158-132049654-5609968301-e708ba56e1')),
      t('"access_token1": "xoxs-', '3206092076-3204538285-3743137121-836b042620"'),
      t('"access_token3": "xoxs-', '420083410720-421837374423-440811613314-977844f625b707d5b0b268206dbc92cbc85feef3e71b08e44815a8e6e7657190"'),
      t('"access_token4": "xoxs-', '4829527689-4829527691-4814341714-d0346ec616"'),
      t('"access_token5": "xoxs-', '155191149137-155868813314-338998331396-9f6d235915"'),
      t('"access_token6": "xoxs-', num(10), '-', num(10), '-', num(10), '-', 'a', hex(9), '"'),
      t('"access_token7": "xoxo-', '523423-234243-234233-e039d02840a0b9379c"'),
    ],
    fps: ['https://indieweb.org/images/3/35/2018-250-xoxo-indieweb-1.jpg'],
  },
  {
    rule: 'slack-webhook-url',
    format: 'slack-webhook',
    tps: [
      t('hooks.slack', '.com/services/', alnum(44)),
      t('http://hooks.slack', '.com/services/', alnum(45)),
      t('https://hooks.slack', '.com/services/', alnum(46)),
      t('http://hooks.slack', '.com/services/T024TTTTT/BBB72BBL/AZAAA9u0pA4ad666eMgbi555'),
      t('https://hooks.slack', '.com/services/T0DCUJB1Q/B0DD08H5G/bJtrpFi1fO1JMCcwLx8uZyAg'),
      t('hooks.slack', '.com/workflows/', alnum(44)),
      t('http://hooks.slack', '.com/workflows/', alnum(45)),
      t('https://hooks.slack', '.com/workflows/', alnum(46)),
      t('https://hooks.slack', '.com/workflows/T016M3G1GHZ/A04J3BAF7AA/442660231806210747/F6Vm03reCkhPmwBtaqbN6OW9'),
      t('http://hooks.slack', '.com/workflows/T2H71EFLK/A047FK946NN/430780826188280067/LfFz5RekA2J0WOGJyKsiOjjg'),
      t('https://hooks.slack', '.com/triggers/', alnum(56)),
    ],
    // Slack's documented shape with random ids, without a scheme (a host in a config value).
    found: [t('url: hooks.slack', '.com/services/T', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10), '/B', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10), '/', mixed(24))],
    tpDiffers: Object.fromEntries([0, 1, 2, 5, 6, 7, 10].map((i) => [i, {
      ours: 'silent',
      why: 'a webhook path is /T<team>/B<hook>/<secret> (workflows: /T…/A…/<id>/<secret>); gitleaks draws one 44-56 character blob after the path, which no Slack webhook is',
    }])) as Record<number, Differs>,
  },
  // sendgrid.go
  {
    rule: 'sendgrid-api-token',
    format: 'sendgrid-key',
    tps: samples('sengridAPIToken', t('SG.', ext(66))),
    found: samples('sengridAPIToken', t('SG.', mixed(22), '.', mixed(43))),
    tpDiffers: span(0, N, { ours: 'silent', why: 'a SendGrid key is SG. + 22-character id + `.` + 43-character secret; gitleaks draws 66 characters of `[a-z0-9=_-]` without the separator' }),
  },
  // stripe.go
  {
    rule: 'stripe-access-token',
    format: 'stripe-key',
    tps: [
      ...samples('stripe', t('sk_', 'test_', alnum(30))),
      ...samples('stripe', t('sk_', 'prod_', alnum(99))),
      t('sk_', 'test_51OuEMLAlTWGaDypq4P5cuDHbuKeG4tAGPYHJpEXQ7zE8mKK3jkhTFPvCxnSSK5zB5EQZrJsYdsatNmAHGgb0vSKD00GTMSWRHs'),
      t('rk_', 'prod_51OuEMLAlTWGaDypquDn9aZigaJOsa9NR1w1BxZXs9JlYsVVkv5XDu6aLmAxwt5Tgun5WcSwQMKzQyqV16c9iD4sx00BRijuoon'),
    ],
    found: [...samples('stripe', t('sk_', 'live_', mixed(99))), t('rk_', 'live_51OuEMLAlTWGaDypquDn9aZigaJOsa9NR1w1BxZXs9JlYsVVkv5XDu6aLmAxwt5Tgun5WcSwQMKzQyqV16c9iD4sx00BRijuoon')],
    tpDiffers: Object.fromEntries(Array.from({ length: N * 2 + 2 }, (_, i) => [i, {
      ours: 'silent',
      why: 'footprint reports live keys only: a test-mode key (sk_test_/rk_test_) moves no money and reaches no customer data, and Stripe documents no `prod` mode (the same samples in live mode are found)',
    }])) as Record<number, Differs>,
    fps: [t('nonMatchingToken := "task_', 'test_', alnum(30), '"')],
  },
  // mailchimp.go
  {
    rule: 'mailchimp-api-key',
    format: 'mailchimp-key',
    tps: [
      ...samples('mailchimp', t(hex(32), '-us20')),
      t('mailchimp_api_key: ', 'cefa780880ba5f5696192a34f6292c35', '-us18'),
      t('MAILCHIMPE_KEY = "', 'b5b9f8e50c640da28993e8b6a48e3e53', '-us18"'),
    ],
    fps: [t('MailchimpSDK.initialize(token: ', '3012a5754bbd716926f99c028f7ea428', '-us18)')],
    fpDiffers: { 0: { ours: 'mailchimp-key', why: 'gitleaks lists this as a known false negative of its keyword-anchored pattern, not as a non-secret: it is a real key shape, and footprint matches the format itself' } },
  },
  // openai.go
  {
    rule: 'openai-api-key',
    format: 'openai-key',
    tps: [
      ...samples('openaiApiKey', t('sk-', alnum(20), 'T3Blbk', 'FJ', alnum(20))),
      t('sk-proj-', 'SevzWEV_NmNnMndQ5gn6PjFcX_9ay5SEKse8AL0EuYAB0cIgFW7Equ3vCbUbYShvii6L3rBw3W', 'T3Blbk', 'FJdD9FqO9Z3BoBu9F-KFR6YJtvW6fUfqg2o2Lfel3diT3OCRmBB24hjcd_uLEjgr9tCqnnerVw8A'),
      t('sk-proj-', 'pBdaVZqlIfO5ajF9Gmg6Zq9Hlxaf_6lO6nxwlLOsYlXfg417LExcnpK1cQg4sDUOC_APpcA1OS', 'T3Blbk', 'FJVH3Na-MVcBBXrWlVGNCme7WRJQxqE43p1-LgHZSF1o-yv3QQimfMb48ES40JDsFuqqbqnx5moA'),
      t('sk-svcacct-', '0Zkr4NUd4f_6LkfHfi3LlC8xKZQePXJCb21UiUWGX0F3_-6jv9PpY9JtaoooN9CCUPltpFiamw', 'T3Blbk', 'FJZVaaY7Z2aq_-I96dwiXeKVhRNi8Hs7uGmCFv5VTi2SxzmUsRgJoUJCbgPFWSXYDPPbYHJAuwIA'),
      t('sk-admin-', 'JWARXiHjpLXSh6W_0pFGb3sW7yr0cKheXXtWGMY0Q8kbBNqsxLskJy0LCO', 'T3Blbk', 'FJgTJWgjMvdi6YlPvdXRqmSlZ4dLK-nFxUG2d9Tgaz5Q6weGVNBaLuUmMV4A'),
    ],
  },
  // anthropic.go
  {
    rule: 'anthropic-api-key',
    format: 'anthropic-key',
    tps: [
      t('sk-ant-', 'api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzAA'),
      sample('anthropic', t('sk-ant-', 'api03-', extShort(93), 'AA')),
    ],
    fps: [
      t('sk-ant-', 'api03-abc123xyz-456de-klMnopqrstuvwx-3456yza789bcde-1234fghijklmnopAA'),
      t('sk-ant-', 'api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzBB'),
    ],
  },
  {
    rule: 'anthropic-admin-api-key',
    format: 'anthropic-key',
    tps: [
      t('sk-ant-', 'admin01-abc12fake-456def789ghij-klmnopqrstuvwx-3456yza789bcde-12fakehijklmnopby56aaaogaopaaaabc123xyzAA'),
      sample('anthropic', t('sk-ant-', 'admin01-', extShort(93), 'AA')),
    ],
    fps: [
      t('sk-ant-', 'admin01-abc123xyz-456de-klMnopqrstuvwx-3456yza789bcde-1234fghijklmnopAA'),
      t('sk-ant-', 'admin01-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzBB'),
    ],
  },
  // huggingface.go
  {
    rule: 'huggingface-access-token',
    format: 'huggingface-token',
    tps: [
      ...samples('huggingface', t('hf_', letters(34))),
      ...['jCBaQngSHiHDRYOcsMcifUcysGyaiybUWz', 'KjHtiLyXDyXamXujmipxOfhajAhRQCYnge', 'QJPYADbNZNWUpZuQJgcVJxsXPBEFmgWkQK'].map((s) => t('huggingface-cli login --token hf_', s)),
      t('-H "Authorization: Bearer hf_', 'cYfJAwnBfGcKRKxGwyGItlQlRSFYCLphgG"'),
      t('DEV=1 HF_TOKEN=hf_', 'QNqXrtFihRuySZubEgnUVvGcnENCBhKgGD poetry run python app.py'),
      t("use_auth_token='hf_", "orMVXjZqzCQDVkNyxTHeVlyaslnzDJisex')"),
      t('CI_HUB_USER_TOKEN = "hf_', 'hZEmnoOEYISjraJtbySaKCNnSuYAvukaTt"'),
      t(`- Change line 5 and add your Hugging Face token, that is, instead of 'hf_token = "ADD_YOUR_HUGGING_FACE_TOKEN_HERE"', you will need to change it to something like'hf_token = "hf_`, `qyUEZnpMIzUSQUGSNRzhiXvNnkNNwEyXaG"'`),
      t('# Not critical, only usable on the sandboxed CI instance.\n\t\tTOKEN = "hf_', 'fFjkBYcfUvtTdKgxRADxTanUEkiTZefwxH"'),
      t(`    parser.add_argument("--hf_token", type=str, default='hf_`, `RdeidRutJuADoVDqPyuIodVhcFnZIqXAfb', help="Hugging Face Access Token to access PyAnnote gated models")`),
    ],
    fps: [
      '- (id)hf_requiredCharacteristicTypesForDisplayMetadata;',
      'amazon.de#@#div[data-cel-widget="desktop-rhf_SponsoredProductsRemoteRHFSearchEXPSubsK2ClickPagination"]',
      '                            _kHMSymptomhf_generatedByHomeAppForDebuggingPurposesKey,',
      '    #define OSCHF_DebugGetExpectedAverageCrystalAmplitude NOROM_OSCHF_DebugGetExpectedAverageCrystalAmplitude',
      '  M_UINT       (ServingCellPriorityParametersDescription_t,  H_PRIO,  2, &hf_servingcellpriorityparametersdescription_h_prio),',
      '+HWI-ST565_0092:4:1101:5508:5860#ACTTGA/1\n\t\tbb_eeeeegfgffhiiiiiiiiiiihiiiiicgafhf_eefghihhiiiifhifhhdhifhiiiihifdgdhggf\\bbceceedbcd',
      "subdirs = glob.glob('HF_CAASIMULIAComputeServicesBuildTime.HF*.Linux64')",
      t('        os.environ.get("HF_AUTH_TOKEN",\n\t\t"hf_', 'x'.repeat(34), '"),'),
      t('# HuggingFace API Token https://huggingface.co/settings/tokens\n\t\tHUGGINGFACE_API_TOKEN=hf_', 'x'.repeat(40), ','),
    ],
  },
  // pypi.go
  { rule: 'pypi-upload-token', format: 'pypi-token', tps: samples('pypi', t('pypi-', 'AgEIcHlwaS5vcmc', hex(32), hex(32))) },
  // artifactory.go
  {
    rule: 'artifactory-api-key',
    format: 'artifactory-token',
    tps: [t('artifactoryApiKey := "AKCp', alnum(69), '"')],
    fps: [
      t('lowEntropy := AKCp', 'X'.repeat(69)),
      t('wrongStart := "AkCp', alnum(69), '"'),
      t('wrongLength := "AkCp', alnum(59), '"'),
      t('partOfAlongUnrelatedBlob gYnkgAkCp', alnum(69), 'VyZSB2'),
    ],
  },
  {
    rule: 'artifactory-reference-token',
    format: 'artifactory-token',
    tps: [t('artifactoryRefToken := "cmVmd', alnum(59), '"')],
    found: [t('artifactoryRefToken := "cmVmd', 'GtuOj', mixed(54), '"')],
    tpDiffers: { 0: { ours: 'silent', why: 'a reference token is base64 of `reftkn:…`, so it starts with cmVmdGtu; gitleaks draws random characters after cmVmd (base64 of `ref` and two bits)' } },
    fps: [
      t('lowEntropy := cmVmd', 'X'.repeat(59)),
      t('wrongStart := "cmVMd', alnum(59), '"'),
      t('wrongLength := "cmVmd', alnum(49), '"'),
      t('partOfAlongUnrelatedBlob gYnkgcmVmd', alnum(59), 'VyZSB2'),
    ],
  },
  // azure.go
  {
    rule: 'azure-ad-client-secret',
    format: 'azure-ad-client-secret',
    tps: [
      t('client_secret=bP88Q', '~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR'),
      t('client_secret=bP88Q', '~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR\n'),
      t('client_secret: .IQ8Q', '~79R7TOWOspFnWcEG-dYt4KXqFqxK16cxr'),
      t('AUTH_CLIENTSECRET = _V28Q', '~IC8qxmlWNpHuDm34JlbKv9LXV5MvUR3a-P'),
      t('<value xsi:type="xsd:string">~Gg8Q', '~nVhlLi2vpg_nXBGqFsbGK-t~Hus1JmTa0y</value>'),
      t('"CLIENT_SECRET": "YYz7Q', '~Sudoqwap1PnzEBA3zqBK~i5uesDIv.C"'),
      t("Set-PSUAuthenticationMethod -Type 'OpenIDConnect' -CallbackPath '/auth/oidc' -ClientId 'fake' -ClientSecret '2Vq7Q", "~q5VgKljZ7cb3.0sp0Apz.vOjRIPyeTr'"),
      t('client-secret: "t028Q', '~-aLbmQuinnZtzbgtlEAYstnBWEmGPAoBm"'),
      t('"cas.authn.azure-active-directory.client-secret=qHF8Q', '~PCM5HhMoyTFc5TYEomnzR6Kim9UJhe8a.P",'),
      t('"line": "client_srt = \\"qpF8Q', '~PCM5MhMoyTFc5TYEomnYRUKim9UJhe8a2P\\";",'),
      t(`"client_secret":       acctest.Representation{RepType: acctest.Required, Create: 'dO29Q`, `~F5-VwnW.lZdd11xFF_t5NAXCaGwDl9NbT1'},`),
      t('Example= GN.7Q', '~4AkLZBNEbz4Jxlm~O5G6SsyFxYg6zMR'),
      t('"the_value": "QtT8Q', '~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn"'),
      t('QtT8Q', '~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn'),
      t('(use the client secret: QtT8Q', '~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn)'),
      t('(QtT8Q', '~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn)'),
      t('\\"pass\\": \\"', mixed(3), num(1), 'Q', '~', mixed(32)),
    ],
    fps: [
      '![图源：《深入拆解Tomcat & Jetty》](https://p3-juejin.byteimg.com/tos-cn-i-k3u1fbpfcp/6a9e704af49b4380bb686f0c96d33b81~tplv-k3u1fbpfcp-watermark.image)',
      '~'.repeat(40),
      '~'.repeat(43),
      '.ui.visible.right.sidebar~.ui.visible.left.sidebar~.pusher{transform:translate3d(0,0,0)}',
      `buf.WriteString("${'~'.repeat(38)}\\n\\n::\\n\\n")`,
      "'url': 'http://www.2doc.nl/speel~VARA_101375237~mh17-het-verdriet-van-nederland~.html',",
      '@ar = split("~", "965f1453~47~09414c93e4cef985416f472549220827da3ba6fed8ad28e29ef6ad170ad53a69051e9b06f439ef6da5df8670181f7eb2481650");',
      "'#!/registries/5/portainer.demo~2Fportainerregistrytesting~2Falpine',",
      t('// CloudFront-Signature: Ixn4bF1LLrLcB8XG-t5bZbIB0vfwSF2s4gkef~PcNBdx73MVvZD3v8DZ5GzcqNrybMiqdYJY5KqK6vTsf5JXDgwFFz-h98wdsbV-izcuonPdzMHp4Ay4qyXM6Ed5jB9dUWYGwMkA6rsWXpftfX8xmk4tG1LwFuJV6nAsx4cfpuKwo4vU2Hyr2-fkA7MZG8AHkpDdVUnjm1q-Re9HdG0nCq-2lnBAdOchBpJt37narOj-Zg6cbx~6rzQLVQd8XIv-Bn7VTc1tkBAJVtGOHb0Q', '~PLzSRmtNGYTnpL0z~gp3tq8lhZc2HuvJW5-tZaYP9yufeIzk5bqsT6DT4iDuclKKw__, , , false'),
      t('+ "<Trust Comment=\\"\\" Identity=\\"USK@u2vn3Lh6Kte2-TgBSNKorbsKkuAt34ckoLmgx0ndXO0,4~q8Q', '~3wIHjX9DT0yCNfQmr9oxmYrDZoQVLOdNg~yk0,AQACAAE/WebOfTrustRC2/2\\" Value=\\"100\\"/>"'),
      t('client_secret=bP88Q', '~', 'x'.repeat(34)),
    ],
  },
  // teams.go
  {
    rule: 'microsoft-teams-webhook',
    format: 'teams-webhook',
    tps: [
      t('https://mycompany.webhook', '.office.com/webhookb2/', uuidish(), '@', uuidish(), '/IncomingWebhook/', alnum(32), '/', uuidish()),
    ],
    found: [t('https://mycompany.webhook', '.office.com/webhookb2/', hexUuid(), '@', hexUuid(), '/IncomingWebhook/', hex(32), '/', hexUuid())],
    tpDiffers: { 0: { ours: 'silent', why: 'the path carries two GUIDs, a hex hook id and a GUID; gitleaks draws `[a-z0-9]` where a GUID is hex' } },
  },
  // digitalocean.go
  { rule: 'digitalocean-pat', format: 'digitalocean-token', tps: samples('do', t('dop_', 'v1_', hex(64))) },
  { rule: 'digitalocean-access-token', format: 'digitalocean-token', tps: samples('do', t('doo_', 'v1_', hex(64))) },
  { rule: 'digitalocean-refresh-token', format: 'digitalocean-token', tps: samples('do', t('dor_', 'v1_', hex(64))) },
  // pulumi.go
  {
    rule: 'pulumi-api-token',
    format: 'pulumi-token',
    tps: samples('pulumi-api-token', t('pul-', hex(40))),
    fps: ['                        <img src="./assets/vipul-f0eb1acf0da84c06a50c5b2c59932001997786b176dec02bd16128ee9ea83628.png" alt="" class="w-16 h-16 rounded-full">'],
  },
  // hashicorp.go
  {
    rule: 'hashicorp-tf-api-token',
    format: 'terraform-cloud-token',
    tps: [
      ...samples('hashicorpToken', t(hex(14), '.atlas', 'v1.', ext(65))),
      t('#token = "hE1hlYILrSqpqh.atlas', 'v1.ARjZuyzl33F71WR55s6ln5GQ1HWIwTDDH3MiRjz7OnpCfaCb1RCF5zGaSncCWmJdcYA"'),
    ],
    fps: [t('token        = "', 'x'.repeat(14), '.atlas', 'v1.', 'x'.repeat(67), '"')],
  },
  // grafana.go
  {
    rule: 'grafana-cloud-api-token',
    format: 'grafana-token',
    tps: [
      ...samples('grafana-cloud-api-token', t('glc_', alnum(32))),
      t('loki_key: glc_', 'eyJvIjoiNzQ0NTg3IiwibiI7InN0YWlrLTQ3NTgzMC1obC13cml0ZS1oYW5kc29uJG9raSIsImsiOiI4M2w3cmdYUlBoMTUyMW1lMU023nl5UDUiLCJtIjp7IOIiOiJ1cyJ9fQ=='),
    ],
    fps: [
      t('glc_', 'x'.repeat(68)),
      t('   API_KEY="glc_', '1'.repeat(42), '="'),
      'static void GLC_CreateLightmapTextureArray(void);\nstatic void GLC_CreateLightmapTexturesIndividual(void);\n\nvoid GLC_UploadLightmap(int textureUnit, int lightmapnum);',
      '// Alias models\nvoid GLC_StateBeginUnderwaterAliasModelCaustics(texture_ref base_texture, texture_ref caustics_texture)\n{',
    ],
  },
  {
    rule: 'grafana-service-account-token',
    format: 'grafana-token',
    tps: [
      ...samples('grafana-service-account-token', t('glsa_', alnum(32), '_', hex(8))),
      t("'Authorization': 'Bearer glsa_", "pITqMOBIfNH2KL4PkXJqmTyQl0D9QGxF_486f63e1'"),
    ],
    fps: [t('glsa_', 'X'.repeat(32), '_AAAAAAAA')],
  },
  // doppler.go, linear.go, shopify.go, rubygems.go, sentry.go, postman.go
  { rule: 'doppler-api-token', format: 'doppler-token', tps: samples('doppler', t('dp.', 'pt.', alnum(43))) },
  { rule: 'linear-api-key', format: 'linear-key', tps: samples('linear', t('lin_', 'api_', alnum(40))) },
  ...(['shpss_', 'shpat_', 'shpca_', 'shppa_'] as const).map((p): Rule => ({ rule: `shopify ${p}`, format: 'shopify-token', tps: samples('shopify', t(p, hex(32))) })),
  { rule: 'rubygems-api-token', format: 'rubygems-token', tps: samples('rubygemsAPIToken', t('rubygems_', hex(48))) },
  {
    rule: 'sentry-user-token',
    format: 'sentry-token',
    tps: samples('sentry', t('sntryu_', hex(64))),
    fps: [t('sntryu_', hex(63)), t('sntryu_', hex(65)), t('sntryu_', 'a'.repeat(64))],
  },
  { rule: 'postman-api-token', format: 'postman-key', tps: samples('postmanAPItoken', t('PMAK-', hex(24), '-', hex(34))) },
  // atlassian.go (its keyword-anchored 24-character form is a generic assignment, not a format)
  {
    rule: 'atlassian-api-token',
    format: 'atlassian-token',
    tps: samples('jira', t('ATATT3', 'xFfGF0K3irG5tKKi-6u-wwaXQFeGwZ-IHR-hQ3CulkKtMSuteRQFfLZ6jihHThzZCg_UjnDt-4Wl_gIRf4zrZJs5JqaeuBhsfJ4W5GD6yGg3W7903gbvaxZPBjxIQQ7BgFDSkPS8oPispw4KLz56mdK-G6CIvLO6hHRrZHY0Q3tvJ6JxE=C63992E6')),
    fps: ['getPagesInConfluenceSpace,searchConfluenceUsingCql'],
  },
  // Formats footprint reports since this table: gitleaks' (and betterleaks' Buildkite) cases for them.
  // 1password.go
  {
    rule: '1password-service-account-token',
    format: 'onepassword-token',
    tps: [
      sample('1password', t('ops_', 'eyJ', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 260))),
      t('### 1Password System Vault Name\nexport OP_SERVICE_ACCOUNT_TOKEN=ops_', 'eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsInVzZXJBdXRoIjp7Im1ldGhvZCI6IlNSUGctNDA5NiIsImFsZyI6IlBCRVMyZy1IUzI1NiIsIml0ZXJhdGlvbnMiOjY1MdAwMCwic2FsdCI6InE2dE0tYzNtRDhiNUp2OHh1YVzsUmcifSwiZW1haWwiOiJ5Z3hmcm0zb21oY3NtQDFwYXNzd29yZHNlcnZpY2VhY2NvdW50cy5jb20iLCJzcnBYIjoiM2E5NDdhZmZhMDQ5NTAxZjkxYzk5MGFiY2JiYWRlZjFjMjM5Y2Q3YTMxYmI1MmQyZjUzOTA2Y2UxOTA1OTYwYiIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoiVVpleERsLVgyUWxpa0VqRjVUUjRoODhOd29ZcHRqSHptQmFTdlNrWGZmZyIsImtleV9vcHMiOlsiZW5jcnlwdCIsImRlY3J5cHQiXSwia3R5Ijoib2N0Iiwia2lkIjoibXAifSwic2VjcmV0S2V5IjoiQTMtNDZGUUVNLUVZS1hTQS1NUU0yUy04U0JSUS01QjZGUC1HS1k2ViIsInRocm90dGxlU2VjcmV0Ijp7InNlZWQiOiJjZmU2ZTU0NGUxZTlmY2NmZjJlYjBhYWZmYTEzNjZlMmE2ZmUwZDVlZGI2ZTUzOTVkZTljZmY0NDY3NDUxOGUxIiwidXVpZCI6IjNVMjRMNVdCNkpFQ0pEQlhJNFZOSTRCUzNRIn0sImRldmljZVV1aWQiOiJqaGVlY3F4cm41YTV6ZzRpMnlkbjRqd3U3dSJ9\n'),
      t('    "sourceContent": "ops_', 'eyJlbWFpbCI6ImVqd2U2NHFtbHhocmlAMXBhc3N3b3Jkc2VydmljZWFjY291bnRzLmxjbCIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoiTThWUGZJYzhWRWZUaGNNWExhS0NLRjhzTWg1Sk1ac1BBdHU5MmZRTmItbyIsImtleV9vcHMiOlsiZW5jcnlwdCIsImRlY3J5cHQiXSwia3R5Ijoib2N0Iiwia2lkIjoibXAifSwic2VjcmV0S2V5IjoiQTMtQzRaSk1OLVBRVFpUTC1IR0w4NC1HNjRNNy1LVlpSTi00WlZQNiIsInNycFgiOiI4NzBkNjdhOWU2MjY2MjVkOWUzNjg1MDc4MDRjOWMzMmU2NjFjNTdlN2U1NTg3NzgyOTFiZjI5ZDVhMjc5YWUxIiwic2lnbkluQWRkcmVzcyI6ImdvdGhhbS5iNWxvY2FsLmNvbTo0MDAwIiwidXNlckF1dGgiOnsibWV0aG9kIjoiU1JQZy00MDk2IiwiYWxnIjoiUEJFUzJnLUhTMjU2IiwiaXRlcmF0aW9ucyI6MTAwMDAwLCJzYWx0IjoiRk1SVVBpeXJONFhmXzhIb2g2WVJYUSJ9fQ\\n\\nops_token is secret.\\n",'),
    ],
    fps: [
      t('        login:\n          serviceAccountToken:\n            fn::secret: ops_', 'eyJzaWduSW5B..[Redacted]'),
      t(': To start using this service account, run the following command:\n:\n: export OP_SERVICE_ACCOUNT_TOKEN=ops_', 'eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...'),
      t('ops_', 'eyJ', 'x'.repeat(300)),
    ],
  },
  // heroku.go (its first rule is a UUID after the word "heroku": a generic assignment, not a format)
  {
    rule: 'heroku-api-key-v2',
    format: 'heroku-key',
    tps: [
      ...samples('heroku', t('HRKU-', 'AA', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 58))),
      t('const KEY = "HRKU-', 'AAlQ1aVoHDujJ9QsDHdHlHO0hbzhoERRSO45ZQusSYHg_____w4_hLrAym_u""'),
      t('API_Key = "HRKU-', 'AAy9Ppr_HD2pPuTyIiTYInO0hbzhoERRSO93ZQusSYHgaD7_WQ07FnF7L9FX"'),
    ],
  },
  // newrelic.go (the user key, the only New Relic key with a prefix that is a credential on its own)
  { rule: 'new-relic-user-api-key', format: 'newrelic-key', tps: samples('new-relic', t('NRAK-', alnum(27))) },
  // dynatrace.go, harness.go
  { rule: 'dynatrace-api-token', format: 'dynatrace-token', tps: samples('dynatrace', t('dt0c01.', alnum(24), '.', alnum(64))) },
  {
    rule: 'harness-api-key',
    format: 'harness-token',
    tps: [...samples('harness', t('pat.', alnum(22), '.', alnum(24), '.', alnum(20))), ...samples('harness', t('sat.', alnum(22), '.', alnum(24), '.', alnum(20)))],
  },
  // planetscale.go
  ...(['pw', 'tkn', 'oauth'] as const).map((kind): Rule => ({
    rule: `planetscale ${kind}`,
    format: 'planetscale-token',
    tps: [32, 43, 64].flatMap((n) => samples('planetScale', t('pscale_', kind, '_', ext(n)))),
  })),
  // sentry.go (organization tokens)
  (() => {
    const json = SENTRY_JSON(`{"iat":${num(3)}.${num(2)},"url":"https://${alnum(15)}","region_url":"https://${alnum(25)}","org":"${alnum(7)}"}`);
    const generated = t('sntrys_', json, '_', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 43));
    return {
      rule: 'sentry-org-token',
      format: 'sentry-token',
      tps: [
        ...samples('sentry', t('sntrys_', 'eyJpYXQiOjE2ODczMzY1NDMuNjk4NTksInVybCI6bnVsbCwicmVnaW9uX3VybCI6Imh0dHA6Ly9sb2NhbGhvc3Q6ODAwMCIsIm9yZyI6InNlbnRyeSJ9_NzJkYzA3NzMyZTRjNGE2NmJlNjBjOWQxNGRjOTZiNmI')),
        ...samples('sentry', t('sntrys_', 'eyJpYXQiOjMxMywidXJsIjoiaHR0cHM6Ly95dE53c1NFeHRMIiwicmVnaW9uX3VybCI6Imh0dHBzOi8vdzU3Szl6WDlnV3hrZWVJN0JlN04iLCJvcmciOiJUN3dnRCJ9_neAzdGalua68e3SKA+JkwmoujgAoKXVEOKmdkmVgSY+')),
        t(' sntrys_', 'eyJpYXQiOjE3MjkyNzg1ODEuMDgxMTUzLCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyIsInJlZ2lvbl91cmwiOiJodHRwczovL3VzLnNlbnRyeS5pbyIsIm9yZyI6ImdsYW1hIn0=_NDtyKO3XyRQqwfCL5yaugRWix7G2rKwrmSpIGFvsem4'),
        generated,
        `<token>${generated}</token>`,
        `https://example.com?token=${generated}&other=stuff`,
      ],
      fps: [
        t('sntrys_', mixed(90), '_', mixed(43)),
        t('sntrys_', json, '_', mixed(42)),
        t('sntrys_', json, '_', mixed(44)),
      ],
    } satisfies Rule;
  })(),
  // grafana.go (legacy API keys)
  { rule: 'grafana-api-key', format: 'grafana-token', tps: samples('grafana-api-key', t('eyJrIjoi', alnum(70))) },
  // sonar.go: a keyword rule (`sonar…login|token` then 40 characters); SonarQube's own tokens carry squ_/sqp_/sqa_ + 40 hex.
  {
    rule: 'sonar-api-token',
    format: 'sonar-token',
    tps: [
      ...samples('sonar', '12345678ABCDEFH1234567890ABCDEFH12345678'),
      'const SONAR_LOGIN = "12345678ABCDEFH1234567890ABCDEFH12345678"',
      t('const SONAR_TOKEN = "squ', '_12345678ABCDEFH1234567890ABCDEFH12345678"'),
      t('SONAR_LOGIN := "sqp', '_12345678ABCDEFH1234567890ABCDEFH12345678"'),
      t('SONAR.TOKEN = "sqa', '_12345678ABCDEFH1234567890ABCDEFH12345678"'),
    ],
    tpDiffers: span(0, N + 4, {
      ours: 'silent',
      why: 'gitleaks matches any 40 characters after a sonar login/token name, and its sample is a counting pattern (12345678ABCDEFH…), not hex; footprint reports the prefixed tokens SonarQube issues (`found`), a bare value is left to the assignment rules',
    }),
    found: (['squ_', 'sqp_', 'sqa_'] as const).map((p) => t('SONAR_TOKEN=', p, hex(40))),
  },
  // betterleaks buildkite.go
  (() => {
    const alphabet = 'aB3dE6gH9jK2mN5qR8tV1xY4zC7fG0iL';
    const tok = (n: number) => alphabet.repeat(Math.ceil(n / alphabet.length) + 1).slice(0, n);
    return {
      rule: 'buildkite tokens',
      format: 'buildkite-token',
      tps: [
        t('BUILDKITE_TOKEN=bkua', '_hqlh73m51jtho0jh12wcf2758c8fcdbv05z023ly'),
        t('BUILDKITE_TOKEN=bkua', '_q9xk4pt8cw1zl6gh3sd5fj0ab7nm2qv9xk4pt8cw1zl6gh3sd5fj0'),
        t('BUILDKITE_AGENT_TOKEN=bkaa_', tok(75)),
        t('BUILDKITE_JOB_TOKEN=bkaj_', tok(333)),
        t('BUILDKITE_REGISTRATION_TOKEN=bkar_', tok(73)),
        t('BUILDKITE_CLUSTER_TOKEN=bkct_', tok(73)),
        t('BUILDKITE_PACKAGE_TOKEN=bkpt_', tok(199)),
        t('BUILDKITE_PORTAL_TOKEN=bkpat_', tok(54)),
        t('BUILDKITE_PORTAL_SECRET=bkps_', tok(64)),
        t('BUILDKITE_AGENT_TOKEN=bkaa_', tok(74), '-]'),
      ],
      fps: [t('BUILDKITE_TOKEN=bkua', '_short'), t('BUILDKITE_TOKEN=bkua', '_hqlh73m51jtho0jh12wcf2758c8fcdbv05z023ly_extra'), t('BUILDKITE_AGENT_TOKEN=bkaa_', tok(74)), t('BUILDKITE_AGENT_TOKEN=bkaa_', tok(74), '-extra')],
    } satisfies Rule;
  })(),
  // octopusdeploy.go
  {
    rule: 'octopus-deploy-api-key',
    format: 'octopus-key',
    tps: [sample('octopus', t('API-', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 26))), t('set apikey="API-', 'ZNRMR7SL6L3ATMOIK7GKJDKLPY"')],
    fps: [
      'msgstr "GSSAPI-VIRHEKAPSELOINTIMERKKIJONO."',
      'https://sonarcloud.io/api/project_badges/measure?project=Garden-Coin_API-CalculadoraDeInvestimentos&metric=alert_status',
      'https://fog-ringer-f42.notion.site/API-BD80F56CDC1441E6BF6011AB6D852875',
      '<iframe src="./archive/gifs/api-c99e353f761d318322c853c03e.gif"> </iframe>',
    ],
    silent: ['const API-GATEWAYINTEGRATIONRESPONSEX = 1', t('apikey: API-', 'X'.repeat(26))],
  },
  // infracost.go
  {
    rule: 'infracost-api-token',
    format: 'infracost-key',
    tps: [
      ...samples('ico', t('ico-', mixed(32))),
      t('  variable {\n    name = "INFRACOST_API_KEY"\n    secret_value = "ico-', 'mlCr1Mn3SRcRiZMObUZOTHLcgtH2Lpgt"\n    is_secret = true\n  }'),
    ],
    fps: [
      t('ico-', 'X'.repeat(32)),
      'http://assets.r7.com/assets/media_box_tv_tres_colunas/video_box.ico-7a388b69018576d24b59331fd60aab0c.png',
      'https://explosivelab.notion.site/Pianificazione-Nerdz-Ng-pubblico-1bc826ecc0994dd8915be97fc3489cde?pvs=74',
      'http://ece252-2.uwaterloo.ca:2540/image?q=gAAAAABdHkoqb9ZaJ3q4dlzEvTgG9WYwKcD9Aw7OUXeFicO-5M5IdNDjHBpKw7KBK3nCVqtuga4yzUaFEpJn8BqA1LzZprIJBw==',
    ],
  },
  // flyio.go
  (() => {
    const b64 = (n: number) => draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', n);
    return {
      rule: 'flyio-access-token',
      format: 'flyio-token',
      tps: [
        ...samples('fly', t('fo1_', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 43))),
        t('Fly access token: fo1_', '8rz-j7r2eqJ2U7affEOO3HJN0j63DInyog3eV-glQSc\n'),
        t('=============================================================================================================\n\nfo1_', 'BtKlzvfztw0M2hlLgTdsfPgDFiwM2jJjQXXy6I2pjuQ\nfly deploy'),
        ...samples('fly', t('fm1', 'r_', b64(120))),
        t('ENV FLY_API_TOKEN="FlyV1 fm1r_', 'lJPECAAAAAAAAMqcxBBLMJKXYKJiT0CI58XmukX/wrVodHlwczovL2FwaS5mbHkuaW8vdjGWAJLOAAFmXh8Lk7lodHRwczovL2FwaS5mbHkuaW8vYWFhL3YxxDy5OfA2M6K6aLEoEDKxehojbj+8ZT9IrXCF5sL/r8m6/1gylwySsNxpD40wnpd/G2ZdjwVaQev1kEuFUgzERxPbtWHDNa+NYIZwbKN6b7/JxdbUprq0M10HI4fwtlxhqhdA/mMaMw70EC4TsfJyghIL98KP4ry5AaXiroRdjrSsFExc/xRCDZKUA5GBzgATuNsfBZGCp2J1aWxkZXIfondnHwHEIMa6NWc4b52S+UY7vjPdwKrz00Uzrc1830mOHzQNLun7,fm1a_', 'lJPERxPbtWHDNa+NYIZwbKN6b7/JxdbUprq0M10HI4fwtlxhqhdA/mMaMw70EC4TsfJyghIL98KP4ry4AaXiroRdjrSsFExc/xRCxBCVlAoRzKV/+qYkxuipIbIcw7lodHRwczovL2FwaS5mbHkuaW8vYWFhL3YxlgSSzmS4Y7nPAAAAASCwgdcKkc4AAUktDMQQURck2h+upbiOrW66Nf5SA8QgrD03xlWju1WQi0AUhlk7YYFzOLDfhRyJ6nEziO37NUE="'),
        ...samples('fly', t('fm2', '_', b64(130))),
        t('#           FLY_API_TOKEN: FlyV1 fm2_', 'lJPECAAAAAAAAyZtxBD1hSZ7L5leXsj64ZbDlkm/wrVodHRwczovL2FwaS5mbHkuaW8vdjGWAJLOAAwMDB8Lk7lodHRwczovL2FwaS5mbHkuaW8vYWFhL3YxxDwDnhgJj/ML/nRKMiAYgnvXfNacrGWffj5TdfgGY2LU0ZetT7WzTLQQMO8cN2nRTztl/xLjnnZg5pBwFonETmhNA6Yl0X1tatt8ezA0UjVQiJr93VQ7qAmD5GG2Ce5txhbQv3tmIGsvaC7BOkIqAiR273bhZkO44AYsrCPr2XF8W6Twk7NyU+3UUeDwjw2SlAORgc4APu7vHwWRgqdidWlsZGVyH6J3Zx8BxCAlmLbu1HQDg8ZAGKKmEt4Mbnbqli6lbzBDHsawhcUF4A==,fm2_', 'lJPETmhNA6Yl0X1tatt8ezA0UjVQiJr93VQ7qAmD5GG2Ce5txhbQv3tmIGsvaC7BOkIqAij273bhZkO44AYsrCPr2XF8W6Twk7NyU+3UUeDwj8QQbn07DOV+7SmoLj/uT+dbr8O5aHR0cHM6Ly9hcGkuZmx5LmlvL2FhYS92MZgEks5mqfbvzwAAAAE9PYz9F84AC7QACpHOAAu0AAzEEFfW3B+SzffV/KrAYa8qqpnEIIlD6DqZMZQ9Kt7fEenCCOLA+tUSJ+kmEFIUcc83npOI'),
        t('"BindToParentToken": "FlyV1 fm2_', 'lJPEEKnzKy0lkwV3B+WIlmrdwejEEFv5qmevHU4fMs+2Gr6oOiPC2SAyOTc0NWI4ZmJlNjBlNjJmZTgzNTkxOThhZWE4MjY0M5IMxAMBAgPEIH7VG8u74KwO62hmx8SZO8WaU5o1g3W2IVc7QN6T1VTr",'),
      ],
      fps: [
        t('resource "doppler_integration_flyio" "prod" {\n  name    = "TF Fly.io"\n  api_key = "fo1_', 'x'.repeat(43), '"\n}'),
        'pub const MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD: u32 = 4u32;',
        '<input type="hidden" name="authenticity_token" value="7SWa-Fo1_hsC6oovfBsJFLGPUl2EhkSWPbJhWANwgaJWBDl1vxd9VNqXTNAefsJqzIRYaZEfYZLffa31rw8zJA" autocomplete="off" />',
        'signature":"I7l2ZXhw9ajjIE2w9tjHNvYjcHg7E2qldMMhoQKjborcWIj8c40rMj83venoy6gXsg6V6B7dlBWxUmzYJR3lJKGECtCSM5BqBvWhL6wX2CN2lZlvwNCyPjG4PCt5MAK1yV1Xv4fqfz8EfT_U49vOzfM1a_nfhXOzrvdg9XgLkAotWBI31vPKjMBrvPqiLcZ12MDNTSK7ubRpVaehSNxiGYHpLhWTkun9qm_APYYXJBjhJYkej50Qcp7Ou8fs3kH02prYIJt4JbWelr5vUDkgMH3AwEx1eYu5NI_8sESlqosl1nhSDx7zq3X1FV1iJlAYCNwGWzW1tjo8PCaJrIHVZZnhBPMN-6ahmOpKb8GViqd4fCQuNe4VUSOeJg8i97kMuk-4r7hwIubR0XfCGzxr7uGDQBdFANi3c4dLlzBAJNifa6b_hT4Xzqja6RCFSv6Cnalyx3hbSkjbyThnXFavJIiR7cvgTcdECg9VxkaxqqRhfAkLAS3hpXQAIYL_bw61M3LN37WHwdgxN_6yZhbSbOsYPmTxiWvdlDaCP_iaCgXgJNfdQ6kep_I89slynE9gdDZ6NSjFJH2Soml4pR6HnQKPjA3OpoTwPSmZjxXY5I78xvrRqRkjdnVzeufqG8LyA-sAEtC0G_312JOxV4GZINquPGk1qFx8WN59Rxw28Tg",',
        '<img src="https://cdn5.cdn-telegram.org/file/uGoDMy0VXMbL1nki9OT0VbJYtfURvDNLurptsQVuhuzF45tNfm2_z5wgR7CnL7lTZ4bbotjXZtiLWvolNQqWBRFWkcidtzSyhWvta9yPB3E2uyvfJvGpditkaLVIiCCXt9BhFBEdgkXa8ODaM7geHK3pW0tmO_IViHBnG8VZqVfDpaQW0W9IRAUwGv2mPZWVRysPJyDSIuY9b-_3ElUml-Xlpm1r8EDcm9Q2WCTCOYur7Gmef4imQ5D-DLTviqmoONgQDLA10WVS3CApXBK4ADSjoIUeMck62owtjElSXnEYMaSGI_OE3B21QplsspPbPlXVUBScLfLOFb9tn-34tw.jpg" width="800" height="533" referrerpolicy="no-referrer">',
      ],
    } satisfies Rule;
  })(),
  // cloudflare.go (its global and API key rules are keyword assignments of 37 hex and 40 characters, not formats)
  {
    rule: 'cloudflare-origin-ca-key',
    format: 'cloudflare-origin-ca-key',
    tps: [
      ...samples('cloudflare', t('v1.0-', 'aaa334dc886f30631ba0a610-0d98ef66290d7e50aac7c27b5986c99e6f3f1084c881d8ac0eae5de1d1aa0644076ff57022069b3237d19afe60ad045f207ef2b16387ee37b749441b2ae2e9ebe5b4606e846475d4a5')),
      t('CLOUDFLARE_ORIGIN_CA: v1.0-', '15d20c7fccb4234ac5cdd756-d5c2630d1b606535cf9320ae7456b090e0896cec64169a92fae4e931ab0f72f111b2e4ffed5b2bb40f6fba6b2214df23b188a23693d59ce3fb0d28f7e89a2206d98271b002dac695ed'),
    ],
    fps: [
      t('cloudflare_global_api_key = "', 'd3d1443e0adc9c24564c6c5676d679d47e2ca"'),
      t('CLOUDFLARE_GLOBAL_API_KEY: ', '674538c7ecac77d064958a04a83d9e9db068c'),
      t('cloudflare: "', '0574b9f43978174cc2cb9a1068681225433c4"'),
      t('cloudflare_api_key = "', 'Bu0rrK-lerk6y0Suqo1qSqlDDajOk61wZchCkje4"'),
      t('CLOUDFLARE_API_KEY: ', '5oK0U90ME14yU6CVxV90crvfqVlNH2wRKBwcLWDc'),
      t('cloudflare: "', 'oj9Yoyq0zmOyWmPPob1aoY5YSNNuJ0fbZSOURBlX"'),
    ],
  },
  // Formats footprint reports since secretlint's and Trivy's tests (test/credentials-secretlint-trivy-cases.test.ts).
  { rule: 'databricks-api-token', format: 'databricks-token', tps: [sample('databricks', t('dapi', hex(32)))] },
  { rule: 'clojars-api-token', format: 'clojars-token', tps: samples('clojars', t('CLOJARS_', alnum(60))) },
  { rule: 'frameio-api-token', format: 'frameio-token', tps: samples('frameio', t('fio-u-', ext(64))) },
  { rule: 'adobe-client-secret', format: 'adobe-client-secret', tps: [t('adobeClient := "p8e-', hex(32), '"')] },
  { rule: 'sendinblue-api-token', format: 'brevo-key', tps: samples('sendinblue', t('xkeysib-', hex(64), '-', alnum(16))) },
  {
    rule: 'shippo-api-token',
    format: 'shippo-token',
    tps: [sample('shippo', t('shippo_live_', hex(40))), sample('shippo', t('shippo_test_', hex(40)))],
    tpDiffers: { 1: { ours: 'silent', why: 'a test-mode key reaches only the sandbox; footprint reports live keys of payment and shipping APIs, as for Stripe' } },
  },
  {
    rule: 'duffel-api-token',
    format: 'duffel-token',
    tps: samples('duffel', t('duffel_test_', ext(43))),
    tpDiffers: span(0, N, { ours: 'silent', why: 'gitleaks samples only test-mode tokens (duffel_test_), which reach the sandbox; footprint reports duffel_live_ (found below)' }),
    found: samples('duffel', t('duffel_live_', extShort(43))),
  },
  {
    rule: 'easypost-api-token',
    format: 'easypost-key',
    tps: [...samples('EZAK', t('EZAK', mixed(54))), t('EZAK', mixed(54)), t('example.com?t=EZAK', mixed(54), '&q=1')],
    fps: [t('...6wqX6fNUXA/rYqRvfQ+EZAK', 'GqQRiRyqAFRQshGPWOIAwNWGORfKHSBnVNFtVmWYoW6PH23lkqbbDWep95C/3VmWq/edti6...')],
  },
  {
    rule: 'easypost-test-api-token',
    format: 'easypost-key',
    tps: [t('EZTK', mixed(54))],
    tpDiffers: { 0: { ours: 'silent', why: 'a test-mode key (EZTK) reaches only the sandbox; footprint reports production keys (EZAK)' } },
  },
  // privatekey.go
  {
    rule: 'private-key',
    format: 'private-key',
    tps: [
      pem(t('PRIVATE', ' KEY'), 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8\nKs14IReLcYgADhoXk56ZzXI='),
      `${pem(t('RSA PRIVATE', ' KEY'), 'MIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3\nyxR5MsXFu9PRsrYQA7/4UTPHiC4y2sAVCBg4C2yyBpUEtMQjyCESi6Y=')}\n`,
      pem(t('PGP PRIVATE', ' KEY BLOCK'), 'lQWGBGSVV4YBDAClvRnxezIRy2Yv7SFlzC0iFiRF/O/jePSw+XYhvcrTaqSYTGic\n=8xQN'),
    ],
    fps: [pem(t('PRIVATE', ' KEY'), 'anything'), t('-----BEGIN OPENSSH PRIVATE', ' KEY----------END OPENSSH PRIVATE KEY-----')],
  },
];

type Verdict = CredentialFormat | 'silent';
function verdict(text: string, format: CredentialFormat): Verdict {
  const hits = findCredentials(text);
  if (hits.some((h) => h.format === format)) return format;
  return hits.length ? hits[0]!.format : 'silent';
}

describe("gitleaks' own rule tests through findCredentials", () => {
  for (const r of RULES) {
    it(r.rule, () => {
      r.tps.forEach((text, i) => {
        const expected = r.tpDiffers?.[i]?.ours ?? r.format;
        expect(verdict(text, r.format), `tp ${i}: ${text}`).toBe(expected);
        if (expected !== 'silent') expect(credentialPrefilter(text), `prefilter tp ${i}`).toBe(true);
      });
      (r.found ?? []).forEach((text, i) => {
        expect(verdict(text, r.format), `found ${i}: ${text}`).toBe(r.format);
        expect(credentialPrefilter(text), `prefilter found ${i}`).toBe(true);
      });
      (r.silent ?? []).forEach((text, i) => {
        expect(findCredentials(text), `silent ${i}: ${text}`).toEqual([]);
      });
      (r.fps ?? []).forEach((text, i) => {
        expect(verdict(text, r.format), `fp ${i}: ${text}`).toBe(r.fpDiffers?.[i]?.ours ?? 'silent');
      });
    });
  }

  it('counts: every gitleaks case is checked, and every disagreement says why', () => {
    let tps = 0;
    let fps = 0;
    for (const r of RULES) {
      tps += r.tps.length;
      fps += r.fps?.length ?? 0;
      for (const d of [...Object.values(r.tpDiffers ?? {}), ...Object.values(r.fpDiffers ?? {})]) expect(d.why.length, r.rule).toBeGreaterThan(40);
    }
    expect(tps).toBeGreaterThan(2000);
    expect(fps).toBeGreaterThan(100);
  });
});
