import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { alphaFromSha256, alphaHex, alphaOf, BN254_SCALAR_FIELD, parseAlpha, sha256Hex } from './alpha';

describe('alphaOf', () => {
  it('is SHA-256 with the top three bits cleared, read big-endian', () => {
    const bytes = new TextEncoder().encode('twingrain');
    const hex = createHash('sha256').update(bytes).digest('hex');
    const expected = BigInt('0x' + hex) & ((1n << 253n) - 1n);
    expect(alphaOf(bytes)).toBe(expected);
    expect(sha256Hex(bytes)).toBe(hex);
  });

  it('always lands inside the BN254 scalar field and round-trips through hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const a = alphaOf(bytes);
        expect(a).toBeLessThan(BN254_SCALAR_FIELD);
        const h = alphaHex(a);
        expect(h).toMatch(/^0x[0-9a-f]{64}$/);
        expect(parseAlpha(h)).toBe(a);
        expect(alphaHex(bytes)).toBe(h);
      }),
    );
  });

  it('maps an all-ones digest to 2^253 - 1', () => {
    expect(alphaFromSha256(new Uint8Array(32).fill(0xff))).toBe((1n << 253n) - 1n);
  });

  it('refuses things that are not an α', () => {
    expect(() => parseAlpha('0x')).toThrow(RangeError);
    expect(() => parseAlpha('ff')).toThrow(RangeError);
    expect(() => parseAlpha('0x' + 'f'.repeat(64))).toThrow(/2\^253/);
    expect(() => alphaFromSha256(new Uint8Array(31))).toThrow(RangeError);
  });
});
