// The Incentives page's handle on the solver worker (comlink): one worker, started on first use.
import { wrap, type Remote } from 'comlink';
import type { Scenario } from '../../lib/incentive/index';
import type { IncentiveSolveOutcome, IncentiveWorkerApi } from '../../workers/incentive.worker';

export type SolveOutcome = IncentiveSolveOutcome;

let solver: Remote<IncentiveWorkerApi> | null = null;

export function solveInWorker(scenario: Scenario): Promise<SolveOutcome> {
  solver ??= wrap<IncentiveWorkerApi>(new Worker(new URL('../../workers/incentive.worker.ts', import.meta.url), { type: 'module' }));
  return solver.solve(scenario);
}

/** A random scenario of `count` providers with one ω for every pair (kept small so the JSON stays editable). */
export function generateScenario(count: number, seed = 1): Scenario {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const providers = Array.from({ length: count }, () => {
    const n = 1 + Math.round(r() * 49);
    return { n, p: n + Math.round(r() * 40), vartheta: +(((0.3 + r()) * 0.05) / count).toPrecision(3) };
  });
  return { theta: 0.2, sigma: 2, q: 60, providers, omega: +(0.5 / count).toPrecision(3) };
}
