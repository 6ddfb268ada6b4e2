import type { Analyzer } from '../types.js';
import { bakeAnalyzer, skaffoldAnalyzer } from './buildconfig.js';
import { buildkitAnalyzer } from './buildkit.js';
import { ciPipelineAnalyzer, jenkinsfileAnalyzer } from './ci.js';
import { composeAnalyzer, devcontainerAnalyzer } from './compose.js';
import { credFileAnalyzer } from './credfile.js';
import { dockerfileAnalyzer } from './dockerfile.js';
import { dockerignoreAnalyzer } from './dockerignore.js';
import { makefileAnalyzer, shellScriptAnalyzer } from './script.js';
import { tiltfileAnalyzer } from './tiltfile.js';
import { workflowAnalyzer } from './workflow.js';

/** Dockerfiles and build invocations (Tiltfile, CI workflows and pipelines, Jenkinsfiles, scripts, compose, devcontainer, skaffold, bake). */
export const buildAnalyzers: readonly Analyzer[] = [
  dockerfileAnalyzer,
  shellScriptAnalyzer,
  makefileAnalyzer,
  workflowAnalyzer,
  ciPipelineAnalyzer,
  jenkinsfileAnalyzer,
  skaffoldAnalyzer,
  bakeAnalyzer,
  tiltfileAnalyzer,
  composeAnalyzer,
  devcontainerAnalyzer,
  credFileAnalyzer,
  dockerignoreAnalyzer,
  buildkitAnalyzer,
];
