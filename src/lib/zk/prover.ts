// Groth16 proving and verification behind a small interface, so the same code runs in Node, in the page and in
// src/workers/prover.worker.ts. Artifacts come from an ArtifactSource (files in Node, fetch in browsers). Each
// circuit's witness calculator (compiled WASM) and parsed proving key are built once and kept: proving then pays
// only for the witness and the curve arithmetic (witness.ts, groth16.ts). Verification is snarkjs's.
import type { Groth16Proof } from 'snarkjs';
import type { CircuitName } from './constants';
import { ArtifactLoadError, ProofGenerationError } from './errors';
import {
  attachFixedBaseTables,
  buildResidentTables,
  computeFixedBaseTables,
  dropFixedBaseTables,
  dropFq29Bases,
  fixedBaseTableBytes,
  fixedBaseTableEstimate,
  groth16Prove,
  makeKeyResident,
  parseProvingKey,
  ProofCheckError,
  type Bn254Engine,
  type ProvingKey,
} from './groth16';
import type { CircuitInput } from './inputs';
import { batchAffinePlugin, type WasmModuleBuilder } from './msm-batch-affine';
import { PoolError, startResidentPool, type ResidentPool } from './thread-pool';
import { createWitnessCalculator, type WitnessCalculator } from './witness';

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
  /**
   * Loads snarkjs and the artifacts of `circuits`, compiles the circuits and parses the keys, so the first proof is not
   * slowed. With `tables`, also builds the keys' fixed-base tables and resolves when they are ready (otherwise a
   * circuit's tables are built in the background after its first proof, pausing while proofs run).
   */
  warmUp(circuits: readonly CircuitName[], options?: { tables?: boolean }): Promise<void>;
  /** Bytes of fixed-base tables held in memory, per circuit (0 while not built). */
  tableBytes?(): Promise<Partial<Record<string, number>>>;
}

type Snarkjs = typeof import('snarkjs');
let snarkjsPromise: Promise<Snarkjs> | undefined;
const loadSnarkjs = (): Promise<Snarkjs> => (snarkjsPromise ??= import('snarkjs'));
/**
 * The BN254 engine (snarkjs's arithmetic: ffjavascript's WASM curve code), built by ffjavascript itself with the
 * batch-affine MSM kernels added to its WASM module (msm-batch-affine.ts), single-threaded: the threads are the
 * prover's own pool below, so ffjavascript's would only sit idle (two more workers to start and keep). It is this
 * module's own, not the realm's global one: snarkjs's verify builds that one if asked. Concurrent first calls share
 * one build.
 */
let engine: Bn254Engine | undefined;
let curveBuild: Promise<Bn254Engine> | undefined;
/** The engine's WebAssembly code as ffjavascript generated it (kernels included), for the resident pool's workers. */
let engineCode: Uint8Array | undefined;
const withKernels = (module: WasmModuleBuilder & { build(): Uint8Array }): void => {
  batchAffinePlugin(module);
  const build = module.build.bind(module);
  module.build = () => (engineCode = build());
};
const loadCurve = async (): Promise<Bn254Engine> => {
  if (engine) return engine;
  curveBuild ??= import('ffjavascript')
    .then(async ({ buildBn128 }) => (engine = (await buildBn128(true, withKernels as (moduleBuilder: unknown) => void)) as Bn254Engine))
    .finally(() => (curveBuild = undefined));
  return curveBuild;
};

/** Cores to use: the browser's hardwareConcurrency, Node's availableParallelism (as ffjavascript counts them). */
const cores = async (): Promise<number> => {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (n) return Math.min(64, n);
  const spec = 'node:os';
  const os = (await import(/* @vite-ignore */ spec)) as typeof import('node:os');
  return Math.max(1, Math.min(64, os.availableParallelism?.() ?? os.cpus().length));
};

/**
 * The prover's own workers (thread-pool.ts), one per core, started from the engine's module: each keeps the keys'
 * bases and its share of their fixed-base tables resident, so a proof sends only its scalars. Should workers not
 * start, groth16.ts runs everything on the engine in this thread. A pool whose worker failed is closed; the next
 * proof starts a new one.
 */
let pool: ResidentPool | undefined;
let poolStart: Promise<ResidentPool | undefined> | undefined;
const loadPool = async (): Promise<ResidentPool | undefined> => {
  if (pool && !pool.closed) return pool;
  const code = engineCode as Uint8Array<ArrayBuffer> | undefined;
  if (!code || typeof WebAssembly === 'undefined') return undefined;
  poolStart ??= Promise.all([WebAssembly.compile(code), cores()])
    .then(([module, n]) => startResidentPool(module, n))
    .then(
      (started) => (pool = started),
      () => undefined,
    )
    .finally(() => (poolStart = undefined));
  return poolStart;
};

interface Circuit {
  witness: WitnessCalculator;
  key: ProvingKey;
  /** The fixed-base tables' build, once started (groth16.ts: about 250 doublings per base, once per key). */
  tables?: Promise<void>;
  /** Set when a proof made with the tables failed its check: none are attached again in this session. */
  tablesRefused?: boolean;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

interface ProverOptions {
  /**
   * Which circuits get fixed-base tables built in the background after their first proof: 'small' (default) those
   * whose tables take at most 16 MiB — the registration key's 4.7 MiB cost about 0.6 s of CPU once and cut its proofs
   * by about 40% — 'all' (also the tree circuits' ~45 MiB each, about 7 s of CPU each for ~15% faster proofs: worth
   * it for a node that proves often), or 'off'. warmUp(…, { tables: true }) builds them for the circuits it names.
   */
  backgroundTables?: 'small' | 'all' | 'off';
}

const SMALL_TABLES = 16 * 2 ** 20;

export function createProver(source: ArtifactSource, options: ProverOptions = {}): Prover {
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
  const circuits = new Map<CircuitName, Promise<Circuit>>();
  const prepared = (circuit: CircuitName): Promise<Circuit> => {
    let hit = circuits.get(circuit);
    if (!hit) {
      hit = (async () => {
        const start = now();
        // Marks for a cold proof's trace (benchmarks read them: performance.getEntriesByType('mark')).
        const marked =
          <T>(step: string) =>
          (value: T): T => {
            globalThis.performance?.mark?.(`twingrain:zk:${circuit}:${step}`, { detail: now() - start });
            return value;
          };
        const mark = (step: string): void => void marked(step)(undefined);
        const curveReady = loadCurve().then(marked('engine'));
        // The workers start as soon as the engine's code exists, while the circuit compiles and the key parses.
        const poolReady = curveReady.then(() => loadPool()).then(marked('pool'));
        poolReady.catch(() => undefined);
        const [curve, wasm, zkey] = await Promise.all([
          curveReady,
          artifact(circuit, 'wasm').then(marked('wasm-loaded')),
          artifact(circuit, 'zkey').then(marked('zkey-loaded')),
        ]);
        let witness: WitnessCalculator;
        try {
          witness = await createWitnessCalculator(wasm);
          mark('circuit-compiled');
        } catch (cause) {
          cache.delete(`${circuit}.wasm`); // fetched again next time, not served damaged from memory
          throw new ArtifactLoadError(`The ${circuit} circuit (WebAssembly) is damaged (${firstLine(cause)}): reload the app, or restore public/zk from git.`);
        }
        let key: ProvingKey;
        try {
          key = parseProvingKey(zkey, curve);
          mark('key-parsed');
        } catch (cause) {
          cache.delete(`${circuit}.zkey`);
          throw new ArtifactLoadError(`The ${circuit} proving key is damaged (${firstLine(cause)}): reload the app, or restore public/zk from git.`);
        }
        if (key.nVars !== witness.witnessSize)
          throw new ArtifactLoadError(
            `The ${circuit} circuit and proving key do not belong together (${witness.witnessSize} vs ${key.nVars} signals): reload the app, or restore public/zk from git.`,
          );
        // The workers and the key's bases in them are made ready here too (warmUp), not at the first proof.
        const pool = await poolReady;
        if (pool) await makeKeyResident(pool, key).catch(() => undefined);
        mark('resident');
        return { witness, key };
      })();
      hit.catch(() => circuits.delete(circuit));
      circuits.set(circuit, hit);
    }
    return hit;
  };

  const proveOne = async (input: CircuitInput, onStage?: (stage: ProofStage) => void): Promise<ProveResult> => {
    onStage?.('loading');
    const circuit = await prepared(input.circuit);
    const { witness: calculator, key } = circuit;
    onStage?.('witness');
    const t0 = now();
    let witness: Uint8Array;
    try {
      witness = await calculator.calculate(input.signals);
    } catch (cause) {
      // The inputs were checked already, so a failing constraint means the values do not belong together.
      throw new ProofGenerationError(
        `The ${input.circuit} proof cannot be made: the values do not satisfy the circuit (${firstLine(cause)}). Check the identity, salt and record.`,
      );
    }
    const t1 = now();
    onStage?.('proof');
    let made: Awaited<ReturnType<typeof groth16Prove>>;
    try {
      const curve = await loadCurve();
      const pool = await loadPool();
      if (pool) await makeKeyResident(pool, key);
      try {
        made = await groth16Prove(curve, key, witness);
      } catch (cause) {
        // Made with fixed-base tables or fq29 kernels (field29.ts) that turn out wrong: they are dropped (not used
        // again in this session) and the proof is made again with wasmcurves' own field code; a second failure is the
        // key's or that arithmetic's.
        if (!(cause instanceof ProofCheckError)) throw cause;
        const hadTables = dropFixedBaseTables(key);
        const hadFq29 = dropFq29Bases(key);
        if (!hadTables && !hadFq29) throw cause;
        if (hadTables) circuit.tablesRefused = true;
        made = await groth16Prove(curve, key, witness);
      }
    } catch (cause) {
      if (cause instanceof PoolError) {
        // The pool is closed with the tables it held: the next proof starts new workers (and tables, by policy).
        delete circuit.tables;
        throw new ProofGenerationError(`The ${input.circuit} proof was interrupted: a proving thread stopped (${firstLine(cause)}). Try again.`);
      }
      if (cause instanceof ProofCheckError)
        throw new ProofGenerationError(
          `The ${input.circuit} proof came out wrong and was not used (it does not verify against the proving key). Try again; if it keeps happening, reload the app or restore public/zk from git.`,
        );
      throw cause;
    }
    const { proof, publicSignals } = made;
    const t2 = now();
    const signals = publicSignals.map((s) => BigInt(s));
    if (signals.length !== input.publicSignals.length || signals.some((s, i) => s !== input.publicSignals[i])) {
      throw new ProofGenerationError(
        `The ${input.circuit} proof exposes unexpected public signals: the circuit artifacts and this app disagree. Reload the app.`,
      );
    }
    const policy = options.backgroundTables ?? 'small';
    if (policy === 'all' || (policy === 'small' && !circuit.tables && fixedBaseTableEstimate(await loadCurve(), key, (await loadPool())?.size) <= SMALL_TABLES))
      void tablesOf(circuit);
    return { circuit: input.circuit, proof, publicSignals: signals, timings: { witnessMs: t1 - t0, proofMs: t2 - t1 } };
  };

  // Fixed-base tables are built one circuit at a time, and the build waits whenever a proof is running, so building
  // them never slows a proof by more than one small task (tens of milliseconds).
  let running = 0;
  let idle: (() => void)[] = [];
  const whenIdle = (): Promise<void> => (running === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve)));
  let tableQueue: Promise<void> = Promise.resolve();
  const tablesOf = (circuit: Circuit): Promise<void> => {
    if (!circuit.tables) {
      tableQueue = tableQueue.then(async () => {
        try {
          const curve = await loadCurve();
          const pool = await loadPool();
          if (pool) {
            // Built inside the workers, each its share, where the proofs use them.
            await makeKeyResident(pool, circuit.key);
            await buildResidentTables(curve, circuit.key, whenIdle);
            if (circuit.tablesRefused) dropFixedBaseTables(circuit.key);
          } else {
            const tables = await computeFixedBaseTables(curve, circuit.key, undefined, whenIdle);
            if (!circuit.tablesRefused) attachFixedBaseTables(circuit.key, tables);
          }
        } catch (cause) {
          // Proofs stay correct without tables. A pool that stopped takes its tables with it: they may be built again.
          if (cause instanceof PoolError) delete circuit.tables;
        }
      });
      circuit.tables = tableQueue;
    }
    return circuit.tables;
  };

  return {
    async prove(input, onStage) {
      running++;
      try {
        return await proveOne(input, onStage);
      } finally {
        if (--running === 0) {
          for (const resume of idle) resume();
          idle = [];
        }
      }
    },
    async verify(circuit, publicSignals, proof) {
      const snarkjs = await loadSnarkjs();
      let vkey = vkeys.get(circuit);
      if (!vkey) {
        vkey = JSON.parse(new TextDecoder().decode(await artifact(circuit, 'vkey')));
        vkeys.set(circuit, vkey);
      }
      return snarkjs.groth16.verify(
        vkey,
        publicSignals.map((s) => s.toString()),
        proof,
      );
    },
    async warmUp(names, options) {
      const ready = await Promise.all(names.map((c) => prepared(c)));
      if (options?.tables) await Promise.all(ready.map(tablesOf));
    },
    async tableBytes() {
      const out: Partial<Record<string, number>> = {};
      for (const [name, circuit] of circuits) out[name] = fixedBaseTableBytes((await circuit).key);
      return out;
    },
  };
}

function firstLine(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.slice(0, 200);
}

/** snarkjs keeps worker threads alive in Node; scripts call this before exiting. */
export async function terminateProver(): Promise<void> {
  const running = pool ?? (await poolStart);
  pool = undefined;
  await running?.terminate();
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

/** The resident pool the provers of this realm use, if started (tests reach the workers through it). */
export function currentProverPool(): ResidentPool | undefined {
  return pool && !pool.closed ? pool : undefined;
}
