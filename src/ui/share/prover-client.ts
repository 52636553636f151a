// The page's side of the prover worker (comlink): the same Prover interface as src/lib/zk, with all snarkjs work
// (witness, proof, verification) off the main thread. One worker per page session, started on first use.
import { proxy, wrap } from 'comlink';
import { ArtifactLoadError, ProofGenerationError, ZkInputError, type Prover } from '../../lib/zk/index';

const ERRORS: Record<string, new (message: string) => Error> = { ArtifactLoadError, ProofGenerationError, ZkInputError };

let shared: Prover | undefined;

export function workerProver(): Prover {
  if (shared) return shared;
  const worker = new Worker(new URL('../../workers/prover.worker.ts', import.meta.url), { type: 'module', name: 'prover' });
  const remote = wrap<Prover>(worker);
  // A worker that fails to load takes every pending proof with it; the next call starts a new one.
  let failed: (error: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  worker.onerror = (event) => {
    failed(new ProofGenerationError(`The prover stopped (${event.message || 'the worker could not start'}). Reload the page and try again.`));
    worker.terminate();
    shared = undefined;
  };
  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await Promise.race([run(), failure]);
    } catch (error) {
      const e = error as Error;
      if (Object.values(ERRORS).some((type) => e instanceof type)) throw e;
      throw new (ERRORS[e?.name] ?? ProofGenerationError)(e?.message ?? String(error));
    }
  };
  shared = {
    prove: (input, onStage) => call(() => remote.prove(input, onStage ? proxy(onStage) : undefined)),
    verify: (circuit, publicSignals, proof) => call(() => remote.verify(circuit, [...publicSignals], proof)),
    warmUp: (circuits) => call(() => remote.warmUp([...circuits])),
  };
  return shared;
}
