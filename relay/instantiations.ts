// The custodian's view of its chain: the registry it serves, read at head − confirmations (src/lib/custody/chain-view).
// A custodian no longer trusts events as they arrive: it reads the registry's state at a settled block each time it
// decides, so a registration or instantiation that a reorg removed is simply not there.
import { createPublicClient, http, type PublicClient } from 'viem';
import { createCustodyChainView, type CustodyChainView } from '../src/lib/custody';
import { RelayStartError } from './errors';

/** anvil's and hardhat's chain id: a local development chain that only the person running it mines. */
export const DEVELOPMENT_CHAIN_ID = 31337;
/**
 * Confirmations when none are configured. On the local development chain, 0: anvil automines one block per
 * transaction and nobody else mines, so any higher value would hold every deposit and release until unrelated
 * transactions happen to come, and nothing but its operator can reorganise it. On any other chain, 12 blocks.
 */
export const DEFAULT_CONFIRMATIONS = { development: 0, other: 12 } as const;

export interface CustodyChainOptions {
  rpcUrl: string;
  registry: `0x${string}`;
  /** Blocks a registration or instantiation must be under before the custodian acts on it (see DEFAULT_CONFIRMATIONS). */
  confirmations?: number;
  /** Accepted for older callers; unused since the registry records each instantiation's X25519 key itself. */
  fromBlock?: number;
  pollingIntervalMs?: number;
}

export async function connectCustodyChain(o: CustodyChainOptions): Promise<CustodyChainView> {
  const publicClient = createPublicClient({ transport: http(o.rpcUrl), pollingInterval: o.pollingIntervalMs ?? 250, cacheTime: 0 }) as PublicClient;
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (error) {
    throw new RelayStartError(
      `The custodian cannot read the chain at ${o.rpcUrl} (${(error as Error).message.split('\n')[0]}). Start the chain first or fix --rpc.`,
    );
  }
  const code = await publicClient.getCode({ address: o.registry }).catch(() => undefined);
  if (!code || code === '0x')
    throw new RelayStartError(
      `There is no GranuleRegistry at ${o.registry} on the chain at ${o.rpcUrl}: check --registry (or the runtime config) against the deployment.`,
    );
  const confirmations = o.confirmations ?? (chainId === DEVELOPMENT_CHAIN_ID ? DEFAULT_CONFIRMATIONS.development : DEFAULT_CONFIRMATIONS.other);
  try {
    return await createCustodyChainView({ publicClient, registry: o.registry, confirmations });
  } catch (error) {
    throw new RelayStartError(`The custodian cannot use the registry ${o.registry}: ${(error as Error).message.split('\n')[0]}`);
  }
}
