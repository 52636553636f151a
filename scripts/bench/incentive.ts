// Benchmark and analysis for the sharing incentive mechanism (issue 7).
// Writes docs/bench/incentive.md (solve times for x = 2, 10, 100, 1000) and docs/incentive/ (Fig. 3 and Table 6
// reproductions, the maps of where the paper's cases flip). Run: npx tsx scripts/bench/incentive.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  linePlot,
  netUtilityCurve,
  parseScenario,
  relationOf,
  signMap,
  solveScenario,
  sweepTable6,
  type Relation,
  type Scenario,
} from '../../src/lib/incentive/index';
import example from '../../src/lib/incentive/scenarios/example.json';
import { randomScenario, type Regime } from './_incentive-scenarios';
import { machineStamp } from './report';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The same solves inside headless Chromium (Debian's), from an esbuild bundle of the solver. */
async function browserTimings(): Promise<string> {
  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const bundle = await esbuild.build({
    stdin: {
      contents: "export { solveScenario } from '../../src/lib/incentive/solve';\nexport { randomScenario } from './_incentive-scenarios';",
      resolveDir: dirname(fileURLToPath(import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'incentiveBench',
    platform: 'browser',
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const version = browser.version();
    const rows: string[] = [
      `Chromium ${version} (headless), same scenarios, parse + solve per run:`,
      '',
      '| providers x | regime | total (ms, median) | total (ms, max) | runs |',
      '|---:|---|---:|---:|---:|',
    ];
    for (const x of [2, 10, 100, 1000])
      for (const regime of ['mostly binding', 'mixed', 'interior'] as Regime[]) {
        const runs = x <= 10 ? 200 : x === 100 ? 30 : 7;
        const times = await page.evaluate(
          ({ x, regime, runs }) => {
            const lib = (
              globalThis as unknown as {
                incentiveBench: { solveScenario: (s: unknown) => unknown; randomScenario: (x: number, r: string, seed: number) => unknown };
              }
            ).incentiveBench;
            const out: number[] = [];
            for (let k = 0; k < runs; k++) {
              const sc = lib.randomScenario(x, regime, k % 3);
              const t0 = performance.now();
              lib.solveScenario(sc);
              out.push(performance.now() - t0);
            }
            return out;
          },
          { x, regime, runs },
        );
        rows.push(`| ${x} | ${regime} | ${median(times).toFixed(2)} | ${Math.max(...times).toFixed(2)} | ${runs} |`);
      }
    return rows.join('\n');
  } finally {
    await browser.close();
  }
}

function timings(): string {
  const rows: string[] = [
    '| providers x | regime | free / at n_i / at 0 | active-set steps | parse (ms, median) | solve (ms, median) | solve (ms, max) | runs |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const x of [2, 10, 100, 1000])
    for (const regime of ['mostly binding', 'mixed', 'interior'] as Regime[]) {
      const runs = x <= 10 ? 200 : x === 100 ? 30 : 7;
      const parseT: number[] = [];
      const solveT: number[] = [];
      let last: ReturnType<typeof solveScenario> | undefined;
      for (let k = 0; k < runs; k++) {
        const sc = randomScenario(x, regime, k % 3);
        const t0 = performance.now();
        const parsed = parseScenario(sc);
        const t1 = performance.now();
        last = solveScenario(parsed);
        const t2 = performance.now();
        parseT.push(t1 - t0);
        solveT.push(t2 - t1);
      }
      const b = last!.bound;
      const count = (k: string) => b.filter((v) => v === k).length;
      rows.push(
        `| ${x} | ${regime} | ${count('free')} / ${count('upper')} / ${count('lower')} | ${last!.iterations} | ${median(parseT).toFixed(2)} | ${median(solveT).toFixed(2)} | ${Math.max(...solveT).toFixed(2)} | ${runs} |`,
      );
    }
  return rows.join('\n');
}

const PAPER_PAIR: Scenario = {
  theta: 1,
  sigma: 1,
  q: 40,
  providers: [
    { n: 20, p: 40, vartheta: 0.08 },
    { n: 10, p: 40, vartheta: 0.05 },
  ],
  omega: [
    [0, 0.3],
    [0.3, 0],
  ],
};

function fig3(scenario: Scenario, title: string): string {
  const colors = ['#1e88e5', '#e53935', '#43a047', '#8e24aa', '#fb8c00'];
  const series = scenario.providers.map((_, i) => {
    const c = netUtilityCurve(scenario, i, 161);
    return {
      label: `DTP ${i + 1} (m* = ${+c.mStar.toPrecision(4)})`,
      points: c.m.map((m, k) => [m, c.u[k]!] as [number, number]),
      color: colors[i % colors.length]!,
      markers: [[c.mStar, 0]] as [number, number][],
    };
  });
  return linePlot({ title, xLabel: 'amount of digital twins shared m_i', yLabel: 'net utility Z_i − B(n_i)', series, zeroLine: true });
}

/** Sign of m_i* − m_j* for two providers over a grid of two parameters. */
function map(xs: number[], ys: number[], make: (x: number, y: number) => Scenario): (Relation | null)[][] {
  return ys.map((y) =>
    xs.map((x) => {
      try {
        const sol = solveScenario(make(x, y));
        return relationOf(sol.m[0]!, sol.m[1]!);
      } catch {
        return null; // not concave: outside the model (left blank)
      }
    }),
  );
}
const lin = (a: number, b: number, k: number) => Array.from({ length: k }, (_, i) => a + ((b - a) * i) / (k - 1));
const logs = (a: number, b: number, k: number) => lin(Math.log10(a), Math.log10(b), k).map((v) => 10 ** v);
const pair = (o: { theta: number; sigma: number; ni: number; nj: number; vi: number; vj: number; omega: number; pf?: number; qf?: number }): Scenario => {
  const top = Math.max(o.ni, o.nj);
  return {
    theta: o.theta,
    sigma: o.sigma,
    q: (o.qf ?? 2) * top,
    providers: [
      { n: o.ni, p: (o.pf ?? 2) * top, vartheta: o.vi },
      { n: o.nj, p: (o.pf ?? 2) * top, vartheta: o.vj },
    ],
    omega: [
      [0, o.omega],
      [o.omega, 0],
    ],
  };
};

function table6(): { markdown: string } {
  const cells = sweepTable6();
  const rows = ['| amount | interdependence | productivity | paper | m_i* > m_j* | = | < | interior only: > / = / < |', '|---|---|---|---|---:|---:|---:|---|'];
  for (const c of cells)
    rows.push(
      `| ${c.amount} | ${c.interdependence.replace('omega', 'ω')} | ${c.productivity} | ${c.paper} | ${c.counts['>']} | ${c.counts['=']} | ${c.counts['<']} | ${c.interiorCounts['>']} / ${c.interiorCounts['=']} / ${c.interiorCounts['<']} |`,
    );
  return { markdown: rows.join('\n') };
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const docs = join(root, 'docs', 'incentive');
  mkdirSync(docs, { recursive: true });
  mkdirSync(ctx.outDir, { recursive: true });
  const stamp = machineStamp();

  // Solve times.
  const times = timings();
  const browserTimes = await browserTimings().catch((e: unknown) => `Chromium run failed: ${(e as Error).message.split('\n')[0]}`);
  writeFileSync(
    join(ctx.outDir, 'incentive.md'),
    `# Incentive mechanism: solve time\n\nMachine: ${stamp}\n\nThe platform optimum m* (box-constrained concave QP, primal–dual active set; reduced systems solved by Jacobi-preconditioned CG to round-off, Cholesky as fallback), f, g, E, Z and π*, with the checks (4) and (5), for random scenarios with a dense ω. "parse" is validating the JSON-shaped scenario (x² entries of ω); "solve" starts from the parsed scenario. The Incentives page solves in a Web Worker; the Chromium table runs the same code (an esbuild bundle) in Debian's headless Chromium. Max columns include JIT warm-up and GC pauses.\n\n${times}\n\n${browserTimes}\n\nTarget: x = 1000 in under 1 s in the browser.\n`,
  );

  // Fig. 3.
  writeFileSync(join(docs, 'fig3-two-providers.svg'), fig3(PAPER_PAIR, 'Fig. 3: net utility of each DTP against the amount shared'));
  writeFileSync(join(docs, 'fig3-example.svg'), fig3(example as Scenario, 'Net utility, example scenario (3 DTPs)'));

  // Where the cases flip.
  const ratio = logs(0.25, 4, 41);
  const legend = { '>': 'm_i* > m_j*', '=': 'm_i* = m_j*', '<': 'm_i* < m_j*' } as const;
  const row1 = lin(0, 1.5, 61);
  writeFileSync(
    join(docs, 'flip-row1.svg'),
    signMap({
      title: 'n_i = n_j = 10: sign of m_i* − m_j*',
      xLabel: 'interdependence ω / (θ + σ)   (θ = σ = 1, p = q = n)',
      yLabel: 'productivity ϑ_i / ϑ_j   (ϑ_j = 0.1)',
      xs: row1,
      ys: ratio,
      logY: true,
      legend,
      cells: map(row1, ratio, (w, r) => pair({ theta: 1, sigma: 1, ni: 10, nj: 10, vi: 0.1 * r, vj: 0.1, omega: 2 * w, pf: 1, qf: 1 })),
      // Unconstrained (1.10) flips sign at ω = θ + σ + θ(q − n)/p; here q = n, so at ω/(θ + σ) = 1.
      curve: [
        [1, 0.25],
        [1, 4],
      ],
    }),
  );
  const thetas = logs(0.01, 10, 61);
  writeFileSync(
    join(docs, 'flip-row2-omega0-theta.svg'),
    signMap({
      title: 'n_i = 2 n_j, ω = 0: sign of m_i* − m_j*',
      xLabel: 'privacy weight θ   (σ = 1, n_j = 10, p = q = 40)',
      yLabel: 'productivity ϑ_i / ϑ_j   (ϑ_j = 0.05)',
      xs: thetas,
      ys: ratio,
      logX: true,
      logY: true,
      legend,
      cells: map(thetas, ratio, (t, r) => pair({ theta: t, sigma: 1, ni: 20, nj: 10, vi: 0.05 * r, vj: 0.05, omega: 0 })),
    }),
  );
  const amounts = lin(1, 5, 41);
  writeFileSync(
    join(docs, 'flip-row2-omega0-amount.svg'),
    signMap({
      title: 'n_i > n_j, ω = 0, θ = 0.1: sign of m_i* − m_j*',
      xLabel: 'amount ratio n_i / n_j   (n_j = 10, σ = 1, p = q = 2 max n)',
      yLabel: 'productivity ϑ_i / ϑ_j   (ϑ_j = 0.05)',
      xs: amounts,
      ys: ratio,
      logY: true,
      legend,
      cells: map(amounts, ratio, (a, r) => pair({ theta: 0.1, sigma: 1, ni: 10 * a, nj: 10, vi: 0.05 * r, vj: 0.05, omega: 0 })),
    }),
  );
  const omegas = lin(0, 2, 41);
  writeFileSync(
    join(docs, 'flip-row2-omega.svg'),
    signMap({
      title: 'n_i = 2 n_j, ω > 0: sign of m_i* − m_j*',
      xLabel: 'interdependence ω / (θ + σ)   (θ = σ = 1, n_j = 10, p = q = 40)',
      yLabel: 'productivity ϑ_i / ϑ_j   (ϑ_j = 0.05)',
      xs: omegas,
      ys: ratio,
      logY: true,
      legend,
      cells: map(omegas, ratio, (w, r) => pair({ theta: 1, sigma: 1, ni: 20, nj: 10, vi: 0.05 * r, vj: 0.05, omega: 2 * w })),
    }),
  );

  const t6 = table6();
  writeFileSync(join(docs, 'table6.md'), `# Table 6 by parameter sweep\n\nGenerated by \`scripts/bench/incentive.ts\` on ${stamp}.\n\n${t6.markdown}\n`);
  const ex = solveScenario(example as Scenario);
  writeFileSync(join(docs, 'example-solution.json'), JSON.stringify({ m: ex.m, f: ex.f, g: ex.g, E: ex.E, Z: ex.Z, pi: ex.pi }, null, 2) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run({ outDir: join(root, 'docs', 'bench') });
}
