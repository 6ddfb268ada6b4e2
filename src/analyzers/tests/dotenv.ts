/**
 * Dotenv files that configure test runs: `.env.test`, `.env.e2e`, `.env.integration`, `.env.playwright`, and any
 * `.env*` under a test folder. The dotenv analyzer (../dotenv.ts) parses every dotenv file; the integration-test rule
 * judges these.
 */
import { basename } from '../../util/path.js';
import type { FileContext } from '../types.js';

const TEST_DOTENV = /^\.env\.(test|testing|e2e|integration|int[-_]?tests?|it|playwright|cypress|smoke|acceptance)(\.local)?$/i;

/** Is this a dotenv file for tests (by its name, or any `.env*` in a test folder)? Example templates are not. */
export function isTestDotenv(file: FileContext): boolean {
  const name = basename(file.path);
  if (/\.(example|sample|template|dist|tpl)$/i.test(name)) return false;
  return TEST_DOTENV.test(name) || (file.isTest && /^\.env(\.[\w-]+)?$/.test(name));
}
