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
