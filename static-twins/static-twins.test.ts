// The three reference twins: they load, validate (Definitions 1–4), pack deterministically, run against their
// virtual printers through the Marlin host protocol, share the base granules, and swap granules between twins.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTwinDir } from '../src/lib/twin/source.node.ts';
import { nodeSandboxFactory } from '../src/lib/twin/sandbox.node.ts';
import { TwinRuntime, dependencyIssues, packTwin, sharedGranules, validateTwin, withGranule, startTwinSession, type PackedGranule } from '../src/lib/twin/index';
import { MarlinHost } from '../src/lib/printer/protocol';
import { VirtualTransport } from '../src/lib/printer/transports/virtual';
import { printerScene, sceneSpecs } from './scene';

const here = import.meta.dirname;
const IDS = ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'] as const;

const running: { runtime: TwinRuntime; host: MarlinHost }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.runtime.stop();
    await r.host.close().catch(() => undefined);
  }
});

async function start(id: string, granules: PackedGranule[]) {
  const transport = new VirtualTransport({ model: id, skipWaits: true, timeScale: 1000 });
  const host = new MarlinHost({ baud: transport.baud });
  await host.attach(await transport.open());
  // The session the Twins page runs: the printer granted to communication only, commands held to the envelope.
  const { runtime } = await startTwinSession({ granules, sandboxFactory: nodeSandboxFactory(), printer: { host, label: transport.label }, requestTimeoutMs: 20_000 });
  running.push({ runtime, host });
  return { runtime, host, transport };
}

describe('reference twins', () => {
  it('load, satisfy Definitions 1–4, have the nine contexts of Fig. 1, and pack deterministically', async () => {
    for (const id of IDS) {
      const loaded = await loadTwinDir(join(here, id));
      expect(validateTwin(loaded.twin)).toEqual([]);
      expect(loaded.twin.domains.map((d) => [d.name, d.contexts.map((c) => c.name)])).toEqual([
        ['ontology', ['appearance', 'mechanical', 'formalization']],
        ['enabling', ['communication', 'sensing', 'automation']],
        ['business', ['task', 'simulation', 'service']],
      ]);
      expect(dependencyIssues(packTwin(loaded))).toEqual([]);
      const a = packTwin(loaded).map((g) => g.alpha);
      const b = packTwin(await loadTwinDir(join(here, id))).map((g) => g.alpha);
      expect(a).toEqual(b);
    }
  });

  it('the derived printers reuse every base granule that does not differ', async () => {
    const twins = await Promise.all(IDS.map(async (id) => ({ id, granules: packTwin(await loadTwinDir(join(here, id))) })));
    const shared = sharedGranules(twins);
    expect(shared.map((s) => s.context).sort()).toEqual(['communication', 'sensing', 'service', 'simulation', 'task']);
    for (const s of shared) expect(s.twins).toEqual([...IDS]);
    // Own granules differ: appearance (geometry), mechanical (Table 2), formalization, automation (extended).
    const own = (id: string, ctx: string) => twins.find((t) => t.id === id)!.granules.find((g) => g.context === ctx)!.alpha;
    for (const ctx of ['appearance', 'mechanical', 'formalization', 'automation']) expect(new Set(IDS.map((id) => own(id, ctx))).size).toBe(3);
  });

  it('appearance scenes are the generated geometry of Table 2', () => {
    for (const id of IDS) {
      const committed = JSON.parse(readFileSync(join(here, id, 'appearance', 'scene.json'), 'utf8'));
      expect(committed).toEqual(printerScene(sceneSpecs[id]!));
      expect(committed.buildVolume).toEqual(JSON.parse(readFileSync(join(here, id, 'mechanical', 'spec.json'), 'utf8')).buildVolume);
    }
  });
});

describe('reference twins run against their virtual printers', () => {
  it('SHDM 3DDTP-500: sense, home, estimate, print a job, describe as AAS, offer', async () => {
    const { runtime } = await start('shdm-3ddtp-500', packTwin(await loadTwinDir(join(here, 'shdm-3ddtp-500'))));
    expect(runtime.state().every((s) => s.status === 'running')).toBe(true);
    const reading = (await runtime.request('sensing', 'poll')) as { temperatures: { hotends: unknown[] }; position: { x: number } };
    expect(reading.temperatures.hotends).toHaveLength(1);
    expect(reading.position).toMatchObject({ x: expect.any(Number) });
    const homed = (await runtime.request('automation', 'home', {})) as { commands: string[] };
    expect(homed.commands).toEqual(['G28']);
    await runtime.request('automation', 'jog', { axis: 'X', distance: 25 });
    const after = (await runtime.request('sensing', 'poll')) as { position: { x: number } };
    expect(after.position.x).toBeCloseTo(25, 1);
    const pose = (await runtime.request('appearance', 'pose')) as { x: number };
    expect(pose.x).toBeCloseTo(25, 1);
    await expect(runtime.request('automation', 'jog', { axis: 'X', distance: 9999 })).rejects.toThrow(/distance must be between/);
    // A two-layer square: simulation estimate, then the task context prints it through communication.
    const gcode = ['G28', 'G90', 'M83', 'G1 Z0.2 F600', 'G1 X10 Y10 F3000', 'G1 X50 Y10 E2 F1800', 'G1 X50 Y50 E2', 'G1 X10 Y50 E2', 'G1 X10 Y10 E2', 'G1 Z0.4', 'G1 X50 Y10 E2', 'G1 X50 Y50 E2', '; done', ''].join('\n');
    const estimate = (await runtime.request('simulation', 'estimate', { gcode })) as { seconds: number; filamentMm: number; layers: number; fits: { fits: boolean } };
    expect(estimate.filamentMm).toBe(12);
    expect(estimate.layers).toBe(2);
    expect(estimate.seconds).toBeGreaterThan(0);
    expect(estimate.fits.fits).toBe(true);
    const finished = new Promise((resolve) => runtime.on('task:finished', resolve));
    await runtime.request('task', 'submit', { name: 'square', gcode });
    await runtime.request('task', 'start');
    expect(await finished).toMatchObject({ state: 'done', done: 12, total: 12 });
    const aas = (await runtime.request('formalization', 'aas')) as { modelType: string; submodelElements: { value: { idShort: string; value?: string }[] }[] };
    expect(aas.modelType).toBe('Submodel');
    expect(aas.submodelElements[1]!.value.find((p) => p.idShort === 'BuildVolumeZ')?.value).toBe('600');
    const offer = (await runtime.request('service', 'offer')) as { availability: string; services: { name: string }[] };
    expect(offer.availability).toBe('available');
    for (const s of runtime.state()) expect(await runtime.request(s.context, 'view')).toMatchObject({ type: 'section' });
    // The only incident is the refused jog above; every context is still running.
    expect(runtime.incidents.map((i) => [i.context, i.kind])).toEqual([['automation', 'operation-error']]);
    expect(runtime.state().every((s) => s.status === 'running')).toBe(true);
  });

  it('JGAurora Z-603S: extended automation (LED, heat bed, fan, print speed)', async () => {
    const { runtime } = await start('jgaurora-z-603s', packTwin(await loadTwinDir(join(here, 'jgaurora-z-603s'))));
    const caps = (await runtime.request('automation', 'capabilities')) as { controls: string[] };
    expect(caps.controls).toEqual(expect.arrayContaining(['led', 'setBed', 'fan', 'printSpeed']));
    expect(((await runtime.request('automation', 'led', { r: 255, g: 0, b: 128 })) as { commands: string[] }).commands).toEqual(['M150 R255 U0 B128']);
    await runtime.request('automation', 'setBed', { target: 60 });
    await runtime.request('automation', 'fan', { percent: 50 });
    await runtime.request('automation', 'printSpeed', { percent: 150 });
    await expect(runtime.request('automation', 'setBed', { target: 200 })).rejects.toThrow(/bed target/);
    const reading = (await runtime.request('sensing', 'poll')) as { temperatures: { bed: { target: number } } };
    expect(reading.temperatures.bed.target).toBe(60);
    const d = (await runtime.request('formalization', 'describe')) as { controls: string[]; buildVolume: { x: number } };
    expect(d.buildVolume.x).toBe(280);
    expect(d.controls).toContain('led');
  });

  it('BlueMaker BM10-450: dual nozzles, heat bed, fan', async () => {
    const { runtime } = await start('bluemaker-bm10-450', packTwin(await loadTwinDir(join(here, 'bluemaker-bm10-450'))));
    await runtime.request('automation', 'setHotend', { tool: 1, target: 180 });
    await runtime.request('automation', 'selectTool', { tool: 1 });
    await runtime.request('automation', 'setBed', { target: 50 });
    await runtime.request('automation', 'fan', { percent: 0 });
    const reading = (await runtime.request('sensing', 'poll')) as { temperatures: { hotends: { target: number }[] } };
    expect(reading.temperatures.hotends).toHaveLength(2);
    expect(reading.temperatures.hotends[1]!.target).toBe(180);
    const offer = (await runtime.request('service', 'offer')) as { services: { name: string }[] };
    expect(offer.services.map((s) => s.name)).toContain('multi-material');
  });

  it('swapping a granule between twins: the JGAurora twin with the BlueMaker appearance granule', async () => {
    const jg = await loadTwinDir(join(here, 'jgaurora-z-603s'));
    const bm = packTwin(await loadTwinDir(join(here, 'bluemaker-bm10-450')));
    const foreign = bm.find((g) => g.context === 'appearance')!;
    const composed = withGranule(jg.twin, foreign);
    expect(validateTwin(composed)).toEqual([]);
    const granules = packTwin(jg).map((g) => (g.context === 'appearance' ? foreign : g));
    expect(dependencyIssues(granules)).toEqual([]);
    const { runtime } = await start('jgaurora-z-603s', granules);
    expect(((await runtime.request('appearance', 'scene')) as { printer: string }).printer).toBe('BlueMaker BM10-450');
    // The rest of the JGAurora twin is untouched and still drives its own printer.
    expect(((await runtime.request('mechanical', 'spec')) as { printer: string }).printer).toBe('JGAurora Z-603S');
    await runtime.request('automation', 'home', {});
    await runtime.request('automation', 'jog', { axis: 'Y', distance: 15 });
    await runtime.request('sensing', 'poll');
    expect(((await runtime.request('appearance', 'pose')) as { y: number }).y).toBeCloseTo(15, 1);
    // And back again at runtime, touching no other context.
    await runtime.replace(packTwin(jg).find((g) => g.context === 'appearance')!);
    expect(((await runtime.request('appearance', 'scene')) as { printer: string }).printer).toBe('JGAurora Z-603S');
    expect(runtime.state().every((s) => s.status === 'running')).toBe(true);
  });
});
