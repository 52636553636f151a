// Membership in the Consortium is the precondition of every sharing action (the registry refuses non-members). On
// a chain with open enrolment the app enrols the wallet under the identity's Pk itself; otherwise it says whom to ask.
import type { Address, Hash, PublicClient, WalletClient } from 'viem';
import { consortiumAbi } from '../chain/abi.generated';
import { rethrowAsRevert } from '../chain/revert';
import { MembershipError } from './errors';

export interface EnsureMembershipParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  consortium: Address;
  publicKey: bigint;
}

export interface EnsureMembershipReturnType {
  /** The enrolment transaction, when this call enrolled the account. */
  txHash: Hash | undefined;
}

export type EnsureMembershipErrorType = MembershipError | import('../chain/errors').ContractRevertError;

export async function ensureMembership(p: EnsureMembershipParameters): Promise<EnsureMembershipReturnType> {
  const account = p.walletClient.account;
  if (!account) throw new MembershipError('No wallet is connected: connect one on the Settings page first.');
  const [enrolledPk, holder, open] = await Promise.all([
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'pkOf', args: [account.address] }),
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'memberOf', args: [p.publicKey] }),
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'openEnrolment' }),
  ]);
  if (enrolledPk === p.publicKey) return { txHash: undefined };
  if (enrolledPk !== 0n) {
    throw new MembershipError(`The wallet ${account.address} is enrolled under another twingrain identity. Switch to that identity, or connect another wallet for this one.`);
  }
  if (holder !== '0x0000000000000000000000000000000000000000') {
    throw new MembershipError(`This identity is enrolled with the wallet ${holder}. Connect that wallet to share with this identity.`);
  }
  if (!open) throw new MembershipError(`The wallet ${account.address} is not a member of this consortium and enrolment is closed: ask its administrator to enrol it with your public key.`);
  const call = { address: p.consortium, abi: consortiumAbi, functionName: 'enrol', args: [p.publicKey], account } as const;
  let hash: Hash;
  try {
    await p.publicClient.simulateContract(call);
    hash = await p.walletClient.writeContract({ ...call, chain: p.walletClient.chain ?? null });
  } catch (error) {
    rethrowAsRevert(error);
  }
  const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new MembershipError(`The enrolment transaction ${hash} failed on chain. Try again.`);
  return { txHash: hash };
}
