// docs/bench/README.md: the side-by-side summary with the paper, rebuilt from the JSON the benchmarks leave beside
// their reports (table4/table5/fig8/stack.json) plus links to every other area's report. Each of those benchmarks
// calls writeSummary() when it finishes, so the summary always matches the latest numbers on disk.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from './report';
import { predict, simulate } from './table4';

const CIRCUITS = ['registration', 'authorization', 'instantiation'] as const;
const PAPER_T5 = {
  registration: { g: 10.1255, gv: 0.0203, m: 99.7728, mv: 0.0198 },
  authorization: { g: 57.9232, gv: 0.0198, m: 533.1922, mv: 0.0213 },
  instantiation: { g: 55.2223, gv: 0.0211, m: 493.6625, mv: 0.0208 },
};
const PAPER_T4: Record<number, (number | null)[]> = {
  8: [5.73, 6.73, 67.42, 113.25, 134.94],
  16: [7.76, null, 5.79, null, 59.01],
  32: [11.79, 7.84, 5.77, 5.17, 22.29],
  64: [19.95, null, 7.77, 5.74, 6.19],
};
const RATES = [2, 4, 8, 16, 32];

interface S {
  n: number;
  median: number;
  p95: number;
  mean: number;
}
interface T5 {
  measuredAt: string;
  machine: string;
  chromium: string;
  loadavg: number[];
  cells: { env: string; system: string; circuit: string; gen?: S; verify?: S; witness?: S; cpu?: S; note?: string }[];
}
interface T4 {
  measuredAt: string;
  machine: string;
  loadavg: number[];
  seconds: number;
  fit: { a: number; c: number };
  cells: { rate: number; blockSize: number; mean: number; p95: number; sent: number; meanBatch: number }[];
}
interface F8 {
  measuredAt: string;
  loadavg: number[];
  rows: { rate: number; chainIn: number; chainOut: number; relayIn: number; relayOut: number; seconds: number; transactions: number }[];
  relayNote: string;
}
interface Stack {
  measuredAt: string;
  starts: { label: string; seconds: number }[];
  shell: { gzip: number };
  lazy: { gzip: number };
  zk: { gzip: number };
}

function read<T>(outDir: string, name: string): T | undefined {
  const file = join(outDir, `${name}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const f = (v: number | undefined | null, d = 2) => (v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toFixed(d));

function constraints(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../public/zk/manifest.json'), 'utf8')) as {
      circuits: Record<string, { constraints: number }>;
    };
    return CIRCUITS.map((c) => manifest.circuits[c]?.constraints.toLocaleString('en-US') ?? '?').join(' / ');
  } catch {
    return 'a few hundred to a few thousand';
  }
}

/** "a", "a and b", "a, b and c". */
const inWords = (items: string[]): string => (items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** Issue 19's proving targets against Chromium's warm medians (ms), in words. */
function issue19Verdict(chromium: (number | undefined)[]): string {
  const targets = [60, 200, 200];
  if (chromium.some((x) => x === undefined)) return 'not judged: Chromium was not measured';
  const missed = CIRCUITS.filter((_, i) => chromium[i]! > targets[i]!);
  if (!missed.length) return 'met for every circuit';
  return `not met for ${inWords(missed.map((c) => `${c} (${f(chromium[CIRCUITS.indexOf(c)]! / 1000, 3)} s)`))}`;
}

function table5Section(t5: T5 | undefined): string {
  if (!t5) return '_Table 5 has not been run yet (`npm run bench table5`)._\n';
  const cell = (env: string, system: string, c: string) => t5.cells.find((x) => x.env === env && x.system === system && x.circuit === c);
  const rows: (string | number)[][] = [];
  const ratios: number[] = [];
  for (const c of CIRCUITS) {
    const p = PAPER_T5[c];
    const ng = cell('node', 'groth16', c);
    const cg = cell('chromium', 'groth16', c);
    const np = cell('node', 'plonk', c);
    const cp = cell('chromium', 'plonk', c);
    const sec = (s?: S) => (s ? f(s.median / 1000, 3) : '—');
    if (ng?.gen) ratios.push(p.g / (ng.gen.median / 1000));
    rows.push([`${c} generation`, f(p.g, 2), f(p.m, 2), sec(ng?.gen), sec(cg?.gen), sec(np?.gen), sec(cp?.gen)]);
    rows.push([`${c} verification`, f(p.gv, 4), f(p.mv, 4), sec(ng?.verify), sec(cg?.verify), sec(np?.verify), sec(cp?.verify)]);
  }
  const plonkReg = cell('node', 'plonk', 'registration')?.gen?.median;
  const g16Reg = cell('node', 'groth16', 'registration')?.gen?.median;
  const chromeAuth = cell('chromium', 'groth16', 'authorization')?.gen?.median;
  const nodeAuth = cell('node', 'groth16', 'authorization')?.gen?.median;
  const cpu = CIRCUITS.map((c) => cell('node', 'groth16', c)?.cpu?.median);
  const targets = [100, 580, 550];
  const meets = CIRCUITS.map((c, i) => {
    const g = [cell('node', 'groth16', c)?.gen?.median, cell('chromium', 'groth16', c)?.gen?.median].filter((x): x is number => x !== undefined);
    return g.length > 0 && Math.min(...g) <= targets[i]!;
  });
  return `Measured ${t5.measuredAt.slice(0, 16).replace('T', ' ')} UTC, load average ${f(t5.loadavg[0], 1)} → ${f(t5.loadavg[1], 1)}; medians in seconds
(paper: means of 200 runs). Details, p95/min/max and run counts: [table5.md](table5.md).

${markdownTable(['operation', 'paper Groth16', 'paper GM17', 'ours Groth16 Node', 'ours Groth16 Chromium', 'ours PLONK Node', 'ours PLONK Chromium'], rows)}

**Proof generation is ${ratios.length ? `${f(Math.min(...ratios), 0)}–${f(Math.max(...ratios), 0)}×` : 'much'} faster than the paper's Groth16.** The paper does not
give its circuit sizes; ours are ${constraints()} R1CS constraints (registration / authorization / instantiation) because every hash is Poseidon (≈ 240
constraints per call) and the Merkle paths use a lean tree of at most 13 levels, while ZoKrates 0.7.7 programs of that
time typically hashed with SHA-256 (≈ 27,000 constraints per compression) — a plausible reading of 10 s and 58 s is
circuits of one and several SHA-256 compressions. The prover differs too (snarkjs's multi-threaded WASM vs ZoKrates on a
4-vCPU VM). ${ratios.length && Math.min(...ratios) >= 100 ? "The first turn's 100× target is met in every cell." : `The first turn's 100× target (0.10 / 0.58 / 0.55 s) is ${meets.every(Boolean) ? 'met for every circuit in at least one environment' : meets.some(Boolean) ? `met only for ${inWords(CIRCUITS.filter((_, i) => meets[i]))} (in at least one environment)` : 'not met'} in these runs.`}
Issue 19's targets (headless Chromium, warm: ≤ 0.060 / 0.200 / 0.200 s) are ${issue19Verdict(CIRCUITS.map((c) => cell('chromium', 'groth16', c)?.gen?.median))}.
The app's prover compiles each circuit's witness calculator once, keeps the proving key's bases resident in one worker
per core (witness for authorization: ${f(cell('node', 'groth16', 'authorization')?.witness?.median, 0)} ms), runs the QAP step in snarkjs's WASM and the
multi-scalar multiplications in our own kernels (signed-digit bucket sums with batch-affine additions in a 29-bit-limb
field); ${cpu.every((x) => x !== undefined) ? `a proof costs ${cpu.map((x) => f(x, 0)).join(' / ')} ms of CPU over all threads in Node` : 'most of the time is CPU'}. On two idle
cores the wall time can approach half of that (the "floor" column of [table5.md](table5.md)); on this shared machine the
load of the moment (above) decides how close it gets.

**Verification is the same order as the paper's (tens of milliseconds)**: a Groth16 check is three pairings whatever the
circuit, so neither the hash choice nor the tree depth changes it. Ours is slower than 20 ms here mostly because of the load
and snarkjs's WASM pairing (the on-chain check is the EVM precompile; gas in [zk.md](zk.md)).

**PLONK stands in for GM17** (snarkjs has no GM17). Like GM17 in the paper it is the slower prover${plonkReg && g16Reg ? ` (registration ${f(plonkReg / g16Reg, 0)}× Groth16 in Node; the paper's GM17 was ${f(PAPER_T5.registration.m / PAPER_T5.registration.g, 0)}×)` : ''},
with verification of the same order. PLONK needs no per-circuit ceremony but counts every addition as a gate: the two
tree circuits become about 41,000–44,000 gates and need a 2^16 powers of tau, which takes about an hour to prepare on
2 cores; those cells are left empty rather than estimated.

**Chromium vs Node**: the same prover modules and artifacts (bundled by Vite for the page); ${chromeAuth && nodeAuth ? `authorization takes ${f(chromeAuth / nodeAuth, 2)}× Node's time in headless Chromium` : 'Chromium was not measured'}.
Chromium's workers share the two cores with the renderer, and its newer V8 runs the WASM kernels at about Node's speed,
so the two swing around each other with the load. The app proves in a Web Worker, which is what a user's browser pays.
`;
}

function table4Section(t4: T4 | undefined): string {
  if (!t4) return '_Table 4 has not been run yet (`npm run bench table4`)._\n';
  const cell = (b: number, r: number) => t4.cells.find((c) => c.blockSize === b && c.rate === r);
  const rows = [8, 16, 32, 64].map((b) => [b, ...RATES.map((r, i) => `${f(PAPER_T4[b]![i])} / **${f(cell(b, r)?.mean)}**`)]);
  const means = t4.cells.map((c) => c.mean);
  const diffs = t4.cells.map((c) => Math.abs(c.mean - simulate(c.rate, c.blockSize, c.sent, t4.fit)));
  const worst = Math.max(...diffs);
  const maxRho = Math.max(...t4.cells.map((c) => predict(c.rate, c.blockSize, t4.fit).rho));
  const avgDiff = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const best8 = [8, 16, 32, 64].map((b) => ({ b, v: cell(b, 8)?.mean ?? NaN })).sort((x, y) => x.v - y.v)[0];
  return `Measured ${t4.measuredAt.slice(0, 16).replace('T', ' ')} UTC, load average ${f(t4.loadavg[0], 1)} → ${f(t4.loadavg[1], 1)}; mean seconds from sending to
inclusion, paper / **ours**. The queueing model beside every cell, the method and the plots: [table4.md](table4.md).

${markdownTable(['block size', ...RATES.map((r) => `${r} tx/s`)], rows)}

**Ours are ${f(Math.min(...means))}–${f(Math.max(...means))} s against the paper's 5.17–134.94 s.** The paper's chain is FISCO BCOS with PBFT over
several nodes on a 10 Gb virtual switch: every block costs consensus rounds among nodes, endorsement and commit to
LevelDB, and its 67–135 s cells (block size 8 at 8–32 tx/s, 16 at 32 tx/s) look like a queue that grows for
the whole run — if the chain cut small blocks more slowly than transactions arrived, each transaction waited behind all
earlier ones and the "average" depends on how long the test ran. Ours is one anvil node: a block of registrations
(each a real Groth16 check, about 0.42–0.47 M gas by [zk.md](zk.md)) is handed over and mined in about ${f(t4.fit.a * 1000, 0)} ms + ${f(t4.fit.c * 1000, 1)} ms per transaction, so the orderer
is never the bottleneck (ρ below 1 in every cell, at most ${f(maxRho, 2)}) and the latency is almost entirely **batching delay**: the time to fill a
block of N at rate λ, ≈ (N−1)/(2λ), capped by the 2 s timeout. That is why our times fall with the rate and rise with
the block size, and why the best block size at a given rate is the smallest one the rate fills before the timeout${best8 ? ` (at 8 tx/s: ${best8.b}/block)` : ''} —
the paper's "block size = 4 × rate" optimum most likely comes from balancing that batching delay against per-block consensus cost, which a single
node does not have. Its qualitative finding holds in ours: larger blocks cost latency when the rate cannot fill them.

**Model vs measurement.** The batch-service model, run over each cell's exact transactions with the service time
fitted from the same run, lands within ${f(worst, 2)} s of the measured mean in every cell (mean |difference|
${f(avgDiff, 3)} s). The residue: the sender's timers and the ordering service share this loaded machine (load average
above 5 during the runs) and fire late by milliseconds to tens of milliseconds; and when a transaction arrives exactly as the 2 s timer
expires (λ·T integer), the timer wins the tie in the run while the model counts the arrival in — timeout blocks then
hold ⌊Tλ⌋ transactions instead of ⌊Tλ⌋+1 (compare "tx/block" with "model batch" in table4.md).
`;
}

function fig8Section(f8: F8 | undefined): string {
  if (!f8) return '_Fig. 8 has not been run yet (`npm run bench fig8`)._\n';
  const idle = f8.rows.find((r) => r.rate === 0);
  const loaded = f8.rows.filter((r) => r.rate > 0);
  const rows = f8.rows.map((r) => [
    r.rate === 0 ? 'idle' : r.rate,
    f(r.chainIn / 1024),
    f(r.chainOut / 1024),
    f(r.chainOut / (r.chainIn || 1)),
    f(r.relayIn / 1024),
    f(r.relayOut / 1024),
  ]);
  const perTxIn = idle ? loaded.map((r) => ((r.chainIn - idle.chainIn) * r.seconds) / r.transactions) : [];
  const perTxOut = idle ? loaded.map((r) => ((r.chainOut - idle.chainOut) * r.seconds) / r.transactions) : [];
  return `Measured ${f8.measuredAt.slice(0, 16).replace('T', ' ')} UTC, block size 8; KiB/s. Method and plot: [fig8.md](fig8.md).

${markdownTable(['rate (tx/s)', 'chain in', 'chain out', 'out ÷ in', 'relay in', 'relay out'], rows)}

**Like the paper, bandwidth at the chain node grows linearly with the sending rate** and out ÷ in settles to a fixed
ratio once registrations dominate the idle traffic:
each registration costs about ${perTxIn.length ? f(Math.min(...perTxIn), 0) : '—'}–${perTxIn.length ? f(Math.max(...perTxIn), 0) : '—'} bytes in and ${perTxOut.length ? f(Math.min(...perTxOut), 0) : '—'}–${perTxOut.length ? f(Math.max(...perTxOut), 0) : '—'} bytes out, HTTP framing and the
app's receipt polling included — a proof, five public values and a CID, never the granule. The paper's fixed ratio came
from PBFT's message pattern between nodes; ours comes from each transaction being a fixed set of request/response pairs
(one node: no consensus traffic at all). **The relay stays flat**: registrations never pass through it (granule shards
travel peer to peer when shared, measured in [p2p.md](p2p.md) if present), so its load is peer heartbeats, discovery
and its chain watcher.${f8.relayNote ? ` ${f8.relayNote}` : ''}
`;
}

function stackSection(st: Stack | undefined): string {
  if (!st) return '_The stack figures have not been run yet (`npm run bench stack`)._\n';
  return `Measured ${st.measuredAt.slice(0, 16).replace('T', ' ')} UTC ([stack.md](stack.md)).

${markdownTable(
  ['figure', 'value'],
  [
    ...st.starts.map((s) => [`\`npm start\` to ready — ${s.label}`, `${f(s.seconds, 1)} s`]),
    ['app shell, gzip', `${f(st.shell.gzip / 1024, 1)} KiB`],
    ['lazily loaded chunks, gzip (all pages and workers)', `${f(st.lazy.gzip / 1024, 1)} KiB`],
    ['proving artifacts, gzip (fetched at first proof, then cached)', `${f(st.zk.gzip / 1024, 1)} KiB`],
  ],
)}
`;
}

export function writeSummary(outDir: string): void {
  const t5 = read<T5>(outDir, 'table5');
  const t4 = read<T4>(outDir, 'table4');
  const f8 = read<F8>(outDir, 'fig8');
  const st = read<Stack>(outDir, 'stack');
  const mine = new Set(['README.md', 'table4.md', 'table5.md', 'fig8.md', 'stack.md']);
  const others = readdirSync(outDir)
    .filter((x) => x.endsWith('.md') && !mine.has(x))
    .sort();
  const titleOf = (file: string) =>
    readFileSync(join(outDir, file), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('# '))
      ?.slice(2) ?? file;
  const md = `# Benchmarks: twingrain beside the paper

\`npm run bench\` regenerates every report in this folder (\`npm run bench table4\` etc. for one area). Every report is
stamped with the machine and the date. This machine: 2 cores shared with other engineers' builds and tests while these
numbers were taken — the load averages are printed beside each set; treat the figures as upper bounds for an idle machine.
The paper's set-up (its Table 3): Dell T7920 (2 × Xeon Gold 6230R), VMs of 4 vCPUs and 4 GB, FISCO BCOS 2.9 with PBFT,
ZoKrates 0.7.7, 2 s batch timeout.

## Table 5 — proof generation and verification

${table5Section(t5)}
## Table 4 — registration: sending to inclusion

${table4Section(t4)}
## Fig. 8 — bandwidth against sending rate

${fig8Section(f8)}
## The product's own figures

${stackSection(st)}
${others.length ? `Reports of the other areas:\n\n${others.map((o) => `- [${titleOf(o)}](${o})`).join('\n')}\n` : ''}`;
  writeFileSync(join(outDir, 'README.md'), md);
}
