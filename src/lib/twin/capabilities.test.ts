// Capabilities, not reachability (issue 13, item 3), attacked with the real runtime, the current Node sandbox, the
// JGAurora Z-603S reference twin and its virtual printer: a hostile granule composed into the twin the way a user
// does it tries to read contexts it does not depend on, listen to events it does not consume, and drive the printer
// outside the envelope the formalization context states. Every attempt must be refused, reported as an incident that
// names the granule, and leave the printer untouched; what the granules declare keeps working.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadTwinDir } from './source.node.ts';
import { nodeSandboxFactory } from './sandbox.node.ts';
import { packSource, packTwin, type PackedGranule } from './compose';
import { startTwinSession, type TwinSession } from './session';
import type { Incident } from './runtime';
import { MarlinHost } from '../printer/protocol';
import { VirtualTransport } from '../printer/transports/virtual';
import type { TemperatureReading } from '../printer/responses';

const TWINS = join(import.meta.dirname, '../../../static-twins');
const enc = new TextEncoder();
const dec = new TextDecoder();

const sessions: { session: TwinSession; host: MarlinHost }[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) {
    await s.session.stop();
    await s.host.close().catch(() => undefined);
  }
});

/** A granule for `context` made from the twin's own one, with hostile code (and a manifest edit) in its place. */
async function hostile(
  twin: string,
  context: string,
  controller: string,
  edit: (m: Record<string, unknown>) => void = () => undefined,
): Promise<PackedGranule> {
  const loaded = await loadTwinDir(join(TWINS, twin));
  const source = loaded.granules.get(context)!;
  const files = new Map(source.files);
  const manifest = JSON.parse(dec.decode(files.get('granule.json')!)) as Record<string, unknown>;
  manifest.name = `mallory/${context}`;
  manifest.owner = { publicKey: '', name: 'Mallory' };
  edit(manifest);
  files.set('granule.json', enc.encode(JSON.stringify(manifest)));
  files.set('controller.js', enc.encode(controller));
  return packSource(context, { ...source, files, manifest: source.manifest });
}

/** Runs the twin (with some granules replaced) on its virtual printer, recording every command that reaches the printer. */
async function run(twin: string, replace: PackedGranule[] = []) {
  const loaded = await loadTwinDir(join(TWINS, twin));
  const granules = packTwin(loaded).map((g) => replace.find((r) => r.context === g.context) ?? g);
  const transport = new VirtualTransport({ model: twin, skipWaits: true, timeScale: 1000 });
  const host = new MarlinHost({ baud: transport.baud });
  await host.attach(await transport.open());
  const reached: string[] = [];
  let temperatures: TemperatureReading | undefined;
  host.on('temperature', (r) => (temperatures = r));
  const hotendTarget = async () => {
    await host.command('M105');
    return temperatures?.hotends[0]?.target;
  };
  const printer = { command: (c: string) => (reached.push(c), host.command(c)), on: host.on.bind(host) as never };
  const session = await startTwinSession({
    granules,
    sandboxFactory: nodeSandboxFactory(),
    printer: { host: printer, label: transport.label },
    requestTimeoutMs: 20_000,
  });
  sessions.push({ session, host });
  return { runtime: session.runtime, reached, hotendTarget, envelope: session.envelope };
}

const byGranule = (incidents: Incident[], name: string) => incidents.filter((i) => i.granule === name);

describe('capabilities, not reachability', () => {
  it('attack: an appearance granule reads the data of four contexts it does not depend on', async () => {
    const spy = await hostile(
      'jgaurora-z-603s',
      'appearance',
      `const grab = async (ctx, op) => { try { return await twin.request(ctx, op); } catch (e) { return 'refused: ' + e.message; } };
       exports.operations = {
         scene: () => ({}), pose: () => ({}), placed: () => [],
         view: async () => ({
           mechanical: await grab('mechanical', 'spec'),
           formalization: await grab('formalization', 'describe'),
           task: await grab('task', 'queue'),
           communication: await grab('communication', 'status'),
           sensing: await grab('sensing', 'state'),
           sensingUndeclaredOp: await grab('sensing', 'debug'),
         }),
       };`,
    );
    const { runtime } = await run('jgaurora-z-603s', [spy]);
    const got = (await runtime.request('appearance', 'view')) as Record<string, unknown>;
    for (const ctx of ['mechanical', 'formalization', 'task', 'communication']) expect(got[ctx]).toMatch(new RegExp(`^refused: .*${ctx}.*does not declare`));
    // Its declared dependency still answers; an operation the dependency does not provide does not.
    expect(got.sensing).toMatchObject({ temperatures: null });
    expect(got.sensingUndeclaredOp).toMatch(/^refused: .*provides only poll, state, view/);
    const incidents = byGranule(runtime.incidents, 'mallory/appearance');
    expect(incidents.filter((i) => i.kind === 'denied')).toHaveLength(5);
    expect(incidents[0]).toMatchObject({ context: 'appearance', version: '1.0.0', owner: 'Mallory' });
    expect(runtime.state().every((s) => s.status === 'running')).toBe(true);
  });

  it("attack: an appearance granule subscribes to the communication context's events", async () => {
    const spy = await hostile(
      'jgaurora-z-603s',
      'appearance',
      `const seen = { exchange: [], reading: 0, commanded: 0 };
       exports.start = () => {
         twin.on('communication:exchange', (e) => seen.exchange.push(e.command));
         twin.on('automation:commanded', () => seen.commanded++);
         twin.on('sensing:reading', () => seen.reading++);
       };
       exports.operations = { scene: () => ({}), pose: () => ({}), placed: () => [], view: () => seen };`,
    );
    const { runtime } = await run('jgaurora-z-603s', [spy]);
    await runtime.request('automation', 'home', {});
    await runtime.request('sensing', 'poll');
    const seen = (await runtime.request('appearance', 'view')) as { exchange: string[]; reading: number; commanded: number };
    expect(seen).toEqual({ exchange: [], reading: 1, commanded: 0 });
    const denied = byGranule(runtime.incidents, 'mallory/appearance').filter((i) => i.kind === 'denied');
    expect(denied.map((i) => i.message)).toEqual([expect.stringContaining('"communication:exchange"'), expect.stringContaining('"automation:commanded"')]);
  });

  it('attack: an appearance granule sends M104 S270, G28 and G1 X500 Y500 Z600 through the communication context', async () => {
    const evil = await hostile(
      'jgaurora-z-603s',
      'appearance',
      `const send = async (target, op, p) => { try { await twin.request(target, op, p); return 'sent'; } catch (e) { return 'refused: ' + e.message; } };
       exports.operations = {
         scene: () => ({}), pose: () => ({}), placed: () => [],
         view: async () => [
           await send('communication', 'send', { command: 'M104 S270' }),
           await send('communication', 'send', { command: 'G28' }),
           await send('communication', 'send', { command: 'G1 X500 Y500 Z600' }),
           await send('printer', 'command', 'M104 S270'),
         ],
       };`,
      // Even declaring communication as a dependency does not let it out of the envelope.
      (m) =>
        ((m.dependencies as { granules: unknown[] }).granules = [
          { name: 'sensing', version: '^1.0.0' },
          { name: 'communication', version: '^1.0.0' },
        ]),
    );
    const { runtime, reached, hotendTarget } = await run('jgaurora-z-603s', [evil]);
    const results = (await runtime.request('appearance', 'view')) as string[];
    expect(results[0]).toMatch(/refused: .*270 °C is above the 260 °C the hotend may reach/);
    // G28 is inside the envelope: with communication declared, homing is what a dependency may ask for.
    expect(results[1]).toBe('sent');
    expect(results[2]).toMatch(/refused: .*X 500 mm is outside the build volume \(0–280 mm\)/);
    expect(results[3]).toMatch(/refused: .*not granted "printer"/);
    expect(reached).toEqual(['G28']);
    expect(await hotendTarget()).toBe(0);
    const denied = byGranule(runtime.incidents, 'mallory/appearance').filter((i) => i.kind === 'denied');
    expect(denied.map((i) => i.message)).toEqual([
      expect.stringMatching(/"M104 S270".*260 °C/),
      expect.stringMatching(/"G1 X500 Y500 Z600".*build volume/),
      expect.stringMatching(/"printer" capability/),
    ]);
  });

  it('attack: an appearance granule that does not declare communication cannot even send G28 through it', async () => {
    const evil = await hostile(
      'jgaurora-z-603s',
      'appearance',
      `exports.operations = { scene: () => ({}), pose: () => ({}), placed: () => [],
         view: async () => { try { await twin.request('communication', 'send', { command: 'G28' }); return 'sent'; } catch (e) { return 'refused: ' + e.message; } } };`,
    );
    const { runtime, reached } = await run('jgaurora-z-603s', [evil]);
    expect(await runtime.request('appearance', 'view')).toMatch(/refused: .*does not declare as a dependency/);
    expect(reached).toEqual([]);
    expect(byGranule(runtime.incidents, 'mallory/appearance')).toEqual([
      expect.objectContaining({ kind: 'denied', context: 'appearance', message: expect.stringContaining('communication') }),
    ]);
  });

  it('attack: an automation granule (which may use communication) drives the printer outside the envelope', async () => {
    const evil = await hostile(
      'jgaurora-z-603s',
      'automation',
      `const send = async (command) => { try { await twin.request('communication', 'send', { command: command }); return 'sent'; } catch (e) { return 'refused: ' + e.message; } };
       exports.operations = { home: () => 1, jog: () => 1, setHotend: () => 1, cooldown: () => 1, led: () => 1, setBed: () => 1, fan: () => 1, printSpeed: () => 1, capabilities: () => ({ controls: [] }),
         view: async (p) => { const out = []; for (const c of p) out.push(await send(c)); return out; } };`,
    );
    const { runtime, reached, hotendTarget } = await run('jgaurora-z-603s', [evil]);
    const attempts = [
      'M104 S270',
      'M109 S999',
      'M140 S150',
      'G1 X500 Y500 Z600',
      'G91',
      'G1 X10',
      'G90',
      'M500',
      'M302 S0',
      'M211 S0',
      'G92 X0',
      'T3',
      'M203 X9000',
      'G1 X10 F999999',
      'M997',
    ];
    const refused = (await runtime.request('automation', 'view', attempts)) as string[];
    attempts.forEach((c, i) => expect([c, refused[i]]).toEqual([c, ['G91', 'G90'].includes(c) ? 'sent' : expect.stringMatching(/^refused: /)]));
    expect(reached).toEqual(['G91', 'G90']);
    expect(await hotendTarget()).toBe(0);
    // Inside the envelope the same granule still drives the printer.
    const allowed = ['G28', 'M104 S200', 'M140 S60', 'G1 X280 Y180 Z180 F3000', 'G91', 'G1 X-30', 'G90', 'M106 S255', 'M220 S150'];
    expect(await runtime.request('automation', 'view', allowed)).toEqual(allowed.map(() => 'sent'));
    expect(reached.slice(2)).toEqual(allowed);
    expect(await hotendTarget()).toBe(200);
    const denied = byGranule(runtime.incidents, 'mallory/automation').filter((i) => i.kind === 'denied');
    expect(denied).toHaveLength(attempts.length - 2);
    expect(denied[0]!.message).toMatch(/asked the communication context to "send" "M104 S270", which was refused/);
  });

  it('attack: a communication granule sends out-of-envelope G-code straight to the printer capability', async () => {
    const evil = await hostile(
      'shdm-3ddtp-500',
      'communication',
      `const send = async (c) => { try { await twin.request('printer', 'command', c); return 'sent'; } catch (e) { return 'refused: ' + e.message; } };
       exports.operations = { send: async (p) => send(p.command), telemetry: () => null, status: () => ({}),
         view: async () => [await send('M104 S270'), await send('G1 X500 Y500 Z600'), await send('M105')] };`,
    );
    // The JGAurora twin uses the base twin's communication granule: replace it there.
    const { runtime, reached } = await run('jgaurora-z-603s', [evil]);
    expect(await runtime.request('communication', 'view')).toEqual([
      expect.stringMatching(/refused: .*260 °C/),
      expect.stringMatching(/refused: .*0–280 mm/),
      'sent',
    ]);
    expect(reached).toEqual(['M105']);
    expect(byGranule(runtime.incidents, 'mallory/communication').map((i) => i.kind)).toEqual(['denied', 'denied']);
  });

  it('attack: a granule that pins its dependency to another α cannot call the granule the twin runs instead', async () => {
    const evil = await hostile(
      'jgaurora-z-603s',
      'formalization',
      `exports.operations = { describe: async () => { try { return await twin.request('mechanical', 'spec'); } catch (e) { return 'refused: ' + e.message; } }, aas: () => ({}), view: () => ({}) };`,
      (m) => ((m.dependencies as { granules: unknown[] }).granules = [{ name: 'mechanical', version: '^1.0.0', alpha: '0x' + '1'.repeat(64) }]),
    );
    const { runtime } = await run('jgaurora-z-603s', [evil]);
    expect(await runtime.request('formalization', 'describe')).toMatch(/refused: .*pins mechanical/);
    expect(byGranule(runtime.incidents, 'mallory/formalization')).toHaveLength(1);
  });
});

describe('persistent probing', () => {
  it('attack: a granule that keeps knocking on undeclared contexts and events is stopped; the rest keeps running', async () => {
    const knocker = await hostile(
      'jgaurora-z-603s',
      'appearance',
      `exports.operations = { scene: () => ({}), pose: () => ({}), placed: () => [],
         view: async () => { for (let i = 0; i < 1000; i++) { twin.on('communication:exchange' + i, () => null); await twin.request('mechanical', 'spec').catch(() => null); } return 'done'; } };`,
    );
    const { runtime } = await run('jgaurora-z-603s', [knocker]);
    await expect(runtime.request('appearance', 'view')).rejects.toThrow(/not running/);
    expect(runtime.status('appearance')).toBe('failed');
    const mine = byGranule(runtime.incidents, 'mallory/appearance');
    expect(mine).toHaveLength(33);
    expect(mine.at(-1)!.message).toMatch(/refused 32 times and was stopped/);
    expect(((await runtime.request('mechanical', 'spec')) as { printer: string }).printer).toBe('JGAurora Z-603S');
    expect(
      runtime
        .state()
        .filter((s) => s.status !== 'running')
        .map((s) => s.context),
    ).toEqual(['appearance']);
  });
});

describe('the reference twins compose and run under their declared capabilities', () => {
  it('all three run their contexts, print inside the envelope, and raise no incident', async () => {
    for (const id of ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450']) {
      const { runtime, reached, envelope } = await run(id);
      expect(runtime.state().every((s) => s.status === 'running')).toBe(true);
      await runtime.request('automation', 'home', {});
      await runtime.request('automation', 'setHotend', { target: 200 });
      await runtime.request('automation', 'jog', { axis: 'X', distance: 20 });
      const reading = (await runtime.request('sensing', 'poll')) as { position: { x: number } };
      expect(reading.position.x).toBeCloseTo(20, 1);
      expect(((await runtime.request('appearance', 'pose')) as { x: number }).x).toBeCloseTo(20, 1);
      const gcode = ['G28', 'G90', 'M83', 'G1 Z0.2 F600', 'G1 X10 Y10 F3000', 'G1 X50 Y10 E2 F1800', 'G1 X50 Y50 E2', 'M104 S0'].join('\n');
      const finished = new Promise((resolve) => runtime.on('task:finished', resolve));
      await runtime.request('task', 'submit', { name: 'square', gcode });
      await runtime.request('task', 'start');
      expect(await finished).toMatchObject({ state: 'done', done: 8 });
      for (const s of runtime.state()) expect(await runtime.request(s.context, 'view')).toMatchObject({ type: 'section' });
      // The envelope the host enforces is the one the formalization context states, in its description too.
      const stated = ((await runtime.request('formalization', 'describe')) as { envelope: unknown }).envelope;
      expect(stated).toMatchObject({ hotendMax: 260 });
      expect(envelope).toEqual({ envelope: stated });
      expect(runtime.incidents).toEqual([]);
      expect(reached).toContain('G1 X50 Y50 E2');
    }
  });
});
