// Sealed envelopes: bytes encrypted to one X25519 public key. An ephemeral key pair per envelope, HKDF-SHA256 of
// the shared secret (salted with both public keys), AES-256-GCM with the context as associated data, so an
// envelope cannot be replayed for another granule or user.
import { x25519 } from '@noble/curves/ed25519.js';
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';
import { SealError } from './errors';

const VERSION = 1;
const INFO = utf8ToBytes('twingrain/seal/v1');

function deriveKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeralPublic, recipientPublic), INFO, 32);
}

/** Encrypts `plaintext` so only the holder of `recipientPublicKey`'s secret can read it, bound to `context`. */
export function seal(plaintext: Uint8Array, recipientPublicKey: Uint8Array, context: string): Uint8Array {
  if (recipientPublicKey.length !== 32) throw new SealError('An X25519 public key has 32 bytes; this one does not. Check the key you were given.');
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const key = deriveKey(x25519.getSharedSecret(ephemeralSecret, recipientPublicKey), ephemeralPublic, recipientPublicKey);
  const nonce = randomBytes(12);
  const ciphertext = gcm(key, nonce, utf8ToBytes(context)).encrypt(plaintext);
  return concatBytes(Uint8Array.of(VERSION), ephemeralPublic, nonce, ciphertext);
}

/** Opens an envelope with our X25519 secret key. */
export function open(envelope: Uint8Array, recipientSecretKey: Uint8Array, context: string): Uint8Array {
  if (envelope.length < 1 + 32 + 12 + 16 || envelope[0] !== VERSION) {
    throw new SealError('This sealed envelope is malformed or from an unknown version of twingrain.');
  }
  const ephemeralPublic = envelope.subarray(1, 33);
  const nonce = envelope.subarray(33, 45);
  const recipientPublic = x25519.getPublicKey(recipientSecretKey);
  const key = deriveKey(x25519.getSharedSecret(recipientSecretKey, ephemeralPublic), ephemeralPublic, recipientPublic);
  try {
    return gcm(key, nonce, utf8ToBytes(context)).decrypt(envelope.subarray(45));
  } catch {
    throw new SealError('This sealed envelope was not addressed to your key, belongs to another granule, or was altered in transit.');
  }
}
