// A twingrain identity: the zero-knowledge key pair of the paper (Pk = h(Sk), h = Poseidon) plus an X25519 pair
// on which granule key shares are sealed to this user.
import { x25519 } from '@noble/curves/ed25519.js';
import { randomFieldElement, isFieldElement, toHex32 } from './field';
import { poseidonHash } from './poseidon';
import { IdentityError } from './errors';

export interface Identity {
  /** Sk: a secret BN254 field element. */
  secret: bigint;
  /** Pk = Poseidon(Sk). */
  publicKey: bigint;
  x25519: { secretKey: Uint8Array; publicKey: Uint8Array };
}

/** The public part, safe to show and share. */
interface PublicIdentity {
  publicKey: bigint;
  x25519PublicKey: Uint8Array;
}

function publicKeyOf(secret: bigint): bigint {
  return poseidonHash([secret]);
}

export function createIdentity(): Identity {
  const secret = randomFieldElement();
  const secretKey = x25519.utils.randomSecretKey();
  return { secret, publicKey: publicKeyOf(secret), x25519: { secretKey, publicKey: x25519.getPublicKey(secretKey) } };
}

/** Rebuilds an identity from its secrets and checks they are consistent. */
export function identityFromSecrets(secret: bigint, x25519SecretKey: Uint8Array): Identity {
  if (!isFieldElement(secret) || secret === 0n) throw new IdentityError('The secret key is not a valid BN254 field element.');
  if (x25519SecretKey.length !== 32) throw new IdentityError('The X25519 secret key must be 32 bytes.');
  return {
    secret,
    publicKey: publicKeyOf(secret),
    x25519: { secretKey: x25519SecretKey, publicKey: x25519.getPublicKey(x25519SecretKey) },
  };
}

export function formatPublicKey(publicKey: bigint): `0x${string}` {
  return toHex32(publicKey);
}

export function parsePublicKey(text: string): bigint {
  const trimmed = text.trim();
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(trimmed)) throw new IdentityError('A public key is 0x followed by up to 64 hexadecimal digits.');
  const value = BigInt(trimmed);
  if (!isFieldElement(value)) throw new IdentityError('This public key is outside the BN254 field: it cannot be a twingrain key.');
  return value;
}
