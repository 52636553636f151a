// A pinning token arrives in a stranger's Authorization header: one whose claims are not an object of the right
// fields is "damaged" (a PinningTokenError the API answers with 401), never a TypeError (a 500).
import { describe, expect, it } from 'vitest';
import { PinningTokenError, verifyPinningToken } from './pinning-token';

const challenge = { service: '12D3KooWExample', chainId: 31337, registry: `0x${'12'.repeat(20)}` as const };
const token = (claims: unknown): string => `tgpin1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.0x${'ab'.repeat(65)}`;

describe('verifyPinningToken on malformed claims', () => {
  it('says the token is damaged', async () => {
    const good = { ...challenge, account: `0x${'34'.repeat(20)}`, expires: Math.floor(Date.now() / 1000) + 60 };
    for (const claims of [null, 'claims', [good], { ...good, expires: 'soon' }, { ...good, account: 7 }, { ...good, chainId: '31337' }]) {
      const error = await verifyPinningToken(token(claims), challenge).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PinningTokenError);
      expect((error as Error).message).toBe('This pinning token is damaged: sign a new one with your wallet.');
    }
  });
});
