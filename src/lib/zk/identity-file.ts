// The identity file of the CLI (`twingrain identity new --out <file>`), JSON:
//   { "format": "twingrain-identity", "version": 1,
//     "pk": "0x…",                 Pk = Poseidon(Sk), 32-byte hex
//     "x25519PublicKey": "0x…",    where custodians seal granule keys for this user
//     "address": "0x…",            the wallet that sends this identity's transactions
//     "secrets": { "secret": "0x…", "x25519SecretKey": "0x…", "walletPrivateKey": "0x…" }   when not encrypted, or
//     "sealed": { …vault… } }      the same secrets object, sealed with the passphrase (PBKDF2 + AES-GCM, see identity/vault)
// The public fields are readable without the passphrase so tools can show who a file belongs to.
import { privateKeyToAccount } from 'viem/accounts';
import * as v from 'valibot';
import { identityFromSecrets, openWithPassphrase, parseSealedVault, sealWithPassphrase, toHex32, type Identity, type SealedVault } from '../identity/index';
import { ZkInputError } from './errors';
import { bytesToHex, hexToBytes } from 'viem';

const IDENTITY_FILE_FORMAT = 'twingrain-identity';

export interface IdentityFileSecrets {
  secret: `0x${string}`;
  x25519SecretKey: `0x${string}`;
  walletPrivateKey: `0x${string}`;
}

export interface IdentityFile {
  format: typeof IDENTITY_FILE_FORMAT;
  version: 1;
  pk: `0x${string}`;
  x25519PublicKey: `0x${string}`;
  address: `0x${string}`;
  secrets?: IdentityFileSecrets;
  sealed?: SealedVault;
}

export interface UnlockedIdentity {
  identity: Identity;
  walletPrivateKey: `0x${string}`;
  address: `0x${string}`;
}

const hex = (bytes: Uint8Array): `0x${string}` => bytesToHex(bytes);
const unhex = (text: string, length: number, what: string): Uint8Array => {
  if (!new RegExp(`^0x[0-9a-fA-F]{${length * 2}}$`).test(text)) throw new ZkInputError(`The identity file's ${what} is damaged.`);
  return hexToBytes(text as `0x${string}`);
};

export async function createIdentityFile(identity: Identity, walletPrivateKey: `0x${string}`, passphrase?: string): Promise<IdentityFile> {
  const secrets: IdentityFileSecrets = { secret: toHex32(identity.secret), x25519SecretKey: hex(identity.x25519.secretKey), walletPrivateKey };
  const file: IdentityFile = {
    format: IDENTITY_FILE_FORMAT,
    version: 1,
    pk: toHex32(identity.publicKey),
    x25519PublicKey: hex(identity.x25519.publicKey),
    address: privateKeyToAccount(walletPrivateKey).address,
  };
  if (passphrase === undefined) file.secrets = secrets;
  else file.sealed = await sealWithPassphrase(new TextEncoder().encode(JSON.stringify(secrets)), passphrase);
  return file;
}

const HEX32 = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{64}$/));
const SecretsSchema = v.object({ secret: HEX32, x25519SecretKey: HEX32, walletPrivateKey: HEX32 });
const IdentityFileSchema = v.object({
  format: v.literal(IDENTITY_FILE_FORMAT),
  version: v.literal(1),
  pk: HEX32,
  x25519PublicKey: HEX32,
  address: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/)),
  secrets: v.optional(SecretsSchema),
  sealed: v.optional(v.unknown()),
});
/** Each field in the words the file's reader knows it by. */
const FIELD_WORDS: Record<string, string> = {
  pk: 'public key',
  x25519PublicKey: 'X25519 public key',
  address: 'wallet address',
  secrets: 'secrets',
  secret: 'secret',
  x25519SecretKey: 'X25519 key',
  walletPrivateKey: 'wallet key',
};
const NOT_A_FILE = 'This is not a twingrain identity file: create one with "twingrain identity new --out <file>".';

export function parseIdentityFile(value: unknown): IdentityFile {
  const checked = v.safeParse(IdentityFileSchema, value);
  if (!checked.success) {
    const keys = (checked.issues[0].path ?? []).map((item) => String(item.key));
    const field = keys.at(-1);
    if (field === undefined || field === 'format' || field === 'version') throw new ZkInputError(NOT_A_FILE);
    throw new ZkInputError(`The identity file's ${FIELD_WORDS[field] ?? field} is damaged.`);
  }
  const file = checked.output as IdentityFile;
  if (!file.secrets && !file.sealed) throw new ZkInputError('The identity file holds no secrets.');
  return file;
}

export function isSealed(file: IdentityFile): boolean {
  return !file.secrets && !!file.sealed;
}

export async function unlockIdentityFile(file: IdentityFile, passphrase?: string): Promise<UnlockedIdentity> {
  let secrets: IdentityFileSecrets;
  if (file.secrets) {
    secrets = file.secrets;
  } else {
    if (passphrase === undefined) throw new ZkInputError('This identity file is encrypted: pass --passphrase (or set TWINGRAIN_PASSPHRASE).');
    const plain = await openWithPassphrase(parseSealedVault(file.sealed), passphrase);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(plain));
    } catch {
      throw new ZkInputError("The identity file's sealed secrets are damaged.");
    }
    const opened = v.safeParse(SecretsSchema, json);
    if (!opened.success) throw new ZkInputError("The identity file's sealed secrets are damaged.");
    secrets = opened.output as IdentityFileSecrets;
  }
  const identity = identityFromSecrets(BigInt(secrets.secret), unhex(secrets.x25519SecretKey, 32, 'X25519 key'));
  if (toHex32(identity.publicKey) !== file.pk) throw new ZkInputError('The identity file is inconsistent: its public key does not match its secret.');
  unhex(secrets.walletPrivateKey, 32, 'wallet key');
  const address = privateKeyToAccount(secrets.walletPrivateKey).address;
  return { identity, walletPrivateKey: secrets.walletPrivateKey, address };
}
