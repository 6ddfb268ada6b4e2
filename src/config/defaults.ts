/** Built-in defaults: zero configuration must already work on a typical platform repo. */

export const DEFAULT_EXCLUDES = [
  '**/.git/**',
  '**/node_modules/**',
  '**/.footprint-cache/**',
  '**/dist/**',
  '**/build/**',
  '**/coverage/**',
  '**/.venv/**',
  '**/venv/**',
  '**/__pycache__/**',
  '**/.terraform/**',
  '**/.next/**',
  '**/.cache/**',
  '**/target/**',
];

/**
 * Default excludes that name a build-output folder only some of the time: `build/` is Gradle's or CMake's output, and
 * also the Go project layout's packaging folder (`build/package/Dockerfile`, `build/ci/`). A git listing keeps the
 * files git tracks there (output is untracked and ignored); a folder walk cannot tell, so it leaves them out.
 */
export const WALK_ONLY_EXCLUDES: ReadonlySet<string> = new Set(['**/build/**']);

/** Subcharts unpacked inside a chart: `helm dependency build` output, third-party unless the parent says file:// (see local-subcharts.ts). */
export const NESTED_CHARTS_GLOB = '**/charts/*/charts/**';
export const DEFAULT_VENDORED = ['**/third_party/**', '**/third-party/**', '**/vendor/**', '**/vendored/**', NESTED_CHARTS_GLOB];

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/**
 * The documented default key for the keyed hash inside fingerprints. Teams that share results outside the
 * repository set FOOTPRINT_FINGERPRINT_KEY (or fingerprintKey in config) so hashes cannot be brute-forced.
 */
export const DEFAULT_FINGERPRINT_KEY = 'footprint-v1-default-fingerprint-key';

export const DEFAULT_TEST_PATHS = [
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  '**/e2e/**',
  '**/integration-tests/**',
  '**/integration_tests/**',
  // Go's convention (the go tool ignores testdata/), followed by most repositories for test inputs.
  '**/testdata/**',
  '**/test-data/**',
  '**/test_data/**',
  '**/*.test.*',
  '**/*.spec.*',
  '**/*_test.go',
  '**/test_*.py',
  '**/*_test.py',
  '**/conftest.py',
  // chart-testing (`ct install`) values: a chart's ci/*-values.yaml are its test inputs.
  '**/ci/*-values.yaml',
  '**/ci/*-values.yml',
];

/** Known placeholder and fixture values that must never reach a managed environment. Compared case-insensitively. */
export const DEFAULT_FIXTURE_VALUES = [
  'changeme',
  'change-me',
  'change_me',
  'changeit',
  'password',
  'passw0rd',
  'secret',
  'admin',
  'admin123',
  'dbpassword',
  'dbuser',
  'minioadmin',
  'letmein',
  'test',
  'testpassword',
  'example',
  'dummy',
  'todo',
  'tbd',
  'replaceme',
  'replace-me',
  'placeholder',
  'supersecret',
  'topsecret',
  'development-secret-at-least-32-chars',
  'keycloak_generated_placeholder',
  'platform_client_secret',
  'C1tr0n3lla',
  'C1tr0n3lla!',
  'DisabledLoginOnly!',
  'lf_admin_password',
  // Well-known defaults of common images and charts, and weak passwords everyone tries first.
  'password123',
  'passw0rd!',
  'p@ssw0rd',
  'p@ssword',
  'root',
  'postgres',
  'guest',
  'qwerty',
  '123456',
  '12345678',
  'insecure',
  's3cr3t',
  'default',
  'bitnami',
  'prom-operator',
  'harbor12345',
  'minio123',
  'not-secure-database-password',
  'replace_me',
  'change_me',
];
