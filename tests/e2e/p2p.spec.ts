// Two browsers in separate contexts find each other through the relay, connect over direct WebRTC (asserted from
// both sides), and move 10 MiB over bitswap on that connection, verified block by block.
import { test, expect } from './fixtures';

test('two browsers connect over direct WebRTC through the relay and transfer 10 MiB', async ({ page, stack, browser }) => {
  test.setTimeout(180_000);
  await page.goto(`${stack.appUrl}/#/network`);
  const other = await browser.newContext();
  const pageB = await other.newPage();
  await pageB.goto(`${stack.appUrl}/#/network`);

  for (const p of [page, pageB]) await expect(p.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  const idA = (await page.getByTestId('peer-id').textContent())!.trim();
  const idB = (await pageB.getByTestId('peer-id').textContent())!.trim();
  expect(idA).not.toBe(idB);

  const bOnA = page.locator(`[data-peer-id="${idB}"]`);
  const aOnB = pageB.locator(`[data-peer-id="${idA}"]`);
  await expect(bOnA).toHaveAttribute('data-kinds', /webrtc/, { timeout: 60_000 });
  await expect(aOnB).toHaveAttribute('data-kinds', /webrtc/, { timeout: 30_000 });
  await expect(bOnA).toContainText('direct WebRTC');

  await bOnA.getByTestId('transfer-test').click();
  await expect(bOnA.getByTestId('transfer-result')).toContainText(/10 MiB in \d+ ms .* over direct WebRTC/, { timeout: 120_000 });
  // The receiver lists the finished download.
  await expect(pageB.getByTestId('transfer-list').locator('[data-state="done"]')).toHaveCount(1);
  await other.close();
});

test('the app joins the network at start without the Network page, unless turned off in Settings', async ({ page, stack }) => {
  test.setTimeout(120_000);
  const p2pChunkLoaded = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/node\.browser-[^/]*\.js$/.test(e.name)));
  await page.goto(`${stack.appUrl}/#/twins`);
  await expect.poll(p2pChunkLoaded, { timeout: 30_000 }).toBe(true);
  // Opening the Network page now finds the node the shell started, with the time from page load to the relay.
  await page.goto(`${stack.appUrl}/#/network`);
  await expect(page.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  await expect(page.getByTestId('relay-page-load-ms')).toHaveText(/^\d+$/);

  await page.goto(`${stack.appUrl}/#/settings`);
  const toggle = page.getByTestId('network-autostart');
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await page.reload();
  await expect(page.getByTestId('network-autostart')).not.toBeChecked();
  await page.waitForLoadState('networkidle');
  expect(await p2pChunkLoaded()).toBe(false);
  // A page that needs the network still starts it.
  await page.goto(`${stack.appUrl}/#/network`);
  await expect(page.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  await page.goto(`${stack.appUrl}/#/settings`);
  await page.getByTestId('network-autostart').check();
});

test('a returning visit dials the relay it remembers, and follows the configuration when that relay is gone', async ({ page, stack }) => {
  test.setTimeout(120_000);
  await page.goto(`${stack.appUrl}/#/network`);
  await expect(page.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  const peerId = (await page.getByTestId('peer-id').textContent())!.trim();
  const remembered = () => page.evaluate(() => localStorage.getItem('twingrain.network.relay') ?? '');
  await expect.poll(remembered).toContain(stack.relayMultiaddr);
  // The relay this browser remembers is gone (an address where nothing listens, a peer id no relay has): the
  // configuration names the relay there is now, and the peer follows it.
  const moved = `/ip4/127.0.0.1/tcp/9/ws/p2p/${peerId}`;
  await page.evaluate(([m, development]) => localStorage.setItem('twingrain.network.relay', JSON.stringify({ multiaddrs: [m], development })), [
    moved,
    stack.config.relay.development,
  ] as const);
  await page.reload();
  await expect(page.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  await expect(page.getByTestId('peer-id')).toHaveText(peerId);
  await expect.poll(remembered).toContain(stack.relayMultiaddr);
});

test('a second tab of the same browser runs its own peer', async ({ page, stack }) => {
  test.setTimeout(120_000);
  await page.goto(`${stack.appUrl}/#/network`);
  await expect(page.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  const second = await page.context().newPage();
  await second.goto(`${stack.appUrl}/#/network`);
  await expect(second.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
  const first = (await page.getByTestId('peer-id').textContent())!.trim();
  const other = (await second.getByTestId('peer-id').textContent())!.trim();
  expect(other).not.toBe(first);
  await expect(second.getByTestId('peer-slot')).toContainText('Another tab');
  await expect(page.getByTestId('peer-slot')).toHaveCount(0);
  // The two tabs are two peers to each other, too.
  await expect(page.locator(`[data-peer-id="${other}"]`)).toBeVisible({ timeout: 60_000 });
  await second.close();
});

test('the Discover page reads the registry and says what it found', async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/#/discover`);
  await expect(page.getByTestId('discover-status')).toContainText(/\d+ registered granules? on chain/, { timeout: 60_000 });
  await expect(page.getByTestId('discover-search')).toBeVisible();
});
