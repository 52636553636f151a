// Typed errors of the chain area. Messages are written for the person using the app or the CLI.
import { namedError } from '../errors/index';

export class ContractCompileError extends namedError('ContractCompileError', Error) {}

export class DeploymentError extends namedError('DeploymentError', Error) {}

export class ChainConnectionError extends namedError('ChainConnectionError', Error) {}

/** A transaction reverted with one of twingrain's custom errors; `errorName` is the Solidity error. */
export class ContractRevertError extends namedError('ContractRevertError', Error) {
  constructor(
    message: string,
    readonly errorName: string,
    readonly args: readonly unknown[] = [],
  ) {
    super(message);
  }
}

export class RecordAddressError extends namedError('RecordAddressError', Error) {}

/** A tree snapshot (saved state or a community node's) cannot be read: it is damaged or not a snapshot. */
export class TreeSnapshotError extends namedError('TreeSnapshotError', Error) {
  readonly code = 'TREE_SNAPSHOT_INVALID';
}

/**
 * A community node's tree snapshot does not lead to the roots the registry holds: it is forged, or from another chain
 * or registry. Nothing was proved against it.
 */
export class TreeSnapshotRejectedError extends namedError('TreeSnapshotRejectedError', Error) {
  readonly code = 'TREE_SNAPSHOT_REJECTED';
}
