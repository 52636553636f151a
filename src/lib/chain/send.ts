// Sends one GranuleRegistry transaction: simulate first (a revert becomes a sentence before anything is signed),
// then send with an explicit gas limit (eth_estimateGas underestimates the pairing check of snarkjs verifiers), then
// wait for inclusion.
import type { Account, Address, Chain, Hash, PublicClient, TransactionReceipt, WalletClient } from 'viem';
import { granuleRegistryAbi } from './abi.generated';
import { ChainConnectionError } from './errors';
import { rethrowAsRevert } from './revert';

/** Enough for a Groth16 verification (≈ 215k) plus a tree insert at the maximum depth. */
export const REGISTRY_GAS_LIMIT = 1_200_000n;

export type RegistryFunction = 'commitRegistration' | 'register' | 'authorize' | 'instantiate' | 'revoke' | 'transfer' | 'claimOwnership';

export interface SendRegistryTransactionParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  functionName: RegistryFunction;
  args: readonly unknown[];
  onSent?: (hash: Hash) => void;
  /**
   * Simulate against the pending block: a registration reveal is valid only in a block after its commitment's, and
   * the next block is where the transaction will land.
   */
  simulatePending?: boolean;
}

export function accountOf(walletClient: WalletClient): Account {
  const account = walletClient.account;
  if (!account) throw new ChainConnectionError('No wallet account is connected: unlock your identity first.');
  return account;
}

export async function sendRegistryTransaction(p: SendRegistryTransactionParameters): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  const account = accountOf(p.walletClient);
  const chain: Chain | null = p.walletClient.chain ?? null;
  const call = { address: p.registry, abi: granuleRegistryAbi, functionName: p.functionName, args: p.args, account } as never;
  try {
    await p.publicClient.simulateContract(p.simulatePending ? ({ ...(call as object), blockTag: 'pending' } as never) : call);
  } catch (error) {
    rethrowAsRevert(error);
  }
  let hash: Hash;
  try {
    hash = await p.walletClient.writeContract({ ...(call as object), chain, gas: REGISTRY_GAS_LIMIT } as never);
  } catch (error) {
    rethrowAsRevert(error);
  }
  p.onSent?.(hash);
  const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    // Someone else's transaction changed the state between simulation and inclusion: replay to learn why.
    try {
      await p.publicClient.simulateContract({ ...(call as object), blockNumber: receipt.blockNumber } as never);
    } catch (error) {
      rethrowAsRevert(error);
    }
    throw new ChainConnectionError(`The transaction ${hash} failed on chain without a reason.`);
  }
  return { hash, receipt };
}

/** Chain id of the wallet's chain (asks the node when the client has no chain set). */
export async function chainIdOf(publicClient: PublicClient, walletClient: WalletClient): Promise<number> {
  return walletClient.chain?.id ?? (await publicClient.getChainId());
}
