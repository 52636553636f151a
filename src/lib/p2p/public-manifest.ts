// The public manifest: what anyone may read about a shared granule (its description and search fields, α, how it
// was encrypted and sharded, which CIDs hold the shards). It is stored as one raw block, so its CID is the SHA-256
// of its exact bytes, and that CID (binary) is what the registry records on chain at registration.
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as v from 'valibot';
import { issueLines } from '../schema/index';
import type { GranuleSearchFields } from '../store/index';
import { ManifestMismatchError, P2PFormatError } from './errors';

export const PUBLIC_MANIFEST_SCHEMA = 'twingrain/public-manifest@1';
const SHA256_CODE = 0x12;

export interface PublicGranuleInfo extends GranuleSearchFields {
  ownerPublicKey?: string;
}

export interface PublicManifest {
  schema: typeof PUBLIC_MANIFEST_SCHEMA;
  /** α of the plaintext archive, 0x + 64 hex. */
  alpha: string;
  granule: PublicGranuleInfo;
  cipher: 'AES-256-GCM';
  /** Length and SHA-256 of the ciphertext that the shards rebuild. */
  ciphertext: { length: number; sha256: string };
  erasure: { scheme: 'rs-gf256-cauchy'; k: number; n: number; shardSize: number };
  /** Shard i: its UnixFS root CID and the SHA-256 of its bytes. */
  shards: Array<{ cid: string; sha256: string }>;
  /**
   * Key custody: t of the custodians' shares rebuild the key. Share i is sealed to custodian i's X25519 key (hex),
   * so publishing the envelopes reveals nothing, and a custodian that missed the owner's push can still find it.
   * keyCommitment is the SHA-256 (hex) of the 32-byte granule key: with t, it is what a user rebuilding the key
   * trusts — taken from this manifest, whose CID the chain records, never from a share.
   */
  custody: { threshold: number; keyCommitment: string; shares: Array<{ custodian: string; envelope: string }> };
}

const Hex64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const Count = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
/**
 * What a reader relies on. Loose objects: a later version may add fields, and the search fields a reader shows but
 * does not need (version, domain, license…) are not required, so manifests published by earlier versions stay readable.
 */
const PublicManifestSchema = v.pipe(
  v.looseObject({
    schema: v.literal(PUBLIC_MANIFEST_SCHEMA),
    alpha: v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/)),
    granule: v.looseObject({ name: v.string(), description: v.string(), tags: v.array(v.unknown()), printers: v.array(v.unknown()) }),
    cipher: v.literal('AES-256-GCM'),
    ciphertext: v.looseObject({ length: Count(0), sha256: Hex64 }),
    erasure: v.pipe(
      v.looseObject({ scheme: v.literal('rs-gf256-cauchy'), k: Count(1), n: v.pipe(Count(1), v.maxValue(255)) }),
      v.check((e) => e.n >= e.k, 'n must be at least k'),
    ),
    shards: v.array(v.looseObject({ cid: v.string(), sha256: Hex64 })),
    custody: v.pipe(
      v.looseObject({ threshold: Count(1), keyCommitment: Hex64, shares: v.array(v.looseObject({ custodian: Hex64, envelope: v.string() })) }),
      v.check((c) => c.threshold <= c.shares.length, 'threshold is more than the shares'),
    ),
  }),
  v.forward(
    v.partialCheck([['shards'], ['erasure', 'n']], (m) => m.shards.length === m.erasure.n, 'must list one shard per erasure.n'),
    ['shards'],
  ),
);

/** Deterministic bytes: keys in a fixed order, so one manifest has one CID. */
export function encodePublicManifest(m: PublicManifest): Uint8Array {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
          )
        : v;
  return new TextEncoder().encode(JSON.stringify(sortKeys(m)));
}

export function publicManifestCid(bytes: Uint8Array): CID {
  return CID.createV1(raw.code, createDigest(SHA256_CODE, sha256(bytes)));
}

/** Parses and checks a manifest; `expectedAlpha` is the α the chain recorded next to the manifest's CID. */
export function decodePublicManifest(bytes: Uint8Array, cid?: CID, expectedAlpha?: string): PublicManifest {
  if (cid) {
    if (cid.multihash.code !== SHA256_CODE || bytesToHex(cid.multihash.digest) !== bytesToHex(sha256(bytes))) {
      throw new ManifestMismatchError(
        `The manifest received for ${cid.toString()} does not hash to that CID: it was altered. It will be fetched from another peer.`,
      );
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new P2PFormatError('The public manifest is not JSON: this CID does not point at a twingrain manifest.');
  }
  const checked = v.safeParse(PublicManifestSchema, value);
  if (!checked.success) {
    throw new P2PFormatError(
      `The public manifest is malformed (${issueLines(checked.issues, 'the manifest').slice(0, 3).join('; ')}): it was not written by twingrain or was altered.`,
    );
  }
  // The bytes as read (fields this version does not know included): the CID is over them.
  const m = value as PublicManifest;
  if (expectedAlpha !== undefined && m.alpha !== expectedAlpha.toLowerCase()) {
    throw new ManifestMismatchError(
      `The manifest at this CID describes granule ${m.alpha.slice(0, 12)}…, but the chain records it for ${expectedAlpha.slice(0, 12)}…. It was not published by this granule's owner; do not use it.`,
    );
  }
  return m;
}

/** The chain stores CIDs as bytes. */
export const cidToChainBytes = (cid: CID): `0x${string}` => `0x${bytesToHex(cid.bytes)}`;
export function cidFromChainBytes(hex: string): CID {
  try {
    return CID.decode(Uint8Array.from((hex.replace(/^0x/, '').match(/../g) ?? []).map((b) => parseInt(b, 16))));
  } catch {
    throw new ManifestMismatchError('The manifest CID recorded on chain is not a valid CID.');
  }
}
