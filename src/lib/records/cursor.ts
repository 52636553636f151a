// Where the mirror of one chain stands: the chain's genesis hash (a different hash means the chain was reset), the
// registry it mirrors, and the last block read. Kept in the app's settings table, one entry per chain.
import type { TwingrainDb } from '../store/index';
import type { Hex } from './rows';

export interface SyncCursor {
  genesisHash: Hex;
  registry: Hex;
  /** Last block whose events are mirrored. */
  lastBlock: number;
}

export const cursorKey = (chainId: number): string => `records.cursor.${chainId}`;
/** The chain's two trees as the tree rebuilder saved them (chain/tree-snapshot.ts bytes). */
export const treesKey = (chainId: number): string => `records.trees.${chainId}`;

/** Where one identity's own records stand on one chain (records/mine.ts), one entry per chain and key. */
export const mineKeyPrefix = (chainId: number): string => `records.mine.${chainId}.`;
export const mineKey = (chainId: number, publicKey: Hex): string => `${mineKeyPrefix(chainId)}${publicKey}`;

export async function readCursor(db: TwingrainDb, chainId: number): Promise<SyncCursor | undefined> {
  const value = (await db.settings.get(cursorKey(chainId)))?.value as SyncCursor | undefined;
  return value && typeof value.genesisHash === 'string' && typeof value.lastBlock === 'number' ? value : undefined;
}
