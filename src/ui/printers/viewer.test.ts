// The viewer's level of detail for large files: the part below the slider's top layers is drawn from an overview of
// every n-th layer, the top layers in full; the counts the page reports stay those of the whole part.
import { describe, expect, it } from 'vitest';
import { analyzeGcode, generateTestGcode, layerOfCommand, type PathChunk } from '../../lib/gcode/index';
import { getPrinterProfile, machineOf } from '../../lib/machines/index';
import { chunkRanges, FULL_LAYERS } from './viewer';

const machine = machineOf(getPrinterProfile('bluemaker-bm10-450'));
const text = [...generateTestGcode({ layers: 80, segmentsPerSide: 3 })].join('\n');
const lines = text.split('\n').map((t) => ({ text: t }));

/** The layers drawn by a set of ranges, from each drawn segment's command. */
function drawnLayers(chunks: PathChunk[], ranges: ReturnType<typeof chunkRanges>, layers: { firstCommand: number }[], from: 'overview' | 'full') {
  const out = new Set<number>();
  chunks.forEach((c, i) => {
    if (c.travel || Boolean(c.overview) !== (from === 'overview')) return;
    for (let s = ranges[i]!.from; s < ranges[i]!.shown; s++) out.add(layerOfCommand(layers, c.commands[s]!));
  });
  return [...out].sort((a, b) => a - b);
}

describe('G-code viewer level of detail', () => {
  it('keeps an overview of every n-th layer beside the full tool paths, without changing the counts', async () => {
    const plain = await analyzeGcode(lines, machine, { chunkSize: 64 });
    const lod = await analyzeGcode(lines, machine, { chunkSize: 64, overviewStride: 4 });
    expect(lod.displaySegments).toEqual(plain.displaySegments);
    expect(lod.layers).toEqual(plain.layers);
    const full = lod.chunks.filter((c) => !c.overview);
    expect(full.map((c) => [...c.positions])).toEqual(plain.chunks.map((c) => [...c.positions]));
    const overview = lod.chunks.filter((c) => c.overview);
    const layers = new Set(overview.flatMap((c) => [...c.commands].map((n) => layerOfCommand(lod.layers, n))));
    expect([...layers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i * 4));
  });

  it('draws the top layers in full and the rest from the overview, and reports the whole part as shown', async () => {
    const a = await analyzeGcode(lines, machine, { chunkSize: 64, overviewStride: 4 });
    const top = 59;
    const ranges = chunkRanges(a.chunks, a.layers, top, -1);
    const full = drawnLayers(a.chunks, ranges, a.layers, 'full');
    expect(full).toEqual(Array.from({ length: FULL_LAYERS }, (_, i) => top - FULL_LAYERS + 1 + i));
    const below = drawnLayers(a.chunks, ranges, a.layers, 'overview');
    expect(below).toEqual(Array.from({ length: 8 }, (_, i) => i * 4));
    // The counts are the part's up to the slider, not what is drawn.
    const plainRanges = chunkRanges(
      a.chunks.filter((c) => !c.overview),
      a.layers,
      top,
      -1,
    );
    const logical = ranges.reduce((s, r, i) => s + (a.chunks[i]!.travel ? 0 : r.logical), 0);
    expect(logical).toBe(plainRanges.reduce((s, r, i) => s + (a.chunks.filter((c) => !c.overview)[i]!.travel ? 0 : r.shown), 0));
  });

  it('while the file is still being read (no layers yet), draws the overview and the newest full chunk', async () => {
    const a = await analyzeGcode(lines, machine, { chunkSize: 64, overviewStride: 4 });
    const ranges = chunkRanges(a.chunks, [], 0, -1);
    const newest = a.chunks.map((c, i) => (!c.travel && !c.overview ? i : -1)).reduce((m, i) => Math.max(m, i), -1);
    a.chunks.forEach((c, i) => expect(ranges[i]!.shown).toBe(c.overview || i === newest ? c.count : 0));
  });
});
