// Secrets at rest: PBKDF2-SHA-256 (WebCrypto) derives an AES-256-GCM key from the passphrase. GCM's tag makes a
// wrong passphrase fail loudly instead of yielding garbage, so a failed unlock can never overwrite anything.
import { WrongPassphraseError, InvalidBackupError, WeakPassphraseError } from './errors';
import { base64pad } from 'multiformats/bases/base64';

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

export function parseSealedVault(value: unknown): SealedVault {
  const v = value as Partial<SealedVault> | null;
  if (!v || typeof v !== 'object') throw new InvalidBackupError('not a JSON object');
  if (v.version !== 1) throw new InvalidBackupError(`unknown vault version ${String(v.version)}`);
  if (v.kdf?.name !== 'PBKDF2' || v.kdf.hash !== 'SHA-256' || !Number.isInteger(v.kdf.iterations) || v.kdf.iterations < 100_000)
    throw new InvalidBackupError('unsupported key derivation');
  if (v.cipher?.name !== 'AES-GCM' || typeof v.cipher.iv !== 'string') throw new InvalidBackupError('unsupported cipher');
  if (typeof v.ciphertext !== 'string' || typeof v.kdf.salt !== 'string') throw new InvalidBackupError('missing ciphertext');
  return v as SealedVault;
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
