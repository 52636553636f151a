import { describe, expect, it } from 'vitest';
import { VirtualPrinter, type Faults } from '../sim/index';
import { getPrinterProfile } from '../machines/index';
import {
  BaudMismatchError,
  MarlinHost,
  Printer,
  PrintJob,
  PrinterHaltedError,
  VirtualTransport,
  generateTestGcode,
  stripComment,
  textSource,
  MalformedGcodeError,
} from './index';

const MODEL = 'bluemaker-bm10-450'; // 250000 baud keeps these tests short

function file(layers: number) {
  return [...generateTestGcode({ layers, segmentsPerSide: 6, hotend: 200, bed: 50 })].join('\n') + '\n';
}

/** Stream a file through host and virtual printer; return how often each file command was executed. */
async function streamCounting(text: string, faults: Faults, extra: { advancedOk?: boolean; seed?: number; timeScale?: number } = {}) {
  const vp = new VirtualPrinter({
    model: MODEL,
    faults: {},
    seed: extra.seed ?? 7,
    advancedOk: extra.advancedOk ?? false,
    ...(extra.timeScale ? { skipWaits: false, timeScale: extra.timeScale } : {}),
  });
  // Short timeouts only when waits are skipped: a printer running in real time is silent for up to its 2 s keepalive.
  const host = new MarlinHost(extra.timeScale ? {} : { responseTimeoutMs: 400, maxTimeouts: 20 });
  await host.attach(vp.open(vp.baud));
  vp.setFaults(faults);
  let first = Infinity;
  host.on('sent', (n) => (first = Math.min(first, n)));
  const runs = new Map<number, string[]>();
  vp.onExecute((c) => {
    if (c.n !== undefined && c.n >= first) runs.set(c.n, [...(runs.get(c.n) ?? []), c.command]);
  });
  const job = new PrintJob(host, textSource(text), { profile: getPrinterProfile(MODEL) });
  await job.run();
  vp.setFaults({ checksumErrorRate: 0, dropRate: 0, garbageRate: 0, returnGarbageRate: 0, lostOkRate: 0, busyRate: 0, resendRate: 0 });
  const expected = text.split('\n').map(stripComment).filter(Boolean);
  const executed = [...runs.entries()].sort((a, b) => a[0] - b[0]);
  await host.close();
  return { expected, executed, host, vp };
}

function assertExactlyOnce(r: Awaited<ReturnType<typeof streamCounting>>) {
  // Every command of the file ran exactly once, in file order.
  expect(r.executed.length).toBe(r.expected.length);
  for (const [, cmds] of r.executed) expect(cmds.length).toBe(1);
  expect(r.executed.map(([, c]) => c[0])).toEqual(r.expected);
}

describe('Marlin host over the virtual printer', () => {
  it('runs every line exactly once and never overflows the RX buffer under checksum errors, resends and busy', async () => {
    const r = await streamCounting(file(6), { checksumErrorRate: 0.05, resendRate: 0.02, busyRate: 0.05 });
    assertExactlyOnce(r);
    expect(r.host.stats.resends).toBeGreaterThan(0);
    expect(r.vp.firmware.rxOverflows).toBe(0);
  });

  it('runs every line exactly once with dropped bytes, binary garbage both ways and lost oks', async () => {
    const r = await streamCounting(file(4), { dropRate: 0.02, garbageRate: 0.02, returnGarbageRate: 0.02, lostOkRate: 0.02 }, { seed: 11 });
    assertExactlyOnce(r);
    expect(r.vp.stats.garbage + r.vp.stats.dropped).toBeGreaterThan(0);
  });

  it('uses ADVANCED_OK line numbers when the firmware sends them', async () => {
    const r = await streamCounting(file(3), { checksumErrorRate: 0.05, lostOkRate: 0.02 }, { advancedOk: true, seed: 3 });
    assertExactlyOnce(r);
    expect(r.vp.firmware.rxOverflows).toBe(0);
  });

  it('counts lines ADVANCED_OK shows were queued as out of the RX ring, without ever overflowing it', async () => {
    // Moves run in (accelerated) real time, so the firmware's queue fills while the planner is busy.
    const r = await streamCounting(file(2), { checksumErrorRate: 0.02 }, { advancedOk: true, seed: 5, timeScale: 40 });
    assertExactlyOnce(r);
    expect(r.host.firmwareQueueSize).toBe(getPrinterProfile(MODEL).commandQueueSize);
    expect(r.host.stats.advancedReleases).toBeGreaterThan(0);
    expect(r.vp.firmware.rxOverflows).toBe(0);
  });

  it('rewinds at the error line, and lines drained after an error never overflow the RX ring of a busy firmware', async () => {
    // Moves run in (accelerated) real time: the firmware's queue is full, so the lines in flight after a bad one wait in
    // the RX ring until Marlin reads (and rejects) them. The host resends from the error's "Last Line:" without
    // waiting for the Resend line, and counts those lines until their answers come.
    const r = await streamCounting(file(2), { checksumErrorRate: 0.05 }, { seed: 9, timeScale: 40 });
    assertExactlyOnce(r);
    expect(r.host.stats.resends).toBeGreaterThan(0);
    expect(r.vp.firmware.rxOverflows).toBe(0);
  });

  it('reports a baud mismatch as such', async () => {
    const vp = new VirtualPrinter({ model: MODEL });
    const host = new MarlinHost({ baud: 115200 });
    const error = await host.attach(vp.open(115200), 800).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaudMismatchError);
    expect((error as Error).message).toMatch(/unreadable bytes at 115200 baud/);
    await host.close();
  });

  it('connects although its hello is garbled on the wire (the line is sent again within the handshake)', async () => {
    // Seeds whose first M110 gets "No Line Number with checksum … Resend: 1": a Resend for a line never sent confirms
    // nothing, so without the handshake's short re-send the connection failed with "did not answer within 3 s".
    for (const seed of [7, 8, 9, 12, 15, 19]) {
      const vp = new VirtualPrinter({ model: 'jgaurora-z-603s', faults: { checksumErrorRate: 0.3 }, seed });
      const host = new MarlinHost({});
      await expect(host.attach(vp.open(vp.baud)), `seed ${seed}`).resolves.toBeUndefined();
      await host.close();
    }
  });

  it('rejects malformed G-code with the file line number before sending it', async () => {
    const vp = new VirtualPrinter({ model: MODEL });
    const host = new MarlinHost();
    await host.attach(vp.open(vp.baud));
    const job = new PrintJob(host, textSource('G28\nG1 X10 \u0001\n'), { profile: getPrinterProfile(MODEL) });
    await expect(job.run()).rejects.toThrow(MalformedGcodeError);
    await expect(job.run()).rejects.toThrow(/line 2/);
    await host.close();
  });

  it('stops safely when the printer resets mid-print and leaves no heater on', async () => {
    const transport = new VirtualTransport({ model: MODEL, seed: 5 });
    const printer = new Printer(transport, getPrinterProfile(MODEL), { host: { responseTimeoutMs: 400 } });
    await printer.connect();
    await printer.setHotend(200, 0);
    await printer.setBed(50);
    const vp = transport.printer;
    let count = 0;
    vp.onExecute(() => {
      if (++count === 120) queueMicrotask(() => vp.reset());
    });
    const done = new Promise<void>((resolve) => printer.subscribe(() => printer.status === 'error' && /heaters/.test(printer.error ?? '') && resolve()));
    printer.enqueueJob(textSource(file(6)));
    await done;
    expect(printer.job?.state).toBe('failed');
    expect(printer.job?.progress().error).toMatch(/reset/);
    // The reset ended the session; the host opened a fresh one to switch the heaters off (checked below).
    expect(printer.host.failure).toBeUndefined();
    const s = vp.firmware.snapshot();
    expect(s.hotends.every((h) => h.target === 0)).toBe(true);
    expect(s.bed!.target).toBe(0);
    await printer.disconnect();
  });

  it('resumes after a transient unplug without losing or repeating a line', async () => {
    const transport = new VirtualTransport({ model: MODEL, seed: 9 });
    const printer = new Printer(transport, getPrinterProfile(MODEL), { reconnectGraceMs: 2000, host: { responseTimeoutMs: 400 } });
    await printer.connect();
    const vp = transport.printer;
    const runs = new Map<number, number>();
    let count = 0;
    vp.onExecute((c) => {
      if (c.n !== undefined) runs.set(c.n, (runs.get(c.n) ?? 0) + 1);
      if (++count === 60) queueMicrotask(() => vp.unplug());
    });
    const text = file(4);
    printer.enqueueJob(textSource(text));
    await new Promise<void>((resolve) => printer.subscribe(() => printer.job?.state === 'done' && resolve()));
    expect(vp.stats.unplugs).toBe(1);
    expect([...runs.values()].every((v) => v === 1)).toBe(true);
    const expected = text.split('\n').map(stripComment).filter(Boolean).length;
    expect(printer.job!.progress().commandsDone).toBe(expected);
    await printer.disconnect();
  });

  it('M112 halts the printer with its heaters off', async () => {
    const transport = new VirtualTransport({ model: 'jgaurora-z-603s' });
    const printer = new Printer(transport, getPrinterProfile('jgaurora-z-603s'));
    await printer.connect();
    await printer.setHotend(210);
    await printer.emergencyStop();
    expect(printer.host.failure).toBeInstanceOf(PrinterHaltedError);
    await new Promise((r) => setTimeout(r, 50));
    expect(transport.printer.firmware.snapshot().hotends[0]!.target).toBe(0);
    expect(transport.printer.firmware.halted).toBe(true);
    await printer.disconnect();
  });
});
