// Typed failures of the peer-to-peer layer. Each message says what happened and what the person can do.
import { namedError } from '../errors/index';

export class P2PError extends namedError('P2PError', Error) {}

/** A relay multiaddr in the configuration is malformed, or the relay cannot be reached. */
export class RelayAddressError extends namedError('RelayAddressError', P2PError) {}

/** A block or shard whose bytes do not hash to its CID. */
export class TamperedBlockError extends namedError('TamperedBlockError', P2PError) {}

/** Fewer than k intact shards could be gathered. */
export class NotEnoughShardsError extends namedError('NotEnoughShardsError', P2PError) {}

/** A manifest fetched by CID does not match what the chain recorded. */
export class ManifestMismatchError extends namedError('ManifestMismatchError', P2PError) {}

/** Decrypted plaintext does not hash to the granule's α. */
export class AlphaMismatchError extends namedError('AlphaMismatchError', P2PError) {}

/** A transfer could not complete (peer gone, timeout); it can be resumed. */
export class TransferInterruptedError extends namedError('TransferInterruptedError', P2PError) {}

/** Malformed input to an encoder (shard set, manifest, ciphertext). */
export class P2PFormatError extends namedError('P2PFormatError', P2PError) {}

/** A shard stopped receiving blocks (its peer went away); the fetch waits for a source and keeps what it has. */
export class ShardStalledError extends namedError('ShardStalledError', TransferInterruptedError) {
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
export class TooManyTabsError extends namedError('TooManyTabsError', P2PError) {}
