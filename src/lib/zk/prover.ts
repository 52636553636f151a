// Groth16 proving and verification with snarkjs behind a small interface, so the same code runs in Node, in the
// page and in src/workers/prover.worker.ts. Artifacts come from an ArtifactSource (files in Node, fetch in browsers).
import type { Groth16Proof } from 'snarkjs';
import type { CircuitName } from './constants';
import { ArtifactLoadError, ProofGenerationError } from './errors';
import type { CircuitInput } from './inputs';

export type { Groth16Proof };
export type ArtifactKind = 'wasm' | 'zkey' | 'vkey';

export interface ArtifactSource {
  load(circuit: CircuitName, kind: ArtifactKind): Promise<Uint8Array>;
}

export type ProofStage = 'loading' | 'witness' | 'proof';

export interface ProveResult {
  circuit: CircuitName;
  proof: Groth16Proof;
  publicSignals: bigint[];
  timings: { witnessMs: number; proofMs: number };
}

export interface Prover {
  prove(input: CircuitInput, onStage?: (stage: ProofStage) => void): Promise<ProveResult>;
  verify(circuit: CircuitName, publicSignals: readonly bigint[], proof: Groth16Proof): Promise<boolean>;
  /** Loads snarkjs and the artifacts of `circuits` so the first proof is not slowed by downloads. */
  warmUp(circuits: readonly CircuitName[]): Promise<void>;
}

type Snarkjs = typeof import('snarkjs');
let snarkjsPromise: Promise<Snarkjs> | undefined;
const loadSnarkjs = (): Promise<Snarkjs> => (snarkjsPromise ??= import('snarkjs'));

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function createProver(source: ArtifactSource): Prover {
  const cache = new Map<string, Promise<Uint8Array>>();
  const artifact = (circuit: CircuitName, kind: ArtifactKind): Promise<Uint8Array> => {
    const key = `${circuit}.${kind}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = source.load(circuit, kind).catch((cause: unknown) => {
        cache.delete(key);
        throw cause instanceof ArtifactLoadError ? cause : new ArtifactLoadError(`The ${circuit} ${kind} could not be loaded: ${(cause as Error).message}`);
      });
      cache.set(key, hit);
    }
    return hit;
  };
  const vkeys = new Map<CircuitName, unknown>();

  return {
    async prove(input, onStage) {
      onStage?.('loading');
      const [snarkjs, wasm, zkey] = await Promise.all([loadSnarkjs(), artifact(input.circuit, 'wasm'), artifact(input.circuit, 'zkey')]);
      onStage?.('witness');
      const t0 = now();
      const witness: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
      try {
        await snarkjs.wtns.calculate(input.signals, wasm, witness);
      } catch (cause) {
        // The inputs were checked already, so a failing constraint means the values do not belong together.
        throw new ProofGenerationError(`The ${input.circuit} proof cannot be made: the values do not satisfy the circuit (${firstLine(cause)}). Check the identity, salt and record.`);
      }
      const t1 = now();
      onStage?.('proof');
      const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, witness as { type: 'mem'; data: Uint8Array });
      const t2 = now();
      const signals = publicSignals.map((s) => BigInt(s));
      if (signals.length !== input.publicSignals.length || signals.some((s, i) => s !== input.publicSignals[i])) {
        throw new ProofGenerationError(`The ${input.circuit} proof exposes unexpected public signals: the circuit artifacts and this app disagree. Reload the app.`);
      }
      return { circuit: input.circuit, proof, publicSignals: signals, timings: { witnessMs: t1 - t0, proofMs: t2 - t1 } };
    },
    async verify(circuit, publicSignals, proof) {
      const snarkjs = await loadSnarkjs();
      let vkey = vkeys.get(circuit);
      if (!vkey) {
        vkey = JSON.parse(new TextDecoder().decode(await artifact(circuit, 'vkey')));
        vkeys.set(circuit, vkey);
      }
      return snarkjs.groth16.verify(vkey, publicSignals.map((s) => s.toString()), proof);
    },
    async warmUp(circuits) {
      await loadSnarkjs();
      await Promise.all(circuits.flatMap((c) => [artifact(c, 'wasm'), artifact(c, 'zkey')]));
    },
  };
}

function firstLine(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.slice(0, 200);
}

/** snarkjs keeps worker threads alive in Node; scripts call this before exiting. */
export async function terminateProver(): Promise<void> {
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128;
  if (curve) {
    await curve.terminate();
    delete (globalThis as { curve_bn128?: unknown }).curve_bn128;
  }
}

/** The proof as the Solidity verifier takes it (G2 coordinates swapped). */
export interface SolidityProof {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
}

export function toSolidityProof(proof: Groth16Proof): SolidityProof {
  const n = (s: string | undefined): bigint => BigInt(s ?? '0');
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(proof.pi_b[0]?.[1]), n(proof.pi_b[0]?.[0])],
      [n(proof.pi_b[1]?.[1]), n(proof.pi_b[1]?.[0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
  };
}
