import type { Analyzer } from '../types.js';
import { dockerfileAnalyzer } from './dockerfile.js';

/** Dockerfiles and build invocations (Tiltfile, CI workflows, scripts, compose, devcontainer). */
export const buildAnalyzers: readonly Analyzer[] = [dockerfileAnalyzer];
