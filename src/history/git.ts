import { execFileSync } from 'node:child_process';

export interface GitInfo {
  commit?: string;
  branch?: string;
}

function git(root: string, args: string[]): string | undefined {
  try {
    const out = execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Commit and branch of ROOT's work tree, when there is one and git is installed; never throws. CI checkouts are
 * often a detached HEAD, so the branch falls back to the CI's own variables (GitHub Actions, GitLab CI).
 */
export function gitInfo(root: string, env: NodeJS.ProcessEnv = process.env): GitInfo {
  const commit = git(root, ['rev-parse', 'HEAD']) ?? env.GITHUB_SHA ?? env.CI_COMMIT_SHA;
  let branch = git(root, ['rev-parse', '--abbrev-ref', 'HEAD']);
  if (branch === undefined || branch === 'HEAD') {
    branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME || undefined;
  }
  return { ...(commit ? { commit } : {}), ...(branch ? { branch } : {}) };
}
