// The licence commands end to end against a real anvil with the contracts deployed and real proofs: authorize with
// terms, licence show, instantiate with and without accepting the price, receipts, revoke and transfer — output shapes
// exactly as issue 16 states them, and one-line refusals.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { packGranule } from '../../lib/granule/index';
import { sampleFiles } from '../../lib/granule/test-fixture';
import { cli, deployedChain, refusal, runCommand as run } from './testing.node.ts';

const { dir } = deployedChain('twingrain-licence-cli-');

describe('twingrain authorize --expires --price, licence, revoke, transfer', () => {
  it('grants with terms, shows them, instantiates, proves the licence with a receipt, revokes and transfers', async () => {
    const [owner, user, other, heir] = ['owner', 'user', 'other', 'heir'].map((n) => join(dir, `${n}.json`)) as [string, string, string, string];
    const pk: Record<string, string> = {};
    for (const [name, file] of Object.entries({ owner, user, other, heir })) pk[name] = String((await cli('identity', 'new', '--out', file)).pk);
    const { bytes, alphaHex } = packGranule({ files: sampleFiles() });
    const granule = join(dir, 'g.tgr');
    writeFileSync(granule, bytes);
    await cli('register', granule, '--identity', owner, '--manifest-cid', CID.createV1(raw.code, await sha256.digest(bytes)).toString());

    const expires = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');
    const priced = await cli('authorize', alphaHex, '--to', pk.user!, '--expires', expires, '--price', '1.5', '--identity', owner);
    expect(Object.keys(priced).sort()).toEqual(['alpha', 'expiresAt', 'leafIndex', 'price', 'record', 'root', 'txHash']);
    expect([priced.expiresAt, priced.price]).toEqual([expires, '1.5']);
    expect(await refusal('authorize', alphaHex, '--to', pk.other!, '--price', 'free', '--identity', owner)).toMatch(/not a price in credits/);
    expect(await refusal('authorize', alphaHex, '--to', pk.other!, '--expires', 'tomorrow-ish', '--identity', owner)).toMatch(/not a time/);

    const shown = await cli('licence', 'show', String(priced.record));
    expect(shown).toEqual({
      record: priced.record,
      alpha: alphaHex,
      owner: pk.owner,
      user: pk.user,
      state: 'active',
      reason: expect.any(String),
      expiresAt: expires,
      price: '1.5',
      revokedAt: null,
      instantiatedAt: null,
    });
    // The user has no credits: without --pay the price is refused before anything is sent, with it the chain refuses.
    expect(await refusal('instantiate', String(priced.record), '--identity', user)).toMatch(/costs 1\.5 credits/);
    expect(await refusal('instantiate', String(priced.record), '--identity', user, '--pay', '1.5')).toMatch(/holds 0 /);

    const free = await cli('authorize', alphaHex, '--to', pk.other!, '--identity', owner);
    expect(await cli('instantiate', String(free.record), '--identity', other)).toEqual({ alpha: alphaHex, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect((await cli('licence', 'show', String(free.record))).state).toBe('instantiated');

    // A receipt for a verifier's challenge: valid for the holder, not for the same receipt under another challenge.
    const challenge = `0x${'ab'.repeat(32)}`;
    const receiptFile = join(dir, 'receipt.json');
    expect(await cli('licence', 'receipt', alphaHex, '--identity', other, '--challenge', challenge, '-o', receiptFile)).toEqual({ receipt: receiptFile });
    const verified = await cli('licence', 'verify', receiptFile, '--challenge', challenge);
    expect(verified).toMatchObject({ valid: true, alpha: alphaHex, holder: pk.other });
    const wrong = await run('licence', 'verify', receiptFile, '--challenge', `0x${'cd'.repeat(32)}`);
    expect(wrong.code).toBe(1);
    expect(wrong.out.valid).toBe(false);
    // The user without a licence in use gets a receipt that does not verify.
    const userReceipt = join(dir, 'user-receipt.json');
    await cli('licence', 'receipt', alphaHex, '--identity', user, '-o', userReceipt);
    expect((await run('licence', 'verify', userReceipt)).out.valid).toBe(false);

    const revoked = await cli('revoke', String(priced.record), '--identity', owner);
    expect(revoked).toEqual({ record: priced.record, revoked: true, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect((await cli('licence', 'show', String(priced.record))).state).toBe('revoked');
    expect(await refusal('revoke', String(priced.record), '--identity', owner)).toMatch(/already revoked/);

    const moved = await cli('transfer', alphaHex, '--to', pk.heir!, '--identity', owner);
    expect(moved).toEqual({ alpha: alphaHex, from: pk.owner, to: pk.heir, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(await refusal('authorize', alphaHex, '--to', pk.user!, '--identity', owner)).toMatch(/does not own/);
    const byHeir = await cli('authorize', alphaHex, '--to', pk.user!, '--identity', heir);
    expect((await cli('licence', 'show', String(byHeir.record))).owner).toBe(pk.heir);
  });
});
