// A quick timing of the pinning relay → browser path for checking a change in a few minutes:
// `npx tsx scripts/bench/_relay-quick.ts [rounds]`. A Node peer stores a 10 MiB granule (2-of-3 shards) and the
// relay pins it; the owner leaves; a page with a fresh store then fetches the shards from the relay, rebuilds,
// decrypts and checks α (retrieve's steps after the key release) — in rounds taken in turn over libp2p, from the
// relay's block gateway over HTTP block by block (last session's path), and from the gateway as one CAR per shard —
// beside a bare WebSocket from Node into the same page, a plain fetch of the same blocks and a plain fetch of the same
// CARs from the gateway. It also times SHA-256 of 256 KiB blocks in the page (the CAR path's check). No chain: the relay pins for a member it was told of in process. PROFILE=1 adds CPU profiles of the page and
// of this process (the relay) over the last round. The report comes from p2p.ts.
import '../../src/lib/node/polyfills';
import '../../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from '@playwright/test';
import { Session } from 'node:inspector/promises';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { startRelay } from '../../relay/relay';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import { createNodeNode } from '../../src/lib/p2p/node.node.ts';
import { storeGranule } from '../../src/lib/p2p/granule-store';
import { pinOnRelays } from '../../src/lib/p2p/pin-protocol';
import { alphaHex } from '../../src/lib/granule/index';
import {
  bareWebSocketFloor,
  blockUrls,
  bundleP2p,
  carUrls,
  pageHashCost,
  plainCarFloor,
  plainHttpFloor,
  rawLibp2pSender,
  rawLibp2pTransfer,
} from './_p2p-pages';

type CpuProfile = {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
};
function summarizeProfile(p: CpuProfile): void {
  const dt = new Map<number, number>();
  for (let j = 0; j < p.samples!.length; j++) dt.set(p.samples![j]!, (dt.get(p.samples![j]!) ?? 0) + p.timeDeltas![j]! / 1000);
  const byFn = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const name = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
    byFn.set(name, (byFn.get(name) ?? 0) + (dt.get(n.id) ?? 0));
  }
  for (const [name, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  // Who calls the heaviest native entries (self time by caller chain, 3 frames up).
  const parent = new Map<number, number>();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  for (const n of p.nodes as Array<{ id: number; children?: number[] }>) for (const c of n.children ?? []) parent.set(c, n.id);
  const chains = new Map<string, number>();
  for (const n of p.nodes) {
    if (!['dispatch', '(program)', 'put', 'digest'].includes(n.callFrame.functionName)) continue;
    const names: string[] = [n.callFrame.functionName];
    let q = parent.get(n.id);
    for (let d = 0; d < 4 && q !== undefined; d++, q = parent.get(q)) {
      const f = byId.get(q)!.callFrame;
      names.push(`${f.functionName || '(anon)'}@${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`);
    }
    chains.set(names.join(' < '), (chains.get(names.join(' < ')) ?? 0) + (dt.get(n.id) ?? 0));
  }
  for (const [c, ms] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`     ${ms.toFixed(0).padStart(6)} ms  ${c}`);
}

const rounds = Number(process.argv[2] ?? 3);
const MiB = 1024 * 1024;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const dir = await mkdtemp(join(tmpdir(), 'tg-relay-quick-'));
const relay = await startRelay({
  port: Number(process.env.TWINGRAIN_RELAY_PORT ?? (await freePort())),
  dataDir: join(dir, 'relay'),
  development: true,
  pin: { gateway: { port: 0 } },
});
const relayConfig = { multiaddrs: relay.multiaddrs, development: true };
const gatewayConfig = { ...relayConfig, gateways: [relay.pinning!.gatewayUrl!] };
const load0 = loadavg()[0]!;
try {
  const owner = await createNodeNode(relayConfig);
  await owner.supervisor.relayConnected();
  const archive = new Uint8Array(randomBytes(10 * MiB));
  const stored = await storeGranule({
    helia: owner.helia,
    archive,
    alpha: alphaHex(archive),
    granule: { name: 'bench', version: '1', description: '', domain: '', context: '', printers: [], tags: [], license: '' },
    k: 2,
    n: 3,
    custody: { threshold: 1, custodians: [x25519.getPublicKey(x25519.utils.randomSecretKey())] },
  });
  const member = privateKeyToAccount(generatePrivateKey());
  relay.pinning!.records.addMember(member.address);
  const t0 = performance.now();
  // The relay's protocols are known once identify has run.
  for (let tries = 0; ; tries++) {
    const pinned = await pinOnRelays(owner.libp2p, { cids: stored.cids, member });
    if (pinned.pinnedBy.length === 1) break;
    if (tries > 100 || pinned.errors.length + pinned.refusals.length > 0) throw new Error(`not pinned: ${JSON.stringify(pinned)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`pinned on the relay in ${(performance.now() - t0).toFixed(0)} ms`);
  // The blocks a fetch takes (the k data shards), for the HTTP floor.
  const urls = await blockUrls(
    relay.pinning!.gatewayUrl!,
    stored.manifest.shards.slice(0, stored.manifest.erasure.k).map((x) => x.cid),
    async (cid) => {
      const parts: Uint8Array[] = [];
      for await (const p of owner.helia.blockstore.get(cid, { offline: true })) parts.push(p);
      return Buffer.concat(parts);
    },
  );
  const cars = carUrls(
    relay.pinning!.gatewayUrl!,
    stored.manifest.shards.slice(0, stored.manifest.erasure.k).map((x) => x.cid),
  );
  await owner.stop();
  if (process.env.NODE_FETCH) {
    const { sourcedBlocks } = await import('../../src/lib/p2p/block-sources');
    const { fetchGranule } = await import('../../src/lib/p2p/granule-store');
    for (let i = 0; i < 4; i++) {
      const user = await createNodeNode(relayConfig);
      await user.supervisor.relayConnected();
      const t0 = performance.now();
      const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds });
      const out = await fetchGranule({ helia: sourced.helia, prefetch: sourced.prefetch, manifest: stored.manifest, key: stored.key });
      console.log(
        `Node user round ${i}: ${(performance.now() - t0).toFixed(0)} ms, ${out.length} bytes, ${JSON.stringify(sourced.sources().map((s) => [s.via, s.blocks]))}`,
      );
      await user.stop();
    }
  }

  const bundle = await bundleP2p(join(dir, 'bundle'), 'scripts/bench/_relay-entry.ts');
  const browser = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // tsx compiles with keepNames: functions inside page.evaluate call its __name helper.
    await page.addInitScript('globalThis.__name = (f) => f');
    page.on('console', (m) => m.text().startsWith('tg-timing') && console.log(`  ${m.text()}`));
    await page.goto(bundle.url);
    const times: number[] = [];
    const viaGateway: number[] = [];
    const viaCar: number[] = [];
    /** Per mode: when the last shard's prefetch ended (every block in the store, before rebuild + decrypt + α). */
    const inStore = new Map<string, number[]>();
    const MODES = ['libp2p', 'gateway blocks', 'gateway CAR'] as const;
    const cdp = await browser.newCDPSession(page);
    const nodeProfiler = new Session();
    nodeProfiler.connect();
    // Rounds take the paths in turn: libp2p only, the block gateway block by block (last session's path), one CAR
    // per shard from the gateway (this session's).
    for (let j = 0; j < MODES.length * (rounds + 1); j++) {
      const i = Math.floor(j / MODES.length);
      const mode = MODES[j % MODES.length]!;
      const gateway = mode !== 'libp2p';
      // PROFILE=1: a CPU profile of the page over the last round, summed by function (self time).
      const profile = process.env.PROFILE === '1' && i === rounds;
      if (profile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
        await nodeProfiler.post('Profiler.enable');
        await nodeProfiler.post('Profiler.setSamplingInterval', { interval: 200 });
        await nodeProfiler.post('Profiler.start');
      }
      const r = await page.evaluate(
        async ([manifest, keyHex, config, prefix, blocksOnly]) => {
          const m = await import('/p2p.js' as string);
          const node = await m.loadBrowserNode(config, { storePrefix: prefix, gatewayBlocksOnly: blocksOnly });
          await node.supervisor.relayConnected();
          const key = Uint8Array.from(keyHex.match(/../g)!.map((h: string) => parseInt(h, 16)));
          const t0 = performance.now();
          const sourced = m.sourcedBlocks({ helia: node.helia, relayPeerIds: node.supervisor.relayPeerIds });
          let fetchedAt = 0;
          // When each shard's prefetch (CAR, blocks or the block protocol) ended, for the log.
          const prefetched: number[] = [];
          const archive: Uint8Array = await m.fetchGranule({
            helia: sourced.helia,
            prefetch: async (root: unknown, o: unknown) => {
              try {
                return await sourced.prefetch(root, o);
              } finally {
                prefetched.push(Math.round(performance.now() - t0));
              }
            },
            manifest,
            key,
            onProgress: (p: { bytes: number; total: number }) => {
              if (p.bytes >= p.total && !fetchedAt) fetchedAt = performance.now() - t0;
            },
          });
          const ms = performance.now() - t0;
          const sources = sourced.sources();
          const failures = sourced.failures();
          await node.stop();
          return { ms, fetchedAt, prefetched, bytes: archive.length, sources, failures };
        },
        [stored.manifest, bytesToHex(stored.key), gateway ? gatewayConfig : relayConfig, `q-${Date.now()}-${j}`, mode === 'gateway blocks'] as const,
      );
      if (r.bytes !== archive.length) throw new Error('wrong archive size');
      if (profile) {
        const { profile: np } = await nodeProfiler.post('Profiler.stop');
        console.log('  relay (Node) process:');
        summarizeProfile(np as never);
        console.log('  page:');
        const { profile: p } = await cdp.send('Profiler.stop');
        summarizeProfile(p);
      }
      if (r.failures.length > 0) throw new Error(`a source failed: ${JSON.stringify(r.failures)}`);
      console.log(
        `round ${i} ${mode}${i === 0 ? ' (warm-up, not counted)' : ''}: ${r.ms.toFixed(0)} ms (shards prefetched at ${r.prefetched.join(', ')} ms, all shard bytes read at ${r.fetchedAt.toFixed(0)} ms) from ${r.sources.map((s: { via: string; blocks: number }) => `${s.via}×${s.blocks}`).join(', ')}`,
      );
      if (i > 0) (mode === 'gateway CAR' ? viaCar : mode === 'gateway blocks' ? viaGateway : times).push(r.ms);
      if (i > 0) inStore.set(mode, [...(inStore.get(mode) ?? []), Math.max(...r.prefetched)]);
    }
    // The libp2p stack alone (noise + yamux over a WebSocket from a relay-like Node peer), no blocks.
    const raw = await rawLibp2pSender(join(dir, 'raw'));
    const stack: number[] = [];
    for (let i = 0; i < rounds; i++) stack.push(await rawLibp2pTransfer(page, raw.multiaddr));
    await raw.stop();
    const floor = await bareWebSocketFloor(page, rounds, 10 * MiB);
    const httpFloor = await plainHttpFloor(page, urls, rounds);
    const carFloor = await plainCarFloor(page, cars, rounds);
    const hashing = await pageHashCost(page, 40, 256 * 1024, 5);
    // The CAR path's own cost without the node's store: both CARs fetched, parsed and checked into a memory store.
    const carIntoMemory: number[] = [];
    for (let i = 0; i < rounds; i++)
      carIntoMemory.push(
        await page.evaluate(
          async ([gateway, roots]) => {
            const m = await import('/p2p.js' as string);
            const store = new m.MemoryBlockstore();
            const t0 = performance.now();
            await Promise.all(
              roots.map((root: string) =>
                m.fetchCarInto(store, gateway, m.CID.parse(root), { development: true, maxBytes: 64 * 1024 * 1024, maxBlocks: 16_384 }),
              ),
            );
            return performance.now() - t0;
          },
          [relay.pinning!.gatewayUrl!, stored.manifest.shards.slice(0, stored.manifest.erasure.k).map((x) => x.cid)] as const,
        ),
      );
    const all = (xs: number[]): string => `${median(xs).toFixed(0)} ms median (${xs.map((x) => x.toFixed(0)).join(', ')})`;
    console.log(`relay → browser over libp2p: ${all(times)}; one libp2p stream, no blocks ${all(stack)}; floor (bare WebSocket) ${all(floor)}`);
    console.log(
      `relay → browser from the block gateway, block by block: ${all(viaGateway)}; floor (plain fetch of the same ${urls.length} blocks, 6 at a time) ${all(httpFloor)}`,
    );
    console.log(
      `relay → browser from the gateway, one CAR per shard: ${all(viaCar)}; floor (plain fetch of the same ${cars.length} CARs side by side) ${all(carFloor)}; ` +
        `× CAR floor ${(median(viaCar) / median(carFloor)).toFixed(2)}, × bare WebSocket ${(median(viaCar) / median(floor)).toFixed(2)}`,
    );
    console.log(`every shard block in the store (before rebuild + decrypt + α): ${MODES.map((m) => `${m} ${all(inStore.get(m) ?? [])}`).join('; ')}`);
    console.log(`the CARs alone, fetched and checked into a memory store (no IndexedDB, no rebuild): ${all(carIntoMemory)}`);
    console.log(`SHA-256 of a 256 KiB block in the page (µs, median of 5 × 40 blocks): ${JSON.stringify(hashing)}`);
  } finally {
    await browser.close();
    await bundle.close();
  }
  console.log(`load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
} catch (error) {
  console.error(error);
} finally {
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
