// Mechanisms 3 + 4: the owner proves it registered α and authorizes a user's public key.
import { parseEventLogs, type Address, type Hash, type PublicClient, type WalletClient } from 'viem';
import { poseidonHash } from '../identity/index';
import { authorizationCommitment, authorizationInput, deriveAuthorizationSalt, deriveRegistrationSalt, registrationCommitment, toSolidityProof, type Prover } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { ContractRevertError } from './errors';
import { formatRecordAddress, type RecordAddress } from './record';
import type { ActionStage } from './register';
import { describeContractError } from './revert';
import { accountOf, chainIdOf, sendRegistryTransaction } from './send';
import { loadRegistrationTree, TreeSyncError } from './trees';

export interface AuthorizeGranuleParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  prover: Prover;
  /** Sk_S of the owner. */
  secret: bigint;
  alpha: bigint;
  /** Pk_U of the user being authorized. */
  userPk: bigint;
  /** σ used at registration; by default the derived one (see registerGranule). */
  salt?: bigint;
  /** σ'; by default derived from Sk, α and Pk_U. */
  authSalt?: bigint;
  fromBlock?: bigint;
  onStage?: (stage: ActionStage) => void;
}

export interface AuthorizeGranuleReturnType {
  alpha: bigint;
  ownerPk: bigint;
  userPk: bigint;
  commitment: bigint;
  leafIndex: number;
  root: bigint;
  txHash: Hash;
  blockNumber: bigint;
  /** Give this to the user: it carries σ', which they need to instantiate. */
  record: RecordAddress;
  recordAddress: string;
  timings: { witnessMs: number; proofMs: number };
}

export type AuthorizeGranuleErrorType = ContractRevertError | TreeSyncError;

const revert = (name: string, ...args: unknown[]): ContractRevertError => new ContractRevertError(describeContractError(name, args), name, args);

export async function authorizeGranule(p: AuthorizeGranuleParameters): Promise<AuthorizeGranuleReturnType> {
  const account = accountOf(p.walletClient);
  p.onStage?.('checking');
  const ownerPk = poseidonHash([p.secret]);
  const salt = p.salt ?? deriveRegistrationSalt(p.secret, p.alpha);
  const authSalt = p.authSalt ?? deriveAuthorizationSalt(p.secret, p.alpha, p.userPk);
  const commitment = authorizationCommitment(p.alpha, ownerPk, p.userPk, authSalt);
  const [chainId, owner, already, synced] = await Promise.all([
    chainIdOf(p.publicClient, p.walletClient),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [p.alpha] }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'isAuthorized', args: [commitment] }),
    loadRegistrationTree({ publicClient: p.publicClient, registry: p.registry, ...(p.fromBlock !== undefined ? { fromBlock: p.fromBlock } : {}) }),
  ]);
  if (owner === 0n) throw revert('NotRegistered', p.alpha);
  if (owner !== ownerPk) throw revert('NotGranuleOwner', p.alpha, ownerPk);
  if (already) throw revert('AlreadyAuthorized', commitment);
  const index = synced.tree.indexOf(registrationCommitment(p.alpha, ownerPk, salt));
  if (index < 0) throw new TreeSyncError('Your registration record of this granule is not in the tree: it was registered with another salt, or the events are incomplete.');
  const input = authorizationInput({
    secret: p.secret, alpha: p.alpha, salt, userPk: p.userPk, authSalt,
    proof: synced.tree.proof(index), root: synced.tree.root, sender: account.address, chainId, registry: p.registry,
  });
  const proved = await p.prover.prove(input, p.onStage);
  p.onStage?.('transaction');
  const { hash, receipt } = await sendRegistryTransaction({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: p.registry,
    functionName: 'authorize',
    args: [toSolidityProof(proved.proof), p.alpha, ownerPk, p.userPk, synced.tree.root, commitment],
    onSent: () => p.onStage?.('inclusion'),
  });
  const [event] = parseEventLogs({ abi: granuleRegistryAbi, logs: receipt.logs, eventName: 'Authorized' });
  if (!event) throw new ContractRevertError('The authorization was included but emitted no record: the registry address may be wrong.', 'MissingEvent');
  const record: RecordAddress = { kind: 'authorization', chainId, contract: p.registry, leafIndex: Number(event.args.leafIndex), txHash: hash, authSalt };
  return {
    alpha: p.alpha, ownerPk, userPk: p.userPk, commitment, leafIndex: record.leafIndex, root: event.args.root,
    txHash: hash, blockNumber: receipt.blockNumber, record, recordAddress: formatRecordAddress(record), timings: proved.timings,
  };
}
