import type { Origin, Severity } from '../types.js';

export interface EnvironmentSpec {
  paths: string[];
  managed?: boolean;
  local?: boolean;
}

export type RuleSetting = 'off' | Severity | { enabled?: boolean; severity?: Severity; options?: Record<string, unknown> };

export interface SuppressionEntry {
  rule: string;
  path?: string;
  fingerprint?: string;
  reason: string;
  owner?: string;
  expires?: string;
}

/** The config file as written by a user (everything optional). */
export interface UserConfig {
  include?: string[];
  exclude?: string[];
  vendored?: string[];
  scanVendored?: boolean;
  maxFileSize?: number | string;
  environments?: Record<string, EnvironmentSpec>;
  stores?: Record<string, string>;
  taxonomy?: { name: string; kind?: string; path?: string; origin: Origin }[];
  rules?: Record<string, RuleSetting>;
  fixtureValues?: string[];
  credentialNames?: string[];
  testPaths?: string[];
  fingerprintKey?: string;
  suppressions?: SuppressionEntry[];
}

/** The config every part of the scan reads: defaults applied. */
export interface ResolvedConfig {
  include: string[];
  exclude: string[];
  vendored: string[];
  scanVendored: boolean;
  maxFileSize: number;
  environments: Record<string, EnvironmentSpec>;
  stores: Record<string, string>;
  taxonomy: { name: string; kind?: string; path?: string; origin: Origin }[];
  rules: Record<string, RuleSetting>;
  fixtureValues: string[];
  credentialNames: string[];
  testPaths: string[];
  fingerprintKey: string;
  suppressions: SuppressionEntry[];
  /** sha256 of the user config in canonical form (no key material). */
  hash: string;
  /** Path of the config file relative to ROOT, when one was read. */
  source?: string;
}
