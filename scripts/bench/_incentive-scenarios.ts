// Deterministic random scenarios for the incentive benchmark, shared by the Node run and the Chromium run.
import type { Scenario } from '../../src/lib/incentive/index';

/** Deterministic pseudo-random numbers so every run benchmarks the same scenarios. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export type Regime = 'mostly binding' | 'mixed' | 'interior';
/** Random scenarios whose solutions are, by construction, mostly at n_i, mixed, or all interior. */
export function randomScenario(x: number, regime: Regime, seed: number): Scenario {
  const r = lcg(seed * 7919 + x);
  if (regime === 'interior') {
    // Large holdings, cheap privacy, costly effort: everyone shares part of what they hold.
    const providers = Array.from({ length: x }, () => {
      const n = 30 + r() * 20;
      return { n, p: n + r() * 50, vartheta: ((0.5 + r()) * 0.05) / x };
    });
    const omega = providers.map(() => providers.map(() => 0));
    for (let i = 0; i < x; i++) for (let j = i + 1; j < x; j++) omega[i]![j] = omega[j]![i] = (r() * 0.2) / x;
    return { theta: 0.1, sigma: 5, q: 51, providers, omega };
  }
  const scale = regime === 'mostly binding' ? 0.5 : 0.05;
  const providers = Array.from({ length: x }, () => {
    const n = 1 + Math.floor(r() * 50);
    return { n, p: n + r() * 50, vartheta: ((0.5 + r()) * scale) / x };
  });
  const omega = providers.map(() => providers.map(() => 0));
  const w = 1;
  for (let i = 0; i < x; i++) for (let j = i + 1; j < x; j++) omega[i]![j] = omega[j]![i] = (r() * w) / x;
  return { theta: 1, sigma: 1, q: 60, providers, omega };
}
