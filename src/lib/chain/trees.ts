// Rebuilds the registry's two trees from its events and checks the root against the chain at the same block,
// so a proof is never made against a tree the contract would not recognise.
import { parseEventLogs, type Address, type PublicClient } from 'viem';
import { LeanTree } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { ChainConnectionError } from './errors';

export class TreeSyncError extends Error {
  override name = 'TreeSyncError';
}

export interface RegistrationEntry {
  alpha: bigint;
  ownerPk: bigint;
  commitment: bigint;
  leafIndex: number;
  /** The public manifest's CID; 0x for a new owner's leaf after a transfer (the manifest stays the registration's). */
  manifestCid: `0x${string}`;
  blockNumber: bigint;
  txHash: `0x${string}`;
}

export interface AuthorizationEntry {
  alpha: bigint;
  ownerPk: bigint;
  userPk: bigint;
  commitment: bigint;
  leafIndex: number;
  blockNumber: bigint;
  txHash: `0x${string}`;
}

export interface LoadTreeParameters {
  publicClient: PublicClient;
  registry: Address;
  /** The registry's deployment block (runtime config `chain.deployBlock`). */
  fromBlock?: bigint;
}

async function head(publicClient: PublicClient): Promise<bigint> {
  try {
    // viem caches the block number for its polling interval; a mirror must see the latest block.
    return await publicClient.getBlockNumber({ cacheTime: 0 });
  } catch (cause) {
    throw new ChainConnectionError(`The chain does not answer: ${(cause as Error).message.split('\n')[0]}. Is the node running?`);
  }
}

function buildTree(leaves: { commitment: bigint; leafIndex: number }[], what: string): LeanTree {
  const tree = new LeanTree();
  for (const entry of leaves) {
    if (entry.leafIndex !== tree.size)
      throw new TreeSyncError(`The ${what} events are incomplete (leaf ${tree.size} missing): the node may be pruning logs; use an archive node.`);
    tree.insert(entry.commitment);
  }
  return tree;
}

export async function loadRegistrationTree(p: LoadTreeParameters): Promise<{ tree: LeanTree; entries: RegistrationEntry[]; blockNumber: bigint }> {
  const blockNumber = await head(p.publicClient);
  const logs = await p.publicClient.getLogs({ address: p.registry, fromBlock: p.fromBlock ?? 0n, toBlock: blockNumber });
  // A transferred granule's new owner adds its own leaf (OwnershipClaimed): the tree holds both kinds, in leaf order.
  const entries = parseEventLogs({ abi: granuleRegistryAbi, logs, eventName: ['Registered', 'OwnershipClaimed'] })
    .map((log) => ({
      alpha: log.args.alpha,
      ownerPk: log.args.ownerPk,
      commitment: log.args.commitment,
      leafIndex: Number(log.args.leafIndex),
      manifestCid: 'manifestCid' in log.args ? log.args.manifestCid : ('0x' as const),
      blockNumber: log.blockNumber,
      txHash: log.transactionHash,
    }))
    .sort((a, b) => a.leafIndex - b.leafIndex);
  const tree = buildTree(entries, 'registration');
  const root = await p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'registrationRoot', blockNumber });
  if (root !== tree.root) throw new TreeSyncError('The registration tree rebuilt from events does not match the chain: refresh and try again.');
  return { tree, entries, blockNumber };
}

export async function loadAuthorizationTree(p: LoadTreeParameters): Promise<{ tree: LeanTree; entries: AuthorizationEntry[]; blockNumber: bigint }> {
  const blockNumber = await head(p.publicClient);
  const logs = await p.publicClient.getLogs({ address: p.registry, fromBlock: p.fromBlock ?? 0n, toBlock: blockNumber });
  const entries = parseEventLogs({ abi: granuleRegistryAbi, logs, eventName: 'Authorized' }).map((log) => ({
    alpha: log.args.alpha,
    ownerPk: log.args.ownerPk,
    userPk: log.args.userPk,
    commitment: log.args.commitment,
    leafIndex: Number(log.args.leafIndex),
    blockNumber: log.blockNumber,
    txHash: log.transactionHash,
  }));
  const tree = buildTree(entries, 'authorization');
  const root = await p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'authorizationRoot', blockNumber });
  if (root !== tree.root) throw new TreeSyncError('The authorization tree rebuilt from events does not match the chain: refresh and try again.');
  return { tree, entries, blockNumber };
}
