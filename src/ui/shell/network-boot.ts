// Starts the app's peer as the page loads, so the relay is connected before a page needs it. libp2p stays out of the
// initial bundle: the p2p chunk is a dynamic import. The page's entry is this boot alone (main.ts, boot.ts): the chunk
// is asked for as soon as the first script runs, while the rest of the shell downloads beside it. A returning visit dials the relay it used last time
// without waiting for the configuration file; when the configuration names other relays, the peer is restarted with
// those (sharedBrowserNode).

// Both statically: small (the browser peer's starter, not the p2p area's index; lib/config, not the session module,
// which would bring Dexie and the identity code), and in the entry chunk they cost no extra round trip.
import { preloadBrowserNode, sharedBrowserNode } from '../../lib/p2p/browser-peer/index';
import { loadRuntimeConfig } from '../../lib/config/index';

const AUTOSTART_KEY = 'twingrain.network.autostart';
const RELAY_KEY = 'twingrain.network.relay';

/** "Connect to the network at start" (Settings); on unless the person turned it off. */
export function networkAutostart(): boolean {
  try {
    return localStorage.getItem(AUTOSTART_KEY) !== 'off';
  } catch {
    return true; // storage blocked: keep the default
  }
}

export function setNetworkAutostart(on: boolean): void {
  localStorage.setItem(AUTOSTART_KEY, on ? 'on' : 'off');
}

interface RelaySettings {
  multiaddrs: string[];
  development: boolean;
}

/** The relay settings of the last configuration this browser loaded, if any (shape checked: storage is not trusted). */
function rememberedRelay(): RelaySettings | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(RELAY_KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return undefined;
    const { multiaddrs, development } = value as Record<string, unknown>;
    if (!Array.isArray(multiaddrs) || multiaddrs.length === 0 || !multiaddrs.every((m) => typeof m === 'string' && m.startsWith('/'))) return undefined;
    if (typeof development !== 'boolean') return undefined;
    return { multiaddrs: multiaddrs as string[], development };
  } catch {
    return undefined;
  }
}

function remember(relay: RelaySettings): void {
  try {
    if (relay.multiaddrs.length > 0) localStorage.setItem(RELAY_KEY, JSON.stringify({ multiaddrs: relay.multiaddrs, development: relay.development }));
    else localStorage.removeItem(RELAY_KEY);
  } catch {
    // storage blocked: every visit waits for the configuration
  }
}

let booted = false;

/**
 * Starts the shared node unless turned off or no relay is configured. Failures are not thrown: the Network page
 * starts the node itself on open and shows what went wrong.
 */
export function bootNetwork(): void {
  if (booted || !networkAutostart()) return;
  booted = true;
  performance.mark('twingrain:boot-network');
  // The first requests of the page, before the app shell's modules queue up on the same few connections: the
  // configuration, then the p2p chunk.
  const config = loadRuntimeConfig().then((c) => (performance.mark('twingrain:config-ready'), c));
  void preloadBrowserNode()
    .then(() => performance.mark('twingrain:p2p-chunk-ready'))
    .catch(() => undefined);
  const remembered = rememberedRelay();
  if (remembered) void sharedBrowserNode(remembered).catch(() => undefined);
  // The configuration decides: the same relay keeps the node started above, another one restarts it.
  void config
    .then((config) => {
      remember(config.relay);
      return config.relay.multiaddrs.length > 0 ? sharedBrowserNode(config.relay) : undefined;
    })
    .catch(() => undefined);
}
