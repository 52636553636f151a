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

/**
 * The same loop for the app's own prover (src/lib/zk createProver: cached witness calculator and parsed proving
 * key), which is what the Share page's worker and the CLI run. Inputs carry the public signals as decimal strings
 * (no BigInt crosses page.evaluate). `o.cpuMs`, when given (Node), reads the process's CPU time, so a figure that
 * does not depend on how busy the shared machine is comes out too: CPU milliseconds per proof, all threads.
 */
export const APP_KERNEL_SOURCE = `async (prover, o) => {
  const now = () => performance.now();
  const gen = [], witness = [], verify = [], cpu = [];
  let cold = null;
  const proofs = [];
  const inputs = o.inputs.map((i) => ({ circuit: i.circuit, signals: i.signals, publicSignals: i.publicSignals.map((s) => BigInt(s)) }));
  const started = now();
  for (let i = 0; i <= o.maxRuns; i++) {
    const input = inputs[i % inputs.length];
    const c0 = o.cpuMs ? o.cpuMs() : 0;
    const a = now();
    const r = await prover.prove(input);
    const c = now();
    if (i === 0) cold = c - a;
    else {
      gen.push(c - a);
      witness.push(r.timings.witnessMs);
      if (o.cpuMs) cpu.push(o.cpuMs() - c0);
    }
    if (proofs.length < 20) proofs.push(r);
    if (gen.length >= o.minRuns && now() - started > o.budgetMs) break;
  }
  const vstart = now();
  for (let i = 0; i < o.verifyRuns; i++) {
    const r = proofs[i % proofs.length];
    const a = now();
    const ok = await prover.verify(r.circuit, r.publicSignals, r.proof);
    verify.push(now() - a);
    if (ok !== true) throw new Error('app prover: proof did not verify');
    if (verify.length >= o.minRuns && now() - vstart > o.budgetMs) break;
  }
  const bad = proofs[0].publicSignals.slice();
  bad[0] = bad[0] + 1n;
  if ((await prover.verify(proofs[0].circuit, bad, proofs[0].proof)) !== false) throw new Error('app prover: verifier accepted a tampered public signal');
  return { cold, gen, witness, verify, cpu, proofBytes: JSON.stringify(proofs[0].proof).length };
}`;

export interface AppKernelOptions {
  /** Inputs as the app builds them, public signals as decimal strings. */
  inputs: { circuit: string; signals: Record<string, unknown>; publicSignals: string[] }[];
  maxRuns: number;
  budgetMs: number;
  minRuns: number;
  verifyRuns: number;
  cpuMs?: () => number;
}

export interface AppKernelResult extends KernelResult {
  /** CPU milliseconds per warm proof (all threads of the process); empty where not measurable (browser). */
  cpu: number[];
}

export function appKernel(): (prover: unknown, o: AppKernelOptions) => Promise<AppKernelResult> {
  return new Function(`return (${APP_KERNEL_SOURCE});`)() as (prover: unknown, o: AppKernelOptions) => Promise<AppKernelResult>;
}

/** Node's process CPU time in ms (user + system, every thread). */
export const processCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A CircuitInput as the app kernel takes it (public signals as decimal strings). */
export const kernelInput = (i: {
  circuit: string;
  signals: Record<string, unknown>;
  publicSignals: readonly bigint[];
}): AppKernelOptions['inputs'][number] => ({
  circuit: i.circuit,
  signals: i.signals,
  publicSignals: i.publicSignals.map((s) => s.toString()),
});
