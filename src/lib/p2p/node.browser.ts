// The browser's peer: Helia (light: bitswap only, no public gateways or delegated routing) over libp2p with
// WebSockets to the relay, WebRTC between browsers (signalled through circuit relay v2), IndexedDB storage
// (so the peer id and fetched blocks persist), and gossipsub peer discovery through the relay.
import { createHeliaLight } from 'helia';
import { withLibp2pLight } from '@helia/libp2p';
import { withBitswap } from '@helia/bitswap';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { webSockets } from '@libp2p/websockets';
import { webRTC } from '@libp2p/webrtc';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub } from '@libp2p/gossipsub';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { IDBBlockstore } from 'blockstore-idb';
import { IDBDatastore } from 'datastore-idb';
import { DISCOVERY_TOPIC } from './protocols';
import { StatusStore } from './status';
import { serveTransferTest, runTransferTest } from './transfer-test';
import { peerIdFromString } from '@libp2p/peer-id';
import { supervise, parseRelayMultiaddrs } from './supervisor';
import type { NodeRelayConfig, TwingrainNode } from './node';

export interface BrowserNodeOptions {
  /** IndexedDB name prefix; separate prefixes give separate peers (tests use one per context anyway). */
  storePrefix?: string;
}

export async function createBrowserNode(relay: NodeRelayConfig, options: BrowserNodeOptions = {}): Promise<TwingrainNode> {
  parseRelayMultiaddrs(relay.multiaddrs);
  const prefix = options.storePrefix ?? 'twingrain-p2p';
  const blockstore = new IDBBlockstore(`${prefix}-blocks`);
  const datastore = new IDBDatastore(`${prefix}-data`);
  await blockstore.open();
  await datastore.open();
  const status = new StatusStore();
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
      addresses: { listen: ['/p2p-circuit', '/webrtc'] },
      transports: [
        webSockets(),
        // No STUN/TURN: peers on one machine or LAN reach each other with host candidates; elsewhere the relayed
        // connection is the fallback.
        webRTC({ rtcConfiguration: { iceServers: [] } }),
        circuitRelayTransport(),
      ],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // The default gater refuses ws:// and private addresses, which is right except for the local development relay.
      connectionGater: relay.development ? { denyDialMultiaddr: async () => false } : {},
      peerDiscovery: [pubsubPeerDiscovery({ interval: 2_000, topics: [DISCOVERY_TOPIC] })],
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, scoreParams: { IPColocationFactorWeight: 0 } }),
      },
    }),
  );
  await helia.start();
  const supervisor = supervise(helia.libp2p, { relayMultiaddrs: relay.multiaddrs, status, dialDiscovered: true });
  await serveTransferTest(helia, supervisor.relayPeerIds, status);
  return {
    helia,
    libp2p: helia.libp2p,
    status,
    supervisor,
    transferTest: (peerId, bytes) => runTransferTest(helia, peerIdFromString(peerId), bytes, status),
    peerId: helia.libp2p.peerId.toString(),
    async stop() {
      supervisor.stop();
      await helia.stop();
      await blockstore.close();
      await datastore.close();
    },
  };
}
