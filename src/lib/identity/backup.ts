// An identity's secrets serialised, sealed under a passphrase, and wrapped in a self-describing backup document.
// The same document is what the app keeps in IndexedDB and what "Export backup" downloads.
import { identityFromSecrets, type Identity, formatPublicKey } from './identity';
import { InvalidBackupError, IdentityError } from './errors';
import { sealWithPassphrase, openWithPassphrase, parseSealedVault, base64, type SealedVault } from './vault';
import { toHex32 } from './field';

export const BACKUP_FORMAT = 'twingrain-identity-backup';

export interface IdentityBackup {
  format: typeof BACKUP_FORMAT;
  version: 1;
  label: string;
  /** Pk as 0x-hex: lets the app show and match the identity while it is locked. */
  publicKey: `0x${string}`;
  x25519PublicKey: string;
  createdAt: string;
  vault: SealedVault;
}

interface SecretPayload {
  secret: string;
  x25519SecretKey: string;
}

export async function sealIdentity(identity: Identity, passphrase: string, label = 'My identity', iterations?: number): Promise<IdentityBackup> {
  const payload: SecretPayload = { secret: toHex32(identity.secret), x25519SecretKey: base64.encode(identity.x25519.secretKey) };
  const vault = await sealWithPassphrase(new TextEncoder().encode(JSON.stringify(payload)), passphrase, iterations);
  return {
    format: BACKUP_FORMAT,
    version: 1,
    label,
    publicKey: formatPublicKey(identity.publicKey),
    x25519PublicKey: base64.encode(identity.x25519.publicKey),
    createdAt: new Date().toISOString(),
    vault,
  };
}

/** Validates a backup document's shape (not its passphrase). */
export function parseIdentityBackup(value: unknown): IdentityBackup {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvalidBackupError('not JSON');
    }
  }
  const v = value as Partial<IdentityBackup> | null;
  if (!v || typeof v !== 'object') throw new InvalidBackupError('not a JSON object');
  if (v.format !== BACKUP_FORMAT) throw new InvalidBackupError('wrong format marker');
  if (v.version !== 1) throw new InvalidBackupError(`unknown version ${String(v.version)}`);
  if (typeof v.publicKey !== 'string' || !/^0x[0-9a-f]{64}$/.test(v.publicKey)) throw new InvalidBackupError('bad public key');
  if (typeof v.x25519PublicKey !== 'string') throw new InvalidBackupError('bad X25519 public key');
  return { ...(v as IdentityBackup), label: typeof v.label === 'string' ? v.label : 'Imported identity', vault: parseSealedVault(v.vault) };
}

/** Unlocks a backup; throws WrongPassphraseError on a wrong passphrase and checks the secrets match the public key. */
export async function unsealIdentity(backup: IdentityBackup, passphrase: string): Promise<Identity> {
  const plaintext = await openWithPassphrase(backup.vault, passphrase);
  let payload: SecretPayload;
  try {
    payload = JSON.parse(new TextDecoder().decode(plaintext)) as SecretPayload;
  } catch {
    throw new InvalidBackupError('damaged contents');
  }
  const identity = identityFromSecrets(BigInt(payload.secret), base64.decode(payload.x25519SecretKey));
  if (formatPublicKey(identity.publicKey) !== backup.publicKey)
    throw new IdentityError('The backup is inconsistent: its secret key does not match its public key. Nothing was imported.');
  return identity;
}
