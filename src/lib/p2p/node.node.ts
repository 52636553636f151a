// A Node peer for the CLI and tests: WebSockets to the relays plus circuit relay (so other peers can reach it
// through a relay), files under dataDir or memory. No WebRTC: node-datachannel's native build is not installed.
import './websocket-global.node.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHeliaLight } from 'helia';
import { withLibp2pLight } from '@helia/libp2p';
import { withBitswap } from '@helia/bitswap';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { webSockets } from '@libp2p/websockets';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import type { Blockstore } from 'interface-blockstore';
import type { Datastore } from 'interface-datastore';
import { StatusStore } from './status';
import { serveBlocks, localBlocks } from './block-transfer';
import { serveTransferTest, runTransferTest } from './transfer-test';
import { peerIdFromString } from '@libp2p/peer-id';
import { supervise, parseRelayMultiaddrs } from './supervisor';
import { blockGateways } from './gateway-blocks';
import { useBlockGateways } from './block-sources';
import type { NodeRelayConfig, TwingrainNode } from './node';

export interface NodeNodeOptions {
  /** Persist the peer id and blocks here; memory when absent. */
  dataDir?: string;
  /** Block gateways are asked block by block only, never for a whole DAG as one CAR (tests and benchmarks). */
  gatewayBlocksOnly?: boolean;
}

export async function createNodeNode(relay: NodeRelayConfig, options: NodeNodeOptions = {}): Promise<TwingrainNode> {
  parseRelayMultiaddrs(relay.multiaddrs);
  let blockstore: Blockstore;
  let datastore: Datastore;
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    const bs = new FsBlockstore(join(options.dataDir, 'blocks'));
    const ds = new FsDatastore(join(options.dataDir, 'datastore'));
    await bs.open();
    await ds.open();
    blockstore = bs;
    datastore = ds;
  } else {
    blockstore = new MemoryBlockstore();
    datastore = new MemoryDatastore();
  }
  const status = new StatusStore();
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
      addresses: { listen: ['/p2p-circuit'] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: relay.development ? { denyDialMultiaddr: async () => false } : {},
      services: { identify: identify(), ping: ping() },
    }),
  );
  const gateways = blockGateways(blockstore, {
    development: relay.development,
    urls: relay.gateways ?? [],
    car: options.gatewayBlocksOnly !== true,
  });
  useBlockGateways(helia, gateways);
  await helia.start();
  const supervisor = supervise(helia.libp2p, { relayMultiaddrs: relay.multiaddrs, status, dialDiscovered: false });
  await serveBlocks(helia.libp2p, localBlocks(helia));
  await serveTransferTest(helia, supervisor.relayPeerIds, status);
  return {
    helia,
    libp2p: helia.libp2p,
    status,
    supervisor,
    transferTest: (peerId, bytes) => runTransferTest(helia, peerIdFromString(peerId), bytes, status),
    peerId: helia.libp2p.peerId.toString(),
    setBlockGateways: (urls) => gateways.setUrls(urls),
    async stop() {
      supervisor.stop();
      await helia.stop();
    },
  };
}
