import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from '@noble/hashes/utils.js';
import {
  splitSecret, combineShares, SHAMIR_PRIME, splitGranuleKey, combineGranuleKey, encodeKeyShare, decodeKeyShare,
  seal, open, KeyShareError, SealError, WaitingForKeyHoldersError, keyCommitment, custodyDepositTypedData, recoverCustodyDepositSigner,
} from './index';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

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
  const terms = { alpha: ALPHA, threshold: 2, keyCommitment: keyCommitment(key), shares: 3 };

  it('2 of 3 rebuild the key; one custodian alone cannot', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    expect(combineGranuleKey([shares[2]!, shares[0]!], terms)).toEqual(key);
    const waiting = (() => { try { combineGranuleKey([shares[1]!], terms); } catch (e) { return e; } })();
    expect(waiting).toBeInstanceOf(WaitingForKeyHoldersError);
    expect((waiting as WaitingForKeyHoldersError).missing).toBe(1);
    expect((waiting as Error).message).toContain('Waiting for 1 more key holder');
  });

  it('sets a share of another granule aside: it neither counts nor breaks the rebuild', () => {
    const mine = splitGranuleKey(key, ALPHA, 2, 3);
    const foreign = splitGranuleKey(randomBytes(32), OTHER, 2, 3);
    expect(() => combineGranuleKey([mine[0]!, foreign[1]!], terms)).toThrow(WaitingForKeyHoldersError);
    expect(combineGranuleKey([foreign[1]!, mine[0]!, foreign[2]!, mine[2]!], terms)).toEqual(key);
  });

  it('finds the good shares when one is wrong, and says so when too few are good', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    const bad = { ...shares[1]!, y: (shares[1]!.y + 1n) % SHAMIR_PRIME };
    expect(combineGranuleKey([shares[0]!, bad, shares[2]!], terms)).toEqual(key);
    expect(() => combineGranuleKey([shares[0]!, bad], terms)).toThrow(/wrong or was altered/);
  });

  // A share's own claims about t and the commitment are ignored: t and the commitment come from the chain-checked
  // manifest. Under the old majority vote, three colluding shares claiming t = 1 out-voted two honest ones.
  it('attack: shares claiming t = 1 with their own commitment cannot replace the key, however many they are', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    const fake = randomBytes(32);
    const liar = (x: number) => ({ alpha: ALPHA, threshold: 1, total: 1, x, y: BigInt('0x' + Buffer.from(fake).toString('hex')), commitment: keyCommitment(fake) });
    const got = combineGranuleKey([liar(1), liar(2), liar(3), shares[0]!, shares[1]!], terms);
    expect(got).toEqual(key);
    expect(() => combineGranuleKey([liar(1), liar(2), liar(3)], terms)).toThrow(KeyShareError);
  });

  it('attack: a duplicate x with a wrong y beside the honest share at that x does not hide it', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    const twin = { ...shares[0]!, y: (shares[0]!.y * 7n) % SHAMIR_PRIME };
    // The impostor arrives last, where a map keyed by x would have kept only it.
    expect(combineGranuleKey([shares[0]!, shares[1]!, twin], terms)).toEqual(key);
    expect(combineGranuleKey([twin, shares[1]!, shares[0]!], terms)).toEqual(key);
  });

  it('attack: t honest shares win beside every kind of hostile share at once', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    const fake = randomBytes(32);
    const hostile = [
      { alpha: ALPHA, threshold: 1, total: 1, x: 3, y: BigInt('0x' + Buffer.from(fake).toString('hex')), commitment: keyCommitment(fake) },
      { ...shares[0]!, y: (shares[0]!.y + 5n) % SHAMIR_PRIME },
      splitGranuleKey(randomBytes(32), OTHER, 2, 3)[1]!,
      { ...shares[1]!, x: 0 },
      { ...shares[1]!, x: 200 },
      { ...shares[1]!, threshold: 3, commitment: 'ff'.repeat(32), y: (shares[1]!.y + 9n) % SHAMIR_PRIME },
    ];
    for (let i = 0; i < 20; i++) {
      const all = [...hostile, shares[0]!, shares[1]!].sort(() => Math.random() - 0.5);
      expect(combineGranuleKey(all, terms)).toEqual(key);
    }
  });

  it('takes t from the manifest: a manifest saying t = 3 waits for a third share', () => {
    const shares = splitGranuleKey(key, ALPHA, 2, 3);
    expect(() => combineGranuleKey(shares.slice(0, 2), { ...terms, threshold: 3 })).toThrow(WaitingForKeyHoldersError);
    expect(() => combineGranuleKey(shares, { ...terms, keyCommitment: 'ab' })).toThrow(/no key commitment/);
  });

  it('round-trips through bytes and refuses garbage', () => {
    const [s] = splitGranuleKey(key, ALPHA, 1, 1);
    expect(decodeKeyShare(encodeKeyShare(s!))).toEqual(s);
    expect(() => decodeKeyShare(new TextEncoder().encode('{"v":1}'))).toThrow(KeyShareError);
    expect(() => decodeKeyShare(randomBytes(40))).toThrow(KeyShareError);
  });
});

describe('custody deposit signature (EIP-712)', () => {
  const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;
  const cid = new Uint8Array([1, 0x55, 0x12, 0x20, ...randomBytes(32)]);

  it('recovers the signer; another α, manifest, chain or registry recovers someone else', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const base = { chainId: 31337, registry, alpha: ALPHA, manifestCid: cid };
    const signature = await account.signTypedData(custodyDepositTypedData(base));
    expect(await recoverCustodyDepositSigner({ ...base, signature })).toBe(account.address);
    for (const other of [{ ...base, alpha: OTHER }, { ...base, manifestCid: cid.map((b, i) => (i === 5 ? b ^ 1 : b)) }, { ...base, chainId: 1 }, { ...base, registry: '0x' + '11'.repeat(20) as `0x${string}` }]) {
      expect(await recoverCustodyDepositSigner({ ...other, signature })).not.toBe(account.address);
    }
    await expect(recoverCustodyDepositSigner({ ...base, signature: '0x1234' })).rejects.toMatchObject({ code: 'bad-signature' });
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
