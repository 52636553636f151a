// Helpers for benchmarks that run the p2p module in headless Chromium pages: a Vite library bundle of
// src/lib/p2p served on a blank page, nodes started in pages, fresh WebRTC dials, transfer tests, and the floor (a
// bare RTCDataChannel between the same two pages).
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes as nodeRandomBytes, createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { CID } from 'multiformats/cid';
import * as dagPb from '@ipld/dag-pb';
import { createRelayNode } from '../../relay/relay';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Bundles src/lib/p2p with Vite (library mode, as the app would load it) and serves it with a blank page. */
export async function bundleP2p(outDir: string, entry = 'src/lib/p2p/index.ts'): Promise<{ url: string; close(): Promise<void> }> {
  const { build } = await import('vite');
  await build({
    root,
    configFile: false,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, target: 'es2022', lib: { entry: join(root, entry), formats: ['es'], fileName: 'p2p' } },
  });
  const http = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>p2p bench</title>');
    readFile(join(outDir, path)).then(
      (b) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(b),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`, close: async () => void http.close() };
}

type PageNode = {
  peerId: string;
  libp2p: { getConnections(): Array<{ remotePeer: { toString(): string }; close(): Promise<void>; abort(e: Error): void }> };
  supervisor: { relayConnected(): Promise<void>; dialPeer(id: string, addrs: unknown[]): Promise<string> };
  status: { get(): { listenAddrs: string[] } };
  transferTest(id: string, n: number, block?: number): Promise<{ ms: number; via: string[] }>;
  stop(): Promise<void>;
};

/** Starts a node in the page (window.node, window.p2p) and waits for the relay; ms from start to connected. */
export async function startPageNode(
  page: Page,
  relay: { multiaddrs: string[]; development: boolean },
  prefix: string,
  options: Record<string, unknown> = {},
): Promise<number> {
  return page.evaluate(
    async ([config, prefix, options]) => {
      const m = await import('/p2p.js' as string);
      const w = window as unknown as Record<string, unknown>;
      const t0 = performance.now();
      const node = await m.loadBrowserNode(config, { storePrefix: prefix, ...options });
      await node.supervisor.relayConnected();
      w.node = node;
      w.p2p = m;
      return performance.now() - t0;
    },
    [relay, prefix, options] as const,
  );
}

/** The page's WebRTC listen addresses, once its relay reservation is made. */
export async function webrtcAddrs(page: Page): Promise<{ id: string; addrs: string[] }> {
  await page.waitForFunction(() => (window as unknown as { node: PageNode }).node.status.get().listenAddrs.some((x) => x.includes('/webrtc')), undefined, {
    timeout: 90_000,
  });
  return page.evaluate(() => {
    const node = (window as unknown as { node: PageNode }).node;
    return { id: node.peerId, addrs: node.status.get().listenAddrs.filter((x) => x.includes('/webrtc')) };
  });
}

/** Closes any connection to the peer and dials a new direct one: its kind ('webrtc' when direct) and ms. */
export async function dialFresh(from: Page, peer: { id: string; addrs: string[] }): Promise<{ kind: string; ms: number }> {
  return from.evaluate(async (peer) => {
    const w = window as unknown as { node: PageNode };
    for (const c of w.node.libp2p.getConnections()) {
      // A connection whose streams refuse a graceful close is aborted instead.
      if (c.remotePeer.toString() === peer.id) await c.close().catch((e: Error) => c.abort(e));
    }
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    try {
      const kind = await w.node.supervisor.dialPeer(peer.id, peer.addrs);
      return { ms: performance.now() - t0, kind };
    } catch (error) {
      return { ms: NaN, kind: String(error) };
    }
  }, peer);
}

/** `to` fetches `bytes` random bytes from `from` (the Network page's transfer test): its ms and connection kinds. */
export async function transferOnce(from: Page, to: Page, bytes: number, blockBytes?: number): Promise<{ ms: number; via: string[] }> {
  const id = await to.evaluate(() => (window as unknown as { node: PageNode }).node.peerId);
  return from.evaluate(async ([id, n, block]) => (window as unknown as { node: PageNode }).node.transferTest(id, n, block), [id, bytes, blockBytes] as const);
}

export /** 10 MiB over a bare RTCDataChannel between two pages (host candidates only), twice on one connection: [first, second] ms. */
async function rawDataChannel(a: Page, b: Page, messageBytes: number): Promise<number[]> {
  type W = Window & { pc: RTCPeerConnection; dc?: RTCDataChannel };
  const offer = await a.evaluate(async () => {
    const w = window as unknown as W;
    w.pc = new RTCPeerConnection({ iceServers: [] });
    w.dc = w.pc.createDataChannel('floor', { ordered: true });
    w.dc.binaryType = 'arraybuffer';
    await w.pc.setLocalDescription(await w.pc.createOffer());
    // No trickle: the offer carries every (host) candidate.
    await new Promise<void>((r) =>
      w.pc.iceGatheringState === 'complete' ? r() : w.pc.addEventListener('icegatheringstatechange', () => w.pc.iceGatheringState === 'complete' && r()),
    );
    return w.pc.localDescription!.toJSON();
  });
  const answer = await b.evaluate(async (offer) => {
    const w = window as unknown as W;
    w.pc = new RTCPeerConnection({ iceServers: [] });
    // The receiver counts bytes and answers "done" once the announced total has arrived.
    w.pc.ondatachannel = (e) => {
      const dc = e.channel;
      dc.binaryType = 'arraybuffer';
      let got = 0;
      let total = -1;
      dc.onmessage = (m) => {
        if (typeof m.data === 'string') total = Number(m.data);
        else got += (m.data as ArrayBuffer).byteLength;
        if (total >= 0 && got >= total) {
          dc.send('done');
          got = 0;
          total = -1;
        }
      };
    };
    await w.pc.setRemoteDescription(offer);
    await w.pc.setLocalDescription(await w.pc.createAnswer());
    await new Promise<void>((r) =>
      w.pc.iceGatheringState === 'complete' ? r() : w.pc.addEventListener('icegatheringstatechange', () => w.pc.iceGatheringState === 'complete' && r()),
    );
    return w.pc.localDescription!.toJSON();
  }, offer);
  const times = await a.evaluate(
    async ([answer, size]) => {
      const w = window as unknown as W;
      await w.pc.setRemoteDescription(answer);
      const dc = w.dc!;
      if (dc.readyState !== 'open') await new Promise((r) => (dc.onopen = r));
      const total = 10 * 1024 * 1024;
      const buf = new Uint8Array(size);
      crypto.getRandomValues(buf.subarray(0, Math.min(size, 65_536)));
      dc.bufferedAmountLowThreshold = 1024 * 1024;
      const out: number[] = [];
      for (let round = 0; round < 2; round++) {
        const done = new Promise((r) => (dc.onmessage = r));
        const t0 = performance.now();
        dc.send(String(total));
        for (let sent = 0; sent < total; sent += size) {
          if (dc.bufferedAmount > 8 * 1024 * 1024) await new Promise((r) => (dc.onbufferedamountlow = r));
          dc.send(buf.subarray(0, Math.min(size, total - sent)));
        }
        await done;
        out.push(performance.now() - t0);
      }
      w.pc.close();
      return out;
    },
    [answer, messageBytes] as const,
  );
  await b.evaluate(() => (window as unknown as W).pc.close());
  return times;
}

/**
 * The smallest WebSocket server that can be the floor: it answers the opening handshake (RFC 6455) and, for every
 * message the page sends, sends `total` bytes back in unmasked binary frames of `messageBytes`.
 */
async function bareWebSocketSender(total: number, messageBytes: number): Promise<{ url: string; close(): Promise<void> }> {
  const payload = nodeRandomBytes(messageBytes);
  const header = Buffer.alloc(10);
  header[0] = 0x82; // FIN + binary
  header[1] = 127; // 64-bit length follows
  header.writeBigUInt64BE(BigInt(messageBytes), 2);
  const http = createHttpServer();
  http.on('upgrade', (req, socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', (frame: Buffer) => {
      if ((frame[0]! & 0x0f) === 0x8) return void socket.end(); // close
      for (let sent = 0; sent < total; sent += messageBytes) socket.write(Buffer.concat([header, payload]));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}

/** The WebSocket floor as a page sees it: `rounds` times, ms from asking to holding `total` bytes from bareWebSocketSender. */
export async function bareWebSocketFloor(page: Page, rounds: number, total: number): Promise<number[]> {
  const wss = await bareWebSocketSender(total, 256 * 1024);
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      times.push(
        await page.evaluate(
          async ([url, total]) => {
            const ws = new WebSocket(url);
            ws.binaryType = 'arraybuffer';
            await new Promise((r) => (ws.onopen = r));
            let got = 0;
            const t0 = performance.now();
            const done = new Promise<void>((r) => {
              ws.onmessage = (m) => {
                got += (m.data as ArrayBuffer).byteLength;
                if (got >= total) r();
              };
            });
            ws.send('go');
            await done;
            const ms = performance.now() - t0;
            ws.close();
            return ms;
          },
          [wss.url, total] as const,
        ),
      );
    }
  } finally {
    await wss.close();
  }
  return times;
}

const RAW_PROTOCOL = '/twingrain-bench/raw/1.0.0';

/**
 * A Node libp2p peer set up as the relay is (WebSockets, noise, yamux) that sends 10 MiB in 256 KiB writes on each
 * stream opened to it: what the libp2p stack alone costs on the relay path, without blocks, hashing or storage.
 */
export async function rawLibp2pSender(dataDir: string): Promise<{ multiaddr: string; stop(): Promise<void> }> {
  const node = await createRelayNode({ port: await freePort(), dataDir, development: true });
  await node.start();
  const chunk = new Uint8Array(256 * 1024);
  await node.libp2p.handle(RAW_PROTOCOL, async (stream) => {
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) if (!stream.send(chunk)) await stream.onDrain();
    await stream.close();
  });
  return { multiaddr: node.libp2p.getMultiaddrs()[0]!.toString(), stop: async () => void (await node.stop()) };
}

/** ms for the page to receive the 10 MiB of one stream from rawLibp2pSender, on a connection made beforehand. */
export async function rawLibp2pTransfer(page: Page, multiaddr: string): Promise<number> {
  return page.evaluate(
    async ([addr, protocol]) => {
      const m = await import('/p2p.js' as string);
      const node = await m.loadBrowserNode({ multiaddrs: [addr], development: true }, { storePrefix: `raw-${Date.now()}` });
      try {
        await node.supervisor.relayConnected();
        const stream = await node.libp2p.getConnections()[0].newStream(protocol);
        const t0 = performance.now();
        let got = 0;
        for await (const c of stream) got += c.byteLength;
        if (got !== 10 * 1024 * 1024) throw new Error(`got ${got} bytes`);
        return performance.now() - t0;
      } finally {
        await node.stop();
      }
    },
    [multiaddr, RAW_PROTOCOL] as const,
  );
}

/**
 * The HTTP floor for the block gateway: the page fetches the same blocks from the same gateway with plain `fetch`
 * (`concurrency` at a time, as the app asks for them), no hashing or storage: `rounds` times, ms from the first
 * request to the last byte.
 */
export async function plainHttpFloor(page: Page, urls: string[], rounds: number, concurrency = 6): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    times.push(
      await page.evaluate(
        async ([urls, concurrency]) => {
          const queue = [...urls];
          let bytes = 0;
          const t0 = performance.now();
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              for (let url = queue.shift(); url; url = queue.shift()) {
                const res = await fetch(url, { headers: { accept: 'application/vnd.ipld.raw' }, cache: 'no-store', credentials: 'omit' });
                bytes += (await res.arrayBuffer()).byteLength;
              }
            }),
          );
          if (bytes === 0) throw new Error('the gateway sent nothing');
          return performance.now() - t0;
        },
        [urls, concurrency] as const,
      ),
    );
  }
  return times;
}

/**
 * The HTTP floor for the CAR path: the page fetches the same CARs (one per shard, all at once, as the app asks for
 * them) from the same gateway with plain `fetch` and reads every byte, nothing parsed, hashed or stored: `rounds`
 * times, ms from the first request to the last byte.
 */
export async function plainCarFloor(page: Page, urls: string[], rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    times.push(
      await page.evaluate(async (urls) => {
        const t0 = performance.now();
        const sizes = await Promise.all(
          urls.map(async (url) => {
            const res = await fetch(url, {
              headers: { accept: 'application/vnd.ipld.car; version=1; order=dfs; dups=n' },
              cache: 'no-store',
              credentials: 'omit',
            });
            const reader = res.body!.getReader();
            let bytes = 0;
            for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
            return bytes;
          }),
        );
        if (sizes.some((n) => n === 0)) throw new Error('the gateway sent an empty CAR');
        return performance.now() - t0;
      }, urls),
    );
  }
  return times;
}

/** The CAR URL of each of these DAGs on a gateway (the request the app makes for a shard). */
export function carUrls(gateway: string, roots: string[]): string[] {
  return roots.map((root) => `${gateway}/ipfs/${root}?format=car&dag-scope=all`);
}

/**
 * SHA-256 of `count` random blocks of `size` bytes in the page, by each way the CAR path could hash them: µs per
 * block (median of `rounds`) for crypto.subtle.digest one after another and all at once, multiformats' sha256 (its
 * browser build) and @noble/hashes (plain JavaScript), as exported by the page's bundle.
 */
export async function pageHashCost(page: Page, count: number, size: number, rounds: number): Promise<Record<string, number>> {
  return page.evaluate(
    async ([count, size, rounds]) => {
      const m = await import('/p2p.js' as string);
      const blocks = Array.from({ length: count }, () => {
        const b = new Uint8Array(size);
        for (let o = 0; o < size; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(size, o + 65536)));
        return b;
      });
      const ways: Record<string, () => Promise<unknown>> = {
        'crypto.subtle.digest, one after another': async () => {
          for (const b of blocks) await crypto.subtle.digest('SHA-256', b);
        },
        'crypto.subtle.digest, all at once': () => Promise.all(blocks.map((b) => crypto.subtle.digest('SHA-256', b))),
        "multiformats' sha256, one after another": async () => {
          for (const b of blocks) await m.sha256.digest(b);
        },
        '@noble/hashes sha256, one after another': async () => {
          for (const b of blocks) m.nobleSha256(b);
        },
      };
      const out: Record<string, number> = {};
      for (const [name, run] of Object.entries(ways)) {
        const times: number[] = [];
        await run();
        for (let r = 0; r < rounds; r++) {
          const t0 = performance.now();
          await run();
          times.push(((performance.now() - t0) * 1000) / count);
        }
        out[name] = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      }
      return out;
    },
    [count, size, rounds] as const,
  );
}

/** The gateway URLs of every block of these DAGs (dag-pb roots and their raw leaves), read from a Node store. */
export async function blockUrls(gateway: string, roots: string[], read: (cid: CID) => Promise<Uint8Array>): Promise<string[]> {
  const urls: string[] = [];
  for (const root of roots) {
    const cid = CID.parse(root);
    urls.push(`${gateway}/ipfs/${cid}`);
    if (cid.code === dagPb.code) for (const link of dagPb.decode(await read(cid)).Links) urls.push(`${gateway}/ipfs/${link.Hash}`);
  }
  return urls;
}
