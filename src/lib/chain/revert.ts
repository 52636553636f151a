// Turns the contracts' custom errors into sentences for the person at the screen or terminal.
import { BaseError, ContractFunctionRevertedError, formatUnits } from 'viem';
import { ContractRevertError } from './errors';

const short = (v: unknown): string => {
  const s = typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v);
  return s.length > 14 ? `${s.slice(0, 8)}…${s.slice(-4)}` : s;
};

const when = (v: unknown): string => (typeof v === 'bigint' ? new Date(Number(v) * 1000).toISOString() : String(v));
const credits = (v: unknown): string => (typeof v === 'bigint' ? formatUnits(v, 18) : String(v));

const SENTENCES: Record<string, (args: readonly unknown[]) => string> = {
  NotAMember: ([account]) =>
    `The account ${String(account)} is not enrolled in the consortium: enrol your identity first (twingrain identity new enrols on the development chain).`,
  NotYourPublicKey: ([pk]) =>
    `This wallet is not enrolled under the public key ${short(pk)}: an account can act only as the twingrain identity it enrolled (connect the wallet enrolled for that identity).`,
  NoCommitment: () =>
    'No registration commitment from this account matches this granule: commit first (twingrain commits before it registers), then register from the same account with the same salt.',
  CommitmentTooFresh: () =>
    'The registration commitment was mined in this same block: the registration is accepted from the next block on. Send it again in a moment.',
  CommitmentExpired: () => 'The registration commitment is older than a day and has expired: commit again, then register.',
  RateLimited: ([account, retryAt]) =>
    `The account ${String(account)} reached the registry's limit of registrations and authorizations per day: try again after ${typeof retryAt === 'bigint' ? new Date(Number(retryAt) * 1000).toISOString() : String(retryAt)}.`,
  InvalidRateLimit: () => 'The registry needs a positive number of actions per member per day.',
  AlreadyRegistered: ([alpha]) => `The granule ${short(alpha)} is already registered: a granule can be registered only once.`,
  InvalidManifestCid: () => 'The manifest pointer is missing or too long: register the granule with the CID of its public manifest.',
  InvalidProof: () =>
    'The chain rejected the zero-knowledge proof: it was not made for this account, chain and contract, or it was forged. Make a new proof from this account.',
  NotRegistered: ([alpha]) => `The granule ${short(alpha)} is not registered on this chain: register it before authorizing or instantiating it.`,
  NotGranuleOwner: ([alpha]) => `This identity does not own granule ${short(alpha)}: only its current owner can authorize, revoke or transfer it.`,
  InvalidTerms: ([expiresAt]) => `The licence would expire at ${when(expiresAt)}, which is not in the future: choose a later time, or none.`,
  LicenceInForce: () => 'This user already holds a licence for this granule that is still in force: revoke it first to grant different terms.',
  NotLicensed: () => 'This user holds no licence for this granule from its current owner: ask the owner to grant access.',
  LicenceExpired: ([, , expiresAt]) => `This licence expired at ${when(expiresAt)}: it can no longer be used. Ask the owner for a new one.`,
  RevokedLicence: ([, , revokedAt]) => `The owner revoked this licence at ${when(revokedAt)}: it can no longer be used.`,
  LicenceFromFormerOwner: () =>
    "This licence was granted by the granule's former owner and ended when the granule changed hands: ask the new owner for access.",
  PaymentNotApproved: ([price]) =>
    `This licence costs ${credits(price)} credits, and the payment was not approved: approve the payment (getting the granule does this when you accept the price).`,
  InsufficientCredit: ([price, balance]) =>
    `This licence costs ${credits(price)} credits but this account holds ${credits(balance)} credits: earn or receive credits first.`,
  PaymentFailed: () => 'The credit transfer for this licence failed: nothing was instantiated and nothing was paid.',
  AlreadyRevoked: () => 'This licence is already revoked.',
  InvalidNewOwner: () => 'The new owner must be another enrolled member: check the public key you were given.',
  NothingToClaim: () => 'This granule has no pending change of owner to take up.',
  UnknownRoot: ([root]) =>
    `The Merkle root ${short(root)} is unknown or was replaced more than an hour ago: refresh the records from the chain and prove again.`,
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
