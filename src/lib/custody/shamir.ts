// Shamir's secret sharing over the prime field of the Mersenne prime 2^521 − 1: any 256-bit key fits below it,
// and a Mersenne prime is easy to recognise. A share is (x, f(x)) for a random polynomial f of degree t − 1 with
// f(0) = secret; any t shares determine f(0) by Lagrange interpolation, fewer reveal nothing.
import { randomBytes } from '@noble/hashes/utils.js';
import { KeyShareError } from './errors';

export const SHAMIR_PRIME = (1n << 521n) - 1n;
/** Bytes needed for a field element. */
export const SHAMIR_ELEMENT_BYTES = 66;

export interface ShamirShare {
  /** 1…255; x = 0 would be the secret itself. */
  x: number;
  y: bigint;
}

const mod = (a: bigint): bigint => {
  const r = a % SHAMIR_PRIME;
  return r < 0n ? r + SHAMIR_PRIME : r;
};

function randomElement(): bigint {
  // 72 random bytes reduced mod p: the bias is below 2^-50.
  let v = 0n;
  for (const b of randomBytes(72)) v = (v << 8n) | BigInt(b);
  return mod(v);
}

function inverse(a: bigint): bigint {
  // Extended Euclid; p is prime so every non-zero element is invertible.
  let [r0, r1] = [mod(a), SHAMIR_PRIME];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new KeyShareError('Two key shares have the same x coordinate; they cannot be combined.');
  return mod(s0);
}

/** Splits `secret` (0 ≤ secret < p) into n shares, any t of which rebuild it. */
export function splitSecret(secret: bigint, t: number, n: number): ShamirShare[] {
  if (!Number.isInteger(t) || !Number.isInteger(n) || t < 1 || n < t || n > 255) {
    throw new KeyShareError(`A threshold of ${t} of ${n} is not possible: choose 1 ≤ t ≤ n ≤ 255.`);
  }
  if (secret < 0n || secret >= SHAMIR_PRIME) throw new KeyShareError('The secret does not fit in the sharing field.');
  const coefficients = [secret, ...Array.from({ length: t - 1 }, randomElement)];
  const shares: ShamirShare[] = [];
  for (let x = 1; x <= n; x++) {
    // Horner's rule from the highest coefficient down.
    let y = 0n;
    for (let i = coefficients.length - 1; i >= 0; i--) y = mod(y * BigInt(x) + coefficients[i]!);
    shares.push({ x, y });
  }
  return shares;
}

/** Lagrange interpolation at 0. With fewer than t shares the result is a wrong (random-looking) value. */
export function combineShares(shares: ShamirShare[]): bigint {
  if (shares.length === 0) throw new KeyShareError('No key shares were given.');
  const xs = new Set(shares.map((s) => s.x));
  if (xs.size !== shares.length) throw new KeyShareError('The same key share was given twice.');
  let secret = 0n;
  for (const [i, si] of shares.entries()) {
    if (!Number.isInteger(si.x) || si.x < 1 || si.x > 255 || si.y < 0n || si.y >= SHAMIR_PRIME) {
      throw new KeyShareError('A key share is out of range: it was not made by twingrain or was altered.');
    }
    let num = 1n;
    let den = 1n;
    for (const [j, sj] of shares.entries()) {
      if (i === j) continue;
      num = mod(num * BigInt(-sj.x));
      den = mod(den * BigInt(si.x - sj.x));
    }
    secret = mod(secret + si.y * num * inverse(den));
  }
  return secret;
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bigintToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${length} bytes`);
  return out;
}
