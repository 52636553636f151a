// The page's boot when the app shell cannot load or start: the visitor gets a plain message saying what happened and
// what to do, and the error is in the console, rather than a blank page. The shell's chunk is broken on the wire
// (an HTTP 500, as a server or proxy in trouble answers, or code that throws as it starts) by Playwright's routing.
import { test, expect, type Page } from '@playwright/test';
import { serveApp, type ServedApp } from '../../scripts/stack/serve';
import { freePort } from '../../scripts/stack/ports';
import type { RuntimeConfig } from '../../src/lib/config';

let app: ServedApp;

const config: RuntimeConfig = {
  chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, name: 'unused', development: true, contracts: {}, deployBlock: 0 },
  relay: { multiaddrs: [], development: true },
  startedAt: new Date(0).toISOString(),
};

test.beforeAll(async () => {
  app = await serveApp({ root: process.env.TWINGRAIN_DIST ?? 'dist', host: '127.0.0.1', port: await freePort(), config: () => config });
});
test.afterAll(async () => {
  await app?.stop();
});

/** Opens the app with the shell's chunk answered by `fulfil`; returns the console errors the page logged. */
async function openWithBrokenShell(page: Page, fulfil: { status: number; body: string }): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  let broken = 0;
  await page.route(/\/assets\/mount-[^/]*\.js$/, (route) => {
    broken += 1;
    return route.fulfill({ ...fulfil, contentType: 'text/javascript' });
  });
  await page.goto(`${app.url}/#/twins`);
  expect(broken).toBeGreaterThan(0);
  return errors;
}

async function expectFailureMessage(page: Page): Promise<void> {
  const message = page.getByTestId('shell-failed');
  await expect(message).toBeVisible();
  await expect(message).toContainText('could not start');
  await expect(message).toContainText('Reload the page');
  await expect(message).toContainText("clear this site's data");
  await expect(message.getByRole('button', { name: 'Reload' })).toBeVisible();
  // No half-started shell beside it.
  await expect(page.getByTestId('header-status')).toHaveCount(0);
}

test('a shell chunk that fails to load shows what happened and what to do, and logs the error', async ({ page }) => {
  const errors = await openWithBrokenShell(page, { status: 500, body: 'internal error' });
  await expectFailureMessage(page);
  expect(errors.some((e) => e.includes('twingrain: the app could not start'))).toBe(true);
});

test('a shell that throws as it starts shows the same message', async ({ page }) => {
  const errors = await openWithBrokenShell(page, { status: 200, body: "throw new Error('the shell broke while starting');" });
  await expectFailureMessage(page);
  expect(errors.some((e) => e.includes('twingrain: the app could not start'))).toBe(true);
});

test('the Reload button loads the app again once the shell is back', async ({ page }) => {
  await openWithBrokenShell(page, { status: 500, body: 'internal error' });
  await expectFailureMessage(page);
  await page.unroute(/\/assets\/mount-[^/]*\.js$/);
  await page.getByTestId('shell-failed').getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByTestId('header-status')).toBeVisible();
  await expect(page.getByTestId('shell-failed')).toHaveCount(0);
});
