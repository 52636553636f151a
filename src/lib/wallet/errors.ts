import { namedError } from '../errors/index';

export class WalletError extends namedError('WalletError', Error) {}

export class WalletRejectedError extends namedError('WalletRejectedError', WalletError) {
  constructor(action: string) {
    super(`The wallet declined to ${action}. Nothing was sent; try again and approve the request in your wallet.`);
  }
}

export class NotDevelopmentChainError extends namedError('NotDevelopmentChainError', WalletError) {
  constructor() {
    super('A local development account exists only on the embedded development chain; on this chain connect a real wallet.');
  }
}
