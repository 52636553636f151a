// Proving time before and after issue 12 side by side, interleaved run by run in one process so that the shared
// machine's load weighs on both the same: `npx tsx scripts/bench/sharing-v2-proving.ts <old-tree> [runs]`, where
// <old-tree> is a copy of the code before (e.g. `git archive e1e0237 | tar -x -C /tmp/old`, node_modules linked).
// The prover code is the same in both; what differs is the circuits (tree depth 13 → 20, the registry binding) and
// their keys. Writes docs/bench/sharing-v2-proving.json.
import '../../src/lib/node/polyfills';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { createProver, terminateProver, ALL_CIRCUIT_NAMES, type CircuitInput } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { randomInput } from './_inputs';
import { ROOT } from './_plonk';

const oldTree = resolve(process.argv[2] ?? '/tmp/chain-old');
const runs = Number(process.argv[3] ?? 9);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const oldInputs = (await import(join(oldTree, 'scripts/bench/_inputs.ts'))) as { randomInput: (c: string) => CircuitInput };
const before = createProver(fileArtifactSource(join(oldTree, 'public/zk')));
const after = createProver(fileArtifactSource());
const load0 = loadavg()[0]!;
const result: Record<string, { beforeMs: number | null; afterMs: number; runs: number }> = {};
for (const circuit of ALL_CIRCUIT_NAMES) {
  const hasBefore = circuit !== 'enrolment';
  if (hasBefore) await before.prove(oldInputs.randomInput(circuit)); // warm
  await after.prove(randomInput(circuit));
  const b: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (hasBefore) {
      const input = oldInputs.randomInput(circuit);
      const t0 = performance.now();
      await before.prove(input);
      b.push(performance.now() - t0);
    }
    const input = randomInput(circuit);
    const t1 = performance.now();
    await after.prove(input);
    a.push(performance.now() - t1);
  }
  result[circuit] = { beforeMs: hasBefore ? Math.round(median(b)) : null, afterMs: Math.round(median(a)), runs };
  process.stderr.write(`${circuit}: ${JSON.stringify(result[circuit])}\n`);
}
const out = { measuredAt: new Date().toISOString(), load: [load0, loadavg()[0]!], result };
writeFileSync(join(ROOT, 'docs/bench/sharing-v2-proving.json'), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(`${JSON.stringify(out)}\n`);
await terminateProver();
process.exit(0);
