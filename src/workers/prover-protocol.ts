// Messages between the page (src/ui/share/prover-client.ts) and prover.worker.ts. bigints cross postMessage as they are (structured
// clone keeps them); errors come back as their class name and sentence so the page can rethrow the typed error.
import type { CircuitName, CircuitInput, Groth16Proof, ProofStage, ProveResult } from '../lib/zk/index';

export type ProverRequest =
  | { id: number; type: 'warmUp'; circuits: CircuitName[] }
  | { id: number; type: 'prove'; input: CircuitInput }
  | { id: number; type: 'verify'; circuit: CircuitName; publicSignals: bigint[]; proof: Groth16Proof };

export type ProverResponse =
  | { id: number; type: 'stage'; stage: ProofStage }
  | { id: number; type: 'done'; result: ProveResult | boolean | null }
  | { id: number; type: 'error'; name: string; message: string };
