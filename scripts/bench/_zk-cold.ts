// One cold proof in a fresh Node process (zk-profile.ts runs it once per circuit): from creating the app's prover —
// loading snarkjs's engine, reading and compiling the circuit, parsing the key — to the proof. Prints the ms as JSON.
import '../../src/lib/node/polyfills';
import { createProver, terminateProver, type CircuitName } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { randomInput } from './_inputs';

const circuit = (process.argv[2] ?? 'authorization') as CircuitName;
const input = randomInput(circuit);
const t0 = performance.now();
await createProver(fileArtifactSource(), { backgroundTables: 'off' }).prove(input);
process.stdout.write(`${JSON.stringify({ circuit, coldMs: performance.now() - t0 })}\n`);
await terminateProver();
process.exit(0);
