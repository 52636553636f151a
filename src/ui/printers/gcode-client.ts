// Runs the G-code analysis in src/workers/gcode.worker.ts and resolves with its result.
import type { GcodeAnalysis } from '../../lib/printer/index';

export function analyzeInWorker(file: Blob, model: string, onProgress?: (fraction: number) => void): Promise<GcodeAnalysis> {
  const worker = new Worker(new URL('../../workers/gcode.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<GcodeAnalysis>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ result?: GcodeAnalysis; error?: string; progress?: number }>) => {
      if (e.data.progress !== undefined) return onProgress?.(e.data.progress);
      worker.terminate();
      if (e.data.result) resolve(e.data.result);
      else reject(new Error(`the G-code could not be read: ${e.data.error ?? 'unknown error'}`));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`the G-code parser stopped: ${e.message}`));
    };
    worker.postMessage({ file, model });
  });
}
