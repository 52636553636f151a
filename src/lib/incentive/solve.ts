// The platform's optimum m* and the incentive-compatible compensation of the Proposition (section 4.3.3).
//
// Reading of the Proposition. It prints f_i = ∂V(m*)/∂m_i · m_i; the stray factor m_i would make E_i quadratic,
// contradicting "(7) gives an incentive-compatible digital twin sharing system linear in m_i" and section 5.4, which
// uses f_i = ∂V(m*)/∂m_i. We read f_i = ∂V(m*)/∂m_i (the marginal value at the optimum) and
// g_i = B(n_i) − B(n_i − m_i*) + C(m_i*) − f_i m_i*, so that E_i(m_i*) = B(n_i) − B(n_i − m_i*) + C(m_i*) as in (8).
//
// Z_i is the provider's utility (1) at m_i*: Z_i = B(n_i − m_i*) − C(m_i*) + E_i(m_i*), which equals B(n_i) when the
// participation constraint (4) binds ("net-zero utility", Z* = B(n_i)). Net utility Z_i − B(n_i) is what Fig. 3 plots.
import { SolverError } from './errors';
import { marginalCost, marginalValue, platformValue, privateUtility, sharingCost } from './functions';
import { solveBoxQp, assertPositiveDefinite } from './qp';
import { parseScenario, type ParsedScenario, type Scenario } from './scenario';

export type SolveScenarioParameters = Scenario | ParsedScenario;

export interface SolveScenarioReturnType {
  /** m_i*: the amount the platform asks provider i to share, 0 ≤ m_i* ≤ n_i. */
  m: number[];
  /** f_i = ∂V(m*)/∂m_i: the marginal (per-granule) part of the compensation. */
  f: number[];
  /** g_i: the base part of the compensation (negative for productive providers, see section 5.4). */
  g: number[];
  /** E_i = f_i m_i* + g_i. */
  E: number[];
  /** Z_i = B(n_i − m_i*) − C(m_i*) + E_i, equal to B(n_i) at the optimum. */
  Z: number[];
  /** π* = V(m*) − Σ E_i, the platform's net payoff (9). */
  pi: number;
  /** V(m*). */
  V: number;
  /** Which box constraint binds for each provider. */
  bound: ('lower' | 'upper' | 'free')[];
  /** Largest violations found by the checks at the solution (all ≈ 0). */
  checks: { participation: number; incentiveCompatibility: number };
  iterations: number;
}

/** Is a ParsedScenario (already checked) rather than raw input? */
function isParsed(s: SolveScenarioParameters): s is ParsedScenario {
  return typeof s === 'object' && s !== null && (s as ParsedScenario).n instanceof Float64Array;
}

/**
 * Builds the negated Hessian A and the linear term b of the platform's objective
 * Φ(m) = V(m) − Σ_i [B(n_i) − B(n_i − m_i) + C(m_i)] = bᵀm − ½ mᵀAm + const, so that ∇Φ = b − A m is the left side of (6):
 *   A_ii = ϑ_i Σ_{j≠i} n_j + θ + σ,  A_ij = −ω_ij,  b_i = ϑ_i p_i Σ_{j≠i} n_j − θ (q − n_i).
 */
function platformQuadratic(s: ParsedScenario): { a: Float64Array; b: Float64Array } {
  const { x, n, p, vartheta, omega, nTotal, theta, sigma, q } = s;
  const a = new Float64Array(x * x);
  const b = new Float64Array(x);
  for (let i = 0; i < x; i++) {
    const others = nTotal - n[i]!;
    const row = i * x;
    for (let j = 0; j < x; j++) a[row + j] = -omega[row + j]!;
    a[row + i] = vartheta[i]! * others + theta + sigma;
    b[i] = vartheta[i]! * p[i]! * others - theta * (q - n[i]!);
  }
  return { a, b };
}

/** Solves the platform's problem for any number of providers and derives the compensation and the checks. */
export function solveScenario(parameters: SolveScenarioParameters): SolveScenarioReturnType {
  const s = isParsed(parameters) ? parameters : parseScenario(parameters);
  const { x, n } = s;
  const { a, b } = platformQuadratic(s);
  assertPositiveDefinite(a, x);
  const lo = new Float64Array(x);
  const hi = Float64Array.from(n);
  const { x: mStar, bound, iterations } = solveBoxQp(a, b, lo, hi);
  const m = Array.from(mStar);
  const f: number[] = [];
  const g: number[] = [];
  const E: number[] = [];
  const Z: number[] = [];
  const kind: SolveScenarioReturnType['bound'] = [];
  let participation = 0;
  let ic = 0;
  for (let i = 0; i < x; i++) {
    const mi = m[i]!;
    const ni = n[i]!;
    const fi = marginalValue(s, m, i);
    const bRest = privateUtility(s, ni - mi);
    const cost = sharingCost(s, mi);
    const bAll = privateUtility(s, ni);
    const gi = bAll - bRest + cost - fi * mi;
    const ei = fi * mi + gi;
    const zi = bRest - cost + ei;
    f.push(fi);
    g.push(gi);
    E.push(ei);
    Z.push(zi);
    kind.push(bound[i] === 1 ? 'upper' : bound[i] === -1 ? 'lower' : 'free');
    const scale = Math.abs(bAll) + Math.abs(bRest) + Math.abs(cost) + Math.abs(fi * mi) + 1e-300;
    // (4) binds: Z_i = B(n_i).
    participation = Math.max(participation, Math.abs(zi - bAll) / scale);
    // (5): the provider's own marginal utility at m_i*, f_i − [θ(q − n_i + m_i) + σ m_i], must vanish at an interior
    // m_i*, and point into the bound where one binds — then m_i* is the provider's best reply on [0, n_i].
    const mc = marginalCost(s, i, mi);
    const d = fi - mc;
    const dScale = Math.abs(fi) + Math.abs(mc) + 1e-300;
    // A provider holding nothing (n_i = 0) has no choice to make, so any f_i is incentive compatible.
    const slack = ni === 0 ? 0 : bound[i] === 1 ? Math.max(0, -d) : bound[i] === -1 ? Math.max(0, d) : Math.abs(d);
    ic = Math.max(ic, slack / dScale);
  }
  const V = platformValue(s, m);
  let paid = 0;
  for (const e of E) paid += e;
  const pi = V - paid;
  const out = [...m, ...f, ...g, ...E, ...Z, pi];
  if (out.some((v) => !Number.isFinite(v))) throw new SolverError('a result is not a finite number');
  if (participation > 1e-9) throw new SolverError(`the participation constraint (4) does not bind (relative gap ${participation})`);
  if (ic > 1e-7) throw new SolverError(`incentive compatibility (5) fails (relative slack ${ic})`);
  return { m, f, g, E, Z, pi, V, bound: kind, checks: { participation, incentiveCompatibility: ic }, iterations };
}

/**
 * A provider's net utility Z_i(m) − B(n_i) = B(n_i − m) − C(m) + f_i m + g_i − B(n_i) when it shares m under the
 * mechanism solved in `solution` (Fig. 3): zero at m_i*, negative elsewhere on [0, n_i].
 */
export function netUtility(s: ParsedScenario, solution: Pick<SolveScenarioReturnType, 'f' | 'g'>, i: number, m: number): number {
  const ni = s.n[i]!;
  return privateUtility(s, ni - m) - sharingCost(s, m) + solution.f[i]! * m + solution.g[i]! - privateUtility(s, ni);
}
