// Threshold sharing of a granule key with the audited `shamir-secret-sharing` (GF(256), one byte of x appended to each
// share). That library needs t ≥ 2; with t = 1 any one custodian may rebuild the key on its own, so each gets the key
// whole: the same trust, without pretending to split it.
import { combine, split } from 'shamir-secret-sharing';
import { KeyShareError } from './errors';

/** Bytes of one share of a 32-byte key: the key whole when t = 1, else the library's share (key length + 1). */
export function keyShareLength(threshold: number, keyLength = 32): number {
  return threshold === 1 ? keyLength : keyLength + 1;
}

/** n shares of `key`, any t of which rebuild it. */
export async function splitKey(key: Uint8Array, threshold: number, total: number): Promise<Uint8Array[]> {
  if (!Number.isInteger(threshold) || !Number.isInteger(total) || threshold < 1 || total < threshold || total > 255) {
    throw new KeyShareError(`A threshold of ${threshold} of ${total} is not possible: choose 1 ≤ t ≤ n ≤ 255.`);
  }
  // The library checks `constructor === Uint8Array`, which a Node Buffer fails: hand it plain copies.
  if (threshold === 1) return Array.from({ length: total }, () => Uint8Array.from(key));
  return split(Uint8Array.from(key), total, threshold);
}

/** Rebuilds a key from exactly t shares (one when t = 1). Wrong shares give a wrong key: the caller checks the commitment. */
export async function combineKey(shares: Uint8Array[]): Promise<Uint8Array> {
  if (shares.length === 0) throw new KeyShareError('No key shares were given.');
  if (shares.length === 1) return Uint8Array.from(shares[0]!);
  try {
    return await combine(shares.map((s) => Uint8Array.from(s)));
  } catch {
    // Two shares with one x tag, or of different lengths: they cannot be combined (some are wrong).
    throw new KeyShareError('These key shares cannot be combined: at least one of them is wrong or was altered.');
  }
}
