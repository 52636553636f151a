// Typed refusals of the sharing commands (register, fetch). Each message says what happened and what to do next;
// main prints it as the one error line.

/** The Consortium lists no key custodians, or a threshold they cannot meet: a published key could never be released. */
export class CustodyUnavailableError extends Error {
  override name = 'CustodyUnavailableError';
}

/** Too few pinning nodes or custodians are reachable: nothing was published (no key share was handed out). */
export class PublishUnavailableError extends Error {
  override name = 'PublishUnavailableError';
}

/** The granule went onto the network (pinned, key shares deposited) but its registration transaction failed. */
export class PublishedNotRegisteredError extends Error {
  override name = 'PublishedNotRegisteredError';
  constructor(
    readonly manifestCid: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `The granule was published as ${manifestCid} (pinned, key shares deposited) but not registered: ${reason} ` +
        `The custodians keep the first deposit of a granule, so retry with the same manifest: add --manifest-cid ${manifestCid}.`,
    );
    this.cause = cause;
  }
}

/** `fetch` of an α the registry does not know. */
export class GranuleNotRegisteredError extends Error {
  override name = 'GranuleNotRegisteredError';
}

/** `fetch` by an identity with no instantiation of the granule on chain: no custodian will release a share to it. */
export class NotInstantiatedError extends Error {
  override name = 'NotInstantiatedError';
}
