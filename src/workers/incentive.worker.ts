// Solves incentive scenarios off the main thread so the Incentives page stays responsive with hundreds of providers.
// Imported from the modules, not the index, so the worker bundle carries the solver without viem and the ABIs.
import { IncentiveError } from '../lib/incentive/errors';
import type { Scenario } from '../lib/incentive/scenario';
import { solveScenario, type SolveScenarioReturnType } from '../lib/incentive/solve';

export interface IncentiveSolveRequest {
  id: number;
  scenario: Scenario;
}

export type IncentiveSolveResponse =
  | { id: number; ok: true; result: SolveScenarioReturnType; ms: number }
  | { id: number; ok: false; error: { name: string; message: string; parameter?: string } };

self.onmessage = (event: MessageEvent<IncentiveSolveRequest>) => {
  const { id, scenario } = event.data;
  const t0 = performance.now();
  try {
    const result = solveScenario(scenario);
    const response: IncentiveSolveResponse = { id, ok: true, result, ms: performance.now() - t0 };
    self.postMessage(response);
  } catch (error) {
    const e = error as Error & { parameter?: string };
    const known = error instanceof IncentiveError;
    const response: IncentiveSolveResponse = {
      id,
      ok: false,
      error: { name: known ? e.name : 'Error', message: known ? e.message : `The solver stopped unexpectedly: ${e.message}`, ...(e.parameter ? { parameter: e.parameter } : {}) },
    };
    self.postMessage(response);
  }
};
