import { get, getStr, isMap } from '../yaml/model.js';
import type { K8sResource } from './resources.js';

export type StoreProvider = 'azurekv' | 'vault' | 'aws' | 'gcpsm' | 'kubernetes' | 'fake' | 'generator' | string;

export interface StoreInfo {
  name: string;
  kind: string;
  provider: StoreProvider;
  /** AWS only: the service the store reads (`SecretsManager`, `ParameterStore`), when its definition says. */
  service?: string;
  /** Where the provider came from: a store definition in the tree, the config, or the store's name alone. */
  via: 'definition' | 'config' | 'name';
  file?: string;
  line?: number;
}

export interface StoreIndex {
  resolve(name: string | undefined, kind?: string): StoreInfo | undefined;
  all: StoreInfo[];
}

export const STORE_KINDS = ['SecretStore', 'ClusterSecretStore'];

/** Guess a provider from a store name when nothing defines it: azure-kv, akv-store, platform-vault ... */
export function providerFromName(name: string): StoreProvider | undefined {
  const n = name.toLowerCase();
  // Password managers first: their stores read from "vaults" too (onepassword-vault, bitwarden-vault).
  if (/onepassword|1password|(^|[-_])op-connect([-_]|$)/.test(n)) return 'onepassword';
  if (/bitwarden/.test(n)) return 'bitwardensecretsmanager';
  if (/doppler/.test(n)) return 'doppler';
  if (/infisical/.test(n)) return 'infisical';
  if (/akeyless/.test(n)) return 'akeyless';
  if (/(^|[-_])keeper([-_]|security|$)/.test(n)) return 'keepersecurity';
  if (/azure|(^|[-_])akv([-_]|$)|key-?vault|keyvault/.test(n)) return 'azurekv';
  if (/vault|openbao/.test(n)) return 'vault';
  if (/aws|secretsmanager|ssm/.test(n)) return 'aws';
  if (/gcp|google/.test(n)) return 'gcpsm';
  return undefined;
}

/** External Secrets Operator providers (the key under a store's spec.provider), in words. */
const PROVIDER_LABELS: Record<string, string> = {
  vault: 'Vault',
  azurekv: 'Azure Key Vault',
  aws: 'AWS Secrets Manager',
  gcpsm: 'Google Secret Manager',
  onepassword: '1Password',
  onepasswordsdk: '1Password',
  bitwardensecretsmanager: 'Bitwarden Secrets Manager',
  doppler: 'Doppler',
  infisical: 'Infisical',
  akeyless: 'Akeyless',
  keepersecurity: 'Keeper',
  conjur: 'CyberArk Conjur',
  delinea: 'Delinea',
  secretserver: 'Delinea Secret Server',
  beyondtrust: 'BeyondTrust',
  senhasegura: 'senhasegura',
  gitlab: 'GitLab CI/CD variables',
  github: 'GitHub',
  ibm: 'IBM Secrets Manager',
  oracle: 'Oracle Vault',
  alibaba: 'Alibaba KMS',
  yandexlockbox: 'Yandex Lockbox',
  yandexcertificatemanager: 'Yandex Certificate Manager',
  scaleway: 'Scaleway Secret Manager',
  cloudrusm: 'Cloud.ru Secret Manager',
  passbolt: 'Passbolt',
  passworddepot: 'Password Depot',
  pulumi: 'Pulumi ESC',
  onboardbase: 'Onboardbase',
  chef: 'Chef',
  fortanix: 'Fortanix DSM',
  device42: 'Device42',
  previder: 'Previder',
  webhook: 'a webhook store',
  kubernetes: 'another Kubernetes cluster or namespace',
  fake: 'the fake provider',
};

/** The store's provider in words: `1Password`, `AWS Parameter Store`, the raw key for one this list does not know. */
export function providerLabel(store: Pick<StoreInfo, 'provider' | 'service'>): string {
  if (store.provider === 'aws' && store.service && /parameter/i.test(store.service)) return 'AWS Parameter Store';
  return PROVIDER_LABELS[store.provider.toLowerCase()] ?? store.provider;
}

/**
 * Providers that hold no value of their own: `kubernetes` copies a Secret of the (or another) cluster, `fake` holds
 * test data, generators mint values in-cluster. Every other provider is an external store that authors what it fills.
 */
export function isExternalStoreProvider(provider: StoreProvider): boolean {
  return !['kubernetes', 'fake', 'generator'].includes(provider.toLowerCase());
}

export function buildStoreIndex(resources: readonly K8sResource[], configured: Record<string, string>): StoreIndex {
  const byName = new Map<string, StoreInfo>();
  for (const resource of resources) {
    if (!STORE_KINDS.includes(resource.kind)) continue;
    const provider = get(resource.node, 'spec.provider');
    const providerName = isMap(provider) ? provider.entries[0]?.key : undefined;
    if (!providerName || resource.name.includes('{{')) continue;
    const service = providerName === 'aws' ? getStr(resource.node, 'spec.provider.aws.service') : undefined;
    const info: StoreInfo = { name: resource.name, kind: resource.kind, provider: providerName, ...(service && !service.includes('{{') ? { service } : {}), via: 'definition', file: resource.file, line: resource.line };
    // A definition in a first-party manifest wins over one in a vendored chart.
    const existing = byName.get(resource.name);
    if (!existing || (resource.parsed.file.vendored === false && existing.file !== undefined)) byName.set(resource.name, info);
  }
  for (const [name, provider] of Object.entries(configured)) {
    byName.set(name, { name, kind: 'SecretStore', provider, via: 'config' });
  }
  return {
    all: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
    resolve(name) {
      if (!name) return undefined;
      const known = byName.get(name);
      if (known) return known;
      const guessed = providerFromName(name);
      return guessed ? { name, kind: 'SecretStore', provider: guessed, via: 'name' } : undefined;
    },
  };
}

export function storeRefOf(resource: K8sResource): { name?: string; kind?: string } {
  return { name: getStr(resource.node, 'spec.secretStoreRef.name'), kind: getStr(resource.node, 'spec.secretStoreRef.kind') };
}
