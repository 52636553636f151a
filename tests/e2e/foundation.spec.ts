import { test, expect } from './fixtures';

test.describe('the installable app on the embedded stack', () => {
  test('has a valid web manifest and an active service worker, and reloads offline', async ({ page, context, stack }) => {
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBeTruthy();
    const manifest = (await (await page.request.get(new URL(manifestHref!, stack.appUrl).href)).json()) as {
      name: string;
      start_url: string;
      display: string;
      theme_color: string;
      description: string;
      icons: { src: string; sizes: string; purpose?: string }[];
    };
    expect(manifest.name).toBe('twingrain');
    expect(manifest.display).toBe('standalone');
    expect(manifest.theme_color).toMatch(/^#/);
    expect(manifest.description.length).toBeGreaterThan(10);
    expect(manifest.icons.some((i) => i.sizes === '512x512' && i.purpose === 'maskable')).toBe(true);
    for (const icon of manifest.icons) expect((await page.request.get(new URL(icon.src, stack.appUrl).href)).status()).toBe(200);

    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state)).toBe('activated');
    await page.reload(); // the page is now controlled by the service worker
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await page.goto(`${stack.appUrl}/#/settings`);
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await context.setOffline(false);
  });

  test('keeps the community node to start from that a member chose under Settings, and refuses a bad address', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/settings`);
    const panel = page.getByTestId('start-node-panel');
    await expect(panel.getByTestId('start-node-now')).toHaveText("Now: your community's node.");
    await expect(panel.getByTestId('start-node-address')).toHaveValue(stack.config.trees!.snapshot);
    await panel.getByTestId('start-node-address').fill('https://me:secret@node.example.org');
    await panel.getByTestId('start-node-save').click();
    await expect(panel.getByTestId('start-node-error')).toContainText('That is not the address of a community node');
    await expect(panel.getByTestId('start-node-now')).toHaveText("Now: your community's node.");
    await panel.getByTestId('start-node-address').fill('https://node.example.org');
    await panel.getByTestId('start-node-save').click();
    await expect(panel.getByRole('status')).toContainText('Saved');
    await page.reload();
    await expect(panel.getByTestId('start-node-now')).toHaveText('Now: the node you chose.');
    await expect(panel.getByTestId('start-node-address')).toHaveValue('https://node.example.org/trees/snapshot');
    await panel.getByRole('button', { name: "Use the community's setting" }).click();
    await expect(panel.getByTestId('start-node-now')).toHaveText("Now: your community's node.");
    await expect(panel.getByTestId('start-node-address')).toHaveValue(stack.config.trees!.snapshot);
  });

  test('shows the live chain and the relay as connected on the Network page', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/network`);
    await expect(page.getByTestId('chain-rpc')).toHaveText(stack.rpcUrl);
    await expect(page.getByTestId('chain-status')).toHaveText('reachable');
    const first = Number(await page.getByTestId('block-height').textContent());
    expect(first).toBeGreaterThan(0);
    // The height is live: a new block on the chain shows up without a reload.
    await fetch(stack.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }),
    });
    await expect.poll(async () => Number(await page.getByTestId('block-height').textContent())).toBeGreaterThan(first);
    for (const address of Object.values(stack.config.chain.contracts)) await expect(page.getByTestId('contracts')).toContainText(address);
    await expect(page.getByTestId('relay-status')).toContainText('connected', { timeout: 30_000 });
    await expect(page.getByTestId('storage-quota')).not.toBeEmpty();
  });

  test('creates an identity that survives a reload, and refuses a wrong passphrase without losing it', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/settings`);
    await page.getByTestId('new-label').fill('Workshop A');
    await page.getByTestId('new-passphrase').fill('granular twins 42');
    await page.getByTestId('confirm-passphrase').fill('granular twins 42');
    await page.getByTestId('create-identity').click();
    await expect(page.getByTestId('identity-unlocked')).toContainText('Workshop A');
    const pk = (await page.getByTestId('identity-pk').textContent())!;
    expect(pk).toMatch(/^0x[0-9a-f]{64}$/);

    // "Stay unlocked for this session" (on by default) keeps it unlocked across a reload of this tab.
    await page.reload();
    await expect(page.getByTestId('identity-unlocked')).toContainText('Workshop A');
    await expect(page.getByTestId('status-identity')).toContainText('Workshop A');
    // Locked, it stays locked after a reload.
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.reload();
    await expect(page.getByTestId('identity-select')).toBeVisible();
    await page.getByTestId('unlock-passphrase').fill('not my passphrase');
    await page.getByTestId('unlock').click();
    await expect(page.getByTestId('identity-error')).toContainText('Wrong passphrase');
    await expect(page.getByTestId('identity-unlocked')).toHaveCount(0);

    await page.reload();
    await page.getByTestId('unlock-passphrase').fill('granular twins 42');
    await page.getByTestId('stay-unlocked').uncheck();
    await page.getByTestId('unlock').click();
    await expect(page.getByTestId('identity-pk')).toHaveText(pk);
    // Not kept for the session this time: a reload locks it again.
    await page.reload();
    await expect(page.getByTestId('identity-select')).toBeVisible();
  });

  test('offers a funded local development account on the development chain', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/settings`);
    await page.getByTestId('use-dev-account').click();
    await expect(page.getByTestId('wallet-label')).toContainText('development');
    await expect(page.getByTestId('wallet-balance')).toHaveText('100 ETH');
    // The wallet stays connected across a reload.
    await page.reload();
    await expect(page.getByTestId('wallet-label')).toContainText('development');
    await expect(page.getByTestId('status-wallet')).toContainText('Wallet');
  });
});
