// Typed failures of key custody. Messages say what happened and what to do.
import { namedError } from '../errors/index';

class CustodyError extends namedError('CustodyError', Error) {}

/** A key share that is malformed, belongs to another granule, or does not combine to the committed key. */
export class KeyShareError extends namedError('KeyShareError', CustodyError) {}

/** A sealed envelope that cannot be opened with this key (not addressed to us, or altered). */
export class SealError extends namedError('SealError', CustodyError) {}

/** Fewer than t custodians have answered. Not a failure: the caller shows "waiting for N more key holders". */
export class WaitingForKeyHoldersError extends namedError('WaitingForKeyHoldersError', CustodyError) {
  constructor(
    readonly missing: number,
    readonly threshold: number,
  ) {
    super(
      `Waiting for ${missing} more key holder${missing === 1 ? '' : 's'}: ${threshold} custodians must answer before the granule key can be rebuilt. It will continue when they come online.`,
    );
  }
}

/** Why a custodian refused a deposit. A refusal stores nothing, so it never blocks the owner's own deposit. */
export type DepositRefusalCode =
  | 'malformed' // not a deposit request, or the manifest is not a twingrain manifest
  | 'too-large' // the manifest is above the custodian's size cap
  | 'not-listed' // the manifest holds no share for this custodian
  | 'bad-signature' // the signature is not an EIP-712 custody deposit signature
  | 'not-registered' // α is not registered on the custodian's registry (at head − confirmations)
  | 'manifest-mismatch' // the chain records another manifest for α
  | 'not-owner' // the signer is not the account the Consortium binds to α's owner key
  | 'peer-cap' // this peer made too many deposits in the window
  | 'alpha-cap' // too many refused deposits for this α in the window
  | 'chain-unavailable'; // the custodian cannot read its chain right now

export class DepositRefusedError extends namedError('DepositRefusedError', CustodyError) {
  constructor(
    readonly code: DepositRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export type ReleaseRefusalCode =
  | 'malformed'
  | 'unknown-granule' // this custodian holds no deposit for α
  | 'not-instantiated' // no instantiation of (α, userPk) at head − confirmations (yet)
  | 'licence-ended' // the licence was revoked, has expired or lapsed with a transfer (at head − confirmations)
  | 'wrong-key' // the chain records another X25519 key for (α, userPk)
  | 'manifest-mismatch' // the deposit held is not for the manifest the chain records
  | 'peer-cap' // this peer has too many requests waiting
  | 'chain-unavailable';
