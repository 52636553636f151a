// A bare libp2p peer on the authorization topic, for mailbox tests: what an app or an attacker runs, without the
// app's client checks. One place, so the dial retry and the mesh wait are the same in every mailbox test.
import { createLibp2p, type Libp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { AUTH_TOPIC } from '../../src/lib/p2p/index';
import type { RunningRelay } from '../relay';

/** A peer dialled to `relay` (kept in `peers` for stopping). */
export async function gossipPeer(relay: RunningRelay, peers: Libp2p[]): Promise<Libp2p> {
  const node = await createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: async () => false },
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, scoreParams: { IPColocationFactorWeight: 0 } }) },
  });
  peers.push(node);
  // The relay accepts at most 5 new connections a second from one host (libp2p's inboundConnectionThreshold), and
  // every peer of a test is on 127.0.0.1: a refused dial is tried again, as the app's supervisor does.
  for (let attempt = 1; ; attempt++) {
    try {
      await node.dial(multiaddr(relay.multiaddrs[0]!));
      return node;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 1_100));
    }
  }
}

/** Resolves once the relay lists `node` as subscribed to the topic (the mesh needs a heartbeat or two). */
export async function meshed(node: Libp2p, relay: RunningRelay): Promise<void> {
  const pubsub = node.services.pubsub as { getSubscribers(topic: string): Array<{ toString(): string }> };
  for (let i = 0; i < 100; i++) {
    if (pubsub.getSubscribers(AUTH_TOPIC).some((p) => p.toString() === relay.peerId)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the relay never appeared subscribed to the authorization topic');
}
