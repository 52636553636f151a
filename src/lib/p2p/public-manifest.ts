// The public manifest: what anyone may read about a shared granule (its description and search fields, α, how it
// was encrypted and sharded, which CIDs hold the shards). It is stored as one raw block, so its CID is the SHA-256
// of its exact bytes, and that CID (binary) is what the registry records on chain at registration.
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ManifestMismatchError, P2PFormatError } from './errors';

export const PUBLIC_MANIFEST_SCHEMA = 'twingrain/public-manifest@1';
const SHA256_CODE = 0x12;

export interface PublicGranuleInfo {
  name: string;
  version: string;
  description: string;
  domain: string;
  context: string;
  printers: string[];
  tags: string[];
  license: string;
  ownerPublicKey?: string;
  /** The owner's name from the granule's manifest: what the owner calls themselves, not verified. */
  ownerName?: string;
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

const HEX64 = /^[0-9a-f]{64}$/;

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
  let v: PublicManifest;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes)) as PublicManifest;
  } catch {
    throw new P2PFormatError('The public manifest is not JSON: this CID does not point at a twingrain manifest.');
  }
  const ok =
    v &&
    v.schema === PUBLIC_MANIFEST_SCHEMA &&
    typeof v.alpha === 'string' &&
    /^0x[0-9a-f]{64}$/.test(v.alpha) &&
    v.granule &&
    typeof v.granule.name === 'string' &&
    typeof v.granule.description === 'string' &&
    Array.isArray(v.granule.tags) &&
    Array.isArray(v.granule.printers) &&
    v.cipher === 'AES-256-GCM' &&
    v.ciphertext &&
    Number.isInteger(v.ciphertext.length) &&
    HEX64.test(v.ciphertext.sha256) &&
    v.erasure &&
    v.erasure.scheme === 'rs-gf256-cauchy' &&
    Number.isInteger(v.erasure.k) &&
    Number.isInteger(v.erasure.n) &&
    v.erasure.k >= 1 &&
    v.erasure.n >= v.erasure.k &&
    v.erasure.n <= 255 &&
    Array.isArray(v.shards) &&
    v.shards.length === v.erasure.n &&
    v.shards.every((s) => typeof s.cid === 'string' && HEX64.test(s.sha256)) &&
    v.custody &&
    Number.isInteger(v.custody.threshold) &&
    v.custody.threshold >= 1 &&
    Array.isArray(v.custody.shares) &&
    v.custody.threshold <= v.custody.shares.length &&
    typeof v.custody.keyCommitment === 'string' &&
    HEX64.test(v.custody.keyCommitment) &&
    v.custody.shares.every((s) => typeof s.custodian === 'string' && HEX64.test(s.custodian) && typeof s.envelope === 'string');
  if (!ok) throw new P2PFormatError('The public manifest is malformed: it was not written by twingrain or was altered.');
  if (expectedAlpha !== undefined && v.alpha !== expectedAlpha.toLowerCase()) {
    throw new ManifestMismatchError(
      `The manifest at this CID describes granule ${v.alpha.slice(0, 12)}…, but the chain records it for ${expectedAlpha.slice(0, 12)}…. It was not published by this granule's owner; do not use it.`,
    );
  }
  return v;
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
