// Every registration in a block range, in ranges the RPC node accepts: what a community node publishes as its list
// of registrations (rows-snapshot.ts), kept up to date range by range.
import { getAbiItem, type Address, type PublicClient } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import { inLogRanges } from '../chain/index';
import { chainUnreachable } from './ask';
import type { Hex, RegistrationRow } from './rows';
import { toRows } from './sync';

const REGISTERED = getAbiItem({ abi: granuleRegistryAbi, name: 'Registered' });

export interface ReadRegistrationRowsParameters {
  publicClient: PublicClient;
  registry: Address;
  chainId: number;
  fromBlock: number;
  toBlock: number;
  /** Blocks per request, halved when the node refuses a range as too large. */
  batchSize?: number;
}

export async function readRegistrationRows(p: ReadRegistrationRowsParameters): Promise<RegistrationRow[]> {
  const out: RegistrationRow[] = [];
  await inLogRanges({
    fromBlock: p.fromBlock,
    toBlock: p.toBlock,
    span: p.batchSize ?? 50_000,
    read: (from, to) => p.publicClient.getLogs({ address: p.registry, event: REGISTERED, fromBlock: BigInt(from), toBlock: BigInt(to) }),
    take: (logs) => out.push(...(toRows(logs, p.chainId, p.registry.toLowerCase() as Hex) as RegistrationRow[])),
    failed: (cause) => chainUnreachable(p.publicClient, cause),
  });
  return out;
}
