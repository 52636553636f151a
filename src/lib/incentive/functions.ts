// The Appendix 2 functional forms and their derivatives, evaluated on a parsed scenario.
import type { ParsedScenario } from './scenario';

/** V(m) of (1.6): the platform's value from the shared amounts m. */
export function platformValue(s: ParsedScenario, m: ArrayLike<number>): number {
  const { x, n, p, vartheta, omega, nTotal } = s;
  let v = 0;
  for (let i = 0; i < x; i++) {
    const mi = m[i]!;
    const pi = p[i]!;
    v += (vartheta[i]! / 2) * (pi * pi - (pi - mi) * (pi - mi)) * (nTotal - n[i]!);
    const row = i * x;
    for (let j = i + 1; j < x; j++) v += omega[row + j]! * mi * m[j]!;
  }
  return v;
}

/** ∂V/∂m_i = ϑ_i (p_i − m_i) Σ_{j≠i} n_j + Σ_{j≠i} ω_ij m_j: the marginal value (productivity) of provider i. */
export function marginalValue(s: ParsedScenario, m: ArrayLike<number>, i: number): number {
  const { x, n, p, vartheta, omega, nTotal } = s;
  let inter = 0;
  const row = i * x;
  for (let j = 0; j < x; j++) inter += omega[row + j]! * m[j]!;
  return vartheta[i]! * (p[i]! - m[i]!) * (nTotal - n[i]!) + inter;
}

/** B(k) of (1.7): the private utility of holding k granules. */
export function privateUtility(s: ParsedScenario, k: number): number {
  const d = s.q - k;
  return (s.theta / 2) * (s.q * s.q - d * d);
}

/** C(m) of (1.8): the time-and-effort cost of sharing m granules. */
export function sharingCost(s: ParsedScenario, m: number): number {
  return (s.sigma / 2) * m * m;
}

/**
 * A provider's marginal cost of sharing: −∂B(n_i − m_i)/∂m_i + C'(m_i) = θ(q − n_i + m_i) + σ m_i.
 * (6) says it equals ∂V/∂m_i at an interior optimum.
 */
export function marginalCost(s: ParsedScenario, i: number, mi: number): number {
  return s.theta * (s.q - s.n[i]! + mi) + s.sigma * mi;
}

/**
 * Provider net utility Z(m) − B(n) = B(n − m) − C(m) + f m + g − B(n) from the scalars alone (no parsed scenario),
 * for plotting one provider of a large scenario (Fig. 3).
 */
export function providerNetUtility(p: { theta: number; sigma: number; q: number }, n: number, f: number, g: number, m: number): number {
  const B = (k: number) => (p.theta / 2) * (p.q * p.q - (p.q - k) * (p.q - k));
  return B(n - m) - (p.sigma / 2) * m * m + f * m + g - B(n);
}
