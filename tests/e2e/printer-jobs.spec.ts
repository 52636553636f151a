// Printers page as a print farm: a queue per printer (several files, copies, reorder, "bed clear?" between prints),
// history, macros, console history, the dashboard and print-end notices; resuming after a power cut, a closed tab
// and a lost link, asserted on the virtual printer's executed-command log; honest heater words; and the slicer
// hand-off (manifest, a file shared through the service worker, a file dropped on a panel).
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { uniquePart } from '../../src/lib/printer/jobs/testing';

const MODEL = 'jgaurora-z-603s';

async function connectVirtual(page: Page, appUrl: string, faults = '0.01') {
  await page.goto(`${appUrl}/#/printers`);
  await page.getByTestId('model').selectOption(MODEL);
  await page.getByTestId('connect-advanced').locator('summary').click();
  await page.getByTestId('faults').fill(faults);
  await page.getByTestId('connect').click();
  const panel = page.getByTestId('printer-panel-p1');
  await expect(panel).toHaveAttribute('data-status', 'ready');
  return panel;
}

function gcodeFile(name: string, text: string) {
  return { name, mimeType: 'text/plain', buffer: Buffer.from(text) };
}

async function executed(page: Page, id = 'p1'): Promise<string[]> {
  return page.evaluate((pid) => [...((globalThis as unknown as { __twingrainExecuted?: Record<string, string[]> }).__twingrainExecuted?.[pid] ?? [])], id);
}

function counts(log: string[], lines: string[]): number[] {
  const m = new Map<string, number>();
  for (const c of log) m.set(c, (m.get(c) ?? 0) + 1);
  return lines.map((l) => m.get(l) ?? 0);
}

/** Every line ran; the resumed layer and those above it ran exactly once after the cut; nothing below it ran again. */
function expectResumedOnce(before: string[], after: string[], layerLines: string[][], resumed: number) {
  for (let l = resumed + 1; l < layerLines.length; l++) expect(counts([...before, ...after], layerLines[l]!)).toEqual(layerLines[l]!.map(() => 1));
  expect(counts(after, layerLines[resumed]!)).toEqual(layerLines[resumed]!.map(() => 1));
  for (let l = 0; l < resumed; l++) expect(counts(after, layerLines[l]!).every((n) => n === 0)).toBe(true);
  const firstLine = after.indexOf(layerLines[resumed]![0]!);
  const prelude = after.slice(0, firstLine);
  expect(prelude).toContain('G28 X Y');
  expect(prelude).not.toContain('G28');
  expect(prelude.some((c) => c.startsWith('M109'))).toBe(true);
}

test.describe('Printer jobs', () => {
  test('queue with copies and reordering, "bed clear" between prints, history, dashboard, notices, macros and console', async ({ page, stack }) => {
    const panel = await connectVirtual(page, stack.appUrl);
    // Honest heater words: heating with the temperature, then ready — never "done" at 25 °C.
    await panel.getByTestId('heat-0').click();
    await expect(panel.getByTestId('message')).toContainText('Heating the nozzle to 200 °C');
    await expect(panel.getByTestId('heat-status')).toContainText(/Heating nozzle \d+\/200 °C…/);
    await panel.getByTestId('console-input').fill('M109 S200');
    await panel.getByTestId('console-input').press('Enter');
    await expect(panel.getByTestId('heat-status')).toContainText('Nozzle ready (200 °C)');

    // Console: position reports are hidden unless asked for; ↑/↓ walk the history.
    await panel.getByTestId('console-input').fill('M114');
    await panel.getByTestId('console-input').press('Enter');
    await expect(panel.getByTestId('console-log')).toContainText('> M114');
    await expect(panel.getByTestId('console-log')).not.toContainText(/X:\s*-?[\d.]+ Y:/);
    await panel.getByTestId('show-positions').check();
    await expect(panel.getByTestId('console-log')).toContainText(/X:\s*-?[\d.]+ Y:/);
    await panel.getByTestId('console-input').press('ArrowUp');
    await expect(panel.getByTestId('console-input')).toHaveValue('M114');
    await panel.getByTestId('console-input').press('ArrowUp');
    await expect(panel.getByTestId('console-input')).toHaveValue('M109 S200');
    await panel.getByTestId('console-input').press('ArrowDown');
    await expect(panel.getByTestId('console-input')).toHaveValue('M114');

    // Macros: a bad one is refused with the reason; a good one becomes a button that sends its lines.
    await panel.getByTestId('macros').locator('summary').click();
    await panel.getByTestId('macro-name').fill('Broken');
    await panel.getByTestId('macro-gcode').fill('G28\nG1 X1*5');
    await panel.getByTestId('macro-save').click();
    await expect(panel.getByTestId('macro-error')).toContainText('line 2');
    await panel.getByTestId('macro-name').fill('Lift 5 mm');
    await panel.getByTestId('macro-gcode').fill('G91 ; relative\nG1 Z5 F600\nG90');
    await panel.getByTestId('macro-save').click();
    await panel.getByTestId('macro-button').filter({ hasText: 'Lift 5 mm' }).click();
    await expect(panel.getByTestId('message')).toHaveText('Macro “Lift 5 mm” sent.');
    await expect(panel.getByTestId('console-log')).toContainText('> G1 Z5 F600');

    // Queue: two files at once, then copies and order changed.
    const big = uniquePart(30, 40).text;
    const small = uniquePart(3, 8).text;
    await panel.getByTestId('file-input').setInputFiles([gcodeFile('small.gcode', small), gcodeFile('big.gcode', big)]);
    await expect(panel.getByTestId('queue-item')).toHaveCount(2);
    await panel.getByTestId('queue-item').nth(0).getByTestId('item-copies').fill('2');
    await panel.getByTestId('queue-item').nth(0).getByTestId('item-copies').blur();
    await panel.getByTestId('queue-item').nth(1).getByTestId('item-up').click();
    await expect(panel.getByTestId('queue-item').nth(0)).toHaveAttribute('data-name', 'big.gcode');
    await expect(panel.getByTestId('queue-item').nth(1)).toHaveAttribute('data-copies', '2');
    await expect(panel.getByTestId('queue-item').nth(0)).toContainText(/about .+ each/);

    await panel.getByTestId('print').click();
    // The dashboard shows the print at a glance while it runs.
    const dash = page.getByTestId('dashboard-p1');
    await expect(dash.getByTestId('dash-state')).toHaveText('Printing');
    await expect(dash.getByTestId('dash-progress')).toContainText('big.gcode');
    await expect(dash.getByTestId('dash-layer')).toHaveText(/^\d+ \/ 30$/);
    await expect(dash.getByTestId('dash-eta')).not.toHaveText('–');
    await expect(panel.getByTestId('job-state')).toContainText(/Printing big\.gcode · [\d.]+% · elapsed .+ · about .+ left · total about/);

    // Finished: a notice, the result, and a question before the next file starts.
    await expect(page.getByTestId('print-notice').last()).toContainText('Print finished', { timeout: 90_000 });
    await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'finished');
    await expect(panel.getByTestId('confirm-next')).toContainText('start small.gcode');
    await panel.getByTestId('confirm-start-next').click();
    await expect(panel.getByTestId('confirm-next')).toBeVisible({ timeout: 60_000 });
    await expect(panel.getByTestId('queue-item')).toHaveCount(1);
    await expect(panel.getByTestId('queue-item').first()).toHaveAttribute('data-copies', '1');
    await panel.getByTestId('confirm-start-next').click();
    await expect(panel.getByTestId('queue-empty')).toBeVisible({ timeout: 60_000 });
    await expect(panel.getByTestId('confirm-next')).toHaveCount(0);

    // History: three prints, with estimate and actual time.
    await panel.getByTestId('history').locator('summary').click();
    await expect(panel.getByTestId('history-row')).toHaveCount(3);
    await expect(panel.getByTestId('history-row').first()).toContainText('small.gcode');
    await expect(panel.getByTestId('history-row').last()).toContainText('big.gcode');
    await expect(page.getByTestId('print-notice')).toHaveCount(3);
    await page.screenshot({ path: 'test-results/printer-jobs-farm.png', fullPage: true });

    // The queue, history and macros belong to the printer: they are still there after a reload.
    await page.reload();
    const again = await connectVirtual(page, stack.appUrl);
    await again.getByTestId('history').locator('summary').click();
    await expect(again.getByTestId('history-row')).toHaveCount(3);
    await expect(again.getByTestId('macro-button')).toHaveText('Lift 5 mm');
    await again.getByTestId('console-input').press('ArrowUp');
    await expect(again.getByTestId('console-input')).toHaveValue('M114');
  });

  test('a power cut mid-print is resumed from its layer and finishes; nothing above that layer prints twice', async ({ page, stack }) => {
    const panel = await connectVirtual(page, stack.appUrl);
    const { text, layerLines } = uniquePart(10, 48);
    await panel.getByTestId('file-input').setInputFiles([gcodeFile('part.gcode', text)]);
    await expect(panel.getByTestId('estimate')).toContainText('10 layers');
    await panel.getByTestId('virtual-advanced').locator('summary').click();
    await panel.getByTestId('print').click();
    // Cut the power in the middle of layer 5: as the printer runs that layer's 12th line.
    await page.evaluate(async (trigger) => {
      const log = () => (globalThis as unknown as { __twingrainExecuted: Record<string, string[]> }).__twingrainExecuted.p1!;
      while (!log().includes(trigger)) await new Promise((r) => setTimeout(r, 0));
      (document.querySelector('[data-testid="power-cut"]') as HTMLButtonElement).click();
    }, layerLines[4]![12]!);
    await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'failed');
    await expect(panel.getByTestId('print-result')).toContainText(/reset|restarted/i);
    const offer = panel.getByTestId('resume-offer');
    await expect(offer).toHaveAttribute('data-layer', '4');
    await expect(offer).toContainText('stopped at layer 5 of 10');
    await expect(panel.getByTestId('resume-layer')).toHaveValue('5');
    const before = await executed(page);
    await panel.getByTestId('resume-print').click();
    await expect(panel.getByTestId('layer-now')).toBeVisible();
    await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'finished', { timeout: 90_000 });
    const after = (await executed(page)).slice(before.length);
    expectResumedOnce(before, after, layerLines, 4);
    await panel.getByTestId('history').locator('summary').click();
    await expect(panel.getByTestId('history-row').first()).toContainText('resumed from layer 5');
    await expect(panel.getByTestId('resume-offer')).toHaveCount(0);
  });

  test('a print whose tab was closed is offered for resume after reopening, from a chosen layer', async ({ page, stack, context }) => {
    const panel = await connectVirtual(page, stack.appUrl, '0');
    const { text, layerLines } = uniquePart(10, 48);
    await panel.getByTestId('file-input').setInputFiles([gcodeFile('part.gcode', text)]);
    await expect(panel.getByTestId('estimate')).toContainText('10 layers');
    await panel.getByTestId('print').click();
    await expect.poll(async () => Number(await panel.getByTestId('layer-now').getAttribute('data-layer')), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
    await page.close();

    const next = await context.newPage();
    const again = await connectVirtual(next, stack.appUrl, '0');
    const offer = again.getByTestId('resume-offer');
    await expect(offer).toBeVisible();
    const stoppedAt = Number(await offer.getAttribute('data-layer'));
    expect(stoppedAt).toBeGreaterThanOrEqual(4);
    // Resume one layer lower than where it stopped (the person's choice).
    const chosen = stoppedAt - 1;
    await again.getByTestId('resume-layer').fill(String(chosen + 1));
    await again.getByTestId('resume-print').click();
    await expect(again.getByTestId('print-result')).toHaveAttribute('data-result', 'finished', { timeout: 90_000 });
    const after = await executed(next);
    // A new tab has a freshly powered virtual printer: its log is the resumed run alone.
    expectResumedOnce([], after, layerLines, chosen);
  });

  test('a lost link is waited for, then resumed once the cable is back', async ({ page, stack }) => {
    const panel = await connectVirtual(page, stack.appUrl, '0');
    const { text, layerLines } = uniquePart(10, 48);
    await panel.getByTestId('file-input').setInputFiles([gcodeFile('part.gcode', text)]);
    await expect(panel.getByTestId('estimate')).toContainText('10 layers');
    await panel.getByTestId('virtual-advanced').locator('summary').click();
    await panel.getByTestId('print').click();
    await page.evaluate(async (trigger) => {
      const log = () => (globalThis as unknown as { __twingrainExecuted: Record<string, string[]> }).__twingrainExecuted.p1!;
      while (!log().includes(trigger)) await new Promise((r) => setTimeout(r, 0));
      (document.querySelector('[data-testid="unplug"]') as HTMLButtonElement).click();
    }, layerLines[3]![12]!);
    await expect(panel.getByTestId('status')).toHaveText('Connection lost — waiting');
    await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'failed', { timeout: 30_000 });
    await expect(panel.getByTestId('resume-offer')).toHaveAttribute('data-layer', '3');
    await panel.getByTestId('plug-in').click();
    const before = await executed(page);
    await panel.getByTestId('resume-print').click();
    await expect(panel.getByTestId('print-result')).toHaveAttribute('data-result', 'finished', { timeout: 90_000 });
    expectResumedOnce(before, (await executed(page)).slice(before.length), layerLines, 3);
  });

  test('slicer hand-off: the manifest opens and accepts G-code, a shared file reaches a queue, a dropped file is queued', async ({ page, stack }) => {
    const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
    expect(manifest.file_handlers[0].accept['text/x-gcode']).toContain('.gcode');
    expect(manifest.share_target).toMatchObject({ action: '/share-target', method: 'POST', enctype: 'multipart/form-data' });
    // The service worker takes a shared file (as a slicer's share would arrive) and opens the Printers page.
    await page.goto(`${stack.appUrl}/#/printers`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null), { timeout: 30_000 }).toBe('activated');
    const redirected = await page.evaluate(async (gcode) => {
      const form = new FormData();
      form.append('file', new File([gcode], 'shared part.gcode', { type: 'text/plain' }));
      const r = await fetch('/share-target', { method: 'POST', body: form });
      return { redirected: r.redirected, path: new URL(r.url).pathname };
    }, uniquePart(2, 6).text);
    // The service worker answered with a redirect to the app (its cached / or /index.html), not the server.
    expect(['/', '/index.html']).toContain(redirected.path);
    await page.reload();
    await expect(page.getByTestId('incoming')).toContainText('shared part.gcode is ready to print');
    // Until it is queued or dismissed, the shared file survives another reload.
    await page.reload();
    await expect(page.getByTestId('incoming')).toContainText('shared part.gcode is ready to print');
    await expect(page.getByTestId('incoming')).toContainText('Connect a printer');
    const panel = await (async () => {
      await page.getByTestId('model').selectOption(MODEL);
      await page.getByTestId('connect').click();
      const p = page.getByTestId('printer-panel-p1');
      await expect(p).toHaveAttribute('data-status', 'ready');
      return p;
    })();
    await page.getByTestId('incoming-queue').click();
    await expect(panel.getByTestId('queue-item')).toHaveAttribute('data-name', 'shared part.gcode');
    await expect(page.getByTestId('incoming')).toHaveCount(0);

    // Dropping a file on the printer's panel queues it.
    await panel.evaluate((el, gcode) => {
      const dt = new DataTransfer();
      dt.items.add(new File([gcode], 'dropped.gcode', { type: 'text/plain' }));
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, uniquePart(2, 6).text);
    await expect(panel.getByTestId('queue-item')).toHaveCount(2);
    await expect(panel.getByTestId('queue-item').nth(1)).toHaveAttribute('data-name', 'dropped.gcode');
  });

  test('a page elsewhere cannot flood the shared-file store or start a print by sharing', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/printers`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null), { timeout: 30_000 }).toBe('activated');
    // Twelve files in one share: only ten are kept; nothing is queued or printed until the person says so.
    await page.evaluate(async () => {
      const form = new FormData();
      for (let i = 0; i < 12; i++) form.append('file', new File([`G28\nG1 X${i}\n`], `flood-${i}.gcode`, { type: 'text/plain' }));
      await fetch('/share-target', { method: 'POST', body: form });
    });
    await page.reload();
    await expect(page.getByTestId('incoming')).toContainText('10 files are ready to print');
    await page.getByTestId('model').selectOption(MODEL);
    await page.getByTestId('connect').click();
    const panel = page.getByTestId('printer-panel-p1');
    await expect(panel).toHaveAttribute('data-status', 'ready');
    await expect(panel.getByTestId('queue-empty')).toBeVisible();
    await expect(panel.getByTestId('job-state')).toHaveCount(0);
  });

  test('fits a phone: no sideways scrolling at 390 px with a printer, its queue and history open', async ({ page, stack }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const panel = await connectVirtual(page, stack.appUrl);
    await panel.getByTestId('file-input').setInputFiles([gcodeFile('a-rather-long-file-name-from-a-slicer_0.2mm_PLA_MK3S_1h2m.gcode', uniquePart(2, 6).text)]);
    await expect(panel.getByTestId('queue-item')).toHaveCount(1);
    await panel.getByTestId('history').locator('summary').click();
    await panel.getByTestId('virtual-advanced').locator('summary').click();
    await page.screenshot({ path: 'test-results/printer-jobs-390.png', fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
