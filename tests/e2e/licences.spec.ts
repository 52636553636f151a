// Issue 16 in the browser: an owner grants access with terms, ends one access (revoke) and lets another run out
// (expiry, with anvil's clock moved forward). The users see the terms and state before getting the granule, and
// each ended access is refused with its reason on screen; the owner is told that a copy already received stays.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { createMember, importOwnGranules, nav } from './members';

async function becomeMember(page: Page, label: string): Promise<string> {
  const pk = await createMember(page, label);
  await nav(page, 'Share');
  await expect(page.getByTestId('chain-sync')).toContainText('in sync');
  return pk;
}

async function chooseUnregistered(page: Page): Promise<string> {
  const count = await page.getByTestId('granule-select').locator('option').count();
  for (let index = 0; index < count; index++) {
    await page.getByTestId('granule-select').selectOption({ index });
    const state = page.getByTestId('not-registered').or(page.getByTestId('already-registered')).or(page.getByTestId('already-mine'));
    await expect(state).toBeVisible();
    if (await page.getByTestId('not-registered').isVisible()) return (await page.getByTestId('granule-alpha').textContent())!.trim();
  }
  throw new Error('every granule on offer is registered already on this stack');
}

async function grant(page: Page, alpha: string, userPk: string, terms: { expires?: string; price?: string } = {}): Promise<string> {
  await page.getByTestId('authorize-alpha').fill(alpha);
  await page.getByTestId('authorize-user').fill(userPk);
  await page.getByTestId('licence-expires').fill(terms.expires ?? '');
  await page.getByTestId('licence-price').fill(terms.price ?? '');
  await page.getByTestId('authorize').click();
  await expect(page.getByTestId('authorize-record')).toContainText('?salt=0x', { timeout: 60_000 });
  return (await page.getByTestId('authorize-record').textContent())!.trim();
}

/** A local date-time `minutes` from now, as a datetime-local input takes it. */
function localInMinutes(minutes: number): string {
  const d = new Date(Date.now() + minutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<void> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  expect(r.ok).toBe(true);
}

test('an owner ends one access and lets another expire; both users see it and cannot get the granule', async ({ page, browser, stack }) => {
  test.setTimeout(300_000);
  const contextB = await browser.newContext();
  const contextC = await browser.newContext();
  const pageB = await contextB.newPage();
  const pageC = await contextC.newPage();
  try {
    await pageB.goto(`${stack.appUrl}/#/share`);
    await pageC.goto(`${stack.appUrl}/#/share`);
    await createMember(page, 'Owner workshop');
    // The bundled reference granules are the app's: the owner publishes one of its own.
    await importOwnGranules(page, 'Owner workshop', 1);
    await nav(page, 'Share');
    await expect(page.getByTestId('chain-sync')).toContainText('in sync');
    const pkB = await becomeMember(pageB, 'Revoked workshop');
    const pkC = await becomeMember(pageC, 'Late workshop');

    const alpha = await chooseUnregistered(page);
    await page.getByTestId('register').click();
    await expect(page.getByTestId('register-stages')).toHaveAttribute('data-stage', 'done', { timeout: 60_000 });

    // Revoke: B is granted access at a price, sees the terms before getting the granule, and the owner ends it.
    const recordB = await grant(page, alpha, pkB, { price: '2' });
    await pageB.getByTestId('instantiate-input').fill(recordB);
    await expect(pageB.getByTestId('licence-state')).toHaveText('Active: can be used');
    await expect(pageB.getByTestId('licence-price-text')).toHaveText('2 credits');
    await expect(pageB.getByTestId('licence-until')).toHaveText('no end date');
    await expect(pageB.getByTestId('licence-accept')).toBeVisible();

    await page.getByTestId('check-chain').click();
    const given = page.getByTestId('record-given').filter({ hasText: '' }).first();
    await expect(given.getByTestId('licence-state')).toHaveText('Active: can be used');
    await given.getByTestId('revoke-start').click();
    await expect(given.getByTestId('revoke-warning')).toContainText('keeps that copy');
    await given.getByTestId('revoke-confirm').click();
    await expect(given.getByTestId('revoke-done')).toBeVisible({ timeout: 30_000 });

    await pageB.getByTestId('instantiate-input').fill('');
    await pageB.getByTestId('instantiate-input').fill(recordB);
    await expect(pageB.getByTestId('licence-state')).toHaveText('Ended');
    await pageB.getByTestId('instantiate').click();
    await expect(pageB.getByTestId('instantiate-error')).toContainText('revoked this licence');

    // Expiry: C's access ends in five minutes; the chain's clock moves ten minutes on before C uses it.
    const recordC = await grant(page, alpha, pkC, { expires: localInMinutes(5) });
    await pageC.getByTestId('instantiate-input').fill(recordC);
    await expect(pageC.getByTestId('licence-state')).toHaveText('Active: can be used');
    await expect(pageC.getByTestId('licence-price-text')).toHaveText('free');
    await rpc(stack.rpcUrl, 'evm_increaseTime', [600]);
    await rpc(stack.rpcUrl, 'evm_mine');
    await pageC.getByTestId('instantiate-input').fill('');
    await pageC.getByTestId('instantiate-input').fill(recordC);
    await expect(pageC.getByTestId('licence-state')).toHaveText('Expired');
    await pageC.getByTestId('instantiate').click();
    await expect(pageC.getByTestId('instantiate-error')).toContainText('expired');
  } finally {
    await contextB.close();
    await contextC.close();
  }
});
