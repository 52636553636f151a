// Starts the app's peer right after the shell has rendered, so the relay is connected before a page needs it. libp2p
// stays out of the initial bundle: the p2p chunk is a dynamic import, fetched while the runtime config loads.

const AUTOSTART_KEY = 'twingrain.network.autostart';

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

/**
 * Starts the shared node unless turned off or no relay is configured. Failures are not thrown: the Network page
 * starts the node itself on open and shows what went wrong.
 */
export function bootNetwork(): void {
  if (!networkAutostart()) return;
  performance.mark('twingrain:boot-network');
  const p2p = import('../../lib/p2p');
  void p2p
    .then((m) => m.preloadBrowserNode())
    .then(() => performance.mark('twingrain:p2p-chunk-ready'))
    .catch(() => undefined);
  // Straight from lib/config: going through the session module would first load Dexie and the identity code.
  const config = import('../../lib/config').then((m) => m.loadRuntimeConfig()).then((c) => (performance.mark('twingrain:config-ready'), c));
  void Promise.all([p2p, config])
    .then(([m, config]) => (config.relay.multiaddrs.length > 0 ? m.sharedBrowserNode(config.relay) : undefined))
    .catch(() => undefined);
}
