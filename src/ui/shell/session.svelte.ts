// What the pages share during one browser session: the runtime config, the app database, the unlocked identity,
// the connected wallet, the member's display name and whether the browser is online. Secrets live in memory; only
// when the person ticks "stay unlocked for this session" does the unlocked identity go to sessionStorage, which the
// browser clears when the tab closes. The wallet choice (not a key) is remembered so a reload reconnects it.
//
// The app shell imports this module, so it stays light: the database (Dexie), the identity code (its Poseidon
// constants are decoded as it loads) and the wallet (viem) are imported when first used, after the shell has painted,
// not on the way to its first paint and the network's start (docs/bench/p2p.md, start-up).
import { loadRuntimeConfig, type RuntimeConfig } from '../../lib/config';
import type { TwingrainDb } from '../../lib/store';
import type { Identity, Keyring, StoredIdentity } from '../../lib/identity';
import type { WalletConnection } from '../../lib/wallet';

export const session = $state<{
  config: RuntimeConfig | null;
  configError: string | null;
  identity: Identity | null;
  stored: StoredIdentity | null;
  wallet: WalletConnection | null;
  /** The name this member shows others (claimed, not verified); defaults to the identity's label. */
  displayName: string;
  online: boolean;
  /** Set once the session restore (identity from sessionStorage, remembered wallet) has run. */
  restored: boolean;
}>({
  config: null,
  configError: null,
  identity: null,
  stored: null,
  wallet: null,
  displayName: '',
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  restored: false,
});

let dbPromise: Promise<TwingrainDb> | null = null;
export function db(): Promise<TwingrainDb> {
  dbPromise ??= import('../../lib/store').then((store) => store.openDb());
  dbPromise.catch(() => (dbPromise = null));
  return dbPromise;
}

export async function keyring(): Promise<Keyring> {
  const [{ Keyring }, database] = await Promise.all([import('../../lib/identity'), db()]);
  return new Keyring(database.identities);
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

const SESSION_KEY = 'twingrain.session.identity';
const WALLET_KEY = 'twingrain.wallet';
const DEV_KEY_SETTING = 'developmentAccountKey';
const profileKey = (publicKey: string) => `profile:${publicKey}`;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));

/** Makes `identity` (stored as `stored`) the unlocked one; with `keepForSession` it survives reloads of this tab. */
export async function setUnlocked(identity: Identity, stored: StoredIdentity, keepForSession: boolean): Promise<void> {
  session.identity = identity;
  session.stored = stored;
  try {
    if (keepForSession)
      sessionStorage.setItem(
        SESSION_KEY,
        JSON.stringify({ publicKey: stored.publicKey, secret: identity.secret.toString(16), x25519: hex(identity.x25519.secretKey) }),
      );
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* storage blocked: the identity stays unlocked until the next reload */
  }
  await loadDisplayName();
}

export function lockIdentity(): void {
  session.identity = null;
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* nothing kept */
  }
}

async function loadDisplayName(): Promise<void> {
  const stored = session.stored;
  if (!stored) return;
  const row = await (await db()).settings.get(profileKey(stored.publicKey));
  session.displayName = typeof row?.value === 'string' ? row.value : stored.label;
}

/** Saves the name this member shows others with their requests and granules. */
export async function setDisplayName(name: string): Promise<void> {
  const stored = session.stored;
  const clean = name.trim().slice(0, 64);
  if (!stored) throw new Error('Create or unlock an identity first: the name belongs to it.');
  if (!clean) throw new Error("Type a name, such as your workshop's name.");
  await (await db()).settings.put({ key: profileKey(stored.publicKey), value: clean });
  session.displayName = clean;
}

/** Connects the development chain's local account (its key is kept in this browser) and remembers the choice. */
export async function connectDevelopmentWallet(): Promise<void> {
  const [database, { connectDevelopmentAccount }] = await Promise.all([db(), import('../../lib/wallet')]);
  const stored = (await database.settings.get(DEV_KEY_SETTING))?.value as `0x${string}` | undefined;
  const { connection, privateKey } = await connectDevelopmentAccount((await runtimeConfig()).chain, stored);
  if (!stored) await database.settings.put({ key: DEV_KEY_SETTING, value: privateKey });
  session.wallet = connection;
  rememberWallet('development');
}

export function rememberWallet(choice: string | null): void {
  try {
    if (choice) localStorage.setItem(WALLET_KEY, choice);
    else localStorage.removeItem(WALLET_KEY);
  } catch {
    /* storage blocked: the wallet is asked for again after a reload */
  }
}

export function disconnectWallet(): void {
  session.wallet = null;
  rememberWallet(null);
}

/** After a reload: the identity kept for this session, the active identity's name, and the remembered wallet. */
export async function restoreSession(): Promise<void> {
  try {
    const ring = await keyring();
    const active = await ring.active();
    session.stored = active ?? null;
    const kept = sessionStorage.getItem(SESSION_KEY);
    if (kept && !session.identity) {
      const k = JSON.parse(kept) as { publicKey: string; secret: string; x25519: string };
      const stored = (await ring.list()).find((s) => s.publicKey === k.publicKey);
      if (stored) {
        const { identityFromSecrets } = await import('../../lib/identity');
        session.identity = identityFromSecrets(BigInt(`0x${k.secret}`), unhex(k.x25519));
        session.stored = stored;
      }
    }
    await loadDisplayName();
  } catch {
    /* nothing restored: Settings unlocks as before */
  }
  try {
    const choice = localStorage.getItem(WALLET_KEY);
    if (choice && !session.wallet) {
      const config = await runtimeConfig();
      if (choice === 'development' && config.chain.development) await connectDevelopmentWallet();
      else if (choice.startsWith('injected:')) {
        const { connectInjected, discoverWallets } = await import('../../lib/wallet');
        const wallet = (await discoverWallets()).find((w) => `injected:${w.info.rdns}` === choice);
        if (wallet) session.wallet = await connectInjected(wallet, config.chain);
      }
    }
  } catch {
    /* the wallet stays disconnected; Settings shows how to connect */
  }
  session.restored = true;
}

/** Follows the browser's online state for the header and the offline banner. */
export function watchOnline(): () => void {
  const update = () => (session.online = navigator.onLine);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
  return () => {
    window.removeEventListener('online', update);
    window.removeEventListener('offline', update);
  };
}
