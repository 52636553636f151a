// What went wrong fetching from a community node's block gateway (gateway-blocks.ts block by block,
// gateway-car.ts as one CAR). The fetch falls back to the relays and bitswap; the code is recorded with the source.
import { P2PError } from './errors';
import { namedError } from '../errors/index';

export type GatewayFetchCode =
  /** A block the gateway could not give, or gave with bytes that do not hash to its CID (Helia does not say which). */
  | 'GATEWAY_BLOCK_FAILED'
  /** More blocks or bytes than the caller allowed for this DAG. */
  | 'TOO_MUCH_DATA'
  /** The gateway could not be reached, or answered a CAR request with another status than 200. */
  | 'CAR_NOT_SERVED'
  /** Not a CAR of version 1, or a stream that cannot be parsed as one. */
  | 'CAR_MALFORMED'
  /** A block whose bytes do not hash to its CID. */
  | 'CAR_BLOCK_MISMATCH'
  /** A block that is not part of the DAG asked for (nor linked from a block already accepted), or of a kind not checked. */
  | 'CAR_UNEXPECTED_BLOCK'
  /** The stream broke off or ended before every block of the DAG came. */
  | 'CAR_INCOMPLETE';

export class GatewayFetchError extends namedError('GatewayFetchError', P2PError) {
  constructor(
    readonly code: GatewayFetchCode,
    message: string,
  ) {
    super(message);
  }
}
