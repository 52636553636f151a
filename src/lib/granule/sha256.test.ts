import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSha256, sha256, SHA256_BACKEND } from './sha256';
import { packGranule, unpackGranule } from './pack';
import { sampleFiles } from './test-fixture';

// α of two fixed granules as the pure-JavaScript hashing packed them before the native hash replaced it: a change of
// hashing that altered one archive byte or α would strand every granule already registered on chain.
const SAMPLE_ALPHA = '0x189110d4dc0134cf698b8e66bfdaaf4a22de42ce64481c5169455b89357e14d4';
const MIXED_ALPHA = '0x0ae38fe220151c11e5d88ab3c90f96ed20c05863583064f254c87a5a9a40b1bd';

function mixedFiles(): Record<string, Uint8Array | string> {
  // 3 MiB + 7 bytes crosses the archive writer's 1 MiB hashing pieces; 40 small files fall between them.
  const big = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31 + (i >> 11)) % 251);
  const files: Record<string, Uint8Array | string> = { ...sampleFiles(), 'assets/big.bin': big };
  for (let i = 0; i < 40; i++) files[`assets/s-${i}.txt`] = 'x'.repeat(i * 97);
  return files;
}

describe('granule hashing', () => {
  it('uses the native hash in Node', () => {
    expect(SHA256_BACKEND).toBe('node:crypto');
  });

  it('gives the same digests as @noble/hashes, whole and in pieces, and a copy finishes a prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(5000), (data, cut) => {
        const at = Math.min(cut, data.length);
        expect(sha256(data)).toEqual(nobleSha256(data));
        const h = createSha256().update(data.subarray(0, at));
        expect(h.copy().digest()).toEqual(nobleSha256(data.subarray(0, at)));
        expect(h.update(data.subarray(at)).digest()).toEqual(nobleSha256(data));
      }),
      { numRuns: 200 },
    );
  });

  it('packs the fixed granules to the α they had before, and unpacks them', () => {
    for (const [files, alpha] of [
      [sampleFiles(), SAMPLE_ALPHA],
      [mixedFiles(), MIXED_ALPHA],
    ] as const) {
      const packed = packGranule({ files });
      expect(packed.alphaHex).toBe(alpha);
      expect(packed.sha256).toBe(Buffer.from(nobleSha256(packed.bytes)).toString('hex'));
      expect(unpackGranule({ bytes: packed.bytes, expectedAlpha: alpha }).alphaHex).toBe(alpha);
    }
  });

  it('still finds a corrupted trailer and a corrupted byte', () => {
    const packed = packGranule({ files: sampleFiles() });
    const lastByte = packed.bytes.slice();
    lastByte[lastByte.length - 1]! ^= 1;
    expect(() => unpackGranule({ bytes: lastByte })).toThrow(/integrity trailer/);
    const body = packed.bytes.slice();
    body[20]! ^= 1;
    expect(() => unpackGranule({ bytes: body })).toThrow();
  });
});
