// Typed failures of the relay process, each with a message that says what to do.
export class RelayStartError extends Error {
  override name = 'RelayStartError';
}
