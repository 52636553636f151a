// The proving/verification loop, kept as plain JavaScript source so the very same code runs in Node (via new
// Function) and in Chromium (via page.evaluate): tsx's transforms never touch it, and both sides time the same steps.
// Generation = witness calculation + proof (as the paper's "proof generation" covers both); run 0 is the cold run
// (snarkjs and the curve load, WASM compiles) and is reported apart.
export const KERNEL_SOURCE = `async (snarkjs, o) => {
  const now = () => performance.now();
  const gen = [], witness = [], verify = [];
  let cold = null;
  const proofs = [];
  const started = now();
  for (let i = 0; i <= o.maxRuns; i++) {
    const w = { type: 'mem' };
    const a = now();
    await snarkjs.wtns.calculate(o.inputs[i % o.inputs.length], o.wasm, w);
    const b = now();
    const { proof, publicSignals } = await snarkjs[o.system].prove(o.zkey, w);
    const c = now();
    if (i === 0) cold = c - a;
    else { gen.push(c - a); witness.push(b - a); }
    if (proofs.length < 20) proofs.push({ proof, publicSignals });
    // A cold run longer than the whole budget (PLONK on a loaded machine) leaves room for one warm run only.
    const need = cold !== null && cold > o.budgetMs ? 1 : o.minRuns;
    if (gen.length >= need && now() - started > o.budgetMs) break;
  }
  const vstart = now();
  for (let i = 0; i < o.verifyRuns; i++) {
    const { proof, publicSignals } = proofs[i % proofs.length];
    const a = now();
    const ok = await snarkjs[o.system].verify(o.vkey, publicSignals, proof);
    verify.push(now() - a);
    if (ok !== true) throw new Error(o.system + ' proof did not verify');
    if (verify.length >= o.minRuns && now() - vstart > o.budgetMs) break;
  }
  // A tampered public signal must fail, or the verifier measured is not checking anything.
  const bad = proofs[0].publicSignals.slice();
  bad[0] = (BigInt(bad[0]) + 1n).toString();
  const rejected = (await snarkjs[o.system].verify(o.vkey, bad, proofs[0].proof)) === false;
  if (!rejected) throw new Error(o.system + ' verifier accepted a tampered public signal');
  return { cold, gen, witness, verify, proofBytes: JSON.stringify(proofs[0].proof).length };
}`;

export interface KernelOptions {
  system: 'groth16' | 'plonk';
  wasm: Uint8Array;
  zkey: Uint8Array;
  vkey: unknown;
  /** Distinct valid inputs, cycled through (proving time does not depend on the values). */
  inputs: Record<string, unknown>[];
  /** Warm runs at most (run 0, the cold one, comes on top). */
  maxRuns: number;
  /** Stop generating (or verifying) after this long once minRuns are in. */
  budgetMs: number;
  minRuns: number;
  verifyRuns: number;
}

export interface KernelResult {
  cold: number;
  gen: number[];
  witness: number[];
  verify: number[];
  proofBytes: number;
}

type Kernel = (snarkjs: unknown, o: KernelOptions) => Promise<KernelResult>;

export function nodeKernel(): Kernel {
  return new Function(`return (${KERNEL_SOURCE});`)() as Kernel;
}
