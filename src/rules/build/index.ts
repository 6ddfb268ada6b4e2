import type { Rule } from '../types.js';
import { buildArgTokenPassthrough } from './build-arg-token-passthrough.js';
import { buildkitRemoteWithoutMtls } from './buildkit-remote-without-mtls.js';
import { buildSecretNotWired } from './build-secret-not-wired.js';
import { committedNpmrcCredentials } from './committed-npmrc-credentials.js';
import { dockerfileNpmrcTokenBaked } from './dockerfile-npmrc-token-baked.js';
import { dockerfileTokenArgEnv } from './dockerfile-token-arg-env.js';
import { missingBuildSecretPrecheck } from './missing-build-secret-precheck.js';

export const buildRules: readonly Rule[] = [
  dockerfileTokenArgEnv,
  dockerfileNpmrcTokenBaked,
  committedNpmrcCredentials,
  buildArgTokenPassthrough,
  buildSecretNotWired,
  missingBuildSecretPrecheck,
  buildkitRemoteWithoutMtls,
];
