/**
 * secretlint's rule snapshots (the snapshots under each packages/@secretlint/secretlint-rule-X/test: `ng.*` inputs it reports, `ok.*`
 * inputs it must not) and Trivy's built-in secret rules (pkg/fanal/secret/builtin-rules.go, its testdata/*.txt and
 * builtin_rules_test.go), run through findCredentials, one row per input line or snippet.
 *
 * Rewritten, not copied: every token-shaped value is split at its prefix and assembled at runtime (private keys are
 * generated), so no such literal sits in the repository. Cases that only exist because of a peer's own options
 * (secretlint `allows`, `enableIDScanRule: false`) and Trivy's custom-rule fixtures are left out.
 *
 * `peer` is what the peer's test expects (a finding, or none); when footprint answers otherwise the row says `ours`
 * and why. The last test counts the agreement.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialPrefilter, findCredentials, type CredentialFormat } from '../src/analyzers/tests/credentials.js';
import { seededText } from './helpers/seeded-text.js';

const draw = seededText(0x5ec7e117);
const t = (...parts: string[]) => parts.join('');
const b64url = (s: string) => Buffer.from(s).toString('base64url');

type Verdict = CredentialFormat | 'silent';
interface Case {
  /** `trivy-rule`: a sample drawn from a Trivy rule's regex where the rule has no test file. */
  peer: 'secretlint' | 'trivy' | 'trivy-rule';
  rule: string;
  text: string;
  /** What the peer's test expects: a finding (`secret`) or none. */
  says: 'secret' | 'none';
  /** The format footprint names when it agrees that this is a secret. */
  format?: CredentialFormat;
  /** footprint's answer when it is not the peer's, and why. */
  ours?: { verdict: Verdict; why: string };
  /** The lines the peer reports, where a snippet has several candidates (its allow comments exempt the others). */
  lines?: number[];
}

const secret = (peer: Case['peer'], rule: string, format: CredentialFormat | undefined, text: string, ours?: Case['ours']): Case => ({ peer, rule, text, says: 'secret', format, ours });
const none = (peer: Case['peer'], rule: string, text: string, ours?: Case['ours']): Case => ({ peer, rule, text, says: 'none', ours });
const silent = (why: string): Case['ours'] => ({ verdict: 'silent', why });

/** A PEM private key of the given type and encoding, generated for the run. */
function pemKey(kind: 'rsa' | 'ec' | 'ed25519', type: 'pkcs1' | 'sec1' | 'pkcs8', bits = 2048): string {
  const opts = kind === 'rsa' ? { modulusLength: bits } : kind === 'ec' ? { namedCurve: 'P-384' } : {};
  const { privateKey } = generateKeyPairSync(kind as 'rsa', { ...(opts as { modulusLength: number }), privateKeyEncoding: { type: type as 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return privateKey.trim();
}

const dockerPat = () => t('dckr_pat_', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 27));
const slackWebhook = () => t('https://hooks.slack.com/services/T', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8), '/B', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10), '/', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24));

const jwtIoSignature = t('SflKxwRJSMeKKF2QT4fw', 'pMeJf36POk6yJV_adQssw5c');

/** A 1Password service account token: `ops_` + base64 of the account's JSON (email, MUK, secret key, SRP-x, sign-in address). */
function onePasswordToken(): string {
  const json = JSON.stringify({
    email: `${draw('abcdefghijklmnopqrstuvwxyz0123456789', 13)}@1passwordserviceaccounts.lcl`,
    muk: { alg: 'A256GCM', ext: true, k: draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 43), key_ops: ['encrypt', 'decrypt'], kty: 'oct', kid: 'mp' },
    secretKey: `A3-${[6, 6, 5, 5, 5, 5].map((n) => draw('ABCDEFGHJKLMNPQRSTVWXYZ23456789', n)).join('-')}`,
    srpX: draw('0123456789abcdef', 64),
    signInAddress: 'my.1password.com',
    userAuth: { method: 'SRPg-4096', alg: 'PBES2g-HS256', iterations: 100000, salt: draw('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 22) },
  });
  return t('ops_', b64url(json));
}

const SL = 'secretlint' as const;
const TV = 'trivy' as const;
const TR = 'trivy-rule' as const;
const A62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const hex = (n: number) => draw('0123456789abcdef', n);
const a62 = (n: number) => draw(A62, n);
const TEST_MODE = silent('a test-mode key reaches only the vendor\'s sandbox (footprint reports Stripe\'s and the other payment APIs\' live keys); the live form of the same rule is found');

const DIGITS_ONLY = silent('the example tokens of Cribl\'s regex docs: a Slack token ends in a secret segment with letters; a team id and a counter alone is no token');

const CASES: Case[] = [
  // secretlint-rule-github
  secret(SL, 'github', 'github-token', t('ghp_', 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx')),
  secret(SL, 'github', 'github-pat', t('github_pat_', '11AAGI73I0HFY8wJru4mTw_ZlpxaViSYQuKETGMTXMkbWFrZCqjas5OpXSUP6g5zbrE2PRUI7CfRZ3m3z3')),
  secret(SL, 'github', 'github-token', t('ghs_', '12345_', b64url('{"alg":"RS256","typ":"JWT"}'), '.', b64url('{"iat":1745568000,"exp":1745568360,"iss":"12345","sub":"github|12345"}'), '.', jwtIoSignature)),
  none(SL, 'github', t('gXX_', 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx\n\ngXX is not GitHub Token prefix')),
  // secretlint-rule-npm
  secret(SL, 'npm', 'npm-token', t('npm_', 'qkJaB6MffYVzZXWqmcoF49yrUxP3wf0LsakP')),
  secret(SL, 'npm', undefined, t('//npm.pkg.github.com/:_authToken=', '111111', 'a'.repeat(31), '\n@example:registry="https://npm.pkg.github.com"'), silent('no token format here (six 1s and 31 a\'s); footprint reports a literal `_authToken` in a committed .npmrc by file, with committed-npmrc-credentials (below: the scan reports it)')),
  none(SL, 'npm', '//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\n@example:registry="https://npm.pkg.github.com"'),
  secret(SL, 'npm', 'url-password', t('    "private-pkg-example": "git+https://', '111da111qqqq309bqq562159952c2c2a11111a1', ':x-oauth-basic@github.com/example/example.git#v1.0.0"')),
  // secretlint-rule-slack
  secret(SL, 'slack', 'slack-webhook', t('https://hooks.slack.com/services/', 'TXXXXX/BXXXXX/XXXXXXXXXX'), silent('the documentation placeholder Slack prints (`T…/B…/XXXX…`): its secret segment is one letter repeated, no webhook Slack issued')),
  secret(SL, 'slack', 'slack-webhook', t('Treat https://hooks.slack.com/services/', 'T11111AA/BAAAA111A/qKirRWalryBGqKirRWalryBG as secret.')),
  secret(SL, 'slack', 'slack-token', t('bot-token=xoxb-', '23984754863-2348975623000-AAAAANzjawSSE9krECohd')),
  secret(SL, 'slack', 'slack-token', t('xoxa-', '23984754863-2348975623111'), DIGITS_ONLY),
  secret(SL, 'slack', 'slack-token', t('token=xoxb-', '23984754863-2348975623112'), DIGITS_ONLY),
  secret(SL, 'slack', 'slack-token', t('token:xoxo-', '23984754863-2348975623113'), DIGITS_ONLY),
  secret(SL, 'slack', 'slack-token', t('token="xoxa-', '23984754863-2348975623114"'), DIGITS_ONLY),
  secret(SL, 'slack', 'slack-token', t('user-token="xoxp-', '23984754863-2348975623000-2348973623000-cbbd37080273x3ef2577a1a365334"')),
  secret(SL, 'slack', 'slack-token', t('xapp-1-', 'AA2JWS7BEDD-1234576618999-1234010643963577ab7449ef8014ade5482143da98cb46bb85355c04281234 is app tokens')),
  // secretlint-rule-sendgrid
  secret(SL, 'sendgrid', 'sendgrid-key', t('oops SG.', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313-L5528K')),
  none(SL, 'sendgrid', t('somSG.', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313-L5528Kewhere lost in staging files.')),
  secret(SL, 'sendgrid', 'sendgrid-key', t('SG.', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313_L5528e')),
  secret(SL, 'sendgrid', 'sendgrid-key', t('SG.', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313L5528Ke')),
  none(SL, 'sendgrid', t('uasi architecto beatae vi', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313-L552')),
  none(SL, 'sendgrid', t('G.', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313-L5528K')),
  none(SL, 'sendgrid', t('.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313', '-L5528Kuisquam est, qui dolorem ipsum')),
  none(SL, 'sendgrid', t('SG.', 'APhb3zgjtx3hajdas1TjBB.')),
  none(SL, 'sendgrid', t('notSG.', 'APhb3zgjtx3hajdas1TjBB.H7Sgbba3afgKSDyB442aDK0kpGO3SD332313_L55')),
  // secretlint-rule-shopify (the samples are Shopify's changelog examples of the longer tokens)
  secret(SL, 'shopify', 'shopify-token', t('shpss_', 'QlRSJy5AXX1cILNjVatTsEIhFxuPF5ex')),
  secret(SL, 'shopify', 'shopify-token', t('shpat_', 'r8TRc9ZXAvcVvcrmtr7qoVw69WeeY1ex')),
  secret(SL, 'shopify', 'shopify-token', t('shpca_', '7jqbg9cupMkZRxJKXWz3v8BvS8QBa7hMdJfAex')),
  secret(SL, 'shopify', 'shopify-token', t('shppa_', '7jqbg9cupMkZRxJKXWz3v8BvS8QBa7hMdJfAex')),
  none(SL, 'shopify', 'shpssSSSSS_SSSS_sssss is not api key'),
  // secretlint-rule-openai
  secret(SL, 'openai', 'openai-key', t('sk-', 'sUeBP9asw6GiYHXqtg70', 'T3BlbkFJ', 'JuLwJFco90bOpU0Ntest')),
  ...(['proj', 'svcacct', 'admin'] as const).map((kind) =>
    secret(SL, 'openai', 'openai-key', t(`sk-${kind}-`, 'f5-UKZNwZTgzRb8ZucIrNqTs9oT6D1DMRv_0Zq3WY7G1J1O-wPsXwgv6WFxEn8XrZu2vvosfG7', 'T3BlbkFJ', 'BYX7TPseHaYE6r3ljpCBurd6U6qpJeRk8UqQ1ORj5DFHReHaF6mstbOCirkkl9vsHWLw23test')),
  ),
  none(SL, 'openai', t('sk-', 'sUeBP9asw6GiYHXqtg70abcdefghJuLwJFco90bOpU0Ntest')),
  ...(['proj', 'svcacct', 'admin'] as const).map((kind) =>
    none(SL, 'openai', t(`sk-${kind}-`, 'f5-UKZNwZTgzRb8ZucIrNqTs9oT6D1DMRv_0Zq3WY7G1J1O-wPsXwgv6WFxEn8XrZu2vvosfG7abdcefghBYX7TPseHaYE6r3ljpCBurd6U6qpJeRk8UqQ1ORj5DFHReHaF6mstbOCirkkl9vsHWLw23test')),
  ),
  // secretlint-rule-anthropic
  secret(SL, 'anthropic', 'anthropic-key', t("claude_api_key = 'sk-ant-api03-", 'z0zjHHXo5uibD2havvfqiZYJe9ENlwI1trcQC4pyRC2N2w6nbpUitUU_iR4kkSszVyUpINaxvCtun3_Mub0O3w-48GXRgAA', "'")),
  secret(SL, 'anthropic', 'anthropic-key', t('sk-ant-api03-', 'z0zjHHXo5k3zD2havvfqiZYJe9ENlwI1trcQC4pyRC2N2w6nbpUitUU_iR4ttSszVyUpINaxvCtun3_Mub0O3w-48GXRgAA')),
  secret(SL, 'anthropic', 'anthropic-key', t('CLAUDE_API_KEY=sk-ant-api03-', 'lwfESWqh_7RvqZ2cCANYw9scfj8Z8tegAppkRnWnclSFEuEPcjuYUITSiziCs2_JRgru7AET1AxD4Fpdic3T-Q-apLfhQAA')),
  secret(SL, 'anthropic', 'anthropic-key', t("ANTHROPIC_API_KEY='sk-ant-api04-", 'pRLEoxKCq2cuUW5bhgMTVPcAuDd6aoydZQYcEXVp_Fu46ri_GkPW5INiuAEYTqOx4w27CnqVik4Ak_wNjjzKAA-Q5uYbwAA', "'")),
  none(SL, 'anthropic', 'export const EXAMPLE_URL = "https://api.anthropic.com";'),
  none(SL, 'anthropic', t('ssk-ant-api04-', 'NotARealKeyButLooksLikeOne')),
  none(SL, 'anthropic', 'sk-openai-123456'),
  none(SL, 'anthropic', t('sk-ant-api02-', 'notarealkey')),
  none(SL, 'anthropic', t('sk-ant-api05-', 'alsonotreal')),
  // secretlint-rule-linear
  secret(SL, 'linear', 'linear-key', t('lin_api_', 'f1g2kLGLqdezihCUTzgIAUk6d9wvCnStWrvEXAMPLE'), silent('a Linear API key is lin_api_ and 40 characters; this sample has 42 (a 40-character body with EXAMPLE written over its end), so it is no key Linear issued')),
  // secretlint-rule-1password
  secret(SL, '1password', 'onepassword-token', onePasswordToken()),
  none(SL, '1password', 'ops_token is secret.'),
  // secretlint-rule-aws
  secret(SL, 'aws', 'aws-access-key', t('This is AWS Access Key ID: AKIA', 'IOSFODNN7SECRETS'), silent('an access key id names a key, it is not the secret: footprint reports it when its secret access key is within five lines (and this id is the AWS documentation example with its last letters changed)')),
  secret(SL, 'aws', 'aws-secret-key', t('AWS_SECRET_ACCESS_KEY = ', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETSKEY'), silent('the AWS documentation\'s example secret (wJalrXUtnFEMI/K7MDENG/bPxRfiCY…) with SECRETSKEY written over EXAMPLEKEY: a public example, not a key (Trivy\'s random-looking one is found)')),
  secret(SL, 'aws', undefined, '"AWS_ACCOUNT_ID"=>0000-0000-0000', silent('an account id is an identifier printed in every ARN, not a credential')),
  none(SL, 'aws', 'ANY_KEY = ZHVtbXkgdGV4dCBkYXRhIGRhdGEgZGF0YQ=='),
  // secretlint-rule-gcp: a service account JSON whose private_key is one JSON string (its END line short of a dash)
  secret(SL, 'gcp', 'private-key', `{\n  "type": "service_account",\n  "project_id": "xxxxxxxx",\n  "private_key": "${pemKey('rsa', 'pkcs8').replace('-----END PRIVATE KEY-----', '-----END PRIVATE KEY----').replaceAll('\n', '\\n')}\\n",\n  "client_email": "user@project.gserviceaccount.com"\n}`),
  // secretlint-rule-privatekey
  secret(SL, 'privatekey', 'private-key', pemKey('ec', 'sec1')),
  secret(SL, 'privatekey', 'private-key', pemKey('ed25519', 'pkcs8')),
  secret(SL, 'privatekey', 'private-key', pemKey('rsa', 'pkcs1')),
  secret(SL, 'privatekey', 'private-key', pemKey('rsa', 'pkcs1', 4096)),
  secret(SL, 'privatekey', 'private-key', pemKey('rsa', 'pkcs8')),
  secret(SL, 'privatekey', 'private-key', `{\n  "key": "${pemKey('rsa', 'pkcs8').replaceAll('\n', '\\n')}\\n",\n  "prop": "value"\n}`),
  none(SL, 'privatekey', t('-----BEGIN PRIVATE', ' KEY-----\nxxx\n-----END PRIVATE KEY-----')),
  none(SL, 'privatekey', t('-----BEGIN PRIVATE', ' KEY-----\n', b64url('abcdefghijklmnopqrstuvwxyz').replace(/$/, '='), '\n-----END PRIVATE KEY-----')),
  // secretlint-rule-basicauth
  secret(SL, 'basicauth', 'url-password', 'This FTP: ftp://user:pass@example.com includes credential.', silent('`pass` is a placeholder and example.com is reserved for documentation (RFC 2606): an example, not a login')),
  secret(SL, 'basicauth', 'url-password', 'const API_URL = "https://user:secret123@api.example.com/endpoint";', silent('api.example.com is reserved for documentation (RFC 2606): no server behind it checks this password')),
  secret(SL, 'basicauth', 'url-password', '- Ja: このhttps://user:pass@example.comはBasic', silent('`pass` is a placeholder and example.com is reserved for documentation (RFC 2606)')),
  secret(SL, 'basicauth', 'url-password', '- pathname: https://user:pass@example.com/test', silent('`pass` is a placeholder and example.com is reserved for documentation (RFC 2606)')),
  secret(SL, 'basicauth', 'url-password', '- markdown [url](https://user:pass@example.com)', silent('`pass` is a placeholder and example.com is reserved for documentation (RFC 2606)')),
  secret(SL, 'basicauth', 'url-password', t('const PROD_API = "https://apiuser:', 'r3alP4ssw0rd@api.production.com/v2";')),
  none(SL, 'basicauth', t('const SERVICE_URL = "https://svcaccount:', 'myC0mpl3xP@ss@service.internal.com";'), { verdict: 'url-password', why: 'the userinfo ends at the last @ of the authority (RFC 3986), so the password is `myC0mpl3xP@ss`: secretlint lists it under "real credentials that should be detected" but its pattern stops at the first @' }),
  secret(SL, 'basicauth', 'url-password', t('const SECURE_FTP = "ftps://deployment:', 's3cur3K3y2024@files.company.com/uploads";')),
  secret(SL, 'basicauth', 'url-password', t('const DB_BACKUP = "https://backup-user:', 'BackupK3y987@backup.example.com";'), silent('backup.example.com is reserved for documentation (RFC 2606): no server behind it checks this password')),
  none(SL, 'basicauth', t('const MONITORING = "https://monitor:', 'm0n1t0r!ng@metrics.company.com/api";'), { verdict: 'url-password', why: '`!` is a legal password character (a sub-delim in RFC 3986 userinfo); secretlint lists this line under "real credentials" but its pattern has no `!`' }),
  ...[
    'const API_URL = "https://${username}:${password}@api.example.com/v1";',
    'const CONFIG_URL = "https://{{user}}:{{pass}}@config.example.com";',
    'const TEMPLATE_URL = "https://{USER}:{PASS}@template.example.com";',
    'const TEMPLATE_URL2 = "https://username:password@example.com/api";',
    'const GUIDE_URL = "https://username:mypassword@test.com/endpoint";',
    'const LOCAL_URL = "https://dbuser:password@127.0.0.1:3000/";',
    'const DOC_URL = "https://YOUR_USERNAME:YOUR_PASSWORD@api.service.com";',
    'const GUIDE_URL2 = "https://username:REPLACE_WITH_PASSWORD@example.org";',
    'const SHORT_URL = "https://user:abc@api.com/v1";',
    'const REPETITIVE_URL = "https://user:1111@service.com/api";',
    'const SIMPLE_URL = "https://testuser:xxxx@demo.com";',
    'https://example.com is good',
  ].map((text) => none(SL, 'basicauth', text)),
  // secretlint-rule-azure (the rule package's own snapshots; the recommended preset does not run it)
  secret(SL, 'azure', undefined, t('var azureClientSecret := "', 'ahDzWAqqBHgpAeUBUULuU0gA4p09rt0WDAsUOmFg"'), silent('a pre-2020 Entra ID secret is 40 random characters with no marker; footprint reports the current `…Q~…` format, an unmarked value only where a credential is assigned (the code and dotenv analyzers)')),
  none(SL, 'azure', 'AZURE_CLIENT_ID=dac6fb3d-713c-4555-8a97-4089aa3849be'),
  none(SL, 'azure', 'ad_tenant_id: "dac6fb3d-713c-4555-8a97-4089aa3849be"'),
  // secretlint-rule-cloudflare
  secret(SL, 'cloudflare', 'cloudflare-token', t('CLOUDFLARE_API_TOKEN=cfat_', 'aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b')),
  secret(SL, 'cloudflare', 'cloudflare-token', t('cfut_', 'aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b')),
  secret(SL, 'cloudflare', 'cloudflare-token', t('cfk_', 'aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b')),
  none(SL, 'cloudflare', t('cfat_', 'tooshort')),
  none(SL, 'cloudflare', t('cf_', 'aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b')),
  none(SL, 'cloudflare', t('xcfat_', 'aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b')),
  none(SL, 'cloudflare', t('cfat_', 'aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099bZ')),
  none(SL, 'cloudflare', 'https://api.cloudflare.com/client/v4/zones'),
  // secretlint-rule-database-connection-string
  secret(SL, 'database-connection-string', 'url-password', t('const MONGO_URI = "mongodb://realuser:', 's3cr3tP4ss@db1.example.net:27017/production";'), silent('db1.example.net is reserved for documentation (RFC 2606)')),
  secret(SL, 'database-connection-string', 'url-password', t('const MONGO_SRV = "mongodb+srv://appuser:', 'myR3alP@ssw0rd@cluster0.mongodb.net/mydb?retryWrites=true";')),
  secret(SL, 'database-connection-string', 'url-password', t('CONECTION_URI="mongodb://root:', 'm42ploz2wd@google.com:5434/thegift"')),
  secret(SL, 'database-connection-string', 'url-password', t('mongodb+srv://testuser:', 'hub24aoeu@gg-is-awesome-xm273.mongodb.net/test?retryWrites=true&w=majority')),
  secret(SL, 'database-connection-string', 'url-password', t('mongodb://admin:', 'secretKey456@cluster.mongodb.net:27017/admin')),
  secret(SL, 'database-connection-string', 'url-password', t('mongodb+srv://user:', 'passW0rd123@prod-cluster.mongodb.net/production?retryWrites=true')),
  secret(SL, 'database-connection-string', 'url-password', t('mongodb://devuser:', 'mySecret789@dev.mongodb.com:27017/dev_db')),
  secret(SL, 'database-connection-string', 'url-password', t('const MYSQL_URI = "mysql://dbuser:', 'compl3xPwd@mysql.server.com:3306/database";')),
  secret(SL, 'database-connection-string', 'url-password', t('const MYSQL_JDBC = "jdbc:mysql://admin:', 'str0ngP4ss@db.company.com:3306/app_db";')),
  secret(SL, 'database-connection-string', 'url-password', t('CONNECTION_URI="mysql://root:', 'm42ploz2wd@google.com:5434/thegift"')),
  none(SL, 'database-connection-string', t('mysql --user=doadmin --password=', 'strongp@55! --host=db-mysql-ams3-23775-do-user-7772205-0.a.db.ondigitalocean.com')),
  none(SL, 'database-connection-string', 'jdbc:mysql://sandy:secret@[myhost1:1111,myhost2:2222]/db'),
  none(SL, 'database-connection-string', 'jdbc:mysql://[(host=myhost1,port=1111,user=sandy,password=secret),(host=myhost2,port=2222,user=finn,password=secret)]/db'),
  none(SL, 'database-connection-string', 'Server=myServerAddress;Database=myDataBase;Uid=myUsername;Pwd=myPassword;'),
  secret(SL, 'database-connection-string', 'url-password', t('mysql://testuser:', 'secretKey123@db.example.com:3306/testdb'), silent('db.example.com is reserved for documentation (RFC 2606)')),
  secret(SL, 'database-connection-string', 'url-password', t('mysql://apiuser:', 'passW0rd!@internal.db.com:3306/api')),
  secret(SL, 'database-connection-string', 'url-password', t('mysql://devuser:', 'mySecret2024@localhost:3306/dev_db')),
  secret(SL, 'database-connection-string', 'url-password', t('const PG_URI = "postgresql://pguser:', 'secur3Pass@postgres.example.com:5432/production_db";'), silent('postgres.example.com is reserved for documentation (RFC 2606)')),
  secret(SL, 'database-connection-string', 'url-password', t('const POSTGRES_URI = "postgres://api_user:', 'myC0mpl3xPwd@db.internal.com:5432/api_db";')),
  none(SL, 'database-connection-string', t('CONNECTION_URI="postgres://postgres:', 'm42p! o@2wd@google.com:5434/thegift"')),
  none(SL, 'database-connection-string', 'PG_USERNAME=root. PG_PASSWORD=m42ploz2wd'),
  none(SL, 'database-connection-string', 'PGPASSWORD=strongp@ss psql -hdb-postgresql-ams3-58486-do-user-7772205-0.b.db.ondigitalocean.com -Udoadmin -p 25060'),
  secret(SL, 'database-connection-string', 'url-password', t("create_engine('postgresql://postgres:", "m42ploz2wd@google.com:5432/mydb')")),
  none(SL, 'database-connection-string', 'Host=your_host; Port=5432; Database=your_database; Username=your_username; Password=your_password;'),
  ...[
    'const MONGO_TEMPLATE = "mongodb://username:password@localhost:27017/database";',
    'const MYSQL_TEMPLATE = "mysql://user:${PASSWORD}@example.com:3306/db";',
    'const PG_TEMPLATE = "postgresql://{username}:{password}@{{host}}:5432/{database}";',
    'const MONGO_NO_AUTH = "mongodb://localhost:27017/database";',
    'const MYSQL_NO_AUTH = "mysql://db.example.com:3306/app";',
    'const PG_NO_AUTH = "postgresql://db.server.com:5432/production";',
    'const CONFIG_EXAMPLE = "mongodb://YOUR_USERNAME:YOUR_PASSWORD@cluster.mongodb.net/test";',
    'const DOC_EXAMPLE = "mysql://admin:REPLACE_WITH_PASSWORD@mysql.server.com:3306/database";',
    'postgres="postgres://postgres@${POSTGRES_HOST:-localhost}:${POSTGRES_PORT:-5432}/$dbname?sslmode=disable"',
    'DB_URL = postgres://$(PGUSER):$(PGPASSWORD)@$(PGHOST)/$(PGDATABASE)',
    'MYSQL_URL = mysql://$(DB_USER):$(DB_PASS)@$(DB_HOST):$(DB_PORT)/$(DB_NAME)',
    'MONGO_URI = mongodb://$(MONGO_USER):$(MONGO_PASSWORD)@$(MONGO_HOST):$(MONGO_PORT)/$(MONGO_DB)',
  ].map((text) => none(SL, 'database-connection-string', text)),
  // secretlint-rule-databricks
  secret(SL, 'databricks', 'databricks-token', t('DATABRICKS_TOKEN=dapi', '1234567890ABCDEF1234567890ABCDEF')),
  secret(SL, 'databricks', 'databricks-token', t('token: "dapi', '0123456789ABCDEF0123456789ABCDEF-3"')),
  secret(SL, 'databricks', 'databricks-token', t("databricks_pat = 'dapi", "FEDCBA9876543210FEDCBA9876543210'")),
  none(SL, 'databricks', 'dapi1234'),
  none(SL, 'databricks', t('dapi', 'ABCDEF1234567890ABCDEF1234567890AB')),
  none(SL, 'databricks', t('mydapi', '1234567890abcdef1234567890abcdef')),
  none(SL, 'databricks', t('api', '1234567890abcdef1234567890abcdef')),
  none(SL, 'databricks', 'https://docs.databricks.com/aws/en/dev-tools/auth/pat'),
  // secretlint-rule-docker
  secret(SL, 'docker', 'docker-token', t('DOCKER_TOKEN=dckr_pat_', 'Example1234567890AbCdEfGhjK')),
  none(SL, 'docker', 'DOCKER_TOKEN=not_a_real_token'),
  none(SL, 'docker', t('dckr_pat_', 'tooshort')),
  none(SL, 'docker', t('dckr_pat', '_')),
  // secretlint-rule-filter-comments (its snapshots run a test rule on `THIS IS SECRET A`; here each secret is a token)
  { ...secret(SL, 'filter-comments', 'docker-token', `// secretlint-disable-next-line\n${dockerPat()}\n${dockerPat()}`), lines: [3] },
  { ...secret(SL, 'filter-comments', 'docker-token', `// secretlint-disable\n\n${dockerPat()}\n\n// secretlint-enable\n\n${dockerPat()}`), lines: [7] },
  {
    ...secret(SL, 'filter-comments', 'docker-token', [`// secretlint-disable @secretlint/secretlint-rule-docker`, '', dockerPat(), '', `${slackWebhook()} <-- DETECT!!`, '', '// secretlint-enable @secretlint/secretlint-rule-docker', '', `${dockerPat()} // secretlint-disable-line @secretlint/secretlint-rule-docker -- ignore docker`, `${slackWebhook()} // secretlint-disable-line @secretlint/secretlint-rule-slack -- ignore slack`].join('\n'), silent('footprint has no secretlint rule ids: a disable block or line exempts its lines for every format (the team has judged those lines), so the webhook inside the block that disabled only the Docker rule stays silent')),
    lines: [5],
  },
  // secretlint-rule-figma
  secret(SL, 'figma', 'figma-token', t('FIGMA_TOKEN=figd_', 'aBcDeFgHiJkLmNoPqRsT1234567890abcdefghijklmnopqrstuvwxyz')),
  none(SL, 'figma', t('THIS IS OK\nfigd_', 'abc')),

  // Trivy testdata/aws-secrets.txt, invalid-aws-secrets.txt, builtin-rule-secret.txt
  secret(TV, 'aws-secret-access-key', 'aws-secret-key', t(`'AWS_secret_KEY'="`, '12ASD34qwe56CXZ78tyH10Tna543VBokN85RHCas"')),
  secret(TV, 'aws-access-key-id', 'aws-access-key', t(`'AWS_secret_KEY'="`, '12ASD34qwe56CXZ78tyH10Tna543VBokN85RHCas"\n"AWS_ACCESS_KEY_ID": "AKIA', '0123456789ABCDEF",')),
  secret(TV, 'aws-account-id', undefined, `"aws_account_ID":'1234-5678-9123'`, silent('an account id is an identifier printed in every ARN, not a credential')),
  none(TV, 'aws-secret-access-key', 'base64:\nYXdzLWFjY2AIPA1rZXktaWQgdGVzdCBzdHJpbmc='),
  none(TV, 'aws-secret-access-key', 'publicKey="F1645C4C0C93C1AB99285D622CAA652C1DFAD63D745D6F2DE5F17E5EAF0FC4963D261C8A12436518206DC093344D5AD293"'),
  none(TV, 'aws-secret-access-key', t('"AWS_key":', 'HGM724ngha9785NGKbbar6jk76mnLL80BHJnabyhdngha9785NGKbb6jk76mnLL8')),
  secret(TV, 'github-pat', 'github-token', t('GITHUB_PAT=ghp_', '012345678901234567890123456789abcdef'), silent('a classic PAT ends in base62(CRC32) of its body; this counting sample fails the checksum, so it is no token GitHub issued')),
  secret(TV, 'aws-access-key-id', 'aws-access-key', t('AWS_ACCESS_KEY_ID=AKIA', '0123456789ABCDEF'), silent('an access key id alone names a key; footprint reports it with its secret access key within five lines')),
  // Trivy testdata/github-token.txt, github-app-token.txt and builtin_rules_test.go (github-app-token)
  secret(TV, 'github-fine-grained-pat', 'github-pat', t('GITHUB_TOKEN=github_pat_', '11BDEDMGI0smHeY1yIHWaD_bIwTsJyaTaGLVUgzeFyr1AeXkxXtiYCCUkquFeIfMwZBLIU4HEOeZBVLAyv')),
  secret(TV, 'github-app-token', 'github-token', t('GITHUB_TOKEN=ghs_', '15368_eyJtestHEADERdummynotreal00.eyJtestPAYLOADdummynotreal00.testSIGNATUREdummynotreal00'), silent('a stateless ghs_ token is a JWT: its header decodes to JSON naming the algorithm; `eyJtestHEADERdummynotreal00` decodes to nothing (the same shape with a real header is found, above)')),
  secret(TV, 'github-app-token', 'github-token', t('ghs_', '0'.repeat(36)), silent('a run of one character fails the CRC32 checksum every ghs_ token ends in')),
  secret(TV, 'github-app-token', 'github-token', t('ghu_', '0'.repeat(36)), silent('a run of one character fails the CRC32 checksum every ghu_ token ends in')),
  secret(TV, 'github-app-token', 'github-token', t('ghs_', '123456_', 'a'.repeat(100), '_', 'b'.repeat(200), '_', 'c'.repeat(200)), silent('GitHub documents the stateless token as a JWT with two dots; runs of one letter joined by underscores are neither a JWT nor the 36-character checksummed form')),
  secret(TV, 'github-app-token', 'github-token', t('ghs_', 'X'.repeat(520)), silent('520 copies of one letter: no JWT, no checksum, a length test for a regex rather than a token')),
  none(TV, 'github-app-token', t('ghu_', '0'.repeat(30))),
  none(TV, 'github-app-token', t('ghs_', '0'.repeat(20))),
  // Trivy testdata/hugging-face-secret.txt
  secret(TV, 'hugging-face-access-token', 'huggingface-token', t('HF_example_token: hf_', 'Testpoiqazwsxedcrfvtgbyhn12345ujmik6789'), silent('a Hugging Face token is hf_ and 34 letters; this sample has digits, 39 characters, and is a keyboard walk (qazwsxedcrfvtgbyhn) after "Test"')),
  none(TV, 'hugging-face-access-token', '_call_hf_processorz1DeepseekOCRMultiModalProcessor._call_hf_processor'),
  // Trivy testdata/grafana-env.txt
  secret(TV, 'grafana-api-token', 'grafana-token', t('GRAFANA_TOKEN="eyJrIjoi', 'T0tTcG1pUlY2RnVKZTFVaDFsNFZXdE9ZWmNrMkZYbkT0tTcG1pUlY2RnVKZTFVaDFsNFZXdE9ZWmNrMkZYbk"')),
  secret(TV, 'grafana-api-token', 'grafana-token', t('GRAFANA_TOKEN=eyJrIjoi', 'T0tTcG1pUlY2RnVKZTFVaDFsNFZXdE9ZWmNrMkZYbkT0tTcG1pUlY2RnVKZTFVaDFsNFZXdE9ZWmNrMkZYbk')),
  // Trivy testdata/openai-*.txt
  secret(TV, 'openai-legacy-api-key', 'openai-key', t('sk-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  secret(TV, 'openai-project-api-key', 'openai-key', t('sk-proj-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  secret(TV, 'openai-admin-api-key', 'openai-key', t('sk-admin-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  secret(TV, 'openai-service-account-key', 'openai-key', t('sk-svcacct-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  secret(TV, 'openai-service-api-key', 'openai-key', t('sk-service-account1-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  secret(TV, 'openai-realtime-client-secret', undefined, t('ek_', '0123456789abcdef0123456789abcdef'), silent('a Realtime client secret is an ephemeral key the API mints for one browser session and expires in minutes; nothing to rotate out of a repository')),
  none(TV, 'openai', t('sk-ant-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  none(TV, 'openai', t('sk-or-v1-', 'abcdefghijklmnopqrst', 'T3BlbkFJ', 'abcdefghijklmnopqrst')),
  none(TV, 'openai', t('sk-tooshort', 'T3BlbkFJ', 'tooshort')),
  none(TV, 'openai', t('sk-proj-', 'abcdefghijklmnopqrstNOWATERMARKabcdefghijklmnopqrst')),
  // Trivy testdata/azure-*.txt
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('client_secret=pFF', '8Q~3R.bzncyyAqiIOuP.0X0Nu7YIyCMd3pcB2')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('"value": "JpN', '8Q~Q~qX_ENrlfqR.7_2-OqNVKdRG71Vbupaf~"')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('client_secret = "DAk', '8Q~lxWSDI9-c2HN0RntRvPuNDTFqyy1c4DcHj"')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('5fn', '8Q~LkUMySDmj6bst8fmW0L.JXvPYzihjefc_p')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('$env:ARM_CLIENT_SECRET="Nf-', '8Q~NH3ZDPWWwSSINInARCfCT4EaLpAk22Jc~8"')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('$secret = "dKP', '8Q~LR6EL2-zDS784djhl1RQn0LMulFf-VpbMv"')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('"password": "M7t', '8Q~sf.CI-q.taOEFUEZS3G2IhWX3rvqgz_cyF"')),
  secret(TV, 'azure-entra-client-secret', 'azure-ad-client-secret', t('  --password WTf', '8Q~wgIeaP~LbkKH7edueENq2fmXxrCpBV8bMA')),
  secret(TV, 'azure-storage-account-key', 'azure-storage-key', t('AccountKey=', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKLMNOPQRSTUV==')),
  secret(TV, 'azure-devops-pat', undefined, t('AZURE_DEVOPS_TOKEN=', 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst'), silent('a legacy Azure DevOps PAT is 52 characters of base32 with no marker, only a name says what it is; footprint reports marked formats, an unmarked value where a credential is assigned (dotenv and code analyzers)')),
  secret(TV, 'azure-sas-token', 'azure-sas-token', t('sv=2023-11-03&sr=b&sp=r&se=2024-01-01T00%3A00%3A00Z&spr=https&sig=', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopQ=')),
  secret(TV, 'azure-app-configuration-connection-string', 'azure-connection-string', t('Endpoint=https://mystore.azconfig.io;Id=iLiM;Secret=', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij')),
  secret(TV, 'azure-ai-services-key', 'azure-identifiable-key', t('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 'JQQJ99CEACYeBjFXJ3w3AAABACOGabcd')),
  secret(TV, 'azure-container-registry-credential', 'azure-identifiable-key', t('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 'JQQJ99CEACYeBjFEqg7NAAACAZCRabcd')),
  secret(TV, 'azure-container-registry-password', undefined, t('myregistry.azurecr.io password: ', 'A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0u/+'), silent('a 32-character admin password with no marker (current ones carry `+ACR`); footprint leaves an unmarked value to the analyzers that see it assigned')),
  secret(TV, 'azure-data-factory-registration-key', undefined, t('IR@40040abc-b2f2-8tyg-ab39-90a490zzzaae@adf-myapp-001@we@', 'uUY/w9WdKTdAWWPDMrEEWdAEZIgeXlrO51GtVUR1/BE= and other stuff'), silent('a self-hosted integration runtime key registers a runtime with one data factory; not a platform credential footprint audits (and this sample\'s GUID is not hex)')),
  // Trivy testdata/private-packagist.txt
  ...[t('ORG_READ_TOKEN=packagist_ort_', '6675e11a686c692f3f2e3b6ce528c3d122d22d912ea69a20713cdf51714ba710ad74'), t('ORG_WRITE_TOKEN=packagist_out_', 'd63BD7be741c67ca810f924225b525fa5d20e6e1b316c8bfc0a1b33c68e4861bd5a4'), t('USER_TOKEN=packagist_uut_', '02f17e5917451dcdcc2995157e08cac2976a0373097b95d7021ba7a6844437973421')].map((text) =>
    secret(TV, 'private-packagist-token', 'packagist-token', text),
  ),
  // Trivy testdata/asymmetric-private-key.txt, asymmetric-private-secret.json
  secret(TV, 'private-key', 'private-key', pemKey('rsa', 'pkcs1').replace(/\n(?!-----END)/g, (m, i: number) => (i > 40 && i % 3 === 0 ? ' ' : m))),
  none(TV, 'private-key', t('-----BEGIN RSA PRIVATE', ' KEY----- -----END RSA PRIVATE KEY-----')),
  secret(TV, 'private-key', 'private-key', `{\n  "key": "${pemKey('rsa', 'pkcs1').split('\n').slice(0, 3).concat('-----END RSA PRIVATE KEY-----').join('\\n')}\\n"\n}`),
  // Trivy testdata/jwt-secret.txt
  secret(TV, 'jwt-token', undefined, t('jwt: ', b64url('{"alg":"HS256","typ":"JWT"}'), '.', b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}'), '.', jwtIoSignature), silent("jwt.io's example token (its published signature); footprint does not report bare JWTs: most are short-lived, and the signing key is the secret")),
  // Trivy testdata/alibaba-access-key-id.txt
  none(TV, 'alibaba-access-key-id', t('key : LTAI', '1234567890ABCDEFG123asd')),
  secret(TV, 'alibaba-access-key-id', undefined, t('key = LTAI', '1234567890ABCDEFG123,'), silent('an access key id alone names a key; the AccessKey secret is what signs requests (footprint treats AWS key ids the same way)')),
  ...['asdLTAI', 'asDLTAI', 'as1LTAI'].map((p) => none(TV, 'alibaba-access-key-id', t(p, '1234567890ABCDEFG123'))),

  // Trivy's format rules that have no test file: one sample drawn from each rule's regex (its keyword rules, a vendor
  // name then any 16-64 characters, are assignments, which footprint judges by name in dotenv files and code instead).
  secret(TR, 'github-oauth', 'github-token', t('gho_', a62(36)), silent('a random draw fails the CRC32 checksum every gho_ token ends in (gitleaks\' table shows checksum-valid ones found)')),
  secret(TR, 'gitlab-pat', 'gitlab-token', t('glpat-', draw(`${A62}_-`, 20))),
  secret(TR, 'slack-access-token', 'slack-token', t('xoxb-', a62(24)), silent('a bot token is xoxb-<team id>-<bot id>-<secret>, digits and dashes; 10-48 characters with no dash is no token Slack issues')),
  secret(TR, 'stripe-secret-token', 'stripe-key', t('sk_live_', a62(24))),
  secret(TR, 'stripe-secret-token', 'stripe-key', t('sk_test_', a62(24)), TEST_MODE),
  secret(TR, 'stripe-publishable-token', 'stripe-key', t('pk_live_', a62(24)), silent('a publishable key is made to be embedded in web pages and apps; it cannot read or move anything')),
  secret(TR, 'pypi-upload-token', 'pypi-token', t('pypi-AgEIcHlwaS5vcmc', draw(`${A62}_-`, 80))),
  secret(TR, 'gcp-service-account', 'private-key', '{\n  "type": "service_account",\n  "project_id": "acme-prod"\n}', silent('the line names a key file; its private_key block is what footprint reports (the gcp row above), a key file without one has nothing to leak')),
  secret(TR, 'slack-web-hook', 'slack-webhook', t('https://hooks.slack.com/services/', `T${draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8)}/B${draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}/${a62(24)}`)),
  secret(TR, 'twilio-api-key', undefined, t('SK', hex(32)), silent('SK + 32 hex digits is a Twilio API key SID, an identifier; its secret is a separate 32-character value with no format')),
  secret(TR, 'adobe-client-secret', 'adobe-client-secret', t('p8e-', a62(32))),
  secret(TR, 'clojars-api-token', 'clojars-token', t('CLOJARS_', a62(60))),
  secret(TR, 'databricks-api-token', 'databricks-token', t('dapi', hex(32))),
  secret(TR, 'doppler-api-token', 'doppler-token', t('"dp.pt.', a62(43), '"')),
  secret(TR, 'duffel-api-token', 'duffel-token', t('"duffel_live_', draw(`${A62}_-`, 43), '"')),
  secret(TR, 'duffel-api-token', 'duffel-token', t('"duffel_test_', draw(`${A62}_-`, 43), '"'), TEST_MODE),
  secret(TR, 'dynatrace-api-token', 'dynatrace-token', t('"dt0c01.', a62(24), '.', a62(64), '"')),
  secret(TR, 'easypost-api-token', 'easypost-key', t('"EZAK', a62(54), '"')),
  secret(TR, 'easypost-api-token', 'easypost-key', t('"EZTK', a62(54), '"'), TEST_MODE),
  secret(TR, 'flutterwave-public-key', undefined, t('FLWSECK_TEST-', hex(32), '-X'), TEST_MODE),
  secret(TR, 'frameio-api-token', 'frameio-token', t('fio-u-', draw(`${A62}_=-`, 64))),
  secret(TR, 'gocardless-api-token', undefined, t('"live_', draw(`${A62}_=-`, 40), '"'), silent('live_ and 40 characters is no vendor\'s mark (Stripe, Lob and GoCardless all write live_); only the name it is assigned to says whose, which is the assignment analyzers\' job')),
  secret(TR, 'grafana-api-token', 'grafana-token', t('"eyJrIjoi', a62(80), '"')),
  secret(TR, 'hashicorp-tf-api-token', 'terraform-cloud-token', t('"', draw('abcdefghijklmnopqrstuvwxyz0123456789', 14), '.atlasv1.', draw('abcdefghijklmnopqrstuvwxyz0123456789_=-', 67), '"')),
  secret(TR, 'linear-api-token', 'linear-key', t('lin_api_', a62(40))),
  secret(TR, 'mapbox-api-token', undefined, t('pk.', draw('abcdefghijklmnopqrstuvwxyz0123456789', 60), '.', draw('abcdefghijklmnopqrstuvwxyz0123456789', 22)), silent('pk. is a Mapbox public token, made to be shipped to browsers and apps (secret tokens start sk.)')),
  secret(TR, 'new-relic-user-api-key', 'newrelic-key', t('"NRAK-', draw('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 27), '"')),
  secret(TR, 'new-relic-browser-api-token', undefined, t('"NRJS-', hex(19), '"'), silent('a browser ingest key is written into every page the browser agent instruments; it only sends data')),
  secret(TR, 'npm-access-token', 'npm-token', t('"npm_', a62(36), '"'), silent('a random draw fails the CRC32 checksum every npm_ token ends in (secretlint\'s sample above is checksum-valid and found)')),
  secret(TR, 'planetscale-password', 'planetscale-token', t('pscale_pw_', draw(`${A62}_.-`, 43))),
  secret(TR, 'planetscale-api-token', 'planetscale-token', t('pscale_tkn_', draw(`${A62}_.-`, 43))),
  secret(TR, 'postman-api-token', 'postman-key', t('PMAK-', hex(24), '-', hex(34))),
  secret(TR, 'pulumi-api-token', 'pulumi-token', t('pul-', hex(40))),
  secret(TR, 'rubygems-api-token', 'rubygems-token', t('rubygems_', hex(48))),
  secret(TR, 'sendgrid-api-token', 'sendgrid-key', t('SG.', draw(`${A62}_-`, 22), '.', draw(`${A62}_-`, 43))),
  secret(TR, 'sendinblue-api-token', 'brevo-key', t('xkeysib-', hex(64), '-', a62(16))),
  secret(TR, 'shippo-api-token', 'shippo-token', t('shippo_live_', hex(40))),
  secret(TR, 'shippo-api-token', 'shippo-token', t('shippo_test_', hex(40)), TEST_MODE),
  secret(TR, 'shopify-token', 'shopify-token', t('shpat_', hex(32))),
];

function verdict(text: string, format: CredentialFormat | undefined): Verdict {
  const hits = findCredentials(text);
  if (format && hits.some((h) => h.format === format)) return format;
  return hits.length ? hits[0]!.format : 'silent';
}

describe("secretlint's and Trivy's own rule tests through findCredentials", () => {
  for (const [i, c] of CASES.entries()) {
    it(`${c.peer} ${c.rule} #${i}: peer says ${c.says}`, () => {
      const expected: Verdict = c.ours?.verdict ?? (c.says === 'secret' ? (c.format ?? 'silent') : 'silent');
      expect(verdict(c.text, c.format), c.text).toBe(expected);
      if (expected !== 'silent') expect(credentialPrefilter(c.text), `prefilter: ${c.text}`).toBe(true);
      if (c.lines && !c.ours) expect(findCredentials(c.text).map((h) => h.line)).toEqual(c.lines);
    });
  }

  // Before this session's credential commits, footprint agreed on 162 of these 247 cases (secretlint 115 of 150, Trivy's
  // test files 30 of 58, samples of its other rules 17 of 39).
  it('counts: every case is checked, every disagreement says why', () => {
    expect(CASES.filter((c) => c.says === 'secret' && !c.format && !c.ours)).toEqual([]);
    const differ = CASES.filter((c) => c.ours);
    for (const c of differ) expect(c.ours!.why.length, c.text).toBeGreaterThan(40);
    const count = (peer: Case['peer']) => ({ cases: CASES.filter((c) => c.peer === peer).length, agree: CASES.filter((c) => c.peer === peer && !c.ours).length });
    expect({ secretlint: count('secretlint'), trivy: count('trivy'), trivyRules: count('trivy-rule') }).toEqual({ secretlint: { cases: 150, agree: 127 }, trivy: { cases: 58, agree: 43 }, trivyRules: { cases: 39, agree: 25 } });
  });
});
