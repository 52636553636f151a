// The sample slicer files (Cura, PrusaSlicer, Bambu/Orca with arcs) printed through the real CLI: on every virtual
// printer with 1% of lines corrupted, and through a pseudo-terminal to the simulator (`printer sim --pty` with
// `printer stream --port`), with every command executed exactly once; and Printrun's printcore, a desktop host,
// printing to `printer sim --pty` when it is available.
import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURES, slice, type Flavour } from '../../../../tests/fixtures/gcode/slicer';
import { analyzeGcode, stripComment } from '../../../lib/gcode/index';
import { exposeOnPty } from '../../../lib/sim/pty.node.ts';
import { getPrinterProfile, machineOf, printerModelIds } from '../../../lib/machines/index';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../../..');
const cli = join(root, 'bin/twingrain.js');
const dir = join(root, 'tests/fixtures/gcode');
const fixtures = Object.entries(FIXTURES) as [Flavour, string][];
const commandsOf = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').map(stripComment).filter(Boolean);

async function twingrain(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [cli, ...args], { cwd: root, timeout: 240_000 });
  return JSON.parse(stdout);
}

/** `twingrain printer sim --pty` in the background; resolves with its JSON line and a stop function. */
async function simOnPty(args: string[]) {
  const child = spawn(process.execPath, [cli, 'printer', 'sim', '--pty', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const info = await new Promise<{ pty: string; model: string; baud: number }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out));
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.once('exit', (code) => reject(new Error(`printer sim --pty exited (${code}): ${err}`)));
  });
  child.removeAllListeners('exit');
  return { info, stop: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))) };
}

describe('sample slicer files', () => {
  it('are exactly what the fixture slicer writes, in three dialects, one with arcs', () => {
    for (const [flavour, file] of fixtures) expect(readFileSync(join(dir, file), 'utf8')).toBe(slice(flavour));
    const orca = readFileSync(join(dir, FIXTURES.orca), 'utf8');
    expect(orca).toMatch(/^G3 .*I-?\d/m);
    expect(orca).toMatch(/^G2 .*R\d/m);
    expect(readFileSync(join(dir, FIXTURES.prusaslicer), 'utf8')).toMatch(/^M201 .*\nM203 .*\nM204 .*\nM205 /m);
  });

  it('read as 12 layers with their feature types on every printer', async () => {
    for (const [flavour, file] of fixtures) {
      const text = readFileSync(join(dir, file), 'utf8');
      const r = await analyzeGcode(
        text.split('\n').map((t) => ({ text: t })),
        machineOf(getPrinterProfile('bluemaker-bm10-450')),
      );
      expect(r.layers, flavour).toHaveLength(12);
      expect(r.layers[11]!.z).toBeCloseTo(2.4, 5);
      expect(r.featureSegments[1], `${flavour} outer wall`).toBeGreaterThan(0);
      expect(r.featureSegments[2], `${flavour} inner wall`).toBeGreaterThan(0);
      expect(r.featureSegments[3]! + r.featureSegments[4]!, `${flavour} infill`).toBeGreaterThan(0);
      expect(r.commandCount).toBe(commandsOf(file).length);
      if (flavour === 'orca') expect(r.arcs).toBe(12 * 4);
      // The part is the 20 mm cylinder at (100, 90) with its skirt, not the bed (PrusaSlicer's intro line is printed
      // along the front edge, as on a real Prusa).
      if (flavour !== 'prusaslicer') expect(r.bounds.max[0] - r.bounds.min[0]).toBeLessThan(30);
    }
  });
});

describe('twingrain printer stream', () => {
  for (const model of printerModelIds) {
    it(`prints every sample file on the virtual ${model} with 1% faults, each command once`, async () => {
      for (const [flavour, file] of fixtures) {
        const r = await twingrain(['printer', 'stream', join(dir, file), '--virtual', model, '--faults', '0.01', '--seed', '7']);
        expect(Object.keys(r)).toEqual(['linesSent', 'linesExecuted', 'resends', 'seconds', 'linkUtilization']);
        expect(r.linesExecuted, `${flavour} on ${model}`).toBe(commandsOf(file).length);
        expect(r.linesSent).toBe((r.linesExecuted as number) + (r.resends as number));
      }
    });
  }

  it('prints through a pseudo-terminal to the simulator: every command executed once on the printer side', async () => {
    const sim = await exposeOnPty({ model: 'bluemaker-bm10-450', faults: { checksumErrorRate: 0.01 }, seed: 3, skipWaits: true });
    try {
      const file = FIXTURES.orca;
      const runs = new Map<number, number>();
      let first = Infinity;
      sim.printer.onExecute((c) => {
        // The job's lines follow the handshake (M110, M115, M155); they are the last commandsOf(file) numbers.
        if (c.n !== undefined) runs.set(c.n, (runs.get(c.n) ?? 0) + 1);
        first = Math.min(first, c.n ?? Infinity);
      });
      const r = await twingrain(['printer', 'stream', join(dir, file), '--port', sim.pty, '--baud', '250000', '--model', 'bluemaker-bm10-450']);
      const expected = commandsOf(file).length;
      expect(r.linesExecuted).toBe(expected);
      const numbers = [...runs.keys()].sort((a, b) => a - b);
      const job = numbers.slice(-expected);
      expect(job.every((n) => runs.get(n) === 1)).toBe(true);
      expect(job[job.length - 1]! - job[0]!).toBe(expected - 1);
      expect(sim.printer.firmware.rxOverflows).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('`printer sim --pty` and `printer stream --port` work together, with the JSON shapes stated', async () => {
    const { info, stop } = await simOnPty(['--model', 'jgaurora-z-603s', '--faults', '0.01', '--skip-waits']);
    try {
      expect(Object.keys(info)).toEqual(['pty', 'model', 'baud']);
      expect(info.pty).toMatch(/^\/dev\/pts\/\d+$/);
      expect(info).toMatchObject({ model: 'jgaurora-z-603s', baud: 115200 });
      const file = FIXTURES.cura;
      const r = await twingrain(['printer', 'stream', join(dir, file), '--port', info.pty, '--model', 'jgaurora-z-603s']);
      expect(Object.keys(r)).toEqual(['linesSent', 'linesExecuted', 'resends', 'seconds', 'linkUtilization']);
      expect(r.linesExecuted).toBe(commandsOf(file).length);
      // A second host session on the same pty (the cable unplugged and plugged in again).
      const again = await twingrain(['printer', 'stream', join(dir, FIXTURES.prusaslicer), '--port', info.pty, '--model', 'jgaurora-z-603s']);
      expect(again.linesExecuted).toBe(commandsOf(FIXTURES.prusaslicer).length);
    } finally {
      await stop();
    }
  });

  it('says clearly when the port does not exist', async () => {
    const error = await run(process.execPath, [cli, 'printer', 'stream', join(dir, FIXTURES.cura), '--port', '/dev/does-not-exist'], { cwd: root }).catch(
      (e: { stderr: string; code: number }) => e,
    );
    expect((error as { code: number }).code).not.toBe(0);
    expect((error as { stderr: string }).stderr).toMatch(/could not open the serial port \/dev\/does-not-exist/);
  });
});

// Printrun's printcore, fetched (not committed) into PRINTRUN_DIR (default /tmp/printrun), with Debian's python3-serial.
const printrun = process.env.PRINTRUN_DIR ?? '/tmp/printrun';
const python = '/usr/bin/python3';
const printcoreReady = existsSync(join(printrun, 'printrun/printcore.py')) && existsSync(python);
describe.skipIf(!printcoreReady)('a desktop host (Printrun printcore)', () => {
  it('prints a sample file to `printer sim --pty` with 1% faults, each command once', async () => {
    const sim = await exposeOnPty({ model: 'jgaurora-z-603s', faults: { checksumErrorRate: 0.01 }, seed: 9, skipWaits: true });
    try {
      const runs = new Map<string, number>();
      sim.printer.onExecute((c) => {
        if (c.n !== undefined && c.n >= 0 && !/^M110\b/.test(c.command)) runs.set(`${c.n}`, (runs.get(`${c.n}`) ?? 0) + 1);
      });
      const file = join(dir, FIXTURES.prusaslicer);
      const { stdout } = await run(python, [join(root, 'tests/fixtures/printcore-print.py'), printrun, sim.pty, '115200', file], { timeout: 240_000 });
      const r = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(r).toMatchObject({ online: true, finished: true });
      // The injected faults show up as Marlin's line errors, which printcore answers with resends; nothing else.
      expect((r.errors as string[]).filter((e) => !/checksum|Line Number/i.test(e))).toEqual([]);
      const expected = commandsOf(FIXTURES.prusaslicer).length;
      // printcore numbers the file's lines from 0 (after its M110 N-1).
      expect([...runs.keys()].length).toBe(expected);
      expect([...runs.values()].every((v) => v === 1)).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
if (!printcoreReady)
  console.warn(
    `printcore tests skipped: Printrun not found in ${printrun} (fetch kliment/Printrun there) or ${python} missing (apt-get install python3-serial)`,
  );
