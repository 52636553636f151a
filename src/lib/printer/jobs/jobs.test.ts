import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openDb } from '../../store/index';
import {
  ConsoleHistory,
  InvalidCopiesError,
  InvalidMacroError,
  JobQueue,
  JobsStore,
  ModalState,
  QueueItemNotFoundError,
  correctEstimate,
  macroCommands,
  makeMacro,
  printClock,
  type HistoryEntry,
} from './index';

async function freshStore(indexedDB = new IDBFactory()) {
  const db = await openDb({ indexedDB, IDBKeyRange });
  return { db, store: new JobsStore(db), indexedDB };
}

const file = (text: string) => new Blob([text]);

describe('job queue', () => {
  it('keeps files, copies and order across a reload, per printer', async () => {
    const { db, store, indexedDB } = await freshStore();
    let n = 0;
    const q = new JobQueue('virtual:a', store, () => `id${++n}`);
    await q.load();
    const [a, b, c] = await q.add(
      [
        { name: 'a.gcode', blob: file('G1 X1\n') },
        { name: 'b.gcode', blob: file('G1 X2\n') },
        { name: 'c.gcode', blob: file('G1 X3\n') },
      ],
      2,
    );
    await new JobQueue('virtual:b', store, () => 'other').add([{ name: 'x.gcode', blob: file('G28\n') }]);
    await q.move(c!.id, 0);
    await q.setCopies(a!.id, 3);
    await q.remove(b!.id);
    db.close();

    const again = await openDb({ indexedDB, IDBKeyRange });
    const q2 = new JobQueue('virtual:a', new JobsStore(again));
    const items = await q2.load();
    expect(items.map((i) => [i.fileName, i.copies, i.position])).toEqual([
      ['c.gcode', 2, 0],
      ['a.gcode', 3, 1],
    ]);
    expect(await items[0]!.file.text()).toBe('G1 X3\n');
    // One copy started: the item stays with one copy less; the last copy removes it.
    await q2.takeOne(items[0]!.id);
    expect(q2.first()?.copies).toBe(1);
    await q2.takeOne(items[0]!.id);
    expect(q2.list().map((i) => i.fileName)).toEqual(['a.gcode']);
    again.close();
  });

  it('refuses bad copies and unknown items, and changes nothing', async () => {
    const { db, store } = await freshStore();
    const q = new JobQueue('p', store);
    await expect(q.add([{ name: 'a', blob: file('G28\n') }], 0)).rejects.toBeInstanceOf(InvalidCopiesError);
    await expect(q.add([{ name: 'a', blob: file('G28\n') }], 2.5)).rejects.toBeInstanceOf(InvalidCopiesError);
    expect(await store.queue('p')).toHaveLength(0);
    await expect(q.remove('nope')).rejects.toBeInstanceOf(QueueItemNotFoundError);
    db.close();
  });
});

describe('print history and estimates', () => {
  const h = (o: Partial<HistoryEntry>): HistoryEntry => ({
    printerId: 'p1',
    model: 'm',
    fileName: 'f.gcode',
    fileSize: 100,
    startedAt: 0,
    endedAt: 0,
    result: 'finished',
    estimateSeconds: 100,
    actualSeconds: 120,
    ...o,
  });

  it('corrects an estimate from the same file first, then the printer, then the model', () => {
    const history = [
      h({ startedAt: 1, actualSeconds: 150 }),
      h({ startedAt: 2, fileName: 'other.gcode', actualSeconds: 200 }),
      h({ startedAt: 3, printerId: 'p2', fileName: 'z.gcode', actualSeconds: 300 }),
      // Failed, cancelled and resumed prints say nothing about a whole print's length.
      h({ startedAt: 4, result: 'failed', actualSeconds: 10 }),
      h({ startedAt: 5, resumedFromLayer: 3, actualSeconds: 10 }),
    ];
    const same = correctEstimate(50, { name: 'f.gcode', size: 100 }, 'p1', 'm', history);
    expect(same).toMatchObject({ basis: 'same-file', factor: 1.5, seconds: 75, samples: 1 });
    const printer = correctEstimate(50, { name: 'new.gcode', size: 1 }, 'p1', 'm', history);
    expect(printer.basis).toBe('printer');
    expect(printer.factor).toBeCloseTo(1.75);
    const model = correctEstimate(50, { name: 'new.gcode', size: 1 }, 'p9', 'm', history);
    expect(model.basis).toBe('model');
    expect(model.factor).toBeCloseTo(2);
    expect(correctEstimate(50, { name: 'n', size: 1 }, 'p9', 'other', history)).toMatchObject({ basis: 'none', factor: 1, seconds: 50 });
  });

  it('keeps history in the database, newest first', async () => {
    const { db, store } = await freshStore();
    await store.addHistory(h({ startedAt: 10, fileName: 'old' }));
    await store.addHistory(h({ startedAt: 20, fileName: 'new' }));
    await store.addHistory(h({ startedAt: 30, printerId: 'p2', fileName: 'elsewhere' }));
    expect((await store.history('p1')).map((e) => e.fileName)).toEqual(['new', 'old']);
    expect((await store.history()).map((e) => e.fileName)).toEqual(['elsewhere', 'new', 'old']);
    db.close();
  });

  it('keeps one clock: elapsed + remaining = total, and the pace takes over as the print advances', () => {
    const early = printClock(10_000, 0.01, 1000);
    expect(early.remainingSeconds).toBeCloseTo(990);
    expect(early.totalSeconds).toBeCloseTo(early.elapsedSeconds + early.remainingSeconds!);
    const late = printClock(600_000, 0.9, 1000);
    expect(late.remainingSeconds).toBeCloseTo((600 / 0.9) * 0.1, 3);
    expect(printClock(5000, 1, 1000)).toEqual({ elapsedSeconds: 5, remainingSeconds: 0, totalSeconds: 5 });
    expect(printClock(0, 0, undefined).remainingSeconds).toBeUndefined();
  });
});

describe('macros and console history', () => {
  it('checks every line when a macro is saved', () => {
    expect(macroCommands('G28 ; home\n\nG1 Z10 F600\n')).toEqual(['G28', 'G1 Z10 F600']);
    expect(() => makeMacro('p', '', 'G28', 'm1')).toThrow(InvalidMacroError);
    expect(() => makeMacro('p', 'Bad', 'G28\nG1 X1*12', 'm1')).toThrow(/line 2/);
    expect(() => makeMacro('p', 'Bad', '; only a comment', 'm1')).toThrow(/no G-code/);
    expect(() => makeMacro('p', 'Stop', 'M112', 'm1')).toThrow(/emergency stop/);
    expect(makeMacro('p', ' Preheat PLA ', 'M104 S200\nM140 S60', 'm1')).toEqual({
      id: 'm1',
      printerId: 'p',
      name: 'Preheat PLA',
      gcode: 'M104 S200\nM140 S60',
    });
  });

  it('stores macros per printer', async () => {
    const { db, store } = await freshStore();
    await store.putMacro(makeMacro('p1', 'Preheat', 'M104 S200', 'a'));
    await store.putMacro(makeMacro('p2', 'Other', 'G28', 'b'));
    expect((await store.macros('p1')).map((m) => m.name)).toEqual(['Preheat']);
    db.close();
  });

  it('walks the console history with up and down, and keeps it', async () => {
    const c = new ConsoleHistory(['M105']);
    c.push('G28');
    c.push('G28');
    const saved = c.push('M114');
    expect(saved).toEqual(['M105', 'G28', 'M114']);
    expect([c.up(), c.up(), c.up(), c.up()]).toEqual(['M114', 'G28', 'M105', 'M105']);
    expect([c.down(), c.down(), c.down()]).toEqual(['G28', 'M114', '']);
    const { db, store } = await freshStore();
    await store.putConsoleHistory('p1', saved);
    expect(await store.consoleHistory('p1')).toEqual(saved);
    db.close();
  });
});

describe('modal state', () => {
  it('follows position, extrusion modes, temperatures, fan and tool', () => {
    const m = new ModalState(2);
    for (const c of [
      'M140 S60',
      'M104 T1 S215',
      'M104 S200',
      'G28',
      'G90',
      'M82',
      'G1 X10 Y20 Z0.3 E1.5 F1800',
      'G91',
      'G1 X5 E0.5',
      'G90',
      'M83',
      'G1 E2',
      'T1',
      'M106 S128',
      'M106 P1 S255',
      'G92 E0',
    ])
      m.apply(c);
    expect(m.snapshot()).toEqual({ x: 15, y: 20, z: 0.3, e: 0, feed: 1800, relative: false, relativeE: true, hotends: [200, 215], bed: 60, fan: 128, tool: 1 });
  });
});

describe('resume plan', () => {
  it('restores the state the file expects at the layer and continues from its first line', async () => {
    const { planResume, resumeSource } = await import('./index');
    const { readLines, textSource, stripComment } = await import('../index');
    const { analyzeGcode } = await import('../../gcode/index');
    const { getPrinterProfile, machineOf } = await import('../../machines/index');
    const profile = getPrinterProfile('bluemaker-bm10-450');
    // Relative extrusion, two tools, fan changes: what a resume must restore.
    const lines = ['M140 S60', 'M104 T0 S210', 'M104 T1 S220', 'G28', 'G90', 'M83', 'T1'];
    for (let l = 0; l < 4; l++) {
      lines.push(`; layer ${l}`, `G0 X10 Y10 Z${(0.3 * (l + 1)).toFixed(1)} F6000`, l === 2 ? 'M106 S100' : 'M105');
      for (let i = 0; i < 5; i++) lines.push(`G1 X${20 + i} Y${10 + l} E0.5 F1200`);
    }
    const text = lines.join('\n') + '\n';
    const analysis = await analyzeGcode(readLines(textSource(text)), machineOf(profile));
    const plan = await planResume(textSource(text), analysis.layers, 2, profile, { currentZ: 1.2 });
    // A layer begins at its move to the new height (the G-code area's layers): the state to restore is where the
    // layer below ended, and the layer's own travel and fan change are streamed with it.
    expect(analysis.layers[2]).toMatchObject({ z: 0.9, firstCommand: 21 });
    expect(plan.state).toMatchObject({ x: 24, y: 11, z: 0.6, relativeE: true, relative: false, hotends: [210, 220], bed: 60, fan: 0, tool: 1, feed: 1200 });
    expect(plan.prelude).toEqual([
      'M140 S60',
      'M104 T0 S210',
      'M104 T1 S220',
      'M190 S60',
      'M109 T0 S210',
      'M109 T1 S220',
      'T1',
      'G92 Z1.2',
      'G91',
      'G1 Z2 F600',
      'G90',
      'G28 X Y',
      'G1 X24 Y11 F6000',
      'G1 Z0.6 F600',
      'G92 E5',
      'G90',
      'M83',
      'G1 F1200',
      'M107',
    ]);
    // Streamed in small chunks, the resumed file starts exactly at the layer's first line.
    const chunked = {
      ...textSource(text),
      async *open() {
        const b = new TextEncoder().encode(text);
        for (let i = 0; i < b.length; i += 7) yield b.subarray(i, i + 7);
      },
    };
    const streamed: string[] = [];
    for await (const l of readLines(resumeSource(chunked, plan))) if (stripComment(l.text)) streamed.push(stripComment(l.text));
    expect(streamed.slice(0, plan.prelude.length)).toEqual(plan.prelude);
    expect(streamed.slice(plan.prelude.length, plan.prelude.length + 3)).toEqual(['G0 X10 Y10 Z0.9 F6000', 'M106 S100', 'G1 X20 Y12 E0.5 F1200']);
    expect(streamed.length - plan.prelude.length).toBe(analysis.commandCount - plan.startCommand);
    await expect(planResume(textSource(text), analysis.layers, 9, profile)).rejects.toThrow(/layer 10 is not in this file/);
  });
});
