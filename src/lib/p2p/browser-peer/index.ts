// The app's browser peer, started from a small module of its own: the shell's network boot imports this before
// anything else of the p2p area (whose index carries publishing, retrieval and the catalog), so asking for the
// libp2p chunk is one short hop from page load. libp2p and Helia stay in their own chunk (node.browser.ts).
import type { NodeRelayConfig, TwingrainNode } from '../node';
import type { BrowserNodeOptions } from '../node.browser';

let browserModule: Promise<typeof import('../node.browser')> | undefined;
/** Starts downloading and compiling the p2p chunk without starting a node (the shell does this while it fetches the config). */
export function preloadBrowserNode(): Promise<unknown> {
  browserModule ??= import('../node.browser');
  browserModule.catch(() => (browserModule = undefined));
  return browserModule;
}

export async function loadBrowserNode(relay: NodeRelayConfig, options?: BrowserNodeOptions): Promise<TwingrainNode> {
  await preloadBrowserNode();
  const { createBrowserNode } = await browserModule!;
  return createBrowserNode(relay, options);
}

let shared: { relay: string; node: Promise<TwingrainNode> } | undefined;

/**
 * The app's one peer, started on first use (the shell calls this at boot, unless the person turned that off, so the
 * relay is connected before any page needs it). Each tab of the app gets its own peer (see node.browser.ts). A failed
 * start is not cached: the next call tries again. Asked with other relays than it runs with (the shell starts it with
 * the relay it remembers, before the configuration has arrived, and the configuration has since changed), the peer
 * is stopped and started again with those: same store, same peer id.
 */
export function sharedBrowserNode(relay: NodeRelayConfig): Promise<TwingrainNode> {
  const key = JSON.stringify([relay.multiaddrs, relay.development === true]);
  if (shared && shared.relay !== key) {
    const previous = shared.node;
    shared = undefined;
    // The old peer must let go of its store and its tab's slot before the new one claims them.
    const stopped = previous.then(
      (n) => n.stop(),
      () => undefined,
    );
    return start(
      key,
      stopped.then(() => loadBrowserNode(relay)),
    );
  }
  const node = shared?.node ?? start(key, loadBrowserNode(relay));
  // Gateways change without a restart: the shell may have started the peer before the configuration named them.
  const gateways = relay.gateways;
  return gateways
    ? node.then((n) => {
        n.setBlockGateways(gateways);
        return n;
      })
    : node;
}

function start(relay: string, node: Promise<TwingrainNode>): Promise<TwingrainNode> {
  const entry = { relay, node };
  shared = entry;
  node.catch(() => {
    if (shared === entry) shared = undefined;
  });
  return node;
}
