// Issue 15, "Done when": the journey as a newcomer. Lina starts in one step, contributes a granule of her own and
// publishes it; Ben, in a second browser, finds it by her name, asks; Lina sees a badge, grants; Ben is told, gets it
// and runs it from "Received". Cleo asks too and is declined: she cannot obtain Lina's granule by any path the app
// offers — not with Ben's access code, not by composing a bundled copy (the bundled granules are the app's own,
// registered under "twingrain reference", and a different granule), not by publishing a bundled granule as hers.
import type { Browser, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { completeFirstRun, nav } from './members';

async function newcomer(browser: Browser, appUrl: string, name: string): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(appUrl);
  // The first visit lands on Get started.
  await expect(page.getByTestId('welcome-form')).toBeVisible();
  await completeFirstRun(page, name);
  return { page, close: () => context.close() };
}

async function askFor(page: Page, ownerName: string, granule: string): Promise<void> {
  await nav(page, 'Discover');
  const entry = page.getByTestId('catalog').locator('li', { hasText: granule });
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByLabel('Search text').fill(ownerName);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(entry).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  // Found by the owner's name; the owner shows as "name · short key", marked as claimed.
  await expect(page.getByTestId('catalog').locator('li')).toHaveCount(1);
  await expect(entry.getByTestId('owner')).toContainText(`${ownerName} · 0x`);
  await expect(entry.getByTestId('owner')).toContainText('claimed, not verified');
  await entry.getByTestId('request-authorization').click();
  await expect(entry.getByTestId('request-state')).toContainText('waiting for the owner');
}

test('a newcomer publishes a granule; another finds it by name, asks, is granted, gets it and runs it; a declined member cannot obtain it', async ({
  browser,
  stack,
}) => {
  test.setTimeout(480_000);
  const lina = await newcomer(browser, stack.appUrl, 'Lina Workshop');
  const ben = await newcomer(browser, stack.appUrl, 'Ben Makerspace');
  const cleo = await newcomer(browser, stack.appUrl, 'Cleo Print');
  const granule = `lina/z603s-look-${Date.now().toString(36)}`;
  try {
    // Lina contributes the JGAurora's appearance as her own granule; the wizard ends with "Publish now".
    const a = lina.page;
    await a.getByTestId('next-contribute').click();
    const wizard = a.getByTestId('contribute-wizard');
    await wizard.getByTestId('wizard-twin').selectOption('jgaurora-z-603s');
    await wizard.getByTestId('wizard-context').selectOption('appearance');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-name').fill(granule);
    await expect(wizard.getByTestId('wizard-owner')).toHaveValue('Lina Workshop');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-pack').click();
    await wizard.getByTestId('wizard-keep').click();
    await wizard.getByTestId('wizard-publish').click();
    // Share opens with it selected; Publish.
    await expect(a.getByTestId('granule-name')).toContainText(granule);
    await expect(a.getByTestId('not-registered')).toBeVisible({ timeout: 30_000 });
    await a.getByTestId('register').click();
    await expect(a.getByTestId('register-done')).toContainText('Published', { timeout: 120_000 });
    await expect(a.getByTestId('register')).toBeDisabled();

    // Ben finds it by Lina's name and asks.
    await askFor(ben.page, 'Lina Workshop', granule);

    // Lina sees a badge in the navigation and grants access to Ben, whom she sees by name.
    await expect(a.getByTestId('requests-badge')).toHaveText('1', { timeout: 60_000 });
    await nav(a, 'Requests');
    const request = a.getByTestId('inbox').locator('li[data-state="pending"]');
    await expect(request.getByTestId('requester')).toContainText('Ben Makerspace · 0x');
    await request.getByTestId('approve').click();
    await expect(a.getByTestId('inbox').locator('li[data-state="approved"]')).toContainText('Access granted', { timeout: 90_000 });
    await expect(a.getByTestId('requests-badge')).toHaveCount(0);

    // Ben is told (badge, "approved — get it now"), gets it, and runs it from Received.
    const b = ben.page;
    await expect(b.getByTestId('requests-badge')).toHaveText('1', { timeout: 60_000 });
    await nav(b, 'Requests');
    const mine = b.getByTestId('outbox').locator('li', { hasText: granule });
    await expect(mine.getByTestId('request-state')).toHaveText('Approved — get it now');
    await mine.getByTestId('instantiate').click();
    await expect(mine.getByTestId('receive-ok')).toContainText('Received ✓', { timeout: 120_000 });
    await expect(mine.getByTestId('request-state')).toHaveText('Received ✓');
    await expect(b.getByTestId('requests-badge')).toHaveCount(0);
    await mine.getByTestId('open-in-twins').click();
    const received = b.getByTestId('received-granules');
    await expect(received).toContainText('Received from Lina Workshop · 0x');
    await received.locator('li', { hasText: granule }).getByTestId('run-received').click();
    await expect(b.locator('[role="tab"][aria-selected="true"]')).toHaveText(`JGAurora Z-603S with ${granule}`);
    const states = b.getByTestId('context-states');
    await expect(states.locator('tbody tr')).toHaveCount(9, { timeout: 60_000 });
    await expect(states).not.toContainText('failed');
    // Peers by name too: Lina's browser, on Ben's Network page, carries the name her reply came with.
    await nav(b, 'Network');
    await expect(b.getByTestId('peer-list')).toContainText('Lina Workshop (name claimed, not verified)', { timeout: 60_000 });
    await nav(b, 'Twins');
    // Composed twins are kept across reloads, and Compose says where each granule comes from.
    await b.reload();
    await expect(b.locator('[role="tab"]', { hasText: `JGAurora Z-603S with ${granule}` })).toBeVisible();
    await b.getByTestId('compose-base').selectOption('shdm-3ddtp-500');
    await b.getByTestId('compose-context').selectOption('appearance');
    await expect(b.getByTestId('compose-granule')).toContainText(`${granule} 1.0.0 (received from Lina Workshop)`);
    await expect(b.getByTestId('compose-granule')).toContainText('(bundled · JGAurora Z-603S)');

    // Cleo asks; Lina declines (asked to confirm, undoable until sent), and Cleo is told.
    const c = cleo.page;
    await askFor(c, 'Lina Workshop', granule);
    await expect(a.getByTestId('requests-badge')).toHaveText('1', { timeout: 60_000 });
    const cleoAsks = a.getByTestId('inbox').locator('li[data-state="pending"]');
    await expect(cleoAsks.getByTestId('requester')).toContainText('Cleo Print');
    await cleoAsks.getByTestId('decline').click();
    await cleoAsks.getByTestId('confirm-decline').click();
    await cleoAsks.getByTestId('undo-decline').click();
    await expect(cleoAsks.getByTestId('approve')).toBeVisible();
    await cleoAsks.getByTestId('decline').click();
    await cleoAsks.getByTestId('confirm-decline').click();
    await expect(a.getByTestId('inbox').locator('li[data-state="declined"]')).toHaveCount(1, { timeout: 30_000 });
    await nav(c, 'Requests');
    await expect(c.getByTestId('outbox').locator('li', { hasText: granule }).getByTestId('request-state')).toHaveText('Declined by the owner', {
      timeout: 60_000,
    });

    // No path gives Cleo the granule. Ben's access code is Ben's: with it Cleo's app refuses before anything leaves.
    const bensCode = await b.evaluate(async () => {
      const open = indexedDB.open('twingrain');
      const db = await new Promise<IDBDatabase>(
        (resolve, reject) => ((open.onsuccess = () => resolve(open.result)), (open.onerror = () => reject(open.error))),
      );
      const rows = await new Promise<Array<{ recordAddress?: string }>>((resolve) => {
        const r = db.transaction('requests').objectStore('requests').getAll();
        r.onsuccess = () => resolve(r.result as Array<{ recordAddress?: string }>);
      });
      return rows.find((x) => x.recordAddress)?.recordAddress ?? '';
    });
    expect(bensCode).toMatch(/^twingrain:authorization\//);
    await nav(c, 'Share');
    await c.getByTestId('instantiate-input').fill(bensCode);
    await c.getByTestId('instantiate').click();
    await expect(c.getByTestId('instantiate-error')).toBeVisible({ timeout: 90_000 });
    await expect(c.getByTestId('receive-ok')).toHaveCount(0);
    // A bundled granule cannot be published as hers: the app's reference identity holds every one of them.
    await c.getByTestId('granule-select').selectOption({ index: 0 });
    await expect(c.getByTestId('already-registered')).toContainText('twingrain reference');
    await expect(c.getByTestId('register')).toBeDisabled();
    // On Twins, nothing of Lina's is there: nothing received, and Compose offers only the bundled granules (the app's).
    await nav(c, 'Twins');
    await expect(c.getByTestId('received-granule')).toHaveCount(0);
    await c.getByTestId('compose-base').selectOption('shdm-3ddtp-500');
    await c.getByTestId('compose-context').selectOption('appearance');
    await expect(c.getByTestId('compose-granule')).not.toContainText(granule);
  } finally {
    await lina.close();
    await ben.close();
    await cleo.close();
  }
});
