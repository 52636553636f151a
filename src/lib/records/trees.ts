// The two lean Merkle trees rebuilt from the mirrored records, and the check that makes proving safe: the mirror
// is synced and its roots equal the contract's roots at the same block, or nothing is proved.
import type { Address } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import type { TwingrainDb } from '../store/index';
import { LeanTree } from '../zk/index';
import { IncompleteMirrorError, RootMismatchError } from './errors';
import type { AuthorizationRow, RegistrationRow, TreeName } from './rows';
import { clearChainRecords, syncRecords, type SyncRecordsParameters } from './sync';

export async function mirroredRows<K extends TreeName>(
  db: TwingrainDb,
  chainId: number,
  registry: Address,
  kind: K,
): Promise<(K extends 'registration' ? RegistrationRow : AuthorizationRow)[]> {
  const rows = (await db.records.where('[chainId+kind]').equals([chainId, kind]).toArray()) as (RegistrationRow | AuthorizationRow)[];
  const mine = rows.filter((r) => r.registry === registry.toLowerCase()).sort((a, b) => a.leafIndex - b.leafIndex);
  return mine as (K extends 'registration' ? RegistrationRow : AuthorizationRow)[];
}

/** The tree as mirrored locally (no chain access). */
export async function mirroredTree(db: TwingrainDb, chainId: number, registry: Address, tree: TreeName): Promise<LeanTree> {
  const result = new LeanTree();
  for (const row of await mirroredRows(db, chainId, registry, tree)) {
    if (row.leafIndex !== result.size) throw new IncompleteMirrorError(tree, result.size);
    result.insert(BigInt(row.commitment));
  }
  return result;
}

export interface SyncedTreesReturnType {
  chainId: number;
  blockNumber: number;
  registration: LeanTree;
  authorization: LeanTree;
  /** The mirror had to be cleared on the way (chain reset, another registry, or a mismatch that a rebuild fixed). */
  reset: boolean;
}

export type SyncedTreesErrorType =
  | RootMismatchError
  | IncompleteMirrorError
  | import('./errors').ChainUnreachableError
  | import('./errors').RegistryNotDeployedError;

/**
 * Syncs the mirror and checks both roots against the contract at the synced block. A mismatch clears the chain's
 * mirror and rebuilds it once from the deployment block; a second mismatch is an error (no proof would verify).
 */
export async function syncedTrees(p: SyncRecordsParameters): Promise<SyncedTreesReturnType> {
  let reset = false;
  for (let attempt = 0; ; attempt++) {
    const sync = await syncRecords(p);
    reset ||= sync.reset;
    try {
      const [registration, authorization, onChain] = await Promise.all([
        mirroredTree(p.db, sync.chainId, p.registry, 'registration'),
        mirroredTree(p.db, sync.chainId, p.registry, 'authorization'),
        Promise.all([
          p.publicClient.readContract({
            address: p.registry,
            abi: granuleRegistryAbi,
            functionName: 'registrationRoot',
            blockNumber: BigInt(sync.blockNumber),
          }),
          p.publicClient.readContract({
            address: p.registry,
            abi: granuleRegistryAbi,
            functionName: 'authorizationRoot',
            blockNumber: BigInt(sync.blockNumber),
          }),
        ]),
      ]);
      const [registrationRoot, authorizationRoot] = onChain;
      if (registration.root !== registrationRoot) throw new RootMismatchError('registration', registration.root, registrationRoot);
      if (authorization.root !== authorizationRoot) throw new RootMismatchError('authorization', authorization.root, authorizationRoot);
      return { chainId: sync.chainId, blockNumber: sync.blockNumber, registration, authorization, reset };
    } catch (error) {
      if (attempt > 0 || !(error instanceof RootMismatchError || error instanceof IncompleteMirrorError)) throw error;
      await clearChainRecords(p.db, sync.chainId);
      reset = true;
    }
  }
}
