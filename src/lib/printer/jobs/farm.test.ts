// A print farm against the real host protocol and the virtual printer: queue with copies and a confirmation between
// prints, and resuming after a power cut and after a lost link, asserted on the simulator's executed-command log.
import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openDb } from '../../store/index';
import { getPrinterProfile, machineOf } from '../../machines/index';
import { analyzeGcode } from '../../gcode/index';
import { Printer, VirtualTransport, blobSource, readLines } from '../index';
import { JobsStore, PrinterJobs, type FarmEvent } from './index';
import { uniquePart } from './testing';

const MODEL = 'jgaurora-z-603s';
const profile = getPrinterProfile(MODEL);

async function setup(faults = 0.01) {
  const indexedDB = new IDBFactory();
  const db = await openDb({ indexedDB, IDBKeyRange });
  const transport = new VirtualTransport({ model: MODEL, seed: 7, faults: { checksumErrorRate: faults }, skipWaits: true, timeScale: 1 });
  const printer = new Printer(transport, profile, { reconnectGraceMs: 400 });
  await printer.connect();
  const executed: string[] = [];
  transport.printer.onExecute((c) => executed.push(c.command));
  const jobs = new PrinterJobs(printer, {
    printerId: `virtual:${MODEL}`,
    store: new JobsStore(db),
    journalIntervalMs: 50,
    analyze: async (blob, name) => {
      const a = await analyzeGcode(readLines(blobSource(blob, name)), machineOf(profile));
      return { estimateSeconds: a.estimateSeconds, layers: a.layers };
    },
  });
  await jobs.load();
  const ended: FarmEvent[] = [];
  jobs.onEnd((e) => ended.push(e));
  const waitEnd = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${ended.length} prints ended`)), 60_000);
      const check = () => {
        if (ended.length >= count) {
          clearTimeout(t);
          off();
          resolve();
        }
      };
      const off = jobs.subscribe(check);
      check();
    });
  return { db, indexedDB, transport, printer, jobs, executed, ended, waitEnd };
}

function countIn(log: string[], lines: string[]): number[] {
  const counts = new Map<string, number>();
  for (const c of log) counts.set(c, (counts.get(c) ?? 0) + 1);
  return lines.map((l) => counts.get(l) ?? 0);
}

describe('print farm', () => {
  it('prints the queue with copies, waits for "bed clear" between prints, and records history', async () => {
    const { db, printer, jobs, ended, waitEnd } = await setup(0.01);
    const a = uniquePart(3, 8).text;
    const b = uniquePart(2, 6).text;
    await jobs.addFiles([{ name: 'a.gcode', blob: new Blob([a]) }], 2);
    await jobs.addFiles([{ name: 'b.gcode', blob: new Blob([b]) }]);
    await jobs.startNext();
    await waitEnd(1);
    expect(ended[0]).toMatchObject({ result: 'finished', fileName: 'a.gcode' });
    // The next print waits for the person to say the bed is clear.
    expect(jobs.state).toBe('awaiting-confirmation');
    expect(jobs.queue.list().map((q) => [q.fileName, q.copies])).toEqual([
      ['a.gcode', 1],
      ['b.gcode', 1],
    ]);
    // The second copy's estimate is corrected from the first.
    const est = jobs.estimateFor({ name: 'a.gcode', size: a.length }, 100);
    expect(est.basis).toBe('same-file');
    await jobs.confirmNext();
    await waitEnd(2);
    await jobs.confirmNext();
    await waitEnd(3);
    expect(ended.map((e) => [e.fileName, e.result])).toEqual([
      ['a.gcode', 'finished'],
      ['a.gcode', 'finished'],
      ['b.gcode', 'finished'],
    ]);
    expect(jobs.state).toBe('idle');
    expect(jobs.queue.length).toBe(0);
    const history = await new JobsStore(db).history(jobs.printerId);
    expect(history).toHaveLength(3);
    for (const h of history) {
      expect(h.result).toBe('finished');
      expect(h.estimateSeconds).toBeGreaterThan(0);
      expect(h.actualSeconds).toBeGreaterThan(0);
      expect(h.endedAt).toBeGreaterThanOrEqual(h.startedAt);
    }
    await printer.disconnect();
    db.close();
  });

  for (const cut of ['power cut', 'lost link'] as const) {
    it(`resumes from the journal's layer after a ${cut}, with nothing printed twice beyond that layer`, async () => {
      const { db, indexedDB, transport, printer, jobs, executed, ended, waitEnd } = await setup(0.01);
      const { text, layerLines } = uniquePart(8, 24);
      await jobs.addFiles([{ name: 'part.gcode', blob: new Blob([text]) }]);
      // Cut in the middle of layer 5 (index 4).
      const trigger = layerLines[4]![10]!;
      let cutAt = -1;
      const off = transport.printer.onExecute((c) => {
        if (c.command === trigger && cutAt < 0) {
          cutAt = executed.length;
          queueMicrotask(() => (cut === 'power cut' ? transport.powerCycle() : transport.unplug()));
        }
      });
      await jobs.startNext();
      await waitEnd(1);
      off();
      expect(ended[0]!.result).toBe('failed');
      expect(ended[0]!.reason).toMatch(cut === 'power cut' ? /reset|restarted/i : /unplugged|did not come back|disconnect/i);
      const journal = jobs.resumable!;
      expect(journal).toBeDefined();
      expect(journal.layer).toBe(4);
      expect(journal.fileName).toBe('part.gcode');
      expect(journal.hotends[0]).toBe(200);
      expect(journal.bed).toBe(50);
      expect(journal.fan).toBe(200);
      expect(journal.z).toBeCloseTo(1.0);
      // The journal is in the database: a reloaded page finds the same interrupted print.
      const reloaded = await openDb({ indexedDB, IDBKeyRange });
      expect((await new JobsStore(reloaded).journal(jobs.printerId))?.layer).toBe(4);
      reloaded.close();

      if (cut === 'lost link') transport.plugIn();
      const firstSession = executed.length;
      await jobs.resume();
      await waitEnd(2);
      expect(ended[1]).toMatchObject({ result: 'finished', fileName: 'part.gcode' });

      const before = executed.slice(0, firstSession);
      const after = executed.slice(firstSession);
      // The resumed session re-heated, homed X and Y only, and set Z and E before continuing.
      const firstLayerLine = after.indexOf(layerLines[4]![0]!);
      const prelude = after.slice(0, firstLayerLine);
      expect(prelude).toContain('M109 T0 S200');
      expect(prelude).toContain('G28 X Y');
      expect(prelude).not.toContain('G28');
      expect(prelude.some((c) => /^G92 Z1(\.0+)?$/.test(c))).toBe(true);
      // E restored to what the file had extruded before the layer's first line.
      const lastE = /E([\d.]+)/.exec(layerLines[3]!.at(-1)!)![1]!;
      expect(prelude).toContain(`G92 E${Number(lastE)}`);
      // Every line of the part ran; layers above the resumed one ran exactly once; nothing below it ran again.
      const all = layerLines.flat();
      expect(countIn(executed, all).every((n) => n >= 1)).toBe(true);
      for (let l = 5; l < 8; l++) expect(countIn(executed, layerLines[l]!)).toEqual(layerLines[l]!.map(() => 1));
      for (let l = 0; l < 4; l++) expect(countIn(after, layerLines[l]!).every((n) => n === 0)).toBe(true);
      expect(countIn(after, layerLines[4]!)).toEqual(layerLines[4]!.map(() => 1));
      expect(countIn(before, layerLines[5]!).every((n) => n === 0)).toBe(true);

      const history = await new JobsStore(db).history(jobs.printerId);
      expect(history.map((h) => [h.result, h.resumedFromLayer])).toEqual([
        ['finished', 4],
        ['failed', undefined],
      ]);
      expect(jobs.resumable).toBeUndefined();
      expect((await new JobsStore(db).journal(jobs.printerId))?.state).toBe('finished');
      await printer.disconnect();
      db.close();
    }, 90_000);
  }
});
