import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import example from './scenarios/example.json';
import {
  IncentiveError,
  InvalidParameterError,
  NotConcaveError,
  closedFormTwoProviders,
  marginalCost,
  marginalValue,
  netUtility,
  parseScenario,
  solveScenario,
  type Scenario,
} from './index';

const pos = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Random scenarios inside the model's domain (concavity is left to the solver to judge). */
const scenarioArb = (minX: number, maxX: number) =>
  fc.integer({ min: minX, max: maxX }).chain((x) =>
    fc
      .record({
        theta: pos(0.01, 10),
        sigma: pos(0.01, 10),
        qExtra: pos(0, 50),
        providers: fc.array(fc.record({ n: pos(0, 100), pExtra: pos(0, 100), vartheta: pos(0.001, 2) }), { minLength: x, maxLength: x }),
        omega: fc.array(pos(0, 1), { minLength: (x * (x - 1)) / 2, maxLength: (x * (x - 1)) / 2 }),
      })
      .map(({ theta, sigma, qExtra, providers, omega }): Scenario => {
        const w: number[][] = providers.map(() => providers.map(() => 0));
        let k = 0;
        for (let i = 0; i < x; i++) for (let j = i + 1; j < x; j++) w[i]![j] = w[j]![i] = omega[k++]!;
        const q = Math.max(...providers.map((p) => p.n)) + qExtra;
        return { theta, sigma, q, providers: providers.map((p) => ({ n: p.n, p: p.n + p.pExtra, vartheta: p.vartheta })), omega: w };
      }),
  );

/** Two providers whose privacy and effort weights are large enough that (1.10) often lies inside the box. */
const interiorPairArb = fc
  .record({
    theta: pos(0.1, 10),
    sigma: pos(0.1, 10),
    qExtra: pos(0, 100),
    a: fc.record({ n: pos(1, 100), pExtra: pos(0, 200), vartheta: pos(0.0001, 0.2) }),
    b: fc.record({ n: pos(1, 100), pExtra: pos(0, 200), vartheta: pos(0.0001, 0.2) }),
    omega: pos(0, 3),
  })
  .map(
    ({ theta, sigma, qExtra, a, b, omega }): Scenario => ({
      theta,
      sigma,
      q: Math.max(a.n, b.n) + qExtra,
      providers: [a, b].map((p) => ({ n: p.n, p: p.n + p.pExtra, vartheta: p.vartheta })),
      omega: [
        [0, omega],
        [omega, 0],
      ],
    }),
  );

describe('solveScenario', () => {
  it('solves the example scenario with the checks holding', () => {
    const sol = solveScenario(example as Scenario);
    expect(sol.m).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(sol.m[i]).toBeGreaterThanOrEqual(0);
      expect(sol.m[i]).toBeLessThanOrEqual(example.providers[i]!.n);
      expect(sol.E[i]).toBeCloseTo(sol.f[i]! * sol.m[i]! + sol.g[i]!, 9);
    }
    expect(sol.bound).toContain('upper');
    expect(sol.bound).toContain('free');
  });

  it('equals the closed form (1.10) for two providers to 1e-9 relative wherever it lies inside the box', () => {
    let compared = 0;
    fc.assert(
      fc.property(interiorPairArb, (scenario) => {
        const s = parseScenario(scenario);
        const det = (s.vartheta[1]! * s.n[0]! + s.theta + s.sigma) * (s.vartheta[0]! * s.n[1]! + s.theta + s.sigma) - s.omega[1]! ** 2;
        const [a, b] = closedFormTwoProviders(s);
        // Only where (1.10) is the optimum: concave and strictly inside the box.
        if (!(det > 0) || !(a > 1e-6 && b > 1e-6 && a < s.n[0]! - 1e-6 && b < s.n[1]! - 1e-6)) return;
        const sol = solveScenario(s);
        compared++;
        expect(Math.abs(sol.m[0]! - a) / Math.abs(a)).toBeLessThan(1e-9);
        expect(Math.abs(sol.m[1]! - b) / Math.abs(b)).toBeLessThan(1e-9);
      }),
      { numRuns: 2000 },
    );
    expect(compared).toBeGreaterThan(50);
  });

  it('solves the constrained problem where clipping the unconstrained optimum would be wrong', () => {
    // Provider 0 wants more than it holds; held at n_0, the interdependence pulls provider 1 to a different value.
    const scenario: Scenario = {
      theta: 1,
      sigma: 1,
      q: 12,
      providers: [
        { n: 2, p: 20, vartheta: 1 },
        { n: 10, p: 10, vartheta: 0.05 },
      ],
      omega: [
        [0, 1.5],
        [1.5, 0],
      ],
    };
    const s = parseScenario(scenario);
    const [a, b] = closedFormTwoProviders(s);
    expect(a).toBeGreaterThan(2);
    const sol = solveScenario(s);
    expect(sol.m[0]).toBe(2);
    expect(sol.bound[0]).toBe('upper');
    const clipped = Math.min(Math.max(b, 0), 10);
    expect(Math.abs(sol.m[1]! - clipped)).toBeGreaterThan(1e-3);
    // (6) holds with equality for the free provider at the solution.
    expect(marginalValue(s, sol.m, 1)).toBeCloseTo(marginalCost(s, 1, sol.m[1]!), 9);
  });

  it('binds participation (4) and satisfies incentive compatibility (5) on random instances; never NaN', () => {
    fc.assert(
      fc.property(scenarioArb(1, 12), (scenario) => {
        let sol;
        try {
          sol = solveScenario(scenario);
        } catch (error) {
          expect(error).toBeInstanceOf(NotConcaveError);
          return;
        }
        const s = parseScenario(scenario);
        for (const v of [...sol.m, ...sol.f, ...sol.g, ...sol.E, ...sol.Z, sol.pi]) expect(Number.isFinite(v)).toBe(true);
        for (let i = 0; i < s.x; i++) {
          const mi = sol.m[i]!;
          const ni = s.n[i]!;
          expect(mi).toBeGreaterThanOrEqual(0);
          expect(mi).toBeLessThanOrEqual(ni);
          // (4) binds: Z_i = B(n_i), i.e. the net utility at m_i* is zero.
          const scale = 1 + Math.abs(sol.Z[i]!) + Math.abs(sol.E[i]!);
          expect(Math.abs(netUtility(s, sol, i, mi)) / scale).toBeLessThan(1e-9);
          // (5): no other amount on a fine grid of [0, n_i] gives the provider more under E_i.
          const best = netUtility(s, sol, i, mi);
          for (let k = 0; k <= 20; k++) {
            const alt = (ni * k) / 20;
            expect(netUtility(s, sol, i, alt)).toBeLessThanOrEqual(best + 1e-9 * scale);
          }
        }
        // The platform's objective V − Σ E is no larger at random feasible perturbations of m* (optimality).
        const base = sol.pi;
        for (let t = 0; t < 5; t++) {
          const m = sol.m.map((mi, i) => Math.min(s.n[i]!, Math.max(0, mi + (Math.sin(7 * t + i) * s.n[i]!) / 10)));
          expect(platformObjective(s, m)).toBeLessThanOrEqual(platformObjective(s, sol.m) + 1e-9 * (1 + Math.abs(base)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names the parameter when the input is outside the model', () => {
    const base = example as Scenario;
    const cases: [unknown, string][] = [
      [{ ...base, theta: 0 }, 'theta'],
      [{ ...base, sigma: -1 }, 'sigma'],
      [{ ...base, q: 30 }, 'q'],
      [{ ...base, providers: [{ n: 40, p: 60, vartheta: 0 }, ...base.providers.slice(1)] }, 'providers[0].vartheta'],
      [{ ...base, providers: [base.providers[0], { n: 25, p: 20, vartheta: 0.05 }, base.providers[2]] }, 'providers[1].p'],
      [
        {
          ...base,
          omega: [
            [0, 1],
            [1, 0],
          ],
        },
        'omega',
      ],
      [
        {
          ...base,
          omega: [
            [0, 0.2, 0.1],
            [0.3, 0, 0.3],
            [0.1, 0.3, 0],
          ],
        },
        'omega[0][1]',
      ],
      [
        {
          ...base,
          omega: [
            [1, 0.2, 0.1],
            [0.2, 0, 0.3],
            [0.1, 0.3, 0],
          ],
        },
        'omega[0][0]',
      ],
      [{ ...base, theta: 'big' }, 'theta'],
      [null, 'scenario'],
    ];
    for (const [input, parameter] of cases) {
      let caught: unknown;
      try {
        solveScenario(input as Scenario);
      } catch (error) {
        caught = error;
      }
      expect(caught, parameter).toBeInstanceOf(InvalidParameterError);
      expect((caught as InvalidParameterError).parameter).toBe(parameter);
      expect((caught as Error).message).toContain(parameter);
    }
  });

  it('rejects an indefinite system with an error naming omega', () => {
    const scenario: Scenario = {
      theta: 0.1,
      sigma: 0.1,
      q: 10,
      providers: [
        { n: 1, p: 10, vartheta: 0.01 },
        { n: 1, p: 10, vartheta: 0.01 },
      ],
      omega: 5,
    };
    expect(() => solveScenario(scenario)).toThrow(NotConcaveError);
    expect(() => solveScenario(scenario)).toThrow(/omega/);
  });

  it('solves hundreds of providers with a uniform omega', () => {
    const providers = Array.from({ length: 300 }, (_, i) => ({ n: 5 + (i % 17), p: 30 + (i % 5), vartheta: 0.001 * (1 + (i % 7)) }));
    const sol = solveScenario({ theta: 1, sigma: 2, q: 40, providers, omega: 0.001 });
    expect(sol.m).toHaveLength(300);
    expect(sol.checks.participation).toBeLessThan(1e-9);
    expect(sol.checks.incentiveCompatibility).toBeLessThan(1e-7);
    expect(sol.bound.some((b) => b === 'free')).toBe(true);
  });

  it('is an IncentiveError for every failure it reports', () => {
    expect(() => solveScenario({ theta: 1 } as unknown as Scenario)).toThrow(IncentiveError);
  });
});

/** Φ(m) = V(m) − Σ[B(n_i) − B(n_i − m_i) + C(m_i)], the platform's objective with (4) binding. */
function platformObjective(s: ReturnType<typeof parseScenario>, m: number[]): number {
  let v = 0;
  for (let i = 0; i < s.x; i++) {
    const others = s.nTotal - s.n[i]!;
    v += (s.vartheta[i]! / 2) * (s.p[i]! ** 2 - (s.p[i]! - m[i]!) ** 2) * others;
    for (let j = i + 1; j < s.x; j++) v += s.omega[i * s.x + j]! * m[i]! * m[j]!;
    const B = (k: number) => (s.theta / 2) * (s.q ** 2 - (s.q - k) ** 2);
    v -= B(s.n[i]!) - B(s.n[i]! - m[i]!) + (s.sigma / 2) * m[i]! ** 2;
  }
  return v;
}
