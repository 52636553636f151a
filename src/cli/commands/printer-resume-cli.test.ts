// `twingrain printer stream --journal` killed mid-print (the process is the virtual printer: a power cut), then
// `twingrain printer resume` finishes the part from the journal's layer.
import { describe, expect, it } from 'vitest';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { uniquePart } from '../../lib/printer/jobs/testing';
import { parseJournal, planResume } from '../../lib/printer/jobs/index';
import { readLines, textSource } from '../../lib/printer/index';
import { getPrinterProfile, machineOf } from '../../lib/machines/index';
import { analyzeGcode } from '../../lib/gcode/index';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin/twingrain.js');
const MODEL = 'jgaurora-z-603s';

async function waitForLayer(path: string, layer: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (parseJournal(await readFile(path, 'utf8')).layer >= layer) return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the journal never reached layer ${layer + 1}`);
}

describe('twingrain printer resume', () => {
  it('finishes a print killed mid-way from the journal, streaming only the rest of the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-resume-'));
    try {
      const { text } = uniquePart(30, 40);
      const gcode = join(dir, 'part.gcode');
      const journalPath = join(dir, 'part.journal.json');
      await writeFile(gcode, text);
      const child = spawn(process.execPath, [BIN, 'printer', 'stream', gcode, '--virtual', MODEL, '--journal', journalPath, '--faults', '0.01'], {
        stdio: 'pipe',
      });
      const exited = new Promise((r) => child.on('exit', r));
      await waitForLayer(journalPath, 8, 60_000);
      child.kill('SIGKILL');
      await exited;
      const cut = parseJournal(await readFile(journalPath, 'utf8'));
      expect(cut.state).toBe('printing');
      expect(cut.fileRef).toBe(gcode);
      expect(cut.layer).toBeGreaterThanOrEqual(8);
      expect(cut.layer).toBeLessThan(29);
      expect(cut.hotends[0]).toBe(200);
      expect(cut.z).toBeCloseTo((cut.layer + 1) * 0.2, 5);

      // Bad input is refused with a clear message and nothing is printed.
      await expect(run(process.execPath, [BIN, 'printer', 'resume', journalPath, '--virtual', 'shdm-3ddtp-500'])).rejects.toMatchObject({
        stderr: expect.stringMatching(/journal is for a jgaurora-z-603s printer/),
      });
      await expect(run(process.execPath, [BIN, 'printer', 'resume', journalPath, '--virtual', MODEL, '--layer', '0'])).rejects.toMatchObject({
        stderr: expect.stringMatching(/--layer is a layer number from 1/),
      });

      const { stdout } = await run(process.execPath, [BIN, 'printer', 'resume', journalPath, '--virtual', MODEL, '--faults', '0.01']);
      const out = JSON.parse(stdout) as Record<string, number>;
      expect(Object.keys(out)).toEqual(['linesSent', 'linesExecuted', 'resends', 'seconds', 'linkUtilization']);
      // Exactly the preamble and the file from the layer's first line ran, each once.
      const profile = getPrinterProfile(MODEL);
      const analysis = await analyzeGcode(readLines(textSource(text)), machineOf(profile));
      const plan = await planResume(textSource(text), analysis.layers, cut.layer, profile, { currentZ: cut.z });
      expect(out.linesExecuted).toBe(plan.prelude.length + analysis.commandCount - plan.startCommand);
      expect(out.linesSent).toBeGreaterThanOrEqual(out.linesExecuted!);
      const done = parseJournal(await readFile(journalPath, 'utf8'));
      expect(done.state).toBe('finished');
      expect(done.resumedFromLayer).toBe(cut.layer);
      expect(done.commandIndex).toBe(analysis.commandCount - 1);
      // A finished print is not resumed again.
      await expect(run(process.execPath, [BIN, 'printer', 'resume', journalPath, '--virtual', MODEL])).rejects.toMatchObject({
        stderr: expect.stringMatching(/finished/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
