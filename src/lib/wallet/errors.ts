export class WalletError extends Error {
  override name = 'WalletError';
}

export class WalletRejectedError extends WalletError {
  override name = 'WalletRejectedError';
  constructor(action: string) {
    super(`The wallet declined to ${action}. Nothing was sent; try again and approve the request in your wallet.`);
  }
}

export class NotDevelopmentChainError extends WalletError {
  override name = 'NotDevelopmentChainError';
  constructor() {
    super('A local development account exists only on the embedded development chain; on this chain connect a real wallet.');
  }
}
