import type { Analyzer } from '../types.js';

/** Dockerfiles and build invocations (Tiltfile, CI workflows, scripts, compose, devcontainer). */
export const buildAnalyzers: readonly Analyzer[] = [];
