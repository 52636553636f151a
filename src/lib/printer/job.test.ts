import { describe, expect, it } from 'vitest';
import { VirtualPrinter } from '../sim/index';
import { getPrinterProfile } from '../machines/index';
import { JobCancelledError, MarlinHost, PrintJob, generateTestGcode, stripComment, textSource } from './index';

const MODEL = 'bluemaker-bm10-450';
const profile = getPrinterProfile(MODEL);

async function setup() {
  const vp = new VirtualPrinter({ model: MODEL, seed: 2 });
  const host = new MarlinHost({ responseTimeoutMs: 500 });
  await host.attach(vp.open(vp.baud));
  return { vp, host };
}

const text = [...generateTestGcode({ layers: 6, segmentsPerSide: 6, hotend: 200, bed: 50, tools: 2 })].join('\n') + '\n';

describe('print jobs', () => {
  it('pauses with the head parked, resumes where it stopped, and finishes every line once', async () => {
    const { vp, host } = await setup();
    const runs = new Map<string, number>();
    let first = Infinity;
    host.on('sent', (n) => (first = Math.min(first, n)));
    const job = new PrintJob(host, textSource(text), { profile });
    let paused = false;
    job.onCommandDone((i) => {
      if (i === 60 && !paused) {
        paused = true;
        void (async () => {
          await job.pause();
          const parked = vp.firmware.snapshot().target;
          expect(parked.y).toBe(profile.volume.y);
          expect(job.progress().state).toBe('paused');
          await job.resume();
        })();
      }
    });
    const fileCommands: string[] = [];
    vp.onExecute((c) => {
      if (c.n !== undefined && c.n >= first) runs.set(`${c.n}`, (runs.get(`${c.n}`) ?? 0) + 1);
      if (c.n !== undefined && c.n >= first) fileCommands.push(c.command);
    });
    await job.run();
    expect(paused).toBe(true);
    const expected = text.split('\n').map(stripComment).filter(Boolean);
    // The file's commands all ran once, in order; the parking moves ran in between.
    let at = 0;
    for (const c of fileCommands) if (c === expected[at]) at++;
    expect(at).toBe(expected.length); // the file is an in-order subsequence of what ran
    expect(fileCommands.length).toBe(expected.length + 2 + 7 + 8); // + M400, M114, 7 parking and 8 return commands
    expect([...runs.values()].every((v) => v === 1)).toBe(true);
    expect(job.progress()).toMatchObject({ state: 'done', fraction: 1, commandsDone: expected.length });
    await host.close();
  });

  it('cancels with cool-down: heaters and fan off, head lifted', async () => {
    const { vp, host } = await setup();
    const job = new PrintJob(host, textSource(text), { profile });
    job.onCommandDone((i) => i === 40 && void job.cancel());
    await expect(job.run()).rejects.toBeInstanceOf(JobCancelledError);
    const s = vp.firmware.snapshot();
    expect(s.hotends.map((h) => h.target)).toEqual([0, 0]);
    expect(s.bed!.target).toBe(0);
    expect(s.fan).toBe(0);
    expect(job.progress().state).toBe('cancelled');
    await host.close();
  });
});
