// A granule key split among custodians. Each share carries the granule's α (so a share of another granule is
// refused by name) and a SHA-256 commitment to the key (so a wrong share is detected before any decryption).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import * as v from 'valibot';
import { combineKey, keyShareLength, splitKey } from './shamir';
import { KeyShareError, WaitingForKeyHoldersError } from './errors';

export interface GranuleKeyShare {
  /** α of the granule, 0x + 64 hex. */
  alpha: string;
  /** What the splitter said; informative only: a user takes t from the chain-checked manifest. */
  threshold: number;
  total: number;
  /** The custodian's place in the manifest's list, 1…n. */
  x: number;
  /** The share itself: the key whole when t = 1, else a `shamir-secret-sharing` share (key + 1 byte, its own x tag). */
  share: Uint8Array;
  /** SHA-256 of the 32-byte key, hex; informative only, like threshold. */
  commitment: string;
}

const ALPHA_RE = /^0x[0-9a-f]{64}$/;

export function keyCommitment(key: Uint8Array): string {
  return bytesToHex(sha256(key));
}

export async function splitGranuleKey(key: Uint8Array, alpha: string, threshold: number, total: number): Promise<GranuleKeyShare[]> {
  if (key.length !== 32) throw new KeyShareError('A granule key is 32 bytes (AES-256).');
  if (!ALPHA_RE.test(alpha)) throw new KeyShareError(`"${alpha}" is not an α (0x followed by 64 lowercase hex digits).`);
  const commitment = keyCommitment(key);
  return (await splitKey(key, threshold, total)).map((share, i) => ({ alpha, threshold, total, x: i + 1, share, commitment }));
}

function* subsets<T>(items: T[], size: number, start = 0, chosen: T[] = []): Generator<T[]> {
  if (chosen.length === size) {
    yield chosen;
    return;
  }
  for (let i = start; i <= items.length - (size - chosen.length); i++) yield* subsets(items, size, i + 1, [...chosen, items[i]!]);
}

/** What the user knows about a granule's custody from the public manifest whose CID the chain records for α. */
export interface GranuleCustodyTerms {
  alpha: string;
  /** t, from the manifest: never from a share. */
  threshold: number;
  /** SHA-256 of the key (hex), from the manifest: never from a share. */
  keyCommitment: string;
  /** n, the number of custodians the manifest lists: shares are at x = 1…n, so anything else is set aside. */
  shares?: number;
}

/** Upper bound on the subsets tried: C(12, 6) = 924, so a dozen answers at t ≤ 6 are searched in full. */
const MAX_SUBSETS = 5_000;

/**
 * Rebuilds the key of granule `terms.alpha`. The threshold and key commitment come from the caller (the chain-checked
 * manifest); what a share says about them is ignored, so a hostile share cannot redefine either. Shares of another
 * granule are set aside, shares at the same x are both kept (one may be honest), and subsets of t distinct x are tried
 * until one rebuilds a key whose SHA-256 is the commitment. Fewer than t usable shares is WaitingForKeyHoldersError
 * (a state, not a failure); t or more that never rebuild the key is KeyShareError (some are wrong: ask others).
 */
export async function combineGranuleKey(shares: GranuleKeyShare[], terms: GranuleCustodyTerms): Promise<Uint8Array> {
  const t = terms.threshold;
  if (!Number.isInteger(t) || t < 1 || t > 255)
    throw new KeyShareError(`The manifest asks for ${t} key shares, which is not a threshold: the manifest is not usable.`);
  if (!/^[0-9a-f]{64}$/.test(terms.keyCommitment))
    throw new KeyShareError('The manifest carries no key commitment: it was written by an older twingrain. Ask the owner to publish the granule again.');
  // Only this granule's shares, at a possible x, of the length t implies, and each (x, share) once.
  const length = keyShareLength(t);
  const usable = [
    ...new Map(
      shares
        .filter(
          (s) =>
            s.alpha === terms.alpha &&
            Number.isInteger(s.x) &&
            s.x >= 1 &&
            s.x <= (terms.shares ?? 255) &&
            s.share instanceof Uint8Array &&
            s.share.length === length,
        )
        .map((s) => [`${s.x}:${bytesToHex(s.share)}`, s]),
    ).values(),
  ];
  const distinctX = new Set(usable.map((s) => s.x)).size;
  if (distinctX < t) throw new WaitingForKeyHoldersError(t - distinctX, t);
  let tried = 0;
  for (const subset of subsets(usable, t)) {
    if (new Set(subset.map((s) => s.x)).size !== t) continue; // two shares at one x cannot both be right
    if (++tried > MAX_SUBSETS) break;
    const key = await combineKey(subset.map((s) => s.share)).catch(() => undefined);
    if (key && keyCommitment(key) === terms.keyCommitment) return key;
  }
  throw new KeyShareError(
    `The ${usable.length} key shares received do not rebuild the granule key: at least one of them is wrong or was altered. The other custodians' shares are needed.`,
  );
}

export function encodeKeyShare(share: GranuleKeyShare): Uint8Array {
  return utf8ToBytes(JSON.stringify({ v: 2, ...share, share: bytesToHex(share.share) }));
}

/** A key share as it travels (JSON inside a sealed envelope): checked whole before anything in it is used. */
const KeyShareJson = v.object({
  v: v.literal(2),
  alpha: v.pipe(v.string(), v.regex(ALPHA_RE)),
  threshold: v.pipe(v.number(), v.integer()),
  total: v.pipe(v.number(), v.integer()),
  x: v.pipe(v.number(), v.integer()),
  // The key whole (t = 1, 32 bytes) or a shamir-secret-sharing share (33 bytes), lowercase hex.
  share: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}([0-9a-f]{2})?$/)),
  commitment: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});

export function decodeKeyShare(bytes: Uint8Array): GranuleKeyShare {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new KeyShareError('A key share is not readable: it was altered or comes from another program.');
  }
  // Version 1 (Shamir over 2^521 − 1) was only ever written by development builds before the first release.
  if ((json as { v?: unknown } | null)?.v === 1) {
    throw new KeyShareError(
      'This key share was made by a development build of twingrain and can no longer be read. Ask the owner to publish the granule again.',
    );
  }
  const parsed = v.safeParse(KeyShareJson, json);
  if (!parsed.success) {
    const where = v.getDotPath(parsed.issues[0]);
    throw new KeyShareError(`A key share is malformed${where ? ` (${where})` : ''}: it was altered or comes from another program.`);
  }
  const { alpha, threshold, total, x, share, commitment } = parsed.output;
  return { alpha, threshold, total, x, share: hexToBytes(share), commitment };
}
