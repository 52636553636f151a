// A community node publishes the registry's two trees (chain/tree-snapshot.ts) so a new member can start from them
// instead of hashing the community's whole history: it keeps them in step with the chain through the same rebuilder
// every node uses (syncTrees, saved under its data folder) and serves the latest bytes at GET /trees/snapshot. It is
// trusted for nothing: every node that takes a snapshot checks it against the registry's roots.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Address, PublicClient } from 'viem';
import { syncTrees } from '../src/lib/chain/index';
import { fileTreeStore } from '../src/lib/chain/tree-store.node.ts';

export interface ServeTreeSnapshotsOptions {
  publicClient: PublicClient;
  registry: Address;
  fromBlock?: number;
  /** The node's data folder: its trees are saved there between runs. */
  dataDir: string;
  host?: string;
  port?: number;
  /** How often the trees follow the chain (default 15 s). */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface TreeSnapshotServer {
  /** The snapshot's address, e.g. http://127.0.0.1:18710/trees/snapshot. */
  url: string;
  /** Brings the trees up to the chain now; returns the block they stand at. */
  refresh(): Promise<number>;
  stop(): Promise<void>;
}

export async function serveTreeSnapshots(o: ServeTreeSnapshotsOptions): Promise<TreeSnapshotServer> {
  const store = fileTreeStore(join(o.dataDir, 'trees.bin'));
  let latest: { bytes: Uint8Array; blockNumber: number } | undefined;
  let running: Promise<number> | undefined;
  const refresh = (): Promise<number> => {
    running ??= (async () => {
      try {
        const synced = await syncTrees({
          publicClient: o.publicClient,
          registry: o.registry,
          ...(o.fromBlock !== undefined ? { fromBlock: BigInt(o.fromBlock) } : {}),
          store,
        });
        // The store holds exactly the synced trees (syncTrees saved them, or they did not change).
        const bytes = (await store.load()) ?? latest?.bytes;
        if (bytes) latest = { bytes, blockNumber: synced.blockNumber };
        return synced.blockNumber;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  // A chain that does not answer yet does not stop the node: it serves 503 until a later refresh succeeds.
  await refresh().catch((error: Error) => o.log?.(`tree snapshot: ${error.message}`));
  const timer = setInterval(() => {
    refresh().catch((error: Error) => o.log?.(`tree snapshot: ${error.message}`));
  }, o.intervalMs ?? 15_000);
  timer.unref();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://node').pathname;
    if (req.method !== 'GET' || path !== '/trees/snapshot') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the tree snapshot is at /trees/snapshot.\n');
      return;
    }
    if (!latest) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('The trees are not synced yet: try again shortly.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(latest.bytes.length),
      'x-twingrain-block': String(latest.blockNumber),
      // Browsers of the community's app fetch it from another origin.
      'access-control-allow-origin': '*',
    });
    res.end(latest.bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/trees/snapshot`,
    refresh,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
