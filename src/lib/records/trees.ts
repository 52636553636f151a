import { syncTrees, type SyncTreesParameters, type TreeStore } from '../chain/index';
import type { TwingrainDb } from '../store/index';
import type { LeanTree } from '../zk/index';
import { treesKey } from './cursor';
import { syncRecords, type SyncRecordsParameters } from './sync';

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

export interface SyncedTreesParameters extends SyncRecordsParameters {
  /** A community node's tree snapshot for a first sync (checked against the chain's roots before use). */
  snapshot?: SyncTreesParameters['snapshot'];
}

export interface SyncedTreesReturnType {
  chainId: number;
  blockNumber: number;
  registration: LeanTree;
  authorization: LeanTree;
  /** The mirror had to be cleared on the way (chain reset, another registry, or saved trees that no longer matched). */
  reset: boolean;
}

/** Syncs the record rows and the trees; both roots equal the contract's at the returned block, or this throws. */
export async function syncedTrees(p: SyncedTreesParameters): Promise<SyncedTreesReturnType> {
  const sync = await syncRecords(p);
  const trees = await syncTrees({
    publicClient: p.publicClient,
    registry: p.registry,
    ...(p.fromBlock !== undefined ? { fromBlock: BigInt(p.fromBlock) } : {}),
    ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
    ...(p.snapshot ? { snapshot: p.snapshot } : {}),
    store: databaseTreeStore(p.db, sync.chainId),
  });
  return {
    chainId: sync.chainId,
    blockNumber: trees.blockNumber,
    registration: trees.registration,
    authorization: trees.authorization,
    reset: sync.reset || trees.reset,
  };
}
