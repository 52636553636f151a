// The page's side of the prover worker: the same Prover interface as src/lib/zk, with all snarkjs work (witness,
// proof, verification) off the main thread. One worker per page session, started on first use.
import { ArtifactLoadError, ProofGenerationError, ZkInputError, type Prover, type ProofStage, type ProveResult } from '../../lib/zk/index';
import type { ProverRequest, ProverResponse } from '../../workers/prover-protocol';

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void; onStage?: ((stage: ProofStage) => void) | undefined };
type Request = ProverRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

const ERRORS: Record<string, new (message: string) => Error> = { ArtifactLoadError, ProofGenerationError, ZkInputError };

let shared: Prover | undefined;

export function workerProver(): Prover {
  if (shared) return shared;
  const worker = new Worker(new URL('../../workers/prover.worker.ts', import.meta.url), { type: 'module', name: 'prover' });
  const pending = new Map<number, Pending>();
  let next = 1;
  worker.onmessage = (event: MessageEvent<ProverResponse>) => {
    const message = event.data;
    const job = pending.get(message.id);
    if (!job) return;
    if (message.type === 'stage') return job.onStage?.(message.stage);
    pending.delete(message.id);
    if (message.type === 'done') job.resolve(message.result as never);
    else job.reject(new (ERRORS[message.name] ?? ProofGenerationError)(message.message));
  };
  worker.onerror = (event) => {
    // A worker that fails to load takes every pending proof with it; the next call starts a new one.
    const error = new ProofGenerationError(`The prover stopped (${event.message || 'the worker could not start'}). Reload the page and try again.`);
    for (const job of pending.values()) job.reject(error);
    pending.clear();
    worker.terminate();
    shared = undefined;
  };
  const call = <T>(request: Request, onStage?: (stage: ProofStage) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (value: never) => void, reject, onStage });
      worker.postMessage({ ...request, id } as ProverRequest);
    });
  shared = {
    prove: (input, onStage) => call<ProveResult>({ type: 'prove', input }, onStage),
    verify: (circuit, publicSignals, proof) => call<boolean>({ type: 'verify', circuit, publicSignals: [...publicSignals], proof }),
    warmUp: (circuits) => call<null>({ type: 'warmUp', circuits: [...circuits] }).then(() => undefined),
  };
  return shared;
}
