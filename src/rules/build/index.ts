import type { Rule } from '../types.js';

export const buildRules: readonly Rule[] = [];
