// Where a Groth16 proof's time goes, part by part, in Node and in headless Chromium (`npm run bench zk-profile`):
// witness, QAP, each multi-exponentiation with wasmcurves' kernel (before) and the batch-affine one (now), the
// self-check, and the whole proof both ways. Each part runs alone, so its wall time on the thread pool and its CPU
// time (Node: the process; Chromium: all its processes from /proc, 10 ms ticks) are its own. Writes the section
// between PROFILE_BEGIN and PROFILE_END of docs/bench/zk.md (zk.ts keeps it).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { Bn254Engine } from '../../src/lib/zk/groth16';
import { batchAffinePlugin } from '../../src/lib/zk/msm-batch-affine';
import { DEFAULT_ARTIFACT_DIR } from '../../src/lib/zk/artifacts.node.ts';
import { descendantCpuMs, openBenchPage } from './_browser';
import { randomInput } from './_inputs';
import { processCpuMs } from './_kernel';
import { proofParts } from './_zk-parts';
import { machineStamp, markdownTable } from './report';

export const PROFILE_BEGIN = '<!-- profile:begin -->';
export const PROFILE_END = '<!-- profile:end -->';
const CIRCUITS = ['registration', 'authorization', 'instantiation'] as const;
const RUNS = Number(process.env.TWINGRAIN_PROFILE_RUNS ?? 6);
const ROOT = join(import.meta.dirname, '../..');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const log = (m: string): void => void process.stdout.write(`  zk-profile: ${m}\n`);

type Row = Record<string, { wall: number; cpu: number }>;
interface Tables {
  ms: number;
  cpu: number;
  bytes: number;
}
interface NodeCircuit {
  row: Row;
  counts: Record<string, number>;
  keyParseMs: number;
  tables: Tables;
  threads: number;
  coldMs: number;
}
interface ChromiumCircuit {
  row: Row;
  tables: Tables;
  threads: number;
  coldMs: number;
}

/** A cold proof in a fresh process: engine, circuit and key loaded, then one proof (no tables). */
function nodeCold(circuit: string): number {
  const r = spawnSync('npx', ['tsx', join(ROOT, 'scripts/bench/_zk-cold.ts'), circuit], { cwd: ROOT, encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as { coldMs: number }).coldMs : Number.NaN;
}

async function nodeProfile(): Promise<Record<string, NodeCircuit>> {
  const { buildBn128 } = await import('ffjavascript');
  const curve = (await buildBn128(false, batchAffinePlugin as (m: unknown) => void)) as Bn254Engine & { terminate(): Promise<void> };
  const out: Record<string, NodeCircuit> = {};
  for (const circuit of CIRCUITS) {
    log(`node ${circuit}`);
    const coldMs = nodeCold(circuit);
    const read = (ext: string) => new Uint8Array(readFileSync(join(DEFAULT_ARTIFACT_DIR, `${circuit}.${ext}`)));
    const parts = await proofParts(curve, read('wasm'), read('zkey'));
    const c0 = processCpuMs();
    const built = await parts.buildTables();
    const tables = { ...built, cpu: processCpuMs() - c0 };
    const samples: Record<string, { wall: number[]; cpu: number[] }> = {};
    for (let i = 0; i <= RUNS; i++) {
      const signals = randomInput(circuit).signals;
      for (const name of parts.names) {
        const c0 = processCpuMs();
        const wall = await parts.run(name, signals);
        const cpu = processCpuMs() - c0;
        if (i === 0) continue; // warm-up
        (samples[name] ??= { wall: [], cpu: [] }).wall.push(wall);
        samples[name].cpu.push(cpu);
      }
    }
    out[circuit] = { row: rowOf(samples), counts: parts.counts, keyParseMs: parts.keyParseMs, tables, threads: parts.threads, coldMs };
  }
  await curve.terminate();
  return out;
}

function rowOf(samples: Record<string, { wall: number[]; cpu: number[] }>): Row {
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { wall: median(v.wall), cpu: median(v.cpu) }]));
}

async function chromiumProfile(): Promise<Record<string, ChromiumCircuit>> {
  const { build } = await import('vite');
  const outDir = join(ROOT, '.twingrain/cache/bench/zk-parts');
  await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', lib: { entry: join(ROOT, 'scripts/bench/_zk-parts-entry.ts'), formats: ['es'], fileName: 'parts' } },
  });
  const routes: Record<string, string> = Object.fromEntries(
    readdirSync(outDir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => [`/zkp/${f}`, join(outDir, f)]),
  );
  for (const c of CIRCUITS) for (const ext of ['wasm', 'zkey']) routes[`/g/${c}.${ext}`] = join(DEFAULT_ARTIFACT_DIR, `${c}.${ext}`);
  const out: Record<string, ChromiumCircuit> = {};
  const cold: Record<string, number> = {};
  // Cold: a fresh page each, the app's prover created there and asked for one proof (engine, circuit, key, proof).
  for (const circuit of CIRCUITS) {
    const page = await openBenchPage(routes);
    try {
      const input = randomInput(circuit);
      const arg = JSON.stringify({ circuit, signals: input.signals, publicSignals: input.publicSignals.map(String) });
      cold[circuit] = (await page.page.evaluate(`(async () => {
        const input = ${arg};
        input.publicSignals = input.publicSignals.map(BigInt);
        const m = await import('/zkp/parts.js');
        const t0 = performance.now();
        await m.createProver(m.fetchArtifactSource(location.origin + '/g/'), { backgroundTables: 'off' }).prove(input);
        return performance.now() - t0;
      })()`)) as number;
    } finally {
      await page.close();
    }
  }
  const bench = await openBenchPage(routes);
  try {
    for (const circuit of CIRCUITS) {
      log(`chromium ${circuit}`);
      const names = (await bench.page.evaluate(`(async () => {
        const m = await import('/zkp/parts.js');
        window.__parts = await m.browserParts('/g/', ${JSON.stringify(circuit)});
        return window.__parts.names;
      })()`)) as string[];
      const c0 = descendantCpuMs();
      const built = (await bench.page.evaluate('window.__parts.buildTables()')) as { ms: number; bytes: number };
      const tables = { ...built, cpu: descendantCpuMs() - c0 };
      const threads = (await bench.page.evaluate('window.__parts.threads')) as number;
      const samples: Record<string, { wall: number[]; cpu: number[] }> = {};
      for (let i = 0; i <= RUNS; i++) {
        const signals = JSON.stringify(randomInput(circuit).signals);
        for (const name of names) {
          const c0 = descendantCpuMs();
          const wall = (await bench.page.evaluate(`window.__parts.run(${JSON.stringify(name)}, ${signals})`)) as number;
          const cpu = descendantCpuMs() - c0;
          if (i === 0) continue;
          (samples[name] ??= { wall: [], cpu: [] }).wall.push(wall);
          samples[name].cpu.push(cpu);
        }
      }
      out[circuit] = { row: rowOf(samples), tables, threads, coldMs: cold[circuit] ?? Number.NaN };
    }
  } finally {
    await bench.close();
  }
  return out;
}

const f = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : v < 100 ? v.toFixed(1) : v.toFixed(0));

/** Last turn's figures (docs/bench/table5.md of 2026-11-24, app prover with wasmcurves' kernel) and issue 19's targets. */
const LAST_TURN = {
  registration: { node: 121, chromium: 156, target: 60 },
  authorization: { node: 569, chromium: 782, target: 200 },
  instantiation: { node: 623, chromium: 718, target: 200 },
} as const;

interface ProfileData {
  node: Record<string, NodeCircuit>;
  chromium: Record<string, ChromiumCircuit>;
  load: [number, number];
  at: string;
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const json = join(ctx.outDir, 'zk-profile.json');
  let data: ProfileData;
  if (process.env.TWINGRAIN_PROFILE_RENDER_ONLY && existsSync(json)) data = JSON.parse(readFileSync(json, 'utf8')) as ProfileData;
  else {
    const load0 = loadavg()[0]!;
    const node = await nodeProfile();
    const chromium = await chromiumProfile();
    data = { node, chromium, load: [load0, loadavg()[0]!], at: new Date().toISOString() };
    writeFileSync(json, JSON.stringify(data, null, 2));
  }
  render(ctx, data);
}

/** Last session's figures (closing note, issue 19: batch-affine kernel, CPU ms per proof at load 14–22). */
const LAST_SESSION_CPU = {
  registration: { node: 174, chromium: 170 },
  authorization: { node: 963, chromium: 940 },
  instantiation: { node: 927, chromium: 900 },
} as const;
const MSMS = ['A', 'B1', 'B2', 'C', 'H'] as const;
const MB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function render(ctx: { outDir: string }, { node, chromium, load: [load0, load1], at }: ProfileData): void {
  const names = Object.keys(node.registration!.row);
  const label = (name: string, circuit: string): string =>
    name.replace(/^MSM (\w+) \((G\d)\)/, (_, part: string, group: string) => `MSM ${part} (${group}, ${node[circuit]!.counts[part]} points)`);
  const tables = CIRCUITS.map((circuit) => {
    const rows = names.map((name) => {
      const n = node[circuit]!.row[name];
      const c = chromium[circuit]?.row[name];
      return [label(name, circuit), f(n?.wall), f(n?.cpu), f(c?.wall), f(c?.cpu)];
    });
    const t = node[circuit]!.tables;
    const ct = chromium[circuit]?.tables;
    return `### ${circuit} (key parsed in ${f(node[circuit]!.keyParseMs)} ms in Node; fixed-base tables ${MB(t.bytes)}, built once in ${f(t.ms)} ms wall / ${f(t.cpu)} ms CPU in Node, ${f(ct?.ms)} / ${f(ct?.cpu)} ms in Chromium)\n\n${markdownTable(['part', 'Node wall', 'Node CPU', 'Chromium wall', 'Chromium CPU'], rows)}`;
  });
  const gen = (row: Row | undefined, kernel: string): number => (row?.witness?.wall ?? Number.NaN) + (row?.[`whole proof, ${kernel} MSMs`]?.wall ?? Number.NaN);
  const genCpu = (row: Row | undefined, kernel: string): number =>
    (row?.witness?.cpu ?? Number.NaN) + (row?.[`whole proof, ${kernel} MSMs`]?.cpu ?? Number.NaN);
  // Floor: the parts' own CPU (witness alone; QAP and the five fixed-base MSMs, each measured alone) if both threads
  // were busy all the time — what this arithmetic allows on 2 cores, without waiting or load.
  const floor = (row: Row | undefined): number =>
    (row?.witness?.cpu ?? Number.NaN) +
    ((row?.['QAP (h on the coset)']?.cpu ?? Number.NaN) +
      MSMS.reduce((sum, m) => sum + (row?.[`MSM ${m} (G${m === 'B2' ? 2 : 1}) fixed`]?.cpu ?? Number.NaN), 0)) /
      2;
  const summary = markdownTable(
    [
      'circuit',
      'target (Chromium, warm)',
      'Chromium last turn',
      'Chromium before (batch-affine)',
      'Chromium no tables (signed)',
      'Chromium now (fixed-base)',
      'Chromium floor',
      'Chromium CPU last session → before → now',
      'Chromium cold',
      'Node last turn',
      'Node before',
      'Node now',
      'Node floor',
      'Node CPU last session → before → now',
      'Node cold',
    ],
    CIRCUITS.map((c) => [
      c,
      `≤ ${LAST_TURN[c].target}`,
      LAST_TURN[c].chromium,
      f(gen(chromium[c]?.row, 'batch-affine')),
      f(gen(chromium[c]?.row, 'signed')),
      f(gen(chromium[c]?.row, 'fixed')),
      f(floor(chromium[c]?.row)),
      `${LAST_SESSION_CPU[c].chromium} → ${f(genCpu(chromium[c]?.row, 'batch-affine'))} → ${f(genCpu(chromium[c]?.row, 'fixed'))}`,
      f(chromium[c]?.coldMs),
      LAST_TURN[c].node,
      f(gen(node[c]?.row, 'batch-affine')),
      f(gen(node[c]?.row, 'fixed')),
      f(floor(node[c]?.row)),
      `${LAST_SESSION_CPU[c].node} → ${f(genCpu(node[c]?.row, 'batch-affine'))} → ${f(genCpu(node[c]?.row, 'fixed'))}`,
      f(node[c]?.coldMs),
    ]),
  );
  const msmRows = CIRCUITS.flatMap((c) =>
    MSMS.map((m) => {
      const g = `G${m === 'B2' ? 2 : 1}`;
      const cell = (env: Row | undefined, k: string) => f(env?.[`MSM ${m} (${g}) ${k}`]?.cpu);
      return [
        `${c} ${m} (${g}, ${node[c]!.counts[m]})`,
        cell(node[c]?.row, 'batch-affine'),
        cell(node[c]?.row, 'signed'),
        cell(node[c]?.row, 'fixed'),
        cell(chromium[c]?.row, 'batch-affine'),
        cell(chromium[c]?.row, 'signed'),
        cell(chromium[c]?.row, 'fixed'),
      ];
    }),
  );
  const section = `${PROFILE_BEGIN}
## Where a proof's time goes (issue 19: profile, ms, medians of ${RUNS} warm runs)

${machineStamp(new Date(at))}. Load average (1 min) ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end: wall times on
this shared machine swing with the load, CPU times much less. Thread pool: ${node.registration?.threads} threads in Node,
${chromium.registration?.threads ?? '—'} in Chromium (navigator.hardwareConcurrency; the page's prover, the same modules the app's
prover worker runs). Each part of \`groth16.ts\` runs alone (one after the other, same witness), so its wall time is that
part on the thread pool and its CPU time is what it costs over all threads (Node: the process; Chromium: all its
processes, from /proc in 10 ms ticks, so parts under ~20 ms read coarse). Run: \`npx tsx scripts/bench/_run-one.ts zk-profile\`.

MSM kernels: "wasmcurves" is snarkjs's own (every point added into a Jacobian bucket); "batch-affine" is last session's
\`msm-batch-affine.ts\` window kernel (each window's points sorted by bucket and summed pairwise in rounds sharing one
inversion); "signed" is the same bucket sum over signed-digit windows (half the buckets per window, so one bit wider);
"fixed" uses the key's fixed-base tables: every base's 2^(c·j) multiples precomputed once (254 doublings per base), so
one bucket sum per table part over all (2^(c·j)·Pᵢ, digit j of sᵢ) replaces the windows, their bucket sums and the
doublings between them. The app's prover builds a circuit's tables in the background after its first proof (pausing
while proofs run) and keeps them in memory for the session; proofs before that use "signed". A whole proof overlaps the
parts on both threads (A, B1, B2, C and the QAP start together; H follows the QAP) and ends with the self-check.

Generation (witness + whole proof, wall ms, warm) beside issue 19's target, last turn's figure (table5.md of 2026-11-24,
at a load of about 2) and last session's CPU (batch-affine, closing note); "before" is last session's prover
(batch-affine) measured in this run. **Floor** (defined here): the witness, plus the QAP and the five fixed-base MSMs'
CPU, each measured alone, divided by the 2 threads — the wall time of this arithmetic if both cores were busy the whole
proof and nothing else ran. Cold: the first proof in a fresh process or page (engine, circuit and key loaded, no tables).

${summary}

CPU ms per MSM, each run alone (the before/after table of this session's change):

${markdownTable(['MSM (points)', 'Node batch-affine', 'Node signed', 'Node fixed', 'Chromium batch-affine', 'Chromium signed', 'Chromium fixed'], msmRows)}

${tables.join('\n\n')}
${PROFILE_END}`;
  const file = join(ctx.outDir, 'zk.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = current.indexOf(PROFILE_BEGIN);
  const end = current.indexOf(PROFILE_END);
  const next = start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + PROFILE_END.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  log(`wrote ${file}`);
}
