// Membership in the Consortium is the precondition of every sharing action (the registry refuses non-members). On
// a chain with open enrolment the app enrols the wallet under the identity's Pk itself, with a proof that it knows Sk
// (so nobody can squat the Pk); otherwise it says whom to ask.
import type { Address, Hash, PublicClient, WalletClient } from 'viem';
import { consortiumAbi } from '../chain/abi.generated';
import { enrol } from '../chain/index';
import { poseidonHash } from '../identity/index';
import type { Prover } from '../zk/index';
import { MembershipError } from './errors';

export interface EnsureMembershipParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  consortium: Address;
  /** Sk of the identity: the enrolment proves knowledge of it. Pk = H(Sk). */
  secret: bigint;
  /** Makes the enrolment proof (only used when the account must enrol). */
  prover: Prover;
}

export interface EnsureMembershipReturnType {
  /** The enrolment transaction, when this call enrolled the account. */
  txHash: Hash | undefined;
}

export async function ensureMembership(p: EnsureMembershipParameters): Promise<EnsureMembershipReturnType> {
  const account = p.walletClient.account;
  if (!account) throw new MembershipError('No wallet is connected: connect a wallet first, then try again.');
  const publicKey = poseidonHash([p.secret]);
  const [enrolledPk, holder, open] = await Promise.all([
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'pkOf', args: [account.address] }),
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'memberOf', args: [publicKey] }),
    p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'openEnrolment' }),
  ]);
  if (enrolledPk === publicKey) return { txHash: undefined };
  if (enrolledPk !== 0n) {
    throw new MembershipError(
      `The wallet ${account.address} is enrolled under another twingrain identity. Switch to that identity, or connect another wallet for this one.`,
    );
  }
  if (holder !== '0x0000000000000000000000000000000000000000') {
    throw new MembershipError(`This identity is enrolled with the wallet ${holder}. Connect that wallet to share with this identity.`);
  }
  if (!open)
    throw new MembershipError(
      `The wallet ${account.address} is not a member of this consortium and enrolment is closed: ask its administrator to enrol it with your public key.`,
    );
  const { txHash } = await enrol({ publicClient: p.publicClient, walletClient: p.walletClient, consortium: p.consortium, prover: p.prover, secret: p.secret });
  return { txHash };
}
