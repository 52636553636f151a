import { describe, expect, it } from 'vitest';
import example from './scenarios/example.json';
import { netUtilityCurve, sweepTable6, type Table6Cell } from './index';

const cells = sweepTable6();
const cell = (amount: string, inter: string, pd: string): Table6Cell =>
  cells.find((c) => c.amount === amount && c.interdependence === inter && c.productivity === pd)!;

describe('Table 6 by sweep', () => {
  it('reproduces the first row (n_i = n_j) for every instance, ties only where both share all or nothing', () => {
    for (const inter of ['omega = 0', 'omega > 0']) {
      const same = cell('n_i = n_j', inter, 'PD_i = PD_j');
      expect(same.counts['>'] + same.counts['<']).toBe(0);
      expect(same.counts['=']).toBeGreaterThan(0);
      for (const [pd, want, reverse] of [
        ['PD_i > PD_j', '>', '<'],
        ['PD_i < PD_j', '<', '>'],
      ] as const) {
        const c = cell('n_i = n_j', inter, pd);
        expect(c.counts[reverse], `${inter} ${pd}`).toBe(0);
        expect(c.counts[want]).toBeGreaterThan(100);
        // A tie is the box at work: both providers share everything they hold (m* = n) or nothing (m* = 0).
        for (const inst of c.instances.filter((i) => i.relation === '=')) {
          const target = Math.abs(inst.m[0]) < 1e-9 ? 0 : inst.n[0];
          expect(inst.m[0]).toBeCloseTo(target, 9);
          expect(inst.m[1]).toBeCloseTo(target, 9);
        }
      }
    }
  });

  it('reproduces the second row (n_i > n_j) as a majority, with the flips the paper leaves implicit', () => {
    for (const inter of ['omega = 0', 'omega > 0'])
      for (const pd of ['PD_i > PD_j', 'PD_i = PD_j']) {
        const c = cell('n_i > n_j', inter, pd);
        expect(c.counts['>'], `${inter} ${pd}`).toBeGreaterThan(2 * c.counts['<']);
      }
    // "Mostly m_i* > m_j*" at PD_i < PD_j with ω = 0: more often than not, but far from always.
    const mostly = cell('n_i > n_j', 'omega = 0', 'PD_i < PD_j');
    expect(mostly.counts['>']).toBeGreaterThan(mostly.counts['<']);
    expect(mostly.counts['<']).toBeGreaterThan(0);
    // "Intermediate": both signs occur.
    const mid = cell('n_i > n_j', 'omega > 0', 'PD_i < PD_j');
    expect(mid.counts['>']).toBeGreaterThan(0);
    expect(mid.counts['<']).toBeGreaterThan(0);
    // Under (1.6) the paper's unconditional cells of this row do flip: V weighs provider j's granules by n_i, so a small
    // provider can out-share a large one when privacy (θ) is cheap relative to productivity (ϑ n). Each flip found
    // has an interior solution of the first-order conditions, not a box artefact.
    const flips = cell('n_i > n_j', 'omega = 0', 'PD_i = PD_j').instances.filter((i) => i.relation === '<');
    expect(flips.length).toBeGreaterThan(0);
    expect(flips.some((i) => i.bound.every((b) => b === 'free'))).toBe(true);
  });
});

describe('Fig. 3 net utility', () => {
  it('is zero at m_i* and negative elsewhere on [0, n_i] for every provider', () => {
    for (let i = 0; i < example.providers.length; i++) {
      const curve = netUtilityCurve(example, i, 201);
      const scale = Math.max(...curve.u.map(Math.abs));
      for (let k = 0; k < curve.m.length; k++) {
        const mk = curve.m[k]!;
        const u = curve.u[k]!;
        if (Math.abs(mk - curve.mStar) < 1e-12 * (1 + mk)) expect(Math.abs(u)).toBeLessThan(1e-9 * scale);
        else expect(u).toBeLessThan(0);
      }
      expect(Math.max(...curve.u)).toBeLessThanOrEqual(1e-9 * scale);
    }
  });
});
