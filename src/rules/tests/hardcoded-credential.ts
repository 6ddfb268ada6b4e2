import { isTestDotenv } from '../../analyzers/tests/dotenv.js';
import type { CredentialFormat, CredentialHit, CredentialTextModel } from '../../analyzers/tests/credentials.js';
import type { PytestEnvModel } from '../../analyzers/tests/pytest-env.js';
import type { Origin, Severity } from '../../types.js';
import { hasResources } from '../../scan/project-index.js';
import { createRule } from '../create-rule.js';
import { harnessModels, Occurrences } from './common.js';
import { isTestYaml } from './integration-test-inline-credentials.js';
import type { ParsedFile } from '../../analyzers/types.js';
import type { YamlFileModel } from '../../analyzers/yaml.js';
import { isDockerfilePath } from '../../analyzers/build/dockerfile.js';
import { isComposePath } from '../../analyzers/build/compose.js';
import { get, isMap, isScalar, seqItems, type PNode } from '../../yaml/model.js';
import { commandLinePassword } from '../../analyzers/tests/cli-password.js';
import { basename, dirname } from '../../util/path.js';
import { shiftSeverity } from '../../scan/collector.js';
import type { ImperativeModel } from '../../analyzers/tests/imperative.js';
import type { DotenvModel } from '../../analyzers/dotenv.js';
import { isDocPath, isPlaceholderPassword } from '../../analyzers/tests/credentials.js';
import { credentialClass, decodeBase64Text, embeddedUrlPassword, isCredentialName, isDatabaseName, isLiteralSecretValue, isSecretReferenceName, isUrlWithoutCredential, words } from '../../k8s/vocabulary.js';
import { DEFAULT_FIXTURE_VALUES } from '../../config/defaults.js';
import { isNonCredentialLiteral } from '../k8s/common.js';
import { kustomizeGenerators } from '../k8s/kustomize.js';
import type { TerraformModel, TerraformSecretValue } from '../../analyzers/terraform.js';
import type { AppConfigModel } from '../../analyzers/app-config.js';
import type { CodeLiteralsModel } from '../../analyzers/code-literals.js';
import { ciSettings } from './ci-env.js';
import { ciSystemOf } from '../../analyzers/build/ci.js';
import { isWorkflowPath } from '../../analyzers/build/workflow.js';
import { BUILD_TOKEN_NAMES } from '../build/common.js';
import { OriginClassifier } from '../../inventory/origin.js';
import type { Replacement } from '../../types.js';
import { namedEnvironment } from '../../scan/environment.js';

const LABEL: Record<CredentialFormat, string> = {
  'github-token': 'GitHub token',
  'github-pat': 'GitHub fine-grained personal access token',
  'npm-token': 'npm access token',
  'gitlab-token': 'GitLab access token',
  'docker-token': 'Docker Hub access token',
  'vault-token': 'HashiCorp Vault token',
  'aws-access-key': 'AWS access key pair',
  'slack-token': 'Slack token',
  'slack-webhook': 'Slack incoming webhook URL',
  'sendgrid-key': 'SendGrid API key',
  'stripe-key': 'Stripe live secret key',
  'mailchimp-key': 'Mailchimp API key',
  'openai-key': 'OpenAI API key',
  'anthropic-key': 'Anthropic API key',
  'huggingface-token': 'Hugging Face access token',
  'pypi-token': 'PyPI upload token',
  'nuget-key': 'NuGet API key',
  'artifactory-token': 'JFrog Artifactory token',
  'azure-ad-client-secret': 'Azure AD (Entra ID) application client secret',
  'azure-storage-key': 'Azure storage account key',
  'teams-webhook': 'Microsoft Teams incoming webhook URL',
  'digitalocean-token': 'DigitalOcean token',
  'pulumi-token': 'Pulumi access token',
  'terraform-cloud-token': 'Terraform Cloud/Enterprise API token',
  'grafana-token': 'Grafana service account, Cloud or API token',
  'doppler-token': 'Doppler personal token',
  'linear-key': 'Linear API key',
  'shopify-token': 'Shopify access token',
  'rubygems-token': 'RubyGems API key',
  'sentry-token': 'Sentry auth token',
  'postman-key': 'Postman API key',
  'atlassian-token': 'Atlassian API token',
  'onepassword-token': '1Password service account token',
  'heroku-key': 'Heroku API key',
  'newrelic-key': 'New Relic user API key',
  'dynatrace-token': 'Dynatrace API token',
  'harness-token': 'Harness access token',
  'planetscale-token': 'PlanetScale database password or token',
  'buildkite-token': 'Buildkite token',
  'sonar-token': 'SonarQube token',
  'octopus-key': 'Octopus Deploy API key',
  'infracost-key': 'Infracost API key',
  'flyio-token': 'Fly.io access token',
  'cloudflare-origin-ca-key': 'Cloudflare Origin CA key',
  'cloudflare-token': 'Cloudflare API token or global API key',
  'databricks-token': 'Databricks personal access token',
  'figma-token': 'Figma personal access token',
  'packagist-token': 'Private Packagist token',
  'azure-identifiable-key': 'Azure identifiable service key (AI services, Cosmos DB, Container Registry, …)',
  'azure-sas-token': 'Azure shared access signature',
  'azure-connection-string': 'Azure App Configuration connection string',
  'azure-shared-access-key': 'Azure Service Bus, Event Hubs or IoT Hub shared access key',
  'aws-secret-key': 'AWS secret access key',
  'duffel-token': 'Duffel live API token',
  'shippo-token': 'Shippo live API token',
  'easypost-key': 'EasyPost production API key',
  'brevo-key': 'Brevo (Sendinblue) API key',
  'frameio-token': 'Frame.io developer token',
  'clojars-token': 'Clojars deploy token',
  'adobe-client-secret': 'Adobe OAuth client secret',
  'private-key': 'private key block',
  'age-key': 'age identity (SOPS decryption key)',
  'url-password': 'URL with an embedded password',
};

/** Prefixes of variables frontend builds expose to the browser (Next.js, Vite, Create React App, Expo, Nuxt, Gatsby, Vue CLI, SvelteKit). */
const CLIENT_BUNDLE_ENV = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|EXPO_PUBLIC_|NUXT_PUBLIC_|GATSBY_|VUE_APP_|PUBLIC_)/;

const KNOWN_DEFAULTS: ReadonlySet<string> = new Set(DEFAULT_FIXTURE_VALUES.map((v) => v.toLowerCase()));

const DB_SCHEMES = /^(postgres|postgresql|mysql|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|jdbc|sqlserver|mssql|cockroachdb|clickhouse)$/;

/** Analyzers whose files other rules judge structurally. */
const STRUCTURAL_ANALYZERS = ['credfile'];

function originOf(hit: CredentialHit, isTest: boolean, inImageBuild: boolean): Origin {
  if (isTest) return 'test';
  switch (hit.format) {
    case 'url-password':
      if (hit.scheme && DB_SCHEMES.test(hit.scheme.replace(/^jdbc:/, ''))) return 'cluster-operator';
      // A package index or git remote with a token in a Dockerfile: a build credential, baked into a layer.
      return inImageBuild ? 'build-time' : 'unknown';
    case 'private-key':
    case 'age-key':
      return 'unknown';
    default:
      return inImageBuild ? 'build-time' : 'external';
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1\]|host\.docker\.internal)$/;

function severityOf(hit: CredentialHit, isTest: boolean): Severity {
  if (hit.validated) return 'critical';
  // A key under test/ or testdata/ is, far more often than not, the self-signed key of a throwaway container or server.
  if (hit.format === 'private-key' || hit.format === 'age-key') return isTest ? 'medium' : 'critical';
  return hit.format === 'aws-access-key' ? 'critical' : 'high';
}

/**
 * Is VALUE, set to the credential-named NAME, a literal credential: no placeholder, reference or plain word, no image
 * default (`POSTGRES_PASSWORD=postgres`, `minioadmin`), not the name itself (`monitoring_password=monitoring`).
 */
function literalCredential(name: string, value: string, extra: readonly string[]): boolean {
  return isCredentialName(name, { extra }) && !isStandIn(value, name);
}

/** Files written to be copied and filled in: `application.properties.example`, `appsettings.template.json`. */
const APP_CONFIG_TEMPLATE = /(^|[._-])(examples?|samples?|templates?|dist|tpl)([._-]|$)/i;
/** Formats of servers' own configuration (Redis, PgBouncer, .pgpass, INI files such as grafana.ini or my.cnf). */
const SERVER_CONFIG = new Set(['ini', 'redis', 'pgpass', 'userlist']);
/** Servers an operator runs in the cluster, configured by these files: PostgreSQL/PgBouncer, MySQL, Redis, RabbitMQ. */
const OPERATED_SERVER_FILE = /^(\.?pgpass|userlist\.txt|pgbouncer[\w.-]*\.ini|\.?my\.cnf|(redis|sentinel|valkey|keydb|rabbitmq)([-_.][\w.-]+)?\.conf)$/i;
/** Rails' and Mongoid's database settings. */
const RAILS_DATABASE = /(^|\/)config\/(database|mongoid)\.ya?ml$/i;
/** Spring profiles of a test run: its datasource is the run's throwaway database. */
const TEST_PROFILE = /^(test|tests|testing|it|integration|integration-?test|junit|ci|e2e|h2|embedded|testcontainers)$/i;
/** Values that are no literal in application config: jasypt `ENC(…)`, Spring Cloud Config `{cipher}…`, Maven-filtered `@db.password@`, Grafana's `$__env{…}`/`$__file{…}`. */
const APP_CONFIG_INDIRECT = /^ENC\(.*\)$|^\{cipher\}|^@[\w.-]+@$|^\$\{[^}]*\}$|^\$__(env|file|vault)\{[^}]*\}$/;
/** A Google app password, as Gmail shows it: four groups of four lower-case letters. */
const GOOGLE_APP_PASSWORD = /^[a-z]{4}( [a-z]{4}){3}$/;
/** Blocks whose bare `key` setting is key material rather than a name, an index or a cache key. */
const KEY_CONTEXT: ReadonlySet<string> = new Set(['jwt', 'jws', 'jwe', 'signing', 'signature', 'encryption', 'encrypt', 'crypto', 'cipher', 'aes', 'des', 'hmac', 'jasypt', 'api', 'license', 'master', 'secret']);
/** Spring/HOCON substitution with a fallback: `${DB_PASSWORD:s3cret}`, `${?DB_PASSWORD}` (none). */
const SPRING_FALLBACK = /^\$\{([\w.-]+):([^}]*)\}$/;
/**
 * A connection string's password (`Password=…;`, `Pwd=…`), a JDBC URL's (`?password=…`), StackExchange.Redis'
 * (`host:6380,password=…,ssl=True`) or an Azure Service Bus / Event Hubs key (`SharedAccessKey=…`).
 */
const EMBEDDED_PASSWORD = /(?:^|[;?&\s])(password|pwd|sharedaccesskey)\s*=\s*([^;&\s]+)|,\s*(password)\s*=\s*([^,\s]+)/i;

interface AppConfigLiteral {
  key: string;
  value: string;
  how: 'value' | 'fallback' | 'embedded';
  variable?: string;
  /** A key a cloud service issued (`SharedAccessKey=`), no database's own password. */
  issued?: boolean;
}

/** The literal credential a setting holds, if any: its value, a substitution's fallback, or a connection string's password. */
function appConfigLiteral(path: string, raw: string, extra: readonly string[], name?: string): AppConfigLiteral | undefined {
  // `jwt.secret`, `db.password`; a generic leaf takes its parent (`play.http.secret.key`: `secret.key`).
  const segments = path.replace(/\[\d+\]/g, '').split('.');
  const leaf = segments.pop()!;
  const parent = segments[segments.length - 1];
  const key = name ?? (isCredentialName(leaf, { extra }) || parent === undefined ? leaf : `${parent}.${leaf}`);
  // A bare `Key` under a signing or encryption block (.NET's `Jwt:Key`, Spring Cloud's `encrypt.key`) is the key itself.
  const keyMaterial = name === undefined && parent !== undefined && /^key$/i.test(leaf) && words(parent).some((w) => KEY_CONTEXT.has(w));
  const literal = (value: string) => (keyMaterial ? !isStandIn(value, key) : literalCredential(key, value, extra) && !SETTING_NAME.test(key));
  const value = raw.trim();
  const fallback = SPRING_FALLBACK.exec(value);
  if (fallback) {
    const inner = fallback[2]!.trim();
    return inner !== '' && !APP_CONFIG_INDIRECT.test(inner) && literal(inner) ? { key, value: inner, how: 'fallback', variable: fallback[1]! } : undefined;
  }
  if (APP_CONFIG_INDIRECT.test(value)) return undefined;
  const embedded = EMBEDDED_PASSWORD.exec(value);
  if (embedded && !embeddedUrlPassword(value)) {
    const password = (embedded[2] ?? embedded[4]!).replace(/^["']|["']$/g, '');
    const issued = /^sharedaccesskey$/i.test(embedded[1] ?? '');
    return !APP_CONFIG_INDIRECT.test(password) && !isStandIn(password, 'password') ? { key, value: password, how: 'embedded', ...(issued ? { issued } : {}) } : undefined;
  }
  if (embeddedUrlPassword(value) !== undefined) return undefined; // the credential text scan reports URLs with a password
  // Words and spaces (`Enter your password`, `Mot de passe`): a label or a message, not a credential; but four groups of
  // four letters is the shape of a Google app password (`spring.mail.password=abcd efgh ijkl mnop`).
  if (/^\p{L}+(?: \p{L}+)+[.!?:…]?$/u.test(value) && !GOOGLE_APP_PASSWORD.test(value)) return undefined;
  // A DSN with no password in it (Sentry's `https://<public key>@o1.ingest.sentry.io/42`) is an address, safe to publish.
  if (words(key).includes('dsn') && isUrlWithoutCredential(value)) return undefined;
  return literal(value) ? { key, value, how: 'value' } : undefined;
}

/** The origin of a literal a setting holds: a database's own password, else what its name classifies as (external when nothing). */
function settingOrigin(classifier: OriginClassifier, database: boolean, name: string, key: string, file: string): Origin {
  if (database) return 'cluster-operator';
  const classified = classifier.classify({ name, keys: [key], file });
  return classified === 'unknown' ? 'external' : classified;
}

/** Who feeds a setting's variable, by the credential's origin. */
const APP_CONFIG_AUTHORITY: Record<Origin, string> = {
  'cluster-operator': "the Secret its operator writes (CloudNativePG's `<cluster>-app` or a managed role's Secret for a database user, the Redis or RabbitMQ operator's for theirs) through a secretKeyRef",
  'cluster-helm': 'the Secret the chart generates in the cluster (Helm `lookup` + `randAlphaNum`) through a secretKeyRef',
  'cluster-service': 'the client secret the service generates (Keycloak, extracted to Vault by the client patcher) through its ExternalSecret',
  external: 'an ExternalSecret from its authority (Azure Key Vault through Vault)',
  'build-time': 'a BuildKit secret mount at build time',
  test: "the test run's own per-service ExternalSecret",
  unknown: 'an ExternalSecret from its authority',
};

function appConfigReplacement(format: AppConfigModel['format'], path: string, origin: Origin): Replacement {
  const variable = path.replace(/\[\d+\]/g, '').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
  const database = origin === 'cluster-operator';
  const secret = database ? '<cluster>-app  # the Secret CloudNativePG writes for the role' : origin === 'cluster-helm' ? '<release>-admin  # generated by the chart: lookup + randAlphaNum' : '<service>-secrets  # target of the ExternalSecret';
  const key = database ? 'password' : path.split('.').pop()!.toLowerCase();
  const setting =
    format === 'properties' ? `${path}=\${${variable}}` : format === 'hocon' ? `${path} = \${?${variable}}` : format === 'json' ? `"${path.split('.').pop()}": ""  // set by the ${variable.replace(/_/g, '__')} environment variable` : `${path}: \${${variable}}`;
  return {
    language: 'yaml',
    title: 'The setting reads the environment; the Deployment feeds it from the Secret its authority writes',
    snippet: `# ${format === 'json' ? 'appsettings' : 'config'}: ${setting}\nenv:\n  - name: ${format === 'json' ? variable.replace(/_/g, '__') : variable}\n    valueFrom:\n      secretKeyRef:\n        name: ${secret}\n        key: ${key}`,
  };
}

/** CI systems whose pipeline files set environment variables in YAML (GitHub Actions workflows are found by path). */
const CI_ENV_SYSTEMS = new Set(['gitlab', 'circleci', 'azure', 'drone', 'buildkite', 'travis']);
/** Words of registry and package credentials: build-time ones. */
const REGISTRY_WORDS = new Set(['registry', 'docker', 'dockerhub', 'npm', 'pypi', 'nuget', 'maven', 'ghcr', 'acr', 'ecr', 'gcr', 'harbor', 'artifactory', 'nexus', 'helm', 'quay', 'jfrog']);
/** Credentials another service issues (a token, an access key): real in any job. */
const ISSUED_CREDENTIAL = /token|api[-_]?key|access[-_]?key|client[-_]?secret|webhook|dsn/i;
const CI_LABEL: Record<string, string> = {
  github: 'GitHub Actions workflow',
  gitlab: 'GitLab CI pipeline',
  circleci: 'CircleCI config',
  azure: 'Azure Pipelines definition',
  drone: 'Drone/Woodpecker pipeline',
  buildkite: 'Buildkite pipeline',
  travis: 'Travis CI config',
};
const CI_SECRET_HOW: Record<string, string> = {
  github: 'an environment or repository secret read as `${{ secrets.NAME }}`',
  gitlab: 'a masked, protected CI/CD variable (or a `secrets:` entry read from Vault)',
  circleci: 'a project or context environment variable',
  azure: 'a secret variable or a variable group linked to Azure Key Vault',
  drone: 'a repository or organization secret read with `from_secret`',
  buildkite: "an agent secret or the secrets plugin, never the pipeline's env",
  travis: 'an encrypted variable (`travis encrypt`) or a repository setting',
};
const CI_SNIPPET: Record<string, (key: string, input: boolean) => string> = {
  github: (key, input) => (input ? `with:\n  ${key}: \${{ secrets.${key.toUpperCase().replace(/[^A-Z0-9]+/g, '_')} }}` : `env:\n  ${key}: \${{ secrets.${key} }}`),
  gitlab: (key) => `# Settings > CI/CD > Variables: ${key} (masked, protected), or from Vault:\njob:\n  secrets:\n    ${key}:\n      vault: ci/${key.toLowerCase()}@secret\n      file: false`,
  circleci: (key) => `# Project Settings > Environment Variables (or a context): ${key}\nworkflows:\n  deploy:\n    jobs:\n      - deploy:\n          context: deploy-secrets`,
  azure: (key) => `variables:\n  - group: deploy-secrets  # variable group linked to Azure Key Vault, holds ${key}`,
  drone: (key) => `environment:\n  ${key}:\n    from_secret: ${key.toLowerCase()}`,
  buildkite: (key) => `# ${key}: exported by the agent's environment hook or the secrets plugin, not set in pipeline.yml`,
  travis: (key) => `env:\n  global:\n    - secure: "<output of travis encrypt ${key}=…>"`,
};

/** How each language reads an environment variable (the replacement for a literal in source code). */
const ENV_READ: Record<string, (name: string) => string> = {
  typescript: (n) => `const value = process.env.${n};\nif (!value) throw new Error('${n} is not set');`,
  javascript: (n) => `const value = process.env.${n};\nif (!value) throw new Error('${n} is not set');`,
  python: (n) => `value = os.environ["${n}"]`,
  go: (n) => `value := os.Getenv("${n}")`,
  java: (n) => `String value = System.getenv("${n}");`,
  kotlin: (n) => `val value = System.getenv("${n}")`,
  scala: (n) => `val value = sys.env("${n}")`,
  csharp: (n) => `var value = Environment.GetEnvironmentVariable("${n}");`,
  ruby: (n) => `value = ENV.fetch("${n}")`,
  php: (n) => `$value = getenv('${n}');`,
  rust: (n) => `let value = std::env::var("${n}")?;`,
  swift: (n) => `let value = ProcessInfo.processInfo.environment["${n}"]`,
  dart: (n) => `final value = Platform.environment['${n}'];`,
  elixir: (n) => `value = System.fetch_env!("${n}")`,
};

/**
 * A quoted literal in code that reads as a credential: 8+ characters without spaces, letters with digits or symbols,
 * not a URL, path or file name, not a name (`db-password`, `DB_PASSWORD`, `dbPassword`, `orders.db.credentials`).
 */
/**
 * Keys a client ships to every browser or phone, public by design: Stripe (and Clerk) publishable keys, Mapbox public
 * tokens, RevenueCat's public SDK keys.
 */
const PUBLIC_CLIENT_KEY = /^pk_(?:test|live)_|^pk\.eyJ|^(?:goog|appl|amzn)_[A-Za-z0-9]{16,}$/;
/** A name of a Google Maps browser key (`googleMapsApiKey`, `MAPS_API_KEY`): restricted by referrer, sent with every map. */
const MAPS_KEY_NAME = /maps?(?:[-_]?api)?[-_]?key$|places[-_]?(?:api)?[-_]?key$/i;

/**
 * In code, `SECRET_KEY` (Django), `app.secret_key` (Flask), `config.secret_key` (Devise, SDK clients) is the signing key
 * or API secret itself; only its value can make it the key of a Kubernetes Secret, and such values are names.
 */
const SIGNING_SECRET_KEY = /secret[-_]?key$/i;
/** A value that says it is a stand-in: `wotp.shared__CHANGE_ME__`, `test_jwt_token_123`, `***REMOVED***`, `not-a-secret…`. */
const STAND_IN_MARKER = /change[-_]?(?:me|this|it)|replace[-_]?(?:me|this)|placeholder|\*{3}|redacted|^(?:test|mock|fake|dummy|sample|example|demo|not[-_]a[-_]secret)[-_&]/i;
/**
 * Private keys of the accounts local Ethereum nodes (Hardhat, Anvil) create from their documented mnemonic: printed at
 * every start, funded on the local chain only.
 */
const DOCUMENTED_DEV_KEYS: ReadonlySet<string> = new Set([
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
]);
/** Words (one case, Capitalised or camelCase each) joined by separators. */
const IDENTIFIER_WORDS = /^(?:[A-Z]+|[a-z]+|[A-Z]?[a-z]+(?:[A-Z][a-z]+)+|[A-Z][a-z]+)(?:[-_.:/](?:[A-Z]+|[a-z]+|[A-Z]?[a-z]+(?:[A-Z][a-z]+)+|[A-Z][a-z]+))+$/;

function looksLikeCodeCredential(value: string): boolean {
  if (value.length < 8 || /\s/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^[./~]|\/[\w.-]+\//.test(value) || /\.(json|ya?ml|pem|key|crt|txt|env|p12|jks)$/i.test(value)) return false;
  // Words joined by separators name something (a header `SS-API-KEY`, a storage key `app.authToken`, an error code
  // `auth/wrong-password`); so do one-case and camel-case words.
  if (IDENTIFIER_WORDS.test(value) || /^[A-Z]+(?:_[A-Z0-9]+)+$|^[a-z]+(?:[A-Z][a-z]+)+$|^[a-z]+$|^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/.test(value)) return false;
  if (PUBLIC_CLIENT_KEY.test(value) || STAND_IN_MARKER.test(value) || DOCUMENTED_DEV_KEYS.has(value.toLowerCase())) return false;
  return /[A-Za-z]/.test(value) && (/\d/.test(value) || /[^A-Za-z0-9]/.test(value));
}

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** The secret manager a Terraform resource writes into. */
function terraformStore(type: string): string {
  if (type.startsWith('azurerm_')) return 'Azure Key Vault';
  if (type === 'aws_ssm_parameter') return 'AWS Parameter Store';
  if (type.startsWith('aws_')) return 'AWS Secrets Manager';
  if (type.startsWith('google_')) return 'Google Secret Manager';
  return 'Vault';
}

/** Names of settings kept beside secrets (`storage-account-name`, `db-host`, `tenant-id`): a literal there is no credential. */
const SETTING_NAME = /(^|[-_./])(name|names|id|ids|url|uri|endpoint|host|hostname|fqdn|domain|region|location|user|username|login|email|account|port|version|tenant|subscription|bucket|database|schema)$/i;
/** What a seed written once and then left to an out-of-band writer says (`lifecycle { ignore_changes = [value] }`). */
const SEED_MARKER = /(placeholder|dummy|manual|later|out[-_ ]?of[-_ ]?band|externally|elsewhere|portal|console|initial|temp|tbd|todo|none|empty|unset|not[-_ ]?set|replace|change|fill|overwrit|rotat|pending|seed|bootstrap|default)/i;

/** A literal that looks issued rather than typed: 12+ characters, no spaces, letters and digits, mixed case or symbols. */
function looksGenerated(value: string): boolean {
  return value.length >= 12 && !/\s/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value) && (/[a-z]/.test(value) && /[A-Z]/.test(value) || /[^A-Za-z0-9]/.test(value)) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/** A compose service's `environment:` settings with a literal value: `KEY: value` entries, `- KEY=value` items. */
function composeEnvironment(node: ReturnType<typeof get>): { key: string; value: string; line: number; column: number }[] {
  if (isMap(node)) {
    return node.entries.filter((e) => isScalar(e.value) && e.value.value !== null).map((e) => ({ key: e.key, value: String((e.value as { value: unknown }).value), line: e.line, column: e.column }));
  }
  return seqItems(node)
    .filter(isScalar)
    .flatMap((item) => {
      const text = typeof item.value === 'string' ? item.value : '';
      const eq = text.indexOf('=');
      // Compose keeps quotes of the list form in the value (`- TOKEN="x"`): what is between them is the value.
      return eq > 0 ? [{ key: text.slice(0, eq).trim(), value: text.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2'), line: item.line, column: item.column }] : [];
    });
}

/**
 * The command lines of a compose `command:`: a list is the argv itself, a string is split on blanks (quotes kept
 * together), and `sh -c "…"` is read one level down.
 */
function composeCommands(node: PNode | null | undefined): { words: string[]; line: number }[] {
  const split = (text: string) => [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  let words: string[];
  let line: number;
  if (node && isScalar(node) && typeof node.value === 'string') {
    words = split(node.value);
    line = node.line;
  } else if (node && node.t === 'seq') {
    const items = seqItems(node);
    words = items.map((i) => (isScalar(i) && i.value !== null ? String(i.value) : ''));
    line = node.line;
  } else return [];
  const out = [{ words, line }];
  const c = words.indexOf('-c');
  if (c > 0 && /^(ba|da|a)?sh$/.test(words[0]!.split('/').pop()!) && words[c + 1]) out.push({ words: split(words[c + 1]!), line });
  return out;
}

/**
 * A value that says it is to be replaced before production, as it is or base64-encoded (JHipster's sample JWT secret
 * is the base64 of `my-secret-key-which-should-be-changed-in-production-and-be-base64-encoded`).
 */
const SAYS_REPLACE_ME = /(should|must|to)[-_ ]?be[-_ ]?(changed|replaced)|change[-_ ]?(it|this|me)[-_ ]?(in|for|before)[-_ ]?prod|not[-_ ]?for[-_ ]?prod|do[-_ ]?not[-_ ]?use[-_ ]?in[-_ ]?prod/i;

function saysReplaceMe(value: string): boolean {
  if (SAYS_REPLACE_ME.test(value)) return true;
  const decoded = value.length >= 16 ? decodeBase64Text(value) : undefined;
  return decoded !== undefined && SAYS_REPLACE_ME.test(decoded);
}

/** Words that name a credential in prose: a value of several words with one of them describes the setting (`app passwords`). */
const DESCRIBING_WORDS: ReadonlySet<string> = new Set(['password', 'passwords', 'passwd', 'secret', 'secrets', 'token', 'tokens', 'key', 'keys', 'passphrase', 'credential', 'credentials']);

function describesItself(value: string): boolean {
  return /\S\s+\S/.test(value.trim()) && value.toLowerCase().split(/[^a-z]+/).some((w) => DESCRIBING_WORDS.has(w));
}

/** A placeholder, a reference or plain word, an image default, the name itself: no credential (see literalCredential). */
function isStandIn(value: string, name: string): boolean {
  return !isLiteralSecretValue(value) || isNonCredentialLiteral(value) || isPlaceholderPassword(value) || KNOWN_DEFAULTS.has(value.toLowerCase()) || words(name).includes(value.toLowerCase()) || saysReplaceMe(value) || describesItself(value);
}

/** The literal credentials a Terraform secret manager resource writes: its whole value, or its credential-named fields. */
function terraformLiterals(secret: TerraformSecretValue, extra: readonly string[] | undefined): { key?: string; value: string; line: number }[] {
  // A seed that says it is one (placeholder, set-manually), left to an out-of-band writer.
  const seed = (value: string) => secret.ignoreChanges && !/\d/.test(value) && value.length <= 40 && SEED_MARKER.test(value);
  if (secret.fields) {
    return secret.fields.filter((f) => literalCredential(f.key, f.value, extra ?? []) && !SETTING_NAME.test(f.key) && !seed(f.value)).map((f) => ({ key: f.key, value: f.value, line: f.line }));
  }
  const value = secret.value;
  if (value === undefined) return [];
  const name = (secret.name ?? secret.label).split('/').filter(Boolean).pop() ?? secret.label;
  if (isStandIn(value, name) || seed(value)) return [];
  const named = isCredentialName(name, { extra }) || isCredentialName(secret.label, { extra });
  const credential = embeddedUrlPassword(value) !== undefined || (named && !SETTING_NAME.test(name)) || (!SETTING_NAME.test(name) && (secret.type !== 'aws_ssm_parameter' || secret.parameterType === 'SecureString') && looksGenerated(value));
  return credential ? [{ value, line: secret.line }] : [];
}

export const hardcodedCredential = createRule(
  {
    id: 'hardcoded-credential',
    family: 'inline',
    defaultSeverity: 'high',
   description: 'A credential in a well-known format (token, key, private key, URL with password) committed in a text file, written literally as a command\'s argument in a script, recipe or CI step (`docker login -p`, `--password`, `mysql -p…`, `curl -u user:…`, `helm --set …password=`, `az keyvault secret set --value`, `gh secret set --body`, a container\'s `docker run -e DB_PASSWORD=…`), set in a committed dotenv file (`.env`, `.env.production`), a docker compose service\'s `environment:` (map or `- NAME=value` list) or `command:` (`redis-server --requirepass …`) or as a credential-named Jenkinsfile variable (`def token = \'…\'`, `environment { API_TOKEN = \'…\' }`, `withEnv([\'API_TOKEN=…\'])`), or assigned as a literal to a credential-named constant, variable, key or `define()` in application source code outside tests (TypeScript/JavaScript, Python, Go, Java/Kotlin/Scala, C#, Ruby, PHP, Rust, Swift, Dart, Elixir; a value of 8+ characters with digits or symbols, not a name, path or URL), or set in the settings of a CI pipeline instead of a reference to its secret store (GitHub Actions `env:` at every level and step `with:` inputs, GitLab `variables:`, CircleCI `environment:`, Azure Pipelines `variables:`, Drone/Woodpecker, Buildkite, Travis; a test job\'s own database password or signing key at low), or set in the configuration an application reads (Spring/Micronaut/Quarkus `application*.yml`/`.properties`, HOCON `application.conf`, .NET `appsettings*.json`, Rails `config/database.yml`, node-config `config/production.json`) or that a server reads (Redis/Sentinel `requirepass`/`masterauth`/ACL `>password`, RabbitMQ `default_pass`, INI files such as grafana.ini or my.cnf, `.pgpass`, PgBouncer `userlist.txt`): a credential-named setting, a `${VAR:fallback}` default or the `Password=` of a connection string (also StackExchange.Redis `,password=` and Azure Service Bus `SharedAccessKey=`), its environment taken from the file name, the profile of a Spring document, a Quarkus `%prod.` prefix or a Rails top-level key; or written by Terraform as a credential-named attribute (`administrator_login_password`, a provider\'s `secret_key`), a credential variable\'s literal default or .tfvars assignment or as the literal value of a secret manager resource (`azurerm_key_vault_secret` value, `aws_secretsmanager_secret_version` secret_string, `aws_ssm_parameter` value, `google_secret_manager_secret_version` secret_data, `vault_kv_secret_v2`/`vault_generic_secret` data_json, whole or a credential-named field of its JSON)',
    why: 'Tokens with a recognisable format are harvested from git history within minutes; a checksum-valid GitHub or npm token is almost certainly live. Code, scripts and configs must read credentials from the environment or a mounted Secret. Severity: critical for a checksum-valid token, a private key or an AWS key; a private key in a test path (testdata/server.key) is medium, the self-signed key of a throwaway server far more often than not; the `.env` docker compose reads beside its compose file, and the compose file itself (its `environment:` literals, its URLs), are a local run\'s, one level down (environment local), unless the compose file\'s name or path gives an environment (`docker-compose.prod.yml`, `deploy/production/compose.yaml`): then that environment\'s severity applies.',
    allowed: 'Placeholders (xxxx…, <password>, ${VAR}, $(…), {{ … }}, changeme, REPLACE_WITH_…, YOUR_…, passwords under 4 characters or one repeated character, a default account whose password is its name such as guest:guest), URLs in test files that point at the machine itself (localhost, 127.0.0.1, host.docker.internal: the compose or CI service database of the run), URLs introduced as an example (`like …`, `e.g. …`), tokens whose checksum does not validate (made-up examples), tokens and webhook secrets filled with a pattern (`…/T00000000/B00000000/XXXX…`, `sk_live_XXXX…`), AWS documentation keys (…EXAMPLE), documentation files (unless options.includeDocs), lines other secret scanners were told to allow (`gitleaks:allow`, `pragma: allowlist secret`, `secretlint-disable-line`/`-next-line` and disable…enable blocks, `trufflehog:ignore`, `ggignore`); command arguments read from the environment or stdin (`-p "$PASSWORD"`, `--password-stdin`, `${{ secrets.X }}`, `--password-file`), BuildKit `--secret id=…` specs and the commands of Markdown runbooks; dotenv examples and templates (`.env.example`, `.env.sample`), variables a frontend build inlines into the browser bundle (`NEXT_PUBLIC_…`, `VITE_…`), well-known image defaults (`POSTGRES_PASSWORD=postgres`, `minioadmin`), values that name what they stand for (`monitoring_password`) and the dotenv files a Kustomize generator reads; the compose files of tests (throwaway services) and compose values read from the environment (`${API_TOKEN}`, `${DB_PASSWORD:?}`); Jenkins credentials bindings (`API_TOKEN = credentials(\'api-token\')`, `withCredentials`) and variables that hold a credentials id (`credentialsId: registryCredential`, `docker.withRegistry(url, registryCredential)`); Terraform secret values from variables, `random_password.x.result`, data sources or functions (`file()`, `jsonencode(var.x)`, interpolations), literals stored beside secrets as settings (`storage-account-name`, `tenant-id`), and a placeholder seed the resource then ignores (`lifecycle { ignore_changes = [value] }` with `placeholder`, `managed-out-of-band`): a real-looking seed is reported, it is in git. source code that reads a credential or only names one (`PASSWORD_FIELD = \'password\'`, `secretName = \'orders-db-credentials\'`, `API_KEY_ENV = \'API_KEY\'`, a header or storage key such as `\'SS-API-KEY\'` or `\'app.authToken\'`), interpolated or formatted strings, values that say they are stand-ins (`…CHANGE_ME…`, `test_…`, `***REMOVED***`), keys public by design (a Firebase web config\'s or a Maps browser key\'s `AIza…`, Stripe `pk_live_…`, Mapbox `pk.eyJ…`, RevenueCat `goog_…`), the documented Hardhat/Anvil account keys, build output, generated and minified code, mock, fixture, example, sample, demo, story, Cypress and test-helper code (`__mocks__/`, `examples/`, `*.stories.tsx`, `features/steps/`) and the settings of a test or CI run (`config/test.exs`, `settings/ci.py`, `travis_settings.py`); CI settings that reference the secret store (`${{ secrets.X }}`, `$CI_VARIABLE`, `from_secret`) and the settings of service containers (the run\'s own database); application settings read from the environment (`${DB_PASSWORD}`, `<%= ENV[…] %>`), encrypted (`ENC(…)`, `{cipher}…`) or filled in by the build (`@db.password@`), test resources, the settings of a test profile (low), files written to be copied (`application-example.properties`, `application-secret-samples.yml`), resource bundles of UI text (`messages_en.properties`, `i18n/…properties`), values that say they are to be replaced before production (`…-should-be-changed-in-production`, plain or base64-encoded) or describe the setting (`app passwords`, `mock-api-key`, `填写你的AccessKey`), a DSN without a password (Sentry\'s), PgBouncer md5/SCRAM hashes, Grafana `$__env{…}`/`$__file{…}`; Kubernetes manifests, Helm values/templates, test dotenv files and test harness facts are judged by their structural rules instead.',
    remediation: 'Revoke and rotate the credential now, remove it from the file (and history if required), and read it at runtime from the environment or a Secret materialised by its authority (ExternalSecret for external tokens, CNPG for database users).',
  },
  (context) => {
    const { project } = context;
    // Files and lines other rules already judge structurally: one footprint, one finding.
    const coveredLines = new Set<string>();
    // A Helm partial (`_helpers.tpl`) is judged structurally only where a named template is a whole object: the rest of
    // it (helpers, defaults) is text that no other rule reads.
    const isPartial = (f: ParsedFile<YamlFileModel>) => f.model.role === 'template' && basename(f.file.path).startsWith('_');
    for (const f of project.yamlFiles.filter(isPartial)) {
      for (const doc of f.model.docs) for (let line = doc.line; line <= (doc.root?.endLine ?? doc.line); line++) coveredLines.add(`${f.file.path}:${line}`);
    }
    const structuralYaml = new Set(
      project.yamlFiles.filter((f) => !isPartial(f) && (f.model.role !== 'manifest' || isTestYaml(f) || hasResources(project, f.file.path))).map((f) => f.file.path),
    );
    // Credential files (.npmrc, pip.conf, .pypirc, …) have their own rule (committed-npmrc-credentials).
    for (const id of STRUCTURAL_ANALYZERS) for (const f of project.models(id)) structuralYaml.add(f.file.path);
    // Test dotenv files have theirs too (integration-test-inline-credentials).
    for (const f of project.models('dotenv')) if (isTestDotenv(f.file)) structuralYaml.add(f.file.path);
    // pytest env settings are judged as test configuration (integration-test-inline-credentials).
    for (const { file, model } of project.models<PytestEnvModel>('tests-pytest-env')) for (const e of model.entries) coveredLines.add(`${file.path}:${e.line}`);
    for (const { file, model } of harnessModels(project)) {
      // Fallbacks are judged only in tests: a script's fallback URL stays this rule's.
      if (model.role === 'test') for (const f of model.fallbacks) coveredLines.add(`${file.path}:${f.line}`);
      for (const s of model.inlineSecrets) if (s.literalKeys.length > 0) for (let l = s.line; l <= s.endLine; l++) coveredLines.add(`${file.path}:${l}`);
    }
    const reportedLines = new Set<string>();
    const awsKeyLines = new Map<string, number[]>();
    // The `.env` docker compose reads from the folder of its compose file: a local run's settings. Its findings are
    // reported one level down ("downgrade local-only findings, never ignore"), unless the path names an environment.
    const isComposeDotenv = (file: ParsedFile['file']): boolean => {
      if (file.environment || basename(file.path) !== '.env') return false;
      const folder = dirname(file.path);
      return COMPOSE_FILES.some((name) => project.yamlFileIndex(folder === '.' ? name : `${folder}/${name}`) >= 0);
    };
    const COMPOSE_NOTE = ' (the .env docker compose reads beside its compose file: a local run)';
    // A docker compose file is a local run's too, unless its name or path gives an environment (docker-compose.prod.yml,
    // deploy/production/compose.yaml), as a dotenv file's name does.
    const isLocalCompose = (file: ParsedFile['file']): boolean => !file.environment && isComposePath(file.path);
    const COMPOSE_FILE_NOTE = ' (a docker compose file: a local run)';
    context.each(
      project.models<CredentialTextModel>('credential-text'),
      (m) => m.file.path,
      ({ file, model }) => {
        if (structuralYaml.has(file.path)) return;
        const seen = new Occurrences();
        // A URL to the machine itself in compose's .env: the database container of a local run.
        const composeEnv = isComposeDotenv(file);
        const composeFile = !composeEnv && isLocalCompose(file);
        for (const hit of model.hits) {
          if (coveredLines.has(`${file.path}:${hit.line}`)) continue;
          // A test's URL to a database on its own machine (the compose or CI service container the run starts): the
          // throwaway server holds that password, for the run only, as the compose file beside it does.
          if (file.isTest && hit.format === 'url-password' && hit.host !== undefined && LOOPBACK.test(hit.host)) continue;
          reportedLines.add(`${file.path}:${hit.line}`);
          if (hit.format === 'aws-access-key') awsKeyLines.set(file.path, [...(awsKeyLines.get(file.path) ?? []), hit.line]);
          const label = LABEL[hit.format];
          context.report({
            file,
            line: hit.line,
            column: hit.column,
            message: `${label}${hit.validated ? ' (checksum valid: likely live)' : ''}${hit.format === 'url-password' && hit.scheme ? ` (${hit.scheme}://user:…@…)` : ''} committed in the file${composeEnv ? COMPOSE_NOTE : composeFile ? COMPOSE_FILE_NOTE : ''}`,
            location: seen.next(`credential:${hit.format}`),
            value: hit.value,
            keys: [hit.format],
            severity: composeEnv || composeFile ? shiftSeverity(severityOf(hit, file.isTest), -1) : severityOf(hit, file.isTest),
            ...(composeEnv || composeFile ? { environment: 'local' } : {}),
            origin: originOf(hit, file.isTest, isDockerfilePath(file.path)),
            remediation: `Revoke and rotate this ${label}, delete it from the file, and read it at runtime from the environment or a mounted Secret fed by its authority.`,
          });
        }
      },
    );
    // A committed dotenv file (`.env`, `.env.production`, `secrets.env`) that sets a credential: what deploy scripts
    // and compose read at run time, in git. Examples and templates, test dotenv files (integration-test-inline-credentials)
    // and the files a Kustomize generator reads (inline-secret-manifest, secret-in-configmap) are judged elsewhere or not at all.
    const generatorFiles = new Set(
      (['secretGenerator', 'configMapGenerator'] as const).flatMap((field) => kustomizeGenerators(project, field).flatMap((g) => g.sources.map((s) => s.file.path))),
    );
    context.each(
      project.models<DotenvModel>('dotenv'),
      (m) => m.file.path,
      ({ file, model }) => {
        if (isTestDotenv(file) || /\.(example|sample|template|dist|tpl|defaults?)$|^(example|sample|template)[._-]/i.test(basename(file.path)) || generatorFiles.has(file.path) || isDocPath(file.path)) return;
        const composeEnv = isComposeDotenv(file);
        const seen = new Occurrences();
        for (const entry of model.entries) {
          const at = `${file.path}:${entry.line}`;
          if (coveredLines.has(at) || reportedLines.has(at)) continue;
          const value = entry.value.trim();
          // Variables a frontend build inlines into the browser bundle (NEXT_PUBLIC_…, VITE_…) are public by design.
          if (CLIENT_BUNDLE_ENV.test(entry.key)) continue;
          if (!literalCredential(entry.key, value, context.config.credentialNames)) continue;
          context.report({
            file,
            line: entry.line,
            column: entry.column,
            message: `Dotenv file sets ${entry.key} to a literal credential committed in the file${composeEnv ? COMPOSE_NOTE : ''}`,
            location: seen.next(`dotenv:${entry.key}`),
            value,
            keys: [entry.key],
            severity: composeEnv ? 'medium' : 'high',
            ...(composeEnv ? { environment: 'local' } : {}),
            origin: file.isTest ? 'test' : isDatabaseName(entry.key) ? 'cluster-operator' : 'external',
            remediation: `Rotate ${entry.key}, remove the file from git (keep a ${basename(file.path)}.example with placeholders and ignore the real one), and have the deploy read it from its authority (an ExternalSecret, a CI secret).`,
          });
        }
      },
    );
    // A CI pipeline's own settings (GitHub Actions `env:` and step inputs, GitLab `variables:`, CircleCI `environment:`,
    // Azure Pipelines `variables:`, Drone, Buildkite, Travis) holding a literal credential instead of a reference to the
    // CI system's secret store. A service container's settings are the run's own throwaway server's.
    context.each(
      project.yamlFiles.filter((f) => !structuralYaml.has(f.file.path) && (isWorkflowPath(f.file.path) || CI_ENV_SYSTEMS.has(ciSystemOf(f.file.path) ?? ''))),
      (f) => f.file.path,
      ({ file, model }) => {
        const system = isWorkflowPath(file.path) ? 'github' : ciSystemOf(file.path)!;
        const seen = new Occurrences();
        for (const doc of model.docs) {
          for (const setting of ciSettings(system, doc.root)) {
            const at = `${file.path}:${setting.line}`;
            if (setting.service || coveredLines.has(at) || reportedLines.has(at)) continue;
            const { key, value } = setting;
            if (CLIENT_BUNDLE_ENV.test(key) || !literalCredential(key, value, context.config.credentialNames) || (setting.input && SETTING_NAME.test(key))) continue;
            reportedLines.add(at);
            const registry = BUILD_TOKEN_NAMES.includes(key.toUpperCase()) || words(key).some((w) => REGISTRY_WORDS.has(w)) || (setting.action !== undefined && /login|docker|registry|publish|npm|helm/i.test(setting.action));
            // A test job's database password or signing key is the run's own; a token for another service is real wherever it is set.
            const throwaway = setting.testJob === true && !registry && !ISSUED_CREDENTIAL.test(key) && ['database', 'admin', 'generic'].includes(credentialClass(key, [key]));
            const place = setting.input ? `passes ${key} to ${setting.action ?? 'a step'} as a literal credential` : `sets ${key} to a literal credential`;
            context.report({
              file,
              line: setting.line,
              column: setting.column,
              message: `${CI_LABEL[system]} ${place} committed in the file${setting.scope ? ` (${setting.scope})` : ''}${throwaway ? ' (a test job: the run\'s own value, reported low)' : ''}`,
              location: seen.next(`ci:${setting.scope ?? ''}.${key}`),
              value,
              keys: [key],
              severity: throwaway ? 'low' : 'high',
              origin: file.isTest || throwaway ? 'test' : isDatabaseName(key) ? 'cluster-operator' : registry ? 'build-time' : 'external',
              remediation: `Rotate ${key} and keep it in the CI system's secret store, fed from its authority (Vault or Azure Key Vault): ${CI_SECRET_HOW[system]}.`,
              replacement: { language: 'yaml', title: `${CI_LABEL[system]} reads ${key} from its secret store`, snippet: CI_SNIPPET[system](key, setting.input === true) },
            });
          }
        }
      },
    );
    // An application's configuration (Spring `application-prod.yml`, `.properties`, `appsettings.Production.json`,
    // Rails `config/database.yml`, node-config `config/production.json`) setting a credential to a literal: the service
    // reads it at start-up, from git. Test resources configure the run's own throwaway services; examples and templates
    // are for copying.
    const classifier = new OriginClassifier(context.config);
    context.each(
      project.models<AppConfigModel>('app-config'),
      (m) => m.file.path,
      ({ file, model }) => {
        // Credential files (gradle.properties) are committed-npmrc-credentials'.
        if (file.isTest || structuralYaml.has(file.path) || isDocPath(file.path) || APP_CONFIG_TEMPLATE.test(basename(file.path))) return;
        const seen = new Occurrences();
        for (const setting of model.settings) {
          const at = `${file.path}:${setting.line}`;
          if (coveredLines.has(at) || reportedLines.has(at)) continue;
          // The secret half of an AWS key pair is the pair's finding, on its access key id's line.
          if (awsKeyLines.has(file.path) && /secret[-_]?access[-_]?key/i.test(setting.path)) continue;
          const literal = appConfigLiteral(setting.path, setting.value, context.config.credentialNames, setting.name);
          if (!literal) continue;
          reportedLines.add(at);
          const profile = setting.profile && !file.environment ? namedEnvironment(setting.profile, context.config) : undefined;
          const testProfile = setting.profile !== undefined && TEST_PROFILE.test(setting.profile);
          const server = SERVER_CONFIG.has(model.format) || OPERATED_SERVER_FILE.test(basename(file.path));
          // A database's, a cache's or a broker's own password: what its operator generates in the cluster.
          const database = (literal.how === 'embedded' && !literal.issued) || isDatabaseName(setting.path) || isDatabaseName(literal.key) || RAILS_DATABASE.test(file.path) || OPERATED_SERVER_FILE.test(basename(file.path));
          const origin: Origin = testProfile ? 'test' : settingOrigin(classifier, database, setting.path, literal.key, file.path);
          const how = literal.how === 'fallback' ? ` as the fallback of \${${literal.variable}}` : literal.how === 'embedded' ? ' inside a connection string' : '';
          context.report({
            file,
            line: setting.line,
            column: setting.column,
            message: `${server ? 'Server config' : 'Application config'} sets ${setting.path.startsWith('user ') ? `the password of ${setting.path}` : setting.path} to a literal credential${how} committed in the file${setting.profile ? ` (for ${setting.profile})` : ''}`,
            location: seen.next(`app-config:${setting.path}`),
            value: literal.value,
            keys: [setting.path],
            severity: testProfile ? 'low' : profile?.managed ? shiftSeverity('high', 1) : profile?.local ? 'medium' : 'high',
            ...(profile && !testProfile ? { environment: profile.name } : {}),
            origin,
            remediation: `Rotate the credential and delete it from the file: bind ${setting.path} to an environment variable fed by ${APP_CONFIG_AUTHORITY[origin]}.`,
            replacement: appConfigReplacement(model.format, setting.path, origin),
          });
        }
      },
    );
    // Application source code that assigns a literal credential to a credential-named constant, variable or key (tests
    // are judged by the test rules): what the service runs with, in git.
    context.each(
      project.models<CodeLiteralsModel>('code-literals'),
      (m) => m.file.path,
      ({ file, model }) => {
        if (isDocPath(file.path)) return;
        const seen = new Occurrences();
        for (const literal of model.literals) {
          const at = `${file.path}:${literal.line}`;
          if (coveredLines.has(at) || reportedLines.has(at)) continue;
          const key = literal.name.split('.').pop()!;
          const value = literal.value.trim();
          if (!literalCredential(key, value, context.config.credentialNames) || SETTING_NAME.test(key) || (isSecretReferenceName(key) && !SIGNING_SECRET_KEY.test(key)) || !looksLikeCodeCredential(value)) continue;
          // A Firebase web config's apiKey, or a Maps browser key: Google API keys meant to be read by the client.
          if (value.startsWith('AIza') && (literal.firebase || MAPS_KEY_NAME.test(key))) continue;
          reportedLines.add(at);
          const origin = settingOrigin(classifier, isDatabaseName(literal.name) || (literal.database === true && /pass|pwd/i.test(key)), key, key, file.path);
          const variable = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
          context.report({
            file,
            line: literal.line,
            column: literal.column,
            message: `Source code assigns a literal credential to ${literal.name}, committed in the file`,
            location: seen.next(`code:${literal.name}`),
            value,
            keys: [literal.name],
            severity: 'high',
            origin,
            remediation: `Rotate the credential, delete the literal and read ${variable} from the environment at run time, fed by ${APP_CONFIG_AUTHORITY[origin]}.`,
            replacement: { language: model.language, title: `Read the credential from the environment`, snippet: ENV_READ[model.language]?.(variable) ?? `${variable} from the environment` },
          });
        }
      },
    );
    // A Jenkinsfile's credential-named Groovy variable set to a literal (`def token = '…'`, `environment { API_TOKEN =
    // '…' }`): the dotenv entries' name and value tests; `NAME = credentials('id')` is the compliant form (no literal).
    context.each(
      project.models<ImperativeModel>('ops-imperative'),
      (m) => m.file.path,
      ({ file, model }) => {
        if (!model.assignments) return;
        const seen = new Occurrences();
        for (const a of model.assignments) {
          const at = `${file.path}:${a.line}`;
          if (coveredLines.has(at) || reportedLines.has(at)) continue;
          const value = a.value.trim();
          if (!literalCredential(a.name, value, context.config.credentialNames)) continue;
          // A credentials-named variable holding a slug (`registryCredential = 'dockerhub-creds'`) is a credentials id.
          if (/cred(?:ential)?s?$/i.test(a.name) && /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/.test(value)) continue;
          reportedLines.add(at);
          context.report({
            file,
            line: a.line,
            column: a.column,
            message: `Jenkinsfile sets ${a.name} to a literal credential committed in the file`,
            location: seen.next(`groovy:${a.name}`),
            value,
            keys: [a.name],
            severity: 'high',
            origin: file.isTest || model.role === 'test' ? 'test' : isDatabaseName(a.name) ? 'cluster-operator' : 'external',
            remediation: `Rotate ${a.name}, store it in Jenkins credentials and bind it instead of the literal: \`${a.name} = credentials('${a.name.toLowerCase().replace(/_/g, '-')}')\` in the environment block, or withCredentials around the steps that use it.`,
          });
        }
      },
    );
    // docker compose `environment:` (a map, or a list of NAME=value) setting a credential to a literal: what the
    // compose .env beside it holds, written in the compose file itself, and judged the same way. A test's compose
    // file provisions its own throwaway services (integration-test-inline-credentials leaves it alone too).
    context.each(
      project.yamlFiles.filter((f) => isComposePath(f.file.path) && !f.file.isTest && !structuralYaml.has(f.file.path)),
      (f) => f.file.path,
      ({ file, model }) => {
        const local = isLocalCompose(file);
        const seen = new Occurrences();
        for (const doc of model.docs) {
          // Compose file format 1 has no `services:`: the services are the top-level keys.
          const services = get(doc.root, 'services') ?? (isMap(doc.root) && doc.root.entries.some((e) => get(e.value, 'image') || get(e.value, 'build')) ? doc.root : undefined);
          if (!isMap(services)) continue;
          for (const service of services.entries) {
            for (const setting of composeEnvironment(get(service.value, 'environment'))) {
              const at = `${file.path}:${setting.line}`;
              if (coveredLines.has(at) || reportedLines.has(at)) continue;
              const { key, value } = setting;
              if (CLIENT_BUNDLE_ENV.test(key) || !literalCredential(key, value, context.config.credentialNames)) continue;
              context.report({
                file,
                line: setting.line,
                column: setting.column,
                message: `Compose service ${service.key} sets ${key} to a literal credential committed in the file${local ? COMPOSE_FILE_NOTE : ''}`,
                location: seen.next(`compose:${service.key}.${key}`),
                value,
                keys: [key],
                severity: local ? 'medium' : 'high',
                ...(local ? { environment: 'local' } : {}),
                origin: isDatabaseName(key) ? 'cluster-operator' : 'external',
                remediation: `Rotate ${key} and move it out of the compose file: \`${key}: \${${key}}\` read from the environment or an ignored .env (commit a .env.example with a placeholder), or a compose \`secrets:\` entry from a file kept out of git.`,
              });
            }
            // `command: redis-server --requirepass …`: a password on the service's command line.
            for (const argv of composeCommands(get(service.value, 'command'))) {
              const hit = commandLinePassword(argv.words);
              if (!hit) continue;
              const at = `${file.path}:${argv.line}`;
              if (coveredLines.has(at) || reportedLines.has(at) || isStandIn(hit.value, hit.flag.replace(/^-+/, ''))) continue;
              reportedLines.add(at);
              context.report({
                file,
                line: argv.line,
                message: `Compose service ${service.key} passes a literal credential to ${hit.command} (${hit.flag}) on its command line${local ? COMPOSE_FILE_NOTE : ''}`,
                location: seen.next(`compose-command:${service.key}${hit.flag}`),
                value: hit.value,
                keys: [hit.flag],
                severity: local ? 'medium' : 'high',
                ...(local ? { environment: 'local' } : {}),
                origin: hit.database ? 'cluster-operator' : 'external',
                remediation: `Rotate the credential and read it from the environment instead: \`command: ["sh", "-c", "exec ${hit.command} ${hit.flag} \\"$$PASSWORD\\""]\` with PASSWORD from an ignored .env or a compose \`secrets:\` file.`,
              });
            }
          }
        }
      },
    );
    // Terraform writing a literal into a secret manager (azurerm_key_vault_secret value, aws_secretsmanager_secret_version
    // secret_string, google_secret_manager_secret_version secret_data, vault_kv_secret_v2 data_json): the secret is in
    // git and in the state, whatever the store does with it. A seed the resource then ignores (`lifecycle {
    // ignore_changes = [value] }`) with a placeholder is the compliant way to let the real value be set out of band.
    context.each(
      project.models<TerraformModel>('terraform').filter((m) => (m.model.secretValues?.length ?? 0) + (m.model.credentialVariables?.length ?? 0) + (m.model.credentialLiterals?.length ?? 0) > 0),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        // A credential variable given a literal (a default, a .tfvars assignment): every plan that does not override it uses it.
        const tfvars = /\.tfvars$/i.test(file.path);
        for (const variable of model.credentialVariables ?? []) {
          const at = `${file.path}:${variable.line}`;
          if (coveredLines.has(at) || reportedLines.has(at)) continue;
          const { name, value } = variable;
          if (!isCredentialName(name, { extra: context.config.credentialNames }) || SETTING_NAME.test(name) || isStandIn(value, name)) continue;
          reportedLines.add(at);
          context.report({
            file,
            line: variable.line,
            column: variable.column,
            message: `Terraform variable ${name} ${tfvars ? 'is set' : 'defaults'} to a literal credential committed in the file`,
            location: seen.next(`terraform-variable:${name}`),
            value,
            keys: [name],
            severity: 'high',
            origin: file.isTest ? 'test' : isDatabaseName(name) ? 'cluster-operator' : 'external',
            remediation: `Rotate ${name} and remove the literal: ${tfvars ? `keep ${basename(file.path)} with credentials out of git (commit a ${basename(file.path)}.example with placeholders)` : 'drop the default (mark the variable sensitive)'} and pass the value from CI (TF_VAR_${name}) or read it with a secret manager data source.`,
          });
        }
        for (const secret of model.secretValues ?? []) {
          for (const found of terraformLiterals(secret, context.config.credentialNames)) {
            const at = `${file.path}:${found.line}`;
            if (coveredLines.has(at) || reportedLines.has(at)) continue;
            reportedLines.add(at);
            const store = terraformStore(secret.type);
            const resource = `${secret.type}.${secret.label}`;
            const what = found.key ? `${secret.attribute} field ${found.key}` : secret.attribute;
            context.report({
              file,
              line: found.line,
              message: `Terraform ${resource} writes a literal credential into ${store} (${what}) committed in the file${secret.ignoreChanges ? '; lifecycle ignore_changes only stops later applies, the seed stays in git and state' : ''}`,
              location: seen.next(`terraform:${resource}#${what}`),
              value: found.value,
              keys: [found.key ?? secret.name ?? resource],
              severity: 'high',
              origin: file.isTest ? 'test' : isDatabaseName(found.key ?? secret.name ?? secret.label) ? 'cluster-operator' : 'external',
              remediation: `Rotate the credential and remove the literal from ${resource}: generate it (random_password) or pass it in as a sensitive variable from CI, or write a placeholder with lifecycle { ignore_changes = [${secret.attribute}] } and set the real value in ${store} out of band.`,
            });
          }
        }
        // A credential-named attribute set to a literal in a resource, provider, module or locals block
        // (`administrator_login_password = "…"`, a provider's `secret_key`). What the Kubernetes providers send into a
        // cluster (a kubernetes_secret's data, helm_release values) is judged as a Secret or values by their rules.
        const clusterBound = [...(model.kubernetesSecrets ?? []), ...(model.helmReleases ?? []).filter((r) => r.roots.length > 0)];
        const awsPairLines = awsKeyLines.get(file.path) ?? [];
        for (const c of model.credentialLiterals ?? []) {
          const at = `${file.path}:${c.line}`;
          if (coveredLines.has(at) || reportedLines.has(at) || clusterBound.some((r) => c.line >= r.line && c.line <= r.endLine)) continue;
          const value = c.value.trim();
          if (SETTING_NAME.test(c.key) || isStandIn(value, c.key)) continue;
          // Where the secret lives, not the secret: a URL without userinfo (a Key Vault secret id), a secret manager path.
          if (/^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(value) || /^projects\/[^/]+\/secrets\//.test(value)) continue;
          // An access key id is an identifier; AWS documentation keys end in EXAMPLE; the secret of a key pair found by
          // its format a few lines away is the same credential.
          if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(value) || /EXAMPLE/.test(value) || awsPairLines.some((l) => Math.abs(l - c.line) <= 5)) continue;
          reportedLines.add(at);
          context.report({
            file,
            line: c.line,
            column: c.column,
            message: `Terraform sets ${c.key} to a literal credential committed in the file`,
            location: seen.next(`terraform:${c.key}`),
            value,
            keys: [c.key],
            // A module's test fixture is applied to throwaway infrastructure.
            severity: file.isTest ? 'medium' : 'high',
            origin: file.isTest ? 'test' : isDatabaseName(c.key) ? 'cluster-operator' : 'external',
            remediation: 'Rotate the credential, delete the literal and pass it in at apply time: a sensitive variable fed from the CI secret store or TF_VAR_ environment, a data source reading it from its authority (Key Vault, Vault), or random_password for a credential Terraform itself creates.',
          });
        }
      },
    );
    // An AWS CDK program writing a literal into the secret it builds (`password: SecretValue.unsafePlainText('…')`, a
    // key of `secretObjectValue`): in git and in the synthesized template, as Terraform's secret_string is.
    context.each(
      harnessModels(project).filter((m) => (m.model.storeLiterals?.length ?? 0) > 0),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.storeLiterals ?? []) {
          const at = `${file.path}:${fact.line}`;
          if (coveredLines.has(at) || reportedLines.has(at) || SETTING_NAME.test(fact.key) || isStandIn(fact.value, fact.key)) continue;
          const named = isCredentialName(fact.key, { extra: context.config.credentialNames });
          // Under a generic property (`secretStringValue`): a URL with a password, or a value that looks generated; a
          // dotted or colon-separated name (a model id, a host, an ARN) is configuration kept in a secret.
          if (!named && embeddedUrlPassword(fact.value) === undefined && !(looksGenerated(fact.value) && !/[.:/]/.test(fact.value))) continue;
          reportedLines.add(at);
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            message: `AWS CDK ${fact.form} writes a literal credential (${fact.key}) into a secret, committed in the file and in the synthesized template`,
            location: seen.next(`cdk:${fact.key}`),
            value: fact.value,
            keys: [fact.key],
            severity: file.isTest || model.role === 'test' ? 'medium' : 'high',
            origin: file.isTest || model.role === 'test' ? 'test' : isDatabaseName(fact.key) ? 'cluster-operator' : 'external',
            remediation: 'Rotate the credential and delete the literal: let the construct generate it (`generateSecretString`, `Credentials.fromGeneratedSecret`), or create the secret empty and set its value out of band (`aws secretsmanager put-secret-value` from CI).',
          });
        }
      },
    );
    // A password or token written as a command's argument in a script, Makefile recipe, CI step or Tiltfile command
    // (`docker login -p …`, `helm repo add … --password …`, `mysql -p…`): committed with the command line.
    context.each(
      project.models<ImperativeModel>('ops-imperative'),
      (m) => m.file.path,
      ({ file, model }) => {
        const seen = new Occurrences();
        for (const fact of model.commandPasswords) {
          const at = `${file.path}:${fact.line}`;
          if (coveredLines.has(at) || reportedLines.has(at)) continue;
          // A container's environment (`docker run -e NAME=…`) is judged as a compose service's `environment:` is.
          const env = /^(?:-e|--env) (.+)$/.exec(fact.flag)?.[1];
          if (env !== undefined && isStandIn(fact.value, env)) continue;
          context.report({
            file,
            line: fact.line,
            column: fact.column,
            message: `Literal credential passed to ${fact.command} (${fact.flag}) committed in the file`,
            location: seen.next(`command-credential:${fact.command}${fact.flag.startsWith('--set') ? ` ${fact.flag}` : ''}`),
            value: fact.value,
            keys: [fact.flag],
            severity: 'high',
            origin: file.isTest || model.role === 'test' ? 'test' : fact.database ? 'cluster-operator' : 'external',
            remediation: `Rotate the credential, delete it from the command line and pass it from the environment or a CI secret (${fact.flag.startsWith('-p') || fact.flag === '--password' ? '`--password-stdin` or ' : ''}a variable the job injects), never as a literal argument.`,
          });
        }
      },
    );
  },
);
