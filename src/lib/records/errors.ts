// Typed errors of the records mirror; each message says what happened and what to do.
export class RecordsError extends Error {
  override name = 'RecordsError';
}

/** The configured registry has no code on the chain (a fresh chain, or a config from another deployment). */
export class RegistryNotDeployedError extends RecordsError {
  override name = 'RegistryNotDeployedError';
  constructor(
    readonly registry: string,
    readonly chainId: number,
  ) {
    super(
      `No GranuleRegistry is deployed at ${registry} on chain ${chainId}: the chain was reset or the app's configuration is stale. Restart the stack (npm start) and reload the app.`,
    );
  }
}

/** A record address that this chain's mirror cannot resolve. */
export class RecordNotFoundError extends RecordsError {
  override name = 'RecordNotFoundError';
}

/** The chain does not answer. */
export class ChainUnreachableError extends RecordsError {
  override name = 'ChainUnreachableError';
  constructor(
    readonly rpcUrl: string,
    detail: string,
  ) {
    super(`The chain at ${rpcUrl} does not answer (${detail}). Check that the chain node runs and that this address is right, then try again.`);
  }
}

/** The wallet cannot act for this identity in the Consortium. */
export class MembershipError extends RecordsError {
  override name = 'MembershipError';
}

/** A prepared proof text that cannot be read. */
export class PreparedProofError extends RecordsError {
  override name = 'PreparedProofError';
}
