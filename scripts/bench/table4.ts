// Table 4 of the paper, reproduced: average time of a registration transaction from sending to inclusion, against
// sending rate and block size, with a 2 s batch timeout, on anvil driven by the paper's block policy (see _chain.ts).
// Beside each measurement: a batch-service queue's prediction. Writes docs/bench/table4.md, table4.json, table4.svg.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { writeSummary } from './_summary';
import { machineStamp, markdownTable, summarize } from './report';
import { BATCH_TIMEOUT_MS, runLoad, startBenchChain, type MinedBlock } from './_chain';
import { linePlot } from '../../src/lib/incentive/index';

export const RATES = [2, 4, 8, 16, 32] as const;
export const BLOCK_SIZES = [8, 16, 32, 64] as const;
/** The paper's Table 4 (seconds); null where the paper left the cell empty. */
export const PAPER_TABLE4: Record<number, (number | null)[]> = {
  8: [5.73, 6.73, 67.42, 113.25, 134.94],
  16: [7.76, null, 5.79, null, 59.01],
  32: [11.79, 7.84, 5.77, 5.17, 22.29],
  64: [19.95, null, 7.77, 5.74, 6.19],
};
/** Seconds of load per cell (the paper does not say; short cells keep the whole bench within 30 minutes). */
const SECONDS = Number(process.env.TWINGRAIN_BENCH_LOAD_SECONDS ?? 8);
export const SENDERS = 32;
/** The ordering service cuts on the arriving transaction or the timer itself: no polling delay. */
const POLL_S = 0;

export interface ServiceFit {
  /** Seconds per block, fixed part. */
  a: number;
  /** Seconds per transaction in the block. */
  c: number;
}

/** Least squares over every block cut in the run: evm_mine time ≈ a + c × transactions. */
export function fitService(blocks: MinedBlock[]): ServiceFit {
  const xs = blocks.map((b) => b.txs.length);
  const ys = blocks.map((b) => b.mineMs / 1000);
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const c = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  return { a: Math.max(0, my - c * mx), c };
}

export interface Prediction {
  seconds: number;
  batch: number;
  cause: 'full' | 'timeout';
  /** Offered load on the block producer: service time of a batch ÷ time to collect it. ≥ 1 means the queue grows. */
  rho: number;
}

/**
 * Deterministic arrivals at rate λ into batches of at most N, cut at N or when the first waiting transaction has
 * waited T. A full batch takes (N−1)/λ to collect and its transactions wait (N−1)/(2λ) on average; a batch cut by
 * the timeout holds m = ⌊Tλ⌋+1 and they wait T − (m−1)/(2λ). Then the block is mined (service a + c·batch) and the
 * ordering service cuts on the arriving transaction or its timer, so there is no polling delay.
 */
export function predict(rate: number, blockSize: number, fit: ServiceFit, timeoutS = BATCH_TIMEOUT_MS / 1000): Prediction {
  const fillS = (blockSize - 1) / rate;
  const full = fillS <= timeoutS;
  const batch = full ? blockSize : Math.floor(timeoutS * rate) + 1;
  const wait = full ? fillS / 2 : timeoutS - (batch - 1) / (2 * rate);
  const service = fit.a + fit.c * batch;
  const cycle = full ? blockSize / rate : timeoutS + 1 / rate;
  return { seconds: wait + service + POLL_S / 2, batch, cause: full ? 'full' : 'timeout', rho: service / cycle };
}

/**
 * The same model run over exactly the cell's transactions (deterministic arrivals, count = λ × seconds), so the
 * finite cell's edges are in it too: the last partial batch waits for the timeout, and a producer slower than the
 * arrivals (ρ ≥ 1) builds a queue. Returns the mean seconds from sending to inclusion.
 */
export function simulate(rate: number, blockSize: number, count: number, fit: ServiceFit, timeoutS = BATCH_TIMEOUT_MS / 1000): number {
  const arrival = (i: number) => i / rate;
  let next = 0;
  let free = 0;
  let timerStart = 0;
  let pending: number[] = [];
  let total = 0;
  while (next < count || pending.length) {
    if (!pending.length) {
      const t = arrival(next++);
      pending.push(t);
      // The producer sees a newcomer only once it is free again.
      timerStart = Math.max(t, free);
      continue;
    }
    const missing = blockSize - pending.length;
    const fullAt = missing <= 0 ? 0 : next + missing - 1 < count ? arrival(next + missing - 1) : Infinity;
    const cut = Math.max(free, Math.min(fullAt, timerStart + timeoutS));
    while (next < count && arrival(next) <= cut) pending.push(arrival(next++));
    const batch = pending.slice(0, blockSize);
    pending = pending.slice(blockSize);
    const done = cut + fit.a + fit.c * batch.length;
    for (const t of batch) total += done - t + POLL_S / 2;
    free = done;
    // Leftovers have waited since before the cut: their timer starts when the block is out.
    if (pending.length) timerStart = done;
  }
  return total / count;
}

export interface Table4Cell {
  rate: number;
  blockSize: number;
  sent: number;
  mean: number;
  p95: number;
  max: number;
  blocks: number;
  meanBatch: number;
  timeoutCuts: number;
  stuck: number;
  /** Transactions included per second over the cell. */
  throughput: number;
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const log = (s: string) => process.stdout.write(`  table4: ${s}\n`);
  const started = Date.now();
  const load0 = loadavg()[0]!;
  const maxCount = Math.max(...RATES) * SECONDS;
  const chain = await startBenchChain({ senders: SENDERS, transactions: maxCount, log });
  log(`chain ready: ${chain.rawTransactions.length} signed registrations (proofs ${chain.proofSeconds.toFixed(0)} s, cached afterwards)`);
  const cells: Table4Cell[] = [];
  const allBlocks: MinedBlock[] = [];
  try {
    for (const blockSize of BLOCK_SIZES) {
      for (const rate of RATES) {
        const r = await runLoad(chain, { rate, count: rate * SECONDS, blockSize });
        const s = summarize(r.latencies);
        allBlocks.push(...r.blocks);
        cells.push({
          rate,
          blockSize,
          sent: r.sent.length,
          mean: s.mean,
          p95: s.p95,
          max: s.max,
          blocks: r.blocks.length,
          meanBatch: r.blocks.length ? r.latencies.length / r.blocks.length : 0,
          timeoutCuts: r.blocks.filter((b) => b.cause === 'timeout').length,
          stuck: r.stuck,
          throughput: r.latencies.length / r.span,
        });
        log(`rate ${rate} block ${blockSize}: mean ${s.mean.toFixed(3)} s over ${r.latencies.length} tx in ${r.blocks.length} blocks`);
      }
    }
  } finally {
    await chain.stop();
  }
  const fit = fitService(allBlocks);
  const load1 = loadavg()[0]!;

  const cellOf = (b: number, r: number) => cells.find((c) => c.blockSize === b && c.rate === r)!;
  const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
  const grid = (pick: (b: number, r: number, i: number) => string) => BLOCK_SIZES.map((b) => [b, ...RATES.map((r, i) => pick(b, r, i))]);
  const header = ['Block size (tx/block)', ...RATES.map((r) => `${r} tx/s`)];

  const sideBySide = grid((b, r, i) => {
    const c = cellOf(b, r);
    return `${f(PAPER_TABLE4[b]![i])} / **${f(c.mean)}** / ${f(simulate(r, b, c.sent, fit))}`;
  });
  const detail = cells.map((c) => {
    const p = predict(c.rate, c.blockSize, fit);
    const m = simulate(c.rate, c.blockSize, c.sent, fit);
    return [
      c.blockSize,
      c.rate,
      c.sent,
      f(c.mean, 3),
      f(m, 3),
      f(p.seconds, 3),
      f(c.mean - m, 3),
      f(c.p95, 3),
      f(c.max, 3),
      c.blocks,
      f(c.meanBatch, 1),
      `${p.batch} (${p.cause})`,
      c.timeoutCuts,
      f(p.rho, 2),
      f(c.throughput, 1),
      c.stuck,
    ];
  });

  const series = BLOCK_SIZES.flatMap((b, i) => {
    const color = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'][i]!;
    return [
      { label: `ours, ${b}/block`, color, points: RATES.map((r): [number, number] => [r, cellOf(b, r).mean]) },
      { label: `model, ${b}/block`, color, dashed: true, points: RATES.map((r): [number, number] => [r, simulate(r, b, cellOf(b, r).sent, fit)]) },
    ];
  });
  writeFileSync(
    join(ctx.outDir, 'table4.svg'),
    linePlot({ title: 'Registration: sending → inclusion (mean)', xLabel: 'sending rate (tx/s)', yLabel: 'seconds', xScale: 'log2', series }),
  );
  const paperSeries = BLOCK_SIZES.map((b, i) => ({
    label: `paper, ${b}/block`,
    color: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'][i]!,
    dashed: true,
    points: RATES.map((r, j): [number, number] => [r, PAPER_TABLE4[b]![j] ?? NaN]),
  }));
  const oursSeries = BLOCK_SIZES.map((b, i) => ({
    label: `ours, ${b}/block`,
    color: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'][i]!,
    points: RATES.map((r): [number, number] => [r, cellOf(b, r).mean]),
  }));
  writeFileSync(
    join(ctx.outDir, 'table4-paper.svg'),
    linePlot({
      title: 'Table 4: paper (dashed) vs ours (solid), log scale',
      xLabel: 'sending rate (tx/s)',
      yLabel: 'seconds',
      xScale: 'log2',
      yScale: 'log10',
      series: [...oursSeries, ...paperSeries],
    }),
  );

  const md = `# Table 4 — registration: time from sending to inclusion

${machineStamp()}. anvil ${'`--no-mining --base-fee 0`'}, ${SENDERS} enrolled senders, ${SECONDS} s of load per cell
(${Math.min(...RATES) * SECONDS}–${maxCount} transactions), ${BATCH_TIMEOUT_MS / 1000} s batch timeout. Load average (1 min)
${load0.toFixed(2)} at the start and ${load1.toFixed(2)} at the end (the machine is shared with other engineers). Took ${((Date.now() - started) / 1000).toFixed(0)} s.

**What is measured.** Each transaction is a real \`GranuleRegistry.register\` with its own Groth16 proof (distinct α,
bound to its sender and the chain id; made before the run — proof generation is Table 5's, not this table's) and is
checked to succeed. Senders fire at a fixed rate (as Caliper's fixed-rate controller, the paper's tool's vocabulary)
round-robin over ${SENDERS} accounts to an ordering service in front of anvil (_chain.ts): it answers each
\`eth_sendRawTransaction\` with the hash, cuts a block when N transactions wait or the oldest has waited
${BATCH_TIMEOUT_MS / 1000} s, hands exactly that batch to anvil and calls \`evm_mine\` — FISCO BCOS's sealer and Fabric's
orderer work this way. (Capping blocks with the block gas limit does not work for registrations: inclusion is checked
against gas used, which varies with the tree insert, so anvil packs more than N.) Latency = the moment \`evm_mine\`
returned for the transaction's block − the moment it was sent. Between cells the chain is reverted to a snapshot (contracts deployed, senders
enrolled, nothing registered), so every cell starts from the same state.

**The model.** Deterministic arrivals at rate λ into batches of N with timeout T = ${BATCH_TIMEOUT_MS / 1000} s: a full
batch collects in (N−1)/λ and its transactions wait (N−1)/(2λ) on average; when (N−1)/λ > T the timeout cuts batches of
m = ⌊Tλ⌋+1 whose transactions wait T − (m−1)/(2λ). Add the block's service time a + c·m (hand-off plus evm_mine, fitted by least squares over
all ${allBlocks.length} blocks of this run: a = ${(fit.a * 1000).toFixed(1)} ms, c = ${(fit.c * 1000).toFixed(2)} ms per
registration). That closed form is the steady state ("steady state" column); the "model" column runs
the same policy over exactly the cell's λ × ${SECONDS} transactions, so it also holds the cell's edges — the last partial
batch only leaves at the timeout — which short cells weigh heavily. ρ = service time ÷ time to collect a batch; ρ ≥ 1
would mean the queue grows without bound (the paper's 67–135 s cells look like that regime).

## Side by side (seconds): paper / **ours** / model

${markdownTable(header, sideBySide)}

![ours vs model](table4.svg)

![paper vs ours](table4-paper.svg)

## Every cell

${markdownTable(['N (tx/block)', 'λ (tx/s)', 'sent', 'mean (s)', 'model (s)', 'steady state (s)', 'mean − model', 'p95', 'max', 'blocks', 'tx/block', 'model batch', 'timeout cuts', 'ρ (model)', 'included tx/s', 'not included'], detail)}
`;
  writeFileSync(join(ctx.outDir, 'table4.md'), md);
  writeFileSync(
    join(ctx.outDir, 'table4.json'),
    JSON.stringify({ measuredAt: new Date().toISOString(), machine: machineStamp(), loadavg: [load0, load1], seconds: SECONDS, fit, cells }, null, 2) + '\n',
  );
  writeSummary(ctx.outDir);
}
