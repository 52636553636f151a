// Transfer of ownership. The owner proves it knows Sk_S (a wallet alone cannot give a granule away) and names the
// new owner, who must be a member. From that block the new owner authorizes and revokes; the old owner cannot, and
// licences the old owner granted lapse. Custodians follow the registry: they take deposits signed by the new owner's
// wallet and release shares for the new owner's licences, with nobody asking the old owner.
// Before its first authorization, the new owner adds its own registration leaf (claimGranuleOwnership), because an
// authorization proof shows a leaf H(α, Pk_S, σ) of the authorizing owner; authorizeGranule does it when needed.
import { parseEventLogs, type Hash } from 'viem';
import { poseidonHash } from '../identity/index';
import { deriveRegistrationSalt, registrationInput, transferInput } from '../zk/index';
import { consortiumAbi, granuleRegistryAbi } from './abi.generated';
import { ContractRevertError } from './errors';
import { describeContractError } from './revert';
import { accountOf, bindingOf, chainIdOf, proveAndSend, sendingParts, type GranuleActionParameters } from './send';

export interface TransferGranuleParameters extends GranuleActionParameters {
  /** Pk_N of the member receiving the granule. */
  newOwnerPk: bigint;
}

export interface TransferGranuleReturnType {
  alpha: bigint;
  fromPk: bigint;
  toPk: bigint;
  txHash: Hash;
  blockNumber: bigint;
  timings: { witnessMs: number; proofMs: number };
}

const revert = (name: string, ...args: unknown[]): ContractRevertError => new ContractRevertError(describeContractError(name, args), name, args);

export async function transferGranule(p: TransferGranuleParameters): Promise<TransferGranuleReturnType> {
  const account = accountOf(p.walletClient);
  p.onStage?.('checking');
  const ownerPk = poseidonHash([p.secret]);
  const [chainId, owner, nonce, consortium] = await Promise.all([
    chainIdOf(p.publicClient, p.walletClient),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [p.alpha] }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'transfersOf', args: [p.alpha] }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'consortium' }),
  ]);
  if (owner === 0n) throw revert('NotRegistered', p.alpha);
  if (owner !== ownerPk) throw revert('NotGranuleOwner', p.alpha, ownerPk);
  const member = await p.publicClient.readContract({ address: consortium, abi: consortiumAbi, functionName: 'memberOf', args: [p.newOwnerPk] });
  if (p.newOwnerPk === ownerPk || /^0x0{40}$/.test(member)) throw revert('InvalidNewOwner', p.newOwnerPk);
  const input = transferInput({
    secret: p.secret,
    alpha: p.alpha,
    newOwnerPk: p.newOwnerPk,
    nonce: BigInt(nonce),
    ...bindingOf(account, chainId, p.registry),
  });
  const { hash, receipt, timings } = await proveAndSend({
    ...sendingParts(p),
    input,
    functionName: 'transfer',
    args: [p.alpha, ownerPk, p.newOwnerPk],
  });
  return { alpha: p.alpha, fromPk: ownerPk, toPk: p.newOwnerPk, txHash: hash, blockNumber: receipt.blockNumber, timings };
}

export interface ClaimGranuleOwnershipParameters extends GranuleActionParameters {
  /** σ of the new leaf; by default ownerLeafSalt (derived from Sk, α and the transfer count). */
  salt?: bigint;
}

/** The new owner of a transferred granule adds its registration leaf H(α, Pk_N, σ) (a registration proof). */
export async function claimGranuleOwnership(
  p: ClaimGranuleOwnershipParameters,
): Promise<{ txHash: Hash; leafIndex: number; timings: { witnessMs: number; proofMs: number } }> {
  const account = accountOf(p.walletClient);
  const ownerPk = poseidonHash([p.secret]);
  const [chainId, transfers] = await Promise.all([
    chainIdOf(p.publicClient, p.walletClient),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'transfersOf', args: [p.alpha] }),
  ]);
  const input = registrationInput({
    secret: p.secret,
    alpha: p.alpha,
    salt: p.salt ?? ownerLeafSalt(p.secret, p.alpha, BigInt(transfers)),
    ...bindingOf(account, chainId, p.registry),
  });
  const [, commitment] = input.publicSignals as [bigint, bigint];
  const { hash, receipt, timings } = await proveAndSend({
    ...sendingParts(p),
    input,
    functionName: 'claimOwnership',
    args: [p.alpha, ownerPk, commitment],
  });
  const [event] = parseEventLogs({ abi: granuleRegistryAbi, logs: receipt.logs, eventName: 'OwnershipClaimed' });
  return { txHash: hash, leafIndex: Number(event?.args.leafIndex ?? -1), timings };
}

/**
 * σ of the owner's registration leaf: the registration's for the first owner; after the n-th transfer a salt derived
 * from it and n, so a granule that comes back to a former owner gets a fresh leaf (the tree mirror holds each leaf once).
 */
export function ownerLeafSalt(secret: bigint, alpha: bigint, transfers: bigint): bigint {
  const base = deriveRegistrationSalt(secret, alpha);
  return transfers === 0n ? base : poseidonHash([base, transfers]);
}
