// What the pages share during one browser session: the runtime config, the app database, the unlocked identity and
// the connected wallet. Secrets live only here, in memory; a reload locks the identity again.
import { loadRuntimeConfig, type RuntimeConfig } from '../../lib/config';
import { openDb, type TwingrainDb } from '../../lib/store';
import { Keyring, type Identity, type StoredIdentity } from '../../lib/identity';
import type { WalletConnection } from '../../lib/wallet';

export const session = $state<{
  config: RuntimeConfig | null;
  configError: string | null;
  identity: Identity | null;
  stored: StoredIdentity | null;
  wallet: WalletConnection | null;
}>({ config: null, configError: null, identity: null, stored: null, wallet: null });

let dbPromise: Promise<TwingrainDb> | null = null;
export function db(): Promise<TwingrainDb> {
  dbPromise ??= openDb();
  dbPromise.catch(() => (dbPromise = null));
  return dbPromise;
}

export async function keyring(): Promise<Keyring> {
  return new Keyring((await db()).identities);
}

let configPromise: Promise<RuntimeConfig> | null = null;
export function runtimeConfig(): Promise<RuntimeConfig> {
  configPromise ??= loadRuntimeConfig().then(
    (config) => {
      session.config = config;
      session.configError = null;
      return config;
    },
    (error: unknown) => {
      configPromise = null;
      session.configError = error instanceof Error ? error.message : String(error);
      throw error;
    },
  );
  return configPromise;
}

export function lockIdentity(): void {
  session.identity = null;
}
