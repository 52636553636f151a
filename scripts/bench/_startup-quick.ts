// A quick page load → relay timing of the built app (build it first: `npx vite build --outDir $TWINGRAIN_DIST`):
// `npx tsx scripts/bench/_startup-quick.ts [visits]`. Prints first and returning visits and the median of each
// `twingrain:` step. TWINGRAIN_DIST=dist-a,dist-b alternates between two builds. The report comes from p2p.ts.
import '../../src/lib/node/polyfills';
import '../../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startRelay } from '../../relay/relay';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import { measureAppStartup } from './_startup';

const visits = Number(process.argv[2] ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
// TWINGRAIN_DIST=a,b compares builds: one visit of each in turn, so a change in the machine's load falls on both.
const dists = (process.env.TWINGRAIN_DIST ?? 'dist').split(',');
const dir = await mkdtemp(join(tmpdir(), 'tg-startup-quick-'));
const relay = await startRelay({ port: Number(process.env.TWINGRAIN_RELAY_PORT ?? (await freePort())), dataDir: join(dir, 'relay'), development: true });
const load0 = loadavg()[0]!;
try {
  const all = dists.map(() => ({
    firstVisit: [] as number[],
    returning: [] as number[],
    firstSteps: new Map<string, number[]>(),
    returningSteps: new Map<string, number[]>(),
  }));
  const add = (into: Map<string, number[]>, from: Map<string, number[]>): void => {
    for (const [k, v] of from) into.set(k, [...(into.get(k) ?? []), ...v]);
  };
  for (let round = 0; round < (dists.length > 1 ? visits : 1); round++)
    for (const [i, dist] of dists.entries()) {
      const runs = await measureAppStartup({
        dist: resolve(dist),
        relay: { multiaddrs: relay.multiaddrs, development: true },
        visits: dists.length > 1 ? 1 : visits,
      });
      all[i]!.firstVisit.push(...runs.firstVisit);
      all[i]!.returning.push(...runs.returning);
      add(all[i]!.firstSteps, runs.firstSteps);
      add(all[i]!.returningSteps, runs.returningSteps);
    }
  for (const [i, runs] of all.entries()) {
    if (dists.length > 1) console.log(`== ${dists[i]}`);
    console.log(`first visit: ${runs.firstVisit.map((x) => x.toFixed(0)).join(', ')} ms (median ${median(runs.firstVisit).toFixed(0)})`);
    console.log(`returning:   ${runs.returning.map((x) => x.toFixed(0)).join(', ')} ms (median ${median(runs.returning).toFixed(0)})`);
    for (const [label, steps] of [
      ['first visit', runs.firstSteps],
      ['returning', runs.returningSteps],
    ] as const) {
      console.log(`${label} steps (median ms from navigation start):`);
      for (const [name, t] of [...steps].map(([n, t]) => [n, median(t)] as const).sort((a, b) => a[1] - b[1]))
        console.log(`  ${t.toFixed(0).padStart(5)}  ${name}`);
    }
  }
  console.log(`load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
} catch (error) {
  console.error(error);
} finally {
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
