// The parts of one Groth16 proof of groth16.ts, each runnable alone, so a profile can time them one by one in Node and
// in Chromium (zk-profile.ts; the browser gets this module bundled by Vite through _zk-parts-entry.ts).
import { buildFixedBaseTables, groth16Prove, multiExp, parseProvingKey, quotientOnCoset, type Bn254Engine, type MsmKernel } from '../../src/lib/zk/groth16';
import { createWitnessCalculator, type WitnessCalculator } from '../../src/lib/zk/witness';

export type PartName = string;

export interface ProofParts {
  names: PartName[];
  run(name: PartName, signals: Record<string, unknown>): Promise<number>;
  counts: Record<string, number>;
  /** Builds the key's fixed-base tables (once, before the "fixed" parts run): wall ms and bytes. */
  buildTables(): Promise<{ ms: number; bytes: number }>;
  threads: number;
}

/** Builds the witness calculator and parses the key (timed: `keyParseMs`, `compileMs`); parts then reuse them. */
export async function proofParts(curve: Bn254Engine, wasm: Uint8Array, zkey: Uint8Array): Promise<ProofParts & { keyParseMs: number; compileMs: number }> {
  let t = performance.now();
  const key = parseProvingKey(zkey, curve);
  const keyParseMs = performance.now() - t;
  t = performance.now();
  const calc: WitnessCalculator = await createWitnessCalculator(wasm);
  const compileMs = performance.now() - t;
  let w: Uint8Array = new Uint8Array();
  let h: Uint8Array = new Uint8Array();
  const msm = (k: MsmKernel): Record<string, () => Promise<unknown>> => ({
    [`MSM A (G1) ${k}`]: () => multiExp(curve, 'G1', key.A, w, 0, k),
    [`MSM B1 (G1) ${k}`]: () => multiExp(curve, 'G1', key.B1, w, 0, k),
    [`MSM B2 (G2) ${k}`]: () => multiExp(curve, 'G2', key.B2, w, 0, k),
    [`MSM C (G1) ${k}`]: () => multiExp(curve, 'G1', key.C, w, (key.nPublic + 1) * 32, k),
    [`MSM H (G1) ${k}`]: () => multiExp(curve, 'G1', key.H, h, 0, k),
  });
  const parts: Record<string, (signals: Record<string, unknown>) => Promise<unknown>> = {
    witness: async (signals) => (w = await calc.calculate(signals)),
    'QAP (h on the coset)': async () => (h = await quotientOnCoset(curve, key, w)),
    ...msm('batch-affine'),
    ...msm('signed'),
    ...msm('fixed'),
    'self-check (pairing)': async () => {
      const { G1, Fr } = curve;
      let cpub = G1.fromRprLEM(key.ic, 0);
      for (let j = 1; j <= key.nPublic; j++) cpub = G1.add(cpub, G1.timesFr(G1.fromRprLEM(key.ic, j * 64), Fr.e(BigInt(j) * 1234567n)));
      return curve.pairingEq(G1.neg(key.alpha1), key.beta2, cpub, key.gamma2, key.delta1, key.delta2, key.alpha1, key.beta2);
    },
    'whole proof, batch-affine MSMs': () => groth16Prove(curve, key, w, 'batch-affine'),
    'whole proof, signed MSMs': () => groth16Prove(curve, key, w, 'signed'),
    'whole proof, fixed MSMs': () => groth16Prove(curve, key, w, 'fixed'),
  };
  return {
    keyParseMs,
    compileMs,
    names: Object.keys(parts),
    counts: { A: key.A.count, B1: key.B1.count, B2: key.B2.count, C: key.C.count, H: key.H.count },
    threads: curve.tm.concurrency,
    async buildTables() {
      const t0 = performance.now();
      const bytes = await buildFixedBaseTables(curve, key);
      return { ms: performance.now() - t0, bytes };
    },
    async run(name, signals) {
      const t0 = performance.now();
      await parts[name]!(signals);
      return performance.now() - t0;
    },
  };
}
