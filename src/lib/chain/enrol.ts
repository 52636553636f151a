// Self-enrolment in an open Consortium: prove knowledge of Sk for Pk = H(Sk), bound to the sending account, the chain
// and the Consortium, so a Pk seen in the mempool cannot be squatted by someone else (issue 12).
import type { Address, Hash, PublicClient, WalletClient } from 'viem';
import { poseidonHash } from '../identity/index';
import { enrolmentInput, toSolidityProof, type Prover, type ProofStage } from '../zk/index';
import { consortiumAbi } from './abi.generated';
import { ChainConnectionError } from './errors';
import { rethrowAsRevert } from './revert';
import { accountOf, chainIdOf, REGISTRY_GAS_LIMIT } from './send';

export interface EnrolParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  consortium: Address;
  prover: Prover;
  /** Sk of the identity to enrol. */
  secret: bigint;
  onStage?: (stage: ProofStage) => void;
}

export interface EnrolReturnType {
  pk: bigint;
  txHash: Hash;
  blockNumber: bigint;
}

export async function enrol(p: EnrolParameters): Promise<EnrolReturnType> {
  const account = accountOf(p.walletClient);
  const chainId = await chainIdOf(p.publicClient, p.walletClient);
  const input = enrolmentInput({ secret: p.secret, sender: account.address, chainId, consortium: p.consortium });
  const proved = await p.prover.prove(input, p.onStage);
  const pk = poseidonHash([p.secret]);
  const call = { address: p.consortium, abi: consortiumAbi, functionName: 'enrol', args: [pk, toSolidityProof(proved.proof)], account } as const;
  let hash: Hash;
  try {
    await p.publicClient.simulateContract(call);
    // An explicit gas limit: eth_estimateGas underestimates the verifier's pairing check (see send.ts).
    hash = await p.walletClient.writeContract({ ...call, chain: p.walletClient.chain ?? null, gas: REGISTRY_GAS_LIMIT });
  } catch (error) {
    rethrowAsRevert(error);
  }
  const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new ChainConnectionError(`The enrolment transaction ${hash} failed on chain. Try again.`);
  return { pk, txHash: hash, blockNumber: receipt.blockNumber };
}
