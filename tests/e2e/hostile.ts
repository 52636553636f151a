// What the hostile-granule specs share: an appearance granule written to misbehave, packed like any contributed
// granule, and the user's way of running it — imported on the Twins page, composed into the JGAurora twin as its
// appearance context, and run.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect } from './fixtures';
import { packGranule } from '../../src/lib/granule/index';

const appearance = (printer: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../static-twins/${printer}/appearance/granule.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** A granule "mallory/<name>" whose controller is `controller`, on the manifest of a reference appearance granule. */
export function hostileGranule(name: string, controller: string, o: { printer?: string; manifest?: Record<string, unknown> } = {}): Uint8Array {
  const manifest = { ...appearance(o.printer ?? 'bluemaker-bm10-450'), name: `mallory/${name}`, description: `hostile granule: ${name}`, ...o.manifest };
  return packGranule({
    files: {
      'granule.json': JSON.stringify(manifest),
      'model.js': 'exports.x = 1;',
      'view.js': 'exports.render = () => null;',
      'scene.json': '{}',
      'controller.js': controller,
    },
  }).bytes;
}

/** Imports `bytes` on the Twins page, composes it as the JGAurora twin's appearance context and runs the twin. */
export async function composeAppearance(page: Page, appUrl: string, bytes: Uint8Array, name: string): Promise<void> {
  await page.goto(`${appUrl}/#/twins`);
  await page.getByTestId('import-file').setInputFiles({ name: `${name}.granule`, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await expect(page.getByTestId('import-result')).toContainText(name);
  await page.getByTestId('compose-base').selectOption('jgaurora-z-603s');
  await page.getByTestId('compose-context').selectOption('appearance');
  await page.getByTestId('compose-granule').selectOption({ label: `mallory/${name} 1.0.0 (yours)` });
  await page.getByTestId('compose').click();
  await composeAnyway(page, name);
  await page.getByTestId('run-twin').click();
  await expect(page.getByTestId('context-states').locator('tbody tr')).toHaveCount(9);
}

/** After Compose: granules made for another machine ask first (build volume, firmware); this test means it. */
export async function composeAnyway(page: Page, name: string): Promise<void> {
  const anyway = page.getByTestId('compose-anyway');
  await expect(anyway.or(page.locator('[role="tab"][aria-selected="true"]', { hasText: name }))).toBeVisible();
  if (await anyway.isVisible()) await anyway.click();
  await expect(page.locator('[role="tab"][aria-selected="true"]', { hasText: name })).toBeVisible();
}
