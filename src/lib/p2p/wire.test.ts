// The wire schemas on their own: each reader takes what a peer may send and refuses every other shape with a sentence
// (or undefined, where the protocol answers with its own refusal code).
import { describe, expect, it } from 'vitest';
import { P2PFormatError } from './errors';
import { readDepositRequest, readDepositResponse, readMemberPin, readRegisteredPin, readReleaseRequest, readReleaseResponse } from './wire';

const ALPHA = `0x${'ab'.repeat(32)}`;

describe('custody messages', () => {
  it('a key release answer must carry a base64 envelope, and a refusal its reason', () => {
    expect(readReleaseResponse({ status: 'released', custodian: 'c', envelope: 'AAEC' })).toEqual({ status: 'released', custodian: 'c', envelope: 'AAEC' });
    for (const bad of [
      { status: 'released', custodian: 'c', envelope: 42 },
      { status: 'released', custodian: 'c', envelope: '<html>' },
      { status: 'refused', custodian: 'c' },
      null,
      'ok',
    ]) {
      expect(() => readReleaseResponse(bad)).toThrow(P2PFormatError);
      expect(() => readReleaseResponse(bad)).toThrow('The custodian answered a key request with something that is not a key release answer.');
    }
  });

  it('a deposit answer that says accepted names the custodian and its share', () => {
    expect(readDepositResponse({ status: 'accepted', alpha: ALPHA, custodian: 'c', x: 2, manifestCid: 'bafy' })).toMatchObject({ status: 'accepted' });
    expect(() => readDepositResponse({ status: 'accepted', alpha: ALPHA, custodian: 'c', x: 1.5, manifestCid: 'bafy' })).toThrow(P2PFormatError);
  });

  it('requests of the wrong shape are not read (the custodian answers "malformed")', () => {
    expect(readDepositRequest({ manifest: 'AAEC', signature: '0x12' })).toEqual({ manifest: 'AAEC', signature: '0x12' });
    expect(readDepositRequest({ manifest: 'not base64!', signature: '0x12' })).toBeUndefined();
    expect(readDepositRequest({ manifest: 'AAEC' })).toBeUndefined();
    const release = { alpha: ALPHA, user: 'cd'.repeat(32), userPk: '123' };
    expect(readReleaseRequest(release)).toEqual(release);
    expect(readReleaseRequest({ ...release, userPk: '-1' })).toBeUndefined();
    expect(readReleaseRequest({ ...release, alpha: ALPHA.toUpperCase() })).toBeUndefined();
    expect(readReleaseRequest([release])).toBeUndefined();
  });
});

describe('pin requests', () => {
  it("says which part of a member's request is wrong", () => {
    const member = { account: `0x${'12'.repeat(20)}`, signature: '0xabcd' };
    expect(readMemberPin({ cids: ['bafy'], member })).toEqual({ cids: ['bafy'], member });
    expect(readMemberPin({ cids: [], member })).toBe('cids');
    expect(readMemberPin({ cids: [3], member })).toBe('cids');
    expect(readMemberPin({ cids: Array(301).fill('bafy'), member })).toBe('cids');
    expect(readMemberPin({ cids: ['bafy'], member: { ...member, signature: 'abcd' } })).toBe('member');
    expect(readMemberPin({ cids: ['bafy'], member: null })).toBe('member');
    expect(readRegisteredPin({ alpha: ALPHA, manifestCid: 'bafy' })).toEqual({ alpha: ALPHA, manifestCid: 'bafy' });
    expect(readRegisteredPin({ alpha: ALPHA, manifestCid: { '/': 'bafy' } })).toBeUndefined();
  });
});
