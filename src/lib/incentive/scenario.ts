// A scenario holds the parameters of the Appendix 2 functional forms for x providers (DTPs):
//   V(m) = Σ_i (ϑ_i/2)(p_i² − (p_i − m_i)²) Σ_{j≠i} n_j + Σ_i Σ_{j>i} ω_ij m_i m_j      (1.6)
//   B(n) = (θ/2)(q² − (q − n)²)                                                          (1.7)
//   C(m) = (σ/2) m²                                                                      (1.8)
import { InvalidParameterError } from './errors';

interface Provider {
  /** n_i: the amount of digital twin granules provider i holds. */
  n: number;
  /** p_i ≥ n_i: saturation point of the provider's value (V grows in m_i up to p_i). */
  p: number;
  /** ϑ_i > 0: productivity of the provider's granules. */
  vartheta: number;
  /** Optional: the provider's twingrain public key (decimal), so the admin can publish its terms on chain. */
  pk?: string;
}

export interface Scenario {
  /** θ > 0: weight of the private utility of holding granules (privacy). */
  theta: number;
  /** σ > 0: weight of the time-and-effort cost of sharing. */
  sigma: number;
  /** q ≥ max n_i: saturation point of the private utility B. */
  q: number;
  providers: Provider[];
  /**
   * ω: symmetric interdependence matrix with a zero diagonal, ω_ij ≥ 0 (the paper omits negative interdependence).
   * A single number is accepted as shorthand for the same ω between every pair (useful for hundreds of providers).
   */
  omega: number[][] | number;
}

/** A validated scenario in the solver's dense form. */
export interface ParsedScenario {
  theta: number;
  sigma: number;
  q: number;
  x: number;
  n: Float64Array;
  p: Float64Array;
  vartheta: Float64Array;
  /** Row-major x×x, zero diagonal. */
  omega: Float64Array;
  /** Σ_j n_j: with it, Σ_{j≠i} n_j = total − n_i. */
  nTotal: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function need(ok: boolean, parameter: string, detail: string, hint: string): void {
  if (!ok) throw new InvalidParameterError(parameter, detail, hint);
}

/** Checks a scenario (e.g. parsed JSON) against the model's domain; names the first parameter that is wrong. */
export function parseScenario(input: unknown): ParsedScenario {
  need(
    typeof input === 'object' && input !== null && !Array.isArray(input),
    'scenario',
    'it is not a JSON object',
    'Give {"theta","sigma","q","providers":[{"n","p","vartheta"}],"omega":[[...]]}.',
  );
  const s = input as Record<string, unknown>;
  const theta = s.theta;
  const sigma = s.sigma;
  const q = s.q;
  need(
    finite(theta) && theta > 0,
    'theta',
    `must be a number > 0 (got ${JSON.stringify(theta)})`,
    'theta weighs the private utility of holding granules; use a positive value.',
  );
  need(finite(sigma) && sigma > 0, 'sigma', `must be a number > 0 (got ${JSON.stringify(sigma)})`, 'sigma weighs the effort of sharing; use a positive value.');
  need(
    finite(q),
    'q',
    `must be a finite number (got ${JSON.stringify(q)})`,
    'q is the saturation point of the private utility; use a number at least as large as every n.',
  );
  const providers = s.providers;
  need(Array.isArray(providers) && providers.length > 0, 'providers', 'must be a non-empty list', 'List each provider as {"n","p","vartheta"}.');
  const list = providers as unknown[];
  const x = list.length;
  const n = new Float64Array(x);
  const p = new Float64Array(x);
  const vartheta = new Float64Array(x);
  let nTotal = 0;
  for (let i = 0; i < x; i++) {
    const pr = list[i] as Record<string, unknown> | null;
    need(typeof pr === 'object' && pr !== null, `providers[${i}]`, 'is not an object', 'Give {"n","p","vartheta"}.');
    const ni = pr!.n;
    const pi = pr!.p;
    const vi = pr!.vartheta;
    need(finite(ni) && ni >= 0, `providers[${i}].n`, `must be a number ≥ 0 (got ${JSON.stringify(ni)})`, 'n is the amount of granules the provider holds.');
    need(
      finite(vi) && vi > 0,
      `providers[${i}].vartheta`,
      `must be a number > 0 (got ${JSON.stringify(vi)})`,
      "vartheta is the productivity of the provider's granules; use a positive value.",
    );
    need(
      finite(pi) && pi >= (ni as number),
      `providers[${i}].p`,
      `must be a number ≥ n = ${ni} (got ${JSON.stringify(pi)})`,
      "p is where the provider's value saturates; raise p to at least n.",
    );
    need((q as number) >= (ni as number), 'q', `must be ≥ every provider's n (q = ${q} < providers[${i}].n = ${ni})`, 'Raise q to at least the largest n.');
    n[i] = ni as number;
    p[i] = pi as number;
    vartheta[i] = vi as number;
    nTotal += ni as number;
  }
  const omega = new Float64Array(x * x);
  const om = s.omega;
  const omegaHint = 'omega must be a symmetric x×x matrix of non-negative numbers with a zero diagonal (or one number for every pair).';
  if (typeof om === 'number') {
    need(Number.isFinite(om) && om >= 0, 'omega', `must be ≥ 0 (got ${om})`, omegaHint);
    for (let i = 0; i < x; i++) for (let j = 0; j < x; j++) if (i !== j) omega[i * x + j] = om;
  } else {
    need(Array.isArray(om) && om.length === x, 'omega', `must have ${x} rows, one per provider (got ${Array.isArray(om) ? om.length : typeof om})`, omegaHint);
    const rows = om as unknown[];
    for (let i = 0; i < x; i++) {
      const row = rows[i];
      need(Array.isArray(row) && row.length === x, `omega[${i}]`, `must have ${x} entries`, omegaHint);
      const r = row as unknown[];
      for (let j = 0; j < x; j++) {
        const v = r[j];
        // The messages are built only on failure: a thousand providers means a million entries.
        if (typeof v !== 'number' || !Number.isFinite(v)) need(false, `omega[${i}][${j}]`, `must be a finite number (got ${JSON.stringify(v)})`, omegaHint);
        if (i === j && v !== 0) need(false, `omega[${i}][${i}]`, `the diagonal must be 0 (got ${v})`, omegaHint);
        if ((v as number) < 0) need(false, `omega[${i}][${j}]`, `must be ≥ 0 (got ${v}); the model covers non-negative interdependence only`, omegaHint);
        omega[i * x + j] = v as number;
      }
    }
    for (let i = 0; i < x; i++)
      for (let j = i + 1; j < x; j++) {
        const a = omega[i * x + j]!;
        const b = omega[j * x + i]!;
        if (Math.abs(a - b) > 1e-12 * Math.max(Math.abs(a), Math.abs(b)))
          need(false, `omega[${i}][${j}]`, `differs from omega[${j}][${i}] (${a} ≠ ${b})`, omegaHint);
      }
  }
  return { theta: theta as number, sigma: sigma as number, q: q as number, x, n, p, vartheta, omega, nTotal };
}
