// What the G-code viewer draws for a slider layer and a print in progress: per chunk, how many segments are printed
// (done) and how many more belong to the layers up to the slider (remaining). Plain functions so tests can check them.
import { segmentsUpTo, type GcodeLayer, type PathChunk } from '../../lib/gcode/index';

export interface ChunkRange {
  /** Segments before this one are not drawn from this chunk (the overview draws them). */
  from: number;
  /** Segments drawn as printed: [from, done). */
  done: number;
  /** Segments drawn as still to print: [max(from, done), shown). */
  shown: number;
  /** Segments of the part up to the slider in this chunk, whether drawn from it or from the overview. */
  logical: number;
  /** Of those, segments printed. */
  printed: number;
}

/** The top layers (up to the slider) always drawn in full when a large file comes with an overview. */
export const FULL_LAYERS = 30;

/** The last command of `layer` (everything before the next layer's first command). */
export function lastCommandOfLayer(layers: GcodeLayer[], layer: number): number {
  const next = layers[layer + 1];
  return next ? next.firstCommand - 1 : Number.MAX_SAFE_INTEGER;
}

/**
 * Ranges for every chunk. `doneCommand` < 0 means no print is running: everything up to the slider counts as done
 * (drawn in full colour). With overview chunks (a large file), the part below the slider's top FULL_LAYERS layers is
 * drawn from the overview and the top layers from the full chunks; while the file is still being read (no layers
 * yet), the overview and the newest full chunk are drawn.
 */
export function chunkRanges(chunks: PathChunk[], layers: GcodeLayer[], layer: number, doneCommand: number): ChunkRange[] {
  const last = lastCommandOfLayer(layers, layer);
  const done = doneCommand < 0 ? last : Math.min(doneCommand, last);
  const overview = chunks.some((c) => c.overview);
  if (overview && layers.length === 0) {
    let newest = -1;
    chunks.forEach((c, i) => {
      if (!c.travel && !c.overview) newest = i;
    });
    return chunks.map((c, i) => {
      const all = c.overview || i === newest || (c.travel && !overview);
      const logical = c.overview ? 0 : c.count;
      return { from: 0, done: all ? c.count : 0, shown: all ? c.count : 0, logical, printed: logical };
    });
  }
  const split = overview ? (layers[layer - FULL_LAYERS + 1]?.firstCommand ?? 0) : 0;
  return chunks.map((c) => {
    const upTo = segmentsUpTo(c.commands, last);
    const doneUpTo = segmentsUpTo(c.commands, done);
    if (c.overview) {
      const shown = segmentsUpTo(c.commands, split - 1);
      return { from: 0, done: Math.min(shown, doneUpTo), shown, logical: 0, printed: 0 };
    }
    const from = overview && !c.travel ? Math.min(upTo, segmentsUpTo(c.commands, split - 1)) : 0;
    const printed = Math.min(upTo, doneUpTo);
    return { from, done: Math.max(from, printed), shown: upTo, logical: upTo, printed };
  });
}

/** Bounds of the part for framing: the extruded segments' box, or the bed when nothing was extruded. */
export function partFrame(bounds: { min: number[]; max: number[] }, fovDeg: number, aspect: number) {
  const target = [0, 1, 2].map((i) => (bounds.min[i]! + bounds.max[i]!) / 2) as [number, number, number];
  const radius = Math.max(5, Math.hypot(...[0, 1, 2].map((i) => bounds.max[i]! - bounds.min[i]!)) / 2);
  const vertical = (fovDeg * Math.PI) / 180;
  const horizontal = 2 * Math.atan(Math.tan(vertical / 2) * aspect);
  const distance = (radius / Math.sin(Math.min(vertical, horizontal) / 2)) * 1.1;
  const dir = [0.8, -1, 0.9];
  const len = Math.hypot(...dir);
  const position = [0, 1, 2].map((i) => target[i]! + (dir[i]! / len) * distance) as [number, number, number];
  return { position, target, near: Math.max(0.1, distance - radius * 3), far: distance + radius * 40 };
}
