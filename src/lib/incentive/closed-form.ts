// The paper's closed form (1.10) for two providers: the unconstrained solution of the first-order conditions (1.9).
// Kept verbatim from the paper so the general solver can be checked against it; it is valid only where it lies
// inside the box 0 ≤ m_i ≤ n_i.
import type { ParsedScenario } from './scenario';

export function closedFormTwoProviders(s: ParsedScenario): [number, number] {
  const { theta, sigma, q } = s;
  const w = s.omega[1]!;
  const ts = theta + sigma;
  const m = (i: 0 | 1): number => {
    const o = (1 - i) as 0 | 1;
    const vi = s.vartheta[i]!;
    const vo = s.vartheta[o]!;
    const ni = s.n[i]!;
    const no = s.n[o]!;
    const pi = s.p[i]!;
    const po = s.p[o]!;
    const den = (vo * ni + ts) * (vi * no + ts) - w * w;
    const num =
      vo * theta * ni * ni + (vi * vo * pi * no + vo * w * po - (vo * q - theta - sigma) * theta) * ni + (vi * pi * ts + w * theta) * no - (w + ts) * theta * q;
    return num / den;
  };
  return [m(0), m(1)];
}
