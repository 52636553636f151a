// What a custodian reads from the chain, always at one settled block: head − confirmations. A deposit or a release
// is decided on state that many blocks deep, so a reorg shallower than that cannot make a custodian act on a
// registration or an instantiation that the canonical chain no longer has. These few reads are the only place that
// knows the registry's ABI.
import type { Address, Hex, PublicClient } from 'viem';
import { consortiumAbi, granuleRegistryAbi } from '../chain/abi.generated';
import { readInstantiation } from '../chain/index';
import { readLicenceState } from '../chain/index';
import { DepositRefusedError } from './errors';

interface RegisteredManifest {
  ownerPk: bigint;
  /** Binary CID as the registry stores it, 0x-hex lowercase. */
  manifestCid: Hex;
}

interface ChainInstantiation {
  /** Seconds since the epoch (block time of the instantiation). */
  timestamp: bigint;
  /** The user's X25519 public key recorded with the instantiation, 64 hex lowercase without 0x. */
  x25519PublicKey: string;
}

export interface CustodyChainView {
  chainId: number;
  registry: Address;
  consortium: Address;
  confirmations: number;
  /** head − confirmations; every read below takes this block so one decision sees one state. */
  settledBlock(): Promise<bigint>;
  readRegisteredManifest(alpha: bigint, blockNumber: bigint): Promise<RegisteredManifest | null>;
  readOwnerAccount(ownerPk: bigint, blockNumber: bigint): Promise<Address | null>;
  readInstantiation(alpha: bigint, userPk: bigint, blockNumber: bigint): Promise<ChainInstantiation | null>;
  /** Whether (α, Pk_U)'s licence is in force at that block (granted by the current owner, not revoked, not expired). */
  readLicence(alpha: bigint, userPk: bigint, blockNumber: bigint): Promise<ChainLicence>;
}

interface ChainLicence {
  inForce: boolean;
  /** Why not, in one sentence (empty when in force). */
  reason: string;
}

export interface CreateCustodyChainViewParameters {
  publicClient: PublicClient;
  registry: Address;
  /** Blocks a registration or instantiation must be under before the custodian acts on it. */
  confirmations: number;
}

const ZERO: Address = '0x0000000000000000000000000000000000000000';

export async function createCustodyChainView(p: CreateCustodyChainViewParameters): Promise<CustodyChainView> {
  if (!Number.isInteger(p.confirmations) || p.confirmations < 0) {
    throw new RangeError(`confirmations must be a whole number of blocks (0 or more), not ${p.confirmations}.`);
  }
  const client = p.publicClient;
  const [chainId, consortium] = await Promise.all([
    client.getChainId(),
    client.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'consortium' }) as Promise<Address>,
  ]);
  const confirmations = BigInt(p.confirmations);
  return {
    chainId,
    registry: p.registry,
    consortium,
    confirmations: p.confirmations,
    async settledBlock() {
      const head = await client.getBlockNumber({ cacheTime: 0 });
      return head > confirmations ? head - confirmations : 0n;
    },
    async readRegisteredManifest(alpha, blockNumber) {
      const [ownerPk, cid] = await Promise.all([
        client.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha], blockNumber }) as Promise<bigint>,
        client
          .readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [alpha], blockNumber })
          .catch(() => '0x') as Promise<Hex>,
      ]);
      if (ownerPk === 0n || cid === '0x') return null;
      return { ownerPk, manifestCid: cid.toLowerCase() as Hex };
    },
    async readOwnerAccount(ownerPk, blockNumber) {
      const account = (await client.readContract({
        address: consortium,
        abi: consortiumAbi,
        functionName: 'memberOf',
        args: [ownerPk],
        blockNumber,
      })) as Address;
      return account === ZERO ? null : account;
    },
    async readInstantiation(alpha, userPk, blockNumber) {
      const found = await readInstantiation({ publicClient: client, registry: p.registry, alpha, userPk, blockNumber });
      return found ? { timestamp: found.timestamp, x25519PublicKey: found.x25519PublicKey.slice(2).toLowerCase() } : null;
    },
    async readLicence(alpha, userPk, blockNumber) {
      // Evaluated by the registry at that block (its time decides expiry), like every other custody decision.
      const l = await readLicenceState({ publicClient: client, registry: p.registry, alpha, userPk, blockNumber });
      if (l.inForce) return { inForce: true, reason: '' };
      const reason =
        l.commitment === 0n
          ? 'holds no licence for it'
          : l.revokedAt !== 0n
            ? 'had its licence revoked by the owner'
            : !l.fromCurrentOwner
              ? 'holds a licence from a former owner, which ended when the granule changed hands'
              : 'holds a licence that has expired';
      return { inForce: false, reason };
    },
  };
}

/** A chain read that failed is a refusal the depositor can retry, never a silent acceptance. */
export function chainUnavailable(error: unknown): DepositRefusedError {
  return new DepositRefusedError(
    'chain-unavailable',
    `This custodian cannot read the chain right now (${(error as Error).message.split('\n')[0]}). Nothing was stored; try the deposit again in a minute.`,
  );
}
