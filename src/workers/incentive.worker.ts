// Solves incentive scenarios off the main thread so the Incentives page stays responsive with hundreds of providers.
// Imported from the modules, not the index, so the worker bundle carries the solver without viem and the ABIs.
// The page calls it through comlink (src/ui/incentives/solver.ts).
import { expose } from 'comlink';
import { IncentiveError } from '../lib/incentive/index';
import type { Scenario } from '../lib/incentive/index';
import { solveScenario, type SolveScenarioReturnType } from '../lib/incentive/index';

export type IncentiveSolveOutcome =
  | { ok: true; result: SolveScenarioReturnType; ms: number }
  | { ok: false; error: { name: string; message: string; parameter?: string } };

const api = {
  /** A refusal of the scenario is an answer, not an exception: the page shows it beside the JSON. */
  solve(scenario: Scenario): IncentiveSolveOutcome {
    const t0 = performance.now();
    try {
      return { ok: true, result: solveScenario(scenario), ms: performance.now() - t0 };
    } catch (error) {
      const e = error as Error & { parameter?: string };
      const known = error instanceof IncentiveError;
      return {
        ok: false,
        error: {
          name: known ? e.name : 'Error',
          message: known ? e.message : `The solver stopped unexpectedly: ${e.message}`,
          ...(e.parameter ? { parameter: e.parameter } : {}),
        },
      };
    }
  },
};

export type IncentiveWorkerApi = typeof api;

expose(api);
