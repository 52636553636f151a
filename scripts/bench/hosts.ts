// The CLI journey on the test bed of real hosts (tests/hosts/), step by step, under different links: no added delay,
// 50 ms round trips, and 50 ms with 1 % loss (what `npm run test:hosts` runs). Each setting is run (twice by default) as the
// bed's journey scenario (`vitest -t`), which reports its step times through TWINGRAIN_HOSTS_TIMINGS. Needs root, like the
// bed. Writes docs/bench/hosts.md and hosts.json (the previous figures are shown beside the new ones).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineStamp, markdownTable, summarize } from './report';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Link {
  label: string;
  delayMs: number;
  lossPercent: number;
}

const LINKS: Link[] = [
  { label: '0 ms RTT', delayMs: 0, lossPercent: 0 },
  { label: '50 ms RTT', delayMs: 25, lossPercent: 0 },
  { label: '50 ms RTT, 1 % loss', delayMs: 25, lossPercent: 1 },
];

/** The journey's steps, in order, as the bed names them; what each one is for the reader. */
const STEPS: Array<[string, string]> = [
  ['start', 'twingrain --help on the operator (no network: Node, tsx and the CLI loading)'],
  ['deploy', 'twingrain deploy (contracts, 3 custodians, t = 2) to the chain host'],
  ['identity', "twingrain identity new (enrolment proof and transaction; the user's runs beside it)"],
  ['register', 'twingrain register (proof, transaction, pinned by 3 nodes, key shares to 3 custodians)'],
  ['authorize', 'twingrain authorize (proof, transaction)'],
  ['instantiate', 'twingrain instantiate (proof, transaction)'],
  ['fetch', 'twingrain fetch 1.5 MiB (2 key shares, shards from the community nodes, α checked)'],
];
/** The steps the journey is made of (the whole of what a member waits for; deploy is the community's, once). */
const JOURNEY = ['identity', 'register', 'authorize', 'instantiate', 'fetch'];

interface Figures {
  measuredAt: string;
  runs: number;
  /** link label → step → milliseconds per run */
  samples: Record<string, Record<string, number[]>>;
}

async function journeyOnce(link: Link, timingsFile: string): Promise<Record<string, number>> {
  const env = {
    ...process.env,
    TWINGRAIN_HOSTS_NETEM: JSON.stringify({ delayMs: link.delayMs, lossPercent: link.lossPercent }),
    TWINGRAIN_HOSTS_TIMINGS: timingsFile,
  };
  const child = spawn('npx', ['vitest', 'run', '--config', 'tests/hosts/vitest.config.ts', '-t', 'the CLI journey across hosts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (/SKIPPED: /.test(output)) throw new Error(`the test bed cannot run here: ${/SKIPPED: ([^\n]*)/.exec(output)![1]}`);
  if (code !== 0) throw new Error(`the journey failed at ${link.label}:\n${output.slice(-4000)}`);
  return (JSON.parse(await readFile(timingsFile, 'utf8')) as { timings: Record<string, number> }).timings;
}

const seconds = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '—' : (ms / 1000).toFixed(1));

/** One CLI process that does nothing but start and print its usage: the cost every step pays before its work. */
async function cliStart(): Promise<number> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(root, 'bin/twingrain.js'), '--help'], { cwd: root, stdio: 'ignore' });
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`twingrain --help exited with ${code}`);
  return Date.now() - t0;
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const runs = Math.max(1, Number(process.env.TWINGRAIN_BENCH_HOSTS_RUNS ?? 2));
  const loadAtStart = loadavg()[0]!;
  const jsonPath = join(ctx.outDir, 'hosts.json');
  const previous = (await readFile(jsonPath, 'utf8').then(
    (t) => JSON.parse(t) as Figures,
    () => undefined,
  )) as Figures | undefined;
  const work = await mkdtemp(join(tmpdir(), 'tg-bench-hosts-'));
  const figures: Figures = { measuredAt: new Date().toISOString(), runs, samples: {} };
  try {
    // Runs interleave the link settings, so that the machine's load (shared with others) drifts over all of them alike.
    for (let i = 0; i < runs; i++) {
      for (const link of LINKS) {
        process.stdout.write(`  hosts: the CLI journey at ${link.label} (run ${i + 1} of ${runs})…\n`);
        const samples = (figures.samples[link.label] ??= {});
        (samples.start ??= []).push(await cliStart());
        const t = await journeyOnce(link, join(work, 'timings.json'));
        for (const [step, ms] of Object.entries(t)) (samples[step] ??= []).push(ms);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await writeReport(figures, previous, ctx.outDir, `1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`);
}

/** docs/bench/hosts.md and hosts.json from measured figures (and the previous ones beside them). */
export async function writeReport(figures: Figures, previous: Figures | undefined, outDir: string, load: string): Promise<void> {
  const runs = figures.runs;
  // The fastest run of each step: on a machine shared with others' work, the slower runs measure their load.
  const best = (f: Figures | undefined, link: string, step: string): number | undefined => {
    const s = f?.samples[link]?.[step];
    return s?.length ? summarize(s).min : undefined;
  };
  /** "fastest (slowest)" over the runs, or the one figure. */
  const cell = (link: string, step: string): string => {
    const s = figures.samples[link]?.[step];
    if (!s?.length) return '—';
    const m = summarize(s);
    return s.length > 1 ? `${seconds(m.min)} (${seconds(m.max)})` : seconds(m.min);
  };
  const delta = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? '—' : `${b - a >= 0 ? '+' : ''}${((b - a) / 1000).toFixed(1)}`;
  const [zero, fifty, lossy] = LINKS.map((l) => l.label) as [string, string, string];
  const before = (step: string): string =>
    previous ? [zero, fifty, lossy].map((l) => seconds(step === 'journey' ? journeyOf(previous, l) : best(previous, l, step))).join(' / ') : '—';
  const journeyOf = (f: Figures | undefined, link: string): number => JOURNEY.reduce((sum, s) => sum + (best(f, link, s) ?? Number.NaN), 0);
  const rows = STEPS.map(([step, what]) => [
    `${step}: ${what}`,
    cell(zero, step),
    cell(fifty, step),
    cell(lossy, step),
    delta(best(figures, zero, step), best(figures, fifty, step)),
    before(step),
  ]);
  rows.push([
    `**journey**: ${JOURNEY.join(' + ')} (added)`,
    seconds(journeyOf(figures, zero)),
    seconds(journeyOf(figures, fifty)),
    seconds(journeyOf(figures, lossy)),
    delta(journeyOf(figures, zero), journeyOf(figures, fifty)),
    before('journey'),
  ]);
  // What the figures say, from the figures: is the network's share larger than the machine's noise?
  const spread = Math.max(
    ...LINKS.flatMap((l) =>
      STEPS.map(([step]) => {
        const x = figures.samples[l.label]?.[step] ?? [];
        return x.length > 1 ? Math.max(...x) - Math.min(...x) : 0;
      }),
    ),
  );
  const added = journeyOf(figures, fifty) - journeyOf(figures, zero);
  const verdict =
    runs > 1 && Math.abs(added) < spread
      ? `Here 50 ms round trips change the journey by ${delta(journeyOf(figures, zero), journeyOf(figures, fifty))} s, less than the spread between runs of one step (up to ${seconds(spread)} s): on this shared machine the network's share is lost in CPU contention; an idle machine would measure it finely.`
      : `Here 50 ms round trips add ${delta(journeyOf(figures, zero), journeyOf(figures, fifty))} s to the journey${runs > 1 ? ` (the spread between runs of one step is up to ${seconds(spread)} s)` : ''}.`;
  const md = [
    '# The CLI journey on the test bed of real hosts',
    '',
    `${machineStamp(new Date(figures.measuredAt))}; ${load} (2 cores, shared).`,
    '',
    'Seven hosts (network namespaces) on one machine: a chain host (anvil), three community nodes (relay + pinning +',
    'key custodian each, t = 2), the owner and the user, each a `twingrain` CLI process on its own host. The link',
    "emulator (tests/hosts/link-emulator.py) adds the delay to every host's outgoing link (25 ms each way: 50 ms round",
    'trips) and the loss. Each figure is the wall time of one CLI command from process start to exit, in seconds:',
    `the fastest of ${runs} run${runs === 1 ? '' : 's'} per link setting${runs > 1 ? ' (the slowest in brackets)' : ''}, the settings interleaved. The "start" row is`,
    'what every command pays before any work (Node, tsx and the CLI loading), measured beside each run. Δ is what 50 ms',
    'round trips add; a Δ smaller than the spread between runs is the machine, not the network.',
    'Regenerate with `npx tsx scripts/bench/index.ts hosts` (as root; TWINGRAIN_HOSTS_PREFIX / TWINGRAIN_HOSTS_SUBNET',
    'keep it apart from another bed on the same machine; TWINGRAIN_BENCH_HOSTS_RUNS sets the runs).',
    '',
    markdownTable(
      ['step', zero, fifty, lossy, 'Δ 50 − 0 ms', `previous${previous ? ` (${previous.measuredAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}`],
      rows,
    ),
    '',
    'What the network adds: each step is a handful of round trips (chain RPC calls for a transaction and its receipt,',
    'dials to the community nodes, key-share requests to two custodians, bitswap requests for the shards), while its',
    'CPU work (Groth16 proofs, process start) is the same at any latency.',
    verdict,
    '',
  ].join('\n');
  await writeFile(join(outDir, 'hosts.md'), md);
  await writeFile(join(outDir, 'hosts.json'), `${JSON.stringify(figures, null, 2)}\n`);
}
