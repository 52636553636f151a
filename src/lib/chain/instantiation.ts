// What the chain records for an instantiation: when Pk_U instantiated α and the X25519 key the granule key is to be
// sealed to. Custodians read it (at head − confirmations) before releasing a key share.
import type { Address, Hex, PublicClient } from 'viem';
import { granuleRegistryAbi } from './abi.generated';

export interface ReadInstantiationParameters {
  publicClient: PublicClient;
  registry: Address;
  alpha: bigint;
  userPk: bigint;
  /** Read the state at this block (a custodian reads at head − confirmations); latest by default. */
  blockNumber?: bigint;
}

export interface Instantiation {
  /** Block timestamp of the instantiation, in seconds. */
  timestamp: bigint;
  x25519PublicKey: Hex;
}

/** The recorded instantiation of α by Pk_U, or null when there is none (at that block). */
export async function readInstantiation(p: ReadInstantiationParameters): Promise<Instantiation | null> {
  const [timestamp, x25519PublicKey] = await p.publicClient.readContract({
    address: p.registry,
    abi: granuleRegistryAbi,
    functionName: 'instantiationOf',
    args: [p.alpha, p.userPk],
    ...(p.blockNumber !== undefined ? { blockNumber: p.blockNumber } : {}),
  });
  return timestamp === 0n ? null : { timestamp, x25519PublicKey };
}
