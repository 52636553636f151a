// The two trees the app proves against, and the check that makes proving safe: the chain area's one tree rebuilder
// (chain/trees.ts), with the app database as the place it keeps the trees between syncs, so a returning tab reads only
// the events since its last sync. Proving needs the trees and nothing else: the record rows (a member's lists,
// records/mine.ts; Discover's catalog, records/sync.ts) are synced apart, so a first visit is ready to prove after
// a snapshot and the events since it, not after the community's whole history.
import { httpTreeSnapshot, syncTrees, type SyncTreesParameters, type TreeStore } from '../chain/index';
import type { TwingrainDb } from '../store/index';
import type { LeanTree } from '../zk/index';
import { treesKey } from './cursor';
import type { Address, PublicClient } from 'viem';
import { ask } from './ask';

/** The app database's settings table as the tree rebuilder's store (one entry per chain). */
export function databaseTreeStore(db: TwingrainDb, chainId: number): TreeStore {
  return {
    load: async () => {
      const value = (await db.settings.get(treesKey(chainId)))?.value;
      return value instanceof Uint8Array ? value : undefined;
    },
    save: async (bytes) => {
      await db.settings.put({ key: treesKey(chainId), value: bytes });
    },
  };
}

export interface SyncedTreesParameters {
  db: TwingrainDb;
  publicClient: PublicClient;
  registry: Address;
  /** The registry's deployment block (runtime config `chain.deployBlock`). */
  fromBlock?: number;
  /** Blocks per eth_getLogs request; public RPC nodes cap the range. */
  batchSize?: number;
  /** A community node's tree snapshot for a first sync (checked against the chain's roots before use). */
  snapshot?: SyncTreesParameters['snapshot'];
  /** The same, by its address (the runtime config's `trees.snapshot`): fetched only when nothing is saved. */
  snapshotUrl?: string;
}

export interface SyncedTreesReturnType {
  chainId: number;
  blockNumber: number;
  registration: LeanTree;
  authorization: LeanTree;
  /** The saved trees were dropped on the way (chain reset, another registry, or trees that no longer matched). */
  reset: boolean;
  /** What the trees started from: this browser's saved trees, a community node's snapshot, or every event. */
  source: 'saved' | 'snapshot' | 'events';
}

/** Syncs the trees; both roots equal the contract's at the returned block, or this throws. */
export async function syncedTrees(p: SyncedTreesParameters): Promise<SyncedTreesReturnType> {
  const chainId = await ask(p.publicClient, () => p.publicClient.getChainId());
  const trees = await syncTrees({
    publicClient: p.publicClient,
    registry: p.registry,
    ...(p.fromBlock !== undefined ? { fromBlock: BigInt(p.fromBlock) } : {}),
    ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
    ...(p.snapshot ? { snapshot: p.snapshot } : p.snapshotUrl ? { snapshot: httpTreeSnapshot(p.snapshotUrl) } : {}),
    store: databaseTreeStore(p.db, chainId),
  });
  return {
    chainId,
    blockNumber: trees.blockNumber,
    registration: trees.registration,
    authorization: trees.authorization,
    reset: trees.reset,
    source: trees.source,
  };
}
