// Every registration in a block range, in ranges the RPC node accepts: what a community node publishes as its list
// of registrations (rows-snapshot.ts), kept up to date range by range.
import { getAbiItem, type Address, type PublicClient } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import { ask } from './ask';
import type { Hex, RegistrationRow } from './rows';
import { toRows } from './sync';

const REGISTERED = getAbiItem({ abi: granuleRegistryAbi, name: 'Registered' });
const TOO_LARGE = /size|too large|too big|too many|limit|exceed|more than/i;

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
  let span = Math.max(1, p.batchSize ?? 50_000);
  for (let start = p.fromBlock; start <= p.toBlock; ) {
    const end = Math.min(p.toBlock, start + span - 1);
    let logs: Parameters<typeof toRows>[0];
    try {
      logs = await p.publicClient.getLogs({ address: p.registry, event: REGISTERED, fromBlock: BigInt(start), toBlock: BigInt(end) });
    } catch (cause) {
      if (end > start && TOO_LARGE.test((cause as Error).message)) {
        span = Math.max(1, Math.floor((end - start + 1) / 2));
        continue;
      }
      return ask(p.publicClient, () => Promise.reject(cause));
    }
    out.push(...(toRows(logs, p.chainId, p.registry.toLowerCase() as Hex) as RegistrationRow[]));
    start = end + 1;
  }
  return out;
}
