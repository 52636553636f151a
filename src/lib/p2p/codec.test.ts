import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeShards, decodeShards } from './erasure';
import { encryptArchive, decryptArchive } from './cipher';
import { encodePublicManifest, decodePublicManifest, publicManifestCid, cidToChainBytes, cidFromChainBytes, type PublicManifest } from './public-manifest';
import { ManifestMismatchError, NotEnoughShardsError, P2PFormatError } from './errors';

describe('Reed–Solomon erasure coding', () => {
  it('any k of n shards rebuild the data', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer(),
        (data, k, extra, seed) => {
          const n = k + extra;
          const shards = encodeShards(data, { k, n });
          expect(shards).toHaveLength(n);
          const order = shards.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
          const pick = new Map(order.slice(0, k).map((i) => [i, shards[i]!]));
          expect(decodeShards(pick, { k, n, length: data.length })).toEqual(data);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('fewer than k shards is a NotEnoughShardsError', () => {
    const shards = encodeShards(randomBytes(100), { k: 3, n: 5 });
    expect(() =>
      decodeShards(
        new Map([
          [0, shards[0]!],
          [4, shards[4]!],
        ]),
        { k: 3, n: 5, length: 100 },
      ),
    ).toThrow(NotEnoughShardsError);
  });

  it('refuses impossible parameters and shards of the wrong size', () => {
    expect(() => encodeShards(randomBytes(10), { k: 0, n: 2 })).toThrow(P2PFormatError);
    expect(() => encodeShards(randomBytes(10), { k: 3, n: 2 })).toThrow(P2PFormatError);
    expect(() => encodeShards(randomBytes(10), { k: 3, n: 256 })).toThrow(P2PFormatError);
    expect(() => decodeShards(new Map([[0, new Uint8Array(3)]]), { k: 1, n: 2, length: 5 })).toThrow(P2PFormatError);
  });
});

describe('AES-256-GCM archive encryption', () => {
  it('round-trips and refuses a wrong key, an altered byte or a truncated ciphertext', async () => {
    const archive = randomBytes(1000);
    const { key, ciphertext } = await encryptArchive(archive);
    expect(await decryptArchive(ciphertext, key)).toEqual(archive);
    await expect(decryptArchive(ciphertext, randomBytes(32))).rejects.toThrow(P2PFormatError);
    await expect(decryptArchive(ciphertext.subarray(0, 20), key)).rejects.toThrow(P2PFormatError);
    ciphertext[50]! ^= 1;
    await expect(decryptArchive(ciphertext, key)).rejects.toThrow(P2PFormatError);
  });
});

describe('public manifest', () => {
  const m: PublicManifest = {
    schema: 'twingrain/public-manifest@1',
    alpha: '0x' + 'ab'.repeat(32),
    granule: {
      name: 'p/mechanical',
      version: '1.0.0',
      description: 'd',
      domain: 'enabling',
      context: 'mechanical',
      printers: ['ender-3'],
      tags: ['x'],
      license: 'MIT',
    },
    cipher: 'AES-256-GCM',
    ciphertext: { length: 10, sha256: '00'.repeat(32) },
    erasure: { scheme: 'rs-gf256-cauchy', k: 1, n: 1, shardSize: 10 },
    shards: [{ cid: 'bafkqaaa', sha256: '11'.repeat(32) }],
    custody: { threshold: 1, keyCommitment: '33'.repeat(32), shares: [{ custodian: '22'.repeat(32), envelope: 'AA==' }] },
  };

  it('has one CID, survives the chain encoding, and is checked against the chain α', () => {
    const bytes = encodePublicManifest(m);
    const cid = publicManifestCid(bytes);
    expect(publicManifestCid(encodePublicManifest(JSON.parse(JSON.stringify(m)) as PublicManifest)).equals(cid)).toBe(true);
    expect(cidFromChainBytes(cidToChainBytes(cid)).equals(cid)).toBe(true);
    expect(decodePublicManifest(bytes, cid, m.alpha)).toEqual(m);
    expect(() => decodePublicManifest(bytes, cid, '0x' + 'cd'.repeat(32))).toThrow(ManifestMismatchError);
  });

  it('refuses bytes that do not hash to the CID and malformed manifests', () => {
    const bytes = encodePublicManifest(m);
    const cid = publicManifestCid(bytes);
    const altered = encodePublicManifest({ ...m, granule: { ...m.granule, description: 'evil' } });
    expect(() => decodePublicManifest(altered, cid)).toThrow(ManifestMismatchError);
    expect(() => decodePublicManifest(new TextEncoder().encode('{"schema":"x"}'))).toThrow(P2PFormatError);
    expect(() => decodePublicManifest(randomBytes(20))).toThrow(P2PFormatError);
    expect(() => cidFromChainBytes('0x1234')).toThrow(ManifestMismatchError);
  });

  it('names what is wrong in a malformed manifest, and reads an earlier, sparser one', () => {
    const decode = (x: unknown) => () => decodePublicManifest(new TextEncoder().encode(JSON.stringify(x)));
    expect(decode(null)).toThrow(/malformed \(the manifest must be a JSON object\)/);
    expect(decode({ ...m, alpha: 'ab' })).toThrow(/malformed \(alpha /);
    expect(decode({ ...m, erasure: { ...m.erasure, k: 2, n: 1 } })).toThrow(/erasure n must be at least k/);
    expect(decode({ ...m, erasure: { ...m.erasure, n: 256 } })).toThrow(/erasure\.n /);
    expect(decode({ ...m, shards: [] })).toThrow(/shards must list one shard per erasure\.n/);
    expect(decode({ ...m, custody: { ...m.custody, threshold: 2 } })).toThrow(/custody threshold is more than the shares/);
    expect(decode({ ...m, custody: { ...m.custody, shares: [{ custodian: 'x', envelope: 'AA==' }] } })).toThrow(/custody\.shares\[0\]\.custodian/);
    expect(decode({ ...m, cipher: 'none' })).toThrow(P2PFormatError);
    // An earlier writer left out the search fields a reader does not need, and a later one may add fields: both read.
    const { version: _v, domain: _d, context: _c, license: _l, ...sparse } = m.granule;
    const older = { ...m, granule: sparse, added: { later: true } };
    expect(decodePublicManifest(new TextEncoder().encode(JSON.stringify(older)))).toEqual(older);
  });
});
