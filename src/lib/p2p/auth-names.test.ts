// Names travel with requests and replies (issue 15): what a relay keeps carries them, within a size cap.
import { describe, expect, it } from 'vitest';
import { checkAuthMessage } from './auth-requests';
import { RelayLimitError } from './limits';

const hex = (c: string) => `0x${c.repeat(64)}`;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('names in authorization messages', () => {
  it("keeps the requester's and the owner's claimed names", () => {
    const request = checkAuthMessage(
      enc({
        type: 'request',
        id: 'r1',
        alpha: hex('a'),
        granuleName: 'look 1.0.0',
        ownerPk: hex('b'),
        userPk: hex('c'),
        userName: 'Ben Makerspace',
        extra: 'dropped',
      }),
    );
    expect(request).toEqual({
      type: 'request',
      id: 'r1',
      alpha: hex('a'),
      granuleName: 'look 1.0.0',
      ownerPk: hex('b'),
      userPk: hex('c'),
      userName: 'Ben Makerspace',
    });
    const reply = checkAuthMessage(enc({ type: 'reply', id: 'r1', alpha: hex('a'), userPk: hex('c'), decision: 'declined', ownerName: 'Lina Workshop' }));
    expect(reply).toMatchObject({ ownerName: 'Lina Workshop', decision: 'declined' });
  });

  it('refuses a name over 64 bytes, or one that is not text', () => {
    const long = () =>
      checkAuthMessage(enc({ type: 'request', id: 'r2', alpha: hex('a'), granuleName: 'x', ownerPk: hex('b'), userPk: hex('c'), userName: 'é'.repeat(33) }));
    expect(long).toThrow(RelayLimitError);
    expect(long).toThrow(/"userName" .* 66 bytes; relays keep at most 64/);
    expect(() => checkAuthMessage(enc({ type: 'reply', id: 'r3', alpha: hex('a'), userPk: hex('c'), decision: 'approved', ownerName: 7 }))).toThrow(
      /"ownerName" of an authorization message must be text/,
    );
  });

  it('refuses malformed messages with the code and a sentence that says what is missing', () => {
    const code = (v: unknown, raw?: Uint8Array) => {
      try {
        checkAuthMessage(raw ?? enc(v));
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(RelayLimitError);
        return `${(e as RelayLimitError).code}: ${(e as Error).message}`;
      }
    };
    const request = { type: 'request', id: 'r', alpha: hex('a'), granuleName: 'g', ownerPk: hex('b'), userPk: hex('c') };
    expect(code(undefined, new TextEncoder().encode('{not json'))).toMatch(/^MALFORMED_MESSAGE: .*not JSON/);
    expect(code(null)).toMatch(/^MALFORMED_MESSAGE: .*needs an id, an α and a user key/);
    expect(code([1])).toMatch(/^MALFORMED_MESSAGE: .*needs an id/);
    expect(code({ ...request, alpha: hex('A') })).toMatch(/^MALFORMED_MESSAGE: .*needs an id/);
    expect(code({ ...request, id: 5 })).toMatch(/^MALFORMED_MESSAGE: .*needs an id/);
    expect(code({ ...request, granuleName: ['g'] })).toMatch(/^MALFORMED_MESSAGE: The field "granuleName" .* must be text/);
    expect(code({ ...request, ownerPk: 'someone' })).toMatch(/^MALFORMED_MESSAGE: This is neither an authorization request/);
    expect(code({ ...request, granuleName: undefined })).toMatch(/^MALFORMED_MESSAGE: This is neither/);
    expect(code({ ...request, type: 'reply', decision: 'maybe' })).toMatch(/^MALFORMED_MESSAGE: This is neither/);
    expect(code({ ...request, type: 'other' })).toMatch(/^MALFORMED_MESSAGE: This is neither/);
    expect(code({ ...request, id: 'x'.repeat(65) })).toMatch(/^FIELD_TOO_LARGE: The field "id"/);
    expect(code(request)).toBe('accepted');
  });
});
