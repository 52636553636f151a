// Table 5 of the paper, reproduced: proof generation and verification for registration, authorization and
// instantiation, Groth16 against PLONK (the paper compared Groth16 with GM17, which snarkjs lacks), in Node and in
// headless Chromium. Writes docs/bench/table5.md and table5.json (the README's summary reads the JSON).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { CIRCUIT_NAMES, createProver, terminateProver, type SharingCircuitName, type Prover } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { writeSummary } from './_summary';
import { machineStamp, markdownTable, summarize, type Summary } from './report';
import { randomInput } from './_inputs';
import { APP_KERNEL_SOURCE, KERNEL_SOURCE, appKernel, kernelInput, nodeKernel, processCpuMs, type AppKernelResult, type KernelResult } from './_kernel';
import { compiledCircuit, plonkConstraints, plonkKey, powersOfTau, ROOT } from './_plonk';
import { chromiumVersion, descendantCpuMs, openBenchPage } from './_browser';

/** The paper's Table 5 (seconds, averages of 200 runs; ZoKrates 0.7.7 on a 4-vCPU VM). */
export const PAPER_TABLE5: Record<SharingCircuitName, { groth16: { gen: number; ver: number }; gm17: { gen: number; ver: number } }> = {
  registration: { groth16: { gen: 10.1255, ver: 0.0203 }, gm17: { gen: 99.7728, ver: 0.0198 } },
  authorization: { groth16: { gen: 57.9232, ver: 0.0198 }, gm17: { gen: 533.1922, ver: 0.0213 } },
  instantiation: { groth16: { gen: 55.2223, ver: 0.0211 }, gm17: { gen: 493.6625, ver: 0.0208 } },
};

const PAPER_RUNS = 200;
/** Per cell: stop generating after this many seconds once MIN_RUNS are in (the whole bench must fit 30 minutes). */
const CELL_SECONDS = Number(process.env.TWINGRAIN_BENCH_CELL_SECONDS ?? 30);
const MIN_RUNS = Number(process.env.TWINGRAIN_BENCH_MIN_RUNS ?? 5);
/** A PLONK registration proof takes 6 s idle and over 30 s on a loaded machine: two warm runs must do then. */
const PLONK_MIN_RUNS = Math.min(MIN_RUNS, 2);
const PTAU_POWER = 13;

type Env = 'node' | 'chromium';
type System = 'groth16' | 'plonk';

export interface Table5Cell {
  env: Env;
  system: System;
  circuit: SharingCircuitName;
  gen?: Summary;
  witness?: Summary;
  verify?: Summary;
  coldMs?: number;
  /** CPU ms per warm proof, all threads (Node: the process; Chromium: all its processes, 10 warm proofs apart). */
  cpu?: Summary;
  proofBytes?: number;
  /** Why the cell is empty or has fewer than 200 runs. */
  note?: string;
}

interface Artifacts {
  wasm: string;
  zkey: string;
  vkey: string | unknown;
}

function groth16Artifacts(circuit: SharingCircuitName): Artifacts {
  const dir = join(ROOT, 'public/zk');
  return { wasm: join(dir, `${circuit}.wasm`), zkey: join(dir, `${circuit}.zkey`), vkey: join(dir, `${circuit}.vkey.json`) };
}

/** 25 distinct inputs per circuit: Poseidon in JavaScript makes 200 fresh Merkle trees cost more than the proofs. */
function inputsFor(circuit: SharingCircuitName): Record<string, unknown>[] {
  return Array.from({ length: 25 }, () => randomInput(circuit).signals);
}

function cellFrom(env: Env, system: System, circuit: SharingCircuitName, r: KernelResult | AppKernelResult): Table5Cell {
  const cell: Table5Cell = {
    env,
    system,
    circuit,
    gen: summarize(r.gen),
    witness: summarize(r.witness),
    verify: summarize(r.verify),
    coldMs: r.cold,
    proofBytes: r.proofBytes,
  };
  if ('cpu' in r && r.cpu.length) cell.cpu = summarize(r.cpu);
  if (r.gen.length < PAPER_RUNS) cell.note = `${r.gen.length} runs: ${CELL_SECONDS} s time budget per cell`;
  return cell;
}

async function snarkjsNode(): Promise<unknown> {
  return import('snarkjs');
}

async function measureNode(system: System, circuit: SharingCircuitName, a: Artifacts): Promise<Table5Cell> {
  const snarkjs = await snarkjsNode();
  const vkey = typeof a.vkey === 'string' ? JSON.parse(readFileSync(a.vkey, 'utf8')) : a.vkey;
  const r = await nodeKernel()(snarkjs, {
    system,
    wasm: new Uint8Array(readFileSync(a.wasm)),
    zkey: new Uint8Array(readFileSync(a.zkey)),
    vkey,
    inputs: inputsFor(circuit),
    maxRuns: PAPER_RUNS,
    budgetMs: CELL_SECONDS * 1000,
    minRuns: system === 'plonk' ? PLONK_MIN_RUNS : MIN_RUNS,
    verifyRuns: PAPER_RUNS,
  });
  return cellFrom('node', system, circuit, r);
}

/** Groth16 through the app's prover (src/lib/zk createProver), as the Share page's worker and the CLI prove. */
async function measureNodeApp(prover: Prover, circuit: SharingCircuitName): Promise<Table5Cell> {
  const r = await appKernel()(prover, {
    inputs: appInputsFor(circuit),
    maxRuns: PAPER_RUNS,
    budgetMs: CELL_SECONDS * 1000,
    minRuns: MIN_RUNS,
    verifyRuns: PAPER_RUNS,
    cpuMs: processCpuMs,
  });
  return cellFrom('node', 'groth16', circuit, r);
}

function appInputsFor(circuit: SharingCircuitName) {
  return Array.from({ length: 25 }, () => kernelInput(randomInput(circuit)));
}

/** The app's prover bundled for the browser by Vite (the same modules the app's prover worker bundles). */
async function buildBrowserProver(): Promise<Record<string, string>> {
  const { build } = await import('vite');
  const outDir = join(ROOT, '.twingrain/cache/bench/zk-prover');
  await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      lib: { entry: join(ROOT, 'scripts/bench/_zk-browser-entry.ts'), formats: ['es'], fileName: 'prover' },
    },
  });
  return Object.fromEntries(
    readdirSync(outDir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => [`/zkp/${f}`, join(outDir, f)]),
  );
}

async function measureChromiumApp(page: import('@playwright/test').Page, circuit: SharingCircuitName): Promise<Table5Cell> {
  const options = { inputs: appInputsFor(circuit), maxRuns: PAPER_RUNS, budgetMs: CELL_SECONDS * 1000, minRuns: MIN_RUNS, verifyRuns: PAPER_RUNS };
  const script = `(async () => {
    const m = await import('/zkp/prover.js');
    window.__appProver ??= m.createProver(m.fetchArtifactSource('/g/'));
    return (${APP_KERNEL_SOURCE})(window.__appProver, ${JSON.stringify(options)});
  })()`;
  const r = (await page.evaluate(script)) as AppKernelResult;
  const cell = cellFrom('chromium', 'groth16', circuit, r);
  // CPU per warm proof over all of Chromium's processes, one proof per evaluate so nothing else is counted.
  const cpu: number[] = [];
  for (let i = 0; i < CHROMIUM_CPU_RUNS; i++) {
    const input = JSON.stringify(kernelInput(randomInput(circuit)));
    const c0 = descendantCpuMs();
    await page.evaluate(`(async () => {
      const i = ${input};
      await window.__appProver.prove({ circuit: i.circuit, signals: i.signals, publicSignals: i.publicSignals.map((s) => BigInt(s)) });
    })()`);
    cpu.push(descendantCpuMs() - c0);
  }
  cell.cpu = summarize(cpu);
  return cell;
}
const CHROMIUM_CPU_RUNS = 10;

async function measureChromium(
  page: import('@playwright/test').Page,
  system: System,
  circuit: SharingCircuitName,
  urls: { wasm: string; zkey: string; vkey: string },
): Promise<Table5Cell> {
  const options = {
    system,
    inputs: inputsFor(circuit),
    maxRuns: PAPER_RUNS,
    budgetMs: CELL_SECONDS * 1000,
    minRuns: system === 'plonk' ? PLONK_MIN_RUNS : MIN_RUNS,
    verifyRuns: PAPER_RUNS,
  };
  // A string expression, not a function: nothing of the bundler's helpers may leak into the page.
  const script = `(async () => {
    if (!window.snarkjs) await new Promise((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = '/snarkjs.min.js';
      tag.onload = resolve;
      tag.onerror = () => reject(new Error('snarkjs.min.js did not load'));
      document.head.append(tag);
    });
    const snarkjs = window.snarkjs;
    const get = async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer());
    const o = ${JSON.stringify(options)};
    o.wasm = await get(${JSON.stringify(urls.wasm)});
    o.zkey = await get(${JSON.stringify(urls.zkey)});
    o.vkey = await (await fetch(${JSON.stringify(urls.vkey)})).json();
    return (${KERNEL_SOURCE})(snarkjs, o);
  })()`;
  const r = (await page.evaluate(script)) as KernelResult;
  return cellFrom('chromium', system, circuit, r);
}

export async function measureTable5(): Promise<{
  cells: Table5Cell[];
  chromium: string;
  plonkGates: Partial<Record<SharingCircuitName, number>>;
  groth16Constraints: Record<string, number>;
}> {
  const cells: Table5Cell[] = [];
  const log = (s: string) => process.stdout.write(`  table5: ${s}\n`);

  // PLONK: registration fits the 2^13 powers of tau; the tree circuits need 2^16 (see the report).
  const ptau = powersOfTau(PTAU_POWER);
  const plonkGates: Partial<Record<SharingCircuitName, number>> = {};
  const plonk: Partial<Record<SharingCircuitName, Artifacts>> = {};
  for (const circuit of CIRCUIT_NAMES) {
    const { r1cs, wasm } = compiledCircuit(circuit);
    const gates = plonkConstraints(r1cs, ptau);
    plonkGates[circuit] = gates;
    if (gates <= 2 ** PTAU_POWER) {
      const zkey = plonkKey(circuit, r1cs, ptau);
      const snarkjs = (await snarkjsNode()) as { zKey: { exportVerificationKey(z: string): Promise<unknown> } };
      plonk[circuit] = { wasm, zkey, vkey: await snarkjs.zKey.exportVerificationKey(zkey) };
    }
    log(`${circuit}: ${gates} PLONK gates${plonk[circuit] ? '' : ' (too many for 2^13)'}`);
  }
  const noPlonk = (env: Env, circuit: SharingCircuitName): Table5Cell => ({
    env,
    system: 'plonk',
    circuit,
    note: `not measured: ${plonkGates[circuit]} PLONK gates need a 2^${Math.ceil(Math.log2(plonkGates[circuit] ?? 1))} powers of tau, whose preparation takes about an hour on 2 cores`,
  });

  const appProver = createProver(fileArtifactSource());
  for (const circuit of CIRCUIT_NAMES) {
    log(`node groth16 ${circuit}`);
    cells.push(await measureNodeApp(appProver, circuit));
    const p = plonk[circuit];
    if (p) {
      log(`node plonk ${circuit}`);
      cells.push(await measureNode('plonk', circuit, p));
    } else cells.push(noPlonk('node', circuit));
  }
  await terminateProver();

  // Chromium: the same kernel and artifacts, snarkjs's bundled browser build (the same code Vite bundles into the app).
  const routes: Record<string, string> = { '/snarkjs.min.js': join(ROOT, 'node_modules/snarkjs/build/snarkjs.min.js'), ...(await buildBrowserProver()) };
  for (const circuit of CIRCUIT_NAMES) {
    const g = groth16Artifacts(circuit);
    routes[`/g/${circuit}.wasm`] = g.wasm;
    routes[`/g/${circuit}.zkey`] = g.zkey;
    routes[`/g/${circuit}.vkey.json`] = g.vkey as string;
    const p = plonk[circuit];
    if (p) {
      routes[`/p/${circuit}.wasm`] = p.wasm;
      routes[`/p/${circuit}.zkey`] = p.zkey;
      const file = join(ROOT, `.twingrain/cache/bench/${circuit}.plonk.vkey.json`);
      writeFileSync(file, JSON.stringify(p.vkey));
      routes[`/p/${circuit}.vkey.json`] = file;
    }
  }
  const bench = await openBenchPage(routes);
  let chromium = 'unknown';
  try {
    chromium = await chromiumVersion(bench.page);
    for (const circuit of CIRCUIT_NAMES) {
      log(`chromium groth16 ${circuit}`);
      cells.push(await measureChromiumApp(bench.page, circuit));
      if (plonk[circuit]) {
        log(`chromium plonk ${circuit}`);
        cells.push(
          await measureChromium(bench.page, 'plonk', circuit, { wasm: `/p/${circuit}.wasm`, zkey: `/p/${circuit}.zkey`, vkey: `/p/${circuit}.vkey.json` }),
        );
      } else cells.push(noPlonk('chromium', circuit));
    }
  } finally {
    await bench.close();
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'public/zk/manifest.json'), 'utf8')) as { circuits: Record<string, { constraints: number }> };
  const groth16Constraints = Object.fromEntries(Object.entries(manifest.circuits).map(([k, v]) => [k, v.constraints]));
  return { cells, chromium, plonkGates, groth16Constraints };
}

const s = (ms: number | undefined, digits = 3): string => (ms === undefined || Number.isNaN(ms) ? '—' : (ms / 1000).toFixed(digits));
const msf = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '—' : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const LABEL: Record<SharingCircuitName, string> = { registration: 'Registration', authorization: 'Authorization', instantiation: 'Instantiation' };

/** The last run's cells (table5.json before it is overwritten), so every figure stands beside its previous one. */
function previousRun(outDir: string): { measuredAt: string; loadavg: number[]; cells: Table5Cell[] } | undefined {
  try {
    return JSON.parse(readFileSync(join(outDir, 'table5.json'), 'utf8')) as { measuredAt: string; loadavg: number[]; cells: Table5Cell[] };
  } catch {
    return undefined;
  }
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const started = Date.now();
  const previous = previousRun(ctx.outDir);
  const load0 = loadavg()[0]!;
  const { cells, chromium, plonkGates, groth16Constraints } = await measureTable5();
  const load1 = loadavg()[0]!;
  const cell = (env: Env, system: System, circuit: SharingCircuitName) => cells.find((c) => c.env === env && c.system === system && c.circuit === circuit);
  const before = (c: Table5Cell) => previous?.cells.find((p) => p.env === c.env && p.system === c.system && p.circuit === c.circuit);
  // Floor: the proof's CPU spread over every core with nothing else running — what this hardware allows for this
  // arithmetic without doing less of it (issue 19 compares each figure with it).
  const cores = availableParallelism();

  const side: (string | number)[][] = [];
  for (const circuit of CIRCUIT_NAMES) {
    const p = PAPER_TABLE5[circuit];
    for (const what of ['gen', 'verify'] as const) {
      const paperKey = what === 'gen' ? 'gen' : 'ver';
      const median = (env: Env, system: System) => s(cell(env, system, circuit)?.[what]?.median, 4);
      const ng = cell('node', 'groth16', circuit)?.[what]?.median;
      side.push([
        `${LABEL[circuit]} ${what === 'gen' ? 'generation' : 'verification'}`,
        p.groth16[paperKey].toFixed(4),
        p.gm17[paperKey].toFixed(4),
        median('node', 'groth16'),
        median('chromium', 'groth16'),
        median('node', 'plonk'),
        median('chromium', 'plonk'),
        ng ? `${(p.groth16[paperKey] / (ng / 1000)).toFixed(p.groth16[paperKey] / (ng / 1000) < 10 ? 2 : 0)}×` : '—',
      ]);
    }
  }
  const detail = cells.map((c) => [
    c.env,
    c.system,
    c.circuit,
    c.gen ? c.gen.n : '—',
    msf(c.coldMs),
    msf(c.gen?.median),
    msf(c.gen?.p95),
    msf(c.gen?.min),
    msf(c.gen?.max),
    msf(before(c)?.gen?.median),
    msf(c.cpu ? c.cpu.median / cores : undefined),
    msf(c.witness?.median),
    msf(c.cpu?.median),
    c.verify ? c.verify.n : '—',
    msf(c.verify?.median),
    msf(c.verify?.p95),
    msf(c.verify?.min),
    msf(c.verify?.max),
    c.proofBytes ?? '—',
    c.note ?? '',
  ]);
  const md = `# Table 5 — proof generation and verification (Groth16 vs PLONK, Node vs Chromium)

${machineStamp()}. Chromium ${chromium} headless (Debian, flags of playwright.config.ts). snarkjs ${snarkjsVersion()}.
Load average (1 min) ${load0.toFixed(2)} at the start and ${load1.toFixed(2)} at the end: the machine is shared with other
engineers' builds and tests, so these numbers are upper bounds for an idle machine. Took ${((Date.now() - started) / 1000).toFixed(0)} s.

**Generation** = witness calculation + proof (what the paper's ZoKrates \`compute-witness\` + \`generate-proof\` cover),
with the artifacts already in memory; run 0 of each cell is the cold run (curve and WASM set-up) and is reported apart
as "cold". Groth16 runs through the app's own prover (src/lib/zk \`createProver\`: witness calculator compiled once per
circuit, proving key parsed once and its bases kept in a resident pool of one worker per core, snarkjs's BN254 engine
for the QAP step and the pairing, the multi-scalar multiplications in our own WASM kernels — signed-digit bucket sums
with batch-affine additions in a 29-bit-limb field (msm-batch-affine.ts, field29.ts), and fixed-base tables for the
registration key once they are built in the background — every proof checked by the pairing equation before it is
returned; in Chromium the same modules bundled by Vite, on the page); PLONK through snarkjs's \`wtns.calculate\` + \`plonk.prove\`. "gen CPU" is the CPU time
per warm proof over all threads (Node: the process; Chromium: all of Chromium's processes, read from /proc in 10 ms
ticks, ${CHROMIUM_CPU_RUNS} proofs made one by one after the cell), which depends much less on the machine's load than wall time. **Verification** = snarkjs \`verify\` of a proof made in the same cell (and a tampered public signal is
checked to be rejected). Paper: averages of ${PAPER_RUNS} runs; here medians (mean ≈ median, see p95).

## Side by side with the paper (seconds)

${markdownTable(['Operation', 'Paper Groth16', 'Paper GM17', 'Groth16 Node', 'Groth16 Chromium', 'PLONK Node', 'PLONK Chromium', 'Paper Groth16 ÷ ours (Node)'], side)}

## Every cell (milliseconds)

"previous" is the gen median of the last run (${previous ? `${previous.measuredAt.slice(0, 16).replace('T', ' ')} UTC, load ${previous.loadavg.map((l) => l.toFixed(1)).join(' → ')}` : 'none on record'}); "floor" is the gen CPU
median ÷ ${cores} cores: the wall time if every core worked on the proof the whole time and nothing else ran.

${markdownTable(['env', 'system', 'circuit', 'gen n', 'cold', 'gen median', 'gen p95', 'gen min', 'gen max', 'previous gen median', 'floor', 'witness median', 'gen CPU median', 'verify n', 'verify median', 'verify p95', 'verify min', 'verify max', 'proof JSON bytes', 'note'], detail)}

## Circuit sizes

${markdownTable(
  ['circuit', 'Groth16 (R1CS) constraints', 'PLONK gates', 'PLONK domain'],
  CIRCUIT_NAMES.map((c) => [c, groth16Constraints[c] ?? '—', plonkGates[c] ?? '—', plonkGates[c] ? `2^${Math.ceil(Math.log2(plonkGates[c]!))}` : '—']),
)}

Why fewer than ${PAPER_RUNS} runs in some cells: the whole \`npm run bench\` must finish in 30 minutes on this 2-core machine,
so every generation cell stops after ${CELL_SECONDS} s once ${MIN_RUNS} warm runs (PLONK: ${PLONK_MIN_RUNS}; one when the cold run alone
exceeds the budget) are in (\`TWINGRAIN_BENCH_CELL_SECONDS\`
raises it). Verification always gets its ${PAPER_RUNS} runs unless one run takes longer than the budget.

PLONK for authorization and instantiation: snarkjs's PLONK counts every addition as a gate, so the two tree circuits
(about 5,500 R1CS constraints, mostly Poseidon) become about 41,000–44,000 PLONK gates and need a 2^16 powers of tau.
Preparing one locally takes about an hour on 2 cores (2^13: 3 minutes, 2^15: 14 minutes measured on this machine), and
no public ceremony file can be downloaded here, so those cells stay empty rather than estimated.
`;
  writeFileSync(join(ctx.outDir, 'table5.md'), md);
  writeFileSync(
    join(ctx.outDir, 'table5.json'),
    JSON.stringify({ measuredAt: new Date().toISOString(), machine: machineStamp(), chromium, loadavg: [load0, load1], cells }, null, 2) + '\n',
  );
  writeSummary(ctx.outDir);
}

function snarkjsVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules/snarkjs/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
