// Entry for the benchmark's browser bundle of the app's prover (table5.ts builds it with Vite, as the app's own
// build bundles the same modules into src/workers/prover.worker.ts).
export { createProver } from '../../src/lib/zk/prover';
export { fetchArtifactSource } from '../../src/lib/zk/artifacts.browser';
// Benchmarks' switches (TWINGRAIN_ZK_FQ29=0 in _zk-browser-quick.ts).
export { proverTuning } from '../../src/lib/zk/groth16';
