import type { Rule } from '../types.js';

export const correlationRules: readonly Rule[] = [];
