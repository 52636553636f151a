// Secrets at rest: PBKDF2-SHA-256 (WebCrypto) derives an AES-256-GCM key from the passphrase. GCM's tag makes a
// wrong passphrase fail loudly instead of yielding garbage, so a failed unlock can never overwrite anything.
import { WrongPassphraseError, InvalidBackupError, WeakPassphraseError } from './errors';
import { base64pad } from 'multiformats/bases/base64';
import * as v from 'valibot';

export const MIN_PASSPHRASE_LENGTH = 8;
const DEFAULT_ITERATIONS = 600_000; // OWASP 2023 guidance for PBKDF2-HMAC-SHA256

export interface SealedVault {
  version: 1;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  ciphertext: string;
}

// Standard base64 with padding (what btoa writes), from multiformats rather than written here again.
const b64 = {
  encode: (bytes: Uint8Array): string => base64pad.baseEncode(bytes),
  decode: (text: string): Uint8Array => base64pad.baseDecode(text),
};
export const base64 = b64;

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function sealWithPassphrase(plaintext: Uint8Array, passphrase: string, iterations = DEFAULT_ITERATIONS): Promise<SealedVault> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new WeakPassphraseError(MIN_PASSPHRASE_LENGTH);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, iterations);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext as BufferSource));
  return {
    version: 1,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: b64.encode(salt) },
    cipher: { name: 'AES-GCM', iv: b64.encode(iv) },
    ciphertext: b64.encode(ciphertext),
  };
}

const KDF = 'unsupported key derivation';
const CIPHER = 'unsupported cipher';
const MISSING = 'missing ciphertext';
/** A missing part is reported as that part being unsupported, in the order a reader checks them. */
const missingPart = (issue: v.BaseIssue<unknown>): string =>
  ({ '"version"': 'unknown vault version undefined', '"kdf"': KDF, '"cipher"': CIPHER, '"ciphertext"': MISSING })[issue.expected ?? ''] ?? 'not a JSON object';
const SealedVaultSchema = v.pipe(
  v.looseObject(
    {
      version: v.literal(1, (issue) => `unknown vault version ${String(issue.input)}`),
      kdf: v.looseObject(
        { name: v.literal('PBKDF2', KDF), hash: v.literal('SHA-256', KDF), iterations: v.pipe(v.number(KDF), v.integer(KDF), v.minValue(100_000, KDF)) },
        KDF,
      ),
      cipher: v.looseObject({ name: v.literal('AES-GCM', CIPHER), iv: v.string(CIPHER) }, CIPHER),
      ciphertext: v.string(MISSING),
    },
    missingPart,
  ),
  // Checked last, as the salt is part of what "missing ciphertext" means to the reader.
  v.check((vault) => typeof (vault.kdf as { salt?: unknown }).salt === 'string', MISSING),
);

export function parseSealedVault(value: unknown): SealedVault {
  const checked = v.safeParse(SealedVaultSchema, value);
  if (!checked.success) throw new InvalidBackupError(checked.issues[0].message);
  return value as SealedVault;
}

export async function openWithPassphrase(vault: SealedVault, passphrase: string): Promise<Uint8Array> {
  const checked = parseSealedVault(vault);
  let salt: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array;
  try {
    salt = b64.decode(checked.kdf.salt);
    iv = b64.decode(checked.cipher.iv);
    ciphertext = b64.decode(checked.ciphertext);
  } catch {
    throw new InvalidBackupError('damaged encoding');
  }
  const key = await deriveKey(passphrase, salt, checked.kdf.iterations);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, ciphertext as BufferSource));
  } catch {
    throw new WrongPassphraseError();
  }
}
