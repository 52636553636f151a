// Parameter sweeps behind the reproductions of Fig. 3 and Table 6 (section 5.4, Lemma, Appendix 1).
// Table 6 compares two providers i (index 0) and j (index 1) by amount held (n), interdependence (ω) and productivity
// (PD). Following the Lemma's proof, which compares ∂V/∂m_i and ∂V/∂m_j at a symmetric point, PD_i ≷ PD_j is ϑ_i ≷ ϑ_j
// with equal saturation points p.
import { parseScenario, type ParsedScenario } from './scenario';
import { netUtility, solveScenario, type SolveScenarioReturnType } from './solve';

export type Relation = '>' | '=' | '<';
type AmountRow = 'n_i = n_j' | 'n_i > n_j';
type Interdependence = 'omega = 0' | 'omega > 0';
type Productivity = 'PD_i > PD_j' | 'PD_i = PD_j' | 'PD_i < PD_j';

interface Table6Instance {
  theta: number;
  sigma: number;
  q: number;
  p: number;
  n: [number, number];
  vartheta: [number, number];
  omega: number;
  m: [number, number];
  bound: SolveScenarioReturnType['bound'];
  relation: Relation;
}

export interface Table6Cell {
  amount: AmountRow;
  interdependence: Interdependence;
  productivity: Productivity;
  /** What the paper's Table 6 states for the cell. */
  paper: string;
  counts: Record<Relation, number>;
  /** Instances where both providers share an interior amount (no box constraint binds). */
  interiorCounts: Record<Relation, number>;
  instances: Table6Instance[];
}

const PAPER: Record<AmountRow, Record<Interdependence, Record<Productivity, string>>> = {
  'n_i = n_j': {
    'omega = 0': { 'PD_i > PD_j': 'm_i* > m_j*', 'PD_i = PD_j': 'm_i* = m_j*', 'PD_i < PD_j': 'm_i* < m_j*' },
    'omega > 0': { 'PD_i > PD_j': 'm_i* > m_j*', 'PD_i = PD_j': 'm_i* = m_j*', 'PD_i < PD_j': 'm_i* < m_j*' },
  },
  'n_i > n_j': {
    'omega = 0': { 'PD_i > PD_j': 'm_i* > m_j*', 'PD_i = PD_j': 'm_i* > m_j*', 'PD_i < PD_j': 'mostly m_i* > m_j*' },
    'omega > 0': { 'PD_i > PD_j': 'mostly m_i* > m_j*', 'PD_i = PD_j': 'mostly m_i* > m_j*', 'PD_i < PD_j': 'intermediate' },
  },
};

export interface Table6Grid {
  theta: number[];
  sigma: number[];
  /** n_j values; n_i = ratio · n_j. */
  nj: number[];
  /** n_i / n_j for the n_i > n_j row. */
  amountRatio: number[];
  /** p and q as multiples of max(n_i, n_j). */
  pFactor: number[];
  qFactor: number[];
  /** ϑ_j values and ϑ_i / ϑ_j ratios (> 1, the reciprocal gives PD_i < PD_j). */
  varthetaJ: number[];
  productivityRatio: number[];
  /** ω > 0 values as multiples of θ + σ. */
  omegaFactor: number[];
}

const DEFAULT_TABLE6_GRID: Table6Grid = {
  theta: [0.2, 1, 5],
  sigma: [0.2, 1, 5],
  nj: [5, 20],
  amountRatio: [1.25, 2, 4],
  pFactor: [1, 1.5, 3],
  qFactor: [1, 2],
  varthetaJ: [0.01, 0.1, 1],
  productivityRatio: [1.5, 4],
  omegaFactor: [0.1, 0.5, 1, 2, 5],
};

/** Same up to round-off: a tie is a tie even when two different solves produce it. */
export function relationOf(a: number, b: number): Relation {
  const tol = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a - b > tol ? '>' : b - a > tol ? '<' : '=';
}

/** Sweeps every cell of Table 6 over a grid of instances; instances outside the concave domain are skipped. */
export function sweepTable6(grid: Table6Grid = DEFAULT_TABLE6_GRID): Table6Cell[] {
  const cells: Table6Cell[] = [];
  for (const amount of ['n_i = n_j', 'n_i > n_j'] as AmountRow[])
    for (const interdependence of ['omega = 0', 'omega > 0'] as Interdependence[])
      for (const productivity of ['PD_i > PD_j', 'PD_i = PD_j', 'PD_i < PD_j'] as Productivity[]) {
        const cell: Table6Cell = {
          amount,
          interdependence,
          productivity,
          paper: PAPER[amount][interdependence][productivity],
          counts: { '>': 0, '=': 0, '<': 0 },
          interiorCounts: { '>': 0, '=': 0, '<': 0 },
          instances: [],
        };
        const ratios = amount === 'n_i = n_j' ? [1] : grid.amountRatio;
        const pdRatios =
          productivity === 'PD_i = PD_j' ? [1] : productivity === 'PD_i > PD_j' ? grid.productivityRatio : grid.productivityRatio.map((r) => 1 / r);
        for (const theta of grid.theta)
          for (const sigma of grid.sigma) {
            const omegas = interdependence === 'omega = 0' ? [0] : grid.omegaFactor.map((k) => k * (theta + sigma));
            for (const nj of grid.nj)
              for (const ratio of ratios)
                for (const pf of grid.pFactor)
                  for (const qf of grid.qFactor)
                    for (const vj of grid.varthetaJ)
                      for (const pr of pdRatios)
                        for (const omega of omegas) {
                          const ni = ratio * nj;
                          const top = Math.max(ni, nj);
                          const scenario = {
                            theta,
                            sigma,
                            q: qf * top,
                            providers: [
                              { n: ni, p: pf * top, vartheta: pr * vj },
                              { n: nj, p: pf * top, vartheta: vj },
                            ],
                            omega: [
                              [0, omega],
                              [omega, 0],
                            ],
                          };
                          let sol: SolveScenarioReturnType;
                          try {
                            sol = solveScenario(scenario);
                          } catch {
                            continue; // not concave: outside the model's domain
                          }
                          const m: [number, number] = [sol.m[0]!, sol.m[1]!];
                          const relation = relationOf(m[0], m[1]);
                          cell.counts[relation]++;
                          if (sol.bound.every((b) => b === 'free')) cell.interiorCounts[relation]++;
                          cell.instances.push({
                            theta,
                            sigma,
                            q: scenario.q,
                            p: pf * top,
                            n: [ni, nj],
                            vartheta: [pr * vj, vj],
                            omega,
                            m,
                            bound: sol.bound,
                            relation,
                          });
                        }
          }
        cells.push(cell);
      }
  return cells;
}

/** Points (m, Z_i(m) − B(n_i)) of provider i's net utility across [0, n_i] under the solved mechanism (Fig. 3). */
export function netUtilityCurve(s: ParsedScenario | Parameters<typeof parseScenario>[0], i: number, points = 101): { m: number[]; u: number[]; mStar: number } {
  const parsed = (s as ParsedScenario).n instanceof Float64Array ? (s as ParsedScenario) : parseScenario(s);
  const sol = solveScenario(parsed);
  const ni = parsed.n[i]!;
  const m: number[] = [];
  const u: number[] = [];
  for (let k = 0; k < points; k++) {
    const mk = (ni * k) / (points - 1);
    m.push(mk);
    u.push(netUtility(parsed, sol, i, mk));
  }
  return { m, u, mStar: sol.m[i]! };
}
