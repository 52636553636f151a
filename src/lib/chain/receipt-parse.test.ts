// A licence receipt arrives from a stranger (a holder shows it to a print farm): any malformed one is a
// LicenceReceiptError with one sentence, never a TypeError from deep inside.
import { describe, expect, it } from 'vitest';
import { LicenceReceiptError, parseLicenceReceipt } from './receipt';

const good = {
  v: 1,
  chainId: 31337,
  registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  alpha: `0x${'ab'.repeat(32)}`,
  holderPk: '1234',
  at: 1_700_000_000,
  challenge: `0x${'00'.repeat(32)}`,
  signature: `0x${'cd'.repeat(65)}`,
};

describe('parseLicenceReceipt', () => {
  it('reads a well-formed receipt with only its own fields', () => {
    expect(parseLicenceReceipt(JSON.stringify({ ...good, extra: 'dropped' }))).toEqual(good);
  });

  it('refuses every malformed receipt with the same sentence', () => {
    for (const bad of [
      null,
      'receipt',
      [good],
      { ...good, v: 2 },
      { ...good, at: -1 },
      { ...good, holderPk: 12 },
      { ...good, registry: '0x12' },
      { ...good, chainId: 0 },
    ]) {
      expect(() => parseLicenceReceipt(JSON.stringify(bad))).toThrow(LicenceReceiptError);
      expect(() => parseLicenceReceipt(JSON.stringify(bad))).toThrow('This licence receipt is malformed: it was altered or made by another program.');
    }
    expect(() => parseLicenceReceipt('{')).toThrow('This is not a licence receipt: it is not JSON.');
  });
});
