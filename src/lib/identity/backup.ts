// An identity's secrets serialised, sealed under a passphrase, and wrapped in a self-describing backup document.
// The same document is what the app keeps in IndexedDB and what "Export backup" downloads.
import * as v from 'valibot';
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

const BAD_X25519 = 'bad X25519 public key';
/** A missing field is reported as that field being wrong, in the order a reader checks them. */
const missingField = (issue: v.BaseIssue<unknown>): string =>
  ({ '"format"': 'wrong format marker', '"version"': 'unknown version undefined', '"publicKey"': 'bad public key', '"x25519PublicKey"': BAD_X25519 })[
    issue.expected ?? ''
  ] ?? 'not a JSON object';
const BackupSchema = v.looseObject(
  {
    format: v.literal(BACKUP_FORMAT, 'wrong format marker'),
    version: v.literal(1, (issue) => `unknown version ${String(issue.input)}`),
    label: v.optional(v.fallback(v.string(), 'Imported identity'), 'Imported identity'),
    publicKey: v.pipe(v.string('bad public key'), v.regex(/^0x[0-9a-f]{64}$/, 'bad public key')),
    // 32 bytes in padded base64.
    x25519PublicKey: v.pipe(v.string(BAD_X25519), v.regex(/^[A-Za-z0-9+/]{43}=$/, BAD_X25519)),
    createdAt: v.optional(v.fallback(v.string(), ''), ''),
    vault: v.unknown(),
  },
  missingField,
);
/** What the vault holds once opened: the Poseidon secret (0x + 64 hex) and the X25519 secret key (32 bytes, base64). */
const SecretPayloadSchema = v.object({
  secret: v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/)),
  x25519SecretKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{43}=$/)),
});

/** Validates a backup document's shape (not its passphrase). */
export function parseIdentityBackup(value: unknown): IdentityBackup {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new InvalidBackupError('not JSON');
    }
  }
  const checked = v.safeParse(BackupSchema, value);
  if (!checked.success) throw new InvalidBackupError(checked.issues[0].message);
  const { format, version, label, publicKey, x25519PublicKey, createdAt, vault } = checked.output;
  return { format, version, label, publicKey: publicKey as `0x${string}`, x25519PublicKey, createdAt, vault: parseSealedVault(vault) };
}

/** Unlocks a backup; throws WrongPassphraseError on a wrong passphrase and checks the secrets match the public key. */
export async function unsealIdentity(backup: IdentityBackup, passphrase: string): Promise<Identity> {
  const plaintext = await openWithPassphrase(backup.vault, passphrase);
  let payload: SecretPayload;
  try {
    payload = v.parse(SecretPayloadSchema, JSON.parse(new TextDecoder().decode(plaintext)));
  } catch {
    throw new InvalidBackupError('damaged contents');
  }
  const identity = identityFromSecrets(BigInt(payload.secret), base64.decode(payload.x25519SecretKey));
  if (formatPublicKey(identity.publicKey) !== backup.publicKey)
    throw new IdentityError('The backup is inconsistent: its secret key does not match its public key. Nothing was imported.');
  return identity;
}
