/**
 * Credentials in well-known formats, in any scanned text file: GitHub and npm tokens (CRC32 checksum validated),
 * fine-grained GitHub PATs, GitLab tokens (personal, deploy, runner, trigger, SCIM, agent, feed, OAuth application), Docker Hub access tokens, Vault service/batch tokens, AWS access key ids with a secret nearby, Slack tokens and
 * webhooks, SendGrid, Stripe and Mailchimp API keys, OpenAI/Anthropic/Hugging Face keys, package registry tokens (PyPI, NuGet,
 * Artifactory), Azure AD client secrets, storage account keys (in a connection string or assigned by name) and Service Bus, Event Hubs and IoT Hub shared access keys, Teams webhooks, platform service tokens (DigitalOcean,
 * Pulumi, Terraform Cloud, Grafana, Doppler, Linear, Shopify, RubyGems, Sentry, Postman, Atlassian, 1Password service accounts,
 * Heroku, New Relic, Dynatrace, Harness, PlanetScale, Buildkite, SonarQube, Octopus Deploy, Infracost, Fly.io, Cloudflare Origin CA and API tokens,
 * Databricks, Figma, Private Packagist, Clojars, Duffel, Shippo, EasyPost, Brevo, Frame.io, Adobe), Azure identifiable keys, SAS tokens and App Configuration connection strings, AWS secret access keys
 * assigned by name, private key blocks (PEM and PuTTY key files), age identities (SOPS/Flux decryption keys), URLs with an embedded password. A token format is a lexical fact, so this analyzer
 * matches formats on text; a combined prefilter keeps files without any candidate from being scanned line by line.
 */
import { basename, segments } from '../../util/path.js';
import { PRIVATE_KEY_HEADER, privateKeyBody } from '../../util/pem.js';
import type { Analyzer, FileContext } from '../types.js';
import { isDocumentationHost } from '../../k8s/vocabulary.js';

export type CredentialFormat =
  | 'github-token'
  | 'github-pat'
  | 'npm-token'
  | 'gitlab-token'
  | 'docker-token'
  | 'vault-token'
  | 'aws-access-key'
  | 'slack-token'
  | 'slack-webhook'
  | 'sendgrid-key'
  | 'stripe-key'
  | 'mailchimp-key'
  | 'openai-key'
  | 'anthropic-key'
  | 'huggingface-token'
  | 'pypi-token'
  | 'nuget-key'
  | 'artifactory-token'
  | 'azure-ad-client-secret'
  | 'azure-storage-key'
  | 'teams-webhook'
  | 'digitalocean-token'
  | 'pulumi-token'
  | 'terraform-cloud-token'
  | 'grafana-token'
  | 'doppler-token'
  | 'linear-key'
  | 'shopify-token'
  | 'rubygems-token'
  | 'sentry-token'
  | 'postman-key'
  | 'atlassian-token'
  | 'onepassword-token'
  | 'heroku-key'
  | 'newrelic-key'
  | 'dynatrace-token'
  | 'harness-token'
  | 'planetscale-token'
  | 'buildkite-token'
  | 'sonar-token'
  | 'octopus-key'
  | 'infracost-key'
  | 'flyio-token'
  | 'cloudflare-origin-ca-key'
  | 'cloudflare-token'
  | 'databricks-token'
  | 'figma-token'
  | 'packagist-token'
  | 'azure-identifiable-key'
  | 'azure-sas-token'
  | 'azure-connection-string'
  | 'azure-shared-access-key'
  | 'aws-secret-key'
  | 'duffel-token'
  | 'shippo-token'
  | 'easypost-key'
  | 'brevo-key'
  | 'frameio-token'
  | 'clojars-token'
  | 'adobe-client-secret'
  | 'private-key'
  | 'age-key'
  | 'url-password';

export interface CredentialHit {
  format: CredentialFormat;
  line: number;
  column: number;
  /** The secret part (hashed and redacted by the collector, never printed). */
  value: string;
  /** Checksum verified (GitHub/npm) — a real token shape, not a made-up example. */
  validated?: boolean;
  /** For URLs: the scheme (postgresql, https, ...). */
  scheme?: string;
  /** For URLs: the host the password unlocks (`localhost`, `postgres-rw.orders.svc`). */
  host?: string;
}

export interface CredentialTextModel {
  hits: CredentialHit[];
}

// Not .txt: credentials.txt, tokens.txt and notes.txt are where people put credentials, not documentation.
const DOC_EXT = /\.(md|mdx|markdown|rst|adoc|asciidoc|html?)$/i;
const SKIP_NAMES = /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|poetry\.lock|Cargo\.lock|composer\.lock|Gemfile\.lock|Pipfile\.lock|uv\.lock)$/;
const BINARYISH = /\.(png|jpe?g|gif|ico|svg|webp|pdf|zip|gz|tgz|bz2|xz|7z|jar|war|class|so|dylib|dll|exe|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|bin|dat|db|sqlite|pyc|map)$/i;

/** Docs folders and files are excluded by default (`rules.hardcoded-credential.options.includeDocs: true` turns them on). */
export function isDocPath(path: string): boolean {
  return DOC_EXT.test(path) || segments(path).slice(0, -1).some((d) => /^(docs?|documentation|wiki|adr|adrs|runbooks?)$/i.test(d));
}

// Each branch starts at its rarest character, the rest checked behind it: `\.(?<=\bs\.)` is `\bs\.`, `@(?<=://…@)` is
// `://…@`. The engine tries the whole alternation at every position whose character can start a branch, so a
// branch starting with `s`, `-` or `:` (frequent in YAML) made it several times slower on bitnami/charts. Within a
// branch entered at a frequent character (`.`, `_`, `-`), an alternative that has a literal after that character
// checks it first and looks behind last (`atlasv1\.(?<=…\.atlasv1\.)`): most entries then fail on one character.
// Prefixes with no literal after the entry character share one lookbehind. The gate only has to be a superset of
// LINE_PATTERNS. New entry characters cost more than their share: `J`, `d` and `k`/`K` added together made the gate
// 3.5 times slower on bitnami/charts (each alone cost nothing), so a new format hangs off an existing entry where it
// can (`[sS][eE][cC]` after `_`), and a change is measured in CPU time, not wall time.
const PREFILTER = new RegExp(
  [
    String.raw`_(?:[po]at_(?<=dckr_[po]at_)[A-Za-z0-9_-]{20}|pat_(?<=github_pat_)|v1_(?<=\bdo[opr]_v1_)[a-f0-9]{64}|api_(?<=\blin_api_)[A-Za-z0-9]{40}|(?:pw|tkn|oauth)_(?<=\bpscale_(?:pw|tkn|oauth)_)|eyJ(?<=\b(?:sntrys|ops)_eyJ)|[sS][eE][cC](?<=\b[aA][wW][sS]_[sS][eE][cC])[\w'"]*\s*(?::=|=>|[:=])\s*['"]?[A-Za-z0-9/+]{40}|(?<=\b(?:gh[pousr]|npm|hf|gl(?:sa|c)|shp(?:at|ca|pa|ss)|rubygems|sntryu|bk(?:ua|aa|aj|ar|ct|pt|pat|ps)|sq[pua]|fo1|fm1[ar]|fm2|cf(?:at|ut|k)|figd|packagist_[a-z]{3}|duffel_live|shippo_live|CLOJARS)_)[\w+/-]{30})`,
    String.raw`\.(?:slack\.com\/(?:services|workflows|triggers)\/(?<=hooks\.slack\.com\/[a-z]{8,9}\/)|office\.com\/webhookb2\/(?<=webhook\.office\.com\/webhookb2\/)|atlasv1\.(?<=[A-Za-z0-9]{14}\.atlasv1\.)|pt\.[A-Za-z0-9]{43}(?<=\bdp\.pt\.[A-Za-z0-9]{43})|(?<=(?:hv[sb]|\bdt0c01|\b[ps]at)\.)[A-Za-z0-9_-]{20}|(?<=\bs\.)[A-Za-z0-9]{24}\b)`,
    String.raw`A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}|A(?<=\bA)(?:GE-SECRET-KEY-1[0-9A-Z]{58}|KCp[A-Za-z0-9]{69}|TATT3[A-Za-z0-9_=-]{100})|AK(?<=\bEZAK)[A-Za-z0-9]{54}`,
    String.raw`x(?:ox[abposre][-.]|app-\d-)|B(?<=-----B)EGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|@(?<=:\/\/[^\s:@/'"\x60]*:[^\s@/'"\x60]+@)|j(?:(?<=\bj)dbc:[a-z]+:[^\s'"\x60]*[?&;]password=|(?<=\beyJrIj)oi[A-Za-z0-9]{70})`,
    String.raw`-(?:(?<=\bgl(?:pat|dt|rt|ptt|soat|cbt|ft|imt|ffct|agent|oas)-)[0-9A-Za-z_-]{20}|us\d(?<=\b[0-9a-f]{32}-us\d)|(?:api|admin)\d\d-(?<=\bsk-ant-(?:api|admin)\d\d-)|AgE(?<=\bpypi-AgE)|AA(?<=\bHRKU-AA)[\w-]{58}|(?<=\b(?:pul|PMAK|NRAK|API|ico|v1\.0|p8e|xkeysib)-)[A-Za-z0-9]{24}|(?<=\bfio-u-)[\w=-]{24}|User-Key-File-[23]:(?<=PuTTY-User-Key-File-[23]:))`,
    String.raw`G(?:(?<=\bSG)\.[\w-]{22}\.|(?<=\bG)R1348941[\w-]{20})|_(?<=\b[rs]k_)live_[0-9A-Za-z]{24}|T3BlbkFJ|~(?<=[A-Za-z0-9_~.-]{3}\dQ~)[A-Za-z0-9_~.-]{31}|2(?<=\boy2)[a-z0-9]{43}|G(?<=\bcmVmdG)tu[A-Za-z0-9]{56}|=(?:(?<=AccountKey=)[A-Za-z0-9+/]{86}==|(?<=[?&]sig=)[A-Za-z0-9%+/]{40}|(?<=;Secret=)[A-Za-z0-9+/]{30}|(?<=SharedAccessKey=)[A-Za-z0-9+/]{43}=|(?<=[A-Za-z0-9+/]{86}==))`,
    String.raw`JQQJ9[9DH](?<=[A-Za-z0-9]{52}JQQJ9[9DH])|dapi[a-fA-F0-9]{32}|Sec(?<=[aA][wW][sS]Sec)[\w'"]*\s*(?::=|=>|[:=])\s*['"]?[A-Za-z0-9/+]{40}`,
  ].join('|'),
);

export function credentialPrefilter(text: string): boolean {
  return PREFILTER.test(text);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
let crcTable: Int32Array | undefined;

function crc32(text: string): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < text.length; i++) crc = crcTable[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

function base62(n: number, width: number): string {
  let out = '';
  let v = n;
  while (v > 0) {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/** GitHub (ghp_/gho_/ghs_/ghu_/ghr_) and npm (npm_) tokens: 30 random base62 characters + base62(CRC32) in 6. */
export function validTokenChecksum(token: string): boolean {
  const body = token.replace(/^(gh[pousr]|npm)_/, '');
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

const PLACEHOLDER_PASSWORD = /^(password|passwd|pass|pwd|secret|changeme|change-me|changeit|xxx+|\*+|\.\.\.|…|example|redacted|hidden|your[-_]?password|my[-_]?(?:password|passwd|pass|pwd|secret|token)|p@ssw0rd|foo|bar|baz|qux|dummy|placeholder|<[^>]*>|\[[^\]]*\]|%[a-z_]*%?|_+)$/i;
/** Instructions in place of a value: REPLACE_WITH_PASSWORD, YOUR_TOKEN, INSERT-PASSWORD-HERE, <your-password>. */
const PLACEHOLDER_WORDS = /^(?:(?:replace|insert|enter|put|add|set)[-_ ][a-z0-9_ -]*|change[-_ ]?me[-_ ][a-z0-9_ -]*|your[-_ ][a-z0-9_ -]+|[a-z_ -]*[-_ ]here|todo|tbd|fixme|none|(?:user|client)[-_ ]provided|provided[-_ ]by[-_ ](?:user|client)|to[-_ ]be[-_ ](?:provided|set|filled)|set[-_ ]me|fill[-_ ]me(?:[-_ ]in)?)$/i;

/** A value that says what belongs there instead of being it: `your_password_here`, `user_provided`, `changeme`. */
export function isPlaceholderText(value: string): boolean {
  const v = value.trim();
  return PLACEHOLDER_PASSWORD.test(v) || PLACEHOLDER_WORDS.test(v);
}
/** Fill-in instructions written in Chinese or Japanese: `填写你的AccessKey` (fill in your AccessKey), `请输入密码`, `あなたのパスワード`. */
const FILL_IN_CJK = /填写|填入|请输入|請輸入|你的|您的|替换为|替換為|自己的|入力|あなたの/;
const PLACEHOLDER_USER = /^(user|username|usr|<[^>]*>)$/i;
/** A value that says it is one: `PLACEHOLDER_REPLACE_WITH_REAL_KEY`, `api-key-placeholder`, `REPLACE_WITH_TOKEN`. */
const PLACEHOLDER_MARKER = /(?:^|[^a-z])(?:placeholder|replace[-_ ]?(?:me|with|this))(?:[^a-z]|$)/i;
/** A value that names what it stands for, in words: `monitoring_password`, `app-secret`, `apitoken`, `MY-PASSWORD`, `my-secret-pw`, `mock-api-key`. */
const SELF_NAMED = /^[a-z]+(?:[_ -][a-z]+)*?[_ -]?(?:password|passwd|pwd|pw|secret|token|key)$/i;
/** Words a made-up test value is built from: what it is (`secret`, `token`, `key`) and that it is fake (`dummy`, `test`). */
// No word that also names a service or an account (`api`, `admin`, `user`): `api-it-pass` is the api service's password.
const SELF_DESCRIBING_WORDS = new Set(
  'secret secrets token tokens password passwords passwd pass pwd key keys apikey access account storage content value values test tests testing dummy fake sample example my some foo bar baz qux mock mocked placeholder data string credential credentials cred creds auth private bearer default super top not real invalid wrong bad other another random hello world your change changeme signing'.split(' '),
);

function segmentsIntoWords(token: string): boolean {
  const ok: boolean[] = [true, ...Array<boolean>(token.length).fill(false)];
  for (let end = 1; end <= token.length; end++) {
    for (let start = Math.max(0, end - 11); start < end && !ok[end]; start++) ok[end] = ok[start]! && SELF_DESCRIBING_WORDS.has(token.slice(start, end));
  }
  return ok[token.length]!;
}

/**
 * A value that only names what it stands for (`secret_token`, `token-content`, `my-secret-key`, `storageaccountkey`, also
 * base64-encoded): fixture data a test hands to the code under test, not a credential any system was issued.
 */
export function isSelfDescribingValue(value: string): boolean {
  const v = value.trim();
  const decoded = /^[A-Za-z0-9+/]{8,}={0,2}$/.test(v) && v.length % 4 === 0 ? Buffer.from(v, 'base64').toString('latin1') : undefined;
  const texts = decoded !== undefined && /^[\x20-\x7e]+$/.test(decoded) ? [v, decoded] : [v];
  return texts.some((t) => {
    const tokens = t
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .replace(/\d{1,3}$/, '')
      .split(/[-_.\s:]+/)
      .filter((x) => x !== '');
    return tokens.length > 0 && tokens.join('').length >= 3 && tokens.every((x) => /^[a-z]+$/.test(x) && segmentsIntoWords(x));
  });
}


/** Is this the password part of a URL a placeholder (`${VAR}`, `$(…)`, `{{ … }}`, `<password>`, `xxxx`, `changeme`)? */
export function isPlaceholderPassword(password: string, user = ''): boolean {
  const p = decodeURIComponentSafe(password);
  // `${REDIS_PASSWORD:-}@host`: the colon belongs to a parameter expansion, not to userinfo.
  if (/[${}()]/.test(user) || /[{}]/.test(p)) return true;
  if (/\$\{|\$\(|\{\{|^\$[A-Za-z_]|%\(|%s|^\{[^}]*\}$|\{[a-z_]+\}/i.test(p)) return true;
  if (PLACEHOLDER_PASSWORD.test(p) || PLACEHOLDER_WORDS.test(p) || SELF_NAMED.test(p) || PLACEHOLDER_MARKER.test(p) || FILL_IN_CJK.test(p)) return true;
  if (PLACEHOLDER_USER.test(user) && /^(pass|password|pwd|secret)$/i.test(p)) return true;
  // Too short or one repeated character to be anything but an example (`user:abc@`, `user:1111@`).
  if (p.length < 4 || /^(.)\1+$/.test(p)) return true;
  // A default account whose password is its name (`guest:guest`, `postgres:postgres`): a well-known default, no secret.
  if (user !== '' && p.toLowerCase() === decodeURIComponentSafe(user).toLowerCase()) return true;
  return false;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const LINE_PATTERNS: { format: CredentialFormat; re: RegExp; group?: number }[] = [
  { format: 'github-token', re: /\b(gh[pousr]_[A-Za-z0-9]{36})\b/g },
  // Stateless installation tokens (rolled out from April 2026): `ghs_`, the installation id, then a JWT (two dots).
  { format: 'github-token', re: /\b(ghs_(?:\d{1,12}_)?eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,})(?![A-Za-z0-9_.-])/g },
  { format: 'github-pat', re: /\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g },
  { format: 'npm-token', re: /\b(npm_[A-Za-z0-9]{36})\b/g },
  // Personal (glpat-, also the routable glpat-….01.… and glpat-….01xxxxxxx), deploy, runner, pipeline trigger, SCIM, CI job,
  // feed, incoming mail, feature flag client, Kubernetes agent and OAuth application tokens; runner registration tokens.
  { format: 'gitlab-token', re: /\b(gl(?:pat|dt|rt|ptt|soat|cbt|ft|imt|ffct|agent|oas)-[0-9A-Za-z_-]{20,}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7,9})?)(?![0-9A-Za-z_-])/g },
  { format: 'gitlab-token', re: /\b(GR1348941[0-9A-Za-z_-]{20})(?![0-9A-Za-z_-])/g },
  // Docker Hub personal and organization access tokens.
  { format: 'docker-token', re: /\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/g },
  { format: 'vault-token', re: /\b(hv[sb]\.[A-Za-z0-9_-]{24,})/g },
  // Legacy (pre-1.10) service tokens: `s.` + 24 characters, only next to a Vault word (the shape alone is an identifier).
  { format: 'vault-token', re: /(?<![\w.$])(s\.[A-Za-z0-9]{24})\b/g },
  { format: 'aws-access-key', re: /\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/g },
  // A secret access key without its key id nearby, where its name says what it is (`AWS_SECRET_ACCESS_KEY=…`, `awsSecretKey: …`).
  { format: 'aws-secret-key', re: /\baws_?sec(?:ret)?_?(?:access)?_?key\b['"]?\s*(?::=|=>|[:=])\s*['"]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi },
  // An age identity (the X25519 key SOPS and Flux decrypt with): Bech32 data after the HRP, upper-cased.
  { format: 'age-key', re: /\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b/g },
  // Bot/user/workspace tokens (xoxb-, xoxp-, xoxe-, xoxa-2-, xoxr-), configuration tokens (xoxe.xoxp-1-, xoxe-1-), app-level tokens (xapp-1-).
  { format: 'slack-token', re: /\b(xox[abposre]-(?:\d-)?[0-9]{6,}-[0-9A-Za-z-]{8,}|xox[ar]-\d-[0-9A-Za-z-]{20,}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,}|xoxe-\d-[A-Za-z0-9]{100,}|xapp-\d-[A-Z0-9]{9,}-\d{6,}-[a-z0-9]{32,})/g },
  // The secret is the path: http:// (Slack redirects it) and a bare host in a config value carry it as well.
  { format: 'slack-webhook', re: /((?:https?:\/\/)?(?<![\w.-])hooks\.slack\.com\/(?:services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{16,}|(?:workflows|triggers)\/T[A-Z0-9]{6,}\/A[A-Z0-9]{6,}\/\d{6,}\/[A-Za-z0-9]{16,}))/g },
  // SendGrid API keys, Stripe live secret and restricted keys, Mailchimp API keys (32 hex digits and the datacenter).
  { format: 'sendgrid-key', re: /\b(SG\.[\w-]{22}\.[\w-]{43})(?![\w-])/g },
  { format: 'stripe-key', re: /\b([rs]k_live_[0-9A-Za-z]{24,99})\b/g },
  { format: 'mailchimp-key', re: /\b([0-9a-f]{32}-us\d{1,2})\b/g },
  // AI providers (project, service-account, admin and legacy OpenAI keys carry `T3BlbkFJ`, base64 of "OpenAI").
  // The 2024 project keys and the service-account keys named after their account (`sk-<name>-…`) are 20 + 20 characters
  // around the watermark too; Anthropic (`sk-ant-`) and OpenRouter (`sk-or-`) keys are not OpenAI's.
  { format: 'openai-key', re: /\b(sk-(?:(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|(?:(?!ant-|or-)[A-Za-z0-9_-]{1,40}-)?[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}))(?![A-Za-z0-9_-])/g },
  { format: 'anthropic-key', re: /\b(sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{93}AA)(?![A-Za-z0-9_-])/g },
  { format: 'huggingface-token', re: /\b(hf_[A-Za-z]{34})\b/g },
  // Package registries: PyPI upload tokens (a macaroon for pypi.org), NuGet API keys, JFrog Artifactory API keys and reference tokens.
  { format: 'pypi-token', re: /\b(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})/g },
  { format: 'nuget-key', re: /\b(oy2[a-z0-9]{43})\b/g },
  { format: 'artifactory-token', re: /\b(AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})\b/g },
  // Azure: an Entra ID (AAD) application client secret, a storage account key in a connection string.
  { format: 'azure-ad-client-secret', re: /(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g },
  { format: 'azure-storage-key', re: /AccountKey=([A-Za-z0-9+/]{86}==)/g },
  // The same key after its name (`AZURE_STORAGE_KEY=…`, `storageAccountKey: …`, `'account_key' => '…'`, `<account_key>…`,
  // `{ "AccountKey", "…" }`, `--account-key …`): 64 bytes in base64.
  { format: 'azure-storage-key', re: /(?:account|storage|access)[_.-]?key\b['"]?(?:\s*(?::=|=>|[:=>,])\s*|\s+)['"]?([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/gi },
  // Service Bus, Event Hubs and IoT Hub connection strings: a SAS policy's key (32 bytes in base64) after its name.
  { format: 'azure-shared-access-key', re: /\bSharedAccessKey=([A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])/g },
  // Microsoft's identifiable keys (AI services, Cosmos DB, Container Registry, Azure DevOps PATs, …): 52 characters, `JQQJ9`, the key
  // kind and provider; also right after `=` (`export AZURE_DEVOPS_EXT_PAT=…`), where no base64 run continues.
  { format: 'azure-identifiable-key', re: /(?<![A-Za-z0-9+/_-])([A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9][A-L][A-Za-z0-9]{16}[A-Za-z][A-Za-z0-9]{7}(?:[A-Za-z0-9]{2}==)?)(?![A-Za-z0-9+/=])/g },
  // A shared access signature: the signed version and the HMAC in one query string.
  { format: 'azure-sas-token', re: /\bsv=\d{4}-\d\d-\d\d&[^\s'"`<>]*?\bsig=([A-Za-z0-9%+/]{40,}(?:=|%3D){0,2})/g },
  { format: 'azure-connection-string', re: /\bEndpoint=https:\/\/[a-z0-9-]+\.azconfig\.io\/?;Id=[^;\s]+;Secret=([A-Za-z0-9+/]{30,}={0,2})/g },
  { format: 'teams-webhook', re: /(https:\/\/[a-z0-9-]+\.webhook\.office\.com\/webhookb2\/[0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/[0-9a-f]{32}\/[0-9a-f-]{36})/g },
  // Infrastructure and platform services.
  { format: 'digitalocean-token', re: /\b(do[opr]_v1_[a-f0-9]{64})\b/g },
  { format: 'pulumi-token', re: /\b(pul-[a-f0-9]{40})\b/g },
  { format: 'terraform-cloud-token', re: /\b([a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,70})(?![a-z0-9_=-])/gi },
  // Service account, Cloud and legacy API keys (base64 of `{"k":"…`).
  { format: 'grafana-token', re: /\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,3}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?![A-Za-z0-9+/=_])/g },
  { format: 'doppler-token', re: /\b(dp\.pt\.[A-Za-z0-9]{43})\b/g },
  { format: 'linear-key', re: /\b(lin_api_[A-Za-z0-9]{40})\b/g },
  // 32 hex digits, and the longer alphanumeric tokens Shopify's changelog announced (`shpca_` + 38).
  { format: 'shopify-token', re: /\b(shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64})\b/g },
  { format: 'rubygems-token', re: /\b(rubygems_[a-f0-9]{48})\b/g },
  // User auth tokens and organization (CI upload) tokens: base64 of `{"iat":…,"region_url":…}`, then the secret.
  { format: 'sentry-token', re: /\b(sntryu_[a-f0-9]{64})\b/g },
  { format: 'sentry-token', re: /\b(sntrys_eyJpYXQiO[A-Za-z0-9+/]{10,200}(?:LCJyZWdpb25fdXJs|InJlZ2lvbl91cmwi|cmVnaW9uX3VybCI6)[A-Za-z0-9+/]{10,200}={0,2}_[A-Za-z0-9+/]{43})(?![A-Za-z0-9+/])/g },
  { format: 'postman-key', re: /\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b/g },
  { format: 'atlassian-token', re: /\b(ATATT3[A-Za-z0-9_=-]{186})(?![A-Za-z0-9_=-])/g },
  // CI/CD, observability and database services a platform holds tokens for.
  { format: 'onepassword-token', re: /\b(ops_eyJ[A-Za-z0-9+/]{250,}={0,3})(?![A-Za-z0-9+/=])/g },
  { format: 'heroku-key', re: /\b(HRKU-AA[0-9A-Za-z_-]{58})(?![0-9A-Za-z_-])/g },
  { format: 'newrelic-key', re: /\b(NRAK-[A-Za-z0-9]{27})\b/g },
  { format: 'dynatrace-token', re: /\b(dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})\b/g },
  { format: 'harness-token', re: /\b((?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})\b/g },
  { format: 'planetscale-token', re: /\b(pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_=.-]{32,64})(?![A-Za-z0-9_=.-])/g },
  { format: 'buildkite-token', re: /\b(bkua_(?:[a-z0-9]{53}|[a-z0-9]{40})|bkaa_[A-Za-z0-9_-]{75}|bkaj_[A-Za-z0-9_-]{333}|bk(?:ar|ct)_[A-Za-z0-9_-]{73}|bkpt_[A-Za-z0-9_-]{199}|bkpat_[A-Za-z0-9_-]{54}|bkps_[A-Za-z0-9_-]{64})(?![A-Za-z0-9_-])/g },
  { format: 'sonar-token', re: /\b(sq[pua]_[a-f0-9]{40})\b/g },
  { format: 'octopus-key', re: /\b(API-[A-Z0-9]{26})\b/g },
  // Not a file name (`favicon.ico-<hash>.png`): the key ends where a value ends.
  { format: 'infracost-key', re: /(?<![\w.-])(ico-[A-Za-z0-9]{32})(?=$|[\s'"`;,)}\]<]|\\[nr])/g },
  // Fly.io: org/app tokens, and the macaroons `fly tokens create` prints (often after `FlyV1 `, comma-separated).
  // Cloudflare Origin CA keys (what cert-manager's origin-ca-issuer signs with).
  { format: 'cloudflare-origin-ca-key', re: /\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b/g },
  { format: 'flyio-token', re: /\b(fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})(?![\w+/=-])/g },
  // Cloudflare's prefixed API tokens and global keys: 40 characters and the CRC32 of them in hex.
  { format: 'cloudflare-token', re: /\b(cf(?:at|ut|k)_[A-Za-z0-9]{40}[0-9a-f]{8})(?![A-Za-z0-9])/g },
  { format: 'databricks-token', re: /\b(dapi[a-fA-F0-9]{32}(?:-\d)?)(?![A-Za-z0-9-])/g },
  { format: 'figma-token', re: /(?<![A-Za-z])(figd_[A-Za-z0-9_-]{40,200})(?![A-Za-z0-9_-])/g },
  // Private Packagist (Composer) organization and user tokens, Clojars deploy tokens.
  { format: 'packagist-token', re: /\b(packagist_[a-z]{3}_[a-fA-F0-9]{68})\b/g },
  { format: 'clojars-token', re: /\b(CLOJARS_[A-Za-z0-9]{60})\b/g },
  // Live keys of payment, shipping and messaging APIs (test-mode keys, like Stripe's, move nothing), Frame.io and Adobe.
  { format: 'duffel-token', re: /\b(duffel_live_[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g },
  { format: 'shippo-token', re: /\b(shippo_live_[a-f0-9]{40})\b/g },
  { format: 'easypost-key', re: /\b(EZAK[A-Za-z0-9]{54})\b/g },
  { format: 'brevo-key', re: /\b(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})\b/g },
  { format: 'frameio-token', re: /\b(fio-u-[A-Za-z0-9_=-]{64})(?![A-Za-z0-9_=-])/g },
  { format: 'adobe-client-secret', re: /\b(p8e-[A-Za-z0-9]{32})\b/g },
];

/** Azurite's (the Azure Storage emulator's) documented account key: public, the same in every project that uses it. */
const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** What a format puts before its random part: a body filled with a pattern (`hf_xxxx…`) is an example, not a token. */
const VENDOR_PREFIX = /^(github_pat_|gl[a-z]+-|GR1348941|AGE-SECRET-KEY-1|dckr_[a-z]+_|xox[a-z]-|xoxe\.xox[bp]-|xapp-|hv[sb]\.|s\.|SG\.|[rs]k_live_|sk-(?:ant-[a-z]+\d\d-|proj-|svcacct-|admin-)?|hf_|pypi-|do[opr]_v1_|pul-|gl(?:sa|c)_|dp\.pt\.|lin_api_|shp[a-z]{2}_|rubygems_|sntryu_|PMAK-|ATATT3|AKCp|cmVmdGtu|ops_eyJ|sntrys_eyJpYXQiO|eyJrIjoi|HRKU-AA|NRAK-|dt0c01\.|[ps]at\.|pscale_[a-z]+_|bk[a-z]{2,3}_|sq[pua]_|API-|ico-|fo1_|fm1[ar]_|fm2_|v1\.0-|cf(?:at|ut|k)_|dapi|figd_|packagist_[a-z]{3}_|CLOJARS_|duffel_live_|shippo_live_|EZAK|xkeysib-|fio-u-|p8e-)/;

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

/** age identities are Bech32 (`age-secret-key-` + `1` + data + 6-character checksum), as age-keygen writes them. */
export function validBech32(text: string): boolean {
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || s.length - sep < 7) return false;
  let chk = 1;
  const step = (v: number) => {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GEN[i]!;
  };
  for (let i = 0; i < sep; i++) step(s.charCodeAt(i) >>> 5);
  step(0);
  for (let i = 0; i < sep; i++) step(s.charCodeAt(i) & 31);
  for (let i = sep + 1; i < s.length; i++) {
    const v = BECH32.indexOf(s[i]!);
    if (v < 0) return false;
    step(v);
  }
  return chk === 1;
}

/** JDBC URLs carry the password as a parameter: `jdbc:postgresql://db/app?user=app&password=…`. */
const JDBC_PASSWORD = /\bjdbc:([a-z]+):[^\s'"`<>]*?[?&;]password=([^&;\s'"`<>]+)/gi;

/** A Vault token that is not an example: mixed characters (`hvs.xxxx…`, `s.ABCDEFGH…` are not), legacy tokens only beside a Vault word. */
function validVaultToken(value: string, line: string): boolean {
  const body = value.replace(/^(hv[sb]|s)\./, '');
  if (/^(x+|X+|\*+|example\w*)$/i.test(body) || /^(.)\1+$/.test(body)) return false;
  if (value.startsWith('s.')) {
    // `VAULT_TOKEN=s.…`, `X-Vault-Token: s.…`, `token: s.…` (gitleaks' own true positive).
    if (!/vault|token/i.test(line)) return false;
    // An identifier (`s.AcceptanceTimeoutSeconds`, `s.makeKubeConfig`) has no digit; a token almost always has several.
    if ((body.match(/\d/g) ?? []).length < 2 || !/[a-z]/.test(body) || !/[A-Z]/.test(body)) return false;
  }
  return true;
}

/** Words that introduce an example right before a URL: `e.g.`, `like`, `such as`, `for example`, `format:`. */
const EXAMPLE_LEAD = /\b(e\.g\.|i\.e\.|eg:|like|such as|for example|for instance|example:|format:?|syntax:?)\s*[`'"(]?\s*$/i;

/** The userinfo ends at the authority's last `@`: a password written with a bare `@` (`p@ss@host`) is still the password. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{1,30}):\/\/([^\s:@/'"`<>]{0,128}):([^\s/'"`<>]{1,256})@([^\s/'"`<>:@]+)/gi;
/**
 * Other secret scanners' allow comments: a team that marked a line `gitleaks:allow`, `pragma: allowlist secret`
 * (detect-secrets), `secretlint-disable-line`, `trufflehog:ignore` or `ggignore` has already judged it not a secret.
 */
const PEER_ALLOW_LINE = /gitleaks:allow|pragma:\s*(?:allowlist|whitelist)\s+secret|secretlint-disable-line|trufflehog:ignore|\bggignore\b|kics-scan\s+ignore-line/;
const PEER_ALLOW_NEXT = /secretlint-disable-next-line|pragma:\s*(?:allowlist|whitelist)\s+nextline\s+secret/;
/** `secretlint-disable` … `secretlint-enable` (not the -line / -next-line forms). */
const PEER_BLOCK = /secretlint-(disable|enable)(?![\w-])/;

/** Lines (0-based) other scanners' allow comments exempt; undefined when the text has none. */
export function peerAllowedLines(lines: readonly string[]): Set<number> | undefined {
  let allowed: Set<number> | undefined;
  let disabled = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = PEER_BLOCK.exec(line);
    if (block) disabled = block[1] === 'disable';
    if (disabled || PEER_ALLOW_LINE.test(line)) (allowed ??= new Set()).add(i);
    if (PEER_ALLOW_NEXT.test(line)) (allowed ??= new Set()).add(i + 1);
  }
  return allowed;
}

const PEER_MENTION = /gitleaks|allowlist|whitelist|secretlint|trufflehog|ggignore|kics-scan/;

/** Lines (1-based) of TEXT other scanners' allow comments exempt; undefined when it has none. */
export function peerAllowedLineNumbers(text: string): Set<number> | undefined {
  if (!PEER_MENTION.test(text)) return undefined;
  const allowed = peerAllowedLines(text.split('\n'));
  return allowed && new Set([...allowed].map((i) => i + 1));
}

/** Scan text for credential formats. */
export function findCredentials(text: string): CredentialHit[] {
  const hits: CredentialHit[] = [];
  const lines = text.split('\n');
  const peerAllowed = PEER_MENTION.test(text) ? peerAllowedLines(lines) : undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 10000 || !PREFILTER.test(line) || peerAllowed?.has(i)) continue;
    for (const { format, re } of LINE_PATTERNS) {
      re.lastIndex = 0;
      for (const m of line.matchAll(re)) {
        const value = m[1]!;
        const column = (m.index ?? 0) + 1;
        if (format === 'github-token' && value.includes('.')) {
          if (!validJwtHeader(value.slice(value.indexOf('eyJ')))) continue;
          hits.push({ format, line: i + 1, column, value });
          continue;
        }
        if (format === 'cloudflare-token') {
          if (!validCloudflareChecksum(value)) continue;
          hits.push({ format, line: i + 1, column, value, validated: true });
          continue;
        }
        if (format === 'aws-secret-key' && !awsSecretByName(value, lines, i)) continue;
        if (format === 'github-token' || format === 'npm-token') {
          if (!validTokenChecksum(value)) continue;
          hits.push({ format, line: i + 1, column, value, validated: true });
          continue;
        }
        if (format === 'aws-access-key') {
          if (/EXAMPLE$/.test(value) || !awsSecretNearby(lines, i)) continue;
        }
        if (format === 'vault-token' && !validVaultToken(value, line)) continue;
        // A made-up identity (`AGE-SECRET-KEY-1QQQQ…`, a key typed into a README) fails the Bech32 checksum.
        if (format === 'age-key' && !validBech32(value)) continue;
        // `API-` and 26 capitals is also a constant's name; an Octopus key is random base36, with digits and letters.
        if (format === 'octopus-key' && !(/\d/.test(value.slice(4)) && /[A-Z]/.test(value.slice(4)))) continue;
        // A Slack token ends in a secret segment with letters; digits only, or a mask right after (`…-####`), is an example.
        if (format === 'slack-token' && (!/[A-Za-z]/.test(value.slice(value.lastIndexOf('-') + 1)) || /^[#*]/.test(line.slice(column - 1 + value.length)))) continue;
        // Unchecksummed formats filled with a pattern (`github_pat_xxxx…`, `xoxb-0000…-xxxx…`, a webhook ending in
        // `/XXXX…`): an example, not a token. A webhook URL is judged by its secret, the last path segment.
        if (format === 'azure-storage-key' && (value === AZURITE_ACCOUNT_KEY || hits.some((h) => h.line === i + 1 && h.value === value))) continue;
        const body = format === 'slack-webhook' || format === 'teams-webhook' ? value.slice(value.lastIndexOf('/', value.length - 38) + 1) : value.replace(VENDOR_PREFIX, '').replace(/-us\d+$/, '');
        if (new Set(body.replace(/[-_./]/g, '')).size < 8) continue;
        hits.push({ format, line: i + 1, column, value });
      }
    }
    URL_PASSWORD.lastIndex = 0;
    for (const m of line.matchAll(URL_PASSWORD)) {
      const [, scheme, userPart, passwordPart, host] = m;
      // GitHub's `https://<token>:x-oauth-basic@github.com`: the token is the user part, the password a fixed word.
      const oauthUser = /^x-oauth-(basic|token)$/i.test(passwordPart!);
      const user = oauthUser ? '' : userPart;
      const password = oauthUser ? userPart : passwordPart;
      // file:// URLs carry no credential a server checks; documentation hosts serve none.
      if (isPlaceholderPassword(password!, user!) || /^x+$/i.test(password!) || scheme!.toLowerCase() === 'file' || isDocumentationHost(host!)) continue;
      // Parser test data (`pa\uD7FFss`) and examples in messages (`… like dotenv://:key_1234@host`).
      if (/\\[xuU][0-9A-Fa-f{]/.test(`${user}:${password}`) || EXAMPLE_LEAD.test(line.slice(Math.max(0, (m.index ?? 0) - 40), m.index ?? 0))) continue;
      // `https://x-access-token:ghp_…@github.com`: the token's own format already named it; one credential, one hit.
      if (hits.some((h) => h.line === i + 1 && h.format !== 'url-password' && h.value === password)) continue;
      hits.push({ format: 'url-password', line: i + 1, column: (m.index ?? 0) + 1, value: password!, scheme: scheme!.toLowerCase(), host: host!.toLowerCase() });
    }
    JDBC_PASSWORD.lastIndex = 0;
    for (const m of line.matchAll(JDBC_PASSWORD)) {
      const password = decodeURIComponentSafe(m[2]!);
      if (isPlaceholderPassword(password)) continue;
      hits.push({ format: 'url-password', line: i + 1, column: (m.index ?? 0) + 1, value: password, scheme: `jdbc:${m[1]!.toLowerCase()}` });
    }
    const key = PRIVATE_KEY_HEADER.exec(line);
    const body = key ? privateKeyBody(lines, i) : undefined;
    if (key && body) hits.push({ format: 'private-key', line: i + 1, column: key.index + 1, value: body });
    const putty = PUTTY_HEADER.exec(line);
    const puttyBody = putty ? puttyPrivateLines(lines, i) : undefined;
    if (putty && puttyBody) hits.push({ format: 'private-key', line: i + 1, column: putty.index + 1, value: puttyBody });
  }
  return hits;
}

/** A PuTTY key file (.ppk, versions 2 and 3): the header names the key type, `Private-Lines: N` the base64 lines that follow. */
const PUTTY_HEADER = /PuTTY-User-Key-File-[23]:\s*\S/;

/** The private part of a PuTTY key whose header is on line `at` (plain or passphrase-encrypted, like an encrypted PEM). */
function puttyPrivateLines(lines: readonly string[], at: number): string | undefined {
  for (let j = at + 1; j < Math.min(lines.length, at + 40); j++) {
    const count = /^\s*Private-Lines:\s*(\d{1,3})\s*$/.exec(lines[j]!);
    if (!count) continue;
    const body = lines
      .slice(j + 1, j + 1 + Number(count[1]))
      .map((l) => l.trim())
      .join('');
    if (body.length < 64 || !/^[A-Za-z0-9+/=]+$/.test(body) || new Set(body).size < 8) return undefined;
    return body;
  }
  return undefined;
}

/** The AWS documentation's example secret (`wJalrXUtnFEMI/K7MDENG/bPxRfiCY…`), with or without its EXAMPLEKEY ending. */
const AWS_DOC_SECRET = /^wJalrXUtnFEMI\/K7MDENG|EXAMPLE/i;

/**
 * A secret access key assigned by name: random (upper, lower and digits), not the documentation's example, and not next
 * to its key id (that pair is reported once, as the key id's `aws-access-key`).
 */
function awsSecretByName(value: string, lines: string[], at: number): boolean {
  if (AWS_DOC_SECRET.test(value) || !/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/\d/.test(value)) return false;
  for (let j = Math.max(0, at - 5); j <= Math.min(lines.length - 1, at + 5); j++) {
    if (/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/.test(lines[j]!) && !/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{9}EXAMPLE\b/.test(lines[j]!)) return false;
  }
  return true;
}

/** A JWT whose header decodes to a JSON object naming its algorithm (`{"alg":"RS256",…}`), not a made-up `eyJtest…`. */
function validJwtHeader(jwt: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(jwt.slice(0, jwt.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** Cloudflare tokens end in the CRC32 of their 40-character body, in 8 lower-case hex digits. */
function validCloudflareChecksum(token: string): boolean {
  const body = token.slice(token.indexOf('_') + 1);
  return crc32(body.slice(0, 40)).toString(16).padStart(8, '0') === body.slice(40);
}

/** An AWS secret access key (40 base64 characters, or a secret-named assignment) within five lines. */
function awsSecretNearby(lines: string[], at: number): boolean {
  for (let j = Math.max(0, at - 5); j <= Math.min(lines.length - 1, at + 5); j++) {
    const l = lines[j]!;
    if (/(secret|aws_secret_access_key|secretaccesskey)/i.test(l) && /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/.test(l) && !/EXAMPLEKEY/.test(l)) return true;
  }
  return false;
}

export const credentialTextAnalyzer: Analyzer<CredentialTextModel> = {
  id: 'credential-text',
  claims: (file: FileContext) => !BINARYISH.test(file.path) && !SKIP_NAMES.test(basename(file.path)),
  sniff: (text) => credentialPrefilter(text),
  parse(text, file, context) {
    const includeDocs = docsIncluded(context.config.rules['hardcoded-credential']);
    if (isDocPath(file.path) && !includeDocs) return undefined;
    const hits = findCredentials(text);
    return hits.length ? { hits } : undefined;
  },
};

function docsIncluded(setting: unknown): boolean {
  if (!setting || typeof setting !== 'object') return false;
  const options = (setting as { options?: Record<string, unknown> }).options;
  return options?.includeDocs === true;
}
