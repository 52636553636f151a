// Feeds the custodian's InstantiationIndex from the GranuleRegistry's Instantiated events: the history since the
// deployment block first, then new blocks as they come.
import { createPublicClient, http, parseAbiItem, type Log } from 'viem';
import type { InstantiationIndex } from '../src/lib/custody';
import { RelayStartError } from './errors';

export const INSTANTIATED_EVENT = parseAbiItem(
  'event Instantiated(uint256 indexed alpha, uint256 indexed userPk, address indexed account, bytes32 x25519PublicKey, uint256 ownerPk)',
);

export interface WatchInstantiationsOptions {
  rpcUrl: string;
  registry: `0x${string}`;
  fromBlock?: number;
  pollingIntervalMs?: number;
  index: InstantiationIndex;
}

export async function watchInstantiations(o: WatchInstantiationsOptions): Promise<{ stop(): void }> {
  const client = createPublicClient({ transport: http(o.rpcUrl), pollingInterval: o.pollingIntervalMs ?? 250 });
  const record = (logs: Array<Log<bigint, number, false, typeof INSTANTIATED_EVENT>>): void => {
    for (const log of logs) {
      const { alpha, x25519PublicKey } = log.args;
      if (alpha === undefined || !x25519PublicKey) continue;
      o.index.add(`0x${alpha.toString(16).padStart(64, '0')}`, x25519PublicKey.slice(2));
    }
  };
  let head: bigint;
  try {
    head = await client.getBlockNumber();
  } catch (error) {
    throw new RelayStartError(`The custodian cannot read the chain at ${o.rpcUrl} (${(error as Error).message.split('\n')[0]}). Start the chain first or fix --rpc.`);
  }
  record(await client.getLogs({ address: o.registry, event: INSTANTIATED_EVENT, fromBlock: BigInt(o.fromBlock ?? 0), toBlock: head }));
  const unwatch = client.watchEvent({ address: o.registry, event: INSTANTIATED_EVENT, fromBlock: head + 1n, onLogs: record, poll: true });
  return { stop: unwatch };
}
