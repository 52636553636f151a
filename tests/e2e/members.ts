// Making a browser a member: an identity created on Settings and the local development account as its wallet.
import { expect, type Page } from '@playwright/test';

export const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

/** Creates and unlocks an identity called `label` and connects the funded dev account; returns the public key. */
export async function createMember(page: Page, label: string): Promise<string> {
  await nav(page, 'Settings');
  await page.getByTestId('new-label').fill(label);
  await page.getByTestId('new-passphrase').fill(`${label} passphrase 42`);
  await page.getByTestId('confirm-passphrase').fill(`${label} passphrase 42`);
  await page.getByTestId('create-identity').click();
  await expect(page.getByTestId('identity-unlocked')).toContainText(label);
  await page.getByTestId('use-dev-account').click();
  await expect(page.getByTestId('wallet-balance')).toHaveText('100 ETH');
  return (await page.getByTestId('identity-pk').textContent())!.trim();
}

/** The one-step first run (Get started): name, passphrase, "stay unlocked"; ends on what to do next. */
export async function completeFirstRun(page: Page, name: string): Promise<void> {
  await page.evaluate(() => (location.hash = '#/welcome'));
  await page.getByTestId('welcome-name').fill(name);
  await page.getByTestId('welcome-passphrase').fill(`${name} passphrase 42`);
  await page.getByTestId('welcome-repeat').fill(`${name} passphrase 42`);
  await page.getByTestId('welcome-start').click();
  await expect(page.getByTestId('welcome-done')).toContainText(`You are ready, ${name}.`);
  await expect(page.getByTestId('status-identity')).toContainText(name);
  await expect(page.getByTestId('status-wallet')).toContainText('Wallet');
}
