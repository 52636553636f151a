// Where a proof's time goes, part by part, in Node: `npx tsx scripts/bench/_zk-profile.ts [runs]`. Each part of
// groth16.ts runs alone (so its wall time on the thread pool and the process's CPU time are its own), each MSM with
// wasmcurves' kernel (before) and the batch-affine one (now), then the whole proof both ways. Prints one JSON line per
// circuit (medians, ms: wall / CPU of the process over all threads) with the load average.
import '../../src/lib/node/polyfills';
import { loadavg } from 'node:os';
import { CIRCUIT_NAMES } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { groth16Prove, multiExp, parseProvingKey, quotientOnCoset, type Bn254Engine, type MsmKernel } from '../../src/lib/zk/groth16';
import { batchAffinePlugin } from '../../src/lib/zk/msm-batch-affine';
import { createWitnessCalculator } from '../../src/lib/zk/witness';
import { randomInput } from './_inputs';
import { processCpuMs } from './_kernel';

const runs = Number(process.argv[2] ?? 8);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const { buildBn128 } = await import('ffjavascript');
const curve = (await buildBn128(false, batchAffinePlugin as (m: unknown) => void)) as Bn254Engine & { terminate(): Promise<void> };
const source = fileArtifactSource();
const load0 = loadavg()[0]!;
for (const circuit of CIRCUIT_NAMES.filter((c) => ['registration', 'authorization', 'instantiation'].includes(c))) {
  const zkey = await source.load(circuit, 'zkey');
  const t = performance.now();
  const key = parseProvingKey(zkey, curve);
  const parseMs = performance.now() - t;
  const calc = await createWitnessCalculator(await source.load(circuit, 'wasm'));
  const parts: Record<string, { wall: number[]; cpu: number[] }> = {};
  const time = async (name: string, f: () => Promise<unknown>): Promise<void> => {
    const c0 = processCpuMs();
    const t0 = performance.now();
    await f();
    (parts[name] ??= { wall: [], cpu: [] }).wall.push(performance.now() - t0);
    parts[name]!.cpu.push(processCpuMs() - c0);
  };
  let zeros = 0;
  let ones = 0;
  for (let i = 0; i <= runs; i++) {
    const input = randomInput(circuit);
    let w: Uint8Array = new Uint8Array();
    await time('witness', async () => (w = await calc.calculate(input.signals)));
    if (i === 0) {
      for (let k = 0; k < key.nVars; k++) {
        const v = w.subarray(k * 32, k * 32 + 32);
        if (v.every((b) => b === 0)) zeros++;
        else if (v[0] === 1 && v.subarray(1).every((b) => b === 0)) ones++;
      }
    }
    let h: Uint8Array = new Uint8Array();
    await time('QAP (h on coset)', async () => (h = await quotientOnCoset(curve, key, w)));
    for (const k of ['wasmcurves', 'batch-affine'] as MsmKernel[]) {
      await time(`${k} MSM A (G1, ${key.A.count})`, () => multiExp(curve, 'G1', key.A, w, 0, k));
      await time(`${k} MSM B1 (G1, ${key.B1.count})`, () => multiExp(curve, 'G1', key.B1, w, 0, k));
      await time(`${k} MSM B2 (G2, ${key.B2.count})`, () => multiExp(curve, 'G2', key.B2, w, 0, k));
      await time(`${k} MSM C (G1, ${key.C.count})`, () => multiExp(curve, 'G1', key.C, w, (key.nPublic + 1) * 32, k));
      await time(`${k} MSM H (G1, ${key.H.count})`, () => multiExp(curve, 'G1', key.H, h, 0, k));
    }
    // The self-check groth16Prove ends with (public inputs' sum and one 4-pairing product), alone.
    await time('self-check (pairing)', async () => {
      const { G1, Fr } = curve;
      let cpub = G1.fromRprLEM(key.ic, 0);
      for (let j = 1; j <= key.nPublic; j++) cpub = G1.add(cpub, G1.timesFr(G1.fromRprLEM(key.ic, j * 64), Fr.e(BigInt(j) * 1234567n)));
      await curve.pairingEq(G1.neg(key.alpha1), key.beta2, cpub, key.gamma2, key.delta1, key.delta2, key.alpha1, key.beta2);
    });
    for (const k of ['wasmcurves', 'batch-affine'] as MsmKernel[])
      await time(`${k} whole proof (parts overlapped, self-check included)`, () => groth16Prove(curve, key, w, k));
  }
  const out: Record<string, unknown> = {
    circuit,
    nVars: key.nVars,
    domain: key.domainSize,
    zeroWitness: zeros,
    oneWitness: ones,
    keyParseMs: +parseMs.toFixed(1),
  };
  for (const [k, v] of Object.entries(parts)) out[k] = { wall: +median(v.wall.slice(1)).toFixed(1), cpu: +median(v.cpu.slice(1)).toFixed(1) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
process.stdout.write(`load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}, concurrency ${curve.tm.concurrency}\n`);
await curve.terminate();
process.exit(0);
