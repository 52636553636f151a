// The Twins page on the embedded stack: Fig. 1 of the reference twins, a twin running in sandboxed workers against
// its virtual printer, composition, and the contribution wizard — whose granule is downloaded and verified here.
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures';
import { composeAppearance, hostileGranule } from './hostile';
import { unpackGranule, alphaHex } from '../../src/lib/granule/index';

test.describe('Twins page', () => {
  test('shows the reference twins as Fig. 1 with the granules they share', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/twins`);
    const diagram = page.getByTestId('twin-diagram');
    await expect(diagram.locator('[data-domain]')).toHaveCount(3);
    await expect(diagram.locator('[data-context]')).toHaveCount(9);
    await expect(page.getByTestId('twin-valid')).toContainText('Complete twin: 3 domains, 9 parts');
    await expect(diagram.locator('[data-context="communication"] [data-testid="shared-with"]')).toContainText('JGAurora Z-603S');
    await expect(diagram.locator('[data-context="appearance"] [data-testid="shared-with"]')).toHaveCount(0);
    await expect(page.getByTestId('shared-granules').locator('tbody tr')).toHaveCount(5);
  });

  test('runs a twin in sandboxed workers against its virtual printer and opens context views', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/twins`);
    await page.locator('[data-twin="jgaurora-z-603s"]').click();
    await page.getByTestId('run-twin').click();
    const states = page.getByTestId('context-states').locator('tbody tr');
    await expect(states).toHaveCount(9);
    await expect(page.getByTestId('context-states')).not.toContainText('failed');
    await expect(page.getByTestId('context-view').getByTestId('scene')).toBeVisible();
    await page.locator('[data-context="automation"]').first().click();
    const view = page.getByTestId('context-view');
    await expect(view.locator('button[data-op="led"]')).toBeVisible();
    await view.locator('button[data-op="home"]').click();
    await expect(view).toContainText('G28');
    await view.locator('button[data-op="setBed"]').click();
    await expect(view).toContainText('M140 S60');
    await page.locator('[data-context="sensing"]').first().click();
    await view.locator('button[data-op="poll"]').click();
    await expect(view).toContainText('°C → 60 °C');
    await page.locator('[data-context="formalization"]').first().click();
    await expect(view).toContainText('Asset Administration Shell submodel');
  });

  test('composes the JGAurora twin with the BlueMaker appearance granule', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/twins`);
    await page.getByTestId('compose-base').selectOption('jgaurora-z-603s');
    await page.getByTestId('compose-context').selectOption('appearance');
    await page.getByTestId('compose-granule').selectOption({ label: 'bluemaker-bm10-450/appearance (bundled · BlueMaker BM10-450)' });
    await page.getByTestId('compose').click();
    // A 300 × 350 mm BlueMaker look on the 280 × 180 mm JGAurora: the page says so before composing.
    await expect(page.getByTestId('environment-conflicts')).toContainText(
      'build volume of 300 × 350 × 450 mm, but the rest of this twin says 280 × 180 × 180 mm',
    );
    await page.getByTestId('compose-anyway').click();
    await expect(page.getByRole('tab', { selected: true })).toContainText('JGAurora Z-603S with bluemaker-bm10-450/appearance');
    await expect(page.getByTestId('twin-valid')).toBeVisible();
    await expect(page.getByTestId('twin-diagram').locator('[data-context="appearance"]')).toContainText('bluemaker-bm10-450/appearance');
    await page.getByTestId('run-twin').click();
    await expect(page.getByTestId('context-states').locator('tbody tr')).toHaveCount(9);
    await expect(page.getByTestId('context-view')).toContainText('BlueMaker BM10-450');
    // Composed twins are kept: after a reload it is still listed.
    await page.reload();
    await expect(page.locator('[role="tab"]', { hasText: 'JGAurora Z-603S with bluemaker-bm10-450/appearance' })).toBeVisible();
  });

  test('the contribution wizard packs a granule, keeps it, and the archive verifies', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/twins`);
    const wizard = page.getByTestId('contribute-wizard');
    await wizard.getByTestId('wizard-twin').selectOption('jgaurora-z-603s');
    await wizard.getByTestId('wizard-context').selectOption('automation');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-name').fill('acme/z603s-automation');
    await wizard.getByTestId('wizard-version').fill('1.2.0');
    await wizard.getByTestId('wizard-description').fill('Automation for the Z-603S with an e2e-tested LED control');
    await wizard.getByTestId('wizard-tags').fill('automation, led, e2e');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-add-library').click();
    await wizard.getByLabel('library name').fill('marlin');
    await wizard.getByLabel('library version').fill('2.1.2');
    await wizard.getByTestId('wizard-next').click();
    const env = JSON.parse(await wizard.getByTestId('wizard-environment').inputValue()) as Record<string, unknown>;
    await wizard.getByTestId('wizard-environment').fill(JSON.stringify({ ...env, firmware: 'Marlin 2.1.2' }, null, 2));
    await wizard.getByTestId('wizard-pack').click();
    const alpha = (await wizard.getByTestId('wizard-alpha').textContent())!.trim();
    expect(alpha).toMatch(/^0x[0-9a-f]{64}$/);
    const size = Number((await wizard.getByTestId('wizard-size').textContent())!.replace(/\D/g, ''));
    await wizard.getByTestId('wizard-keep').click();
    await expect(wizard.getByTestId('wizard-kept')).toContainText(alpha.slice(0, 12));
    await expect(page.getByTestId('local-granules')).toContainText('acme/z603s-automation');

    // The archive itself: download it and verify it outside the browser.
    const [download] = await Promise.all([page.waitForEvent('download'), wizard.getByTestId('wizard-download').click()]);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    expect(bytes.length).toBe(size);
    expect(alphaHex(bytes)).toBe(alpha);
    const g = unpackGranule({ bytes, expectedAlpha: alpha });
    expect(g.manifest).toMatchObject({
      name: 'acme/z603s-automation',
      version: '1.2.0',
      context: 'automation',
      domain: 'enabling',
      description: 'Automation for the Z-603S with an e2e-tested LED control',
      tags: ['automation', 'led', 'e2e'],
      dependencies: { libraries: [{ name: 'marlin', version: '2.1.2' }] },
      environment: expect.objectContaining({ firmware: 'Marlin 2.1.2' }),
    });
    expect([...g.files.keys()].sort()).toEqual(['controller.js', 'extras.js', 'model.js', 'view.js']);

    // Importing the same archive verifies it; a truncated copy is refused with a clear message.
    await page.getByTestId('import-file').setInputFiles({ name: 'granule.granule', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await expect(page.getByTestId('import-result')).toContainText(alpha);
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: 'cut.granule', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes.subarray(0, 300)) });
    await expect(page.getByTestId('import-error')).toContainText('truncated');
  });
});

test.describe('hostile granules in the browser sandbox', () => {
  // Appearance granules written to misbehave, packed like any contributed granule, imported and composed into a twin.
  const hostile = (name: string, controller: string) => ({ bytes: hostileGranule(name, controller) });

  const composeWith = composeAppearance;

  test('a granule probing for indexedDB, fetch, storage, the page and code-from-strings finds nothing', async ({ page, stack }) => {
    const probe = `
      const t = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v; } catch (e) { return 'blocked'; } };
      const report = () => ({ type: 'kv', items: [
        ['indexedDB', t(() => indexedDB)], ['fetch', t(() => fetch)], ['XMLHttpRequest', t(() => XMLHttpRequest)], ['WebSocket', t(() => WebSocket)],
        ['caches', t(() => caches)], ['navigator', t(() => navigator)], ['postMessage', t(() => postMessage)], ['importScripts', t(() => importScripts)],
        // Code compiled from strings runs in the granule's own QuickJS engine: it finds no web API either.
        ['document', t(() => document)], ['parent', t(() => parent)], ['Function', t(() => (function () {}).constructor('return typeof fetch === "undefined" && typeof self === "undefined" ? undefined : 1')())],
        ['eval', t(() => eval('typeof indexedDB === "undefined" ? undefined : 1'))], ['Worker', t(() => new Worker('data:,'))], ['BroadcastChannel', t(() => new BroadcastChannel('x'))],
        ['setTimeout string', t(() => setTimeout('1'))],
      ] });
      exports.operations = { scene: () => ({}), pose: () => ({}), placed: () => [], view: report };`;
    await composeWith(page, stack.appUrl, hostile('spy', probe).bytes, 'spy');
    const view = page.getByTestId('context-view');
    await expect(view.locator('dl.kv')).toBeVisible();
    const items = await view.locator('dl.kv dd').allTextContents();
    expect(items).toHaveLength(15);
    for (const v of items) expect(['undefined', 'blocked']).toContain(v);
    // The rest of the twin keeps working.
    await page.locator('[data-context="mechanical"]').first().click();
    await expect(view).toContainText('JGAurora Z-603S');
  });

  test('a granule that hangs is stopped and reported; the rest keeps running', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile('loop', 'exports.start = () => { for (;;) {} };\nexports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => 1 };').bytes,
      'loop',
    );
    await expect(page.getByTestId('incidents')).toContainText('appearance: hang');
    await expect(page.getByTestId('context-states')).toContainText('failed');
    await page.locator('[data-context="automation"]').first().click();
    const view = page.getByTestId('context-view');
    await view.locator('button[data-op="home"]').click();
    await expect(view).toContainText('G28');
  });

  test('a granule that allocates without bound is stopped; the rest keeps running', async ({ page, stack }) => {
    await composeWith(
      page,
      stack.appUrl,
      hostile(
        'hog',
        'exports.operations = { scene: () => 1, pose: () => 1, placed: () => 1, view: () => { const a = []; for (;;) a.push(new Array(1e6).fill(a.length)); } };',
      ).bytes,
      'hog',
    );
    await expect(page.getByTestId('context-view')).toContainText('not running', { timeout: 60_000 });
    await expect(page.getByTestId('incidents')).toContainText('appearance');
    await page.locator('[data-context="mechanical"]').first().click();
    await expect(page.getByTestId('context-view')).toContainText('JGAurora Z-603S');
  });
});
