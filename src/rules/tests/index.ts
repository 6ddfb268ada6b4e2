import type { Rule } from '../types.js';

export const testsRules: readonly Rule[] = [];
