// Making a browser a member: an identity created on Settings and the local development account as its wallet.
import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import { packGranule } from '../../src/lib/granule/index';

/**
 * Opens a page from the main navigation and returns once it is the page shown. A click is made again when the page
 * did not change: in about one run in twenty under load (and once in CI) a second browser's click on "Settings" left
 * it on Share, its link not current, with nothing in its console; the retry is said on stderr so a run shows it.
 */
export async function nav(page: Page, name: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  let clicks = 0;
  await expect(async () => {
    if ((await link.getAttribute('aria-current')) !== 'page') {
      if (clicks++ > 0) process.stderr.write(`nav: the click on "${name}" did not open it (still at ${page.url()}); clicking again\n`);
      await link.click();
    }
    await expect(link).toHaveAttribute('aria-current', 'page', { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
}

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

/**
 * Granules of `owner`'s own (the JGAurora look, renamed: a fresh granule ID each run), imported on Twins. The bundled
 * reference granules are the app's (the stack registers them under "twingrain reference"): members publish their own.
 */
export async function importOwnGranules(page: Page, owner: string, count: number): Promise<void> {
  const dir = new URL('../../static-twins/jgaurora-z-603s/appearance/', import.meta.url);
  const file = (f: string) => readFileSync(new URL(f, dir), 'utf8');
  await nav(page, 'Twins');
  for (let i = 0; i < count; i++) {
    const name = `${owner.toLowerCase().replace(/\W+/g, '-')}/look-${i}-${Date.now().toString(36)}`;
    const manifest = { ...JSON.parse(file('granule.json')), name, owner: { publicKey: '', name: owner } };
    const bytes = packGranule({
      files: {
        'granule.json': JSON.stringify(manifest),
        'model.js': file('model.js'),
        'view.js': file('view.js'),
        'scene.json': file('scene.json'),
        'controller.js': file('controller.js'),
      },
    }).bytes;
    await page.getByTestId('import-file').setInputFiles({ name: `look-${i}.granule`, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await expect(page.getByTestId('import-result')).toContainText(name);
  }
}
