// A granule key split among custodians. Each share carries the granule's α (so a share of another granule is
// refused by name) and a SHA-256 commitment to the key (so a wrong share is detected before any decryption).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { combineShares, splitSecret, bytesToBigint, bigintToBytes } from './shamir';
import { KeyShareError, WaitingForKeyHoldersError } from './errors';

export interface GranuleKeyShare {
  /** α of the granule, 0x + 64 hex. */
  alpha: string;
  threshold: number;
  total: number;
  x: number;
  y: bigint;
  /** SHA-256 of the 32-byte key, hex. */
  commitment: string;
}

const ALPHA_RE = /^0x[0-9a-f]{64}$/;

export function keyCommitment(key: Uint8Array): string {
  return bytesToHex(sha256(key));
}

export function splitGranuleKey(key: Uint8Array, alpha: string, threshold: number, total: number): GranuleKeyShare[] {
  if (key.length !== 32) throw new KeyShareError('A granule key is 32 bytes (AES-256).');
  if (!ALPHA_RE.test(alpha)) throw new KeyShareError(`"${alpha}" is not an α (0x followed by 64 lowercase hex digits).`);
  const commitment = keyCommitment(key);
  return splitSecret(bytesToBigint(key), threshold, total).map((s) => ({ alpha, threshold, total, x: s.x, y: s.y, commitment }));
}

function* subsets<T>(items: T[], size: number, start = 0, chosen: T[] = []): Generator<T[]> {
  if (chosen.length === size) {
    yield chosen;
    return;
  }
  for (let i = start; i <= items.length - (size - chosen.length); i++) yield* subsets(items, size, i + 1, [...chosen, items[i]!]);
}

/**
 * Rebuilds the key of granule `alpha`. Shares of another granule are refused; with fewer than t shares this throws
 * WaitingForKeyHoldersError (a state, not a failure); when some shares are wrong it looks for t good ones.
 */
export function combineGranuleKey(shares: GranuleKeyShare[], alpha: string): Uint8Array {
  const foreign = shares.find((s) => s.alpha !== alpha);
  if (foreign) throw new KeyShareError(`A key share belongs to another granule (${foreign.alpha.slice(0, 10)}…, not ${alpha.slice(0, 10)}…). It was sent by mistake or on purpose; ask the custodian again.`);
  const unique = [...new Map(shares.map((s) => [s.x, s])).values()];
  if (unique.length === 0) throw new WaitingForKeyHoldersError(1, 1);
  // The threshold and commitment the majority of shares agree on: one lying share cannot redefine them.
  const votes = new Map<string, number>();
  for (const s of unique) votes.set(`${s.threshold}:${s.commitment}`, (votes.get(`${s.threshold}:${s.commitment}`) ?? 0) + 1);
  const [agreed] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const [tText, commitment] = agreed.split(':') as [string, string];
  const threshold = Number(tText);
  const candidates = unique.filter((s) => s.threshold === threshold && s.commitment === commitment);
  if (candidates.length < threshold) throw new WaitingForKeyHoldersError(threshold - candidates.length, threshold);
  let tried = 0;
  for (const subset of subsets(candidates, threshold)) {
    if (++tried > 2_000) break;
    const key = bigintToBytesSafe(combineShares(subset));
    if (key && keyCommitment(key) === commitment) return key;
  }
  throw new KeyShareError(`The key shares do not rebuild the granule key: ${candidates.length - threshold + 1 > 1 ? 'several' : 'at least one'} of them is wrong or was altered. Ask the other custodians for theirs.`);
}

function bigintToBytesSafe(v: bigint): Uint8Array | undefined {
  try {
    return bigintToBytes(v, 32);
  } catch {
    return undefined;
  }
}

export function encodeKeyShare(share: GranuleKeyShare): Uint8Array {
  return utf8ToBytes(JSON.stringify({ v: 1, ...share, y: share.y.toString(16) }));
}

export function decodeKeyShare(bytes: Uint8Array): GranuleKeyShare {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new KeyShareError('A key share is not readable: it was altered or comes from another program.');
  }
  const ok =
    v.v === 1 &&
    typeof v.alpha === 'string' && ALPHA_RE.test(v.alpha) &&
    Number.isInteger(v.threshold) && Number.isInteger(v.total) && Number.isInteger(v.x) &&
    typeof v.y === 'string' && /^[0-9a-f]{1,131}$/.test(v.y) &&
    typeof v.commitment === 'string' && /^[0-9a-f]{64}$/.test(v.commitment);
  if (!ok) throw new KeyShareError('A key share is malformed: it was altered or comes from another program.');
  return { alpha: v.alpha as string, threshold: v.threshold as number, total: v.total as number, x: v.x as number, y: BigInt('0x' + (v.y as string)), commitment: v.commitment as string };
}

