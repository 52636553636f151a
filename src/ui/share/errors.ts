// Typed errors of the Share page's own checks (what the contracts refuse comes back from src/lib/chain as sentences).
export class ShareSetupError extends Error {
  override name = 'ShareSetupError';
}

export class ShareInputError extends Error {
  override name = 'ShareInputError';
}
