// Printers page end to end: for each reference twin, connect its virtual printer (1% line faults), heat, home, print a
// generated multi-layer part to the end, and watch the 3D view, layer preview and temperature charts follow. The same
// path runs through a stand-in navigator.serial whose port is a virtual printer — a double of the browser API only;
// the real host protocol, Web Serial transport code and simulator run behind it.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { slice, type Flavour } from '../fixtures/gcode/slicer';
import { stripComment } from '../../src/lib/printer/index';

const MODELS = ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'] as const;

interface Metrics {
  frames: number;
  positionsApplied: number;
  partSegments: number;
  lastPosition?: { x: number; y: number; z: number };
}

async function metrics(page: Page, id: string): Promise<Metrics | undefined> {
  return page.evaluate((pid) => (globalThis as unknown as { __twingrainPrinterMetrics?: Record<string, Metrics> }).__twingrainPrinterMetrics?.[pid], id);
}

async function printThroughPanel(page: Page, id: string, model: string) {
  const panel = page.getByTestId(`printer-panel-${id}`);
  await expect(panel).toHaveAttribute('data-status', 'ready');
  await expect(panel.getByTestId('scene-3d')).toHaveAttribute('data-source', 'appearance-granule');
  // Controls follow Table 2.
  await expect(panel.getByTestId('led-control')).toHaveCount(model === 'jgaurora-z-603s' ? 1 : 0);
  await expect(panel.getByTestId('speed-control')).toHaveCount(model === 'jgaurora-z-603s' ? 1 : 0);
  await expect(panel.getByTestId('tool-select')).toHaveCount(model === 'bluemaker-bm10-450' ? 1 : 0);
  await expect(panel.getByTestId('heat-bed')).toHaveCount(model === 'shdm-3ddtp-500' ? 0 : 1);
  await expect(panel.getByTestId('fan-control')).toHaveCount(model === 'shdm-3ddtp-500' ? 0 : 1);

  // Heat and home.
  await panel.getByTestId('heat-0').click();
  if (model !== 'shdm-3ddtp-500') await panel.getByTestId('heat-bed').click();
  await panel.getByTestId('home').click();
  await expect(panel.getByTestId('message')).toHaveText('Homed.');
  await expect(panel.getByTestId('temperatures')).toContainText('/ 200 °C');
  // Charts follow: temperature samples accumulate and the hotend curve is drawn.
  await expect.poll(async () => Number(await panel.getByTestId('temp-chart').getAttribute('data-samples')), { timeout: 20_000 }).toBeGreaterThan(2);
  await expect(panel.getByTestId('temp-line-T0')).toHaveAttribute('d', /^M.*L/);

  // A generated multi-layer part, queued, parsed in the worker, printed to the end.
  await panel.getByTestId('generate').click();
  await expect(panel.getByTestId('estimate')).toContainText('8 layers');
  await panel.getByTestId('print').click();
  await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'finished', { timeout: 90_000 });
  await expect(panel.getByTestId('history-row').first()).toHaveAttribute('data-result', 'finished');
  await expect(panel.getByTestId('layer-now')).toHaveAttribute('data-layer', '7');
  // The 3D view followed: frames rendered, position reports applied, the part grew to all its segments.
  await expect.poll(async () => (await metrics(page, id))?.partSegments ?? 0).toBe(8 * 4); // one display segment per side: collinear pieces are merged
  const m = await metrics(page, id);
  expect(m!.frames).toBeGreaterThan(10);
  expect(m!.positionsApplied).toBeGreaterThan(0);
  // The generated file ends with M84 after lifting 5 mm above the last layer (8 × 0.2 mm).
  await expect.poll(async () => (await metrics(page, id))?.lastPosition?.z ?? 0, { timeout: 10_000 }).toBeCloseTo(6.6, 1);
}

async function executedOn(page: Page, id = 'p1'): Promise<string[]> {
  return page.evaluate((pid) => [...((globalThis as unknown as { __twingrainExecuted?: Record<string, string[]> }).__twingrainExecuted?.[pid] ?? [])], id);
}

test.describe('Printers page', () => {
  for (const [i, model] of MODELS.entries()) {
    test(`prints a multi-layer part on the virtual ${model} with faults injected`, async ({ page, stack }) => {
      await page.goto(`${stack.appUrl}/#/printers`);
      await page.getByTestId('model').selectOption(model);
      await page.getByTestId('connect-advanced').locator('summary').click();
      await page.getByTestId('faults').fill('0.01');
      await page.getByTestId('connect').click();
      await printThroughPanel(page, 'p1', model);
      void i;
    });
  }

  test('runs the same path through a stand-in navigator.serial, with two printers at once', async ({ page, stack }) => {
    await page.addInitScript(() => {
      type PortFactory = (o: unknown) => unknown;
      const serial = {
        async requestPort() {
          const make = (globalThis as unknown as { __twingrainVirtualPort: PortFactory }).__twingrainVirtualPort;
          const model = (document.querySelector('[data-testid="model"]') as HTMLSelectElement).value;
          return make({ model, faults: { checksumErrorRate: 0.01 }, skipWaits: true });
        },
        async getPorts() {
          return [];
        },
        addEventListener() {},
        removeEventListener() {},
      };
      Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
    });
    await page.goto(`${stack.appUrl}/#/printers`);
    // The fixture's page is already on the app: reload so the init script runs in a fresh document.
    await page.reload();
    // A virtual printer first, then the Web Serial one: both panels live side by side.
    await page.getByTestId('model').selectOption('shdm-3ddtp-500');
    await page.getByTestId('connect').click();
    await expect(page.getByTestId('printer-panel-p1')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('model').selectOption('jgaurora-z-603s');
    await page.getByTestId('kind').selectOption('webserial');
    await page.getByTestId('baud').selectOption('115200');
    await page.getByTestId('connect').click();
    await expect(page.getByTestId('printer-panel-p2')).toContainText('USB 1d50:6029 @ 115200');
    await printThroughPanel(page, 'p2', 'jgaurora-z-603s');
    await expect(page.getByTestId('printer-panel-p1')).toHaveAttribute('data-status', 'ready');
  });

  test('prints a sample slicer file with arcs and the viewer shows its layers; the slider scrubs them', async ({ page, stack }) => {
    const file = fileURLToPath(new URL('../fixtures/gcode/orca-cylinder-arcs.gcode', import.meta.url));
    await page.goto(`${stack.appUrl}/#/printers`);
    await page.getByTestId('model').selectOption('bluemaker-bm10-450');
    await page.getByTestId('connect-advanced').locator('summary').click();
    await page.getByTestId('faults').fill('0.01');
    await page.getByTestId('connect').click();
    const panel = page.getByTestId('printer-panel-p1');
    await expect(panel).toHaveAttribute('data-status', 'ready');
    await panel.getByTestId('file-input').setInputFiles(file);
    await expect(panel.getByTestId('estimate')).toContainText('12 layers');
    const scene = panel.getByTestId('scene-3d');
    // The whole part as tool paths, framed on the part: 12 layers of walls (arcs cut into chords), infill and skin.
    await expect(scene).toHaveAttribute('data-layers', '12');
    await expect(scene).toHaveAttribute('data-framed', 'part');
    const total = Number(await scene.getAttribute('data-segments-total'));
    expect(total).toBeGreaterThan(12 * 60);
    await expect(scene).toHaveAttribute('data-segments-shown', String(total));
    // Scrubbing: layer 4 of 12 shows the first four layers only, the preview draws that layer.
    const slider = panel.getByLabel('Layer');
    await slider.fill('3');
    await expect(scene).toHaveAttribute('data-shown-layer', '3');
    const shown4 = Number(await scene.getAttribute('data-segments-shown'));
    expect(shown4).toBeGreaterThan(0);
    expect(shown4).toBeLessThan(total / 2);
    await expect(panel.getByTestId('layer-preview')).toHaveAttribute('data-layer', '3');
    expect(Number(await panel.getByTestId('layer-preview').getAttribute('data-drawn'))).toBeGreaterThan(10);
    await slider.fill('8');
    await expect.poll(async () => Number(await scene.getAttribute('data-segments-shown'))).toBeGreaterThan(shown4);
    await panel.screenshot({ path: 'test-results/printer-viewer-scrub.png' });
    // Print it (1% line faults): when done, everything up to the slider is drawn as printed.
    await panel.getByTestId('print').click();
    await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'finished', { timeout: 120_000 });
    await slider.fill('11');
    await expect(scene).toHaveAttribute('data-segments-done', String(total));
    await panel.screenshot({ path: 'test-results/printer-viewer-printed.png' });
  });

  test('prints Cura, PrusaSlicer and Orca files (Orca with arcs) on every virtual printer with 1% faults, every command once', async ({ page, stack }) => {
    // Short files in each slicer's dialect from the tests' slicer-like generator (the full-size samples in
    // tests/fixtures/gcode are printed through `twingrain printer stream` in the CLI tests: the page's main thread also
    // renders, so it streams slower), queued together and printed one after the other. The firmware's log of executed
    // commands must be exactly the files' commands, in order: nothing lost, nothing run twice.
    test.setTimeout(300_000);
    const flavours: Flavour[] = ['cura', 'prusaslicer', 'orca'];
    const files = flavours.map((flavour) => {
      const text = slice(flavour, { layers: 2, radius: 4, infillSpacing: 3, circleSegments: 12 });
      return {
        name: `${flavour}-short.gcode`,
        mimeType: 'text/plain',
        buffer: Buffer.from(text),
        commands: text.split('\n').map(stripComment).filter(Boolean),
      };
    });
    expect(
      files[2]!.commands.some((c) => /^G[23] /.test(c)),
      'the Orca file has arcs',
    ).toBe(true);
    await page.goto(`${stack.appUrl}/#/printers`);
    for (const model of MODELS) {
      await page.getByTestId('model').selectOption(model);
      // Advanced settings stay open after the first printer.
      const advanced = page.getByTestId('connect-advanced');
      if (!(await advanced.evaluate((d) => (d as HTMLDetailsElement).open))) await advanced.locator('summary').click();
      await page.getByTestId('faults').fill('0.01');
      await page.getByTestId('connect').click();
      // One panel at a time: the previous printer was disconnected, so the only panel is this printer's.
      const panel = page.locator('[data-testid^="printer-panel-"]');
      await expect(panel).toHaveAttribute('data-status', 'ready');
      const id = (await panel.getAttribute('data-testid'))!.replace('printer-panel-', '');
      const before = (await executedOn(page, id)).length;
      await panel.getByTestId('file-input').setInputFiles(files.map(({ name, mimeType, buffer }) => ({ name, mimeType, buffer })));
      await expect(panel.getByTestId('queue-item')).toHaveCount(files.length);
      await panel.getByTestId('print').click();
      for (const [i, file] of files.entries()) {
        if (i > 0) await panel.getByTestId('confirm-start-next').click();
        await expect(panel.getByTestId('history-row')).toHaveCount(i + 1, { timeout: 120_000 });
        await expect(panel.getByTestId('print-result'), `${file.name} on ${model}`).toHaveAttribute('data-result', 'finished');
      }
      const ran = (await executedOn(page, id)).slice(before);
      expect(ran, `commands executed on ${model}`).toEqual(files.flatMap((f) => f.commands));
      // Next printer: this one leaves the page.
      await panel.getByRole('button', { name: 'Disconnect' }).click();
      await expect(panel).toHaveCount(0);
    }
  });

  test('says clearly when the baud rate is wrong', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/printers`);
    await page.getByTestId('model').selectOption('bluemaker-bm10-450');
    await page.getByTestId('connect-advanced').locator('summary').click();
    await page.getByTestId('baud').selectOption('115200');
    await page.getByTestId('connect').click();
    await expect(page.getByTestId('connect-error')).toContainText('unreadable bytes at 115200 baud');
  });
});
