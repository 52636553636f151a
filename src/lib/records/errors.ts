// Typed errors of the records mirror; each message says what happened and what to do.
import { namedError } from '../errors/index';

class RecordsError extends namedError('RecordsError', Error) {}

/** The configured registry has no code on the chain (a fresh chain, or a config from another deployment). */
export class RegistryNotDeployedError extends namedError('RegistryNotDeployedError', RecordsError) {
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
export class RecordNotFoundError extends namedError('RecordNotFoundError', RecordsError) {}

/** The chain does not answer. */
export class ChainUnreachableError extends namedError('ChainUnreachableError', RecordsError) {
  constructor(
    readonly rpcUrl: string,
    detail: string,
  ) {
    super(`The chain at ${rpcUrl} does not answer (${detail}). Check that the chain node runs and that this address is right, then try again.`);
  }
}

/** The wallet cannot act for this identity in the Consortium. */
export class MembershipError extends namedError('MembershipError', RecordsError) {}

/** A prepared proof text that cannot be read. */
export class PreparedProofError extends namedError('PreparedProofError', RecordsError) {}

/** A community node's list of registrations that does not match the chain, or cannot be read: nothing of it is kept. */
export class RowsSnapshotRejectedError extends namedError('RowsSnapshotRejectedError', RecordsError) {}
