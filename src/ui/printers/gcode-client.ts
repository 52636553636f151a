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
  onChunk?: (chunk: PathChunk, all: PathChunk[]) => void,
): Promise<ViewerAnalysis> {
  const worker = new Worker(new URL('../../workers/gcode.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<GcodeWorkerApi>(worker);
  const chunks: PathChunk[] = [];
  try {
    const result = await api.analyze(
      file,
      model,
      Comlink.proxy((f: number) => onProgress?.(f)),
      Comlink.proxy((chunk: PathChunk) => {
        chunks.push(chunk);
        onChunk?.(chunk, chunks);
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
