// The service-worker update path: a new deployment of the app is noticed, the user is told, and "Reload" switches
// to it. Served from a private copy of dist/ so the test can publish a "new version" without touching the build.
import { test, expect } from '@playwright/test';
import { cp, mkdtemp, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveApp, type ServedApp } from '../../scripts/stack/serve';
import { freePort } from '../../scripts/stack/ports';
import type { RuntimeConfig } from '../../src/lib/config';

let root: string;
let app: ServedApp;

const config: RuntimeConfig = {
  chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, name: 'unused', development: true, contracts: {}, deployBlock: 0 },
  relay: { multiaddrs: [], development: true },
  startedAt: new Date(0).toISOString(),
};

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'twingrain-pwa-'));
  await cp(process.env.TWINGRAIN_DIST ?? 'dist', root, { recursive: true });
  app = await serveApp({ root, host: '127.0.0.1', port: await freePort(), config: () => config });
});
test.afterAll(async () => {
  await app?.stop();
  await rm(root, { recursive: true, force: true });
});

test('a new version is announced and "Reload" activates it', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('offline-ready')).toBeVisible();
  // A returning visit: the page is now controlled by the installed worker, as it is for a user the day after.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state)).toBe('activated');

  // Publish a new version: a byte-different service worker is what browsers treat as an update.
  await appendFile(join(root, 'sw.js'), `\n// release ${Date.now()}\n`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  await expect(page.getByTestId('update-available')).toBeVisible();

  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state)).toBe('installed');
  await Promise.all([page.waitForEvent('load'), page.getByTestId('update-available').getByRole('button', { name: 'Reload' }).click()]);
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBe(null);
  await expect(page.getByTestId('update-available')).toHaveCount(0);
});
