// Errors of the sharing flow. Each has a code the UI and CLI switch on, and a message that says what happened and
// what to do next.
export type SharingErrorCode = 'NO_CUSTODY' | 'PUBLISH_UNAVAILABLE' | 'PUBLISHED_NOT_FINISHED' | 'NOT_REGISTERED' | 'NOT_INSTANTIATED' | 'WRONG_GRANULE';

export class SharingError extends Error {
  override name = 'SharingError';
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
export class PublicationUnfinishedError extends SharingError {
  override name = 'PublicationUnfinishedError';
  constructor(
    readonly alpha: string,
    readonly manifestCid: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('PUBLISHED_NOT_FINISHED', message, options);
  }
}
