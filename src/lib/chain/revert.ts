// Turns the contracts' custom errors into sentences for the person at the screen or terminal.
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { ContractRevertError } from './errors';

const short = (v: unknown): string => {
  const s = typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v);
  return s.length > 14 ? `${s.slice(0, 8)}…${s.slice(-4)}` : s;
};

const SENTENCES: Record<string, (args: readonly unknown[]) => string> = {
  NotAMember: ([account]) => `The account ${String(account)} is not enrolled in the consortium: enrol your identity first (twingrain identity new enrols on the development chain).`,
  AlreadyRegistered: ([alpha]) => `The granule ${short(alpha)} is already registered: a granule can be registered only once.`,
  InvalidManifestCid: () => 'The manifest pointer is missing or too long: register the granule with the CID of its public manifest.',
  InvalidProof: () => 'The chain rejected the zero-knowledge proof: it was not made for this account and chain, or it was forged. Make a new proof from this account.',
  NotRegistered: ([alpha]) => `The granule ${short(alpha)} is not registered on this chain: register it before authorizing or instantiating it.`,
  NotGranuleOwner: ([alpha]) => `This identity does not own granule ${short(alpha)}: only the owner who registered it can authorize it.`,
  UnknownRoot: ([root]) => `The Merkle root ${short(root)} is unknown or too old: refresh the records from the chain and prove again.`,
  AlreadyAuthorized: () => 'This authorization was already recorded: the user can instantiate with the record they were given.',
  AlreadyInstantiated: ([alpha]) => `This identity already instantiated granule ${short(alpha)}; the key delivery for it is under way or done.`,
  TreeFull: () => 'The registry tree is full: this registry cannot take more records; the consortium must deploy a new one.',
  EnrolmentClosed: () => 'Enrolment in this consortium is closed: ask its administrator to enrol your account.',
  AlreadyEnrolled: ([account]) => `The account ${String(account)} is already enrolled.`,
  PublicKeyTaken: () => 'This public key is already enrolled under another account.',
  InvalidPublicKey: () => 'The public key is not a valid twingrain key (zero or outside the BN254 field).',
  CustodianExists: ([account]) => `${String(account)} is already a custodian.`,
  UnknownCustodian: ([account]) => `${String(account)} is not a custodian.`,
  InvalidThreshold: ([threshold, count]) => `A threshold of ${String(threshold)} is impossible with ${String(count)} custodians.`,
  AccessControlBadConfirmation: () => 'A role can only be renounced by the account that holds it, confirming its own address.',
  AccessControlUnauthorizedAccount: ([account]) => `The account ${String(account)} lacks the role this action needs (consortium administrators only).`,
};

/** One sentence for a custom error of a twingrain contract. */
export function describeContractError(errorName: string, args: readonly unknown[] = []): string {
  const sentence = SENTENCES[errorName];
  return sentence ? sentence(args) : `The contract refused the transaction (${errorName}).`;
}

/** The ContractRevertError inside a viem error, or undefined when the failure was not a contract revert. */
export function contractRevertOf(error: unknown): ContractRevertError | undefined {
  if (error instanceof ContractRevertError) return error;
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  const name = reverted.data?.errorName ?? 'unknown';
  const args = reverted.data?.args ?? [];
  return new ContractRevertError(describeContractError(name, args), name, args);
}

/** Rethrows viem failures as ContractRevertError (with the sentence) when they are reverts; others unchanged. */
export function rethrowAsRevert(error: unknown): never {
  throw contractRevertOf(error) ?? error;
}
