// The Incentives page's handle on the solver worker: one worker, requests answered in order, stale answers dropped.
import type { Scenario } from '../../lib/incentive/index';
import type { IncentiveSolveRequest, IncentiveSolveResponse } from '../../workers/incentive.worker';

export type SolveOutcome = IncentiveSolveResponse;

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, (r: IncentiveSolveResponse) => void>();

export function solveInWorker(scenario: Scenario): Promise<SolveOutcome> {
  if (!worker) {
    worker = new Worker(new URL('../../workers/incentive.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<IncentiveSolveResponse>) => {
      pending.get(e.data.id)?.(e.data);
      pending.delete(e.data.id);
    };
  }
  const id = nextId++;
  const request: IncentiveSolveRequest = { id, scenario };
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker!.postMessage(request);
  });
}

/** A random scenario of `count` providers with one ω for every pair (kept small so the JSON stays editable). */
export function generateScenario(count: number, seed = 1): Scenario {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const providers = Array.from({ length: count }, () => {
    const n = 1 + Math.round(r() * 49);
    return { n, p: n + Math.round(r() * 40), vartheta: +(((0.3 + r()) * 0.05) / count).toPrecision(3) };
  });
  return { theta: 0.2, sigma: 2, q: 60, providers, omega: +(0.5 / count).toPrecision(3) };
}
