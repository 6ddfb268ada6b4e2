import type { Rule } from '../types.js';
import { inlineSecretManifest } from './inline-secret-manifest.js';

export const k8sRules: readonly Rule[] = [inlineSecretManifest];
