// The one rebuilder of the registry's two trees, used by the CLI, the app and community nodes alike. It starts from the
// node's saved trees (its cursor), else from a community node's snapshot, else from the deployment block; reads only
// the tree events after that block; and checks both roots against the contract at the same block, so a proof is never
// made against a tree the contract would not recognise. Its cost is the events since the last sync, not the history.
import type { Address, Hex, PublicClient } from 'viem';
import { LeanTree } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { ChainConnectionError, TreeSnapshotError, TreeSnapshotRejectedError } from './errors';
import { decodeTreeSnapshot, encodeTreeSnapshot, type TreeSnapshot } from './tree-snapshot';
import { inLogRanges } from './log-ranges';
import { namedError } from '../errors/index';

export class TreeSyncError extends namedError('TreeSyncError', Error) {}

/** Where a node keeps its trees between syncs (a file for the CLI, the app database in the browser). */
export interface TreeStore {
  load(): Promise<Uint8Array | undefined>;
  save(bytes: Uint8Array): Promise<void>;
}

export interface SyncTreesParameters {
  publicClient: PublicClient;
  registry: Address;
  /** The registry's deployment block (runtime config `chain.deployBlock`). */
  fromBlock?: bigint;
  /** The node's saved trees: read first, written after every successful sync. */
  store?: TreeStore;
  /** A community node's snapshot, used when nothing usable is saved; refused unless it leads to the chain's roots. */
  snapshot?: () => Promise<Uint8Array | undefined>;
  /** Blocks per eth_getLogs request; public RPC nodes cap the range. */
  batchSize?: number;
}

export interface SyncTreesReturnType extends TreeSnapshot {
  /** What the sync started from. */
  source: 'saved' | 'snapshot' | 'events';
  /** Leaves added from events by this sync (both trees). */
  added: number;
  /** Saved trees were dropped (another chain or registry, a reset chain, or roots that no longer matched). */
  reset: boolean;
}

export type SyncTreesErrorType = ChainConnectionError | TreeSyncError | TreeSnapshotError | TreeSnapshotRejectedError;

const DEFAULT_BATCH = 50_000;
const RESAVE_AFTER_BLOCKS = 10_000n;
const TREE_EVENTS = granuleRegistryAbi.filter(
  (item) => item.type === 'event' && (item.name === 'Registered' || item.name === 'OwnershipClaimed' || item.name === 'Authorized'),
);

async function ask<T>(what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (cause) {
    throw new ChainConnectionError(`The chain does not answer: ${(cause as Error).message.split('\n')[0]}. Is the node running?`);
  }
}

interface ChainPoint {
  chainId: number;
  genesisHash: Hex;
  registry: Hex;
  head: bigint;
}

function usable(s: TreeSnapshot, at: ChainPoint): boolean {
  return s.chainId === at.chainId && s.genesisHash === at.genesisHash && s.registry === at.registry && BigInt(s.blockNumber) <= at.head;
}

interface TreeLog {
  eventName: string;
  args: { leafIndex: bigint; commitment: bigint };
}

type Leaves = { registration: { leafIndex: number; commitment: bigint }[]; authorization: { leafIndex: number; commitment: bigint }[] };

/** The tree leaves announced in [from, to], by tree. */
async function leavesIn(p: SyncTreesParameters, from: number, to: number): Promise<Leaves> {
  const logs = (await p.publicClient.getLogs({
    address: p.registry,
    events: TREE_EVENTS,
    fromBlock: BigInt(from),
    toBlock: BigInt(to),
    strict: true,
  })) as unknown as TreeLog[];
  // Only the two numbers a tree needs are kept: the decoded logs are dropped with this range.
  const leaves: Leaves = { registration: [], authorization: [] };
  for (const log of logs) {
    leaves[log.eventName === 'Authorized' ? 'authorization' : 'registration'].push({ leafIndex: Number(log.args.leafIndex), commitment: log.args.commitment });
  }
  return leaves;
}

/**
 * Appends the tree events of (base.blockNumber, head] in leaf order; a gap means the RPC node lost logs. Each range
 * goes into the trees as soon as it arrives, so memory holds one range of logs, never the history.
 */
async function appendEvents(p: SyncTreesParameters, base: TreeSnapshot, head: bigint): Promise<number> {
  let added = 0;
  const append = (leaves: Leaves): void => {
    // A transferred granule's new owner adds its own leaf (OwnershipClaimed): the registration tree holds both kinds.
    for (const name of ['registration', 'authorization'] as const) {
      const tree = base[name];
      const fresh: bigint[] = [];
      for (const entry of leaves[name].sort((a, b) => a.leafIndex - b.leafIndex)) {
        if (entry.leafIndex < tree.size) continue; // already in the snapshot (an overlapping range)
        if (entry.leafIndex !== tree.size + fresh.length)
          throw new TreeSyncError(
            `The ${name} events are incomplete (leaf ${tree.size + fresh.length} missing): the node may be pruning logs; use an archive node.`,
          );
        fresh.push(entry.commitment);
      }
      tree.insertMany(fresh);
      added += fresh.length;
    }
  };
  await inLogRanges({
    fromBlock: base.blockNumber + 1,
    toBlock: Number(head),
    span: p.batchSize ?? DEFAULT_BATCH,
    read: (from, to) => leavesIn(p, from, to),
    take: append,
    failed: (cause) => new ChainConnectionError(`The chain does not answer: ${(cause as Error).message.split('\n')[0]}. Is the node running?`),
  });
  return added;
}

async function rootsAt(p: SyncTreesParameters, blockNumber: bigint): Promise<[bigint, bigint]> {
  return ask(() =>
    Promise.all([
      p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'registrationRoot', blockNumber }),
      p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'authorizationRoot', blockNumber }),
    ]),
  );
}

function emptyAt(at: ChainPoint, fromBlock: bigint | undefined): TreeSnapshot {
  return {
    chainId: at.chainId,
    genesisHash: at.genesisHash,
    registry: at.registry,
    blockNumber: Number(fromBlock ?? 0n) - 1,
    registration: new LeanTree(),
    authorization: new LeanTree(),
  };
}

/** Brings the trees up to the chain's head and checks both roots there. */
export async function syncTrees(p: SyncTreesParameters): Promise<SyncTreesReturnType> {
  const [chainId, genesis, head] = await ask(() =>
    Promise.all([
      p.publicClient.getChainId(),
      p.publicClient.getBlock({ blockNumber: 0n }),
      // viem caches the block number for its polling interval; a mirror must see the latest block.
      p.publicClient.getBlockNumber({ cacheTime: 0 }),
    ]),
  );
  const at: ChainPoint = { chainId, genesisHash: (genesis.hash as Hex).toLowerCase() as Hex, registry: p.registry.toLowerCase() as Hex, head };
  let reset = false;
  let base: TreeSnapshot | undefined;
  let source: SyncTreesReturnType['source'] = 'events';
  const saved = p.store ? await p.store.load() : undefined;
  if (saved) {
    try {
      const decoded = decodeTreeSnapshot(saved);
      if (usable(decoded, at)) [base, source] = [decoded, 'saved'];
    } catch (error) {
      if (!(error instanceof TreeSnapshotError)) throw error;
    }
    reset = base === undefined;
  }
  if (!base && p.snapshot) {
    const bytes = await p.snapshot();
    if (bytes) {
      const offered = decodeTreeSnapshot(bytes);
      if (!usable(offered, at))
        throw new TreeSnapshotRejectedError(
          `The community's tree snapshot is for another chain, registry or a block this chain has not reached (chain ${offered.chainId}, block ${offered.blockNumber}): it was not used. Check the node it came from.`,
        );
      [base, source] = [offered, 'snapshot'];
    }
  }
  base ??= emptyAt(at, p.fromBlock);
  // Both read the state at `head`: one round trip instead of two.
  const [added, [registrationRoot, authorizationRoot]] = await Promise.all([appendEvents(p, base, head), rootsAt(p, head)]);
  if (base.registration.root !== registrationRoot || base.authorization.root !== authorizationRoot) {
    if (source === 'snapshot')
      throw new TreeSnapshotRejectedError(
        "The community's tree snapshot does not lead to the registry's roots: it is forged or damaged, and nothing was proved against it. Sync without it, or get one from another community node.",
      );
    if (source === 'saved') {
      // Saved trees that no longer match (a reorganised chain, a damaged file): rebuild once from the events.
      const rebuilt = await syncTrees({ ...p, store: undefined, snapshot: undefined });
      if (p.store) await p.store.save(encodeTreeSnapshot(rebuilt));
      return { ...rebuilt, reset: true };
    }
    throw new TreeSyncError('The trees rebuilt from events do not match the chain: refresh and try again, or use an archive RPC node.');
  }
  const synced: TreeSnapshot = { ...base, blockNumber: Number(head) };
  // Saving costs a write of every node: skip it when only empty blocks passed (the next sync reads them again cheaply).
  const stale = BigInt(synced.blockNumber) - BigInt(base.blockNumber) > RESAVE_AFTER_BLOCKS;
  if (p.store && (added > 0 || source !== 'saved' || stale)) await p.store.save(encodeTreeSnapshot(synced));
  return { ...synced, source, added, reset };
}

/** The two optional sources of syncTrees that actions pass through. */
export type TreeSources = Pick<SyncTreesParameters, 'store' | 'snapshot'>;

export interface LoadTreeParameters extends Omit<SyncTreesParameters, 'snapshot'> {
  snapshot?: SyncTreesParameters['snapshot'];
}

/** The registration tree at the head, checked against the contract. */
export async function loadRegistrationTree(p: LoadTreeParameters): Promise<{ tree: LeanTree; blockNumber: bigint }> {
  const synced = await syncTrees(p);
  return { tree: synced.registration, blockNumber: BigInt(synced.blockNumber) };
}

/** The authorization tree at the head, checked against the contract. */
export async function loadAuthorizationTree(p: LoadTreeParameters): Promise<{ tree: LeanTree; blockNumber: bigint }> {
  const synced = await syncTrees(p);
  return { tree: synced.authorization, blockNumber: BigInt(synced.blockNumber) };
}
