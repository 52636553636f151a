// Talks to src/workers/gcode.worker.ts through comlink: the file is read there; tool-path chunks arrive as they are
// produced (so the viewer can draw before the end of a large file) and the analysis when the whole file is read.
import * as Comlink from 'comlink';
import type { GcodeAnalysis, PathChunk } from '../../lib/gcode/index';
import type { GcodeWorkerApi } from '../../workers/gcode.worker';

export type ViewerAnalysis = GcodeAnalysis & { chunks: PathChunk[] };

export async function analyzeInWorker(
  file: Blob,
  model: string,
  onProgress?: (fraction: number) => void,
  /** Called as tool paths arrive, with what is known so far (no layers or estimate yet): the viewer draws at once. */
  onPartial?: (partial: ViewerAnalysis) => void,
): Promise<ViewerAnalysis> {
  const worker = new Worker(new URL('../../workers/gcode.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<GcodeWorkerApi>(worker);
  const chunks: PathChunk[] = [];
  const bounds = { min: [Infinity, Infinity, Infinity] as [number, number, number], max: [-Infinity, -Infinity, -Infinity] as [number, number, number] };
  try {
    const result = await api.analyze(
      file,
      model,
      Comlink.proxy((f: number) => onProgress?.(f)),
      Comlink.proxy((chunk: PathChunk) => {
        chunks.push(chunk);
        if (!chunk.travel && !chunk.overview) grow(bounds, chunk);
        if (onPartial) onPartial(partialAnalysis(chunks.slice(), bounds));
      }),
    );
    return { ...result, chunks };
  } catch (error) {
    throw new Error(`the G-code could not be read: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
}

function grow(b: { min: number[]; max: number[] }, c: PathChunk): void {
  for (let i = 0; i < c.count * 6; i++) {
    const k = i % 3;
    const v = c.positions[i]!;
    if (v < b.min[k]!) b.min[k] = v;
    if (v > b.max[k]!) b.max[k] = v;
  }
}

function partialAnalysis(chunks: PathChunk[], bounds: { min: [number, number, number]; max: [number, number, number] }): ViewerAnalysis {
  const extrusion = chunks.filter((c) => !c.travel && !c.overview).reduce((s, c) => s + c.count, 0);
  return {
    commandCount: 0,
    layers: [],
    estimateSeconds: 0,
    heatingSeconds: 0,
    filamentMm: 0,
    bounds: { min: [...bounds.min], max: [...bounds.max] },
    unknownCommands: { count: 0, examples: [] },
    featureSegments: [],
    displaySegments: { extrusion, travel: chunks.reduce((s, c) => s + (c.travel ? c.count : 0), 0) },
    sourceSegments: 0,
    arcs: 0,
    truncated: false,
    chunks,
  };
}
