// The Twins page's AASX exchange on the embedded stack: a reference twin is exported (a real download), checked in
// Node with the same lib the CLI uses, imported back through the page, and a hostile package is refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { test, expect } from './fixtures';

// The CLI (tsx) reads the package in Node: Playwright's loader cannot resolve the AAS library's ESM build itself.
const cli = (...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, [resolve('bin/twingrain.js'), ...args], { encoding: 'utf8' })) as Record<string, any>;

test.describe('Twins page: AASX', () => {
  test('exports a reference twin as AASX and imports it back with the same granules', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/twins`);
    await page.locator('[data-twin="bluemaker-bm10-450"]').click();
    await expect(page.getByTestId('aas-export-twin')).toHaveValue('bluemaker-bm10-450');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('aas-export').click()]);
    expect(download.suggestedFilename()).toBe('bluemaker-bm10-450.aasx');
    const file = join(tmpdir(), `twingrain-e2e-${Date.now()}.aasx`);
    await download.saveAs(file);
    await expect(page.getByTestId('aas-exported')).toContainText('Exported BlueMaker BM10-450');

    // The downloaded file imports with the CLI to the same granules as the folder on disk.
    const expected = (cli('twin', 'validate', 'static-twins/bluemaker-bm10-450').granules as { alpha: string }[]).map((g) => g.alpha);
    const bytes = new Uint8Array(readFileSync(file));
    const inNode = cli('twin', 'import', file, '-o', join(mkdtempSync(join(tmpdir(), 'twingrain-e2e-')), 'twin'));
    expect(inNode.granules.map((g: { alpha: string }) => g.alpha)).toEqual(expected);
    expect(inNode.unmapped).toEqual([]);

    // Back through the page: a new tab with the twin, valid, every granule identical.
    await page.getByTestId('aas-import-file').setInputFiles(file);
    const imported = page.getByTestId('aas-imported');
    await expect(imported).toContainText('Imported BlueMaker BM10-450');
    await expect(imported).toContainText('9 bounded contexts');
    await expect(page.getByTestId('aas-unmapped')).toHaveCount(0);
    const tab = page.locator('[data-twin="aasx:bluemaker-bm10-450"]');
    await expect(tab).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('twin-valid')).toContainText('Complete twin');
    await imported.locator('summary', { hasText: 'Technical details' }).click();
    for (const alpha of expected) await expect(imported).toContainText(alpha);

    // Exporting the imported twin gives the very same file.
    await page.getByTestId('aas-export-twin').selectOption('aasx:bluemaker-bm10-450');
    const [again] = await Promise.all([page.waitForEvent('download'), page.getByTestId('aas-export').click()]);
    const againFile = join(tmpdir(), `twingrain-e2e-again-${Date.now()}.aasx`);
    await again.saveAs(againFile);
    expect(readFileSync(againFile).equals(Buffer.from(bytes))).toBe(true);
  });

  test('refuses a package with a path that climbs out of its folder, and says why', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/twins`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('aas-export').click()]);
    const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
    entries['../../evil.js'] = new TextEncoder().encode('alert(1)');
    const hostile = join(tmpdir(), `twingrain-e2e-hostile-${Date.now()}.aasx`);
    writeFileSync(hostile, zipSync(entries));
    await page.getByTestId('aas-import-file').setInputFiles(hostile);
    await expect(page.getByTestId('aas-import-error')).toContainText('unsafe path "../../evil.js"');
    await expect(page.getByTestId('aas-imported')).toHaveCount(0);
    await expect(page.locator('[data-twin^="aasx:"]')).toHaveCount(0);
  });
});
