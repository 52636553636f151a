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

test('the Discover page reads the registry and says what it found', async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}/#/discover`);
  await expect(page.getByTestId('discover-status')).toContainText(/\d+ registered granules? on chain/, { timeout: 60_000 });
  await expect(page.getByTestId('discover-search')).toBeVisible();
});
