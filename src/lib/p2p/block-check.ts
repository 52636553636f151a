// The one check every block received from someone else goes through, whatever brought it (the direct block protocol,
// block-transfer.ts; a gateway's CAR, gateway-car.ts): a kind this app can check (SHA-256, raw or dag-pb), bytes that
// hash to its CID, and for a dag-pb node, links that can be read. Only a block that passes is stored or used, and only
// a passed node's links may widen what its sender is allowed to send next. Callers map a failure to their own codes.
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { equals } from 'multiformats/bytes';
// multiformats' sha256: in a page its browser build calls crypto.subtle.digest, in Node node:crypto (the fastest
// there). Measured in headless Chromium 156 on 40 blocks of 256 KiB (pageHashCost in scripts/bench/_p2p-pages.ts, run
// by _relay-quick.ts in a quiet slot, load ≤ 2.2): crypto.subtle.digest 180–193 µs per block one after another and
// 170–195 µs all at once, multiformats' sha256 183–185 µs (the same call plus a Digest object), @noble/hashes in
// JavaScript 3,555–3,703 µs. Web Crypto it is, through multiformats.
import { sha256 } from 'multiformats/hashes/sha2';

export type BlockCheck =
  /** The block is what its CID names; `links`: the blocks a dag-pb node links to, in order (none for raw). */
  | { ok: true; links: CID[] }
  /** `kind`: not SHA-256, or neither raw nor dag-pb; `mismatch`: bytes that do not hash to the CID; `unreadable`: a dag-pb node that does not decode. */
  | { ok: false; reason: 'kind' | 'mismatch' | 'unreadable' };

/** Whether the CID is of a kind checkBlock can check (before any bytes are hashed). */
function checkableCid(cid: CID): boolean {
  return cid.multihash.code === sha256.code && (cid.code === raw.code || cid.code === dagPb.code);
}

/** The CIDs a dag-pb node links to, in order; none for any other block. Throws on a node that does not decode. */
export function linksOf(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code !== dagPb.code) return [];
  return dagPb.decode(bytes).Links.map((l) => l.Hash);
}

/** Checks a received block against its CID, as described above. */
export async function checkBlock(cid: CID, bytes: Uint8Array): Promise<BlockCheck> {
  if (!checkableCid(cid)) return { ok: false, reason: 'kind' };
  const digest = await sha256.digest(bytes);
  if (!equals(digest.digest, cid.multihash.digest)) return { ok: false, reason: 'mismatch' };
  try {
    return { ok: true, links: linksOf(cid, bytes) };
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
}
