// Typed failures of the peer-to-peer layer. Each message says what happened and what the person can do.
export class P2PError extends Error {
  override name = 'P2PError';
}

/** A relay multiaddr in the configuration is malformed, or the relay cannot be reached. */
export class RelayAddressError extends P2PError {
  override name = 'RelayAddressError';
}

/** A block or shard whose bytes do not hash to its CID. */
export class TamperedBlockError extends P2PError {
  override name = 'TamperedBlockError';
}

/** Fewer than k intact shards could be gathered. */
export class NotEnoughShardsError extends P2PError {
  override name = 'NotEnoughShardsError';
}

/** A manifest fetched by CID does not match what the chain recorded. */
export class ManifestMismatchError extends P2PError {
  override name = 'ManifestMismatchError';
}

/** Decrypted plaintext does not hash to the granule's α. */
export class AlphaMismatchError extends P2PError {
  override name = 'AlphaMismatchError';
}

/** A transfer could not complete (peer gone, timeout); it can be resumed. */
export class TransferInterruptedError extends P2PError {
  override name = 'TransferInterruptedError';
}

/** Malformed input to an encoder (shard set, manifest, ciphertext). */
export class P2PFormatError extends P2PError {
  override name = 'P2PFormatError';
}

/** A shard stopped receiving blocks (its peer went away); the fetch waits for a source and keeps what it has. */
export class ShardStalledError extends TransferInterruptedError {
  override name = 'ShardStalledError';
  constructor(
    readonly shard: number,
    /** Blocks of this shard already received and kept in the blockstore. */
    readonly blocksKept: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every peer slot of this browser profile is held by an open tab of the app. */
export class TooManyTabsError extends P2PError {
  override name = 'TooManyTabsError';
}
