import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidParameterError, compensationWad, payoutWad, termsFromSolution, toWad, WAD } from './index';

describe('1e18 fixed point', () => {
  it('converts short decimals exactly and rounds at the 18th decimal', () => {
    expect(toWad(0.1)).toBe(10n ** 17n);
    expect(toWad(-0.1)).toBe(-(10n ** 17n));
    expect(toWad(1.5e-7)).toBe(150_000_000_000n);
    expect(toWad(123)).toBe(123n * WAD);
    expect(toWad(1.2e21)).toBe(12n * 10n ** 38n);
    expect(toWad(6e-19)).toBe(1n);
    expect(toWad(4e-19)).toBe(0n);
    expect(toWad(0)).toBe(0n);
  });

  it('stays within half a unit plus double round-off of the number', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => {
        const w = toWad(x);
        // Compare through exact decimal strings of the scaled value.
        const back = Number(w) / 1e18;
        expect(Math.abs(back - x)).toBeLessThanOrEqual(1e-15 * Math.abs(x) + 1e-18);
      }),
    );
  });

  it('refuses non-finite values, naming them', () => {
    expect(() => toWad(Number.NaN, 'f[0]')).toThrow(InvalidParameterError);
    expect(() => toWad(Number.POSITIVE_INFINITY, 'g[1]')).toThrow(/g\[1\]/);
  });

  it('computes E and the payout as the contract does', () => {
    expect(compensationWad(toWad(2.5), toWad(-6), 4n)).toBe(toWad(4));
    expect(payoutWad(compensationWad(toWad(2.5), toWad(-6), 2n))).toBe(0n);
  });

  it('builds terms only for providers naming a valid public key', () => {
    const scenario = {
      theta: 1,
      sigma: 1,
      q: 10,
      omega: 0,
      providers: [
        { n: 4.7, p: 5, vartheta: 1, pk: '12345' },
        { n: 3, p: 5, vartheta: 1 },
      ],
    };
    const terms = termsFromSolution(scenario, { f: [1.25, 2], g: [-0.5, 0] });
    expect(terms).toEqual([{ pk: 12345n, f: toWad(1.25), g: toWad(-0.5), cap: 4n }]);
    expect(() => termsFromSolution({ ...scenario, providers: [{ ...scenario.providers[0]!, pk: 'abc' }] }, { f: [1], g: [0] })).toThrow(/providers\[0\]\.pk/);
  });
});
