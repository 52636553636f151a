// A quick standalone timing of the app's prover against snarkjs's own path, with the load average at that moment:
// `npx tsx scripts/bench/_zk-quick.ts [runs]`. For checking a change on the shared machine in a minute; the reports
// come from zk.ts and table5.ts.
import '../../src/lib/node/polyfills';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { CIRCUIT_NAMES, createProver, terminateProver } from '../../src/lib/zk/index';
import { fileArtifactSource, DEFAULT_ARTIFACT_DIR } from '../../src/lib/zk/artifacts.node.ts';
import { randomInput } from './_inputs';
import { processCpuMs } from './_kernel';

const runs = Number(process.argv[2] ?? 6);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const snarkjs = await import('snarkjs');
// TWINGRAIN_ZK_QAP_SPLIT=0: the QAP as one task (the before of splitting it across the threads).
if (process.env.TWINGRAIN_ZK_QAP_SPLIT === '0') {
  const { proverTuning } = await import('../../src/lib/zk/groth16');
  proverTuning.splitQuotient = false;
}
// TWINGRAIN_ZK_FQ29=0: G1's signed windows with wasmcurves' field code (the before of field29.ts).
if (process.env.TWINGRAIN_ZK_FQ29 === '0') {
  const { proverTuning } = await import('../../src/lib/zk/groth16');
  proverTuning.fq29 = false;
}
// TWINGRAIN_ZK_TABLES=0: without fixed-base tables (what a prover does before its tables are built).
const tables = process.env.TWINGRAIN_ZK_TABLES !== '0';
const prover = createProver(fileArtifactSource(), { backgroundTables: 'off' });
await prover.warmUp(CIRCUIT_NAMES, { tables });
const line: string[] = [
  `load ${loadavg()[0]!.toFixed(2)}`,
  tables ? 'fixed-base tables' : 'no tables',
  process.env.TWINGRAIN_ZK_QAP_SPLIT === '0' ? 'QAP one task' : 'QAP split',
  process.env.TWINGRAIN_ZK_FQ29 === '0' ? 'field code: wasmcurves' : 'field code: fq29 (no-table MSMs)',
];
for (const circuit of CIRCUIT_NAMES) {
  const inputs = Array.from({ length: runs }, () => randomInput(circuit));
  await prover.prove(inputs[0]!);
  const wasm = new Uint8Array(readFileSync(join(DEFAULT_ARTIFACT_DIR, `${circuit}.wasm`)));
  const zkey = new Uint8Array(readFileSync(join(DEFAULT_ARTIFACT_DIR, `${circuit}.zkey`)));
  // Interleaved, so that whatever else loads the machine weighs on both the same.
  const wall: number[] = [];
  const cpu: number[] = [];
  const before: number[] = [];
  const beforeCpu: number[] = [];
  for (const input of inputs) {
    let c0 = processCpuMs();
    let t0 = performance.now();
    await prover.prove(input);
    wall.push(performance.now() - t0);
    cpu.push(processCpuMs() - c0);
    c0 = processCpuMs();
    t0 = performance.now();
    const w: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
    await snarkjs.wtns.calculate(input.signals, wasm, w);
    await snarkjs.groth16.prove(zkey, w as { type: 'mem'; data: Uint8Array });
    before.push(performance.now() - t0);
    beforeCpu.push(processCpuMs() - c0);
  }
  line.push(
    `${circuit}: app ${median(wall).toFixed(0)} ms (CPU ${median(cpu).toFixed(0)} ms), snarkjs ${median(before).toFixed(0)} ms (CPU ${median(beforeCpu).toFixed(0)} ms)`,
  );
}
line.push(`load ${loadavg()[0]!.toFixed(2)}`);
process.stdout.write(`${line.join(' | ')}\n`);
await terminateProver();
process.exit(0);
