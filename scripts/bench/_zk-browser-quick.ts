// A quick timing of the app's prover in headless Chromium, run as the app runs it: inside a dedicated Web Worker
// (src/workers/prover.worker.ts does the same), so its thread pool is nested workers. Per circuit: the cold proof
// (fresh worker: engine, circuit, key, proof), warm proofs without tables, the tables' build, warm proofs with
// tables; wall ms (medians) and CPU ms (all Chromium processes, /proc, 10 ms ticks), with the load average.
// `npx tsx scripts/bench/_zk-browser-quick.ts [runs] [root]` — root: the checkout whose prover is bundled
// (default this one; another worktree gives the "before" of a change, interleaved by the caller).
// TWINGRAIN_ZK_FQ29=0: the proofs without tables use wasmcurves' field code instead of field29.ts's (the before).
import '../../src/lib/node/polyfills';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { DEFAULT_ARTIFACT_DIR } from '../../src/lib/zk/artifacts.node.ts';
import { descendantCpuMs, openBenchPage } from './_browser';
import { randomInput } from './_inputs';

const runs = Number(process.argv[2] ?? 5);
const root = resolve(process.argv[3] ?? join(import.meta.dirname, '../..'));
const CIRCUITS = ['registration', 'authorization', 'instantiation'] as const;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const { build } = await import('vite');
const outDir = join(import.meta.dirname, '../../.twingrain/cache/bench/zk-browser-quick', root.replace(/\W/g, '_'));
mkdirSync(outDir, { recursive: true });
await build({
  configFile: false,
  root,
  publicDir: false,
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true, target: 'es2022', lib: { entry: join(root, 'scripts/bench/_zk-browser-entry.ts'), formats: ['es'], fileName: 'entry' } },
});
// The worker: one prover, asked by the page to prove or build tables; answers with the time each took.
writeFileSync(
  join(outDir, 'worker.js'),
  `import * as m from '/zkq/entry.js';
${process.env.TWINGRAIN_ZK_FQ29 === '0' ? 'm.proverTuning.fq29 = false;' : ''}
const prover = m.createProver(m.fetchArtifactSource(self.location.origin + '/g/'), { backgroundTables: 'off' });
self.onmessage = async ({ data }) => {
  try {
    const t0 = performance.now();
    if (data.op === 'tables') await prover.warmUp([data.circuit], { tables: true });
    else if (data.op === 'warm') await prover.warmUp([data.circuit]);
    else await prover.prove({ ...data.input, publicSignals: data.input.publicSignals.map(BigInt) });
    // The cold proof's steps (prover.ts's marks: ms from the start of the circuit's preparation).
    const marks = performance.getEntriesByType('mark').filter((e) => e.name.startsWith('twingrain:zk:')).map((e) => e.name.split(':').pop() + ' ' + Math.round(e.detail));
    performance.clearMarks();
    self.postMessage({ ms: performance.now() - t0, threads: navigator.hardwareConcurrency, marks });
  } catch (e) { self.postMessage({ error: String(e && e.stack || e) }); }
};`,
);
const routes: Record<string, string> = Object.fromEntries(
  readdirSync(outDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => [`/zkq/${f}`, join(outDir, f)]),
);
for (const c of CIRCUITS) for (const ext of ['wasm', 'zkey']) routes[`/g/${c}.${ext}`] = join(DEFAULT_ARTIFACT_DIR, `${c}.${ext}`);

const bench = await openBenchPage(routes);
const ask = async (worker: string, message: unknown): Promise<{ ms: number; cpu: number; marks?: string[] }> => {
  const c0 = descendantCpuMs();
  const r = (await bench.page.evaluate(
    `new Promise((resolve) => { const w = window.__w[${JSON.stringify(worker)}]; w.onmessage = (e) => resolve(e.data); w.postMessage(${JSON.stringify(message)}); })`,
  )) as { ms: number; error?: string; marks?: string[] };
  if (r.error) throw new Error(r.error);
  return { ms: r.ms, cpu: descendantCpuMs() - c0, marks: r.marks };
};
const input = (circuit: string) => {
  const i = randomInput(circuit as (typeof CIRCUITS)[number]);
  return { circuit, signals: i.signals, publicSignals: i.publicSignals.map(String) };
};
const line: string[] = [`load ${loadavg()[0]!.toFixed(2)}`, `root ${root}`, process.env.TWINGRAIN_ZK_FQ29 === '0' ? 'fq29 off' : 'fq29 on'];
try {
  await bench.page.evaluate('window.__w = {}');
  for (const circuit of CIRCUITS) {
    await bench.page.evaluate(`window.__w[${JSON.stringify(circuit)}] = new Worker('/zkq/worker.js', { type: 'module' })`);
    const cold = await ask(circuit, { op: 'prove', input: input(circuit) });
    const plain: { ms: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) plain.push(await ask(circuit, { op: 'prove', input: input(circuit) }));
    const tables = await ask(circuit, { op: 'tables', circuit });
    await ask(circuit, { op: 'prove', input: input(circuit) });
    const fixed: { ms: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) fixed.push(await ask(circuit, { op: 'prove', input: input(circuit) }));
    line.push(
      `${circuit}: cold ${cold.ms.toFixed(0)} ms [${cold.marks?.join(', ')}], warm ${median(plain.map((p) => p.ms)).toFixed(0)} ms (CPU ${median(plain.map((p) => p.cpu)).toFixed(0)}), ` +
        `tables ${tables.ms.toFixed(0)} ms (CPU ${tables.cpu.toFixed(0)}), with tables ${median(fixed.map((p) => p.ms)).toFixed(0)} ms (CPU ${median(fixed.map((p) => p.cpu)).toFixed(0)})`,
    );
    await bench.page.evaluate(`window.__w[${JSON.stringify(circuit)}].terminate()`);
  }
} finally {
  await bench.close();
}
line.push(`load ${loadavg()[0]!.toFixed(2)}`);
process.stdout.write(`${line.join(' | ')}\n`);
process.exit(0);
