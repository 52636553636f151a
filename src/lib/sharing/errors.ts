// Errors of the sharing flow. Each has a code the UI and CLI switch on, and a message that says what happened and
// what to do next.
import { namedError } from '../errors/index';

export type SharingErrorCode = 'NO_CUSTODY' | 'PUBLISH_UNAVAILABLE' | 'PUBLISHED_NOT_FINISHED' | 'NOT_REGISTERED' | 'NOT_INSTANTIATED' | 'WRONG_GRANULE';

export class SharingError extends namedError('SharingError', Error) {
  constructor(
    readonly code: SharingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The registration is on chain but the granule is not yet where users can get it (pinning relay or key custodians
 * missing). Nothing is lost: finishPublication, from the same device, completes it.
 */
export class PublicationUnfinishedError extends namedError('PublicationUnfinishedError', SharingError) {
  constructor(
    readonly alpha: string,
    readonly manifestCid: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('PUBLISHED_NOT_FINISHED', message, options);
  }
}
