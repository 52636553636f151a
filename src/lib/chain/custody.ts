// The key custody a Consortium lists on chain: its custodians' X25519 keys in on-chain order (the order in which an
// owner seals the key shares) and the threshold t of shares that rebuild a granule key. The CLI reads it before
// publishing a granule; the Share page reads the same two values.
import { hexToBytes, type Address, type PublicClient } from 'viem';
import { consortiumAbi } from './abi.generated';

export interface ReadCustodyParameters {
  publicClient: PublicClient;
  consortium: Address;
}

export interface ConsortiumCustodian {
  account: Address;
  /** 32 bytes. */
  x25519PublicKey: Uint8Array;
}

export interface ReadCustodyReturnType {
  threshold: number;
  /** In the order the Consortium lists them. */
  custodians: ConsortiumCustodian[];
}

export async function readCustody(p: ReadCustodyParameters): Promise<ReadCustodyReturnType> {
  const [custodians, threshold] = await Promise.all([
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'custodians' }),
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'threshold' }),
  ]);
  return {
    threshold: Number(threshold),
    custodians: custodians.map((c) => ({ account: c.account, x25519PublicKey: hexToBytes(c.x25519PublicKey) })),
  };
}
