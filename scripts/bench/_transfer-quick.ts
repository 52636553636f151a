// A quick browser→browser transfer timing for checking a change on the shared machine in a few minutes:
// `npx tsx scripts/bench/_transfer-quick.ts [rounds]`. Two page pairs (the app's direct block protocol, and bitswap
// only) alternate on fresh WebRTC connections, 10 MiB in 256 KiB blocks, then a bare RTCDataChannel between the same
// pages. PAIRS=direct runs the direct pair alone (a shorter A/B). The report comes from p2p.ts.
import '../../src/lib/node/polyfills';
import '../../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { startRelay } from '../../relay/relay';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import { bundleP2p, dialFresh, rawDataChannel, startPageNode, transferOnce, webrtcAddrs } from './_p2p-pages';

const rounds = Number(process.argv[2] ?? 3);
const MiB = 1024 * 1024;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const dir = await mkdtemp(join(tmpdir(), 'tg-quick-'));
const relay = await startRelay({ port: await freePort(), dataDir: join(dir, 'relay'), development: true });
const relayConfig = { multiaddrs: relay.multiaddrs, development: true };
const bundle = await bundleP2p(join(dir, 'bundle'));
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const load0 = loadavg()[0]!;
try {
  const pages = await Promise.all(Array.from({ length: 4 }, () => browser.newPage()));
  for (const p of pages) await p.goto(bundle.url);
  for (const p of pages) p.on('console', (m) => m.text().startsWith('tg-timing') && console.log(`  ${m.text()}`));
  const pairs = [
    { name: 'direct', from: pages[0]!, to: pages[1]!, cold: [] as number[], warm: [] as number[] },
    { name: 'bitswap', from: pages[2]!, to: pages[3]!, cold: [] as number[], warm: [] as number[] },
  ].filter((p) => (process.env.PAIRS ?? 'direct,bitswap').split(',').includes(p.name));
  for (const pair of pairs) {
    await startPageNode(pair.from, relayConfig, `a-${pair.name}-${Date.now()}`, { bitswapOnly: pair.name === 'bitswap' });
    await startPageNode(pair.to, relayConfig, `b-${pair.name}-${Date.now()}`, { bitswapOnly: pair.name === 'bitswap' });
  }
  for (let i = 0; i < rounds; i++) {
    for (const pair of pairs) {
      const { kind } = await dialFresh(pair.from, await webrtcAddrs(pair.to));
      if (kind !== 'webrtc') {
        console.log(`${pair.name}: dial gave ${kind}`);
        continue;
      }
      pair.cold.push((await transferOnce(pair.from, pair.to, 10 * MiB, 256 * 1024)).ms);
      pair.warm.push((await transferOnce(pair.from, pair.to, 10 * MiB, 256 * 1024)).ms);
      console.log(`${pair.name} round ${i + 1}: new ${pair.cold.at(-1)!.toFixed(0)} ms, warm ${pair.warm.at(-1)!.toFixed(0)} ms`);
    }
  }
  const floorCold: number[] = [];
  const floorWarm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const [c, w] = await rawDataChannel(pages[0]!, pages[1]!, 256 * 1024);
    floorCold.push(c!);
    floorWarm.push(w!);
  }
  for (const pair of pairs)
    console.log(
      `${pair.name}: new ${median(pair.cold).toFixed(0)} ms, warm ${median(pair.warm).toFixed(0)} ms (medians; warm ${pair.warm.map((x) => x.toFixed(0)).join(', ')})`,
    );
  console.log(
    `floor (bare RTCDataChannel, 256 KiB messages): new ${median(floorCold).toFixed(0)} ms, warm ${median(floorWarm).toFixed(0)} ms (warm ${floorWarm.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(`load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await browser.close();
  await bundle.close();
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
