// The relay's resource limits, as the sender meets them: a refusal has a code (for programs) and a sentence (for
// people). A relay answers a refused request with `{ refused: { code, message } }` instead of an error string, so
// the code survives the trip; `refusalOf` turns that back into a RelayLimitError on the sender's side.
import { P2PError } from './errors';
import { namedError } from '../errors/index';

export type RelayLimitCode =
  // Authorization-request mailbox
  | 'MESSAGE_TOO_LARGE'
  | 'FIELD_TOO_LARGE'
  | 'MALFORMED_MESSAGE'
  | 'SENDER_QUOTA'
  | 'RECIPIENT_QUOTA'
  | 'MAILBOX_FULL'
  // Pinning
  | 'PIN_NOT_RECORDED'
  | 'PIN_NO_CHAIN'
  | 'PIN_NOT_A_MEMBER'
  | 'PIN_BAD_SIGNATURE'
  | 'PIN_MEMBER_QUOTA'
  | 'PIN_TOO_LARGE'
  | 'PIN_BUSY'
  | 'PIN_FETCH_FAILED'
  | 'PIN_MALFORMED'
  // Block gateway (HTTP)
  | 'GATEWAY_RATE'
  | 'GATEWAY_CLIENT_BUSY'
  | 'GATEWAY_BUSY';

export class RelayLimitError extends namedError('RelayLimitError', P2PError) {
  constructor(
    readonly code: RelayLimitCode,
    message: string,
    /** The relay's peer id, when the refusal came from one. */
    readonly relay?: string,
  ) {
    super(message);
  }
}

/** What a relay reports when a limit refuses something: to its log, and to listeners (tests, an operator's metrics). */
export interface RelayLimitEvent {
  service: 'mailbox' | 'pin' | 'gateway';
  code: RelayLimitCode;
  /** The peer whose request or message was refused (for the block gateway: the client's IP address). */
  peer: string;
  message: string;
  at: number;
}

export type RelayLimitListener = (event: RelayLimitEvent) => void;

export interface RefusalBody {
  refused: { code: RelayLimitCode; message: string };
}

export const refusal = (error: RelayLimitError): RefusalBody => ({ refused: { code: error.code, message: error.message } });

/** The RelayLimitError a relay's response carries, if it is a refusal. */
export function refusalOf(response: unknown, relay?: string): RelayLimitError | undefined {
  const r = (response as Partial<RefusalBody> | null | undefined)?.refused;
  if (!r || typeof r.code !== 'string' || typeof r.message !== 'string') return undefined;
  return new RelayLimitError(r.code, r.message, relay);
}

/**
 * A log that says each kind of refusal at most once per interval (with how many it held back), so a flood cannot
 * flood the operator's terminal as well.
 */
export function throttledLog(log: (line: string) => void, intervalMs = 10_000): (event: RelayLimitEvent) => void {
  const last = new Map<string, { at: number; held: number }>();
  return (e) => {
    const key = `${e.service}:${e.code}`;
    const seen = last.get(key);
    if (seen && e.at - seen.at < intervalMs) {
      seen.held += 1;
      return;
    }
    const held = seen?.held ?? 0;
    last.set(key, { at: e.at, held: 0 });
    log(
      `relay ${e.service}: refused ${e.code} from ${e.peer}: ${e.message}${held > 0 ? ` (and ${held} more refusal(s) of this kind held back from the log)` : ''}`,
    );
  };
}
