// Peer-to-peer benchmark: relay connection (Node and browser, and page load → "connected" on the built app),
// direct WebRTC dial between two headless Chromium contexts, 10 MiB browser→browser over WebRTC, a 10 MiB granule
// from the pinning relay into a browser (the full retrieve path: manifest, key release, shards, decrypt, α),
// custodian key release latency, and the size of the lazily loaded p2p chunk against the app shell.
import '../../src/lib/node/polyfills';
import '../../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { chromium, type Page } from '@playwright/test';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { startRelay } from '../../relay/relay';
import { createNodeNode } from '../../src/lib/p2p/node.node.ts';
import { publishGranule } from '../../src/lib/p2p/publish';
import { fetchPublicManifest } from '../../src/lib/p2p/granule-store';
import { gatherGranuleKey, peersWithProtocol } from '../../src/lib/p2p/custody-protocol';
import { KEY_RELEASE_PROTOCOL } from '../../src/lib/p2p/protocols';
import { alphaHex } from '../../src/lib/granule/alpha';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import { machineStamp, markdownTable, summarize } from './report';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1024 * 1024;
const fmt = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(0) : '—');
const row = (what: string, samples: number[], target: string): (string | number)[] => {
  const s = summarize(samples);
  return [what, s.n, fmt(s.median), fmt(s.min), fmt(s.max), target];
};

async function until(check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const dirs: string[] = [];
  const tmp = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'tg-bench-p2p-'));
    dirs.push(d);
    return d;
  };
  const relay = await startRelay({ port: await freePort(), dataDir: await tmp(), development: true, pin: true, custodian: { waitMs: 10_000 } });
  const relayConfig = { multiaddrs: relay.multiaddrs, development: true };
  const notes: string[] = [];
  const results: (string | number)[][] = [];
  try {
    // 1. Node → relay.
    const nodeConnect: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const n = await createNodeNode(relayConfig);
      await n.supervisor.relayConnected();
      nodeConnect.push(performance.now() - t0);
      await n.stop();
    }
    results.push(row('Node light node: start → relay connected (ms)', nodeConnect, '—'));

    // 2. Key release: the user's request waits at the custodian; the clock starts when the custodian learns of the
    // instantiation (its chain watcher polls every 250 ms on top of this).
    const owner = await createNodeNode(relayConfig);
    await owner.supervisor.relayConnected();
    await until(async () => (await peersWithProtocol(owner.libp2p, KEY_RELEASE_PROTOCOL)).length === 1);
    const archive = new Uint8Array(nodeRandomBytes(10 * MiB));
    const alpha = alphaHex(archive);
    const t0pub = performance.now();
    const published = await publishGranule({
      helia: owner.helia, archive, alpha, k: 2, n: 3,
      granule: { name: 'bench/10mib', version: '1.0.0', description: 'benchmark payload', domain: 'enabling', context: 'bench', printers: [], tags: [], license: 'MIT' },
      custody: { threshold: 1, custodians: [hexToBytes(relay.custodian!.x25519PublicKey)] },
    });
    const publishMs = performance.now() - t0pub;
    const keyRelease: number[] = [];
    const user = await createNodeNode(relayConfig);
    await user.supervisor.relayConnected();
    await until(async () => (await peersWithProtocol(user.libp2p, KEY_RELEASE_PROTOCOL)).length === 1);
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: published.manifestCid, expectedAlpha: alpha });
    for (let i = 0; i < 5; i++) {
      const secret = x25519.utils.randomSecretKey();
      const pending = gatherGranuleKey({ libp2p: user.libp2p, manifest, userSecretKey: secret, timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      relay.custodian!.index.add(alpha, bytesToHex(x25519.getPublicKey(secret)));
      await pending;
      keyRelease.push(performance.now() - t0);
    }
    await user.stop();
    results.push(row('Custodian sees instantiation → key in hand, t = 1 (ms)', keyRelease, '≤ 1000 (after the block)'));
    await owner.stop();
    notes.push(`Publishing the 10 MiB granule from Node (encrypt, 2-of-3 shards, store, pinning relay fetches and pins, custodian deposit) took ${fmt(publishMs)} ms.`);

    // 3. Browsers. The p2p module is bundled by Vite (library mode, as the app would load it) and served with a
    // blank page, so the page can import it directly.
    const bundleDir = await tmp();
    const { build } = await import('vite');
    await build({
      root, configFile: false, logLevel: 'error',
      build: { outDir: bundleDir, emptyOutDir: true, target: 'es2022', lib: { entry: join(root, 'src/lib/p2p/index.ts'), formats: ['es'], fileName: 'p2p' } },
    });
    const bundleHttp = createHttpServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>p2p bench</title>');
      readFile(join(bundleDir, path)).then((b) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(b), () => res.writeHead(404).end());
    });
    await new Promise<void>((r) => bundleHttp.listen(0, '127.0.0.1', r));
    const devUrl = `http://127.0.0.1:${(bundleHttp.address() as AddressInfo).port}/`;
    const server = { close: async () => void bundleHttp.close() };
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const pages: Page[] = [];
      for (let i = 0; i < 2; i++) {
        const page = await (await browser.newContext()).newPage();
        await page.goto(devUrl);
        pages.push(page);
      }
      const start = (page: Page, prefix: string) =>
        page.evaluate(
          async ([config, prefix]) => {
            const m = await import('/p2p.js' as string);
            const w = window as unknown as Record<string, unknown>;
            const t0 = performance.now();
            const node = await m.loadBrowserNode(config, { storePrefix: prefix });
            await node.supervisor.relayConnected();
            w.node = node;
            w.p2p = m;
            return { id: node.peerId as string, ms: performance.now() - t0 };
          },
          [relayConfig, prefix] as const,
        );
      const browserConnect: number[] = [];
      await start(pages[0]!, `warm-${Date.now()}`);
      await pages[0]!.evaluate(() => (window as unknown as { node: { stop(): Promise<void> } }).node.stop());
      for (let i = 0; i < 3; i++) {
        const r = await start(pages[0]!, `c-${Date.now()}-${i}`);
        browserConnect.push(r.ms);
        await pages[0]!.evaluate(() => (window as unknown as { node: { stop(): Promise<void> } }).node.stop());
      }
      results.push(row('Browser: p2p node start → relay connected (ms)', browserConnect, '≤ 500 from page load'));

      const a = await start(pages[0]!, `a-${Date.now()}`);
      const b = await start(pages[1]!, `b-${Date.now()}`);
      // B's WebRTC address appears once its relay reservation is made.
      await pages[1]!.waitForFunction(() => ((window as unknown as { node: { status: { get(): { listenAddrs: string[] } } } }).node.status.get().listenAddrs.some((x) => x.includes('/webrtc'))), undefined, { timeout: 30_000 });
      const dials: number[] = [];
      let failures = 0;
      for (let i = 0; i < 6; i++) {
        const r = await pages[0]!.evaluate(async (peer) => {
          type N = { libp2p: { hangUp(p: unknown): Promise<void>; getConnections(): Array<{ remotePeer: { toString(): string } ; remoteAddr: { toString(): string } }> }; supervisor: { dialPeer(id: string, addrs: unknown[]): Promise<string> } };
          const w = window as unknown as { node: N; peerAddrs?: unknown[] };
          for (const c of w.node.libp2p.getConnections()) if (c.remotePeer.toString() === peer.id) await w.node.libp2p.hangUp(c.remotePeer);
          const addrs = peer.addrs;
          const t0 = performance.now();
          try {
            const kind = await w.node.supervisor.dialPeer(peer.id, addrs);
            return { ms: performance.now() - t0, kind };
          } catch (error) {
            return { ms: NaN, kind: String(error) };
          }
        }, { id: b.id, addrs: await pages[1]!.evaluate(() => (window as unknown as { node: { status: { get(): { listenAddrs: string[] } } } }).node.status.get().listenAddrs.filter((x) => x.includes('/webrtc'))) });
        if (r.kind === 'webrtc') dials.push(r.ms);
        else failures++;
      }
      results.push(row('Browser → browser: direct WebRTC dial via relay signalling (ms)', dials, '—'));
      if (failures) notes.push(`${failures} of 6 WebRTC dials did not end in a direct connection (the app retries, then falls back to the relay).`);

      const transfers: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await pages[0]!.evaluate(async (id) => (window as unknown as { node: { transferTest(id: string, n: number): Promise<{ ms: number; via: string[] }> } }).node.transferTest(id, 10 * 1024 * 1024), b.id);
        if (r.via.includes('webrtc')) transfers.push(r.ms);
        else notes.push(`A browser→browser transfer ran over ${r.via.join(', ')} instead of WebRTC.`);
      }
      results.push(row('10 MiB browser → browser over WebRTC, bitswap, verified (ms)', transfers, '≤ 1000'));

      // 4. The full retrieve path in a browser, shards from the pinning relay only (the owner is gone).
      const fromRelay: number[] = [];
      const keyInBrowser: number[] = [];
      for (let i = 0; i < 3; i++) {
        const secret = x25519.utils.randomSecretKey();
        relay.custodian!.index.add(alpha, bytesToHex(x25519.getPublicKey(secret)));
        const r = await pages[1]!.evaluate(
          async ([cid, alpha, secretHex, prefix, config]) => {
            const w = window as unknown as { p2p: { loadBrowserNode(c: unknown, o: unknown): Promise<{ helia: unknown; supervisor: { relayConnected(): Promise<void> }; stop(): Promise<void> }>; retrieveGranule(p: unknown): Promise<{ archive: Uint8Array; keyMs: number; shardsMs: number }> } };
            // A fresh store each round, so nothing is already local.
            const node = await w.p2p.loadBrowserNode(config, { storePrefix: prefix });
            await node.supervisor.relayConnected();
            const secret = Uint8Array.from(secretHex.match(/../g)!.map((h: string) => parseInt(h, 16)));
            const t0 = performance.now();
            const out = await w.p2p.retrieveGranule({ helia: node.helia, manifestCid: cid, alpha, userSecretKey: secret, keyTimeoutMs: 20_000 });
            const ms = performance.now() - t0;
            await node.stop();
            return { ms, keyMs: out.keyMs, shardsMs: out.shardsMs, bytes: out.archive.length };
          },
          [published.manifestCid.toString(), alpha, bytesToHex(secret), `r-${Date.now()}-${i}`, relayConfig] as const,
        );
        if (r.bytes !== archive.length) throw new Error('retrieved archive has the wrong size');
        fromRelay.push(r.shardsMs);
        keyInBrowser.push(r.keyMs);
      }
      results.push(row('10 MiB granule shards from the pinning relay into a browser, rebuilt + decrypted + α (ms)', fromRelay, '—'));
      results.push(row('Browser: key shares gathered, custodian already saw the event (ms)', keyInBrowser, '≤ 1000'));
      await pages[0]!.evaluate(() => (window as unknown as { node: { stop(): Promise<void> } }).node.stop());
      await pages[1]!.evaluate(() => (window as unknown as { node: { stop(): Promise<void> } }).node.stop());
    } finally {
      await browser.close();
      await server.close();
    }

    // 5. The built app: bundle sizes, and page load → relay "connected" on the Network page.
    const assets = join(root, 'dist/assets');
    let bundleRows: (string | number)[][] = [];
    try {
      const files = await readdir(assets);
      const gz = async (f: string): Promise<number> => gzipSync(await readFile(join(assets, f))).length;
      const html = await readFile(join(root, 'dist/index.html'), 'utf8');
      const entry = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
      const entryGz = (await Promise.all(entry.map(gz))).reduce((x, y) => x + y, 0);
      const p2pChunk = files.find((f) => f.startsWith('node.browser-') && f.endsWith('.js'));
      bundleRows = [
        ['App shell (entry JS + CSS in index.html), gzipped', `${(entryGz / 1024).toFixed(1)} kB`, '≤ 250 kB'],
        ['Lazily loaded p2p chunk (libp2p + Helia light + WebRTC), gzipped', p2pChunk ? `${((await gz(p2pChunk)) / 1024).toFixed(1)} kB` : 'not built', '(loaded on first use)'],
      ];
      const pageLoad: number[] = [];
      const config = JSON.stringify({ chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, contracts: {} }, relay: relayConfig, startedAt: new Date().toISOString() });
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png' };
      const http = createHttpServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/twingrain-config.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(config);
        const file = join(root, 'dist', path === '/' ? 'index.html' : path);
        readFile(file).then((b) => res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(b), () => res.writeHead(404).end());
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      const appUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const b2 = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
      try {
        for (let i = 0; i < 4; i++) {
          const page = await (await b2.newContext()).newPage();
          const t0 = Date.now();
          await page.goto(`${appUrl}/#/network`);
          await page.getByTestId('relay-status').filter({ hasText: 'connected' }).waitFor({ timeout: 30_000 });
          if (i > 0) pageLoad.push(Date.now() - t0);
          await page.context().close();
        }
      } finally {
        await b2.close();
        http.close();
      }
      results.push(row('Built app: navigation to #/network → relay "connected" (ms, first load discarded)', pageLoad, '≤ 500'));
    } catch (error) {
      notes.push(`The built app was not measured (${(error as Error).message}); run "npx vite build" first.`);
    }

    const md = [
      '# Peer-to-peer benchmark',
      '',
      machineStamp(),
      '',
      'Everything runs on this one machine over 127.0.0.1: a real relay (circuit relay v2, WebSockets, pinning Helia on disk, custodian), real libp2p/Helia nodes in Node and in headless Debian Chromium. Run with `npm run bench p2p`.',
      '',
      markdownTable(['Measurement', 'n', 'median', 'min', 'max', 'target'], results),
      '',
      markdownTable(['Bundle', 'size', 'target'], bundleRows),
      '',
      ...notes.map((n) => `- ${n}`),
      '',
    ].join('\n');
    await mkdir(ctx.outDir, { recursive: true });
    await writeFile(join(ctx.outDir, 'p2p.md'), md);
  } finally {
    await relay.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
