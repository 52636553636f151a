import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import {
  splitGranuleKey,
  combineGranuleKey,
  encodeKeyShare,
  decodeKeyShare,
  seal,
  open,
  KeyShareError,
  SealError,
  WaitingForKeyHoldersError,
  keyCommitment,
  custodyDepositTypedData,
  recoverCustodyDepositSigner,
} from './index';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const ALPHA = '0x' + '1a'.repeat(32);
const OTHER = '0x' + '0b'.repeat(32);
/** A copy of `share` with one byte changed. */
const flip = (share: Uint8Array, i: number) => share.map((b, j) => (j === i ? b ^ 0x5a : b));

describe('key sharing (shamir-secret-sharing under the commitment)', () => {
  it('any t of n shares rebuild the key, for t = 1 (the key whole) up to n', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 4 }),
        async (bytes, t, extra) => {
          const key = Uint8Array.from(bytes);
          const terms = { alpha: ALPHA, threshold: t, keyCommitment: keyCommitment(key), shares: t + extra };
          const shares = await splitGranuleKey(key, ALPHA, t, t + extra);
          expect(shares.map((s) => s.x)).toEqual(Array.from({ length: t + extra }, (_, i) => i + 1));
          const pick = [...shares].sort(() => Math.random() - 0.5).slice(0, t);
          expect(await combineGranuleKey(pick, terms)).toEqual(key);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('with t ≥ 2 no single share holds the key', async () => {
    const key = randomBytes(32);
    for (const s of await splitGranuleKey(key, ALPHA, 2, 3)) {
      expect(s.share).toHaveLength(33);
      expect(bytesToHex(s.share).includes(bytesToHex(key))).toBe(false);
    }
  });

  it('takes a Node Buffer as well as a Uint8Array', async () => {
    const key = Buffer.from(randomBytes(32));
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    expect(await combineGranuleKey(shares.slice(1), { alpha: ALPHA, threshold: 2, keyCommitment: keyCommitment(key), shares: 3 })).toEqual(
      Uint8Array.from(key),
    );
  });

  it('refuses impossible thresholds', async () => {
    await expect(splitGranuleKey(randomBytes(32), ALPHA, 0, 3)).rejects.toThrow(KeyShareError);
    await expect(splitGranuleKey(randomBytes(32), ALPHA, 4, 3)).rejects.toThrow(KeyShareError);
    await expect(splitGranuleKey(randomBytes(32), ALPHA, 2, 256)).rejects.toThrow(KeyShareError);
  });
});

describe('granule key shares', () => {
  const key = randomBytes(32);
  const terms = { alpha: ALPHA, threshold: 2, keyCommitment: keyCommitment(key), shares: 3 };

  it('2 of 3 rebuild the key; one custodian alone cannot', async () => {
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    expect(await combineGranuleKey([shares[2]!, shares[0]!], terms)).toEqual(key);
    const waiting = await combineGranuleKey([shares[1]!], terms).catch((e: unknown) => e);
    expect(waiting).toBeInstanceOf(WaitingForKeyHoldersError);
    expect((waiting as WaitingForKeyHoldersError).missing).toBe(1);
    expect((waiting as Error).message).toContain('Waiting for 1 more key holder');
  });

  it('sets a share of another granule aside: it neither counts nor breaks the rebuild', async () => {
    const mine = await splitGranuleKey(key, ALPHA, 2, 3);
    const foreign = await splitGranuleKey(randomBytes(32), OTHER, 2, 3);
    await expect(combineGranuleKey([mine[0]!, foreign[1]!], terms)).rejects.toThrow(WaitingForKeyHoldersError);
    expect(await combineGranuleKey([foreign[1]!, mine[0]!, foreign[2]!, mine[2]!], terms)).toEqual(key);
  });

  it('finds the good shares when one is wrong, and says so when too few are good', async () => {
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    const bad = { ...shares[1]!, share: flip(shares[1]!.share, 0) };
    expect(await combineGranuleKey([shares[0]!, bad, shares[2]!], terms)).toEqual(key);
    await expect(combineGranuleKey([shares[0]!, bad], terms)).rejects.toThrow(/wrong or was altered/);
  });

  // A share's own claims about t and the commitment are ignored: t and the commitment come from the chain-checked
  // manifest. Under the old majority vote, three colluding shares claiming t = 1 out-voted two honest ones.
  it('attack: shares claiming t = 1 with their own commitment cannot replace the key, however many they are', async () => {
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    const fake = randomBytes(32);
    const liar = (x: number) => ({ alpha: ALPHA, threshold: 1, total: 1, x, share: new Uint8Array([...fake, x]), commitment: keyCommitment(fake) });
    const got = await combineGranuleKey([liar(1), liar(2), liar(3), shares[0]!, shares[1]!], terms);
    expect(got).toEqual(key);
    await expect(combineGranuleKey([liar(1), liar(2), liar(3)], terms)).rejects.toThrow(KeyShareError);
  });

  it('attack: a duplicate x with a wrong y beside the honest share at that x does not hide it', async () => {
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    const twin = { ...shares[0]!, share: flip(shares[0]!.share, 5) };
    // The impostor arrives last, where a map keyed by x would have kept only it.
    expect(await combineGranuleKey([shares[0]!, shares[1]!, twin], terms)).toEqual(key);
    expect(await combineGranuleKey([twin, shares[1]!, shares[0]!], terms)).toEqual(key);
  });

  it('attack: t honest shares win beside every kind of hostile share at once', async () => {
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    const fake = randomBytes(32);
    const hostile = [
      { alpha: ALPHA, threshold: 1, total: 1, x: 3, share: new Uint8Array([...fake, 3]), commitment: keyCommitment(fake) },
      { ...shares[0]!, share: flip(shares[0]!.share, 3) },
      (await splitGranuleKey(randomBytes(32), OTHER, 2, 3))[1]!,
      { ...shares[1]!, x: 0 },
      { ...shares[1]!, x: 200 },
      { ...shares[1]!, threshold: 3, commitment: 'ff'.repeat(32), share: flip(shares[1]!.share, 9) },
    ];
    for (let i = 0; i < 20; i++) {
      const all = [...hostile, shares[0]!, shares[1]!].sort(() => Math.random() - 0.5);
      expect(await combineGranuleKey(all, terms)).toEqual(key);
    }
  });

  it('takes t from the manifest: a manifest saying t = 3 waits for a third share', async () => {
    const shares = await splitGranuleKey(key, ALPHA, 2, 3);
    await expect(combineGranuleKey(shares.slice(0, 2), { ...terms, threshold: 3 })).rejects.toThrow(WaitingForKeyHoldersError);
    await expect(combineGranuleKey(shares, { ...terms, keyCommitment: 'ab' })).rejects.toThrow(/no key commitment/);
  });

  it('round-trips through bytes and refuses garbage', async () => {
    const [s] = await splitGranuleKey(key, ALPHA, 1, 1);
    const [s2] = await splitGranuleKey(key, ALPHA, 2, 3);
    expect(decodeKeyShare(encodeKeyShare(s2!))).toEqual(s2);
    expect(decodeKeyShare(encodeKeyShare(s!))).toEqual(s);
    expect(() => decodeKeyShare(new TextEncoder().encode('{"v":1}'))).toThrow(/development build/);
    expect(() => decodeKeyShare(new TextEncoder().encode('{"v":2}'))).toThrow(/malformed/);
    const wrongShare = { ...JSON.parse(new TextDecoder().decode(encodeKeyShare(s2!))), share: 'zz'.repeat(33) };
    expect(() => decodeKeyShare(new TextEncoder().encode(JSON.stringify(wrongShare)))).toThrow(/malformed \(share\)/);
    expect(() => decodeKeyShare(new TextEncoder().encode('null'))).toThrow(/malformed/);
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
    for (const other of [
      { ...base, alpha: OTHER },
      { ...base, manifestCid: cid.map((b, i) => (i === 5 ? b ^ 1 : b)) },
      { ...base, chainId: 1 },
      { ...base, registry: ('0x' + '11'.repeat(20)) as `0x${string}` },
    ]) {
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
