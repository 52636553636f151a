// Typed errors of the chain area. Messages are written for the person using the app or the CLI.
export class ContractCompileError extends Error {
  override name = 'ContractCompileError';
}

export class DeploymentError extends Error {
  override name = 'DeploymentError';
}

export class ChainConnectionError extends Error {
  override name = 'ChainConnectionError';
}

/** A transaction reverted with one of twingrain's custom errors; `errorName` is the Solidity error. */
export class ContractRevertError extends Error {
  override name = 'ContractRevertError';
  constructor(
    message: string,
    readonly errorName: string,
    readonly args: readonly unknown[] = [],
  ) {
    super(message);
  }
}

export class RecordAddressError extends Error {
  override name = 'RecordAddressError';
}

/** A tree snapshot (saved state or a community node's) cannot be read: it is damaged or not a snapshot. */
export class TreeSnapshotError extends Error {
  override name = 'TreeSnapshotError';
  readonly code = 'TREE_SNAPSHOT_INVALID';
}

/**
 * A community node's tree snapshot does not lead to the roots the registry holds: it is forged, or from another chain
 * or registry. Nothing was proved against it.
 */
export class TreeSnapshotRejectedError extends Error {
  override name = 'TreeSnapshotRejectedError';
  readonly code = 'TREE_SNAPSHOT_REJECTED';
}
