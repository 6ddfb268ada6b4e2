import type { Analyzer } from '../types.js';
import { composeAnalyzer, devcontainerAnalyzer } from './compose.js';
import { credFileAnalyzer } from './credfile.js';
import { dockerfileAnalyzer } from './dockerfile.js';
import { makefileAnalyzer, shellScriptAnalyzer } from './script.js';
import { tiltfileAnalyzer } from './tiltfile.js';
import { workflowAnalyzer } from './workflow.js';

/** Dockerfiles and build invocations (Tiltfile, CI workflows, scripts, compose, devcontainer). */
export const buildAnalyzers: readonly Analyzer[] = [
  dockerfileAnalyzer,
  shellScriptAnalyzer,
  makefileAnalyzer,
  workflowAnalyzer,
  tiltfileAnalyzer,
  composeAnalyzer,
  devcontainerAnalyzer,
  credFileAnalyzer,
];
