// Sends one GranuleRegistry transaction: simulate first (a revert becomes a sentence before anything is signed),
// then send with an explicit gas limit (eth_estimateGas underestimates the pairing check of snarkjs verifiers), then
// wait for inclusion.
import type { Account, Address, Chain, Hash, PublicClient, TransactionReceipt, WalletClient } from 'viem';
import { toSolidityProof, type CircuitInput, type ProofStage, type Prover } from '../zk/index';
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

/** Where a proved registry action is: what the app and the CLI show while it runs. */
export type ActionStage = 'checking' | 'committing' | ProofStage | 'transaction' | 'inclusion';

export interface ProveAndSendParameters extends Omit<SendRegistryTransactionParameters, 'args' | 'onSent'> {
  prover: Prover;
  input: CircuitInput;
  /** The call's arguments after the proof, in order. */
  args: readonly unknown[];
  onStage?: (stage: ActionStage) => void;
}

/** What every proved action on a granule starts from: the clients, the registry, the prover and the actor's secret. */
export interface GranuleActionParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  prover: Prover;
  /** Sk of the identity acting (the owner's, or the new owner's when it claims a transferred granule). */
  secret: bigint;
  alpha: bigint;
  onStage?: (stage: ActionStage) => void;
}

/** What every proof is bound to: the sending account, the chain and the registry (a copied proof is worthless). */
export const bindingOf = (account: Account, chainId: number, registry: Address): { sender: Address; chainId: number; registry: Address } => ({
  sender: account.address,
  chainId,
  registry,
});

/** What proveAndSend takes as it is from an action's parameters: the clients, the registry, the prover and onStage. */
export function sendingParts(p: {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  prover: Prover;
  onStage?: ((stage: ActionStage) => void) | undefined;
}): Pick<ProveAndSendParameters, 'publicClient' | 'walletClient' | 'registry' | 'prover' | 'onStage'> {
  return { publicClient: p.publicClient, walletClient: p.walletClient, registry: p.registry, prover: p.prover, ...(p.onStage ? { onStage: p.onStage } : {}) };
}

/**
 * Proves `input`, then sends the registry call with the proof first and `args` after it, reporting the stages on the
 * way (proof stages, 'transaction', 'inclusion'): the part every proved registry action shares.
 */
export async function proveAndSend(
  p: ProveAndSendParameters,
): Promise<{ hash: Hash; receipt: TransactionReceipt; timings: { witnessMs: number; proofMs: number } }> {
  const proved = await p.prover.prove(p.input, p.onStage);
  p.onStage?.('transaction');
  const sent = await sendRegistryTransaction({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: p.registry,
    functionName: p.functionName,
    args: [toSolidityProof(proved.proof), ...p.args],
    onSent: () => p.onStage?.('inclusion'),
    ...(p.simulatePending ? { simulatePending: true } : {}),
  });
  return { ...sent, timings: proved.timings };
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
