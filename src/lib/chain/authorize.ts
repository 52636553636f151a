// Mechanisms 3 + 4: the owner proves it registered α and authorizes a user's public key.
import { parseEventLogs, type Hash } from 'viem';
import { poseidonHash } from '../identity/index';
import { authorizationCommitment, authorizationInput, deriveAuthorizationSalt, registrationCommitment } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { ContractRevertError } from './errors';
import { formatRecordAddress, type RecordAddress } from './record';
import { describeContractError } from './revert';
import { accountOf, bindingOf, chainIdOf, proveAndSend, sendingParts, type GranuleActionParameters } from './send';
import { loadRegistrationTree, type TreeSources, TreeSyncError } from './trees';
import { LicenceTermsError, MAX_PRICE, readLicenceState } from './licence';
import { claimGranuleOwnership, ownerLeafSalt } from './transfer';

export interface AuthorizeGranuleParameters extends GranuleActionParameters {
  /** Pk_U of the user being authorized. */
  userPk: bigint;
  /** σ used at registration; by default the derived one (see registerGranule). */
  salt?: bigint;
  /** σ'; by default derived from Sk, α and Pk_U. */
  authSalt?: bigint;
  /** Licence terms, fixed on chain with the authorization: unix seconds after which it cannot be used (none: never). */
  expiresAt?: bigint | null;
  /** Price in community credit base units (1e18 per credit) the user pays at instantiation (none: free). */
  price?: bigint;
  fromBlock?: bigint;
  /** Where the node keeps its trees and where it may get a community snapshot (see syncTrees). */
  trees?: TreeSources;
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
  /** The licence terms as recorded (null: never expires; price in credit base units). */
  expiresAt: bigint | null;
  price: bigint;
  /** The registration-leaf transaction of a new owner's first authorization after a transfer. */
  claimTxHash?: Hash;
  /** Give this to the user: it carries σ', which they need to instantiate. */
  record: RecordAddress;
  recordAddress: string;
  timings: { witnessMs: number; proofMs: number };
}

export type AuthorizeGranuleErrorType = ContractRevertError | TreeSyncError | LicenceTermsError;

const revert = (name: string, ...args: unknown[]): ContractRevertError => new ContractRevertError(describeContractError(name, args), name, args);

export async function authorizeGranule(p: AuthorizeGranuleParameters): Promise<AuthorizeGranuleReturnType> {
  const account = accountOf(p.walletClient);
  p.onStage?.('checking');
  const ownerPk = poseidonHash([p.secret]);
  let authSalt = p.authSalt ?? deriveAuthorizationSalt(p.secret, p.alpha, p.userPk);
  let commitment = authorizationCommitment(p.alpha, ownerPk, p.userPk, authSalt);
  const expiresAt = p.expiresAt ?? null;
  const price = p.price ?? 0n;
  if (price < 0n || price > MAX_PRICE) throw new LicenceTermsError('The price must be between 0 and the largest price a licence can carry.');
  const [chainId, owner, already, pending, licence, block, transfers] = await Promise.all([
    chainIdOf(p.publicClient, p.walletClient),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [p.alpha] }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'isAuthorized', args: [commitment] }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerLeafPending', args: [p.alpha] }),
    readLicenceState({ publicClient: p.publicClient, registry: p.registry, alpha: p.alpha, userPk: p.userPk }),
    p.publicClient.getBlock({ blockTag: 'latest' }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'transfersOf', args: [p.alpha] }),
  ]);
  // The owner's leaf: its registration's, or after a transfer the one it claimed for that transfer.
  const salt = p.salt ?? ownerLeafSalt(p.secret, p.alpha, BigInt(transfers));
  if (owner === 0n) throw revert('NotRegistered', p.alpha);
  if (owner !== ownerPk) throw revert('NotGranuleOwner', p.alpha, ownerPk);
  if (licence.inForce) throw revert('LicenceInForce', p.alpha, p.userPk);
  if (already && p.authSalt !== undefined) throw revert('AlreadyAuthorized', commitment);
  if (already) {
    // A new licence for a user whose earlier one ended (revoked, expired, lapsed): the next unused derived σ'.
    const base = authSalt;
    for (let k = 1n; ; k++) {
      if (k > 64n) throw revert('AlreadyAuthorized', commitment);
      authSalt = poseidonHash([base, k]);
      commitment = authorizationCommitment(p.alpha, ownerPk, p.userPk, authSalt);
      const used = await p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'isAuthorized', args: [commitment] });
      if (!used) break;
    }
  }
  // The next block is at least one second later; an expiry not after it could never be used.
  if (expiresAt !== null && expiresAt <= block.timestamp + 1n) throw revert('InvalidTerms', expiresAt);
  let claimTxHash: Hash | undefined;
  if (pending) {
    // A granule received by transfer: the new owner first adds its own registration leaf.
    claimTxHash = (
      await claimGranuleOwnership({
        publicClient: p.publicClient,
        walletClient: p.walletClient,
        registry: p.registry,
        prover: p.prover,
        secret: p.secret,
        alpha: p.alpha,
        salt,
        ...(p.onStage ? { onStage: p.onStage } : {}),
      })
    ).txHash;
  }
  const synced = await loadRegistrationTree({
    publicClient: p.publicClient,
    registry: p.registry,
    ...(p.fromBlock !== undefined ? { fromBlock: p.fromBlock } : {}),
    ...p.trees,
  });
  const index = synced.tree.indexOf(registrationCommitment(p.alpha, ownerPk, salt));
  if (index < 0)
    throw new TreeSyncError('Your registration record of this granule is not in the tree: it was registered with another salt, or the events are incomplete.');
  const input = authorizationInput({
    secret: p.secret,
    alpha: p.alpha,
    salt,
    userPk: p.userPk,
    authSalt,
    proof: synced.tree.proof(index),
    root: synced.tree.root,
    ...bindingOf(account, chainId, p.registry),
  });
  const { hash, receipt, timings } = await proveAndSend({
    ...sendingParts(p),
    input,
    functionName: 'authorize',
    args: [p.alpha, ownerPk, p.userPk, synced.tree.root, commitment, expiresAt ?? 0n, price],
  });
  const [event] = parseEventLogs({ abi: granuleRegistryAbi, logs: receipt.logs, eventName: 'Authorized' });
  if (!event) throw new ContractRevertError('The authorization was included but emitted no record: the registry address may be wrong.', 'MissingEvent');
  const record: RecordAddress = { kind: 'authorization', chainId, contract: p.registry, leafIndex: Number(event.args.leafIndex), txHash: hash, authSalt };
  return {
    alpha: p.alpha,
    ownerPk,
    userPk: p.userPk,
    commitment,
    leafIndex: record.leafIndex,
    root: event.args.root,
    expiresAt,
    price,
    ...(claimTxHash ? { claimTxHash } : {}),
    txHash: hash,
    blockNumber: receipt.blockNumber,
    record,
    recordAddress: formatRecordAddress(record),
    timings: timings,
  };
}
