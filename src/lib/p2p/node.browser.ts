// The browser's peer: Helia (light: bitswap, and the community's own block gateways when the configuration names
// them — never public gateways or delegated routing) over libp2p with
// WebSockets to the relay, WebRTC between browsers (signalled through circuit relay v2), IndexedDB storage
// (so the peer id and fetched blocks persist), and gossipsub peer discovery through the relay.
import { createHeliaLight } from 'helia';
import { withLibp2pLight } from '@helia/libp2p';
import { withBitswap, type BitswapOptions } from '@helia/bitswap';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { webSockets } from '@libp2p/websockets';
import { webRTC, type DataChannelOptions } from '@libp2p/webrtc';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub } from '@libp2p/gossipsub';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { IDBBlockstore } from 'blockstore-idb';
import { CachedBlockstore } from './cached-blockstore';
import { IDBDatastore } from 'datastore-idb';
import { MemoryDatastore } from 'datastore-core';
import { loadPeerKey } from './peer-key';
import { noiseCryptoWithKeyStock } from './noise-keys';
import { DISCOVERY_TOPIC } from './protocols';
import { P2PError, TooManyTabsError } from './errors';
import { StatusStore } from './status';
import { serveBlocks, localBlocks } from './block-transfer';
import { useOwnBlockstore, useBlockGateways } from './block-sources';
import { serveTransferTest, runTransferTest } from './transfer-test';
import { peerIdFromString } from '@libp2p/peer-id';
import { supervise, parseRelayMultiaddrs, type Supervisor } from './supervisor';
import { blockGateways } from './gateway-blocks';

import type { NodeRelayConfig, TwingrainNode } from './node';

export interface BrowserNodeOptions {
  /**
   * IndexedDB name prefix; separate prefixes give separate peers. By default the node claims the first free peer slot
   * of this browser profile (one per open tab, see claimPeerSlot).
   */
  storePrefix?: string;
  /** WebRTC data channel settings, over the defaults below (benchmarks compare settings). */
  dataChannel?: DataChannelOptions;
  /** Bitswap settings, over the defaults below. */
  bitswap?: BitswapOptions;
  /** Transfer tests this node receives use bitswap only (benchmarks compare it with the direct block protocol). */
  bitswapOnly?: boolean;
  /** Block gateways are asked block by block only, never for a whole DAG as one CAR (benchmarks compare the two). */
  gatewayBlocksOnly?: boolean;
}

const DEFAULT_PREFIX = 'twingrain-p2p';

/**
 * Our WebRTC peers are browsers, which take data channel messages up to 256 KiB (SDP max-message-size); libp2p's 16 KiB
 * default suits go/rust peers we never meet on WebRTC. On this machine a bare RTCDataChannel moved 10 MiB on a new
 * connection in ~2.3 s with 256 KiB messages and ~4.9 s with 16 KiB ones (docs/bench/p2p.md).
 */
const DATA_CHANNEL: DataChannelOptions = { maxMessageSize: 256 * 1024 };
/** Recently written or read blocks kept in memory (a few granules' worth), see cached-blockstore.ts. */
const BLOCK_CACHE_BYTES = 48 * 1024 * 1024;
/** Tabs of one profile that can each run a peer at once; more is almost certainly a mistake. */
export const MAX_PEER_SLOTS = 8;

export interface PeerSlot {
  slot: number;
  prefix: string;
  release(): void;
}

/**
 * Tabs of one origin share IndexedDB, and the peer id lives there: two tabs on one store would be one peer id on two
 * connections, which the relay and the other peers cannot tell apart. So each tab takes the first free slot, held
 * with a Web Lock for as long as the tab lives (a closed or reloaded tab frees it): the first tab keeps the usual
 * store, a second one gets its own lasting store and peer id.
 */
export async function claimPeerSlot(): Promise<PeerSlot> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  // Without Web Locks (insecure origins) there is no way to coordinate: behave as a single tab.
  if (!locks) return { slot: 0, prefix: DEFAULT_PREFIX, release: () => undefined };
  for (let slot = 0; slot < MAX_PEER_SLOTS; slot++) {
    const release = await new Promise<(() => void) | null>((resolve) => {
      void locks.request(`twingrain-p2p-slot-${slot}`, { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(null);
        return new Promise<void>((done) => resolve(() => done()));
      });
    });
    if (release) return { slot, prefix: slot === 0 ? DEFAULT_PREFIX : `${DEFAULT_PREFIX}-tab${slot}`, release };
  }
  throw new TooManyTabsError(`${MAX_PEER_SLOTS} tabs of twingrain already run a peer-to-peer node in this browser profile. Close a tab and reload this one.`);
}

export async function createBrowserNode(relay: NodeRelayConfig, options: BrowserNodeOptions = {}): Promise<TwingrainNode> {
  parseRelayMultiaddrs(relay.multiaddrs);
  // User Timing marks: the page-load → relay path shows up in DevTools and in the benchmark's breakdown.
  performance.mark('twingrain:p2p-create');
  const slot = options.storePrefix ? { slot: 0, prefix: options.storePrefix, release: () => undefined } : await claimPeerSlot();
  const prefix = slot.prefix;
  const idb = new IDBBlockstore(`${prefix}-blocks`);
  const blockstore = new CachedBlockstore(idb, BLOCK_CACHE_BYTES);
  const datastore = new IDBDatastore(`${prefix}-data`);
  const noiseKeys = noiseCryptoWithKeyStock();
  try {
    // Two IndexedDB databases: opening them side by side is on the page-load → relay path (and so is making noise's
    // first keys, meanwhile, off the main thread).
    await Promise.all([idb.open(), datastore.open(), noiseKeys.ready]);
  } catch (error) {
    slot.release();
    throw error;
  }
  performance.mark('twingrain:p2p-stores-open');
  let privateKey: Awaited<ReturnType<typeof loadPeerKey>>;
  try {
    privateKey = await loadPeerKey(datastore);
  } catch (error) {
    slot.release();
    throw error;
  }
  performance.mark('twingrain:p2p-key-loaded');
  const status = new StatusStore({ store: { name: prefix, slot: slot.slot } });
  const withLibp2p = withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
    privateKey,
    // libp2p's peer store in memory: on IndexedDB, every protocol its services register at start was a write of
    // this peer's own record, one after another (~100 ms of the start). Browser peers' addresses change with each
    // relay reservation and the relay comes from the configuration, so nothing worth keeping was lost.
    datastore: new MemoryDatastore(),
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [
      webSockets(),
      // No STUN/TURN: peers on one machine or LAN reach each other with host candidates; elsewhere the relayed
      // connection is the fallback.
      webRTC({ rtcConfiguration: { iceServers: [] }, dataChannel: { ...DATA_CHANNEL, ...options.dataChannel } }),
      circuitRelayTransport(),
    ],
    connectionEncrypters: [noise({ crypto: noiseKeys.crypto })],
    streamMuxers: [yamux()],
    // The default gater refuses ws:// and private addresses, which is right except for the local development relay.
    connectionGater: relay.development ? { denyDialMultiaddr: async () => false } : {},
    peerDiscovery: [pubsubPeerDiscovery({ interval: 2_000, topics: [DISCOVERY_TOPIC] })],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, scoreParams: { IPColocationFactorWeight: 0 } }),
    },
  });
  // The relay is dialled as soon as libp2p has started (Helia's mixins start in order: libp2p, this, then bitswap),
  // not once all of Helia has.
  let supervisor: Supervisor | undefined;
  withLibp2p.addMixin({
    name: 'twingrain-relay',
    start: (h) => {
      supervisor ??= supervise((h as typeof withLibp2p).libp2p, { relayMultiaddrs: relay.multiaddrs, status, dialDiscovered: true });
    },
  });
  const helia = withBitswap(withLibp2p, { ...options.bitswap });
  useOwnBlockstore(helia, blockstore);
  const gateways = blockGateways(blockstore, {
    development: relay.development,
    urls: relay.gateways ?? [],
    car: options.gatewayBlocksOnly !== true,
  });
  useBlockGateways(helia, gateways);
  try {
    await helia.start();
    if (!supervisor) throw new P2PError('The peer started without watching its relay connection. Reload the page.');
  } catch (error) {
    supervisor?.stop();
    slot.release();
    throw error;
  }
  performance.mark('twingrain:p2p-started');
  const relays = supervisor;
  await serveBlocks(helia.libp2p, localBlocks(helia));
  await serveTransferTest(helia, relays.relayPeerIds, status, { blockstore, bitswapOnly: options.bitswapOnly === true });
  return {
    helia,
    libp2p: helia.libp2p,
    status,
    supervisor: relays,
    // A third argument (block size) is for benchmarks; the interface keeps the two the app uses.
    transferTest: (peerId: string, bytes: number, blockBytes?: number) =>
      runTransferTest(helia, peerIdFromString(peerId), bytes, status, { blockBytes, blockstore }),
    peerId: helia.libp2p.peerId.toString(),
    setBlockGateways: (urls) => gateways.setUrls(urls),
    async stop() {
      relays.stop();
      await helia.stop();
      // Blocks still on their way to IndexedDB land before it closes.
      await blockstore.flush().catch(() => undefined);
      await idb.close();
      await datastore.close();
      slot.release();
    },
  };
}
