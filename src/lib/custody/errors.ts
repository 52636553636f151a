// Typed failures of key custody. Messages say what happened and what to do.
export class CustodyError extends Error {
  override name = 'CustodyError';
}

/** A key share that is malformed, belongs to another granule, or does not combine to the committed key. */
export class KeyShareError extends CustodyError {
  override name = 'KeyShareError';
}

/** A sealed envelope that cannot be opened with this key (not addressed to us, or altered). */
export class SealError extends CustodyError {
  override name = 'SealError';
}

/** Fewer than t custodians have answered. Not a failure: the caller shows "waiting for N more key holders". */
export class WaitingForKeyHoldersError extends CustodyError {
  override name = 'WaitingForKeyHoldersError';
  constructor(readonly missing: number, readonly threshold: number) {
    super(`Waiting for ${missing} more key holder${missing === 1 ? '' : 's'}: ${threshold} custodians must answer before the granule key can be rebuilt. It will continue when they come online.`);
  }
}

/** A custodian refused to release its share (no instantiation on chain for this user). */
export class ReleaseRefusedError extends CustodyError {
  override name = 'ReleaseRefusedError';
}
