// Identity errors carry a message meant for the person using the app or the CLI.
import { namedError } from '../errors/index';

export class IdentityError extends namedError('IdentityError', Error) {}

/** The passphrase did not decrypt the vault. Nothing was changed. */
export class WrongPassphraseError extends namedError('WrongPassphraseError', IdentityError) {
  constructor() {
    super('Wrong passphrase: the identity could not be unlocked. Nothing was changed; try again.');
  }
}

/** A backup or vault file that is not what it claims to be. */
export class InvalidBackupError extends namedError('InvalidBackupError', IdentityError) {
  constructor(detail: string) {
    super(`This is not a valid twingrain identity backup (${detail}). Nothing was imported; choose the identity backup file you exported.`);
  }
}

export class WeakPassphraseError extends namedError('WeakPassphraseError', IdentityError) {
  constructor(minLength: number) {
    super(`Choose a passphrase of at least ${minLength} characters: it is the only protection of your secret key on this device.`);
  }
}
