// What the G-code viewer draws for a slider layer and a print in progress: per chunk, how many segments are printed
// (done) and how many more belong to the layers up to the slider (remaining). Plain functions so tests can check them.
import { segmentsUpTo, type GcodeLayer, type PathChunk } from '../../lib/gcode/index';

export interface ChunkRange {
  /** Segments drawn as printed: [0, done). */
  done: number;
  /** Segments drawn as still to print: [done, shown). */
  shown: number;
}

/** The last command of `layer` (everything before the next layer's first command). */
export function lastCommandOfLayer(layers: GcodeLayer[], layer: number): number {
  const next = layers[layer + 1];
  return next ? next.firstCommand - 1 : Number.MAX_SAFE_INTEGER;
}

/**
 * Ranges for every chunk. `doneCommand` < 0 means no print is running: everything up to the slider counts as done
 * (drawn in full colour).
 */
export function chunkRanges(chunks: PathChunk[], layers: GcodeLayer[], layer: number, doneCommand: number): ChunkRange[] {
  const last = lastCommandOfLayer(layers, layer);
  const done = doneCommand < 0 ? last : Math.min(doneCommand, last);
  return chunks.map((c) => {
    const shown = segmentsUpTo(c.commands, last);
    return { done: Math.min(shown, segmentsUpTo(c.commands, done)), shown };
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
