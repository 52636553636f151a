// Starts the app's peer as the page loads, so the relay is connected before a page needs it. libp2p stays out of the
// initial bundle: the p2p chunk is a dynamic import whose files (named by index.html, see vite.config.ts) are asked for
// as this boot starts, behind the app shell's, and run right after the shell's first paint. The page's entry is this
// boot alone (main.ts). A returning visit dials the relay it used last time without waiting for the configuration
// file; when the configuration names other relays, the peer is restarted with those (sharedBrowserNode).

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
 * Starts fetching and compiling the p2p chunk's files, which index.html names (vite.config.ts), without running them;
 * the import that runs them finds them ready.
 */
function fetchP2pFiles(): void {
  const files = document.querySelector('meta[name="twingrain-p2p-files"]')?.getAttribute('content')?.split(' ') ?? [];
  for (const href of files) {
    if (!href.startsWith('/assets/')) continue;
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = href;
    document.head.append(link);
  }
}

/**
 * Resolves once the page has had the chance to paint after `shell` settled: a frame, then a task. A hidden page gets
 * no frames: it goes on at once, or after 200 ms if it is hidden meanwhile.
 */
function afterFirstPaint(shell: Promise<void>): Promise<void> {
  return shell.then(
    () =>
      new Promise<void>((resolve) => {
        if (document.visibilityState === 'hidden') return resolve();
        requestAnimationFrame(() => setTimeout(resolve, 0));
        setTimeout(resolve, 200);
      }),
  );
}

/**
 * Starts the shared node unless turned off or no relay is configured. The p2p chunk's files (named by index.html) are
 * fetched at once; the chunk runs once `shell`, the app shell's mount, has settled and painted: its evaluation and
 * libp2p's start would otherwise hold back the first paint. Failures are not thrown: the Network page starts the node
 * itself on open and shows what went wrong (a shell that failed is main.ts's to report).
 */
export function bootNetwork(shell: Promise<unknown> = Promise.resolve()): void {
  if (booted || !networkAutostart()) return;
  booted = true;
  performance.mark('twingrain:boot-network');
  // The page's first request of its own: the configuration.
  const config = loadRuntimeConfig().then((c) => (performance.mark('twingrain:config-ready'), c));
  const shellIn = shell.then(
    () => undefined,
    () => undefined,
  );
  // The p2p chunk's files are asked for at once, behind the shell's (index.html names those first): they download and
  // compile while the shell runs and paints. When the shell was 269 kB they waited for it to have run, or its first
  // paint came ~100 ms later; the shell is now small (its database, identity and wallet code load on first use).
  fetchP2pFiles();
  const painted = afterFirstPaint(shellIn);
  void painted
    .then(() => preloadBrowserNode())
    .then(() => performance.mark('twingrain:p2p-chunk-ready'))
    .catch(() => undefined);
  const remembered = rememberedRelay();
  if (remembered) void painted.then(() => sharedBrowserNode(remembered)).catch(() => undefined);
  // The configuration decides: the same relay keeps the node started above, another one restarts it.
  void Promise.all([config, painted])
    .then(([config]) => {
      remember(config.relay);
      return config.relay.multiaddrs.length > 0 ? sharedBrowserNode(config.relay) : undefined;
    })
    .catch(() => undefined);
}
