// Printer benchmark: host-protocol throughput against the virtual printer as a fraction of link capacity (bytes per
// second over baud/10) with 1% injected checksum errors, counting every executed line; memory while streaming a
// 100 MB file; and, in headless Chromium, position-report-to-3D-view latency and the live view's frame rate.
import { createServer } from 'node:http';
import { createWriteStream, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { machineStamp } from './report';
import type { AddressInfo } from 'node:net';
import { MarlinHost, PrintJob, generateTestGcode, readLines, stripComment, textSource } from '../../src/lib/printer/index';
import { fileSource } from '../../src/lib/printer/line-source.node.ts';
import { VirtualPrinter, getPrinterProfile } from '../../src/lib/sim/index';

const MODEL = 'jgaurora-z-603s';

async function throughput(baud: number, faults: number, windowBytes?: number) {
  const text = [...generateTestGcode({ layers: 40, segmentsPerSide: 25, center: { x: 100, y: 90 } })].join('\n') + '\n';
  const vp = new VirtualPrinter({ model: MODEL, baud, seed: baud + Math.round(faults * 1000) });
  const host = new MarlinHost({ baud, ...(windowBytes ? { windowBytes } : {}) });
  await host.attach(vp.open(baud));
  vp.setFaults({ checksumErrorRate: faults });
  let first = Infinity;
  host.on('sent', (n) => (first = Math.min(first, n)));
  const runs = new Map<number, number>();
  vp.onExecute((c) => c.n !== undefined && c.n >= first && runs.set(c.n, (runs.get(c.n) ?? 0) + 1));
  const before = { ...host.stats };
  const t0 = performance.now();
  await new PrintJob(host, textSource(text), { profile: getPrinterProfile(MODEL) }).run();
  const seconds = (performance.now() - t0) / 1000;
  const commands = text.split('\n').map(stripComment).filter(Boolean).length;
  const executed = [...runs.values()].reduce((a, b) => a + b, 0);
  const s = host.stats;
  await host.close();
  return {
    baud,
    faults,
    window: host.options.windowBytes,
    commands,
    executed,
    duplicates: [...runs.values()].filter((v) => v > 1).length,
    lost: commands - runs.size,
    resends: s.resends - before.resends,
    seconds,
    utilization: (s.bytesFirstSent - before.bytesFirstSent) / seconds / (baud / 10),
    overflows: vp.firmware.rxOverflows,
  };
}

async function memory(dir: string) {
  // A 100 MB file of short segments, written once.
  const path = join(dir, 'big.gcode');
  if (!existsSync(path)) {
    const out = createWriteStream(path);
    let bytes = 0;
    let i = 0;
    while (bytes < 100 * 2 ** 20) {
      const line = `G1 X${(10 + (i % 200)).toFixed(2)} Y${(10 + ((i * 7) % 150)).toFixed(2)} E0.0330 ; seg ${i}\n`;
      bytes += line.length;
      i++;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  const samples: { mb: number; heapMb: number; rssMb: number }[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  // Pass 1: the whole file through the line reader (what the job reads), sampling memory every 10 MB.
  let next = 0;
  const t0 = performance.now();
  for await (const line of readLines(fileSource(path))) {
    stripComment(line.text);
    if (line.endOffset >= next) {
      gc?.();
      const m = process.memoryUsage();
      samples.push({ mb: line.endOffset / 2 ** 20, heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 });
      next += 10 * 2 ** 20;
    }
  }
  const readSeconds = (performance.now() - t0) / 1000;
  // Pass 2: the same file streamed as a job into an unpaced virtual printer for 40 s (the wire would need over an
  // hour at 250000 baud), sampling memory every 2 s.
  const vp = new VirtualPrinter({ model: MODEL, unpaced: true, seed: 1 });
  const host = new MarlinHost({});
  await host.attach(vp.open(vp.baud));
  const job = new PrintJob(host, fileSource(path), { profile: getPrinterProfile(MODEL) });
  const streamed: { s: number; mb: number; heapMb: number }[] = [];
  const started = performance.now();
  const timer = setInterval(() => {
    gc?.();
    streamed.push({ s: (performance.now() - started) / 1000, mb: job.progress().bytesDone / 2 ** 20, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
  }, 2000);
  const run = job.run().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 40_000));
  await job.cancel().catch(() => undefined);
  clearInterval(timer);
  await Promise.race([run, new Promise((r) => setTimeout(r, 5000))]);
  await host.close();
  return { samples, readSeconds, streamed };
}

async function liveView() {
  const dist = resolve('dist');
  if (!existsSync(join(dist, 'index.html'))) return { error: 'dist/ is missing: run "npx vite build" first' };
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };
  const server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(dist, p === '/' ? 'index.html' : p);
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/#/printers`;
  const { chromium } = await import('@playwright/test');
  const { CHROMIUM_ARGS } = await import('../../playwright.config');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.getByTestId('model').selectOption(MODEL);
    await page.getByTestId('connect').click();
    const panel = page.getByTestId('printer-panel-p1');
    await panel.getByTestId('scene-3d').waitFor();
    await panel.getByTestId('generate').click();
    await panel.getByTestId('print').click();
    await page.waitForTimeout(1000);
    const m0 = await page.evaluate(() => structuredClone((globalThis as unknown as { __twingrainPrinterMetrics: { p1: { frames: number; lastFrameAt: number; latencies: number[] } } }).__twingrainPrinterMetrics.p1));
    await page.waitForTimeout(10_000);
    const m1 = await page.evaluate(() => structuredClone((globalThis as unknown as { __twingrainPrinterMetrics: { p1: { frames: number; lastFrameAt: number; latencies: number[] } } }).__twingrainPrinterMetrics.p1));
    const fps = (m1.frames - m0.frames) / ((m1.lastFrameAt - m0.lastFrameAt) / 1000);
    const lat = (m1.latencies as number[]).slice().sort((a, b) => a - b);
    const q = (f: number) => lat[Math.min(lat.length - 1, Math.floor(f * lat.length))] ?? NaN;
    return { fps, latencyMedian: q(0.5), latencyP95: q(0.95), reports: lat.length };
  } finally {
    await browser.close();
    server.close();
  }
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const dir = join(tmpdir(), 'twingrain-bench-printer');
  mkdirSync(dir, { recursive: true });
  const rows = [];
  for (const baud of [115200, 250000]) {
    for (const faults of [0, 0.01]) rows.push(await throughput(baud, faults));
  }
  for (const w of [64, 96]) rows.push(await throughput(115200, 0.01, w));
  const mem = await memory(dir);
  let view: Awaited<ReturnType<typeof liveView>> | { error: string };
  try {
    view = await liveView();
  } catch (e) {
    view = { error: (e as Error).message.split('\n')[0]! };
  }
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  const md = [
    '# Printer benchmark',
    '',
    `Machine: ${machineStamp()}. Virtual ${getPrinterProfile(MODEL).name} (Marlin RX buffer 128 bytes, BUFSIZE 4, planner 16), `,
    'link paced at its baud rate in wall-clock time, motion and heating in simulated time. File: a 40-layer square tower of',
    '4,000 short segments (~27 bytes framed per line). Utilization = file command bytes as framed (resends excluded) per',
    'second over baud/10. Lost/duplicated lines are counted against the file from the simulator\'s execution log.',
    'The machine is shared with other processes during runs, which delays event-loop reactions: numbers are a floor.',
    '',
    '## Streaming throughput',
    '',
    '| baud | injected checksum errors | send-ahead window (bytes) | commands | executed | lost | duplicated | resends | RX overflows | seconds | link utilization |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.baud} | ${(r.faults * 100).toFixed(0)}% | ${r.window} | ${r.commands} | ${r.executed} | ${r.lost} | ${r.duplicates} | ${r.resends} | ${r.overflows} | ${f(r.seconds, 2)} | ${(r.utilization * 100).toFixed(1)}% |`),
    '',
    '## Memory while streaming a 100 MB file',
    '',
    `Line reader over the whole file: ${f(mem.readSeconds, 1)} s. Heap stays flat (no file in memory):`,
    '',
    '| MB read | heap used (MB) | RSS (MB) |',
    '|---:|---:|---:|',
    ...mem.samples.map((s) => `| ${f(s.mb, 0)} | ${f(s.heapMb)} | ${f(s.rssMb)} |`),
    '',
    'Streaming the same file as a job into an unpaced virtual printer (40 s of it):',
    '',
    '| s | MB executed | heap used (MB) |',
    '|---:|---:|---:|',
    ...mem.streamed.map((s) => `| ${f(s.s, 0)} | ${f(s.mb, 2)} | ${f(s.heapMb)} |`),
    '',
    '## Live view (headless Chromium, software WebGL)',
    '',
    'error' in view
      ? `Not measured: ${view.error}`
      : `| frame rate (fps) | position report → 3D frame, median (ms) | p95 (ms) | reports |\n|---:|---:|---:|---:|\n| ${f(view.fps)} | ${f(view.latencyMedian)} | ${f(view.latencyP95)} | ${view.reports} |`,
    '',
  ].join('\n');
  writeFileSync(join(ctx.outDir, 'printer.md'), md);
  rmSync(join(dir, 'big.gcode'), { force: true });
}
