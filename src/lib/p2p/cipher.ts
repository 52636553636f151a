// Granule archives leave the owner's device encrypted: AES-256-GCM under a fresh random key, nonce prepended.
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { P2PFormatError } from './errors';

const AAD = utf8ToBytes('twingrain/granule/v1');

export interface EncryptedArchive {
  key: Uint8Array;
  /** 12-byte nonce ‖ ciphertext ‖ 16-byte tag. */
  ciphertext: Uint8Array;
}

export function encryptArchive(archive: Uint8Array, key: Uint8Array = randomBytes(32)): EncryptedArchive {
  if (key.length !== 32) throw new P2PFormatError('A granule key is 32 bytes (AES-256).');
  const nonce = randomBytes(12);
  return { key, ciphertext: concatBytes(nonce, gcm(key, nonce, AAD).encrypt(archive)) };
}

export function decryptArchive(ciphertext: Uint8Array, key: Uint8Array): Uint8Array {
  if (ciphertext.length < 28) throw new P2PFormatError('The encrypted granule is truncated.');
  try {
    return gcm(key, ciphertext.subarray(0, 12), AAD).decrypt(ciphertext.subarray(12));
  } catch {
    throw new P2PFormatError('The granule could not be decrypted: the key is not this granule\'s, or the ciphertext was altered.');
  }
}
