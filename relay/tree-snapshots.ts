// A community node publishes the registry's two trees (chain/tree-snapshot.ts) so a new member can start from them
// instead of hashing the community's whole history: it keeps them in step with the chain through the same rebuilder
// every node uses (syncTrees, saved under its data folder) and serves the latest bytes at GET /trees/snapshot. It is
// trusted for nothing: every node that takes a snapshot checks it against the registry's roots. Beside it, at GET
// /records/snapshot, every registration as a list (what Discover shows), which browsers check against those trees and
// the registry's state before keeping any of it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Address, PublicClient } from 'viem';
import { syncTrees } from '../src/lib/chain/index';
import { fileTreeStore } from '../src/lib/chain/tree-store.node.ts';
import { encodeRowsSnapshot, readRegistrationRows, type RegistrationRow } from '../src/lib/records/index';

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
  // The registrations, kept in memory and extended range by range (a restart reads them again from the events).
  let rows: { list: RegistrationRow[]; blockNumber: number; genesisHash: string } | undefined;
  let latestRows: Uint8Array | undefined;
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
        if (!rows || rows.genesisHash !== synced.genesisHash || rows.blockNumber > synced.blockNumber)
          rows = { list: [], blockNumber: (o.fromBlock ?? 0) - 1, genesisHash: synced.genesisHash };
        if (synced.blockNumber > rows.blockNumber) {
          const fresh = await readRegistrationRows({
            publicClient: o.publicClient,
            registry: o.registry,
            chainId: synced.chainId,
            fromBlock: rows.blockNumber + 1,
            toBlock: synced.blockNumber,
          });
          rows.list.push(...fresh);
          rows.blockNumber = synced.blockNumber;
          if (fresh.length > 0 || !latestRows)
            latestRows = encodeRowsSnapshot({
              chainId: synced.chainId,
              genesisHash: synced.genesisHash,
              registry: synced.registry,
              blockNumber: rows.blockNumber,
              registrations: rows.list,
            });
        }
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
    if (req.method !== 'GET' || (path !== '/trees/snapshot' && path !== '/records/snapshot')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the tree snapshot is at /trees/snapshot, the registrations at /records/snapshot.\n');
      return;
    }
    const body = path === '/trees/snapshot' ? latest?.bytes : latestRows;
    if (!latest || !body) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('The trees are not synced yet: try again shortly.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': path === '/trees/snapshot' ? 'application/octet-stream' : 'application/json',
      'content-length': String(body.length),
      'x-twingrain-block': String(path === '/trees/snapshot' ? latest.blockNumber : (rows?.blockNumber ?? latest.blockNumber)),
      // Browsers of the community's app fetch it from another origin.
      'access-control-allow-origin': '*',
    });
    res.end(body);
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
