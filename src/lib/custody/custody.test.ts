import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import {
  splitSecret, combineShares, SHAMIR_PRIME, splitGranuleKey, combineGranuleKey, encodeKeyShare, decodeKeyShare,
  seal, open, KeyShareError, SealError, WaitingForKeyHoldersError,
} from './index';

const ALPHA = '0x' + '1a'.repeat(32);
const OTHER = '0x' + '0b'.repeat(32);

describe('Shamir over 2^521 − 1', () => {
  it('any t of n shares rebuild the secret', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: SHAMIR_PRIME - 1n }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }), (secret, t, extra) => {
        const shares = splitSecret(secret, t, t + extra);
        const pick = [...shares].sort(() => Math.random() - 0.5).slice(0, t);
        expect(combineShares(pick)).toBe(secret);
      }),
      { numRuns: 60 },
    );
  });

  it('t − 1 shares give a value unrelated to the secret', () => {
    const secret = 123456789n;
    const shares = splitSecret(secret, 3, 5);
    expect(combineShares(shares.slice(0, 2))).not.toBe(secret);
  });

  it('refuses impossible thresholds and duplicated shares', () => {
    expect(() => splitSecret(1n, 0, 3)).toThrow(KeyShareError);
    expect(() => splitSecret(1n, 4, 3)).toThrow(KeyShareError);
    const s = splitSecret(5n, 2, 3);
    expect(() => combineShares([s[0]!, s[0]!])).toThrow(KeyShareError);
  });
});

describe('granule key shares', () => {
  const key = randomBytes(32);

  it('2 of 3 rebuild the key; one custodian alone cannot', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    expect(combineGranuleKey([shares[2]!, shares[0]!], ALPHA)).toEqual(key);
    const waiting = (() => { try { combineGranuleKey([shares[1]!], ALPHA); } catch (e) { return e; } })();
    expect(waiting).toBeInstanceOf(WaitingForKeyHoldersError);
    expect((waiting as WaitingForKeyHoldersError).missing).toBe(1);
    expect((waiting as Error).message).toContain('Waiting for 1 more key holder');
  });

  it('refuses a share of another granule by name', () => {
    const mine = splitGranuleKey(key, ALPHA, 2, 3);
    const foreign = splitGranuleKey(randomBytes(32), OTHER, 2, 3);
    expect(() => combineGranuleKey([mine[0]!, foreign[1]!], ALPHA)).toThrow(/another granule/);
  });

  it('finds the good shares when one is wrong, and says so when too few are good', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    const bad = { ...shares[1]!, y: (shares[1]!.y + 1n) % SHAMIR_PRIME };
    expect(combineGranuleKey([shares[0]!, bad, shares[2]!], ALPHA)).toEqual(key);
    expect(() => combineGranuleKey([shares[0]!, bad], ALPHA)).toThrow(/wrong or was altered/);
  });

  it('round-trips through bytes and refuses garbage', () => {
    const [s] = splitGranuleKey(key, ALPHA, 1, 1);
    expect(decodeKeyShare(encodeKeyShare(s!))).toEqual(s);
    expect(() => decodeKeyShare(new TextEncoder().encode('{"v":1}'))).toThrow(KeyShareError);
    expect(() => decodeKeyShare(randomBytes(40))).toThrow(KeyShareError);
  });
});

describe('sealed envelopes', () => {
  const alice = x25519.utils.randomSecretKey();
  const mallory = x25519.utils.randomSecretKey();
  const msg = new TextEncoder().encode('share');

  it('opens for the recipient and the same context only', () => {
    const env = seal(msg, x25519.getPublicKey(alice), 'ctx-a');
    expect(open(env, alice, 'ctx-a')).toEqual(msg);
    expect(() => open(env, mallory, 'ctx-a')).toThrow(SealError);
    expect(() => open(env, alice, 'ctx-b')).toThrow(SealError);
  });

  it('detects a flipped bit and refuses malformed envelopes and keys', () => {
    const env = seal(msg, x25519.getPublicKey(alice), 'c');
    env[env.length - 1]! ^= 1;
    expect(() => open(env, alice, 'c')).toThrow(SealError);
    expect(() => open(new Uint8Array(10), alice, 'c')).toThrow(SealError);
    expect(() => seal(msg, new Uint8Array(31), 'c')).toThrow(SealError);
  });
});
